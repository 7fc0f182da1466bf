#include "report_load.h"

#include <math.h>

#include "latency.h"
#include "verdict.h"

/* "812 us", "20.4 ms", "2.31 s": three significant digits suit a table. */
static void human_ms(double ms, char *buf, size_t len)
{
	if (isnan(ms))
		snprintf(buf, len, "-");
	else if (ms < 1)
		snprintf(buf, len, "%.0f us", ms * 1e3);
	else if (ms < 1000)
		snprintf(buf, len, "%.3g ms", ms);
	else
		snprintf(buf, len, "%.3g s", ms / 1e3);
}

static void human_rate(double r, char *buf, size_t len)
{
	if (isnan(r))
		snprintf(buf, len, "-");
	else if (r < 100)
		snprintf(buf, len, "%.3g/s", r);
	else
		snprintf(buf, len, "%.0f/s", r);
}

static double q_ms(const struct latency *l, double q)
{
	return l && latency_count(l) ? latency_quantile_ns(l, q) / 1e6 : NAN;
}

int report_load_behind(const struct cell_result *cr)
{
	return cr->load.rate > 0 &&
	       cr->achieved_rate < VERDICT_KEEP_UP * cr->offered_rate;
}

static void print_line(FILE *out, const struct report_load_row *row, int width)
{
	const struct cell_result *cr = row->cr;
	char off[24], ach[24], p50[24], p99[24], svc[24], lag[24];

	human_rate(cr->offered_rate, off, sizeof(off));
	human_rate(cr->achieved_rate, ach, sizeof(ach));
	human_ms(q_ms(cr->latency, 0.50), p50, sizeof(p50));
	human_ms(q_ms(cr->latency, 0.99), p99, sizeof(p99));
	human_ms(q_ms(cr->service, 0.50), svc, sizeof(svc));
	human_ms(q_ms(cr->lag, 0.99), lag, sizeof(lag));
	fprintf(out, "  %-*s %10s %10s%s %10s %10s %10s %10s\n", width,
		row->label, off, ach, report_load_behind(cr) ? " !" : "  ", p50,
		p99, svc, lag);
}

int report_load_block(FILE *out, const struct report_load_row *rows, size_t n,
		      int width)
{
	size_t i;
	int warned = 0;

	if (n == 0 || rows[0].cr->load.rate <= 0)
		return 0;
	fprintf(out, "  %-*s %10s %10s   %10s %10s %10s %10s\n", width,
		"open loop", "offered", "achieved", "latency50", "latency99",
		"service50", "lag99");
	for (i = 0; i < n; i++)
		print_line(out, &rows[i], width);
	for (i = 0; i < n; i++) {
		const struct cell_result *cr = rows[i].cr;

		if (!report_load_behind(cr))
			continue;
		fprintf(out,
			"  warning: %s could not keep up: %.4g tasks/s achieved of %.4g offered (under %.0f%%); past its capacity the queue grows for as long as the run lasts, and so does its latency\n",
			rows[i].label, cr->achieved_rate, cr->offered_rate,
			VERDICT_KEEP_UP * 100);
		warned++;
	}
	return warned;
}
