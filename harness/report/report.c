#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "latency.h"
#include "matrix.h"
#include "report_load.h"
#include "results.h"
#include "runner.h"
#include "stats.h"
#include "util.h"
#include "verdict.h"

/* Outlier runs named in one warning line; the rest are counted. */
#define MAX_NAMED_OUTLIERS 5
/* Strategy column width bounds. */
#define LABEL_MIN 8
#define LABEL_MAX 48

/* One strategy cell's row in a workload block. */
struct report_row {
	const struct cell_result *cr;
	char *label;		/* strategy label and crossed parameters */
	double speedup;		/* NaN when unknown */
	double sp_low, sp_high; /* 95% interval of the speedup; NaN unknown */
};

void report_context_capture(struct report_context *ret)
{
	FILE *f = fopen("/proc/loadavg", "r");

	memset(ret, 0, sizeof(*ret));
	ret->ncpus = cpu_count();
	if (!f)
		return;
	ret->load_known = fscanf(f, "%lf", &ret->load1) == 1;
	fclose(f);
}

void report_cell_done(FILE *out, const struct runner *r,
		      const struct cell_result *cr, size_t done, size_t total)
{
	char med[32];

	(void)r;
	human_time(cr->wall.median, med, sizeof(med));
	fprintf(out, "[%zu/%zu] %-40s %-7s median %s", done, total,
		cr->cell->id, cell_status_name(cr->status), med);
	if (cr->stopped_by > REPEAT_RUNNING) /* repetitions = auto */
		fprintf(out, "  %zu runs, %s", cr->n_runs,
			repeat_stop_name(cr->stopped_by));
	fprintf(out, "%s%s\n", cr->error ? "  " : "",
		cr->error ? cr->error : "");
	fflush(out);
}

/* Workload cells per strategy cell: cell i belongs to workload cell i % per. */
static size_t workload_cells(const struct matrix *m)
{
	size_t n = 0, i;

	for (i = 0; i < m->n_workloads; i++)
		n += m->workloads[i].n_combos;
	return n;
}

/*
 * The speedup's 95% interval: the baseline median over the bounds of this
 * cell's confidence interval of the mean.  The baseline is taken as exact,
 * so two rows' intervals overlap exactly when their time intervals do.  A
 * time interval reaching 0 (few, scattered runs) leaves it unbounded above.
 */
static void fill_row(const struct runner *r, const struct cell_result *cr,
		     struct report_row *row)
{
	size_t b = matrix_baseline_cell(r->m, cr->cell);
	double base = r->results[b].done ? r->results[b].wall.median : NAN;

	row->cr = cr;
	row->label =
		matrix_cell_params(r->m, cr->cell, CONCUR_KIND_STRATEGY, true);
	row->speedup = results_speedup(r, cr);
	row->sp_low = row->sp_high = NAN;
	if (base > 0 && cr->wall.ci95_high > 0) {
		row->sp_low = base / cr->wall.ci95_high;
		row->sp_high = cr->wall.ci95_low > 0 ? base / cr->wall.ci95_low
						     : INFINITY;
	}
}

static int label_width(const struct report_row *rows, size_t n)
{
	size_t w = LABEL_MIN, i;

	for (i = 0; i < n; i++)
		if (strlen(rows[i].label) > w)
			w = strlen(rows[i].label);
	return (int)(w > LABEL_MAX ? LABEL_MAX : w);
}

static void print_row(FILE *out, const struct report_row *row, int width,
		      bool auto_reps)
{
	const struct cell_result *cr = row->cr;
	char med[32], sd[32], speed[16] = "-", ci[40] = "", cpu[16] = "-";

	human_time(cr->wall.median, med, sizeof(med));
	human_time(cr->wall.stddev, sd, sizeof(sd));
	if (!isnan(row->speedup))
		snprintf(speed, sizeof(speed), "%.2fx", row->speedup);
	if (isinf(row->sp_high))
		snprintf(ci, sizeof(ci), "%.2f-inf x", row->sp_low);
	else if (!isnan(row->sp_low))
		snprintf(ci, sizeof(ci), "%.2f-%.2fx", row->sp_low,
			 row->sp_high);
	if (cr->n_runs && cr->wall.median > 0)
		snprintf(cpu, sizeof(cpu), "%.2f",
			 (cr->user_s + cr->sys_s) / cr->wall.median);
	fprintf(out, "  %-*s %12s ± %-10s %9s  %-15s %6s  %s", width,
		row->label, med, sd, speed, ci, cpu,
		cell_status_name(cr->status));
	if (auto_reps) /* cells differ in run count: say each one's */
		fprintf(out, "%*s%zu runs%s%s",
			8 - (int)strlen(cell_status_name(cr->status)), "",
			cr->n_runs, cr->stopped_by ? ", " : "",
			repeat_stop_name(cr->stopped_by));
	fprintf(out, "\n");
}

static void print_header(FILE *out, const struct runner *r, size_t w, int width)
{
	const struct cell *c = &r->m->cells[w];
	char *name = matrix_cell_params(r->m, c, CONCUR_KIND_WORKLOAD, true);

	fprintf(out, "\nworkload %s  (plugin %s, %llu tasks per run, ", name,
		matrix_cell_workload(r->m, c)->plugin->name,
		(unsigned long long)r->results[w].tasks);
	if (r->cfg->repetitions_auto)
		fprintf(out,
			"repetitions = auto: %lld to %lld measured runs per cell, until the 95%% CI is within %g%% of the mean)\n",
			(long long)r->cfg->min_repetitions,
			(long long)r->cfg->max_repetitions,
			r->cfg->target_ci * 100);
	else
		fprintf(out, "%lld measured runs per cell)\n",
			(long long)r->cfg->repetitions);
	fprintf(out, "  %-*s %12s   %-10s %9s  %-15s %6s  %s\n", width,
		"strategy", "median", "stddev", "speedup", "(95% CI)", "cpu",
		"status");
	free(name);
}

/* One line for the cells of the block whose run times vary over 10%. */
static int warn_spread(FILE *out, const struct report_row *rows, size_t n)
{
	size_t i, found = 0;

	for (i = 0; i < n; i++) {
		const struct cell_result *cr = rows[i].cr;

		if (!cr->n_runs || isnan(cr->wall.cv) ||
		    cr->wall.cv <= REPORT_WARN_CV)
			continue;
		fprintf(out, "%s%s %.0f%%",
			found++ ? ", "
				: "  warning: run times vary by more than 10% (CV): ",
			rows[i].label, cr->wall.cv * 100);
	}
	if (found)
		fprintf(out,
			"; more repetitions or a quieter machine would help\n");
	return found ? 1 : 0;
}

/* One line for every row of the block that had a run under 1 ms. */
static int warn_short(FILE *out, const struct report_row *rows, size_t n)
{
	size_t i, found = 0;
	double shortest = INFINITY;
	char t[32];

	for (i = 0; i < n; i++) {
		const struct cell_result *cr = rows[i].cr;

		if (!cr->n_runs || !(cr->wall.min < REPORT_WARN_SHORT_RUN_S))
			continue;
		fprintf(out, "%s%s",
			found++ ? ", " : "  warning: runs under 1 ms in ",
			rows[i].label);
		if (cr->wall.min < shortest)
			shortest = cr->wall.min;
	}
	if (!found)
		return 0;
	human_time(shortest, t, sizeof(t));
	fprintf(out,
		" (shortest %s): timer and start-up noise weigh heavily; add tasks\n",
		t);
	return 1;
}

/*
 * Name the runs whose Iglewicz-Hoaglin modified z-score flags (stats_is_outlier) and that
 * lie more than REPORT_OUTLIER_FLOOR of the median from it, among the runs
 * with figures (a crashed run keeps its record but has none); nothing with
 * fewer than REPORT_OUTLIER_MIN_RUNS of them.  The floor keeps a run 4 ms
 * off a 3.3 s median quiet however small the MAD of its neighbours.
 */
static int warn_outliers(FILE *out, const struct report_row *row)
{
	const struct cell_result *cr = row->cr;
	const struct run_record **run =
		xcalloc(cr->n_records + 1, sizeof(*run));
	double *x = xcalloc(cr->n_records + 1, sizeof(double)), med, mad;
	size_t i, n = 0, found = 0;
	char t[32];

	for (i = 0; i < cr->n_records; i++) {
		if (!cr->runs[i].measured)
			continue;
		run[n] = &cr->runs[i];
		x[n++] = cr->runs[i].wall_s;
	}
	med = stats_median(x, n);
	mad = stats_mad(x, n);
	for (i = 0; mad > 0 && n >= REPORT_OUTLIER_MIN_RUNS && i < n; i++) {
		if (!stats_is_outlier(x[i], med, mad) ||
		    fabs(x[i] - med) <= REPORT_OUTLIER_FLOOR * fabs(med))
			continue;
		if (found == 0)
			fprintf(out,
				"  warning: %s: outlier runs (modified z-score > %.1f and over %.0f%% from the median), kept in every figure:",
				row->label, STATS_OUTLIER_Z,
				REPORT_OUTLIER_FLOOR * 100);
		if (found++ < MAX_NAMED_OUTLIERS) {
			human_time(x[i], t, sizeof(t));
			fprintf(out, "%s run %u (%s)", found > 1 ? "," : "",
				run[i]->run, t);
		}
	}
	if (found > MAX_NAMED_OUTLIERS)
		fprintf(out, " and %zu more", found - MAX_NAMED_OUTLIERS);
	if (found) {
		human_time(med, t, sizeof(t));
		fprintf(out, "; median %s\n", t);
	}
	free(run);
	free(x);
	return found ? 1 : 0;
}

static int warn_status(FILE *out, const struct report_row *row)
{
	const struct cell_result *cr = row->cr;

	if (cr->status == CELL_OK)
		return 0;
	fprintf(out, "  warning: %s: %s: %s\n", row->label,
		cell_status_name(cr->status),
		cr->error ? cr->error : "(no reason recorded)");
	return 1;
}

static int by_median(const void *a, const void *b)
{
	double x = (*(const struct report_row *const *)a)->cr->wall.median;
	double y = (*(const struct report_row *const *)b)->cr->wall.median;

	if (isnan(x) || isnan(y))
		return isnan(x) - isnan(y); /* unknown medians last */
	if (x != y)
		return (x > y) - (x < y);
	/* equal medians: matrix order, so the output never depends on qsort */
	return (*(const struct report_row *const *)a >
		*(const struct report_row *const *)b) -
	       (*(const struct report_row *const *)a <
		*(const struct report_row *const *)b);
}

/* "{a, b, c}", after the line's start for the first group. */
static void print_group(FILE *out, struct report_row **group, size_t n,
			size_t index)
{
	size_t i;

	fprintf(out, "%s{",
		index ? ", "
		      : "  warning: not distinguishable, their 95% intervals of the mean overlap: ");
	for (i = 0; i < n; i++)
		fprintf(out, "%s%s", i ? ", " : "", group[i]->label);
	fprintf(out, "}");
}

static bool ci_known(const struct cell_result *cr)
{
	return cr->n_runs >= 2 && !isnan(cr->wall.ci95_low) &&
	       !isnan(cr->wall.ci95_high);
}

/*
 * Cells whose 95% intervals of the mean overlap cannot be ranked.  In order
 * of median, a cell joins the group before it when its interval starts
 * below the highest end in that group, so a chain a ~ b ~ c is one group
 * even when a and c do not overlap themselves; one line names every group
 * of two or more.
 */
static int warn_overlaps(FILE *out, struct report_row *rows, size_t n)
{
	struct report_row **order = xcalloc(n + 1, sizeof(*order));
	size_t i, k = 0, start = 0, groups = 0;
	double high = NAN;

	for (i = 0; i < n; i++)
		if (ci_known(rows[i].cr))
			order[k++] = &rows[i];
	qsort(order, k, sizeof(*order), by_median);
	for (i = 0; i <= k; i++) {
		if (i < k && i > start && order[i]->cr->wall.ci95_low <= high) {
			high = fmax(high, order[i]->cr->wall.ci95_high);
			continue;
		}
		if (i - start >= 2)
			print_group(out, order + start, i - start, groups++);
		start = i;
		high = i < k ? order[i]->cr->wall.ci95_high : NAN;
	}
	if (groups)
		fprintf(out, "\n");
	free(order);
	return groups ? 1 : 0;
}

/*
 * repetitions = auto: one line for the cells that stopped at a cap before
 * their interval reached the target, with how far they got.
 */
static int warn_not_converged(FILE *out, const struct config *cfg,
			      const struct report_row *rows, size_t n)
{
	size_t i, found = 0;

	for (i = 0; cfg->repetitions_auto && i < n; i++) {
		const struct cell_result *cr = rows[i].cr;
		double got = repeat_precision(&cr->wall);

		if (cr->stopped_by != REPEAT_MAX_REPETITIONS &&
		    cr->stopped_by != REPEAT_MAX_TIME)
			continue;
		fprintf(out, "%s%s (%s after %zu runs, ",
			found++ ? ", " : "  warning: did not converge: ",
			rows[i].label, repeat_stop_name(cr->stopped_by),
			cr->n_runs);
		if (isnan(got))
			fprintf(out, "no interval)");
		else
			fprintf(out, "within %.1f%%)", got * 100);
	}
	if (found)
		fprintf(out,
			"; target_ci is %g%%: raise the caps, or accept the wider interval\n",
			cfg->target_ci * 100);
	return found ? 1 : 0;
}

/* The open-loop lines of the block, when its cells have a rate. */
static int print_load(FILE *out, const struct report_row *rows, size_t n,
		      int width)
{
	struct report_load_row *load = xcalloc(n + 1, sizeof(*load));
	size_t i;
	int warned;

	for (i = 0; i < n; i++)
		load[i] = (struct report_load_row){ rows[i].label, rows[i].cr };
	warned = report_load_block(out, load, n, width);
	free(load);
	return warned;
}

/* One workload cell: its rows, then its warnings.  Returns the warnings. */
static int print_block(FILE *out, const struct runner *r, size_t w, size_t per)
{
	struct report_row *rows =
		xcalloc(r->m->n_cells / per + 1, sizeof(*rows));
	size_t n = 0, i;
	int width, warned = 0;

	for (i = w; i < r->m->n_cells; i += per)
		if (r->results[i].done)
			fill_row(r, &r->results[i], &rows[n++]);
	if (n == 0) { /* another shard's, or not run yet */
		free(rows);
		return 0;
	}
	width = label_width(rows, n);
	print_header(out, r, w, width);
	for (i = 0; i < n; i++)
		print_row(out, &rows[i], width, r->cfg->repetitions_auto);
	for (i = 0; i < n; i++)
		warned += warn_status(out, &rows[i]);
	warned += warn_spread(out, rows, n);
	for (i = 0; i < n; i++)
		if (rows[i].cr->n_runs)
			warned += warn_outliers(out, &rows[i]);
	warned += warn_short(out, rows, n);
	warned += warn_overlaps(out, rows, n);
	warned += warn_not_converged(out, r->cfg, rows, n);
	warned += print_load(out, rows, n, width);
	for (i = 0; i < n; i++)
		free(rows[i].label);
	free(rows);
	return warned;
}

static int warn_machine(FILE *out, const struct runner *r,
			const struct report_context *ctx)
{
	int n = 0;

	if (ctx && ctx->load_known && ctx->ncpus &&
	    ctx->load1 > VERDICT_BUSY_LOAD_PER_CPU * ctx->ncpus) {
		fprintf(out,
			"warning: the load average was %.2f on %u CPUs when the runs started: other work competed for the CPUs, so times may be slower and noisier than on a quiet machine\n",
			ctx->load1, ctx->ncpus);
		n++;
	}
	if (r->cfg->repetitions < 2) {
		fprintf(out,
			"warning: one measured run per cell: no spread and no confidence interval (set repetitions = 5 or more)\n");
		n++;
	}
	return n;
}

int report_table_ctx(FILE *out, const struct runner *r,
		     const struct report_context *ctx)
{
	const struct matrix *m = r->m;
	size_t per = workload_cells(m), w;
	int warned = 0;

	for (w = 0; per && w < per && w < m->n_cells; w++)
		warned += print_block(out, r, w, per);
	fprintf(out,
		"\n(speedup: against [strategy %s], with the 95%% interval of the mean; cpu: CPU seconds per wall second, %u cores here)\n",
		m->strategies[m->baseline].sec->label, cpu_count());
	return warned + warn_machine(out, r, ctx);
}
