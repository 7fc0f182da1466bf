/*
 * svgnum.c - one-decimal numbers of svgnum.h by integer arithmetic.
 */
#include "svgnum.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>

const char *svg_num(char buf[SVG_NUM_MAX], double v)
{
	char rev[SVG_NUM_MAX];
	unsigned long long u;
	long long t;
	size_t n = 0, i = 0;
	bool neg;

	if (!(fabs(v) < 1e15)) {
		snprintf(buf, SVG_NUM_MAX, "%.1f", v);
		return buf;
	}
	t = llround(v * 10);
	neg = t < 0;
	u = neg ? (unsigned long long)-t : (unsigned long long)t;
	rev[n++] = (char)('0' + u % 10);
	rev[n++] = '.';
	u /= 10;
	do {
		rev[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (neg)
		buf[i++] = '-';
	while (n)
		buf[i++] = rev[--n];
	buf[i] = '\0';
	return buf;
}
