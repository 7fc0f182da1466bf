/* Unit tests for harness/base/csvscan.c: the in-place reader must read every
 * input exactly as csv_parse_record (csv.c) does, field for field. */
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

#include "csv.h"
#include "csvscan.h"

/*
 * Read text with both readers; fail on the first difference.  Fields are
 * compared as C strings: the record reader's copies end at a NUL byte.
 */
static void check_same(const char *text, size_t len, int line)
{
	char *copy = malloc(len + 1), *f;
	struct csv_scan sc;
	size_t off = 0, used, n, i, flen;
	char **fields;
	bool last;
	int a, b;

	memcpy(copy, text, len);
	copy[len] = '\0';
	csv_scan_init(&sc, copy, len);
	for (;;) {
		a = csv_parse_record(text + off, len - off, &used, &fields, &n);
		if (a != 0) {
			/* A malformed record's first fields may come out. */
			while ((b = csv_scan_field(&sc, &f, &flen, &last)) ==
				       0 &&
			       a < 0)
				;
			if (a != b)
				fail_msg(
					"line %d: at byte %zu record reader %d, in-place reader %d",
					line, off, a, b);
			break;
		}
		for (i = 0; i < n; i++) {
			b = csv_scan_field(&sc, &f, &flen, &last);
			if (b != 0 || strcmp(f, fields[i]) || f[flen] ||
			    last != (i + 1 == n))
				fail_msg(
					"line %d: record at byte %zu field %zu: [%s] vs [%.*s] (rc %d, last %d)",
					line, off, i, fields[i],
					b ? 0 : (int)flen, b ? "" : f, b,
					(int)last);
		}
		csv_fields_free(fields, n);
		off += used;
	}
	free(copy);
}

#define assert_same(s) check_same((s), sizeof(s) - 1, __LINE__)

static void test_reads_like_the_record_reader(void **state)
{
	(void)state;
	assert_same("");
	assert_same("a,b,c\r\n1,2,3\r\n");
	assert_same("a,b\n1,2");
	assert_same("a\rb\r\nc\n\n,\n");
	assert_same(
		"\"q,uoted\",\"with \"\"quotes\"\"\",\"multi\r\nline\"\r\n");
	assert_same("\"\",\"\"\r\n,,,\r\n");
	assert_same("plain\"quote,x\r\n");
	assert_same("'=guard,'-1\r\n");
	assert_same("a,\"unterminated\r\n");
	assert_same("a,\"closed\"junk\r\n");
	assert_same("x,\"last\"");
	assert_same("nul\0inside,b\r\n");
}

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_like_the_record_reader),
		cmocka_unit_test(test_lines_are_counted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
