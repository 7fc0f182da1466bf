/*
 * jsontext.c - the escaping and number formatting of jsontext.h.
 */
#include "jsontext.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "xmltext.h"

#define REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD */

static void put_escape(FILE *out, unsigned char c)
{
	if (c == '\n')
		fputs("\\n", out);
	else if (c == '\r')
		fputs("\\r", out);
	else if (c == '\t')
		fputs("\\t", out);
	else if (c == '"' || c == '\\')
		fprintf(out, "\\%c", c);
	else
		fprintf(out, "\\u%04x", c);
}

void json_string(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t len = strlen((const char *)p), n;

	fputc('"', out);
	while (len) {
		n = utf8_sequence_len(p, len);
		if (n == 0) {
			fputs(REPLACEMENT, out);
			n = 1;
		} else if (n == 1 && (*p < 0x20 || *p == 0x7f || *p == '"' ||
				      *p == '\\')) {
			put_escape(out, *p);
		} else {
			fwrite(p, 1, n, out);
		}
		p += n;
		len -= n;
	}
	fputc('"', out);
}

/* The C library formats with '.', since the core never sets LC_NUMERIC. */
void json_number(FILE *out, double v)
{
	char buf[40];
	int prec;

	if (!isfinite(v)) {
		fputs("null", out);
		return;
	}
	if (v == 0) {
		fputs("0", out); /* -0 too */
		return;
	}
	for (prec = 15; prec < 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	snprintf(buf, sizeof(buf), "%.*g", prec, v);
	fputs(buf, out);
}

void json_key(FILE *out, const char *key)
{
	json_string(out, key);
	fputs(": ", out);
}
