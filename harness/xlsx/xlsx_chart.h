/*
 * xlsx_chart.h - the charts sheet of the workbook (xlsx.h), drawn from the
 * results tables of xlsx_field.h.  Internal to the workbook writer.
 */
#ifndef CONCUR_XLSX_CHART_H
#define CONCUR_XLSX_CHART_H

#include <stdbool.h>
#include <stddef.h>
#include <xlsxwriter.h>

#include "xlsx_field.h"

/*
 * The rows of a summary table by cell id (xlsx_index.c): built once in
 * O(n log n), each lookup O(log n), so a chart of every cell stays linear
 * in the cells, give or take the logarithm.
 */
struct xlsx_cell_row {
	const char *id; /* into the table, without the formula guard */
	size_t row;
};

struct xlsx_cell_index {
	struct xlsx_cell_row *rows; /* the data rows, by id, then row */
	size_t n;
};

void xlsx_cell_index_build(struct xlsx_cell_index *ix,
			   const struct results_table *t);
/*
 * The first row whose cell id is scell "/" wcell, split there (a '/'
 * inside a parameter value stays on its side: util.h cell_id_split); 0
 * when there is none.
 */
size_t xlsx_cell_index_find(const struct xlsx_cell_index *ix, const char *scell,
			    const char *wcell);
void xlsx_cell_index_free(struct xlsx_cell_index *ix);

/*
 * Describes how each error-bar placeholder of a chart becomes custom error
 * bars: series `marker` (the placeholder's fixed value) takes its lower and
 * upper lengths from these ranges of the charts sheet.
 */
struct xlsx_errbar {
	char *minus, *plus; /* "charts!$N$4:$Q$4" */
	double *minus_v, *plus_v;
	size_t n;
};

struct xlsx_errbars {
	struct xlsx_errbar *bars; /* bars[k]: the series with marker k + 1 */
	size_t n;
};

void xlsx_errbars_free(struct xlsx_errbars *e);

/*
 * A chart part xml[0..len) with the placeholders of eb made custom error
 * bars (xlsx_errbars.c), into *ret_buf (malloc'd, NUL-terminated).
 */
void xlsx_errbars_patch(const char *xml, size_t len,
			const struct xlsx_errbars *eb, char **ret_buf,
			size_t *ret_len);

/*
 * Copy the package at in_path to out_path in its final form
 * (xlsx_package.c): the chart parts patched by eb, the parts of sheets[]
 * given their rows, the rest as stored.  0, or -EIO with a message.
 */
struct xlsx_sheet;
int xlsx_package_finish(const char *in_path, const char *out_path,
			const struct xlsx_errbars *eb,
			const struct xlsx_sheet *sheets, size_t n_sheets,
			char *err, size_t errlen);

/* Median charts: one per workload cell, for the first this many. */
#define XLSX_MAX_CHARTS 32

/*
 * Add the "charts" sheet to wb: a median chart per workload cell from the
 * matrix table (one bar per strategy cell) and the speedup charts from the
 * summary table, with the data tables they read.  The median charts carry
 * error-bar placeholders described in *ret_errbars, for xlsx_package_finish
 * once the file is written.
 */
void xlsx_charts_sheet(lxw_workbook *wb, const struct results_table *summary,
		       const struct results_table *matrix,
		       struct xlsx_errbars *ret_errbars);

#endif
