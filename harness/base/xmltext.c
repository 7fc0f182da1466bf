/*
 * xmltext.c - escaping of xmltext.h.  UTF-8 is checked against the
 * well-formed byte sequences of the Unicode standard (table 3-7), so no
 * overlong form, surrogate or out-of-range code point passes.
 */
#include "xmltext.h"

#include <string.h>

#define REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD */

size_t utf8_sequence_len(const unsigned char *s, size_t len)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xBF;
	size_t n, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4;
	else
		return 0; /* continuation byte, C0/C1 overlong lead, > F4 */
	if (c == 0xE0)
		lo = 0xA0; /* overlong */
	else if (c == 0xED)
		hi = 0x9F; /* surrogates */
	else if (c == 0xF0)
		lo = 0x90; /* overlong */
	else if (c == 0xF4)
		hi = 0x8F; /* above U+10FFFF */
	if (len < n || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return n;
}

/* U+FFFE and U+FFFF: well-formed UTF-8, but not XML characters. */
static int is_noncharacter(const unsigned char *s, size_t n)
{
	return n == 3 && s[0] == 0xEF && s[1] == 0xBF &&
	       (s[2] == 0xBE || s[2] == 0xBF);
}

static const char *entity(unsigned char c)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return "&quot;";
	case '\'':
		return "&apos;";
	default:
		return NULL;
	}
}

void xml_text_write(FILE *out, const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, n;

	while (i < len) {
		unsigned char c = s[i];
		const char *e = entity(c);

		if (e) {
			fputs(e, out);
			i++;
			continue;
		}
		if (c < 0x20 && c != '\t' && c != '\n') {
			fputs(REPLACEMENT, out);
			i++;
			continue;
		}
		n = utf8_sequence_len(s + i, len - i);
		if (n == 0 || is_noncharacter(s + i, n)) {
			fputs(REPLACEMENT, out);
			i += n ? n : 1;
			continue;
		}
		fwrite(s + i, 1, n, out);
		i += n;
	}
}

void xml_text(FILE *out, const char *s)
{
	if (s)
		xml_text_write(out, s, strlen(s));
}
