/*
 * matrix.h - type every plugin section's keys against its plugin's
 * parameter table and cross them into the matrix of cells
 * (docs/experiment-file.md).
 *
 * Cells = (each strategy section x the Cartesian product of its parameters'
 * choices) x (each workload section x the same), in file order, the last
 * parameter varying fastest.  Cell ids are built from labels and crossed
 * values only, so they are deterministic and stable across runs of the same
 * file (--resume relies on that): "sync/sums",
 * "pthreads[workers=5]/download[latency=20ms]".
 */
#ifndef CONCUR_MATRIX_H
#define CONCUR_MATRIX_H

#include <stdbool.h>
#include <stddef.h>

#include <concur/plugin.h>

#include "config.h"
#include "loader.h"
#include "schedule.h"

/* Most cells an experiment may have. */
#define MATRIX_MAX_CELLS 100000

/*
 * The core-reserved keys of every workload section (docs/open-loop.md),
 * reserved like `plugin`: they follow the plugin's own parameters
 * in the section's params and in a cell's wvals (which the plugin, reading
 * only its own indices, never sees), so they cross and name cells like any
 * parameter.  They get CSV columns when some workload section sets one.
 */
enum {
	MATRIX_CORE_RATE,
	MATRIX_CORE_ARRIVAL,
	MATRIX_CORE_SEED,
	MATRIX_CORE_PARAMS
};

/* One parameter of one section, resolved to its choices. */
struct matrix_param {
	const struct concur_param *decl;
	size_t n_choices; /* >1: the parameter crosses */
	union concur_value *choices;
	char **texts; /* each choice as text (CSV, ids) */
	int line;     /* where it was set; -1 = default */
};

struct matrix_section {
	const struct config_section *sec;
	const struct plugin *plugin;
	/*
	 * n_params of them: the plugin's, then (workloads) the core's, then
	 * (a workload with CONCUR_CAP_EXTRA_KEYS) the keys its table does not
	 * name, declared as STRING parameters in extra_decls.
	 */
	struct matrix_param *params;
	size_t n_params;
	struct concur_param *extra_decls;
	size_t n_extra;
	size_t n_combos;
};

struct cell {
	size_t index;
	char *id;
	size_t strategy, workload; /* indices into the matrix's arrays */
	size_t *schoice, *wchoice; /* chosen choice per parameter */
	union concur_value *svals, *wvals; /* in parameter-table order */
	/* The workload's extra keys with this cell's values (their .s). */
	struct concur_extra_key *extra_keys;
	struct plugin_extras extras;
};

/* A parameter column of the summary CSV: "strategy.workers". */
struct matrix_column {
	unsigned kind; /* CONCUR_KIND_* */
	const char *key;
	char *header;
};

struct matrix {
	struct matrix_section *strategies, *workloads;
	size_t n_strategies, n_workloads;
	size_t baseline; /* index into strategies */
	struct cell *cells;
	size_t n_cells;
	struct matrix_column *columns;
	size_t n_columns;
	bool open_loop; /* some workload section sets rate, arrival or seed */
};

/*
 * Load each section's plugin through `l`, type and check every key (unknown
 * key with suggestion, unless the workload takes extra keys, repeated non-list key, type, range, required keys)
 * and expand the cells.  Errors carry "FILE:LINE: [kind label] ...".
 */
int matrix_build(const struct config *cfg, struct loader *l,
		 struct matrix **ret_matrix, char *err, size_t errlen);
void matrix_free(struct matrix *m);

/*
 * The text of column `col` for cell c, or NULL when the cell's plugin has no
 * such parameter.
 */
const char *matrix_cell_text(const struct matrix *m, const struct cell *c,
			     const struct matrix_column *col);

/*
 * The cell that cell c's speedup is relative to: the baseline strategy's
 * first combination, for the same workload cell.
 */
size_t matrix_baseline_cell(const struct matrix *m, const struct cell *c);

/* A cell's load from its core-reserved keys; rate 0 = closed loop. */
void matrix_cell_load(const struct matrix *m, const struct cell *c,
		      struct schedule_spec *ret);

/* The section of a cell's strategy / workload. */
const struct matrix_section *matrix_cell_strategy(const struct matrix *m,
						  const struct cell *c);
const struct matrix_section *matrix_cell_workload(const struct matrix *m,
						  const struct cell *c);

/* "[strategy workers=5, chunk=64]"-style description of one side of a cell. */
char *matrix_cell_params(const struct matrix *m, const struct cell *c,
			 unsigned kind, bool crossed_only);

#endif
