/*
 * Unit tests for harness/slurm.c: the words of the submit script.  The
 * script itself is run for real by tests/integration/test_slurm.py.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "slurm.h"
#include "util.h"

static void quote_only_what_needs_it(void **state)
{
	static const char *const cases[][2] = {
		{ "results/seeds.csv", "results/seeds.csv" },
		{ "--set=a.b=1,2", "--set=a.b=1,2" },
		{ "", "''" },
		{ "a b", "'a b'" },
		{ "it's", "'it'\\''s'" },
		{ "$HOME", "'$HOME'" },
		{ "a\nb", "'a\nb'" },
		{ "*", "'*'" },
		{ "`x`", "'`x`'" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char *q = slurm_shell_quote(cases[i][0]);

		assert_string_equal(q, cases[i][1]);
		free(q);
	}
}

/* The experiment and --shards go; every other option and its value stay. */
static void run_args_keep_the_options(void **state)
{
	static const char *const args[] = {
		"exp.ini",	   "-o",       "out/x.csv",
		"--shards",	   "4",	       "--set",
		"a.b=1",	   "-q",       "--out",
		"y.csv",	   "--resume", "--shards=4",
		"--plugin-path=p", "-oz.csv"
	};
	static const char *const want[] = {
		"-o",	 "out/x.csv", "--set",	  "a.b=1",	     "-q",
		"--out", "y.csv",     "--resume", "--plugin-path=p", "-oz.csv"
	};
	size_t n, i;
	const char **got = slurm_run_args(args, ARRAY_SIZE(args), &n);

	(void)state;
	assert_int_equal(n, ARRAY_SIZE(want));
	for (i = 0; i < n; i++)
		assert_string_equal(got[i], want[i]);
	free(got);
}

/* An option value that looks like a file is not taken for the experiment. */
static void run_args_value_before_experiment(void **state)
{
	static const char *const args[] = { "--set", "x.y=2", "-o", "a.csv",
					    "exp.ini" };
	size_t n;
	const char **got = slurm_run_args(args, ARRAY_SIZE(args), &n);

	(void)state;
	assert_int_equal(n, 4);
	assert_string_equal(got[1], "x.y=2");
	assert_string_equal(got[3], "a.csv");
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(quote_only_what_needs_it),
		cmocka_unit_test(run_args_keep_the_options),
		cmocka_unit_test(run_args_value_before_experiment),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
