/*
 * xlsx_sheet.h - a data sheet's cells streamed into the workbook package,
 * so a sheet of millions of cells costs one pass over its table: no cell
 * object per field, no number printed back from a double (a number cell
 * holds its CSV field's text, the exact value the field reads as), text
 * inline.  xlsx.c types the cells and lets libxlsxwriter write the sheet
 * around them (widths, frozen header, autofilter); the package pass
 * (xlsx_package.c) puts these rows in that sheet's part.  Internal to the
 * workbook writer.
 */
#ifndef CONCUR_XLSX_SHEET_H
#define CONCUR_XLSX_SHEET_H

#include <minizip/zip.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xlsx_chart.h"

/*
 * How the parts this writer makes are deflated: the sheets are most of the
 * package, and the fastest level costs little in size for a fraction of
 * the default's time.
 */
#define XLSX_DEFLATE_LEVEL Z_BEST_SPEED

struct xlsx_sheet {
	char part[48]; /* "xl/worksheets/sheet1.xml" */
	const struct results_table *t;
	size_t rows, cols;     /* of t that the sheet holds */
	unsigned char *is_num; /* rows * cols: the field is a number cell */
	int32_t *num_xf;       /* per column: style of its numbers, or -1 */
	int32_t header_xf;     /* style of row 0's text */
	size_t text_bytes;     /* of t's fields: the part's size, roughly */
};

/* Record what `sheet` holds; is_num and num_xf start cleared (-1). */
void xlsx_sheet_init(struct xlsx_sheet *s, unsigned index,
		     const struct results_table *t, size_t rows, size_t cols);
void xlsx_sheet_free(struct xlsx_sheet *s);

/*
 * Write the sheet's part into zf as a new deflated entry: the placeholder
 * part xml[0..len) as libxlsxwriter wrote it, with its <dimension> and
 * <sheetData> replaced by the table's.  0, or -EIO.
 */
int xlsx_sheet_write(zipFile zf, const zip_fileinfo *zi, const char *xml,
		     size_t len, const struct xlsx_sheet *s);

#endif
