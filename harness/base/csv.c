#include "csv.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void csv_row_init(struct csv_row *r)
{
	r->buf = NULL;
	r->len = r->cap = 0;
	r->n_fields = 0;
}

void csv_row_clear(struct csv_row *r)
{
	r->len = 0;
	r->n_fields = 0;
	if (r->buf)
		r->buf[0] = '\0';
}

void csv_row_free(struct csv_row *r)
{
	free(r->buf);
	csv_row_init(r);
}

/* Room for n more bytes plus the terminating NUL. */
static void row_reserve(struct csv_row *r, size_t n)
{
	xgrow((void **)&r->buf, &r->cap, r->len + n + 1, 1);
}

static void row_put(struct csv_row *r, const char *s, size_t n)
{
	row_reserve(r, n);
	memcpy(r->buf + r->len, s, n);
	r->len += n;
	r->buf[r->len] = '\0';
}

/*
 * Unquoted fields never contain CR or LF, and a quoted one ends in '"', so
 * a buffer ending in "\r\n" has just had its record closed.
 */
static int row_at_record_start(const struct csv_row *r)
{
	return r->len == 0 || (r->len >= 2 && r->buf[r->len - 2] == '\r' &&
			       r->buf[r->len - 1] == '\n');
}

/* Separator before a new field; counts it. */
static void row_begin_field(struct csv_row *r)
{
	if (row_at_record_start(r))
		r->n_fields = 0;
	else
		row_put(r, ",", 1);
	r->n_fields++;
}

void csv_row_end(struct csv_row *r)
{
	row_put(r, "\r\n", 2);
}

/* The formula guard rule, here only: the first bytes a spreadsheet takes
 * for the start of a formula. */
bool csv_needs_guard(const char *s)
{
	return s[0] && strchr("=+-@\t\r", s[0]) != NULL;
}

const char *csv_unguard(const char *s)
{
	return s[0] == '\'' && csv_needs_guard(s + 1) ? s + 1 : s;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int needs_quotes(const char *s, size_t n)
{
	if (n && (is_blank(s[0]) || is_blank(s[n - 1])))
		return 1;
	return strpbrk(s, ",\"\r\n") != NULL;
}

/* Append s[0..n) inside double quotes, doubling every '"'. */
static void row_put_quoted(struct csv_row *r, const char *prefix, const char *s,
			   size_t n)
{
	size_t i;

	row_put(r, "\"", 1);
	row_put(r, prefix, strlen(prefix));
	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			row_put(r, "\"\"", 2);
		else
			row_put(r, &s[i], 1);
	}
	row_put(r, "\"", 1);
}

void csv_add_text(struct csv_row *r, const char *s)
{
	const char *prefix;
	size_t n;

	row_begin_field(r);
	if (!s || !s[0])
		return;
	n = strlen(s);
	prefix = csv_needs_guard(s) ? "'" : "";
	/* The guard makes a leading blank inner, but a CR still needs quotes. */
	if (needs_quotes(s, n)) {
		row_put_quoted(r, prefix, s, n);
		return;
	}
	row_put(r, prefix, strlen(prefix));
	row_put(r, s, n);
}

static const char *skip_digits(const char *p, size_t *ret_n)
{
	size_t n = 0;

	while (*p >= '0' && *p <= '9') {
		p++;
		n++;
	}
	*ret_n = n;
	return p;
}

int csv_add_number_text(struct csv_row *r, const char *s)
{
	const char *p = s;
	size_t whole, frac = 0, exp;

	if (!p)
		return -EINVAL;
	if (*p == '-')
		p++;
	p = skip_digits(p, &whole);
	if (*p == '.')
		p = skip_digits(p + 1, &frac);
	if (whole + frac == 0)
		return -EINVAL;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		p = skip_digits(p, &exp);
		if (exp == 0)
			return -EINVAL;
	}
	if (*p)
		return -EINVAL;
	if (csv_is_decimal(s)) { /* keep the never-three-decimals rule */
		csv_add_decimal(r, s);
		return 0;
	}
	row_begin_field(r);
	row_put(r, s, strlen(s));
	return 0;
}

void csv_add_read_back(struct csv_row *r, const char *s)
{
	if (csv_add_number_text(r, s) < 0)
		csv_add_text(r, s);
}

void csv_add_int(struct csv_row *r, int64_t v)
{
	char tmp[24];
	int n = snprintf(tmp, sizeof(tmp), "%" PRId64, v);

	row_begin_field(r);
	row_put(r, tmp, (size_t)n);
}

void csv_add_uint(struct csv_row *r, uint64_t v)
{
	char tmp[24];
	int n = snprintf(tmp, sizeof(tmp), "%" PRIu64, v);

	row_begin_field(r);
	row_put(r, tmp, (size_t)n);
}

/*
 * Split a positive finite v rounded to sig significant digits into its
 * digits (NUL-terminated, trailing zeros dropped, at least one digit) and
 * decimal exponent: v = 0.DIGITS * 10^(exp + 1).  printf's %e does the
 * correct rounding; only digits and the exponent are read back, so the
 * locale's decimal point (of any length) never leaks into the output.
 */
static void real_digits(double v, int sig, char *digits, int *ret_exp)
{
	char tmp[64];
	const char *p;
	size_t n = 0;

	snprintf(tmp, sizeof(tmp), "%.*e", sig - 1, v);
	for (p = tmp; *p && *p != 'e' && *p != 'E'; p++)
		if (*p >= '0' && *p <= '9')
			digits[n++] = *p;
	while (n > 1 && digits[n - 1] == '0')
		n--;
	digits[n] = '\0';
	*ret_exp = *p ? atoi(p + 1) : 0;
}

/* digits * 10^(exp+1-ndigits) in plain notation. */
static size_t real_plain(char *out, const char *digits, int exp)
{
	int nd = (int)strlen(digits), point = exp + 1, i;
	size_t n = 0;

	if (point <= 0) {
		out[n++] = '0';
		out[n++] = '.';
		for (i = point; i < 0; i++)
			out[n++] = '0';
		memcpy(out + n, digits, (size_t)nd);
		return n + (size_t)nd;
	}
	for (i = 0; i < nd || i < point; i++) {
		if (i == point)
			out[n++] = '.';
		out[n++] = i < nd ? digits[i] : '0';
	}
	return n;
}

static size_t real_exponent(char *out, const char *digits, int exp)
{
	size_t n = 0;

	out[n++] = digits[0];
	if (digits[1]) {
		out[n++] = '.';
		memcpy(out + n, digits + 1, strlen(digits + 1));
		n += strlen(digits + 1);
	}
	return n + (size_t)sprintf(out + n, "e%s%02d", exp < 0 ? "-" : "+",
				   abs(exp));
}

/*
 * Exactly three digits after the point read as a thousands group under a
 * comma-decimal locale (de_DE: "48.845" is 48845), silently; a fourth digit
 * (a trailing zero, same value) makes every such locale see text instead.
 * Applies to the mantissa of the exponent form too.  n = length of buf.
 */
static size_t never_three_decimals(char *buf, size_t n)
{
	char *point = memchr(buf, '.', n), *end;

	if (!point)
		return n;
	end = point + 1;
	while (end < buf + n && *end >= '0' && *end <= '9')
		end++;
	if (end - point - 1 != 3)
		return n;
	memmove(end + 1, end, (size_t)(buf + n - end) + 1); /* with the NUL */
	*end = '0';
	return n + 1;
}

size_t csv_format_real(char *buf, double v, int sig)
{
	char digits[24];
	size_t n = 0;
	int exp;

	buf[0] = '\0';
	if (!isfinite(v))
		return 0;
	if (v == 0) {
		strcpy(buf, "0"); /* -0 too */
		return 1;
	}
	sig = sig < 1 ? 1 : sig > 17 ? 17 : sig;
	if (v < 0)
		buf[n++] = '-';
	real_digits(fabs(v), sig, digits, &exp);
	if (exp >= -12 && exp <= 15)
		n += real_plain(buf + n, digits, exp);
	else
		n += real_exponent(buf + n, digits, exp);
	buf[n] = '\0';
	return never_three_decimals(buf, n);
}

void csv_add_real(struct csv_row *r, double v, int sig)
{
	char tmp[CSV_REAL_MAX];
	size_t n = csv_format_real(tmp, v, sig);

	row_begin_field(r);
	row_put(r, tmp, n);
}

bool csv_is_decimal(const char *s)
{
	size_t n = *s == '-', digits;

	digits = strspn(s + n, "0123456789");
	if (!digits)
		return false;
	n += digits;
	if (s[n] == '.') {
		digits = strspn(s + n + 1, "0123456789");
		if (!digits)
			return false;
		n += 1 + digits;
	}
	return s[n] == '\0';
}

char *csv_decimal_text(const char *s)
{
	size_t n = strlen(s);
	char *out = xmalloc(n + 2);

	memcpy(out, s, n + 1);
	never_three_decimals(out, n);
	return out;
}

void csv_add_decimal(struct csv_row *r, const char *s)
{
	char *text = csv_decimal_text(s);

	row_begin_field(r);
	row_put(r, text, strlen(text));
	free(text);
}
