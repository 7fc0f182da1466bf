/*
 * strategy_common.h - small helpers shared by the strategies shipped with
 * concur (sync, pthreads, forkpool).  Header-only and static, so each plugin
 * stays one self-contained .so that needs nothing but <concur/plugin.h>.
 * Private to these plugins: it sits beside them and is found next to the
 * including file, never through an include path (plugins are built with
 * only include/ on theirs).
 */
#ifndef CONCUR_STRATEGY_COMMON_H
#define CONCUR_STRATEGY_COMMON_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <concur/plugin.h>

/* The run's open-loop schedule, or NULL for a closed-loop run. */
static inline const int64_t *strategy_schedule(const struct concur_job *job)
{
	return CONCUR_HAS(job, intended_start_ns) ? job->intended_start_ns
						  : NULL;
}

/* chunk = 0 (auto): n / (workers * DIV) tasks per grab, in [1, MAX]. */
#define POOL_AUTO_CHUNK_DIV 64
#define POOL_AUTO_CHUNK_MAX 1024

/* The two parameters every pool strategy takes, in this order. */
enum { POOL_P_WORKERS, POOL_P_CHUNK };

#define POOL_PARAMS(what)                                                                \
	{ "workers", CONCUR_PARAM_INT, "$ncpus", "1", "4096", what },                    \
	{                                                                                \
		"chunk", CONCUR_PARAM_INT, "0", "0", "1000000",                          \
			"tasks claimed at once; 0 = auto, n/(workers*64) capped at 1024" \
	}

struct pool_config {
	unsigned workers;
	size_t chunk; /* as configured; 0 = auto */
};

/* The create hook of a pool strategy: its state is its configuration. */
static inline int pool_create(const union concur_value *params,
			      void **ret_strategy, char *err, size_t errlen)
{
	struct pool_config *c = calloc(1, sizeof(*c));

	if (!c) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	c->workers = (unsigned)params[POOL_P_WORKERS].i;
	c->chunk = (size_t)params[POOL_P_CHUNK].i;
	*ret_strategy = c;
	return 0;
}

static inline void pool_destroy(void *strategy)
{
	free(strategy);
}

/*
 * Tasks per grab: the configured chunk, or the automatic one.  Open loop
 * (job->intended_start_ns) makes the automatic chunk 1: a worker claims a
 * task only when it is free, so the tasks queue in one line in front of
 * the whole pool, first come first served, as in an M/D/c queue.
 */
static inline size_t pool_chunk(const struct concur_job *job, size_t chunk,
				unsigned workers)
{
	size_t n = job->n_tasks;

	if (chunk > 0)
		return chunk;
	if (strategy_schedule(job))
		return 1;
	chunk = n / ((size_t)workers * POOL_AUTO_CHUNK_DIV);
	if (chunk < 1)
		return 1;
	return chunk > POOL_AUTO_CHUNK_MAX ? POOL_AUTO_CHUNK_MAX : chunk;
}

/*
 * Open loop: hold task i until its intended start (docs/open-loop.md).  `now`
 * is the caller's latest reading of job->now_ns; returns the
 * time to stamp as the task's start: `now` itself when the task is already
 * due (behind schedule: start at once, never skip), else a reading taken
 * after sleeping.  Closed loop: returns `now`.  The schedule is on
 * CLOCK_MONOTONIC, as job->now_ns is in a real run.
 */
static inline int64_t strategy_wait_start(const struct concur_job *job,
					  size_t i, int64_t now)
{
	const int64_t *sched = strategy_schedule(job);
	int64_t due;

	if (!sched)
		return now;
	due = sched[i];
	while (now < due) {
		struct timespec ts = { .tv_sec = due / 1000000000,
				       .tv_nsec = due % 1000000000 };

		/* EINTR or an early wake-up: the clock decides, not the call */
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		now = job->now_ns();
	}
	return now;
}

/*
 * A task failed: keep the workload's own status if it set one, otherwise
 * record the hook's return code, and report the reason.
 */
static inline void strategy_task_failed(const struct concur_job *job,
					size_t task, int rc, const char *msg)
{
	struct concur_task *rec = &job->tasks[task];
	char text[CONCUR_ERRLEN];

	if (rec->status == 0)
		rec->status = rc < 0 ? rc : -EIO;
	if (!*msg) {
		snprintf(text, sizeof(text), "failed with code %d (no message)",
			 rc);
		msg = text;
	}
	job->task_error(job, task, msg);
}

#endif
