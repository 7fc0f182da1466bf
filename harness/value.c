/*
 * value.c - typed parameter values (see value.h for the syntax).
 *
 * Unit rules, decided here and documented for users:
 *   duration units: ns, us (or µs), ms, s, m (or min), h; case-insensitive;
 *     a bare number is seconds; fractions allowed (1.5s), truncated to whole
 *     nanoseconds; negative durations are rejected; at most INT64_MAX ns.
 *   size units: none or B = bytes; k, M, G, T = binary (1024^n); KiB, MiB,
 *     GiB, TiB = binary; kB/KB, MB, GB, TB = decimal (1000^n).  Units are
 *     case-insensitive, so "K" = "k" = 1024 and "kb" = "KB" = 1000: the
 *     trailing B is what makes a prefix decimal (docs/experiment-file.md: 10k =
 * 10240,
 *     1MB = 10^6).  Fractions are allowed with a unit (1.5k = 1536), rounded
 *     down to whole bytes.
 * Numbers are parsed in the C locale whatever the process locale is.
 */
#define _GNU_SOURCE
#include "value.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

/* Longest value text echoed back in a message. */
#define ECHO_MAX 40

struct unit {
	const char *name;
	uint64_t factor;
};

static const struct unit duration_units[] = {
	{ "ns", 1 },
	{ "us", 1000 },
	{ "\xc2\xb5s", 1000 }, /* µs */
	{ "ms", 1000000 },
	{ "s", 1000000000 },
	{ "m", 60ull * 1000000000 },
	{ "min", 60ull * 1000000000 },
	{ "h", 3600ull * 1000000000 },
};

static const struct unit size_units[] = {
	{ "b", 1 },
	{ "k", 1ull << 10 },
	{ "m", 1ull << 20 },
	{ "g", 1ull << 30 },
	{ "t", 1ull << 40 },
	{ "kib", 1ull << 10 },
	{ "mib", 1ull << 20 },
	{ "gib", 1ull << 30 },
	{ "tib", 1ull << 40 },
	{ "kb", 1000ull },
	{ "mb", 1000ull * 1000 },
	{ "gb", 1000ull * 1000 * 1000 },
	{ "tb", 1000ull * 1000 * 1000 * 1000 },
};

const char *value_type_name(enum concur_param_type type)
{
	switch (type) {
	case CONCUR_PARAM_INT:
		return "integer";
	case CONCUR_PARAM_FLOAT:
		return "float";
	case CONCUR_PARAM_BOOL:
		return "bool";
	case CONCUR_PARAM_STRING:
		return "string";
	case CONCUR_PARAM_DURATION:
		return "duration";
	case CONCUR_PARAM_SIZE:
		return "size";
	case CONCUR_PARAM_LIST:
		return "list";
	}
	return "unknown";
}

const char *value_type_help(enum concur_param_type type)
{
	switch (type) {
	case CONCUR_PARAM_INT:
		return "an integer such as 4 or -12";
	case CONCUR_PARAM_FLOAT:
		return "a number such as 0.5 or 1e3";
	case CONCUR_PARAM_BOOL:
		return "a bool: true/false, yes/no, on/off or 1/0";
	case CONCUR_PARAM_STRING:
		return "any text";
	case CONCUR_PARAM_DURATION:
		return "a duration such as 500us, 20ms, 1.5s, 2m (a bare number is seconds)";
	case CONCUR_PARAM_SIZE:
		return "a size such as 1500, 10k (= 10240), 1MiB, 1MB (= 10^6)";
	case CONCUR_PARAM_LIST:
		return "a list: one item per line";
	}
	return "a value";
}

/* "text" for messages, cut to ECHO_MAX bytes. */
static int echo_len(const char *text)
{
	size_t n = strlen(text);

	return (int)(n > ECHO_MAX ? ECHO_MAX : n);
}

static const char *echo_more(const char *text)
{
	return strlen(text) > ECHO_MAX ? "..." : "";
}

static int bad_value(enum concur_param_type type, const char *text,
		     const char *why, char *err, size_t errlen)
{
	errf(err, errlen, "'%.*s%s' is not a valid %s%s; expected %s",
	     echo_len(text), text, echo_more(text), value_type_name(type), why,
	     value_type_help(type));
	return -EINVAL;
}

/* [*ret_begin, *ret_end) = text without surrounding white space. */
static void trim_span(const char *text, const char **ret_begin,
		      const char **ret_end)
{
	const char *b = text, *e = text + strlen(text);

	while (b < e && isspace((unsigned char)*b))
		b++;
	while (e > b && isspace((unsigned char)e[-1]))
		e--;
	*ret_begin = b;
	*ret_end = e;
}

/* A copy of [b, e) without surrounding white space. */
static char *trim_dup_n(const char *b, const char *e)
{
	while (b < e && isspace((unsigned char)*b))
		b++;
	while (e > b && isspace((unsigned char)e[-1]))
		e--;
	return xstrndup(b, (size_t)(e - b));
}

static char *trim_dup(const char *text)
{
	return trim_dup_n(text, text + strlen(text));
}

static int parse_int(const char *s, union concur_value *ret, char *err,
		     size_t errlen)
{
	char *end;
	long long v;

	if (!*s || isspace((unsigned char)*s))
		return bad_value(CONCUR_PARAM_INT, s, "", err, errlen);
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end)
		return bad_value(CONCUR_PARAM_INT, s, "", err, errlen);
	if (errno == ERANGE)
		return bad_value(
			CONCUR_PARAM_INT, s,
			" (outside -9223372036854775808..9223372036854775807)",
			err, errlen);
	ret->i = v;
	return 0;
}

static void c_locale_init(void);
static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void c_locale_init(void)
{
	c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

static double strtod_c(const char *s, char **end)
{
	pthread_once(&c_locale_once, c_locale_init);
	if (c_locale)
		return strtod_l(s, end, c_locale);
	return strtod(s, end);
}

static int parse_float(const char *s, union concur_value *ret, char *err,
		       size_t errlen)
{
	char *end;
	double v;

	if (!*s || isspace((unsigned char)*s))
		return bad_value(CONCUR_PARAM_FLOAT, s, "", err, errlen);
	errno = 0;
	v = strtod_c(s, &end);
	if (*end)
		return bad_value(CONCUR_PARAM_FLOAT, s, "", err, errlen);
	if (!isfinite(v) || (errno == ERANGE && fabs(v) > 1.0))
		return bad_value(CONCUR_PARAM_FLOAT, s,
				 " (not a finite number)", err, errlen);
	ret->f = v;
	return 0;
}

int value_parse_bool(const char *text, bool *ret)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(text, yes[i])) {
			*ret = true;
			return 0;
		}
		if (!strcasecmp(text, no[i])) {
			*ret = false;
			return 0;
		}
	}
	return -EINVAL;
}

/*
 * A decimal number with an optional fraction, as an exact fixed-point
 * pair: *ret_whole and the fraction's digits (at most 18 kept) in
 * *ret_frac / *ret_scale (a power of ten).  Returns the end of the number,
 * or NULL when there is no digit or the whole part overflows.
 */
static const char *scan_decimal(const char *s, uint64_t *ret_whole,
				uint64_t *ret_frac, uint64_t *ret_scale,
				bool *ret_overflow)
{
	uint64_t whole = 0, frac = 0, scale = 1;
	bool digits = false;

	*ret_overflow = false;
	for (; isdigit((unsigned char)*s); s++, digits = true) {
		if (__builtin_mul_overflow(whole, 10, &whole) ||
		    __builtin_add_overflow(whole, (uint64_t)(*s - '0'), &whole))
			*ret_overflow = true;
	}
	if (*s == '.') {
		for (s++; isdigit((unsigned char)*s); s++, digits = true) {
			if (scale >= 1000000000000000000ull)
				continue; /* beyond 18 digits: below 1 ns/byte */
			frac = frac * 10 + (uint64_t)(*s - '0');
			scale *= 10;
		}
	}
	if (!digits)
		return NULL;
	*ret_whole = whole;
	*ret_frac = frac;
	*ret_scale = scale;
	return s;
}

static const struct unit *find_unit(const struct unit *units, size_t n,
				    const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcasecmp(units[i].name, name))
			return &units[i];
	return NULL;
}

/*
 * number [spaces] [unit] -> whole units * factor, rounded down; the unit
 * table decides the suffixes, `bare` is the factor without a suffix.
 * Fails with -EINVAL (syntax) or -ERANGE (more than `max`).
 */
static int parse_scaled(const char *s, const struct unit *units, size_t n,
			uint64_t bare, uint64_t max, uint64_t *ret)
{
	uint64_t whole, frac, scale, factor = bare;
	unsigned __int128 v;
	const struct unit *u;
	bool overflow;
	const char *p;

	p = scan_decimal(s, &whole, &frac, &scale, &overflow);
	if (!p)
		return -EINVAL;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p) {
		u = find_unit(units, n, p);
		if (!u)
			return -EINVAL;
		factor = u->factor;
	}
	if (overflow)
		return -ERANGE;
	v = (unsigned __int128)whole * factor +
	    (unsigned __int128)frac * factor / scale;
	if (v > max)
		return -ERANGE;
	*ret = (uint64_t)v;
	return 0;
}

static int parse_duration(const char *s, union concur_value *ret, char *err,
			  size_t errlen)
{
	uint64_t v;
	int rc;

	if (*s == '-')
		return bad_value(CONCUR_PARAM_DURATION, s, " (negative)", err,
				 errlen);
	rc = parse_scaled(s, duration_units, ARRAY_SIZE(duration_units),
			  1000000000, INT64_MAX, &v);
	if (rc == -ERANGE)
		return bad_value(CONCUR_PARAM_DURATION, s,
				 " (longer than 9223372036s, about 292 years)",
				 err, errlen);
	if (rc < 0)
		return bad_value(CONCUR_PARAM_DURATION, s, "", err, errlen);
	ret->ns = (int64_t)v;
	return 0;
}

static int parse_size(const char *s, union concur_value *ret, char *err,
		      size_t errlen)
{
	uint64_t v;
	int rc;

	if (*s == '-')
		return bad_value(CONCUR_PARAM_SIZE, s, " (negative)", err,
				 errlen);
	rc = parse_scaled(s, size_units, ARRAY_SIZE(size_units), 1, UINT64_MAX,
			  &v);
	if (rc == -ERANGE)
		return bad_value(CONCUR_PARAM_SIZE, s,
				 " (more than 2^64-1 bytes)", err, errlen);
	if (rc < 0)
		return bad_value(CONCUR_PARAM_SIZE, s, "", err, errlen);
	ret->bytes = v;
	return 0;
}

static int parse_trimmed(enum concur_param_type type, const char *s,
			 union concur_value *ret, char *err, size_t errlen)
{
	bool b;

	switch (type) {
	case CONCUR_PARAM_INT:
		return parse_int(s, ret, err, errlen);
	case CONCUR_PARAM_FLOAT:
		return parse_float(s, ret, err, errlen);
	case CONCUR_PARAM_BOOL:
		if (value_parse_bool(s, &b) < 0)
			return bad_value(type, s, "", err, errlen);
		ret->b = b;
		return 0;
	case CONCUR_PARAM_DURATION:
		return parse_duration(s, ret, err, errlen);
	case CONCUR_PARAM_SIZE:
		return parse_size(s, ret, err, errlen);
	default:
		errf(err, errlen, "a %s is not a scalar value",
		     value_type_name(type));
		return -EINVAL;
	}
}

int value_parse(enum concur_param_type type, const char *text,
		union concur_value *ret, char *err, size_t errlen)
{
	char *s;
	int rc;

	if (type == CONCUR_PARAM_STRING) {
		ret->s = text;
		return 0;
	}
	s = trim_dup(text);
	rc = parse_trimmed(type, s, ret, err, errlen);
	free(s);
	return rc;
}

int value_compare(enum concur_param_type type, const union concur_value *a,
		  const union concur_value *b)
{
	switch (type) {
	case CONCUR_PARAM_INT:
		return (a->i > b->i) - (a->i < b->i);
	case CONCUR_PARAM_DURATION:
		return (a->ns > b->ns) - (a->ns < b->ns);
	case CONCUR_PARAM_SIZE:
		return (a->bytes > b->bytes) - (a->bytes < b->bytes);
	case CONCUR_PARAM_FLOAT:
		return (a->f > b->f) - (a->f < b->f);
	case CONCUR_PARAM_BOOL:
		return (int)a->b - (int)b->b;
	case CONCUR_PARAM_STRING:
		return strcmp(a->s ? a->s : "", b->s ? b->s : "");
	default:
		return 0;
	}
}

/* ------------------------------------------------------------------
 * Splitting: comma lists, ranges
 * ------------------------------------------------------------------ */

struct items {
	char **v;
	size_t n, cap;
};

static int items_add(struct items *it, char *s, char *err, size_t errlen)
{
	if (it->n >= VALUE_MAX_ITEMS) {
		free(s);
		errf(err, errlen,
		     "more than %d values in one list or range (the limit); "
		     "use fewer values or a geometric range a..b*k",
		     VALUE_MAX_ITEMS);
		return -E2BIG;
	}
	xgrow((void **)&it->v, &it->cap, it->n + 1, sizeof(*it->v));
	it->v[it->n++] = s;
	return 0;
}

/* The shortest exact text of a value produced by a range. */
static char *format_duration(int64_t ns)
{
	static const struct unit units[] = {
		{ "h", 3600ull * 1000000000 },
		{ "m", 60ull * 1000000000 },
		{ "s", 1000000000 },
		{ "ms", 1000000 },
		{ "us", 1000 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(units) && ns; i++)
		if ((uint64_t)ns % units[i].factor == 0)
			return xasprintf("%" PRIu64 "%s",
					 (uint64_t)ns / units[i].factor,
					 units[i].name);
	return xasprintf("%" PRId64 "ns", ns);
}

static char *format_size(uint64_t bytes)
{
	static const struct unit units[] = {
		{ "T", 1ull << 40 },
		{ "G", 1ull << 30 },
		{ "M", 1ull << 20 },
		{ "k", 1ull << 10 },
		{ "TB", 1000ull * 1000 * 1000 * 1000 },
		{ "GB", 1000ull * 1000 * 1000 },
		{ "MB", 1000ull * 1000 },
		{ "kB", 1000 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(units) && bytes; i++)
		if (bytes % units[i].factor == 0)
			return xasprintf("%" PRIu64 "%s",
					 bytes / units[i].factor,
					 units[i].name);
	return xasprintf("%" PRIu64, bytes);
}

/* Range arithmetic is done in unsigned __int128 over the int64/uint64 value. */
static __int128 range_num(enum concur_param_type type,
			  const union concur_value *v)
{
	switch (type) {
	case CONCUR_PARAM_INT:
		return v->i;
	case CONCUR_PARAM_DURATION:
		return v->ns;
	default:
		return (__int128)v->bytes;
	}
}

static char *range_text(enum concur_param_type type, __int128 v)
{
	switch (type) {
	case CONCUR_PARAM_INT:
		return xasprintf("%" PRId64, (int64_t)v);
	case CONCUR_PARAM_DURATION:
		return format_duration((int64_t)v);
	default:
		return format_size((uint64_t)v);
	}
}

/* Parse one end of a range as `type`, with the range named in errors. */
static int range_end(enum concur_param_type type, const char *b, const char *e,
		     const char *range, __int128 *ret, char *err, size_t errlen)
{
	char *s = trim_dup_n(b, e);
	union concur_value v;
	char msg[256];
	int rc;

	rc = parse_trimmed(type, s, &v, msg, sizeof(msg));
	free(s);
	if (rc < 0) {
		errf(err, errlen, "in range '%.*s%s': %s", echo_len(range),
		     range, echo_more(range), msg);
		return rc;
	}
	*ret = range_num(type, &v);
	return 0;
}

static int too_many(const char *range, char *err, size_t errlen)
{
	errf(err, errlen,
	     "range '%.*s%s' has more than %d values (the limit); use a "
	     "geometric range a..b*k or a shorter range",
	     echo_len(range), range, echo_more(range), VALUE_MAX_ITEMS);
	return -E2BIG;
}

/* "a..b": every integer from a to b. */
static int split_step(const char *range, __int128 lo, __int128 hi,
		      struct items *it, char *err, size_t errlen)
{
	__int128 v;
	int rc;

	if (hi - lo + 1 > (__int128)(VALUE_MAX_ITEMS - it->n))
		return too_many(range, err, errlen);
	for (v = lo; v <= hi; v++) {
		rc = items_add(it, range_text(CONCUR_PARAM_INT, v), err,
			       errlen);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* "a..b*k": a, a*k, a*k^2, ... up to b. */
static int split_geometric(enum concur_param_type type, const char *range,
			   __int128 lo, __int128 hi, const char *kb,
			   const char *ke, struct items *it, char *err,
			   size_t errlen)
{
	char *ks = trim_dup_n(kb, ke), *end;
	unsigned long long k;
	__int128 v;
	int rc = 0;

	errno = 0;
	k = strtoull(ks, &end, 10);
	if (!isdigit((unsigned char)*ks) || *end || errno || k < 2) {
		errf(err, errlen,
		     "in range '%.*s%s': the factor after '*' must be an "
		     "integer >= 2, as in 1..64*2",
		     echo_len(range), range, echo_more(range));
		rc = -EINVAL;
	} else if (lo <= 0) {
		errf(err, errlen,
		     "in range '%.*s%s': a geometric range must start above 0",
		     echo_len(range), range, echo_more(range));
		rc = -EINVAL;
	}
	for (v = lo; rc == 0 && v <= hi; v *= k) {
		rc = items_add(it, range_text(type, v), err, errlen);
		if (v > hi / k)
			break;
	}
	free(ks);
	return rc;
}

/* One comma item [b, e) that contains "..". */
static int split_range(enum concur_param_type type, const char *b,
		       const char *e, const char *dots, struct items *it,
		       char *err, size_t errlen)
{
	char *range = xstrndup(b, (size_t)(e - b));
	const char *star = NULL, *p;
	__int128 lo, hi;
	int rc;

	for (p = dots + 2; p < e; p++)
		if (*p == '*')
			star = p;
	if (!star && type != CONCUR_PARAM_INT) {
		errf(err, errlen,
		     "'%.*s%s': a step-1 range a..b is only for integers; for "
		     "a %s write a geometric range a..b*k or a comma list",
		     echo_len(range), range, echo_more(range),
		     value_type_name(type));
		rc = -EINVAL;
		goto out;
	}
	rc = range_end(type, b, dots, range, &lo, err, errlen);
	if (rc == 0)
		rc = range_end(type, dots + 2, star ? star : e, range, &hi, err,
			       errlen);
	if (rc == 0 && lo > hi) {
		errf(err, errlen,
		     "range '%.*s%s' goes down: its start must not exceed its end",
		     echo_len(range), range, echo_more(range));
		rc = -EINVAL;
	}
	if (rc == 0)
		rc = star ? split_geometric(type, range, lo, hi, star + 1, e,
					    it, err, errlen)
			  : split_step(range, lo, hi, it, err, errlen);
out:
	free(range);
	return rc;
}

static bool type_has_ranges(enum concur_param_type type)
{
	return type == CONCUR_PARAM_INT || type == CONCUR_PARAM_SIZE ||
	       type == CONCUR_PARAM_DURATION;
}

/* One comma item [b, e), already trimmed and not empty. */
static int split_item(enum concur_param_type type, const char *b, const char *e,
		      struct items *it, char *err, size_t errlen)
{
	const char *dots = memmem(b, (size_t)(e - b), "..", 2);

	if (dots && type_has_ranges(type))
		return split_range(type, b, e, dots, it, err, errlen);
	if (dots && type == CONCUR_PARAM_FLOAT) {
		errf(err, errlen,
		     "'%.*s': ranges are only for integers, sizes and "
		     "durations; list float values with commas",
		     (int)(e - b > ECHO_MAX ? ECHO_MAX : e - b), b);
		return -EINVAL;
	}
	return items_add(it, xstrndup(b, (size_t)(e - b)), err, errlen);
}

static int split_list(enum concur_param_type type, const char *text,
		      const char *end, struct items *it, char *err,
		      size_t errlen)
{
	const char *p = text, *comma, *b, *e;
	int rc;

	for (;;) {
		comma = memchr(p, ',', (size_t)(end - p));
		b = p;
		e = comma ? comma : end;
		while (b < e && isspace((unsigned char)*b))
			b++;
		while (e > b && isspace((unsigned char)e[-1]))
			e--;
		if (b == e) {
			errf(err, errlen,
			     "empty item in the comma list '%.*s%s'; write "
			     "values separated by single commas, as in 1, 2, 4",
			     echo_len(text), text, echo_more(text));
			return -EINVAL;
		}
		rc = split_item(type, b, e, it, err, errlen);
		if (rc < 0 || !comma)
			return rc;
		p = comma + 1;
	}
}

int value_split(enum concur_param_type type, const char *text,
		char ***ret_items, size_t *ret_count, char *err, size_t errlen)
{
	struct items it = { 0 };
	const char *b, *e;
	int rc = 0;

	trim_span(text, &b, &e);
	if (b == e || type == CONCUR_PARAM_LIST)
		rc = items_add(&it, trim_dup(text), err, errlen);
	else
		rc = split_list(type, b, e, &it, err, errlen);
	if (rc < 0) {
		value_items_free(it.v, it.n);
		return rc;
	}
	*ret_items = it.v;
	*ret_count = it.n;
	return 0;
}

void value_items_free(char **items, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		free(items[i]);
	free(items);
}

int value_check_range(const struct concur_param *d, const union concur_value *v,
		      char *err, size_t errlen)
{
	const char *bounds[2] = { d->min, d->max };
	int i;

	if (d->type == CONCUR_PARAM_BOOL || d->type == CONCUR_PARAM_STRING ||
	    d->type == CONCUR_PARAM_LIST)
		return 0;
	for (i = 0; i < 2; i++) {
		union concur_value b;
		char why[CONCUR_ERRLEN];
		int c;

		if (!bounds[i])
			continue;
		if (value_parse(d->type, bounds[i], &b, why, sizeof(why)) < 0) {
			errf(err, errlen, "declares a bad %s for '%s': %s",
			     i ? "max" : "min", d->name, why);
			return -EDOM;
		}
		c = value_compare(d->type, v, &b);
		if ((i == 0 && c < 0) || (i == 1 && c > 0)) {
			errf(err, errlen,
			     "is out of range: allowed %s .. %s (%s)",
			     d->min ? d->min : "", d->max ? d->max : "",
			     d->doc ? d->doc : d->name);
			return -ERANGE;
		}
	}
	return 0;
}

int value_parse_param(const struct concur_param *d, const char *text,
		      union concur_value *ret, char *err, size_t errlen)
{
	if (value_parse(d->type, text, ret, err, errlen) < 0)
		return -EINVAL;
	return value_check_range(d, ret, err, errlen);
}
