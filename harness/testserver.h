/*
 * testserver.h - the embedded HTTP test server (docs/plugins.md "The I/O
 * side"), on libmicrohttpd.  Its own library, linked by the concur-testserver helper
 * and the tests, never by the concur binary (docs/plugins.md "Why the test
 * server is a separate program").
 *
 * Every request says how it wants to be answered, in its query string:
 *
 *   delay_ms=N / delay_us=N   answer after this delay (default 0); the
 *                             connection is suspended meanwhile, so other
 *                             connections are never blocked
 *   size=BYTES                body size (default 0), served from one
 *                             preallocated buffer
 *   status=CODE               answer with this HTTP status (200..599)
 *   fault=500                 answer 500 (with the requested body)
 *   fault=close               close the connection without any reply
 *   fault=reset               declare `size` bytes (at least 2) but close the
 *                             connection after sending half of them
 *   fault=stall               never answer; released only when the server
 *                             stops
 *
 * Fault modes answer only clients on the server's loopback unless
 * remote_faults is set (403 otherwise); a delay or size above the server's
 * cap is a 400 that says the cap.  Delayed and stalled requests do not
 * count against the idle timeout (libmicrohttpd suspends them), so the
 * delay cap is what bounds them.
 *
 * Only the path "/" is served; any other path answers 404, a malformed
 * parameter 400, a method other than GET/HEAD 405.  Connections are
 * keep-alive (HTTP/1.1).  The server runs on its own threads (libmicrohttpd's
 * epoll loop plus one timer thread that resumes delayed requests).
 */
#ifndef CONCUR_TESTSERVER_H
#define CONCUR_TESTSERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Defaults used for the fields of testserver_options left at 0 / NULL. */
#define TESTSERVER_BIND_ADDR "127.0.0.1"
#define TESTSERVER_MAX_CONNECTIONS 20000
#define TESTSERVER_BACKLOG 4096

struct testserver_options {
	const char *bind_addr;	  /* IPv4 or IPv6 literal; NULL = 127.0.0.1 */
	uint16_t port;		  /* 0 = any free port */
	unsigned max_connections; /* 0 = TESTSERVER_MAX_CONNECTIONS */
	unsigned backlog;	  /* listen backlog; 0 = TESTSERVER_BACKLOG */
	unsigned threads;	  /* server threads; 0 = 1 */
	/*
	 * Limits for a server other machines can reach (`concur serve` sets
	 * TESTSERVER_SERVE_* by default; the embedded server of `concur run`
	 * listens on loopback for concur alone and leaves them at 0).
	 */
	unsigned timeout_s; /* close a connection idle this long; 0 = never */
	unsigned per_ip;    /* connections per client address; 0 = any */
	uint64_t max_size;  /* largest body a request may ask; 0 = 2^63 */
	uint64_t max_delay_ns; /* longest delay a request may ask; 0 = 1 h */
	bool remote_faults;    /* fault modes for clients off loopback too */
};

/* `concur serve`'s defaults for the limits above. */
#define TESTSERVER_SERVE_TIMEOUT_S 60
#define TESTSERVER_SERVE_PER_IP 1024
#define TESTSERVER_SERVE_MAX_SIZE (16u << 20)
#define TESTSERVER_SERVE_MAX_DELAY_NS (60ULL * 1000000000ULL)

struct testserver;

/*
 * Start a server in the calling process (raising RLIMIT_NOFILE's soft limit
 * to the hard limit on the way).  o may be NULL for all defaults.  On success
 * *ret owns the server: release it with testserver_stop.  Returns 0 or a
 * negative errno with a message.
 */
int testserver_start(const struct testserver_options *o,
		     struct testserver **ret, char *err, size_t errlen);

/* The port the server listens on (the one chosen when 0 was asked). */
uint16_t testserver_port(const struct testserver *s);

/* Requests currently held back (delayed or stalled): for tests. */
size_t testserver_pending(struct testserver *s);

/*
 * Release every held-back request (libmicrohttpd requires it), stop the
 * server, closing every connection (held-back requests get no answer), and
 * free it.  NULL is a no-op.
 */
void testserver_stop(struct testserver *s);

/*
 * The libraries the server uses, "libmicrohttpd/0.9.75", into buf.
 * Returns 0 or -EINVAL.
 */
int testserver_libraries(char *buf, size_t len);

/*
 * `concur serve [--port N] [--bind ADDR] [--threads N] [limits]`: argv are
 * the arguments after "serve" (argv[0] is the first flag, not a program
 * name).  The limits default to TESTSERVER_SERVE_*.  Runs in the
 * foreground until SIGINT/SIGTERM, printing the URL it listens on and its
 * limits.  Returns the exit status: 0, 1 when the server could not start,
 * 2 on bad flags.
 */
int testserver_serve_main(int argc, char **argv);

/*
 * The same for a process that waits for the server (concur-testserver
 * --report-fd N, started by concur run): instead of printing, write one
 * line to report_fd and close it,
 *
 *     listening PORT LIBRARIES\n      e.g. "listening 40123 libmicrohttpd/0.9.75"
 *     error MESSAGE\n
 *
 * then serve until SIGTERM/SIGINT.  Bad flags close report_fd without a
 * line.  Returns the exit status as testserver_serve_main does.  The
 * limits are off unless flags set them: this server is concur run's own,
 * on loopback.
 */
int testserver_report_main(int report_fd, int argc, char **argv);

#endif
