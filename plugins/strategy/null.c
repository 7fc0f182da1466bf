/*
 * null - the harness-overhead probe.
 *
 * Completes every task WITHOUT calling the workload at all (no worker_init,
 * no run_task, no worker_fini): it stamps chained timestamps, status 0 and
 * CONCUR_TASK_DONE, so a run measures the core's own bookkeeping — creating
 * the job, the clock reads, the shared task records, the statistics — and
 * nothing else.  Pair it with the null workload.  A workload with a
 * check_task (cpu_sum, http_download) sees its checks fail, honestly: its
 * tasks were never run.
 */
#include <concur/plugin.h>

static int null_run(void *strategy, const struct concur_job *job, char *err,
		    size_t errlen)
{
	struct concur_task *tasks = job->tasks;
	int64_t now = job->now_ns();
	size_t i;

	(void)strategy;
	(void)err;
	(void)errlen;
	for (i = 0; i < job->n_tasks; i++) {
		tasks[i].start_ns = now;
		now = job->now_ns();
		tasks[i].end_ns = now;
		tasks[i].status = 0;
		tasks[i].flags |= CONCUR_TASK_DONE;
	}
	return 0;
}

static const struct concur_strategy_ops null_ops = {
	.size = CONCUR_STRATEGY_OPS_SIZE,
	.run = null_run,
};

CONCUR_PLUGIN_EXPORT const struct concur_plugin concur_plugin_v1 = {
	CONCUR_PLUGIN_INIT(CONCUR_KIND_STRATEGY),
	.name = "null",
	.version = "1.0",
	.description =
		"completes tasks without running them: the core's own overhead (pair with the null workload)",
	.params = NULL,
	.strategy = &null_ops,
};
