/*
 * sync - the baseline strategy: every task in order, in the calling thread.
 *
 * One worker (id 0, no loop).  Timestamps are chained: the end of task i is
 * the start of task i+1, so each task costs exactly one clock read and the
 * loop's own bookkeeping is charged to the tasks rather than lost.
 *
 * Open loop: before each task it sleeps until the task's intended start;
 * when behind, the next task starts the moment the previous one ends.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <concur/plugin.h>

#include "strategy_common.h"

static int sync_run(void *strategy, const struct concur_job *job, char *err,
		    size_t errlen)
{
	const struct concur_workload_ops *w = job->workload;
	struct concur_task *tasks = job->tasks;
	char msg[CONCUR_ERRLEN] = "";
	void *worker = NULL;
	int64_t now;
	size_t i;
	int rc;

	(void)strategy;
	rc = w->worker_init(job->instance, 0, NULL, &worker, msg, sizeof(msg));
	if (rc != 0) {
		snprintf(err, errlen, "worker 0: init failed: %s",
			 *msg ? msg : strerror(rc < 0 ? -rc : EIO));
		return rc < 0 ? rc : -EIO;
	}
	now = job->now_ns();
	for (i = 0; i < job->n_tasks; i++) {
		now = strategy_wait_start(job, i, now);
		tasks[i].start_ns = now;
		rc = w->run_task(job->instance, worker, i, &tasks[i], msg,
				 sizeof(msg));
		now = job->now_ns();
		tasks[i].end_ns = now;
		tasks[i].flags |= CONCUR_TASK_DONE;
		if (rc != 0) {
			strategy_task_failed(job, i, rc, msg);
			msg[0] = '\0';
		}
	}
	w->worker_fini(job->instance, worker);
	return 0;
}

static const struct concur_strategy_ops sync_ops = {
	.size = CONCUR_STRATEGY_OPS_SIZE,
	.run = sync_run,
};

CONCUR_PLUGIN_EXPORT const struct concur_plugin concur_plugin_v1 = {
	CONCUR_PLUGIN_INIT(CONCUR_KIND_STRATEGY),
	.name = "sync",
	.version = "1.0",
	.description =
		"every task in order in the calling thread (the baseline)",
	.params = NULL,
	.strategy = &sync_ops,
	.caps = CONCUR_CAP_OPEN_LOOP | CONCUR_CAP_BLOCKING,
};
