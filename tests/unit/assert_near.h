/*
 * assert_near.h - assert_near(got, want, tol) for the cmocka tests: passes
 * when |got - want| <= tol, else fails naming the expression, both values,
 * the tolerance and the line (NaN never passes).  Include after <cmocka.h>.
 */
#ifndef CONCUR_TEST_ASSERT_NEAR_H
#define CONCUR_TEST_ASSERT_NEAR_H

#include <math.h>

static inline void check_near(double got, double want, double tol,
			      const char *expr, int line)
{
	if (!(fabs(got - want) <= tol))
		fail_msg("line %d: %s = %.12g, want %.12g (tolerance %g)", line,
			 expr, got, want, tol);
}

#define assert_near(got, want, tol)                                            \
	check_near((got), (want), (tol), #got, __LINE__)

#endif
