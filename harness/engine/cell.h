/*
 * cell.h - what running one cell of the matrix yields: its status, a
 * record per measured run and the cell's figures.  The runner fills these
 * in; everything that writes or prints results reads them, without the
 * runner's own interface.
 */
#ifndef CONCUR_CELL_H
#define CONCUR_CELL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <concur/plugin.h>
#include "repeat.h"
#include "schedule.h"
#include "stats.h"

struct cell;
struct latency;

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

#endif
