/*
 * epoll - the event-loop strategy (the article's asyncio): one thread runs
 * an epoll loop and keeps many tasks in flight at once, each started with the
 * workload's start_task and finished by its loop->complete().
 *
 * threads = N runs N independent loops (the wrk / nginx model), each with its
 * own worker_init and claiming tasks one by one from a shared atomic counter,
 * so a loop that finishes early takes more.  max_inflight bounds the tasks
 * started but not completed, split across the loops; 0 = no bound.  The loop
 * itself is shared with io_uring (evloop/evloop.h); this file is what talks
 * to epoll: fd interest with epoll_ctl, timers through one timerfd armed at
 * the earliest deadline, and the portable read_at / write_at
 * (evloop/loop_io.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <concur/plugin.h>

#include "evloop/evloop.h"

#define EP_MAX_EVENTS 256

struct ep_state {
	int epfd, tfd;
	int64_t tfd_deadline; /* what tfd is armed for; 0 = disarmed */
};

static struct ep_state *ep_of(struct evloop *l)
{
	return l->be_state;
}

/*
 * Add or modify; an fd closed and reused behind our back (or closed after a
 * lazy unwatch) makes MOD fail with ENOENT (then ADD) and a stale entry
 * makes ADD fail with EEXIST (then MOD).  `armed` (evloop_fd) says the
 * kernel holds a registration for the fd.
 *
 * Unwatching is lazy: the kernel keeps the registration, since a kept-alive
 * connection is unwatched at the end of each download and watched again
 * when the next one starts on it (a MOD then, not a DEL and an ADD), and a
 * socket about to be closed leaves epoll by itself.  An event that still
 * comes for it drops the registration then (ep_wait).
 */
static int ep_watch(struct evloop *l, int fd, unsigned events)
{
	struct ep_state *s = ep_of(l);
	struct epoll_event ev = { .data.fd = fd };
	bool known = l->fds[fd].armed;
	int op, rc;

	if (!events)
		return 0;
	ev.events = (events & CONCUR_EV_READ ? EPOLLIN : 0) |
		    (events & CONCUR_EV_WRITE ? EPOLLOUT : 0);
	op = known ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
	rc = epoll_ctl(s->epfd, op, fd, &ev);
	if (rc < 0 && errno == (known ? ENOENT : EEXIST))
		rc = epoll_ctl(s->epfd, known ? EPOLL_CTL_ADD : EPOLL_CTL_MOD,
			       fd, &ev);
	l->fds[fd].armed = rc == 0; /* not known: ADD first next time */
	return rc < 0 ? -errno : 0;
}

/* Point the timerfd at `deadline`; returns the epoll_wait timeout. */
static int ep_timeout(struct ep_state *s, int64_t deadline)
{
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };

	if (deadline < 0)
		return 0;
	if (deadline == s->tfd_deadline)
		return -1;
	its.it_value.tv_sec = deadline / 1000000000LL;
	its.it_value.tv_nsec = deadline % 1000000000LL;
	if (timerfd_settime(s->tfd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
		return 1; /* cannot happen with a valid fd; poll each ms */
	s->tfd_deadline = deadline;
	return -1;
}

static int ep_wait(struct evloop *l, int64_t deadline)
{
	struct ep_state *s = ep_of(l);
	struct epoll_event evs[EP_MAX_EVENTS];
	int n = epoll_wait(s->epfd, evs, EP_MAX_EVENTS,
			   ep_timeout(s, deadline));

	if (n < 0)
		return -errno;
	for (int k = 0; k < n; k++) {
		uint32_t e = evs[k].events;
		unsigned rev = 0;
		uint64_t ticks;
		int fd = evs[k].data.fd;

		if (fd == s->tfd) {
			if (read(s->tfd, &ticks, sizeof(ticks)) < 0)
				ticks = 0; /* EAGAIN: already read */
			s->tfd_deadline = 0;
			continue;
		}
		/* Unwatched lazily: drop the registration (ENOENT / EBADF:
		 * the fd was closed, epoll already forgot it). */
		if ((size_t)fd < l->fds_cap && !l->fds[fd].events &&
		    l->fds[fd].armed) {
			epoll_ctl(s->epfd, EPOLL_CTL_DEL, fd, NULL);
			l->fds[fd].armed = false;
			continue;
		}
		rev |= e & EPOLLIN ? CONCUR_EV_READ : 0;
		rev |= e & EPOLLOUT ? CONCUR_EV_WRITE : 0;
		rev |= e & (EPOLLERR | EPOLLHUP) ? CONCUR_EV_ERROR : 0;
		evloop_fd_ready(l, fd, rev);
	}
	return 0;
}

static int ep_open(struct evloop *l, char *err, size_t errlen)
{
	struct ep_state *s = malloc(sizeof(*s));
	struct epoll_event ev = { .events = EPOLLIN };

	if (!s) {
		snprintf(err, errlen, "loop %u: out of memory", l->id);
		return -ENOMEM;
	}
	*s = (struct ep_state){
		.epfd = epoll_create1(EPOLL_CLOEXEC),
		.tfd = timerfd_create(CLOCK_MONOTONIC,
				      TFD_NONBLOCK | TFD_CLOEXEC),
	};
	l->be_state = s;
	ev.data.fd = s->tfd;
	if (s->epfd < 0 || s->tfd < 0 ||
	    epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->tfd, &ev) < 0) {
		snprintf(err, errlen,
			 "loop %u: cannot create epoll/timerfd: %s", l->id,
			 strerror(errno));
		return -errno;
	}
	return 0;
}

static void ep_close(struct evloop *l)
{
	struct ep_state *s = ep_of(l);

	if (!s)
		return;
	if (s->epfd >= 0)
		close(s->epfd);
	if (s->tfd >= 0)
		close(s->tfd);
	free(s);
}

static const struct evloop_backend ep_backend = {
	.wait_name = "epoll_wait",
	.open = ep_open,
	.close = ep_close,
	.watch = ep_watch,
	.wait = ep_wait,
};

static int epoll_run(void *strategy, const struct concur_job *job, char *err,
		     size_t errlen)
{
	return evloop_strategy_run(&ep_backend, strategy, job, err, errlen);
}

static const struct concur_param epoll_params_table[] = {
	EVLOOP_PARAMS,
	{ NULL },
};

static const struct concur_strategy_ops epoll_ops = {
	.size = CONCUR_STRATEGY_OPS_SIZE,
	.create = evloop_create,
	.destroy = evloop_destroy,
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
	.caps = CONCUR_CAP_OPEN_LOOP | CONCUR_CAP_EVENT_LOOP,
};
