/*
 * xlsx_table.c - the CSV texts of a workbook as tables of fields
 * (xlsx_table.h).
 */
#include "xlsx_table.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csvscan.h"
#include "util.h"

void xlsx_table_parse(struct xlsx_table *t, const char *text, size_t len)
{
	size_t cap = 0, cap_n = 0, n, cap_f = 0;
	struct csv_scan sc;
	char **f = NULL;

	memset(t, 0, sizeof(*t));
	if (!text)
		return;
	t->text = xstrndup(text, len); /* the fields point into it */
	csv_scan_init(&sc, t->text, len);
	while (csv_scan_record(&sc, &f, &cap_f, &n) == 0) {
		xgrow((void **)&t->rows, &cap, t->n_rows + 1, sizeof(*t->rows));
		xgrow((void **)&t->n, &cap_n, t->n_rows + 1, sizeof(*t->n));
		t->rows[t->n_rows] = f;
		t->n[t->n_rows++] = n;
		if (n > t->n_cols)
			t->n_cols = n;
		f = NULL; /* the row keeps the field array */
		cap_f = 0;
	}
	free(f);
}

void xlsx_table_free(struct xlsx_table *t)
{
	size_t r;

	for (r = 0; r < t->n_rows; r++)
		free(t->rows[r]);
	free(t->rows);
	free(t->n);
	free(t->text);
	memset(t, 0, sizeof(*t));
}

const char *xlsx_field(const struct xlsx_table *t, size_t r, size_t c)
{
	if (r >= t->n_rows || c >= t->n[r])
		return "";
	return t->rows[r][c];
}

size_t xlsx_column(const struct xlsx_table *t, const char *name)
{
	size_t c;

	for (c = 0; t->n_rows && c < t->n[0]; c++)
		if (!strcmp(t->rows[0][c], name))
			return c;
	return SIZE_MAX;
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
