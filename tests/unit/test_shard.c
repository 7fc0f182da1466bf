/*
 * Unit tests for harness/engine/shard.c: how an experiment is split over the tasks
 * of a batch job, and how a task finds its part in the environment.
 *
 * Real matrices are built from experiments in memory with the sync and
 * pthreads strategies and the null workload.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "loader.h"
#include "matrix.h"
#include "shard.h"
#include "util.h"

/* 3 strategy cells x (7 + 2) workload cells = 27 cells. */
static const char small[] = "[experiment]\n"
			    "name = shard\n"
			    "[strategy sync]\n"
			    "[strategy pthreads]\n"
			    "workers = 2, 4\n"
			    "[workload many]\n"
			    "plugin = null\n"
			    "count = 1..7\n"
			    "[workload few]\n"
			    "plugin = null\n"
			    "count = 10, 20\n";

/* 2 strategy cells x 100 workload cells: every N up to 64 has work. */
static const char wide[] = "[experiment]\n"
			   "name = wide\n"
			   "baseline = pthreads\n"
			   "[strategy sync]\n"
			   "[strategy pthreads]\n"
			   "[workload w]\n"
			   "plugin = null\n"
			   "count = 1..100\n";

struct built {
	struct config *cfg;
	struct loader *loader;
	struct matrix *m;
};

static void build(const char *text, struct built *b)
{
	char err[1024];

	memset(b, 0, sizeof(*b));
	if (config_load_string("shard.ini", text, strlen(text), NULL, 0,
			       &b->cfg, err, sizeof(err)) < 0)
		fail_msg("config: %s", err);
	b->loader = loader_create();
	loader_add_defaults(b->loader);
	if (matrix_build(b->cfg, b->loader, &b->m, err, sizeof(err)) < 0)
		fail_msg("matrix: %s", err);
}

static void unbuild(struct built *b)
{
	matrix_free(b->m);
	loader_destroy(b->loader);
	config_free(b->cfg);
}

/* The workload cell of a cell, told by its id (the part after '/'). */
static const char *workload_part(const struct matrix *m, size_t i)
{
	return strchr(m->cells[i].id, '/') + 1;
}

/*
 * For every N from 1 to 64: each cell is in exactly one shard; all the
 * cells of one workload cell are in the same shard; the shards' cell counts
 * differ by at most one workload cell's worth; exactly min(N, workload
 * cells) shards have work.
 */
static void check_partition(const struct matrix *m)
{
	size_t per = shard_workload_cells(m);
	size_t strategy_cells = m->n_cells / per;
	unsigned n, k;
	size_t i, j;

	assert_int_equal(m->n_cells % per, 0);
	for (n = 1; n <= 64; n++) {
		size_t least = SIZE_MAX, most = 0, with_work = 0, sum = 0;
		struct shard s = { .n = n };

		for (i = 0; i < m->n_cells; i++) {
			unsigned owners = 0;

			for (k = 0; k < n; k++) {
				s.k = k;
				owners += shard_has_cell(&s, m, i);
			}
			assert_int_equal(owners, 1);
			for (j = 0; j < m->n_cells; j++)
				if (!strcmp(workload_part(m, i),
					    workload_part(m, j)))
					assert_int_equal(
						shard_of_cell(m, i, n),
						shard_of_cell(m, j, n));
		}
		for (k = 0; k < n; k++) {
			size_t c = shard_cell_count(m, k, n);

			assert_int_equal(c % strategy_cells, 0);
			least = c < least ? c : least;
			most = c > most ? c : most;
			with_work += c > 0;
			sum += c;
		}
		assert_int_equal(sum, m->n_cells);
		assert_true(most - least <= strategy_cells);
		assert_int_equal(with_work, n < per ? n : per);
	}
}

static void every_cell_once_small(void **state)
{
	struct built b;

	(void)state;
	build(small, &b);
	assert_int_equal(b.m->n_cells, 27);
	assert_int_equal(shard_workload_cells(b.m), 9);
	check_partition(b.m);
	unbuild(&b);
}

static void every_cell_once_wide(void **state)
{
	struct built b;

	(void)state;
	build(wide, &b);
	assert_int_equal(b.m->n_cells, 200);
	check_partition(b.m);
	unbuild(&b);
}

/*
 * The assignment is a function of the experiment alone: written down here,
 * it must come out the same on every machine and in every process (no
 * host name, clock or hash seed may enter it), and from a second build of
 * the same file.
 */
static void stable_across_hosts(void **state)
{
	static const unsigned want[27] = {
		0, 1, 2, 3, 0, 1, 2, 3, 0, /* sync */
		0, 1, 2, 3, 0, 1, 2, 3, 0, /* pthreads[workers=2] */
		0, 1, 2, 3, 0, 1, 2, 3, 0, /* pthreads[workers=4] */
	};
	struct built a, b;
	size_t i;

	(void)state;
	build(small, &a);
	setenv("HOSTNAME", "elsewhere", 1);
	build(small, &b);
	for (i = 0; i < a.m->n_cells; i++) {
		assert_int_equal(shard_of_cell(a.m, i, 4), want[i]);
		assert_int_equal(shard_of_cell(b.m, i, 4), want[i]);
		assert_string_equal(a.m->cells[i].id, b.m->cells[i].id);
	}
	assert_string_equal(a.m->cells[9].id,
			    "pthreads[workers=2]/many[count=1]");
	unbuild(&a);
	unbuild(&b);
}

static void parse_k_of_n(void **state)
{
	static const char *const bad[] = { "",	   "4",	  "4/4",  "-1/4",
					   "1/0",  "a/4", "1/4x", " 1/4",
					   "1/+4", "1/",  "/4",	  "0/100001",
					   "1//4" };
	struct shard s;
	char err[256];
	unsigned n;
	size_t i;

	(void)state;
	assert_int_equal(shard_parse("3/4", &s, err, sizeof(err)), 0);
	assert_int_equal(s.k, 3);
	assert_int_equal(s.n, 4);
	assert_int_equal(shard_parse("0/1", &s, err, sizeof(err)), 0);
	assert_int_equal(shard_parse("99999/100000", &s, err, sizeof(err)), 0);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		err[0] = '\0';
		assert_int_equal(shard_parse(bad[i], &s, err, sizeof(err)),
				 -EINVAL);
		assert_non_null(strstr(err, "--shard"));
		assert_non_null(strstr(err, "K/N"));
	}
	assert_int_equal(shard_parse_count("64", &n, err, sizeof(err)), 0);
	assert_int_equal(n, 64);
	assert_int_equal(shard_parse_count("0", &n, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--shards '0'"));
	assert_int_equal(shard_parse_count("2x", &n, err, sizeof(err)),
			 -EINVAL);
}

static void output_paths(void **state)
{
	struct shard s = { .k = 2, .n = 4 };
	char *p;

	(void)state;
	p = shard_output_path("results/seeds.csv", &s);
	assert_string_equal(p, "results/seeds.shard-2-of-4.csv");
	free(p);
	p = shard_output_path("out/data", &s);
	assert_string_equal(p, "out/data.shard-2-of-4.csv");
	free(p);
}

/* ---- the environment ----------------------------------------------- */

static const char *const *fake_env;

static const char *fake_get(const char *name)
{
	size_t i;

	for (i = 0; fake_env[i]; i += 2)
		if (!strcmp(fake_env[i], name))
			return fake_env[i + 1];
	return NULL;
}

/* Detect with these NAME, VALUE pairs (NULL-terminated). */
static int detect(const char *const *env, unsigned shards, struct shard *s,
		  char *err, size_t errlen)
{
	fake_env = env;
	err[0] = '\0';
	return shard_detect(fake_get, shards, s, err, errlen);
}

static void env_none(void **state)
{
	static const char *const env[] = { "SLURM_JOB_ID", "7", NULL };
	struct shard s;
	char err[512];

	(void)state;
	assert_int_equal(detect(env, 0, &s, err, sizeof(err)), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(detect(env, 4, &s, err, sizeof(err)), 0);
}

static void env_slurm(void **state)
{
	static const char *const count[] = { "SLURM_ARRAY_TASK_ID",
					     "2",
					     "SLURM_ARRAY_TASK_MIN",
					     "0",
					     "SLURM_ARRAY_TASK_COUNT",
					     "4",
					     NULL };
	static const char *const minmax[] = { "SLURM_ARRAY_TASK_ID",
					      "12",
					      "SLURM_ARRAY_TASK_MIN",
					      "10",
					      "SLURM_ARRAY_TASK_MAX",
					      "15",
					      "SLURM_ARRAY_TASK_STEP",
					      "1",
					      NULL };
	static const char *const idonly[] = { "SLURM_ARRAY_TASK_ID", "1",
					      "SLURM_ARRAY_TASK_COUNT", "3",
					      NULL };
	struct shard s;
	char err[512];

	(void)state;
	assert_int_equal(detect(count, 0, &s, err, sizeof(err)), 1);
	assert_int_equal(s.k, 2);
	assert_int_equal(s.n, 4);
	assert_non_null(strstr(s.source, "SLURM_ARRAY_TASK_ID=2"));
	assert_int_equal(detect(count, 4, &s, err, sizeof(err)), 1);
	assert_int_equal(detect(minmax, 0, &s, err, sizeof(err)), 1);
	assert_int_equal(s.k, 2);
	assert_int_equal(s.n, 6);
	assert_int_equal(detect(idonly, 0, &s, err, sizeof(err)), 1);
	assert_int_equal(s.k, 1);
	assert_int_equal(s.n, 3);
}

static void env_slurm_refused(void **state)
{
	static const char *const step[] = { "SLURM_ARRAY_TASK_ID",
					    "2",
					    "SLURM_ARRAY_TASK_MIN",
					    "0",
					    "SLURM_ARRAY_TASK_MAX",
					    "6",
					    "SLURM_ARRAY_TASK_STEP",
					    "2",
					    NULL };
	static const char *const sparse[] = { "SLURM_ARRAY_TASK_ID",
					      "5",
					      "SLURM_ARRAY_TASK_MIN",
					      "1",
					      "SLURM_ARRAY_TASK_MAX",
					      "5",
					      "SLURM_ARRAY_TASK_COUNT",
					      "3",
					      NULL };
	static const char *const outside[] = { "SLURM_ARRAY_TASK_ID",
					       "9",
					       "SLURM_ARRAY_TASK_MIN",
					       "0",
					       "SLURM_ARRAY_TASK_COUNT",
					       "4",
					       NULL };
	static const char *const nocount[] = { "SLURM_ARRAY_TASK_ID", "0",
					       NULL };
	static const char *const junk[] = { "SLURM_ARRAY_TASK_ID", "two",
					    "SLURM_ARRAY_TASK_COUNT", "4",
					    NULL };
	static const char *const four[] = { "SLURM_ARRAY_TASK_ID", "1",
					    "SLURM_ARRAY_TASK_COUNT", "4",
					    NULL };
	struct shard s;
	char err[512];

	(void)state;
	assert_int_equal(detect(step, 0, &s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "SLURM_ARRAY_TASK_STEP=2"));
	assert_non_null(strstr(err, "--array=0-3"));
	assert_int_equal(detect(sparse, 0, &s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "dense"));
	assert_int_equal(detect(outside, 0, &s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "SLURM_ARRAY_TASK_ID=9"));
	assert_int_equal(detect(nocount, 0, &s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "SLURM_ARRAY_TASK_COUNT"));
	assert_int_equal(detect(junk, 0, &s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "SLURM_ARRAY_TASK_ID=two"));
	assert_int_equal(detect(four, 8, &s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--shards 8"));
	assert_non_null(strstr(err, "--array=0-7"));
}

/* Any task id that fits is taken, however many digits it has; only what
 * does not fit in a number is refused. */
static void env_slurm_large_ids(void **state)
{
	static const char *const big[] = { "SLURM_ARRAY_TASK_ID",
					   "1000000000",
					   "SLURM_ARRAY_TASK_MIN",
					   "999999999",
					   "SLURM_ARRAY_TASK_MAX",
					   "1000000000",
					   NULL };
	static const char *const padded[] = { "SLURM_ARRAY_TASK_ID",
					      "0000000000001",
					      "SLURM_ARRAY_TASK_COUNT",
					      "0000000000002", NULL };
	static const char *const huge[] = { "SLURM_ARRAY_TASK_ID", "1",
					    "SLURM_ARRAY_TASK_MAX",
					    "99999999999999999999999999",
					    NULL };
	static const char *const span[] = { "SLURM_ARRAY_TASK_ID",
					    "5",
					    "SLURM_ARRAY_TASK_MIN",
					    "0",
					    "SLURM_ARRAY_TASK_MAX",
					    "18446744073709551615",
					    NULL };
	struct shard s;
	char err[512];

	(void)state;
	assert_int_equal(detect(big, 0, &s, err, sizeof(err)), 1);
	assert_int_equal(s.k, 1);
	assert_int_equal(s.n, 2);
	assert_int_equal(detect(padded, 0, &s, err, sizeof(err)), 1);
	assert_int_equal(s.k, 1);
	assert_int_equal(s.n, 2);
	assert_int_equal(detect(huge, 0, &s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "SLURM_ARRAY_TASK_MAX"));
	assert_int_equal(detect(span, 0, &s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "100000"));
}

static void env_kubernetes(void **state)
{
	static const char *const bare[] = { "JOB_COMPLETION_INDEX", "3", NULL };
	static const char *const counted[] = { "JOB_COMPLETION_INDEX", "3",
					       SHARD_COUNT_ENV, "5", NULL };
	static const char *const past[] = { "JOB_COMPLETION_INDEX", "5",
					    SHARD_COUNT_ENV, "5", NULL };
	static const char *const badcount[] = { "JOB_COMPLETION_INDEX", "0",
						SHARD_COUNT_ENV, "lots", NULL };
	struct shard s;
	char err[512];

	(void)state;
	assert_int_equal(detect(bare, 4, &s, err, sizeof(err)), 1);
	assert_int_equal(s.k, 3);
	assert_int_equal(s.n, 4);
	assert_non_null(strstr(s.source, "JOB_COMPLETION_INDEX=3"));
	assert_int_equal(detect(counted, 0, &s, err, sizeof(err)), 1);
	assert_int_equal(s.k, 3);
	assert_int_equal(s.n, 5);
	assert_non_null(strstr(s.source, SHARD_COUNT_ENV));
	assert_int_equal(detect(bare, 0, &s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--shards N"));
	assert_non_null(strstr(err, SHARD_COUNT_ENV));
	assert_int_equal(detect(past, 0, &s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "JOB_COMPLETION_INDEX=5"));
	assert_int_equal(detect(badcount, 0, &s, err, sizeof(err)), -EINVAL);
	assert_int_equal(detect(bare, 3, &s, err, sizeof(err)), -EINVAL);
}

static void choose(void **state)
{
	static const char *const none[] = { NULL };
	static const char *const slurm[] = { "SLURM_ARRAY_TASK_ID", "1",
					     "SLURM_ARRAY_TASK_COUNT", "2",
					     NULL };
	struct shard given = { 0 }, s;
	char err[512];

	(void)state;
	fake_env = none;
	assert_int_equal(shard_choose(&given, false, 0, false, fake_get, &s,
				      err, sizeof(err)),
			 0);
	assert_int_equal(s.n, 0); /* the whole experiment */
	assert_int_equal(shard_choose(&given, false, 4, false, fake_get, &s,
				      err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "runs nothing by itself"));
	assert_int_equal(shard_choose(&given, false, 4, true, fake_get, &s, err,
				      sizeof(err)),
			 0);
	fake_env = slurm;
	assert_int_equal(shard_choose(&given, false, 0, false, fake_get, &s,
				      err, sizeof(err)),
			 0);
	assert_int_equal(s.k, 1);
	assert_int_equal(s.n, 2);
	assert_int_equal(shard_choose(&given, true, 0, false, fake_get, &s, err,
				      sizeof(err)),
			 0);
	assert_int_equal(s.n, 0); /* --shard all ignores the array */
	given = (struct shard){ .k = 0, .n = 3 };
	assert_int_equal(shard_choose(&given, false, 0, false, fake_get, &given,
				      err, sizeof(err)),
			 0);
	assert_int_equal(given.n, 3); /* --shard wins over the array */
	assert_int_equal(shard_choose(&given, false, 4, false, fake_get, &s,
				      err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "--shards 4 disagrees with --shard 0/3"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_cell_once_small),
		cmocka_unit_test(every_cell_once_wide),
		cmocka_unit_test(stable_across_hosts),
		cmocka_unit_test(parse_k_of_n),
		cmocka_unit_test(output_paths),
		cmocka_unit_test(env_none),
		cmocka_unit_test(env_slurm),
		cmocka_unit_test(env_slurm_refused),
		cmocka_unit_test(env_slurm_large_ids),
		cmocka_unit_test(env_kubernetes),
		cmocka_unit_test(choose),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
