/*
 * slurm.h - `concur slurm EXPERIMENT.ini --shards N [-- SBATCH_OPTIONS...]`:
 * a plain submit script on stdout that people read, edit and run.  README
 * "Running on a cluster".
 *
 * Running the script submits the experiment as a Slurm job array of N
 * tasks (each runs one shard: concur run finds it in SLURM_ARRAY_TASK_ID),
 * --cpus-per-task and --exclusive (benchmarks need quiet nodes), logs next
 * to the results, every concur option given to `concur slurm` passed on to
 * each task's `concur run`, the SBATCH_OPTIONS appended; then the merge as
 * a job that depends on the whole array (--dependency=afterok), and it
 * prints both job ids.
 */
#ifndef CONCUR_SLURM_H
#define CONCUR_SLURM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct slurm_options {
	const char *concur;	/* absolute path of this concur binary */
	const char *cwd;	/* where the jobs run (relative paths) */
	const char *experiment; /* as given */
	const char *name;	/* [experiment] name: job names */
	const char *output;	/* the merged summary file */
	unsigned shards;
	unsigned cpus; /* --cpus-per-task unless SBATCH_OPTIONS set it */
	const char *const *run_args; /* concur options passed on to run */
	size_t n_run_args;
	const char *const *sbatch_args; /* appended to both sbatch calls */
	size_t n_sbatch_args;
	bool force; /* tasks overwrite (--force) instead of resuming */
	const char *const *argv; /* the `concur slurm` command line */
	int argc;
};

/* Write the submit script. */
void slurm_print_script(FILE *out, const struct slurm_options *o);

/*
 * The `concur run` options among args[0..n) (the words after `concur slurm`
 * and before `--`): all but the experiment file and --shards N (the script
 * sets those).  Pointers into args; the array is malloc'd, *ret_n long.
 */
const char **slurm_run_args(const char *const *args, size_t n, size_t *ret_n);

/* s quoted for a POSIX shell when it needs it ('it'\''s'); malloc'd. */
char *slurm_shell_quote(const char *s);

#endif
