/*
 * pthreads - a pool of `workers` threads sharing the tasks dynamically.
 *
 * Threads claim chunks of consecutive tasks from one shared atomic counter
 * (no lock on the hot path); each task's times and outcome go to its own
 * record.  Every thread runs worker_init once before its first task and
 * worker_fini after its last — also a thread that gets no task, like a
 * pool initializer — and a failing task never stops the others.
 *
 * Timing: thread creation is part of the run's wall time (the honest cost
 * of a pool), but not of any task: threads wait at a start gate that opens
 * once all of them exist.  Within a thread, timestamps are chained as in
 * sync (one clock read per task), so claiming a chunk is charged to the
 * task that follows it.
 *
 * chunk = 0 (the default) picks max(1, n / (workers * 64)) capped at 1024:
 * few enough claims that the counter costs nothing per task, small enough
 * that the tail stays balanced.  chunk = 1 is plain dynamic scheduling.
 *
 * Open loop: the automatic chunk is 1, and a thread that claims a task
 * sleeps until its intended start: the pool is one FIFO queue in front of
 * `workers` servers.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <concur/plugin.h>

#include "strategy_common.h"

static const struct concur_param pt_params[] = {
	POOL_PARAMS("threads in the pool"),
	{ NULL },
};

struct pt_pool;

struct pt_thread {
	struct pt_pool *pool;
	pthread_t thread;
	unsigned id;
	int init_rc; /* worker_init's code, read after join */
	char init_err[CONCUR_ERRLEN];
};

struct pt_pool {
	const struct concur_job *job;
	size_t chunk;
	atomic_size_t next; /* first unclaimed task */
	pthread_mutex_t gate_lock;
	pthread_cond_t gate_cond;
	int gate; /* 0 = closed, 1 = open, -1 = aborted */
	struct pt_thread *threads;
};

/* Block until the gate opens; true when the run goes ahead. */
static int pt_gate_wait(struct pt_pool *pool)
{
	int gate;

	pthread_mutex_lock(&pool->gate_lock);
	while (pool->gate == 0)
		pthread_cond_wait(&pool->gate_cond, &pool->gate_lock);
	gate = pool->gate;
	pthread_mutex_unlock(&pool->gate_lock);
	return gate > 0;
}

static void pt_gate_set(struct pt_pool *pool, int gate)
{
	pthread_mutex_lock(&pool->gate_lock);
	pool->gate = gate;
	pthread_cond_broadcast(&pool->gate_cond);
	pthread_mutex_unlock(&pool->gate_lock);
}

/* Claim and run chunks until the counter passes the last task. */
static void pt_work(struct pt_pool *pool, void *worker)
{
	const struct concur_job *job = pool->job;
	const struct concur_workload_ops *w = job->workload;
	struct concur_task *tasks = job->tasks;
	size_t n = job->n_tasks, i, end;
	char msg[CONCUR_ERRLEN] = "";
	int64_t now = job->now_ns();
	int rc;

	for (;;) {
		i = atomic_fetch_add_explicit(&pool->next, pool->chunk,
					      memory_order_relaxed);
		if (i >= n)
			break;
		end = n - i > pool->chunk ? i + pool->chunk : n;
		for (; i < end; i++) {
			now = strategy_wait_start(job, i, now);
			tasks[i].start_ns = now;
			rc = w->run_task(job->instance, worker, i, &tasks[i],
					 msg, sizeof(msg));
			now = job->now_ns();
			tasks[i].end_ns = now;
			tasks[i].flags |= CONCUR_TASK_DONE;
			if (rc != 0) {
				strategy_task_failed(job, i, rc, msg);
				msg[0] = '\0';
			}
		}
	}
}

static void *pt_thread_main(void *arg)
{
	struct pt_thread *t = arg;
	struct pt_pool *pool = t->pool;
	const struct concur_job *job = pool->job;
	void *worker = NULL;

	t->init_rc =
		job->workload->worker_init(job->instance, t->id, NULL, &worker,
					   t->init_err, sizeof(t->init_err));
	if (t->init_rc != 0)
		return NULL;
	if (pt_gate_wait(pool))
		pt_work(pool, worker);
	job->workload->worker_fini(job->instance, worker);
	return NULL;
}

/*
 * Join threads [0, started).  Returns the first worker_init failure, with
 * its message in err, or 0.
 */
static int pt_join(struct pt_pool *pool, unsigned started, char *err,
		   size_t errlen)
{
	int rc = 0;
	unsigned k;

	for (k = 0; k < started; k++) {
		struct pt_thread *t = &pool->threads[k];

		pthread_join(t->thread, NULL);
		if (t->init_rc != 0 && rc == 0) {
			rc = t->init_rc < 0 ? t->init_rc : -EIO;
			snprintf(err, errlen, "worker %u: init failed: %.200s",
				 k, *t->init_err ? t->init_err : strerror(-rc));
		}
	}
	return rc;
}

/* Start the threads; returns how many started, with a message if not all. */
static unsigned pt_start(struct pt_pool *pool, unsigned workers, int *ret_rc,
			 char *err, size_t errlen)
{
	unsigned k;
	int rc;

	for (k = 0; k < workers; k++) {
		pool->threads[k] = (struct pt_thread){ .pool = pool, .id = k };
		rc = pthread_create(&pool->threads[k].thread, NULL,
				    pt_thread_main, &pool->threads[k]);
		if (rc != 0) {
			snprintf(err, errlen,
				 "cannot start thread %u of %u: %s", k, workers,
				 strerror(rc));
			*ret_rc = -rc;
			break;
		}
	}
	return k;
}

static int pt_run(void *strategy, const struct concur_job *job, char *err,
		  size_t errlen)
{
	const struct pool_config *s = strategy;
	struct pt_pool pool = {
		.job = job,
		.chunk = pool_chunk(job, s->chunk, s->workers),
		.gate_lock = PTHREAD_MUTEX_INITIALIZER,
		.gate_cond = PTHREAD_COND_INITIALIZER,
	};
	char init_err[CONCUR_ERRLEN] = "";
	unsigned started;
	int rc = 0, init_rc;

	atomic_init(&pool.next, 0);
	pool.threads = calloc(s->workers, sizeof(*pool.threads));
	if (!pool.threads) {
		snprintf(err, errlen, "out of memory for %u threads",
			 s->workers);
		return -ENOMEM;
	}
	started = pt_start(&pool, s->workers, &rc, err, errlen);
	/* Threads that did start run their init and fini even on abort. */
	pt_gate_set(&pool, rc == 0 ? 1 : -1);
	init_rc = pt_join(&pool, started, init_err, sizeof(init_err));
	if (rc == 0 && init_rc != 0) {
		rc = init_rc;
		snprintf(err, errlen, "%s", init_err);
	}
	pthread_cond_destroy(&pool.gate_cond);
	pthread_mutex_destroy(&pool.gate_lock);
	free(pool.threads);
	return rc;
}

static const struct concur_strategy_ops pt_ops = {
	.size = CONCUR_STRATEGY_OPS_SIZE,
	.create = pool_create,
	.destroy = pool_destroy,
	.run = pt_run,
};

CONCUR_PLUGIN_EXPORT const struct concur_plugin concur_plugin_v1 = {
	CONCUR_PLUGIN_INIT(CONCUR_KIND_STRATEGY),
	.name = "pthreads",
	.version = "1.0",
	.description = "a pool of threads claiming tasks from a shared counter",
	.params = pt_params,
	.strategy = &pt_ops,
	.caps = CONCUR_CAP_OPEN_LOOP | CONCUR_CAP_BLOCKING,
};
