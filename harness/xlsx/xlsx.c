/*
 * xlsx.c - the workbook of xlsx.h: one sheet per results table with typed
 * cells, then the charts sheet from the summary and matrix tables, then the
 * file, atomically.
 */
#define _GNU_SOURCE /* memfd_create */
#include "xlsx.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "csv.h"
#include "fileio.h"
#include "schema.h"
#include "util.h"
#include "xlsx_chart.h"
#include "xlsx_sheet.h"
#include "xlsx_field.h"
#include "xlsx_text.h"

/* Widest column, in characters: longer text wraps out of view, not width. */
#define WIDTH_MAX 60.0
#define WIDTH_MIN 6.0

/* ------------------------------------------------------------------
 * Data sheets
 * ---------------------------------------------------------------- */

enum cell_kind {
	KIND_TEXT,   /* always text */
	KIND_PARAM,  /* a decimal without a leading zero is a number */
	KIND_NUMBER, /* a plain number is a number; anything else text */
};

struct column {
	enum cell_kind kind;
	lxw_format *format;
	int decimals; /* of the format, for the width; -1 = General */
	bool grouped; /* thousands separators, for the width */
	double width;
	double max_pos, min_neg; /* widest numbers of a fixed format, or NaN */
};

struct book {
	lxw_workbook *wb;
	lxw_format *header, *seconds, *ms, *ratio, *cv, *count, *rate;
	unsigned sheets; /* added so far: the next one's part number - 1 */
};

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcmp(s + n - k, suffix);
}

static bool is_label_column(const char *name)
{
	static const char *const names[] = { COLUMN_EXPERIMENT, COLUMN_CELL,
					     COLUMN_STRATEGY,	COLUMN_WORKLOAD,
					     COLUMN_STATUS,	COLUMN_ERROR,
					     COLUMN_STOPPED_BY, "run_status" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

/* The number format a column of the summary, runs or matrix gets. */
static void column_format(const struct book *b, const char *name,
			  struct column *col)
{
	static const char *const counts[] = { COLUMN_RUNS, COLUMN_TASKS,
					      COLUMN_TASKS_FAILED, COLUMN_RUN,
					      COLUMN_MAX_RSS_KIB };
	size_t i;

	col->format = NULL;
	col->decimals = -1;
	for (i = 0; i < ARRAY_SIZE(counts); i++)
		if (!strcmp(name, counts[i])) {
			col->format = b->count;
			col->decimals = 0;
			col->grouped = true;
			return;
		}
	if (!strcmp(name, COLUMN_TASKS_PER_S) || ends_with(name, "_rate")) {
		col->format = b->rate;
		col->decimals = 1;
		col->grouped = true;
	} else if (!strcmp(name, COLUMN_SPEEDUP) ||
		   !strcmp(name, COLUMN_CPU_UTIL)) {
		col->format = b->ratio;
		col->decimals = 2;
	} else if (!strcmp(name, COLUMN_WALL_CV)) {
		col->format = b->cv;
		col->decimals = 4;
	} else if (ends_with(name, "_ms")) {
		col->format = b->ms;
		col->decimals = 3;
	} else if (ends_with(name, "_s")) {
		col->format = b->seconds;
		col->decimals = 6;
	}
}

/* How each column of a sheet is typed; `sheet` names the CSV file. */
static void plan_columns(const struct book *b, const char *sheet,
			 const struct results_table *t, struct column *cols)
{
	size_t c;

	for (c = 0; c < xlsx_cols(t); c++) {
		const char *name = xlsx_field(t, 0, c);
		struct column *col = &cols[c];

		col->width = WIDTH_MIN;
		col->max_pos = col->min_neg = NAN;
		col->kind = KIND_NUMBER;
		col->decimals = -1;
		if (!strcmp(sheet, "env") ||
		    (!strcmp(sheet, "matrix") && c == 0) ||
		    is_label_column(name))
			col->kind = KIND_TEXT;
		else if (!strncmp(name, "strategy.", 9) ||
			 !strncmp(name, "workload.", 9))
			col->kind = KIND_PARAM;
		else if (!strcmp(sheet, "matrix"))
			column_format(b, COLUMN_WALL_MEDIAN_S, col);
		else
			column_format(b, name, col);
	}
}

/* Characters on screen of a UTF-8 text (code points). */
static double text_width(const char *s)
{
	double n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* Characters of v in a column's fixed format. */
static double number_width(double v, const struct column *col)
{
	char tmp[64];
	double n;

	n = snprintf(tmp, sizeof(tmp), "%.*f", col->decimals, v);
	if (col->grouped && fabs(v) >= 1000)
		n += floor(log10(fabs(v)) / 3);
	return n;
}

/*
 * Widen the column for a number; in a fixed format the widest are the
 * largest and the most negative, so those are kept and measured once, at
 * the end (column_width), instead of printing every number.
 */
static void fit_number(struct column *col, double v, const char *csv)
{
	double w;

	if (col->decimals < 0) {
		w = text_width(csv);
		if (w > col->width)
			col->width = w;
	} else if (v >= 0) {
		col->max_pos = fmax(col->max_pos, v);
	} else {
		col->min_neg = fmin(col->min_neg, v);
	}
}

static double column_width(const struct column *col)
{
	if (col->decimals < 0)
		return col->width;
	return fmax(
		col->width,
		fmax(isnan(col->max_pos) ? 0 : number_width(col->max_pos, col),
		     isnan(col->min_neg) ? 0
					 : number_width(col->min_neg, col)));
}

static bool is_param_number(const char *s, double *ret)
{
	const char *digits = s + (*s == '-');

	if (!csv_is_decimal(s))
		return false;
	if (digits[0] == '0' && digits[1] >= '0' && digits[1] <= '9')
		return false; /* 0012: the user's text, not twelve */
	return xlsx_number(s, ret);
}

/* Is the field a number cell, of value *ret? */
static bool is_number_cell(const char *field, const struct column *col,
			   double *ret)
{
	switch (col->kind) {
	case KIND_PARAM:
		return is_param_number(field, ret);
	case KIND_NUMBER:
		return xlsx_number(field, ret);
	default:
		return false;
	}
}

/*
 * Type field (r, c) for the sheet and widen its column; with ws, also
 * give it to libxlsxwriter, whose charts cache the values they plot.
 */
static void type_field(struct xlsx_sheet *sh, lxw_worksheet *ws, size_t r,
		       size_t c, struct column *col)
{
	const char *field = sh->t->rows[r - 1].f[c]; /* r >= 1 */
	double v, w;

	if (!*field)
		return;
	if (is_number_cell(field, col, &v)) {
		sh->is_num[r * sh->cols + c] = 1;
		fit_number(col, v, field);
		if (ws)
			worksheet_write_number(ws, (lxw_row_t)r, (lxw_col_t)c,
					       v, col->format);
		return;
	}
	if (ws)
		xlsx_write_text(ws, (unsigned)r, (unsigned)c, field, NULL);
	w = text_width(field);
	if (w > col->width)
		col->width = w;
}

/*
 * One data sheet: the table's rows as typed cells (a spreadsheet holds
 * LXW_ROW_MAX rows; the CSV keeps any beyond), the header bold and frozen,
 * an autofilter over everything, widths fitted to the longest value.
 * libxlsxwriter writes the sheet around the rows, which are streamed into
 * it afterwards (xlsx_sheet.h); the first `charted` columns are what the
 * charts read, and libxlsxwriter gets their cells too, to cache the values
 * the charts show.
 */
static void data_sheet(struct book *b, const char *name,
		       const struct results_table *t, size_t charted,
		       struct xlsx_sheet *sh)
{
	lxw_worksheet *ws = workbook_add_worksheet(b->wb, name);
	size_t n_cols = xlsx_cols(t) < LXW_COL_MAX ? xlsx_cols(t) : LXW_COL_MAX;
	struct column *cols = xcalloc(xlsx_cols(t) + 1, sizeof(*cols));
	size_t r, c,
		rows = xlsx_rows(t) < LXW_ROW_MAX ? xlsx_rows(t) : LXW_ROW_MAX;

	xlsx_sheet_init(sh, ++b->sheets, t, rows, n_cols);
	sh->text_bytes = t ? t->size : 0;
	sh->header_xf = lxw_format_get_xf_index(b->header);
	plan_columns(b, name, t, cols);
	for (c = 0; c < n_cols; c++) {
		const char *head = xlsx_field(t, 0, c);

		if (c < charted)
			xlsx_write_text(ws, 0, (unsigned)c, head, b->header);
		cols[c].width = fmax(cols[c].width, text_width(head) + 3);
		if (cols[c].format)
			sh->num_xf[c] = lxw_format_get_xf_index(cols[c].format);
	}
	for (r = 1; r < rows; r++)
		for (c = 0; c < n_cols; c++)
			type_field(sh, c < charted ? ws : NULL, r, c, &cols[c]);
	for (c = 0; c < n_cols; c++)
		worksheet_set_column(
			ws, (lxw_col_t)c, (lxw_col_t)c,
			fmin(column_width(&cols[c]) + 1, WIDTH_MAX), NULL);
	if (n_cols) {
		worksheet_freeze_panes(ws, 1, 0);
		worksheet_autofilter(ws, 0, 0, (lxw_row_t)(rows ? rows - 1 : 0),
				     (lxw_col_t)(n_cols - 1));
	}
	free(cols);
}

/* ------------------------------------------------------------------
 * The workbook
 * ---------------------------------------------------------------- */

static lxw_format *number_format(lxw_workbook *wb, const char *code)
{
	lxw_format *f = workbook_add_format(wb);

	format_set_num_format(f, code);
	return f;
}

static void add_formats(struct book *b)
{
	b->header = workbook_add_format(b->wb);
	format_set_bold(b->header);
	format_set_bottom(b->header, LXW_BORDER_THIN);
	b->seconds = number_format(b->wb, "0.000000");
	b->ms = number_format(b->wb, "0.000");
	b->ratio = number_format(b->wb, "0.00");
	b->cv = number_format(b->wb, "0.0000");
	b->count = number_format(b->wb, "#,##0");
	b->rate = number_format(b->wb, "#,##0.0");
}

char *xlsx_default_path(const char *csv_path)
{
	size_t len = strlen(csv_path);

	if (len > 4 && !strcmp(csv_path + len - 4, ".csv"))
		len -= 4;
	return xasprintf("%.*s.xlsx", (int)len, csv_path);
}

/*
 * The package as libxlsxwriter writes it, placeholders and all, and in
 * sh[] what the data sheets' rows are (t[]: summary, runs, matrix, env).
 */
static int build(const char *path, const struct results_table *const *t,
		 struct xlsx_errbars *eb, struct xlsx_sheet *sh, char *err,
		 size_t errlen)
{
	static const char *const names[4] = { "summary", "runs", "matrix",
					      "env" };
	lxw_workbook_options opt = { .constant_memory = 0 };
	struct book b = { 0 };
	lxw_error e;
	size_t i;

	b.wb = workbook_new_opt(path, &opt);
	if (!b.wb) {
		errf(err, errlen, "cannot create %s", path);
		return -EIO;
	}
	add_formats(&b);
	data_sheet(&b, names[0], t[0], 0, &sh[0]);
	xlsx_charts_sheet(b.wb, t[0], t[2], eb);
	b.sheets++;
	for (i = 1; i < 4; i++) /* the median charts read the matrix */
		data_sheet(&b, names[i], t[i], i == 2 ? 1 + XLSX_MAX_CHARTS : 0,
			   &sh[i]);
	e = workbook_close(b.wb);
	if (e != LXW_NO_ERROR) {
		errf(err, errlen, "cannot write %s: %s", path, lxw_strerror(e));
		return -EIO;
	}
	return 0;
}

/*
 * A scratch file with no name anywhere: an anonymous memory file, which
 * libxlsxwriter and minizip (they open files by name) reach as
 * "/proc/self/fd/N".  Nothing can be planted in its place in advance, and a
 * process killed at any moment leaves nothing behind: the kernel frees it
 * with the last descriptor.
 */
struct scratch {
	int fd;
	char path[32];
};

static int scratch_open(struct scratch *s, const char *name, char *err,
			size_t errlen)
{
	s->fd = memfd_create(name, MFD_CLOEXEC);
	if (s->fd < 0) {
		int rc = -errno;

		errf(err, errlen, "cannot create a scratch file in memory: %s",
		     strerror(-rc));
		return rc;
	}
	snprintf(s->path, sizeof(s->path), "/proc/self/fd/%d", s->fd);
	return 0;
}

/* The package in scratch file fd, written to path (fileio_replace). */
static int put_in_place(const char *path, int fd, char *err, size_t errlen)
{
	struct stat st;
	void *map;
	int rc;

	if (fstat(fd, &st) < 0) {
		rc = -errno;
		errf(err, errlen, "cannot size the workbook for %s: %s", path,
		     strerror(-rc));
		return rc;
	}
	if (st.st_size <= 0) {
		errf(err, errlen, "the workbook for %s came out empty", path);
		return -EIO;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		rc = -errno;
		errf(err, errlen, "cannot map the workbook for %s: %s", path,
		     strerror(-rc));
		return rc;
	}
	rc = fileio_replace(path, map, (size_t)st.st_size, err, errlen);
	munmap(map, (size_t)st.st_size);
	return rc;
}

static void scratch_close(struct scratch *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

/*
 * The finished package, in memory: built by libxlsxwriter (which writes
 * only to a file; its own temporary files are unlinked as it creates them)
 * and given its error bars, in two scratch files; then put in place from
 * the second, mapped rather than read into a copy.
 */
static int build_final(const char *path, const struct results_table *const *t,
		       char *err, size_t errlen)
{
	struct scratch raw = { .fd = -1 }, done = { .fd = -1 };
	struct xlsx_errbars eb = { 0 };
	struct xlsx_sheet sh[4] = { 0 };
	int rc = scratch_open(&raw, "concur-xlsx-raw", err, errlen);
	size_t i;

	if (rc == 0)
		rc = scratch_open(&done, "concur-xlsx-book", err, errlen);
	if (rc == 0)
		rc = build(raw.path, t, &eb, sh, err, errlen);
	if (rc == 0)
		rc = xlsx_package_finish(raw.path, done.path, &eb, sh, 4, err,
					 errlen);
	for (i = 0; i < 4; i++)
		xlsx_sheet_free(&sh[i]);
	scratch_close(&raw);
	if (rc == 0)
		rc = put_in_place(path, done.fd, err, errlen);
	scratch_close(&done);
	xlsx_errbars_free(&eb);
	return rc;
}

int xlsx_write(const char *path, const struct xlsx_source *src, char *err,
	       size_t errlen)
{
	const struct results_table *t[4] = { src->summary, src->runs,
					     src->matrix, src->env };

	return build_final(path, t, err, errlen);
}
