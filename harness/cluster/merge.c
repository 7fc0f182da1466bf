#include "merge.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "csv.h"
#include "diag.h"
#include "export.h"
#include "fileio.h"
#include "plot.h"
#include "reslock.h"
#include "results.h"
#include "schema.h"
#include "shard.h"
#include "util.h"
#include "xlsx.h"

#define SIG_RATIO 6	      /* as results.c writes speedups */
#define MERGE_MISSING_NAMED 8 /* missing shards named one by one */
/* OUT.csv, -runs, -matrix, -env, .svg, .xlsx: what merge writes */
#define MERGE_FILES EXPORT_RESULTS_CORE_FILES

/* The keys of a shard's -env.csv that merge reads. */
enum env_key {
	E_VERSION,
	E_SHA,
	E_SHARD,
	E_CELLS,
	E_TOTAL,
	E_PER,
	E_BASELINE,
	E_HOST,
	E_CPU,
	E_NCPU,
	E_KERNEL,
	E_LOAD,
	E_START,
	E_GIT,
	E_COMPILER,
	E_BUILD,
	E_CURL,
	E_MHD,
	E_FILE,
	E_ORDER,
	E_OVERRIDES,
	E_MHZ,
	E_SCALING,
	E_COUNT
};

static const char *const env_names[E_COUNT] = {
	[E_VERSION] = ENV_CONCUR_VERSION,
	[E_SHA] = ENV_EXPERIMENT_SHA256,
	[E_SHARD] = ENV_SHARD,
	[E_CELLS] = ENV_SHARD_CELLS,
	[E_TOTAL] = ENV_EXPERIMENT_CELLS,
	[E_PER] = ENV_WORKLOAD_CELLS,
	[E_BASELINE] = ENV_BASELINE,
	[E_HOST] = ENV_HOST,
	[E_CPU] = ENV_CPU_MODEL,
	[E_NCPU] = ENV_CPU_COUNT,
	[E_KERNEL] = ENV_KERNEL,
	[E_LOAD] = ENV_LOAD_AVERAGE,
	[E_START] = ENV_START_TIME_UTC,
	[E_GIT] = ENV_GIT_REVISION,
	[E_COMPILER] = ENV_COMPILER,
	[E_BUILD] = ENV_BUILD_TYPE,
	[E_CURL] = ENV_LIBCURL_VERSION,
	[E_MHD] = ENV_LIBMICROHTTPD_VERSION,
	[E_FILE] = ENV_EXPERIMENT_FILE,
	[E_ORDER] = ENV_ORDER,
	[E_OVERRIDES] = ENV_OVERRIDES,
	[E_MHZ] = ENV_CPU_MHZ,
	[E_SCALING] = ENV_CPU_SCALING,
};

/* The keys that must agree between the shards of one experiment. */
static const enum env_key same_keys[] = { E_SHA,      E_VERSION,  E_TOTAL,
					  E_PER,      E_BASELINE, E_ORDER,
					  E_OVERRIDES };

/* One shard's four files as read. */
struct part {
	char *path; /* N.shard-K-of-N.csv */
	char *env_path, *mat_path;
	unsigned k, n;
	struct results_table *sum, *runs, *mat, *env;
	const char *key[E_COUNT]; /* into env; NULL when absent */
	bool readable;		  /* its files are there and say who it is */
	bool used;		  /* its cells (maybe none) are merged */
	bool clean;		  /* and every one of its cells is whole */
	size_t cells_expected, cells_found;
	struct cell_key *ids; /* its cells' ids, sorted, for lookup */
	size_t n_ids;
};

/* A cell id of a shard and its place in the merged matrix. */
struct cell_key {
	char *id;
	size_t s, w; /* strategy cell, workload cell (global) */
};

struct merged_cell {
	char **f; /* summary fields, or NULL: missing */
	const struct part *from;
};

struct merge {
	const struct merge_options *o;
	FILE *out, *err;
	struct part *parts;
	size_t n_parts;
	struct part *ref;	   /* the first readable shard */
	unsigned n;		   /* shards in the split */
	size_t W, S;		   /* workload cells, strategy cells */
	char **wtext;		   /* W texts; NULL: its shard is missing */
	char **stext;		   /* S texts, from ref's matrix */
	struct merged_cell *cells; /* S * W */
	size_t c_cell, c_status, c_median, c_speedup, c_error;
	size_t n_fatal, n_missing;
	int lock_fd;  /* holds the results lock on OUT.csv */
	bool created; /* OUT.csv did not exist: the lock made it */
	bool wrote;   /* some output file is written */
};

/* ---- problems ------------------------------------------------------ */

/* Something that makes the shards not one experiment: never merged. */
static void fatal(struct merge *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void fatal(struct merge *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vprint(m->err, "merge: ", fmt, ap);
	va_end(ap);
	m->n_fatal++;
}

/* Something missing or incomplete: --partial merges around it. */
static void missing(struct merge *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void missing(struct merge *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vprint(m->err, m->o->partial ? "merge: warning: " : "merge: ", fmt,
		    ap);
	va_end(ap);
	m->n_missing++;
}

/* ---- finding the shards ------------------------------------------ */

/* Digits only, into *ret (no sign, no overflow past SHARD_MAX). */
static const char *read_uint(const char *p, unsigned *ret)
{
	unsigned long v = 0;
	const char *start = p;

	while (*p >= '0' && *p <= '9' && p - start < 7)
		v = v * 10 + (unsigned long)(*p++ - '0');
	if (p == start || (*p >= '0' && *p <= '9') || v > SHARD_MAX)
		return NULL;
	*ret = (unsigned)v;
	return p;
}

/*
 * Does name end in ".shard-K-of-N" + tail, tail one of ".csv" (the summary)
 * or "-runs.csv", "-matrix.csv", "-env.csv"?  *ret_stem_len: bytes before
 * the tail.
 */
static bool shard_name(const char *name, unsigned *k, unsigned *n,
		       size_t *ret_stem_len)
{
	static const char *const tails[] = { ".csv", "-runs.csv", "-matrix.csv",
					     "-env.csv" };
	const char *p = strstr(name, ".shard-"), *q;
	size_t i;

	for (; p; p = strstr(p + 1, ".shard-")) {
		q = read_uint(p + 7, k);
		if (!q || strncmp(q, "-of-", 4) != 0)
			continue;
		q = read_uint(q + 4, n);
		if (!q || *k >= *n)
			continue;
		for (i = 0; i < ARRAY_SIZE(tails); i++)
			if (strcmp(q, tails[i]) == 0) {
				*ret_stem_len = (size_t)(q - name);
				return true;
			}
	}
	return false;
}

static void add_part(struct merge *m, const char *summary, unsigned k,
		     unsigned n, size_t *cap)
{
	size_t i;

	for (i = 0; i < m->n_parts; i++)
		if (strcmp(m->parts[i].path, summary) == 0)
			return; /* the same file named twice */
	xgrow((void **)&m->parts, cap, m->n_parts + 1, sizeof(*m->parts));
	memset(&m->parts[m->n_parts], 0, sizeof(*m->parts));
	m->parts[m->n_parts].path = xstrdup(summary);
	m->parts[m->n_parts].env_path = results_sibling(summary, "env");
	m->parts[m->n_parts].mat_path = results_sibling(summary, "matrix");
	m->parts[m->n_parts].k = k;
	m->parts[m->n_parts].n = n;
	m->n_parts++;
}

/* A file: a shard's summary or one of its siblings. */
static void add_file(struct merge *m, const char *path, size_t *cap)
{
	const char *base = strrchr(path, '/');
	unsigned k, n;
	size_t stem;
	char *summary;

	base = base ? base + 1 : path;
	if (!shard_name(base, &k, &n, &stem)) {
		fatal(m,
		      "%s is not a shard's results file: those are named NAME.shard-K-of-N.csv (and -runs, -matrix, -env beside it)",
		      path);
		return;
	}
	summary = xasprintf("%.*s.csv", (int)(base - path + (long)stem), path);
	add_part(m, summary, k, n, cap);
	free(summary);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A folder: every shard summary file in it (not below it), by name. */
static void add_folder(struct merge *m, const char *dir, size_t *cap)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n_names = 0, cap_names = 0, i, before = m->n_parts;

	if (!d) {
		fatal(m, "%s: %s", dir, strerror(errno));
		return;
	}
	while ((de = readdir(d)) != NULL) {
		unsigned k, n;
		size_t stem;

		if (shard_name(de->d_name, &k, &n, &stem) &&
		    strcmp(de->d_name + stem, ".csv") == 0) {
			xgrow((void **)&names, &cap_names, n_names + 1,
			      sizeof(*names));
			names[n_names++] = xstrdup(de->d_name);
		}
	}
	closedir(d);
	if (n_names)
		qsort(names, n_names, sizeof(*names), by_name);
	for (i = 0; i < n_names; i++) {
		char *p = xasprintf("%s/%s", dir, names[i]);

		add_file(m, p, cap);
		free(p);
		free(names[i]);
	}
	free(names);
	if (m->n_parts == before)
		fatal(m,
		      "%s: no shard results files (NAME.shard-K-of-N.csv) in this folder",
		      dir);
}

static void collect(struct merge *m)
{
	size_t cap = 0, i;
	struct stat st;

	for (i = 0; i < m->o->n_inputs; i++) {
		const char *in = m->o->inputs[i];

		if (stat(in, &st) == 0 && S_ISDIR(st.st_mode))
			add_folder(m, in, &cap);
		else if (stat(in, &st) == 0 || errno != ENOENT)
			add_file(m, in, &cap);
		else
			fatal(m, "%s: no such file or folder", in);
	}
}

/* ---- reading one shard -------------------------------------------- */

/* One of its files, through the hardened reader of results.h. */
static int read_sibling(struct merge *m, struct part *p, const char *suffix,
			struct results_table **ret)
{
	char *path =
		suffix ? results_sibling(p->path, suffix) : xstrdup(p->path);
	char err[CONCUR_ERRLEN + PATH_MAX];
	int rc = (m->o->read_table ? m->o->read_table : results_table_read)(
		path, ret, err, sizeof(err));

	if (rc == -ENOENT)
		missing(m,
			"shard %u of %u is incomplete: %s is missing (did its task start?)",
			p->k, p->n, path);
	else if (rc < 0)
		missing(m, "shard %u of %u is unreadable: %s", p->k, p->n, err);
	free(path);
	return rc;
}

static void read_env_keys(struct part *p)
{
	size_t i, k;

	for (i = 0; p->env->n_columns == 2 && i < p->env->n_rows; i++) {
		const struct results_row *r = &p->env->rows[i];

		for (k = 0; k < E_COUNT; k++)
			if (!p->key[k] && strcmp(r->f[0], env_names[k]) == 0)
				p->key[k] = r->f[1];
	}
}

/* A whole number from a shard's env, or SIZE_MAX. */
static size_t env_count(const struct part *p, enum env_key k)
{
	const char *v = p->key[k];
	char *end;
	unsigned long long n;

	if (!v || *v < '0' || *v > '9')
		return SIZE_MAX;
	errno = 0;
	n = strtoull(v, &end, 10);
	return errno || *end || n > 10000000ULL ? SIZE_MAX : (size_t)n;
}

/* Its env says it is the shard its name says, with every key merge needs. */
static bool check_identity(struct merge *m, struct part *p)
{
	char want[48];
	size_t k;

	for (k = 0; k < E_COUNT; k++)
		if (!p->key[k] && k != E_CURL && k != E_MHD && k != E_GIT &&
		    k != E_COMPILER && k != E_BUILD) {
			fatal(m,
			      "%s has no '%s': it was not written by concur run --shard (or was edited)",
			      p->env_path, env_names[k]);
			return false;
		}
	snprintf(want, sizeof(want), "%u/%u", p->k, p->n);
	if (strcmp(p->key[E_SHARD], want) != 0) {
		fatal(m,
		      "%s is named as shard %s, but its -env.csv says shard %s: was it renamed?",
		      p->path, want, p->key[E_SHARD]);
		return false;
	}
	if (env_count(p, E_TOTAL) == SIZE_MAX ||
	    env_count(p, E_PER) == SIZE_MAX ||
	    env_count(p, E_CELLS) == SIZE_MAX || env_count(p, E_PER) == 0 ||
	    env_count(p, E_TOTAL) % env_count(p, E_PER) != 0) {
		fatal(m,
		      "%s: bad experiment_cells, workload_cells or shard_cells",
		      p->env_path);
		return false;
	}
	return true;
}

static void read_part(struct merge *m, struct part *p)
{
	if (read_sibling(m, p, "env", &p->env) < 0)
		return;
	read_env_keys(p);
	if (!check_identity(m, p))
		return;
	if (read_sibling(m, p, NULL, &p->sum) < 0 ||
	    read_sibling(m, p, "matrix", &p->mat) < 0 ||
	    read_sibling(m, p, "runs", &p->runs) < 0)
		return;
	p->readable = true;
}

/* ---- do they belong together? ------------------------------------- */

static bool same_header(const struct results_table *a,
			const struct results_table *b)
{
	size_t i;

	if (a->n_columns != b->n_columns)
		return false;
	for (i = 0; i < a->n_columns; i++)
		if (strcmp(a->header[i], b->header[i]) != 0)
			return false;
	return true;
}

static bool same_first_column(const struct results_table *a,
			      const struct results_table *b)
{
	size_t i;

	if (a->n_rows != b->n_rows)
		return false;
	for (i = 0; i < a->n_rows; i++)
		if (strcmp(a->rows[i].f[0], b->rows[i].f[0]) != 0)
			return false;
	return true;
}

static void check_against_ref(struct merge *m, const struct part *p)
{
	const struct part *r = m->ref;
	size_t i;

	if (p->n != r->n) {
		fatal(m,
		      "%s is shard %u of %u, but %s is of %u: shards of different splits cannot be merged",
		      p->path, p->k, p->n, r->path, r->n);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(same_keys); i++) {
		enum env_key k = same_keys[i];

		if (strcmp(p->key[k], r->key[k]) != 0 && k == E_OVERRIDES) {
			fatal(m,
			      "%s and %s ran with different --set values ('%.60s' there, '%.60s' here): their cells are not of one experiment",
			      r->path, p->path, r->key[k], p->key[k]);
			return;
		}
		if (strcmp(p->key[k], r->key[k]) != 0) {
			fatal(m,
			      "%s and %s are not of one experiment: %s is '%.40s' there and '%.40s' here",
			      r->path, p->path, env_names[k], r->key[k],
			      p->key[k]);
			return;
		}
	}
	if (!same_header(p->sum, r->sum))
		fatal(m,
		      "%s and %s have different columns (were --set values or the plugins different?)",
		      r->path, p->path);
	else if (!same_header(p->runs, r->runs))
		fatal(m, "%s and %s: the -runs.csv columns differ", r->path,
		      p->path);
	else if (p->mat->n_columns < 1 ||
		 strcmp(p->mat->header[0], COLUMN_STRATEGY) != 0)
		fatal(m, "%s: not a concur matrix file", p->mat_path);
	else if (!same_first_column(p->mat, r->mat))
		fatal(m,
		      "%s and %s: the strategy cells (rows of -matrix.csv) differ",
		      r->path, p->path);
}

/* The reference shard: its columns and sizes are the experiment's. */
static bool take_reference(struct merge *m, struct part *r)
{
	size_t i;

	m->ref = r;
	m->n = r->n;
	m->W = env_count(r, E_PER);
	m->S = env_count(r, E_TOTAL) / m->W;
	m->c_cell = results_table_column(r->sum, COLUMN_CELL);
	m->c_status = results_table_column(r->sum, COLUMN_STATUS);
	m->c_median = results_table_column(r->sum, COLUMN_WALL_MEDIAN_S);
	m->c_speedup = results_table_column(r->sum, COLUMN_SPEEDUP);
	m->c_error = results_table_column(r->sum, COLUMN_ERROR);
	if (m->c_cell != 1 || m->c_status == SIZE_MAX ||
	    m->c_median == SIZE_MAX || m->c_speedup == SIZE_MAX ||
	    m->c_error == SIZE_MAX ||
	    results_table_column(r->runs, COLUMN_CELL) != 1 ||
	    r->mat->n_columns < 1 ||
	    strcmp(r->mat->header[0], COLUMN_STRATEGY)) {
		fatal(m, "%s: not a concur summary file (its columns)",
		      r->path);
		return false;
	}
	if (r->mat->n_rows != m->S) {
		fatal(m, "%s: %zu strategy cells, but its -env.csv says %zu",
		      r->mat_path, r->mat->n_rows, m->S);
		return false;
	}
	m->stext = xcalloc(m->S + 1, sizeof(char *));
	for (i = 0; i < m->S; i++)
		m->stext[i] = r->mat->rows[i].f[0];
	m->wtext = xcalloc(m->W + 1, sizeof(char *));
	m->cells = xcalloc(m->S * m->W + 1, sizeof(*m->cells));
	return true;
}

/* Shard k of n has workload cells k, k + n, k + 2n, ... (shard.h). */
static size_t columns_of(size_t W, unsigned k, unsigned n)
{
	return W / n + (k < W % n);
}

/* "results/seeds" of "results/seeds.shard-1-of-4.csv". */
static size_t stem_len(const char *path)
{
	const char *p = strstr(path, ".shard-"), *q;

	while (p && (q = strstr(p + 1, ".shard-")) != NULL)
		p = q;
	return p ? (size_t)(p - path) : strlen(path);
}

/*
 * Every shard of the split there, and once (linear in N and the files).
 * A split of up to 100,000 shards with one there would be as many lines:
 * the first few missing are named, the rest counted.
 */
static void check_once_each(struct merge *m)
{
	size_t *seen = xcalloc(m->n + 1, sizeof(size_t)), i, absent = 0;
	unsigned k;

	for (i = 0; i < m->n_parts; i++) {
		const struct part *p = &m->parts[i];

		if (p->n != m->n)
			continue; /* another split: refused, or unreadable */
		if (seen[p->k])
			fatal(m, "shard %u of %u is given twice: %s and %s",
			      p->k, p->n, m->parts[seen[p->k] - 1].path,
			      p->path);
		else
			seen[p->k] = i + 1;
	}
	for (k = 0; k < m->n; k++) {
		if (seen[k])
			continue;
		if (++absent > MERGE_MISSING_NAMED)
			continue;
		missing(m,
			"shard %u of %u is missing (expected %.*s.shard-%u-of-%u.csv)",
			k, m->n, (int)stem_len(m->ref->path), m->ref->path, k,
			m->n);
	}
	if (absent > MERGE_MISSING_NAMED)
		missing(m, "... and %zu more: %zu of the %u shards are missing",
			absent - MERGE_MISSING_NAMED, absent, m->n);
	free(seen);
}

static void check_shards(struct merge *m)
{
	size_t i;

	for (i = 0; i < m->n_parts; i++)
		if (m->parts[i].readable && !m->ref &&
		    !take_reference(m, &m->parts[i]))
			return;
	if (!m->ref)
		return;
	for (i = 0; i < m->n_parts; i++)
		if (m->parts[i].readable && &m->parts[i] != m->ref)
			check_against_ref(m, &m->parts[i]);
	check_once_each(m);
}

/* ---- the cells of each shard -------------------------------------- */

static int by_id(const void *a, const void *b)
{
	return strcmp(((const struct cell_key *)a)->id,
		      ((const struct cell_key *)b)->id);
}

/* Which of the merged matrix's cells an id of shard p is; NULL: none. */
static const struct cell_key *find_id(const struct part *p, const char *id)
{
	struct cell_key key = { .id = (char *)id };

	if (id[0] == '\'') /* the formula guard the writer may have added */
		key.id = (char *)id + 1;
	return bsearch(&key, p->ids, p->n_ids, sizeof(key), by_id);
}

/* Its cells are its matrix's strategy rows x workload columns. */
static bool index_cells(struct merge *m, struct part *p)
{
	char **h = p->mat->header;
	size_t want = columns_of(m->W, p->k, m->n), s, j;

	if (p->mat->n_columns != want + 1) {
		fatal(m, "%s: %zu workload cells, but shard %u of %u has %zu",
		      p->mat_path, p->mat->n_columns - 1, p->k, m->n, want);
		return false;
	}
	p->ids = xcalloc(m->S * want + 1, sizeof(*p->ids));
	for (j = 0; j < want; j++) {
		size_t w = p->k + j * m->n;

		m->wtext[w] = h[j + 1];
		for (s = 0; s < m->S; s++)
			p->ids[p->n_ids++] = (struct cell_key){
				.id = xasprintf("%s/%s", m->stext[s], h[j + 1]),
				.s = s,
				.w = w,
			};
	}
	qsort(p->ids, p->n_ids, sizeof(*p->ids), by_id);
	for (j = 1; j < p->n_ids; j++)
		if (strcmp(p->ids[j - 1].id, p->ids[j].id) == 0) {
			fatal(m, "%s: cell %s twice in its matrix", p->mat_path,
			      p->ids[j].id);
			return false;
		}
	p->cells_expected = env_count(p, E_CELLS);
	return true;
}

static void take_rows(struct merge *m, struct part *p)
{
	size_t i;

	for (i = 0; i < p->sum->n_rows; i++) {
		const struct results_row *r = &p->sum->rows[i];
		const struct cell_key *ck = find_id(p, r->f[1]);
		struct merged_cell *mc;

		if (!ck) {
			missing(m,
				"%s:%u: cell '%s' is not one of this shard's",
				p->path, r->line, r->f[1]);
			continue;
		}
		mc = &m->cells[ck->s * m->W + ck->w];
		if (mc->f) {
			missing(m, "%s:%u: cell %s twice; the first is kept",
				p->path, r->line, ck->id);
			continue;
		}
		mc->f = r->f;
		mc->from = p;
		p->cells_found++;
	}
}

static void check_complete(struct merge *m, struct part *p)
{
	p->clean = !p->sum->dropped_tail && p->cells_found == p->n_ids &&
		   p->cells_found == p->cells_expected;
	if (p->sum->dropped_tail)
		missing(m,
			"shard %u of %u is torn: the last row of %s is incomplete (was its task killed? run it again with --resume)",
			p->k, p->n, p->path);
	if (p->cells_found < p->n_ids)
		missing(m,
			"shard %u of %u is incomplete: %zu of its %zu cells are in %s (run it again with --resume)",
			p->k, p->n, p->cells_found, p->n_ids, p->path);
}

static void gather(struct merge *m)
{
	size_t i;

	for (i = 0; i < m->n_parts; i++) {
		struct part *p = &m->parts[i];

		if (!p->readable || p->n != m->n)
			continue;
		if (!index_cells(m, p))
			continue;
		take_rows(m, p);
		check_complete(m, p);
		p->used = true;
	}
}

/* ---- writing -------------------------------------------------------- */

static void copy_row(struct csv_row *row, char *const *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		csv_add_read_back(row, f[i]);
	csv_row_end(row);
}

static double median_of(const struct merged_cell *mc, size_t c)
{
	char *end;
	double v;

	if (!mc->f || !mc->f[c][0])
		return NAN;
	v = strtod(mc->f[c], &end);
	return *end ? NAN : v;
}

/* The baseline: the baseline strategy's first combination (matrix.h). */
static size_t baseline_row(const struct merge *m)
{
	const char *b = m->ref->key[E_BASELINE];
	size_t s, len = strlen(b);

	for (s = 0; s < m->S; s++)
		if (strncmp(m->stext[s], b, len) == 0 &&
		    (m->stext[s][len] == '\0' || m->stext[s][len] == '['))
			return s;
	return SIZE_MAX;
}

static double speedup(const struct merge *m, size_t s, size_t w)
{
	size_t b = baseline_row(m);
	double base, mine;

	if (b == SIZE_MAX)
		return NAN;
	base = median_of(&m->cells[b * m->W + w], m->c_median);
	mine = median_of(&m->cells[s * m->W + w], m->c_median);
	return base > 0 && mine > 0 && isfinite(base) && isfinite(mine)
		       ? base / mine
		       : NAN;
}

static int write_row_buffer(struct merge *m, const char *path,
			    struct csv_row *row)
{
	int rc = fileio_replace(path, row->buf ? row->buf : "", row->len, NULL,
				0);

	if (rc < 0)
		diag_print(m->err, "merge: ", "cannot write %s: %s", path,
			   strerror(-rc));
	return rc;
}

/*
 * OUT.csv replaced by a new file that is locked before it takes the name:
 * the lock passes to it with no moment where OUT.csv is unlocked.
 */
static int write_summary_locked(struct merge *m, struct csv_row *row)
{
	int fd, rc = fileio_replace_locked(m->o->output,
					   row->buf ? row->buf : "", row->len,
					   &fd, NULL, 0);

	if (rc < 0) {
		diag_print(m->err, "merge: ", "cannot write %s: %s",
			   m->o->output, strerror(-rc));
		return rc;
	}
	if (m->lock_fd >= 0)
		close(m->lock_fd);
	m->lock_fd = fd;
	return 0;
}

static int write_summary(struct merge *m, struct csv_row *row)
{
	const struct results_table *t = m->ref->sum;
	size_t s, w, i;

	copy_row(row, t->header, t->n_columns);
	for (s = 0; s < m->S; s++)
		for (w = 0; w < m->W; w++) {
			const struct merged_cell *mc = &m->cells[s * m->W + w];

			if (!mc->f)
				continue;
			for (i = 0; i < t->n_columns; i++)
				if (i == m->c_speedup)
					csv_add_real(row, speedup(m, s, w),
						     SIG_RATIO);
				else
					csv_add_read_back(row, mc->f[i]);
			csv_row_end(row);
		}
	return write_summary_locked(m, row);
}

/* A run row of a merged cell: where the cell is, where the row was. */
struct run_ref {
	size_t cell; /* s * W + w */
	size_t seq;  /* order of reading, to keep each cell's runs in order */
	char *const *f;
};

static int by_cell(const void *a, const void *b)
{
	const struct run_ref *x = a, *y = b;

	if (x->cell != y->cell)
		return x->cell < y->cell ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * The runs of merged cells, in the order of the merged summary: each row
 * is placed by its cell once (sorted), not looked up per cell, so a
 * 100,000-cell matrix stays O(n log n).
 */
static int write_runs(struct merge *m, struct csv_row *row)
{
	const struct results_table *t = m->ref->runs;
	char *path = results_sibling(m->o->output, "runs");
	struct run_ref *refs = NULL;
	size_t n = 0, cap = 0, i, j;
	int rc;

	for (i = 0; i < m->n_parts; i++) {
		const struct part *p = &m->parts[i];

		for (j = 0; p->used && j < p->runs->n_rows; j++) {
			const struct results_row *r = &p->runs->rows[j];
			const struct cell_key *ck = find_id(p, r->f[1]);
			size_t cell = ck ? ck->s * m->W + ck->w : 0;

			if (!ck || m->cells[cell].from != p)
				continue; /* a cell whose summary row is not in */
			xgrow((void **)&refs, &cap, n + 1, sizeof(*refs));
			refs[n] = (struct run_ref){ cell, n, r->f };
			n++;
		}
	}
	if (n)
		qsort(refs, n, sizeof(*refs), by_cell);
	copy_row(row, t->header, t->n_columns);
	for (i = 0; i < n; i++)
		copy_row(row, refs[i].f, t->n_columns);
	rc = write_row_buffer(m, path, row);
	free(refs);
	free(path);
	return rc;
}

static int write_matrix(struct merge *m, struct csv_row *row)
{
	char *path = results_sibling(m->o->output, "matrix");
	size_t s, w;
	int rc;

	csv_add_text(row, COLUMN_STRATEGY);
	for (w = 0; w < m->W; w++)
		if (m->wtext[w])
			csv_add_read_back(row, m->wtext[w]);
	csv_row_end(row);
	for (s = 0; s < m->S; s++) {
		csv_add_read_back(row, m->stext[s]);
		for (w = 0; w < m->W; w++)
			if (m->wtext[w])
				csv_add_read_back(
					row, m->cells[s * m->W + w].f
						     ? m->cells[s * m->W + w]
							       .f[m->c_median]
						     : "");
		csv_row_end(row);
	}
	rc = write_row_buffer(m, path, row);
	free(path);
	return rc;
}

static void pair(struct csv_row *row, const char *key, const char *value)
{
	csv_add_text(row, key);
	csv_add_read_back(row, value ? value : "");
	csv_row_end(row);
}

/*
 * "0 2 5": the shards merged (on host, unless NULL); with missing_ones, the
 * shards not merged or not whole.  Linear in N and the files: a split of
 * 100,000 shards lists them at once.
 */
static char *shard_list(const struct merge *m, const char *host,
			bool missing_ones)
{
	bool *there = xcalloc(m->n + 1, sizeof(bool));
	size_t i, len = 0, cap = 0;
	char *s = NULL;
	unsigned k;

	for (i = 0; i < m->n_parts; i++) {
		const struct part *p = &m->parts[i];

		if (p->k < m->n && p->used && (!missing_ones || p->clean) &&
		    (!host || strcmp(p->key[E_HOST], host) == 0))
			there[p->k] = true;
	}
	xgrow((void **)&s, &cap, 1, 1);
	for (k = 0; k < m->n; k++) {
		if (there[k] == missing_ones)
			continue;
		xgrow((void **)&s, &cap, len + 12, 1); /* " 4294967295" */
		len += (size_t)sprintf(s + len, "%s%u", len ? " " : "", k);
	}
	free(there);
	return s;
}

/* Every load average measured on host: "shard 0: 0.52 ...; shard 2: ...". */
static char *host_loads(const struct merge *m, const char *host)
{
	char *s = xstrdup("");
	size_t i;

	for (i = 0; i < m->n_parts; i++) {
		const struct part *p = &m->parts[i];
		char *t;

		if (!p->used || strcmp(p->key[E_HOST], host) != 0)
			continue;
		t = xasprintf("%s%sshard %u: %s", s, *s ? "; " : "", p->k,
			      p->key[E_LOAD]);
		free(s);
		s = t;
	}
	return s;
}

static void host_block(const struct merge *m, const struct part *p,
		       struct csv_row *row)
{
	static const enum env_key keys[] = { E_CPU,    E_NCPU,	   E_KERNEL,
					     E_GIT,    E_COMPILER, E_BUILD,
					     E_CURL,   E_MHD,	   E_MHZ,
					     E_SCALING };
	char *shards = shard_list(m, p->key[E_HOST], false);
	char *loads = host_loads(m, p->key[E_HOST]);
	size_t i;

	pair(row, ENV_HOST, p->key[E_HOST]);
	pair(row, ENV_HOST_SHARDS, shards);
	pair(row, ENV_START_TIME_UTC, p->key[E_START]);
	for (i = 0; i < ARRAY_SIZE(keys); i++)
		pair(row, env_names[keys[i]], p->key[keys[i]]);
	pair(row, ENV_LOAD_AVERAGE, loads);
	free(shards);
	free(loads);
}

static int write_env(struct merge *m, struct csv_row *row)
{
	const struct part *r = m->ref;
	char *path = results_sibling(m->o->output, "env");
	char *merged = shard_list(m, NULL, false);
	char *absent = shard_list(m, NULL, true);
	char *cmd = argv_join(m->o->argc, m->o->argv);
	char n[16], when[32];
	time_t t = time(NULL);
	struct tm tm;
	size_t i, j;
	int rc;

	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(n, sizeof(n), "%u", m->n);
	pair(row, ENV_KEY, ENV_VALUE);
	pair(row, ENV_CONCUR_VERSION, r->key[E_VERSION]);
	pair(row, ENV_EXPERIMENT_FILE, r->key[E_FILE]);
	pair(row, ENV_EXPERIMENT_SHA256, r->key[E_SHA]);
	pair(row, ENV_ORDER, r->key[E_ORDER]);
	pair(row, ENV_BASELINE, r->key[E_BASELINE]);
	pair(row, ENV_OVERRIDES, r->key[E_OVERRIDES]);
	pair(row, ENV_SHARDS, n);
	pair(row, ENV_SHARDS_MERGED, merged);
	pair(row, ENV_SHARDS_MISSING, absent);
	pair(row, ENV_MERGE_TIME_UTC, when);
	pair(row, ENV_COMMAND_LINE, cmd);
	/* one block per host, in the order of its first shard */
	for (i = 0; i < m->n_parts; i++) {
		const struct part *p = &m->parts[i];

		if (!p->used)
			continue;
		for (j = 0; j < i; j++)
			if (m->parts[j].used && strcmp(m->parts[j].key[E_HOST],
						       p->key[E_HOST]) == 0)
				break;
		if (j == i)
			host_block(m, p, row);
	}
	rc = write_row_buffer(m, path, row);
	free(path);
	free(merged);
	free(absent);
	free(cmd);
	return rc;
}

/* ---- the table ---------------------------------------------------- */

/* Text of an untrusted file on the terminal: made safe the one way
 * (text_sanitize), padded to width bytes. */
static void print_clean(FILE *out, const char *s, int width)
{
	char *t = xstrdup(s);

	text_sanitize(t);
	fprintf(out, "%-*s", width, t);
	free(t);
}

static void print_block(const struct merge *m, size_t w)
{
	const struct part *from = NULL;
	size_t s;

	for (s = 0; s < m->S && !from; s++)
		from = m->cells[s * m->W + w].from;
	if (!from)
		return;
	fprintf(m->out, "\nworkload ");
	print_clean(m->out, m->wtext[w], 0);
	fprintf(m->out, "  (shard %u, on ", from->k);
	print_clean(m->out, from->key[E_HOST], 0);
	fprintf(m->out, ")\n  %-24s %14s %10s  status\n", "strategy", "median",
		"speedup");
	for (s = 0; s < m->S; s++) {
		const struct merged_cell *mc = &m->cells[s * m->W + w];
		char med[32];
		double x = speedup(m, s, w);

		if (!mc->f)
			continue;
		human_time(median_of(mc, m->c_median), med, sizeof(med));
		fprintf(m->out, "  ");
		print_clean(m->out, m->stext[s], 24);
		fprintf(m->out, " %14s %9.2fx  ", med, isfinite(x) ? x : NAN);
		print_clean(m->out, mc->f[m->c_status], 0);
		fputc('\n', m->out);
	}
}

/* Different CPU models make times of different workload cells
 * incomparable (each speedup stays within one machine). */
static int warn_cpus(const struct merge *m)
{
	size_t i, j, distinct = 0;

	for (i = 0; i < m->n_parts; i++) {
		const struct part *p = &m->parts[i];

		if (!p->cells_found)
			continue;
		for (j = 0; j < i; j++)
			if (m->parts[j].cells_found &&
			    strcmp(m->parts[j].key[E_CPU], p->key[E_CPU]) == 0)
				break;
		distinct += j == i;
	}
	if (distinct < 2)
		return 0;
	fprintf(m->out,
		"warning: cells ran on machines with %zu different CPU models; each speedup compares runs of one machine, but times of different workload cells are not comparable:\n",
		distinct);
	for (i = 0; i < m->n_parts; i++)
		if (m->parts[i].cells_found) {
			fprintf(m->out, "  shard %u on ", m->parts[i].k);
			print_clean(m->out, m->parts[i].key[E_HOST], 0);
			fprintf(m->out, ": ");
			print_clean(m->out, m->parts[i].key[E_CPU], 0);
			fputc('\n', m->out);
		}
	return 1;
}

/* Merged cells; *ret_bad: of them, not ok. */
static size_t count_cells(const struct merge *m, size_t *ret_bad)
{
	size_t i, n = 0;

	*ret_bad = 0;
	for (i = 0; i < m->S * m->W; i++)
		if (m->cells[i].f) {
			n++;
			*ret_bad +=
				strcmp(m->cells[i].f[m->c_status], "ok") != 0;
		}
	return n;
}

static void report(const struct merge *m)
{
	size_t w, bad, n = count_cells(m, &bad);

	for (w = 0; w < m->W; w++)
		print_block(m, w);
	fprintf(m->out, "\n(speedup: against [strategy ");
	print_clean(m->out, m->ref->key[E_BASELINE], 0);
	fprintf(m->out, "], within each shard's machine)\n");
	warn_cpus(m);
	if (bad)
		fprintf(m->out,
			"warning: %zu cells did not succeed; see their status and error columns\n",
			bad);
	fprintf(m->out, "merged: %zu of %zu cells from %u shards\n", n,
		m->S * m->W, m->n);
}

/* ---- the command -------------------------------------------------- */

/* OUT.csv is not named like a shard's file. */
static bool output_named_ok(struct merge *m)
{
	const char *o = m->o->output, *base = strrchr(o, '/');
	unsigned k, n;
	size_t stem;

	if (!shard_name(base ? base + 1 : o, &k, &n, &stem))
		return true;
	fatal(m,
	      "%s is a shard's file name: name the merged file after the experiment (e.g. results/NAME.csv)",
	      o);
	return false;
}

/*
 * The files merge writes for OUT.csv, or that a shard has (malloc'd): a
 * results set's files without the exports, which export_plan_merge checks.
 */
static void files_of(const char *csv, char *ret[MERGE_FILES])
{
	char *all[EXPORT_RESULTS_FILES];
	size_t i;

	export_results_files(csv, all);
	for (i = 0; i < EXPORT_RESULTS_FILES; i++)
		if (i < MERGE_FILES)
			ret[i] = all[i];
		else
			free(all[i]);
}

static void files_free(char *f[MERGE_FILES])
{
	size_t i;

	for (i = 0; i < MERGE_FILES; i++)
		free(f[i]);
}

/* No file merge writes is a file of one of its shards. */
static void check_collisions(struct merge *m)
{
	char *out[MERGE_FILES], *in[MERGE_FILES];
	size_t p, i, j;

	files_of(m->o->output, out);
	for (p = 0; p < m->n_parts && !m->n_fatal; p++) {
		files_of(m->parts[p].path, in);
		for (i = 0; i < MERGE_FILES && !m->n_fatal; i++)
			for (j = 0; j < MERGE_FILES && !m->n_fatal; j++)
				if (fileio_same_file(out[i], in[j]))
					fatal(m,
					      "%s would overwrite %s, a file of shard %u of %u: name the merged file after the experiment (e.g. results/NAME.csv)",
					      out[i], in[j], m->parts[p].k,
					      m->parts[p].n);
		files_free(in);
	}
	files_free(out);
}

/*
 * The results lock on OUT.csv, the one a run takes (reslock.h), held from
 * before OUT.csv is judged until the last file is written.
 */
static void take_lock(struct merge *m)
{
	char err[CONCUR_ERRLEN + PATH_MAX];
	int rc = results_make_folder(m->o->output);

	if (rc < 0) {
		fatal(m, "cannot create the folder of %s: %s", m->o->output,
		      strerror(-rc));
		return;
	}
	if (reslock_take(m->o->output, "name another OUT.csv", &m->lock_fd,
			 &m->created, err, sizeof(err)) < 0)
		fatal(m, "%s", err);
}

/*
 * Let go of the lock; an OUT.csv the lock created is removed again when
 * nothing was written (a refusal leaves things as they were).
 */
static void release_lock(struct merge *m)
{
	if (m->lock_fd < 0)
		return;
	if (m->created && !m->wrote)
		unlink(m->o->output);
	close(m->lock_fd);
	m->lock_fd = -1;
}

/* OUT.csv may be replaced: it is new, or merge wrote it, or --force. */
static void output_allowed(struct merge *m)
{
	char *env = results_sibling(m->o->output, "env");
	struct results_table *t = NULL;
	char err[CONCUR_ERRLEN];
	size_t i;
	bool merged = false;

	if (!m->created && !m->o->force) {
		if (results_table_read(env, &t, err, sizeof(err)) == 0)
			for (i = 0; i < t->n_rows; i++)
				merged |= !strcmp(t->rows[i].f[0],
						  ENV_SHARDS_MERGED);
		results_table_free(t);
		if (!merged)
			fatal(m,
			      "%s already exists and was not written by concur merge: use --force to overwrite it",
			      m->o->output);
	}
	free(env);
}

/* What a killed merge left beside the outputs: we hold the lock. */
static void remove_stale(const struct merge *m)
{
	char *out[MERGE_FILES];
	size_t i;

	files_of(m->o->output, out);
	for (i = 0; i < MERGE_FILES; i++)
		fileio_remove_stale(out[i]);
	files_free(out);
}

/*
 * The workbook beside the CSV files, as a run writes it; a warning only.
 * It reads the texts just written, taken over as results tables (no
 * copy: rows[] is left empty).
 */
static void write_workbook(struct merge *m, struct csv_row *rows)
{
	static const char *const suffix[4] = { "env", "runs", "matrix", NULL };
	struct results_table *t[4] = { NULL };
	char err[2 * CONCUR_ERRLEN], *path = xlsx_default_path(m->o->output);
	int rc = 0;
	size_t i;

	for (i = 0; i < 4 && rc == 0; i++) {
		char *name = suffix[i]
				     ? results_sibling(m->o->output, suffix[i])
				     : xstrdup(m->o->output);

		if (rows[i].len) /* csv_row keeps room for a NUL */
			rc = results_table_adopt(name, rows[i].buf, rows[i].len,
						 &t[i], err, sizeof(err));
		else
			free(rows[i].buf);
		csv_row_init(&rows[i]);
		free(name);
	}
	if (rc == 0)
		rc = xlsx_write(path,
				&(struct xlsx_source){ .summary = t[3],
						       .runs = t[1],
						       .matrix = t[2],
						       .env = t[0] },
				err, sizeof(err));
	if (rc < 0)
		diag_print(m->err, "merge: ", "warning: no workbook: %s", err);
	else
		fprintf(m->out, "workbook: %s\n", path);
	for (i = 0; i < 4; i++)
		results_table_free(t[i]);
	free(path);
}

static int write_all(struct merge *m)
{
	struct csv_row rows[4]; /* env, runs, matrix, summary */
	char err[2 * CONCUR_ERRLEN], *svg;
	size_t i;
	int rc;

	for (i = 0; i < ARRAY_SIZE(rows); i++)
		csv_row_init(&rows[i]);
	remove_stale(m);
	m->wrote = true;
	/* env first, like a run: a summary is never without its SHA-256 */
	rc = write_env(m, &rows[0]);
	if (rc == 0)
		rc = write_runs(m, &rows[1]);
	if (rc == 0)
		rc = write_matrix(m, &rows[2]);
	if (rc == 0)
		rc = write_summary(m, &rows[3]);
	if (rc == 0) {
		fprintf(m->out, "results: %s\n", m->o->output);
		svg = plot_default_path(m->o->output);
		if (plot_file(m->o->output, svg, err, sizeof(err)) < 0)
			diag_print(m->err, "merge: ", "warning: no chart: %s",
				   err);
		else
			fprintf(m->out, "chart:   %s\n", svg);
		free(svg);
		if (!m->o->no_xlsx)
			write_workbook(m, rows);
	}
	for (i = 0; i < ARRAY_SIZE(rows); i++)
		csv_row_free(&rows[i]);
	return rc;
}

static void free_merge(struct merge *m)
{
	size_t i, j;

	for (i = 0; i < m->n_parts; i++) {
		struct part *p = &m->parts[i];

		results_table_free(p->sum);
		results_table_free(p->runs);
		results_table_free(p->mat);
		results_table_free(p->env);
		for (j = 0; j < p->n_ids; j++)
			free(p->ids[j].id);
		free(p->ids);
		free(p->path);
		free(p->env_path);
		free(p->mat_path);
	}
	free(m->parts);
	free(m->stext);
	free(m->wtext);
	free(m->cells);
}

static int decide(struct merge *m)
{
	size_t bad, n;

	if (m->n_fatal)
		return 2;
	n = count_cells(m, &bad);
	if (m->n_missing && !m->o->partial) {
		diag_print(
			m->err, "merge: ",
			"nothing written; run the missing shards (or again with --resume), or add --partial to merge the %zu cells there are",
			n);
		return 2;
	}
	if (n == 0) {
		diag_print(m->err, "merge: ", "no cells to merge");
		return 2;
	}
	return -1; /* go on */
}

/*
 * Plan the exports (export.h) before anything is written: a bad one is
 * fatal.  A merge may replace the exports of the OUT.csv it may replace.
 */
static void plan_exports(struct merge *m, struct export_set *ex)
{
	const char **shards = xcalloc(m->n_parts + 1, sizeof(char *));
	char err[2 * CONCUR_ERRLEN];
	struct stat st;
	size_t i;

	for (i = 0; i < m->n_parts; i++)
		shards[i] = m->parts[i].path;
	if (export_plan_merge(ex, m->o->output, m->o->export_json,
			      m->o->export_markdown, shards, m->n_parts,
			      m->o->force || stat(m->o->output, &st) == 0, err,
			      sizeof(err)) < 0)
		fatal(m, "%s", err);
	free(shards);
}

/* The exports, from the merged files just written; 0 or 2. */
static int write_exports(struct merge *m, const struct export_set *ex)
{
	char err[2 * CONCUR_ERRLEN];

	if (export_write(ex, m->o->output, m->out, err, sizeof(err)) == 0)
		return 0;
	fprintf(m->err, "concur: merge: %s\n", err);
	return 2;
}

int merge_run(const struct merge_options *o, FILE *out, FILE *errout)
{
	struct merge m = { .o = o, .out = out, .err = errout, .lock_fd = -1 };
	struct export_set ex = { 0 };
	size_t i, bad;
	int rc;

	if (output_named_ok(&m))
		collect(&m);
	if (!m.n_fatal)
		check_collisions(&m);
	if (!m.n_fatal)
		take_lock(&m);
	if (!m.n_fatal)
		output_allowed(&m);
	for (i = 0; i < m.n_parts && !m.n_fatal; i++)
		read_part(&m, &m.parts[i]);
	if (!m.n_fatal && m.n_parts)
		check_shards(&m);
	if (!m.n_fatal && m.ref)
		gather(&m);
	if (!m.ref && !m.n_fatal)
		fatal(&m, "no readable shard to merge");
	if (!m.n_fatal)
		plan_exports(&m, &ex);
	rc = decide(&m);
	if (rc < 0) {
		report(&m);
		if (write_all(&m) < 0 || write_exports(&m, &ex))
			rc = 2;
		else if (m.n_missing)
			rc = 1;
		else
			rc = count_cells(&m, &bad) && bad ? 1 : 0;
	}
	release_lock(&m);
	free_merge(&m);
	export_set_free(&ex);
	return rc;
}

static const char merge_usage[] =
	"usage: concur merge OUT.csv SHARD_FILES_OR_FOLDER... [--partial] [--force]\n"
	"                    [--no-xlsx] [--export-json FILE] [--export-markdown FILE]\n"
	"  puts the shards of one experiment (concur run --shard, or the tasks of a\n"
	"  Slurm array / Kubernetes Indexed Job) back together into OUT.csv and its\n"
	"  -runs, -matrix and -env siblings\n"
	"  --partial   merge the shards there are; say what is missing (exit 1)\n"
	"  --force     overwrite an OUT.csv that concur merge did not write\n"
	"  --no-xlsx   write no workbook OUT.xlsx (as xlsx = false for a run)\n"
	"  --export-json FILE, --export-markdown FILE\n"
	"              also write the merged results in Google Benchmark's JSON\n"
	"              format / as a Markdown table (OUT.json / OUT.md are\n"
	"              written by themselves when the shards wrote theirs)\n";

int merge_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "partial", no_argument, NULL, 'p' },
		{ "force", no_argument, NULL, 'f' },
		{ "no-xlsx", no_argument, NULL, 'X' },
		{ "help", no_argument, NULL, 'h' },
		{ "export-json", required_argument, NULL, 'J' },
		{ "export-markdown", required_argument, NULL, 'M' },
		{ 0 },
	};
	struct merge_options o = { .argc = argc, .argv = argv };
	char **copy = xcalloc((size_t)argc + 1, sizeof(char *));
	int c, rc;

	/* getopt permutes argv: keep the command line as typed */
	memcpy(copy, argv, (size_t)argc * sizeof(char *));
	o.argv = copy;
	optind = 2;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'p') {
			o.partial = true;
		} else if (c == 'f') {
			o.force = true;
		} else if (c == 'X') {
			o.no_xlsx = true;
		} else if (c == 'J' || c == 'M') {
			*(c == 'J' ? &o.export_json : &o.export_markdown) =
				optarg;
		} else if (c == 'h') {
			printf("%s", merge_usage);
			free(copy);
			return 0;
		} else {
			diag_error("merge: unknown or incomplete option '%s'",
				   argv[optind - 1]);
			fputs(merge_usage, stderr);
			free(copy);
			return 2;
		}
	}
	if (argc - optind < 2) {
		fprintf(stderr,
			"concur: merge needs OUT.csv and at least one shard file or folder\n%s",
			merge_usage);
		free(copy);
		return 2;
	}
	o.output = argv[optind];
	o.inputs = (const char *const *)argv + optind + 1;
	o.n_inputs = (size_t)(argc - optind - 1);
	rc = merge_run(&o, stdout, stderr);
	free(copy);
	return rc;
}
