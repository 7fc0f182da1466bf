/*
 * export_json.c - Google Benchmark's JSON document from the results files
 * (export_json.h).  The results tables are untrusted text: every string
 * goes through json_string, every number through json_number.
 */
#include "export_json.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jsontext.h"
#include "schema.h"
#include "stats.h"
#include "util.h"

#define US_PER_S 1e6

struct doc {
	FILE *out;
	const struct results_table *sum, *runs, *env;
	size_t *order; /* run rows sorted by cell, then file order */
	size_t run_cell;
	bool first; /* no member yet in the object being written */
};

/* The text of column name in row r of t; "" when t has no such column. */
static const char *field(const struct results_table *t, size_t r,
			 const char *name)
{
	size_t c = results_table_column(t, name);

	return c == SIZE_MAX ? "" : t->rows[r].f[c];
}

/* Is s a whole, finite number (as the CSV writer puts one down)? */
static bool number_of(const char *s, double *ret)
{
	char *end;

	if (!*s || !strchr("-0123456789", *s))
		return false;
	*ret = strtod(s, &end);
	return !*end && isfinite(*ret);
}

static void member(struct doc *d, const char *key, const char *indent)
{
	fprintf(d->out, "%s\n%s", d->first ? "" : ",", indent);
	d->first = false;
	json_key(d->out, key);
}

static void put_text(struct doc *d, const char *key, const char *v)
{
	member(d, key, "      ");
	json_string(d->out, v);
}

static void put_num(struct doc *d, const char *key, double v)
{
	member(d, key, "      ");
	json_number(d->out, v);
}

/* ---- context ------------------------------------------------------ */

/* The first value of key in N-env.csv (a merged one repeats keys per
 * host: the first host's), or NULL. */
static const char *env_get(const struct doc *d, const char *key)
{
	size_t r;

	for (r = 0; d->env && r < d->env->n_rows; r++)
		if (d->env->n_columns >= 2 &&
		    !strcmp(d->env->rows[r].f[0], key))
			return d->env->rows[r].f[1];
	return NULL;
}

/* The keys the context names in Google Benchmark's words. */
static const char *const mapped[] = {
	ENV_START_TIME_UTC,
	ENV_HOST,
	ENV_COMMAND_LINE,
	ENV_CPU_COUNT,
	ENV_CPU_MHZ,
	ENV_CPU_SCALING,
	"cpu_caches",
	ENV_LOAD_AVERAGE,
	ENV_BUILD_TYPE,
	"date",
	"host_name",
	"executable",
	"num_cpus",
	"mhz_per_cpu",
	"caches",
	"load_avg",
	"library_build_type",
	"json_schema_version",
	"cpu_scaling_enabled",
	"experiment",
};

static bool is_mapped(const char *key)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mapped); i++)
		if (!strcmp(key, mapped[i]))
			return true;
	return false;
}

/* "0.52 0.58 0.59 1/389 12345", or a merge's "shard 0: 0.52 ...; ...". */
static void put_load(struct doc *d, const char *v)
{
	const char *p = v ? v : "";
	char *end;
	int i;

	if (!strncmp(p, "shard ", 6) && strchr(p, ':'))
		p = strchr(p, ':') + 1;
	member(d, "load_avg", "    ");
	fputc('[', d->out);
	for (i = 0; i < 3; i++) {
		double x = strtod(p, &end);

		if (end == p)
			break;
		fprintf(d->out, "%s", i ? ", " : "");
		json_number(d->out, x);
		p = end;
	}
	fputc(']', d->out);
}

static void put_env_number(struct doc *d, const char *key, const char *v)
{
	double x;

	if (v && number_of(v, &x)) {
		member(d, key, "    ");
		json_number(d->out, x);
	}
}

static void put_context(struct doc *d)
{
	const char *build = env_get(d, ENV_BUILD_TYPE);
	const char *gov = env_get(d, ENV_CPU_SCALING);
	size_t r, k;

	fputs("{\n  \"context\": {", d->out);
	d->first = true;
	member(d, "date", "    ");
	json_string(d->out, env_get(d, ENV_START_TIME_UTC));
	member(d, "host_name", "    ");
	json_string(d->out, env_get(d, ENV_HOST));
	member(d, "executable", "    ");
	json_string(d->out, env_get(d, ENV_COMMAND_LINE));
	put_env_number(d, "num_cpus", env_get(d, ENV_CPU_COUNT));
	put_env_number(d, "mhz_per_cpu", env_get(d, ENV_CPU_MHZ));
	if (gov && *gov && strcmp(gov, "unknown")) {
		member(d, "cpu_scaling_enabled", "    ");
		fputs(strcmp(gov, "performance") ? "true" : "false", d->out);
	}
	member(d, "caches", "    ");
	fputs("[]", d->out); /* not recorded */
	put_load(d, env_get(d, ENV_LOAD_AVERAGE));
	member(d, "library_build_type", "    ");
	json_string(d->out,
		    build && !strcasecmp(build, "Debug") ? "debug" : "release");
	member(d, "json_schema_version", "    ");
	fputs("1", d->out);
	member(d, "experiment", "    ");
	json_string(d->out,
		    d->sum->n_rows ? field(d->sum, 0, COLUMN_EXPERIMENT) : "");
	for (r = 0; d->env && d->env->n_columns >= 2 && r < d->env->n_rows;
	     r++) {
		const char *key = d->env->rows[r].f[0];

		for (k = 0; k < r; k++)
			if (!strcmp(d->env->rows[k].f[0], key))
				break;
		if (k < r || is_mapped(key))
			continue; /* the first host's, or named above */
		member(d, key, "    ");
		json_string(d->out, d->env->rows[r].f[1]);
	}
	fputs("\n  },\n  \"benchmarks\": [", d->out);
}

/* ---- benchmarks --------------------------------------------------- */

static const struct doc *sort_doc;

static int by_cell(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	const struct results_table *t = sort_doc->runs;
	int c = strcmp(t->rows[x].f[sort_doc->run_cell],
		       t->rows[y].f[sort_doc->run_cell]);

	return c ? c : (x > y) - (x < y);
}

/* The run rows of cell id: *ret_first.. in d->order, their count. */
static size_t runs_of(const struct doc *d, const char *id, size_t *ret_first)
{
	size_t lo = 0, hi = d->runs->n_rows, n = 0;

	if (d->run_cell == SIZE_MAX)
		return 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(d->runs->rows[d->order[mid]].f[d->run_cell], id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*ret_first = lo;
	while (lo + n < d->runs->n_rows &&
	       !strcmp(d->runs->rows[d->order[lo + n]].f[d->run_cell], id))
		n++;
	return n;
}

static void put_error(struct doc *d, const char *status, const char *error)
{
	char *msg;

	if (!strcmp(status, "ok"))
		return;
	member(d, "error_occurred", "      ");
	fputs("true", d->out);
	msg = *error ? xasprintf("%s: %s", status, error) : xstrdup(status);
	put_text(d, "error_message", msg);
	free(msg);
}

/* Every numeric field of row r of t as a counter, but the skipped ones. */
static void put_counters(struct doc *d, const struct results_table *t, size_t r,
			 const char *const *skip, size_t n_skip)
{
	size_t c, k;
	double v;

	for (c = 0; c < t->n_columns; c++) {
		for (k = 0; k < n_skip; k++)
			if (!strcmp(t->header[c], skip[k]))
				break;
		if (k == n_skip && number_of(t->rows[r].f[c], &v))
			put_num(d, t->header[c], v);
	}
}

static void start_entry(struct doc *d, const char *name, const char *id,
			size_t cell, const char *type, size_t reps)
{
	fprintf(d->out, "%s\n    {", d->first ? "" : ",");
	d->first = true;
	put_text(d, "name", name);
	put_num(d, "family_index", (double)cell);
	put_num(d, "per_family_instance_index", 0);
	put_text(d, "run_name", id);
	put_text(d, "run_type", type);
	put_num(d, "repetitions", (double)reps);
}

static void end_entry(struct doc *d)
{
	fputs("\n    }", d->out);
	d->first = false;
}

static const char *const run_skip[] = { COLUMN_RUN, COLUMN_WALL_S };

static double cpu_of(const struct results_table *t, size_t r)
{
	double u = 0, s = 0;

	number_of(field(t, r, COLUMN_CPU_USER_S), &u);
	number_of(field(t, r, COLUMN_CPU_SYS_S), &s);
	return u + s;
}

static void put_run(struct doc *d, const char *id, size_t cell, size_t row,
		    size_t rep, size_t reps)
{
	const struct results_table *t = d->runs;
	double wall = 0, tasks;

	number_of(field(t, row, COLUMN_WALL_S), &wall);
	start_entry(d, id, id, cell, "iteration", reps);
	put_num(d, "repetition_index", (double)rep);
	put_num(d, "threads", 1);
	put_error(d, field(t, row, COLUMN_STATUS), field(t, row, COLUMN_ERROR));
	put_num(d, "iterations", 1);
	put_num(d, "real_time", wall * US_PER_S);
	put_num(d, "cpu_time", cpu_of(t, row) * US_PER_S);
	put_text(d, "time_unit", "us");
	put_counters(d, t, row, run_skip, ARRAY_SIZE(run_skip));
	if (number_of(field(t, row, COLUMN_TASKS), &tasks) && wall > 0)
		put_num(d, "items_per_second", tasks / wall);
	end_entry(d);
}

/* A cell without a measured run: one entry that says why. */
static void put_no_run(struct doc *d, const char *id, size_t cell, size_t row)
{
	const char *status = field(d->sum, row, COLUMN_STATUS);

	start_entry(d, id, id, cell, "iteration", 0);
	put_num(d, "repetition_index", 0);
	put_num(d, "threads", 1);
	put_error(d, strcmp(status, "ok") ? status : "failed",
		  *field(d->sum, row, COLUMN_ERROR)
			  ? field(d->sum, row, COLUMN_ERROR)
			  : "no measured run");
	put_num(d, "iterations", 0);
	put_num(d, "real_time", 0);
	put_num(d, "cpu_time", 0);
	put_text(d, "time_unit", "us");
	end_entry(d);
}

static const char *const sum_skip[] = { COLUMN_EXPERIMENT, COLUMN_CELL,
					COLUMN_STRATEGY, COLUMN_WORKLOAD };

enum agg { AGG_MEAN, AGG_MEDIAN, AGG_STDDEV, AGG_CV, AGG_COUNT };

static double agg_value(const struct sample_stats *s, enum agg a)
{
	double v = a == AGG_MEAN     ? s->mean
		   : a == AGG_MEDIAN ? s->median
		   : a == AGG_STDDEV ? s->stddev
				     : s->cv;

	if (a == AGG_CV && !isfinite(v))
		return 0; /* a mean of 0: every run took no time at all */
	return a == AGG_CV ? v : v * US_PER_S;
}

static void put_aggregates(struct doc *d, const char *id, size_t cell,
			   size_t row, const struct sample_stats *w,
			   const struct sample_stats *c)
{
	static const char *const names[] = { "mean", "median", "stddev", "cv" };
	const char *label = field(d->sum, row, COLUMN_STOPPED_BY);
	enum agg a;

	for (a = 0; a < AGG_COUNT; a++) {
		char *name = xasprintf("%s_%s", id, names[a]);

		start_entry(d, name, id, cell, "aggregate", w->n);
		put_num(d, "threads", 1);
		put_text(d, "aggregate_name", names[a]);
		put_text(d, "aggregate_unit",
			 a == AGG_CV ? "percentage" : "time");
		put_error(d, field(d->sum, row, COLUMN_STATUS),
			  field(d->sum, row, COLUMN_ERROR));
		put_num(d, "iterations", (double)w->n);
		put_num(d, "real_time", agg_value(w, a));
		put_num(d, "cpu_time", agg_value(c, a));
		put_text(d, "time_unit", "us");
		put_counters(d, d->sum, row, sum_skip, ARRAY_SIZE(sum_skip));
		if (*label)
			put_text(d, "label", label);
		end_entry(d);
		free(name);
	}
}

static void put_cell(struct doc *d, size_t row)
{
	const char *id = field(d->sum, row, COLUMN_CELL);
	size_t first = 0, n = runs_of(d, id, &first), i, k = 0;
	double *wall = xcalloc(n + 1, sizeof(double));
	double *cpu = xcalloc(n + 1, sizeof(double));
	struct sample_stats w, c;

	for (i = 0; i < n; i++) {
		size_t r = d->order[first + i];

		put_run(d, id, row, r, i, n);
		if (number_of(field(d->runs, r, COLUMN_WALL_S), &wall[k]))
			cpu[k++] = cpu_of(d->runs, r);
	}
	if (n == 0)
		put_no_run(d, id, row, row);
	stats_summarise(wall, k, &w);
	stats_summarise(cpu, k, &c);
	if (k >= 2) /* as Google Benchmark: aggregates of repetitions */
		put_aggregates(d, id, row, row, &w, &c);
	free(wall);
	free(cpu);
}

int export_json_fill(FILE *out, const void *arg)
{
	const struct export_source *src = arg;
	struct doc d = { .out = out,
			 .sum = src->summary,
			 .runs = src->runs,
			 .env = src->env };
	size_t i;

	d.run_cell = results_table_column(d.runs, COLUMN_CELL);
	d.order = xcalloc(d.runs->n_rows + 1, sizeof(size_t));
	for (i = 0; i < d.runs->n_rows; i++)
		d.order[i] = i;
	if (d.run_cell != SIZE_MAX) {
		sort_doc = &d; /* qsort has no argument for its comparator */
		qsort(d.order, d.runs->n_rows, sizeof(size_t), by_cell);
		sort_doc = NULL;
	}
	put_context(&d);
	d.first = true;
	for (i = 0; i < d.sum->n_rows; i++)
		put_cell(&d, i);
	fputs("\n  ]\n}\n", out);
	free(d.order);
	return ferror(out) ? -EIO : 0;
}
