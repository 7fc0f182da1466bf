/*
 * testserver.c - the embedded HTTP test server on libmicrohttpd.
 *
 * libmicrohttpd runs its own epoll thread(s).  A request with a delay is
 * suspended (MHD_suspend_connection) and put in a min-heap ordered by
 * deadline; one timer thread sleeps until the earliest deadline and resumes
 * the due requests, and libmicrohttpd then calls the handler again, which
 * answers.  No handler ever sleeps, so one slow request never holds up
 * another.  Bodies come from one static buffer (MHD_RESPMEM_PERSISTENT): no
 * copy, no allocation per byte.
 */
#define _GNU_SOURCE /* pipe2 */
#include "testserver.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <nghttp2/nghttp2.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "testserver_front.h"
#include "testserver_query.h"
#include "value.h"
#include "util.h"

/* Bodies up to this size come straight from body_buf; bigger ones cycle it. */
#define BODY_BUF_SIZE (16u << 20)
/* Default caps of what a request may ask (testserver_options). */
#define MAX_DELAY_NS (3600ULL * 1000000000ULL)
#define MAX_SIZE (UINT64_MAX / 2)
#define STALL_DEADLINE INT64_MAX
/*
 * Memory pool of one connection (request line, headers, reply headers; the
 * body never goes through it).  libmicrohttpd's default, 32 KiB, is zeroed
 * whole when a keep-alive connection starts its next request, so at 10,000
 * connections the server spent its time faulting in and clearing 320 MiB.
 * 8 KiB still takes a request with 6 KiB of headers.
 */
#define TS_CONN_MEMORY (8u * 1024)

static char body_buf[BODY_BUF_SIZE];
static pthread_once_t body_once = PTHREAD_ONCE_INIT;

/* Per-request state, the request's MHD "con_cls". */
struct ts_request {
	struct MHD_Connection *conn;
	int64_t deadline_ns;
	size_t slot; /* index in the heap while held back */
	uint64_t size;
	unsigned status;
	enum ts_fault fault;
	bool started;  /* the request was read and judged */
	bool ready;    /* the delay is over (or the server stops): answer */
	bool released; /* resumed by the server's shutdown: no answer */
};

struct testserver {
	struct MHD_Daemon *daemon;
	struct front *front; /* the listening socket; HTTP/2 */
	uint16_t port;
	struct ts_limits limits;
	bool remote_faults; /* fault modes for clients not on loopback */
	pthread_t timer_thread;
	pthread_mutex_t lock; /* guards everything below */
	pthread_cond_t wake;
	bool stopping;
	struct ts_request **heap; /* min-heap by deadline_ns */
	size_t heap_len, heap_cap;
};

static void body_fill(void)
{
	static const char pattern[] = "concur test body 0123456789\n";
	size_t n = sizeof(pattern) - 1;

	for (size_t i = 0; i < BODY_BUF_SIZE; i++)
		body_buf[i] = pattern[i % n];
}

static int64_t ts_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* ---- the min-heap of held-back requests (caller holds s->lock) ---- */

static void heap_set(struct testserver *s, size_t i, struct ts_request *r)
{
	s->heap[i] = r;
	r->slot = i;
}

static void heap_up(struct testserver *s, size_t i)
{
	struct ts_request *r = s->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (s->heap[parent]->deadline_ns <= r->deadline_ns)
			break;
		heap_set(s, i, s->heap[parent]);
		i = parent;
	}
	heap_set(s, i, r);
}

static void heap_down(struct testserver *s, size_t i)
{
	struct ts_request *r = s->heap[i];

	for (;;) {
		size_t child = 2 * i + 1;

		if (child >= s->heap_len)
			break;
		if (child + 1 < s->heap_len &&
		    s->heap[child + 1]->deadline_ns <
			    s->heap[child]->deadline_ns)
			child++;
		if (r->deadline_ns <= s->heap[child]->deadline_ns)
			break;
		heap_set(s, i, s->heap[child]);
		i = child;
	}
	heap_set(s, i, r);
}

static void heap_push(struct testserver *s, struct ts_request *r)
{
	xgrow((void **)&s->heap, &s->heap_cap, s->heap_len + 1,
	      sizeof(*s->heap));
	s->heap[s->heap_len++] = r;
	heap_up(s, s->heap_len - 1);
}

static struct ts_request *heap_pop(struct testserver *s)
{
	struct ts_request *top = s->heap[0];

	s->heap_len--;
	if (s->heap_len > 0) {
		heap_set(s, 0, s->heap[s->heap_len]);
		heap_down(s, 0);
	}
	return top;
}

/* ---- the timer thread ---- */

static struct timespec ns_to_timespec(int64_t ns)
{
	struct timespec ts = {
		.tv_sec = ns / 1000000000LL,
		.tv_nsec = ns % 1000000000LL,
	};
	return ts;
}

/*
 * Resume every due request.  Resuming is safe from any thread; the request
 * must not be touched afterwards, since libmicrohttpd may answer and free it
 * at once.
 */
static void *timer_main(void *arg)
{
	struct testserver *s = arg;

	pthread_mutex_lock(&s->lock);
	while (!s->stopping) {
		int64_t now = ts_now_ns();

		if (s->heap_len > 0 && s->heap[0]->deadline_ns <= now) {
			struct ts_request *r = heap_pop(s);

			r->ready = true;
			MHD_resume_connection(r->conn);
			continue;
		}
		if (s->heap_len == 0 ||
		    s->heap[0]->deadline_ns == STALL_DEADLINE) {
			pthread_cond_wait(&s->wake, &s->lock);
		} else {
			struct timespec ts =
				ns_to_timespec(s->heap[0]->deadline_ns);

			pthread_cond_timedwait(&s->wake, &s->lock, &ts);
		}
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/*
 * Suspend r until its deadline.  Returns false when the server is stopping
 * (the caller then answers at once).  Suspending comes before the heap push:
 * the timer thread may resume r as soon as it is in the heap, and resuming a
 * connection that is not suspended is undefined.
 */
static bool request_hold(struct testserver *s, struct ts_request *r)
{
	pthread_mutex_lock(&s->lock);
	if (s->stopping) {
		pthread_mutex_unlock(&s->lock);
		return false;
	}
	MHD_suspend_connection(r->conn);
	heap_push(s, r);
	if (r->slot == 0)
		pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	return true;
}

/* ---- parsing a request ---- */

static bool parse_u64(const char *text, uint64_t max, uint64_t *ret)
{
	char *end;
	unsigned long long v;

	if (!text || *text < '0' || *text > '9')
		return false;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || *end || v > max)
		return false;
	*ret = v;
	return true;
}

static const char *arg(void *conn, const char *key)
{
	return MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, key);
}

/* Fill r from the query string; 0 or -EINVAL / -ERANGE with a reason. */
static int request_parse(struct testserver *s, struct ts_request *r,
			 struct MHD_Connection *c, char *why, size_t whylen)
{
	struct ts_query q;
	int rc = ts_query_parse(arg, c, &s->limits, &q, why, whylen);

	if (rc < 0)
		return rc;
	r->deadline_ns = q.delay_ns ? ts_now_ns() + (int64_t)q.delay_ns : 0;
	r->size = q.size;
	r->status = q.status;
	r->fault = q.fault;
	if (r->fault == FAULT_STALL)
		r->deadline_ns = STALL_DEADLINE;
	return 0;
}

/* Is the client on this machine's loopback (127.0.0.0/8, ::1, ::ffff:127.x)? */
static bool client_on_loopback(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = info ? info->client_addr : NULL;

	return sa && ts_sockaddr_loopback(sa);
}

/* ---- answering ---- */

/* Bodies bigger than body_buf: the buffer, over and over. */
static ssize_t body_cycle(void *cls, uint64_t pos, char *buf, size_t max)
{
	size_t off = pos % BODY_BUF_SIZE;
	size_t n = BODY_BUF_SIZE - off;

	(void)cls;
	if (n > max)
		n = max;
	memcpy(buf, body_buf + off, n);
	return (ssize_t)n;
}

/* fault=reset: cls is the declared size; deliver half, then fail. */
static ssize_t body_reset(void *cls, uint64_t pos, char *buf, size_t max)
{
	uint64_t half = (uint64_t)(uintptr_t)cls / 2;

	if (pos >= half)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	if (max > half - pos)
		max = (size_t)(half - pos);
	return body_cycle(NULL, pos, buf, max);
}

static struct MHD_Response *response_body(const struct ts_request *r)
{
	if (r->fault == FAULT_RESET) {
		uint64_t size = r->size < 2 ? 2 : r->size;

		return MHD_create_response_from_callback(
			size, 64 * 1024, body_reset, (void *)(uintptr_t)size,
			NULL);
	}
	if (r->size > BODY_BUF_SIZE)
		return MHD_create_response_from_callback(
			r->size, 256 * 1024, body_cycle, NULL, NULL);
	return MHD_create_response_from_buffer((size_t)r->size, body_buf,
					       MHD_RESPMEM_PERSISTENT);
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status,
			     struct MHD_Response *resp)
{
	enum MHD_Result ret;

	if (!resp)
		return MHD_NO;
	ret = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result reply_text(struct MHD_Connection *c, unsigned status,
				  const char *text)
{
	return reply(c, status,
		     MHD_create_response_from_buffer(strlen(text), (void *)text,
						     MHD_RESPMEM_PERSISTENT));
}

static enum MHD_Result request_answer(struct ts_request *r)
{
	/* Released by shutdown: close, never a half-timed answer. */
	if (r->fault == FAULT_CLOSE || r->released)
		return MHD_NO;
	return reply(r->conn, r->status, response_body(r));
}

/*
 * The request is complete (the handler's final call): validate it, then
 * answer or hold it back.  Answering any earlier, on the first call, would
 * be an "early response" after which libmicrohttpd closes the connection.
 */
static enum MHD_Result request_begin(struct testserver *s, struct ts_request *r,
				     const char *url, const char *method)
{
	struct MHD_Connection *c = r->conn;
	char why[160];
	int rc;

	r->started = true;
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return reply_text(c, MHD_HTTP_METHOD_NOT_ALLOWED,
				  "method not allowed\n");
	if (strcmp(url, "/") != 0)
		return reply_text(c, MHD_HTTP_NOT_FOUND, "not found\n");
	rc = request_parse(s, r, c, why, sizeof(why));
	if (rc < 0)
		return reply(c, MHD_HTTP_BAD_REQUEST,
			     MHD_create_response_from_buffer(
				     strlen(why), why, MHD_RESPMEM_MUST_COPY));
	if (r->fault != FAULT_NONE && !s->remote_faults &&
	    !client_on_loopback(c))
		return reply_text(
			c, MHD_HTTP_FORBIDDEN,
			"fault modes answer only clients on the server's "
			"loopback (concur serve --allow-remote-faults)\n");
	if (r->deadline_ns != 0 && request_hold(s, r))
		return MHD_YES;
	r->ready = true;
	return request_answer(r);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct ts_request *r = *con_cls;

	(void)version;
	(void)upload_data;
	if (!r) {
		r = calloc(1, sizeof(*r));
		if (!r)
			return MHD_NO;
		r->conn = c;
		*con_cls = r;
		return MHD_YES;
	}
	if (*upload_data_size != 0) {
		*upload_data_size = 0; /* ignore any request body */
		return MHD_YES;
	}
	if (!r->started)
		return request_begin(cls, r, url, method);
	if (!r->ready)
		return MHD_YES; /* a call before the resume: keep waiting */
	return request_answer(r);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	free(*con_cls);
	*con_cls = NULL;
}

/* ---- starting and stopping ---- */

static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* Parse addr:port into *ss; sets *ret_v6. */
static int sockaddr_make(const char *addr, uint16_t port,
			 struct sockaddr_storage *ss, bool *ret_v6, char *err,
			 size_t errlen)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	*ret_v6 = false;
	if (inet_pton(AF_INET, addr, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(port);
		return 0;
	}
	if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		*ret_v6 = true;
		return 0;
	}
	errf(err, errlen,
	     "bind address '%s' is not an IPv4 or IPv6 address "
	     "(for example 127.0.0.1, 0.0.0.0 or ::1)",
	     addr);
	return -EINVAL;
}

/* The front's way to give libmicrohttpd an HTTP/1.x connection. */
static void handoff_http1(void *arg, int fd, const struct sockaddr *sa,
			  socklen_t salen)
{
	struct testserver *s = arg;

	/* libmicrohttpd closes fd itself when it refuses it */
	MHD_add_connection(s->daemon, fd, sa, salen);
}

/* The listening socket, HTTP/2, and the hand-off to libmicrohttpd. */
static int front_open(struct testserver *s, const struct testserver_options *o,
		      const char *addr, const struct sockaddr_storage *ss,
		      bool v6, char *err, size_t errlen)
{
	struct front_config fc = {
		.addr = (const struct sockaddr *)ss,
		.addrlen = v6 ? sizeof(struct sockaddr_in6)
			      : sizeof(struct sockaddr_in),
		.backlog = o->backlog ? o->backlog : TESTSERVER_BACKLOG,
		.max_conns = o->max_connections ? o->max_connections
						: TESTSERVER_MAX_CONNECTIONS,
		.idle_timeout_s = o->timeout_s,
		.h2 = { .limits = s->limits,
			.remote_faults = s->remote_faults,
			.body = body_buf,
			.body_len = BODY_BUF_SIZE },
		.handoff = handoff_http1,
		.handoff_arg = s,
	};
	char why[128];
	int rc = front_start(&fc, &s->front, why, sizeof(why));

	if (rc)
		errf(err, errlen,
		     "cannot start the HTTP test server on %s port %u: %s "
		     "(address in use, or not an address of this host?)",
		     addr, (unsigned)o->port, why);
	else
		s->port = front_port(s->front);
	return rc;
}

/*
 * libmicrohttpd listens on no socket of its own: the front accepts and
 * hands it the HTTP/1.x connections (testserver_front.h).
 */
static int daemon_start(struct testserver *s,
			const struct testserver_options *o, char *err,
			size_t errlen)
{
	const char *addr = o->bind_addr ? o->bind_addr : TESTSERVER_BIND_ADDR;
	unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD |
			 MHD_ALLOW_SUSPEND_RESUME | MHD_USE_NO_LISTEN_SOCKET;
	struct sockaddr_storage ss;
	bool v6;
	int rc = sockaddr_make(addr, o->port, &ss, &v6, err, errlen);

	if (rc)
		return rc;
	if (v6)
		flags |= MHD_USE_IPv6;
	s->daemon = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, s,
		MHD_OPTION_CONNECTION_LIMIT,
		(unsigned)(o->max_connections ? o->max_connections
					      : TESTSERVER_MAX_CONNECTIONS),
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)TS_CONN_MEMORY,
		MHD_OPTION_THREAD_POOL_SIZE,
		(unsigned)(o->threads > 1 ? o->threads : 0),
		MHD_OPTION_CONNECTION_TIMEOUT, o->timeout_s,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, o->per_ip,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_END);
	if (!s->daemon) {
		errf(err, errlen, "cannot start libmicrohttpd on %s", addr);
		return -EIO;
	}
	return front_open(s, o, addr, &ss, v6, err, errlen);
}

int testserver_start(const struct testserver_options *o,
		     struct testserver **ret, char *err, size_t errlen)
{
	static const struct testserver_options defaults;
	struct testserver *s = xcalloc(1, sizeof(*s));
	pthread_condattr_t ca;
	int rc;

	pthread_once(&body_once, body_fill);
	raise_nofile();
	o = o ? o : &defaults;
	s->limits.max_size = o->max_size ? o->max_size : MAX_SIZE;
	s->limits.max_delay_ns =
		o->max_delay_ns ? o->max_delay_ns : MAX_DELAY_NS;
	s->remote_faults = o->remote_faults;
	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->wake, &ca);
	pthread_condattr_destroy(&ca);
	rc = pthread_create(&s->timer_thread, NULL, timer_main, s);
	if (rc) {
		errf(err, errlen, "cannot start the timer thread: %s",
		     strerror(rc));
		s->timer_thread = pthread_self();
		testserver_stop(s);
		return -rc;
	}
	rc = daemon_start(s, o, err, errlen);
	if (rc) {
		testserver_stop(s);
		return rc;
	}
	*ret = s;
	return 0;
}

uint16_t testserver_port(const struct testserver *s)
{
	return s->port;
}

size_t testserver_pending(struct testserver *s)
{
	size_t n;

	pthread_mutex_lock(&s->lock);
	n = s->heap_len;
	pthread_mutex_unlock(&s->lock);
	return n + (s->front ? front_held(s->front) : 0);
}

void testserver_counts(struct testserver *s, struct testserver_counts *ret)
{
	struct front_counts fc = { 0 };

	if (s->front)
		front_counts(s->front, &fc);
	ret->http1_conns = fc.http1_conns;
	ret->http2_conns = fc.http2_conns;
	ret->http2_streams = fc.http2_streams;
}

/*
 * libmicrohttpd refuses to stop with suspended connections: release every
 * held-back request first.  `stopping` keeps new ones from being held.
 */
void testserver_stop(struct testserver *s)
{
	if (!s)
		return;
	front_stop(s->front); /* no more connections, HTTP/2 ones closed */
	pthread_mutex_lock(&s->lock);
	s->stopping = true;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	if (!pthread_equal(s->timer_thread, pthread_self()))
		pthread_join(s->timer_thread, NULL);
	pthread_mutex_lock(&s->lock);
	while (s->heap_len > 0) {
		struct ts_request *r = heap_pop(s);

		r->ready = true;
		r->released = true;
		MHD_resume_connection(r->conn);
	}
	pthread_mutex_unlock(&s->lock);
	if (s->daemon)
		MHD_stop_daemon(s->daemon);
	pthread_cond_destroy(&s->wake);
	pthread_mutex_destroy(&s->lock);
	free(s->heap);
	free(s);
}

/* ---- a server in its own process ---- */

static int write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Block the stop signals (before any server thread exists) and wait. */
static void block_stop_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	pthread_sigmask(SIG_BLOCK, set, NULL);
}

static int wait_stop_signal(const sigset_t *set)
{
	int sig = 0;

	while (sigwait(set, &sig) != 0)
		;
	return sig;
}

int testserver_libraries(char *buf, size_t len)
{
	return snprintf(buf, len, "libmicrohttpd/%s libnghttp2/%s",
			MHD_get_version(), nghttp2_version(0)->version_str) < 0
		       ? -EINVAL
		       : 0;
}

/* ---- concur serve ---- */

static void serve_usage(FILE *f)
{
	fprintf(f,
		"usage: concur serve [--port N] [--bind ADDR] [--threads N] [limits]\n"
		"  Runs the embedded HTTP test server until Ctrl-C: HTTP/1.1 and,\n"
		"  on the same port, HTTP/2 with prior knowledge (curl --http2-prior-knowledge).\n"
		"  --port N              port to listen on (default 0: any free port)\n"
		"  --bind ADDR           address to bind (default 127.0.0.1; 0.0.0.0 "
		"for every interface)\n"
		"  --threads N           server threads (default 1)\n"
		"  limits, for a server others can reach:\n"
		"  --timeout DURATION    close a connection idle this long "
		"(default %ds; 0: never)\n"
		"  --per-ip N            connections per client address "
		"(default %d; 0: any)\n"
		"  --max-connections N   connections in all (default %d)\n"
		"  --max-size SIZE       largest body a request may ask "
		"(default 16MiB)\n"
		"  --max-delay DURATION  longest delay a request may ask "
		"(default 60s)\n"
		"  --allow-remote-faults fault=... for clients off loopback too "
		"(default: loopback only)\n"
		"  Requests: /?delay_ms=20&size=10240 (also delay_us, "
		"status=CODE, fault=500|close|reset|stall)\n",
		TESTSERVER_SERVE_TIMEOUT_S, TESTSERVER_SERVE_PER_IP,
		TESTSERVER_MAX_CONNECTIONS);
}

/* Parse flag value text as an unsigned number in [lo, hi]. */
static bool flag_number(const char *flag, const char *text, uint64_t lo,
			uint64_t hi, uint64_t *ret)
{
	if (parse_u64(text, hi, ret) && *ret >= lo)
		return true;
	fprintf(stderr,
		"concur serve: %s '%s' is not a number from %" PRIu64
		" to %" PRIu64 "\n",
		flag, text, lo, hi);
	return false;
}

/* A duration or size flag (value.h syntax) within [lo, hi] of its unit. */
static bool flag_value(const char *flag, enum concur_param_type type,
		       const char *text, uint64_t lo, uint64_t hi,
		       const char *range, uint64_t *ret)
{
	union concur_value v;
	char err[160];
	uint64_t x;

	if (value_parse(type, text, &v, err, sizeof(err)) == 0) {
		x = type == CONCUR_PARAM_SIZE ? v.bytes
		    : v.ns < 0		      ? UINT64_MAX
					      : (uint64_t)v.ns;
		if (x >= lo && x <= hi) {
			*ret = x;
			return true;
		}
	}
	fprintf(stderr, "concur serve: %s '%s': want %s\n", flag, text, range);
	return false;
}

#define NS_PER_S 1000000000ULL

/* One limit flag into o; false on a bad value (already reported). */
static bool serve_limit(int c, const char *arg, struct testserver_options *o)
{
	uint64_t v = 0;

	switch (c) {
	case 'T':
		if (!flag_value(
			    "--timeout", CONCUR_PARAM_DURATION, arg, 0,
			    86400 * NS_PER_S,
			    "a duration from 1s to 24h, such as 30s or 2m, or 0 (never)",
			    &v))
			return false;
		if (v && v < NS_PER_S) {
			fprintf(stderr,
				"concur serve: --timeout '%s': want at least 1s, or 0 (never)\n",
				arg);
			return false;
		}
		o->timeout_s = (unsigned)(v / NS_PER_S);
		return true;
	case 'I':
		if (!flag_number("--per-ip", arg, 0, 1000000, &v))
			return false;
		o->per_ip = (unsigned)v;
		return true;
	case 'C':
		if (!flag_number("--max-connections", arg, 1, 1000000, &v))
			return false;
		o->max_connections = (unsigned)v;
		return true;
	case 'S':
		if (!flag_value(
			    "--max-size", CONCUR_PARAM_SIZE, arg, 1,
			    UINT64_MAX / 2,
			    "a size of at least 1 byte, such as 1500, 10k or 1GiB",
			    &v))
			return false;
		o->max_size = v;
		return true;
	case 'D':
		if (!flag_value(
			    "--max-delay", CONCUR_PARAM_DURATION, arg, 1000000,
			    86400 * NS_PER_S,
			    "a duration from 1ms to 24h, such as 500ms or 10m",
			    &v))
			return false;
		o->max_delay_ns = v;
		return true;
	default: /* 'F' */
		o->remote_faults = true;
		return true;
	}
}

/* Returns -1 to go on, else an exit status. */
static int serve_parse(int argc, char **argv, struct testserver_options *o)
{
	static const struct option longopts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "bind", required_argument, NULL, 'b' },
		{ "threads", required_argument, NULL, 't' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "per-ip", required_argument, NULL, 'I' },
		{ "max-connections", required_argument, NULL, 'C' },
		{ "max-size", required_argument, NULL, 'S' },
		{ "max-delay", required_argument, NULL, 'D' },
		{ "allow-remote-faults", no_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int c;

	optind = 1;
	opterr = 1;
	while ((c = getopt_long(argc, argv, "+p:b:t:h", longopts, NULL)) !=
	       -1) {
		switch (c) {
		case 'p':
			if (!flag_number("--port", optarg, 0, 65535, &v))
				return 2;
			o->port = (uint16_t)v;
			break;
		case 'b':
			o->bind_addr = optarg;
			break;
		case 't':
			if (!flag_number("--threads", optarg, 1, 256, &v))
				return 2;
			o->threads = (unsigned)v;
			break;
		case 'T':
		case 'I':
		case 'C':
		case 'S':
		case 'D':
		case 'F':
			if (!serve_limit(c, optarg, o))
				return 2;
			break;
		case 'h':
			serve_usage(stdout);
			return 0;
		default:
			serve_usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "concur serve: unexpected argument '%s'\n",
			argv[optind]);
		serve_usage(stderr);
		return 2;
	}
	return -1;
}

/* Parse the serve flags of argv (without a program name); -1 = go on. */
static int serve_flags(int argc, char **argv, struct testserver_options *o)
{
	char **args = xcalloc((size_t)argc + 2, sizeof(*args));
	int rc;

	/* getopt wants a program name in front of the flags. */
	args[0] = (char *)"concur serve";
	for (int i = 0; i < argc; i++)
		args[i + 1] = argv[i];
	rc = serve_parse(argc + 1, args, o);
	free(args);
	return rc;
}

/* The limits a person's `concur serve` runs with, one line. */
static void print_limits(const struct testserver_options *o)
{
	printf("concur serve: limits: idle timeout %s%u s, %u connections "
	       "(%u per address%s), bodies up to %" PRIu64
	       " bytes, delays up to %" PRIu64 " ms, fault modes %s\n",
	       o->timeout_s ? "" : "none (0) ", o->timeout_s,
	       o->max_connections ? o->max_connections
				  : TESTSERVER_MAX_CONNECTIONS,
	       o->per_ip, o->per_ip ? "" : " = any", o->max_size,
	       o->max_delay_ns / 1000000,
	       o->remote_faults ? "for every client" : "for loopback only");
}

/*
 * Start the server and tell whoever waits how it went: report_fd < 0 prints
 * the URL for a person; otherwise one line goes to report_fd (see
 * testserver.h).  Then serve until SIGTERM/SIGINT.
 */
static int serve(const struct testserver_options *o, int report_fd)
{
	char err[256], line[512], libs[128] = "";
	struct testserver *s;
	sigset_t set;
	int rc;

	block_stop_signals(&set);
	signal(SIGPIPE, SIG_IGN);
	rc = testserver_start(o, &s, err, sizeof(err));
	if (report_fd >= 0) {
		testserver_libraries(libs, sizeof(libs));
		if (rc == 0)
			snprintf(line, sizeof(line), "listening %u %s\n",
				 (unsigned)testserver_port(s), libs);
		else
			snprintf(line, sizeof(line), "error %s\n", err);
		write_full(report_fd, line, strlen(line));
		close(report_fd);
	} else if (rc != 0) {
		fprintf(stderr, "concur serve: %s\n", err);
	} else {
		printf("concur serve: listening on http://%s%s%s:%u/ "
		       "(Ctrl-C to stop)\n",
		       strchr(o->bind_addr, ':') ? "[" : "", o->bind_addr,
		       strchr(o->bind_addr, ':') ? "]" : "",
		       (unsigned)testserver_port(s));
		print_limits(o);
		fflush(stdout);
	}
	if (rc != 0)
		return 1;
	wait_stop_signal(&set);
	testserver_stop(s);
	return 0;
}

int testserver_serve_main(int argc, char **argv)
{
	/* a person's server, maybe on a network: limits on by default */
	struct testserver_options o = {
		.bind_addr = TESTSERVER_BIND_ADDR,
		.timeout_s = TESTSERVER_SERVE_TIMEOUT_S,
		.per_ip = TESTSERVER_SERVE_PER_IP,
		.max_size = TESTSERVER_SERVE_MAX_SIZE,
		.max_delay_ns = TESTSERVER_SERVE_MAX_DELAY_NS,
	};
	int rc = serve_flags(argc, argv, &o);

	return rc >= 0 ? rc : serve(&o, -1);
}

int testserver_report_main(int report_fd, int argc, char **argv)
{
	struct testserver_options o = { .bind_addr = TESTSERVER_BIND_ADDR };
	int rc = serve_flags(argc, argv, &o);

	if (rc >= 0) {
		close(report_fd);
		return rc;
	}
	return serve(&o, report_fd);
}
