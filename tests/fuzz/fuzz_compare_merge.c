/*
 * fuzz_compare_merge.c - libFuzzer target for what `concur compare` and
 * `concur merge` read: summary, -runs.csv, -env.csv (and merge's
 * -matrix.csv), served from memory through the commands' read_table hook
 * (results_table_parse, the reading results_table_read does on a file).
 *
 * An input is a mode byte, then the files' texts separated by NUL bytes:
 *   mode & 1 == 0: compare, files BASE.csv BASE-runs.csv BASE-env.csv
 *                  NEW.csv NEW-runs.csv NEW-env.csv (mode & 2: --markdown)
 *   mode & 1 == 1: merge, per shard its -env.csv, .csv, -matrix.csv,
 *                  -runs.csv; mode >> 2 & 3 picks the shards given:
 *                  0 of 1; 0 and 1 of 2; 0 and 2 of 3 (1 missing, so
 *                  mode & 2 adds --partial); 1 and 0 of 2 (reversed)
 * A file with no text is missing.
 *
 * The oracle checks values, never message text (aborting on a broken one):
 *   compare: the exit status is one compare.h documents; whether the two
 *     sides can be compared at all (exit COMPARE_EXIT_USAGE or not) does
 *     not depend on their order; a side comparable with another is
 *     comparable with itself;
 *   merge: the exit status is 0, 1 or 2; on 2 nothing is written; on 0 or
 *     1 OUT.csv and OUT-env.csv read back, OUT.csv with a shard's columns
 *     and at most the shards' rows.
 * FUZZ_VERBOSE=1 prints each exit status on stderr (replaying an input).
 * Build and run: scripts/fuzz-check.sh.
 */
#define _GNU_SOURCE /* nftw */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compare.h"
#include "matrix.h"
#include "merge.h"
#include "results.h"
#include "util.h"

#include "fuzz_workdir.h"

#define MAX_FILES 8

/*
 * results.c holds the results writer beside the reader: the writer's calls
 * into the runner and the matrix are never made by compare or merge, and
 * linking those modules would pull in the plugin loader and job runner.
 */
#define UNREACHED(name)                                                        \
	do {                                                                   \
		fprintf(stderr, "fuzz_compare_merge: %s reached\n", name);     \
		abort();                                                       \
	} while (0)

const char *cell_status_name(enum cell_status s)
{
	(void)s;
	UNREACHED("cell_status_name");
}

const char *matrix_cell_text(const struct matrix *m, const struct cell *c,
			     const struct matrix_column *col)
{
	(void)m, (void)c, (void)col;
	UNREACHED("matrix_cell_text");
}

size_t matrix_baseline_cell(const struct matrix *m, const struct cell *c)
{
	(void)m, (void)c;
	UNREACHED("matrix_baseline_cell");
}

const struct matrix_section *matrix_cell_strategy(const struct matrix *m,
						  const struct cell *c)
{
	(void)m, (void)c;
	UNREACHED("matrix_cell_strategy");
}

const struct matrix_section *matrix_cell_workload(const struct matrix *m,
						  const struct cell *c)
{
	(void)m, (void)c;
	UNREACHED("matrix_cell_workload");
}

char *matrix_cell_params(const struct matrix *m, const struct cell *c,
			 unsigned kind, bool crossed_only)
{
	(void)m, (void)c, (void)kind, (void)crossed_only;
	UNREACHED("matrix_cell_params");
}

/* The files of the current input: names (relative to dir) and texts. */
static const char *dir;
static const char *names[MAX_FILES];
static const uint8_t *texts[MAX_FILES];
static size_t lens[MAX_FILES];
static size_t n_files;
static FILE *devnull;
static bool verbose; /* FUZZ_VERBOSE=1: each exit status on stderr */

/* The read_table hook: the file called path, from memory. */
static int serve(const char *path, struct results_table **ret, char *err,
		 size_t errlen)
{
	size_t i, dlen = strlen(dir);

	for (i = 0; i < n_files; i++)
		if (strncmp(path, dir, dlen) == 0 && path[dlen] == '/' &&
		    strcmp(path + dlen + 1, names[i]) == 0 && lens[i] > 0)
			return results_table_parse(path, (const char *)texts[i],
						   lens[i], ret, err, errlen);
	errf(err, errlen, "%s: no such file", path);
	return -ENOENT;
}

/* Split data at NUL bytes into the texts of names[0..n). */
static void split(const uint8_t *data, size_t size, const char *const *files,
		  size_t n)
{
	size_t i, off = 0;

	n_files = n;
	for (i = 0; i < n; i++) {
		const uint8_t *end =
			off < size ? memchr(data + off, 0, size - off) : NULL;
		size_t len = off < size
				     ? (end ? (size_t)(end - data) : size) - off
				     : 0;

		names[i] = files[i];
		texts[i] = data + (off < size ? off : 0);
		lens[i] = len;
		off += len + 1;
	}
}

static char *in_dir(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

/* ---- compare ------------------------------------------------------- */

static int compare(const char *base, const char *new_path, bool markdown)
{
	char *b = in_dir(base), *n = in_dir(new_path);
	struct compare_options o = { .base = b,
				     .new_path = n,
				     .threshold = COMPARE_DEFAULT_THRESHOLD,
				     .alpha = COMPARE_DEFAULT_ALPHA,
				     .markdown = markdown,
				     .read_table = serve };
	int rc = compare_run(&o, devnull);

	if (verbose)
		fprintf(stderr, "fuzz_compare_merge: compare %s %s: exit %d\n",
			base, new_path, rc);
	free(b);
	free(n);
	if (rc != COMPARE_EXIT_SAME && rc != COMPARE_EXIT_SLOWER &&
	    rc != COMPARE_EXIT_USAGE && rc != COMPARE_EXIT_NOT_OK)
		abort();
	return rc;
}

static void fuzz_compare(const uint8_t *data, size_t size, bool markdown)
{
	static const char *const files[] = { "BASE.csv",     "BASE-runs.csv",
					     "BASE-env.csv", "NEW.csv",
					     "NEW-runs.csv", "NEW-env.csv" };
	int there, back;

	split(data, size, files, ARRAY_SIZE(files));
	there = compare("BASE.csv", "NEW.csv", markdown);
	back = compare("NEW.csv", "BASE.csv", markdown);
	if ((there == COMPARE_EXIT_USAGE) != (back == COMPARE_EXIT_USAGE))
		abort(); /* comparability does not depend on the order */
	if (there != COMPARE_EXIT_USAGE &&
	    (compare("BASE.csv", "BASE.csv", markdown) == COMPARE_EXIT_USAGE ||
	     compare("NEW.csv", "NEW.csv", markdown) == COMPARE_EXIT_USAGE))
		abort(); /* a readable side is comparable with itself */
}

/* ---- merge --------------------------------------------------------- */

/* The shards each layout gives, as "K-of-N". */
static const char *const layouts[4][2] = {
	{ "0-of-1", NULL },
	{ "0-of-2", "1-of-2" },
	{ "0-of-3", "2-of-3" },
	{ "1-of-2", "0-of-2" },
};
static const char *const suffixes[] = { "-env.csv", ".csv", "-matrix.csv",
					"-runs.csv" };
static const char *const outputs[] = { "x.csv",	       "x-runs.csv",
				       "x-matrix.csv", "x-env.csv",
				       "x.svg",	       "x.xlsx" };

static void remove_outputs(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(outputs); i++) {
		char *p = xasprintf("%s/out/%s", dir, outputs[i]);

		unlink(p);
		free(p);
	}
}

/* Empty files with the shards' names: merge looks at its inputs before it
 * reads them (through serve). */
static void make_inputs(void)
{
	size_t l, k, s;
	char *p = xasprintf("%s/out", dir);

	mkdir(p, 0700);
	free(p);
	for (l = 0; l < ARRAY_SIZE(layouts); l++)
		for (k = 0; k < 2 && layouts[l][k]; k++)
			for (s = 0; s < ARRAY_SIZE(suffixes); s++) {
				FILE *f;

				p = xasprintf("%s/x.shard-%s%s", dir,
					      layouts[l][k], suffixes[s]);
				f = fopen(p, "w");
				if (f)
					fclose(f);
				free(p);
			}
}

/* OUT.csv as merge wrote it: the shards' columns, at most their rows. */
static void check_written(size_t n_shards)
{
	char *out = xasprintf("%s/out/x.csv", dir);
	char *env = xasprintf("%s/out/x-env.csv", dir);
	char err[512];
	struct results_table *t = NULL, *e = NULL, *shard = NULL;
	size_t rows = 0, k, i;

	if (results_table_read(out, &t, err, sizeof(err)) != 0 ||
	    results_table_read(env, &e, err, sizeof(err)) != 0)
		abort();
	for (k = 0; k < n_shards; k++) {
		struct results_table *s = NULL;
		char *p = in_dir(names[4 * k + 1]);

		if (serve(p, &s, err, sizeof(err)) == 0) {
			rows += s->n_rows;
			if (!shard)
				shard = s;
			else
				results_table_free(s);
		}
		free(p);
	}
	if (!shard || t->n_rows > rows || t->n_columns != shard->n_columns)
		abort();
	for (i = 0; i < t->n_columns; i++)
		if (strcmp(t->header[i], shard->header[i]) != 0)
			abort();
	results_table_free(shard);
	results_table_free(t);
	results_table_free(e);
	free(out);
	free(env);
}

static void fuzz_merge(const uint8_t *data, size_t size, unsigned mode)
{
	const char *const *layout = layouts[mode >> 2 & 3];
	char *files[2 * ARRAY_SIZE(suffixes)], *inputs[2];
	size_t n_shards = layout[1] ? 2 : 1, k, s;
	struct merge_options o = { .partial = mode & 2,
				   .force = true,
				   .read_table = serve };
	char *argv[] = { "concur", "merge", NULL };
	struct stat st;
	char *out = xasprintf("%s/out/x.csv", dir);
	int rc;

	for (k = 0; k < n_shards; k++) {
		for (s = 0; s < ARRAY_SIZE(suffixes); s++)
			files[4 * k + s] = xasprintf("x.shard-%s%s", layout[k],
						     suffixes[s]);
		inputs[k] = in_dir(files[4 * k + 1]);
	}
	split(data, size, (const char *const *)files, 4 * n_shards);
	remove_outputs();
	o.output = out;
	o.inputs = (const char *const *)inputs;
	o.n_inputs = n_shards;
	o.argc = 2;
	o.argv = argv;
	rc = merge_run(&o, devnull, verbose ? stderr : devnull);
	if (verbose)
		fprintf(stderr, "fuzz_compare_merge: merge: exit %d\n", rc);
	if (rc != 0 && rc != 1 && rc != 2)
		abort();
	if (rc == 2 && stat(out, &st) == 0)
		abort(); /* refused: nothing written */
	if (rc != 2)
		check_written(n_shards);
	for (k = 0; k < n_shards; k++) {
		for (s = 0; s < ARRAY_SIZE(suffixes); s++)
			free(files[4 * k + s]);
		free(inputs[k]);
	}
	free(out);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	dir = fuzz_workdir_make("cm");
	make_inputs();
	devnull = fopen("/dev/null", "w");
	verbose =
		getenv("FUZZ_VERBOSE") && !strcmp(getenv("FUZZ_VERBOSE"), "1");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] & 1)
		fuzz_merge(data + 1, size - 1, data[0]);
	else
		fuzz_compare(data + 1, size - 1, data[0] & 2);
	return 0;
}
