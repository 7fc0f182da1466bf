/*
 * xlsx_sheet.c - a data sheet's rows as SpreadsheetML, streamed into the
 * package (xlsx_sheet.h).
 */
#define _GNU_SOURCE /* memmem */
#include "xlsx_sheet.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "csv.h"
#include "util.h"
#include "xlsx_text.h"

#define OUT_CHUNK (1 << 16)

void xlsx_sheet_init(struct xlsx_sheet *s, unsigned index,
		     const struct results_table *t, size_t rows, size_t cols)
{
	size_t c;

	memset(s, 0, sizeof(*s));
	snprintf(s->part, sizeof(s->part), "xl/worksheets/sheet%u.xml", index);
	s->t = t;
	s->rows = rows;
	s->cols = cols;
	s->is_num = xcalloc(rows * cols + 1, 1);
	s->num_xf = xcalloc(cols + 1, sizeof(*s->num_xf));
	for (c = 0; c < cols; c++)
		s->num_xf[c] = -1;
	s->header_xf = -1;
}

void xlsx_sheet_free(struct xlsx_sheet *s)
{
	free(s->is_num);
	free(s->num_xf);
	memset(s, 0, sizeof(*s));
}

/* Bytes for one zip entry, deflated in chunks as they fill. */
struct out {
	zipFile zf;
	size_t len;
	int err;
	char buf[OUT_CHUNK];
};

static void flush(struct out *o)
{
	if (o->len && !o->err &&
	    zipWriteInFileInZip(o->zf, o->buf, (unsigned)o->len) != ZIP_OK)
		o->err = -EIO;
	o->len = 0;
}

static void put(struct out *o, const char *s, size_t n)
{
	while (n) {
		size_t k = sizeof(o->buf) - o->len;

		if (k > n)
			k = n;
		memcpy(o->buf + o->len, s, k);
		o->len += k;
		s += k;
		n -= k;
		if (o->len == sizeof(o->buf))
			flush(o);
	}
}

static void put_str(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

/* Text as XML character data: & < > escaped. */
static void put_escaped(struct out *o, const char *s)
{
	const char *run = s;

	for (; *s; s++) {
		const char *esc = *s == '&'   ? "&amp;"
				  : *s == '<' ? "&lt;"
				  : *s == '>' ? "&gt;"
					      : NULL;

		if (!esc)
			continue;
		put(o, run, (size_t)(s - run));
		put_str(o, esc);
		run = s + 1;
	}
	put(o, run, (size_t)(s - run));
}

/* Plain text a cell takes as it is: printable ASCII, within the limit. */
static bool is_plain(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if ((unsigned char)s[n] < 0x20 || (unsigned char)s[n] >= 0x7F)
			return false;
	return n <= 32767;
}

/* The names of the columns and their styles, as cells name them. */
struct labels {
	char (*col)[4];	   /* "AG" */
	char (*style)[16]; /* ' s="3"', or "" */
	char header[16];
};

static void style_attr(char *buf, size_t len, int32_t xf)
{
	if (xf >= 0)
		snprintf(buf, len, " s=\"%d\"", (int)xf);
	else
		buf[0] = '\0';
}

/*
 * A cell's opening tag, <c r="B7" s="3" t="inlineStr">: the reference only
 * where a cell does not follow the one before it (the attribute is
 * optional, and a third of a sheet's bytes), the style when there is one.
 */
static void open_cell(struct out *o, const char *col, const char *row,
		      bool follows, const char *style, bool text)
{
	put_str(o, "<c");
	if (!follows) {
		put_str(o, " r=\"");
		put_str(o, col);
		put_str(o, row);
		put_str(o, "\"");
	}
	put_str(o, style);
	put_str(o, text ? " t=\"inlineStr\">" : ">");
}

static void text_value(struct out *o, const char *field)
{
	char *owned = NULL;
	const char *s = field;
	size_t n;

	if (!is_plain(s))
		s = owned = xlsx_cell_text(s);
	n = strlen(s);
	/* spreadsheets trim the ends of text unless told to keep them */
	put_str(o, n && (strchr(" \t\n", s[0]) || strchr(" \t\n", s[n - 1]))
			   ? "<is><t xml:space=\"preserve\">"
			   : "<is><t>");
	put_escaped(o, s);
	put_str(o, "</t></is></c>");
	free(owned);
}

static void sheet_row(struct out *o, const struct xlsx_sheet *s, size_t r,
		      const struct labels *l)
{
	char *const *fields = r ? s->t->rows[r - 1].f : s->t->header;
	size_t c, n = s->cols;
	char row[24];
	bool follows = false;

	snprintf(row, sizeof(row), "%zu", r + 1);
	put_str(o, "<row r=\"");
	put_str(o, row);
	put_str(o, "\">");
	for (c = 0; c < n; c++) {
		const char *f = fields[c];
		bool num = s->is_num[r * s->cols + c];

		if (!*f) {
			follows = false;
			continue;
		}
		open_cell(o, l->col[c], row, follows,
			  num ? l->style[c]
			  : r ? ""
			      : l->header,
			  !num);
		if (num) { /* a plain number: the CSV writer's exact text */
			put_str(o, "<v>");
			put_str(o, f);
			put_str(o, "</v></c>");
		} else {
			text_value(o, f);
		}
		follows = true;
	}
	put_str(o, "</row>");
}

static void sheet_data(struct out *o, const struct xlsx_sheet *s)
{
	struct labels l;
	size_t r, c;

	l.col = xcalloc(s->cols + 1, sizeof(*l.col));
	l.style = xcalloc(s->cols + 1, sizeof(*l.style));
	for (c = 0; c < s->cols; c++) {
		lxw_col_to_name(l.col[c], (lxw_col_t)c, 0);
		style_attr(l.style[c], sizeof(l.style[c]), s->num_xf[c]);
	}
	style_attr(l.header, sizeof(l.header), s->header_xf);
	put_str(o, "<sheetData>");
	for (r = 0; r < s->rows; r++)
		sheet_row(o, s, r, &l);
	put_str(o, "</sheetData>");
	free(l.col);
	free(l.style);
}

/* Where element `tag` (its whole extent) is in xml: false when absent. */
static bool element(const char *xml, size_t len, const char *tag,
		    const char **ret_a, const char **ret_b)
{
	char open[32], close[32];
	const char *a, *end = xml + len, *b;

	snprintf(open, sizeof(open), "<%s", tag);
	snprintf(close, sizeof(close), "</%s>", tag);
	a = memmem(xml, len, open, strlen(open));
	if (!a)
		return false;
	b = memchr(a, '>', (size_t)(end - a));
	if (!b)
		return false;
	if (b[-1] != '/') {
		b = memmem(b, (size_t)(end - b), close, strlen(close));
		if (!b)
			return false;
		b += strlen(close) - 1;
	}
	*ret_a = a;
	*ret_b = b + 1;
	return true;
}

static void splice(struct out *o, const char *xml, size_t len,
		   const struct xlsx_sheet *s)
{
	const char *end = xml + len, *da, *db, *sa, *sb;
	char last[16], dim[48];

	if (!element(xml, len, "dimension", &da, &db) ||
	    !element(db, (size_t)(end - db), "sheetData", &sa, &sb)) {
		o->err = -EIO;
		return;
	}
	lxw_rowcol_to_cell(last, (lxw_row_t)(s->rows ? s->rows - 1 : 0),
			   (lxw_col_t)(s->cols ? s->cols - 1 : 0));
	snprintf(dim, sizeof(dim), "<dimension ref=\"A1:%s\"/>", last);
	put(o, xml, (size_t)(da - xml));
	put_str(o, dim);
	put(o, db, (size_t)(sa - db));
	sheet_data(o, s);
	put(o, sb, (size_t)(end - sb));
}

int xlsx_sheet_write(zipFile zf, const zip_fileinfo *zi, const char *xml,
		     size_t len, const struct xlsx_sheet *s)
{
	struct out *o = xcalloc(1, sizeof(*o));
	/* past 4 GiB a zip entry needs ZIP64; escaping grows text 6-fold at
	 * most, a cell's markup is under 64 bytes */
	int zip64 = 6 * s->text_bytes + 64 * s->rows * s->cols >= 0xFFFFFFFFu,
	    rc;

	o->zf = zf;
	if (zipOpenNewFileInZip3_64(
		    zf, s->part, zi, NULL, 0, NULL, 0, NULL, Z_DEFLATED,
		    XLSX_DEFLATE_LEVEL, 0, -MAX_WBITS, DEF_MEM_LEVEL,
		    Z_DEFAULT_STRATEGY, NULL, 0, zip64) != ZIP_OK) {
		free(o);
		return -EIO;
	}
	splice(o, xml, len, s);
	flush(o);
	rc = o->err;
	if (zipCloseFileInZip(zf) != ZIP_OK)
		rc = -EIO;
	free(o);
	return rc;
}
