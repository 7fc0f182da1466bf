/*
 * fuzz_results.c - libFuzzer target for the results-file readers: the
 * CSV reader of csvscan.h record by record (what --resume reads N.csv and
 * N-runs.csv with) and the model `concur plot` builds on it (plot_data.h),
 * its speedup lines (plot_series.h) and the SVG drawn from them (to
 * /dev/null).
 *
 * Aborts when the reader leaves its buffer or its bounds, or when a drawn
 * model breaks its own invariants (ids in range, offsets inside the
 * buffer).  Build and run:
 * scripts/fuzz-check.sh, or see docs/tests.md.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvscan.h"
#include "plot.h"
#include "plot_data.h"
#include "plot_series.h"

static FILE *devnull;

/* The CSV reader, record by record: it stays in the buffer and within
 * its bounds, and a record it reads has at least one field. */
static void records_bounded(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1), **fields = NULL;
	size_t cap = 0, n = 0, pos = 0;
	struct csv_scan sc;
	int rc;

	memcpy(copy, data, size);
	copy[size] = '\0';
	csv_scan_init(&sc, copy, size);
	while ((rc = csv_scan_record(&sc, &fields, &cap, &n)) == 0) {
		if (n == 0 || n > CSV_MAX_FIELDS || sc.pos <= pos ||
		    sc.pos > size)
			abort();
		pos = sc.pos;
	}
	if (rc != 1 && rc != -EINVAL && rc != -E2BIG)
		abort();
	free(fields);
	free(copy);
}

static void model_is_sound(const struct plot_data *d)
{
	size_t r, k;

	for (r = 0; r < d->n_rows; r++) {
		const struct plot_row *row = &d->rows[r];

		if (row->scell >= d->scells.n || row->wcell >= d->wcells.n ||
		    row->strategy >= d->strategies.n || row->status > d->len ||
		    row->error > d->len)
			abort();
		for (k = 0; k < d->n_scols; k++)
			if (d->params[r * d->n_scols + k] > d->len)
				abort();
	}
	for (k = 0; k < d->scells.n; k++)
		if (d->hue[k] >= d->labels.n || d->shade[k] >= d->shades[k])
			abort();
}

static void plot_reads(const uint8_t *data, size_t size)
{
	struct plot_data d = { 0 };
	struct plot_lines lines;
	char *text = malloc(size + 1), err[512] = "";
	size_t i;

	memcpy(text, data, size);
	if (plot_data_parse(text, size, "fuzz.csv", &d, err, sizeof(err)) ==
	    0) {
		model_is_sound(&d);
		plot_lines_build(&d, &lines);
		for (i = 0; i < lines.n_lines; i++)
			free(plot_line_label(&d, &lines, &lines.line[i]));
		plot_lines_free(&lines);
		if (d.n_rows && d.wcells.n)
			plot_svg_write(devnull, &d);
	} else if (!err[0]) {
		abort(); /* every refusal says why */
	}
	plot_data_free(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	records_bounded(data, size);
	plot_reads(data, size);
	return 0;
}
