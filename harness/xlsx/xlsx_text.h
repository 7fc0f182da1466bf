/*
 * xlsx_text.h - text cells for the data sheets (xlsx.c, xlsx_sheet.c) and
 * the charts sheet (xlsx_chart.c).  Internal to the workbook writer.
 */
#ifndef CONCUR_XLSX_TEXT_H
#define CONCUR_XLSX_TEXT_H

#include <xlsxwriter.h>

/* Text as a cell holds it: valid XML character data, cut with a visible
 * marker past a cell's limit (malloc'd). */
char *xlsx_cell_text(const char *s);
/* Write UTF-8 text (made valid XML character data) into a cell. */
void xlsx_write_text(lxw_worksheet *ws, unsigned row, unsigned col,
		     const char *s, lxw_format *format);

#endif
