/*
 * test_http_server.h - the embedded test server in a test's own process,
 * for the tests that link the server library (test_http_*, test_epoll).
 */
#ifndef TEST_HTTP_SERVER_H
#define TEST_HTTP_SERVER_H

#include <stddef.h>

#include "testserver.h"

/*
 * Start the embedded test server in this process; its base URL goes into
 * base and CONCUR_BUILTIN_URL_ENV.  NULL, after a message, when it cannot.
 * Stop it with testserver_stop.
 */
struct testserver *th_server_start(char *base, size_t len);

#endif
