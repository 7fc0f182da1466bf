/*
 * serverproc.h - the embedded HTTP test server as seen from the core: a
 * separate program, concur-testserver, started once per experiment that
 * needs it, so that the concur binary links neither libmicrohttpd nor
 * anything else of the server (docs/plugins.md "Why the test server is a
 * separate program").
 */
#ifndef CONCUR_SERVERPROC_H
#define CONCUR_SERVERPROC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct serverproc {
	pid_t pid; /* 0 = not running */
	uint16_t port;
	char libraries[128]; /* "libmicrohttpd/0.9.75" */
};

/*
 * Start concur-testserver with `flags` (its `concur serve` flags, NULL-
 * terminated; NULL = defaults: 127.0.0.1, any free port) and wait until it
 * listens.  It gets SIGTERM when the calling thread exits
 * (PR_SET_PDEATHSIG), so call this from the thread that lives as long as
 * the server should.  Returns 0, or a negative errno with the helper's
 * message (or where it was looked for).
 */
int serverproc_start(const char *const *flags, struct serverproc *ret,
		     char *err, size_t errlen);

/* How long the server gets to stop after SIGTERM (and to die after
 * SIGKILL). */
#define SERVERPROC_STOP_NS (5 * 1000000000LL)

/*
 * Stop the server: SIGTERM, then wait up to SERVERPROC_STOP_NS; a server
 * still there (stopped, or stuck on a connection) gets SIGKILL.  Returns 0,
 * or -ETIMEDOUT when it had to be killed.  Harmless when not running.
 */
int serverproc_stop(struct serverproc *s);

/*
 * `concur serve ARGS`: replace this process with concur-testserver ARGS.
 * Returns only on failure, with the exit status (1) after a message.
 */
int serverproc_exec_serve(int argc, char **argv);

#endif
