/*
 * testserver_front.c - the test server's listening socket and the one
 * thread that accepts, tells HTTP/2 from HTTP/1.x by the first bytes, and
 * runs the HTTP/2 connections (testserver_front.h).
 *
 * The first bytes are peeked (MSG_PEEK), never read, so a connection handed
 * to libmicrohttpd starts with its request intact.  A connection that has
 * sent a proper prefix of the preface is asked again when more arrives
 * (edge-triggered), never polled in a loop.  One that has not shown the
 * whole preface within SNIFF_WAIT_NS goes to libmicrohttpd too, whose idle
 * timeout and per-address limit then apply to it: a client that connects
 * and says nothing is not kept here for ever.
 */
#define _GNU_SOURCE /* accept4 */
#include "testserver_front.h"

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define container_of(ptr, type, member)                                        \
	((type *)(void *)((char *)(ptr)-offsetof(type, member)))

/* The HTTP/2 client connection preface (RFC 9113, section 3.4). */
static const char h2_preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
#define H2_PREFACE_LEN (sizeof(h2_preface) - 1)
/* Connections accepted per wake-up of the listening socket. */
#define ACCEPT_BATCH 64
/* How long a connection may take to show its protocol. */
#define SNIFF_WAIT_NS (500 * 1000000LL)
/* The period of the sweep for slow starters and idle HTTP/2 connections. */
#define TICK_NS (100 * 1000000LL)

/* A connection whose protocol is not known yet. */
struct sniff {
	struct ts_watch w;
	struct front *f;
	struct sockaddr_storage sa;
	socklen_t salen;
	int64_t deadline_ns; /* handed to libmicrohttpd then */
	struct sniff *prev, *next;
};

struct front {
	struct front_config cfg;
	struct h2_server *h2;
	int epfd;
	struct ts_watch listen, stop, tick;
	uint16_t port;
	pthread_t thread;
	bool thread_started;
	bool stopping; /* set on the thread when the stop event arrives */
	struct sniff *sniffs, *sniffs_tail; /* in the order they came */
	/*
	 * Forgotten sniffs, freed after the current epoll batch: a later event
	 * of the same batch may still point at one (the tick hands a slow
	 * starter on, then its own readiness event comes up).
	 */
	struct sniff *dead;
	size_t n_sniffs;
	uint64_t http1_conns; /* atomic */
};

bool ts_sockaddr_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in4 = (const void *)sa;

		return (ntohl(in4->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a =
			&((const struct sockaddr_in6 *)(const void *)sa)
				 ->sin6_addr;

		return IN6_IS_ADDR_LOOPBACK(a) ||
		       (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
	}
	return false;
}

static void on_dead(struct ts_watch *w, uint32_t events)
{
	(void)w;
	(void)events;
}

/*
 * Take s off the list and the epoll; its fd is the caller's now.  Its
 * memory lives on until sniffs_reap, and any event still queued for it
 * does nothing.
 */
static void sniff_forget(struct sniff *s)
{
	struct front *f = s->f;

	epoll_ctl(f->epfd, EPOLL_CTL_DEL, s->w.fd, NULL);
	if (s->prev)
		s->prev->next = s->next;
	else
		f->sniffs = s->next;
	if (s->next)
		s->next->prev = s->prev;
	else
		f->sniffs_tail = s->prev;
	f->n_sniffs--;
	s->w.on_event = on_dead;
	s->next = f->dead;
	f->dead = s;
}

/* Free the sniffs forgotten since the last call. */
static void sniffs_reap(struct front *f)
{
	while (f->dead) {
		struct sniff *s = f->dead;

		f->dead = s->next;
		free(s);
	}
}

/* s is HTTP/1.x (or has said nothing for too long): libmicrohttpd's. */
static void sniff_handoff(struct sniff *s)
{
	struct front *f = s->f;
	struct sockaddr_storage sa = s->sa;
	socklen_t salen = s->salen;
	int fd = s->w.fd;

	sniff_forget(s);
	__atomic_add_fetch(&f->http1_conns, 1, __ATOMIC_RELAXED);
	f->cfg.handoff(f->cfg.handoff_arg, fd, (void *)&sa, salen);
}

static void on_sniff(struct ts_watch *w, uint32_t events)
{
	struct sniff *s = container_of(w, struct sniff, w);
	struct front *f = s->f;
	char buf[H2_PREFACE_LEN];
	int fd = w->fd;
	ssize_t n = recv(fd, buf, sizeof(buf), MSG_PEEK);

	(void)events;
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0 && (size_t)n < H2_PREFACE_LEN &&
	    memcmp(buf, h2_preface, (size_t)n) == 0)
		return; /* so far the preface: wait for the rest */
	if (n <= 0) {
		sniff_forget(s);
		close(fd);
	} else if ((size_t)n == H2_PREFACE_LEN &&
		   memcmp(buf, h2_preface, H2_PREFACE_LEN) == 0) {
		bool loopback = ts_sockaddr_loopback((void *)&s->sa);

		sniff_forget(s);
		h2_server_adopt(f->h2, fd, loopback);
	} else {
		sniff_handoff(s);
	}
}

static void sniff_add(struct front *f, int fd,
		      const struct sockaddr_storage *sa, socklen_t salen)
{
	struct sniff *s = xcalloc(1, sizeof(*s));
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP | EPOLLET,
				  .data.ptr = &s->w };

	s->w.fd = fd;
	s->w.on_event = on_sniff;
	s->f = f;
	s->sa = *sa;
	s->salen = salen;
	s->deadline_ns = mono_now_ns() + SNIFF_WAIT_NS;
	s->prev = f->sniffs_tail;
	if (f->sniffs_tail)
		f->sniffs_tail->next = s;
	else
		f->sniffs = s;
	f->sniffs_tail = s;
	f->n_sniffs++;
	if (epoll_ctl(f->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		sniff_forget(s);
		close(fd);
	}
}

static void on_listen(struct ts_watch *w, uint32_t events)
{
	struct front *f = container_of(w, struct front, listen);

	(void)events;
	for (int i = 0; i < ACCEPT_BATCH; i++) {
		struct sockaddr_storage sa;
		socklen_t salen = sizeof(sa);
		int fd = accept4(w->fd, (struct sockaddr *)&sa, &salen,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0)
			return;
		if (f->n_sniffs + h2_server_conns(f->h2) >= f->cfg.max_conns) {
			close(fd);
			continue;
		}
		sniff_add(f, fd, &sa, salen);
	}
}

/* Hand on slow starters; close HTTP/2 connections idle too long. */
static void on_tick(struct ts_watch *w, uint32_t events)
{
	struct front *f = container_of(w, struct front, tick);
	int64_t now = mono_now_ns();
	uint64_t ticks;
	struct sniff *s, *next;

	(void)events;
	if (read(w->fd, &ticks, sizeof(ticks)) < 0)
		return;
	/* oldest first, so a per-address limit keeps the first comers */
	for (s = f->sniffs; s && s->deadline_ns <= now; s = next) {
		next = s->next;
		sniff_handoff(s);
	}
	if (f->cfg.idle_timeout_s)
		h2_server_sweep(f->h2, now,
				(int64_t)f->cfg.idle_timeout_s * 1000000000LL);
}

static void on_stop(struct ts_watch *w, uint32_t events)
{
	struct front *f = container_of(w, struct front, stop);

	(void)events;
	f->stopping = true;
}

static void *front_main(void *arg)
{
	struct front *f = arg;
	struct epoll_event evs[64];

	while (!f->stopping) {
		int n = epoll_wait(f->epfd, evs, ARRAY_SIZE(evs), -1);

		for (int i = 0; i < n; i++) {
			struct ts_watch *w = evs[i].data.ptr;

			w->on_event(w, evs[i].events);
		}
		h2_server_reap(f->h2);
		sniffs_reap(f);
	}
	return NULL;
}

static int watch_add(struct front *f, struct ts_watch *w,
		     void (*on_event)(struct ts_watch *, uint32_t))
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = w };

	w->on_event = on_event;
	return epoll_ctl(f->epfd, EPOLL_CTL_ADD, w->fd, &ev);
}

static int tick_open(struct front *f)
{
	struct itimerspec its = {
		.it_value = { 0, TICK_NS },
		.it_interval = { 0, TICK_NS },
	};

	f->tick.fd =
		timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (f->tick.fd < 0 || timerfd_settime(f->tick.fd, 0, &its, NULL) < 0)
		return -1;
	return watch_add(f, &f->tick, on_tick);
}

static int listen_open(struct front *f, char *err, size_t errlen)
{
	const struct front_config *cfg = &f->cfg;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int one = 1;

	f->listen.fd = socket(cfg->addr->sa_family,
			      SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (f->listen.fd < 0 ||
	    setsockopt(f->listen.fd, SOL_SOCKET, SO_REUSEADDR, &one,
		       sizeof(one)) < 0 ||
	    bind(f->listen.fd, cfg->addr, cfg->addrlen) < 0 ||
	    listen(f->listen.fd, (int)cfg->backlog) < 0 ||
	    getsockname(f->listen.fd, (struct sockaddr *)&ss, &len) < 0) {
		errf(err, errlen, "%s", strerror(errno));
		return -errno;
	}
	f->port = ntohs(ss.ss_family == AF_INET6
				? ((struct sockaddr_in6 *)&ss)->sin6_port
				: ((struct sockaddr_in *)&ss)->sin_port);
	return 0;
}

int front_start(const struct front_config *cfg, struct front **ret, char *err,
		size_t errlen)
{
	struct front *f = xcalloc(1, sizeof(*f));
	int rc;

	f->cfg = *cfg;
	f->listen.fd = f->stop.fd = f->tick.fd = -1;
	f->epfd = epoll_create1(EPOLL_CLOEXEC);
	f->stop.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	f->cfg.h2.epfd = f->epfd;
	f->h2 = h2_server_create(&f->cfg.h2);
	rc = listen_open(f, err, errlen);
	if (!rc && (f->epfd < 0 || f->stop.fd < 0 || !f->h2 ||
		    watch_add(f, &f->listen, on_listen) < 0 ||
		    watch_add(f, &f->stop, on_stop) < 0 || tick_open(f) < 0)) {
		errf(err, errlen, "cannot set up the listening thread: %s",
		     strerror(errno));
		rc = -EIO;
	}
	if (!rc) {
		rc = -pthread_create(&f->thread, NULL, front_main, f);
		f->thread_started = rc == 0;
		if (rc)
			errf(err, errlen, "cannot start a thread: %s",
			     strerror(-rc));
	}
	if (rc) {
		front_stop(f);
		return rc;
	}
	*ret = f;
	return 0;
}

uint16_t front_port(const struct front *f)
{
	return f->port;
}

void front_counts(struct front *f, struct front_counts *ret)
{
	ret->http1_conns = __atomic_load_n(&f->http1_conns, __ATOMIC_RELAXED);
	ret->http2_conns = h2_server_conns_total(f->h2);
	ret->http2_streams = h2_server_streams_total(f->h2);
}

size_t front_held(struct front *f)
{
	return h2_server_held(f->h2);
}

void front_stop(struct front *f)
{
	uint64_t one = 1;

	if (!f)
		return;
	if (f->thread_started) {
		if (write(f->stop.fd, &one, sizeof(one)) < 0)
			perror("testserver: cannot stop the listening thread");
		pthread_join(f->thread, NULL);
	}
	while (f->sniffs) {
		int fd = f->sniffs->w.fd;

		sniff_forget(f->sniffs);
		close(fd);
	}
	sniffs_reap(f);
	h2_server_destroy(f->h2);
	if (f->listen.fd >= 0)
		close(f->listen.fd);
	if (f->stop.fd >= 0)
		close(f->stop.fd);
	if (f->tick.fd >= 0)
		close(f->tick.fd);
	if (f->epfd >= 0)
		close(f->epfd);
	free(f);
}
