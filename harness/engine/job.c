#include "job.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "util.h"

size_t job_mapping_size(size_t max_tasks)
{
	/* the records, then one record's worth of guard */
	return sizeof(struct job_shared) +
	       (max_tasks + 1) * sizeof(struct concur_task);
}

static unsigned char *tail_guard(const struct job_shared *p, size_t max_tasks)
{
	return (unsigned char *)&p->tasks[max_tasks];
}

struct job_shared *job_alloc(size_t max_tasks)
{
	struct job_shared *p =
		mmap(NULL, job_mapping_size(max_tasks), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	p->magic = JOB_MAGIC;
	p->capacity = max_tasks;
	memset(p->guard, JOB_GUARD_BYTE, sizeof(p->guard));
	memset(tail_guard(p, max_tasks), JOB_GUARD_BYTE,
	       sizeof(struct concur_task));
	return p;
}

void job_unmap(struct job_shared *shared, size_t max_tasks)
{
	if (shared)
		munmap(shared, job_mapping_size(max_tasks));
}

void job_release(struct job_shared *shared)
{
	if (shared)
		job_unmap(shared, shared->capacity);
}

static bool guard_intact(const unsigned char *g)
{
	size_t i;

	for (i = 0; i < sizeof(struct concur_task); i++)
		if (g[i] != JOB_GUARD_BYTE)
			return false;
	return true;
}

/* A finished task whose duration overflows cannot have happened. */
static int check_times(const struct job_shared *shared, uint64_t n, char *why,
		       size_t whylen)
{
	uint64_t i;
	int64_t d;

	for (i = 0; i < n; i++) {
		const struct concur_task *t = &shared->tasks[i];

		if ((t->flags & CONCUR_TASK_DONE) &&
		    __builtin_sub_overflow(t->end_ns, t->start_ns, &d)) {
			errf(why, whylen,
			     "stamped task %llu with impossible times (start %lld ns, end %lld ns)",
			     (unsigned long long)i, (long long)t->start_ns,
			     (long long)t->end_ns);
			return -EPROTO;
		}
	}
	return 0;
}

int job_read_back(const struct job_shared *shared, size_t max_tasks,
		  struct job_outcome *ret, char *why, size_t whylen)
{
	/* one read of each field: the copy is what gets checked and used */
	uint64_t magic = shared->magic, capacity = shared->capacity;

	*ret = (struct job_outcome){
		.wall_ns = shared->wall_ns,
		.run_status = shared->run_status,
		.n_tasks = shared->n_tasks,
		.n_failed = shared->n_failed,
		.origin_ns = shared->origin_ns,
		.user_ns = shared->user_ns,
		.sys_ns = shared->sys_ns,
		.max_rss_kib = shared->max_rss_kib,
		.nvcsw = shared->nvcsw,
		.nivcsw = shared->nivcsw,
	};
	memcpy(ret->error_text, shared->error_text, sizeof(ret->error_text));
	ret->error_text[sizeof(ret->error_text) - 1] = '\0';
	text_sanitize(ret->error_text);
	if (magic != JOB_MAGIC || capacity != max_tasks ||
	    ret->n_tasks > max_tasks || ret->n_failed > ret->n_tasks ||
	    ret->wall_ns < 0) {
		errf(why, whylen,
		     "corrupted concur's run header (claims %llu tasks, %llu failed, room for %llu; %zu were mapped)",
		     (unsigned long long)ret->n_tasks,
		     (unsigned long long)ret->n_failed,
		     (unsigned long long)capacity, max_tasks);
		return -EPROTO;
	}
	if (!guard_intact(shared->guard)) {
		errf(why, whylen, "wrote below its task records");
		return -EPROTO;
	}
	if (!guard_intact(tail_guard(shared, max_tasks))) {
		errf(why, whylen, "wrote past its task records");
		return -EPROTO;
	}
	return check_times(shared, ret->n_tasks, why, whylen);
}

/*
 * Keep the first failure's text.  Called from any thread or forked worker:
 * the claim is an atomic flag in the shared mapping, so exactly one writer
 * ever copies into error_text.
 */
static void record_task_error(const struct concur_job *job, size_t task,
			      const char *msg)
{
	struct job_shared *shared = job->core;
	uint32_t expected = 0;

	if (!__atomic_compare_exchange_n(&shared->error_claimed, &expected, 1,
					 false, __ATOMIC_ACQ_REL,
					 __ATOMIC_RELAXED))
		return;
	shared->error_task = task;
	snprintf(shared->error_text, sizeof(shared->error_text), "task %zu: %s",
		 task, msg && *msg ? msg : "failed");
}

static void set_run_error(struct job_shared *shared, int rc, const char *what,
			  const char *name, const char *msg)
{
	shared->run_status = rc ? rc : -EIO;
	snprintf(shared->error_text, sizeof(shared->error_text), "%s %s: %s",
		 what, name, *msg ? msg : strerror(-shared->run_status));
	__atomic_store_n(&shared->error_claimed, 1, __ATOMIC_RELEASE);
}

/*
 * After the run, outside the timed region: a task the strategy never marked
 * done is a strategy bug and counts as failed; check_task verifies the rest.
 */
static void job_summarise(const struct plugin *workload, void *instance,
			  const struct concur_job *job,
			  struct job_shared *shared)
{
	char err[CONCUR_ERRLEN];
	uint64_t failed = 0;
	size_t i;

	for (i = 0; i < job->n_tasks; i++) {
		struct concur_task *t = &job->tasks[i];

		if (!(t->flags & CONCUR_TASK_DONE)) {
			t->status = -ECANCELED;
			record_task_error(job, i, "never run by the strategy");
		} else if (t->status == 0) {
			err[0] = '\0';
			int rc = workload->workload.check_task(
				instance, i, t, err, sizeof(err));
			if (rc != 0) {
				t->status = rc < 0 ? rc : -EBADMSG;
				record_task_error(job, i, err);
			}
		}
		failed += t->status != 0;
	}
	shared->n_failed = failed;
}

static int64_t tv_ns(struct timeval tv)
{
	return (int64_t)tv.tv_sec * 1000000000 + (int64_t)tv.tv_usec * 1000;
}

/* Add (sign = +1) or subtract (-1) the CPU and context-switch figures. */
static void usage_add(struct job_shared *shared, const struct rusage *ru,
		      int sign)
{
	shared->user_ns += sign * tv_ns(ru->ru_utime);
	shared->sys_ns += sign * tv_ns(ru->ru_stime);
	shared->nvcsw += sign * ru->ru_nvcsw;
	shared->nivcsw += sign * ru->ru_nivcsw;
	if (ru->ru_maxrss > shared->max_rss_kib)
		shared->max_rss_kib = ru->ru_maxrss;
}

static void usage_sample(struct job_shared *shared, int sign)
{
	struct rusage self, children;

	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &children);
	usage_add(shared, &self, sign);
	usage_add(shared, &children, sign);
}

int64_t job_task_count(const struct plugin *workload,
		       const union concur_value *wvals,
		       const struct plugin_extras *extras, char *err,
		       size_t errlen)
{
	char msg[CONCUR_ERRLEN] = "";
	void *instance = NULL;
	int64_t n;
	int rc = plugin_create_workload(workload, wvals, extras, &instance, msg,
					sizeof(msg));

	if (rc != 0) {
		errf(err, errlen, "workload %s: %s", workload->name,
		     *msg ? msg : strerror(rc < 0 ? -rc : EIO));
		return -1;
	}
	n = (int64_t)workload->workload.task_count(instance);
	workload->workload.destroy(instance);
	return n;
}

/*
 * The open-loop schedule as offsets from the run's start, or NULL for a
 * closed-loop run.  Computed before the timed region; the timer slack of
 * this thread (inherited by the strategy's threads and processes) drops
 * from the default 50 us to 1 ns, so sleeps end when they were asked to.
 */
static int64_t *schedule_prepare(const struct job_shared *shared, size_t n)
{
	int64_t *starts;

	if (shared->load.rate <= 0)
		return NULL;
	starts = xcalloc(n ? n : 1, sizeof(*starts));
	schedule_fill(&shared->load, starts, n);
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	return starts;
}

/*
 * Map the run's n task records into this process before the clock starts.
 * The mapping is fresh for every run, so otherwise the first stamp on each
 * page takes a page fault inside the timed region: harness cost, not the
 * workload's (about a third of a null task's time where faults are dear).
 * Processes a strategy forks still map the (now present) pages on first
 * touch; that is the fork pool's own cost.
 */
static void prefault_records(struct job_shared *shared, size_t n)
{
	volatile unsigned char *p = (volatile unsigned char *)shared->tasks;
	size_t len = n * sizeof(shared->tasks[0]), i;
	long page = sysconf(_SC_PAGESIZE);

	if (len == 0)
		return;
#ifdef MADV_POPULATE_WRITE
	if (madvise((void *)((uintptr_t)p & ~(uintptr_t)(page - 1)),
		    len + ((uintptr_t)p & (uintptr_t)(page - 1)),
		    MADV_POPULATE_WRITE) == 0)
		return;
#endif
	/* older kernels: touch each page, keeping what is there */
	for (i = 0; i < len; i += (size_t)page)
		p[i] = p[i];
	p[len - 1] = p[len - 1];
}

/*
 * The workload's prepare: prepare_face, told which face the strategy's
 * workers use (by its CONCUR_CAP_EVENT_LOOP / CONCUR_CAP_BLOCKING), where
 * the workload has it; prepare otherwise.
 */
static int prepare_workload(const struct plugin *strategy,
			    const struct plugin *workload, void *instance,
			    char *msg, size_t len)
{
	const struct concur_workload_ops *o = &workload->workload;
	uint64_t caps = strategy->desc->caps;
	int face = caps & CONCUR_CAP_EVENT_LOOP ? CONCUR_FACE_LOOP
		   : caps & CONCUR_CAP_BLOCKING ? CONCUR_FACE_BLOCKING
						: CONCUR_FACE_UNSAID;

	if (o->prepare_face)
		return o->prepare_face(instance, face, msg, len);
	/* NULL: a table built by hand, not by the loader */
	return o->prepare ? o->prepare(instance, msg, len) : 0;
}

int job_run(const struct plugin *strategy, const union concur_value *svals,
	    const struct plugin *workload, const union concur_value *wvals,
	    const struct plugin_extras *extras, struct job_shared *shared,
	    size_t max_tasks, int64_t (*now_ns)(void))
{
	char msg[CONCUR_ERRLEN] = "";
	void *instance = NULL, *strat = NULL;
	struct concur_job job;
	int64_t t0, *starts = NULL;
	size_t n, i;
	int rc;

	rc = plugin_create_workload(workload, wvals, extras, &instance, msg,
				    sizeof(msg));
	if (rc != 0) {
		set_run_error(shared, rc, kind_name(CONCUR_KIND_WORKLOAD),
			      workload->name, msg);
		return shared->run_status;
	}
	rc = prepare_workload(strategy, workload, instance, msg, sizeof(msg));
	if (rc != 0) {
		set_run_error(shared, rc, kind_name(CONCUR_KIND_WORKLOAD),
			      workload->name, msg);
		goto out_workload;
	}
	n = workload->workload.task_count(instance);
	if (n > max_tasks) {
		snprintf(
			msg, sizeof(msg),
			"has %zu tasks, more than the %zu it had when the run was planned",
			n, max_tasks);
		set_run_error(shared, -E2BIG, kind_name(CONCUR_KIND_WORKLOAD),
			      workload->name, msg);
		goto out_workload;
	}
	shared->n_tasks = n;
	if (shared->load.rate > 0 &&
	    !(strategy->desc->caps & CONCUR_CAP_OPEN_LOOP)) {
		/* matrix_build refuses this; a direct caller may not have */
		snprintf(msg, sizeof(msg),
			 "does not declare CONCUR_CAP_OPEN_LOOP: it cannot run "
			 "an open-loop cell (rate = %lld)",
			 (long long)shared->load.rate);
		set_run_error(shared, -ENOTSUP, kind_name(CONCUR_KIND_STRATEGY),
			      strategy->name, msg);
		goto out_workload;
	}
	rc = plugin_create_strategy(strategy, svals, &strat, msg, sizeof(msg));
	if (rc != 0) {
		set_run_error(shared, rc, kind_name(CONCUR_KIND_STRATEGY),
			      strategy->name, msg);
		goto out_workload;
	}
	job = (struct concur_job){
		.size = sizeof(job),
		.workload = &workload->workload,
		.instance = instance,
		.n_tasks = n,
		.tasks = shared->tasks,
		.now_ns = now_ns,
		.task_error = record_task_error,
		.core = shared,
	};
	starts = schedule_prepare(shared, n);
	prefault_records(shared, n);
	usage_sample(shared, -1);
	t0 = now_ns();
	if (starts) {
		for (i = 0; i < n; i++)
			starts[i] += t0;
		shared->origin_ns = t0;
		job.intended_start_ns = starts;
	}
	rc = strategy->strategy.run(strat, &job, msg, sizeof(msg));
	shared->wall_ns = now_ns() - t0;
	usage_sample(shared, +1);
	if (rc != 0)
		set_run_error(shared, rc, kind_name(CONCUR_KIND_STRATEGY),
			      strategy->name, msg);
	else
		job_summarise(workload, instance, &job, shared);
	strategy->strategy.destroy(strat);
	free(starts);
out_workload:
	workload->workload.destroy(instance);
	return shared->run_status;
}
