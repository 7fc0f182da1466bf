/*
 * evloop.c - the event-loop strategy's machinery shared by its backends
 * (evloop.h).  Timers: a binary min-heap of the callers' struct
 * concur_timer (their `slot` field holds heap index + 1, 0 = not armed);
 * the backend waits until the earliest deadline, so timers keep nanosecond
 * precision.
 */
#define _GNU_SOURCE
#include "evloop.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "loop_io.h"
#include "table.h"

/* File descriptors a loop uses besides its tasks' (kernel objects, slack). */
#define EV_FDS_PER_LOOP 4
#define EV_FDS_SLACK 64

struct evloop_params {
	int64_t max_inflight;
	int64_t threads;
};

int64_t evloop_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static struct evloop *ev_of(struct concur_loop *loop)
{
	return (struct evloop *)loop;
}

/* ---- file descriptors ---- */

void evloop_fd_forget(struct evloop *l, int fd)
{
	if (fd < 0 || (size_t)fd >= l->fds_cap || !l->fds[fd].events)
		return;
	l->fds[fd].events = 0;
	l->n_watched--;
}

static int ev_watch(struct concur_loop *loop, int fd, unsigned events,
		    concur_fd_cb cb, void *arg)
{
	struct evloop *l = ev_of(loop);
	int rc;

	if (fd < 0)
		return -EBADF;
	events &= CONCUR_EV_READ | CONCUR_EV_WRITE;
	if (!events && ((size_t)fd >= l->fds_cap || !l->fds[fd].events))
		return 0;
	if (table_reserve((void **)&l->fds, &l->fds_cap, (size_t)fd,
			  sizeof(*l->fds)))
		return -ENOMEM;
	rc = l->run->be->watch(l, fd, events);
	if (rc < 0)
		return rc;
	if (!events) {
		evloop_fd_forget(l, fd);
		return 0;
	}
	if (!l->fds[fd].events)
		l->n_watched++;
	l->fds[fd].cb = cb;
	l->fds[fd].arg = arg;
	l->fds[fd].events = events;
	return 0;
}

void evloop_fd_ready(struct evloop *l, int fd, unsigned revents)
{
	struct evloop_fd *slot;

	/* Unwatched by an earlier callback of this batch: stale. */
	if (fd < 0 || (size_t)fd >= l->fds_cap || !l->fds[fd].events ||
	    l->draining)
		return;
	slot = &l->fds[fd];
	slot->cb(&l->pub, fd, revents, slot->arg);
}

/* ---- asynchronous operations ---- */

static int ev_submit(struct concur_loop *loop, struct concur_io *io, int fd,
		     void *buf, uint64_t len, int64_t offset, concur_io_cb cb,
		     void *arg, bool write)
{
	struct evloop *l = ev_of(loop);
	const struct evloop_backend *be = l->run->be;

	if (be->submit) {
		if (!io || !cb || (!buf && len))
			return -EINVAL;
		*io = (struct concur_io){ .fd = fd,
					  .buf = buf,
					  .len = len,
					  .offset = offset < 0 ? -1 : offset,
					  .cb = cb,
					  .arg = arg };
		return be->submit(l, io, write);
	}
	if (!l->lio && !(l->lio = loop_io_new(&l->pub)))
		return -ENOMEM;
	return loop_io_submit(l->lio, io, fd, buf, len, offset, cb, arg, write);
}

static int ev_read_at(struct concur_loop *loop, struct concur_io *io, int fd,
		      void *buf, uint64_t len, int64_t offset, concur_io_cb cb,
		      void *arg)
{
	return ev_submit(loop, io, fd, buf, len, offset, cb, arg, false);
}

static int ev_write_at(struct concur_loop *loop, struct concur_io *io, int fd,
		       const void *buf, uint64_t len, int64_t offset,
		       concur_io_cb cb, void *arg)
{
	return ev_submit(loop, io, fd, (void *)buf, len, offset, cb, arg, true);
}

/* Operations submitted whose callback has not run. */
static size_t ops_pending(const struct evloop *l)
{
	const struct evloop_backend *be = l->run->be;

	return loop_io_pending(l->lio) + (be->pending ? be->pending(l) : 0);
}

/* Every task ended: operations still in flight end without callbacks. */
static void ops_drain(struct evloop *l)
{
	const struct evloop_backend *be = l->run->be;

	l->draining = true;
	loop_io_cancel_all(l->lio);
	if (be->cancel_all)
		be->cancel_all(l);
}

/* ---- timers: a min-heap by deadline; slot = index + 1 ---- */

static void heap_set(struct evloop *l, size_t i, struct concur_timer *t)
{
	l->heap[i] = t;
	t->slot = i + 1;
}

static void heap_up(struct evloop *l, size_t i)
{
	struct concur_timer *t = l->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (l->heap[parent]->deadline_ns <= t->deadline_ns)
			break;
		heap_set(l, i, l->heap[parent]);
		i = parent;
	}
	heap_set(l, i, t);
}

static void heap_down(struct evloop *l, size_t i)
{
	struct concur_timer *t = l->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= l->heap_len)
			break;
		if (c + 1 < l->heap_len &&
		    l->heap[c + 1]->deadline_ns < l->heap[c]->deadline_ns)
			c++;
		if (t->deadline_ns <= l->heap[c]->deadline_ns)
			break;
		heap_set(l, i, l->heap[c]);
		i = c;
	}
	heap_set(l, i, t);
}

static void heap_remove(struct evloop *l, size_t i)
{
	struct concur_timer *t = l->heap[i];

	t->slot = 0;
	l->heap_len--;
	if (i == l->heap_len)
		return;
	t = l->heap[l->heap_len];
	heap_set(l, i, t);
	heap_down(l, i);
	heap_up(l, t->slot - 1);
}

static void ev_timer_cancel(struct concur_loop *loop, struct concur_timer *t)
{
	struct evloop *l = ev_of(loop);

	if (t->slot == 0 || t->slot > l->heap_len || l->heap[t->slot - 1] != t)
		return;
	heap_remove(l, t->slot - 1);
}

static int ev_timer_arm(struct concur_loop *loop, struct concur_timer *t,
			int64_t delay_ns, concur_timer_cb cb, void *arg)
{
	struct evloop *l = ev_of(loop);
	int64_t deadline = evloop_clock_ns() + (delay_ns > 0 ? delay_ns : 0);

	/* Armed by a timer callback: wait for the next pass, never this one. */
	if (l->in_timers && deadline <= l->timer_pass)
		deadline = l->timer_pass + 1;
	ev_timer_cancel(loop, t);
	if (l->heap_len == l->heap_cap) {
		size_t cap = l->heap_cap ? 2 * l->heap_cap : 64;
		void *p = realloc(l->heap, cap * sizeof(*l->heap));

		if (!p)
			return -ENOMEM;
		l->heap = p;
		l->heap_cap = cap;
	}
	t->deadline_ns = deadline;
	t->cb = cb;
	t->arg = arg;
	l->heap[l->heap_len++] = t;
	heap_up(l, l->heap_len - 1);
	return 0;
}

/* Run every timer due now; those they arm wait for the next pass. */
static void timers_run(struct evloop *l)
{
	if (l->heap_len == 0)
		return;
	l->timer_pass = evloop_clock_ns();
	l->in_timers = true;
	while (l->heap_len > 0 && l->heap[0]->deadline_ns <= l->timer_pass) {
		struct concur_timer *t = l->heap[0];

		heap_remove(l, 0);
		t->cb(&l->pub, t->arg);
	}
	l->in_timers = false;
}

/* ---- tasks ---- */

/*
 * A task failed: keep the workload's own status if it set one, otherwise
 * record the return code, and report the reason (msg may be NULL).
 */
static void task_failed(struct evloop *l, size_t task, int status,
			const char *msg)
{
	const struct concur_job *job = l->run->job;
	struct concur_task *rec = &job->tasks[task];
	char text[CONCUR_ERRLEN];

	if (rec->status == 0)
		rec->status = status < 0 ? status : -EIO;
	if (!msg || !*msg) {
		snprintf(text, sizeof(text), "failed with code %d (no message)",
			 status);
		msg = text;
	}
	job->task_error(job, task, msg);
}

static void ev_complete(struct concur_loop *loop, size_t task, int status,
			const char *error)
{
	struct evloop *l = ev_of(loop);
	struct concur_task *rec = &l->run->job->tasks[task];

	rec->end_ns = l->run->job->now_ns();
	if (status != 0)
		task_failed(l, task, status, error);
	rec->flags |= CONCUR_TASK_DONE;
	if (l->inflight > 0)
		l->inflight--;
}

/* Hold the next unclaimed task in l->pending; false when none is left. */
static bool task_claim(struct evloop *l)
{
	size_t i;

	if (l->has_pending)
		return true;
	i = __atomic_fetch_add(&l->run->next, 1, __ATOMIC_RELAXED);
	if (i >= l->run->job->n_tasks) {
		l->exhausted = true;
		return false;
	}
	l->pending = i;
	l->has_pending = true;
	return true;
}

/* The release timer only wakes the loop; tasks_refill does the rest. */
static void release_due(struct concur_loop *loop, void *arg)
{
	(void)loop;
	(void)arg;
}

/*
 * May the held task start now?  Always in a closed-loop run; in an open
 * loop, once its intended start has come, else the release timer is armed
 * for that instant (on the run's clock, CLOCK_MONOTONIC like the timer heap).
 */
static bool task_due(struct evloop *l)
{
	const struct concur_job *job = l->run->job;
	int64_t now, due;

	if (!CONCUR_HAS(job, intended_start_ns) || !job->intended_start_ns)
		return true;
	due = job->intended_start_ns[l->pending];
	now = job->now_ns();
	if (now >= due)
		return true;
	if (ev_timer_arm(&l->pub, &l->release, due - now, release_due, NULL))
		return true; /* no memory for the heap: start now, not never */
	l->waiting = true;
	return false;
}

/* Start (or, blocking, run) the held task. */
static void task_start(struct evloop *l, void *worker)
{
	const struct concur_job *job = l->run->job;
	const struct concur_workload_ops *w = job->workload;
	size_t i = l->pending;
	struct concur_task *rec;
	char msg[CONCUR_ERRLEN] = "";
	int rc;

	l->has_pending = false;
	rec = &job->tasks[i];
	rec->start_ns = job->now_ns();
	if (l->run->blocking) {
		rc = w->run_task(job->instance, worker, i, rec, msg,
				 sizeof(msg));
	} else {
		l->inflight++;
		rc = w->start_task(job->instance, worker, i, rec, &l->pub, msg,
				   sizeof(msg));
		if (rc == 0)
			return;
		l->inflight--;
	}
	rec->end_ns = job->now_ns();
	if (rc != 0)
		task_failed(l, i, rc, msg);
	rec->flags |= CONCUR_TASK_DONE;
}

/*
 * Top up to the in-flight limit.  Iterative, so a start_task that completes
 * at once never recurses.  A blocking task runs one per loop pass, so fds
 * and timers the workload registered still get served between tasks.
 */
static void tasks_refill(struct evloop *l, void *worker)
{
	l->waiting = false;
	while (!l->exhausted && l->inflight < l->limit) {
		if (!task_claim(l) || !task_due(l))
			break;
		task_start(l, worker);
		if (l->run->blocking)
			break;
	}
}

/* ---- the loop ---- */

/* Wait for and handle one batch of events; returns 0 or a negative errno. */
static int loop_wait(struct evloop *l)
{
	bool more = !l->exhausted && l->inflight < l->limit && !l->waiting;
	int64_t deadline = l->heap_len ? l->heap[0]->deadline_ns : 0;
	int rc;

	if (deadline && deadline <= evloop_clock_ns())
		deadline = -1;
	if (more) {
		/* Only blocking tasks remain to start: just peek. */
		if (l->n_watched == 0 && l->heap_len == 0 &&
		    ops_pending(l) == 0)
			return 0;
		deadline = -1;
	}
	rc = l->run->be->wait(l, deadline);
	if (rc < 0)
		return rc == -EINTR ? 0 : rc;
	timers_run(l);
	return 0;
}

static int loop_drive(struct evloop *l, void *worker)
{
	for (;;) {
		int rc;

		tasks_refill(l, worker);
		if (l->exhausted && l->inflight == 0)
			return 0;
		if (l->inflight > 0 && l->n_watched == 0 && l->heap_len == 0 &&
		    ops_pending(l) == 0) {
			snprintf(
				l->err, sizeof(l->err),
				"loop %u: the workload left %zu task(s) in "
				"flight with no fd watched, no timer armed and "
				"no operation submitted",
				l->id, l->inflight);
			return -EDEADLK;
		}
		rc = loop_wait(l);
		if (rc) {
			snprintf(l->err, sizeof(l->err), "loop %u: %s: %s",
				 l->id, l->run->be->wait_name, strerror(-rc));
			return rc;
		}
	}
}

static void *loop_main(void *arg)
{
	struct evloop *l = arg;
	const struct concur_job *job = l->run->job;
	char msg[CONCUR_ERRLEN] = "";
	void *worker = NULL;
	int rc;

	rc = job->workload->worker_init(job->instance, l->id, &l->pub, &worker,
					msg, sizeof(msg));
	if (rc != 0) {
		snprintf(l->err, sizeof(l->err),
			 "loop %u: worker init failed: %.200s", l->id,
			 *msg ? msg : strerror(rc < 0 ? -rc : EIO));
		l->rc = rc < 0 ? rc : -EIO;
		return NULL;
	}
	l->rc = loop_drive(l, worker);
	ops_drain(l);
	job->workload->worker_fini(job->instance, worker);
	return NULL;
}

static int loop_open(struct evloop *l, struct evloop_run *run, unsigned id,
		     size_t limit, char *err, size_t errlen)
{
	*l = (struct evloop){
		.pub = { .size = CONCUR_LOOP_SIZE,
			 .watch = ev_watch,
			 .timer_arm = ev_timer_arm,
			 .timer_cancel = ev_timer_cancel,
			 .complete = ev_complete,
			 .now_ns = run->job->now_ns,
			 .read_at = ev_read_at,
			 .write_at = ev_write_at },
		.run = run,
		.id = id,
		.limit = limit,
	};
	return run->be->open(l, err, errlen);
}

static void loop_close(struct evloop *l)
{
	loop_io_free(l->lio);
	l->run->be->close(l);
	free(l->fds);
	free(l->heap);
}

/* ---- the strategy ---- */

int evloop_create(const union concur_value *params, void **ret_strategy,
		  char *err, size_t errlen)
{
	struct evloop_params *p = malloc(sizeof(*p));

	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	p->max_inflight = params[0].i;
	p->threads = params[1].i;
	*ret_strategy = p;
	return 0;
}

void evloop_destroy(void *strategy)
{
	free(strategy);
}

/*
 * File descriptors.  A task in flight usually holds one (a socket), so a run
 * with `inflight` tasks at once probably needs that many plus a few per
 * loop; when the soft RLIMIT_NOFILE (often 1,024) is below that estimate,
 * it is raised to the hard limit (headroom costs nothing; we never select()).
 *
 * The estimate never refuses a run, even above the hard limit: it is only a
 * guess (the null workload needs no fd at all, a workload may also open
 * several per task or reuse one across tasks), and refusing on a guess
 * turned away runs that would have worked.  A workload that really runs
 * short fails the tasks that found no fd, and says which limit to raise
 * (http_download: "cannot open a socket: Too many open files (file
 * descriptor limit N, hard limit M) ...").  Only a failing setrlimit, which
 * cannot happen when raising the soft limit within the hard one, is an error.
 */
static int nofile_ensure(size_t inflight, size_t loops, char *err,
			 size_t errlen)
{
	rlim_t need = (rlim_t)inflight + loops * EV_FDS_PER_LOOP + EV_FDS_SLACK;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= need)
		return 0;
	if (rl.rlim_cur == rl.rlim_max)
		return 0;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ? need : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
		snprintf(err, errlen, "cannot raise RLIMIT_NOFILE to %llu: %s",
			 (unsigned long long)rl.rlim_cur, strerror(errno));
		return -errno;
	}
	return 0;
}

/* Loop count: never more loops than tasks or than in-flight slots. */
static size_t loops_count(const struct evloop_params *p, size_t n_tasks)
{
	size_t n = (size_t)p->threads;

	if (p->max_inflight > 0 && n > (size_t)p->max_inflight)
		n = (size_t)p->max_inflight;
	if (n > n_tasks)
		n = n_tasks;
	return n ? n : 1;
}

/*
 * Loop i's share of the tasks in flight (`total`: max_inflight, or every
 * task when it is 0), at least 1.  Splitting "every task" too matters: a
 * loop that starts first would otherwise claim every task and leave the
 * other threads idle.  A loop that runs dry still claims more as its own
 * tasks complete.
 */
static size_t loop_limit(size_t total, size_t i, size_t n)
{
	size_t share = total / n + (i < total % n ? 1 : 0);

	return share ? share : 1;
}

/* Start loops 1..n-1 on threads, run loop 0 here, join. */
static void loops_run(struct evloop *loops, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		int rc = pthread_create(&loops[i].thread, NULL, loop_main,
					&loops[i]);

		if (rc) {
			snprintf(loops[i].err, sizeof(loops[i].err),
				 "loop %zu: cannot create thread: %s", i,
				 strerror(rc));
			loops[i].rc = -rc;
			loops[i].thread = pthread_self();
		}
	}
	loop_main(&loops[0]);
	for (size_t i = 1; i < n; i++) {
		if (!pthread_equal(loops[i].thread, pthread_self()))
			pthread_join(loops[i].thread, NULL);
	}
}

/* The first loop error, if any, becomes the run's error. */
static int loops_result(struct evloop *loops, size_t n, char *err,
			size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		if (loops[i].rc) {
			snprintf(err, errlen, "%s", loops[i].err);
			return loops[i].rc;
		}
	}
	return 0;
}

int evloop_strategy_run(const struct evloop_backend *be, void *strategy,
			const struct concur_job *job, char *err, size_t errlen)
{
	const struct evloop_params *p = strategy;
	struct evloop_run run = { .job = job,
				  .be = be,
				  .blocking = !job->workload->start_task };
	size_t n = loops_count(p, job->n_tasks), opened = 0;
	size_t inflight =
		p->max_inflight > 0 ? (size_t)p->max_inflight : job->n_tasks;
	struct evloop *loops = calloc(n, sizeof(*loops));
	int rc = 0;

	if (!loops) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (inflight > job->n_tasks)
		inflight = job->n_tasks;
	if (!run.blocking)
		rc = nofile_ensure(inflight, n, err, errlen);
	for (; rc == 0 && opened < n; opened++)
		rc = loop_open(&loops[opened], &run, (unsigned)opened,
			       loop_limit(inflight, opened, n), err, errlen);
	if (rc == 0) {
		loops_run(loops, n);
		rc = loops_result(loops, n, err, errlen);
	}
	for (size_t i = 0; i < opened; i++)
		loop_close(&loops[i]);
	free(loops);
	return rc;
}
