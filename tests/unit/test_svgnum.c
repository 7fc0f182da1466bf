/* Unit tests for harness/base/svgnum.c: one-decimal coordinates agree with
 * printf's "%.1f" but for exact halves of a tenth. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "svgnum.h"

static void test_fixed_values(void **state)
{
	char buf[SVG_NUM_MAX];

	(void)state;
	assert_string_equal(svg_num(buf, 0), "0.0");
	assert_string_equal(svg_num(buf, 12.34), "12.3");
	assert_string_equal(svg_num(buf, 12.36), "12.4");
	assert_string_equal(svg_num(buf, -0.5), "-0.5");
	assert_string_equal(svg_num(buf, 99.96), "100.0");
	assert_string_equal(svg_num(buf, 2400), "2400.0");
	assert_string_equal(svg_num(buf, -1234567.89), "-1234567.9");
	assert_string_equal(svg_num(buf, 1e16), "10000000000000000.0");
	assert_string_equal(svg_num(buf, NAN), "nan");
	assert_string_equal(svg_num(buf, -INFINITY), "-inf");
}

/* A million random coordinates: the same text as printf, or a half. */
static void test_agrees_with_printf(void **state)
{
	char mine[SVG_NUM_MAX], theirs[64];
	unsigned differ = 0;
	size_t i;

	(void)state;
	srand(42);
	for (i = 0; i < 1000000; i++) {
		double v = ((double)rand() / RAND_MAX - 0.3) * 5000.0;

		svg_num(mine, v);
		snprintf(theirs, sizeof(theirs), "%.1f", v);
		if (strcmp(mine, theirs) != 0) {
			double t = fabs(v * 10 - trunc(v * 10));

			if (fabs(t - 0.5) > 1e-6 && strcmp(theirs, "-0.0"))
				fail_msg("%.17g: %s, printf %s", v, mine,
					 theirs);
			differ++;
		}
	}
	assert_true(differ < 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixed_values),
		cmocka_unit_test(test_agrees_with_printf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
