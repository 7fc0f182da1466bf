/*
 * testserver_front.h - the test server's listening socket.  One thread
 * accepts connections and looks at each one's first bytes: the HTTP/2
 * client preface ("PRI * HTTP/2.0...") makes it an HTTP/2 connection,
 * served on this thread (testserver_h2.h); anything else is handed to
 * libmicrohttpd as an HTTP/1.x connection.  So one port serves both
 * protocols, and a client picks with prior knowledge.
 */
#ifndef CONCUR_TESTSERVER_FRONT_H
#define CONCUR_TESTSERVER_FRONT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "testserver_h2.h"

/* Hands an HTTP/1.x connection on: takes fd in every case. */
typedef void (*ts_handoff_fn)(void *arg, int fd, const struct sockaddr *sa,
			      socklen_t salen);

struct front_config {
	const struct sockaddr *addr; /* where to listen */
	socklen_t addrlen;
	unsigned backlog;
	unsigned max_conns;	 /* HTTP/2 and undecided connections at once */
	unsigned idle_timeout_s; /* close HTTP/2 connections idle this long */
	struct h2_config h2;	 /* epfd is filled in by front_start */
	ts_handoff_fn handoff;
	void *handoff_arg;
};

struct front;

/*
 * Listen and start the thread.  Returns 0 or a negative errno with a
 * message; *ret is freed with front_stop.
 */
int front_start(const struct front_config *cfg, struct front **ret, char *err,
		size_t errlen);
uint16_t front_port(const struct front *f);

/* Connections by protocol since start, and HTTP/2 streams answered. */
struct front_counts {
	uint64_t http1_conns, http2_conns, http2_streams;
};

void front_counts(struct front *f, struct front_counts *ret);
/* HTTP/2 streams held back now. */
size_t front_held(struct front *f);

/* Stop the thread, close every connection it holds, free.  NULL: no-op. */
void front_stop(struct front *f);

/* Is sa on this machine's loopback (127.0.0.0/8, ::1, ::ffff:127.x)? */
bool ts_sockaddr_loopback(const struct sockaddr *sa);

#endif
