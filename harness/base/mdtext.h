/*
 * mdtext.h - text from outside (a results file, a plugin's error) inside
 * a GitHub-flavoured Markdown table cell, for the pull-request tables of
 * `concur compare --markdown` and --export-markdown.
 *
 * Every ASCII punctuation character Markdown or HTML gives a meaning to
 * (emphasis, code, links, headings, '|' the cell separator, '<' and '&'
 * that start HTML, '$' math, '-', '.' and ':' of lists and autolinks) is
 * backslash-escaped, so it shows as itself; an '@' is followed by a
 * zero-width space, since GitHub finds mentions in the rendered text, where
 * a backslash no longer is; line ends
 * and the other control characters become spaces, so a value can neither
 * end the table row nor drive a terminal that shows the raw file.
 */
#ifndef CONCUR_MDTEXT_H
#define CONCUR_MDTEXT_H

#include <stdio.h>

/* Write s escaped to out; NULL writes nothing. */
void md_text(FILE *out, const char *s);

#endif
