/*
 * slurm.h - `concur slurm EXPERIMENT.ini --shards N [-- SBATCH_OPTIONS...]`:
 * a plain submit script on stdout that people read, edit and run.
 * docs/cluster.md.
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

/* Hex digits of the random part of each here-document's terminator. */
#define SLURM_TAG_LEN 16

struct slurm_options {
	const char *concur;	/* absolute path of this concur binary */
	const char *cwd;	/* where the jobs run (relative paths) */
	const char *experiment; /* as given */
	const char *name;	/* [experiment] name: job names */
	const char *output;	/* the merged summary file */
	unsigned shards;
	unsigned cpus; /* --cpus-per-task unless SBATCH_OPTIONS set it */
	/* concur run options for every task, as parsed: the script adds the
	 * experiment, --shards N and --resume (unless force) */
	const char *const *run_args;
	size_t n_run_args;
	const char *const *sbatch_args; /* appended to both sbatch calls */
	size_t n_sbatch_args;
	bool force; /* tasks overwrite (--force) instead of resuming */
	const char *const *argv; /* the `concur slurm` command line */
	int argc;
	/* SLURM_TAG_LEN characters [0-9a-f] ending each here-document's
	 * terminator (slurm_random_tag), so no word can be taken for one */
	const char *tag;
};

/*
 * Write the submit script.  Every word it embeds (paths, name, options) is
 * checked first: one holding a control character is refused, since a line
 * break in a here-document could end it and start a command.  0, or
 * -EINVAL with the word named in err and nothing written.
 */
int slurm_print_script(FILE *out, const struct slurm_options *o, char *err,
		       size_t errlen);

/* SLURM_TAG_LEN random hex digits and a NUL into tag. */
void slurm_random_tag(char *tag);

/* s quoted for a POSIX shell when it needs it ('it'\''s'); malloc'd. */
char *slurm_shell_quote(const char *s);

#endif
