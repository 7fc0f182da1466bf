/*
 * jsontext.h - strings and numbers as JSON (RFC 8259) text, for the Google
 * Benchmark export.
 *
 * Strings: whatever the bytes, the output is one valid JSON string in
 * valid UTF-8: '"' and '\\' are escaped, every C0 control character and
 * DEL is written \u00XX (\n, \r, \t as such), and every byte that is not
 * part of a well-formed UTF-8 sequence becomes U+FFFD, one per byte.
 * Numbers: JSON has no NaN or infinity, so a value that is not finite is
 * written null; a finite one is the shortest decimal that reads back as
 * the same double, '.' whatever the locale.
 */
#ifndef CONCUR_JSONTEXT_H
#define CONCUR_JSONTEXT_H

#include <stdio.h>

/* Write s as a quoted JSON string; NULL writes "". */
void json_string(FILE *out, const char *s);

/* Write v as a JSON number, or null when it is not finite. */
void json_number(FILE *out, double v);

/* "key": with the key escaped, for an object member. */
void json_key(FILE *out, const char *key);

#endif
