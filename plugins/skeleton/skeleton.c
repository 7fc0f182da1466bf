/*
 * skeleton.c - a complete workload plugin to copy: "sleep a little, or spin".
 *
 * Build it outside the concur tree against the installed SDK:
 *
 *     cc -O2 $(pkg-config --cflags concur-plugin) skeleton.c \
 *        $(pkg-config --libs concur-plugin) -o skeleton.so
 *
 * then drop skeleton.so into a folder and run an experiment with
 * `--plugin-path FOLDER` (or `plugin_path = FOLDER` in [experiment]):
 *
 *     [workload naps]
 *     plugin = skeleton
 *     count  = 50
 *     nap    = 1ms
 *
 * Every hook's contract is in <concur/plugin.h>; this file shows each one.
 * Rules: include only <concur/plugin.h> (and libc); record the header you
 * built against in each table (CONCUR_PLUGIN_INIT, CONCUR_*_SIZE); keep
 * everything static but the one exported description; never print, exit or
 * abort — return a negative errno-style code with a message in err instead.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <concur/plugin.h>

/* Parameter indices: values[] arrive in the order of the table below. */
enum { P_COUNT, P_NAP, P_FAIL_EVERY };

static const struct concur_param skeleton_params[] = {
	{ "count", CONCUR_PARAM_INT, "10", "0", "1000000", "number of tasks" },
	{ "nap", CONCUR_PARAM_DURATION, "1ms", "0", "10s",
	  "how long each task sleeps" },
	{ "fail_every", CONCUR_PARAM_INT, "0", "0", NULL,
	  "make every Nth task fail (0 = never), to see failures reported" },
	{ NULL },
};

/* One instance per run, built from the parameters. */
struct skeleton {
	size_t count;
	int64_t nap_ns;
	int64_t fail_every;
};

/* Per-worker state: here just a counter, to show the hooks. */
struct skeleton_worker {
	unsigned id;
	size_t tasks_run;
};

static int skeleton_create(const union concur_value *v, void **ret_instance,
			   char *err, size_t errlen)
{
	struct skeleton *s = calloc(1, sizeof(*s));

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	s->count = (size_t)v[P_COUNT].i; /* range already checked by concur */
	s->nap_ns = v[P_NAP].ns;
	s->fail_every = v[P_FAIL_EVERY].i;
	*ret_instance = s;
	return 0;
}

static void skeleton_destroy(void *instance)
{
	free(instance);
}

static size_t skeleton_task_count(void *instance)
{
	return ((struct skeleton *)instance)->count;
}

/* Called once in each worker thread/process before its first task. */
static int skeleton_worker_init(void *instance, unsigned worker_id,
				struct concur_loop *loop, void **ret_worker,
				char *err, size_t errlen)
{
	struct skeleton_worker *w = calloc(1, sizeof(*w));

	(void)instance, (void)loop;
	if (!w) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	w->id = worker_id;
	*ret_worker = w;
	return 0;
}

static void skeleton_worker_fini(void *instance, void *worker)
{
	(void)instance;
	free(worker);
}

/* Run one task to completion; the strategy stamps the times. */
static int skeleton_run_task(void *instance, void *worker, size_t task,
			     struct concur_task *rec, char *err, size_t errlen)
{
	struct skeleton *s = instance;
	struct skeleton_worker *w = worker;
	struct timespec ts = { s->nap_ns / 1000000000, s->nap_ns % 1000000000 };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
	w->tasks_run++;
	if (s->fail_every && (task + 1) % (size_t)s->fail_every == 0) {
		snprintf(err, errlen,
			 "task %zu failed on purpose (fail_every = %lld)", task,
			 (long long)s->fail_every);
		return -EIO;
	}
	rec->result = task; /* checked below, outside the timed region */
	return 0;
}

static int skeleton_check_task(void *instance, size_t task,
			       const struct concur_task *rec, char *err,
			       size_t errlen)
{
	(void)instance;
	if (rec->result != task) {
		snprintf(err, errlen, "result %llu, expected %zu",
			 (unsigned long long)rec->result, task);
		return -EBADMSG;
	}
	return 0;
}

static const struct concur_workload_ops skeleton_ops = {
	.size = CONCUR_WORKLOAD_OPS_SIZE,
	.create = skeleton_create,
	.destroy = skeleton_destroy,
	.task_count = skeleton_task_count,
	.worker_init = skeleton_worker_init,
	.worker_fini = skeleton_worker_fini,
	.run_task = skeleton_run_task,
	/* .start_task: optional event-loop face; without it an event-loop
	 * strategy runs run_task inside its loop, blocking it. */
	.check_task = skeleton_check_task,
	/* .needs: only for a plugin that declares .needs below. */
};

CONCUR_PLUGIN_EXPORT const struct concur_plugin concur_plugin_v1 = {
	CONCUR_PLUGIN_INIT(CONCUR_KIND_WORKLOAD),
	.name = "skeleton",
	.version = "1.0",
	.description =
		"sleeps `nap` per task: a template for your own workload",
	.params = skeleton_params,
	.workload = &skeleton_ops,
	/* .needs = CONCUR_NEED_HTTP_SERVER would ask for the test server;
	 * .caps offers what the plugin can do beyond the baseline. */
};
