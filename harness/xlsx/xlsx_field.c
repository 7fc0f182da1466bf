/*
 * xlsx_field.c - the fields of a workbook's results tables, and the
 * numbers among them (xlsx_field.h).
 */
#include "xlsx_field.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

const char *xlsx_field(const struct results_table *t, size_t r, size_t c)
{
	if (!t || r > t->n_rows || c >= t->n_columns)
		return "";
	return r ? t->rows[r - 1].f[c] : t->header[c];
}

size_t xlsx_column(const struct results_table *t, const char *name)
{
	return t ? results_table_column(t, name) : SIZE_MAX;
}

/*
 * The value of a checked number text of `digits` significant digits
 * folded into m (leading zeros do not count) times 10^e10: exact in one
 * IEEE operation when m and the power of ten are both exact doubles (m <
 * 2^53, |e10| <= 22), so the result is the correctly rounded value strtod
 * gives; false when it is not that simple.
 */
static bool fast_value(uint64_t m, unsigned digits, long e10, bool neg,
		       double *ret)
{
	static const double pow10[] = { 1e0,  1e1,  1e2,  1e3,	1e4,  1e5,
					1e6,  1e7,  1e8,  1e9,	1e10, 1e11,
					1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
					1e18, 1e19, 1e20, 1e21, 1e22 };
	double v;

	if (digits > 19 || m >= (uint64_t)1 << 53 || e10 < -22 || e10 > 22)
		return false;
	v = (double)m;
	v = e10 < 0 ? v / pow10[-e10] : v * pow10[e10];
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
