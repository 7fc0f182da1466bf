#include "shard.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/*
 * A whole decimal number in 0..max, nothing else (no sign, no spaces); any
 * number of digits, leading zeros included, as long as the value fits.
 */
static bool parse_uint(const char *text, unsigned long max, unsigned long *ret)
{
	char *end;
	unsigned long v;

	if (!text || *text < '0' || *text > '9')
		return false;
	errno = 0;
	v = strtoul(text, &end, 10);
	if (errno || *end || v > max)
		return false;
	*ret = v;
	return true;
}

int shard_parse(const char *text, struct shard *ret, char *err, size_t errlen)
{
	const char *slash = text ? strchr(text, '/') : NULL;
	unsigned long k, n;
	char *left;
	bool ok;

	memset(ret, 0, sizeof(*ret));
	if (!slash) {
		errf(err, errlen,
		     "--shard '%s': expected K/N, shard K (counted from 0) of N, e.g. --shard 0/4",
		     text ? text : "");
		return -EINVAL;
	}
	left = xstrndup(text, (size_t)(slash - text));
	ok = parse_uint(left, SHARD_MAX, &k) &&
	     parse_uint(slash + 1, SHARD_MAX, &n) && n >= 1 && k < n;
	free(left);
	if (!ok) {
		errf(err, errlen,
		     "--shard '%s': expected K/N with 0 <= K < N <= %d, shard K (counted from 0) of N, e.g. --shard 0/4",
		     text, SHARD_MAX);
		return -EINVAL;
	}
	ret->k = (unsigned)k;
	ret->n = (unsigned)n;
	snprintf(ret->source, sizeof(ret->source), "command line");
	return 0;
}

int shard_parse_count(const char *text, unsigned *ret, char *err, size_t errlen)
{
	unsigned long n;

	if (!parse_uint(text, SHARD_MAX, &n) || n < 1) {
		errf(err, errlen,
		     "--shards '%s': expected a whole number of shards from 1 to %d",
		     text ? text : "", SHARD_MAX);
		return -EINVAL;
	}
	*ret = (unsigned)n;
	return 0;
}

/* An optional variable: false when set but not a number that fits. */
static bool env_number(const char *(*get)(const char *), const char *name,
		       unsigned long *ret, bool *ret_set)
{
	const char *v = get(name);

	*ret_set = v && *v;
	return !*ret_set || parse_uint(v, ULONG_MAX, ret);
}

static int bad_env(char *err, size_t errlen, const char *name,
		   const char *value, const char *allowed)
{
	errf(err, errlen, "cannot tell this array task's shard: %s=%s; %s",
	     name, value ? value : "", allowed);
	return -EINVAL;
}

static int detect_slurm(const char *(*get)(const char *), unsigned shards,
			struct shard *ret, char *err, size_t errlen)
{
	static const char *const names[] = { "SLURM_ARRAY_TASK_ID",
					     "SLURM_ARRAY_TASK_MIN",
					     "SLURM_ARRAY_TASK_MAX",
					     "SLURM_ARRAY_TASK_COUNT",
					     "SLURM_ARRAY_TASK_STEP" };
	unsigned long v[5] = { 0 };
	bool set[5];
	unsigned long n;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (!env_number(get, names[i], &v[i], &set[i]))
			return bad_env(err, errlen, names[i], get(names[i]),
				       "expected a whole number");
	if (set[4] && v[4] != 1)
		return bad_env(
			err, errlen, "SLURM_ARRAY_TASK_STEP", get(names[4]),
			"concur needs a dense array such as --array=0-3 (step 1)");
	if (set[2] && v[2] < v[1])
		return bad_env(err, errlen, "SLURM_ARRAY_TASK_MAX",
			       get(names[2]),
			       "it is below SLURM_ARRAY_TASK_MIN");
	/* MAX - MIN + 1 wraps to 0 for the whole range: refused with it */
	n = set[3] ? v[3] : set[2] ? v[2] - v[1] + 1 : 0;
	if (n == 0 || n > SHARD_MAX)
		return bad_env(
			err, errlen, "SLURM_ARRAY_TASK_COUNT", get(names[3]),
			"expected 1 to 100000 tasks (or SLURM_ARRAY_TASK_MIN and _MAX)");
	if (set[2] && set[3] && v[2] - v[1] + 1 != v[3])
		return bad_env(
			err, errlen, "SLURM_ARRAY_TASK_COUNT", get(names[3]),
			"it does not match SLURM_ARRAY_TASK_MIN..MAX: concur needs a dense array such as --array=0-3");
	if (v[0] < v[1] || v[0] - v[1] >= n)
		return bad_env(err, errlen, "SLURM_ARRAY_TASK_ID",
			       get(names[0]),
			       "it is outside SLURM_ARRAY_TASK_MIN..MAX");
	if (shards && shards != n) {
		errf(err, errlen,
		     "--shards %u, but this Slurm array has %lu tasks (SLURM_ARRAY_TASK_COUNT or MIN..MAX): submit it with --array=0-%u",
		     shards, n, shards - 1);
		return -EINVAL;
	}
	ret->k = (unsigned)(v[0] - v[1]);
	ret->n = (unsigned)n;
	snprintf(ret->source, sizeof(ret->source),
		 "SLURM_ARRAY_TASK_ID=%lu of %lu tasks from %lu", v[0], n,
		 v[1]);
	return 1;
}

static int detect_k8s(const char *(*get)(const char *), unsigned shards,
		      struct shard *ret, char *err, size_t errlen)
{
	unsigned long k = 0, n = shards;
	bool set;
	const char *from = "--shards";

	if (!env_number(get, "JOB_COMPLETION_INDEX", &k, &set))
		return bad_env(err, errlen, "JOB_COMPLETION_INDEX",
			       get("JOB_COMPLETION_INDEX"),
			       "expected a whole number");
	if (!shards) {
		from = SHARD_COUNT_ENV;
		if (!env_number(get, SHARD_COUNT_ENV, &n, &set) || !set ||
		    n < 1 || n > SHARD_MAX) {
			errf(err, errlen,
			     "JOB_COMPLETION_INDEX=%lu says this is task %lu of a Kubernetes Indexed Job, but not of how many: give --shards N (the Job's completions) or set %s=N (1..%d)",
			     k, k, SHARD_COUNT_ENV, SHARD_MAX);
			return -EINVAL;
		}
	}
	if (k >= n)
		return bad_env(err, errlen, "JOB_COMPLETION_INDEX",
			       get("JOB_COMPLETION_INDEX"),
			       "it must be below the number of shards");
	ret->k = (unsigned)k;
	ret->n = (unsigned)n;
	snprintf(ret->source, sizeof(ret->source),
		 "JOB_COMPLETION_INDEX=%lu of %lu from %s", k, n, from);
	return 1;
}

int shard_detect(const char *(*get)(const char *name), unsigned shards,
		 struct shard *ret, char *err, size_t errlen)
{
	const char *slurm = get("SLURM_ARRAY_TASK_ID");
	const char *k8s = get("JOB_COMPLETION_INDEX");

	memset(ret, 0, sizeof(*ret));
	if (slurm && *slurm)
		return detect_slurm(get, shards, ret, err, errlen);
	if (k8s && *k8s)
		return detect_k8s(get, shards, ret, err, errlen);
	return 0;
}

int shard_choose(const struct shard *given, bool all, unsigned shards,
		 bool dry_run, const char *(*get)(const char *name),
		 struct shard *ret, char *err, size_t errlen)
{
	struct shard s = *given;

	if (!s.n && !all && shard_detect(get, shards, &s, err, errlen) < 0)
		return -EINVAL;
	if (shards && s.n && shards != s.n) {
		errf(err, errlen, "--shards %u disagrees with --shard %u/%u",
		     shards, s.k, s.n);
		return -EINVAL;
	}
	if (!s.n && shards && !dry_run && !all) {
		errf(err, errlen,
		     "--shards N runs nothing by itself: give --shard K/N, run inside a Slurm array or Kubernetes Indexed Job, or add --dry-run to see the split");
		return -EINVAL;
	}
	*ret = s;
	return 0;
}

size_t shard_workload_cells(const struct matrix *m)
{
	size_t per = 0, i;

	for (i = 0; i < m->n_workloads; i++)
		per += m->workloads[i].n_combos;
	return per;
}

/* Cells are strategy-major (matrix.h), so the workload cell cycles. */
size_t shard_workload_cell(const struct matrix *m, size_t cell)
{
	size_t per = shard_workload_cells(m);

	return per ? cell % per : 0;
}

unsigned shard_of_cell(const struct matrix *m, size_t cell, unsigned n)
{
	return n ? (unsigned)(shard_workload_cell(m, cell) % n) : 0;
}

bool shard_has_cell(const struct shard *s, const struct matrix *m, size_t cell)
{
	return s->n == 0 || shard_of_cell(m, cell, s->n) == s->k;
}

size_t shard_cell_count(const struct matrix *m, unsigned k, unsigned n)
{
	size_t i, count = 0;

	for (i = 0; i < m->n_cells; i++)
		count += shard_of_cell(m, i, n) == k;
	return count;
}

void shard_print_plan(FILE *out, const struct matrix *m, unsigned only,
		      unsigned n, long long runs_per_cell)
{
	size_t per = shard_workload_cells(m), i;
	unsigned k;

	for (k = 0; k < n; k++) {
		size_t cells = shard_cell_count(m, k, n);

		if (only != SHARD_ALL && k != only)
			continue;
		fprintf(out,
			"shard %u of %u: %zu workload cells, %zu cells, %lld runs\n",
			k, n, per / n + (k < per % n), cells,
			(long long)cells * runs_per_cell);
		for (i = 0; i < m->n_cells; i++)
			if (shard_of_cell(m, i, n) == k)
				fprintf(out, "  %zu\t%s\n", i + 1,
					m->cells[i].id);
	}
	fprintf(out,
		"%zu cells, %lld runs, %zu workload cells over %u shards\n",
		m->n_cells, (long long)m->n_cells * runs_per_cell, per, n);
	if (n > per)
		fprintf(out,
			"note: shards %zu to %u have no cells: a shard takes whole workload cells, and there are %zu; use --shards %zu or fewer\n",
			per, n - 1, per, per);
}

char *shard_output_path(const char *output, const struct shard *s)
{
	size_t len = strlen(output);

	if (len > 4 && strcmp(output + len - 4, ".csv") == 0)
		len -= 4;
	return xasprintf("%.*s.shard-%u-of-%u.csv", (int)len, output, s->k,
			 s->n);
}
