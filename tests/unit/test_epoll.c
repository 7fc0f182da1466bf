/*
 * test_epoll.c - the epoll strategy: the in-flight bound, every task at
 * once, several loops, blocking workloads, tasks completed from inside
 * start_task and from 0-delay timers, the file descriptor rule (the
 * estimate never refuses a run; a workload really short of fds fails those
 * tasks, saying so), and no fd leak over 10,000 transfers.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_http_common.h"
#include "serverproc.h"
#include "util.h"

#define MS 1000000LL

static struct serverproc server;
static const char *loop_name = "epoll";
static const struct plugin *epoll_p, *http;

/* The server runs in its own process so its sockets never count here. */
static int setup(void **state)
{
	char err[256] = "", base[64];

	(void)state;
	if (serverproc_start(NULL, &server, err, sizeof(err))) {
		fprintf(stderr, "serverproc_start: %s\n", err);
		return -1;
	}
	snprintf(base, sizeof(base), "http://127.0.0.1:%u/",
		 (unsigned)server.port);
	setenv(CONCUR_BUILTIN_URL_ENV, base, 1);
	snprintf(base, sizeof(base), "plugins/strategy/%s.so", loop_name);
	epoll_p = th_load(base);
	http = th_load("plugins/workload/http_download.so");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	serverproc_stop(&server);
	return 0;
}

static size_t fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static struct job_shared *run_http(const char *max_inflight,
				   const char *threads, const char *count,
				   const char *latency, const char *reuse)
{
	struct th_values sv, wv;

	th_defaults(&sv, epoll_p);
	th_set(&sv, "max_inflight", max_inflight);
	th_set(&sv, "threads", threads);
	th_defaults(&wv, http);
	th_set(&wv, "count", count);
	th_set(&wv, "latency", latency);
	th_set(&wv, "body", "100");
	th_set(&wv, "reuse_connections", reuse);
	return th_run(&sv, &wv, (size_t)atol(count));
}

static void all_ok(const struct job_shared *sh)
{
	if (sh->n_failed)
		fail_msg("%llu tasks failed: %s",
			 (unsigned long long)sh->n_failed, sh->error_text);
	for (size_t i = 0; i < sh->n_tasks; i++) {
		assert_true(sh->tasks[i].flags & CONCUR_TASK_DONE);
		assert_true(sh->tasks[i].end_ns >= sh->tasks[i].start_ns);
		assert_int_equal(sh->tasks[i].bytes, 100);
	}
}

static void test_inflight_bound(void **state)
{
	struct job_shared *sh = run_http("10", "1", "60", "30ms", "true");
	size_t overlap = th_max_overlap(sh);

	(void)state;
	all_ok(sh);
	if (overlap > 10 || overlap < 2)
		fail_msg("max overlap %zu, expected 2..10", overlap);
	assert_true(th_new_conns(sh) <= 10);
	job_release(sh);

	/* Split across 3 loops: 3 + 2 + 2 = 7. */
	sh = run_http("7", "3", "60", "30ms", "true");
	overlap = th_max_overlap(sh);
	all_ok(sh);
	if (overlap > 7)
		fail_msg("max overlap %zu with max_inflight 7", overlap);
	job_release(sh);
}

/* The longest task of a run, end - start. */
static int64_t longest_task(const struct job_shared *sh)
{
	int64_t most = 0;

	for (size_t i = 0; i < sh->n_tasks; i++) {
		int64_t d = sh->tasks[i].end_ns - sh->tasks[i].start_ns;

		most = d > most ? d : most;
	}
	return most;
}

/*
 * max_inflight 0: 300 tasks of 300 ms at once.  The run lasts about one
 * task, however slow the machine makes each (below twice the longest
 * measured), where in sequence it would last 300 of them.
 */
static void test_all_in_flight(void **state)
{
	struct job_shared *sh = run_http("0", "1", "300", "300ms", "true");
	int64_t longest = longest_task(sh);

	(void)state;
	all_ok(sh);
	fprintf(stderr,
		"300 x 300 ms, all in flight: %.3f s, longest task %.3f s, "
		"overlap %zu\n",
		sh->wall_ns / 1e9, longest / 1e9, th_max_overlap(sh));
	assert_true(sh->wall_ns >= 300 * MS);
	if (sh->wall_ns >= 2 * longest)
		fail_msg("the run took %.3f s, the longest task %.3f s: the "
			 "tasks did not run at once",
			 sh->wall_ns / 1e9, longest / 1e9);
	assert_true(th_max_overlap(sh) > 150);
	job_release(sh);
}

static void test_threads(void **state)
{
	struct job_shared *sh = run_http("0", "4", "400", "5ms", "true");

	(void)state;
	all_ok(sh);
	job_release(sh);
}

/* 10,000 transfers (and 1,000 on fresh connections) leave no fd behind. */
static void test_no_fd_leak(void **state)
{
	size_t before = fd_count();
	struct job_shared *sh = run_http("50", "1", "10000", "0", "true");

	(void)state;
	all_ok(sh);
	assert_true(th_new_conns(sh) <= 50);
	job_release(sh);
	sh = run_http("20", "2", "1000", "0", "false");
	all_ok(sh);
	assert_int_equal(th_new_conns(sh), 1000);
	job_release(sh);
	assert_int_equal(fd_count(), before);
}

/*
 * 300 in flight span three of http_download's multi handles (128
 * connections each): a task still goes to an idle connection of any of
 * them before a new one opens, so reuse holds across them.
 */
static void test_reuse_across_shards(void **state)
{
	struct job_shared *sh = run_http("300", "1", "1500", "20ms", "true");
	size_t conns = th_new_conns(sh);

	(void)state;
	all_ok(sh);
	fprintf(stderr, "1500 tasks, 300 in flight, reuse: %zu connections\n",
		conns);
	if (conns > 300 || conns < 129)
		fail_msg("%zu new connections, expected 129..300", conns);
	job_release(sh);
	sh = run_http("300", "1", "600", "20ms", "false");
	all_ok(sh);
	assert_int_equal(th_new_conns(sh), 600);
	job_release(sh);
}

/* A workload without start_task runs blocking inside the loop. */
static void test_blocking_workload(void **state)
{
	const struct plugin *null_w =
		th_load_optional("plugins/workload/null.so");
	struct th_values sv, wv;
	struct job_shared *sh;

	(void)state;
	if (!null_w)
		skip();
	th_defaults(&sv, epoll_p);
	th_set(&sv, "threads", "2");
	th_defaults(&wv, null_w);
	th_set(&wv, "count", "5000");
	sh = th_run(&sv, &wv, 5000);
	assert_int_equal(sh->n_tasks, 5000);
	assert_int_equal(sh->n_failed, 0);
	for (size_t i = 0; i < sh->n_tasks; i++)
		assert_true(sh->tasks[i].flags & CONCUR_TASK_DONE);
	job_release(sh);
}

/*
 * An in-test workload: task i completes inside start_task, or (i % 3 == 1)
 * from a 0-delay timer, or (i % 1000 == 999) fails to start.
 */
#define QUICK_TASKS 200000

struct quick_worker {
	struct concur_timer *timers; /* one per task, zeroed */
	bool in_arm;
	bool reentered;
};

static int quick_create(const union concur_value *params, void **ret, char *err,
			size_t errlen)
{
	(void)params;
	(void)err;
	(void)errlen;
	*ret = NULL;
	return 0;
}

static void quick_destroy(void *instance)
{
	(void)instance;
}

static size_t quick_count(void *instance)
{
	(void)instance;
	return QUICK_TASKS;
}

static int quick_worker_init(void *instance, unsigned id,
			     struct concur_loop *loop, void **ret, char *err,
			     size_t errlen)
{
	struct quick_worker *w = xcalloc(1, sizeof(*w));

	(void)instance;
	(void)id;
	(void)loop;
	(void)err;
	(void)errlen;
	w->timers = xcalloc(QUICK_TASKS, sizeof(*w->timers));
	*ret = w;
	return 0;
}

static struct quick_worker *quick_last;

static void quick_worker_fini(void *instance, void *worker)
{
	struct quick_worker *w = worker;

	(void)instance;
	assert_false(w->reentered);
	free(w->timers);
	free(w);
	quick_last = NULL;
}

static int quick_run(void *instance, void *worker, size_t task,
		     struct concur_task *rec, char *err, size_t errlen)
{
	(void)instance;
	(void)worker;
	(void)task;
	(void)rec;
	(void)err;
	(void)errlen;
	return 0;
}

static void quick_timer_fired(struct concur_loop *loop, void *arg)
{
	struct concur_timer *t = arg;
	struct quick_worker *w = quick_last;

	if (w && w->in_arm)
		w->reentered = true;
	loop->complete(loop, (size_t)(t - w->timers), 0, NULL);
}

static int quick_start(void *instance, void *worker, size_t task,
		       struct concur_task *rec, struct concur_loop *loop,
		       char *err, size_t errlen)
{
	struct quick_worker *w = worker;
	int rc;

	(void)instance;
	quick_last = w;
	rec->result = task;
	if (task % 1000 == 999) {
		snprintf(err, errlen, "task %zu refused to start", task);
		return -EINVAL;
	}
	if (task % 3 == 1) {
		w->in_arm = true;
		rc = loop->timer_arm(loop, &w->timers[task], 0,
				     quick_timer_fired, &w->timers[task]);
		w->in_arm = false;
		return rc;
	}
	loop->complete(loop, task, 0, NULL);
	return 0;
}

static int quick_check(void *instance, size_t task,
		       const struct concur_task *rec, char *err, size_t errlen)
{
	(void)instance;
	(void)err;
	(void)errlen;
	return rec->result == task ? 0 : -EINVAL;
}

static const struct plugin quick = {
	.name = "quick",
	.workload = {
		.create = quick_create,
		.destroy = quick_destroy,
		.task_count = quick_count,
		.worker_init = quick_worker_init,
		.worker_fini = quick_worker_fini,
		.run_task = quick_run,
		.start_task = quick_start,
		.check_task = quick_check,
	},
};

static void test_complete_inside_start(void **state)
{
	struct th_values sv, wv = { .plugin = &quick };
	struct job_shared *sh;
	struct rlimit rl;

	(void)state;
	getrlimit(RLIMIT_NOFILE, &rl);
	th_defaults(&sv, epoll_p);
	th_set(&sv, "max_inflight", "1000");
	sh = th_run(&sv, &wv, QUICK_TASKS);
	assert_int_equal(sh->n_tasks, QUICK_TASKS);
	assert_int_equal(sh->n_failed, QUICK_TASKS / 1000);
	for (size_t i = 0; i < QUICK_TASKS; i++) {
		assert_true(sh->tasks[i].flags & CONCUR_TASK_DONE);
		assert_int_equal(sh->tasks[i].status,
				 i % 1000 == 999 ? -EINVAL : 0);
	}
	assert_non_null(strstr(sh->error_text, "refused to start"));
	job_release(sh);
}

/*
 * Run fn in a child process whose fd limits (soft and hard) are `limit`, so
 * the parent keeps its own; the child exits 0 when fn's checks hold, else
 * with the number of the check that failed (cmocka asserts would unwind into
 * the parent's copy of the runner).
 */
static void in_child_with_fd_limit(rlim_t limit, int (*fn)(void))
{
	pid_t pid = fork();
	int wstatus = 0;

	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit rl = { limit, limit };

		_exit(setrlimit(RLIMIT_NOFILE, &rl) != 0 ? 99 : fn());
	}
	assert_int_equal(waitpid(pid, &wstatus, 0), pid);
	assert_true(WIFEXITED(wstatus));
	if (WEXITSTATUS(wstatus) != 0)
		fail_msg("check %d failed in the child", WEXITSTATUS(wstatus));
}

/* 200,000 quick tasks at once need no fd: the fd estimate must not refuse. */
static int quick_all_at_once(void)
{
	struct th_values sv, wv = { .plugin = &quick };
	struct job_shared *sh = job_alloc(QUICK_TASKS);

	th_defaults(&sv, epoll_p); /* max_inflight 0: all 200,000 at once */
	if (job_run(epoll_p, sv.v, &quick, wv.v, NULL, sh, QUICK_TASKS,
		    mono_now_ns) != 0) {
		fprintf(stderr, "job_run: %s\n", sh->error_text);
		return 1;
	}
	if (sh->n_failed != QUICK_TASKS / 1000)
		return 2;
	job_release(sh);
	return 0;
}

static void test_fd_estimate_never_refuses(void **state)
{
	(void)state;
	in_child_with_fd_limit(256, quick_all_at_once);
}

/*
 * 300 downloads at once with 64 fds: the run works, the downloads that got
 * a socket succeed, and the others fail with -EMFILE saying which limit.
 */
static int http_short_of_fds(void)
{
	struct job_shared *sh = run_http("0", "1", "300", "300ms", "true");
	size_t ok = 0, emfile = 0;

	for (size_t i = 0; i < sh->n_tasks; i++) {
		ok += sh->tasks[i].status == 0;
		emfile += sh->tasks[i].status == -EMFILE;
	}
	fprintf(stderr, "64 fds, 300 in flight: %zu ok, %zu EMFILE: %s\n", ok,
		emfile, sh->error_text);
	if (ok == 0 || emfile == 0 || ok + emfile != sh->n_tasks)
		return 1;
	if (!strstr(sh->error_text, "file descriptor limit 64"))
		return 2;
	job_release(sh);
	return 0;
}

static void test_fds_exhausted(void **state)
{
	(void)state;
	in_child_with_fd_limit(64, http_short_of_fds);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inflight_bound),
		cmocka_unit_test(test_all_in_flight),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_no_fd_leak),
		cmocka_unit_test(test_reuse_across_shards),
		cmocka_unit_test(test_blocking_workload),
		cmocka_unit_test(test_complete_inside_start),
		cmocka_unit_test(test_fd_estimate_never_refuses),
		cmocka_unit_test(test_fds_exhausted),
	};

	if (argc > 1)
		loop_name = argv[1];
	return cmocka_run_group_tests_name(loop_name, tests, setup, teardown);
}
