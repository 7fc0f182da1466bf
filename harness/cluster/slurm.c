#include "slurm.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

char *slurm_shell_quote(const char *s)
{
	static const char safe[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				   "abcdefghijklmnopqrstuvwxyz"
				   "0123456789_./=:,+@%-";
	size_t len = strlen(s), i, n = 0;
	char *q;

	if (len && strspn(s, safe) == len)
		return xstrdup(s);
	q = xmalloc(4 * len + 3);
	q[n++] = '\'';
	for (i = 0; i < len; i++) {
		if (s[i] == '\'') {
			memcpy(q + n, "'\\''", 4);
			n += 4;
		} else {
			q[n++] = s[i];
		}
	}
	q[n++] = '\'';
	q[n] = '\0';
	return q;
}

/* A word of the script, after `before` (" ", or "" to glue it to an
 * option: --output=WORD). */
static void put_quoted(FILE *out, const char *before, const char *w)
{
	char *q = slurm_shell_quote(w);

	fprintf(out, "%s%s", before, q);
	free(q);
}

static void put_word(FILE *out, const char *w)
{
	put_quoted(out, " ", w);
}

/* Did the SBATCH_OPTIONS set this option already (long or short form)? */
static bool user_set(const struct slurm_options *o, const char *lng,
		     const char *shrt)
{
	size_t i, len = strlen(lng);

	for (i = 0; i < o->n_sbatch_args; i++) {
		const char *a = o->sbatch_args[i];

		if ((strncmp(a, lng, len) == 0 &&
		     (a[len] == '\0' || a[len] == '=')) ||
		    (shrt && strncmp(a, shrt, strlen(shrt)) == 0))
			return true;
	}
	return false;
}

static void put_sbatch_args(FILE *out, const struct slurm_options *o)
{
	size_t i;

	for (i = 0; i < o->n_sbatch_args; i++) {
		fprintf(out, "\t");
		put_quoted(out, "", o->sbatch_args[i]);
		fprintf(out, " \\\n");
	}
}

/* "results/seeds.csv" -> "results/seeds" */
static char *stem(const char *output)
{
	size_t len = strlen(output);

	if (len > 4 && strcmp(output + len - 4, ".csv") == 0)
		len -= 4;
	return xstrndup(output, len);
}

/* Text in a comment: a line break in it must not end the comment. */
static void put_comment_text(FILE *out, const char *s)
{
	for (; *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, out);
}

static void put_header(FILE *out, const struct slurm_options *o)
{
	int i;

	fprintf(out, "#!/bin/bash\n# Runs the concur experiment ");
	put_comment_text(out, o->experiment);
	fprintf(out, " as a Slurm job array of %u shards,\n", o->shards);
	fprintf(out, "# then merges the shards into ");
	put_comment_text(out, o->output);
	fprintf(out, " once every shard has succeeded.\n# Written by:");
	for (i = 0; i < o->argc; i++) {
		char *q = slurm_shell_quote(o->argv[i]);

		fputc(' ', out);
		put_comment_text(out, q);
		free(q);
	}
	fprintf(out,
		"\n# Read it, edit it, run it: bash THIS_FILE (or pipe it to bash).\n"
		"#\n"
		"# Each array task runs whole workload cells, with all their strategy\n"
		"# cells, on one node (concur run finds its shard in SLURM_ARRAY_TASK_ID),\n"
		"# so every speedup compares runs made on one machine.  --exclusive keeps\n"
		"# other jobs off a node while it measures: delete it to share nodes, at\n"
		"# the price of noisier times.  A task that failed can be submitted again:\n"
		"# it resumes its shard where it stopped.  The concur binary and the\n"
		"# folders below must be visible on every node (a shared file system).\n"
		"set -euo pipefail\n");
	fprintf(out, "cd");
	put_word(out, o->cwd);
	fprintf(out, "\n");
}

static void put_array_job(FILE *out, const struct slurm_options *o,
			  const char *base)
{
	size_t i;
	char *log = xasprintf("%s.shard-%%a-of-%u.log", base, o->shards);
	char *jobname = xasprintf("concur-%s", o->name);

	fprintf(out, "array_job=$(sbatch --parsable \\\n\t--job-name=");
	put_quoted(out, "", jobname);
	fprintf(out, " \\\n\t--array=0-%u \\\n", o->shards - 1);
	if (!user_set(o, "--cpus-per-task", "-c"))
		fprintf(out, "\t--cpus-per-task=%u \\\n", o->cpus);
	if (!user_set(o, "--exclusive", NULL) &&
	    !user_set(o, "--oversubscribe", "-s"))
		fprintf(out, "\t--exclusive \\\n");
	fprintf(out, "\t--output=");
	put_quoted(out, "", log);
	fprintf(out, " \\\n");
	put_sbatch_args(out, o);
	fprintf(out,
		"\t<<'CONCUR_SHARD_%s'\n#!/bin/bash\n"
		"# exit status 1 means the shard ran but some cell failed: its files are\n"
		"# complete, so the task counts as done and the merge reports the cell\n",
		o->tag);
	put_quoted(out, "", o->concur);
	fprintf(out, " run");
	put_word(out, o->experiment);
	for (i = 0; i < o->n_run_args; i++)
		put_word(out, o->run_args[i]);
	fprintf(out, " --shards %u%s || [ $? -eq 1 ]\nCONCUR_SHARD_%s\n)\n",
		o->shards, o->force ? "" : " --resume", o->tag);
	fprintf(out,
		"array_job=${array_job%%%%;*} # --parsable may add ';CLUSTER'\n\n");
	free(log);
	free(jobname);
}

static void put_merge_job(FILE *out, const struct slurm_options *o,
			  const char *base)
{
	char *log = xasprintf("%s-merge.log", base);
	char *jobname = xasprintf("concur-%s-merge", o->name);
	char *head = xasprintf("%s.shard-", base);
	char *tail = xasprintf("-of-%u.csv", o->shards);
	char *qhead = slurm_shell_quote(head), *qtail = slurm_shell_quote(tail);

	fprintf(out, "merge_job=$(sbatch --parsable \\\n\t--job-name=");
	put_quoted(out, "", jobname);
	fprintf(out, " \\\n\t\"--dependency=afterok:$array_job\" \\\n"
		     "\t--kill-on-invalid-dep=yes \\\n"
		     "\t--ntasks=1 \\\n\t--output=");
	put_quoted(out, "", log);
	fprintf(out, " \\\n");
	put_sbatch_args(out, o);
	fprintf(out,
		"\t<<'CONCUR_MERGE_%s'\n#!/bin/bash\n"
		"# exit status 1: merged, but some cell failed (see the "
		"table in the log)\n",
		o->tag);
	put_quoted(out, "", o->concur);
	/* "--": the output may start with '-' */
	fprintf(out, " merge%s --", o->force ? " --force" : "");
	put_word(out, o->output);
	/* the glob is expanded in the job; merge names any shard missing */
	fprintf(out,
		" %s*%s || [ $? -eq 1 ]\nCONCUR_MERGE_%s\n)\n"
		"merge_job=${merge_job%%%%;*}\n\n",
		qhead, qtail, o->tag);
	free(log);
	free(jobname);
	free(head);
	free(tail);
	free(qhead);
	free(qtail);
}

static bool has_control(const char *w)
{
	for (; *w; w++)
		if ((unsigned char)*w < 0x20 || *w == 0x7f)
			return true;
	return false;
}

static int refuse_word(const char *what, const char *w, char *err,
		       size_t errlen)
{
	char *shown = xstrdup(w);

	text_sanitize(shown);
	errf(err, errlen,
	     "slurm: %s '%.200s' holds a control character (a line break, tab or escape): a submit script cannot carry it safely; use printable characters",
	     what, shown);
	free(shown);
	return -EINVAL;
}

/* Every word the script embeds, by what it is (for the message). */
static int check_words(const struct slurm_options *o, char *err, size_t errlen)
{
	const struct {
		const char *what, *word;
	} one[] = {
		{ "the experiment file", o->experiment },
		{ "the output", o->output },
		{ "the experiment name", o->name },
		{ "the current folder", o->cwd },
		{ "the concur binary's path", o->concur },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(one); i++)
		if (has_control(one[i].word))
			return refuse_word(one[i].what, one[i].word, err,
					   errlen);
	for (i = 0; i < o->n_run_args; i++)
		if (has_control(o->run_args[i]))
			return refuse_word("the option", o->run_args[i], err,
					   errlen);
	for (i = 0; i < o->n_sbatch_args; i++)
		if (has_control(o->sbatch_args[i]))
			return refuse_word("the sbatch option",
					   o->sbatch_args[i], err, errlen);
	return 0;
}

void slurm_random_tag(char *tag)
{
	static const char hex[] = "0123456789abcdef";
	uint64_t r;
	size_t i;

	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME,
			      &ts); /* no entropy: still unique */
		r = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ULL ^
		    (uint64_t)ts.tv_sec << 20 ^ (uint64_t)getpid();
	}
	for (i = 0; i < SLURM_TAG_LEN; i++, r >>= 4)
		tag[i] = hex[r & 15];
	tag[SLURM_TAG_LEN] = '\0';
}

int slurm_print_script(FILE *out, const struct slurm_options *o, char *err,
		       size_t errlen)
{
	char *base = stem(o->output);
	char *logs = xasprintf("%s.shard-*-of-%u.log", base, o->shards);
	char *mlog = xasprintf("%s-merge.log", base);
	int rc = check_words(o, err, errlen);

	if (rc < 0)
		goto out;
	put_header(out, o);
	if (strchr(base, '/')) { /* the logs go there before concur runs */
		char *dir = xstrndup(base, (size_t)(strrchr(base, '/') - base));

		fprintf(out, "mkdir -p --"); /* the folder may start with '-' */
		put_word(out, *dir ? dir : "/");
		fprintf(out, "\n\n");
		free(dir);
	}
	put_array_job(out, o, base);
	put_merge_job(out, o, base);
	fprintf(out,
		"printf 'array job %%s: %u shards, logs in %%s\\n' "
		"\"$array_job\"",
		o->shards);
	put_word(out, logs);
	fprintf(out, "\nprintf 'merge job %%s: runs when every shard has "
		     "succeeded; writes %%s (log: %%s)\\n' \"$merge_job\"");
	put_word(out, o->output);
	put_word(out, mlog);
	fprintf(out, "\n");
out:
	free(base);
	free(logs);
	free(mlog);
	return rc;
}
