/*
 * plot.c - the SVG charts of plot.h.  Reading: the summary CSV into rows of
 * (strategy cell, workload cell, figures).  Drawing: two charts that share
 * the axis, legend and text helpers below.
 */
#include "plot.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv.h"
#include "fileio.h"
#include "util.h"
#include "xmltext.h"

/* Most bytes of a summary file we read (a 100,000-cell matrix fits). */
#define PLOT_MAX_FILE (256u << 20)

/* ------------------------------------------------------------------
 * The data
 * ---------------------------------------------------------------- */

struct plot_row {
	size_t scell, wcell; /* indices into plot_data's unique lists */
	char *strategy;
	char **params; /* one per strategy column; "" when empty */
	bool ok;
	char *status, *error;
	double median, lo, hi, speedup;
};

struct plot_data {
	char *experiment;
	struct plot_row *rows;
	size_t n_rows, cap_rows;
	char **scols;	  /* strategy parameter names ("workers") */
	size_t *scol_idx; /* their column indices */
	size_t n_scols, cap_scols;
	char **scells, **wcells; /* unique cell halves, in file order */
	size_t n_scells, cap_scells, n_wcells, cap_wcells;
	char **labels; /* unique strategy labels: one hue each */
	size_t n_labels, cap_labels;
	size_t *hue, *shade,
		*shades; /* per scell: label, rank, label's cells */
};

/* The header columns plot needs, in header_names order. */
enum plot_column {
	COL_EXPERIMENT,
	COL_CELL,
	COL_STRATEGY,
	COL_WORKLOAD,
	COL_STATUS,
	COL_MEDIAN,
	COL_LO,
	COL_HI,
	COL_SPEEDUP,
	COL_ERROR,
	COL_COUNT
};

static const char *const header_names[COL_COUNT] = {
	"experiment", "cell",	       "strategy",	  "workload",
	"status",     "wall_median_s", "wall_ci95_low_s", "wall_ci95_high_s",
	"speedup",    "error",
};

/* Each column's index in the file; -1 when absent. */
struct plot_header {
	long col[COL_COUNT];
};

static void data_free(struct plot_data *d)
{
	size_t i, k;

	for (i = 0; i < d->n_rows; i++) {
		struct plot_row *r = &d->rows[i];

		for (k = 0; k < d->n_scols; k++)
			free(r->params[k]);
		free(r->params);
		free(r->strategy);
		free(r->status);
		free(r->error);
	}
	for (i = 0; i < d->n_scols; i++)
		free(d->scols[i]);
	for (i = 0; i < d->n_scells; i++)
		free(d->scells[i]);
	for (i = 0; i < d->n_wcells; i++)
		free(d->wcells[i]);
	for (i = 0; i < d->n_labels; i++)
		free(d->labels[i]);
	free(d->labels);
	free(d->hue);
	free(d->shade);
	free(d->shades);
	free(d->rows);
	free(d->scols);
	free(d->scol_idx);
	free(d->scells);
	free(d->wcells);
	free(d->experiment);
}

/* The text of a field without the CSV writer's formula guard. */
static const char *unguard(const char *s)
{
	if (s[0] == '\'' && s[1] && strchr("=+-@\t\r", s[1]))
		return s + 1;
	return s;
}

static double field_real(char **f, size_t n, long col)
{
	char *end;
	double v;

	if (col < 0 || (size_t)col >= n || !f[col][0])
		return NAN;
	v = strtod(f[col], &end);
	return *end ? NAN : v;
}

static const char *field_text(char **f, size_t n, long col)
{
	return col < 0 || (size_t)col >= n ? "" : unguard(f[col]);
}

/* Index of s in the unique list, appending it when new. */
static size_t intern(char ***list, size_t *n, size_t *cap, const char *s,
		     size_t len)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strlen((*list)[i]) == len && !memcmp((*list)[i], s, len))
			return i;
	xgrow((void **)list, cap, *n + 1, sizeof(char *));
	(*list)[*n] = xstrndup(s, len);
	return (*n)++;
}

/*
 * Split a cell id "pthreads[workers=5]/download[latency=20ms]" at its '/'
 * outside brackets (parameter values may hold a '/').
 */
static size_t cell_split(const char *id)
{
	int depth = 0;
	size_t i;

	for (i = 0; id[i]; i++) {
		if (id[i] == '[')
			depth++;
		else if (id[i] == ']' && depth)
			depth--;
		else if (id[i] == '/' && !depth)
			return i;
	}
	return i;
}

static int header_read(struct plot_data *d, const char *path, char **f,
		       size_t n, struct plot_header *h, char *err,
		       size_t errlen)
{
	size_t i, k;

	for (k = 0; k < COL_COUNT; k++)
		h->col[k] = -1;
	for (i = 0; i < n; i++) {
		for (k = 0; k < COL_COUNT; k++)
			if (!strcmp(f[i], header_names[k]))
				h->col[k] = (long)i;
		if (!strncmp(f[i], "strategy.", 9)) {
			size_t cap = d->cap_scols;

			xgrow((void **)&d->scols, &d->cap_scols, d->n_scols + 1,
			      sizeof(char *));
			xgrow((void **)&d->scol_idx, &cap, d->n_scols + 1,
			      sizeof(size_t));
			d->scols[d->n_scols] = xstrdup(f[i] + 9);
			d->scol_idx[d->n_scols++] = i;
		}
	}
	if (h->col[COL_CELL] < 0 || h->col[COL_STRATEGY] < 0 ||
	    h->col[COL_MEDIAN] < 0) {
		errf(err, errlen,
		     "%s: not a concur summary file: no 'cell', 'strategy' or 'wall_median_s' column (plot the N.csv file, not N-runs.csv or N-matrix.csv)",
		     path);
		return -EINVAL;
	}
	return 0;
}

static void row_add(struct plot_data *d, const struct plot_header *h, char **f,
		    size_t n)
{
	const long *c = h->col;
	const char *id = field_text(f, n, c[COL_CELL]);
	size_t cut = cell_split(id), k;
	struct plot_row *r;

	if (!d->experiment && c[COL_EXPERIMENT] >= 0)
		d->experiment = xstrdup(field_text(f, n, c[COL_EXPERIMENT]));
	xgrow((void **)&d->rows, &d->cap_rows, d->n_rows + 1, sizeof(*d->rows));
	r = &d->rows[d->n_rows++];
	r->scell = intern(&d->scells, &d->n_scells, &d->cap_scells, id, cut);
	if (id[cut])
		r->wcell = intern(&d->wcells, &d->n_wcells, &d->cap_wcells,
				  id + cut + 1, strlen(id + cut + 1));
	else
		r->wcell = intern(&d->wcells, &d->n_wcells, &d->cap_wcells,
				  field_text(f, n, c[COL_WORKLOAD]),
				  strlen(field_text(f, n, c[COL_WORKLOAD])));
	r->strategy = xstrdup(field_text(f, n, c[COL_STRATEGY]));
	r->params = xcalloc(d->n_scols + 1, sizeof(char *));
	for (k = 0; k < d->n_scols; k++)
		r->params[k] = xstrdup(field_text(f, n, (long)d->scol_idx[k]));
	r->status = xstrdup(
		c[COL_STATUS] < 0 ? "ok" : field_text(f, n, c[COL_STATUS]));
	r->error = xstrdup(field_text(f, n, c[COL_ERROR]));
	r->median = field_real(f, n, c[COL_MEDIAN]);
	r->lo = field_real(f, n, c[COL_LO]);
	r->hi = field_real(f, n, c[COL_HI]);
	r->speedup = field_real(f, n, c[COL_SPEEDUP]);
	r->ok = !strcmp(r->status, "ok") && isfinite(r->median) &&
		r->median > 0;
}

/*
 * Colours: each strategy label gets a hue, and its cells (workers = 1, 2,
 * 4 ...) shades of it from light to full, so families read at a glance.
 */
static void data_colour(struct plot_data *d)
{
	size_t i, j;

	d->hue = xcalloc(d->n_scells + 1, sizeof(size_t));
	d->shade = xcalloc(d->n_scells + 1, sizeof(size_t));
	d->shades = xcalloc(d->n_scells + 1, sizeof(size_t));
	for (i = 0; i < d->n_scells; i++) {
		const char *id = d->scells[i];

		d->hue[i] = intern(&d->labels, &d->n_labels, &d->cap_labels, id,
				   strcspn(id, "["));
		for (j = 0; j < i; j++)
			if (d->hue[j] == d->hue[i])
				d->shade[i]++;
	}
	for (i = 0; i < d->n_scells; i++)
		for (j = 0; j < d->n_scells; j++)
			if (d->hue[j] == d->hue[i])
				d->shades[i]++;
}

static int data_read(const char *path, struct plot_data *d, char *err,
		     size_t errlen)
{
	struct plot_header h = { { 0 } };
	char *text = NULL, **f;
	size_t len = 0, pos = 0, used, n;
	int rc = fileio_read(path, PLOT_MAX_FILE, "a results file to plot",
			     &text, &len, err, errlen),
	    first = 1;

	while (rc == 0 && (rc = csv_parse_record(text + pos, len - pos, &used,
						 &f, &n)) == 0) {
		pos += used;
		if (first)
			rc = header_read(d, path, f, n, &h, err, errlen);
		else if (n > 1)
			row_add(d, &h, f, n);
		first = 0;
		csv_fields_free(f, n);
	}
	if (rc == -EINVAL && !err[0])
		errf(err, errlen, "%s: malformed CSV record at byte %zu", path,
		     pos);
	if (rc == 1 && first) {
		errf(err, errlen, "%s: empty file", path);
		rc = -EINVAL;
	}
	free(text);
	data_colour(d);
	return rc == 1 ? 0 : rc;
}

/* ------------------------------------------------------------------
 * Drawing helpers
 * ---------------------------------------------------------------- */

#define FONT "DejaVu Sans, Helvetica, Arial, sans-serif"
#define CHAR_W 0.6 /* average glyph width per unit of font size */
#define PLOT_LEFT 90.0
#define PLOT_TOP 64.0
#define PLOT_BOTTOM 90.0
#define LEGEND_MAX_CHARS 44

/* Okabe-Ito hues (colour-blind safe) minus its yellow, then more. */
static const unsigned palette[] = {
	0x0072B2, 0xE69F00, 0x009E73, 0xCC79A7, 0xD55E00,
	0x56B4E9, 0x555555, 0x8C564B, 0xBCBD22, 0x17BECF,
};

/* Dash patterns that tell the workload cells' lines apart. */
static const char *const dashes[] = { "", "7 4", "2 3", "9 3 2 3" };

struct colour {
	char hex[8];
};

/* Hue `hue` mixed with white by `pale` (0 = full colour, 1 = white). */
static struct colour colour_mix(size_t hue, double pale)
{
	unsigned c = palette[hue % ARRAY_SIZE(palette)], rgb[3], k;
	struct colour out;

	for (k = 0; k < 3; k++) {
		double v = (double)((c >> (16 - 8 * k)) & 0xFF);

		rgb[k] = (unsigned)(v + (255 - v) * pale + 0.5);
	}
	snprintf(out.hex, sizeof(out.hex), "#%02X%02X%02X", rgb[0], rgb[1],
		 rgb[2]);
	return out;
}

/* A strategy cell's colour: its label's hue, paler for earlier cells. */
static struct colour cell_colour(const struct plot_data *d, size_t scell)
{
	size_t n = d->shades[scell];

	return colour_mix(d->hue[scell],
			  n > 1 ? 0.65 * (double)(n - 1 - d->shade[scell]) /
					  (double)(n - 1)
				: 0);
}

/* <text> at (x, y); anchor "start", "middle" or "end"; attrs may be "". */
static void text_at(FILE *out, double x, double y, const char *anchor, int size,
		    const char *attrs, const char *s)
{
	fprintf(out,
		"<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\" %s>",
		x, y, anchor, size, attrs);
	xml_text(out, s);
	fputs("</text>\n", out);
}

/* s cut to at most max characters (UTF-8 aware), with an ellipsis. */
static char *shorten(const char *s, size_t max)
{
	size_t chars = 0, i;

	for (i = 0; s[i]; i++) {
		if (((unsigned char)s[i] & 0xC0) != 0x80 && ++chars > max - 1 &&
		    strlen(s + i) > 1)
			return xasprintf("%.*s\u2026", (int)i, s);
	}
	return xstrdup(s);
}

/* A number for a tick label: up to 4 significant digits, never 1e+04. */
static void fmt_num(char *buf, size_t len, double v)
{
	if (fabs(v) >= 1e4 || v == 0)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.4g", v);
}

struct axis {
	double lo, hi; /* the data range shown */
	bool log;
	double p0, p1; /* pixels of lo and hi */
};

static double axis_map(const struct axis *a, double v)
{
	double t;

	if (a->log) {
		v = v > a->lo ? v : a->lo;
		t = (log10(v) - log10(a->lo)) / (log10(a->hi) - log10(a->lo));
	} else {
		t = (v - a->lo) / (a->hi - a->lo);
	}
	return a->p0 + t * (a->p1 - a->p0);
}

/* 1, 2 or 5 times a power of ten, at least x. */
static double nice_step(double x)
{
	double p = pow(10, floor(log10(x))), m = x / p;

	return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

/* Range [lo, hi] of positive values: log when it spans > 2 decades. */
static void axis_fit(struct axis *a, double lo, double hi, bool zero_based)
{
	a->log = lo > 0 && hi / lo > 100;
	if (a->log) {
		a->lo = pow(10, floor(log10(lo)));
		a->hi = pow(10, ceil(log10(hi)));
	} else {
		double step = nice_step((hi > 0 ? hi : 1) / 5);

		a->lo = zero_based ? 0 : floor(lo / step) * step;
		a->hi = ceil(hi / step) * step;
		if (a->hi <= a->lo)
			a->hi = a->lo + step;
	}
}

/* Tick values of an axis into t (at most max); returns how many. */
static size_t axis_ticks(const struct axis *a, double *t, size_t max)
{
	size_t n = 0;
	double v, step;

	if (a->log) {
		for (v = a->lo; v <= a->hi * 1.0001 && n < max; v *= 10)
			t[n++] = v;
		return n;
	}
	step = nice_step((a->hi - a->lo) / 5);
	for (v = a->lo; v <= a->hi + step * 1e-6 && n < max; v += step)
		t[n++] = fabs(v) < step * 1e-9 ? 0 : v;
	return n;
}

/* Horizontal grid lines and labels of a vertical axis. */
static void draw_yaxis(FILE *out, const struct axis *y, double x0, double x1,
		       double unit, const char *title)
{
	double t[32], py;
	size_t n = axis_ticks(y, t, ARRAY_SIZE(t)), i, k;
	char label[32];

	for (i = 0; i < n; i++) {
		py = axis_map(y, t[i]);
		fprintf(out,
			"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#d9d9d9\"/>\n",
			x0, py, x1, py);
		fmt_num(label, sizeof(label), t[i] / unit);
		text_at(out, x0 - 6, py + 4, "end", 12, "", label);
		for (k = 2; y->log && i + 1 < n && k < 10; k++) {
			py = axis_map(y, t[i] * (double)k);
			fprintf(out,
				"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#f0f0f0\"/>\n",
				x0, py, x1, py);
		}
	}
	fprintf(out,
		"<text transform=\"translate(%.1f %.1f) rotate(-90)\" text-anchor=\"middle\" font-size=\"13\">",
		x0 - 62, (y->p0 + y->p1) / 2);
	xml_text(out, title);
	fputs("</text>\n", out);
}

static void draw_frame(FILE *out, double x0, double y0, double x1, double y1)
{
	fprintf(out,
		"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#555\"/>\n",
		x0, y0, x1 - x0, y1 - y0);
}

/* Title and subtitle of a chart whose top edge is at y. */
static void draw_title(FILE *out, double x, double y, const char *title,
		       const char *subtitle)
{
	text_at(out, x, y + 24, "start", 16, "font-weight=\"bold\"", title);
	text_at(out, x, y + 44, "start", 12, "fill=\"#555\"", subtitle);
}

/* A legend entry: a swatch (dash NULL) or a line with a marker. */
static void draw_legend_entry(FILE *out, double x, double y, const char *col,
			      const char *dash, const char *label)
{
	char *s = shorten(label, LEGEND_MAX_CHARS);

	if (dash)
		fprintf(out,
			"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\" stroke-dasharray=\"%s\"/><circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"/>\n",
			x, y - 4, x + 24, y - 4, col, dash, x + 12, y - 4, col);
	else
		fprintf(out,
			"<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"12\" fill=\"%s\" stroke=\"#333\" stroke-width=\"0.5\"/>\n",
			x + 4, y - 11, col);
	text_at(out, x + 30, y, "start", 12, "", s);
	free(s);
}

/* Seconds to the unit that suits the largest value: s, ms or us. */
static double time_unit(double max, const char **ret_name)
{
	if (max >= 1) {
		*ret_name = "s";
		return 1;
	}
	if (max >= 1e-3) {
		*ret_name = "ms";
		return 1e-3;
	}
	*ret_name = "\u00b5s";
	return 1e-6;
}

/* ------------------------------------------------------------------
 * The bar chart
 * ---------------------------------------------------------------- */

struct layout {
	double width;  /* of the whole picture */
	double plot_w; /* of each chart's plotting area */
	double legend_x;
};

static void bar_range(const struct plot_data *d, double *ret_lo, double *ret_hi)
{
	double lo = INFINITY, hi = 0;
	size_t i;

	for (i = 0; i < d->n_rows; i++) {
		const struct plot_row *r = &d->rows[i];

		if (!r->ok)
			continue;
		lo = fmin(lo, r->median);
		hi = fmax(hi, r->median);
		if (isfinite(r->hi))
			hi = fmax(hi, r->hi);
		if (isfinite(r->lo) && r->lo > 0)
			lo = fmin(lo, r->lo);
	}
	*ret_lo = lo;
	*ret_hi = hi;
}

static void bar_tooltip(FILE *out, const struct plot_data *d,
			const struct plot_row *r, double unit, const char *un)
{
	fputs("<title>", out);
	xml_text(out, d->scells[r->scell]);
	fputs(" / ", out);
	xml_text(out, d->wcells[r->wcell]);
	if (r->ok) {
		fprintf(out,
			": median %.4g %s, 95%% CI %.4g..%.4g %s, speedup %.3g",
			r->median / unit, un, r->lo / unit, r->hi / unit, un,
			r->speedup);
	} else {
		fputs(": ", out);
		xml_text(out, r->status);
		fputc(' ', out);
		xml_text(out, r->error);
	}
	fputs("</title>", out);
}

static void draw_bar(FILE *out, const struct plot_data *d,
		     const struct plot_row *r, const struct axis *y, double x,
		     double w, double unit, const char *un)
{
	double top, base = y->p0, cx = x + w / 2;

	if (!r->ok) {
		fprintf(out,
			"<g><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"16\" fill=\"#C00000\" font-weight=\"bold\">\u00d7</text>",
			cx, base - 4);
		bar_tooltip(out, d, r, unit, un);
		fputs("</g>\n", out);
		return;
	}
	top = axis_map(y, r->median);
	fprintf(out,
		"<g><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" stroke=\"#333\" stroke-width=\"0.5\"/>",
		x, top, w, base - top, cell_colour(d, r->scell).hex);
	if (isfinite(r->lo) && isfinite(r->hi) && r->hi > r->lo) {
		double ylo = axis_map(y, fmax(r->lo, y->lo)),
		       yhi = axis_map(y, r->hi);
		double cap = fmin(w / 3, 6);

		fprintf(out,
			"<path d=\"M%.1f %.1fV%.1fM%.1f %.1fH%.1fM%.1f %.1fH%.1f\" stroke=\"#222\" stroke-width=\"1.2\" fill=\"none\"/>",
			cx, ylo, yhi, cx - cap, yhi, cx + cap, cx - cap, ylo,
			cx + cap);
	}
	bar_tooltip(out, d, r, unit, un);
	fputs("</g>\n", out);
}

/* Label of workload group g, under the axis, slanted when it is too wide. */
static size_t longest(char **s, size_t n)
{
	size_t max = 0, i;

	for (i = 0; i < n; i++)
		if (strlen(s[i]) > max)
			max = strlen(s[i]);
	return max;
}

#define GROUP_LABEL_MAX 40
#define PLOT_AREA_H 330.0

/* Room under the axis for the workload labels: slanted when too wide. */
static double group_label_room(const struct plot_data *d, double group_w,
			       bool *ret_slant)
{
	size_t n = longest(d->wcells, d->n_wcells);
	double w = (double)(n < GROUP_LABEL_MAX ? n : GROUP_LABEL_MAX) * 12 *
		   CHAR_W;

	*ret_slant = w > group_w * 0.95;
	return *ret_slant ? 28 + 0.43 * w : 28;
}

static void draw_group_label(FILE *out, const char *label, double cx, double y,
			     bool slant)
{
	char *s = shorten(label, GROUP_LABEL_MAX);

	if (!slant) {
		text_at(out, cx, y + 18, "middle", 12, "", s);
	} else {
		fprintf(out,
			"<text transform=\"translate(%.1f %.1f) rotate(-25)\" text-anchor=\"end\" font-size=\"12\">",
			cx, y + 16);
		xml_text(out, s);
		fputs("</text>\n", out);
	}
	free(s);
}

/* The bar chart with its top edge at y0; returns its height. */
static double draw_bars(FILE *out, const struct plot_data *d,
			const struct layout *lay, double y0)
{
	double group_w = lay->plot_w / (double)d->n_wcells, x0 = PLOT_LEFT;
	double lo, hi, unit, bar_w, room;
	struct axis y = { .p0 = y0 + PLOT_TOP + PLOT_AREA_H,
			  .p1 = y0 + PLOT_TOP };
	const char *un;
	char *title, *sub;
	bool slant;
	size_t i;

	room = group_label_room(d, group_w, &slant);
	bar_range(d, &lo, &hi);
	axis_fit(&y, lo, hi, true);
	unit = time_unit(hi, &un);
	title = xasprintf("%s: median wall time per run (lower is better)",
			  d->experiment ? d->experiment : "concur");
	sub = xasprintf(
		"whiskers: 95%% confidence interval%s; \u00d7: the cell failed, crashed or timed out",
		y.log ? "; logarithmic scale" : "");
	draw_title(out, x0, y0, title, sub);
	free(title);
	free(sub);
	title = xasprintf("median wall time (%s)%s", un,
			  y.log ? ", log scale" : "");
	draw_yaxis(out, &y, x0, x0 + lay->plot_w, unit, title);
	free(title);
	bar_w = fmin(48, (group_w * 0.8) / (double)d->n_scells);
	for (i = 0; i < d->n_rows; i++) {
		const struct plot_row *r = &d->rows[i];
		double gx = x0 + group_w * (double)r->wcell +
			    (group_w - bar_w * (double)d->n_scells) / 2;

		draw_bar(out, d, r, &y, gx + bar_w * (double)r->scell, bar_w,
			 unit, un);
	}
	for (i = 0; i < d->n_wcells; i++)
		draw_group_label(out, d->wcells[i],
				 x0 + group_w * ((double)i + 0.5), y.p0, slant);
	text_at(out, x0 + lay->plot_w / 2, y.p0 + room + 14, "middle", 13, "",
		"workload");
	draw_frame(out, x0, y.p1, x0 + lay->plot_w, y.p0);
	text_at(out, lay->legend_x, y.p1 + 4, "start", 13,
		"font-weight=\"bold\"", "strategy");
	for (i = 0; i < d->n_scells; i++)
		draw_legend_entry(out, lay->legend_x,
				  y.p1 + 24 + 18 * (double)i,
				  cell_colour(d, i).hex, NULL, d->scells[i]);
	return fmax(PLOT_TOP + PLOT_AREA_H + room + 36,
		    PLOT_TOP + 40 + 18 * (double)d->n_scells);
}

/* ------------------------------------------------------------------
 * The speedup chart
 * ---------------------------------------------------------------- */

struct series {
	char *label;
	size_t hue, wcell;
	size_t n;
	double *x, *y;
};

/* Is column k numeric with >= 2 distinct values for strategy `label`? */
static bool column_varies(const struct plot_data *d, const char *label,
			  size_t k)
{
	double first = NAN, v;
	bool differs = false;
	size_t i;
	char *end;

	for (i = 0; i < d->n_rows; i++) {
		const struct plot_row *r = &d->rows[i];

		if (strcmp(r->strategy, label) || !r->params[k][0])
			continue;
		v = strtod(r->params[k], &end);
		if (*end)
			return false;
		if (isnan(first))
			first = v;
		else if (v != first)
			differs = true;
	}
	return differs;
}

/* Key of a row's series: strategy, other parameters, workload cell. */
static char *series_key(const struct plot_data *d, const struct plot_row *r,
			size_t k)
{
	char *key = xasprintf("%s %s", r->strategy, d->scols[k]), *next;
	size_t j;

	for (j = 0; j < d->n_scols; j++) {
		if (j == k || !r->params[j][0] ||
		    !column_varies(d, r->strategy, j))
			continue;
		next = xasprintf("%s%s%s=%s", key,
				 strchr(key, '(') ? ", " : " (", d->scols[j],
				 r->params[j]);
		free(key);
		key = next;
	}
	next = xasprintf("%s%s / %s", key, strchr(key, '(') ? ")" : "",
			 d->wcells[r->wcell]);
	free(key);
	return next;
}

static void series_add(struct series **s, size_t *n, size_t *cap, char *key,
		       const struct plot_data *d, const struct plot_row *r,
		       double x)
{
	struct series *t = NULL;
	size_t i;

	for (i = 0; i < *n && !t; i++)
		if (!strcmp((*s)[i].label, key))
			t = &(*s)[i];
	if (t) {
		free(key);
	} else {
		xgrow((void **)s, cap, *n + 1, sizeof(**s));
		t = &(*s)[(*n)++];
		*t = (struct series){ .label = key,
				      .hue = d->hue[r->scell],
				      .wcell = r->wcell };
	}
	t->x = xrealloc(t->x, (t->n + 1) * sizeof(double));
	t->y = xrealloc(t->y, (t->n + 1) * sizeof(double));
	t->x[t->n] = x;
	t->y[t->n++] = r->speedup;
}

/* Every (strategy, varying column, workload cell) line; returns how many. */
static size_t series_build(const struct plot_data *d, struct series **ret,
			   char ***ret_cols, size_t *ret_ncols)
{
	size_t n = 0, cap = 0, ncols = 0, ccap = 0, i, k;
	struct series *s = NULL;

	*ret_cols = NULL;
	for (k = 0; k < d->n_scols; k++) {
		bool used = false;

		for (i = 0; i < d->n_rows; i++) {
			const struct plot_row *r = &d->rows[i];

			if (!r->ok || !isfinite(r->speedup) ||
			    r->speedup <= 0 ||
			    !column_varies(d, r->strategy, k))
				continue;
			series_add(&s, &n, &cap, series_key(d, r, k), d, r,
				   strtod(r->params[k], NULL));
			used = true;
		}
		if (used)
			intern(ret_cols, &ncols, &ccap, d->scols[k],
			       strlen(d->scols[k]));
	}
	*ret_ncols = ncols;
	*ret = s;
	return n;
}

static void series_free(struct series *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(s[i].label);
		free(s[i].x);
		free(s[i].y);
	}
	free(s);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Sort a series' points by x (insertion sort: a few dozen points). */
static void series_sort(struct series *s)
{
	size_t i, j;

	for (i = 1; i < s->n; i++)
		for (j = i; j > 0 && s->x[j - 1] > s->x[j]; j--) {
			double tx = s->x[j], ty = s->y[j];

			s->x[j] = s->x[j - 1];
			s->y[j] = s->y[j - 1];
			s->x[j - 1] = tx;
			s->y[j - 1] = ty;
		}
}

/* The x ticks: every distinct value when few, else the axis' own. */
static size_t x_ticks(const struct series *s, size_t ns, const struct axis *x,
		      double *t, size_t max)
{
	size_t n = 0, i, j, k;

	for (i = 0; i < ns; i++)
		for (j = 0; j < s[i].n; j++) {
			for (k = 0; k < n && t[k] != s[i].x[j]; k++)
				;
			if (k == n && n < max)
				t[n++] = s[i].x[j];
		}
	qsort(t, n, sizeof(double), cmp_double);
	if (n > 12 && !x->log)
		return axis_ticks(x, t, max);
	return n;
}

static void draw_xaxis(FILE *out, const struct series *s, size_t ns,
		       const struct axis *x, double y0, double y1,
		       const char *title)
{
	double t[64];
	size_t n = x_ticks(s, ns, x, t, ARRAY_SIZE(t)), i;
	char label[32];

	for (i = 0; i < n; i++) {
		double px = axis_map(x, t[i]);

		fprintf(out,
			"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e6e6e6\"/>\n",
			px, y0, px, y1);
		fmt_num(label, sizeof(label), t[i]);
		text_at(out, px, y0 + 18, "middle", 12, "", label);
	}
	text_at(out, (x->p0 + x->p1) / 2, y0 + 44, "middle", 13, "", title);
}

static const char *series_dash(const struct series *s)
{
	return dashes[s->wcell % ARRAY_SIZE(dashes)];
}

static void draw_series(FILE *out, const struct series *s, const struct axis *x,
			const struct axis *y)
{
	struct colour col = colour_mix(s->hue, 0);
	size_t j;

	fprintf(out,
		"<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" stroke-dasharray=\"%s\" points=\"",
		col.hex, series_dash(s));
	for (j = 0; j < s->n; j++)
		fprintf(out, "%s%.1f,%.1f", j ? " " : "", axis_map(x, s->x[j]),
			axis_map(y, s->y[j]));
	fputs("\"/>\n", out);
	for (j = 0; j < s->n; j++) {
		fprintf(out,
			"<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"><title>",
			axis_map(x, s->x[j]), axis_map(y, s->y[j]), col.hex);
		xml_text(out, s->label);
		fprintf(out, ": %g -> speedup %.3g</title></circle>\n", s->x[j],
			s->y[j]);
	}
}

static void series_range(const struct series *s, size_t n, double *xlo,
			 double *xhi, double *ylo, double *yhi)
{
	size_t i, j;

	*xlo = *ylo = INFINITY;
	*xhi = *yhi = -INFINITY;
	for (i = 0; i < n; i++)
		for (j = 0; j < s[i].n; j++) {
			*xlo = fmin(*xlo, s[i].x[j]);
			*xhi = fmax(*xhi, s[i].x[j]);
			*ylo = fmin(*ylo, s[i].y[j]);
			*yhi = fmax(*yhi, s[i].y[j]);
		}
	*ylo = fmin(*ylo, 1);
	*yhi = fmax(*yhi, 1);
}

/* Geometric x values (1, 2, 4 ... or 10, 100 ...) read best on a log axis. */
static void fit_x(struct axis *x, double lo, double hi)
{
	x->log = lo > 0 && hi / lo >= 16;
	x->lo = lo;
	x->hi = hi > lo ? hi : lo + 1;
	if (x->log) {
		double pad = pow(x->hi / x->lo, 0.04);

		x->lo /= pad;
		x->hi *= pad;
	} else {
		double pad = (x->hi - x->lo) * 0.04;

		x->lo -= pad;
		x->hi += pad;
	}
}

static char *join(char **cols, size_t n)
{
	char *s = xstrdup(""), *next;
	size_t i;

	for (i = 0; i < n; i++) {
		next = xasprintf("%s%s%s", s, i ? ", " : "", cols[i]);
		free(s);
		s = next;
	}
	return s;
}

/* The speedup chart with its top edge at y0; returns its height or 0. */
static double draw_speedup(FILE *out, const struct plot_data *d,
			   const struct layout *lay, double y0)
{
	struct series *s;
	char **cols, *names, *title;
	size_t ncols, n = series_build(d, &s, &cols, &ncols), i;
	double height = 420, xlo, xhi, ylo, yhi, x0 = PLOT_LEFT, by;
	struct axis x = { .p0 = x0, .p1 = x0 + lay->plot_w };
	struct axis y = { .p0 = y0 + height - PLOT_BOTTOM + 10,
			  .p1 = y0 + PLOT_TOP };

	if (!n)
		return 0;
	series_range(s, n, &xlo, &xhi, &ylo, &yhi);
	fit_x(&x, xlo, xhi);
	axis_fit(&y, ylo, yhi, !(yhi / ylo > 100));
	names = join(cols, ncols);
	title = xasprintf("speedup against %s (higher is better)", names);
	draw_title(
		out, x0, y0, title,
		"speedup: the baseline strategy's median wall time / this cell's, for the same workload");
	free(title);
	draw_yaxis(out, &y, x0, x0 + lay->plot_w, 1,
		   y.log ? "speedup (\u00d7), log scale" : "speedup (\u00d7)");
	title = xasprintf("%s%s", names, x.log ? " (log scale)" : "");
	draw_xaxis(out, s, n, &x, y.p0, y.p1, title);
	free(title);
	by = axis_map(&y, 1);
	fprintf(out,
		"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#888\" stroke-dasharray=\"5 4\"/>\n",
		x0, by, x0 + lay->plot_w, by);
	text_at(out, x0 + lay->plot_w - 4, by - 5, "end", 11, "fill=\"#666\"",
		"baseline = 1");
	for (i = 0; i < n; i++) {
		series_sort(&s[i]);
		draw_series(out, &s[i], &x, &y);
	}
	draw_frame(out, x0, y.p1, x0 + lay->plot_w, y.p0);
	text_at(out, lay->legend_x, y.p1 + 4, "start", 13,
		"font-weight=\"bold\"", "strategy parameter / workload");
	for (i = 0; i < n; i++)
		draw_legend_entry(out, lay->legend_x,
				  y.p1 + 24 + 18 * (double)i,
				  colour_mix(s[i].hue, 0).hex,
				  series_dash(&s[i]), s[i].label);
	height = fmax(height, PLOT_TOP + 40 + 18 * (double)n);
	for (i = 0; i < ncols; i++)
		free(cols[i]);
	free(cols);
	free(names);
	series_free(s, n);
	return height;
}

/* ------------------------------------------------------------------
 * The file
 * ---------------------------------------------------------------- */

static struct layout layout_for(const struct plot_data *d)
{
	struct layout lay;
	size_t chars = longest(d->scells, d->n_scells) + 16;
	double bars = (double)(d->n_wcells * (d->n_scells * 16 + 30));

	chars = chars > LEGEND_MAX_CHARS ? LEGEND_MAX_CHARS : chars;
	lay.plot_w = fmax(560, fmin(bars, 2400));
	lay.legend_x = PLOT_LEFT + lay.plot_w + 24;
	lay.width = lay.legend_x + 40 + (double)chars * 12 * CHAR_W;
	return lay;
}

/* Both charts, into a buffer first: the height is known only at the end. */
static void svg_write(FILE *out, const struct plot_data *d)
{
	struct layout lay = layout_for(d);
	char *body = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&body, &len);
	double h;

	if (!mem) {
		perror("concur: open_memstream");
		exit(2);
	}
	h = draw_bars(mem, d, &lay, 0);
	h += draw_speedup(mem, d, &lay, h);
	fclose(mem);
	fprintf(out,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" font-family=\"%s\">\n"
		"<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
		lay.width, h + 10, lay.width, h + 10, FONT);
	fwrite(body, 1, len, out);
	fputs("</svg>\n", out);
	free(body);
}

/* The chart replaces path atomically (fileio_replace): never half-drawn. */
static int write_atomic(const char *path, const struct plot_data *d, char *err,
			size_t errlen)
{
	char *svg = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&svg, &len);
	int rc;

	if (!f) {
		rc = -errno;
		errf(err, errlen, "cannot write %s: %s", path, strerror(-rc));
		return rc;
	}
	svg_write(f, d);
	if (fclose(f) != 0) {
		free(svg);
		errf(err, errlen, "cannot write %s: out of memory", path);
		return -ENOMEM;
	}
	rc = fileio_replace(path, svg, len, err, errlen);
	free(svg);
	return rc;
}

int plot_file(const char *csv_path, const char *svg_path, char *err,
	      size_t errlen)
{
	struct plot_data d = { 0 };
	double lo, hi;
	int rc;

	err[0] = '\0';
	rc = data_read(csv_path, &d, err, errlen);
	if (rc == 0) {
		bar_range(&d, &lo, &hi);
		if (!(hi > 0)) {
			errf(err, errlen,
			     "%s: no cell finished ok, nothing to plot",
			     csv_path);
			rc = -ENODATA;
		}
	}
	if (rc == 0)
		rc = write_atomic(svg_path, &d, err, errlen);
	data_free(&d);
	return rc;
}

char *plot_default_path(const char *csv_path)
{
	size_t n = strlen(csv_path);

	if (n > 4 && !strcmp(csv_path + n - 4, ".csv"))
		return xasprintf("%.*s.svg", (int)(n - 4), csv_path);
	return xasprintf("%s.svg", csv_path);
}
