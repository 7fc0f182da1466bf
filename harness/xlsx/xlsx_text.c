/*
 * xlsx_text.c - text cells that every spreadsheet opens (xlsx_text.h).
 */
#include "xlsx_text.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "xmltext.h"

/* The most text one cell holds, in UTF-16 units (Excel's limit). */
#define XLSX_CELL_CHARS 32767

/*
 * Text as XML character data may carry: invalid UTF-8 and the control
 * characters XML 1.0 forbids become U+FFFD (as in the SVG charts).
 */
static char *clean_text(const char *s)
{
	size_t len = strlen(s), i = 0, n = 0;
	char *out = xmalloc(3 * len + 1);

	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		size_t k = utf8_sequence_len((const unsigned char *)s + i,
					     len - i);

		if (k == 0 || (c < 0x20 && c != '\t' && c != '\n') ||
		    (k == 3 && c == 0xEF && (unsigned char)s[i + 1] == 0xBF &&
		     (unsigned char)s[i + 2] >= 0xBE)) {
			memcpy(out + n, "\xEF\xBF\xBD", 3);
			n += 3;
			i += k ? k : 1;
			continue;
		}
		memcpy(out + n, s + i, k);
		n += k;
		i += k;
	}
	out[n] = '\0';
	return out;
}

/* Characters of valid UTF-8 text as a spreadsheet counts them (UTF-16). */
static size_t cell_chars(const char *s, size_t len)
{
	size_t n = 0, i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		n += (c & 0xC0) != 0x80; /* a code point */
		n += c >= 0xF0;		 /* past U+FFFF: a surrogate pair */
	}
	return n;
}

static char *cut_marker(size_t kept, size_t total)
{
	/* U+2026, the ellipsis */
	return xasprintf(
		"\xE2\x80\xA6 [truncated: %zu of %zu characters; the CSV file has them all]",
		kept, total);
}

/*
 * Clean text cut to what one cell holds, with a marker saying so: a
 * spreadsheet refuses longer text, and an empty cell would hide that there
 * was any.  The CSV files keep every character.
 */
static char *fit_cell(char *clean)
{
	size_t len = strlen(clean), total = cell_chars(clean, len), budget,
	       used = 0, i = 0, k, n;
	char *marker, *out;

	if (total <= XLSX_CELL_CHARS)
		return clean;
	/* the marker with the largest count it can hold: never longer than
	 * the one written */
	marker = cut_marker(XLSX_CELL_CHARS, total);
	budget = XLSX_CELL_CHARS - cell_chars(marker, strlen(marker));
	free(marker);
	while (i < len) {
		k = utf8_sequence_len((const unsigned char *)clean + i,
				      len - i);
		n = cell_chars(clean + i, k);
		if (used + n > budget)
			break;
		used += n;
		i += k;
	}
	marker = cut_marker(used, total);
	out = xasprintf("%.*s%s", (int)i, clean, marker);
	free(marker);
	free(clean);
	return out;
}

char *xlsx_cell_text(const char *s)
{
	return fit_cell(clean_text(s));
}

void xlsx_write_text(lxw_worksheet *ws, unsigned row, unsigned col,
		     const char *s, lxw_format *format)
{
	char *clean = xlsx_cell_text(s);

	worksheet_write_string(ws, row, (lxw_col_t)col, clean, format);
	free(clean);
}
