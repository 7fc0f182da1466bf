/*
 * xlsx_package.c - the workbook package as libxlsxwriter wrote it, copied
 * into its final form (xlsx_chart.h xlsx_package_finish): the chart parts
 * given their error bars (xlsx_errbars.c), the data sheets their rows
 * (xlsx_sheet.c), every other part copied as stored.  The zip container is
 * read and written with minizip, the library libxlsxwriter itself uses.
 */
#include <errno.h>
#include <minizip/unzip.h>
#include <minizip/zip.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "xlsx_chart.h"
#include "xlsx_sheet.h"

#define CHUNK 65536

struct bytes {
	char *buf;
	size_t len, cap;
};

static bool is_chart_part(const char *name)
{
	return !strncmp(name, "xl/charts/chart", 15) && strlen(name) > 4 &&
	       !strcmp(name + strlen(name) - 4, ".xml");
}

static const struct xlsx_sheet *
sheet_part(const char *name, const struct xlsx_sheet *sheets, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(name, sheets[i].part))
			return &sheets[i];
	return NULL;
}

/*
 * The current entry of uz, whole, into b: inflated, or (raw) its
 * compressed bytes as stored, with the method and level in *ret_method
 * and *ret_level.
 */
static int read_entry(unzFile uz, struct bytes *b, int raw, int *ret_method,
		      int *ret_level)
{
	char buf[CHUNK];
	int n;

	b->len = 0;
	if (unzOpenCurrentFile2(uz, ret_method, ret_level, raw) != UNZ_OK)
		return -EIO;
	while ((n = unzReadCurrentFile(uz, buf, sizeof(buf))) > 0) {
		xgrow((void **)&b->buf, &b->cap, b->len + (size_t)n + 1, 1);
		memcpy(b->buf + b->len, buf, (size_t)n);
		b->len += (size_t)n;
	}
	if (unzCloseCurrentFile(uz) != UNZ_OK || n < 0)
		return -EIO;
	return 0;
}

/* A chart part, its placeholders made error bars, deflated anew. */
static int write_chart(zipFile zf, const char *name, const zip_fileinfo *zi,
		       const struct bytes *in, const struct xlsx_errbars *eb)
{
	char *xml;
	size_t len;
	int rc = 0;

	xlsx_errbars_patch(in->buf ? in->buf : "", in->len, eb, &xml, &len);
	if (zipOpenNewFileInZip(zf, name, zi, NULL, 0, NULL, 0, NULL,
				Z_DEFLATED, XLSX_DEFLATE_LEVEL) != ZIP_OK ||
	    zipWriteInFileInZip(zf, xml, (unsigned)len) != ZIP_OK ||
	    zipCloseFileInZip(zf) != ZIP_OK)
		rc = -EIO;
	free(xml);
	return rc;
}

/*
 * Any other part as stored: its compressed bytes, CRC and size as they are
 * (deflating a part twice was most of the workbook's time).
 */
static int write_raw(zipFile zf, const char *name, const zip_fileinfo *zi,
		     const struct bytes *in, const unz_file_info *info,
		     int method, int level)
{
	if (zipOpenNewFileInZip2(zf, name, zi, NULL, 0, NULL, 0, NULL, method,
				 level, 1) != ZIP_OK ||
	    zipWriteInFileInZip(zf, in->buf ? in->buf : "",
				(unsigned)in->len) != ZIP_OK ||
	    zipCloseFileInZipRaw(zf, info->uncompressed_size, info->crc) !=
		    ZIP_OK)
		return -EIO;
	return 0;
}

static int copy_entry(unzFile uz, zipFile zf, const struct xlsx_errbars *eb,
		      const struct xlsx_sheet *sheets, size_t n_sheets,
		      struct bytes *in)
{
	const struct xlsx_sheet *sheet;
	unz_file_info info;
	zip_fileinfo zi;
	char name[512];
	int edit, method, level;

	if (unzGetCurrentFileInfo(uz, &info, name, sizeof(name), NULL, 0, NULL,
				  0) != UNZ_OK)
		return -EIO;
	sheet = sheet_part(name, sheets, n_sheets);
	edit = sheet || is_chart_part(name);
	if (read_entry(uz, in, !edit, &method, &level) < 0)
		return -EIO;
	memset(&zi, 0, sizeof(zi));
	zi.dosDate = info.dosDate;
	zi.internal_fa = info.internal_fa;
	zi.external_fa = info.external_fa;
	if (sheet)
		return xlsx_sheet_write(zf, &zi, in->buf ? in->buf : "",
					in->len, sheet);
	if (edit)
		return write_chart(zf, name, &zi, in, eb);
	return write_raw(zf, name, &zi, in, &info, method, level);
}

int xlsx_package_finish(const char *in_path, const char *out_path,
			const struct xlsx_errbars *eb,
			const struct xlsx_sheet *sheets, size_t n_sheets,
			char *err, size_t errlen)
{
	unzFile uz = unzOpen(in_path);
	zipFile zf = uz ? zipOpen(out_path, APPEND_STATUS_CREATE) : NULL;
	struct bytes in = { 0 };
	int rc = uz && zf ? 0 : -EIO, step;

	for (step = rc == 0 ? unzGoToFirstFile(uz) : UNZ_END_OF_LIST_OF_FILE;
	     step == UNZ_OK && rc == 0; step = unzGoToNextFile(uz))
		rc = copy_entry(uz, zf, eb, sheets, n_sheets, &in);
	if (zf && zipClose(zf, NULL) != ZIP_OK)
		rc = -EIO;
	if (uz)
		unzClose(uz);
	if (rc < 0)
		errf(err, errlen, "cannot put the workbook together in %s",
		     out_path);
	free(in.buf);
	return rc;
}
