/*
 * test_testserver.c - the embedded HTTP test server, measured with libcurl:
 * delays and sizes honoured, faults, 1,000 concurrent delayed requests,
 * shutdown with requests still held back, the spawned process and
 * `concur serve`.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "serverproc.h"
#include "testserver.h"
#include "testserver_query.h"
#include "util.h"

#define MS 1000000LL

static struct testserver *srv;
static char base[64];

static int server_up(void **state)
{
	char err[256] = "";

	(void)state;
	if (testserver_start(NULL, &srv, err, sizeof(err)) != 0) {
		fprintf(stderr, "testserver_start: %s\n", err);
		return -1;
	}
	snprintf(base, sizeof(base), "http://127.0.0.1:%u/",
		 (unsigned)testserver_port(srv));
	return 0;
}

static int server_down(void **state)
{
	(void)state;
	testserver_stop(srv);
	srv = NULL;
	return 0;
}

static size_t count_body(char *d, size_t size, size_t n, void *arg)
{
	(void)d;
	*(uint64_t *)arg += size * n;
	return size * n;
}

struct fetch {
	CURLcode rc;
	long code;
	uint64_t bytes;
	int64_t elapsed_ns;
};

static CURL *easy_for(const char *url, uint64_t *bytes)
{
	CURL *e = curl_easy_init();

	assert_non_null(e);
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, count_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, bytes);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 20000L);
	return e;
}

/* GET base + suffix with a fresh handle. */
static struct fetch fetch(const char *suffix)
{
	struct fetch f = { 0 };
	char *url = xasprintf("%s%s", base, suffix);
	CURL *e = easy_for(url, &f.bytes);
	int64_t t0 = mono_now_ns();

	f.rc = curl_easy_perform(e);
	f.elapsed_ns = mono_now_ns() - t0;
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &f.code);
	curl_easy_cleanup(e);
	free(url);
	return f;
}

static void test_delay_and_size(void **state)
{
	struct fetch f;

	(void)state;
	f = fetch("?delay_ms=200&size=12345");
	assert_int_equal(f.rc, CURLE_OK);
	assert_int_equal(f.code, 200);
	assert_int_equal(f.bytes, 12345);
	assert_true(f.elapsed_ns >= 200 * MS);
	assert_true(f.elapsed_ns < 3000 * MS);

	f = fetch("?delay_us=30000");
	assert_int_equal(f.rc, CURLE_OK);
	assert_int_equal(f.bytes, 0);
	assert_true(f.elapsed_ns >= 30 * MS);

	f = fetch("?delay_ms=50&delay_us=500&size=1");
	assert_true(f.elapsed_ns >= 50 * MS + 500000);
	assert_int_equal(f.bytes, 1);

	/* Bigger than the static buffer: served by cycling it. */
	f = fetch("?size=20000001");
	assert_int_equal(f.rc, CURLE_OK);
	assert_int_equal(f.bytes, 20000001);
}

static void test_status_and_faults(void **state)
{
	struct fetch f;

	(void)state;
	f = fetch("?status=404&size=10");
	assert_int_equal(f.rc, CURLE_OK);
	assert_int_equal(f.code, 404);
	assert_int_equal(f.bytes, 10);

	f = fetch("nowhere");
	assert_int_equal(f.code, 404);

	f = fetch("?fault=500");
	assert_int_equal(f.rc, CURLE_OK);
	assert_int_equal(f.code, 500);

	f = fetch("?size=abc");
	assert_int_equal(f.code, 400);
	f = fetch("?fault=bogus");
	assert_int_equal(f.code, 400);

	f = fetch("?fault=close");
	assert_int_equal(f.rc, CURLE_GOT_NOTHING);

	f = fetch("?fault=reset&size=100000");
	assert_int_equal(f.rc, CURLE_PARTIAL_FILE);
	assert_int_equal(f.code, 200);
	assert_true(f.bytes < 100000);

	/* The server is still healthy after the faults. */
	f = fetch("?size=5");
	assert_int_equal(f.rc, CURLE_OK);
	assert_int_equal(f.bytes, 5);
}

static const char *one_status(void *ctx, const char *key)
{
	return strcmp(key, "status") ? NULL : ctx;
}

/*
 * A 1xx status is not an answer (the client waits for the final one after
 * it) and would hold the connection until the idle timeout: refused, as
 * anything outside 200..599 is.
 */
static void test_informational_status_refused(void **state)
{
	static const char *const refused[] = { "0",   "99",  "100", "101",
					       "150", "199", "600" };
	static const char *const taken[] = { "200", "204", "404", "599" };
	const struct ts_limits lim = { 1000, 1000000000 };
	struct ts_query q;
	char why[160];
	struct fetch f;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(refused); i++) {
		why[0] = '\0';
		assert_int_not_equal(ts_query_parse(one_status,
						    (void *)refused[i], &lim,
						    &q, why, sizeof(why)),
				     0);
		assert_non_null(strstr(why, "status"));
	}
	for (i = 0; i < ARRAY_SIZE(taken); i++) {
		assert_int_equal(ts_query_parse(one_status, (void *)taken[i],
						&lim, &q, why, sizeof(why)),
				 0);
		assert_int_equal(q.status, strtoul(taken[i], NULL, 10));
	}
	f = fetch("?status=100");
	assert_int_equal(f.code, 400);
	assert_true(f.elapsed_ns < 10000 * MS);
}

/* Drive a multi handle until every transfer ended or the deadline passed. */
static void multi_drive(CURLM *m, int64_t deadline_ns)
{
	int running = 1;

	while (running > 0 && mono_now_ns() < deadline_ns) {
		curl_multi_perform(m, &running);
		if (running > 0)
			curl_multi_poll(m, NULL, 0, 50, NULL);
	}
}

struct batch {
	CURLM *multi;
	CURL **easy;
	uint64_t *bytes;
	size_t n;
};

static void batch_start(struct batch *b, size_t n, const char *suffix)
{
	char *url = xasprintf("%s%s", base, suffix);

	b->multi = curl_multi_init();
	b->easy = xcalloc(n, sizeof(*b->easy));
	b->bytes = xcalloc(n, sizeof(*b->bytes));
	b->n = n;
	for (size_t i = 0; i < n; i++) {
		b->easy[i] = easy_for(url, &b->bytes[i]);
		curl_multi_add_handle(b->multi, b->easy[i]);
	}
	free(url);
}

/*
 * Transfers finished with `rc` (and, if code >= 0, HTTP `code`); with
 * CURL_LAST, those that finished with any error.
 */
static size_t batch_count(struct batch *b, CURLcode rc, long code)
{
	size_t n = 0;
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(b->multi, &left))) {
		CURLcode got_rc = msg->data.result;
		long got = 0;

		if (msg->msg != CURLMSG_DONE)
			continue;
		if (rc == CURL_LAST ? got_rc == CURLE_OK : got_rc != rc)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE,
				  &got);
		if (code < 0 || got == code)
			n++;
	}
	return n;
}

static void batch_free(struct batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		curl_multi_remove_handle(b->multi, b->easy[i]);
		curl_easy_cleanup(b->easy[i]);
	}
	curl_multi_cleanup(b->multi);
	free(b->easy);
	free(b->bytes);
}

/* The bound: 1,000 requests of 500 ms each, all within 1.5 s. */
/*
 * 1000 delayed requests are held by the server at once.  Measured by what
 * the server holds (its peak of pending requests), not by a wall-clock
 * bound, which a loaded machine can break: the delay is long enough for
 * 1000 loopback connections to be made well within it.
 */
static void test_thousand_concurrent(void **state)
{
	struct batch b;
	int64_t t0 = mono_now_ns(), deadline = t0 + 60000 * MS;
	size_t peak = 0, now;
	int running = 1;

	(void)state;
	batch_start(&b, 1000, "?delay_ms=2000&size=100");
	while (running > 0 && mono_now_ns() < deadline) {
		curl_multi_perform(b.multi, &running);
		now = testserver_pending(srv);
		peak = now > peak ? now : peak;
		if (running > 0)
			curl_multi_poll(b.multi, NULL, 0, 50, NULL);
	}
	assert_int_equal(batch_count(&b, CURLE_OK, 200), 1000);
	for (size_t i = 0; i < b.n; i++)
		assert_int_equal(b.bytes[i], 100);
	fprintf(stderr, "1000 x 2 s concurrent: %.3f s, peak %zu held\n",
		(mono_now_ns() - t0) / 1e9, peak);
	assert_true(mono_now_ns() - t0 >= 2000 * MS); /* really delayed */
	assert_int_equal(peak, 1000);
	batch_free(&b);
}

/* Stop while requests are stalled and delayed: no hang, no crash, no leak. */
static void test_shutdown_with_suspended(void **state)
{
	struct batch stalled, delayed;
	int64_t deadline = mono_now_ns() + 10000 * MS;

	(void)state;
	assert_int_equal(server_up(NULL), 0);
	batch_start(&stalled, 20, "?fault=stall");
	batch_start(&delayed, 20, "?delay_ms=60000&size=10");
	while (testserver_pending(srv) < 40 && mono_now_ns() < deadline) {
		multi_drive(stalled.multi, mono_now_ns() + 10 * MS);
		multi_drive(delayed.multi, mono_now_ns() + 10 * MS);
	}
	assert_int_equal(testserver_pending(srv), 40);
	server_down(NULL);
	multi_drive(stalled.multi, mono_now_ns() + 5000 * MS);
	multi_drive(delayed.multi, mono_now_ns() + 5000 * MS);
	/* Every request ended (none still running), each with an error. */
	assert_int_equal(batch_count(&stalled, CURL_LAST, -1), 20);
	assert_int_equal(batch_count(&delayed, CURL_LAST, -1), 20);
	batch_free(&stalled);
	batch_free(&delayed);
}

static void test_spawn_and_kill(void **state)
{
	char err[256] = "", libs[128] = "";
	struct serverproc s;
	struct fetch f;
	pid_t pid;

	(void)state;
	assert_int_equal(serverproc_start(NULL, &s, err, sizeof(err)), 0);
	assert_true(s.pid > 0);
	assert_true(s.port > 0);
	/* the helper reports the library versions it runs with */
	assert_int_equal(testserver_libraries(libs, sizeof(libs)), 0);
	assert_string_equal(s.libraries, libs);
	assert_non_null(strstr(libs, "libmicrohttpd/"));
	snprintf(base, sizeof(base), "http://127.0.0.1:%u/", (unsigned)s.port);
	f = fetch("?size=777");
	assert_int_equal(f.rc, CURLE_OK);
	assert_int_equal(f.bytes, 777);
	pid = s.pid;
	serverproc_stop(&s);
	assert_int_equal(s.pid, 0);
	assert_int_equal(kill(pid, 0), -1); /* reaped: gone */
	f = fetch("");
	assert_int_equal(f.rc, CURLE_COULDNT_CONNECT);
}

static void test_spawn_bad_address(void **state)
{
	const char *const flags[] = { "--bind", "not-an-address", NULL };
	char err[256] = "";
	struct serverproc s;

	(void)state;
	assert_true(serverproc_start(flags, &s, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "not-an-address"));
	assert_int_equal(s.pid, 0);
}

static void test_serve_bad_flags(void **state)
{
	char *bogus[] = { "--bogus", NULL };
	char *port[] = { "--port", "abc", NULL };
	char *big[] = { "--port", "70000", NULL };
	char *extra[] = { "extra", NULL };
	char *help[] = { "--help", NULL };

	(void)state;
	assert_int_equal(testserver_serve_main(1, bogus), 2);
	assert_int_equal(testserver_serve_main(2, port), 2);
	assert_int_equal(testserver_serve_main(2, big), 2);
	assert_int_equal(testserver_serve_main(1, extra), 2);
	assert_int_equal(testserver_serve_main(1, help), 0);
}

/* `concur serve` in a child: prints its URL, serves, exits 0 on SIGTERM. */
static void test_serve_runs(void **state)
{
	char line[256] = "", *url;
	int fds[2], status = -1;
	struct fetch f;
	FILE *in;
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char *args[] = { "--port", "0", "--bind", "127.0.0.1", NULL };

		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		_exit(testserver_serve_main(4, args));
	}
	close(fds[1]);
	in = fdopen(fds[0], "r");
	assert_non_null(fgets(line, sizeof(line), in));
	url = strstr(line, "http://127.0.0.1:");
	assert_non_null(url);
	*strchr(url, ' ') = '\0';
	snprintf(base, sizeof(base), "%s", url);
	f = fetch("?size=42");
	assert_int_equal(f.rc, CURLE_OK);
	assert_int_equal(f.bytes, 42);
	kill(pid, SIGTERM);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	fclose(in);
}

int main(void)
{
	const struct CMUnitTest shared[] = {
		cmocka_unit_test(test_delay_and_size),
		cmocka_unit_test(test_status_and_faults),
		cmocka_unit_test(test_informational_status_refused),
		cmocka_unit_test(test_thousand_concurrent),
	};
	const struct CMUnitTest own[] = {
		cmocka_unit_test(test_shutdown_with_suspended),
		cmocka_unit_test(test_spawn_and_kill),
		cmocka_unit_test(test_spawn_bad_address),
		cmocka_unit_test(test_serve_bad_flags),
		cmocka_unit_test(test_serve_runs),
	};
	int failed;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	signal(SIGPIPE, SIG_IGN);
	failed = cmocka_run_group_tests_name("testserver", shared, server_up,
					     server_down);
	failed += cmocka_run_group_tests_name("testserver_lifecycle", own, NULL,
					      NULL);
	curl_global_cleanup();
	return failed;
}
