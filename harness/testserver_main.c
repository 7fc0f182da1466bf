/*
 * concur-testserver - the embedded HTTP test server as a program of its own,
 * so that the concur binary links no HTTP library (docs/plugins.md "Why the
 * test server is a separate program").
 *
 *   concur-testserver [--port N] [--bind ADDR] [--threads N]
 *       what `concur serve` runs (it execs this with its own arguments)
 *   concur-testserver --report-fd FD [same flags]
 *       what `concur run` starts when a plugin needs the server: one line
 *       on FD says where it listens (testserver_report_main)
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testserver.h"

int main(int argc, char **argv)
{
	char *end;
	long fd;

	if (argc < 3 || strcmp(argv[1], "--report-fd") != 0)
		return testserver_serve_main(argc - 1, argv + 1);
	fd = strtol(argv[2], &end, 10);
	if (*argv[2] == '\0' || *end != '\0' || fd < 0 || fd > INT_MAX) {
		fprintf(stderr,
			"concur-testserver: --report-fd '%s' is not a file descriptor\n",
			argv[2]);
		return 2;
	}
	return testserver_report_main((int)fd, argc - 3, argv + 3);
}
