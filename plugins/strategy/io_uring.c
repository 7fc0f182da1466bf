/*
 * io_uring - the event-loop strategy on io_uring (liburing): the same loop
 * as epoll (evloop/evloop.h: threads, max_inflight, open loop), with every
 * request to the kernel made through a submission ring.  fd watches are
 * one-shot IORING_OP_POLL_ADD requests, re-armed after each callback while
 * the fd stays watched, which gives watch its level-triggered meaning (a
 * poll on an fd that is still ready completes at once); a change of
 * interest removes the old request and adds a new one, so a closed and
 * reused fd is never polled through its old file.  Timers wait in the
 * shared heap and bound each wait for completions.  read_at / write_at are
 * native IORING_OP_READ / IORING_OP_WRITE requests.
 *
 * Where io_uring is unavailable (a kernel without it, kernel.io_uring_disabled,
 * a seccomp filter), the plugin still loads and a run fails, saying why
 * and what to do.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <liburing.h>

#include <concur/plugin.h>

#include "evloop/evloop.h"

#define UR_ENTRIES 256
/* Completions handled per wait, so one wait never runs unbounded. */
#define UR_BATCH 4096

/* user_data: 0 = ignore; an operation: its address | 1; a poll: see below. */
#define UR_TAG_IO 1u
#define UR_TAG_POLL 2u
#define UR_GEN_MASK 0x3fffffffu

struct ur_state {
	struct io_uring ring;
	bool ready;
	size_t n_io; /* operations submitted, not completed */
};

static struct ur_state *ur_of(struct evloop *l)
{
	return l->be_state;
}

static uint64_t ur_poll_data(int fd, uint32_t gen)
{
	return (uint64_t)(gen & UR_GEN_MASK) << 34 |
	       (uint64_t)(uint32_t)fd << 2 | UR_TAG_POLL;
}

/* A free submission slot, flushing the queue to the kernel when full. */
static struct io_uring_sqe *ur_sqe(struct ur_state *s)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&s->ring);

	if (!sqe && io_uring_submit(&s->ring) >= 0)
		sqe = io_uring_get_sqe(&s->ring);
	return sqe;
}

static int ur_arm(struct evloop *l, int fd, unsigned events)
{
	struct evloop_fd *f = &l->fds[fd];
	struct io_uring_sqe *sqe = ur_sqe(ur_of(l));
	unsigned mask = (events & CONCUR_EV_READ ? POLLIN : 0) |
			(events & CONCUR_EV_WRITE ? POLLOUT : 0);

	if (!sqe)
		return -EAGAIN;
	io_uring_prep_poll_add(sqe, fd, mask);
	io_uring_sqe_set_data64(sqe, ur_poll_data(fd, f->gen));
	f->armed = true;
	return 0;
}

static int ur_watch(struct evloop *l, int fd, unsigned events)
{
	struct evloop_fd *f = &l->fds[fd];

	if (f->armed) {
		struct io_uring_sqe *sqe = ur_sqe(ur_of(l));

		if (!sqe)
			return -EAGAIN;
		io_uring_prep_poll_remove(sqe, ur_poll_data(fd, f->gen));
		io_uring_sqe_set_data64(sqe, 0);
		f->armed = false;
	}
	f->gen++; /* whatever the old request still reports is stale */
	return events ? ur_arm(l, fd, events) : 0;
}

static void ur_poll_done(struct evloop *l, uint64_t data, int res)
{
	int fd = (int)(uint32_t)(data >> 2);
	uint32_t gen = (uint32_t)(data >> 34);
	unsigned rev = 0;
	struct evloop_fd *f;

	if ((size_t)fd >= l->fds_cap || (l->fds[fd].gen & UR_GEN_MASK) != gen)
		return;
	l->fds[fd].armed = false;
	if (res < 0) {
		/* The fd was closed before the poll reached it: forget it. */
		evloop_fd_forget(l, fd);
		return;
	}
	rev |= res & POLLIN ? CONCUR_EV_READ : 0;
	rev |= res & POLLOUT ? CONCUR_EV_WRITE : 0;
	rev |= res & (POLLERR | POLLHUP) ? CONCUR_EV_ERROR : 0;
	evloop_fd_ready(l, fd, rev);
	f = &l->fds[fd]; /* the callback may have grown the table */
	if (f->events && !f->armed && (f->gen & UR_GEN_MASK) == gen &&
	    ur_arm(l, fd, f->events) < 0)
		evloop_fd_forget(l, fd);
}

static void ur_io_done(struct evloop *l, struct concur_io *io, int res)
{
	concur_io_cb cb = io->cb;
	void *arg = io->arg;

	ur_of(l)->n_io--;
	if (!l->draining)
		cb(&l->pub, io, res, arg);
}

/* Handle the completions that are there, at most UR_BATCH. */
static void ur_reap(struct evloop *l)
{
	struct ur_state *s = ur_of(l);
	struct io_uring_cqe *cqe;

	for (int k = 0; k < UR_BATCH && io_uring_peek_cqe(&s->ring, &cqe) == 0;
	     k++) {
		uint64_t data = io_uring_cqe_get_data64(cqe);
		int res = cqe->res;

		io_uring_cqe_seen(&s->ring, cqe);
		if ((data & 3) == UR_TAG_IO)
			ur_io_done(
				l,
				(struct concur_io *)(uintptr_t)(data & ~3ull),
				res);
		else if ((data & 3) == UR_TAG_POLL)
			ur_poll_done(l, data, res);
	}
}

/*
 * Submit what is queued and wait for one completion, up to `deadline`.  Not
 * blocking is a wait of zero, which still enters the kernel: with
 * COOP_TASKRUN, completions only become visible there.
 */
static int ur_wait(struct evloop *l, int64_t deadline)
{
	struct ur_state *s = ur_of(l);
	struct __kernel_timespec ts = { 0, 0 }, *tsp = &ts;
	struct io_uring_cqe *cqe;
	int rc;

	if (deadline == 0) {
		tsp = NULL;
	} else if (deadline > 0) {
		int64_t rel = deadline - evloop_clock_ns();

		rel = rel > 0 ? rel : 0;
		ts.tv_sec = rel / 1000000000LL;
		ts.tv_nsec = rel % 1000000000LL;
	}
	rc = io_uring_submit_and_wait_timeout(&s->ring, &cqe, 1, tsp, NULL);
	if (rc < 0 && rc != -ETIME && rc != -EINTR && rc != -EBUSY &&
	    rc != -EAGAIN)
		return rc;
	ur_reap(l);
	return 0;
}

static int ur_submit(struct evloop *l, struct concur_io *io, bool write)
{
	struct ur_state *s = ur_of(l);
	struct io_uring_sqe *sqe = ur_sqe(s);
	unsigned len = io->len > INT_MAX ? INT_MAX : (unsigned)io->len;
	uint64_t off = io->offset < 0 ? (uint64_t)-1 : (uint64_t)io->offset;

	if (io->fd < 0)
		return -EBADF;
	if (!sqe)
		return -EAGAIN;
	io->op = write ? 2 : 1;
	if (write)
		io_uring_prep_write(sqe, io->fd, io->buf, len, off);
	else
		io_uring_prep_read(sqe, io->fd, io->buf, len, off);
	io_uring_sqe_set_data64(sqe, (uint64_t)(uintptr_t)io | UR_TAG_IO);
	s->n_io++;
	return 0;
}

static size_t ur_pending(const struct evloop *l)
{
	return ((const struct ur_state *)l->be_state)->n_io;
}

/* Cancel what the kernel can cancel and wait for the rest. */
static void ur_cancel_all(struct evloop *l)
{
	struct ur_state *s = ur_of(l);
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;

	if (s->n_io == 0)
		return;
	sqe = ur_sqe(s);
	if (sqe) {
		io_uring_prep_cancel64(sqe, 0, IORING_ASYNC_CANCEL_ANY);
		io_uring_sqe_set_data64(sqe, 0);
	}
	while (s->n_io > 0) {
		int rc = io_uring_submit_and_wait(&s->ring, 1);

		if (rc < 0 && rc != -EINTR && rc != -EBUSY && rc != -EAGAIN &&
		    io_uring_peek_cqe(&s->ring, &cqe) != 0)
			break;
		ur_reap(l);
	}
}

/* The sysctl that turns io_uring off (Linux 6.6+), or -1 if unknown. */
static int ur_disabled_sysctl(void)
{
	FILE *f = fopen("/proc/sys/kernel/io_uring_disabled", "re");
	int v = -1;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* Why io_uring_setup failed, and what to do, for the run's error. */
static const char *ur_hint(int rc)
{
	if (rc == -ENOSYS)
		return "this kernel has no io_uring (Linux 5.6 or newer has)";
	if (rc == -ENOMEM)
		return "raise the locked-memory limit (ulimit -l)";
	if (rc != -EPERM && rc != -EACCES)
		return "the kernel refused the ring";
	switch (ur_disabled_sysctl()) {
	case 2:
		return "kernel.io_uring_disabled = 2 turns it off: "
		       "sysctl kernel.io_uring_disabled=0 allows it";
	case 1:
		return "kernel.io_uring_disabled = 1 allows it only to root "
		       "and the group in kernel.io_uring_group";
	default:
		return "a seccomp filter denies io_uring_setup (a "
		       "container's default profile does): allow it there";
	}
}

static int ur_open(struct evloop *l, char *err, size_t errlen)
{
	struct ur_state *s = calloc(1, sizeof(*s));
	struct io_uring_params p = { .flags = IORING_SETUP_COOP_TASKRUN };
	int rc;

	if (!s) {
		snprintf(err, errlen, "loop %u: out of memory", l->id);
		return -ENOMEM;
	}
	l->be_state = s;
	rc = io_uring_queue_init_params(UR_ENTRIES, &s->ring, &p);
	if (rc == -EINVAL) { /* a kernel before 5.19: no COOP_TASKRUN */
		p = (struct io_uring_params){ 0 };
		rc = io_uring_queue_init_params(UR_ENTRIES, &s->ring, &p);
	}
	if (rc < 0) {
		snprintf(err, errlen,
			 "io_uring is unavailable: io_uring_setup: %s: %s; "
			 "or run this cell on strategy epoll",
			 strerror(-rc), ur_hint(rc));
		return rc;
	}
	s->ready = true;
	return 0;
}

static void ur_close(struct evloop *l)
{
	struct ur_state *s = ur_of(l);

	if (!s)
		return;
	if (s->ready)
		io_uring_queue_exit(&s->ring);
	free(s);
}

static const struct evloop_backend ur_backend = {
	.wait_name = "io_uring_enter",
	.open = ur_open,
	.close = ur_close,
	.watch = ur_watch,
	.wait = ur_wait,
	.submit = ur_submit,
	.pending = ur_pending,
	.cancel_all = ur_cancel_all,
};

static int io_uring_run(void *strategy, const struct concur_job *job, char *err,
			size_t errlen)
{
	return evloop_strategy_run(&ur_backend, strategy, job, err, errlen);
}

static const struct concur_param io_uring_params_table[] = {
	EVLOOP_PARAMS,
	{ NULL },
};

static const struct concur_strategy_ops io_uring_ops = {
	.size = CONCUR_STRATEGY_OPS_SIZE,
	.create = evloop_create,
	.destroy = evloop_destroy,
	.run = io_uring_run,
};

CONCUR_PLUGIN_EXPORT const struct concur_plugin concur_plugin_v1 = {
	CONCUR_PLUGIN_INIT(CONCUR_KIND_STRATEGY),
	.name = "io_uring",
	.version = "1.0",
	.description = "event loop on io_uring: fd polls, timers and "
		       "read_at/write_at as ring requests (needs start_task, "
		       "else runs tasks blocking); where the kernel refuses "
		       "io_uring (kernel.io_uring_disabled, seccomp, before "
		       "Linux 5.6) its cells fail, saying why",
	.params = io_uring_params_table,
	.strategy = &io_uring_ops,
	.caps = CONCUR_CAP_OPEN_LOOP | CONCUR_CAP_EVENT_LOOP,
};
