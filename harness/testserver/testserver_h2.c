/*
 * testserver_h2.c - HTTP/2 connections of the embedded test server, on
 * libnghttp2's callback API (nghttp2 does the framing, HPACK and flow
 * control; this file reads the socket, answers streams and writes).
 *
 * A stream with a delay gets a timerfd on the front's epoll and is answered
 * when it fires: no stream ever waits for another, on one connection or
 * across connections.  Faults act on the stream, not on the connection,
 * so the other streams of a multiplexed connection go on: fault=close
 * resets the stream (RST_STREAM) without an answer, fault=reset resets it
 * after half the declared body, fault=stall never answers.
 */
#define _GNU_SOURCE /* strndup */
#include "testserver_h2.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <nghttp2/nghttp2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define container_of(ptr, type, member)                                        \
	((type *)(void *)((char *)(ptr)-offsetof(type, member)))

/* Bytes read from a socket at once, and written out before a send. */
#define H2_IO_CHUNK (64u * 1024)

struct h2_conn;

struct h2_stream {
	struct h2_conn *conn;
	int32_t id;
	char *path, *method;
	struct ts_watch timer; /* fd -1 unless held back by a delay */
	bool held;	       /* counted in h2_server.held */
	bool started;	       /* the request was judged */
	bool dead;	       /* closed: freed by h2_server_reap */
	struct ts_query q;
	const char *src; /* the body: src cycled up to size bytes */
	size_t src_len;
	uint64_t size, sent;
	char status[4], length[24], why[160];
	struct h2_stream *prev, *next; /* dead: next on the dead list */
};

struct h2_conn {
	struct ts_watch w;
	struct h2_server *srv;
	nghttp2_session *sess;
	bool loopback;
	int64_t last_io_ns; /* for the idle timeout */
	uint8_t *out; /* bytes nghttp2 produced that the socket did not take */
	size_t out_len, out_off, out_cap;
	struct h2_stream *streams;
	bool dead;		     /* closed: freed by h2_server_reap */
	struct h2_conn *prev, *next; /* dead: next on the dead list */
};

struct h2_server {
	struct h2_config cfg;
	nghttp2_session_callbacks *cbs;
	nghttp2_option *opt;
	struct h2_conn *conns;
	size_t n_conns;
	uint64_t conns_total, streams_total; /* atomic */
	size_t held;			     /* atomic */
	/* closed, freed after the event batch that may still name them */
	struct h2_stream *dead_streams;
	struct h2_conn *dead_conns;
};

/* ---- streams ---- */

static void stream_unhold(struct h2_stream *st)
{
	struct h2_server *h = st->conn->srv;

	if (st->timer.fd >= 0) {
		epoll_ctl(h->cfg.epfd, EPOLL_CTL_DEL, st->timer.fd, NULL);
		close(st->timer.fd);
		st->timer.fd = -1;
	}
	if (st->held)
		__atomic_sub_fetch(&h->held, 1, __ATOMIC_RELAXED);
	st->held = false;
}

static void stream_free(struct h2_stream *st)
{
	struct h2_conn *c = st->conn;

	stream_unhold(st);
	if (st->prev)
		st->prev->next = st->next;
	else
		c->streams = st->next;
	if (st->next)
		st->next->prev = st->prev;
	st->dead = true;
	st->next = c->srv->dead_streams;
	c->srv->dead_streams = st;
}

static struct h2_stream *stream_new(struct h2_conn *c, int32_t id)
{
	struct h2_stream *st = xcalloc(1, sizeof(*st));

	st->conn = c;
	st->id = id;
	st->timer.fd = -1;
	st->next = c->streams;
	if (c->streams)
		c->streams->prev = st;
	c->streams = st;
	return st;
}

/* nghttp2's data source: the stream's body, cut short by fault=reset. */
static ssize_t body_read(nghttp2_session *sess, int32_t id, uint8_t *buf,
			 size_t length, uint32_t *flags,
			 nghttp2_data_source *source, void *user)
{
	struct h2_stream *st = source->ptr;
	uint64_t end = st->q.fault == FAULT_RESET ? st->size / 2 : st->size;
	size_t n = 0;

	(void)sess;
	(void)id;
	(void)user;
	if (st->q.fault == FAULT_RESET && st->sent >= end)
		return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
	while (n < length && st->sent < end) {
		size_t off = (size_t)(st->sent % st->src_len);
		size_t k = st->src_len - off;

		if (k > length - n)
			k = length - n;
		if (k > end - st->sent)
			k = (size_t)(end - st->sent);
		memcpy(buf + n, st->src + off, k);
		n += k;
		st->sent += k;
	}
	if (st->sent == st->size)
		*flags |= NGHTTP2_DATA_FLAG_EOF;
	return (ssize_t)n;
}

#define NV(name, value)                                                        \
	{                                                                      \
		(uint8_t *)(name), (uint8_t *)(value), sizeof(name) - 1,       \
			strlen(value), NGHTTP2_NV_FLAG_NONE                    \
	}

/* Answer with status and size bytes of src (cycled). */
static void stream_reply(struct h2_stream *st, unsigned status, const char *src,
			 size_t src_len, uint64_t size)
{
	nghttp2_data_provider prd = { .source.ptr = st,
				      .read_callback = body_read };
	bool head = st->method && strcmp(st->method, "HEAD") == 0;

	snprintf(st->status, sizeof(st->status), "%u", status);
	snprintf(st->length, sizeof(st->length), "%" PRIu64, size);
	st->src = src;
	st->src_len = src_len ? src_len : 1;
	st->size = size;
	st->sent = 0;
	nghttp2_nv nva[] = {
		NV(":status", st->status),
		NV("content-length", st->length),
		NV("content-type", "text/plain"),
	};
	nghttp2_submit_response(st->conn->sess, st->id, nva, ARRAY_SIZE(nva),
				head || size == 0 ? NULL : &prd);
	__atomic_add_fetch(&st->conn->srv->streams_total, 1, __ATOMIC_RELAXED);
}

static void stream_text(struct h2_stream *st, unsigned status, const char *text)
{
	stream_reply(st, status, text, strlen(text), strlen(text));
}

/* Answer a request whose delay (if any) is over. */
static void stream_answer(struct h2_stream *st)
{
	const struct h2_config *cfg = &st->conn->srv->cfg;
	uint64_t size = st->q.size;

	if (st->q.fault == FAULT_CLOSE) {
		nghttp2_submit_rst_stream(st->conn->sess, NGHTTP2_FLAG_NONE,
					  st->id, NGHTTP2_INTERNAL_ERROR);
		return;
	}
	if (st->q.fault == FAULT_RESET && size < 2)
		size = 2;
	stream_reply(st, st->q.status, cfg->body, cfg->body_len, size);
}

static int conn_flush(struct h2_conn *c);
static void conn_close(struct h2_conn *c);

static void on_stream_timer(struct ts_watch *w, uint32_t events)
{
	struct h2_stream *st = container_of(w, struct h2_stream, timer);
	struct h2_conn *c = st->conn;
	uint64_t ticks;

	(void)events;
	if (st->dead)
		return;
	if (read(w->fd, &ticks, sizeof(ticks)) < 0 && errno == EAGAIN)
		return;
	stream_unhold(st);
	stream_answer(st);
	if (conn_flush(c) < 0)
		conn_close(c);
}

/* Hold st back for delay_ns (a stall: for ever).  False: answer now. */
static bool stream_hold(struct h2_stream *st, uint64_t delay_ns)
{
	struct h2_server *h = st->conn->srv;
	struct itimerspec its = {
		.it_value = { .tv_sec = (time_t)(delay_ns / 1000000000ULL),
			      .tv_nsec = (long)(delay_ns % 1000000000ULL) },
	};
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &st->timer };

	if (st->q.fault != FAULT_STALL) {
		st->timer.fd = timerfd_create(CLOCK_MONOTONIC,
					      TFD_NONBLOCK | TFD_CLOEXEC);
		st->timer.on_event = on_stream_timer;
		if (st->timer.fd < 0 ||
		    timerfd_settime(st->timer.fd, 0, &its, NULL) < 0 ||
		    epoll_ctl(h->cfg.epfd, EPOLL_CTL_ADD, st->timer.fd, &ev) <
			    0) {
			stream_unhold(st);
			return false;
		}
	}
	st->held = true;
	__atomic_add_fetch(&h->held, 1, __ATOMIC_RELAXED);
	return true;
}

/* The request is complete: judge it, then answer or hold it back. */
static void stream_begin(struct h2_stream *st)
{
	struct h2_server *h = st->conn->srv;
	const char *path = st->path ? st->path : "";
	const char *query = strchr(path, '?');
	size_t plen = query ? (size_t)(query - path) : strlen(path);
	struct ts_args args;
	int rc;

	st->started = true;
	if (!st->method || (strcmp(st->method, "GET") != 0 &&
			    strcmp(st->method, "HEAD") != 0)) {
		stream_text(st, 405, "method not allowed\n");
		return;
	}
	if (plen != 1 || path[0] != '/') {
		stream_text(st, 404, "not found\n");
		return;
	}
	ts_args_parse(query ? query + 1 : "", &args);
	rc = ts_query_parse(ts_args_get, &args, &h->cfg.limits, &st->q, st->why,
			    sizeof(st->why));
	ts_args_free(&args);
	if (rc < 0)
		stream_text(st, 400, st->why);
	else if (st->q.fault != FAULT_NONE && !h->cfg.remote_faults &&
		 !st->conn->loopback)
		stream_text(st, 403,
			    "fault modes answer only clients on the server's "
			    "loopback (concur serve --allow-remote-faults)\n");
	else if (!(st->q.delay_ns || st->q.fault == FAULT_STALL) ||
		 !stream_hold(st, st->q.delay_ns))
		stream_answer(st);
}

/* ---- nghttp2 callbacks ---- */

static int on_begin_headers(nghttp2_session *sess, const nghttp2_frame *frame,
			    void *user)
{
	struct h2_conn *c = user;

	if (frame->hd.type != NGHTTP2_HEADERS ||
	    frame->headers.cat != NGHTTP2_HCAT_REQUEST)
		return 0;
	nghttp2_session_set_stream_user_data(
		sess, frame->hd.stream_id, stream_new(c, frame->hd.stream_id));
	return 0;
}

static int on_header(nghttp2_session *sess, const nghttp2_frame *frame,
		     const uint8_t *name, size_t namelen, const uint8_t *value,
		     size_t valuelen, uint8_t flags, void *user)
{
	struct h2_stream *st =
		nghttp2_session_get_stream_user_data(sess, frame->hd.stream_id);
	char **slot = NULL;

	(void)flags;
	(void)user;
	if (!st || frame->hd.type != NGHTTP2_HEADERS)
		return 0;
	if (namelen == 5 && memcmp(name, ":path", 5) == 0)
		slot = &st->path;
	else if (namelen == 7 && memcmp(name, ":method", 7) == 0)
		slot = &st->method;
	if (slot && !*slot)
		*slot = strndup((const char *)value, valuelen);
	return 0;
}

static int on_frame_recv(nghttp2_session *sess, const nghttp2_frame *frame,
			 void *user)
{
	struct h2_stream *st;

	(void)user;
	if ((frame->hd.type != NGHTTP2_HEADERS &&
	     frame->hd.type != NGHTTP2_DATA) ||
	    !(frame->hd.flags & NGHTTP2_FLAG_END_STREAM))
		return 0;
	st = nghttp2_session_get_stream_user_data(sess, frame->hd.stream_id);
	if (st && !st->started)
		stream_begin(st);
	return 0;
}

static int on_stream_close(nghttp2_session *sess, int32_t id,
			   uint32_t error_code, void *user)
{
	struct h2_stream *st = nghttp2_session_get_stream_user_data(sess, id);

	(void)error_code;
	(void)user;
	if (st)
		stream_free(st);
	return 0;
}

/* ---- connections ---- */

static void conn_close(struct h2_conn *c)
{
	struct h2_server *h = c->srv;

	epoll_ctl(h->cfg.epfd, EPOLL_CTL_DEL, c->w.fd, NULL);
	close(c->w.fd);
	nghttp2_session_del(c->sess); /* calls no stream-close callback */
	while (c->streams)
		stream_free(c->streams);
	if (c->prev)
		c->prev->next = c->next;
	else
		h->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	h->n_conns--;
	free(c->out);
	c->dead = true;
	c->next = h->dead_conns;
	h->dead_conns = c;
}

/* Send what is buffered; -1 on a dead socket, else 0 (maybe not all). */
static int out_send(struct h2_conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->w.fd, c->out + c->out_off,
				 c->out_len - c->out_off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? 0 : -1;
		c->out_off += (size_t)n;
	}
	c->out_off = c->out_len = 0;
	return 0;
}

/*
 * Write what nghttp2 has to send, gathered into chunks; what the socket
 * does not take waits for EPOLLOUT.  Returns -1 when the connection is
 * done or broken (the caller closes it).
 */
static int conn_flush(struct h2_conn *c)
{
	for (;;) {
		const uint8_t *data;
		ssize_t n;

		if (out_send(c) < 0)
			return -1;
		if (c->out_len)
			return 0; /* the socket is full */
		while (c->out_len < H2_IO_CHUNK &&
		       (n = nghttp2_session_mem_send(c->sess, &data)) > 0) {
			xgrow((void **)&c->out, &c->out_cap,
			      c->out_len + (size_t)n, 1);
			memcpy(c->out + c->out_len, data, (size_t)n);
			c->out_len += (size_t)n;
		}
		if (c->out_len == 0)
			break;
	}
	if (!nghttp2_session_want_read(c->sess) &&
	    !nghttp2_session_want_write(c->sess))
		return -1;
	return 0;
}

/* Read all the socket has (edge-triggered) into nghttp2. */
static int conn_read(struct h2_conn *c)
{
	uint8_t buf[H2_IO_CHUNK];

	for (;;) {
		ssize_t n = recv(c->w.fd, buf, sizeof(buf), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? 0 : -1;
		if (n == 0)
			return -1;
		if (nghttp2_session_mem_recv(c->sess, buf, (size_t)n) < 0)
			return -1;
	}
}

static void on_conn_event(struct ts_watch *w, uint32_t events)
{
	struct h2_conn *c = container_of(w, struct h2_conn, w);

	if (c->dead)
		return;
	c->last_io_ns = mono_now_ns();
	if ((events & (EPOLLIN | EPOLLERR | EPOLLHUP)) && conn_read(c) < 0) {
		conn_close(c);
		return;
	}
	if (conn_flush(c) < 0)
		conn_close(c);
}

void h2_server_adopt(struct h2_server *h, int fd, bool loopback)
{
	nghttp2_settings_entry settings[] = {
		{ NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, H2_MAX_STREAMS },
	};
	struct h2_conn *c = xcalloc(1, sizeof(*c));
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLET,
				  .data.ptr = &c->w };

	c->w.fd = fd;
	c->w.on_event = on_conn_event;
	c->srv = h;
	c->loopback = loopback;
	c->last_io_ns = mono_now_ns();
	if (nghttp2_session_server_new2(&c->sess, h->cbs, c, h->opt) != 0) {
		close(fd);
		free(c);
		return;
	}
	c->next = h->conns;
	if (h->conns)
		h->conns->prev = c;
	h->conns = c;
	h->n_conns++;
	__atomic_add_fetch(&h->conns_total, 1, __ATOMIC_RELAXED);
	nghttp2_submit_settings(c->sess, NGHTTP2_FLAG_NONE, settings,
				ARRAY_SIZE(settings));
	if (epoll_ctl(h->cfg.epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		conn_close(c);
}

struct h2_server *h2_server_create(const struct h2_config *cfg)
{
	struct h2_server *h = xcalloc(1, sizeof(*h));

	h->cfg = *cfg;
	if (nghttp2_session_callbacks_new(&h->cbs) != 0 ||
	    nghttp2_option_new(&h->opt) != 0) {
		h2_server_destroy(h);
		return NULL;
	}
	nghttp2_session_callbacks_set_on_begin_headers_callback(
		h->cbs, on_begin_headers);
	nghttp2_session_callbacks_set_on_header_callback(h->cbs, on_header);
	nghttp2_session_callbacks_set_on_frame_recv_callback(h->cbs,
							     on_frame_recv);
	nghttp2_session_callbacks_set_on_stream_close_callback(h->cbs,
							       on_stream_close);
	/* a server that answers 10,000s of streams keeps none it closed */
	nghttp2_option_set_no_closed_streams(h->opt, 1);
	return h;
}

void h2_server_reap(struct h2_server *h)
{
	while (h->dead_streams) {
		struct h2_stream *st = h->dead_streams;

		h->dead_streams = st->next;
		free(st->path);
		free(st->method);
		free(st);
	}
	while (h->dead_conns) {
		struct h2_conn *c = h->dead_conns;

		h->dead_conns = c->next;
		free(c);
	}
}

void h2_server_destroy(struct h2_server *h)
{
	if (!h)
		return;
	while (h->conns)
		conn_close(h->conns);
	h2_server_reap(h);
	nghttp2_session_callbacks_del(h->cbs);
	nghttp2_option_del(h->opt);
	free(h);
}

void h2_server_sweep(struct h2_server *h, int64_t now_ns, int64_t idle_ns)
{
	struct h2_conn *c, *next;

	for (c = h->conns; c; c = next) {
		next = c->next;
		if (!c->streams && now_ns - c->last_io_ns >= idle_ns)
			conn_close(c);
	}
}

size_t h2_server_conns(struct h2_server *h)
{
	return h->n_conns;
}

uint64_t h2_server_conns_total(struct h2_server *h)
{
	return __atomic_load_n(&h->conns_total, __ATOMIC_RELAXED);
}

uint64_t h2_server_streams_total(struct h2_server *h)
{
	return __atomic_load_n(&h->streams_total, __ATOMIC_RELAXED);
}

size_t h2_server_held(struct h2_server *h)
{
	return __atomic_load_n(&h->held, __ATOMIC_RELAXED);
}
