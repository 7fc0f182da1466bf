/*
 * xlsx_chart.c - the charts sheet of the workbook: the pictures `concur
 * plot` draws (see plot.h) as native spreadsheet charts that stay live when
 * the user edits the data, with one median chart per workload cell instead
 * of one grouped chart, so each workload cell gets an axis that fits it.
 *
 * Layout: the charts stacked in columns A-K; the tables they read from
 * column M on (the medians themselves come from the matrix sheet).
 */
#include "xlsx_chart.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "schema.h"
#include "util.h"
#include "xlsx_text.h"

#define SHEET "charts"
#define DATA_COL 12   /* column M: the chart tables */
#define MAX_SERIES 64 /* per chart: beyond this a legend is unreadable */
#define ROW_PX 20.0   /* default row height in pixels */
#define CHART_W 480.0 /* libxlsxwriter's default chart size */
#define CHART_H 288.0
#define LOG_SPAN 100.0 /* medians spanning more: logarithmic axis */

struct sheet {
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *bold, *seconds;
	unsigned chart_row; /* next free row for a chart */
	unsigned data_row;  /* next free row of the tables */
};

void xlsx_errbars_free(struct xlsx_errbars *e)
{
	size_t i;

	for (i = 0; i < e->n; i++) {
		free(e->bars[i].minus);
		free(e->bars[i].plus);
		free(e->bars[i].minus_v);
		free(e->bars[i].plus_v);
	}
	free(e->bars);
	e->bars = NULL;
	e->n = 0;
}

static void place_chart(struct sheet *s, lxw_chart *chart, double width,
			double height)
{
	lxw_chart_options opt = { .x_scale = width / CHART_W,
				  .y_scale = height / CHART_H };

	worksheet_insert_chart_opt(s->ws, s->chart_row, 0, chart, &opt);
	s->chart_row += (unsigned)ceil(height / ROW_PX) + 2;
}

static void note(struct sheet *s, const char *text)
{
	xlsx_write_text(s->ws, s->data_row++, DATA_COL, text, s->bold);
}

/* ------------------------------------------------------------------
 * Median wall time per strategy cell for each workload cell
 * ---------------------------------------------------------------- */

static double field_number(const struct results_table *t, size_t r, size_t c)
{
	double v;

	if (!xlsx_number(xlsx_field(t, r, c), &v))
		return NAN;
	return v;
}

/* "charts!$N$4:$N$9": rows r0..r1 of one column of the charts sheet. */
static char *column_ref(unsigned col, unsigned r0, unsigned r1)
{
	char a[16], b[16];

	lxw_rowcol_to_cell_abs(a, r0, (lxw_col_t)col, 1, 1);
	lxw_rowcol_to_cell_abs(b, r1, (lxw_col_t)col, 1, 1);
	return xasprintf("%s!%s:%s", SHEET, a, b);
}

/* The summary's cells by id and the columns the whiskers read. */
struct ci_source {
	const struct results_table *summary;
	struct xlsx_cell_index ix;
	size_t c_med, c_lo, c_hi;
};

/* Whisker lengths of matrix cell (i, j) from its summary row. */
static void whiskers(const struct ci_source *src,
		     const struct results_table *matrix, size_t i, size_t j,
		     double *below, double *above)
{
	const char *scell = xlsx_field(matrix, i + 1, 0),
		   *wcell = xlsx_field(matrix, 0, j + 1);
	size_t r = xlsx_cell_index_find(&src->ix, scell, wcell);
	double med = field_number(src->summary, r, r ? src->c_med : SIZE_MAX),
	       lo = field_number(src->summary, r, r ? src->c_lo : SIZE_MAX),
	       hi = field_number(src->summary, r, r ? src->c_hi : SIZE_MAX);

	*below = isfinite(med - lo) ? fmax(med - lo, 0) : NAN;
	*above = isfinite(hi - med) ? fmax(hi - med, 0) : NAN;
}

/* The workload cells (matrix columns) that get a median chart. */
static size_t charted(const struct results_table *matrix)
{
	size_t n_w = xlsx_cols(matrix) - 1;

	return n_w < XLSX_MAX_CHARTS ? n_w : XLSX_MAX_CHARTS;
}

/*
 * One whisker table, shaped like the matrix's charted columns, at row top
 * of the sheet.
 */
static void whisker_table(struct sheet *s, const struct results_table *matrix,
			  unsigned top, const char *title, double **v)
{
	size_t n_s = xlsx_rows(matrix) - 1, n_w = charted(matrix), i, j;

	xlsx_write_text(s->ws, top, DATA_COL, title, s->bold);
	for (j = 0; j < n_w; j++)
		xlsx_write_text(s->ws, top, DATA_COL + 1 + (unsigned)j,
				xlsx_field(matrix, 0, j + 1), s->bold);
	for (i = 0; i < n_s; i++) {
		xlsx_write_text(s->ws, top + 1 + (unsigned)i, DATA_COL,
				xlsx_field(matrix, i + 1, 0), NULL);
		for (j = 0; j < n_w; j++)
			if (isfinite(v[j][i]))
				worksheet_write_number(
					s->ws, top + 1 + (lxw_row_t)i,
					(lxw_col_t)(DATA_COL + 1 + j), v[j][i],
					s->seconds);
	}
}

/*
 * The lengths of the 95% CI whiskers below and above each median, as two
 * tables shaped like the matrix (the CI is the mean's, so a median outside
 * it gets a zero-length whisker on that side), and per workload cell the
 * ranges its chart's custom error bars read: for the charted workload
 * cells, what no chart reads would only cost time.
 */
static void ci_tables(struct sheet *s, const struct results_table *summary,
		      const struct results_table *matrix,
		      struct xlsx_errbars *eb)
{
	size_t n_s = xlsx_rows(matrix) - 1, n_w = charted(matrix), i, j;
	struct ci_source src = {
		.summary = summary,
		.c_med = xlsx_column(summary, COLUMN_WALL_MEDIAN_S),
		.c_lo = xlsx_column(summary, COLUMN_WALL_CI95_LOW_S),
		.c_hi = xlsx_column(summary, COLUMN_WALL_CI95_HIGH_S),
	};
	unsigned below, above;

	xlsx_cell_index_build(&src.ix, summary);
	note(s, "95% CI whiskers of the median charts (s): below = median - "
		"wall_ci95_low_s, above = wall_ci95_high_s - median");
	below = s->data_row;
	above = below + (unsigned)n_s + 2;
	eb->bars = xcalloc(n_w + 1, sizeof(*eb->bars));
	eb->n = n_w;
	for (j = 0; j < n_w; j++) {
		struct xlsx_errbar *bar = &eb->bars[j];
		unsigned col = DATA_COL + 1 + (unsigned)j;

		bar->n = n_s;
		bar->minus_v = xcalloc(n_s + 1, sizeof(double));
		bar->plus_v = xcalloc(n_s + 1, sizeof(double));
		bar->minus = column_ref(col, below + 1, below + (unsigned)n_s);
		bar->plus = column_ref(col, above + 1, above + (unsigned)n_s);
		for (i = 0; i < n_s; i++)
			whiskers(&src, matrix, i, j, &bar->minus_v[i],
				 &bar->plus_v[i]);
	}
	xlsx_cell_index_free(&src.ix);
	{
		double **lo = xcalloc(n_w + 1, sizeof(double *)),
		       **hi = xcalloc(n_w + 1, sizeof(double *));

		for (j = 0; j < n_w; j++) {
			lo[j] = eb->bars[j].minus_v;
			hi[j] = eb->bars[j].plus_v;
		}
		whisker_table(s, matrix, below, "below (s)", lo);
		whisker_table(s, matrix, above, "above (s)", hi);
		free(lo);
		free(hi);
	}
	for (j = 0; j < n_w; j++) {
		double w = 2 + (double)strlen(xlsx_field(matrix, 0, j + 1));

		worksheet_set_column(s->ws, (lxw_col_t)(DATA_COL + 1 + j),
				     (lxw_col_t)(DATA_COL + 1 + j),
				     fmin(fmax(w, 12), 40), NULL);
	}
	s->data_row = above + (unsigned)n_s + 2;
}

/* Smallest and largest positive median of matrix column c. */
static bool median_span(const struct results_table *matrix, size_t c,
			double *lo, double *hi)
{
	size_t r;
	double v;

	*lo = INFINITY;
	*hi = 0;
	for (r = 1; r < xlsx_rows(matrix); r++)
		if (xlsx_number(xlsx_field(matrix, r, c), &v) && v > 0) {
			*lo = fmin(*lo, v);
			*hi = fmax(*hi, v);
		}
	return *hi > 0;
}

/*
 * Workload cell j's chart: one bar per strategy cell, its custom whiskers
 * a placeholder with marker j + 1, its own axis (workloads differ by
 * orders of magnitude; logarithmic past two decades within the cell).
 */
/* The smallest 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 x 10^k at least x > 0:
 * an axis end a reader can take in, with ticks on round values. */
static double nice_ceil(double x)
{
	static const double steps[] = { 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10 };
	double scale = pow(10, floor(log10(x)));
	size_t i;

	for (i = 0; i < ARRAY_SIZE(steps); i++)
		if (steps[i] * scale >= x * (1 - 1e-12))
			return steps[i] * scale;
	return 10 * scale;
}

static void median_chart(struct sheet *s, const struct results_table *matrix,
			 size_t j, const struct xlsx_errbar *bar)
{
	size_t n_s = xlsx_rows(matrix) - 1, i;
	lxw_chart *chart = workbook_add_chart(s->wb, LXW_CHART_COLUMN);
	lxw_chart_series *ser = chart_add_series(chart, NULL, NULL);
	double lo, hi, top = 0, v;

	chart_title_set_name_range(chart, "matrix", 0, (lxw_col_t)(j + 1));
	chart_title_set_name_font(chart, &(lxw_chart_font){ .size = 12 });
	chart_legend_set_position(chart, LXW_CHART_LEGEND_NONE);
	chart_axis_set_name(chart->x_axis,
			    "strategy cell (whiskers: 95% CI of the mean)");
	/* each name once: libxlsxwriter does not free a replaced one */
	if (median_span(matrix, j + 1, &lo, &hi) && hi / lo > LOG_SPAN) {
		chart_axis_set_log_base(chart->y_axis, 10);
		chart_axis_set_name(chart->y_axis,
				    "median wall time (s, log scale)");
	} else {
		chart_axis_set_name(chart->y_axis, "median wall time (s)");
		/* room for the whiskers: spreadsheets scale to the bars */
		for (i = 0; i < n_s; i++)
			if (xlsx_number(xlsx_field(matrix, i + 1, j + 1), &v))
				top = fmax(top, v + (isfinite(bar->plus_v[i])
							     ? bar->plus_v[i]
							     : 0));
		if (top > hi) {
			chart_axis_set_min(chart->y_axis, 0);
			chart_axis_set_max(chart->y_axis,
					   nice_ceil(top * 1.02));
		}
	}
	chart_series_set_categories(ser, "matrix", 1, 0, (lxw_row_t)n_s, 0);
	chart_series_set_values(ser, "matrix", 1, (lxw_col_t)(j + 1),
				(lxw_row_t)n_s, (lxw_col_t)(j + 1));
	chart_series_set_name_range(ser, "matrix", 0, (lxw_col_t)(j + 1));
	chart_series_set_error_bars(ser->y_error_bars,
				    LXW_CHART_ERROR_BAR_TYPE_FIXED,
				    (double)(j + 1));
	place_chart(s, chart, fmin(fmax(600, 56.0 * (double)n_s + 160), 1400),
		    440);
}

static void median_charts(struct sheet *s, const struct results_table *summary,
			  const struct results_table *matrix,
			  struct xlsx_errbars *eb)
{
	size_t n_w, j;
	double lo, hi;
	bool any = false;

	if (xlsx_rows(matrix) < 2 || xlsx_cols(matrix) < 2)
		return;
	n_w = xlsx_cols(matrix) - 1;
	for (j = 0; j < n_w; j++)
		any |= median_span(matrix, j + 1, &lo, &hi);
	if (!any)
		return;
	ci_tables(s, summary, matrix, eb);
	for (j = 0; j < n_w && j < XLSX_MAX_CHARTS; j++)
		if (median_span(matrix, j + 1, &lo, &hi))
			median_chart(s, matrix, j, &eb->bars[j]);
	if (n_w > XLSX_MAX_CHARTS)
		note(s, "median charts and whiskers for the first 32 workload "
			"cells; the matrix and summary sheets have them all");
}

/* ------------------------------------------------------------------
 * Speedup against a crossed strategy parameter
 * ---------------------------------------------------------------- */

struct point {
	double x, y;
};

struct series {
	char *key;  /* strategy label + other parameters + workload cell */
	char *name; /* shown in the legend */
	struct point *pts;
	size_t n, cap;
};

struct line_set {
	struct series *s;
	size_t n, cap;
};

static void line_set_free(struct line_set *ls)
{
	size_t i;

	for (i = 0; i < ls->n; i++) {
		free(ls->s[i].key);
		free(ls->s[i].name);
		free(ls->s[i].pts);
	}
	free(ls->s);
}

static bool param_number(const char *s, double *ret)
{
	return csv_is_decimal(s) && xlsx_number(s, ret);
}

struct labelled {
	const char *label;
	double v;
};

static int by_label_value(const void *a, const void *b)
{
	const struct labelled *p = a, *q = b;
	int c = strcmp(p->label, q->label);

	return c ? c : (p->v > q->v) - (p->v < q->v);
}

/*
 * Does parameter column c take two or more numbers within one strategy
 * label?  Sorting (label, value) pairs keeps this O(n log n).
 */
static bool crosses(const struct results_table *t, size_t c, size_t c_label)
{
	struct labelled *p = xcalloc(xlsx_rows(t) + 1, sizeof(*p));
	size_t r, n = 0;
	bool yes = false;

	for (r = 1; r < xlsx_rows(t); r++)
		if (param_number(xlsx_field(t, r, c), &p[n].v))
			p[n++].label = xlsx_field(t, r, c_label);
	qsort(p, n, sizeof(*p), by_label_value);
	for (r = 1; r < n && !yes; r++)
		yes = !strcmp(p[r].label, p[r - 1].label) &&
		      p[r].v != p[r - 1].v;
	free(p);
	return yes;
}

/* The parameters of row r other than column c that vary: "k=v,k=v". */
static char *other_params(const struct results_table *t, size_t r, size_t c,
			  const bool *varies)
{
	char *s = xstrdup(""), *next;
	size_t k;

	for (k = 0; k < xlsx_cols(t); k++) {
		const char *name = xlsx_field(t, 0, k);

		if (k == c || !varies[k] || !*xlsx_field(t, r, k))
			continue;
		next = xasprintf("%s%s%s=%s", s, *s ? "," : "", name + 9,
				 xlsx_field(t, r, k));
		free(s);
		s = next;
	}
	return s;
}

static struct series *series_for(struct line_set *ls, const char *key,
				 const char *name)
{
	size_t i;

	for (i = 0; i < ls->n; i++)
		if (!strcmp(ls->s[i].key, key))
			return &ls->s[i];
	xgrow((void **)&ls->s, &ls->cap, ls->n + 1, sizeof(*ls->s));
	memset(&ls->s[ls->n], 0, sizeof(*ls->s));
	ls->s[ls->n].key = xstrdup(key);
	ls->s[ls->n].name = xstrdup(name);
	return &ls->s[ls->n++];
}

static void collect_lines(const struct results_table *t, size_t c,
			  const bool *varies, struct line_set *ls)
{
	size_t c_label = xlsx_column(t, COLUMN_STRATEGY),
	       c_cell = xlsx_column(t, COLUMN_CELL),
	       c_speedup = xlsx_column(t, COLUMN_SPEEDUP);
	size_t r;

	for (r = 1; r < xlsx_rows(t); r++) {
		const char *label = xlsx_field(t, r, c_label),
			   *id = xlsx_field(t, r, c_cell);
		const char *wcell = id + cell_id_split(id);
		double x, y;
		char *others, *key, *name;
		struct series *se;

		if (!param_number(xlsx_field(t, r, c), &x) ||
		    !xlsx_number(xlsx_field(t, r, c_speedup), &y))
			continue;
		wcell += *wcell == '/';
		others = other_params(t, r, c, varies);
		key = xasprintf("%s\n%s\n%s", label, others, wcell);
		name = xasprintf("%s%s%s%s, %s", label, *others ? "[" : "",
				 others, *others ? "]" : "", wcell);
		se = series_for(ls, key, name);
		xgrow((void **)&se->pts, &se->cap, se->n + 1, sizeof(*se->pts));
		se->pts[se->n++] = (struct point){ x, y };
		free(others);
		free(key);
		free(name);
	}
}

static int by_x(const void *a, const void *b)
{
	const struct point *p = a, *q = b;

	return (p->x > q->x) - (p->x < q->x);
}

/* One series' table: its name, a header row, then (x, speedup) rows. */
static void series_table(struct sheet *s, lxw_chart *chart, struct series *se,
			 const char *param)
{
	unsigned top = s->data_row, first = top + 2, i;
	lxw_chart_series *ser;

	qsort(se->pts, se->n, sizeof(*se->pts), by_x);
	xlsx_write_text(s->ws, top, DATA_COL, se->name, s->bold);
	xlsx_write_text(s->ws, top + 1, DATA_COL, param, s->bold);
	xlsx_write_text(s->ws, top + 1, DATA_COL + 1, "speedup", s->bold);
	for (i = 0; i < se->n; i++) {
		worksheet_write_number(s->ws, first + i, DATA_COL, se->pts[i].x,
				       NULL);
		worksheet_write_number(s->ws, first + i, DATA_COL + 1,
				       se->pts[i].y, NULL);
	}
	ser = chart_add_series(chart, NULL, NULL);
	chart_series_set_categories(ser, SHEET, first, DATA_COL,
				    first + (unsigned)se->n - 1, DATA_COL);
	chart_series_set_values(ser, SHEET, first, DATA_COL + 1,
				first + (unsigned)se->n - 1, DATA_COL + 1);
	chart_series_set_name_range(ser, SHEET, top, DATA_COL);
	s->data_row = first + (unsigned)se->n + 1;
}

static void speedup_chart(struct sheet *s, const struct results_table *t,
			  size_t c, const bool *varies)
{
	const char *param = xlsx_field(t, 0, c) + 9;
	struct line_set ls = { 0 };
	double xmin = INFINITY, xmax = 0;
	lxw_chart *chart;
	char title[160];
	size_t i, k, shown = 0;

	collect_lines(t, c, varies, &ls);
	chart = workbook_add_chart(s->wb,
				   LXW_CHART_SCATTER_STRAIGHT_WITH_MARKERS);
	snprintf(title, sizeof(title), "Speedup against %s", param);
	chart_title_set_name(chart, title);
	chart_title_set_name_font(chart, &(lxw_chart_font){ .size = 12 });
	chart_axis_set_name(chart->x_axis, param);
	chart_axis_set_name(chart->y_axis,
			    "speedup (baseline median / cell median)");
	chart_legend_set_position(chart, LXW_CHART_LEGEND_BOTTOM);
	note(s, title);
	for (i = 0; i < ls.n && shown < MAX_SERIES; i++) {
		if (ls.s[i].n < 2)
			continue; /* one point is no line */
		for (k = 0; k < ls.s[i].n; k++) {
			xmin = fmin(xmin, ls.s[i].pts[k].x);
			xmax = fmax(xmax, ls.s[i].pts[k].x);
		}
		series_table(s, chart, &ls.s[i], param);
		shown++;
	}
	if (xmin > 0 && xmax / xmin >= 16)
		chart_axis_set_log_base(chart->x_axis, 2);
	if (shown)
		place_chart(s, chart, 720, 432);
	line_set_free(&ls);
}

/* ------------------------------------------------------------------
 * The sheet
 * ---------------------------------------------------------------- */

void xlsx_charts_sheet(lxw_workbook *wb, const struct results_table *summary,
		       const struct results_table *matrix,
		       struct xlsx_errbars *ret_errbars)
{
	struct sheet s = { .wb = wb };
	size_t c_label = xlsx_column(summary, COLUMN_STRATEGY);
	bool *varies = xcalloc(xlsx_cols(summary) + 1, sizeof(bool));
	size_t c;

	memset(ret_errbars, 0, sizeof(*ret_errbars));
	s.ws = workbook_add_worksheet(wb, SHEET);
	s.bold = workbook_add_format(wb);
	format_set_bold(s.bold);
	s.seconds = workbook_add_format(wb);
	format_set_num_format(s.seconds, "0.000000");
	worksheet_set_column(s.ws, DATA_COL, DATA_COL, 28, NULL);
	worksheet_set_landscape(
		s.ws); /* printed: the charts on one page wide */
	worksheet_fit_to_pages(s.ws, 1, 0);
	median_charts(&s, summary, matrix, ret_errbars);
	s.data_row++;
	for (c = 0; c < xlsx_cols(summary) && c_label != SIZE_MAX; c++)
		varies[c] =
			!strncmp(xlsx_field(summary, 0, c), "strategy.", 9) &&
			crosses(summary, c, c_label);
	for (c = 0; c < xlsx_cols(summary); c++)
		if (varies[c])
			speedup_chart(&s, summary, c, varies);
	free(varies);
	if (s.chart_row == 0)
		xlsx_write_text(s.ws, 0, 0,
				"The charts appear here once a cell has a "
				"median wall time.",
				s.bold);
}
