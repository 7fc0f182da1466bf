/*
 * fuzz_results.c - libFuzzer target for the results-file readers: the
 * record reader of csv.h (what --resume reads N.csv and N-runs.csv with)
 * and the in-place reader of csvscan.h with the model `concur plot` builds
 * on it (plot_data.h), its speedup lines (plot_series.h) and the SVG drawn
 * from them (to /dev/null).
 *
 * Aborts when the two CSV readers disagree on any field of any record
 * (they promise the same reading), or when a drawn model breaks its own
 * invariants (ids in range, offsets inside the buffer).  Build and run:
 * scripts/fuzz-check.sh, or see docs/tests.md.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "csvscan.h"
#include "plot.h"
#include "plot_data.h"
#include "plot_series.h"

static FILE *devnull;

/* The two CSV readers, record by record, field by field. */
static void readers_agree(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1), **fields, *f;
	size_t off = 0, used, n, i, flen;
	struct csv_scan sc;
	bool last;
	int a, b;

	memcpy(copy, data, size);
	copy[size] = '\0';
	csv_scan_init(&sc, copy, size);
	while ((a = csv_parse_record((const char *)data + off, size - off,
				     &used, &fields, &n)) == 0) {
		for (i = 0; i < n; i++) {
			b = csv_scan_field(&sc, &f, &flen, &last);
			/* as C strings: the record reader stops at a NUL */
			if (b != 0 || strcmp(f, fields[i]) != 0 ||
			    last != (i + 1 == n))
				abort();
		}
		csv_fields_free(fields, n);
		off += used;
	}
	while ((b = csv_scan_field(&sc, &f, &flen, &last)) == 0 && a < 0)
		; /* a malformed record may give its first fields */
	if (a != b)
		abort();
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
	readers_agree(data, size);
	plot_reads(data, size);
	return 0;
}
