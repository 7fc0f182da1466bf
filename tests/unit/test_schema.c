/* Unit tests for harness/results/schema.c: the column lists, in order, are
 * the headers the golden results files were written with. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "schema.h"

/* The first line of tests/golden/expected/NAME, without its line end. */
static char *golden_header(const char *name)
{
	const char *src = getenv("CONCUR_TEST_SOURCE_DIR");
	char path[4096], *line = malloc(8192);
	FILE *f;

	assert_non_null(src);
	snprintf(path, sizeof(path), "%s/tests/golden/expected/%s", src, name);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, 8192, f));
	fclose(f);
	line[strcspn(line, "\r\n")] = '\0';
	return line;
}

static void join(char *out, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (*out)
			strcat(out, ",");
		strcat(out, names[i]);
	}
}

static void test_summary_columns(void **state)
{
	char *want = golden_header("null.csv"), got[8192] = "";

	(void)state;
	join(got, schema_summary_head, schema_summary_head_n);
	strcat(got, ",workload.count"); /* the experiment's one parameter */
	join(got, schema_summary_tail, schema_summary_tail_n);
	assert_string_equal(got, want);
	free(want);
}

static void test_runs_columns(void **state)
{
	char *want = golden_header("null-runs.csv"), got[8192] = "";

	(void)state;
	join(got, schema_runs, schema_runs_n);
	assert_string_equal(got, want);
	free(want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_summary_columns),
		cmocka_unit_test(test_runs_columns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
