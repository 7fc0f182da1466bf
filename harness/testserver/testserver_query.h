/*
 * testserver_query.h - what one request asks of the embedded HTTP test
 * server, read from its query string (testserver.h lists the parameters),
 * and checked against the server's caps.
 *
 * Kept apart from the server so that it can be fuzzed on its own
 * (tests/fuzz/fuzz_query.c): it is the part of the server that reads what
 * any client on the network sends.
 */
#ifndef CONCUR_TESTSERVER_QUERY_H
#define CONCUR_TESTSERVER_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ts_fault {
	FAULT_NONE,
	FAULT_500,
	FAULT_CLOSE,
	FAULT_RESET,
	FAULT_STALL,
};

/* The caps a server puts on what a request may ask. */
struct ts_limits {
	uint64_t max_size;     /* bytes of body */
	uint64_t max_delay_ns; /* delay_ms / delay_us, together */
};

struct ts_query {
	uint64_t delay_ns; /* 0 = answer at once */
	uint64_t size;	   /* body bytes */
	unsigned status;   /* HTTP status of the answer */
	enum ts_fault fault;
};

/* The value of parameter key in the request, NULL when absent. */
typedef const char *(*ts_lookup_fn)(void *ctx, const char *key);

/*
 * Read the parameters through get(ctx, key) into *ret.  Returns 0; -EINVAL
 * for a malformed value or -ERANGE for one above a cap, with a one-line
 * reason in why (the body of the 400 answer).  Never reads anything but
 * the parameters' values, each a NUL-terminated string of any content.
 */
int ts_query_parse(ts_lookup_fn get, void *ctx, const struct ts_limits *lim,
		   struct ts_query *ret, char *why, size_t whylen);

/*
 * The parameters of a raw query string ("a=1&b=2", no '?'), for a server
 * that gets the request path undecoded (HTTP/2).  Keys and values are
 * percent-decoded ('+' is a space) as libmicrohttpd decodes them; a key
 * without '=' has the value "".  The first TS_ARGS_MAX parameters count.
 */
#define TS_ARGS_MAX 16

struct ts_args {
	char *text; /* the decoded copy the pointers below point into */
	size_t n;
	const char *key[TS_ARGS_MAX], *value[TS_ARGS_MAX];
};

/* Split query into *ret; free with ts_args_free. */
void ts_args_parse(const char *query, struct ts_args *ret);
void ts_args_free(struct ts_args *a);
/* A ts_lookup_fn over struct ts_args: the first value of key. */
const char *ts_args_get(void *args, const char *key);

/* "500", "close", "reset", "stall" ("" for none). */
const char *ts_fault_name(enum ts_fault fault);

#endif
