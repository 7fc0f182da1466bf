/*
 * test_value.c - typed values: every type's syntax and limits, comma lists,
 * ranges, geometric ranges and their caps.
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

#include "util.h"
#include "value.h"

static char err[512];

static union concur_value ok(enum concur_param_type type, const char *text)
{
	union concur_value v;

	memset(&v, 0, sizeof(v));
	err[0] = '\0';
	if (value_parse(type, text, &v, err, sizeof(err)) != 0)
		fail_msg("%s '%s' rejected: %s", value_type_name(type), text,
			 err);
	return v;
}

/* Must fail with a message naming the text and containing `needle`. */
static void bad(enum concur_param_type type, const char *text,
		const char *needle)
{
	union concur_value v;

	err[0] = '\0';
	if (value_parse(type, text, &v, err, sizeof(err)) != -EINVAL)
		fail_msg("%s '%s' accepted", value_type_name(type), text);
	if (!strstr(err, needle))
		fail_msg("message '%s' lacks '%s'", err, needle);
}

static void test_int(void **state)
{
	(void)state;
	assert_int_equal(ok(CONCUR_PARAM_INT, "42").i, 42);
	assert_int_equal(ok(CONCUR_PARAM_INT, " -12 ").i, -12);
	assert_int_equal(ok(CONCUR_PARAM_INT, "9223372036854775807").i,
			 INT64_MAX);
	assert_true(ok(CONCUR_PARAM_INT, "-9223372036854775808").i ==
		    INT64_MIN);
	bad(CONCUR_PARAM_INT, "abc",
	    "'abc' is not a valid integer; expected an integer such as 4");
	bad(CONCUR_PARAM_INT, "9223372036854775808", "outside");
	bad(CONCUR_PARAM_INT, "1.5", "not a valid integer");
	bad(CONCUR_PARAM_INT, "0x10", "not a valid integer");
	bad(CONCUR_PARAM_INT, "", "not a valid integer");
	bad(CONCUR_PARAM_INT, "4 4", "not a valid integer");
}

static void test_float(void **state)
{
	(void)state;
	assert_true(ok(CONCUR_PARAM_FLOAT, "0.5").f == 0.5);
	assert_true(ok(CONCUR_PARAM_FLOAT, "1e3").f == 1000.0);
	assert_true(ok(CONCUR_PARAM_FLOAT, "-2").f == -2.0);
	bad(CONCUR_PARAM_FLOAT, "nan", "not a finite number");
	bad(CONCUR_PARAM_FLOAT, "inf", "not a finite number");
	bad(CONCUR_PARAM_FLOAT, "1e999", "not a finite number");
	bad(CONCUR_PARAM_FLOAT, "0,5", "expected a number such as 0.5");
	bad(CONCUR_PARAM_FLOAT, "", "not a valid float");
}

static void test_bool(void **state)
{
	static const char *const yes[] = { "true", "YES", "On", "1" };
	static const char *const no[] = { "false", "No", "OFF", "0" };
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		assert_true(ok(CONCUR_PARAM_BOOL, yes[i]).b);
		assert_false(ok(CONCUR_PARAM_BOOL, no[i]).b);
	}
	bad(CONCUR_PARAM_BOOL, "maybe", "true/false, yes/no, on/off or 1/0");
	bad(CONCUR_PARAM_BOOL, "2", "not a valid bool");
}

static void test_string(void **state)
{
	const char *text = " any text, really ";

	(void)state;
	assert_ptr_equal(ok(CONCUR_PARAM_STRING, text).s, text);
	bad(CONCUR_PARAM_LIST, "a", "not a scalar");
}

static void test_duration(void **state)
{
	(void)state;
	assert_int_equal(ok(CONCUR_PARAM_DURATION, "250ns").ns, 250);
	assert_int_equal(ok(CONCUR_PARAM_DURATION, "500us").ns, 500000);
	assert_int_equal(ok(CONCUR_PARAM_DURATION, "500\xc2\xb5s").ns, 500000);
	assert_int_equal(ok(CONCUR_PARAM_DURATION, "20ms").ns, 20000000);
	assert_int_equal(ok(CONCUR_PARAM_DURATION, "20 MS").ns, 20000000);
	assert_int_equal(ok(CONCUR_PARAM_DURATION, "1.5s").ns, 1500000000);
	assert_int_equal(ok(CONCUR_PARAM_DURATION, "2m").ns, 120000000000LL);
	assert_int_equal(ok(CONCUR_PARAM_DURATION, "2min").ns, 120000000000LL);
	assert_int_equal(ok(CONCUR_PARAM_DURATION, "1h").ns, 3600000000000LL);
	assert_int_equal(ok(CONCUR_PARAM_DURATION, "3").ns, 3000000000LL);
	assert_int_equal(ok(CONCUR_PARAM_DURATION, "0.5").ns, 500000000);
	assert_int_equal(ok(CONCUR_PARAM_DURATION, ".25s").ns, 250000000);
	assert_int_equal(ok(CONCUR_PARAM_DURATION, "0").ns, 0);
	assert_int_equal(ok(CONCUR_PARAM_DURATION, "1.9ns").ns, 1);
	assert_int_equal(ok(CONCUR_PARAM_DURATION, "0.000000001").ns, 1);
	assert_int_equal(
		ok(CONCUR_PARAM_DURATION, "0.1234567890123456789012345s").ns,
		123456789);
	assert_int_equal(ok(CONCUR_PARAM_DURATION, "9223372036s").ns,
			 9223372036000000000LL);
	assert_int_equal(ok(CONCUR_PARAM_DURATION, "9223372036854775807ns").ns,
			 INT64_MAX);
	bad(CONCUR_PARAM_DURATION, "9223372036854775808ns", "longer than");
	bad(CONCUR_PARAM_DURATION, "9223372037s", "longer than");
	bad(CONCUR_PARAM_DURATION, "99999999999999999999999h", "longer than");
	bad(CONCUR_PARAM_DURATION, "-1s", "(negative)");
	bad(CONCUR_PARAM_DURATION, "10 parsecs",
	    "expected a duration such as 500us, 20ms, 1.5s, 2m");
	bad(CONCUR_PARAM_DURATION, "ms", "not a valid duration");
	bad(CONCUR_PARAM_DURATION, "1e3ms", "not a valid duration");
	bad(CONCUR_PARAM_DURATION, "", "not a valid duration");
	bad(CONCUR_PARAM_DURATION, ".", "not a valid duration");
}

static void test_size(void **state)
{
	(void)state;
	assert_int_equal(ok(CONCUR_PARAM_SIZE, "1500").bytes, 1500);
	assert_int_equal(ok(CONCUR_PARAM_SIZE, "10k").bytes, 10240);
	assert_int_equal(ok(CONCUR_PARAM_SIZE, "10K").bytes, 10240);
	assert_int_equal(ok(CONCUR_PARAM_SIZE, "1kB").bytes, 1000);
	assert_int_equal(ok(CONCUR_PARAM_SIZE, "1KB").bytes, 1000);
	assert_int_equal(ok(CONCUR_PARAM_SIZE, "1KiB").bytes, 1024);
	assert_int_equal(ok(CONCUR_PARAM_SIZE, "1M").bytes, 1 << 20);
	assert_int_equal(ok(CONCUR_PARAM_SIZE, "1MiB").bytes, 1 << 20);
	assert_int_equal(ok(CONCUR_PARAM_SIZE, "1MB").bytes, 1000000);
	assert_int_equal(ok(CONCUR_PARAM_SIZE, "2G").bytes, 2ull << 30);
	assert_int_equal(ok(CONCUR_PARAM_SIZE, "1GB").bytes, 1000000000);
	assert_int_equal(ok(CONCUR_PARAM_SIZE, "1T").bytes, 1ull << 40);
	assert_int_equal(ok(CONCUR_PARAM_SIZE, "1TB").bytes, 1000000000000ull);
	assert_int_equal(ok(CONCUR_PARAM_SIZE, "1.5k").bytes, 1536);
	assert_int_equal(ok(CONCUR_PARAM_SIZE, "64 B").bytes, 64);
	assert_true(ok(CONCUR_PARAM_SIZE, "18446744073709551615").bytes ==
		    UINT64_MAX);
	bad(CONCUR_PARAM_SIZE, "18446744073709551616", "more than 2^64-1");
	bad(CONCUR_PARAM_SIZE, "16777216T", "more than 2^64-1");
	bad(CONCUR_PARAM_SIZE, "-1", "(negative)");
	bad(CONCUR_PARAM_SIZE, "1EiB", "expected a size such as 1500, 10k");
	bad(CONCUR_PARAM_SIZE, "k", "not a valid size");
}

static void test_compare(void **state)
{
	union concur_value a = { .i = 1 }, b = { .i = 2 };

	(void)state;
	assert_true(value_compare(CONCUR_PARAM_INT, &a, &b) < 0);
	assert_true(value_compare(CONCUR_PARAM_INT, &b, &a) > 0);
	assert_int_equal(value_compare(CONCUR_PARAM_INT, &a, &a), 0);
	a.bytes = UINT64_MAX;
	b.bytes = 1;
	assert_true(value_compare(CONCUR_PARAM_SIZE, &a, &b) > 0);
	a.ns = -1;
	b.ns = 5;
	assert_true(value_compare(CONCUR_PARAM_DURATION, &a, &b) < 0);
	a.f = 0.25;
	b.f = 0.5;
	assert_true(value_compare(CONCUR_PARAM_FLOAT, &a, &b) < 0);
	assert_string_equal(value_type_name(CONCUR_PARAM_SIZE), "size");
	assert_non_null(strstr(value_type_help(CONCUR_PARAM_DURATION), "1.5s"));
}

/* Split must succeed with exactly the items in `want`, "|"-separated. */
static void split_ok(enum concur_param_type type, const char *text,
		     const char *want)
{
	char **items = NULL, joined[4096] = "";
	size_t n = 0, i, len = 0;

	if (value_split(type, text, &items, &n, err, sizeof(err)) != 0)
		fail_msg("split '%s': %s", text, err);
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(joined + len, sizeof(joined) - len,
					"%s%s", i ? "|" : "", items[i]);
	if (strcmp(joined, want))
		fail_msg("split '%s' gave '%s', want '%s'", text, joined, want);
	value_items_free(items, n);
}

static void split_bad(enum concur_param_type type, const char *text, int rc,
		      const char *needle)
{
	char **items = NULL;
	size_t n = 0;

	if (value_split(type, text, &items, &n, err, sizeof(err)) != rc)
		fail_msg("split '%s' did not fail with %d", text, rc);
	if (!strstr(err, needle))
		fail_msg("message '%s' lacks '%s'", err, needle);
}

static void test_split(void **state)
{
	(void)state;
	split_ok(CONCUR_PARAM_INT, "1, 2, 5, 10, 30", "1|2|5|10|30");
	split_ok(CONCUR_PARAM_INT, "  7 ", "7");
	split_ok(CONCUR_PARAM_INT, "", "");
	split_ok(CONCUR_PARAM_INT, "1..8", "1|2|3|4|5|6|7|8");
	split_ok(CONCUR_PARAM_INT, "-2..1", "-2|-1|0|1");
	split_ok(CONCUR_PARAM_INT, "3..3", "3");
	split_ok(CONCUR_PARAM_INT, "1..64*2", "1|2|4|8|16|32|64");
	split_ok(CONCUR_PARAM_INT, "1..100*2", "1|2|4|8|16|32|64");
	split_ok(CONCUR_PARAM_INT, "1 .. 4 *3", "1|3");
	split_ok(CONCUR_PARAM_INT, "1..2, 8, 10..30*2", "1|2|8|10|20");
	split_ok(CONCUR_PARAM_INT, "1..10*18446744073709551615", "1");
	split_ok(CONCUR_PARAM_SIZE, "1k..1M*4", "1k|4k|16k|64k|256k|1M");
	split_ok(CONCUR_PARAM_SIZE, "1kB..1MB*10", "1kB|10kB|100kB|1MB");
	split_ok(CONCUR_PARAM_SIZE, "1000..1500*3", "1kB");
	split_ok(CONCUR_PARAM_SIZE, "1..3*2", "1|2");
	split_ok(CONCUR_PARAM_DURATION, "1ms..1s*10", "1ms|10ms|100ms|1s");
	split_ok(
		CONCUR_PARAM_DURATION, "500us..2s*2",
		"500us|1ms|2ms|4ms|8ms|16ms|32ms|64ms|128ms|256ms|512ms|1024ms");
	split_ok(CONCUR_PARAM_DURATION, "1..120*60", "1s|1m");
	split_ok(CONCUR_PARAM_DURATION, "20ms, 1.5s", "20ms|1.5s");
	split_ok(CONCUR_PARAM_STRING, "a, b c", "a|b c");
	split_ok(CONCUR_PARAM_STRING, "../x..y", "../x..y");
	split_ok(CONCUR_PARAM_BOOL, "true,false", "true|false");
	split_ok(CONCUR_PARAM_LIST, " a, b ", "a, b");
}

static void test_split_errors(void **state)
{
	(void)state;
	split_bad(CONCUR_PARAM_INT, "1,,2", -EINVAL, "empty item");
	split_bad(CONCUR_PARAM_INT, "1, 2,", -EINVAL, "empty item");
	split_bad(CONCUR_PARAM_INT, ",", -EINVAL, "empty item");
	split_bad(CONCUR_PARAM_INT, "5..1", -EINVAL, "goes down");
	split_bad(CONCUR_PARAM_INT, "1..x", -EINVAL,
		  "in range '1..x': 'x' is not a valid integer");
	split_bad(CONCUR_PARAM_INT, "1...5", -EINVAL, "not a valid integer");
	split_bad(CONCUR_PARAM_INT, "1..8*1", -EINVAL, "integer >= 2");
	split_bad(CONCUR_PARAM_INT, "1..8*x", -EINVAL, "integer >= 2");
	split_bad(CONCUR_PARAM_INT, "1..8*", -EINVAL, "integer >= 2");
	split_bad(CONCUR_PARAM_INT, "1..8*-2", -EINVAL, "integer >= 2");
	split_bad(CONCUR_PARAM_INT, "1..8*99999999999999999999", -EINVAL,
		  "integer >= 2");
	split_bad(CONCUR_PARAM_INT, "0..8*2", -EINVAL, "start above 0");
	split_bad(CONCUR_PARAM_INT, "-4..8*2", -EINVAL, "start above 0");
	split_bad(CONCUR_PARAM_DURATION, "1ms..5ms", -EINVAL,
		  "a step-1 range a..b is only for integers");
	split_bad(CONCUR_PARAM_SIZE, "1k..2k", -EINVAL, "only for integers");
	split_bad(CONCUR_PARAM_FLOAT, "0.1..0.5", -EINVAL,
		  "ranges are only for integers, sizes and durations");
	split_bad(CONCUR_PARAM_INT, "1..20000", -E2BIG,
		  "more than 10000 values");
	split_bad(CONCUR_PARAM_INT, "-9223372036854775808..9223372036854775807",
		  -E2BIG, "more than 10000 values");
	split_bad(CONCUR_PARAM_INT, "1..5000, 1..5001", -E2BIG,
		  "more than 10000 values");
}

/* Hostile sizes: a 10^6-item list stops at the cap, quickly. */
static void test_split_huge(void **state)
{
	size_t n = 1000000, i;
	char *text = xmalloc(2 * n + 1), **items = NULL;
	size_t count = 0;

	(void)state;
	for (i = 0; i < n; i++) {
		text[2 * i] = '1';
		text[2 * i + 1] = ',';
	}
	text[2 * n - 1] = '\0';
	assert_int_equal(value_split(CONCUR_PARAM_INT, text, &items, &count,
				     err, sizeof(err)),
			 -E2BIG);
	assert_non_null(strstr(err, "10000"));
	/* exactly the cap is fine */
	text[2 * VALUE_MAX_ITEMS - 1] = '\0';
	assert_int_equal(value_split(CONCUR_PARAM_INT, text, &items, &count,
				     err, sizeof(err)),
			 0);
	assert_int_equal(count, VALUE_MAX_ITEMS);
	value_items_free(items, count);
	free(text);
	split_ok(CONCUR_PARAM_INT, "1..9223372036854775807*2",
		 "1|2|4|8|16|32|64|128|256|512|1024|2048|4096|8192|16384|"
		 "32768|65536|131072|262144|524288|1048576|2097152|4194304|"
		 "8388608|16777216|33554432|67108864|134217728|268435456|"
		 "536870912|1073741824|2147483648|4294967296|8589934592|"
		 "17179869184|34359738368|68719476736|137438953472|"
		 "274877906944|549755813888|1099511627776|2199023255552|"
		 "4398046511104|8796093022208|17592186044416|35184372088832|"
		 "70368744177664|140737488355328|281474976710656|"
		 "562949953421312|1125899906842624|2251799813685248|"
		 "4503599627370496|9007199254740992|18014398509481984|"
		 "36028797018963968|72057594037927936|144115188075855872|"
		 "288230376151711744|576460752303423488|1152921504606846976|"
		 "2305843009213693952|4611686018427387904");
	split_ok(CONCUR_PARAM_SIZE, "8T..18446744073709551615*1024",
		 "8T|8192T|8388608T");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_int),
		cmocka_unit_test(test_float),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_string),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_compare),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_split_errors),
		cmocka_unit_test(test_split_huge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
