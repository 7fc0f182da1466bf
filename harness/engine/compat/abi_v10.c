#include "abi_v10.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"
#include "loop_bridge.h"
#include "util.h"

bool abi_v10_is(const struct concur_plugin *d)
{
	/* v1.1 has its size (>= 64) where v1.0 has its kind. */
	return d->abi_version == 1 && (d->size == CONCUR_KIND_STRATEGY ||
				       d->size == CONCUR_KIND_WORKLOAD);
}

/* ------------------------------------------------------------------
 * A v1.0 workload, seen by the core and by any strategy as v1.1
 * ------------------------------------------------------------------ */

/* The instance the strategy and the core see. */
struct v10_instance {
	const struct concur_v10_workload_ops *ops;
	void *inner;
};

static void *inner_worker(void *worker)
{
	return worker ? ((struct bridged_worker *)worker)->inner : NULL;
}

/*
 * The create hook of every table the adapter builds: the core creates a
 * v1.0 plugin's objects with abi_v10_create (plugin_create_workload,
 * plugin_create_strategy), and a strategy never creates instances.
 */
static int created_by_the_core(const union concur_value *params, void **ret,
			       char *err, size_t errlen)
{
	(void)params;
	*ret = NULL;
	errf(err, errlen,
	     "only the core creates a v1.0 plugin's objects (plugin_create_workload, plugin_create_strategy)");
	return -ENOTSUP;
}

static void w_destroy(void *instance)
{
	struct v10_instance *wi = instance;

	if (wi->ops->destroy)
		wi->ops->destroy(wi->inner);
	free(wi);
}

static size_t w_task_count(void *instance)
{
	struct v10_instance *wi = instance;

	return wi->ops->task_count(wi->inner);
}

static int w_worker_init(void *instance, unsigned worker_id,
			 struct concur_loop *loop, void **ret_worker, char *err,
			 size_t errlen)
{
	struct v10_instance *wi = instance;
	struct bridged_worker *w = bridged_worker_new();
	int rc = 0;

	if (wi->ops->worker_init)
		rc = wi->ops->worker_init(
			wi->inner, worker_id,
			bridged_worker_loop(w, BRIDGE_FACE_V10, loop),
			&w->inner, err, errlen);
	if (rc != 0) {
		bridged_worker_free(w);
		w = NULL;
	}
	*ret_worker = w;
	return rc;
}

static void w_worker_fini(void *instance, void *worker)
{
	struct v10_instance *wi = instance;

	if (wi->ops->worker_fini)
		wi->ops->worker_fini(wi->inner, inner_worker(worker));
	bridged_worker_free(worker);
}

static int w_run_task(void *instance, void *worker, size_t task,
		      struct concur_task *rec, char *err, size_t errlen)
{
	struct v10_instance *wi = instance;

	return wi->ops->run_task(wi->inner, inner_worker(worker), task, rec,
				 err, errlen);
}

static int w_start_task(void *instance, void *worker, size_t task,
			struct concur_task *rec, struct concur_loop *loop,
			char *err, size_t errlen)
{
	struct v10_instance *wi = instance;
	struct concur_v10_loop *face;

	if (!worker || !loop) {
		errf(err, errlen,
		     "start_task without a worker or a loop: call worker_init with the loop first");
		return -EINVAL;
	}
	face = bridged_worker_loop(worker, BRIDGE_FACE_V10, loop);
	return wi->ops->start_task(wi->inner, inner_worker(worker), task, rec,
				   face, err, errlen);
}

static int w_check_task(void *instance, size_t task,
			const struct concur_task *rec, char *err, size_t errlen)
{
	struct v10_instance *wi = instance;

	return wi->ops->check_task
		       ? wi->ops->check_task(wi->inner, task, rec, err, errlen)
		       : 0;
}

/* The core masks it with the description's needs; abi_v10_needs decides. */
static uint64_t w_needs(const union concur_value *params)
{
	(void)params;
	return UINT64_MAX;
}

static void adopt_workload(struct plugin *p)
{
	const struct concur_v10_workload_ops *w = p->v10->workload;

	/* A required hook the plugin lacks stays NULL: the loader refuses it. */
	p->workload = (struct concur_workload_ops){
		.size = sizeof(struct concur_workload_ops),
		.create = w->create ? created_by_the_core : NULL,
		.destroy = w_destroy,
		.task_count = w->task_count ? w_task_count : NULL,
		.worker_init = w_worker_init,
		.worker_fini = w_worker_fini,
		.run_task = w->run_task ? w_run_task : NULL,
		.start_task = w->start_task ? w_start_task : NULL,
		.check_task = w_check_task,
		.needs = w_needs,
	};
	/* What the plugin itself provides, for `concur help`. */
	p->workload_given = p->workload;
	if (!w->destroy)
		p->workload_given.destroy = NULL;
	if (!w->worker_init)
		p->workload_given.worker_init = NULL;
	if (!w->worker_fini)
		p->workload_given.worker_fini = NULL;
	if (!w->check_task)
		p->workload_given.check_task = NULL;
	if (!p->info.needs)
		p->workload_given.needs = NULL;
	p->info.workload = &p->workload;
}

/* ------------------------------------------------------------------
 * A v1.0 strategy, running any (v1.1-faced) workload
 * ------------------------------------------------------------------ */

struct v10_strategy {
	const struct concur_v10_strategy_ops *ops;
	void *inner;
};

/*
 * One run of a v1.0 strategy: the v1.0 job it is handed, whose workload
 * table and instance lead back here, and the real job.  On the stack of
 * s_run; forked workers use their copy of it.
 */
struct v10_run {
	struct concur_v10_job job;
	struct concur_v10_workload_ops workload;
	const struct concur_job *real;
};

static const struct concur_job *real_job(void *instance)
{
	return ((const struct v10_run *)instance)->real;
}

static void r_destroy_ignored(void *instance)
{
	(void)instance; /* the core destroys the instance after the run */
}

static size_t r_task_count(void *instance)
{
	const struct concur_job *j = real_job(instance);

	return j->workload->task_count(j->instance);
}

static int r_worker_init(void *instance, unsigned worker_id,
			 struct concur_v10_loop *loop, void **ret_worker,
			 char *err, size_t errlen)
{
	const struct concur_job *j = real_job(instance);
	struct bridged_worker *w = bridged_worker_new();
	int rc = j->workload->worker_init(
		j->instance, worker_id,
		bridged_worker_loop(w, BRIDGE_FACE_V11, loop), &w->inner, err,
		errlen);

	if (rc != 0) {
		bridged_worker_free(w);
		w = NULL;
	}
	*ret_worker = w;
	return rc;
}

static void r_worker_fini(void *instance, void *worker)
{
	const struct concur_job *j = real_job(instance);

	/*
	 * A 0.1 strategy finishes its workers inside its run, before the
	 * bridge is freed: operations still in flight (a task that completed
	 * with one pending) must end before the worker's fds close.
	 */
	bridged_worker_end_io(worker);
	j->workload->worker_fini(j->instance, inner_worker(worker));
	bridged_worker_free(worker);
}

static int r_run_task(void *instance, void *worker, size_t task,
		      struct concur_task *rec, char *err, size_t errlen)
{
	const struct concur_job *j = real_job(instance);

	return j->workload->run_task(j->instance, inner_worker(worker), task,
				     rec, err, errlen);
}

static int r_start_task(void *instance, void *worker, size_t task,
			struct concur_task *rec, struct concur_v10_loop *loop,
			char *err, size_t errlen)
{
	const struct concur_job *j = real_job(instance);
	struct concur_loop *face;

	if (!worker || !loop) {
		errf(err, errlen,
		     "start_task without a worker or a loop: call worker_init with the loop first");
		return -EINVAL;
	}
	face = bridged_worker_loop(worker, BRIDGE_FACE_V11, loop);
	return j->workload->start_task(j->instance, inner_worker(worker), task,
				       rec, face, err, errlen);
}

static int r_check_task(void *instance, size_t task,
			const struct concur_task *rec, char *err, size_t errlen)
{
	const struct concur_job *j = real_job(instance);

	return j->workload->check_task(j->instance, task, rec, err, errlen);
}

static void r_task_error(const struct concur_v10_job *job, size_t task,
			 const char *msg)
{
	const struct concur_job *j = real_job(job->core);

	j->task_error(j, task, msg);
}

static void s_destroy(void *strategy)
{
	struct v10_strategy *s = strategy;

	if (s->ops->destroy)
		s->ops->destroy(s->inner);
	free(s);
}

static int s_run(void *strategy, const struct concur_job *job, char *err,
		 size_t errlen)
{
	struct v10_strategy *s = strategy;
	struct v10_run run = {
		.workload = {
			.create = created_by_the_core,
			.destroy = r_destroy_ignored,
			.task_count = r_task_count,
			.worker_init = r_worker_init,
			.worker_fini = r_worker_fini,
			.run_task = r_run_task,
			.start_task = job->workload->start_task ? r_start_task
								: NULL,
			.check_task = r_check_task,
		},
		.real = job,
	};

	run.job = (struct concur_v10_job){
		.workload = &run.workload,
		.instance = &run,
		.n_tasks = job->n_tasks,
		.tasks = job->tasks,
		.now_ns = job->now_ns,
		.task_error = r_task_error,
		.core = &run,
	};
	return s->ops->run(s->inner, &run.job, err, errlen);
}

static void adopt_strategy(struct plugin *p)
{
	p->strategy = (struct concur_strategy_ops){
		.size = sizeof(struct concur_strategy_ops),
		.create = created_by_the_core,
		.destroy = s_destroy,
		.run = p->v10->strategy->run ? s_run : NULL,
	};
	p->info.strategy = &p->strategy;
}

/* ------------------------------------------------------------------
 * Description, creation, needs
 * ------------------------------------------------------------------ */

/* Index of the parameter concur 0.1 looked at for "builtin", or -1. */
static int url_param(const struct concur_param *params)
{
	int i;

	for (i = 0; params && params[i].name && i < 256; i++)
		if (strcmp(params[i].name, "url") == 0)
			return i;
	return -1;
}

void abi_v10_adopt_description(struct plugin *p, const void *d)
{
	const struct concur_v10_plugin *v = d;

	p->v10 = v;
	p->info = (struct concur_plugin){
		.abi_version = v->abi_version,
		.size = sizeof(struct concur_plugin),
		.kind = v->kind,
		.name = v->name,
		.version = v->version,
		.description = v->description,
		.params = v->params,
		.needs = v->kind == CONCUR_KIND_WORKLOAD &&
					 url_param(v->params) >= 0
				 ? CONCUR_NEED_HTTP_SERVER
				 : 0,
	};
}

void abi_v10_adopt_ops(struct plugin *p)
{
	if (p->info.kind == CONCUR_KIND_STRATEGY)
		adopt_strategy(p);
	else
		adopt_workload(p);
}

int abi_v10_create(const struct plugin *p, const union concur_value *params,
		   void **ret, char *err, size_t errlen)
{
	void *inner = NULL;
	int rc;

	*ret = NULL;
	if (p->info.kind == CONCUR_KIND_STRATEGY) {
		const struct concur_v10_strategy_ops *ops = p->v10->strategy;
		struct v10_strategy *s;

		rc = ops->create ? ops->create(params, &inner, err, errlen) : 0;
		if (rc != 0)
			return rc;
		s = xcalloc(1, sizeof(*s));
		*s = (struct v10_strategy){ ops, inner };
		*ret = s;
	} else {
		const struct concur_v10_workload_ops *ops = p->v10->workload;
		struct v10_instance *wi;

		rc = ops->create(params, &inner, err, errlen);
		if (rc != 0)
			return rc;
		wi = xcalloc(1, sizeof(*wi));
		*wi = (struct v10_instance){ ops, inner };
		*ret = wi;
	}
	return 0;
}

/*
 * concur 0.1 started the server when a workload's `url` read "builtin"
 * (for a list: its first item); it set nothing else, so that is the whole
 * need of a v1.0 workload.
 */
uint64_t abi_v10_needs(const struct plugin *p, const union concur_value *params)
{
	int k = p->info.kind == CONCUR_KIND_WORKLOAD ? url_param(p->info.params)
						     : -1;
	const char *text;

	if (k < 0 || !params)
		return 0;
	switch (p->info.params[k].type) {
	case CONCUR_PARAM_STRING:
		text = params[k].s;
		break;
	case CONCUR_PARAM_LIST:
		text = params[k].list.count ? params[k].list.items[0] : NULL;
		break;
	default:
		text = NULL;
	}
	return text && strcmp(text, "builtin") == 0 ? CONCUR_NEED_HTTP_SERVER
						    : 0;
}
