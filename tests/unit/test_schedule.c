/*
 * test_schedule.c - the open-loop schedule and its core-reserved keys:
 * uniform offsets are exact; poisson offsets are a pure function of the
 * seed and are exponential gaps of mean 1 / rate (checked against the
 * sampling error of the draw, not a hand-picked margin); rate, arrival
 * and seed cross like parameters, name cells, get CSV columns only when
 * used, reach the cell's load, and bad values or a plugin that declares a
 * reserved key are refused with FILE:LINE / the plugin's file.
 */
#include <errno.h>
#include <math.h>
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
#include "schedule.h"
#include "util.h"

static char err[2048];

static void test_uniform_is_exact(void **state)
{
	struct schedule_spec s = { .rate = 3, .arrival = SCHEDULE_UNIFORM };
	int64_t off[7];

	(void)state;
	schedule_fill(&s, off, 7);
	assert_int_equal(off[0], 0);
	assert_int_equal(off[1], 333333333);
	assert_int_equal(off[3], 1000000000);
	assert_int_equal(off[6], 2000000000);
	assert_true(schedule_offered_rate(&s, off, 7) == 3.0);
}

/* A long uniform run does not drift: task i is at exactly i / rate. */
static void test_uniform_no_drift(void **state)
{
	struct schedule_spec s = { .rate = 7000, .arrival = SCHEDULE_UNIFORM };
	size_t n = 7000001;
	int64_t *off = xcalloc(n, sizeof(*off));

	(void)state;
	schedule_fill(&s, off, n);
	assert_int_equal(off[n - 1], 1000000000000LL); /* 1000 s */
	free(off);
}

static void test_poisson_same_seed_same_schedule(void **state)
{
	struct schedule_spec a = { .rate = 500,
				   .arrival = SCHEDULE_POISSON,
				   .seed = 42 };
	struct schedule_spec b = a;
	int64_t x[1000], y[1000];
	size_t i, same = 0;

	(void)state;
	schedule_fill(&a, x, 1000);
	schedule_fill(&a, y, 1000);
	assert_memory_equal(x, y, sizeof(x));
	assert_int_equal(x[0], 0);
	for (i = 1; i < 1000; i++)
		assert_true(x[i] >= x[i - 1]);
	b.seed = 43;
	schedule_fill(&b, y, 1000);
	for (i = 1; i < 1000; i++)
		same += x[i] == y[i];
	assert_true(same < 5);
}

/*
 * The gaps of a Poisson process of rate r are exponential with mean and
 * standard deviation 1/r, and P(gap > mean) = 1/e.  With n gaps the sample
 * mean has standard error (1/r)/sqrt(n) and the fraction above the mean
 * sqrt(p(1-p)/n); both must fall within 5 standard errors (a false alarm
 * once in 1.7 million draws), for several seeds.
 */
static void test_poisson_is_exponential(void **state)
{
	const size_t n = 200001;
	const double rate = 2500, mean_ns = 1e9 / rate;
	int64_t *off = xcalloc(n, sizeof(*off));
	uint64_t seed;

	(void)state;
	for (seed = 0; seed < 4; seed++) {
		struct schedule_spec s = { .rate = (int64_t)rate,
					   .arrival = SCHEDULE_POISSON,
					   .seed = seed };
		double sum = 0, above = 0, m = (double)(n - 1), p = exp(-1.0);
		size_t i;

		schedule_fill(&s, off, n);
		for (i = 1; i < n; i++) {
			double gap = (double)(off[i] - off[i - 1]);

			sum += gap;
			above += gap > mean_ns;
		}
		print_message("  seed %llu: mean gap %.3f us (want %.3f), "
			      "P(gap > mean) %.4f (want %.4f)\n",
			      (unsigned long long)seed, sum / m / 1e3,
			      mean_ns / 1e3, above / m, p);
		assert_true(fabs(sum / m - mean_ns) < 5 * mean_ns / sqrt(m));
		assert_true(fabs(above / m - p) < 5 * sqrt(p * (1 - p) / m));
		assert_true(fabs(schedule_offered_rate(&s, off, n) - rate) <
			    5 * rate / sqrt(m));
	}
	free(off);
}

static void test_arrival_words(void **state)
{
	enum schedule_arrival a;

	(void)state;
	assert_int_equal(schedule_arrival_parse("uniform", &a), 0);
	assert_int_equal(a, SCHEDULE_UNIFORM);
	assert_int_equal(schedule_arrival_parse("poisson", &a), 0);
	assert_int_equal(a, SCHEDULE_POISSON);
	assert_int_equal(schedule_arrival_parse("Poisson", &a), -EINVAL);
	assert_int_equal(schedule_arrival_parse("", &a), -EINVAL);
	assert_string_equal(schedule_arrival_name(SCHEDULE_POISSON), "poisson");
	assert_true(schedule_key_reserved("rate"));
	assert_true(schedule_key_reserved("arrival"));
	assert_true(schedule_key_reserved("seed"));
	assert_false(schedule_key_reserved("count"));
}

/* ---- the keys in an experiment ---- */

struct fixture {
	struct config *cfg;
	struct loader *loader;
	struct matrix *m;
};

static int build(struct fixture *f, const char *text)
{
	int rc;

	memset(f, 0, sizeof(*f));
	err[0] = '\0';
	rc = config_load_string("m.ini", text, strlen(text), NULL, 0, &f->cfg,
				err, sizeof(err));
	if (rc != 0)
		fail_msg("config error: %s", err);
	f->loader = loader_create();
	loader_add_defaults(f->loader);
	return matrix_build(f->cfg, f->loader, &f->m, err, sizeof(err));
}

static void teardown(struct fixture *f)
{
	matrix_free(f->m);
	loader_destroy(f->loader);
	config_free(f->cfg);
}

static bool has_column(const struct matrix *m, const char *header)
{
	size_t i;

	for (i = 0; i < m->n_columns; i++)
		if (strcmp(m->columns[i].header, header) == 0)
			return true;
	return false;
}

static void test_keys_cross_and_name_cells(void **state)
{
	struct fixture f;
	struct schedule_spec load;

	(void)state;
	assert_int_equal(build(&f, "[experiment]\n"
				   "[strategy sync]\n"
				   "[workload null]\n"
				   "count = 10\n"
				   "rate = 50..200*2\n"
				   "arrival = poisson\n"
				   "seed = 7\n"),
			 0);
	assert_int_equal(f.m->n_cells, 3);
	assert_string_equal(f.m->cells[0].id, "sync/null[rate=50]");
	assert_string_equal(f.m->cells[2].id, "sync/null[rate=200]");
	assert_true(has_column(f.m, "workload.rate"));
	assert_true(has_column(f.m, "workload.arrival"));
	assert_true(has_column(f.m, "workload.seed"));
	matrix_cell_load(f.m, &f.m->cells[1], &load);
	assert_int_equal(load.rate, 100);
	assert_int_equal(load.arrival, SCHEDULE_POISSON);
	assert_int_equal(load.seed, 7);
	/* the plugin's own values are untouched, in front of the core's */
	assert_int_equal(f.m->cells[1].wvals[0].i, 10);
	teardown(&f);
}

/* An experiment that never says rate: no new columns, rate 0 everywhere. */
static void test_closed_loop_by_default(void **state)
{
	struct fixture f;
	struct schedule_spec load;

	(void)state;
	assert_int_equal(build(&f, "[experiment]\n"
				   "[strategy sync]\n"
				   "[workload null]\n"
				   "count = 10\n"),
			 0);
	assert_false(has_column(f.m, "workload.rate"));
	assert_false(has_column(f.m, "workload.seed"));
	assert_string_equal(f.m->cells[0].id, "sync/null");
	matrix_cell_load(f.m, &f.m->cells[0], &load);
	assert_int_equal(load.rate, 0);
	assert_int_equal(load.arrival, SCHEDULE_UNIFORM);
	teardown(&f);
}

static void expect_error(const char *text, const char *where,
			 const char *needle)
{
	struct fixture f;

	assert_int_not_equal(build(&f, text), 0);
	print_message("  -> %s\n", err);
	assert_non_null(strstr(err, where));
	assert_non_null(strstr(err, needle));
	teardown(&f);
}

static void test_bad_values(void **state)
{
	(void)state;
	expect_error("[experiment]\n[strategy sync]\n[workload null]\n"
		     "arrival = poison\n",
		     "m.ini:4: [workload null]", "allowed: uniform");
	expect_error("[experiment]\n[strategy sync]\n[workload null]\n"
		     "rate = -5\n",
		     "m.ini:4: [workload null]", "out of range");
	expect_error("[experiment]\n[strategy sync]\n[workload null]\n"
		     "rate = fast\n",
		     "m.ini:4: [workload null]", "rate");
	expect_error("[experiment]\n[strategy sync]\n[workload null]\n"
		     "rat = 5\n",
		     "m.ini:4", "did you mean 'rate'?");
	/* a strategy has no schedule of its own */
	expect_error("[experiment]\n[strategy sync]\nrate = 5\n"
		     "[workload null]\n",
		     "m.ini:3: [strategy sync]",
		     "rate, arrival and seed go in a [workload] section");
}

/* A workload plugin may not declare a reserved key. */
static void test_plugin_declaring_reserved_key(void **state)
{
	struct loader *l = loader_create();
	char path[4096];

	(void)state;
	snprintf(path, sizeof(path),
		 "%s/tests/fixtures/openloop/reserved_key.so",
		 getenv("CONCUR_TEST_BUILD_DIR"));
	err[0] = '\0';
	assert_null(loader_open_file(l, path, err, sizeof(err)));
	print_message("  -> %s\n", err);
	assert_non_null(strstr(err, "reserved_key.so"));
	assert_non_null(strstr(err, "'seed' is a key the core reserves"));
	loader_destroy(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uniform_is_exact),
		cmocka_unit_test(test_uniform_no_drift),
		cmocka_unit_test(test_poisson_same_seed_same_schedule),
		cmocka_unit_test(test_poisson_is_exponential),
		cmocka_unit_test(test_arrival_words),
		cmocka_unit_test(test_keys_cross_and_name_cells),
		cmocka_unit_test(test_closed_loop_by_default),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_plugin_declaring_reserved_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
