/*
 * plot_data.h - a summary results file (N.csv) read for `concur plot`.
 *
 * Bounded by design, for files up to the 100,000-cell matrix limit and
 * beyond: the file is read once into one buffer and parsed in place
 * (csvscan.h), so a field costs no allocation; a row keeps ids and offsets
 * into that buffer, not copies; the strategy and workload cells, strategy
 * labels and strategy names are interned through hash tables (O(1) each).
 * Reading is O(file size); memory is the file plus a fixed record per row
 * and one 32-bit offset per row and strategy parameter.  A file whose rows
 * are so small that this would pass PLOT_MEMORY_FACTOR times its size is
 * refused (no concur summary row is that small).
 *
 * Rows with fewer fields than the header (a row torn by a crash, a stray
 * line) are skipped; extra fields are ignored.  Columns are found by name.
 */
#ifndef CONCUR_PLOT_DATA_H
#define CONCUR_PLOT_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Most bytes of a summary file read (a 100,000-cell matrix fits). */
#define PLOT_MAX_FILE (256u << 20)
/* Most memory the model may take per byte of the file (the file included). */
#define PLOT_MEMORY_FACTOR 8

/* Unique strings: slices of the file buffer, numbered in file order. */
struct plot_names {
	const char **s;	 /* NUL-terminated where the caller asked for it */
	uint32_t *len;	 /* bytes of each */
	uint32_t *slots; /* open-addressing index: id + 1, 0 = free */
	size_t n, cap, n_slots;
};

struct plot_row {
	uint32_t scell, wcell;		/* ids in plot_data's scells / wcells */
	uint32_t strategy;		/* id in plot_data's strategies */
	uint32_t status, error;		/* offsets of texts in the buffer */
	bool ok;			/* status ok with a positive median */
	double median, lo, hi, speedup; /* NaN when empty */
};

struct plot_data {
	char *text; /* the file, rewritten in place; every text points here */
	size_t len;
	const char *experiment; /* of the first row; NULL without the column */
	struct plot_row *rows;
	size_t n_rows, cap_rows;
	/* Strategy parameter columns ("workers" of "strategy.workers"). */
	const char **scols;
	size_t n_scols;
	uint32_t *params; /* row r's value of column k: params[r * n_scols + k] */
	struct plot_names scells, wcells, strategies, labels;
	uint32_t *hue;	  /* per scell: its label (the text before '[') */
	uint32_t *shade;  /* per scell: its rank among its label's cells */
	uint32_t *shades; /* per scell: how many cells its label has */
};

/* Text at offset off of the buffer. */
static inline const char *plot_text(const struct plot_data *d, uint32_t off)
{
	return d->text + off;
}

/* Row r's value of strategy parameter column k ("" when empty). */
static inline const char *plot_param(const struct plot_data *d, size_t r,
				     size_t k)
{
	return d->text + d->params[r * d->n_scols + k];
}

/*
 * The id of s[0..len) in t (zeroed to start), adding it when new: by
 * reference, so s must live as long as t.  O(1) on average.
 */
uint32_t plot_names_intern(struct plot_names *t, const char *s, size_t len);
void plot_names_free(struct plot_names *t);

/*
 * Read the file at path into *d (zeroed by the caller).  0, or a negative
 * errno code with a message naming the file (and line).  Free with
 * plot_data_free whatever the result.
 */
int plot_data_read(const char *path, struct plot_data *d, char *err,
		   size_t errlen);

/*
 * The same from memory: d takes text (malloc'd, len + 1 bytes, text[len]
 * a writable NUL) and frees it.  name is for messages.
 */
int plot_data_parse(char *text, size_t len, const char *name,
		    struct plot_data *d, char *err, size_t errlen);

void plot_data_free(struct plot_data *d);

#endif
