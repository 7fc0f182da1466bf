#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "results.h"
#include "util.h"

/* Thresholds for the warnings (issue: trustworthy numbers). */
#define WARN_CV 0.10
#define WARN_SHORT_RUN_S 0.001

/* A duration with a unit that suits it: "812 us", "20.4 ms", "2.31 s". */
static void human_time(double s, char *buf, size_t len)
{
	if (isnan(s))
		snprintf(buf, len, "-");
	else if (s < 1e-3)
		snprintf(buf, len, "%.2f us", s * 1e6);
	else if (s < 1)
		snprintf(buf, len, "%.3f ms", s * 1e3);
	else
		snprintf(buf, len, "%.4f s", s);
}

void report_cell_done(FILE *out, const struct runner *r,
		      const struct cell_result *cr, size_t done, size_t total)
{
	char med[32];

	(void)r;
	human_time(cr->wall.median, med, sizeof(med));
	fprintf(out, "[%zu/%zu] %-40s %-7s median %s%s%s\n", done, total,
		cr->cell->id, cell_status_name(cr->status), med,
		cr->error ? "  " : "", cr->error ? cr->error : "");
	fflush(out);
}

static size_t workload_cells(const struct matrix *m)
{
	size_t n = 0, i;

	for (i = 0; i < m->n_workloads; i++)
		n += m->workloads[i].n_combos;
	return n;
}

static void print_row(FILE *out, const struct runner *r,
		      const struct cell_result *cr)
{
	char *label = matrix_cell_params(r->m, cr->cell, CONCUR_KIND_STRATEGY, true);
	char med[32], sd[32], speed[16], cpu[16];
	double speedup = results_speedup(r, cr);
	double util = (cr->user_s + cr->sys_s) / cr->wall.median;

	human_time(cr->wall.median, med, sizeof(med));
	human_time(cr->wall.stddev, sd, sizeof(sd));
	snprintf(speed, sizeof(speed), isnan(speedup) ? "-" : "%.2fx", speedup);
	snprintf(cpu, sizeof(cpu), cr->n_runs && cr->wall.median > 0 ? "%.2f" : "-", util);
	fprintf(out, "  %-32s %12s  ± %-10s %9s %6s  %s\n", label, med, sd, speed,
		cpu, cell_status_name(cr->status));
	free(label);
}

/* Print the doubts about one cell; returns how many. */
static int warn_cell(FILE *out, const struct cell_result *cr)
{
	int n = 0;

	if (cr->wall.cv > WARN_CV && !isnan(cr->wall.cv)) {
		fprintf(out, "  warning: %s: run times vary by %.0f%% (CV); more repetitions or a quieter machine would help\n",
			cr->cell->id, cr->wall.cv * 100);
		n++;
	}
	if (cr->n_runs && cr->wall.median < WARN_SHORT_RUN_S) {
		fprintf(out, "  warning: %s: runs are shorter than 1 ms; timer and start-up noise weigh heavily (add tasks)\n",
			cr->cell->id);
		n++;
	}
	if (cr->wall.n_outliers) {
		fprintf(out, "  warning: %s: %zu of %zu runs are outliers (modified z-score > 3.5); kept, not dropped\n",
			cr->cell->id, cr->wall.n_outliers, cr->n_runs);
		n++;
	}
	return n;
}

void report_table(FILE *out, const struct runner *r)
{
	const struct matrix *m = r->m;
	size_t per = workload_cells(m), w, i;

	for (w = 0; w < per && w < m->n_cells; w++) {
		const struct cell *c = &m->cells[w];
		char *name = matrix_cell_params(m, c, CONCUR_KIND_WORKLOAD, true);

		fprintf(out, "\nworkload %s  (plugin %s, %llu tasks per run)\n", name,
			matrix_cell_workload(m, c)->plugin->name,
			(unsigned long long)r->results[w].tasks);
		fprintf(out, "  %-32s %12s  %-12s %9s %6s  %s\n", "strategy",
			"median", "± stddev", "speedup", "cpu", "status");
		free(name);
		for (i = w; i < m->n_cells; i += per)
			if (r->results[i].done)
				print_row(out, r, &r->results[i]);
		for (i = w; i < m->n_cells; i += per)
			if (r->results[i].done && r->results[i].n_runs)
				warn_cell(out, &r->results[i]);
	}
	fprintf(out, "\n(speedup: against [strategy %s]; cpu: CPU seconds per wall second, %u cores here)\n",
		m->strategies[m->baseline].sec->label, cpu_count());
}
