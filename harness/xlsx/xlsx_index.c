/*
 * xlsx_index.c - the summary rows of the workbook by cell id (xlsx_chart.h):
 * one sort, then binary searches, instead of a scan of every row per
 * lookup.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "schema.h"
#include "util.h"
#include "xlsx_chart.h"

static int by_id_then_row(const void *a, const void *b)
{
	const struct xlsx_cell_row *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	if (c)
		return c;
	return x->row < y->row ? -1 : x->row > y->row;
}

void xlsx_cell_index_build(struct xlsx_cell_index *ix,
			   const struct results_table *t)
{
	size_t c = xlsx_column(t, COLUMN_CELL);
	size_t r;

	memset(ix, 0, sizeof(*ix));
	if (c == SIZE_MAX || xlsx_rows(t) < 2)
		return;
	ix->n = xlsx_rows(t) - 1;
	ix->rows = xcalloc(ix->n, sizeof(*ix->rows));
	for (r = 0; r < ix->n; r++)
		ix->rows[r] = (struct xlsx_cell_row){
			.id = xlsx_field(t, r + 1, c),
			.row = r + 1,
		};
	qsort(ix->rows, ix->n, sizeof(*ix->rows), by_id_then_row);
}

/* strcmp of scell "/" wcell against id, without joining them. */
static int compare_key(const char *scell, size_t ls, const char *wcell,
		       const char *id)
{
	int c = strncmp(scell, id, ls);

	if (c)
		return c;
	if (id[ls] != '/')
		return (unsigned char)'/' - (unsigned char)id[ls];
	return strcmp(wcell, id + ls + 1);
}

size_t xlsx_cell_index_find(const struct xlsx_cell_index *ix, const char *scell,
			    const char *wcell)
{
	size_t lo = 0, hi = ix->n, ls = strlen(scell), mid;
	const char *id;

	while (lo < hi) { /* the first row not below the key */
		mid = lo + (hi - lo) / 2;
		if (compare_key(scell, ls, wcell, ix->rows[mid].id) > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == ix->n)
		return 0;
	id = ix->rows[lo].id;
	if (compare_key(scell, ls, wcell, id) != 0 || cell_id_split(id) != ls)
		return 0;
	return ix->rows[lo].row;
}

void xlsx_cell_index_free(struct xlsx_cell_index *ix)
{
	free(ix->rows);
	memset(ix, 0, sizeof(*ix));
}
