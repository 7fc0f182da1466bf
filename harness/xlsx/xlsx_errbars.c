/*
 * xlsx_errbars.c - custom error bars for the workbook's median charts.
 *
 * A confidence interval needs error bars whose lengths come from cells,
 * one per point ("custom" error bars in Excel and LibreOffice).
 * libxlsxwriter 1.1.4 (Debian 12) writes only fixed, percentage and
 * standard-deviation ones, so xlsx_chart.c gives each series a fixed-value
 * placeholder whose value is the series' marker, and this file rewrites the
 * written package: every <c:errBars> element of xl/charts/chart*.xml whose
 * value is a known marker becomes a custom one pointing at the tables of
 * the charts sheet (with their values cached, as libxlsxwriter caches the
 * series' own values); any other placeholder is dropped, never left to show
 * a made-up length.  Every other part of the package is copied unchanged.
 * The zip container is read and written with minizip, the library
 * libxlsxwriter itself uses.
 */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <math.h>
#include <minizip/unzip.h>
#include <minizip/zip.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "xlsx_chart.h"

#define CHUNK 65536

struct text {
	char *buf;
	size_t len, cap;
};

static void put(struct text *t, const char *s, size_t n)
{
	xgrow((void **)&t->buf, &t->cap, t->len + n + 1, 1);
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = '\0';
}

static void put_str(struct text *t, const char *s)
{
	put(t, s, strlen(s));
}

/* <c:plus> or <c:minus>: the range and its cached values. */
static void side(struct text *t, const char *tag, const char *ref,
		 const double *v, size_t n)
{
	char *head = xasprintf("<c:%s><c:numRef><c:f>%s</c:f><c:numCache>"
			       "<c:formatCode>General</c:formatCode>"
			       "<c:ptCount val=\"%zu\"/>",
			       tag, ref, n);
	char pt[96];
	size_t i;

	put_str(t, head);
	free(head);
	for (i = 0; i < n; i++) {
		if (!isfinite(v[i]))
			continue;
		snprintf(pt, sizeof(pt),
			 "<c:pt idx=\"%zu\"><c:v>%.17g</c:v></c:pt>", i, v[i]);
		put_str(t, pt);
	}
	snprintf(pt, sizeof(pt), "</c:numCache></c:numRef></c:%s>", tag);
	put_str(t, pt);
}

/* The placeholder's marker: the value of its <c:val val="K"/>; 0 if none. */
static size_t marker_of(const char *el, size_t len)
{
	const char *key = "<c:val val=\"", *p;
	char *copy = xstrndup(el, len), *end;
	unsigned long k = 0;

	p = strstr(copy, key);
	if (p) {
		k = strtoul(p + strlen(key), &end, 10);
		if (*end != '"')
			k = 0;
	}
	free(copy);
	return k;
}

/* A chart part with every placeholder replaced (or dropped). */
static void patch_chart(const char *xml, size_t len,
			const struct xlsx_errbars *eb, struct text *out)
{
	static const char open_tag[] = "<c:errBars>",
			  close_tag[] = "</c:errBars>";
	const char *p = xml, *end = xml + len;

	while (p < end) {
		const char *a = memmem(p, (size_t)(end - p), open_tag,
				       sizeof(open_tag) - 1),
			   *b;
		size_t k;

		if (!a || !(b = memmem(a, (size_t)(end - a), close_tag,
				       sizeof(close_tag) - 1))) {
			put(out, p, (size_t)(end - p));
			return;
		}
		put(out, p, (size_t)(a - p));
		b += sizeof(close_tag) - 1;
		k = marker_of(a, (size_t)(b - a));
		if (k >= 1 && k <= eb->n) {
			const struct xlsx_errbar *e = &eb->bars[k - 1];

			put_str(out, "<c:errBars><c:errDir val=\"y\"/>"
				     "<c:errBarType val=\"both\"/>"
				     "<c:errValType val=\"cust\"/>"
				     "<c:noEndCap val=\"0\"/>");
			side(out, "plus", e->plus, e->plus_v, e->n);
			side(out, "minus", e->minus, e->minus_v, e->n);
			put(out, close_tag, sizeof(close_tag) - 1);
		}
		p = b;
	}
}

static bool is_chart_part(const char *name)
{
	return !strncmp(name, "xl/charts/chart", 15) && strlen(name) > 4 &&
	       !strcmp(name + strlen(name) - 4, ".xml");
}

/*
 * The current entry of uz, whole, into t: inflated, or (raw) its
 * compressed bytes as stored, with the method and level in *ret_method
 * and *ret_level.
 */
static int read_entry(unzFile uz, struct text *t, int raw, int *ret_method,
		      int *ret_level)
{
	char buf[CHUNK];
	int n;

	t->len = 0;
	if (unzOpenCurrentFile2(uz, ret_method, ret_level, raw) != UNZ_OK)
		return -EIO;
	while ((n = unzReadCurrentFile(uz, buf, sizeof(buf))) > 0)
		put(t, buf, (size_t)n);
	if (unzCloseCurrentFile(uz) != UNZ_OK || n < 0)
		return -EIO;
	return 0;
}

/*
 * Copy the current entry of uz to zf: a chart patched (inflated, edited,
 * deflated), any other part as stored, its compressed bytes, CRC and size
 * as they are (the sheets are most of the package: deflating them twice
 * was most of the workbook's time).
 */
static int copy_entry(unzFile uz, zipFile zf, const struct xlsx_errbars *eb,
		      struct text *in, struct text *out)
{
	unz_file_info info;
	zip_fileinfo zi;
	char name[512];
	int chart, method, level;

	if (unzGetCurrentFileInfo(uz, &info, name, sizeof(name), NULL, 0, NULL,
				  0) != UNZ_OK)
		return -EIO;
	chart = is_chart_part(name);
	if (read_entry(uz, in, !chart, &method, &level) < 0)
		return -EIO;
	if (chart) {
		out->len = 0;
		put(out, "", 0);
		patch_chart(in->buf ? in->buf : "", in->len, eb, out);
		in = out;
		method = Z_DEFLATED;
		level = Z_DEFAULT_COMPRESSION;
	}
	memset(&zi, 0, sizeof(zi));
	zi.dosDate = info.dosDate;
	zi.internal_fa = info.internal_fa;
	zi.external_fa = info.external_fa;
	if (zipOpenNewFileInZip2(zf, name, &zi, NULL, 0, NULL, 0, NULL, method,
				 level, !chart) != ZIP_OK ||
	    zipWriteInFileInZip(zf, in->buf ? in->buf : "",
				(unsigned)in->len) != ZIP_OK)
		return -EIO;
	if (chart ? zipCloseFileInZip(zf) != ZIP_OK
		  : zipCloseFileInZipRaw(zf, info.uncompressed_size,
					 info.crc) != ZIP_OK)
		return -EIO;
	return 0;
}

int xlsx_errbars_apply(const char *in_path, const char *out_path,
		       const struct xlsx_errbars *eb, char *err, size_t errlen)
{
	unzFile uz = unzOpen(in_path);
	zipFile zf = uz ? zipOpen(out_path, APPEND_STATUS_CREATE) : NULL;
	struct text in = { 0 }, out = { 0 };
	int rc = uz && zf ? 0 : -EIO, step;

	for (step = rc == 0 ? unzGoToFirstFile(uz) : UNZ_END_OF_LIST_OF_FILE;
	     step == UNZ_OK && rc == 0; step = unzGoToNextFile(uz))
		rc = copy_entry(uz, zf, eb, &in, &out);
	if (zf && zipClose(zf, NULL) != ZIP_OK)
		rc = -EIO;
	if (uz)
		unzClose(uz);
	if (rc < 0)
		errf(err, errlen,
		     "cannot add the confidence-interval whiskers to %s",
		     out_path);
	free(in.buf);
	free(out.buf);
	return rc;
}
