#include "test_http_server.h"

#include <stdio.h>
#include <stdlib.h>

#include <concur/plugin.h>

struct testserver *th_server_start(char *base, size_t len)
{
	struct testserver *srv;
	char err[256] = "";

	if (testserver_start(NULL, &srv, err, sizeof(err)) != 0) {
		fprintf(stderr, "testserver_start: %s\n", err);
		return NULL;
	}
	snprintf(base, len, "http://127.0.0.1:%u/",
		 (unsigned)testserver_port(srv));
	setenv(CONCUR_BUILTIN_URL_ENV, base, 1);
	return srv;
}
