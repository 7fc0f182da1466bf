/*
 * Unit tests for the results-file reader of results.h (results_table_parse,
 * what results_table_read does with a file's text): the fields as the
 * writer put them down, formula guard taken off, header and rows alike;
 * a text taken over (results_table_adopt) reads as its copy would.
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

#include "csv.h"
#include "results.h"
#include "util.h"

static struct results_table *parse(const char *text, size_t len)
{
	struct results_table *t = NULL;
	char err[256] = "";

	assert_int_equal(
		results_table_parse("t.csv", text, len, &t, err, sizeof(err)),
		0);
	return t;
}

/* What the writer guarded reads back as it was given, in every row. */
static void guard_comes_off_header_and_rows(void **state)
{
	static const char text[] = "cell,'+x,'=y\r\n'-1,'@a,b\r\n";
	struct results_table *t = parse(text, strlen(text));

	(void)state;
	assert_int_equal(t->n_columns, 3);
	assert_string_equal(t->header[1], "+x");
	assert_string_equal(t->header[2], "=y");
	assert_int_equal(t->n_rows, 1);
	assert_string_equal(t->rows[0].f[0], "-1");
	assert_string_equal(t->rows[0].f[1], "@a");
	assert_int_equal(results_table_column(t, "+x"), 1);
	results_table_free(t);
}

/* A header written back through the writer reads back the same. */
static void header_round_trip(void **state)
{
	static const char *const names[] = { "cell", "+x", "'+y", "=z" };
	struct results_table *t = NULL, *again = NULL;
	struct csv_row row;
	char err[256];
	size_t i;

	(void)state;
	csv_row_init(&row);
	for (i = 0; i < ARRAY_SIZE(names); i++)
		csv_add_text(&row, names[i]);
	csv_row_end(&row);
	t = parse(row.buf, row.len);
	csv_row_free(&row);
	csv_row_init(&row);
	for (i = 0; i < t->n_columns; i++)
		csv_add_text(&row, t->header[i]);
	csv_row_end(&row);
	assert_int_equal(results_table_parse("again.csv", row.buf, row.len,
					     &again, err, sizeof(err)),
			 0);
	for (i = 0; i < t->n_columns; i++)
		assert_string_equal(again->header[i], t->header[i]);
	csv_row_free(&row);
	results_table_free(t);
	results_table_free(again);
}

/* No NUL needed after the text; refusals say so. */
static void from_a_buffer(void **state)
{
	static const char text[] = { 'a', ',', 'b', '\r', '\n',
				     '1', ',', '2', '\r', '\n' };
	struct results_table *t = NULL;
	char err[256] = "";

	(void)state;
	assert_int_equal(results_table_parse("b.csv", text, sizeof(text), &t,
					     err, sizeof(err)),
			 0);
	assert_int_equal(t->n_rows, 1);
	assert_string_equal(t->rows[0].f[1], "2");
	results_table_free(t);
	assert_int_equal(
		results_table_parse("e.csv", text, 0, &t, err, sizeof(err)),
		-EINVAL);
	assert_non_null(strstr(err, "e.csv:1"));
}

/*
 * A text taken over reads as its copy would, torn tail and quoted line
 * ends alike, its fields pointing into the very buffer; a damaged one is
 * refused with FILE:LINE, the buffer freed either way (ASan and valgrind
 * see a leak or a double free).
 */
static void adopted_text_reads_as_a_copy(void **state)
{
	static const char text[] = "cell,'=x,note\r\n"
				   "a,\"1\r\n2\",'-q\r\n"
				   "b,\"\"\"\",z\r\n"
				   "c,\"torn";
	static const char damaged[] = "cell,x\r\na,1,2\r\n";
	struct results_table *t = NULL, *copy = parse(text, strlen(text));
	char err[256] = "", *buf = xstrdup(text);
	size_t r, c;

	(void)state;
	assert_int_equal(results_table_adopt("a.csv", buf, strlen(text), &t,
					     err, sizeof(err)),
			 0);
	assert_ptr_equal(t->text, buf);
	assert_int_equal(t->size, strlen(text));
	assert_true(t->dropped_tail && copy->dropped_tail);
	assert_int_equal(t->n_columns, copy->n_columns);
	assert_int_equal(t->n_rows, 2);
	assert_int_equal(t->n_rows, copy->n_rows);
	for (c = 0; c < t->n_columns; c++)
		assert_string_equal(t->header[c], copy->header[c]);
	for (r = 0; r < t->n_rows; r++)
		for (c = 0; c < t->n_columns; c++)
			assert_string_equal(t->rows[r].f[c],
					    copy->rows[r].f[c]);
	assert_string_equal(t->rows[0].f[1], "1\r\n2");
	assert_string_equal(t->rows[0].f[2], "-q");
	results_table_free(t);
	results_table_free(copy);
	buf = xstrdup(damaged);
	assert_int_equal(results_table_adopt("d.csv", buf, strlen(damaged), &t,
					     err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "d.csv:2"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(guard_comes_off_header_and_rows),
		cmocka_unit_test(header_round_trip),
		cmocka_unit_test(from_a_buffer),
		cmocka_unit_test(adopted_text_reads_as_a_copy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
