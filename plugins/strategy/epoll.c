/*
 * epoll - the event-loop strategy (the article's asyncio): one thread runs
 * an epoll loop and keeps many tasks in flight at once, each started with the
 * workload's start_task and finished by its loop->complete().
 *
 * threads = N runs N independent loops (the wrk / nginx model), each with its
 * own worker_init and claiming tasks one by one from a shared atomic counter,
 * so a loop that finishes early takes more.  max_inflight bounds the tasks
 * started but not completed, split across the loops; 0 = no bound.
 *
 * A workload without start_task still runs, but blocking: run_task is
 * called from inside the loop and nothing else happens until it returns.
 * That is the article's lesson about calling `requests` inside asyncio: an
 * event loop only helps when the work yields to it.
 *
 * Open loop (CONCUR_CAP_OPEN_LOOP, job->intended_start_ns): a loop claims the next task only when
 * it has a free in-flight slot, and holds it until its intended start,
 * with a release timer armed for that instant; a task that waits for a
 * slot is started as soon as one frees, late, and its latency shows it.
 *
 * Timers: a binary min-heap of the callers' struct concur_timer (their
 * `slot` field holds heap index + 1, 0 = not armed), with one timerfd armed
 * at the earliest deadline, so timers keep nanosecond precision.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <concur/plugin.h>

#define EP_MAX_EVENTS 256
/* File descriptors a loop uses besides its tasks' (epoll, timerfd, slack). */
#define EP_FDS_PER_LOOP 4
#define EP_FDS_SLACK 64

struct epoll_params {
	int64_t max_inflight;
	int64_t threads;
};

struct ep_fd {
	concur_fd_cb cb;
	void *arg;
	unsigned events; /* 0 = not watched */
	uint32_t armed;	 /* epoll events the kernel has for it, 0 = none */
};

struct ep_run {
	const struct concur_job *job;
	size_t next;   /* next task to claim; atomic */
	bool blocking; /* the workload has no start_task */
};

struct ep_loop {
	struct concur_loop pub; /* first: what the workload sees */
	struct ep_run *run;
	unsigned id;
	int epfd, tfd;
	int64_t tfd_deadline; /* what tfd is armed for; 0 = disarmed */
	struct ep_fd *fds;    /* indexed by fd */
	size_t fds_cap, n_watched;
	struct concur_timer **heap;
	size_t heap_len, heap_cap;
	bool in_timers;	    /* expired timers are running ...      */
	int64_t timer_pass; /* ... for deadlines up to this time */
	size_t inflight, limit;
	bool exhausted; /* no task left to claim */
	/* Open loop: a claimed task held until its intended start. */
	bool has_pending, waiting;
	size_t pending;
	struct concur_timer release;
	pthread_t thread;
	int rc;
	char err[CONCUR_ERRLEN];
};

static int64_t ep_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static struct ep_loop *ep_of(struct concur_loop *loop)
{
	return (struct ep_loop *)loop;
}

/* ---- file descriptors ---- */

static int fds_reserve(struct ep_loop *l, int fd)
{
	size_t cap = l->fds_cap ? l->fds_cap : 64;
	struct ep_fd *p;

	if ((size_t)fd < l->fds_cap)
		return 0;
	while (cap <= (size_t)fd)
		cap *= 2;
	p = realloc(l->fds, cap * sizeof(*p));
	if (!p)
		return -ENOMEM;
	memset(p + l->fds_cap, 0, (cap - l->fds_cap) * sizeof(*p));
	l->fds = p;
	l->fds_cap = cap;
	return 0;
}

/*
 * Stop watching, lazily: the kernel keeps the registration, since a
 * kept-alive connection is unwatched at the end of each download and
 * watched again when the next one starts on it (a MOD then, not a DEL and
 * an ADD), and a socket about to be closed leaves epoll by itself.  An
 * event that still comes for it drops the registration then (fd_forget).
 */
static void fd_unwatch(struct ep_loop *l, int fd)
{
	if ((size_t)fd >= l->fds_cap || !l->fds[fd].events)
		return;
	l->fds[fd].events = 0;
	l->n_watched--;
}

/* ENOENT / EBADF: the fd was closed, epoll already forgot it. */
static void fd_forget(struct ep_loop *l, int fd)
{
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	l->fds[fd].armed = 0;
}

/*
 * Add or modify; an fd closed and reused behind our back (or closed after a
 * lazy unwatch) makes MOD fail with ENOENT (then ADD) and a stale entry
 * makes ADD fail with EEXIST (then MOD).
 */
static int ep_watch(struct concur_loop *loop, int fd, unsigned events,
		    concur_fd_cb cb, void *arg)
{
	struct ep_loop *l = ep_of(loop);
	struct epoll_event ev = { .data.fd = fd };
	bool known;
	int op, rc;

	if (fd < 0)
		return -EBADF;
	events &= CONCUR_EV_READ | CONCUR_EV_WRITE;
	if (!events) {
		fd_unwatch(l, fd);
		return 0;
	}
	if (fds_reserve(l, fd))
		return -ENOMEM;
	ev.events = (events & CONCUR_EV_READ ? EPOLLIN : 0) |
		    (events & CONCUR_EV_WRITE ? EPOLLOUT : 0);
	known = l->fds[fd].armed != 0;
	op = known ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
	rc = epoll_ctl(l->epfd, op, fd, &ev);
	if (rc < 0 && errno == (known ? ENOENT : EEXIST))
		rc = epoll_ctl(l->epfd, known ? EPOLL_CTL_ADD : EPOLL_CTL_MOD,
			       fd, &ev);
	if (rc < 0) {
		l->fds[fd].armed = 0; /* not known: ADD first next time */
		return -errno;
	}
	if (!l->fds[fd].events)
		l->n_watched++;
	l->fds[fd] = (struct ep_fd){
		.cb = cb, .arg = arg, .events = events, .armed = ev.events
	};
	return 0;
}

/* ---- timers: a min-heap by deadline; slot = index + 1 ---- */

static void heap_set(struct ep_loop *l, size_t i, struct concur_timer *t)
{
	l->heap[i] = t;
	t->slot = i + 1;
}

static void heap_up(struct ep_loop *l, size_t i)
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

static void heap_down(struct ep_loop *l, size_t i)
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

static void heap_remove(struct ep_loop *l, size_t i)
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

static void ep_timer_cancel(struct concur_loop *loop, struct concur_timer *t)
{
	struct ep_loop *l = ep_of(loop);

	if (t->slot == 0 || t->slot > l->heap_len || l->heap[t->slot - 1] != t)
		return;
	heap_remove(l, t->slot - 1);
}

static int ep_timer_arm(struct concur_loop *loop, struct concur_timer *t,
			int64_t delay_ns, concur_timer_cb cb, void *arg)
{
	struct ep_loop *l = ep_of(loop);
	int64_t deadline = ep_clock_ns() + (delay_ns > 0 ? delay_ns : 0);

	/* Armed by a timer callback: wait for the next pass, never this one. */
	if (l->in_timers && deadline <= l->timer_pass)
		deadline = l->timer_pass + 1;
	ep_timer_cancel(loop, t);
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
static void timers_run(struct ep_loop *l)
{
	if (l->heap_len == 0)
		return;
	l->timer_pass = ep_clock_ns();
	l->in_timers = true;
	while (l->heap_len > 0 && l->heap[0]->deadline_ns <= l->timer_pass) {
		struct concur_timer *t = l->heap[0];

		heap_remove(l, 0);
		t->cb(&l->pub, t->arg);
	}
	l->in_timers = false;
}

/* Point the timerfd at the earliest deadline; returns the epoll timeout. */
static int timers_timeout(struct ep_loop *l)
{
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };
	int64_t next = l->heap_len ? l->heap[0]->deadline_ns : 0;

	if (next && next <= ep_clock_ns())
		return 0;
	if (next == l->tfd_deadline)
		return -1;
	its.it_value.tv_sec = next / 1000000000LL;
	its.it_value.tv_nsec = next % 1000000000LL;
	if (timerfd_settime(l->tfd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
		return 1; /* cannot happen with a valid fd; poll each ms */
	l->tfd_deadline = next;
	return -1;
}

/* ---- tasks ---- */

static void task_failed(struct ep_loop *l, size_t task, int status,
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

static void ep_complete(struct concur_loop *loop, size_t task, int status,
			const char *error)
{
	struct ep_loop *l = ep_of(loop);
	struct concur_task *rec = &l->run->job->tasks[task];

	rec->end_ns = l->run->job->now_ns();
	if (status != 0)
		task_failed(l, task, status, error);
	rec->flags |= CONCUR_TASK_DONE;
	if (l->inflight > 0)
		l->inflight--;
}

/* Hold the next unclaimed task in l->pending; false when none is left. */
static bool task_claim(struct ep_loop *l)
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
 * for that instant (on the run's clock, CLOCK_MONOTONIC like the timerfd).
 */
static bool task_due(struct ep_loop *l)
{
	const struct concur_job *job = l->run->job;
	int64_t now, due;

	if (!CONCUR_HAS(job, intended_start_ns) || !job->intended_start_ns)
		return true;
	due = job->intended_start_ns[l->pending];
	now = job->now_ns();
	if (now >= due)
		return true;
	if (ep_timer_arm(&l->pub, &l->release, due - now, release_due, NULL))
		return true; /* no memory for the heap: start now, not never */
	l->waiting = true;
	return false;
}

/* Start (or, blocking, run) the held task. */
static void task_start(struct ep_loop *l, void *worker)
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
static void tasks_refill(struct ep_loop *l, void *worker)
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

static void events_dispatch(struct ep_loop *l, const struct epoll_event *evs,
			    int n)
{
	for (int k = 0; k < n; k++) {
		int fd = evs[k].data.fd;
		uint32_t e = evs[k].events;
		unsigned rev = 0;
		uint64_t ticks;
		struct ep_fd *slot;

		if (fd == l->tfd) {
			if (read(l->tfd, &ticks, sizeof(ticks)) < 0)
				ticks = 0; /* EAGAIN: already read */
			l->tfd_deadline = 0;
			continue;
		}
		if ((size_t)fd >= l->fds_cap)
			continue;
		/* Unwatched, lazily or by an earlier callback of this batch. */
		if (!l->fds[fd].events) {
			if (l->fds[fd].armed)
				fd_forget(l, fd);
			continue;
		}
		slot = &l->fds[fd];
		rev |= e & EPOLLIN ? CONCUR_EV_READ : 0;
		rev |= e & EPOLLOUT ? CONCUR_EV_WRITE : 0;
		rev |= e & (EPOLLERR | EPOLLHUP) ? CONCUR_EV_ERROR : 0;
		slot->cb(&l->pub, fd, rev, slot->arg);
	}
}

/* Wait for and handle one batch of events; returns 0 or a negative errno. */
static int loop_wait(struct ep_loop *l)
{
	struct epoll_event evs[EP_MAX_EVENTS];
	bool more = !l->exhausted && l->inflight < l->limit && !l->waiting;
	int timeout = timers_timeout(l);
	int n;

	if (more) {
		/* Only blocking tasks remain to start: just peek. */
		if (l->n_watched == 0 && l->heap_len == 0)
			return 0;
		timeout = 0;
	}
	n = epoll_wait(l->epfd, evs, EP_MAX_EVENTS, timeout);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	events_dispatch(l, evs, n);
	timers_run(l);
	return 0;
}

static int loop_drive(struct ep_loop *l, void *worker)
{
	for (;;) {
		int rc;

		tasks_refill(l, worker);
		if (l->exhausted && l->inflight == 0)
			return 0;
		if (l->inflight > 0 && l->n_watched == 0 && l->heap_len == 0) {
			snprintf(l->err, sizeof(l->err),
				 "loop %u: the workload left %zu task(s) in "
				 "flight with no fd watched and no timer armed",
				 l->id, l->inflight);
			return -EDEADLK;
		}
		rc = loop_wait(l);
		if (rc) {
			snprintf(l->err, sizeof(l->err),
				 "loop %u: epoll_wait: %s", l->id,
				 strerror(-rc));
			return rc;
		}
	}
}

static void *loop_main(void *arg)
{
	struct ep_loop *l = arg;
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
	job->workload->worker_fini(job->instance, worker);
	return NULL;
}

static int loop_open(struct ep_loop *l, struct ep_run *run, unsigned id,
		     size_t limit, char *err, size_t errlen)
{
	struct epoll_event ev = { .events = EPOLLIN };

	*l = (struct ep_loop){
		.pub = { .size = CONCUR_LOOP_SIZE,
			 .watch = ep_watch,
			 .timer_arm = ep_timer_arm,
			 .timer_cancel = ep_timer_cancel,
			 .complete = ep_complete,
			 .now_ns = run->job->now_ns },
		.run = run,
		.id = id,
		.limit = limit,
		.epfd = epoll_create1(EPOLL_CLOEXEC),
		.tfd = timerfd_create(CLOCK_MONOTONIC,
				      TFD_NONBLOCK | TFD_CLOEXEC),
	};
	ev.data.fd = l->tfd;
	if (l->epfd < 0 || l->tfd < 0 ||
	    epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->tfd, &ev) < 0) {
		snprintf(err, errlen,
			 "loop %u: cannot create epoll/timerfd: %s", id,
			 strerror(errno));
		return -errno;
	}
	return 0;
}

static void loop_close(struct ep_loop *l)
{
	if (l->epfd >= 0)
		close(l->epfd);
	if (l->tfd >= 0)
		close(l->tfd);
	free(l->fds);
	free(l->heap);
}

/* ---- the strategy ---- */

static int epoll_create_hook(const union concur_value *params,
			     void **ret_strategy, char *err, size_t errlen)
{
	struct epoll_params *p = malloc(sizeof(*p));

	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	p->max_inflight = params[0].i;
	p->threads = params[1].i;
	*ret_strategy = p;
	return 0;
}

static void epoll_destroy_hook(void *strategy)
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
	rlim_t need = (rlim_t)inflight + loops * EP_FDS_PER_LOOP + EP_FDS_SLACK;
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
static size_t loops_count(const struct epoll_params *p, size_t n_tasks)
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
static void loops_run(struct ep_loop *loops, size_t n)
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
static int loops_result(struct ep_loop *loops, size_t n, char *err,
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

static int epoll_run(void *strategy, const struct concur_job *job, char *err,
		     size_t errlen)
{
	const struct epoll_params *p = strategy;
	struct ep_run run = { .job = job,
			      .blocking = !job->workload->start_task };
	size_t n = loops_count(p, job->n_tasks), opened = 0;
	size_t inflight =
		p->max_inflight > 0 ? (size_t)p->max_inflight : job->n_tasks;
	struct ep_loop *loops = calloc(n, sizeof(*loops));
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

static const struct concur_param epoll_params_table[] = {
	{ "max_inflight", CONCUR_PARAM_INT, "0", "0", NULL,
	  "most tasks started but not completed at once, split across the "
	  "threads; 0 = every task at once" },
	{ "threads", CONCUR_PARAM_INT, "1", "1", "256",
	  "independent event loops, each on its own thread, claiming tasks "
	  "from a shared counter" },
	{ NULL },
};

static const struct concur_strategy_ops epoll_ops = {
	.size = CONCUR_STRATEGY_OPS_SIZE,
	.create = epoll_create_hook,
	.destroy = epoll_destroy_hook,
	.run = epoll_run,
};

CONCUR_PLUGIN_EXPORT const struct concur_plugin concur_plugin_v1 = {
	CONCUR_PLUGIN_INIT(CONCUR_KIND_STRATEGY),
	.name = "epoll",
	.version = "1.0",
	.description = "event loop on epoll: many tasks in flight per thread "
		       "(needs start_task, else runs tasks blocking)",
	.params = epoll_params_table,
	.strategy = &epoll_ops,
	.caps = CONCUR_CAP_OPEN_LOOP,
};
