/*
 * Golden test of the CSV number rule: csv_format_real of a table of values
 * (1 to 9 decimals, negative, zero, huge, tiny) against the committed file
 * tests/golden/numbers/reals.txt.  Independently of the file, every text
 * must read back as the value rounded to sig digits, use '.', and never have
 * exactly three digits after the point (a comma-decimal spreadsheet would
 * take "48.845" for 48845).  CONCUR_GOLDEN_UPDATE=1 rewrites the file;
 * review its diff before committing.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "csv.h"

static const struct sample {
	double v;
	int sig;
} samples[] = {
	{ 0.5, 9 },	  { 48.84, 9 },	     { 48.845, 9 },
	{ 48.8451, 9 },	  { 1.23456, 9 },    { 0.123456, 9 },
	{ 3.1234567, 9 }, { 0.12345678, 9 }, { 0.123456789, 9 },
	{ 0.001, 9 },	  { 0.125, 9 },	     { 1.125, 6 },
	{ 999.999, 9 },	  { 1234.567, 9 },   { 123456.789012345, 9 },
	{ -48.845, 9 },	  { -0.001, 9 },     { -1.5, 9 },
	{ 0, 9 },	  { -0.0, 9 },	     { 42, 9 },
	{ 48845, 9 },	  { 1e15, 9 },	     { 9.876e15, 9 },
	{ 1.234e20, 9 },  { -6.022e23, 9 },  { 1e-12, 9 },
	{ 1.234e-9, 9 },  { 2.5e-13, 9 },    { 1.234e-300, 9 },
	{ 0.1, 17 },	  { 2.0 / 3, 9 },
};

/* Digits after the point, up to an exponent or the end. */
static size_t decimals(const char *s)
{
	const char *p = strchr(s, '.');

	return p ? strspn(p + 1, "0123456789") : 0;
}

static void check_one(const struct sample *x, const char *text)
{
	char ref[64];

	snprintf(ref, sizeof(ref), "%.*e", x->sig - 1, x->v);
	if (decimals(text) == 3)
		fail_msg("%.17g written as %s: exactly three decimals", x->v,
			 text);
	if (strtod(text, NULL) != strtod(ref, NULL))
		fail_msg("%.17g written as %s does not read back as %s", x->v,
			 text, ref);
	assert_null(strchr(text, ','));
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = calloc(1, 1 << 16);

	assert_non_null(buf);
	if (f) {
		size_t n = fread(buf, 1, (1 << 16) - 1, f);

		buf[n] = '\0';
		fclose(f);
	}
	return buf;
}

static void test_reals_golden(void **state)
{
	const char *src = getenv("CONCUR_TEST_SOURCE_DIR");
	char path[4096], *got = calloc(1, 1 << 16), *want;
	size_t i, n = 0;

	(void)state;
	assert_non_null(src);
	assert_non_null(got);
	snprintf(path, sizeof(path), "%s/tests/golden/numbers/reals.txt", src);
	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		char text[CSV_REAL_MAX];

		csv_format_real(text, samples[i].v, samples[i].sig);
		check_one(&samples[i], text);
		n += (size_t)snprintf(got + n, (1 << 16) - n,
				      "%.17g sig %d: %s\n", samples[i].v,
				      samples[i].sig, text);
	}
	if (getenv("CONCUR_GOLDEN_UPDATE") &&
	    !strcmp(getenv("CONCUR_GOLDEN_UPDATE"), "1")) {
		FILE *f = fopen(path, "wb");

		assert_non_null(f);
		fputs(got, f);
		fclose(f);
	}
	want = read_file(path);
	assert_string_equal(got, want);
	free(want);
	free(got);
}

/* Parameter values the user wrote as numbers keep their text but the rule. */
static void test_decimal_text(void **state)
{
	static const char *const in[] = {
		"0.125", "-2", "12", "0012", "1.5", "1.25", "-0.001", "10.0000"
	};
	static const char *const out[] = { "0.1250",  "-2",	"12",
					   "0012",    "1.5",	"1.25",
					   "-0.0010", "10.0000" };
	static const char *const not_decimal[] = { "",	 "-",	 "1.",
						   ".5", "1e5",	 "1.2.3",
						   "+1", "0x10", "1 " };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		char *t = csv_decimal_text(in[i]);

		assert_true(csv_is_decimal(in[i]));
		assert_string_equal(t, out[i]);
		free(t);
	}
	for (i = 0; i < sizeof(not_decimal) / sizeof(not_decimal[0]); i++)
		assert_false(csv_is_decimal(not_decimal[i]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reals_golden),
		cmocka_unit_test(test_decimal_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
