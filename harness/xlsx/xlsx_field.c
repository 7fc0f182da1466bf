/*
 * xlsx_field.c - the fields of a workbook's results tables, and the
 * numbers among them (xlsx_field.h).
 */
#include "xlsx_field.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

size_t xlsx_column(const struct results_table *t, const char *name)
{
	return t ? results_table_column(t, name) : SIZE_MAX;
}

/*
 * The value of a checked number text of `digits` significant digits
 * folded into m (leading zeros do not count) times 10^e10, exactly as
 * strtod rounds it, when that is simple; false when it is not.
 *
 * m < 2^53 and |e10| <= 22: m and the power of ten are exact doubles, so
 * one IEEE operation rounds correctly.  Else, with a 64-bit long double
 * mantissa, up to 19 digits and 10^e10 are exact long doubles: one
 * operation rounds the value to 64 bits, and rounding that to the double
 * is right unless it lies at (or next to) a midpoint between two doubles,
 * which is then left to strtod.  The writer's 17-digit numbers mostly
 * take that second way.
 */
static bool fast_value(uint64_t m, unsigned digits, long e10, bool neg,
		       double *ret)
{
	static const double pow10[] = { 1e0,  1e1,  1e2,  1e3,	1e4,  1e5,
					1e6,  1e7,  1e8,  1e9,	1e10, 1e11,
					1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
					1e18, 1e19, 1e20, 1e21, 1e22 };
	double v;

	if (digits > 19 || e10 < -22 || e10 > 22)
		return false;
	if (m < (uint64_t)1 << 53) {
		v = (double)m;
		v = e10 < 0 ? v / pow10[-e10] : v * pow10[e10];
	} else {
#if LDBL_MANT_DIG == 64
		long double q = (long double)m, p = 1;
		long i;
		uint64_t low;
		int ex;

		for (i = e10 < 0 ? -e10 : e10; i > 0; i--)
			p *= 10; /* exact: 10^k = 2^k 5^k, 5^22 < 2^64 */
		q = e10 < 0 ? q / p : q * p;
		/* the 11 bits below a double's 53: 0x400 is a midpoint */
		low = (uint64_t)ldexpl(frexpl(q, &ex), 64) & 0x7FF;
		if (low >= 0x3FF && low <= 0x401)
			return false;
		v = (double)q;
#else
		return false;
#endif
	}
	*ret = neg ? -v : v;
	return true;
}

/* A number as the CSV writer puts one down: -?D+(.D+)?([eE][+-]?D+)?;
 * the common short ones converted here, the rest by strtod. */
bool xlsx_number(const char *s, double *ret)
{
	const char *p = s + (*s == '-');
	uint64_t m = 0;
	unsigned digits = 0;
	long e10 = 0, e = 0;
	bool any = false, eneg;

	for (; *p >= '0' && *p <= '9'; p++, any = true)
		if (m || *p != '0') {
			if (++digits <= 19)
				m = m * 10 + (uint64_t)(*p - '0');
			else
				e10++; /* past what m holds: strtod decides */
		}
	if (!any)
		return false;
	if (*p == '.') {
		if (!(p[1] >= '0' && p[1] <= '9'))
			return false;
		for (p++; *p >= '0' && *p <= '9'; p++) {
			if (m || *p != '0') {
				if (++digits <= 19)
					m = m * 10 + (uint64_t)(*p - '0');
				else
					continue;
			}
			e10--;
		}
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		eneg = *p == '-';
		p += *p == '+' || *p == '-';
		if (!(*p >= '0' && *p <= '9'))
			return false;
		for (; *p >= '0' && *p <= '9'; p++)
			if (e < 100000)
				e = e * 10 + (*p - '0');
		e10 += eneg ? -e : e;
	}
	if (*p)
		return false;
	if (fast_value(m, digits, e10, *s == '-', ret))
		return true;
	*ret = strtod(s, NULL); /* the core never sets LC_NUMERIC */
	return isfinite(*ret);
}
