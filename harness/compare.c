/*
 * compare.c - `concur compare` (compare.h).  Reading: both sides' summary
 * and runs files into per-cell samples.  Deciding: ranktest.h on the log
 * wall times.  Writing: the terminal or Markdown table and the CSV.
 */
#include "compare.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "fileio.h"
#include "ranktest.h"
#include "results.h"
#include "stats.h"
#include "util.h"

/* The interval of the ratio: 95%, whatever alpha the verdict uses. */
#define COMPARE_LEVEL 0.95
/* Significant digits of seconds and ratios in the CSV (as N.csv). */
#define SIG_SECONDS 9
#define SIG_RATIO 6

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
	"experiment", "cell", "strategy", "workload", "status", "runs", "error",
};

enum { RC_CELL, RC_WALL, RC_COUNT };
static const char *const runs_columns[RC_COUNT] = { "cell", "wall_s" };

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
		fprintf(stderr,
			"concur: %s: its last row is incomplete (an interrupted run?) and is left out\n",
			t->path);
}

static int side_read(struct side *s, const char *name, const char *path,
		     char *err, size_t errlen)
{
	char *runs_path = results_sibling(path, "runs");
	int rc;

	s->name = name;
	rc = results_table_read(path, &s->sum, err, errlen);
	if (rc == 0) {
		sanitize_table(s->sum);
		rc = find_columns(s, err, errlen);
	}
	if (rc == 0)
		rc = results_table_read(runs_path, &s->runs, err, errlen);
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

enum verdict { V_FASTER, V_SLOWER, V_SAME, V_UNSURE, V_ONLY_BASE, V_ONLY_NEW };

static const char *verdict_name(enum verdict v)
{
	static const char *const names[] = { "faster",	     "slower",
					     "same",	     "unsure",
					     "only_in_base", "only_in_new" };

	return names[v];
}

struct cell_cmp {
	const struct side *side; /* where cell, strategy, workload come from */
	size_t row_b, row_n;	 /* SIZE_MAX when missing on that side */
	size_t nb, nn;
	double med_b, med_n;
	double ratio, lo, hi, p, u;
	bool tested, exact;
	enum verdict v;
	char note[160];
};

static void log_of(const struct samples *s, double *out)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		out[i] = log(s->x[i]);
}

static void judge(const struct compare_options *o, struct cell_cmp *c)
{
	bool significant = c->p <= o->alpha;

	if (significant && c->ratio > 1 + o->threshold)
		c->v = V_SLOWER;
	else if (significant && c->ratio < 1 - o->threshold)
		c->v = V_FASTER;
	else
		c->v = V_SAME;
	if (c->v == V_SAME && significant)
		snprintf(
			c->note, sizeof(c->note),
			"a significant difference, but within the %g%% threshold",
			o->threshold * 100);
}

static void compare_cell(const struct compare_options *o,
			 const struct samples *b, const struct samples *n,
			 struct cell_cmp *c)
{
	double *lb = xcalloc(b->n + 1, sizeof(double));
	double *ln = xcalloc(n->n + 1, sizeof(double));
	struct ranktest t;

	c->nb = b->n;
	c->nn = n->n;
	c->med_b = stats_median(b->x, b->n);
	c->med_n = stats_median(n->x, n->n);
	c->ratio = c->lo = c->hi = c->p = c->u = NAN;
	c->v = V_UNSURE;
	log_of(b, lb);
	log_of(n, ln);
	if (!b->n || !n->n) {
		snprintf(c->note, sizeof(c->note), "no measured run in %s",
			 b->n ? "NEW" : "BASE");
	} else if (ranktest_run(lb, b->n, ln, n->n, COMPARE_LEVEL, &t) == 0) {
		c->tested = true;
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

/* Cells of BASE in its order, then those only in NEW in theirs. */
static struct cell_cmp *compare_all(const struct compare_options *o,
				    const struct side *b, const struct side *n,
				    size_t *ret_count)
{
	size_t cap = b->sum->n_rows + n->sum->n_rows + 1, k = 0, i;
	struct cell_cmp *all = xcalloc(cap, sizeof(*all));
	static const struct samples none;

	for (i = 0; i < b->sum->n_rows; i++, k++) {
		struct cell_cmp *c = &all[k];

		c->side = b;
		c->row_b = i;
		c->row_n = find_cell(n, cell_id(b, i));
		compare_cell(o, &b->cells[i],
			     c->row_n == SIZE_MAX ? &none : &n->cells[c->row_n],
			     c);
		if (c->row_n == SIZE_MAX) {
			c->v = V_ONLY_BASE;
			c->note[0] = '\0';
		}
	}
	for (i = 0; i < n->sum->n_rows; i++) {
		if (find_cell(b, cell_id(n, i)) != SIZE_MAX)
			continue;
		all[k].side = n;
		all[k].row_b = SIZE_MAX;
		all[k].row_n = i;
		compare_cell(o, &none, &n->cells[i], &all[k]);
		all[k].v = V_ONLY_NEW;
		all[k++].note[0] = '\0';
	}
	*ret_count = k;
	return all;
}

static size_t own_row(const struct cell_cmp *c)
{
	return c->row_b != SIZE_MAX ? c->row_b : c->row_n;
}

/* ------------------------------------------------------------------
 * Writing
 * ---------------------------------------------------------------- */

/* A duration with a unit that suits its size, as the run report has it. */
static void human_time(double s, char *buf, size_t len)
{
	if (isnan(s))
		snprintf(buf, len, "-");
	else if (s < 1e-3)
		snprintf(buf, len, "%.2f us", s * 1e6);
	else if (s < 1)
		snprintf(buf, len, "%.3f ms", s * 1e3);
	else
		snprintf(buf, len, "%.4f s", s);
}

static void format_p(double p, char *buf, size_t len)
{
	if (isnan(p))
		snprintf(buf, len, "-");
	else if (p < 0.001)
		snprintf(buf, len, "<0.001");
	else
		snprintf(buf, len, "%.3f", p);
}

/* "1.100 (1.098-1.102)", "1.000 (no 95% interval)", "-" */
static void format_ratio(const struct cell_cmp *c, const char *dash, char *buf,
			 size_t len)
{
	if (isnan(c->ratio))
		snprintf(buf, len, "-");
	else if (isnan(c->lo))
		snprintf(buf, len, "%.3f (no CI)", c->ratio);
	else
		snprintf(buf, len, "%.3f (%.3f%s%.3f)", c->ratio, c->lo, dash,
			 c->hi);
}

/* "slower +10.0%" */
static void format_verdict(const struct cell_cmp *c, char *buf, size_t len)
{
	if (c->v == V_ONLY_BASE || c->v == V_ONLY_NEW)
		snprintf(buf, len, "only in %s",
			 c->v == V_ONLY_BASE ? "BASE" : "NEW");
	else if (c->v == V_SLOWER || c->v == V_FASTER)
		snprintf(buf, len, "%s %+.1f%%", verdict_name(c->v),
			 (c->ratio - 1) * 100);
	else
		snprintf(buf, len, "%s", verdict_name(c->v));
}

struct tally {
	size_t v[V_ONLY_NEW + 1];
};

static void count(const struct cell_cmp *all, size_t n, struct tally *t)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < n; i++)
		t->v[all[i].v]++;
}

/* "1 slower, 2 faster, 10 same, 1 unsure; 1 only in BASE" */
static void summary_line(const struct tally *t, char *buf, size_t len)
{
	int k = snprintf(
		buf, len, "%zu slower, %zu faster, %zu same, %zu unsure",
		t->v[V_SLOWER], t->v[V_FASTER], t->v[V_SAME], t->v[V_UNSURE]);

	if (t->v[V_ONLY_BASE] && k > 0 && (size_t)k < len)
		k += snprintf(buf + k, len - (size_t)k, "; %zu only in BASE",
			      t->v[V_ONLY_BASE]);
	if (t->v[V_ONLY_NEW] && k > 0 && (size_t)k < len)
		snprintf(buf + k, len - (size_t)k, "; %zu only in NEW",
			 t->v[V_ONLY_NEW]);
}

/* One note per (column, base value, new value) that differs. */
struct param_diff {
	const char *column, *base, *new_value;
	size_t cells;
};

static size_t param_diffs(const struct side *b, const struct side *n,
			  const struct cell_cmp *all, size_t count_cells,
			  struct param_diff **ret)
{
	struct param_diff *d = NULL;
	size_t nd = 0, cap = 0, i, k, j;

	for (i = 0; i < count_cells; i++) {
		if (all[i].row_b == SIZE_MAX || all[i].row_n == SIZE_MAX)
			continue;
		for (k = 0; k < b->n_params; k++) {
			const char *name = b->sum->header[b->params[k]];
			const char *vb =
				b->sum->rows[all[i].row_b].f[b->params[k]];
			const char *vn =
				n->sum->rows[all[i].row_n]
					.f[results_table_column(n->sum, name)];

			if (!strcmp(vb, vn))
				continue;
			for (j = 0; j < nd; j++)
				if (!strcmp(d[j].column, name) &&
				    !strcmp(d[j].base, vb) &&
				    !strcmp(d[j].new_value, vn))
					break;
			if (j == nd) {
				xgrow((void **)&d, &cap, nd + 1, sizeof(*d));
				d[nd++] =
					(struct param_diff){ name, vb, vn, 0 };
			}
			d[j].cells++;
		}
	}
	*ret = d;
	return nd;
}

struct report {
	const struct compare_options *o;
	const struct side *b, *n;
	struct cell_cmp *all;
	size_t count;
	struct tally tally;
	struct param_diff *diffs;
	size_t n_diffs;
};

static int id_width(const struct report *r)
{
	size_t w = 4, i;

	for (i = 0; i < r->count; i++) {
		size_t len =
			strlen(cell_id(r->all[i].side, own_row(&r->all[i])));

		if (len > w)
			w = len;
	}
	return (int)(w > 60 ? 60 : w);
}

/* Cells named in one grouped note; the rest are counted. */
#define NOTE_NAMES 4

/* Has an earlier cell the same verdict and note as cell i? */
static bool note_seen(const struct report *r, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (r->all[j].v == r->all[i].v &&
		    !strcmp(r->all[j].note, r->all[i].note))
			return true;
	return false;
}

/*
 * "unsure: sync/a, sync/b and 3 more: 3 and 3 runs cannot ...": cells
 * with the same verdict and note share one line, so ten cells with three
 * runs each make one note, not ten.
 */
static void print_note_group(FILE *out, const struct report *r, size_t i,
			     const char *bullet)
{
	const struct cell_cmp *c = &r->all[i];
	size_t j, named = 0, more = 0;

	fprintf(out, "%s%s: ", bullet, verdict_name(c->v));
	for (j = i; j < r->count; j++) {
		const struct cell_cmp *d = &r->all[j];

		if (d->v != c->v || strcmp(d->note, c->note))
			continue;
		if (named++ < NOTE_NAMES)
			fprintf(out, "%s%s", named > 1 ? ", " : "",
				cell_id(d->side, own_row(d)));
		else
			more++;
	}
	if (more)
		fprintf(out, " and %zu more", more);
	fprintf(out, ": %s\n", c->note);
}

static void print_status(FILE *out, const struct side *s, size_t row,
			 const char *id, const char *bullet)
{
	if (row == SIZE_MAX || !strcmp(field(s, row, SC_STATUS), "ok"))
		return;
	fprintf(out, "%s%s: status %s in %s: %s\n", bullet, id,
		field(s, row, SC_STATUS), s->name, field(s, row, SC_ERROR));
}

/* The notes under a table: verdicts that need a word, cells that did not
 * finish ok, parameters whose values differ. */
static void print_notes(FILE *out, const struct report *r, const char *bullet)
{
	size_t i;

	for (i = 0; i < r->count; i++)
		if (r->all[i].note[0] && !note_seen(r, i))
			print_note_group(out, r, i, bullet);
	for (i = 0; i < r->count; i++) {
		const struct cell_cmp *c = &r->all[i];
		const char *id = cell_id(c->side, own_row(c));

		print_status(out, r->b, c->row_b, id, bullet);
		print_status(out, r->n, c->row_n, id, bullet);
	}
	for (i = 0; i < r->n_diffs; i++)
		fprintf(out,
			"%sparameter %s differs: %s in BASE, %s in NEW (%zu cell%s)\n",
			bullet, r->diffs[i].column, r->diffs[i].base,
			r->diffs[i].new_value, r->diffs[i].cells,
			r->diffs[i].cells == 1 ? "" : "s");
}

/* How the numbers were made, its three parts joined by sep. */
static void method_text(const struct report *r, const char *sep, char *buf,
			size_t len)
{
	snprintf(
		buf, len,
		"ratio: new/base, Hodges-Lehmann estimate over log run times with its 95%% distribution-free interval;%sp: two-sided Mann-Whitney U, exact without ties under %d runs a side, else normal with tie and continuity corrections;%sverdict at alpha %g; changes within %g%% count as same",
		sep, RANKTEST_EXACT_MAX, sep, r->o->alpha,
		r->o->threshold * 100);
}

static void print_terminal(FILE *out, const struct report *r)
{
	int w = id_width(r);
	char line[512];
	size_t i;

	fprintf(out, "compare %s: BASE %s, NEW %s\n\n", r->b->experiment,
		r->b->sum->path, r->n->sum->path);
	fprintf(out, "  %-*s %7s %12s %12s  %-28s %7s  %s\n", w, "cell", "runs",
		"base median", "new median", "ratio (95% CI)", "p", "verdict");
	for (i = 0; i < r->count; i++) {
		const struct cell_cmp *c = &r->all[i];
		char runs[32], mb[32], mn[32], ratio[64], p[16], v[48];

		snprintf(runs, sizeof(runs), "%zu/%zu", c->nb, c->nn);
		human_time(c->med_b, mb, sizeof(mb));
		human_time(c->med_n, mn, sizeof(mn));
		format_ratio(c, "-", ratio, sizeof(ratio));
		format_p(c->p, p, sizeof(p));
		format_verdict(c, v, sizeof(v));
		fprintf(out, "  %-*s %7s %12s %12s  %-28s %7s  %s\n", w,
			cell_id(c->side, own_row(c)), runs, mb, mn, ratio, p,
			v);
	}
	fprintf(out, "\n");
	print_notes(out, r, "  ");
	method_text(r, "\n ", line, sizeof(line));
	fprintf(out, "(%s)\n\n", line);
	summary_line(&r->tally, line, sizeof(line));
	fprintf(out, "%s\n", line);
}

/* Text safe inside a Markdown table cell. */
static void md_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\n' || *s == '\r')
			fputc(' ', out);
		else if (strchr("\\`*_{}[]<>()#+!|~&", *s))
			fprintf(out, "\\%c", *s);
		else
			fputc(*s, out);
	}
}

static void print_markdown(FILE *out, const struct report *r)
{
	char line[512];
	size_t i;

	summary_line(&r->tally, line, sizeof(line));
	fprintf(out, "### concur compare: ");
	md_text(out, r->b->experiment);
	fprintf(out, "\n\n**%s**\n\n", line);
	fprintf(out,
		"| cell | runs | base median | new median | ratio (95%% CI) | p | verdict |\n"
		"|:--|--:|--:|--:|:--|--:|:--|\n");
	for (i = 0; i < r->count; i++) {
		const struct cell_cmp *c = &r->all[i];
		char mb[32], mn[32], ratio[64], p[16], v[48];

		human_time(c->med_b, mb, sizeof(mb));
		human_time(c->med_n, mn, sizeof(mn));
		format_ratio(c, "–", ratio, sizeof(ratio));
		format_p(c->p, p, sizeof(p));
		format_verdict(c, v, sizeof(v));
		fprintf(out, "| ");
		md_text(out, cell_id(c->side, own_row(c)));
		fprintf(out, " | %zu / %zu | %s | %s | %s | %s | %s%s%s |\n",
			c->nb, c->nn, mb, mn, ratio, p,
			c->v == V_SLOWER ? "**" : "", v,
			c->v == V_SLOWER ? "**" : "");
	}
	fprintf(out, "\n");
	print_notes(out, r, "- ");
	method_text(r, " ", line, sizeof(line));
	fprintf(out, "\n<sub>%s</sub>\n", line);
}

/* ---- CSV ---------------------------------------------------------- */

static const char *const csv_tail[] = {
	"base_runs", "new_runs",       "base_median_s",	  "new_median_s",
	"ratio",     "ratio_ci95_low", "ratio_ci95_high", "mann_whitney_u",
	"p_value",   "p_method",       "verdict",	  "note",
};

static void csv_header(struct csv_row *row, const struct side *b)
{
	size_t i;

	for (i = 0; i < 4; i++)
		csv_add_text(row, summary_columns[i]);
	for (i = 0; i < b->n_params; i++)
		csv_add_text(row, b->sum->header[b->params[i]]);
	for (i = 0; i < ARRAY_SIZE(csv_tail); i++)
		csv_add_text(row, csv_tail[i]);
	csv_row_end(row);
}

/* A parameter's value: integers as numbers, the rest as text (as N.csv). */
static void csv_param(struct csv_row *row, const char *text)
{
	char *end;
	long long v = strtoll(text, &end, 10);

	if (*text && !*end && strlen(text) <= 18 &&
	    (text[0] == '-' || (text[0] >= '0' && text[0] <= '9')))
		csv_add_int(row, v);
	else
		csv_add_text(row, text);
}

static void csv_cell(struct csv_row *row, const struct report *r,
		     const struct cell_cmp *c)
{
	const struct side *s = c->side;
	size_t own = own_row(c), i;

	for (i = 0; i < 4; i++)
		csv_add_text(row, field(s, own, (size_t)i));
	for (i = 0; i < r->b->n_params; i++)
		csv_param(row,
			  s->sum->rows[own].f[results_table_column(
				  s->sum, r->b->sum->header[r->b->params[i]])]);
	csv_add_uint(row, c->nb);
	csv_add_uint(row, c->nn);
	csv_add_real(row, c->med_b, SIG_SECONDS);
	csv_add_real(row, c->med_n, SIG_SECONDS);
	csv_add_real(row, c->ratio, SIG_RATIO);
	csv_add_real(row, c->lo, SIG_RATIO);
	csv_add_real(row, c->hi, SIG_RATIO);
	csv_add_real(row, c->u, SIG_RATIO);
	csv_add_real(row, c->p, SIG_RATIO);
	csv_add_text(row, !c->tested ? "" : c->exact ? "exact" : "normal");
	csv_add_text(row, verdict_name(c->v));
	csv_add_text(row, c->note);
	csv_row_end(row);
}

static int write_csv(const struct report *r, char *err, size_t errlen)
{
	struct csv_row row;
	size_t i;
	int rc;

	csv_row_init(&row);
	csv_header(&row, r->b);
	for (i = 0; i < r->count; i++)
		csv_cell(&row, r, &r->all[i]);
	rc = fileio_replace(r->o->output, row.buf ? row.buf : "", row.len, err,
			    errlen);
	csv_row_free(&row);
	return rc;
}

/* ------------------------------------------------------------------
 * The command
 * ---------------------------------------------------------------- */

int compare_run(const struct compare_options *o, FILE *out)
{
	struct side b = { 0 }, n = { 0 };
	struct report r = { .o = o, .b = &b, .n = &n };
	char err[4 * CONCUR_ERRLEN] = "";
	int rc = side_read(&b, "BASE", o->base, err, sizeof(err));

	if (rc == 0)
		rc = side_read(&n, "NEW", o->new_path, err, sizeof(err));
	if (rc == 0)
		rc = check_comparable(&b, &n, err, sizeof(err));
	if (rc == 0) {
		r.all = compare_all(o, &b, &n, &r.count);
		count(r.all, r.count, &r.tally);
		r.n_diffs = param_diffs(&b, &n, r.all, r.count, &r.diffs);
		if (o->markdown)
			print_markdown(out, &r);
		else
			print_terminal(out, &r);
		fflush(out);
		if (o->output)
			rc = write_csv(&r, err, sizeof(err));
	}
	if (rc < 0)
		fprintf(stderr, "concur: compare: %s\n", err);
	else if (r.tally.v[V_SLOWER])
		rc = COMPARE_EXIT_SLOWER;
	free(r.all);
	free(r.diffs);
	side_free(&b);
	side_free(&n);
	return rc < 0 ? COMPARE_EXIT_USAGE : rc;
}

static const char compare_usage[] =
	"usage: concur compare BASE.csv NEW.csv [--threshold 5%] [--alpha 0.05] [--markdown] [-o OUT.csv]\n";

static int compare_usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "concur: compare: %s%s%s\n%s", what, arg ? " " : "",
		arg ? arg : "", compare_usage);
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
