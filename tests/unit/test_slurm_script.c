/*
 * Unit tests for harness/cluster/slurm.c: the words of the submit script.  The
 * script itself is run for real by tests/integration/test_slurm.py.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "slurm.h"
#include "text_lines.h"
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

/* A script of words that are all fine, to change one at a time. */
static struct slurm_options plain(void)
{
	static const char *const run_args[] = { "-o", "res/x.csv", "-q" };
	static const char *const sbatch_args[] = { "--partition=bench" };
	static const char *const argv[] = { "concur", "slurm", "x.ini",
					    "--shards", "2" };

	return (struct slurm_options){
		.concur = "/opt/concur/bin/concur",
		.cwd = "/home/me/bench",
		.experiment = "x.ini",
		.name = "x",
		.output = "res/x.csv",
		.shards = 2,
		.cpus = 4,
		.run_args = run_args,
		.n_run_args = ARRAY_SIZE(run_args),
		.sbatch_args = sbatch_args,
		.n_sbatch_args = ARRAY_SIZE(sbatch_args),
		.argv = argv,
		.argc = (int)ARRAY_SIZE(argv),
		.tag = "0123456789abcdef",
	};
}

/* The script for o, or NULL when refused (err says why). */
static char *script(const struct slurm_options *o, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int rc;

	assert_non_null(f);
	err[0] = '\0';
	rc = slurm_print_script(f, o, err, errlen);
	fclose(f);
	if (rc == 0)
		return text;
	assert_int_equal(rc, -EINVAL);
	assert_int_equal(len, 0); /* nothing written */
	free(text);
	return NULL;
}

/* A line break in any word could end a here-document: every word with a
 * control character is refused, named by what it is. */
static void control_characters_refused(void **state)
{
	static const char *const bad[] = { "a\nb", "a\rb", "a\tb", "a\033b",
					   "a\177b" };
	const char *run_bad[] = { "-o", NULL };
	const char *sbatch_bad[] = { NULL };
	char err[512], *text;
	size_t i, k;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		for (k = 0; k < 7; k++) {
			struct slurm_options o = plain();
			const char *what[] = {
				"experiment file", "output",
				"experiment name", "current folder",
				"concur binary",   "option",
				"sbatch option"
			};
			const char **field[] = { &o.experiment, &o.output,
						 &o.name, &o.cwd, &o.concur };

			if (k < ARRAY_SIZE(field)) {
				*field[k] = bad[i];
			} else if (k == 5) {
				run_bad[1] = bad[i];
				o.run_args = run_bad;
				o.n_run_args = 2;
			} else {
				sbatch_bad[0] = bad[i];
				o.sbatch_args = sbatch_bad;
				o.n_sbatch_args = 1;
			}
			text = script(&o, err, sizeof(err));
			assert_null(text);
			assert_non_null(strstr(err, what[k]));
			assert_non_null(strstr(err, "control character"));
			assert_null(strchr(err, bad[i][1]));
		}
	}
}

/* Each here-document ends with a line no word can be: its tag is random. */
static void terminators_are_tagged(void **state)
{
	struct slurm_options o = plain();
	char err[512], *text;
	char tag[SLURM_TAG_LEN + 1], other[SLURM_TAG_LEN + 1];

	(void)state;
	text = script(&o, err, sizeof(err));
	assert_non_null(text);
	assert_non_null(strstr(text, "<<'CONCUR_SHARD_0123456789abcdef'\n"));
	assert_non_null(strstr(text, "<<'CONCUR_MERGE_0123456789abcdef'\n"));
	assert_int_equal(
		text_lines_equal(text, "CONCUR_SHARD_0123456789abcdef"), 1);
	assert_int_equal(
		text_lines_equal(text, "CONCUR_MERGE_0123456789abcdef"), 1);
	free(text);
	slurm_random_tag(tag);
	slurm_random_tag(other);
	assert_int_equal(strlen(tag), SLURM_TAG_LEN);
	assert_int_equal(strspn(tag, "0123456789abcdef"), SLURM_TAG_LEN);
	assert_string_not_equal(tag, other);
}

/* An output folder starting with '-' is not taken for an option. */
static void leading_dash_output(void **state)
{
	struct slurm_options o = plain();
	char err[512], *text;

	(void)state;
	o.output = "-res/x.csv";
	text = script(&o, err, sizeof(err));
	assert_non_null(text);
	assert_non_null(strstr(text, "\nmkdir -p -- -res\n"));
	assert_non_null(strstr(text, " merge -- -res/x.csv "));
	free(text);
	o.force = true;
	text = script(&o, err, sizeof(err));
	assert_non_null(strstr(text, " merge --force -- -res/x.csv "));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(quote_only_what_needs_it),
		cmocka_unit_test(control_characters_refused),
		cmocka_unit_test(terminators_are_tagged),
		cmocka_unit_test(leading_dash_output),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
