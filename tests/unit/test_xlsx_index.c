/*
 * Unit test of xlsx_index.c and xlsx_field.c: the summary rows of a workbook found by
 * strategy and workload cell in one sorted index, with the answers the
 * row-by-row scan it replaces gave: the first row of a cell named twice,
 * the formula guard taken off, a '/' inside a parameter value kept on its
 * side, no row for a cell that is not there or is split elsewhere; the
 * fields of a results table by sheet row (the header row 0), a missing
 * column SIZE_MAX, an empty file no rows; numbers read as strtod reads
 * them, to the bit.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "results.h"
#include "util.h"
#include "xlsx_chart.h"

/* The summary text as the workbook gets it: a results table. */
static struct results_table *parse(const char *text, size_t len)
{
	struct results_table *t = NULL;
	char err[256];

	assert_int_equal(
		results_table_parse("s.csv", text, len, &t, err, sizeof(err)),
		0);
	return t;
}

static const char summary[] = "experiment,cell,wall_median_s\r\n"
			      "e,sync/sums[n=1],1\r\n"
			      "e,pthreads[workers=2]/sums[n=1],2\r\n"
			      "e,'=x/w,3\r\n"
			      "e,sync/sums[n=1],4\r\n"
			      "e,exec[command=a/b]/w,5\r\n"
			      "e,pthreads[workers=2]/sums[n=2],6\r\n"
			      "e,a/b/c,7\r\n";

static void test_lookup_matches_the_scan(void **state)
{
	struct results_table *t;
	struct xlsx_cell_index ix;

	(void)state;
	t = parse(summary, strlen(summary));
	xlsx_cell_index_build(&ix, t);
	assert_int_equal(xlsx_cell_index_find(&ix, "sync", "sums[n=1]"), 1);
	assert_int_equal(
		xlsx_cell_index_find(&ix, "pthreads[workers=2]", "sums[n=1]"),
		2);
	assert_int_equal(
		xlsx_cell_index_find(&ix, "pthreads[workers=2]", "sums[n=2]"),
		6);
	assert_int_equal(xlsx_cell_index_find(&ix, "=x", "w"), 3);
	assert_int_equal(xlsx_cell_index_find(&ix, "exec[command=a/b]", "w"),
			 5);
	/* "a/b/c" splits after "a": its strategy cell is not "a/b" */
	assert_int_equal(xlsx_cell_index_find(&ix, "a", "b/c"), 7);
	assert_int_equal(xlsx_cell_index_find(&ix, "a/b", "c"), 0);
	assert_int_equal(xlsx_cell_index_find(&ix, "sync", "sums[n=2]"), 0);
	assert_int_equal(xlsx_cell_index_find(&ix, "sync", ""), 0);
	assert_int_equal(xlsx_cell_index_find(&ix, "syn", "c/sums[n=1]"), 0);
	xlsx_cell_index_free(&ix);
	results_table_free(t);
}

static void test_every_cell_of_a_large_table(void **state)
{
	size_t n = 3000, i, len = 0, cap = 0;
	char *text = NULL, line[96];
	struct results_table *t;
	struct xlsx_cell_index ix;

	(void)state;
	xgrow((void **)&text, &cap, 64, 1);
	len = (size_t)snprintf(text, cap, "experiment,cell\r\n");
	for (i = n; i-- > 0;) { /* in reverse order: the index sorts */
		size_t k = (size_t)snprintf(line, sizeof(line),
					    "e,s%zu/w%zu\r\n", i % 37, i);

		xgrow((void **)&text, &cap, len + k + 1, 1);
		memcpy(text + len, line, k + 1);
		len += k;
	}
	t = parse(text, len);
	xlsx_cell_index_build(&ix, t);
	for (i = 0; i < n; i++) {
		char s[32], w[32];

		snprintf(s, sizeof(s), "s%zu", i % 37);
		snprintf(w, sizeof(w), "w%zu", i);
		assert_int_equal(xlsx_cell_index_find(&ix, s, w), n - i);
	}
	assert_int_equal(xlsx_cell_index_find(&ix, "s1", "w0"), 0);
	xlsx_cell_index_free(&ix);
	results_table_free(t);
	free(text);
}

static void test_no_cell_column(void **state)
{
	static const char text[] = "experiment,wall_median_s\r\ne,1\r\n";
	struct results_table *t;
	struct xlsx_cell_index ix;

	(void)state;
	t = parse(text, strlen(text));
	xlsx_cell_index_build(&ix, t);
	assert_int_equal(xlsx_cell_index_find(&ix, "e", "1"), 0);
	xlsx_cell_index_free(&ix);
	results_table_free(t);
}

/* A missing column is SIZE_MAX, as results_table_column says it. */
static void test_missing_column(void **state)
{
	static const char text[] = "experiment,cell\r\ne,a/b\r\n";
	struct results_table *t;

	(void)state;
	t = parse(text, strlen(text));
	assert_true(xlsx_column(t, "cell") == 1);
	assert_true(xlsx_column(t, "speedup") == SIZE_MAX);
	assert_string_equal(xlsx_field(t, 1, xlsx_column(t, "speedup")), "");
	assert_string_equal(xlsx_field(t, 0, 1), "cell"); /* row 0: header */
	assert_string_equal(xlsx_field(t, 1, 1), "a/b");
	assert_string_equal(xlsx_field(t, 2, 1), ""); /* past the rows */
	results_table_free(t);
	/* an empty file is no table: no rows, no columns */
	assert_int_equal(xlsx_rows(NULL), 0);
	assert_int_equal(xlsx_cols(NULL), 0);
	assert_true(xlsx_column(NULL, "cell") == SIZE_MAX);
	assert_string_equal(xlsx_field(NULL, 0, 0), "");
}

/*
 * xlsx_number takes the CSV writer's numbers and gives strtod's value to
 * the bit, on its fast path (short mantissas, small exponents) and off
 * it; anything else is no number.
 */
static void test_number_is_strtods(void **state)
{
	static const char *const yes[] = {
		"0",
		"-0",
		"1",
		"-2",
		"0.000123",
		"1.5e-20",
		"4.968231794496485",
		"5.0675964303864145",
		"9007199254740993",
		"123456789012345678901",
		"1e22",
		"1e23",
		"1.7976931348623157e308",
		"4.9e-324",
		"0.1",
		"100.0000",
		"00012",
		"2.5E+3",
		"0e-400",
		"-12345.678e-5",
	};
	static const char *const no[] = { "",	   "-",	  ".5",	   "1.",
					  "1e",	   "1e+", "+1",	   " 1",
					  "1 ",	   "inf", "nan",   "0x10",
					  "1e999", "--1", "1.2.3", "1,5",
					  "=1+2" };
	char buf[64];
	double v, want;
	size_t i;
	unsigned seed = 12345;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		want = strtod(yes[i], NULL);
		assert_true(xlsx_number(yes[i], &v));
		assert_memory_equal(&v, &want, sizeof(v));
	}
	for (i = 0; i < ARRAY_SIZE(no); i++)
		assert_false(xlsx_number(no[i], &v));
	for (i = 0; i < 200000; i++) { /* as csv_add_real writes them */
		seed = seed * 1103515245u + 12345u;
		want = ldexp((double)(seed >> 8) / (1 << 24),
			     (int)(seed % 80) - 40);
		snprintf(buf, sizeof(buf), "%.*g", 1 + (int)(i % 17), want);
		want = strtod(buf, NULL);
		assert_true(xlsx_number(buf, &v));
		assert_memory_equal(&v, &want, sizeof(v));
	}
	for (i = 0; i < 300000; i++) { /* 16 and 17 digits, every decade */
		seed = seed * 1103515245u + 12345u;
		want = (1 + (double)seed / 4294967296.0) *
		       pow(10, (double)(int)(i % 50) - 25);
		snprintf(buf, sizeof(buf), "%.*g", 16 + (int)(i & 1), want);
		want = strtod(buf, NULL);
		assert_true(xlsx_number(buf, &v));
		assert_memory_equal(&v, &want, sizeof(v));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup_matches_the_scan),
		cmocka_unit_test(test_every_cell_of_a_large_table),
		cmocka_unit_test(test_no_cell_column),
		cmocka_unit_test(test_missing_column),
		cmocka_unit_test(test_number_is_strtods),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
