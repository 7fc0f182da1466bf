/*
 * diag.h - the one way concur prints a message for a person on stderr:
 * "concur: ", then the message with every control character and byte of
 * invalid UTF-8 made a visible '?' (text_sanitize, util.h).
 *
 * Messages quote experiment files, results files, paths, plugin text and
 * environment variables; none of them may drive the terminal (an escape
 * sequence can retitle the window, clear the screen, or on some terminals
 * answer back as typed input).  Any message that may hold such text goes
 * through here, whole: the format's own text is sanitized with the rest.
 *
 * An empty message (an error path that forgot one) still says something.
 */
#ifndef CONCUR_DIAG_H
#define CONCUR_DIAG_H

#include <stdarg.h>
#include <stdio.h>

/* "concur: MSG\n" on stderr. */
void diag_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "concur: warning: MSG\n" on stderr. */
void diag_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * "concur: PREFIX MSG\n" on out, for a command that reports on a stream
 * of its own (merge): prefix is the caller's literal ("merge: "), or "".
 */
void diag_vprint(FILE *out, const char *prefix, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
void diag_print(FILE *out, const char *prefix, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
