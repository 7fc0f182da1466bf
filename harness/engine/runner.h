/*
 * runner.h - run the matrix: for every cell, warm-up runs then measured
 * runs, each in a forked child process of its own process group, so a
 * crashing or hanging plugin costs one cell and never the experiment, and so
 * the run's resources are its own.  Results come back through the shared
 * mapping of job.h.
 */
#ifndef CONCUR_RUNNER_H
#define CONCUR_RUNNER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cell.h"
#include "config.h"
#include "matrix.h"
#include "serverproc.h"

/* Most tasks one run may have (task records are 40 bytes each). */
#define RUNNER_MAX_TASKS 50000000

/* Most descriptors struct runner's child_closes holds. */
#define RUNNER_MAX_CHILD_CLOSES 8

struct runner_hooks {
	/* Called once per finished cell, in the order cells finish. */
	int (*cell_done)(void *arg, const struct cell_result *r);
	/* Called before each run (progress); may be NULL. */
	void (*run_start)(void *arg, const struct cell *c, unsigned run,
			  unsigned runs, bool warmup);
	void *arg;
};

struct runner {
	const struct config *cfg;
	const struct matrix *m;
	struct cell_result *results; /* m->n_cells */
	int64_t (*now_ns)(void); /* the runs' clock (fake in golden tests) */
	bool fake;		 /* deterministic resources too */
	volatile sig_atomic_t *interrupted; /* set by a signal handler */
	struct serverproc server; /* the builtin test server, if started */
	/* NAME/VERSION words of the libraries the plugins and the server use,
	 * each library once (N-env.csv), or NULL */
	char *libraries;
	/*
	 * Descriptors no run may keep (the results files and their lock): each
	 * run's child closes them right after fork, so a plugin can neither
	 * write into the results nor hold their lock after concur is gone.
	 */
	int child_closes[RUNNER_MAX_CHILD_CLOSES];
	size_t n_child_closes;
};

/*
 * Prepare: pick the clock (CONCUR_FAKE_CLOCK=1 gives a deterministic one),
 * start the builtin test server when a plugin needs it (CONCUR_NEED_HTTP_
 * SERVER, narrowed per workload cell by its needs hook), collect the
 * libraries the plugins and the server report, and
 * count every cell's tasks (creating each workload once), so bad values a
 * plugin rejects are found before anything runs.  Caps, each named in its
 * message: RUNNER_MAX_TASKS tasks per run (-E2BIG), and the biggest cell's
 * task records within half the machine's memory and mappable under
 * ulimit -v (-ENOMEM).  Errors (-EINVAL etc.) name the cell.
 */
int runner_prepare(struct runner *r, const struct config *cfg,
		   const struct matrix *m, bool start_server, char *err,
		   size_t errlen);

/*
 * Run every cell not marked done or skip in r->results (resume marks some
 * done; a shard marks the other shards' cells skip).
 * Returns 0 when every cell ran, -EINTR when interrupted (finished cells were
 * reported through hooks), or the first negative code a hook returned.
 */
int runner_run(struct runner *r, const struct runner_hooks *hooks);

/* Stop the test server and free the results. */
void runner_cleanup(struct runner *r);

#endif
