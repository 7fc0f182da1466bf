/*
 * merge.h - `concur merge OUT.csv SHARD_FILES_OR_FOLDER... [--partial]`:
 * put the shards of one experiment (run with --shard, or as the tasks of a
 * Slurm array or Kubernetes Indexed Job) back together into the four files
 * a single machine would have written.  docs/cluster.md.
 *
 * The shard files are untrusted input, read through results_read: nothing
 * in them is believed until checked.  The shards must belong together
 * (same experiment SHA-256, concur version, parameter columns, split into
 * the same N, same strategy cells); every shard must be there once and
 * whole.  What is wrong is named, file by file; then merge refuses (exit
 * 2), or with --partial merges what is there and says what is missing.
 *
 * Written: OUT.csv (rows in experiment order, speedup recomputed from the
 * medians), OUT-runs.csv, OUT-matrix.csv, OUT-env.csv (the common keys,
 * then one block per host: host, its shards, CPU model, kernel, load...),
 * the chart OUT.svg, the workbook OUT.xlsx, and the exports (export.h:
 * --export-json / --export-markdown FILE, and OUT.json / OUT.md when the
 * shards wrote theirs); a table on stdout that
 * warns when cells ran on machines with different CPU models.
 */
#ifndef CONCUR_MERGE_H
#define CONCUR_MERGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct results_table;

struct merge_options {
	const char *output;	   /* OUT.csv */
	const char *const *inputs; /* shard summary files, siblings, folders */
	size_t n_inputs;
	bool partial; /* merge what is there */
	bool force;   /* overwrite an OUT.csv that merge did not write */
	bool no_xlsx; /* write no OUT.xlsx (as [experiment] xlsx = false) */
	const char *export_json, *export_markdown; /* --export-* FILE */
	int argc; /* the command line, for OUT-env.csv */
	char **argv;
	/* How each shard file is read: results_table_read unless set (a test
	 * or fuzzer serving the files from memory). */
	int (*read_table)(const char *path, struct results_table **ret,
			  char *err, size_t errlen);
};

/*
 * Merge; messages go to `out` (the table) and `errout` (problems).
 * Returns the exit status: 0 every cell merged and ok; 1 merged, but some
 * cell failed or (--partial) some cells are missing; 2 refused, nothing
 * written.
 */
int merge_run(const struct merge_options *o, FILE *out, FILE *errout);

/* `concur merge ...` from the command line (argv[1] is "merge"). */
int merge_main(int argc, char **argv);

#endif
