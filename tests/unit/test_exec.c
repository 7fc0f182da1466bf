/*
 * test_exec - the exec workload run by the real strategies through job_run:
 * tasks that succeed, fail, hang past their timeout (the whole process
 * group killed), print megabytes, are missing, or print the wrong thing;
 * env.NAME and crossed keys reaching the command; setup / prepare /
 * cleanup; and nothing left behind: fds, children, process groups.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_http_common.h"
#include "util.h"

static const char *const strategies[] = { "sync", "pthreads", "epoll",
					  "io_uring", "forkpool" };

static void strategy(struct th_values *s, const char *name)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "plugins/strategy/%s.so", name);
	th_defaults(s, th_load(rel));
	if (strcmp(name, "pthreads") == 0 || strcmp(name, "forkpool") == 0)
		th_set(s, "workers", "4");
}

static void exec_values(struct th_values *w, const char *command)
{
	th_defaults(w, th_load("plugins/workload/exec.so"));
	th_set(w, "command", command);
}

/* Run w on strategy `name` with extras; job_run must return 0. */
static struct job_shared *run(const char *name, const struct th_values *w,
			      const struct plugin_extras *extras)
{
	struct th_values s;
	struct job_shared *sh;
	size_t n = (size_t)w->v[2].i; /* tasks */
	int rc;

	strategy(&s, name);
	sh = job_alloc(n);
	assert_non_null(sh);
	rc = job_run(s.plugin, s.v, w->plugin, w->v, extras, sh, n,
		     mono_now_ns);
	if (rc != 0)
		fail_msg("%s: job_run: %d: %s", name, rc, sh->error_text);
	print_message("  %s: %llu of %llu failed; %s\n", name,
		      (unsigned long long)sh->n_failed,
		      (unsigned long long)sh->n_tasks, sh->error_text);
	return sh;
}

static void test_ok_tasks_every_strategy(void **state)
{
	struct th_values w;
	size_t i, k;

	(void)state;
	exec_values(&w, "printf 'task %s' {task}");
	th_set(&w, "tasks", "12");
	th_set(&w, "stdout", "check");
	th_set(&w, "expect_bytes", "6");
	for (i = 0; i < ARRAY_SIZE(strategies); i++) {
		struct job_shared *sh = run(strategies[i], &w, NULL);

		assert_int_equal(sh->n_failed, 2); /* tasks 10, 11: 7 bytes */
		assert_non_null(strstr(sh->error_text,
				       "stdout has 7 bytes, expect_bytes = 6"));
		for (k = 0; k < 12; k++) {
			assert_int_equal(sh->tasks[k].detail, 0);
			assert_int_equal(sh->tasks[k].bytes, k < 10 ? 6 : 7);
		}
		job_release(sh);
	}
}

/*
 * One epoll thread keeps many commands in flight: with every task asleep
 * for seconds, most overlap (a blocking face would run one at a time).
 * Counted from the records' times, not timed against a threshold.
 */
static void test_event_loop_keeps_many_in_flight(void **state)
{
	struct th_values w;
	struct job_shared *sh;
	size_t overlap;

	(void)state;
	exec_values(&w, "sleep 3");
	th_set(&w, "tasks", "100");
	sh = run("epoll", &w, NULL);
	assert_int_equal(sh->n_failed, 0);
	overlap = th_max_overlap(sh);
	print_message("  epoll: %zu of 100 in flight at once\n", overlap);
	assert_true(overlap >= 50);
	job_release(sh);
}

static void test_failing_exit_and_signal(void **state)
{
	struct th_values w;
	struct job_shared *sh;
	size_t i;

	(void)state;
	exec_values(&w, "sh -c 'echo first >&2; echo oops >&2; exit 3'");
	th_set(&w, "tasks", "3");
	for (i = 0; i < ARRAY_SIZE(strategies); i++) {
		sh = run(strategies[i], &w, NULL);
		assert_int_equal(sh->n_failed, 3);
		assert_non_null(
			strstr(sh->error_text, "exit 3; stderr: first oops"));
		assert_int_equal(sh->tasks[0].detail, 3);
		assert_int_equal(sh->tasks[0].status, -EIO);
		job_release(sh);
	}
	exec_values(&w, "sh -c 'kill -9 0'"); /* its own group: itself */
	th_set(&w, "tasks", "1");
	sh = run("epoll", &w, NULL);
	assert_non_null(strstr(sh->error_text, "killed by signal 9 (SIGKILL)"));
	assert_int_equal(sh->tasks[0].detail, 128 + 9);
	job_release(sh);
	/* expect_exit turns a failing exit into success, and 0 into failure */
	exec_values(&w, "false");
	th_set(&w, "tasks", "2");
	th_set(&w, "expect_exit", "1");
	sh = run("sync", &w, NULL);
	assert_int_equal(sh->n_failed, 0);
	job_release(sh);
}

/*
 * Reap whatever this process (a subreaper here) still has as children:
 * every one must die (no live child after a bounded wait) and none may
 * remain.  Returns how many were reaped.
 */
static int reap_all(void)
{
	struct timespec ms = { 0, 10 * 1000 * 1000 };
	int n = 0, tries = 0, st;
	pid_t pid;

	for (;;) {
		pid = waitpid(-1, &st, WNOHANG);
		if (pid > 0) {
			n++;
			continue;
		}
		if (pid < 0 && errno == ECHILD)
			return n;
		if (++tries > 1000)
			fail_msg("a child of the run is still alive");
		nanosleep(&ms, NULL);
	}
}

static void test_hang_killed_by_timeout_with_its_group(void **state)
{
	struct th_values w;
	size_t i;

	(void)state;
	/* orphans of the commands come to us, so we can see they died */
	assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	exec_values(&w, "sh -c 'sleep 100 & sleep 100'");
	th_set(&w, "tasks", "3");
	th_set(&w, "timeout", "200ms");
	for (i = 0; i < ARRAY_SIZE(strategies); i++) {
		struct job_shared *sh = run(strategies[i], &w, NULL);

		assert_int_equal(sh->n_failed, 3);
		assert_non_null(
			strstr(sh->error_text, "timed out after 200ms"));
		assert_int_equal(sh->tasks[0].status, -ETIMEDOUT);
		job_release(sh);
		/* the background sleeps were killed with their group */
		reap_all();
	}
	prctl(PR_SET_CHILD_SUBREAPER, 0);
}

static void test_megabytes_of_output(void **state)
{
	struct th_values w;
	size_t i;

	(void)state;
	exec_values(&w, "head -c 5000000 /dev/zero");
	th_set(&w, "tasks", "4");
	th_set(&w, "stdout", "check");
	th_set(&w, "expect_bytes", "5000000");
	for (i = 0; i < ARRAY_SIZE(strategies); i++) {
		struct job_shared *sh = run(strategies[i], &w, NULL);

		assert_int_equal(sh->n_failed, 0);
		assert_int_equal(sh->tasks[3].bytes, 5000000);
		job_release(sh);
	}
	/* megabytes on stderr must not block it either; the tail is kept */
	exec_values(&w, "sh -c 'head -c 3000000 /dev/zero | tr \\\\0 x >&2; "
			"echo END >&2; exit 1'");
	th_set(&w, "tasks", "2");
	for (i = 0; i < ARRAY_SIZE(strategies); i++) {
		struct job_shared *sh = run(strategies[i], &w, NULL);

		assert_int_equal(sh->n_failed, 2);
		assert_non_null(strstr(sh->error_text, "xxxEND"));
		assert_true(strlen(sh->error_text) < CONCUR_ERRLEN);
		job_release(sh);
	}
}

/* With SIGCHLD ignored the kernel reaps the command: say so, never "ok". */
static void test_lost_exit_status_is_an_error(void **state)
{
	struct th_values w;
	struct job_shared *sh;

	(void)state;
	signal(SIGCHLD, SIG_IGN);
	exec_values(&w, "false");
	th_set(&w, "tasks", "2");
	sh = run("sync", &w, NULL);
	signal(SIGCHLD, SIG_DFL);
	assert_int_equal(sh->n_failed, 2);
	assert_non_null(strstr(sh->error_text, "exit status was lost"));
	job_release(sh);
}

static void test_missing_command(void **state)
{
	struct th_values w;
	size_t i;

	(void)state;
	exec_values(&w, "concur-no-such-command {task}");
	th_set(&w, "tasks", "2");
	for (i = 0; i < ARRAY_SIZE(strategies); i++) {
		struct job_shared *sh = run(strategies[i], &w, NULL);

		assert_int_equal(sh->n_failed, 2);
		assert_non_null(strstr(sh->error_text,
				       "cannot run 'concur-no-such-command': "
				       "No such file or directory"));
		job_release(sh);
	}
}

static void test_stdout_check(void **state)
{
	struct th_values w;
	struct job_shared *sh;

	(void)state;
	exec_values(&w, "echo hello");
	th_set(&w, "tasks", "2");
	th_set(&w, "stdout", "check");
	th_set(&w, "expect_stdout",
	       "hello"); /* the trailing newline is ignored */
	sh = run("epoll", &w, NULL);
	assert_int_equal(sh->n_failed, 0);
	job_release(sh);
	th_set(&w, "expect_stdout", "bye");
	sh = run("sync", &w, NULL);
	assert_int_equal(sh->n_failed, 2);
	assert_non_null(strstr(sh->error_text,
			       "stdout (6 bytes) differs from expect_stdout = "
			       "bye"));
	job_release(sh);
}

static void test_env_and_extra_keys(void **state)
{
	const struct concur_extra_key keys[] = {
		{ "env.CONCUR_EXEC_T", "4 2" },
		{ "threads", "4" },
	};
	const struct plugin_extras extras = { keys, 2 };
	struct th_values w;
	struct job_shared *sh;
	size_t i;

	(void)state;
	/* the th_ helpers stand in 1 for any '$': no $VAR in these */
	exec_values(&w, "printenv CONCUR_EXEC_T");
	th_set(&w, "tasks", "3");
	th_set(&w, "stdout", "check");
	th_set(&w, "expect_stdout", "4 2");
	for (i = 0; i < ARRAY_SIZE(strategies); i++) {
		sh = run(strategies[i], &w, &extras);
		assert_int_equal(sh->n_failed, 0);
		job_release(sh);
	}
	/* a crossed key fills the command; with the shell it is quoted */
	exec_values(&w, "test {threads} = 4");
	th_set(&w, "shell", "true");
	sh = run("sync", &w, &extras);
	assert_int_equal(sh->n_failed, 0);
	job_release(sh);
	/* without the shell a value stays one argument */
	exec_values(&w, "test {env.CONCUR_EXEC_T} = '4 2'");
	sh = run("sync", &w, &extras);
	assert_int_equal(sh->n_failed, 0);
	job_release(sh);
}

static void expect_create_error(const struct th_values *w,
				const struct plugin_extras *extras,
				const char *needle)
{
	char err[CONCUR_ERRLEN] = "";

	assert_int_equal(
		job_task_count(w->plugin, w->v, extras, err, sizeof(err)), -1);
	print_message("  -> %s\n", err);
	if (!strstr(err, needle))
		fail_msg("'%s' lacks '%s'", err, needle);
}

static void test_create_errors(void **state)
{
	const struct concur_extra_key keys[] = { { "threads", "2" } };
	const struct plugin_extras extras = { keys, 1 };
	struct th_values w;

	(void)state;
	exec_values(&w, "echo {thread}");
	expect_create_error(&w, &extras,
			    "command: unknown placeholder {thread} (write {{ "
			    "and }} for literal braces); known: {task}, "
			    "{threads}, {command}, {shell}");
	exec_values(&w, "echo");
	th_set(&w, "stdout", "check");
	expect_create_error(&w, NULL, "stdout = check checks nothing");
	th_set(&w, "stdout", "all");
	expect_create_error(&w, NULL, "allowed: discard");
	exec_values(&w, "echo");
	th_set(&w, "stdin", "/nonexistent/in");
	expect_create_error(&w, NULL, "stdin = /nonexistent/in: cannot read");
	exec_values(&w, "  ");
	expect_create_error(&w, NULL, "command is empty");
	exec_values(&w, "echo");
	th_set(&w, "setup", "touch /tmp/x{task}");
	expect_create_error(&w, NULL, "setup: unknown placeholder {task} here");
}

static int exists(const char *path)
{
	return access(path, F_OK) == 0;
}

static void test_setup_prepare_cleanup(void **state)
{
	char dir[] = "/tmp/concur-exec-XXXXXX", setup[512], prepare[512],
	     cleanup[512], cmd[512], mark[64], err[CONCUR_ERRLEN];
	struct th_values w;
	struct job_shared *sh;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(mark, sizeof(mark), "%s/mark", dir);
	snprintf(setup, sizeof(setup), "echo setup > %s", mark);
	snprintf(prepare, sizeof(prepare), "echo prepare >> %s", mark);
	snprintf(cmd, sizeof(cmd), "grep -q prepare %s", mark);
	snprintf(cleanup, sizeof(cleanup), "rm %s", mark);
	exec_values(&w, cmd);
	th_set(&w, "shell", "true");
	th_set(&w, "tasks", "2");
	th_set(&w, "setup", setup);
	th_set(&w, "prepare", prepare);
	th_set(&w, "cleanup", cleanup);
	/* counting the tasks runs none of them */
	assert_int_equal(job_task_count(w.plugin, w.v, NULL, err, sizeof(err)),
			 2);
	assert_false(exists(mark));
	sh = run("epoll", &w, NULL);
	assert_int_equal(sh->n_failed, 0);
	job_release(sh);
	assert_false(exists(mark)); /* cleanup ran */
	/* a failing prepare fails the run, and cleanup still follows setup */
	th_set(&w, "prepare", "echo no >&2; exit 4");
	sh = job_alloc(2);
	assert_int_not_equal(job_run(th_load("plugins/strategy/sync.so"), NULL,
				     w.plugin, w.v, NULL, sh, 2, mono_now_ns),
			     0);
	assert_non_null(strstr(sh->error_text, "prepare: exit 4; stderr: no"));
	job_release(sh);
	assert_false(exists(mark));
	rmdir(dir);
}

static size_t count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	size_t n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

/* Every kind of ending, on every face: the same fds before and after. */
static void test_nothing_leaks(void **state)
{
	static const char *const cmds[] = {
		"true",
		"sh -c 'exit 2'",
		"concur-no-such-command",
		"sh -c 'sleep 100 & exec sleep 100'",
		"sh -c 'sleep 100 >/dev/null 2>&1 &'",
	};
	struct th_values w;
	size_t before, i, c;
	int st;

	(void)state;
	assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	before = count_fds();
	for (c = 0; c < ARRAY_SIZE(cmds); c++) {
		exec_values(&w, cmds[c]);
		th_set(&w, "tasks", "4");
		th_set(&w, "timeout", "100ms");
		th_set(&w, "stdout", "check");
		th_set(&w, "expect_bytes", "0");
		for (i = 0; i < ARRAY_SIZE(strategies); i++) {
			job_release(run(strategies[i], &w, NULL));
			reap_all();
		}
	}
	assert_int_equal(count_fds(), before);
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	assert_int_equal(waitpid(-1, &st, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ok_tasks_every_strategy),
		cmocka_unit_test(test_event_loop_keeps_many_in_flight),
		cmocka_unit_test(test_failing_exit_and_signal),
		cmocka_unit_test(test_hang_killed_by_timeout_with_its_group),
		cmocka_unit_test(test_megabytes_of_output),
		cmocka_unit_test(test_lost_exit_status_is_an_error),
		cmocka_unit_test(test_missing_command),
		cmocka_unit_test(test_stdout_check),
		cmocka_unit_test(test_env_and_extra_keys),
		cmocka_unit_test(test_create_errors),
		cmocka_unit_test(test_setup_prepare_cleanup),
		cmocka_unit_test(test_nothing_leaks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
