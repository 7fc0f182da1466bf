/*
 * testserver_query.c - the query parameters of testserver_query.h.
 */
#include "testserver_query.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const struct {
	const char *name;
	enum ts_fault fault;
} faults[] = {
	{ "500", FAULT_500 },
	{ "close", FAULT_CLOSE },
	{ "reset", FAULT_RESET },
	{ "stall", FAULT_STALL },
};

const char *ts_fault_name(enum ts_fault fault)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(faults); i++)
		if (faults[i].fault == fault)
			return faults[i].name;
	return "";
}

/* Decimal digits only (no sign, space or exponent), at most max. */
static bool parse_u64(const char *text, uint64_t max, uint64_t *ret)
{
	uint64_t v = 0;
	const char *p;

	if (!text || !*text)
		return false;
	for (p = text; *p; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (v > max)
		return false;
	*ret = v;
	return true;
}

/*
 * One numeric parameter: absent leaves *ret; malformed is -EINVAL; above
 * cap (in the parameter's unit) is -ERANGE.
 */
static int number(ts_lookup_fn get, void *ctx, const char *key, uint64_t cap,
		  const char *cap_text, uint64_t *ret, char *why, size_t whylen)
{
	const char *text = get(ctx, key);
	uint64_t v;

	if (!text)
		return 0;
	if (!parse_u64(text, UINT64_MAX, &v)) {
		errf(why, whylen, "bad parameter %s: want a whole number\n",
		     key);
		return -EINVAL;
	}
	if (v > cap) {
		errf(why, whylen, "%s=%" PRIu64 " is above this server's %s\n",
		     key, v, cap_text);
		return -ERANGE;
	}
	*ret = v;
	return 0;
}

static int parse_delay(ts_lookup_fn get, void *ctx, const struct ts_limits *l,
		       struct ts_query *q, char *why, size_t whylen)
{
	uint64_t ms = 0, us = 0;
	char cap[64];
	int rc;

	snprintf(cap, sizeof(cap), "longest delay, %" PRIu64 " ms",
		 l->max_delay_ns / 1000000);
	rc = number(get, ctx, "delay_ms", l->max_delay_ns / 1000000, cap, &ms,
		    why, whylen);
	if (rc == 0)
		rc = number(get, ctx, "delay_us", l->max_delay_ns / 1000, cap,
			    &us, why, whylen);
	if (rc < 0)
		return rc;
	/* each is within the cap, so neither product overflows */
	q->delay_ns = ms * 1000000 + us * 1000;
	if (q->delay_ns > l->max_delay_ns) {
		errf(why, whylen,
		     "delay_ms + delay_us is above this server's %s\n", cap);
		return -ERANGE;
	}
	return 0;
}

static int parse_fault(ts_lookup_fn get, void *ctx, struct ts_query *q,
		       char *why, size_t whylen)
{
	const char *text = get(ctx, "fault");
	size_t i;

	if (!text)
		return 0;
	for (i = 0; i < ARRAY_SIZE(faults); i++) {
		if (strcmp(text, faults[i].name) == 0) {
			q->fault = faults[i].fault;
			if (q->fault == FAULT_500)
				q->status = 500;
			return 0;
		}
	}
	errf(why, whylen,
	     "bad parameter fault: want 500, close, reset or stall\n");
	return -EINVAL;
}

int ts_query_parse(ts_lookup_fn get, void *ctx, const struct ts_limits *lim,
		   struct ts_query *ret, char *why, size_t whylen)
{
	struct ts_query q = { .status = 200 };
	uint64_t status = 200;
	char cap[64];
	int rc;

	snprintf(cap, sizeof(cap), "largest body, %" PRIu64 " bytes",
		 lim->max_size);
	rc = parse_delay(get, ctx, lim, &q, why, whylen);
	if (rc == 0)
		rc = number(get, ctx, "size", lim->max_size, cap, &q.size, why,
			    whylen);
	if (rc == 0)
		rc = number(get, ctx, "status", 599, "largest status, 599",
			    &status, why, whylen);
	/* 1xx is no final answer: the client would wait on after it */
	if (rc == 0 && status < 200) {
		errf(why, whylen,
		     "bad parameter status: want 200 to 599 (1xx is not a final answer)\n");
		rc = -EINVAL;
	}
	q.status = (unsigned)status;
	if (rc == 0)
		rc = parse_fault(get, ctx, &q, why, whylen);
	if (rc == 0)
		*ret = q;
	return rc;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decode %XX and '+' in place; returns the end of the decoded text. */
static char *url_decode(char *text)
{
	char *in = text, *out = text;

	for (; *in; in++) {
		int hi, lo;

		if (*in == '%' && (hi = hex_digit(in[1])) >= 0 &&
		    (lo = hex_digit(in[2])) >= 0) {
			*out++ = (char)(hi * 16 + lo);
			in += 2;
		} else {
			*out++ = *in == '+' ? ' ' : *in;
		}
	}
	*out = '\0';
	return out;
}

void ts_args_parse(const char *query, struct ts_args *ret)
{
	char *save = NULL, *tok;

	memset(ret, 0, sizeof(*ret));
	ret->text = xstrdup(query);
	for (tok = strtok_r(ret->text, "&", &save); tok && ret->n < TS_ARGS_MAX;
	     tok = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(tok, '=');

		if (eq)
			*eq = '\0';
		ret->key[ret->n] = tok;
		ret->value[ret->n] = eq ? eq + 1 : "";
		url_decode(tok);
		if (eq)
			url_decode(eq + 1);
		ret->n++;
	}
}

void ts_args_free(struct ts_args *a)
{
	free(a->text);
	a->text = NULL;
	a->n = 0;
}

const char *ts_args_get(void *args, const char *key)
{
	const struct ts_args *a = args;

	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->key[i], key) == 0)
			return a->value[i];
	return NULL;
}
