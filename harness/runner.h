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

#include "config.h"
#include "latency.h"
#include "matrix.h"
#include "repeat.h"
#include "schedule.h"
#include "serverproc.h"
#include "stats.h"

/* Most tasks one run may have (task records are 40 bytes each). */
#define RUNNER_MAX_TASKS 50000000

/* Most descriptors struct runner's child_closes holds. */
#define RUNNER_MAX_CHILD_CLOSES 8

enum cell_status {
	CELL_OK,      /* every run ran and every task succeeded */
	CELL_FAILED,  /* some task failed, or the workload/strategy refused */
	CELL_TIMEOUT, /* a run passed [experiment] timeout and was killed */
	CELL_CRASHED, /* a run died: signal or unexpected exit */
};

const char *cell_status_name(enum cell_status s);

/*
 * One measured run of a cell.  A run that crashed or timed out has no
 * figures: its times and resources are NaN / 0 and it is left out of the
 * cell's statistics, but it keeps its row in N-runs.csv with the reason.
 */
struct run_record {
	unsigned run; /* 1-based among the measured runs */
	enum cell_status status;
	bool measured; /* the run ended and has figures */
	double wall_s;
	double user_s, sys_s;
	int64_t max_rss_kib;
	int64_t nvcsw, nivcsw;
	uint64_t tasks, tasks_failed;
	double achieved_rate; /* open loop: completions per second; else NaN */
	char error[CONCUR_ERRLEN + 64];
};

struct cell_result {
	const struct cell *cell;
	bool done;
	bool skip; /* not in this process's shard: never run nor reported */
	enum cell_status status;
	uint64_t tasks;	       /* per run */
	uint64_t tasks_failed; /* over every measured run */
	size_t n_runs;	  /* measured runs with figures (not crashed/killed) */
	size_t n_records; /* every measured run, crashed ones too */
	struct run_record *runs; /* n_records, in run order */
	struct sample_stats wall;
	/* every task of every measured run: end - start in a closed-loop
	 * cell, end - intended start in an open-loop one */
	struct latency *latency;
	/* Open loop (load.rate > 0) only; else NULL / NaN. */
	struct schedule_spec load;
	int64_t *offsets;	     /* the schedule, while the cell runs */
	struct latency *service;     /* end - start */
	struct latency *lag;	     /* start - intended start */
	double offered_rate;	     /* schedule_offered_rate of the schedule */
	double achieved_rate;	     /* median over the measured runs */
	double user_s, sys_s;	     /* medians over the measured runs */
	int64_t max_rss_kib;	     /* max over the measured runs */
	double nvcsw, nivcsw;	     /* medians over the measured runs */
	char *error;		     /* first reason, or NULL */
	enum repeat_stop stopped_by; /* repetitions = auto: why it stopped */
	int64_t spent_ns;	     /* on its runs so far, warm-up included */
};

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
