/*
 * retype.h - text that spreadsheets silently turn into something else.
 *
 * LibreOffice, Excel and Gnumeric type every CSV field they open: a strategy
 * labelled 0012 becomes the number 12, 1e5 becomes 100000, true becomes the
 * boolean TRUE, 1.2.3 or 1/2 a date.  The CSV cannot say "this is text"
 * (only the workbook N.xlsx can), so concur warns when a label or the
 * experiment's name looks like one of these, and suggests a safer one; the
 * experiment still runs.  See docs/spreadsheets.md.
 */
#ifndef CONCUR_RETYPE_H
#define CONCUR_RETYPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "config.h"
#include "matrix.h"

/*
 * Would a spreadsheet retype s?  When yes, returns true with what it turns
 * into in `as` ("the number 12 (the leading zeros are lost)", "a date").
 * Recognised: all digits with a leading zero; a decimal, float or exponent
 * form (1.5, -2.5, .5, 1e5); true/false in any case; date-like digit groups
 * joined by '.', '/' or '-' (1.2.3, 1/2, 2024-01-31, 1-2); times (1:30);
 * percentages (5%).  A plain integer without a leading zero (12) is not
 * reported: it reads back as what it shows.
 */
bool retype_check(const char *s, char *as, size_t aslen);

/*
 * Print one "concur: warning: FILE:LINE: ..." line on out for the
 * experiment's name, each strategy and workload label and (once, with a
 * count) the cell ids that a spreadsheet would retype.  Returns how many
 * lines it printed.
 */
size_t retype_warn(FILE *out, const struct config *cfg, const struct matrix *m);

#endif
