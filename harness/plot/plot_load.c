#include "plot_load.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "csvscan.h"
#include "fileio.h"
#include "plot_data.h"
#include "schema.h"
#include "util.h"
#include "verdict.h"
#include "xmltext.h"

#define FONT_SIZE 12
#define LEFT 90.0
#define RIGHT 30.0
#define TOP 56.0
#define AREA_H 360.0
#define BOTTOM 60.0
#define LEGEND_ROW 18.0

/* Colour-blind-safe palette (Okabe and Ito), then repeats with dashes. */
static const char *const palette[] = { "#0072B2", "#D55E00", "#009E73",
				       "#CC79A7", "#E69F00", "#56B4E9",
				       "#000000", "#F0E442" };

struct load_point {
	double offered, achieved, p50, p99;
	bool behind;
};

struct load_series {
	char *key; /* strategy cell, workload cell without its rate */
	char *strategy, *workload;
	char colour[8]; /* "#RRGGBB", set when drawn */
	struct load_point *pts;
	size_t n, cap;
};

struct plot_load {
	struct load_series *s;
	size_t n, cap;
	struct plot_names keys; /* series index by key: id = index in s */
	bool several_workloads;
};

enum {
	COL_CELL,
	COL_STATUS,
	COL_OFFERED,
	COL_ACHIEVED,
	COL_P50,
	COL_P99,
	NCOL
};

static const char *const col_names[NCOL] = {
	COLUMN_CELL,	      COLUMN_STATUS,	  COLUMN_OFFERED_RATE,
	COLUMN_ACHIEVED_RATE, COLUMN_TASK_P50_MS, COLUMN_TASK_P99_MS,
};

static double num(const char *s)
{
	char *end;
	double v;

	if (!s || !*s)
		return NAN;
	v = strtod(s, &end);
	return *end ? NAN : v;
}

/*
 * "download[latency=20ms,rate=400]" -> "download[latency=20ms]"; the rate
 * is the x axis, every other crossed value names a line.
 */
static char *drop_rate(const char *w)
{
	char *out = xstrdup(w), *p = strchr(out, '[');
	char *r;

	if (!p)
		return out;
	r = strstr(p, "rate=");
	while (r && r[-1] != '[' && r[-1] != ',')
		r = strstr(r + 1, "rate=");
	if (!r)
		return out;
	{
		char *end = r + strcspn(r, ",]");

		if (*end == ',')
			memmove(r, end + 1, strlen(end + 1) + 1);
		else if (r[-1] == ',')
			memmove(r - 1, end, strlen(end) + 1);
		else
			memmove(r, end, strlen(end) + 1);
	}
	if (strcmp(p, "[]") == 0)
		*p = '\0';
	return out;
}

static struct load_series *series_for(struct plot_load *c, const char *cell)
{
	const char *slash = strchr(cell, '/');
	char *strategy, *workload, *key;
	size_t i;

	if (!slash)
		return NULL;
	strategy = xstrndup(cell, (size_t)(slash - cell));
	workload = drop_rate(slash + 1);
	key = xasprintf("%s/%s", strategy, workload);
	/* a hash lookup: a scan of every series per row was quadratic */
	i = plot_names_intern(&c->keys, key, strlen(key));
	if (i < c->n) {
		free(key);
		free(strategy);
		free(workload);
		return &c->s[i];
	}
	xgrow((void **)&c->s, &c->cap, c->n + 1, sizeof(*c->s));
	c->s[c->n] = (struct load_series){ .key = key,
					   .strategy = strategy,
					   .workload = workload };
	return &c->s[c->n++];
}

/* One data row's six fields (NULL when the row has no such column). */
static void row_add(struct plot_load *c, char *const *f)
{
	struct load_point p;
	struct load_series *s;
	size_t k;

	for (k = 0; k < NCOL; k++)
		if (!f[k])
			return; /* a row torn short */
	if (strcmp(f[COL_STATUS], "ok") != 0)
		return; /* a failed cell's latency is not the queue's */
	p = (struct load_point){
		.offered = num(f[COL_OFFERED]),
		.achieved = num(f[COL_ACHIEVED]),
		.p50 = num(f[COL_P50]),
		.p99 = num(f[COL_P99]),
	};
	if (!(p.offered > 0 && p.p50 > 0 && p.p99 > 0))
		return;
	p.behind = p.achieved < VERDICT_KEEP_UP * p.offered;
	s = series_for(c, f[COL_CELL]);
	if (!s)
		return;
	xgrow((void **)&s->pts, &s->cap, s->n + 1, sizeof(*s->pts));
	s->pts[s->n++] = p;
}

static int by_offered(const void *a, const void *b)
{
	const struct load_point *x = a, *y = b;

	return (x->offered > y->offered) - (x->offered < y->offered);
}

/*
 * Scan the file in place (csvscan.h: no allocation per field, so a hostile
 * file costs its size and no more) keeping only the six columns above of
 * each row; a file without an offered_rate column stops at its header.
 */
static int scan_rows(struct plot_load *c, char *text, size_t len)
{
	struct csv_scan sc;
	long col[NCOL];
	char *f[NCOL], *field;
	size_t k, idx = 0, flen;
	bool last, header = true;

	for (k = 0; k < NCOL; k++) {
		col[k] = -1;
		f[k] = NULL;
	}
	csv_scan_init(&sc, text, len);
	while (csv_scan_field(&sc, &field, &flen, &last) == 0) {
		for (k = 0; k < NCOL; k++) {
			if (header && strcmp(field, col_names[k]) == 0)
				col[k] = (long)idx;
			else if (!header && col[k] == (long)idx)
				f[k] = field;
		}
		idx++;
		if (!last)
			continue;
		if (header && col[COL_OFFERED] < 0)
			return -1; /* not an open-loop experiment */
		if (!header)
			row_add(c, f);
		header = false;
		idx = 0;
		for (k = 0; k < NCOL; k++)
			f[k] = NULL;
	}
	return 0;
}

/* Read the file; 0 when it has open-loop rows, else -1. */
static int chart_read(struct plot_load *c, const char *path)
{
	char *text = NULL, err[512];
	size_t len = 0, k;
	int rc;

	if (fileio_read(path, PLOT_LOAD_MAX_FILE, "a concur results file",
			&text, &len, err, sizeof(err)) < 0)
		return -1;
	rc = scan_rows(c, text, len);
	for (k = 0; rc == 0 && k < c->n; k++) {
		qsort(c->s[k].pts, c->s[k].n, sizeof(*c->s[k].pts), by_offered);
		if (k && strcmp(c->s[k].workload, c->s[0].workload) != 0)
			c->several_workloads = true;
	}
	free(text);
	for (k = 0; rc == 0 && k < c->n; k++)
		if (c->s[k].n >= 2)
			return 0;
	return -1;
}

void plot_load_free(struct plot_load *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->n; i++) {
		free(c->s[i].key);
		free(c->s[i].strategy);
		free(c->s[i].workload);
		free(c->s[i].pts);
	}
	free(c->s);
	plot_names_free(&c->keys);
	free(c);
}

/* ---- drawing ---- */

struct log_axis {
	double lo, hi; /* decades: 10^lo .. 10^hi */
	double p0, p1; /* pixels */
};

static double log_map(const struct log_axis *a, double v)
{
	return a->p0 + (log10(v) - a->lo) / (a->hi - a->lo) * (a->p1 - a->p0);
}

/* The data's range with a margin, at least half a decade wide. */
static void log_fit(struct log_axis *a, double lo, double hi)
{
	a->lo = log10(lo) - 0.1;
	a->hi = log10(hi) + 0.1;
	if (a->hi - a->lo < 0.5) {
		double mid = (a->lo + a->hi) / 2;

		a->lo = mid - 0.25;
		a->hi = mid + 0.25;
	}
}

static void fmt_tick(char *buf, size_t len, double v, const char *unit)
{
	if (!strcmp(unit, "ms") && v >= 1000)
		snprintf(buf, len, "%g s", v / 1000);
	else if (!strcmp(unit, "ms") && v < 1)
		snprintf(buf, len, "%g us", v * 1000);
	else
		snprintf(buf, len, "%g%s%s", v, *unit ? " " : "", unit);
}

/* Decade grid lines with labels, and 2 and 5 between them. */
static void draw_axis(FILE *out, const struct log_axis *a, bool vertical,
		      double other0, double other1, const char *unit)
{
	static const double mult[] = { 1, 2, 5 };
	double d;
	size_t m;

	for (d = floor(a->lo); d <= a->hi; d++)
		for (m = 0; m < ARRAY_SIZE(mult); m++) {
			double v = mult[m] * pow(10, d), p;
			char label[32];

			if (log10(v) < a->lo || log10(v) > a->hi)
				continue;
			p = log_map(a, v);
			if (vertical)
				fprintf(out,
					"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>\n",
					other0, p, other1, p,
					m ? "#f0f0f0" : "#d0d0d0");
			else
				fprintf(out,
					"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>\n",
					p, other0, p, other1,
					m ? "#f0f0f0" : "#d0d0d0");
			fmt_tick(label, sizeof(label), v, unit);
			if (vertical)
				fprintf(out,
					"<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" font-size=\"%d\">%s</text>\n",
					other0 - 6, p + 4,
					m ? FONT_SIZE - 2 : FONT_SIZE, label);
			else
				fprintf(out,
					"<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"%d\">%s</text>\n",
					p, other1 + 16,
					m ? FONT_SIZE - 2 : FONT_SIZE, label);
		}
}

static void series_name(FILE *out, const struct plot_load *c,
			const struct load_series *s)
{
	xml_text(out, s->strategy);
	if (c->several_workloads) {
		fputs(" / ", out);
		xml_text(out, s->workload);
	}
}

static void draw_marker(FILE *out, const struct plot_load *c,
			const struct load_series *s, const struct load_point *p,
			double x, double y, bool p99, const char *colour)
{
	const char *fill = p->behind ? "white" : colour;

	if (p99)
		fprintf(out,
			"<rect x=\"%.1f\" y=\"%.1f\" width=\"7\" height=\"7\" fill=\"%s\" stroke=\"%s\" stroke-width=\"1.5\">",
			x - 3.5, y - 3.5, fill, colour);
	else
		fprintf(out,
			"<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\" stroke=\"%s\" stroke-width=\"1.5\">",
			x, y, fill, colour);
	fputs("<title>", out);
	series_name(out, c, s);
	fprintf(out,
		": offered %.4g/s, achieved %.4g/s%s; latency p50 %.4g ms, p99 %.4g ms</title>",
		p->offered, p->achieved,
		p->behind ? " (could not keep up)" : "", p->p50, p->p99);
	fputs(p99 ? "</rect>\n" : "</circle>\n", out);
}

static void draw_series(FILE *out, const struct plot_load *c, size_t k,
			const struct log_axis *x, const struct log_axis *y)
{
	const struct load_series *s = &c->s[k];
	const char *colour = s->colour;
	int pass;
	size_t i;

	for (pass = 0; pass < 2; pass++) {
		fprintf(out,
			"<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s points=\"",
			colour, pass ? " stroke-dasharray=\"6,4\"" : "");
		for (i = 0; i < s->n; i++)
			fprintf(out, "%s%.1f,%.1f", i ? " " : "",
				log_map(x, s->pts[i].offered),
				log_map(y,
					pass ? s->pts[i].p99 : s->pts[i].p50));
		fputs("\"/>\n", out);
		for (i = 0; i < s->n; i++)
			draw_marker(out, c, s, &s->pts[i],
				    log_map(x, s->pts[i].offered),
				    log_map(y, pass ? s->pts[i].p99
						    : s->pts[i].p50),
				    pass, colour);
	}
}

#define LEGEND_COL 260.0

/* Legend entries per row in a picture `width` wide (at least one). */
static size_t legend_per_row(double width)
{
	double room = width - RIGHT - LEFT;
	size_t n = room > LEGEND_COL ? (size_t)(room / LEGEND_COL) : 1;

	return n ? n : 1;
}

static double legend_height(const struct plot_load *c, double width)
{
	size_t per = legend_per_row(width);

	return ((double)((c->n + per - 1) / per) + 1) * LEGEND_ROW;
}

static void draw_legend(FILE *out, const struct plot_load *c, double x0,
			double y0, double width)
{
	size_t per = legend_per_row(width), k;
	double x = x0, y = y0;

	for (k = 0; k < c->n; k++) {
		if (k && k % per == 0) {
			x = x0;
			y += LEGEND_ROW;
		}
		fprintf(out,
			"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"3\"/>\n",
			x, y - 4, x + 18, y - 4, c->s[k].colour);
		fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\">",
			x + 24, y, FONT_SIZE);
		series_name(out, c, &c->s[k]);
		fputs("</text>\n", out);
		x += LEGEND_COL;
	}
	y += LEGEND_ROW;
	fprintf(out,
		"<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" fill=\"#555\">solid line and circles: p50; dashed line and squares: p99; hollow: achieved under %.0f%% of the offered rate (past the knee)</text>\n",
		x0, y, FONT_SIZE - 1, VERDICT_KEEP_UP * 100);
}

static void chart_ranges(const struct plot_load *c, double *xlo, double *xhi,
			 double *ylo, double *yhi)
{
	size_t k, i;

	*xlo = *ylo = INFINITY;
	*xhi = *yhi = 0;
	for (k = 0; k < c->n; k++)
		for (i = 0; i < c->s[k].n; i++) {
			const struct load_point *p = &c->s[k].pts[i];

			*xlo = fmin(*xlo, p->offered);
			*xhi = fmax(*xhi, p->offered);
			*ylo = fmin(*ylo, fmin(p->p50, p->p99));
			*yhi = fmax(*yhi, fmax(p->p50, p->p99));
		}
}

struct plot_load *plot_load_read(const char *csv_path)
{
	struct plot_load *c = xcalloc(1, sizeof(*c));

	if (chart_read(c, csv_path) < 0) {
		plot_load_free(c);
		return NULL;
	}
	return c;
}

double plot_load_height(const struct plot_load *c, double width)
{
	return c ? TOP + AREA_H + BOTTOM + legend_height(c, width) : 0;
}

/* Each series' colour: the caller's for its strategy cell, or ours. */
static void pick_colours(struct plot_load *c, plot_load_colour_fn colour,
			 void *arg)
{
	size_t k;

	for (k = 0; k < c->n; k++) {
		const char *hex = colour ? colour(arg, c->s[k].strategy) : NULL;

		if (!hex || strlen(hex) != 7)
			hex = palette[k % ARRAY_SIZE(palette)];
		memcpy(c->s[k].colour, hex, 8);
	}
}

void plot_load_draw(FILE *out, const struct plot_load *pl, double y0,
		    double width, plot_load_colour_fn colour, void *arg)
{
	struct plot_load *c = (struct plot_load *)pl; /* colours only */
	struct log_axis x, y;
	double xlo, xhi, ylo, yhi, top = y0 + TOP;
	size_t k;

	if (!c)
		return;
	pick_colours(c, colour, arg);
	chart_ranges(c, &xlo, &xhi, &ylo, &yhi);
	log_fit(&x, xlo, xhi);
	log_fit(&y, ylo, yhi);
	x.p0 = LEFT;
	x.p1 = width - RIGHT;
	y.p0 = top + AREA_H; /* up is larger */
	y.p1 = top;
	fprintf(out,
		"<text x=\"%.1f\" y=\"%.1f\" font-size=\"16\" font-weight=\"bold\">Latency against offered load (open loop)</text>\n",
		LEFT, y0 + 24);
	fprintf(out,
		"<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" fill=\"#555\">latency = end - intended start, queueing included; each line is one strategy cell, left to right the rates it was offered</text>\n",
		LEFT, y0 + 42, FONT_SIZE - 1);
	draw_axis(out, &y, true, x.p0, x.p1, "ms");
	draw_axis(out, &x, false, y.p1, y.p0, "/s");
	fprintf(out,
		"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#888\"/>\n",
		x.p0, top, x.p1 - x.p0, AREA_H);
	fprintf(out,
		"<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"%d\">offered rate (tasks per second, log scale)</text>\n",
		(x.p0 + x.p1) / 2, y.p0 + 38, FONT_SIZE);
	fprintf(out,
		"<text transform=\"translate(%.1f,%.1f) rotate(-90)\" text-anchor=\"middle\" font-size=\"%d\">latency (log scale)</text>\n",
		LEFT - 62, top + AREA_H / 2, FONT_SIZE);
	for (k = 0; k < c->n; k++)
		draw_series(out, c, k, &x, &y);
	draw_legend(out, c, LEFT, y0 + TOP + AREA_H + BOTTOM, width);
}
