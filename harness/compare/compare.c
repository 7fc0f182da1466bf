/*
 * compare.c - `concur compare` (compare.h).  Reading: both sides' summary
 * and runs files into per-cell samples.  Deciding: ranktest.h on the log
 * wall times, into a struct compare_result that compare_table.c writes.
 */
#include "compare.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare_table.h"
#include "diag.h"
#include "fileio.h"
#include "ranktest.h"
#include "results.h"
#include "schema.h"
#include "stats.h"
#include "util.h"

/* The interval of the ratio: 95%, whatever alpha the verdict uses. */
#define COMPARE_LEVEL 0.95

/* ------------------------------------------------------------------
 * Reading one side
 * ---------------------------------------------------------------- */

/* The summary columns compare needs, by name. */
enum {
	SC_EXPERIMENT,
	SC_CELL,
	SC_STRATEGY,
	SC_WORKLOAD,
	SC_STATUS,
	SC_RUNS,
	SC_ERROR,
	SC_COUNT
};
static const char *const summary_columns[SC_COUNT] = {
	COLUMN_EXPERIMENT, COLUMN_CELL, COLUMN_STRATEGY, COLUMN_WORKLOAD,
	COLUMN_STATUS,	   COLUMN_RUNS, COLUMN_ERROR,
};

enum { RC_CELL, RC_WALL, RC_COUNT };
static const char *const runs_columns[RC_COUNT] = { COLUMN_CELL,
						    COLUMN_WALL_S };

struct samples {
	double *x; /* wall seconds of the measured runs, in run order */
	size_t n, cap;
};

struct side {
	const char *name; /* "BASE" or "NEW" */
	struct results_table *sum, *runs;
	size_t col[SC_COUNT];
	size_t *params; /* strategy.* and workload.* columns, in file order */
	size_t n_params;
	size_t *by_id;	       /* summary row indices sorted by cell id */
	struct samples *cells; /* per summary row */
	const char *experiment;
	double load;	/* from N-env.csv; NaN: unknown */
	unsigned ncpus; /* from N-env.csv; 0: unknown */
};

static const char *cell_id(const struct side *s, size_t row)
{
	return s->sum->rows[row].f[s->col[SC_CELL]];
}

static const char *field(const struct side *s, size_t row, size_t sc)
{
	return s->sum->rows[row].f[s->col[sc]];
}

static void side_free(struct side *s)
{
	size_t i;

	for (i = 0; s->cells && i < s->sum->n_rows; i++)
		free(s->cells[i].x);
	free(s->cells);
	free(s->by_id);
	free(s->params);
	results_table_free(s->sum);
	results_table_free(s->runs);
}

static int find_columns(struct side *s, char *err, size_t errlen)
{
	size_t k, i;

	for (k = 0; k < SC_COUNT; k++) {
		s->col[k] = results_table_column(s->sum, summary_columns[k]);
		if (s->col[k] == SIZE_MAX) {
			errf(err, errlen,
			     "%s: not a concur summary file: no '%s' column (compare the N.csv files, not N-runs.csv or N-matrix.csv)",
			     s->sum->path, summary_columns[k]);
			return -EINVAL;
		}
	}
	s->params = xcalloc(s->sum->n_columns + 1, sizeof(size_t));
	for (i = 0; i < s->sum->n_columns; i++)
		if (!strncmp(s->sum->header[i], "strategy.", 9) ||
		    !strncmp(s->sum->header[i], "workload.", 9))
			s->params[s->n_params++] = i;
	return 0;
}

/* Sorting and searching summary rows by cell id. */
static const struct side *sort_side;

static int by_id_cmp(const void *a, const void *b)
{
	return strcmp(cell_id(sort_side, *(const size_t *)a),
		      cell_id(sort_side, *(const size_t *)b));
}

/* Index the rows by cell id; a cell twice (or two experiments) is an error. */
static int index_cells(struct side *s, char *err, size_t errlen)
{
	const struct results_table *t = s->sum;
	size_t i;

	s->by_id = xcalloc(t->n_rows + 1, sizeof(size_t));
	for (i = 0; i < t->n_rows; i++) {
		s->by_id[i] = i;
		if (strcmp(field(s, i, SC_EXPERIMENT), s->experiment)) {
			errf(err, errlen,
			     "%s:%u: experiment '%s' in a file of experiment '%s' (line %u): one summary file holds one experiment",
			     t->path, t->rows[i].line,
			     field(s, i, SC_EXPERIMENT), s->experiment,
			     t->rows[0].line);
			return -EINVAL;
		}
	}
	sort_side = s;
	qsort(s->by_id, t->n_rows, sizeof(size_t), by_id_cmp);
	for (i = 1; i < t->n_rows; i++) {
		size_t a = s->by_id[i - 1], b = s->by_id[i];

		if (strcmp(cell_id(s, a), cell_id(s, b)) == 0) {
			errf(err, errlen,
			     "%s:%u: cell '%s' again (first at line %u): a summary file has one row per cell",
			     t->path, t->rows[a > b ? a : b].line,
			     cell_id(s, a), t->rows[a < b ? a : b].line);
			return -EINVAL;
		}
	}
	return 0;
}

/* The summary row of cell id; SIZE_MAX when the side has none. */
static size_t find_cell(const struct side *s, const char *id)
{
	size_t lo = 0, hi = s->sum->n_rows;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(id, cell_id(s, s->by_id[mid]));

		if (c == 0)
			return s->by_id[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return SIZE_MAX;
}

/* A run's wall seconds: empty = not measured (crashed, killed). */
static int parse_wall(const struct results_table *t, size_t r, size_t col,
		      double *ret, char *err, size_t errlen)
{
	const char *text = t->rows[r].f[col];
	char *end;

	*ret = NAN;
	if (!*text)
		return 0;
	*ret = strtod(text, &end);
	if (*end || !isfinite(*ret) || !(*ret > 0)) {
		errf(err, errlen,
		     "%s:%u: wall_s '%s' is not a positive number of seconds",
		     t->path, t->rows[r].line, text);
		return -EINVAL;
	}
	return 0;
}

static void samples_add(struct samples *s, double v)
{
	xgrow((void **)&s->x, &s->cap, s->n + 1, sizeof(double));
	s->x[s->n++] = v;
}

/*
 * Every measured run of every summary cell.  Runs of a cell the summary
 * lacks are those of a cell interrupted before its row was written: left
 * out, as --resume does.
 */
static int read_samples(struct side *s, char *err, size_t errlen)
{
	const struct results_table *t = s->runs;
	size_t col[RC_COUNT], k, r;

	for (k = 0; k < RC_COUNT; k++) {
		col[k] = results_table_column(t, runs_columns[k]);
		if (col[k] == SIZE_MAX) {
			errf(err, errlen,
			     "%s: not a concur runs file: no '%s' column",
			     t->path, runs_columns[k]);
			return -EINVAL;
		}
	}
	s->cells = xcalloc(s->sum->n_rows + 1, sizeof(*s->cells));
	for (r = 0; r < t->n_rows; r++) {
		size_t row = find_cell(s, t->rows[r].f[col[RC_CELL]]);
		double wall;

		if (parse_wall(t, r, col[RC_WALL], &wall, err, errlen) < 0)
			return -EINVAL;
		if (row != SIZE_MAX && !isnan(wall))
			samples_add(&s->cells[row], wall);
	}
	return 0;
}

/* The summary's run count must be what the runs file holds. */
static int check_counts(const struct side *s, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < s->sum->n_rows; i++) {
		const char *text = field(s, i, SC_RUNS);
		char *end;
		unsigned long long want = strtoull(text, &end, 10);

		if (!*text || *end || want != s->cells[i].n) {
			errf(err, errlen,
			     "%s:%u: cell '%s' has runs = '%s' but %s holds %zu measured runs of it: the two files do not belong together",
			     s->sum->path, s->sum->rows[i].line, cell_id(s, i),
			     text, s->runs->path, s->cells[i].n);
			return -EINVAL;
		}
		if (s->cells[i].n > RANKTEST_MAX_N) {
			errf(err, errlen,
			     "%s:%u: cell '%s' has %zu runs; compare takes at most %d per cell",
			     s->sum->path, s->sum->rows[i].line, cell_id(s, i),
			     s->cells[i].n, RANKTEST_MAX_N);
			return -E2BIG;
		}
	}
	return 0;
}

/*
 * Every text of a results file reaches the terminal (ids, errors, values):
 * a control character in a hostile file must not drive the terminal.
 */
static void sanitize_table(struct results_table *t)
{
	size_t r, c;

	for (c = 0; c < t->n_columns; c++)
		text_sanitize(t->header[c]);
	for (r = 0; r < t->n_rows; r++)
		for (c = 0; c < t->n_columns; c++)
			text_sanitize(t->rows[r].f[c]);
}

static void warn_torn(const struct results_table *t)
{
	if (t->dropped_tail)
		diag_warn(
			"%s: its last row is incomplete (an interrupted run?) and is left out",
			t->path);
}

/*
 * The machine's load when the side's runs started, from N-env.csv beside
 * it: optional (an older or hand-made file may lack it), so a missing or
 * unreadable one leaves the load unknown.  A merged file has a block per
 * host: the busiest counts.
 */
static int read_table(const struct compare_options *o, const char *path,
		      struct results_table **ret, char *err, size_t errlen)
{
	return (o->read_table ? o->read_table
			      : results_table_read)(path, ret, err, errlen);
}

static void read_load(const struct compare_options *o, struct side *s,
		      const char *path)
{
	char *env = results_sibling(path, "env"), err[CONCUR_ERRLEN];
	struct results_table *t = NULL;
	size_t i;

	s->load = NAN;
	s->ncpus = 0;
	if (read_table(o, env, &t, err, sizeof(err)) == 0 &&
	    t->n_columns >= 2) {
		for (i = 0; i < t->n_rows; i++) {
			const char *key = t->rows[i].f[0], *v = t->rows[i].f[1];
			double x = strtod(v, NULL);

			if (!strcmp(key, ENV_LOAD_AVERAGE) &&
			    (isnan(s->load) || x > s->load))
				s->load = x;
			if (!strcmp(key, ENV_CPU_COUNT) && x >= 1 && x < 1e6)
				s->ncpus = (unsigned)x;
		}
	}
	results_table_free(t);
	free(env);
}

static int side_read(const struct compare_options *o, struct side *s,
		     const char *name, const char *path, char *err,
		     size_t errlen)
{
	char *runs_path = results_sibling(path, "runs");
	int rc;

	s->name = name;
	rc = read_table(o, path, &s->sum, err, errlen);
	if (rc == 0) {
		sanitize_table(s->sum);
		rc = find_columns(s, err, errlen);
	}
	if (rc == 0 && o->read_table)
		rc = o->read_table(runs_path, &s->runs, err, errlen);
	else if (rc == 0) /* a million runs: hold the two columns used */
		rc = results_table_read_columns(runs_path, runs_columns,
						RC_COUNT, &s->runs, err,
						errlen);
	free(runs_path);
	if (rc == 0 && s->sum->n_rows == 0) {
		errf(err, errlen,
		     "%s: no cell has finished: nothing to compare", path);
		rc = -ENODATA;
	}
	if (rc < 0)
		return rc;
	s->experiment = field(s, 0, SC_EXPERIMENT);
	rc = index_cells(s, err, errlen);
	if (rc == 0)
		rc = read_samples(s, err, errlen);
	if (rc == 0)
		rc = check_counts(s, err, errlen);
	warn_torn(s->sum);
	warn_torn(s->runs);
	read_load(o, s, path);
	return rc;
}

/* ------------------------------------------------------------------
 * Can the two be compared?
 * ---------------------------------------------------------------- */

static bool has_param(const struct side *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n_params; i++)
		if (!strcmp(s->sum->header[s->params[i]], name))
			return true;
	return false;
}

/* The first parameter column of a that b lacks, or NULL. */
static const char *missing_param(const struct side *a, const struct side *b)
{
	size_t i;

	for (i = 0; i < a->n_params; i++)
		if (!has_param(b, a->sum->header[a->params[i]]))
			return a->sum->header[a->params[i]];
	return NULL;
}

static int check_comparable(const struct side *b, const struct side *n,
			    char *err, size_t errlen)
{
	const char *p;

	if (strcmp(b->experiment, n->experiment)) {
		errf(err, errlen,
		     "cannot compare different experiments: %s is '%s', %s is '%s'",
		     b->sum->path, b->experiment, n->sum->path, n->experiment);
		return -EINVAL;
	}
	if ((p = missing_param(b, n)) || (p = missing_param(n, b))) {
		const struct side *has = has_param(b, p) ? b : n;

		errf(err, errlen,
		     "cannot compare: the parameter columns differ: %s has '%s', %s does not (was the experiment file changed?)",
		     has->sum->path, p, (has == b ? n : b)->sum->path);
		return -EINVAL;
	}
	return 0;
}

/* ------------------------------------------------------------------
 * Deciding
 * ---------------------------------------------------------------- */

static void log_of(const struct samples *s, double *out)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		out[i] = log(s->x[i]);
}

static void judge(const struct compare_options *o, struct compare_cell *c)
{
	bool significant = c->p <= o->alpha;

	if (significant && c->ratio > 1 + o->threshold)
		c->verdict = COMPARE_SLOWER;
	else if (significant && c->ratio < 1 - o->threshold)
		c->verdict = COMPARE_FASTER;
	else
		c->verdict = COMPARE_SAME;
	if (c->verdict == COMPARE_SAME && significant)
		snprintf(
			c->note, sizeof(c->note),
			"a significant difference, but within the %g%% threshold",
			o->threshold * 100);
}

/* The statistics of one cell present on both sides. */
static void decide(const struct compare_options *o, const struct samples *b,
		   const struct samples *n, struct compare_cell *c)
{
	double *lb = xcalloc(b->n + 1, sizeof(double));
	double *ln = xcalloc(n->n + 1, sizeof(double));
	struct ranktest t;

	c->verdict = COMPARE_UNSURE;
	log_of(b, lb);
	log_of(n, ln);
	if (!b->n || !n->n) {
		snprintf(c->note, sizeof(c->note), "no measured run in %s",
			 b->n ? "NEW" : "BASE");
	} else if (ranktest_run(lb, b->n, ln, n->n, COMPARE_LEVEL, &t) == 0) {
		c->exact = t.exact;
		c->u = t.u;
		c->p = t.p;
		c->ratio = exp(t.shift);
		c->lo = exp(t.shift_low);
		c->hi = exp(t.shift_high);
		if (t.min_p > o->alpha)
			snprintf(
				c->note, sizeof(c->note),
				"%zu and %zu runs cannot reach alpha %g (the smallest p they allow is %.3g): %zu or more runs per side are needed",
				b->n, n->n, o->alpha, t.min_p,
				ranktest_runs_needed(o->alpha));
		else
			judge(o, c);
	}
	free(lb);
	free(ln);
}

/* What one side says of a cell (row SIZE_MAX: nothing). */
static void take_side(const struct side *s, size_t row, int which,
		      struct compare_cell *c)
{
	static const struct samples none;
	const struct samples *x = row == SIZE_MAX ? &none : &s->cells[row];

	c->runs[which] = x->n;
	c->median[which] = stats_median(x->x, x->n);
	if (row == SIZE_MAX)
		return;
	c->status[which] = field(s, row, SC_STATUS);
	c->error[which] = field(s, row, SC_ERROR);
}

/* Identity and parameter values of a cell, from its own side's row;
 * params are looked up by BASE's column names. */
static void identify(const struct side *s, size_t row,
		     const struct compare_result *r, struct compare_cell *c)
{
	size_t i;

	c->id = cell_id(s, row);
	c->experiment = field(s, row, SC_EXPERIMENT);
	c->strategy = field(s, row, SC_STRATEGY);
	c->workload = field(s, row, SC_WORKLOAD);
	c->params = xcalloc(r->n_params + 1, sizeof(char *));
	for (i = 0; i < r->n_params; i++)
		c->params[i] = s->sum->rows[row].f[results_table_column(
			s->sum, r->param_names[i])];
	c->ratio = c->lo = c->hi = c->p = c->u = NAN;
}

static void compare_one(const struct compare_options *o, const struct side *b,
			size_t rb, const struct side *n, size_t rn,
			struct compare_result *r)
{
	struct compare_cell *c = &r->cells[r->n_cells++];

	identify(rb != SIZE_MAX ? b : n, rb != SIZE_MAX ? rb : rn, r, c);
	take_side(b, rb, COMPARE_BASE, c);
	take_side(n, rn, COMPARE_NEW, c);
	if (rb == SIZE_MAX || rn == SIZE_MAX)
		c->verdict =
			rb == SIZE_MAX ? COMPARE_ONLY_NEW : COMPARE_ONLY_BASE;
	else if (!compare_side_ok(c, COMPARE_BASE) ||
		 !compare_side_ok(c, COMPARE_NEW))
		c->verdict = COMPARE_NOT_OK;
	else
		decide(o, &b->cells[rb], &n->cells[rn], c);
	r->tally[c->verdict]++;
}

/* Count one differing parameter value of a matched cell. */
static void note_diff(struct compare_result *r, size_t *cap, const char *name,
		      const char *vb, const char *vn)
{
	size_t j;

	for (j = 0; j < r->n_diffs; j++)
		if (!strcmp(r->diffs[j].column, name) &&
		    !strcmp(r->diffs[j].base, vb) &&
		    !strcmp(r->diffs[j].new_value, vn))
			break;
	if (j == r->n_diffs) {
		xgrow((void **)&r->diffs, cap, r->n_diffs + 1,
		      sizeof(*r->diffs));
		r->diffs[r->n_diffs++] =
			(struct compare_param_diff){ name, vb, vn, 0 };
	}
	r->diffs[j].cells++;
}

/* One note per (column, BASE value, NEW value) that differs. */
static void param_diffs(const struct side *n, struct compare_result *r)
{
	size_t cap = 0, i, k;

	for (i = 0; i < r->n_cells; i++) {
		const struct compare_cell *c = &r->cells[i];
		size_t rn;

		if (c->verdict >= COMPARE_ONLY_BASE)
			continue;
		rn = find_cell(n, c->id);
		for (k = 0; k < r->n_params; k++) {
			const char *vn =
				n->sum->rows[rn].f[results_table_column(
					n->sum, r->param_names[k])];

			if (strcmp(c->params[k], vn))
				note_diff(r, &cap, r->param_names[k],
					  c->params[k], vn);
		}
	}
}

/* Cells of BASE in its order, then those only in NEW in theirs. */
static void compare_all(const struct compare_options *o, const struct side *b,
			const struct side *n, struct compare_result *r)
{
	size_t i;

	r->opts = o;
	r->load[COMPARE_BASE] = b->load;
	r->load[COMPARE_NEW] = n->load;
	r->ncpus[COMPARE_BASE] = b->ncpus;
	r->ncpus[COMPARE_NEW] = n->ncpus;
	r->experiment = b->experiment;
	r->base_path = b->sum->path;
	r->new_path = n->sum->path;
	r->n_params = b->n_params;
	r->param_names = xcalloc(b->n_params + 1, sizeof(char *));
	for (i = 0; i < b->n_params; i++)
		r->param_names[i] = b->sum->header[b->params[i]];
	r->cells =
		xcalloc(b->sum->n_rows + n->sum->n_rows + 1, sizeof(*r->cells));
	for (i = 0; i < b->sum->n_rows; i++)
		compare_one(o, b, i, n, find_cell(n, cell_id(b, i)), r);
	for (i = 0; i < n->sum->n_rows; i++)
		if (find_cell(b, cell_id(n, i)) == SIZE_MAX)
			compare_one(o, b, SIZE_MAX, n, i, r);
	param_diffs(n, r);
}

/* A cell not ok on a side, matched or not, fails the comparison. */
static bool any_not_ok(const struct compare_result *r)
{
	size_t i;

	for (i = 0; i < r->n_cells; i++)
		if (!compare_side_ok(&r->cells[i], COMPARE_BASE) ||
		    !compare_side_ok(&r->cells[i], COMPARE_NEW))
			return true;
	return false;
}

static void result_free(struct compare_result *r)
{
	size_t i;

	for (i = 0; i < r->n_cells; i++)
		free(r->cells[i].params);
	free(r->cells);
	free(r->param_names);
	free(r->diffs);
}

/* ------------------------------------------------------------------
 * The command
 * ---------------------------------------------------------------- */

/* -o names neither an input (any of the six files) nor, without --force,
 * an existing file: checked before anything is read or printed. */
static int output_allowed(const struct compare_options *o, char *err,
			  size_t errlen)
{
	char *in[6] = { xstrdup(o->base),
			results_sibling(o->base, "runs"),
			results_sibling(o->base, "env"),
			xstrdup(o->new_path),
			results_sibling(o->new_path, "runs"),
			results_sibling(o->new_path, "env") };
	size_t i;
	int rc = fileio_output_allowed(
		o->output, (const char *const *)in, ARRAY_SIZE(in),
		"an input of this comparison", o->force, err, errlen);

	for (i = 0; i < ARRAY_SIZE(in); i++)
		free(in[i]);
	return rc;
}

int compare_run(const struct compare_options *o, FILE *out)
{
	struct side b = { 0 }, n = { 0 };
	struct compare_result r = { 0 };
	char err[4 * CONCUR_ERRLEN] = "";
	int rc = o->output ? output_allowed(o, err, sizeof(err)) : 0;

	if (rc == 0)
		rc = side_read(o, &b, "BASE", o->base, err, sizeof(err));
	if (rc == 0)
		rc = side_read(o, &n, "NEW", o->new_path, err, sizeof(err));
	if (rc == 0)
		rc = check_comparable(&b, &n, err, sizeof(err));
	if (rc == 0) {
		compare_all(o, &b, &n, &r);
		if (o->markdown)
			compare_print_markdown(out, &r);
		else
			compare_print_terminal(out, &r);
		fflush(out);
		if (o->output)
			rc = compare_write_csv(&r, o->output, err, sizeof(err));
	}
	if (rc < 0)
		diag_error("compare: %s", err);
	else if (any_not_ok(&r))
		rc = COMPARE_EXIT_NOT_OK;
	else if (r.tally[COMPARE_SLOWER])
		rc = COMPARE_EXIT_SLOWER;
	result_free(&r);
	side_free(&b);
	side_free(&n);
	return rc < 0 ? COMPARE_EXIT_USAGE : rc;
}

static const char compare_usage[] =
	"usage: concur compare BASE.csv NEW.csv [--threshold 5%] [--alpha 0.05] [--markdown] [-o OUT.csv [--force]]\n";

static int compare_usage_error(const char *what, const char *arg)
{
	diag_error("compare: %s%s%s", what, arg ? " " : "", arg ? arg : "");
	fputs(compare_usage, stderr);
	return COMPARE_EXIT_USAGE;
}

/*
 * "5%" -> 0.05; 0% to below 100%.  The % sign is required: "0.05" could
 * mean 5% or 0.05%, and a silent wrong guess would hide slowdowns.
 */
static int parse_threshold(const char *text, double *ret)
{
	char *end;
	double v = strtod(text, &end);

	if (end == text || strcmp(end, "%") || !(v >= 0) || !(v < 100))
		return -EINVAL;
	*ret = v / 100;
	return 0;
}

static int parse_alpha(const char *text, double *ret)
{
	char *end;
	double v = strtod(text, &end);

	if (end == text || *end || !(v > 0) || !(v < 1))
		return -EINVAL;
	*ret = v;
	return 0;
}

int compare_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "threshold", required_argument, NULL, 't' },
		{ "alpha", required_argument, NULL, 'a' },
		{ "markdown", no_argument, NULL, 'm' },
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ 0 },
	};
	struct compare_options o = { .threshold = COMPARE_DEFAULT_THRESHOLD,
				     .alpha = COMPARE_DEFAULT_ALPHA };
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		if (c == 't' && parse_threshold(optarg, &o.threshold) < 0)
			return compare_usage_error(
				"--threshold takes a percentage from 0% to below 100% (such as 5%), not",
				optarg);
		if (c == 'a' && parse_alpha(optarg, &o.alpha) < 0)
			return compare_usage_error(
				"--alpha takes a number between 0 and 1 (0.05), not",
				optarg);
		if (c == 'm')
			o.markdown = true;
		if (c == 'o')
			o.output = optarg;
		if (c == 'f')
			o.force = true;
		if (c == '?' || c == ':')
			return compare_usage_error(
				"unknown or incomplete option",
				argv[optind - 1]);
	}
	if (argc - optind != 2)
		return compare_usage_error(
			"needs two summary files, BASE.csv and NEW.csv", NULL);
	o.base = argv[optind];
	o.new_path = argv[optind + 1];
	return compare_run(&o, stdout);
}
