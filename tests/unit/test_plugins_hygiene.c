/*
 * test_plugins_hygiene - forkpool leaves nothing behind: after many runs,
 * clean and crashing, the process has the same open fds and mappings, and
 * no child (zombie or alive) remains.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "test_plugins_common.h"

static size_t count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	size_t n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static size_t count_mappings(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	size_t n = 0;
	int c;

	assert_non_null(f);
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

static void run_once(const char *mode, int64_t crash_task)
{
	union concur_value sv[2] = { { .i = 3 }, { .i = 2 } };
	union concur_value wv[5] = { { .i = 12 },
				     { .i = crash_task },
				     { .s = mode },
				     { .b = false },
				     { .i = 3 } };
	struct job_shared *sh;
	int rc;

	sh = tp_run(tp_load("plugins/strategy/forkpool.so"), sv,
		    tp_load("tests/fixtures/workloads/crashy.so"), wv, 12, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(sh->n_failed, crash_task >= 0 ? 1 : 0);
	job_release(sh);
}

static void test_no_leaks(void **state)
{
	static const char *const modes[] = { "segv", "exit", "abort", "error" };
	size_t fds, maps, k;

	(void)state;
	run_once("segv", -1); /* load the plugins first */
	fds = count_fds();
	maps = count_mappings();
	for (k = 0; k < 40; k++)
		run_once(modes[k % 4], k % 5 == 0 ? -1 : (int64_t)(k % 12));
	assert_int_equal(count_fds(), fds);
	assert_int_equal(count_mappings(), maps);
	errno = 0;
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_leaks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
