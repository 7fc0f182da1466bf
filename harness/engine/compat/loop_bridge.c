#include "loop_bridge.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "abi_v10.h"
#include "loop_io.h"
#include "util.h"

/*
 * The user's callbacks are kept as void (*)(void) and cast back to their
 * real type (concur_fd_cb or concur_v10_fd_cb, by the bridge's face) before
 * the call, which C allows.
 */
typedef void (*any_fn)(void);

struct fd_slot {
	any_fn cb; /* NULL: not watched through this bridge */
	void *arg;
};

/* One timer the user armed: what to call when the target fires it. */
struct timer_slot {
	const struct concur_timer *timer;
	any_fn cb;
	void *arg;
	struct loop_bridge *bridge;
	struct timer_slot *next; /* hash chain */
};

struct loop_bridge {
	/* First, so a face hook finds its bridge from the loop pointer. */
	union {
		struct concur_v10_loop v10;
		struct concur_loop v11;
	} face;
	enum bridge_face kind;
	void *target; /* the loop of the other layout */
	struct fd_slot *fds;
	size_t cap_fds;
	struct timer_slot **buckets; /* n_buckets: a power of two */
	size_t n_buckets, n_timers;
	struct loop_io *lio; /* the v1.1 face's read_at / write_at */
	struct loop_bridge *next;
};

/* ------------------------------------------------------------------
 * Delivery: the target calls these, they call the user with the face
 * ------------------------------------------------------------------ */

static void deliver_fd(struct loop_bridge *b, int fd, unsigned revents)
{
	struct fd_slot s;

	if (fd < 0 || (size_t)fd >= b->cap_fds || !b->fds[fd].cb)
		return; /* unwatched meanwhile: a stale event */
	s = b->fds[fd];
	if (b->kind == BRIDGE_FACE_V10)
		((concur_v10_fd_cb)s.cb)(&b->face.v10, fd, revents, s.arg);
	else
		((concur_fd_cb)s.cb)(&b->face.v11, fd, revents, s.arg);
}

static void deliver_timer(struct timer_slot *s)
{
	struct loop_bridge *b = s->bridge;

	if (b->kind == BRIDGE_FACE_V10)
		((concur_v10_timer_cb)s->cb)(&b->face.v10, s->arg);
	else
		((concur_timer_cb)s->cb)(&b->face.v11, s->arg);
}

static void fd_from_v11(struct concur_loop *loop, int fd, unsigned revents,
			void *arg)
{
	(void)loop;
	deliver_fd(arg, fd, revents);
}

static void fd_from_v10(struct concur_v10_loop *loop, int fd, unsigned revents,
			void *arg)
{
	(void)loop;
	deliver_fd(arg, fd, revents);
}

static void timer_from_v11(struct concur_loop *loop, void *arg)
{
	(void)loop;
	deliver_timer(arg);
}

static void timer_from_v10(struct concur_v10_loop *loop, void *arg)
{
	(void)loop;
	deliver_timer(arg);
}

/* ------------------------------------------------------------------
 * Forwarding: the user's calls, passed to the target in its layout
 * ------------------------------------------------------------------ */

static int target_watch(struct loop_bridge *b, int fd, unsigned events)
{
	if (b->kind == BRIDGE_FACE_V10) {
		struct concur_loop *t = b->target;

		return t->watch(t, fd, events, fd_from_v11, b);
	} else {
		struct concur_v10_loop *t = b->target;

		return t->watch(t, fd, events, fd_from_v10, b);
	}
}

static int target_timer_arm(struct loop_bridge *b, struct concur_timer *timer,
			    int64_t delay_ns, struct timer_slot *s)
{
	if (b->kind == BRIDGE_FACE_V10) {
		struct concur_loop *t = b->target;

		return t->timer_arm(t, timer, delay_ns, timer_from_v11, s);
	} else {
		struct concur_v10_loop *t = b->target;

		return t->timer_arm(t, timer, delay_ns, timer_from_v10, s);
	}
}

static void target_timer_cancel(struct loop_bridge *b,
				struct concur_timer *timer)
{
	if (b->kind == BRIDGE_FACE_V10) {
		struct concur_loop *t = b->target;

		t->timer_cancel(t, timer);
	} else {
		struct concur_v10_loop *t = b->target;

		t->timer_cancel(t, timer);
	}
}

static void target_complete(struct loop_bridge *b, size_t task, int status,
			    const char *error)
{
	if (b->kind == BRIDGE_FACE_V10) {
		struct concur_loop *t = b->target;

		t->complete(t, task, status, error);
	} else {
		struct concur_v10_loop *t = b->target;

		t->complete(t, task, status, error);
	}
}

static int bridge_watch(struct loop_bridge *b, int fd, unsigned events,
			any_fn cb, void *arg)
{
	int rc;

	if (fd < 0)
		return -EBADF;
	if (events) {
		if ((size_t)fd >= b->cap_fds) {
			size_t old = b->cap_fds;

			xgrow((void **)&b->fds, &b->cap_fds, (size_t)fd + 1,
			      sizeof(*b->fds));
			for (; old < b->cap_fds; old++)
				b->fds[old] = (struct fd_slot){ 0 };
		}
		b->fds[fd] = (struct fd_slot){ cb, arg };
	}
	rc = target_watch(b, fd, events);
	if ((!events || rc < 0) && (size_t)fd < b->cap_fds)
		b->fds[fd] = (struct fd_slot){ 0 };
	return rc;
}

static size_t timer_hash(const struct loop_bridge *b,
			 const struct concur_timer *t)
{
	uint64_t h = (uint64_t)(uintptr_t)t * UINT64_C(0x9e3779b97f4a7c15);

	return (size_t)(h >> 32) & (b->n_buckets - 1);
}

static void timers_rehash(struct loop_bridge *b, size_t n_buckets)
{
	struct timer_slot **old = b->buckets;
	size_t n_old = b->n_buckets, i;

	b->buckets = xcalloc(n_buckets, sizeof(*b->buckets));
	b->n_buckets = n_buckets;
	for (i = 0; i < n_old; i++) {
		struct timer_slot *s = old[i], *next;

		for (; s; s = next) {
			size_t h = timer_hash(b, s->timer);

			next = s->next;
			s->next = b->buckets[h];
			b->buckets[h] = s;
		}
	}
	free(old);
}

/* The slot of `timer`, made on its first arming. */
static struct timer_slot *timer_slot(struct loop_bridge *b,
				     const struct concur_timer *timer)
{
	struct timer_slot *s;
	size_t h;

	if (!b->n_buckets || b->n_timers >= 2 * b->n_buckets)
		timers_rehash(b, b->n_buckets ? 2 * b->n_buckets : 16);
	h = timer_hash(b, timer);
	for (s = b->buckets[h]; s; s = s->next)
		if (s->timer == timer)
			return s;
	s = xcalloc(1, sizeof(*s));
	s->timer = timer;
	s->bridge = b;
	s->next = b->buckets[h];
	b->buckets[h] = s;
	b->n_timers++;
	return s;
}

static int bridge_timer_arm(struct loop_bridge *b, struct concur_timer *timer,
			    int64_t delay_ns, any_fn cb, void *arg)
{
	struct timer_slot *s;

	if (!timer || !cb)
		return -EINVAL;
	s = timer_slot(b, timer);
	s->cb = cb;
	s->arg = arg;
	return target_timer_arm(b, timer, delay_ns, s);
}

/* ------------------------------------------------------------------
 * The two faces
 * ------------------------------------------------------------------ */

static struct loop_bridge *of_v10(struct concur_v10_loop *loop)
{
	return (struct loop_bridge *)(void *)loop;
}

static struct loop_bridge *of_v11(struct concur_loop *loop)
{
	return (struct loop_bridge *)(void *)loop;
}

static int v10_watch(struct concur_v10_loop *loop, int fd, unsigned events,
		     concur_v10_fd_cb cb, void *arg)
{
	return bridge_watch(of_v10(loop), fd, events, (any_fn)cb, arg);
}

static int v10_timer_arm(struct concur_v10_loop *loop,
			 struct concur_timer *timer, int64_t delay_ns,
			 concur_v10_timer_cb cb, void *arg)
{
	return bridge_timer_arm(of_v10(loop), timer, delay_ns, (any_fn)cb, arg);
}

static void v10_timer_cancel(struct concur_v10_loop *loop,
			     struct concur_timer *timer)
{
	target_timer_cancel(of_v10(loop), timer);
}

static void v10_complete(struct concur_v10_loop *loop, size_t task, int status,
			 const char *error)
{
	target_complete(of_v10(loop), task, status, error);
}

static int v11_watch(struct concur_loop *loop, int fd, unsigned events,
		     concur_fd_cb cb, void *arg)
{
	return bridge_watch(of_v11(loop), fd, events, (any_fn)cb, arg);
}

static int v11_timer_arm(struct concur_loop *loop, struct concur_timer *timer,
			 int64_t delay_ns, concur_timer_cb cb, void *arg)
{
	return bridge_timer_arm(of_v11(loop), timer, delay_ns, (any_fn)cb, arg);
}

static void v11_timer_cancel(struct concur_loop *loop,
			     struct concur_timer *timer)
{
	target_timer_cancel(of_v11(loop), timer);
}

static void v11_complete(struct concur_loop *loop, size_t task, int status,
			 const char *error)
{
	target_complete(of_v11(loop), task, status, error);
}

/*
 * A 0.1 loop has no asynchronous operations: the v1.1 face gets the
 * portable ones, built on its own watch hook.
 */
static int v11_submit(struct concur_loop *loop, struct concur_io *io, int fd,
		      void *buf, uint64_t len, int64_t offset, concur_io_cb cb,
		      void *arg, bool write)
{
	struct loop_bridge *b = of_v11(loop);

	if (!b->lio)
		b->lio = loop_io_new(loop);
	if (!b->lio)
		return -ENOMEM;
	return loop_io_submit(b->lio, io, fd, buf, len, offset, cb, arg, write);
}

static int v11_read_at(struct concur_loop *loop, struct concur_io *io, int fd,
		       void *buf, uint64_t len, int64_t offset, concur_io_cb cb,
		       void *arg)
{
	return v11_submit(loop, io, fd, buf, len, offset, cb, arg, false);
}

static int v11_write_at(struct concur_loop *loop, struct concur_io *io, int fd,
			const void *buf, uint64_t len, int64_t offset,
			concur_io_cb cb, void *arg)
{
	return v11_submit(loop, io, fd, (void *)buf, len, offset, cb, arg,
			  true);
}

static struct loop_bridge *bridge_new(enum bridge_face face, void *target)
{
	struct loop_bridge *b = xcalloc(1, sizeof(*b));

	b->kind = face;
	b->target = target;
	if (face == BRIDGE_FACE_V10)
		b->face.v10 = (struct concur_v10_loop){
			.watch = v10_watch,
			.timer_arm = v10_timer_arm,
			.timer_cancel = v10_timer_cancel,
			.complete = v10_complete,
			.now_ns = ((struct concur_loop *)target)->now_ns,
		};
	else
		b->face.v11 = (struct concur_loop){
			.size = sizeof(struct concur_loop),
			.watch = v11_watch,
			.timer_arm = v11_timer_arm,
			.timer_cancel = v11_timer_cancel,
			.complete = v11_complete,
			.now_ns = ((struct concur_v10_loop *)target)->now_ns,
			.read_at = v11_read_at,
			.write_at = v11_write_at,
		};
	return b;
}

static void bridge_free(struct loop_bridge *b)
{
	size_t i;

	/* First: ending its operations may unwatch fds through the bridge. */
	loop_io_free(b->lio);
	for (i = 0; i < b->n_buckets; i++) {
		struct timer_slot *s = b->buckets[i], *next;

		for (; s; s = next) {
			next = s->next;
			free(s);
		}
	}
	free(b->buckets);
	free(b->fds);
	free(b);
}

struct bridged_worker *bridged_worker_new(void)
{
	return xcalloc(1, sizeof(struct bridged_worker));
}

void *bridged_worker_loop(struct bridged_worker *w, enum bridge_face face,
			  void *target)
{
	struct loop_bridge *b;

	if (!target)
		return NULL;
	for (b = w->bridges; b; b = b->next)
		if (b->target == target && b->kind == face)
			break;
	if (!b) {
		b = bridge_new(face, target);
		b->next = w->bridges;
		w->bridges = b;
	}
	return &b->face;
}

void bridged_worker_end_io(struct bridged_worker *w)
{
	struct loop_bridge *b;

	for (b = w ? w->bridges : NULL; b; b = b->next)
		if (b->lio)
			loop_io_cancel_all(b->lio);
}

void bridged_worker_free(struct bridged_worker *w)
{
	struct loop_bridge *b, *next;

	if (!w)
		return;
	for (b = w->bridges; b; b = next) {
		next = b->next;
		bridge_free(b);
	}
	free(w);
}
