/* Unit tests for retype.c: which labels spreadsheets would retype. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "retype.h"

static void expect(const char *s, const char *as)
{
	char got[160] = "";
	bool hit = retype_check(s, got, sizeof(got));

	if (!as && hit)
		fail_msg("'%s' reported as %s", s, got);
	if (as && (!hit || !strstr(got, as)))
		fail_msg("'%s': want '%s', got %s", s, as,
			 hit ? got : "nothing");
}

static void test_retyped(void **state)
{
	(void)state;
	expect("0012", "the number 12 (the leading zeros are lost)");
	expect("00", "the number 0");
	expect("1e5", "the number 100000");
	expect("1E-3", "the number 0.001");
	expect("1.5", "the number 1.5 (or a date");
	expect("-2.5", "the number -2.5");
	expect(".5", "the number 0.5");
	expect("7.", "the number 7");
	expect("true", "the boolean TRUE");
	expect("FALSE", "the boolean FALSE");
	expect("True", "the boolean TRUE");
	expect("1.2.3", "a date");
	expect("1/2", "a date");
	expect("0012/12", "a date");
	expect("2024-01-31", "a date");
	expect("1-2", "a date");
	expect("12:30", "a time of day");
	expect("5%", "the number 0.05");
}

static void test_kept(void **state)
{
	(void)state;
	expect("sync", NULL);
	expect("12", NULL); /* reads back as what it shows */
	expect("0", NULL);
	expect("-3", NULL);
	expect("v1.2.3", NULL);
	expect("s_0012", NULL);
	expect("pthreads[workers=5]/download", NULL);
	expect("1.2.3.4", NULL);
	expect("12345/1", NULL);
	expect("e5", NULL);
	expect("1e", NULL);
	expect(".", NULL);
	expect("truely", NULL);
	expect("%", NULL);
	expect("", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_retyped),
		cmocka_unit_test(test_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
