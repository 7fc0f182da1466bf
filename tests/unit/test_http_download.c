/*
 * test_http_download.c - the http_download workload against the embedded
 * server, under every strategy available (sync, pthreads when built, epoll):
 * success, HTTP 404, connection refused, a reset mid-body, a timeout, a
 * byte mismatch (each a failed task with the right reason), connection
 * reuse on and off, and handles and heap made before the timed region, for
 * the event-loop face only: the core tells prepare_face the face.
 */
#include <errno.h>
#include <malloc.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_http_common.h"
#include "test_http_server.h"
#include "testserver.h"
#include "util.h"

#define MS 1000000LL

static struct testserver *srv;
static char base[64];
static const struct plugin *http;

struct strat {
	const char *name;
	const char *file;
	const char *key, *val; /* a parameter bounding the concurrency */
	size_t conc;	       /* ... to this many tasks */
	const struct plugin *p;
};

static struct strat strats[] = {
	{ "sync", "plugins/strategy/sync.so", NULL, NULL, 1 },
	{ "pthreads", "plugins/strategy/pthreads.so", "workers", "4", 4 },
	{ "epoll", "plugins/strategy/epoll.so", "max_inflight", "4", 4 },
};

static int setup(void **state)
{
	(void)state;
	srv = th_server_start(base, sizeof(base));
	if (!srv)
		return -1;
	http = th_load("plugins/workload/http_download.so");
	for (size_t i = 0; i < ARRAY_SIZE(strats); i++) {
		strats[i].p = th_load_optional(strats[i].file);
		if (!strats[i].p)
			fprintf(stderr, "note: %s not built, skipped\n",
				strats[i].file);
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	testserver_stop(srv);
	return 0;
}

static void strat_values(struct th_values *sv, const struct strat *s,
			 bool bounded)
{
	th_defaults(sv, s->p);
	if (bounded && s->key)
		th_set(sv, s->key, s->val);
}

/* Run workload values wv under every strategy; check(each result). */
static void each_strategy(struct th_values *wv, bool bounded,
			  void (*check)(const struct strat *s,
					struct job_shared *sh))
{
	for (size_t i = 0; i < ARRAY_SIZE(strats); i++) {
		struct th_values sv;
		struct job_shared *sh;

		if (!strats[i].p)
			continue;
		strat_values(&sv, &strats[i], bounded);
		sh = th_run(&sv, wv, 1000);
		check(&strats[i], sh);
		job_release(sh);
	}
}

static char *url_of(const char *suffix)
{
	return xasprintf("%s%s", base, suffix);
}

/* Every task failed with `status` and the cell's error mentions `why`. */
static void all_failed(struct job_shared *sh, int status, const char *why)
{
	assert_int_equal(sh->n_failed, sh->n_tasks);
	for (size_t i = 0; i < sh->n_tasks; i++) {
		assert_true(sh->tasks[i].flags & CONCUR_TASK_DONE);
		assert_int_equal(sh->tasks[i].status, status);
	}
	if (!strstr(sh->error_text, why))
		fail_msg("error '%s' does not mention '%s'", sh->error_text,
			 why);
}

static void check_success(const struct strat *s, struct job_shared *sh)
{
	(void)s;
	assert_int_equal(sh->n_tasks, 24);
	assert_int_equal(sh->n_failed, 0);
	for (size_t i = 0; i < sh->n_tasks; i++) {
		assert_true(sh->tasks[i].flags & CONCUR_TASK_DONE);
		assert_int_equal(sh->tasks[i].status, 0);
		assert_int_equal(sh->tasks[i].detail, 200);
		assert_int_equal(sh->tasks[i].bytes, 10240);
		assert_true(sh->tasks[i].end_ns - sh->tasks[i].start_ns >=
			    2 * MS);
	}
}

static void test_success(void **state)
{
	struct th_values wv;

	(void)state;
	th_defaults(&wv, http);
	th_set(&wv, "count", "24");
	th_set(&wv, "latency", "2ms");
	th_set(&wv, "expect_bytes", "10240");
	each_strategy(&wv, true, check_success);
}

static void check_404(const struct strat *s, struct job_shared *sh)
{
	(void)s;
	all_failed(sh, -EPROTO, "HTTP status 404, expected 2xx");
	for (size_t i = 0; i < sh->n_tasks; i++)
		assert_int_equal(sh->tasks[i].detail, 404);
}

static void check_ok(const struct strat *s, struct job_shared *sh)
{
	(void)s;
	assert_int_equal(sh->n_failed, 0);
}

static void test_status_404(void **state)
{
	char *u1 = url_of("?status=404"), *u2 = url_of("missing/page");
	struct th_values wv;

	(void)state;
	th_defaults(&wv, http);
	th_set(&wv, "count", "3");
	th_set(&wv, "url", u1);
	each_strategy(&wv, true, check_404);
	th_set(&wv, "url", u2);
	each_strategy(&wv, true, check_404);
	/* ... and a 404 that was expected is a success. */
	th_set(&wv, "expect_status", "404");
	each_strategy(&wv, true, check_ok);
	free(u1);
	free(u2);
}

static void check_refused(const struct strat *s, struct job_shared *sh)
{
	(void)s;
	all_failed(sh, -ECONNREFUSED, "curl: ");
	assert_true(sh->wall_ns < 5000 * MS); /* refused at once, no retry */
}

/* A bound socket that does not listen: connections to it are refused. */
static void test_refused(void **state)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct th_values wv;
	char *url;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	url = xasprintf("http://127.0.0.1:%u/", (unsigned)ntohs(a.sin_port));
	th_defaults(&wv, http);
	th_set(&wv, "count", "3");
	th_set(&wv, "url", url);
	each_strategy(&wv, true, check_refused);
	close(fd);
	free(url);
}

static void check_reset(const struct strat *s, struct job_shared *sh)
{
	(void)s;
	all_failed(sh, -ECONNRESET, "curl: ");
	for (size_t i = 0; i < sh->n_tasks; i++)
		assert_true(sh->tasks[i].bytes < 100000);
}

static void test_reset_mid_body(void **state)
{
	char *url = url_of("?fault=reset&size=100000");
	struct th_values wv;

	(void)state;
	th_defaults(&wv, http);
	th_set(&wv, "count", "3");
	th_set(&wv, "url", url);
	each_strategy(&wv, true, check_reset);
	free(url);
}

static void check_closed(const struct strat *s, struct job_shared *sh)
{
	(void)s;
	all_failed(sh, -ECONNRESET, "curl: ");
}

static void test_closed_without_reply(void **state)
{
	char *url = url_of("?fault=close");
	struct th_values wv;

	(void)state;
	th_defaults(&wv, http);
	th_set(&wv, "count", "3");
	th_set(&wv, "url", url);
	each_strategy(&wv, true, check_closed);
	free(url);
}

static void check_timeout(const struct strat *s, struct job_shared *sh)
{
	(void)s;
	all_failed(sh, -ETIMEDOUT, "imed out");
	for (size_t i = 0; i < sh->n_tasks; i++) {
		int64_t t = sh->tasks[i].end_ns - sh->tasks[i].start_ns;

		assert_true(t >= 190 * MS);
		assert_true(t < 1900 * MS); /* well before the 2 s answer */
	}
}

static void test_timeout(void **state)
{
	char *url = url_of("?delay_ms=2000");
	struct th_values wv;

	(void)state;
	th_defaults(&wv, http);
	th_set(&wv, "count", "2");
	th_set(&wv, "url", url);
	th_set(&wv, "timeout", "200ms");
	each_strategy(&wv, true, check_timeout);
	free(url);
}

static void check_bytes(const struct strat *s, struct job_shared *sh)
{
	(void)s;
	all_failed(sh, -EPROTO, "got 1000 body bytes, expected 999");
	for (size_t i = 0; i < sh->n_tasks; i++)
		assert_int_equal(sh->tasks[i].bytes, 1000);
}

static void test_byte_mismatch(void **state)
{
	struct th_values wv;

	(void)state;
	th_defaults(&wv, http);
	th_set(&wv, "count", "3");
	th_set(&wv, "body", "1000");
	th_set(&wv, "expect_bytes", "999");
	each_strategy(&wv, true, check_bytes);
}

static void check_reuse(const struct strat *s, struct job_shared *sh)
{
	size_t n = th_new_conns(sh);

	assert_int_equal(sh->n_failed, 0);
	if (n < 1 || n > s->conc)
		fail_msg("%s: %zu new connections for %zu tasks, expected "
			 "1..%zu",
			 s->name, n, (size_t)sh->n_tasks, s->conc);
}

static void check_no_reuse(const struct strat *s, struct job_shared *sh)
{
	(void)s;
	assert_int_equal(sh->n_failed, 0);
	assert_int_equal(th_new_conns(sh), sh->n_tasks);
}

static void test_connection_reuse(void **state)
{
	struct th_values wv;

	(void)state;
	th_defaults(&wv, http);
	th_set(&wv, "count", "60");
	th_set(&wv, "body", "100");
	th_set(&wv, "latency", "1ms");
	each_strategy(&wv, true, check_reuse);
	th_set(&wv, "reuse_connections", "false");
	each_strategy(&wv, true, check_no_reuse);
}

/* create rejects what it cannot run, with a message, before any task. */
static void test_create_errors(void **state)
{
	struct th_values wv;
	char err[CONCUR_ERRLEN] = "";
	void *inst = NULL;

	(void)state;
	th_defaults(&wv, http);
	th_set(&wv, "url", "ftp://example.com/file");
	assert_true(http->workload.create(wv.v, &inst, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "http:// or https://"));

	th_defaults(&wv, http);
	th_set(&wv, "expect_status", "ok");
	assert_true(http->workload.create(wv.v, &inst, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "expect_status"));

	th_defaults(&wv, http);
	unsetenv(CONCUR_BUILTIN_URL_ENV);
	assert_true(http->workload.create(wv.v, &inst, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, CONCUR_BUILTIN_URL_ENV));
	setenv(CONCUR_BUILTIN_URL_ENV, base, 1);

	assert_int_equal(http->workload.create(wv.v, &inst, err, sizeof(err)),
			 0);
	assert_int_equal(http->workload.task_count(inst), 160);
	http->workload.destroy(inst);
}

/* ---- a loop that only records, for calling start_task by hand ---- */

static int quiet_watch(struct concur_loop *loop, int fd, unsigned events,
		       concur_fd_cb cb, void *arg)
{
	(void)loop, (void)fd, (void)events, (void)cb, (void)arg;
	return 0;
}

static int quiet_timer_arm(struct concur_loop *loop, struct concur_timer *t,
			   int64_t delay_ns, concur_timer_cb cb, void *arg)
{
	(void)loop, (void)t, (void)delay_ns, (void)cb, (void)arg;
	return 0;
}

static void quiet_timer_cancel(struct concur_loop *loop, struct concur_timer *t)
{
	(void)loop, (void)t;
}

static void quiet_complete(struct concur_loop *loop, size_t task, int status,
			   const char *error)
{
	(void)loop, (void)task, (void)status, (void)error;
}

static int64_t quiet_now(void)
{
	return 0;
}

/*
 * prepare makes the event-loop face's easy handles, outside the timed
 * region: starting tasks then allocates no handle (a handle is over 5 KiB
 * of libcurl's), only what adding it to a multi handle takes.
 */
static void test_handles_prepared(void **state)
{
	struct concur_loop loop = {
		.size = CONCUR_LOOP_SIZE,
		.watch = quiet_watch,
		.timer_arm = quiet_timer_arm,
		.timer_cancel = quiet_timer_cancel,
		.complete = quiet_complete,
		.now_ns = quiet_now,
	};
	struct concur_task recs[64];
	struct th_values wv;
	char err[CONCUR_ERRLEN] = "";
	void *inst = NULL, *worker = NULL;
	size_t before, grown;

	(void)state;
	memset(recs, 0, sizeof(recs));
	th_defaults(&wv, http);
	th_set(&wv, "count", "64");
	assert_int_equal(http->workload.create(wv.v, &inst, err, sizeof(err)),
			 0);
	assert_int_equal(http->workload.prepare(inst, err, sizeof(err)), 0);
	assert_int_equal(http->workload.worker_init(inst, 0, &loop, &worker,
						    err, sizeof(err)),
			 0);
	/* The first task makes the worker's multi handle: not counted. */
	assert_int_equal(http->workload.start_task(inst, worker, 0, &recs[0],
						   &loop, err, sizeof(err)),
			 0);
	before = mallinfo2().uordblks;
	for (size_t i = 1; i < 64; i++)
		assert_int_equal(http->workload.start_task(inst, worker, i,
							   &recs[i], &loop, err,
							   sizeof(err)),
				 0);
	grown = mallinfo2().uordblks - before;
	http->workload.worker_fini(inst, worker);
	http->workload.destroy(inst);
	if (grown > 63 * 1024)
		fail_msg("starting 63 tasks allocated %zu bytes (%zu a task): "
			 "handles were made in the timed region",
			 grown, grown / 63);
}

/*
 * Under AddressSanitizer or ThreadSanitizer malloc is the sanitizer's:
 * glibc's heap, which the two tests below observe (mallinfo2, page faults
 * of its top), is not the one in use, and prepare's mallopt has no effect
 * on it.  (GCC defines __SANITIZE_*__; clang answers __has_feature.)
 */
#ifndef __has_feature
#define __has_feature(x) 0
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__) ||           \
	__has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define GLIBC_HEAP false
#else
#define GLIBC_HEAP true
#endif

static void need_glibc_heap(void)
{
	if (!GLIBC_HEAP) {
		fprintf(stderr, "note: a sanitizer's allocator, not "
				"glibc's: skipped\n");
		skip();
	}
}

/* Minor page faults this process has taken so far. */
static long minor_faults(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/*
 * In a forked child, as a run's process is: create and prepare, then
 * allocate and write `bytes` in pieces of the size libcurl allocates;
 * returns the page faults that writing took.
 */
static long faults_after_prepare(size_t bytes)
{
	int fds[2];
	long faults = -1;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct th_values wv;
		char err[CONCUR_ERRLEN] = "";
		void *inst = NULL;
		long before;

		th_defaults(&wv, http);
		th_set(&wv, "count", "256");
		th_set(&wv, "body", "10k");
		if (http->workload.create(wv.v, &inst, err, sizeof(err)) ||
		    http->workload.prepare(inst, err, sizeof(err)))
			_exit(1);
		before = minor_faults();
		for (size_t done = 0; done < bytes; done += 2000)
			memset(malloc(2000), 1, 2000);
		faults = minor_faults() - before;
		if (write(fds[1], &faults, sizeof(faults)) != sizeof(faults))
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &faults, sizeof(faults)), sizeof(faults));
	close(fds[0]);
	waitpid(pid, NULL, 0);
	return faults;
}

/*
 * prepare makes the heap the downloads will allocate present, outside the
 * timed region: in a forked process their first writes to it then take
 * few page faults (without it, one per 4 KiB page; with it, ~a quarter, on
 * free space the child shares with this test's heap until it writes it).
 */
static void test_heap_prefaulted(void **state)
{
	size_t bytes = 256 * 8192; /* below what 256 downloads of 10 KiB use */
	long faults, pages = (long)bytes / sysconf(_SC_PAGESIZE);

	(void)state;
	need_glibc_heap();
	faults = faults_after_prepare(bytes);
	if (faults > pages / 2)
		fail_msg("writing %zu bytes after prepare took %ld page "
			 "faults (%ld pages)",
			 bytes, faults, pages);
}

/* Heap in use after create and prepare_face(face) (-1: plain prepare). */
static size_t prepared_bytes(int face)
{
	struct th_values wv;
	char err[CONCUR_ERRLEN] = "";
	void *inst = NULL;
	size_t before, used;

	th_defaults(&wv, http);
	th_set(&wv, "count", "256");
	before = mallinfo2().uordblks;
	assert_int_equal(http->workload.create(wv.v, &inst, err, sizeof(err)),
			 0);
	if (face < 0)
		assert_int_equal(http->workload.prepare(inst, err, sizeof(err)),
				 0);
	else
		assert_int_equal(http->workload.prepare_face(inst, face, err,
							     sizeof(err)),
				 0);
	used = mallinfo2().uordblks - before;
	http->workload.destroy(inst);
	return used;
}

/*
 * The handle pool serves the event-loop face only: with blocking workers
 * (sync, pthreads, forkpool make one handle per worker in worker_init)
 * prepare builds none; for a loop, or when the face is not said, it does
 * (256 handles of over 5 KiB each).
 */
static void test_blocking_face_builds_no_pool(void **state)
{
	size_t blocking, loop, unsaid, older;

	(void)state;
	need_glibc_heap();
	blocking = prepared_bytes(CONCUR_FACE_BLOCKING);
	loop = prepared_bytes(CONCUR_FACE_LOOP);
	unsaid = prepared_bytes(CONCUR_FACE_UNSAID);
	older = prepared_bytes(-1);
	if (blocking > 64 * 1024)
		fail_msg("prepare for blocking workers kept %zu bytes",
			 blocking);
	if (loop < 256 * 5 * 1024 || unsaid < 256 * 5 * 1024 ||
	    older < 256 * 5 * 1024)
		fail_msg("prepare for a loop kept %zu bytes, for an unsaid "
			 "face %zu, from an older core %zu: no pool",
			 loop, unsaid, older);
}

static int face_seen;

static int record_face(void *instance, int face, char *err, size_t errlen)
{
	(void)instance;
	(void)err;
	(void)errlen;
	face_seen = face;
	return 0;
}

/*
 * The core's side of it: prepare_face is told CONCUR_FACE_BLOCKING under
 * sync and pthreads, CONCUR_FACE_LOOP under epoll, and CONCUR_FACE_UNSAID
 * under a strategy that declares neither capability (sync with its caps
 * cleared, as one built against an older header).
 */
static void test_core_tells_prepare_the_face(void **state)
{
	struct plugin w = *http;

	(void)state;
	w.workload.prepare_face = record_face;
	for (size_t i = 0; i < ARRAY_SIZE(strats); i++) {
		struct th_values sv, wv;
		struct job_shared *sh;

		if (!strats[i].p)
			continue;
		th_defaults(&wv, &w);
		th_set(&wv, "count", "2");
		strat_values(&sv, &strats[i], true);
		face_seen = -1;
		sh = th_run(&sv, &wv, 10);
		assert_int_equal(sh->n_failed, 0);
		job_release(sh);
		assert_int_equal(face_seen, strcmp(strats[i].name, "epoll")
						    ? CONCUR_FACE_BLOCKING
						    : CONCUR_FACE_LOOP);
	}
	if (strats[0].p) {
		struct plugin older = *strats[0].p;
		struct th_values sv, wv;
		struct job_shared *sh;

		older.info.caps = CONCUR_CAP_OPEN_LOOP;
		older.desc = &older.info;
		th_defaults(&sv, &older);
		th_defaults(&wv, &w);
		th_set(&wv, "count", "2");
		face_seen = -1;
		sh = th_run(&sv, &wv, 10);
		assert_int_equal(sh->n_failed, 0);
		job_release(sh);
		assert_int_equal(face_seen, CONCUR_FACE_UNSAID);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_success),
		cmocka_unit_test(test_status_404),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_reset_mid_body),
		cmocka_unit_test(test_closed_without_reply),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_byte_mismatch),
		cmocka_unit_test(test_connection_reuse),
		cmocka_unit_test(test_create_errors),
		cmocka_unit_test(test_handles_prepared),
		cmocka_unit_test(test_heap_prefaulted),
		cmocka_unit_test(test_blocking_face_builds_no_pool),
		cmocka_unit_test(test_core_tells_prepare_the_face),
	};

	return cmocka_run_group_tests_name("http_download", tests, setup,
					   teardown);
}
