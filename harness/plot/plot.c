/*
 * plot.c - the SVG charts of plot.h: two charts that share the axis, legend
 * and text helpers below.  The data comes from plot_data.h (the file) and
 * plot_series.h (the speedup chart's lines); every text from the file goes
 * out through xmltext.h.  The picture is streamed to the file: its height
 * is worked out before the first byte, so nothing is held back in memory.
 */
#include "plot.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "plot_data.h"
#include "plot_load.h"
#include "plot_series.h"
#include "svgnum.h"
#include "util.h"
#include "xmltext.h"

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
	xml_text(out, d->scells.s[r->scell]);
	fputs(" / ", out);
	xml_text(out, d->wcells.s[r->wcell]);
	if (r->ok) {
		fprintf(out,
			": median %.4g %s, 95%% CI %.4g..%.4g %s, speedup %.3g",
			r->median / unit, un, r->lo / unit, r->hi / unit, un,
			r->speedup);
	} else {
		fputs(": ", out);
		xml_text(out, plot_text(d, r->status));
		fputc(' ', out);
		xml_text(out, plot_text(d, r->error));
	}
	fputs("</title>", out);
}

static void draw_bar(FILE *out, const struct plot_data *d,
		     const struct plot_row *r, const struct axis *y, double x,
		     double w, double unit, const char *un)
{
	double top, base = y->p0, cx = x + w / 2;
	char n[9][SVG_NUM_MAX];

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
		"<g><rect x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\" fill=\"%s\" stroke=\"#333\" stroke-width=\"0.5\"/>",
		svg_num(n[0], x), svg_num(n[1], top), svg_num(n[2], w),
		svg_num(n[3], base - top), cell_colour(d, r->scell).hex);
	if (isfinite(r->lo) && isfinite(r->hi) && r->hi > r->lo) {
		double ylo = axis_map(y, fmax(r->lo, y->lo)),
		       yhi = axis_map(y, r->hi);
		double cap = fmin(w / 3, 6);

		fprintf(out,
			"<path d=\"M%s %sV%sM%s %sH%sM%s %sH%s\" stroke=\"#222\" stroke-width=\"1.2\" fill=\"none\"/>",
			svg_num(n[0], cx), svg_num(n[1], ylo),
			svg_num(n[2], yhi), svg_num(n[3], cx - cap),
			svg_num(n[4], yhi), svg_num(n[5], cx + cap),
			svg_num(n[6], cx - cap), svg_num(n[7], ylo),
			svg_num(n[8], cx + cap));
	}
	bar_tooltip(out, d, r, unit, un);
	fputs("</g>\n", out);
}

/* Label of workload group g, under the axis, slanted when it is too wide. */
static size_t longest(const char *const *s, size_t n)
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
	size_t n = longest(d->wcells.s, d->wcells.n);
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

static double bars_height(const struct plot_data *d, const struct layout *lay)
{
	bool slant;
	double room =
		group_label_room(d, lay->plot_w / (double)d->wcells.n, &slant);

	return fmax(PLOT_TOP + PLOT_AREA_H + room + 36,
		    PLOT_TOP + 40 + 18 * (double)d->scells.n);
}

/* The bar chart with its top edge at y0 (bars_height high). */
static void draw_bars(FILE *out, const struct plot_data *d,
		      const struct layout *lay, double y0)
{
	double group_w = lay->plot_w / (double)d->wcells.n, x0 = PLOT_LEFT;
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
	bar_w = fmin(48, (group_w * 0.8) / (double)d->scells.n);
	for (i = 0; i < d->n_rows; i++) {
		const struct plot_row *r = &d->rows[i];
		double gx = x0 + group_w * (double)r->wcell +
			    (group_w - bar_w * (double)d->scells.n) / 2;

		draw_bar(out, d, r, &y, gx + bar_w * (double)r->scell, bar_w,
			 unit, un);
	}
	for (i = 0; i < d->wcells.n; i++)
		draw_group_label(out, d->wcells.s[i],
				 x0 + group_w * ((double)i + 0.5), y.p0, slant);
	text_at(out, x0 + lay->plot_w / 2, y.p0 + room + 14, "middle", 13, "",
		"workload");
	draw_frame(out, x0, y.p1, x0 + lay->plot_w, y.p0);
	text_at(out, lay->legend_x, y.p1 + 4, "start", 13,
		"font-weight=\"bold\"", "strategy");
	for (i = 0; i < d->scells.n; i++)
		draw_legend_entry(out, lay->legend_x,
				  y.p1 + 24 + 18 * (double)i,
				  cell_colour(d, i).hex, NULL, d->scells.s[i]);
}

/* ------------------------------------------------------------------
 * The speedup chart
 * ---------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Is v among t[0..n)? */
static bool seen_tick(const double *t, size_t n, double v)
{
	size_t k;

	for (k = 0; k < n; k++)
		if (t[k] == v)
			return true;
	return false;
}

/* The x ticks: every distinct value when few, else the axis' own. */
static size_t x_ticks(const struct plot_data *d, const struct plot_lines *l,
		      const struct axis *x, double *t, size_t max)
{
	size_t n = 0, i, j;

	for (i = 0; i < l->n_lines && n < max; i++) {
		const struct plot_line *line = &l->line[i];

		for (j = line->start; j < line->start + line->n && n < max;
		     j++) {
			double v = plot_line_x(d, line->col, l->points[j]);

			if (!seen_tick(t, n, v))
				t[n++] = v;
		}
	}
	qsort(t, n, sizeof(double), cmp_double);
	if (n > 12 && !x->log)
		return axis_ticks(x, t, max);
	return n;
}

static void draw_xaxis(FILE *out, const struct plot_data *d,
		       const struct plot_lines *l, const struct axis *x,
		       double y0, double y1, const char *title)
{
	double t[64];
	size_t n = x_ticks(d, l, x, t, ARRAY_SIZE(t)), i;
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

static const char *line_dash(const struct plot_data *d,
			     const struct plot_line *line)
{
	return dashes[d->rows[line->first].wcell % ARRAY_SIZE(dashes)];
}

static struct colour line_colour(const struct plot_data *d,
				 const struct plot_line *line)
{
	return colour_mix(d->hue[d->rows[line->first].scell], 0);
}

static void draw_line(FILE *out, const struct plot_data *d,
		      const struct plot_lines *l, const struct plot_line *line,
		      const struct axis *x, const struct axis *y)
{
	struct colour col = line_colour(d, line);
	char *label = plot_line_label(d, l, line), n[2][SVG_NUM_MAX];
	size_t j;

	fprintf(out,
		"<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" stroke-dasharray=\"%s\" points=\"",
		col.hex, line_dash(d, line));
	for (j = 0; j < line->n; j++) {
		uint32_t r = l->points[line->start + j];

		fprintf(out, "%s%s,%s", j ? " " : "",
			svg_num(n[0],
				axis_map(x, plot_line_x(d, line->col, r))),
			svg_num(n[1], axis_map(y, d->rows[r].speedup)));
	}
	fputs("\"/>\n", out);
	for (j = 0; j < line->n; j++) {
		uint32_t r = l->points[line->start + j];
		double px = plot_line_x(d, line->col, r);

		fprintf(out,
			"<circle cx=\"%s\" cy=\"%s\" r=\"3.5\" fill=\"%s\"><title>",
			svg_num(n[0], axis_map(x, px)),
			svg_num(n[1], axis_map(y, d->rows[r].speedup)),
			col.hex);
		xml_text(out, label);
		fprintf(out, ": %g -> speedup %.3g</title></circle>\n", px,
			d->rows[r].speedup);
	}
	free(label);
}

static void lines_range(const struct plot_data *d, const struct plot_lines *l,
			double *xlo, double *xhi, double *ylo, double *yhi)
{
	size_t i, j;

	*xlo = *ylo = INFINITY;
	*xhi = *yhi = -INFINITY;
	for (i = 0; i < l->n_lines; i++) {
		const struct plot_line *line = &l->line[i];

		for (j = line->start; j < line->start + line->n; j++) {
			uint32_t r = l->points[j];
			double x = plot_line_x(d, line->col, r);

			*xlo = fmin(*xlo, x);
			*xhi = fmax(*xhi, x);
			*ylo = fmin(*ylo, d->rows[r].speedup);
			*yhi = fmax(*yhi, d->rows[r].speedup);
		}
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

/* The names of the x columns, "workers, max_inflight". */
static char *column_names(const struct plot_data *d, const struct plot_lines *l)
{
	char *s = xstrdup(""), *next;
	size_t i;

	for (i = 0; i < l->n_cols; i++) {
		next = xasprintf("%s%s%s", s, i ? ", " : "",
				 d->scols[l->cols[i]]);
		free(s);
		s = next;
	}
	return s;
}

#define SPEEDUP_H 420.0

/* Height of the speedup chart: 0 when there is no line. */
static double speedup_height(const struct plot_lines *l)
{
	if (!l->n_lines)
		return 0;
	return fmax(SPEEDUP_H, PLOT_TOP + 40 + 18 * (double)l->n_lines);
}

/* The speedup chart with its top edge at y0, when it has lines. */
static void draw_speedup(FILE *out, const struct plot_data *d,
			 const struct plot_lines *l, const struct layout *lay,
			 double y0)
{
	double xlo, xhi, ylo, yhi, x0 = PLOT_LEFT, by;
	struct axis x = { .p0 = x0, .p1 = x0 + lay->plot_w };
	struct axis y = { .p0 = y0 + SPEEDUP_H - PLOT_BOTTOM + 10,
			  .p1 = y0 + PLOT_TOP };
	char *names, *title;
	size_t i;

	if (!l->n_lines)
		return;
	lines_range(d, l, &xlo, &xhi, &ylo, &yhi);
	fit_x(&x, xlo, xhi);
	axis_fit(&y, ylo, yhi, !(yhi / ylo > 100));
	names = column_names(d, l);
	title = xasprintf("speedup against %s (higher is better)", names);
	draw_title(
		out, x0, y0, title,
		"speedup: the baseline strategy's median wall time / this cell's, for the same workload");
	free(title);
	draw_yaxis(out, &y, x0, x0 + lay->plot_w, 1,
		   y.log ? "speedup (\u00d7), log scale" : "speedup (\u00d7)");
	title = xasprintf("%s%s", names, x.log ? " (log scale)" : "");
	draw_xaxis(out, d, l, &x, y.p0, y.p1, title);
	free(title);
	free(names);
	by = axis_map(&y, 1);
	fprintf(out,
		"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#888\" stroke-dasharray=\"5 4\"/>\n",
		x0, by, x0 + lay->plot_w, by);
	text_at(out, x0 + lay->plot_w - 4, by - 5, "end", 11, "fill=\"#666\"",
		"baseline = 1");
	for (i = 0; i < l->n_lines; i++)
		draw_line(out, d, l, &l->line[i], &x, &y);
	draw_frame(out, x0, y.p1, x0 + lay->plot_w, y.p0);
	text_at(out, lay->legend_x, y.p1 + 4, "start", 13,
		"font-weight=\"bold\"", "strategy parameter / workload");
	for (i = 0; i < l->n_lines; i++) {
		char *label = plot_line_label(d, l, &l->line[i]);

		draw_legend_entry(out, lay->legend_x,
				  y.p1 + 24 + 18 * (double)i,
				  line_colour(d, &l->line[i]).hex,
				  line_dash(d, &l->line[i]), label);
		free(label);
	}
}

/* ------------------------------------------------------------------
 * The file
 * ---------------------------------------------------------------- */

static struct layout layout_for(const struct plot_data *d)
{
	struct layout lay;
	size_t chars = longest(d->scells.s, d->scells.n) + 16;
	double bars = (double)(d->wcells.n * (d->scells.n * 16 + 30));

	chars = chars > LEGEND_MAX_CHARS ? LEGEND_MAX_CHARS : chars;
	lay.plot_w = fmax(560, fmin(bars, 2400));
	lay.legend_x = PLOT_LEFT + lay.plot_w + 24;
	lay.width = lay.legend_x + 40 + (double)chars * 12 * CHAR_W;
	return lay;
}

/* The open-loop chart colours a strategy cell as the bars do. */
static const char *scell_colour(void *arg, const char *scell)
{
	const struct plot_data *d = arg;
	static struct colour c;
	size_t i;

	for (i = 0; i < d->scells.n; i++)
		if (d->scells.len[i] == strlen(scell) &&
		    memcmp(d->scells.s[i], scell, d->scells.len[i]) == 0) {
			c = cell_colour(d, i);
			return c.hex;
		}
	return NULL;
}

/* What svg_fill draws: the file's data and its open-loop chart, if any. */
struct svg_input {
	const struct plot_data *d;
	const struct plot_load *load; /* plot_load.h; NULL = none */
};

/* The charts, streamed: the heights are known before the first byte. */
static void svg_write(FILE *out, const struct plot_data *d,
		      const struct plot_load *load)
{
	struct layout lay = layout_for(d);
	struct plot_lines lines;
	double bars_h = bars_height(d, &lay), h, speed_h;

	plot_lines_build(d, &lines);
	speed_h = speedup_height(&lines);
	h = bars_h + speed_h + plot_load_height(load, lay.width);
	fprintf(out,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" font-family=\"%s\">\n"
		"<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
		lay.width, h + 10, lay.width, h + 10, FONT);
	draw_bars(out, d, &lay, 0);
	draw_speedup(out, d, &lines, &lay, bars_h);
	plot_load_draw(out, load, bars_h + speed_h, lay.width, scell_colour,
		       (void *)d);
	fputs("</svg>\n", out);
	plot_lines_free(&lines);
}

void plot_svg_write(FILE *out, const struct plot_data *d)
{
	svg_write(out, d, NULL);
}

static int svg_fill(FILE *out, const void *arg)
{
	const struct svg_input *in = arg;

	svg_write(out, in->d, in->load);
	return 0;
}

int plot_file(const char *csv_path, const char *svg_path, char *err,
	      size_t errlen)
{
	struct plot_data d = { 0 };
	struct svg_input in = { .d = &d };
	double lo, hi;
	int rc;

	err[0] = '\0';
	rc = plot_data_read(csv_path, &d, err, errlen);
	if (rc == 0) {
		bar_range(&d, &lo, &hi);
		if (!(hi > 0)) {
			errf(err, errlen,
			     "%s: no cell finished ok, nothing to plot",
			     csv_path);
			rc = -ENODATA;
		}
	}
	/* replaced atomically (fileio.h): never a half-drawn chart */
	if (rc == 0) {
		in.load = plot_load_read(csv_path);
		rc = fileio_replace_stream(svg_path, svg_fill, &in, err,
					   errlen);
		plot_load_free((struct plot_load *)in.load);
	}
	plot_data_free(&d);
	return rc;
}

char *plot_default_path(const char *csv_path)
{
	size_t n = strlen(csv_path);

	if (n > 4 && !strcmp(csv_path + n - 4, ".csv"))
		return xasprintf("%.*s.svg", (int)(n - 4), csv_path);
	return xasprintf("%s.svg", csv_path);
}
