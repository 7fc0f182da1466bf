/*
 * xmltext.h - text from outside (a results file, a plugin's error) as XML
 * character data, for the SVG charts.
 *
 * Whatever the bytes, the output is well-formed text content or attribute
 * value: '&', '<', '>', '"' and '\'' become entities; the result is valid
 * UTF-8; characters XML 1.0 forbids (C0 controls other than TAB and LF,
 * CR, which a parser would turn into LF, and the non-characters U+FFFE and
 * U+FFFF) and every byte that is not part of a well-formed UTF-8 sequence
 * (stray continuation bytes, overlong forms, surrogates, code points above
 * U+10FFFF, truncated sequences) become U+FFFD, one per offending byte, so
 * the reader sees that something was there (one per non-character).
 */
#ifndef CONCUR_XMLTEXT_H
#define CONCUR_XMLTEXT_H

#include <stddef.h>
#include <stdio.h>

/* Write s[0..len) escaped to out. */
void xml_text_write(FILE *out, const char *s, size_t len);

/* Write the NUL-terminated s escaped to out; NULL writes nothing. */
void xml_text(FILE *out, const char *s);

/*
 * Length of the well-formed UTF-8 sequence at s[0..len), 0 when s[0]
 * does not start one (len >= 1).
 */
size_t utf8_sequence_len(const unsigned char *s, size_t len);

#endif
