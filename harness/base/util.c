#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static void *check_alloc(void *p, size_t size)
{
	if (!p && size) {
		fprintf(stderr, "concur: out of memory (%zu bytes)\n", size);
		exit(2);
	}
	return p;
}

void *xmalloc(size_t size)
{
	return check_alloc(malloc(size ? size : 1), size);
}

void *xcalloc(size_t n, size_t size)
{
	return check_alloc(calloc(n ? n : 1, size ? size : 1), n * size);
}

void *xrealloc(void *p, size_t size)
{
	return check_alloc(realloc(p, size ? size : 1), size);
}

void xgrow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 8;

	if (need <= *cap)
		return;
	while (n < need)
		n *= 2;
	*p = xrealloc(*p, n * elem);
	memset((char *)*p + *cap * elem, 0, (n - *cap) * elem);
	*cap = n;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *d = xmalloc(n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	int n;
	char *s;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	s = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

/*
 * Length of the valid UTF-8 sequence at s, or 0; *ret_control tells whether
 * it is a control character (C0, DEL, or C1 U+0080..U+009F).
 */
static size_t utf8_len(const unsigned char *s, bool *ret_control)
{
	size_t n, i;
	unsigned cp;

	*ret_control = s[0] < 0x20 || s[0] == 0x7f;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1fu;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0fu;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07u;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	if ((n == 3 && cp < 0x800) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	*ret_control = cp <= 0x9f;
	return n;
}

void text_sanitize(char *s)
{
	unsigned char *in = (unsigned char *)s, *out = in;
	bool control;

	while (*in) {
		size_t n = utf8_len(in, &control);

		if (n == 0 || control) {
			*out++ = '?';
			in += n ? n : 1;
		} else {
			memmove(out, in, n);
			out += n;
			in += n;
		}
	}
	*out = '\0';
}

void human_time(double s, char *buf, size_t len)
{
	double mag = fabs(s);

	if (!isfinite(s))
		snprintf(buf, len, "-");
	else if (mag < 1e-3)
		snprintf(buf, len, "%.2f us", s * 1e6);
	else if (mag < 1)
		snprintf(buf, len, "%.3f ms", s * 1e3);
	else
		snprintf(buf, len, "%.4f s", s);
}

size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t *row, i, j, result;

	if (la > 64 || lb > 64) /* suggestions are for short names only */
		return la > lb ? la : lb;
	row = xcalloc(lb + 1, sizeof(*row));
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);

			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			if (up + 1 < best)
				best = up + 1;
			row[j] = best;
			diag = up;
		}
	}
	result = row[lb];
	free(row);
	return result;
}

unsigned cpu_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (unsigned)n : 1;
}

int wait_child(pid_t pid, int64_t timeout_ns, int *ret_status)
{
	int64_t deadline = mono_now_ns() + timeout_ns;
	struct timespec nap = { 0, 1000000 }; /* 1 ms, growing to 20 ms */
	int status = 0;

	for (;;) {
		pid_t got = waitpid(pid, &status, WNOHANG | __WALL);

		if (got == pid) {
			if (ret_status)
				*ret_status = status;
			return 0;
		}
		if (got < 0 && errno != EINTR)
			return -errno;
		if (mono_now_ns() >= deadline)
			return -ETIMEDOUT;
		nanosleep(&nap, NULL);
		if (nap.tv_nsec < 20000000)
			nap.tv_nsec *= 2;
	}
}

int64_t mono_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

const char *suggest_nearest(const char *name, const char *const *cands,
			    size_t n)
{
	size_t i, d, best_d = SIZE_MAX, limit = strlen(name) / 3;
	const char *best = NULL;

	if (limit < 2)
		limit = 2;
	for (i = 0; i < n; i++) {
		d = edit_distance(name, cands[i]);
		if (d < best_d) {
			best_d = d;
			best = cands[i];
		}
	}
	return best_d <= limit ? best : NULL;
}

const char *kind_name(unsigned kind)
{
	static const char *const names[KIND_COUNT] = { "experiment", "strategy",
						       "workload" };

	return kind < KIND_COUNT ? names[kind] : "unknown";
}

bool plugin_name_ok(const char *s)
{
	size_t len = s ? strlen(s) : 0;

	return len > 0 && len <= 64 &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == len;
}

size_t cell_id_split(const char *id)
{
	int depth = 0;
	size_t i;

	for (i = 0; id[i]; i++) {
		if (id[i] == '[')
			depth++;
		else if (id[i] == ']' && depth)
			depth--;
		else if (id[i] == '/' && !depth)
			return i;
	}
	return i;
}

char *argv_join(int argc, char **argv)
{
	char *s = xstrdup("");
	int i;

	for (i = 0; i < argc; i++) {
		char *t = xasprintf("%s%s%s", s, i ? " " : "", argv[i]);

		free(s);
		s = t;
	}
	return s;
}
