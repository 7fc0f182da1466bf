/*
 * tcp-floor.c - the kernel's part of a download on a new connection: the
 * least any HTTP client can spend, the floor column of scripts/bench-io.sh.
 *
 * COUNT requests to URL (http://IPv4:PORT/PATH, no name lookup), INFLIGHT
 * at once on one epoll, each on a new connection: a nonblocking socket and
 * connect, one send of a minimal GET, reads into one shared buffer until
 * the body announced by Content-Length is in, then close.  No libcurl, no
 * allocation per request, no header kept but the few bytes still being
 * parsed: what remains is the system calls every client makes for a new
 * connection (socket, connect, epoll_ctl, send, recv, close) and the
 * kernel's TCP work behind them.  Every response must be status 200 and,
 * when BYTES >= 0, carry that many body bytes.
 *
 * usage: tcp-floor URL COUNT INFLIGHT [BYTES]
 * prints the line curl-ceiling prints: wall seconds, transfers/s, CPU
 * (user+sys) µs per transfer, both from the first connect to the last close,
 * and the process's peak resident memory.
 *
 * build: cc -O2 tcp-floor.c -o tcp-floor
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* The status line and headers must fit here (the builtin server's: ~150 B). */
#define HEAD_MAX 1024

struct conn {
	int fd;
	bool sent;
	bool in_body;
	long body_left; /* Content-Length still to read, -1 = unknown */
	long body_got;
	int status;
	unsigned head_len;
	char head[HEAD_MAX];
};

static struct sockaddr_in addr;
static char request[1024];
static size_t request_len;
static size_t started, done, failed, count;
static long expect_bytes = -1;
static int epfd;

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* "http://A.B.C.D:PORT/rest" into addr and the request line's target. */
static int parse_url(const char *url)
{
	char host[64];
	const char *p = url + 7, *slash;
	const char *colon;
	size_t hl;

	if (strncmp(url, "http://", 7) != 0)
		return -1;
	slash = strchr(p, '/');
	colon = strchr(p, ':');
	if (!slash || !colon || colon > slash)
		return -1;
	hl = (size_t)(colon - p);
	if (hl >= sizeof(host))
		return -1;
	memcpy(host, p, hl);
	host[hl] = '\0';
	addr.sin_family = AF_INET;
	addr.sin_port = htons((unsigned short)atoi(colon + 1));
	if (inet_pton(AF_INET, host, &addr.sin_addr) != 1)
		return -1;
	request_len = (size_t)snprintf(
		request, sizeof(request),
		"GET %s HTTP/1.1\r\nHost: %.*s\r\nAccept: */*\r\n\r\n", slash,
		(int)(slash - p), p);
	return request_len < sizeof(request) ? 0 : -1;
}

static void start(struct conn *c)
{
	struct epoll_event ev = { .events = EPOLLOUT, .data.ptr = c };

	memset(c, 0, offsetof(struct conn, head));
	c->body_left = -1;
	started++;
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0 ||
	    (connect(c->fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 &&
	     errno != EINPROGRESS) ||
	    epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev) != 0) {
		perror("tcp-floor: connect");
		exit(1);
	}
}

static void finish(struct conn *c, bool ok)
{
	if (!ok || c->status != 200 ||
	    (expect_bytes >= 0 && c->body_got != expect_bytes))
		failed++;
	close(c->fd); /* also leaves the epoll set */
	done++;
	if (started < count)
		start(c);
}

/* Headers complete in c->head: the status and Content-Length. */
static bool parse_head(struct conn *c)
{
	const char *cl = strcasestr(c->head, "\r\ncontent-length:");

	if (sscanf(c->head, "HTTP/1.%*d %d", &c->status) != 1)
		return false;
	c->body_left = cl ? atol(cl + 17) : -1;
	return c->body_left >= 0;
}

/* Take n received bytes; false when the response is complete or broken. */
static bool take(struct conn *c, const char *buf, size_t n, bool *ok)
{
	while (n > 0 && !c->in_body) {
		size_t room = HEAD_MAX - 1 - c->head_len;
		size_t k = n < room ? n : room;
		char *end;

		memcpy(c->head + c->head_len, buf, k);
		c->head_len += (unsigned)k;
		c->head[c->head_len] = '\0';
		end = strstr(c->head, "\r\n\r\n");
		if (!end) {
			if (c->head_len == HEAD_MAX - 1)
				return *ok = false;
			return true;
		}
		if (!parse_head(c))
			return *ok = false;
		c->in_body = true;
		/* what followed the headers in this read is body */
		k -= c->head_len - (size_t)(end + 4 - c->head);
		buf += k;
		n -= k;
	}
	c->body_got += (long)n;
	c->body_left -= (long)n;
	if (c->body_left <= 0) {
		*ok = c->body_left == 0;
		return false;
	}
	return true;
}

static void on_event(struct conn *c, unsigned events)
{
	static char buf[65536];
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
	bool ok = true;

	if (!c->sent) {
		if (events & (EPOLLERR | EPOLLHUP) ||
		    send(c->fd, request, request_len, MSG_NOSIGNAL) !=
			    (ssize_t)request_len ||
		    epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev) != 0) {
			finish(c, false);
			return;
		}
		c->sent = true;
		return;
	}
	for (;;) {
		ssize_t n = recv(c->fd, buf, sizeof(buf), 0);

		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			finish(c, false);
			return;
		}
		if (!take(c, buf, (size_t)n, &ok)) {
			finish(c, ok);
			return;
		}
	}
}

int main(int argc, char **argv)
{
	static struct epoll_event evs[256];
	struct conn *conns;
	struct rusage ru;
	size_t inflight;
	double t0, t1, cpu;

	if (argc < 4 || parse_url(argv[1]) != 0) {
		fprintf(stderr,
			"usage: %s http://IPv4:PORT/PATH COUNT INFLIGHT "
			"[BYTES]\n",
			argv[0]);
		return 2;
	}
	count = strtoul(argv[2], NULL, 10);
	inflight = strtoul(argv[3], NULL, 10);
	expect_bytes = argc > 4 ? atol(argv[4]) : -1;
	if (!count || !inflight)
		return 2;
	if (inflight > count)
		inflight = count;
	epfd = epoll_create1(EPOLL_CLOEXEC);
	conns = calloc(inflight, sizeof(*conns));
	if (epfd < 0 || !conns)
		return 1;
	cpu = cpu_s();
	t0 = now_s();
	for (size_t i = 0; i < inflight; i++)
		start(&conns[i]);
	while (done < count) {
		int n = epoll_wait(epfd, evs, 256, -1);

		for (int k = 0; k < n; k++)
			on_event(evs[k].data.ptr, evs[k].events);
	}
	t1 = now_s();
	cpu = cpu_s() - cpu;
	getrusage(RUSAGE_SELF, &ru);
	printf("tcp-floor: %zu transfers, %zu in flight, fresh: %.3f s, "
	       "%.0f transfers/s, %.1f us CPU per transfer, max RSS %ld KiB, "
	       "%zu failed\n",
	       count, inflight, t1 - t0, (double)count / (t1 - t0),
	       cpu * 1e6 / (double)count, ru.ru_maxrss, failed);
	return failed ? 1 : 0;
}
