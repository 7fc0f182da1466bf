/*
 * plot_series.c - the speedup chart's lines (plot_series.h).
 */
#define _GNU_SOURCE /* qsort_r */
#include "plot_series.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* A parameter value as a number; NaN when it is not one (or empty). */
static double param_number(const char *s)
{
	char *end;
	double v;

	if (!*s)
		return NAN;
	v = strtod(s, &end);
	return *end || !isfinite(v) ? NAN : v;
}

double plot_line_x(const struct plot_data *d, uint32_t col, uint32_t row)
{
	return param_number(plot_param(d, row, col));
}

static bool varies(const struct plot_data *d, const uint8_t *bits,
		   uint32_t strategy, size_t col)
{
	size_t bit = (size_t)strategy * d->n_scols + col;

	return bits[bit / 8] >> (bit % 8) & 1;
}

/* Per strategy, what column col's values were so far. */
enum seen { SEEN_NONE, SEEN_ONE, SEEN_TWO, SEEN_TEXT };

/*
 * Which (strategy, column) pairs vary: one pass over the rows per column,
 * with the state of each strategy in two arrays reused across columns.
 */
static uint8_t *varies_build(const struct plot_data *d)
{
	size_t ns = d->strategies.n, bits = ns * d->n_scols, r, k, i;
	uint8_t *out = xcalloc(bits / 8 + 1, 1), *seen = xmalloc(ns + 1);
	double *first = xmalloc((ns + 1) * sizeof(*first));

	for (k = 0; k < d->n_scols; k++) {
		memset(seen, SEEN_NONE, ns + 1);
		for (r = 0; r < d->n_rows; r++) {
			uint32_t s = d->rows[r].strategy;
			const char *text = plot_param(d, r, k);
			double v = param_number(text);

			if (!*text || seen[s] == SEEN_TEXT)
				continue;
			if (isnan(v))
				seen[s] = SEEN_TEXT;
			else if (seen[s] == SEEN_NONE)
				first[s] = v, seen[s] = SEEN_ONE;
			else if (v != first[s])
				seen[s] = SEEN_TWO;
		}
		for (i = 0; i < ns; i++) {
			size_t bit = i * d->n_scols + k;

			if (seen[i] == SEEN_TWO)
				out[bit / 8] |= (uint8_t)(1u << (bit % 8));
		}
	}
	free(seen);
	free(first);
	return out;
}

struct order {
	const struct plot_data *d;
	const uint8_t *varies;
	uint32_t col;
};

/* Same line: strategy, workload cell, the other varying columns' values. */
static int cmp_line(uint32_t a, uint32_t b, const struct order *o)
{
	const struct plot_data *d = o->d;
	const struct plot_row *x = &d->rows[a], *y = &d->rows[b];
	size_t j;
	int c;

	if (x->strategy != y->strategy)
		return x->strategy < y->strategy ? -1 : 1;
	if (x->wcell != y->wcell)
		return x->wcell < y->wcell ? -1 : 1;
	for (j = 0; j < d->n_scols; j++) {
		if (j == o->col || !varies(d, o->varies, x->strategy, j))
			continue;
		c = strcmp(plot_param(d, a, j), plot_param(d, b, j));
		if (c)
			return c;
	}
	return 0;
}

/* By line, then x, then file order. */
static int cmp_point(const void *pa, const void *pb, void *arg)
{
	const struct order *o = arg;
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	int c = cmp_line(a, b, o);
	double xa, xb;

	if (c)
		return c;
	xa = plot_line_x(o->d, o->col, a);
	xb = plot_line_x(o->d, o->col, b);
	if (xa != xb)
		return xa < xb ? -1 : 1;
	return (a > b) - (a < b);
}

static int cmp_first(const void *pa, const void *pb)
{
	const struct plot_line *a = pa, *b = pb;

	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	return (a->first > b->first) - (a->first < b->first);
}

static bool on_chart(const struct plot_data *d, const uint8_t *bits,
		     uint32_t row, uint32_t col)
{
	const struct plot_row *r = &d->rows[row];

	return r->ok && isfinite(r->speedup) && r->speedup > 0 &&
	       varies(d, bits, r->strategy, col) &&
	       !isnan(plot_line_x(d, col, row));
}

/* Column col's points into l->points, cut into lines. */
static void lines_of_column(const struct plot_data *d, struct plot_lines *l,
			    uint32_t col, size_t *cap_points, size_t *cap_lines)
{
	struct order o = { d, l->varies, col };
	size_t start = 0, i, n = 0, base;
	uint32_t r;

	for (r = 0; r < d->n_rows; r++)
		n += on_chart(d, l->varies, r, col);
	if (!n)
		return;
	base = l->line ? l->line[l->n_lines - 1].start +
				 l->line[l->n_lines - 1].n
		       : 0;
	xgrow((void **)&l->points, cap_points, base + n, sizeof(*l->points));
	for (r = 0, i = base; r < d->n_rows; r++)
		if (on_chart(d, l->varies, r, col))
			l->points[i++] = r;
	qsort_r(l->points + base, n, sizeof(*l->points), cmp_point, &o);
	for (i = 1; i <= n; i++) {
		struct plot_line *line;
		size_t j;

		if (i < n &&
		    !cmp_line(l->points[base + start], l->points[base + i], &o))
			continue;
		xgrow((void **)&l->line, cap_lines, l->n_lines + 1,
		      sizeof(*l->line));
		line = &l->line[l->n_lines++];
		*line = (struct plot_line){ .col = col,
					    .first = l->points[base + start],
					    .start = base + start,
					    .n = i - start };
		for (j = base + start; j < base + i; j++)
			if (l->points[j] < line->first)
				line->first = l->points[j];
		start = i;
	}
	xgrow((void **)&l->cols, &l->cap_cols, l->n_cols + 1, sizeof(*l->cols));
	l->cols[l->n_cols++] = col;
}

void plot_lines_build(const struct plot_data *d, struct plot_lines *ret)
{
	size_t cap_points = 0, cap_lines = 0;
	uint32_t k;

	memset(ret, 0, sizeof(*ret));
	ret->varies = varies_build(d);
	for (k = 0; k < d->n_scols; k++)
		lines_of_column(d, ret, k, &cap_points, &cap_lines);
	/* Legend order: by column, then where each line first appears. */
	if (ret->n_lines)
		qsort(ret->line, ret->n_lines, sizeof(*ret->line), cmp_first);
}

char *plot_line_label(const struct plot_data *d, const struct plot_lines *l,
		      const struct plot_line *line)
{
	const struct plot_row *r = &d->rows[line->first];
	char *key = xasprintf("%s %s", d->strategies.s[r->strategy],
			      d->scols[line->col]),
	     *next;
	bool paren = false;
	size_t j;

	for (j = 0; j < d->n_scols; j++) {
		const char *v = plot_param(d, line->first, j);

		if (j == line->col || !*v ||
		    !varies(d, l->varies, r->strategy, j))
			continue;
		next = xasprintf("%s%s%s=%s", key, paren ? ", " : " (",
				 d->scols[j], v);
		free(key);
		key = next;
		paren = true;
	}
	next = xasprintf("%s%s / %s", key, paren ? ")" : "",
			 d->wcells.s[r->wcell]);
	free(key);
	return next;
}

void plot_lines_free(struct plot_lines *l)
{
	free(l->points);
	free(l->line);
	free(l->cols);
	free(l->varies);
	memset(l, 0, sizeof(*l));
}
