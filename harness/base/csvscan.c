/*
 * csvscan.c - the in-place reader of csvscan.h.  Un-quoting only ever
 * shrinks a field (the quotes and one of each "" pair go), so the write
 * position never passes the read position.
 */
#include "csvscan.h"

#include <errno.h>
#include <string.h>

#include "util.h"

void csv_scan_init(struct csv_scan *s, char *text, size_t len)
{
	s->text = text;
	s->len = len;
	s->pos = 0;
	s->line = 1;
	s->record_line = 1;
	s->record_start = true;
	s->line_end = false;
}

/*
 * Consume the separator at pos (',' or a line end, or nothing at the end
 * of input); true when it ended the record.
 */
static bool take_separator(struct csv_scan *s)
{
	char c;

	s->line_end = false;
	if (s->pos >= s->len)
		return true;
	c = s->text[s->pos++];
	if (c == ',')
		return false;
	if (c == '\r' && s->pos < s->len && s->text[s->pos] == '\n')
		s->pos++;
	s->line_end = s->text[s->pos - 1] == '\n';
	s->line++;
	return true;
}

static bool at_separator(const struct csv_scan *s)
{
	char c;

	if (s->pos >= s->len)
		return true;
	c = s->text[s->pos];
	return c == ',' || c == '\n' || c == '\r';
}

/* A quoted field from its opening quote; its text is moved to start. */
static int scan_quoted(struct csv_scan *s, size_t start, size_t *ret_len)
{
	size_t out = start;

	for (s->pos++; s->pos < s->len; s->pos++) {
		char c = s->text[s->pos];

		if (c == '\n' || (c == '\r' && !(s->pos + 1 < s->len &&
						 s->text[s->pos + 1] == '\n')))
			s->line++;
		if (c != '"') {
			s->text[out++] = c;
			continue;
		}
		if (s->pos + 1 < s->len && s->text[s->pos + 1] == '"') {
			s->text[out++] = '"';
			s->pos++;
			continue;
		}
		s->pos++;
		if (!at_separator(s))
			return -EINVAL; /* text after the closing quote */
		*ret_len = out - start;
		return 0;
	}
	return -EINVAL; /* unterminated */
}

int csv_scan_field(struct csv_scan *s, char **ret_field, size_t *ret_len,
		   bool *ret_last)
{
	size_t start = s->pos, len;

	if (s->record_start) {
		if (s->pos >= s->len)
			return 1;
		s->record_line = s->line;
	}
	if (s->pos < s->len && s->text[s->pos] == '"') {
		if (scan_quoted(s, start, &len) < 0)
			return -EINVAL;
	} else {
		while (!at_separator(s))
			s->pos++;
		len = s->pos - start;
	}
	*ret_last = take_separator(s);
	s->text[start + len] = '\0'; /* after the separator was read */
	s->record_start = *ret_last;
	*ret_field = s->text + start;
	*ret_len = len;
	return 0;
}

int csv_scan_record(struct csv_scan *s, char ***fields, size_t *cap,
		    size_t *ret_n)
{
	size_t n = 0, len;
	bool last = false;
	char *f;
	int rc;

	while (!last) {
		rc = csv_scan_field(s, &f, &len, &last);
		if (rc == 1 && n == 0)
			return 1;
		if (rc != 0)
			return rc;
		if (n == CSV_MAX_FIELDS)
			return -E2BIG;
		xgrow((void **)fields, cap, n + 1, sizeof(**fields));
		(*fields)[n++] = f;
	}
	*ret_n = n;
	return 0;
}
