/*
 * test_http2.c - http_download's http_version and multiplex against the
 * embedded server, which serves HTTP/1.1 and HTTP/2 on one port: both
 * versions under every strategy, faults and statuses over HTTP/2, 160
 * multiplexed downloads on one connection (the server's own counters), a
 * download that came back over the wrong version, and bad values.
 */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_http_common.h"
#include "test_http_server.h"
#include "testserver.h"
#include "util.h"

static struct testserver *srv;
static char base[64];
static const struct plugin *http, *epoll_p;
static const struct plugin *strats[3];
static const char *const strat_files[] = {
	"plugins/strategy/sync.so",
	"plugins/strategy/pthreads.so",
	"plugins/strategy/epoll.so",
};

static int setup(void **state)
{
	(void)state;
	srv = th_server_start(base, sizeof(base));
	if (!srv)
		return -1;
	http = th_load("plugins/workload/http_download.so");
	epoll_p = th_load("plugins/strategy/epoll.so");
	for (size_t i = 0; i < ARRAY_SIZE(strats); i++)
		strats[i] = th_load_optional(strat_files[i]);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	testserver_stop(srv);
	return 0;
}

/* Run wv under strategy p (every task in flight on epoll). */
static struct job_shared *run_on(const struct plugin *p,
				 const struct th_values *wv)
{
	struct th_values sv;

	th_defaults(&sv, p);
	if (p == epoll_p)
		th_set(&sv, "max_inflight", "0");
	return th_run(&sv, wv, 1000);
}

static void counts_delta(const struct testserver_counts *before,
			 struct testserver_counts *ret)
{
	struct testserver_counts now;

	testserver_counts(srv, &now);
	ret->http1_conns = now.http1_conns - before->http1_conns;
	ret->http2_conns = now.http2_conns - before->http2_conns;
	ret->http2_streams = now.http2_streams - before->http2_streams;
}

/* Each version under each strategy: every download fine, on that version. */
static void test_both_versions(void **state)
{
	static const char *const versions[] = { "1.1", "2" };

	(void)state;
	for (size_t v = 0; v < ARRAY_SIZE(versions); v++) {
		for (size_t i = 0; i < ARRAY_SIZE(strats); i++) {
			struct testserver_counts before, d;
			struct th_values wv;
			struct job_shared *sh;

			if (!strats[i])
				continue;
			th_defaults(&wv, http);
			th_set(&wv, "count", "24");
			th_set(&wv, "latency", "2ms");
			th_set(&wv, "expect_bytes", "10240");
			th_set(&wv, "http_version", versions[v]);
			testserver_counts(srv, &before);
			sh = run_on(strats[i], &wv);
			counts_delta(&before, &d);
			if (sh->n_failed)
				fail_msg("%s over %s: %s", versions[v],
					 strat_files[i], sh->error_text);
			for (size_t k = 0; k < sh->n_tasks; k++) {
				assert_int_equal(sh->tasks[k].detail, 200);
				assert_int_equal(sh->tasks[k].bytes, 10240);
			}
			assert_int_equal(d.http2_streams, v == 1 ? 24 : 0);
			assert_true(v == 1 ? d.http1_conns == 0
					   : d.http2_conns == 0);
			job_release(sh);
		}
	}
}

/*
 * count HTTP/2 downloads of 200 ms, all in flight at once on epoll: each
 * succeeds, they overlap, and the server counts conns connections for them
 * (the client as many new ones) and count streams.
 */
static void check_connections(const char *count, const char *multiplex,
			      uint64_t conns)
{
	struct testserver_counts before, d;
	struct th_values wv;
	struct job_shared *sh;
	size_t n = (size_t)atoi(count);

	th_defaults(&wv, http);
	th_set(&wv, "count", count);
	th_set(&wv, "latency", "200ms");
	th_set(&wv, "expect_bytes", "10240");
	th_set(&wv, "http_version", "2");
	th_set(&wv, "multiplex", multiplex);
	testserver_counts(srv, &before);
	sh = run_on(epoll_p, &wv);
	counts_delta(&before, &d);
	if (sh->n_failed)
		fail_msg("multiplex = %s: %s", multiplex, sh->error_text);
	assert_int_equal(d.http2_conns, conns);
	assert_int_equal(d.http1_conns, 0);
	assert_int_equal(d.http2_streams, n);
	assert_int_equal(th_new_conns(sh), conns);
	assert_int_equal(th_max_overlap(sh), n);
	job_release(sh);
}

/* 160 downloads in flight at once: one connection, 160 streams. */
static void test_multiplex_one_connection(void **state)
{
	(void)state;
	check_connections("160", "true", 1);
}

/* Without multiplex each download in flight has its own connection. */
static void test_no_multiplex_connection_each(void **state)
{
	(void)state;
	check_connections("40", "false", 40);
}

/* Every task failed with status and the error mentions why. */
static void h2_all_fail(const char *suffix, int status, const char *why,
			bool multiplex)
{
	char *url = xasprintf("%s%s", base, suffix);
	struct th_values wv;
	struct job_shared *sh;

	th_defaults(&wv, http);
	th_set(&wv, "count", "6");
	th_set(&wv, "url", url);
	th_set(&wv, "http_version", "2");
	th_set(&wv, "multiplex", multiplex ? "true" : "false");
	sh = run_on(epoll_p, &wv);
	assert_int_equal(sh->n_failed, 6);
	for (size_t i = 0; i < sh->n_tasks; i++)
		assert_int_equal(sh->tasks[i].status, status);
	if (!strstr(sh->error_text, why))
		fail_msg("%s: error '%s' does not mention '%s'", suffix,
			 sh->error_text, why);
	job_release(sh);
	free(url);
}

static void test_h2_faults_and_statuses(void **state)
{
	(void)state;
	for (int m = 0; m < 2; m++) {
		h2_all_fail("?status=404", -EPROTO,
			    "HTTP status 404, expected 2xx", m);
		h2_all_fail("?fault=500", -EPROTO, "HTTP status 500", m);
		h2_all_fail("missing", -EPROTO, "HTTP status 404", m);
		h2_all_fail("?size=x", -EPROTO, "HTTP status 400", m);
		h2_all_fail("?fault=close", -ECONNRESET, "curl: ", m);
		h2_all_fail("?fault=reset&size=100000", -ECONNRESET,
			    "curl: ", m);
	}
}

/* A stalled stream holds up no other stream of its connection. */
static void test_h2_stall_alone(void **state)
{
	char *stall = xasprintf("%s?fault=stall", base);
	char *fine = xasprintf("%s?size=100", base);
	const char *items[] = { stall, fine };
	struct th_values wv;
	struct job_shared *sh;
	size_t k;

	(void)state;
	th_defaults(&wv, http);
	for (k = 0; k < http->n_params; k++)
		if (strcmp(http->desc->params[k].name, "url") == 0)
			break;
	wv.v[k].list.count = 2;
	wv.v[k].list.items = items;
	th_set(&wv, "count", "20");
	th_set(&wv, "http_version", "2");
	th_set(&wv, "multiplex", "true");
	th_set(&wv, "timeout", "1s");
	sh = run_on(epoll_p, &wv);
	for (size_t i = 0; i < sh->n_tasks; i++)
		assert_int_equal(sh->tasks[i].status, i % 2 ? 0 : -ETIMEDOUT);
	job_release(sh);
	free(stall);
	free(fine);
}

/* A one-shot server answering every request in HTTP/1.0. */
static void *http10_main(void *arg)
{
	int lfd = (int)(intptr_t)arg;
	static const char reply[] =
		"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok";

	for (int i = 0; i < 2; i++) {
		int fd = accept(lfd, NULL, NULL);
		char buf[4096];

		if (fd < 0)
			break;
		if (read(fd, buf, sizeof(buf)) > 0 &&
		    write(fd, reply, sizeof(reply) - 1) < 0)
			perror("http10 server");
		close(fd);
	}
	return NULL;
}

/* What libcurl actually spoke is checked: HTTP/1.0 is not HTTP/1.1. */
static void test_wrong_version_fails(void **state)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	struct th_values wv;
	struct job_shared *sh;
	pthread_t t;
	char *url;

	(void)state;
	assert_int_equal(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(lfd, 4), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&a, &len), 0);
	pthread_create(&t, NULL, http10_main, (void *)(intptr_t)lfd);
	url = xasprintf("http://127.0.0.1:%u/", (unsigned)ntohs(a.sin_port));
	th_defaults(&wv, http);
	th_set(&wv, "count", "2");
	th_set(&wv, "url", url);
	th_set(&wv, "http_version", "1.1");
	sh = run_on(strats[0] ? strats[0] : epoll_p, &wv);
	assert_int_equal(sh->n_failed, 2);
	assert_int_equal(sh->tasks[0].status, -EPROTO);
	if (!strstr(sh->error_text, "came back over HTTP/1.0, but "
				    "http_version asks for HTTP/1.1"))
		fail_msg("error '%s'", sh->error_text);
	job_release(sh);
	pthread_join(t, NULL);
	close(lfd);
	free(url);
}

static void create_fails(const char *key, const char *val, const char *why)
{
	struct th_values wv;
	char err[CONCUR_ERRLEN] = "";
	void *inst = NULL;

	th_defaults(&wv, http);
	th_set(&wv, key, val);
	th_set(&wv, "multiplex", "true");
	assert_true(http->workload.create(wv.v, &inst, err, sizeof(err)) < 0);
	if (!strstr(err, why))
		fail_msg("%s = %s: error '%s' does not mention '%s'", key, val,
			 err, why);
}

static void test_bad_values(void **state)
{
	(void)state;
	create_fails("http_version", "3",
		     "http_version '3' is not supported: "
		     "use 1.1 or 2");
	create_fails("http_version", "", "use 1.1 or 2");
	create_fails("reuse_connections", "false",
		     "reuse_connections = false forbids");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_both_versions),
		cmocka_unit_test(test_multiplex_one_connection),
		cmocka_unit_test(test_no_multiplex_connection_each),
		cmocka_unit_test(test_h2_faults_and_statuses),
		cmocka_unit_test(test_h2_stall_alone),
		cmocka_unit_test(test_wrong_version_fails),
		cmocka_unit_test(test_bad_values),
	};

	return cmocka_run_group_tests_name("http2", tests, setup, teardown);
}
