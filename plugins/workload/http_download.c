/*
 * http_download - the article's I/O-bound workload: download `count` pages
 * with libcurl, from the embedded test server (url = builtin) or from any
 * http:// / https:// URLs (tasks cycle through them).
 *
 * Two faces:
 *  - blocking (worker_init with loop == NULL): one easy handle per worker,
 *    reused across its tasks, so with reuse_connections the worker keeps its
 *    connection alive (the article's thread-local requests.Session);
 *  - event loop (worker_init with a loop): transfers driven through curl's
 *    multi_socket API by the loop's fds and timers, with a pool of easy
 *    handles reused across tasks, spread over "shards" (below).
 *
 * Why shards: libcurl 7.88 walks the connections of a multi handle's cache
 * for every transfer it starts (looking for one to reuse) and again for
 * every handle removed (close_connect_only), so one multi handle holding
 * 10,000 connections spends O(n^2) CPU: seconds at 10,000 in flight.  A
 * shard is one multi handle with its own connection cache and timer, all on
 * the loop's one epoll; it holds at most HTTP_SHARD_CONNS connections.  A
 * task goes to a shard with an idle connection first, else to a shard with
 * room, else to a new shard, so a new connection opens only when no shard
 * has an idle one: with reuse on, connections never outnumber the tasks
 * that were in flight at once.  The shards share one DNS and TLS session
 * cache (CURLSH).
 *
 * A task succeeds when curl completes, the HTTP status matches
 * expect_status and, if expect_bytes >= 0, the body has that many bytes.
 * Every task records its body bytes (rec->bytes), the HTTP status
 * (rec->detail) and CONCUR_TASK_NEW_CONN when it opened a connection.  A
 * task that cannot get a socket for lack of file descriptors fails with
 * -EMFILE and says which limit to raise.
 */
#define _GNU_SOURCE /* asprintf, SOCK_CLOEXEC */
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <concur/plugin.h>

/*
 * Idle connections a shard's multi handle may keep for reuse: far above
 * what a shard holds, since curl's default (4 x the handles currently
 * added) shrinks as handles leave and would close reusable connections.
 */
#define HTTP_MAX_IDLE_CONNS 100000L
/* Connections one shard (multi handle) opens before a new shard is made. */
#define HTTP_SHARD_CONNS 128
/* Streams curl may open on one multiplexed connection (curl's default: 100). */
#define HTTP_MAX_STREAMS 100000L
/*
 * Easy handles made by prepare, before the timed region, for the event-loop
 * face: in a run's fresh process a new handle costs ~17 us of CPU (mostly
 * first-touch page faults), set-up that is no part of a download.  At most
 * this many, since the workload cannot know how many tasks the strategy
 * keeps in flight; loops make more when they run out.
 */
#define HTTP_POOL_MAX 256
/*
 * Room for the builtin server's status line and headers (75 bytes for a
 * 1 KiB body: status, Date, Content-Length) beside its body, in a receive
 * buffer sized to hold the whole response.  With 10,000 downloads in flight
 * every byte of it is held 10,000 times.
 */
#define HTTP_HEAD_ROOM 256
/* The smallest receive buffer libcurl takes (CURL_MIN_BUFFERSIZE in 7.88). */
#define HTTP_MIN_BUFFER 1024
/* libcurl's default receive buffer (CURL_MAX_WRITE_SIZE), the most we ask. */
#define HTTP_DEFAULT_BUFFER 16384
/*
 * Heap one download in flight takes besides its receive buffer: libcurl's
 * connection, request and header state and the socket's entries (massif,
 * libcurl 7.88, the easy handle itself not counted: about 6 KiB), rounded up.
 */
#define HTTP_XFER_HEAP 8192
/* The pieces the heap is made present in: below glibc's mmap threshold. */
#define HTTP_HEAP_CHUNK (64 * 1024)
/* glibc's M_TOP_PAD, the slack it adds to every growth of the heap. */
#define M_TOP_PAD_DEFAULT (128 * 1024)

enum http_param_index {
	P_URL,
	P_COUNT,
	P_LATENCY,
	P_BODY,
	P_REUSE,
	P_CONNECT_TIMEOUT,
	P_TIMEOUT,
	P_EXPECT_STATUS,
	P_EXPECT_BYTES,
	P_HTTP_VERSION,
	P_MULTIPLEX,
};

struct http_instance {
	char **urls; /* the URL of task i is urls[i % n_urls] */
	bool *builtin;
	size_t n_urls;
	size_t count;
	bool reuse;
	long connect_timeout_ms, timeout_ms;
	int expect_status; /* 100..599, or 1..5 for a class "Nxx" */
	char expect_text[8];
	int64_t expect_bytes; /* -1 = not checked */
	long http_version; /* CURL_HTTP_VERSION_1_1 or CURL_HTTP_VERSION_2_0 */
	bool multiplex;	   /* HTTP/2 streams share a shard's connections */
	long buffer_size;  /* CURLOPT_BUFFERSIZE, 0 = libcurl's default */
	struct http_xfer **pool;  /* handles made by prepare, taken in order */
	size_t n_pool, pool_next; /* pool_next: atomic, may exceed n_pool */
};

struct http_worker;
struct http_shard;

/* One easy handle and the state of the transfer it runs. */
struct http_xfer {
	CURL *easy;
	struct http_worker *worker;
	struct http_shard *shard; /* event loop: the multi it is added to */
	struct concur_task *rec;
	size_t task;
	uint64_t bytes;
	int sock_errno; /* why the transfer could not open a socket */
	bool active;	/* added to a multi handle */
	bool h2_open;	/* blocking face: its last download left HTTP/2 open */
	struct http_xfer *next_free;
	char errbuf[CURL_ERROR_SIZE];
};

/* Per-socket state of the multi face, attached with curl_multi_assign. */
struct http_sock {
	curl_socket_t fd;
	unsigned events;
	struct http_sock *prev, *next;
};

/* The lists a shard is on while it can take a task (see shard_update). */
enum shard_list_id {
	SHARD_IDLE, /* it has an idle connection to reuse */
	SHARD_ROOM, /* it may open another connection */
	SHARD_LISTS,
};

struct shard_link {
	struct http_shard *prev, *next;
	bool linked;
};

/* One multi handle of an event-loop worker, see the top of the file. */
struct http_shard {
	struct http_worker *worker;
	CURLM *multi;
	struct concur_timer timer;
	long active; /* transfers added and not finished */
	long conns; /* its open sockets: connections busy or idle in its cache */
	struct shard_link link[SHARD_LISTS];
};

struct http_worker {
	struct http_instance *inst;
	struct concur_loop *loop; /* NULL: blocking face */
	struct http_xfer **xfers; /* every handle this worker made */
	size_t n_xfers, cap_xfers;
	struct http_xfer *free_list; /* the blocking face: its one handle */
	struct http_shard **shards;  /* the event-loop face: its multis */
	size_t n_shards, cap_shards;
	struct http_shard *lists[SHARD_LISTS];
	CURLSH *share; /* DNS and TLS sessions, shared by the shards */
	struct http_sock *socks;
	bool closing; /* worker_fini runs: shards take no more tasks */
};

/* ---- create / destroy ---- */

static bool curl_ready;

/*
 * curl_global_init is not thread-safe: do it here, since create runs in the
 * run's process before the strategy starts any thread.  SIGPIPE is ignored
 * because a TLS write to a closed socket may raise it despite NOSIGNAL.
 */
static int curl_init_once(char *err, size_t errlen)
{
	CURLcode rc;

	if (curl_ready)
		return 0;
	rc = curl_global_init(CURL_GLOBAL_DEFAULT);
	if (rc != CURLE_OK) {
		snprintf(err, errlen, "curl_global_init failed: %s",
			 curl_easy_strerror(rc));
		return -EIO;
	}
	signal(SIGPIPE, SIG_IGN);
	curl_ready = true;
	return 0;
}

static void xfer_free(struct http_xfer *x);

static void http_destroy(void *instance)
{
	struct http_instance *inst = instance;

	if (!inst)
		return;
	/* Handles still in the pool; the taken ones went with their worker. */
	for (size_t i = inst->pool_next; i < inst->n_pool; i++)
		xfer_free(inst->pool[i]);
	free(inst->pool);
	for (size_t i = 0; i < inst->n_urls; i++)
		free(inst->urls[i]);
	free(inst->urls);
	free(inst->builtin);
	free(inst);
}

/* "2xx" (any class 1xx..5xx) or an exact code 100..599. */
static int expect_parse(struct http_instance *inst, const char *text, char *err,
			size_t errlen)
{
	char *end;
	long v;

	snprintf(inst->expect_text, sizeof(inst->expect_text), "%s", text);
	if (strlen(text) == 3 && text[0] >= '1' && text[0] <= '5' &&
	    tolower((unsigned char)text[1]) == 'x' &&
	    tolower((unsigned char)text[2]) == 'x') {
		inst->expect_status = text[0] - '0';
		return 0;
	}
	errno = 0;
	v = strtol(text, &end, 10);
	if (!errno && end != text && !*end && v >= 100 && v <= 599) {
		inst->expect_status = (int)v;
		return 0;
	}
	snprintf(err, errlen,
		 "expect_status '%.40s' is neither a status class such as "
		 "2xx nor a status code from 100 to 599",
		 text);
	return -EINVAL;
}

static bool scheme_ok(const char *url)
{
	return strncasecmp(url, "http://", 7) == 0 ||
	       strncasecmp(url, "https://", 8) == 0;
}

/* The builtin server's URL for this instance's latency and body size. */
static char *builtin_url(const union concur_value *params, char *err,
			 size_t errlen)
{
	const char *base = getenv(CONCUR_BUILTIN_URL_ENV);
	char *url;

	if (!base || !*base) {
		snprintf(err, errlen,
			 "url = builtin needs the embedded test server, but "
			 "%s is not set (concur sets it when it starts the "
			 "server; outside concur run `concur serve` and set "
			 "it, or give an http:// URL)",
			 CONCUR_BUILTIN_URL_ENV);
		return NULL;
	}
	if (asprintf(&url, "%s%sdelay_us=%" PRId64 "&size=%" PRIu64, base,
		     strchr(base, '?') ? "&" : "?", params[P_LATENCY].ns / 1000,
		     params[P_BODY].bytes) < 0)
		return NULL;
	return url;
}

static int urls_build(struct http_instance *inst,
		      const union concur_value *params, char *err,
		      size_t errlen)
{
	const struct concur_list *list = &params[P_URL].list;

	if (list->count == 0) {
		snprintf(err, errlen,
			 "url is empty: give 'builtin' or http(s) URLs, one "
			 "per line");
		return -EINVAL;
	}
	inst->urls = calloc(list->count, sizeof(*inst->urls));
	inst->builtin = calloc(list->count, sizeof(*inst->builtin));
	if (!inst->urls || !inst->builtin)
		return -ENOMEM;
	for (size_t i = 0; i < list->count; i++, inst->n_urls++) {
		const char *item = list->items[i];

		inst->builtin[i] = strcmp(item, "builtin") == 0;
		if (!inst->builtin[i] && !scheme_ok(item)) {
			snprintf(err, errlen,
				 "url '%.80s' is not supported: use 'builtin' "
				 "or an http:// or https:// URL",
				 item);
			return -EINVAL;
		}
		inst->urls[i] = inst->builtin[i]
					? builtin_url(params, err, errlen)
					: strdup(item);
		if (!inst->urls[i])
			return *err ? -EINVAL : -ENOMEM;
	}
	return 0;
}

/*
 * http_version and multiplex.  multiplex with reuse_connections = false is
 * refused: one forbids what the other asks.  With http_version = 1.1 it
 * changes nothing, and on the blocking face neither: a worker there has one
 * download in flight, so there is never a second stream to share with.
 */
static int version_parse(struct http_instance *inst,
			 const union concur_value *params, char *err,
			 size_t errlen)
{
	const char *text = params[P_HTTP_VERSION].s;

	if (strcmp(text, "1.1") == 0) {
		inst->http_version = CURL_HTTP_VERSION_1_1;
	} else if (strcmp(text, "2") == 0) {
		inst->http_version = CURL_HTTP_VERSION_2_0;
	} else {
		snprintf(err, errlen,
			 "http_version '%.40s' is not supported: use 1.1 or 2 "
			 "(2 = HTTP/2, with prior knowledge on http:// URLs "
			 "and by ALPN on https://)",
			 text);
		return -EINVAL;
	}
	inst->multiplex = params[P_MULTIPLEX].b;
	if (inst->multiplex && !inst->reuse) {
		snprintf(err, errlen,
			 "multiplex = true shares connections between "
			 "downloads, reuse_connections = false forbids "
			 "sharing them: set one of the two differently");
		return -EINVAL;
	}
	return 0;
}

/*
 * A receive buffer that holds the builtin server's whole response when
 * every URL is builtin and that fits in libcurl's default: the same single
 * recv per response, less memory touched per transfer (10,000 in flight
 * hold 10,000 buffers).  Otherwise libcurl's default.
 */
static long buffer_size(const union concur_value *params)
{
	const struct concur_list *list = &params[P_URL].list;
	uint64_t body = params[P_BODY].bytes;

	for (size_t i = 0; i < list->count; i++)
		if (strcmp(list->items[i], "builtin") != 0)
			return 0;
	if (body >= HTTP_DEFAULT_BUFFER - HTTP_HEAD_ROOM)
		return 0;
	if (body + HTTP_HEAD_ROOM < HTTP_MIN_BUFFER)
		return HTTP_MIN_BUFFER;
	return (long)body + HTTP_HEAD_ROOM;
}

static int http_create(const union concur_value *params, void **ret_instance,
		       char *err, size_t errlen)
{
	struct http_instance *inst = calloc(1, sizeof(*inst));
	int rc;

	err[0] = '\0';
	if (!inst)
		return -ENOMEM;
	inst->count = (size_t)params[P_COUNT].i;
	inst->reuse = params[P_REUSE].b;
	inst->connect_timeout_ms =
		(long)(params[P_CONNECT_TIMEOUT].ns / 1000000);
	inst->timeout_ms = (long)(params[P_TIMEOUT].ns / 1000000);
	inst->expect_bytes = params[P_EXPECT_BYTES].i;
	inst->buffer_size = buffer_size(params);
	rc = expect_parse(inst, params[P_EXPECT_STATUS].s, err, errlen);
	if (!rc)
		rc = version_parse(inst, params, err, errlen);
	if (!rc)
		rc = urls_build(inst, params, err, errlen);
	if (!rc)
		rc = curl_init_once(err, errlen);
	if (rc) {
		if (rc == -ENOMEM && !*err)
			snprintf(err, errlen, "out of memory");
		http_destroy(inst);
		return rc;
	}
	*ret_instance = inst;
	return 0;
}

static size_t http_task_count(void *instance)
{
	return ((struct http_instance *)instance)->count;
}

/* ---- one transfer ---- */

/* Discards the body, counting it. */
static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	struct http_xfer *x = arg;

	(void)data;
	x->bytes += size * n;
	return size * n;
}

/* Make room for n elements of `size` bytes in *arr (capacity *cap). */
static int array_reserve(void **arr, size_t *cap, size_t n, size_t size)
{
	size_t want = *cap ? *cap : 16;
	void *grown;

	if (n <= *cap)
		return 0;
	while (want < n)
		want *= 2;
	grown = realloc(*arr, want * size);
	if (!grown)
		return -ENOMEM;
	*arr = grown;
	*cap = want;
	return 0;
}

static void shard_update(struct http_shard *s);

/*
 * CURLOPT_OPENSOCKETFUNCTION: the socket of a new connection.  Counting it
 * tells the transfer's shard how many connections it holds; the errno of a
 * failure lets the task say that file descriptors ran out.
 */
static curl_socket_t on_open_socket(void *clientp, curlsocktype purpose,
				    struct curl_sockaddr *addr)
{
	struct http_xfer *x = clientp;
	int fd;

	(void)purpose;
	fd = socket(addr->family, addr->socktype | SOCK_CLOEXEC,
		    addr->protocol);
	if (fd < 0) {
		x->sock_errno = errno;
		return CURL_SOCKET_BAD;
	}
	if (x->shard) {
		x->shard->conns++;
		shard_update(x->shard);
	}
	return fd;
}

/*
 * CURLOPT_CLOSESOCKETFUNCTION.  curl copies the callback and its data into
 * the connection when it opens it, so clientp is the shard whose cache
 * holds the connection (NULL on the blocking face), whichever easy handle
 * closes it.
 */
static int on_close_socket(void *clientp, curl_socket_t fd)
{
	struct http_shard *s = clientp;

	if (s) {
		s->conns--;
		shard_update(s);
	}
	return close(fd);
}

static void xfer_free(struct http_xfer *x)
{
	if (x && x->easy)
		curl_easy_cleanup(x->easy);
	free(x);
}

/* A handle with every option but the worker's share: see xfer_adopt. */
static struct http_xfer *xfer_make(const struct http_instance *inst)
{
	struct http_xfer *x = calloc(1, sizeof(*x));

	if (!x || !(x->easy = curl_easy_init())) {
		xfer_free(x);
		return NULL;
	}
	curl_easy_setopt(x->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(x->easy, CURLOPT_PRIVATE, x);
	curl_easy_setopt(x->easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(x->easy, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(x->easy, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(x->easy, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
	curl_easy_setopt(x->easy, CURLOPT_OPENSOCKETDATA, x);
	curl_easy_setopt(x->easy, CURLOPT_CLOSESOCKETFUNCTION, on_close_socket);
	curl_easy_setopt(x->easy, CURLOPT_CLOSESOCKETDATA, NULL);
	curl_easy_setopt(x->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(x->easy, CURLOPT_USERAGENT,
			 "concur-http_download/1.0");
	curl_easy_setopt(x->easy, CURLOPT_CONNECTTIMEOUT_MS,
			 inst->connect_timeout_ms);
	curl_easy_setopt(x->easy, CURLOPT_TIMEOUT_MS, inst->timeout_ms);
	if (inst->buffer_size)
		curl_easy_setopt(x->easy, CURLOPT_BUFFERSIZE,
				 inst->buffer_size);
	if (!inst->reuse) {
		curl_easy_setopt(x->easy, CURLOPT_FRESH_CONNECT, 1L);
		curl_easy_setopt(x->easy, CURLOPT_FORBID_REUSE, 1L);
	}
	return x;
}

/* Make x one of w's handles (freed by worker_fini); false: no memory. */
static bool xfer_adopt(struct http_worker *w, struct http_xfer *x)
{
	if (array_reserve((void **)&w->xfers, &w->cap_xfers, w->n_xfers + 1,
			  sizeof(*w->xfers)))
		return false;
	w->xfers[w->n_xfers++] = x;
	x->worker = w;
	if (w->share)
		curl_easy_setopt(x->easy, CURLOPT_SHARE, w->share);
	return true;
}

static struct http_xfer *xfer_new(struct http_worker *w)
{
	struct http_xfer *x = xfer_make(w->inst);

	if (x && !xfer_adopt(w, x)) {
		xfer_free(x);
		x = NULL;
	}
	return x;
}

/*
 * Will the download x is about to start reuse an HTTP/2 connection?  On
 * the loop face: when its shard has one idle, or (multiplex) has one open
 * or being opened by a download in flight; on the blocking face: when the
 * worker's last download left one open.
 */
static bool xfer_reuses_h2(const struct http_xfer *x)
{
	const struct http_shard *s = x->shard;

	if (!x->worker->loop)
		return x->h2_open;
	if (x->worker->inst->multiplex)
		return s->active > 0 || s->conns > 0;
	return s->conns > s->active;
}

/*
 * The protocol asked for: HTTP/2 over TLS is negotiated (ALPN), over
 * cleartext spoken from the first byte (prior knowledge).  libcurl before
 * 8.0 breaks a reused connection when a download on it asks for prior
 * knowledge (it switches the connection to HTTP/2 a second time: "Error in
 * the HTTP2 framing layer"), so there a download that reuses one asks for
 * plain HTTP/2, which takes the connection as it is.  PIPEWAIT makes a
 * multiplexed download wait for a connection being opened to the same host
 * instead of opening one more.  Call after xfer_prepare.
 */
static void xfer_set_version(struct http_xfer *x)
{
	const struct http_instance *inst = x->worker->inst;
	bool fixed =
		curl_version_info(CURLVERSION_NOW)->version_num >= 0x080000;
	const char *url = inst->urls[x->task % inst->n_urls];
	long v = inst->http_version;

	if (v == CURL_HTTP_VERSION_2_0 && strncasecmp(url, "https://", 8) == 0)
		v = CURL_HTTP_VERSION_2TLS;
	else if (v == CURL_HTTP_VERSION_2_0 && (fixed || !xfer_reuses_h2(x)))
		v = CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE;
	curl_easy_setopt(x->easy, CURLOPT_HTTP_VERSION, v);
	curl_easy_setopt(x->easy, CURLOPT_PIPEWAIT, inst->multiplex ? 1L : 0L);
}

/* The version libcurl actually spoke, checked against the one asked for. */
static bool version_ok(const struct http_xfer *x, char *msg, size_t len)
{
	long want = x->worker->inst->http_version, got = 0;

	curl_easy_getinfo(x->easy, CURLINFO_HTTP_VERSION, &got);
	if (got == want)
		return true;
	snprintf(msg, len,
		 "the download came back over %s, but http_version asks for "
		 "%s",
		 got == CURL_HTTP_VERSION_1_0	? "HTTP/1.0"
		 : got == CURL_HTTP_VERSION_1_1 ? "HTTP/1.1"
		 : got == CURL_HTTP_VERSION_2_0 ? "HTTP/2"
		 : got == CURL_HTTP_VERSION_3	? "HTTP/3"
						: "an unknown HTTP version",
		 want == CURL_HTTP_VERSION_2_0 ? "HTTP/2" : "HTTP/1.1");
	return false;
}

static void xfer_prepare(struct http_xfer *x, size_t task,
			 struct concur_task *rec)
{
	const struct http_instance *inst = x->worker->inst;
	size_t u = task % inst->n_urls;

	x->task = task;
	x->rec = rec;
	x->bytes = 0;
	x->sock_errno = 0;
	x->errbuf[0] = '\0';
	curl_easy_setopt(x->easy, CURLOPT_URL, inst->urls[u]);
	/* The builtin server is local: never send it through a proxy. */
	curl_easy_setopt(x->easy, CURLOPT_NOPROXY,
			 inst->builtin[u] ? "*" : NULL);
}

/* A transfer that found no file descriptor for its socket: say which limit. */
static int fds_exhausted(const struct http_xfer *x, char *msg, size_t len)
{
	struct rlimit rl = { 0, 0 };

	getrlimit(RLIMIT_NOFILE, &rl);
	snprintf(msg, len,
		 "cannot open a socket: %s (file descriptor limit %llu, hard "
		 "limit %llu): fewer tasks in flight (max_inflight, workers) "
		 "or a higher `ulimit -Hn`",
		 strerror(x->sock_errno), (unsigned long long)rl.rlim_cur,
		 (unsigned long long)rl.rlim_max);
	return -EMFILE;
}

static int curl_status(CURLcode rc)
{
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		return -ETIMEDOUT;
	case CURLE_COULDNT_CONNECT:
		return -ECONNREFUSED;
	case CURLE_COULDNT_RESOLVE_HOST:
		return -EHOSTUNREACH;
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
	case CURLE_HTTP2_STREAM:
		return -ECONNRESET;
	default:
		return -EIO;
	}
}

static bool status_ok(const struct http_instance *inst, long code)
{
	if (inst->expect_status < 10)
		return code / 100 == inst->expect_status;
	return code == inst->expect_status;
}

/*
 * Fill the task record from a finished transfer and judge it: returns the
 * task's status, with the reason in msg when it failed.
 */
static int xfer_finish(struct http_xfer *x, CURLcode res, char *msg, size_t len)
{
	const struct http_instance *inst = x->worker->inst;
	struct concur_task *rec = x->rec;
	long code = 0, conns = 0;
	int status = 0;

	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(x->easy, CURLINFO_NUM_CONNECTS, &conns);
	rec->bytes = x->bytes;
	rec->detail = (uint16_t)code;
	if (conns > 0)
		rec->flags |= CONCUR_TASK_NEW_CONN;
	if (res != CURLE_OK &&
	    (x->sock_errno == EMFILE || x->sock_errno == ENFILE)) {
		status = fds_exhausted(x, msg, len);
	} else if (res != CURLE_OK) {
		snprintf(msg, len, "curl: %.240s",
			 x->errbuf[0] ? x->errbuf : curl_easy_strerror(res));
		status = curl_status(res);
	} else if (!version_ok(x, msg, len)) {
		status = -EPROTO;
	} else if (!status_ok(inst, code)) {
		snprintf(msg, len, "HTTP status %ld, expected %s", code,
			 inst->expect_text);
		status = -EPROTO;
	} else if (inst->expect_bytes >= 0 &&
		   x->bytes != (uint64_t)inst->expect_bytes) {
		snprintf(msg, len,
			 "got %" PRIu64 " body bytes, expected %" PRId64,
			 x->bytes, inst->expect_bytes);
		status = -EPROTO;
	}
	rec->status = status;
	return status;
}

/* ---- the blocking face ---- */

static int http_run_task(void *instance, void *worker, size_t task,
			 struct concur_task *rec, char *err, size_t errlen)
{
	struct http_worker *w = worker;
	struct http_xfer *x = w->free_list;

	long version = 0;
	int status;

	(void)instance;
	xfer_prepare(x, task, rec);
	xfer_set_version(x);
	status = xfer_finish(x, curl_easy_perform(x->easy), err, errlen);
	curl_easy_getinfo(x->easy, CURLINFO_HTTP_VERSION, &version);
	x->h2_open = x->worker->inst->reuse && version == CURL_HTTP_VERSION_2_0;
	return status;
}

/* ---- the event-loop face: curl's multi_socket API on the loop ---- */

static void multi_drain(struct http_shard *s);
static void multi_fail_all(struct http_shard *s, const char *why);

static void multi_action(struct http_shard *s, curl_socket_t fd, int mask)
{
	int running;
	CURLMcode mc = curl_multi_socket_action(s->multi, fd, mask, &running);

	if (mc != CURLM_OK)
		multi_fail_all(s, curl_multi_strerror(mc));
	multi_drain(s);
}

static void on_fd(struct concur_loop *loop, int fd, unsigned revents, void *arg)
{
	int mask = 0;

	(void)loop;
	mask |= revents & CONCUR_EV_READ ? CURL_CSELECT_IN : 0;
	mask |= revents & CONCUR_EV_WRITE ? CURL_CSELECT_OUT : 0;
	mask |= revents & CONCUR_EV_ERROR ? CURL_CSELECT_ERR : 0;
	multi_action(arg, fd, mask);
}

static void on_timer(struct concur_loop *loop, void *arg)
{
	(void)loop;
	multi_action(arg, CURL_SOCKET_TIMEOUT, 0);
}

static void sock_forget(struct http_worker *w, struct http_sock *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		w->socks = s->next;
	if (s->next)
		s->next->prev = s->prev;
	free(s);
}

static struct http_sock *sock_new(struct http_shard *sh, curl_socket_t fd)
{
	struct http_worker *w = sh->worker;
	struct http_sock *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->fd = fd;
	s->next = w->socks;
	if (w->socks)
		w->socks->prev = s;
	w->socks = s;
	curl_multi_assign(sh->multi, fd, s);
	return s;
}

/* CURLMOPT_SOCKETFUNCTION: mirror curl's interest in fd on the loop. */
static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp,
		     void *socketp)
{
	struct http_shard *sh = userp;
	struct concur_loop *loop = sh->worker->loop;
	struct http_sock *s = socketp;
	unsigned events = 0;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		loop->watch(loop, fd, 0, NULL, NULL);
		if (s)
			sock_forget(sh->worker, s);
		return 0;
	}
	if (!s && !(s = sock_new(sh, fd)))
		return -1;
	events |= what & CURL_POLL_IN ? CONCUR_EV_READ : 0;
	events |= what & CURL_POLL_OUT ? CONCUR_EV_WRITE : 0;
	if (events == s->events)
		return 0;
	s->events = events;
	return loop->watch(loop, fd, events, on_fd, sh) == 0 ? 0 : -1;
}

/*
 * CURLMOPT_TIMERFUNCTION: -1 disarms; 0 means "act soon", which must not
 * re-enter libcurl from here, so it too becomes a loop timer (0 delay).
 */
static int on_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
	struct http_shard *s = userp;
	struct concur_loop *loop = s->worker->loop;

	(void)multi;
	if (timeout_ms < 0) {
		loop->timer_cancel(loop, &s->timer);
		return 0;
	}
	return loop->timer_arm(loop, &s->timer, (int64_t)timeout_ms * 1000000,
			       on_timer, s);
}

/* ---- shards ---- */

static void shard_list_set(struct http_shard *s, enum shard_list_id id, bool on)
{
	struct http_shard **head = &s->worker->lists[id];
	struct shard_link *k = &s->link[id];

	if (on == k->linked)
		return;
	if (on) {
		k->prev = NULL;
		k->next = *head;
		if (*head)
			(*head)->link[id].prev = s;
		*head = s;
	} else {
		if (k->prev)
			k->prev->link[id].next = k->next;
		else
			*head = k->next;
		if (k->next)
			k->next->link[id].prev = k->prev;
	}
	k->linked = on;
}

/*
 * Called after every change of s->active or s->conns.  A shard can take a
 * task when it has an idle connection (and fewer than HTTP_SHARD_CONNS
 * transfers: with several hosts an idle connection may not fit the task)
 * or when it holds and awaits fewer than HTTP_SHARD_CONNS connections.
 */
static void shard_update(struct http_shard *s)
{
	long load = s->conns > s->active ? s->conns : s->active;

	if (s->worker->closing)
		return;
	shard_list_set(s, SHARD_IDLE,
		       s->conns > s->active && s->active < HTTP_SHARD_CONNS);
	shard_list_set(s, SHARD_ROOM, load < HTTP_SHARD_CONNS);
}

/*
 * multiplex: the shard's downloads are streams on one HTTP/2 connection
 * per host, as many at once as the server allows; the others wait for a
 * stream.  One connection per host is also what keeps libcurl from opening
 * a second one for the downloads past 100 it starts before the server's
 * SETTINGS (with its stream limit) arrive.  Otherwise each download in
 * flight has a connection of its own.
 */
static void multi_set_multiplex(CURLM *multi, const struct http_instance *inst)
{
	curl_multi_setopt(multi, CURLMOPT_PIPELINING,
			  inst->multiplex ? CURLPIPE_MULTIPLEX
					  : CURLPIPE_NOTHING);
	if (!inst->multiplex)
		return;
	curl_multi_setopt(multi, CURLMOPT_MAX_CONCURRENT_STREAMS,
			  HTTP_MAX_STREAMS);
	curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, 1L);
}

static struct http_shard *shard_new(struct http_worker *w)
{
	struct http_shard *s;

	if (array_reserve((void **)&w->shards, &w->cap_shards, w->n_shards + 1,
			  sizeof(*w->shards)))
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s || !(s->multi = curl_multi_init())) {
		free(s);
		return NULL;
	}
	w->shards[w->n_shards++] = s;
	s->worker = w;
	curl_multi_setopt(s->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(s->multi, CURLMOPT_SOCKETDATA, s);
	curl_multi_setopt(s->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
	curl_multi_setopt(s->multi, CURLMOPT_TIMERDATA, s);
	curl_multi_setopt(s->multi, CURLMOPT_MAXCONNECTS, HTTP_MAX_IDLE_CONNS);
	multi_set_multiplex(s->multi, w->inst);
	shard_update(s);
	return s;
}

/*
 * Idle connection first, then room for a new one, then a new shard.  With
 * multiplex there is one shard: its streams share connections, and a
 * second shard would open a second connection.
 */
static struct http_shard *shard_pick(struct http_worker *w)
{
	if (w->inst->multiplex)
		return w->n_shards ? w->shards[0] : shard_new(w);
	if (w->lists[SHARD_IDLE])
		return w->lists[SHARD_IDLE];
	if (w->lists[SHARD_ROOM])
		return w->lists[SHARD_ROOM];
	return shard_new(w);
}

/* Tear down every shard: close their connections, free them. */
static void shards_close(struct http_worker *w)
{
	w->closing = true;
	for (size_t i = 0; i < w->n_xfers; i++) {
		if (w->xfers[i]->active)
			curl_multi_remove_handle(w->xfers[i]->shard->multi,
						 w->xfers[i]->easy);
	}
	for (size_t i = 0; i < w->n_shards; i++) {
		curl_multi_cleanup(w->shards[i]->multi);
		w->loop->timer_cancel(w->loop, &w->shards[i]->timer);
		free(w->shards[i]);
	}
	free(w->shards);
}

/* ---- transfers on the loop ---- */

static void xfer_release(struct http_xfer *x)
{
	struct http_shard *s = x->shard;
	struct http_worker *w = x->worker;

	curl_multi_remove_handle(s->multi, x->easy);
	x->active = false;
	s->active--;
	shard_update(s);
	x->next_free = w->free_list;
	w->free_list = x;
}

/* Finish every transfer curl reports done, one loop->complete each. */
static void multi_drain(struct http_shard *s)
{
	struct concur_loop *loop = s->worker->loop;
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(s->multi, &left))) {
		struct http_xfer *x = NULL;
		char msg[CONCUR_ERRLEN] = "";
		CURLcode res = m->data.result;
		int status;

		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE,
				  (char **)&x);
		status = xfer_finish(x, res, msg, sizeof(msg));
		xfer_release(x);
		loop->complete(loop, x->task, status, msg);
	}
}

/* A multi handle broke (a callback failed): fail what is in flight on it. */
static void multi_fail_all(struct http_shard *s, const char *why)
{
	struct http_worker *w = s->worker;

	for (size_t i = 0; i < w->n_xfers; i++) {
		struct http_xfer *x = w->xfers[i];
		char msg[CONCUR_ERRLEN];

		if (!x->active || x->shard != s)
			continue;
		snprintf(msg, sizeof(msg), "curl multi: %s", why);
		x->rec->status = -EIO;
		xfer_release(x);
		w->loop->complete(w->loop, x->task, -EIO, msg);
	}
}

/* A free handle of w's, else one from the pool, else a new one. */
static struct http_xfer *xfer_take(struct http_worker *w)
{
	struct http_instance *inst = w->inst;
	struct http_xfer *x = w->free_list;
	size_t i;

	if (x) {
		w->free_list = x->next_free;
		return x;
	}
	if (__atomic_load_n(&inst->pool_next, __ATOMIC_RELAXED) <
	    inst->n_pool) {
		i = __atomic_fetch_add(&inst->pool_next, 1, __ATOMIC_RELAXED);
		if (i < inst->n_pool) {
			x = inst->pool[i];
			if (xfer_adopt(w, x))
				return x;
			xfer_free(x);
			return NULL;
		}
	}
	return xfer_new(w);
}

static int http_start_task(void *instance, void *worker, size_t task,
			   struct concur_task *rec, struct concur_loop *loop,
			   char *err, size_t errlen)
{
	struct http_worker *w = worker;
	struct http_shard *s = shard_pick(w);
	struct http_xfer *x = s ? xfer_take(w) : NULL;
	CURLMcode mc;

	(void)instance;
	(void)loop;
	if (!x) {
		snprintf(err, errlen, "cannot create a curl handle");
		return -ENOMEM;
	}
	xfer_prepare(x, task, rec);
	x->shard = s;
	xfer_set_version(x);
	curl_easy_setopt(x->easy, CURLOPT_CLOSESOCKETDATA, s);
	mc = curl_multi_add_handle(s->multi, x->easy);
	if (mc != CURLM_OK) {
		snprintf(err, errlen, "curl_multi_add_handle: %s",
			 curl_multi_strerror(mc));
		x->next_free = w->free_list;
		w->free_list = x;
		return -EIO;
	}
	x->active = true;
	s->active++;
	shard_update(s);
	return 0;
}

/* ---- workers ---- */

/* The shards' common DNS and TLS session cache; used by one thread only. */
static int share_open(struct http_worker *w)
{
	w->share = curl_share_init();
	if (!w->share)
		return -ENOMEM;
	curl_share_setopt(w->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(w->share, CURLSHOPT_SHARE,
			  CURL_LOCK_DATA_SSL_SESSION);
	return 0;
}

/*
 * Order matters: handles leave their multis before the multis close their
 * connections (whose close callback counts into the shards, still alive);
 * easy handles go before the share they use.
 */
static void http_worker_fini(void *instance, void *worker)
{
	struct http_worker *w = worker;

	(void)instance;
	if (!w)
		return;
	if (w->loop)
		shards_close(w);
	for (size_t i = 0; i < w->n_xfers; i++)
		xfer_free(w->xfers[i]);
	if (w->share)
		curl_share_cleanup(w->share);
	while (w->socks) {
		w->loop->watch(w->loop, w->socks->fd, 0, NULL, NULL);
		sock_forget(w, w->socks);
	}
	free(w->xfers);
	free(w);
}

/*
 * The blocking face's handle is made here, in the worker, never before a
 * fork; the event-loop face takes prepare's handles first (see
 * http_prepare) and makes the rest as its tasks start.
 */
static int http_worker_init(void *instance, unsigned worker_id,
			    struct concur_loop *loop, void **ret_worker,
			    char *err, size_t errlen)
{
	struct http_worker *w = calloc(1, sizeof(*w));
	int rc = 0;

	(void)worker_id;
	if (!w)
		return -ENOMEM;
	w->inst = instance;
	w->loop = loop;
	if (loop)
		rc = share_open(w);
	else if (!(w->free_list = xfer_new(w)))
		rc = -ENOMEM;
	if (rc) {
		snprintf(err, errlen, "cannot create a curl handle");
		http_worker_fini(instance, w);
		return rc;
	}
	*ret_worker = w;
	return 0;
}

/*
 * Make `bytes` of heap present before the clock starts.  The run's process
 * is freshly forked, so every page the downloads' allocations first touch
 * (handles' state, connections, receive buffers) took a page fault inside
 * the timed region: the harness's cost, not the download's.  The heap is
 * grown in chunks below the mmap threshold, each page written, and freed
 * back to the top of the heap, which glibc keeps (no trim below
 * what the top holds), so later mallocs carve it without a fault.  Nothing is
 * connected or verified here: that all stays in the timed region.
 */
static void heap_prefault(size_t bytes)
{
	size_t n = (bytes + HTTP_HEAP_CHUNK - 1) / HTTP_HEAP_CHUNK;
	void **chunks = calloc(n ? n : 1, sizeof(*chunks));
	size_t i;

	if (!chunks)
		return;
	mallopt(M_TRIM_THRESHOLD,
		(int)(2 * bytes + HTTP_HEAP_CHUNK + M_TOP_PAD_DEFAULT));
	mallopt(M_MMAP_THRESHOLD, 2 * HTTP_HEAP_CHUNK);
	for (i = 0; i < n; i++) {
		chunks[i] = malloc(HTTP_HEAP_CHUNK);
		if (!chunks[i])
			break;
		memset(chunks[i], 0, HTTP_HEAP_CHUNK);
	}
	/* newest first: each merges into the top of the heap as it goes */
	while (i-- > 0)
		free(chunks[i]);
	free(chunks);
}

/*
 * Outside the timed region: the handles the event-loop face will take
 * first (see HTTP_POOL_MAX), and the heap their downloads will use; none of
 * it when the core says the workers are blocking ones, which make their
 * one handle each in worker_init.  Made here, in the run's process, after any
 * fork of the core's and before the strategy's threads; they hold no socket
 * or connection until a task starts.  The blocking face keeps making its
 * own in worker_init, since a strategy may fork there.
 */
static int http_prepare_face(void *instance, int face, char *err, size_t errlen)
{
	struct http_instance *inst = instance;
	size_t n = inst->count < HTTP_POOL_MAX ? inst->count : HTTP_POOL_MAX;

	if (face == CONCUR_FACE_BLOCKING)
		return 0;
	inst->pool = calloc(n ? n : 1, sizeof(*inst->pool));
	if (!inst->pool)
		goto nomem;
	for (; inst->n_pool < n; inst->n_pool++) {
		inst->pool[inst->n_pool] = xfer_make(inst);
		if (!inst->pool[inst->n_pool])
			goto nomem;
	}
	heap_prefault(n * (HTTP_XFER_HEAP + (inst->buffer_size
						     ? (size_t)inst->buffer_size
						     : HTTP_DEFAULT_BUFFER)));
	return 0;
nomem:
	snprintf(err, errlen, "cannot create a curl handle");
	return -ENOMEM;
}

/* A core older than v1.4 does not say the face: be ready for the loop. */
static int http_prepare(void *instance, char *err, size_t errlen)
{
	return http_prepare_face(instance, CONCUR_FACE_UNSAID, err, errlen);
}

static const struct concur_param http_params[] = {
	[P_URL] = { "url", CONCUR_PARAM_LIST, "builtin", NULL, NULL,
		    "'builtin' (the embedded test server) or http(s) URLs, one "
		    "per line; tasks cycle through them" },
	[P_COUNT] = { "count", CONCUR_PARAM_INT, "160", "0", "100000000",
		      "number of downloads (tasks) per run" },
	[P_LATENCY] = { "latency", CONCUR_PARAM_DURATION, "0", "0", "1h",
			"builtin server only: delay before each response" },
	[P_BODY] = { "body", CONCUR_PARAM_SIZE, "10k", "0", "1GiB",
		     "builtin server only: response body size" },
	[P_REUSE] = { "reuse_connections", CONCUR_PARAM_BOOL, "true", NULL,
		      NULL,
		      "keep connections alive across a worker's tasks (a "
		      "Session); false = a new connection per task" },
	[P_CONNECT_TIMEOUT] = { "connect_timeout", CONCUR_PARAM_DURATION, "5s",
				"0", NULL,
				"give up connecting after this long (0 = "
				"curl's default)" },
	[P_TIMEOUT] = { "timeout", CONCUR_PARAM_DURATION, "30s", "0", NULL,
			"give up a whole download after this long (0 = never)" },
	[P_EXPECT_STATUS] = { "expect_status", CONCUR_PARAM_STRING, "2xx", NULL,
			      NULL,
			      "HTTP status that counts as success: a class "
			      "like 2xx or a code like 404" },
	[P_EXPECT_BYTES] = { "expect_bytes", CONCUR_PARAM_INT, "-1", "-1", NULL,
			     "body bytes each download must have; -1 = not "
			     "checked" },
	[P_HTTP_VERSION] = { "http_version", CONCUR_PARAM_STRING, "1.1", NULL,
			     NULL,
			     "1.1 or 2 (HTTP/2: prior knowledge on http://, "
			     "ALPN on https://); a download over another "
			     "version fails" },
	[P_MULTIPLEX] = { "multiplex", CONCUR_PARAM_BOOL, "false", NULL, NULL,
			  "event loop, HTTP/2: downloads in flight share one "
			  "connection as streams; false = a connection each" },
	{ NULL },
};

/* The embedded test server, only when some url is 'builtin'. */
static uint64_t http_needs(const union concur_value *params)
{
	const struct concur_list *list = &params[P_URL].list;
	size_t i;

	for (i = 0; i < list->count; i++)
		if (strcmp(list->items[i], "builtin") == 0)
			return CONCUR_NEED_HTTP_SERVER;
	return 0;
}

static int http_libraries(char *buf, size_t len)
{
	snprintf(buf, len, "libcurl/%s",
		 curl_version_info(CURLVERSION_NOW)->version);
	return 0;
}

static const struct concur_workload_ops http_ops = {
	.size = CONCUR_WORKLOAD_OPS_SIZE,
	.create = http_create,
	.destroy = http_destroy,
	.task_count = http_task_count,
	.worker_init = http_worker_init,
	.worker_fini = http_worker_fini,
	.run_task = http_run_task,
	.start_task = http_start_task,
	.needs = http_needs,
	.prepare = http_prepare,
	.prepare_face = http_prepare_face,
};

CONCUR_PLUGIN_EXPORT const struct concur_plugin concur_plugin_v1 = {
	CONCUR_PLUGIN_INIT(CONCUR_KIND_WORKLOAD),
	.name = "http_download",
	.version = "1.0",
	.description = "download pages with libcurl from the builtin test "
		       "server or http(s) URLs",
	.params = http_params,
	.workload = &http_ops,
	.needs = CONCUR_NEED_HTTP_SERVER,
	.libraries = http_libraries,
};
