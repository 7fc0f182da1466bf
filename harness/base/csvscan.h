/*
 * csvscan.h - read a CSV buffer in place, one field at a time, with no
 * allocation per field, so a file of 100,000 rows (`concur plot`) or a
 * hostile one costs little more than its own size.  RFC 4180 (csv.h
 * writes it): quoted fields may hold "" for '"', CR and LF; a record ends at
 * CRLF, LF, a lone CR or the end of input; a '"' inside an unquoted field
 * is a literal character; anything but ',' or a line end after a closing
 * quote is malformed.  Fields keep any formula-guard apostrophe.
 *
 * The buffer is rewritten as it is read: each field is un-quoted where it
 * lies and NUL-terminated (over its separator or closing quote), so a field
 * stays valid as long as the buffer does.  text[len] must be a writable
 * NUL byte (room for the last field's terminator).
 *
 * This is the one CSV reader: every reader of results files goes through
 * it, a field (csv_scan_field) or a record (csv_scan_record) at a time.
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
	bool line_end;		   /* the last field read ended at CRLF or LF */
};

/*
 * Most fields of one record: far above any header concur writes (256
 * sections of 256 keys, plus its own columns), and a bound on what one
 * hostile record can make a reader allocate (a few MB), since readers of
 * results files hold one record at a time or rows of the header's width.
 */
#define CSV_MAX_FIELDS (1u << 17)

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

/*
 * The next record whole: (*fields)[0..*ret_n) point at its fields as
 * csv_scan_field gives them, *fields grown as needed (*cap its capacity;
 * the caller frees it).  s->line_end then says whether CRLF or LF closed
 * the record: not the end of input, nor a lone CR, which may be the first
 * half of a torn CRLF.  s->pos is then where the next record starts.
 * Returns 0; 1 at the end of input; -EINVAL on a malformed field; -E2BIG
 * for a record of more than CSV_MAX_FIELDS fields (read no further).
 */
int csv_scan_record(struct csv_scan *s, char ***fields, size_t *cap,
		    size_t *ret_n);

#endif
