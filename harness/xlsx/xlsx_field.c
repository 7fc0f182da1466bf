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

/* A number as the CSV writer puts one down: -?D+(.D+)?([eE][+-]?D+)? */
bool xlsx_number(const char *s, double *ret)
{
	size_t n = *s == '-', d = strspn(s + n, "0123456789");

	if (!d)
		return false;
	n += d;
	if (s[n] == '.') {
		d = strspn(s + n + 1, "0123456789");
		if (!d)
			return false;
		n += 1 + d;
	}
	if (s[n] == 'e' || s[n] == 'E') {
		n += 1 + (s[n + 1] == '+' || s[n + 1] == '-');
		d = strspn(s + n, "0123456789");
		if (!d)
			return false;
		n += d;
	}
	if (s[n])
		return false;
	*ret = strtod(s, NULL); /* the core never sets LC_NUMERIC */
	return isfinite(*ret);
}
