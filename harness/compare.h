/*
 * compare.h - `concur compare BASE.csv NEW.csv`: is NEW faster, slower or
 * the same as BASE, cell by cell, and how sure can we be?  (docs/comparing.md.)
 *
 * Input: two summary files (N.csv) and their N-runs.csv siblings, read
 * through the results reader (results.h).  Cells are matched by cell id;
 * both files must come from the same experiment (same name) and have the
 * same parameter columns.  A parameter whose value differs between matched
 * cells (a --set on one side: the very thing being tried) is named once
 * under the table.
 *
 * For each cell in both, from the per-run wall times of N-runs.csv:
 *   - the base and new medians;
 *   - the ratio new/base: exp of the Hodges-Lehmann estimate of the shift of
 *     log times, with its 95% distribution-free interval (ranktest.h);
 *   - the two-sided Mann-Whitney U p-value (exact, or the normal law with
 *     tie and continuity corrections);
 *   - a verdict: `not ok` when the cell's status is not ok on a side (its
 *     times say nothing of the code's speed: no test is made); `unsure`
 *     when the run counts cannot give a p-value of
 *     alpha or less at all; else `slower` when p <= alpha and the ratio
 *     exceeds 1 + threshold, `faster` when p <= alpha and it is below
 *     1 - threshold, `same` otherwise.
 * Cells on one side only are listed.
 *
 * Output: a table for the terminal, or with --markdown one for a
 * pull-request comment; -o OUT.csv writes the comparison as CSV too: never
 * over one of the input files, over an existing file only with --force.
 *
 * Exit status (COMPARE_EXIT_*): 0 no cell is significantly slower beyond
 * the threshold, 1 at least one is, 2 the inputs cannot be compared (usage,
 * unreadable or damaged files, different experiments or columns), 3 some
 * cell did not finish ok on a side (failed, crashed, timed out), whatever
 * the other cells say: a build whose tasks fail never passes the gate.
 */
#ifndef CONCUR_COMPARE_H
#define CONCUR_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define COMPARE_EXIT_SAME 0
#define COMPARE_EXIT_SLOWER 1
#define COMPARE_EXIT_USAGE 2
#define COMPARE_EXIT_NOT_OK 3

/* Defaults of --threshold (a fraction) and --alpha. */
#define COMPARE_DEFAULT_THRESHOLD 0.05
#define COMPARE_DEFAULT_ALPHA 0.05

struct results_table;

struct compare_options {
	const char *base, *new_path; /* summary files */
	const char *output;	     /* -o: CSV, or NULL */
	bool force;		     /* -o may replace an existing file */
	double threshold;	     /* fraction: 0.05 = 5% */
	double alpha;
	bool markdown;
	/* How each results file is read: results_table_read unless set (a
	 * test or fuzzer serving the files from memory). */
	int (*read_table)(const char *path, struct results_table **ret,
			  char *err, size_t errlen);
};

/*
 * Compare as opts says, printing the table on out and problems on stderr.
 * Returns the exit status above.
 */
int compare_run(const struct compare_options *opts, FILE *out);

/*
 * `concur compare ARGS...`: argv[0] is "compare"; parses the options, then
 * compare_run on stdout.  Returns the exit status.
 */
int compare_main(int argc, char **argv);

#endif
