/*
 * xlsx_text.h - text cells for the data sheets (xlsx.c) and the charts
 * sheet (xlsx_chart.c).  Internal to the workbook writer.
 */
#ifndef CONCUR_XLSX_TEXT_H
#define CONCUR_XLSX_TEXT_H

#include <xlsxwriter.h>

/* Write UTF-8 text (made valid XML character data) into a cell. */
void xlsx_write_text(lxw_worksheet *ws, unsigned row, unsigned col,
		     const char *s, lxw_format *format);

#endif
