/*
 * mdtext.c - the escaping of mdtext.h.
 */
#include "mdtext.h"

#include <string.h>

void md_text(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			fputc(' ', out);
		else if (c == '@')
			fputs("@&#8203;", out);
		else if (strchr("\\`*_{}[]<>()#+-.!|~&$:", c))
			fprintf(out, "\\%c", c);
		else
			fputc(c, out);
	}
}
