/* Unit tests for harness/base/csvscan.c, the CSV reader: lines, records,
 * bounds.  How fields read back is tested record by record in test_csv.c. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "csvscan.h"

static void test_lines_are_counted(void **state)
{
	char text[] = "h\r\n\"two\nlines\",x\r\nbad,\"open\r\n";
	struct csv_scan sc;
	size_t len;
	bool last;
	char *f;
	int rc;

	(void)state;
	csv_scan_init(&sc, text, sizeof(text) - 1);
	while ((rc = csv_scan_field(&sc, &f, &len, &last)) == 0)
		;
	assert_int_equal(rc, -EINVAL);
	assert_int_equal(sc.record_line, 4);
}

/* A record at a time: pointers into the buffer, and whether a line end
 * closed it (a torn last record has none). */
static void test_record_at_a_time(void **state)
{
	char text[] = "a,\"b\"\"c\"\r\nx\nlast,";
	struct csv_scan sc;
	char **f = NULL;
	size_t cap = 0, n;

	(void)state;
	csv_scan_init(&sc, text, sizeof(text) - 1);
	assert_int_equal(csv_scan_record(&sc, &f, &cap, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(f[0], "a");
	assert_string_equal(f[1], "b\"c");
	assert_true(sc.line_end);
	assert_int_equal(sc.pos, 10);
	assert_int_equal(csv_scan_record(&sc, &f, &cap, &n), 0);
	assert_int_equal(n, 1);
	assert_true(sc.line_end);
	assert_int_equal(csv_scan_record(&sc, &f, &cap, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(f[1], "");
	assert_false(sc.line_end);
	assert_int_equal(csv_scan_record(&sc, &f, &cap, &n), 1);
	free(f);
}

/* More than CSV_MAX_FIELDS fields: refused, not grown without bound. */
static void test_record_too_wide(void **state)
{
	size_t len = CSV_MAX_FIELDS + 1, cap = 0, n;
	char *text = malloc(len + 1), **f = NULL;
	struct csv_scan sc;

	(void)state;
	memset(text, ',', len);
	text[len] = '\0';
	csv_scan_init(&sc, text, len);
	assert_int_equal(csv_scan_record(&sc, &f, &cap, &n), -E2BIG);
	assert_true(cap <= CSV_MAX_FIELDS);
	free(f);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_are_counted),
		cmocka_unit_test(test_record_at_a_time),
		cmocka_unit_test(test_record_too_wide),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
