/*
 * xlsx_book.c - the live workbook of a run (xlsx.h): the results files'
 * bytes kept as they are written, and N.xlsx rewritten from them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <concur/plugin.h>
#include "diag.h"
#include "fileio.h"
#include "util.h"
#include "xlsx.h"

/* Largest results file read back: what --resume reads (results.h). */
#define KEPT_MAX_FILE ((size_t)1 << 30)

struct kept {
	char *buf;
	size_t len, cap;
};

struct xlsx_book {
	char *path;
	struct kept files[4]; /* by enum results_file */
	int64_t cost_ns, done_at_ns;
	bool dirty, warned;
};

static void kept_put(struct kept *k, const char *buf, size_t len)
{
	xgrow((void **)&k->buf, &k->cap, k->len + len + 1, 1);
	memcpy(k->buf + k->len, buf, len);
	k->len += len;
	k->buf[k->len] = '\0';
}

/*
 * A results file as on disk, through the one bounded reader: a resumed
 * run's rows.  Missing (a fresh run) or unreadable, the book starts empty
 * and the CSV files stay the record.
 */
static void kept_load(struct kept *k, const char *path)
{
	char err[CONCUR_ERRLEN], *buf = NULL;
	size_t len = 0;

	k->len = 0;
	if (fileio_read(path, KEPT_MAX_FILE, "a results file", &buf, &len, err,
			sizeof(err)) < 0)
		return;
	free(k->buf);
	k->buf = buf;
	k->len = len;
	k->cap = len + 1;
}

static void *book_open(const char *csv_path, const char *runs_path,
		       const char *env_path)
{
	struct xlsx_book *b = xcalloc(1, sizeof(*b));

	b->path = xlsx_default_path(csv_path);
	/* what a kill -9 in the middle of a write left (results lock held) */
	fileio_remove_stale(b->path);
	kept_load(&b->files[RESULTS_SUMMARY], csv_path);
	kept_load(&b->files[RESULTS_RUNS], runs_path);
	kept_load(&b->files[RESULTS_ENV], env_path);
	return b;
}

static void book_keep(void *state, enum results_file which, const char *buf,
		      size_t len, bool replace)
{
	struct xlsx_book *b = state;

	if (!b)
		return;
	if (replace)
		b->files[which].len = 0;
	kept_put(&b->files[which], buf, len);
}

/* What a kept file is called in a message, by enum results_file. */
static const char *const kept_name[4] = { "the summary N.csv",
					  "the runs file N-runs.csv",
					  "the matrix file N-matrix.csv",
					  "the environment file N-env.csv" };

static void book_update(void *state, bool now)
{
	struct xlsx_book *b = state;
	struct results_table *t[4] = { NULL };
	char err[2 * CONCUR_ERRLEN];
	int64_t start = mono_now_ns();
	int rc = 0;
	size_t i;

	if (!b)
		return;
	b->dirty = true;
	if (!now && start - b->done_at_ns < 10 * b->cost_ns)
		return;
	for (i = 0; i < 4 && rc == 0; i++) /* by enum results_file */
		if (b->files[i].len)
			rc = results_table_parse(kept_name[i], b->files[i].buf,
						 b->files[i].len, &t[i], err,
						 sizeof(err));
	if (rc == 0)
		rc = xlsx_write(
			b->path,
			&(struct xlsx_source){ .summary = t[RESULTS_SUMMARY],
					       .runs = t[RESULTS_RUNS],
					       .matrix = t[RESULTS_MATRIX],
					       .env = t[RESULTS_ENV] },
			err, sizeof(err));
	if (rc < 0 && !b->warned) {
		diag_warn("no workbook: %s; the CSV files are complete", err);
		b->warned = true;
	}
	for (i = 0; i < 4; i++)
		results_table_free(t[i]);
	b->dirty = false;
	b->done_at_ns = mono_now_ns();
	b->cost_ns = b->done_at_ns - start;
}

static void book_close(void *state)
{
	struct xlsx_book *b = state;
	size_t i;

	if (!b)
		return;
	if (b->dirty)
		book_update(b, true);
	for (i = 0; i < 4; i++)
		free(b->files[i].buf);
	free(b->path);
	free(b);
}

const struct results_watch xlsx_book_watch = {
	.open = book_open,
	.keep = book_keep,
	.update = book_update,
	.close = book_close,
};
