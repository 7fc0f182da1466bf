#include "diag.h"

#include <stdlib.h>

#include "util.h"

void diag_vprint(FILE *out, const char *prefix, const char *fmt, va_list ap)
{
	va_list again;
	char *msg;
	int n;

	va_copy(again, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	msg = xmalloc((size_t)(n > 0 ? n : 0) + 1);
	vsnprintf(msg, (size_t)(n > 0 ? n : 0) + 1, fmt, again);
	va_end(again);
	text_sanitize(msg);
	fprintf(out, "concur: %s%s\n", prefix,
		*msg ? msg
		     : "internal error: a failure without a message (please "
		       "report it)");
	free(msg);
}

void diag_print(FILE *out, const char *prefix, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vprint(out, prefix, fmt, ap);
	va_end(ap);
}

void diag_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vprint(stderr, "", fmt, ap);
	va_end(ap);
}

void diag_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vprint(stderr, "warning: ", fmt, ap);
	va_end(ap);
}
