/*
 * text_lines.h - how many lines of a text are exactly `line` (for tests
 * that check a generated script's here-document terminators).  Header
 * only: used by a unit test and a fuzz target alike.
 */
#ifndef CONCUR_TEXT_LINES_H
#define CONCUR_TEXT_LINES_H

#include <string.h>

static size_t text_lines_equal(const char *text, const char *line)
{
	size_t n = 0, len = strlen(line);
	const char *p;

	for (p = text; (p = strstr(p, line)) != NULL; p += len)
		n += (p == text || p[-1] == '\n') && p[len] == '\n';
	return n;
}

#endif
