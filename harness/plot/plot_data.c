/*
 * plot_data.c - reading a summary file for the charts (plot_data.h).
 */
#define _GNU_SOURCE /* getrandom */
#include "plot_data.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "csv.h"
#include "csvscan.h"
#include "fileio.h"
#include "schema.h"
#include "util.h"

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
	COLUMN_EXPERIMENT,	COLUMN_CELL,
	COLUMN_STRATEGY,	COLUMN_WORKLOAD,
	COLUMN_STATUS,		COLUMN_WALL_MEDIAN_S,
	COLUMN_WALL_CI95_LOW_S, COLUMN_WALL_CI95_HIGH_S,
	COLUMN_SPEEDUP,		COLUMN_ERROR,
};

/* A column plot reads: its index in the file and where its value goes. */
struct wanted {
	size_t field;
	size_t slot; /* < COL_COUNT: a fixed column; else scol slot - COL_COUNT */
};

/* State of the read: the header's map and the current record's values. */
struct reader {
	struct plot_data *d;
	const char *name;
	struct wanted *want; /* sorted by field */
	size_t n_want, cap_want, n_fields, cap_scols;
	uint32_t *value; /* per slot: offset of the field, or d->len ("") */
	size_t field;	 /* index of the next field in the record */
	size_t next;	 /* next entry of want to fill */
	bool has_experiment;
	bool has_status; /* without the column every row is ok (older files) */
};

/* ---- interning ----------------------------------------------------- */

static uint64_t hash_seed;

/*
 * FNV-1a from a per-process random basis, then a final mix: cheap, and a
 * file cannot be written in advance to put every name in one bucket.
 */
static uint32_t name_hash(const char *s, size_t len)
{
	uint64_t h = hash_seed ^ 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return (uint32_t)h;
}

static void names_rehash(struct plot_names *t)
{
	size_t n = t->n_slots ? t->n_slots * 2 : 64, i;

	free(t->slots);
	t->slots = xcalloc(n, sizeof(*t->slots));
	t->n_slots = n;
	for (i = 0; i < t->n; i++) {
		size_t j = name_hash(t->s[i], t->len[i]) & (n - 1);

		while (t->slots[j])
			j = (j + 1) & (n - 1);
		t->slots[j] = (uint32_t)i + 1;
	}
}

uint32_t plot_names_intern(struct plot_names *t, const char *s, size_t len)
{
	size_t j, cap = t->cap;

	if (2 * (t->n + 1) > t->n_slots)
		names_rehash(t);
	j = name_hash(s, len) & (t->n_slots - 1);
	for (; t->slots[j]; j = (j + 1) & (t->n_slots - 1)) {
		uint32_t id = t->slots[j] - 1;

		if (t->len[id] == len && !memcmp(t->s[id], s, len))
			return id;
	}
	xgrow((void **)&t->s, &t->cap, t->n + 1, sizeof(*t->s));
	xgrow((void **)&t->len, &cap, t->n + 1, sizeof(*t->len));
	t->s[t->n] = s;
	t->len[t->n] = (uint32_t)len;
	t->slots[j] = (uint32_t)t->n + 1;
	return (uint32_t)t->n++;
}

void plot_names_free(struct plot_names *t)
{
	free(t->s);
	free(t->len);
	free(t->slots);
}

static size_t names_bytes(const struct plot_names *t)
{
	return t->cap * (sizeof(*t->s) + sizeof(*t->len)) +
	       t->n_slots * sizeof(*t->slots);
}

/* ---- the header ---------------------------------------------------- */

static void want_add(struct reader *rd, size_t field, size_t slot)
{
	xgrow((void **)&rd->want, &rd->cap_want, rd->n_want + 1,
	      sizeof(*rd->want));
	rd->want[rd->n_want++] = (struct wanted){ field, slot };
}

/* One header field; a name seen twice is read from its last column. */
static void header_field(struct reader *rd, char *f, size_t i,
			 size_t fixed[COL_COUNT])
{
	struct plot_data *d = rd->d;
	size_t k;

	for (k = 0; k < COL_COUNT; k++)
		if (!strcmp(f, header_names[k]))
			fixed[k] = i;
	if (!strncmp(f, "strategy.", 9)) {
		xgrow((void **)&d->scols, &rd->cap_scols, d->n_scols + 1,
		      sizeof(*d->scols));
		d->scols[d->n_scols] = f + 9;
		want_add(rd, i, COL_COUNT + d->n_scols++);
	}
}

static int cmp_wanted(const void *a, const void *b)
{
	const struct wanted *x = a, *y = b;

	return (x->field > y->field) - (x->field < y->field);
}

static int header_read(struct reader *rd, struct csv_scan *sc, char *err,
		       size_t errlen)
{
	size_t fixed[COL_COUNT], k, len, i = 0;
	bool last = false;
	char *f;
	int rc;

	for (k = 0; k < COL_COUNT; k++)
		fixed[k] = SIZE_MAX;
	while (!last && (rc = csv_scan_field(sc, &f, &len, &last)) == 0)
		header_field(rd, f, i++, fixed);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		errf(err, errlen, "%s: empty file", rd->name);
		return -EINVAL;
	}
	if (fixed[COL_CELL] == SIZE_MAX || fixed[COL_STRATEGY] == SIZE_MAX ||
	    fixed[COL_MEDIAN] == SIZE_MAX) {
		errf(err, errlen,
		     "%s: not a concur summary file: no 'cell', 'strategy' or 'wall_median_s' column (plot the N.csv file, not N-runs.csv or N-matrix.csv)",
		     rd->name);
		return -EINVAL;
	}
	for (k = 0; k < COL_COUNT; k++)
		if (fixed[k] != SIZE_MAX)
			want_add(rd, fixed[k], k);
	rd->has_status = fixed[COL_STATUS] != SIZE_MAX;
	rd->has_experiment = fixed[COL_EXPERIMENT] != SIZE_MAX;
	qsort(rd->want, rd->n_want, sizeof(*rd->want), cmp_wanted);
	rd->n_fields = i;
	rd->value = xcalloc(COL_COUNT + rd->d->n_scols, sizeof(*rd->value));
	return 0;
}

/* ---- the rows ------------------------------------------------------ */

static double real_at(const struct plot_data *d, uint32_t off)
{
	const char *s = d->text + off;
	char *end;
	double v;

	if (!*s)
		return NAN;
	v = strtod(s, &end);
	return *end ? NAN : v;
}

/* The text of a field without the CSV writer's formula guard. */
static uint32_t unguard(const struct plot_data *d, uint32_t off)
{
	const char *s = d->text + off;

	return off + (uint32_t)(csv_unguard(s) - s);
}

/* The memory the model holds now, for the PLOT_MEMORY_FACTOR bound. */
static size_t model_bytes(const struct plot_data *d)
{
	return d->len +
	       d->cap_rows *
		       (sizeof(*d->rows) + d->n_scols * sizeof(*d->params)) +
	       names_bytes(&d->scells) + names_bytes(&d->wcells) +
	       names_bytes(&d->strategies);
}

static void row_cell(struct plot_data *d, struct plot_row *r, const uint32_t *v)
{
	char *id = d->text + unguard(d, v[COL_CELL]);
	size_t cut = cell_id_split(id);
	const char *w;

	if (id[cut]) {
		id[cut] = '\0'; /* the strategy half, NUL-terminated */
		w = id + cut + 1;
	} else {
		w = d->text + unguard(d, v[COL_WORKLOAD]);
	}
	r->scell = plot_names_intern(&d->scells, id, cut);
	r->wcell = plot_names_intern(&d->wcells, w, strlen(w));
}

static int row_add(struct reader *rd, char *err, size_t errlen)
{
	struct plot_data *d = rd->d;
	const uint32_t *v = rd->value;
	size_t cap = d->cap_rows, k;
	const char *strategy;
	struct plot_row *r;

	if (!d->experiment && rd->has_experiment)
		d->experiment = d->text + unguard(d, v[COL_EXPERIMENT]);
	xgrow((void **)&d->rows, &d->cap_rows, d->n_rows + 1, sizeof(*d->rows));
	if (d->n_scols)
		xgrow((void **)&d->params, &cap, d->n_rows + 1,
		      d->n_scols * sizeof(*d->params));
	if (model_bytes(d) > PLOT_MEMORY_FACTOR * d->len + (1u << 20)) {
		errf(err, errlen,
		     "%s: %zu rows in %zu bytes: too many for the file's size to be a concur summary",
		     rd->name, d->n_rows + 1, d->len);
		return -EFBIG;
	}
	r = &d->rows[d->n_rows];
	row_cell(d, r, v);
	strategy = d->text + unguard(d, v[COL_STRATEGY]);
	r->strategy =
		plot_names_intern(&d->strategies, strategy, strlen(strategy));
	for (k = 0; k < d->n_scols; k++)
		d->params[d->n_rows * d->n_scols + k] =
			unguard(d, v[COL_COUNT + k]);
	r->status = unguard(d, v[COL_STATUS]);
	r->error = unguard(d, v[COL_ERROR]);
	r->median = real_at(d, v[COL_MEDIAN]);
	r->lo = real_at(d, v[COL_LO]);
	r->hi = real_at(d, v[COL_HI]);
	r->speedup = real_at(d, v[COL_SPEEDUP]);
	r->ok = (!rd->has_status || !strcmp(d->text + r->status, "ok")) &&
		isfinite(r->median) && r->median > 0;
	d->n_rows++;
	return 0;
}

/*
 * Empty the slots the last record filled (only those: a blank line costs
 * O(1) however many columns the header has).
 */
static void record_reset(struct reader *rd)
{
	size_t i;

	for (i = 0; i < rd->next; i++)
		rd->value[rd->want[i].slot] = (uint32_t)rd->d->len;
	rd->field = 0;
	rd->next = 0;
}

/* A field of a data record: kept when its column is one plot reads. */
static void record_field(struct reader *rd, const char *f)
{
	uint32_t off = (uint32_t)(f - rd->d->text);

	for (; rd->next < rd->n_want && rd->want[rd->next].field == rd->field;
	     rd->next++)
		rd->value[rd->want[rd->next].slot] = off;
	rd->field++;
}

/* Records after the header; those shorter than it are skipped. */
static int rows_read(struct reader *rd, struct csv_scan *sc, char *err,
		     size_t errlen)
{
	size_t len, i;
	bool last;
	char *f;
	int rc;

	for (i = 0; i < COL_COUNT + rd->d->n_scols; i++)
		rd->value[i] = (uint32_t)rd->d->len;
	while ((rc = csv_scan_field(sc, &f, &len, &last)) == 0) {
		record_field(rd, f);
		if (!last)
			continue;
		if (rd->field >= rd->n_fields && rd->field > 1) {
			rc = row_add(rd, err, errlen);
			if (rc < 0)
				return rc;
		}
		record_reset(rd);
	}
	return rc == 1 ? 0 : rc;
}

/* ---- colours: hue per label, shade per cell ----------------------- */

static void data_colour(struct plot_data *d)
{
	uint32_t *count;
	size_t i, n = d->scells.n;

	d->hue = xcalloc(n + 1, sizeof(*d->hue));
	d->shade = xcalloc(n + 1, sizeof(*d->shade));
	d->shades = xcalloc(n + 1, sizeof(*d->shades));
	for (i = 0; i < n; i++) {
		const char *id = d->scells.s[i];

		d->hue[i] = plot_names_intern(&d->labels, id, strcspn(id, "["));
	}
	count = xcalloc(d->labels.n + 1, sizeof(*count));
	for (i = 0; i < n; i++)
		d->shade[i] = count[d->hue[i]]++;
	for (i = 0; i < n; i++)
		d->shades[i] = count[d->hue[i]];
	free(count);
}

/* ---- the file ------------------------------------------------------ */

static void seed_hash(void)
{
	if (!hash_seed &&
	    getrandom(&hash_seed, sizeof(hash_seed), GRND_NONBLOCK) !=
		    (ssize_t)sizeof(hash_seed))
		hash_seed = (uint64_t)mono_now_ns() ^ (uint64_t)getpid();
}

int plot_data_parse(char *text, size_t len, const char *name,
		    struct plot_data *d, char *err, size_t errlen)
{
	struct reader rd = { .d = d, .name = name };
	struct csv_scan sc;
	int rc;

	seed_hash();
	d->text = text;
	d->len = len;
	text[len] = '\0';
	csv_scan_init(&sc, text, len);
	rc = header_read(&rd, &sc, err, errlen);
	if (rc == 0)
		rc = rows_read(&rd, &sc, err, errlen);
	if (rc == -EINVAL && !err[0])
		errf(err, errlen,
		     "%s:%lu: malformed CSV record (an unterminated quote, or text after a closing quote)",
		     name, sc.record_line);
	free(rd.want);
	free(rd.value);
	if (rc == 0)
		data_colour(d);
	return rc;
}

int plot_data_read(const char *path, struct plot_data *d, char *err,
		   size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	int rc = fileio_read(path, PLOT_MAX_FILE, "a results file to plot",
			     &text, &len, err, errlen);

	if (rc < 0)
		return rc;
	return plot_data_parse(text, len, path, d, err, errlen);
}

void plot_data_free(struct plot_data *d)
{
	free(d->text);
	free(d->rows);
	free(d->scols);
	free(d->params);
	plot_names_free(&d->scells);
	plot_names_free(&d->wcells);
	plot_names_free(&d->strategies);
	plot_names_free(&d->labels);
	free(d->hue);
	free(d->shade);
	free(d->shades);
	memset(d, 0, sizeof(*d));
}
