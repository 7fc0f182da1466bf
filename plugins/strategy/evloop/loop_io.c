/*
 * loop_io.c - portable read_at / write_at over a loop's watch hook (see
 * loop_io.h).  Each operation's struct concur_io carries its own state:
 * priv[0] links it into the pool's queue or done list, priv[1] holds its
 * result.  Only the pool's lists and counters are shared with the threads,
 * under one mutex; everything else belongs to the loop's thread.
 */
#define _GNU_SOURCE
#include "loop_io.h"
#include "table.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

/* Blocking file operations at once, per loop (libuv's default is 4). */
#define LIO_THREADS 4

enum { LIO_READ = 1, LIO_WRITE = 2 };

/* The operations waiting for readiness on one fd that is not a file. */
struct lio_wait {
	struct concur_io *rd, *wr;
};

struct loop_io {
	struct concur_loop *loop;
	/* Shared with the threads, under mu. */
	pthread_mutex_t mu;
	pthread_cond_t work, idle;
	struct concur_io *q_head, *q_tail; /* queued, oldest first */
	struct concur_io *done;		   /* finished, newest first */
	size_t running;
	bool stop;
	/* The loop's thread only. */
	pthread_t threads[LIO_THREADS];
	size_t n_threads;
	int efd; /* -1 until the first file operation */
	bool efd_watched;
	size_t n_file, n_wait;
	struct lio_wait *waits; /* indexed by fd */
	size_t waits_cap;
};

static struct concur_io *io_next(const struct concur_io *io)
{
	return (struct concur_io *)(uintptr_t)io->priv[0];
}

static void io_set_next(struct concur_io *io, struct concur_io *next)
{
	io->priv[0] = (uint64_t)(uintptr_t)next;
}

/* One read or write, as the caller asked; a negative errno on failure. */
static int64_t io_perform(const struct concur_io *io)
{
	size_t len = io->len > SSIZE_MAX ? SSIZE_MAX : (size_t)io->len;
	ssize_t n;

	do {
		if (io->op == LIO_WRITE)
			n = io->offset < 0
				    ? write(io->fd, io->buf, len)
				    : pwrite(io->fd, io->buf, len, io->offset);
		else
			n = io->offset < 0
				    ? read(io->fd, io->buf, len)
				    : pread(io->fd, io->buf, len, io->offset);
	} while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

/* Call back the way the contract says: once, with what to call copied. */
static void io_finish(struct loop_io *lio, struct concur_io *io, int64_t res)
{
	concur_io_cb cb = io->cb;
	void *arg = io->arg;

	cb(lio->loop, io, res, arg);
}

/* ---- the pool, for regular files and block devices ---- */

static void *pool_main(void *arg)
{
	struct loop_io *lio = arg;
	uint64_t one = 1;

	pthread_mutex_lock(&lio->mu);
	for (;;) {
		struct concur_io *io;

		while (!lio->q_head && !lio->stop)
			pthread_cond_wait(&lio->work, &lio->mu);
		if (!lio->q_head)
			break;
		io = lio->q_head;
		lio->q_head = io_next(io);
		if (!lio->q_head)
			lio->q_tail = NULL;
		lio->running++;
		pthread_mutex_unlock(&lio->mu);
		io->priv[1] = (uint64_t)io_perform(io);
		pthread_mutex_lock(&lio->mu);
		io_set_next(io, lio->done);
		lio->done = io;
		if (--lio->running == 0)
			pthread_cond_broadcast(&lio->idle);
		/* Under the lock, so cancel_all never sees a late wake-up. */
		if (write(lio->efd, &one, sizeof(one)) < 0)
			one = 1; /* the counter is full: the loop wakes anyway */
	}
	pthread_mutex_unlock(&lio->mu);
	return NULL;
}

static void efd_watch(struct loop_io *lio, bool on);

/* The loop's thread: call back every finished file operation, in order. */
static void efd_ready(struct concur_loop *loop, int fd, unsigned revents,
		      void *arg)
{
	struct loop_io *lio = arg;
	struct concur_io *list, *rev = NULL, *io;
	uint64_t count;

	(void)loop;
	(void)revents;
	if (read(fd, &count, sizeof(count)) < 0)
		count = 0; /* EAGAIN: another wake-up took it */
	pthread_mutex_lock(&lio->mu);
	list = lio->done;
	lio->done = NULL;
	pthread_mutex_unlock(&lio->mu);
	for (; list; list = io) {
		io = io_next(list);
		io_set_next(list, rev);
		rev = list;
	}
	for (; rev; rev = io) {
		io = io_next(rev);
		lio->n_file--;
		io_finish(lio, rev, (int64_t)rev->priv[1]);
	}
	if (lio->n_file == 0)
		efd_watch(lio, false);
}

static void efd_watch(struct loop_io *lio, bool on)
{
	if (lio->efd < 0 || lio->efd_watched == on)
		return;
	if (lio->loop->watch(lio->loop, lio->efd, on ? CONCUR_EV_READ : 0,
			     efd_ready, lio) == 0)
		lio->efd_watched = on;
}

/* The eventfd and the threads, on the first file operation. */
static int pool_start(struct loop_io *lio)
{
	if (lio->efd < 0) {
		lio->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (lio->efd < 0)
			return -errno;
	}
	while (lio->n_threads < LIO_THREADS) {
		int rc = pthread_create(&lio->threads[lio->n_threads], NULL,
					pool_main, lio);

		if (rc)
			return lio->n_threads ? 0 : -rc;
		lio->n_threads++;
	}
	return 0;
}

static int file_submit(struct loop_io *lio, struct concur_io *io)
{
	int rc = pool_start(lio);

	if (rc)
		return rc;
	efd_watch(lio, true);
	if (!lio->efd_watched)
		return -ENOMEM;
	io_set_next(io, NULL);
	pthread_mutex_lock(&lio->mu);
	if (lio->q_tail)
		io_set_next(lio->q_tail, io);
	else
		lio->q_head = io;
	lio->q_tail = io;
	pthread_cond_signal(&lio->work);
	pthread_mutex_unlock(&lio->mu);
	lio->n_file++;
	return 0;
}

/* ---- readiness, for sockets, pipes and the rest ---- */

static void wait_ready(struct concur_loop *loop, int fd, unsigned revents,
		       void *arg);

static int wait_rewatch(struct loop_io *lio, int fd)
{
	const struct lio_wait *w = &lio->waits[fd];
	unsigned events =
		(w->rd ? CONCUR_EV_READ : 0) | (w->wr ? CONCUR_EV_WRITE : 0);

	return lio->loop->watch(lio->loop, fd, events, wait_ready, lio);
}

/* Try the operation in *slot; on an answer other than "not yet", end it. */
static void wait_try(struct loop_io *lio, int fd, struct concur_io **slot)
{
	struct concur_io *io = *slot;
	int64_t res;

	if (!io)
		return;
	res = io_perform(io);
	if (res == -EAGAIN || res == -EWOULDBLOCK)
		return;
	*slot = NULL;
	lio->n_wait--;
	wait_rewatch(lio, fd);
	io_finish(lio, io, res);
}

static void wait_ready(struct concur_loop *loop, int fd, unsigned revents,
		       void *arg)
{
	struct loop_io *lio = arg;

	(void)loop;
	/* An error or hang-up ends a waiting operation: it reads 0 or -errno. */
	if (revents & (CONCUR_EV_READ | CONCUR_EV_ERROR))
		wait_try(lio, fd, &lio->waits[fd].rd);
	if (revents & (CONCUR_EV_WRITE | CONCUR_EV_ERROR))
		wait_try(lio, fd, &lio->waits[fd].wr);
}

static int wait_submit(struct loop_io *lio, struct concur_io *io)
{
	struct concur_io **slot;
	int rc = table_reserve((void **)&lio->waits, &lio->waits_cap,
			       (size_t)io->fd, sizeof(*lio->waits));

	if (rc)
		return rc;
	slot = io->op == LIO_WRITE ? &lio->waits[io->fd].wr
				   : &lio->waits[io->fd].rd;
	if (*slot)
		return -EBUSY;
	*slot = io;
	rc = wait_rewatch(lio, io->fd);
	if (rc) {
		*slot = NULL;
		wait_rewatch(lio, io->fd);
		return rc;
	}
	lio->n_wait++;
	return 0;
}

/* ---- the interface ---- */

struct loop_io *loop_io_new(struct concur_loop *loop)
{
	struct loop_io *lio = calloc(1, sizeof(*lio));

	if (!lio)
		return NULL;
	lio->loop = loop;
	lio->efd = -1;
	pthread_mutex_init(&lio->mu, NULL);
	pthread_cond_init(&lio->work, NULL);
	pthread_cond_init(&lio->idle, NULL);
	return lio;
}

int loop_io_submit(struct loop_io *lio, struct concur_io *io, int fd, void *buf,
		   uint64_t len, int64_t offset, concur_io_cb cb, void *arg,
		   bool write)
{
	struct stat st;

	if (!io || !cb || (!buf && len))
		return -EINVAL;
	if (fd < 0 || fstat(fd, &st) != 0)
		return -EBADF;
	*io = (struct concur_io){ .fd = fd,
				  .op = write ? LIO_WRITE : LIO_READ,
				  .buf = buf,
				  .len = len,
				  .offset = offset < 0 ? -1 : offset,
				  .cb = cb,
				  .arg = arg };
	if (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))
		return file_submit(lio, io);
	return wait_submit(lio, io);
}

size_t loop_io_pending(const struct loop_io *lio)
{
	return lio ? lio->n_file + lio->n_wait : 0;
}

void loop_io_cancel_all(struct loop_io *lio)
{
	uint64_t count;

	if (!lio)
		return;
	for (size_t fd = 0; fd < lio->waits_cap && lio->n_wait; fd++) {
		struct lio_wait *w = &lio->waits[fd];

		if (!w->rd && !w->wr)
			continue;
		lio->n_wait -= (w->rd != NULL) + (w->wr != NULL);
		*w = (struct lio_wait){ NULL, NULL };
		wait_rewatch(lio, (int)fd);
	}
	pthread_mutex_lock(&lio->mu);
	lio->q_head = lio->q_tail = NULL;
	while (lio->running)
		pthread_cond_wait(&lio->idle, &lio->mu);
	lio->done = NULL;
	pthread_mutex_unlock(&lio->mu);
	if (lio->efd >= 0 && read(lio->efd, &count, sizeof(count)) < 0)
		count = 0; /* nothing was pending */
	lio->n_file = 0;
	efd_watch(lio, false);
}

void loop_io_free(struct loop_io *lio)
{
	if (!lio)
		return;
	loop_io_cancel_all(lio);
	pthread_mutex_lock(&lio->mu);
	lio->stop = true;
	pthread_cond_broadcast(&lio->work);
	pthread_mutex_unlock(&lio->mu);
	for (size_t i = 0; i < lio->n_threads; i++)
		pthread_join(lio->threads[i], NULL);
	if (lio->efd >= 0)
		close(lio->efd);
	pthread_cond_destroy(&lio->idle);
	pthread_cond_destroy(&lio->work);
	pthread_mutex_destroy(&lio->mu);
	free(lio->waits);
	free(lio);
}
