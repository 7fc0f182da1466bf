/*
 * fuzz_query.c - libFuzzer target for the test server's query parser
 * (testserver_query.h), the part of `concur serve` that reads what any
 * client on the network sends.
 *
 * The input is a raw query string, "key=value&key=value...", split and
 * percent-decoded by ts_args_parse as the HTTP/2 side of the server does
 * (first occurrence of a key wins; decoding may yield any byte).  It is
 * parsed under three sets of caps; aborts when an accepted request breaks
 * a cap or the status range, or a refused one gives no reason.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "testserver_query.h"

static void check(struct ts_args *a, const struct ts_limits *lim)
{
	struct ts_query q;
	char why[160] = "";
	int rc = ts_query_parse(ts_args_get, a, lim, &q, why, sizeof(why));

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
	struct ts_args a;
	size_t i;

	memcpy(text, data, size);
	text[size] = '\0';
	ts_args_parse(text, &a);
	for (i = 0; i < sizeof(limits) / sizeof(limits[0]); i++)
		check(&a, &limits[i]);
	ts_args_free(&a);
	free(text);
	return 0;
}
