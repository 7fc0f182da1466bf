/*
 * compare_table.h - the outcome of `concur compare` (compare.h) as data, and
 * its three forms: the terminal table, the Markdown table for a pull
 * request, and the CSV.  compare.c reads and decides; compare_table.c only
 * writes what it is given.
 *
 * Every string points into the results tables compare.c read; they outlive
 * the printing.
 */
#ifndef CONCUR_COMPARE_TABLE_H
#define CONCUR_COMPARE_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "compare.h"

enum compare_verdict {
	COMPARE_FASTER,
	COMPARE_SLOWER,
	COMPARE_SAME,
	COMPARE_UNSURE,
	COMPARE_NOT_OK, /* status not ok on a side: no speed verdict */
	COMPARE_ONLY_BASE,
	COMPARE_ONLY_NEW,
	COMPARE_VERDICTS
};

/* Sides of a comparison, indices of the two-element arrays below. */
enum { COMPARE_BASE, COMPARE_NEW };

struct compare_cell {
	const char *id, *experiment, *strategy, *workload;
	const char **params; /* one per compare_result.param_names */
	const char *status[2], *error[2]; /* NULL: the cell is not on a side */
	size_t runs[2];			  /* measured runs with a wall time */
	double median[2];		  /* NaN without runs */
	double ratio, lo, hi;		  /* NEW / BASE; lo, hi NaN: no CI */
	double p, u;			  /* NaN: not tested */
	bool exact;			  /* p from the exact distribution */
	enum compare_verdict verdict;
	char note[160]; /* why unsure, or "significant, within threshold" */
};

/* Did the cell finish ok on the side (a side without it counts as ok)? */
bool compare_side_ok(const struct compare_cell *c, int side);

/* A parameter column whose value differs between matched cells. */
struct compare_param_diff {
	const char *column, *base, *new_value;
	size_t cells;
};

struct compare_result {
	const struct compare_options *opts;
	const char *experiment, *base_path, *new_path;
	const char **param_names; /* BASE's parameter columns, in order */
	size_t n_params;
	struct compare_cell *cells; /* BASE's order, then NEW-only cells */
	size_t n_cells;
	struct compare_param_diff *diffs;
	size_t n_diffs;
	size_t tally[COMPARE_VERDICTS];
	/* From each side's N-env.csv: the 1-minute load average when its runs
	 * started (NaN: unknown) and the CPU count (0: unknown). */
	double load[2];
	unsigned ncpus[2];
};

/* "faster", "slower", "same", "unsure", "not_ok", "only_in_base",
 * "only_in_new" */
const char *compare_verdict_name(enum compare_verdict v);

void compare_print_terminal(FILE *out, const struct compare_result *r);
void compare_print_markdown(FILE *out, const struct compare_result *r);

/* The comparison as CSV at path, replaced atomically; 0 or -errno with a
 * message. */
int compare_write_csv(const struct compare_result *r, const char *path,
		      char *err, size_t errlen);

#endif
