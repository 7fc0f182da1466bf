/*
 * null - the do-nothing workload: `count` tasks that succeed at once.
 *
 * With the sync or pthreads strategy it measures a strategy's per-task
 * overhead; its start_task face completes inside start_task itself, so
 * with an event-loop strategy it measures the loop's overhead too.
 * No worker hooks and no check: nothing to set up, nothing to verify.
 */
#include <stdint.h>

#include <concur/plugin.h>

enum { NULL_P_COUNT };

static const struct concur_param null_params[] = {
	[NULL_P_COUNT] = { "count", CONCUR_PARAM_INT, "1000", "0", "100000000",
			   "number of tasks; each does nothing and succeeds" },
	{ NULL },
};

/* The instance is just the task count, kept in the pointer itself. */
static int nullw_create(const union concur_value *params, void **ret_instance,
			char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	*ret_instance = (void *)(uintptr_t)params[NULL_P_COUNT].i;
	return 0;
}

static size_t nullw_task_count(void *instance)
{
	return (size_t)(uintptr_t)instance;
}

static int nullw_run_task(void *instance, void *worker, size_t task,
			  struct concur_task *rec, char *err, size_t errlen)
{
	(void)instance;
	(void)worker;
	(void)task;
	(void)rec;
	(void)err;
	(void)errlen;
	return 0;
}

static int nullw_start_task(void *instance, void *worker, size_t task,
			    struct concur_task *rec, struct concur_loop *loop,
			    char *err, size_t errlen)
{
	(void)instance;
	(void)worker;
	(void)rec;
	(void)err;
	(void)errlen;
	loop->complete(loop, task, 0, NULL);
	return 0;
}

static const struct concur_workload_ops nullw_ops = {
	.size = CONCUR_WORKLOAD_OPS_SIZE,
	.create = nullw_create,
	.task_count = nullw_task_count,
	.run_task = nullw_run_task,
	.start_task = nullw_start_task,
};

CONCUR_PLUGIN_EXPORT const struct concur_plugin concur_plugin_v1 = {
	CONCUR_PLUGIN_INIT(CONCUR_KIND_WORKLOAD),
	.name = "null",
	.version = "1.0",
	.description =
		"tasks that do nothing: measures a strategy's own overhead",
	.params = null_params,
	.workload = &nullw_ops,
};
