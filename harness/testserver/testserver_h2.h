/*
 * testserver_h2.h - the HTTP/2 side of the embedded test server: HTTP/2
 * connections (cleartext, prior knowledge) framed by libnghttp2, served on
 * the front's event loop (testserver_front.h), answering the same query
 * parameters as the HTTP/1.1 side (testserver.h).
 *
 * Everything here runs on the front's one thread; only the counters are
 * read from other threads.
 */
#ifndef CONCUR_TESTSERVER_H2_H
#define CONCUR_TESTSERVER_H2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "testserver_query.h"

/* Streams one HTTP/2 connection may have open at once (SETTINGS). */
#define H2_MAX_STREAMS 100000

/* One fd on the front's epoll: events go to on_event. */
struct ts_watch {
	int fd;
	void (*on_event)(struct ts_watch *w, uint32_t events);
};

struct h2_config {
	int epfd; /* the front's epoll, for connections and timers */
	struct ts_limits limits;
	bool remote_faults;
	const char *body; /* the body pattern, cycled */
	size_t body_len;
};

struct h2_server;

struct h2_server *h2_server_create(const struct h2_config *cfg);
/* Close every connection (held-back streams get no answer), free. */
void h2_server_destroy(struct h2_server *h);

/*
 * Serve fd, whose client sent the HTTP/2 preface (still unread), as an
 * HTTP/2 connection; loopback says whether fault modes are allowed for it.
 * Takes fd in every case (closes it on failure).
 */
void h2_server_adopt(struct h2_server *h, int fd, bool loopback);

/*
 * Free the connections and streams closed since the last call: the front
 * calls it after each batch of events, since a later event of the batch
 * may still point at one of them.
 */
void h2_server_reap(struct h2_server *h);

/*
 * Close the connections that have had no stream open and no byte in or
 * out for idle_ns (held-back streams keep a connection open, as on the
 * HTTP/1.1 side).
 */
void h2_server_sweep(struct h2_server *h, int64_t now_ns, int64_t idle_ns);

/* HTTP/2 connections open now. */
size_t h2_server_conns(struct h2_server *h);

/* Counters since start (any thread). */
uint64_t h2_server_conns_total(struct h2_server *h);
uint64_t h2_server_streams_total(struct h2_server *h);
/* Streams held back now (delayed or stalled). */
size_t h2_server_held(struct h2_server *h);

#endif
