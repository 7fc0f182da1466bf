/*
 * csv.h - RFC 4180 fields and records that import cleanly into spreadsheets
 * and pandas (docs/results.md).  Writing only: csvscan.h reads them.
 *
 * Writing: a struct csv_row is a growing byte buffer of fields.  Each
 * csv_add_* appends one field, preceded by ',' unless it is the first of
 * its record.  csv_row_end closes the record with "\r\n"; n_fields then
 * still tells how many fields the record had, and a further csv_add_*
 * starts a new record in the same buffer (n_fields restarts at 1).  The
 * buffer is always NUL-terminated (buf[len] == '\0') once anything was
 * added; buf is NULL after csv_row_init.
 *
 * Text: quoted when it contains ',', '"', CR or LF or has a leading or
 * trailing space or tab, with '"' doubled.  Formula guard: text beginning
 * with '=', '+', '-', '@', TAB or CR gets a leading '\'' so no spreadsheet
 * evaluates it; numbers written with csv_add_int/uint/real are never guarded.
 * Bytes >= 0x80 (UTF-8) pass through untouched.
 *
 * Reals: '.' as decimal point whatever the process locale, no thousands
 * separators; plain decimal (never an exponent) when the value rounded to
 * `sig` significant digits lies within [1e-12, 1e16), with trailing zeros
 * after the point trimmed ("1.5", "0.000123456789", "42"); -0 is "0";
 * outside that range d.ddde[+-]XX; NaN and infinities are an empty field.
 *
 * Never exactly three digits after the point: "48.845" is written
 * "48.8450" (same value), because a spreadsheet under a comma-decimal
 * locale (German, French, Dutch...) takes "48.845" for 48845 with a
 * thousands separator, silently, while any other digit count stays text
 * there.  See docs/spreadsheets.md.
 */
#ifndef CONCUR_CSV_H
#define CONCUR_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct csv_row {
	char *buf;
	size_t len, cap;
	unsigned n_fields;
};

void csv_row_init(struct csv_row *r);
void csv_row_clear(struct csv_row *r); /* len = 0, n_fields = 0; keeps buf */
void csv_row_free(struct csv_row *r);  /* frees buf; r is then as init */

void csv_add_text(struct csv_row *r, const char *s); /* NULL, "" -> empty */

/* Whether text s takes the formula guard, and a field read back without
 * it (s itself when it has none), for every reader of the results. */
bool csv_needs_guard(const char *s);
const char *csv_unguard(const char *s);
void csv_add_int(struct csv_row *r, int64_t v);
void csv_add_uint(struct csv_row *r, uint64_t v);
/* sig significant digits, clamped to 1..17. */
void csv_add_real(struct csv_row *r, double v, int sig);
void csv_row_end(struct csv_row *r); /* appends "\r\n" */

/* Is s a plain decimal number as a user writes one: -?[0-9]+(.[0-9]+)? */
bool csv_is_decimal(const char *s);
/*
 * A csv_is_decimal text s as a number field: verbatim (so it reads back as
 * the text the user wrote) but for the never-three-decimals rule.
 * csv_decimal_text returns that field's text, malloc'd.
 */
void csv_add_decimal(struct csv_row *r, const char *s);
char *csv_decimal_text(const char *s);

/*
 * A number already written once (a field read back from a results file),
 * copied as it is: s must be a plain decimal such as "-2", "0.000123" or
 * "1.5e-20" (optional '-', digits, optional fraction and exponent, nothing
  * else); such text can never be a formula, so it takes no guard.  A
 * csv_is_decimal text goes through csv_add_decimal (48.845 becomes
 * 48.8450, as every number concur writes).  Returns
 * 0, or -EINVAL with nothing added when s is anything else (NULL, "",
 * "+1", " 1", "inf", "=1+2").
 */
int csv_add_number_text(struct csv_row *r, const char *s);

/*
 * A field read back from a results file, written again as it was: a
 * number as its own text (csv_add_number_text: "0012" stays 0012, never
 * 12), anything else as text (which guards it against formulas, once).
 */
void csv_add_read_back(struct csv_row *r, const char *s);

/*
 * Format v as csv_add_real would into buf (at least CSV_REAL_MAX bytes),
 * returning the length; "" for NaN/inf.
 */
#define CSV_REAL_MAX 48
size_t csv_format_real(char *buf, double v, int sig);

#endif
