/*
 * job.h - one run of one workload instance by one strategy, in the calling
 * process: create both from their parameter values, allocate the shared
 * task records, run, verify with check_task, destroy.
 *
 * The runner calls this inside a forked child per run (isolation, resource
 * accounting); tests call it directly.  The task records and the error
 * slot live in a MAP_SHARED mapping created by job_alloc, so they survive
 * the child and are read by the parent.
 */
#ifndef CONCUR_JOB_H
#define CONCUR_JOB_H

#include <stddef.h>
#include <stdint.h>

#include <concur/plugin.h>

#include "loader.h"
#include "schedule.h"

/*
 * What a run leaves in shared memory for the parent.  The run's plugins can
 * write all of it, so the parent never acts on it directly: job_read_back
 * copies and checks it against what the parent kept in its own memory.
 * Guards of one task record's size sit just below tasks[0] and just past
 * tasks[capacity - 1], where a strategy's off-by-one writes land.
 */
struct job_shared {
	uint64_t magic;	    /* JOB_MAGIC, set by job_alloc */
	int64_t wall_ns;    /* strategy->run, start to end */
	int32_t run_status; /* 0, or the strategy's / a create hook's error */
	uint32_t error_claimed; /* atomic: first task error recorded */
	uint64_t error_task;	/* the task of error_text, if a task's */
	uint64_t capacity; /* task records mapped (job_alloc's max_tasks) */
	uint64_t n_tasks;
	uint64_t n_failed; /* filled by job_summarise */
	/* Open loop: the load, set by the caller before job_run (rate 0 =
	 * closed loop), and the time the schedule's offsets count from, set
	 * by job_run: task i was meant to start at origin_ns + offset i. */
	struct schedule_spec load;
	int64_t origin_ns;
	/* Resources used by strategy->run alone: the run's process and threads
	 * (RUSAGE_SELF delta) plus the workers it reaped (RUSAGE_CHILDREN). */
	int64_t user_ns, sys_ns;
	int64_t max_rss_kib; /* peak of the process or a reaped worker */
	int64_t nvcsw, nivcsw;
	char error_text[CONCUR_ERRLEN];
	unsigned char guard[sizeof(struct concur_task)]; /* JOB_GUARD_BYTE */
	struct concur_task tasks[]; /* n_tasks, then one record of guard */
};

#define JOB_MAGIC 0x636f6e637572726eULL
#define JOB_GUARD_BYTE 0xc5

/*
 * Map a zeroed job_shared for up to max_tasks (magic and guards set); NULL
 * on failure.  Unmap it with job_unmap and the same max_tasks.
 */
struct job_shared *job_alloc(size_t max_tasks);
void job_unmap(struct job_shared *shared, size_t max_tasks);
/*
 * For tests that run a job in their own process: unmap with the capacity
 * stored in the mapping.  The runner, whose children may have written that
 * field, uses job_unmap.
 */
void job_release(struct job_shared *shared);
size_t job_mapping_size(size_t max_tasks);

/* The parent's own copy of a run's header, checked (job_read_back). */
struct job_outcome {
	int64_t wall_ns;
	int32_t run_status;
	uint64_t n_tasks, n_failed; /* n_failed <= n_tasks <= max_tasks */
	int64_t origin_ns; /* open loop: where the schedule's offsets start */
	int64_t user_ns, sys_ns, max_rss_kib, nvcsw, nivcsw;
	char error_text[CONCUR_ERRLEN]; /* NUL-terminated, no control chars */
};

/*
 * After the run's processes are gone: copy the header of `shared` (mapped
 * by job_alloc(max_tasks)) into ret, and check the copy, the guards and
 * every finished task's times against what the parent knows.  Returns 0,
 * or -EPROTO with a reason ("wrote below its task records", ...) in why
 * when the run corrupted what it handed back: its figures cannot be
 * trusted.  Tasks 0..ret->n_tasks-1 of shared may be read after a 0.
 */
int job_read_back(const struct job_shared *shared, size_t max_tasks,
		  struct job_outcome *ret, char *why, size_t whylen);

/*
 * Create the workload with its extra keys (`extras`, NULL = none; to learn
 * its task count, which must be <= the mapping's capacity `max_tasks`),
 * let it prepare, create the strategy, run the job, check every
 * successful task, then destroy both.  With shared->load.rate > 0 the
 * schedule is computed first, outside the timed region, and handed to the
 * strategy as job.intended_start_ns, counted from the run's start.  Fills shared->wall_ns, n_tasks,
 * n_failed, error_text.  Returns 0 when the run happened (tasks may have
 * failed), or a negative code when a create hook or the strategy itself
 * failed (message in shared->error_text too).
 */
int job_run(const struct plugin *strategy, const union concur_value *svals,
	    const struct plugin *workload, const union concur_value *wvals,
	    const struct plugin_extras *extras, struct job_shared *shared,
	    size_t max_tasks, int64_t (*now_ns)(void));

/*
 * Ask the workload for its task count without running anything (create,
 * extra_keys, task_count, destroy; never prepare).  Returns the count, or -1 with a message.
 */
int64_t job_task_count(const struct plugin *workload,
		       const union concur_value *wvals,
		       const struct plugin_extras *extras, char *err,
		       size_t errlen);

#endif
