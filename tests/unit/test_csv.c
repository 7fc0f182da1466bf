/* Unit tests for harness/base/csv.c: RFC 4180 quoting, the formula guard,
 * locale-proof reals and the record parser. */
#include <errno.h>
#include <locale.h>
#include <math.h>
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

/* One field through csv_add_text, as it lands in the file. */
static void check_text(const char *in, const char *want, int line)
{
	struct csv_row r;

	csv_row_init(&r);
	csv_add_text(&r, in);
	if (strcmp(r.buf ? r.buf : "", want) != 0)
		fail_msg("line %d: text field written as [%s], want [%s]", line,
			 r.buf ? r.buf : "", want);
	assert_int_equal(r.len, strlen(want));
	assert_int_equal(r.n_fields, 1);
	csv_row_free(&r);
}

#define assert_text(in, want) check_text((in), (want), __LINE__)

static void check_real(double v, int sig, const char *want, int line)
{
	char buf[CSV_REAL_MAX];
	struct csv_row r;

	csv_format_real(buf, v, sig);
	if (strcmp(buf, want) != 0)
		fail_msg("line %d: %.17g (sig %d) written as [%s], want [%s]",
			 line, v, sig, buf, want);
	csv_row_init(&r);
	csv_add_real(&r, v, sig);
	assert_string_equal(r.buf, want);
	csv_row_free(&r);
}

#define assert_real(v, sig, want) check_real((v), (sig), (want), __LINE__)

static void test_plain_text(void **state)
{
	(void)state;
	assert_text("pthreads", "pthreads");
	assert_text("", "");
	assert_text(NULL, "");
	assert_text("http://example.com/a?b=c", "http://example.com/a?b=c");
	assert_text("Grüße, 世界", "\"Grüße, 世界\""); /* UTF-8 untouched */
	assert_text("naïve", "naïve");
}

static void test_quoting(void **state)
{
	(void)state;
	assert_text("a,b", "\"a,b\"");
	assert_text("say \"hi\"", "\"say \"\"hi\"\"\"");
	assert_text("\"", "\"\"\"\"");
	assert_text("line1\nline2", "\"line1\nline2\"");
	assert_text("line1\r\nline2", "\"line1\r\nline2\"");
	assert_text(" padded", "\" padded\"");
	assert_text("padded ", "\"padded \"");
	assert_text("in side", "in side");
}

static void test_formula_guard(void **state)
{
	(void)state;
	assert_text("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\"");
	assert_text("=1+2", "'=1+2");
	assert_text("+1", "'+1");
	assert_text("-1", "'-1");
	assert_text("@SUM(A1)", "'@SUM(A1)");
	assert_text("\tx", "\"'\tx\"");
	assert_text("\rx", "\"'\rx\"");
	assert_text("=a,b", "\"'=a,b\"");
	/* A URL or option starting with '-' is text, so it is guarded. */
	assert_text("-http://example.com/x", "'-http://example.com/x");
	assert_text("--max-time=5", "'--max-time=5");
	/* Only the first character matters. */
	assert_text("a=b", "a=b");
	assert_text("x-y", "x-y");
}

/* Every reader takes the guard off the way the writer put it on: a quote
 * before a byte the guard protects, and nothing else. */
static void test_unguard(void **state)
{
	static const struct {
		const char *text;
		bool guarded;
	} cases[] = {
		{ "=1+2", true },     { "+1", true },	   { "-1", true },
		{ "@SUM(A1)", true }, { "\tx", true },	   { "\rx", true },
		{ "a=b", false },     { "'plain", false }, { "x-y", false },
		{ "", false },
	};
	char guarded[32];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(guarded, sizeof(guarded), "'%s", cases[i].text);
		assert_int_equal(csv_needs_guard(cases[i].text),
				 cases[i].guarded);
		assert_string_equal(csv_unguard(guarded),
				    cases[i].guarded ? cases[i].text : guarded);
		assert_string_equal(csv_unguard(cases[i].text), cases[i].text);
	}
}

static void test_numbers_not_guarded(void **state)
{
	struct csv_row r;

	(void)state;
	csv_row_init(&r);
	csv_add_int(&r, -42);
	csv_add_int(&r, INT64_MIN);
	csv_add_uint(&r, UINT64_MAX);
	csv_add_real(&r, -1.5, 9);
	csv_add_int(&r, 1234567);
	assert_string_equal(r.buf, "-42,-9223372036854775808,"
				   "18446744073709551615,-1.5,1234567");
	assert_int_equal(r.n_fields, 5);
	csv_row_free(&r);
}

static void test_rows(void **state)
{
	struct csv_row r;

	(void)state;
	csv_row_init(&r);
	csv_add_text(&r, "a");
	csv_add_text(&r, NULL);
	csv_add_real(&r, NAN, 9);
	csv_add_uint(&r, 3);
	csv_row_end(&r);
	assert_string_equal(r.buf, "a,,,3\r\n");
	assert_int_equal(r.n_fields, 4);
	/* A further field starts a second record in the same buffer. */
	csv_add_text(&r, "b");
	csv_add_text(&r, "c");
	csv_row_end(&r);
	assert_string_equal(r.buf, "a,,,3\r\nb,c\r\n");
	assert_int_equal(r.n_fields, 2);
	/* A multi-line quoted field does not end a record. */
	csv_row_clear(&r);
	assert_int_equal(r.len, 0);
	assert_int_equal(r.n_fields, 0);
	csv_add_text(&r, "x\r\n");
	csv_add_text(&r, "y");
	assert_string_equal(r.buf, "\"x\r\n\",y");
	assert_int_equal(r.n_fields, 2);
	csv_row_free(&r);
	assert_null(r.buf);
}

static void test_reals_plain(void **state)
{
	(void)state;
	assert_real(1.5, 9, "1.5");
	assert_real(42, 9, "42");
	assert_real(0.000123456789, 9, "0.000123456789");
	assert_real(1.0 / 3, 9, "0.333333333");
	assert_real(2.0 / 3, 9, "0.666666667");
	assert_real(123456.789012345, 9, "123456.7890"); /* never 3 decimals */
	assert_real(14.3, 9, "14.3");
	assert_real(0.1, 9, "0.1");
	assert_real(100, 9, "100");
	assert_real(1e5, 9, "100000");
	assert_real(-2.5e-5, 9, "-0.000025");
	assert_real(1.23456789e-5, 9, "0.0000123456789");
	assert_real(0.000012345678912, 9, "0.0000123456789");
	assert_real(9.9999999999, 9, "10");
	assert_real(0, 9, "0");
	assert_real(-0.0, 9, "0");
	assert_real(1.5, 2, "1.5");
	assert_real(1.25, 2, "1.2"); /* exact tie: printf rounds to even */
	assert_real(3.14159, 1, "3");
	assert_real(12345, 2, "12000");
}

static void test_reals_range(void **state)
{
	(void)state;
	assert_real(1e-12, 9, "0.000000000001");
	assert_real(1.5e-12, 9, "0.0000000000015");
	assert_real(1e15, 9, "1000000000000000");
	assert_real(123456789012345.0, 9, "123456789000000");
	assert_real(-1e15, 9, "-1000000000000000");
	/* Beyond: an exponent is acceptable, still with '.'. */
	assert_real(1.5e-13, 9, "1.5e-13");
	assert_real(1e20, 9, "1e+20");
	assert_real(-2.25e-300, 9, "-2.25e-300");
	assert_real(NAN, 9, "");
	assert_real(INFINITY, 9, "");
	assert_real(-INFINITY, 9, "");
	/* sig is clamped to 1..17: 17 digits round-trip a double. */
	assert_real(0.1, 17, "0.10000000000000001");
	assert_real(0.1, 40, "0.10000000000000001");
	assert_real(7.77, 0, "8");
}

static void test_reals_under_german_locale(void **state)
{
	const char *names[] = { "de_DE.UTF-8", "de_DE.utf8", "de_DE" };
	char probe[32];
	size_t i;
	int set = 0;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]) && !set; i++)
		set = setlocale(LC_ALL, names[i]) != NULL;
	if (!set) {
		fprintf(stderr, "SKIPPED test_reals_under_german_locale: "
				"de_DE.UTF-8 not available; generate it with "
				"`localedef -i de_DE -f UTF-8 de_DE.UTF-8`\n");
		skip();
	}
	/* Prove the locale really uses a decimal comma. */
	snprintf(probe, sizeof(probe), "%.1f", 1.5);
	assert_string_equal(probe, "1,5");
	assert_real(1.5, 9, "1.5");
	assert_real(1234567.891, 9, "1234567.89");
	assert_real(0.000123456789, 9, "0.000123456789");
	assert_real(-2.5, 9, "-2.5");
	assert_real(1.5e-13, 9, "1.5e-13");
	{
		struct csv_row r;

		csv_row_init(&r);
		csv_add_real(&r, 3.25, 9);
		csv_add_int(&r, 1000000);
		assert_string_equal(r.buf, "3.25,1000000");
		csv_row_free(&r);
	}
	setlocale(LC_ALL, "C");
}

/*
 * One record of text[0..len) through the CSV reader (csvscan.h), its
 * fields copied out: *ret_used bytes read; nothing on an error.
 */
static int parse_len(const char *text, size_t len, size_t *ret_used,
		     char ***ret, size_t *ret_n)
{
	char *copy = malloc(len + 1), **f = NULL;
	size_t cap = 0, n, i;
	struct csv_scan sc;
	int rc;

	memcpy(copy, text, len);
	copy[len] = '\0';
	csv_scan_init(&sc, copy, len);
	rc = csv_scan_record(&sc, &f, &cap, &n);
	*ret = NULL;
	*ret_n = *ret_used = 0;
	if (rc == 0) {
		*ret = malloc(n * sizeof(**ret));
		for (i = 0; i < n; i++)
			(*ret)[i] = strdup(f[i]);
		*ret_n = n;
		*ret_used = sc.pos;
	}
	free(f);
	free(copy);
	return rc;
}

static void fields_free(char **f, size_t n)
{
	while (n)
		free(f[--n]);
	free(f);
}

/* Parse one record of text; returns its fields through ret. */
static int parse(const char *text, size_t *ret_used, char ***ret, size_t *ret_n)
{
	return parse_len(text, strlen(text), ret_used, ret, ret_n);
}

static void test_parse_simple(void **state)
{
	const char *text = "a,b,,c\r\nnext\n";
	char **f;
	size_t n, used;

	(void)state;
	assert_int_equal(parse(text, &used, &f, &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(used, 8);
	assert_string_equal(f[0], "a");
	assert_string_equal(f[1], "b");
	assert_string_equal(f[2], "");
	assert_string_equal(f[3], "c");
	fields_free(f, n);
	assert_int_equal(parse(text + used, &used, &f, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(used, 5);
	assert_string_equal(f[0], "next");
	fields_free(f, n);
	assert_int_equal(parse("", &used, &f, &n), 1);
	assert_int_equal(used, 0);
	assert_null(f);
	assert_int_equal(n, 0);
	/* The last record may lack its line end; a lone CR ends a line. */
	assert_int_equal(parse("x,y", &used, &f, &n), 0);
	assert_int_equal(used, 3);
	assert_int_equal(n, 2);
	fields_free(f, n);
	assert_int_equal(parse("x\ry", &used, &f, &n), 0);
	assert_int_equal(used, 2);
	fields_free(f, n);
	/* An empty line is one empty field; a trailing comma one more. */
	assert_int_equal(parse("\r\n", &used, &f, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(f[0], "");
	fields_free(f, n);
	assert_int_equal(parse("a,\n", &used, &f, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(f[1], "");
	fields_free(f, n);
}

/* Tricky fields written by csv_add_text must parse back to the same text,
 * apart from the formula guard's apostrophe, which stays. */
static void test_round_trip(void **state)
{
	static const char *const in[] = {
		"plain",
		"a,b",
		"say \"hi\"",
		"\"\"",
		"multi\r\nline\nx\ry",
		" lead",
		"trail ",
		"",
		"=HYPERLINK(\"x\")",
		"-neg",
		"@at",
		"\tt",
		"\rcr",
		"Grüße",
		",",
		"\"",
		"\n",
	};
	static const char *const out[] = {
		"plain",
		"a,b",
		"say \"hi\"",
		"\"\"",
		"multi\r\nline\nx\ry",
		" lead",
		"trail ",
		"",
		"'=HYPERLINK(\"x\")",
		"'-neg",
		"'@at",
		"'\tt",
		"'\rcr",
		"Grüße",
		",",
		"\"",
		"\n",
	};
	const size_t n_in = sizeof(in) / sizeof(in[0]);
	struct csv_row r;
	char **f;
	size_t i, n, used;

	(void)state;
	csv_row_init(&r);
	for (i = 0; i < n_in; i++)
		csv_add_text(&r, in[i]);
	csv_add_real(&r, -0.000123456789, 9);
	csv_add_int(&r, -7);
	csv_row_end(&r);
	csv_add_text(&r, "second");
	csv_row_end(&r);
	assert_int_equal(parse_len(r.buf, r.len, &used, &f, &n), 0);
	assert_int_equal(n, n_in + 2);
	for (i = 0; i < n_in; i++)
		if (strcmp(f[i], out[i]) != 0)
			fail_msg("field %zu: parsed [%s], want [%s]", i, f[i],
				 out[i]);
	assert_string_equal(f[n_in], "-0.000123456789");
	assert_string_equal(f[n_in + 1], "-7");
	fields_free(f, n);
	assert_string_equal(r.buf + used, "second\r\n");
	csv_row_free(&r);
}

static void test_parse_embedded_nul_length(void **state)
{
	/* len, not strlen, bounds the parse. */
	const char text[] = "ab,cd\r\nzz";
	char **f;
	size_t n, used;

	(void)state;
	assert_int_equal(parse_len(text, 4, &used, &f, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(f[1], "c");
	assert_int_equal(used, 4);
	fields_free(f, n);
}

static void test_parse_malformed(void **state)
{
	char **f = (char **)&f;
	size_t n = 99, used = 99;

	(void)state;
	assert_int_equal(parse("a,\"unterminated\r\nb,c\r\n", &used, &f, &n),
			 -EINVAL);
	assert_null(f);
	assert_int_equal(n, 0);
	assert_int_equal(used, 0);
	assert_int_equal(parse("\"", &used, &f, &n), -EINVAL);
	assert_int_equal(parse("\"ab\"\"", &used, &f, &n), -EINVAL);
	assert_int_equal(parse("\"ab\"x,c", &used, &f, &n), -EINVAL);
	/* A quote inside an unquoted field is a literal, not an error. */
	assert_int_equal(parse("ab\"c,d", &used, &f, &n), 0);
	assert_string_equal(f[0], "ab\"c");
	fields_free(f, n);
}

/*
 * CSV_MAX_FIELDS fields parse; one more is refused with nothing allocated,
 * so one hostile record cannot make a reader allocate without bound.
 */
static void test_parse_field_cap(void **state)
{
	size_t n = 99, used = 99, len = 2 * (size_t)CSV_MAX_FIELDS + 1;
	char *text = malloc(len + 1), **f = NULL;
	size_t i;

	(void)state;
	assert_non_null(text);
	for (i = 0; i < len; i++)
		text[i] = i % 2 ? ',' : 'a';
	text[len] = '\0';
	/* "a,a,...,a" with CSV_MAX_FIELDS + 1 fields */
	assert_int_equal(parse(text, &used, &f, &n), -E2BIG);
	assert_null(f);
	assert_int_equal(n, 0);
	/* cut after CSV_MAX_FIELDS of them, with a line end */
	text[len - 2] = '\n';
	assert_int_equal(parse(text, &used, &f, &n), 0);
	assert_int_equal(n, CSV_MAX_FIELDS);
	assert_int_equal(used, len - 1);
	fields_free(f, n);
	free(text);
}

/* A number read back is copied as it was; anything else is refused. */
static void test_number_text(void **state)
{
	static const char *const good[] = { "0",   "-2", "0.000123", "1.5e-20",
					    "42.", ".5", "-0.5E+3" };
	static const char *const bad[] = { "",	    "+1",   " 1",   "1 ", "inf",
					   "nan",   "=1+2", "-",    "1e", "e5",
					   "1.2.3", "0x10", "-1+2", "'-1" };
	struct csv_row r;
	size_t i;

	(void)state;
	csv_row_init(&r);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		csv_row_clear(&r);
		assert_int_equal(csv_add_number_text(&r, good[i]), 0);
		assert_string_equal(r.buf, good[i]);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		csv_row_clear(&r);
		assert_int_equal(csv_add_number_text(&r, bad[i]), -EINVAL);
		assert_int_equal(r.len, 0);
		assert_int_equal(r.n_fields, 0);
	}
	assert_int_equal(csv_add_number_text(&r, NULL), -EINVAL);
	csv_add_text(&r, "a");
	assert_int_equal(csv_add_number_text(&r, "-7"), 0);
	assert_string_equal(r.buf, "a,-7");
	assert_int_equal(r.n_fields, 2);
	csv_row_free(&r);
}

/* A field read back is written again as it was: numbers keep their text,
 * the rest is text, guarded once. */
static void test_read_back(void **state)
{
	static const char *const in[] = { "0012", "1.50", "-5",	 "1.5e-20",
					  "12ms", "-x",	  "'-x", "" };
	static const char *const out[] = { "0012", "1.50", "-5",  "1.5e-20",
					   "12ms", "'-x",  "'-x", "" };
	struct csv_row r;
	size_t i;

	(void)state;
	csv_row_init(&r);
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		csv_row_clear(&r);
		csv_add_read_back(&r, in[i]);
		assert_string_equal(r.buf ? r.buf : "", out[i]);
	}
	csv_row_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_text),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_formula_guard),
		cmocka_unit_test(test_unguard),
		cmocka_unit_test(test_numbers_not_guarded),
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_reals_plain),
		cmocka_unit_test(test_reals_range),
		cmocka_unit_test(test_reals_under_german_locale),
		cmocka_unit_test(test_parse_simple),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_parse_embedded_nul_length),
		cmocka_unit_test(test_parse_malformed),
		cmocka_unit_test(test_parse_field_cap),
		cmocka_unit_test(test_number_text),
		cmocka_unit_test(test_read_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
