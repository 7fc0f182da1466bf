/*
 * xlsx_field.h - the fields of the results tables a workbook is made of
 * (results.h struct results_table, the one type for results read back),
 * as the sheets address them: row 0 is the header, row r >= 1 the table's
 * row r - 1.  A NULL table is an empty file: no rows, no columns.  Shared
 * by the data sheets (xlsx.c, xlsx_sheet.c) and the charts sheet
 * (xlsx_chart.c).  Internal to the workbook writer.
 */
#ifndef CONCUR_XLSX_FIELD_H
#define CONCUR_XLSX_FIELD_H

#include <stdbool.h>
#include <stddef.h>

#include "results.h"

/* Rows of a sheet of t, the header included (0 for NULL). */
static inline size_t xlsx_rows(const struct results_table *t)
{
	return t ? t->n_rows + 1 : 0;
}

static inline size_t xlsx_cols(const struct results_table *t)
{
	return t ? t->n_columns : 0;
}

/* Field c of sheet row r, without the formula guard; "" where there is
 * none (c == SIZE_MAX: a column the table lacks).  Inline: the charts
 * read hundreds of thousands of fields through it. */
static inline const char *xlsx_field(const struct results_table *t, size_t r,
				     size_t c)
{
	if (!t || r > t->n_rows || c >= t->n_columns)
		return "";
	return r ? t->rows[r - 1].f[c] : t->header[c];
}
/* Index of the header column `name`, SIZE_MAX when absent (NULL too). */
size_t xlsx_column(const struct results_table *t, const char *name);
/* A plain finite number as the CSV writer writes one, into *ret. */
bool xlsx_number(const char *s, double *ret);

#endif
