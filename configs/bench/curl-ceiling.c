/*
 * curl-ceiling.c - the most libcurl does on this machine: a tight multi
 * program with nothing of concur in it, the reference point for the
 * http_download rows of scripts/bench-io.sh.
 *
 * COUNT transfers of URL, INFLIGHT at once, driven by
 * curl_multi_socket_action on one epoll; each easy handle is made once and
 * reused, so with keep-alive (the default) connections stay open across
 * transfers; "fresh" opens a new connection for every transfer.  Every
 * transfer must end with status 200 and, when BYTES >= 0, that body size.
 *
 * usage: curl-ceiling URL COUNT INFLIGHT [keepalive|fresh] [BYTES]
 * prints: wall seconds, transfers/s, CPU (user+sys) µs per transfer
 * (both counted from the first transfer's start to the last one's end) and the
 * process's peak resident memory.
 *
 * build: cc -O2 curl-ceiling.c -lcurl -o curl-ceiling
 */
#define _GNU_SOURCE
#include <curl/curl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <time.h>

static int epfd;
static long timeout_ms = -1;
static size_t started, done, failed, count, inflight;
static long expect_bytes = -1;
static const char *url;
static CURLM *multi;

struct xfer {
	CURL *easy;
	long bytes;
};

static size_t on_body(char *d, size_t s, size_t n, void *arg)
{
	(void)d;
	((struct xfer *)arg)->bytes += (long)(s * n);
	return s * n;
}

static int on_socket(CURL *e, curl_socket_t fd, int what, void *u, void *sp)
{
	struct epoll_event ev = { .data.fd = fd };

	(void)e;
	(void)u;
	if (what == CURL_POLL_REMOVE) {
		epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
		curl_multi_assign(multi, fd, NULL);
		return 0;
	}
	ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0) |
		    (what & CURL_POLL_OUT ? EPOLLOUT : 0);
	if (!sp) {
		curl_multi_assign(multi, fd, multi);
		return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) ? -1 : 0;
	}
	return epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev) ? -1 : 0;
}

static int on_timer(CURLM *m, long ms, void *u)
{
	(void)m;
	(void)u;
	timeout_ms = ms;
	return 0;
}

static void start(struct xfer *x)
{
	x->bytes = 0;
	started++;
	curl_multi_add_handle(multi, x->easy);
}

static void drain(void)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(multi, &left))) {
		struct xfer *x;
		long code = 0;

		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &x);
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
		if (m->data.result != CURLE_OK || code != 200 ||
		    (expect_bytes >= 0 && x->bytes != expect_bytes))
			failed++;
		done++;
		curl_multi_remove_handle(multi, x->easy);
		if (started < count)
			start(x);
	}
}

/* CPU seconds (user + system) this process has used so far. */
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

int main(int argc, char **argv)
{
	struct epoll_event evs[256];
	struct xfer *xs;
	struct rusage ru;
	bool fresh;
	double t0, t1, cpu;
	int running;

	if (argc < 4) {
		fprintf(stderr,
			"usage: %s URL COUNT INFLIGHT "
			"[keepalive|fresh] [BYTES]\n",
			argv[0]);
		return 2;
	}
	url = argv[1];
	count = strtoul(argv[2], NULL, 10);
	inflight = strtoul(argv[3], NULL, 10);
	fresh = argc > 4 && strcmp(argv[4], "fresh") == 0;
	expect_bytes = argc > 5 ? atol(argv[5]) : -1;
	if (!count || !inflight)
		return 2;
	if (inflight > count)
		inflight = count;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	multi = curl_multi_init();
	curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, on_timer);
	curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, (long)inflight);
	xs = calloc(inflight, sizeof(*xs));
	for (size_t i = 0; i < inflight; i++) {
		CURL *e = curl_easy_init();

		xs[i].easy = e;
		curl_easy_setopt(e, CURLOPT_URL, url);
		curl_easy_setopt(e, CURLOPT_PRIVATE, &xs[i]);
		curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(e, CURLOPT_WRITEDATA, &xs[i]);
		curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
		if (fresh) {
			curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
			curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
		}
	}
	cpu = cpu_s();
	t0 = now_s();
	for (size_t i = 0; i < inflight; i++)
		start(&xs[i]);
	curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
	drain();
	while (done < count) {
		int n = epoll_wait(epfd, evs, 256, (int)timeout_ms);

		if (n == 0) {
			curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0,
						 &running);
			drain();
		}
		for (int k = 0; k < n; k++) {
			int mask = (evs[k].events & EPOLLIN ? CURL_CSELECT_IN
							    : 0) |
				   (evs[k].events & EPOLLOUT ? CURL_CSELECT_OUT
							     : 0) |
				   (evs[k].events & (EPOLLERR | EPOLLHUP)
					    ? CURL_CSELECT_ERR
					    : 0);

			curl_multi_socket_action(multi, evs[k].data.fd, mask,
						 &running);
			drain();
		}
	}
	t1 = now_s();
	cpu = cpu_s() - cpu;
	getrusage(RUSAGE_SELF, &ru);
	printf("curl-ceiling: %zu transfers, %zu in flight, %s: %.3f s, "
	       "%.0f transfers/s, %.1f us CPU per transfer, max RSS %ld KiB, "
	       "%zu failed\n",
	       count, inflight, fresh ? "fresh" : "keepalive", t1 - t0,
	       (double)count / (t1 - t0), cpu * 1e6 / (double)count,
	       ru.ru_maxrss, failed);
	for (size_t i = 0; i < inflight; i++)
		curl_easy_cleanup(xs[i].easy);
	curl_multi_cleanup(multi);
	curl_global_cleanup();
	return failed ? 1 : 0;
}
