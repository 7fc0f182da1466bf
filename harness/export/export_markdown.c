/*
 * export_markdown.c - the pull-request table of export_markdown.h.
 */
#include "export_markdown.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mdtext.h"
#include "schema.h"
#include "util.h"

static const char *field(const struct results_table *t, size_t r,
			 const char *name)
{
	size_t c = results_table_column(t, name);

	return c == SIZE_MAX || r >= t->n_rows ? "" : t->rows[r].f[c];
}

static const char *env_get(const struct results_table *env, const char *key)
{
	size_t r;

	for (r = 0; env && env->n_columns >= 2 && r < env->n_rows; r++)
		if (!strcmp(env->rows[r].f[0], key))
			return env->rows[r].f[1];
	return "";
}

/* A cell: the value escaped, or "–" when empty. */
static void cell(FILE *out, const char *v)
{
	fputs(" ", out);
	if (*v)
		md_text(out, v);
	else
		fputs("–", out);
	fputs(" |", out);
}

/*
 * A cell concur formatted itself from a number (digits, '.', '-', a unit):
 * nothing in it can start markup, so it is written as it is, readable in
 * the raw Markdown too.
 */
static void cell_own(FILE *out, const char *v)
{
	fprintf(out, " %s |", v);
}

/* The median in its unit ("12.345 ms"), or the text as it is. */
static void cell_seconds(FILE *out, const char *v)
{
	char buf[48], *end;
	double s = strtod(v, &end);

	if (*v && !*end && isfinite(s)) {
		human_time(s, buf, sizeof(buf));
		cell_own(out, buf);
	} else {
		cell(out, v);
	}
}

/* A ratio with its sign ("1.23×", "4.5%"), or the text as it is. */
static void cell_scaled(FILE *out, const char *v, double scale,
			const char *unit)
{
	char buf[48], *end;
	double x = strtod(v, &end);

	if (*v && !*end && isfinite(x)) {
		/* three digits, but a count in the thousands as a whole */
		snprintf(buf, sizeof(buf),
			 fabs(x * scale) >= 1000 ? "%.0f%s" : "%.3g%s",
			 x * scale, unit);
		cell_own(out, buf);
	} else {
		cell(out, v);
	}
}

static void put_row(FILE *out, const struct results_table *t, size_t r)
{
	fputs("|", out);
	cell(out, field(t, r, COLUMN_CELL));
	cell(out, field(t, r, COLUMN_STATUS));
	cell(out, field(t, r, COLUMN_RUNS));
	cell_seconds(out, field(t, r, COLUMN_WALL_MEDIAN_S));
	cell_scaled(out, field(t, r, COLUMN_WALL_CV), 100, "%");
	cell_scaled(out, field(t, r, COLUMN_SPEEDUP), 1, "×");
	cell_scaled(out, field(t, r, COLUMN_TASKS_PER_S), 1, "");
	cell_scaled(out, field(t, r, COLUMN_TASK_P99_MS), 1, " ms");
	cell_scaled(out, field(t, r, COLUMN_CPU_UTIL), 1, "");
	cell(out, field(t, r, COLUMN_ERROR));
	fputs("\n", out);
}

int export_markdown_fill(FILE *out, const void *arg)
{
	const struct export_source *src = arg;
	const struct results_table *t = src->summary;
	size_t r, bad = 0;

	for (r = 0; r < t->n_rows; r++)
		bad += strcmp(field(t, r, COLUMN_STATUS), "ok") != 0;
	fputs("### concur: ", out);
	md_text(out, field(t, 0, COLUMN_EXPERIMENT));
	fprintf(out, "\n\n**%zu cells, %zu not ok**\n\n", t->n_rows, bad);
	fputs("| cell | status | runs | median wall | cv | speedup | tasks/s | task p99 | CPU use | error |\n"
	      "|:--|:--|--:|--:|--:|--:|--:|--:|--:|:--|\n",
	      out);
	for (r = 0; r < t->n_rows; r++)
		put_row(out, t, r);
	fputs("\n<sub>", out);
	md_text(out, env_get(src->env, ENV_HOST));
	fputs(" · concur ", out);
	md_text(out, env_get(src->env, ENV_CONCUR_VERSION));
	fputs(" (", out);
	md_text(out, env_get(src->env, ENV_GIT_REVISION));
	fputs(") · started ", out);
	md_text(out, env_get(src->env, ENV_START_TIME_UTC));
	fputs(" · speedup against the baseline strategy, CPU use = (user + sys) / wall</sub>\n",
	      out);
	return ferror(out) ? -EIO : 0;
}
