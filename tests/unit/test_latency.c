/* Unit tests for harness/base/latency.c: nearest-rank quantiles, exact and
 * histogram phases, bounded memory. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "assert_near.h"
#include "latency.h"

/* Deterministic xorshift64* so the "known distributions" are fixed. */
static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

static double rng_unit(uint64_t *s) /* [0, 1) */
{
	return (double)(rng_next(s) >> 11) / 9007199254740992.0;
}

static void test_empty(void **state)
{
	struct latency *l = latency_create();

	(void)state;
	assert_int_equal(latency_count(l), 0);
	assert_true(isnan(latency_quantile_ns(l, 0.5)));
	assert_true(isnan(latency_mean_ns(l)));
	assert_int_equal(latency_max_ns(l), 0);
	latency_destroy(l);
	latency_destroy(NULL);
}

/* 1..100 added in a scrambled order. */
static struct latency *one_to_hundred(void)
{
	struct latency *l = latency_create();
	int i;

	for (i = 0; i < 100; i++)
		latency_add(l, (i * 37) % 100 + 1); /* 37 is coprime to 100 */
	return l;
}

static void test_nearest_rank_small(void **state)
{
	struct latency *l = one_to_hundred();

	(void)state;
	assert_int_equal(latency_count(l), 100);
	assert_true(latency_is_exact(l));
	assert_near(latency_quantile_ns(l, 0.50), 50, 0);
	assert_near(latency_quantile_ns(l, 0.90), 90, 0);
	assert_near(latency_quantile_ns(l, 0.99), 99, 0);
	assert_near(latency_quantile_ns(l, 1.0), 100, 0);
	assert_near(latency_quantile_ns(l, 0.0), 1, 0);
	assert_near(latency_quantile_ns(l, 0.001), 1, 0);
	assert_near(latency_quantile_ns(l, 0.505), 51, 0); /* ceil(50.5) */
	/* 0.07 * 100 is 7.000000000000001 in binary: still rank 7. */
	assert_near(latency_quantile_ns(l, 0.07), 7, 0);
	assert_near(latency_quantile_ns(l, 0.29), 29, 0);
	assert_int_equal(latency_max_ns(l), 100);
	assert_int_equal(latency_min_ns(l), 1);
	assert_near(latency_mean_ns(l), 50.5, 1e-12);
	latency_destroy(l);
}

static void test_quantile_arguments(void **state)
{
	struct latency *l = one_to_hundred();
	const double q[] = { 0.99, 0.5, NAN, 0.9, -0.1, 1.5 };
	double got[6];

	(void)state;
	latency_quantiles_ns(l, q, 6, got);
	assert_near(got[0], 99, 0);
	assert_near(got[1], 50, 0);
	assert_true(isnan(got[2]));
	assert_near(got[3], 90, 0);
	assert_true(isnan(got[4]));
	assert_true(isnan(got[5]));
	/* Querying does not disturb later queries. */
	assert_near(latency_quantile_ns(l, 0.5), 50, 0);
	latency_destroy(l);
}

static void test_one_sample_and_negative(void **state)
{
	struct latency *l = latency_create();

	(void)state;
	latency_add(l, -5); /* a clock step counts as 0 */
	assert_near(latency_quantile_ns(l, 0.5), 0, 0);
	latency_add(l, 1234567);
	assert_near(latency_quantile_ns(l, 0.5), 0, 0);
	assert_near(latency_quantile_ns(l, 0.51), 1234567, 0);
	assert_int_equal(latency_max_ns(l), 1234567);
	latency_destroy(l);
}

static void test_many_duplicates(void **state)
{
	struct latency *l = latency_create();
	int i;

	(void)state;
	for (i = 0; i < 10000; i++)
		latency_add(l, i < 9000 ? 20000000 : 20000000 + i);
	assert_near(latency_quantile_ns(l, 0.5), 20000000, 0);
	assert_near(latency_quantile_ns(l, 0.9), 20000000, 0);
	assert_near(latency_quantile_ns(l, 0.9001), 20009000, 0);
	assert_near(latency_quantile_ns(l, 0.99), 20009899, 0);
	assert_int_equal(latency_max_ns(l), 20009999);
	latency_destroy(l);
}

static void test_exact_boundary(void **state)
{
	struct latency *l = latency_create();
	int64_t i;

	(void)state;
	for (i = 1; i <= LATENCY_EXACT_MAX; i++)
		latency_add(l, i * 1000 + 1); /* not on bucket midpoints */
	assert_true(latency_is_exact(l));
	assert_near(latency_quantile_ns(l, 0.5), 500000001, 0);
	assert_near(latency_quantile_ns(l, 0.99), 990000001, 0);
	assert_true(latency_memory_bytes(l) >=
		    LATENCY_EXACT_MAX * sizeof(int64_t));
	latency_add(l, 7);
	assert_false(latency_is_exact(l));
	assert_int_equal(latency_count(l), LATENCY_EXACT_MAX + 1);
	assert_true(latency_memory_bytes(l) < 128 * 1024);
	assert_int_equal(latency_min_ns(l), 7);
	assert_near(latency_quantile_ns(l, 0), 7, 0);
	assert_int_equal(latency_max_ns(l),
			 (int64_t)LATENCY_EXACT_MAX * 1000 + 1);
	assert_near(latency_quantile_ns(l, 1), LATENCY_EXACT_MAX * 1000.0 + 1,
		    0);
	latency_destroy(l);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

#define BIG_N 3000000

/*
 * Feed `draw` BIG_N times into a collector and into an array; every
 * reported quantile must be within 1% of the exact nearest-rank one.
 */
static void check_big(int64_t (*draw)(uint64_t *), uint64_t seed)
{
	static const double qs[] = { 0,	   0.001, 0.01, 0.1,   0.25,   0.5,
				     0.75, 0.9,	  0.99, 0.999, 0.9999, 1 };
	int64_t *all = malloc(BIG_N * sizeof(*all));
	struct latency *l = latency_create();
	size_t i, peak = 0;

	assert_non_null(all);
	for (i = 0; i < BIG_N; i++) {
		all[i] = draw(&seed);
		latency_add(l, all[i]);
		if (latency_memory_bytes(l) > peak)
			peak = latency_memory_bytes(l);
	}
	qsort(all, BIG_N, sizeof(*all), cmp_i64);
	assert_false(latency_is_exact(l));
	assert_int_equal(latency_count(l), BIG_N);
	assert_int_equal(latency_max_ns(l), all[BIG_N - 1]);
	assert_int_equal(latency_min_ns(l), all[0]);
	for (i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		size_t rank = (size_t)ceil(qs[i] * BIG_N);
		double want = (double)all[rank ? rank - 1 : 0];
		double got = latency_quantile_ns(l, qs[i]);

		if (!(fabs(got - want) <= 0.01 * want))
			fail_msg("q %g: got %.0f, exact %.0f (%.3f%% off)",
				 qs[i], got, want, 100 * (got - want) / want);
		/* The design bound is 1/256 (bucket midpoint). */
		assert_true(fabs(got - want) <= want / 256 + 0.5);
	}
	/* Bounded: well under the exact phase's 8 MB once switched. */
	assert_true(latency_memory_bytes(l) < 128 * 1024);
	assert_true(peak <= 2 * LATENCY_EXACT_MAX * sizeof(int64_t) + 4096);
	latency_destroy(l);
	free(all);
}

/* Log-uniform from 1 us to 10 s: every power of two in between. */
static int64_t draw_log_uniform(uint64_t *s)
{
	return (int64_t)(1e3 * pow(1e7, rng_unit(s)));
}

/* A 20 ms server delay plus exponential jitter (mean 2 ms), and 1% of
 * tiny values (cache hits, 0..200 ns) to exercise the exact low buckets. */
static int64_t draw_delay_jitter(uint64_t *s)
{
	double u = rng_unit(s);

	if (u < 0.01)
		return (int64_t)(u * 20000);
	return 20000000 + (int64_t)(-2e6 * log(1 - rng_unit(s)));
}

static void test_histogram_log_uniform(void **state)
{
	(void)state;
	check_big(draw_log_uniform, 0x9e3779b97f4a7c15ull);
}

static void test_histogram_delay_jitter(void **state)
{
	(void)state;
	check_big(draw_delay_jitter, 12345);
}

static void test_histogram_small_values_exact(void **state)
{
	struct latency *l = latency_create();
	int64_t i;

	(void)state;
	/* Values below 128 ns get one bucket each: quantiles stay exact. */
	for (i = 0; i < LATENCY_EXACT_MAX + 28000; i++)
		latency_add(l, i % 100);
	assert_false(latency_is_exact(l));
	assert_near(latency_quantile_ns(l, 0.5), 49, 0);
	assert_near(latency_quantile_ns(l, 0.995), 99, 0);
	assert_near(latency_quantile_ns(l, 0.005), 0, 0);
	latency_destroy(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_nearest_rank_small),
		cmocka_unit_test(test_quantile_arguments),
		cmocka_unit_test(test_one_sample_and_negative),
		cmocka_unit_test(test_many_duplicates),
		cmocka_unit_test(test_exact_boundary),
		cmocka_unit_test(test_histogram_log_uniform),
		cmocka_unit_test(test_histogram_delay_jitter),
		cmocka_unit_test(test_histogram_small_values_exact),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
