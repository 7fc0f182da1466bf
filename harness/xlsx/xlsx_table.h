/*
 * xlsx_table.h - the CSV texts a workbook is made of, as tables of fields,
 * shared by the data sheets (xlsx.c) and the charts sheet (xlsx_chart.c).
 * Internal to the workbook writer.
 */
#ifndef CONCUR_XLSX_TABLE_H
#define CONCUR_XLSX_TABLE_H

#include <stdbool.h>
#include <stddef.h>

/* A CSV text as rows of fields, read by csv_scan_record (csvscan.h). */
struct xlsx_table {
	char *text; /* a copy of the text: the fields point into it */
	char ***rows;
	size_t *n; /* fields per row */
	size_t n_rows, n_cols;
};

/* Parse text[0..len) (NULL: no rows); a torn last record is left out. */
void xlsx_table_parse(struct xlsx_table *t, const char *text, size_t len);
void xlsx_table_free(struct xlsx_table *t);
/* Field c of row r, "" where the row is shorter. */
const char *xlsx_field(const struct xlsx_table *t, size_t r, size_t c);
/* Index of the header column `name`, SIZE_MAX when absent (as
 * results_table_column). */
size_t xlsx_column(const struct xlsx_table *t, const char *name);
/* A plain finite number as the CSV writer writes one, into *ret. */
bool xlsx_number(const char *s, double *ret);

#endif
