/*
 * fuzz_query.c - libFuzzer target for the test server's query parser
 * (testserver_query.h), the part of `concur serve` that reads what any
 * client on the network sends.
 *
 * The input is a query string, "key=value&key=value...", split the way
 * libmicrohttpd hands the values over (first occurrence of a key wins; no
 * percent-decoding here: the parser sees decoded bytes, any of them).  It
 * is parsed under three sets of caps; aborts when an accepted request
 * breaks a cap or the status range, or a refused one gives no reason.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "testserver_query.h"

#define MAX_PAIRS 64

struct pairs {
	char *key[MAX_PAIRS], *value[MAX_PAIRS];
	size_t n;
};

static const char *lookup(void *ctx, const char *key)
{
	const struct pairs *p = ctx;
	size_t i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->key[i], key) == 0)
			return p->value[i];
	return NULL;
}

/* Split text (modified) at '&' and the first '=' of each piece. */
static void split(char *text, struct pairs *p)
{
	char *save = NULL, *piece;

	p->n = 0;
	for (piece = strtok_r(text, "&", &save); piece && p->n < MAX_PAIRS;
	     piece = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(piece, '=');

		p->key[p->n] = piece;
		p->value[p->n] = eq ? eq + 1 : piece + strlen(piece);
		if (eq)
			*eq = '\0';
		p->n++;
	}
}

static void check(struct pairs *p, const struct ts_limits *lim)
{
	struct ts_query q;
	char why[160] = "";
	int rc = ts_query_parse(lookup, p, lim, &q, why, sizeof(why));

	if (rc == 0) {
		if (q.size > lim->max_size || q.delay_ns > lim->max_delay_ns ||
		    q.status < 200 || q.status > 599 || q.fault > FAULT_STALL)
			abort();
	} else if ((rc != -EINVAL && rc != -ERANGE) || !why[0] ||
		   !memchr(why, '\0', sizeof(why))) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct ts_limits limits[] = {
		{ UINT64_MAX / 2, 3600ULL * 1000000000ULL }, /* concur run's */
		{ 16u << 20, 60ULL * 1000000000ULL }, /* concur serve's */
		{ 1, 1000000 },			      /* the smallest */
	};
	char *text = malloc(size + 1);
	struct pairs p;
	size_t i;

	memcpy(text, data, size);
	text[size] = '\0';
	split(text, &p);
	for (i = 0; i < sizeof(limits) / sizeof(limits[0]); i++)
		check(&p, &limits[i]);
	free(text);
	return 0;
}
