/*
 * csvscan.h - read a CSV buffer in place, one field at a time, with no
 * allocation: for files too big to copy field by field (`concur plot` of a
 * 100,000-row summary).  The same RFC 4180 reading as csv_parse_record in
 * csv.h: quoted fields may hold "" for '"', CR and LF; a record ends at
 * CRLF, LF, a lone CR or the end of input; a '"' inside an unquoted field
 * is a literal character; anything but ',' or a line end after a closing
 * quote is malformed.  Fields keep any formula-guard apostrophe.
 *
 * The buffer is rewritten as it is read: each field is un-quoted where it
 * lies and NUL-terminated (over its separator or closing quote), so a field
 * stays valid as long as the buffer does.  text[len] must be a writable
 * NUL byte (room for the last field's terminator).
 */
#ifndef CONCUR_CSVSCAN_H
#define CONCUR_CSVSCAN_H

#include <stdbool.h>
#include <stddef.h>

struct csv_scan {
	char *text;
	size_t len, pos;
	unsigned long line;	   /* 1-based line of the position */
	unsigned long record_line; /* line where the current record began */
	bool record_start;	   /* the next field begins a record */
};

/* Start reading text[0..len); text[len] must be '\0' and writable. */
void csv_scan_init(struct csv_scan *s, char *text, size_t len);

/*
 * The next field: *ret_field points into the buffer, NUL-terminated, of
 * *ret_len bytes (it may hold NUL bytes of its own); *ret_last is true
 * when it ends its record.  Returns 0; 1 at the end of input (no field);
 * -EINVAL on a malformed field (an unterminated quote, or text after a
 * closing quote), at s->record_line.
 */
int csv_scan_field(struct csv_scan *s, char **ret_field, size_t *ret_len,
		   bool *ret_last);

#endif
