/*
 * Unit test of xlsx_errbars.c (through xlsx_package.c): a package written by libxlsxwriter with two
 * fixed-value placeholders (markers 1 and 7) and a description of one
 * series; after xlsx_package_finish, marker 1 is a custom error bar reading
 * the given ranges with the values cached, the unknown marker 7 is gone
 * (never left showing a made-up length), and the other parts are intact.
 */
#include <errno.h>
#include <minizip/unzip.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "xlsx_chart.h"

static void placeholder_chart(lxw_workbook *wb, lxw_worksheet *ws,
			      unsigned marker, unsigned row)
{
	lxw_chart *c = workbook_add_chart(wb, LXW_CHART_COLUMN);
	lxw_chart_series *s = chart_add_series(c, NULL, NULL);

	chart_series_set_values(s, "d", 0, 0, 1, 0);
	chart_series_set_error_bars(s->y_error_bars,
				    LXW_CHART_ERROR_BAR_TYPE_FIXED, marker);
	worksheet_insert_chart(ws, row, 2, c);
}

/* Entry `name` of the zip at path, NUL-terminated (caller frees). */
static char *entry(const char *path, const char *name)
{
	unzFile uz = unzOpen(path);
	char *buf = calloc(1, 1 << 20);
	int n;

	assert_non_null(uz);
	assert_int_equal(unzLocateFile(uz, name, 1), UNZ_OK);
	assert_int_equal(unzOpenCurrentFile(uz), UNZ_OK);
	n = unzReadCurrentFile(uz, buf, (1 << 20) - 1);
	assert_true(n > 0);
	unzCloseCurrentFile(uz);
	unzClose(uz);
	return buf;
}

static void test_markers_become_custom_or_go(void **state)
{
	char dir[] = "/tmp/concur-errbars-XXXXXX", in[64], out[64], err[256];
	double minus[2] = { 0.25, 0.5 }, plus[2] = { 1.5, 0.125 };
	struct xlsx_errbar bar = { .minus = "charts!$N$2:$N$3",
				   .plus = "charts!$O$2:$O$3",
				   .minus_v = minus,
				   .plus_v = plus,
				   .n = 2 };
	struct xlsx_errbars eb = { .bars = &bar, .n = 1 };
	lxw_workbook *wb;
	lxw_worksheet *ws;
	char *one, *two, *sheet;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(in, sizeof(in), "%s/in.xlsx", dir);
	snprintf(out, sizeof(out), "%s/out.xlsx", dir);
	wb = workbook_new(in);
	ws = workbook_add_worksheet(wb, "d");
	worksheet_write_number(ws, 0, 0, 1, NULL);
	worksheet_write_number(ws, 1, 0, 2, NULL);
	placeholder_chart(wb, ws, 1, 0);
	placeholder_chart(wb, ws, 7, 20);
	assert_int_equal(workbook_close(wb), LXW_NO_ERROR);

	assert_int_equal(
		xlsx_package_finish(in, out, &eb, NULL, 0, err, sizeof(err)),
		0);
	one = entry(out, "xl/charts/chart1.xml");
	two = entry(out, "xl/charts/chart2.xml");
	sheet = entry(out, "xl/worksheets/sheet1.xml");
	assert_non_null(strstr(one, "<c:errValType val=\"cust\"/>"));
	assert_non_null(strstr(one, "<c:plus><c:numRef><c:f>charts!$O$2:$O$3"
				    "</c:f>"));
	assert_non_null(strstr(one, "<c:minus><c:numRef><c:f>charts!$N$2:$N$3"
				    "</c:f>"));
	assert_non_null(strstr(one, "<c:pt idx=\"0\"><c:v>1.5</c:v></c:pt>"));
	assert_non_null(strstr(one, "<c:pt idx=\"1\"><c:v>0.5</c:v></c:pt>"));
	assert_null(strstr(one, "fixedVal"));
	assert_null(strstr(two, "errBars")); /* unknown marker: dropped */
	assert_non_null(strstr(two, "<c:val><c:numRef><c:f>d!$A$1:$A$2"));
	assert_non_null(strstr(sheet, "<sheetData>"));
	free(one);
	free(two);
	free(sheet);
	unlink(in);
	unlink(out);
	rmdir(dir);
}

static void test_unreadable_input_is_an_error(void **state)
{
	char err[256] = "";
	struct xlsx_errbars eb = { 0 };

	(void)state;
	assert_int_equal(xlsx_package_finish("/nonexistent/in.xlsx",
					     "/tmp/concur-errbars-never.xlsx",
					     &eb, NULL, 0, err, sizeof(err)),
			 -EIO);
	assert_non_null(strstr(err, "cannot put the workbook together"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_markers_become_custom_or_go),
		cmocka_unit_test(test_unreadable_input_is_an_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
