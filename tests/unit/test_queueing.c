/*
 * test_queueing.c - the open loop against queueing theory.
 *
 * Poisson arrivals (arrival = poisson) of tasks that last exactly D (the
 * `fixed` fixture: nap, then spin to the exact end) make a strategy with c
 * workers an M/D/c queue: sync is M/D/1, pthreads with `workers = c` is
 * M/D/c (its open-loop chunk is 1: one FIFO line in front of c servers).
 * The mean latency concur measures (end - intended start, over every task
 * of the run) must match the theory's mean sojourn time Wq + D.
 *
 * Theory.  M/D/1: Wq = rho / (2 mu (1 - rho)) with mu = 1/D (Pollaczek-
 * Khinchine).  M/D/c: no closed form; we solve the chain embedded at
 * multiples of D exactly (Kendall 1953; Tijms, "A First Course in
 * Stochastic Models", 2003, sec. 5.4): every customer in service at time t
 * has left by t + D and none that starts later has, so the number in the
 * system obeys Q(t + D) = max(Q(t) - c, 0) + A with A ~ Poisson(lambda D).
 * Its stationary law is the time-average law of Q, so L = E[Q] and, by
 * Little, Wq = L / lambda - D.  The chain is truncated where the mass left
 * is below 1e-15 and iterated to a fixed point (L1 change < 1e-13); for
 * c = 1 the result is checked against Pollaczek-Khinchine to 1e-7, which
 * tests the solver itself.
 *
 * Tolerance, from the sample and nothing else.  Latencies of successive
 * tasks are correlated, so the standard error of their mean comes from
 * batch means: the run (after a warm-up tenth, dropped so the empty start
 * does not bias the mean) is cut into B = 20 consecutive batches, and
 * SE = sd(batch means) / sqrt(B), widened by the batches' lag-1
 * autocorrelation when the queue's memory outlasts a batch (see
 * batch_correlation).
 * The theory must lie within t(0.9995, 19) = 3.883 standard errors of the
 * measured mean: a correct system fails one setting in a thousand.
 *
 * Load, from a calibration.  rho is the utilisation of the service this
 * machine delivers now: before each setting the same workers run 300
 * tasks back to back, and the arrival rate is rho c / E[S] of those.  On
 * a quiet machine E[S] = D and that is the textbook rate; on a busy one
 * late wake-ups stretch the tasks, and a rate from the nominal D would
 * overload the queue (the setting could only be skipped, as too busy).
 *
 * Budget: 5 s of schedule per setting (8 s at rho >= 0.85), 1 ms tasks
 * (long against the tens of microseconds a loaded machine takes to wake a
 * sleeping worker), six settings: about 36 s.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "job.h"
#include "loader.h"
#include "schedule.h"
#include "util.h"

#define SERVICE_NS 1000000  /* D = 1 ms */
#define SCHEDULE_S 5.0	    /* seconds of schedule per setting ... */
#define SCHEDULE_HIGH_S 8.0 /* ... and at rho >= 0.85, slower to forget */
#define BATCHES 20
#define T_999 3.883 /* Student t, 0.9995 quantile, 19 degrees of freedom */
#define CALIBRATION_TASKS 300

/* ---- theory ---- */

/* Mean waiting time in queue of M/D/1, in units of D. */
static double md1_wait(double rho)
{
	return rho / (2 * (1 - rho));
}

/*
 * Mean waiting time in queue of M/D/c, in units of D, from the embedded
 * chain described above.  rho = lambda D / c < 1.
 */
static double mdc_wait(unsigned c, double rho)
{
	const double a = rho * c; /* lambda D: arrivals per service time */
	size_t n_states = 64, k_max, i, j, iter;
	double *pa, *p, *q, mean = 0, tail;

	/* Poisson(a) probabilities up to where they vanish */
	for (k_max = 0;; k_max++) {
		tail = exp(-a + k_max * log(a) - lgamma((double)k_max + 1));
		if (k_max > a && tail < 1e-18)
			break;
	}
	pa = xcalloc(k_max + 1, sizeof(*pa));
	for (i = 0; i <= k_max; i++)
		pa[i] = exp(-a + i * log(a) - lgamma((double)i + 1));
	/* enough states that the geometric tail is negligible */
	while (n_states < 100000 &&
	       pow(rho, (double)n_states / (1 + 1 / (1 - rho))) > 1e-15)
		n_states *= 2;
	p = xcalloc(n_states, sizeof(*p));
	q = xcalloc(n_states, sizeof(*q));
	p[0] = 1;
	for (iter = 0; iter < 200000; iter++) {
		double diff = 0, sum = 0;

		memset(q, 0, n_states * sizeof(*q));
		for (i = 0; i < n_states; i++) {
			size_t base = i > c ? i - c : 0;

			if (p[i] == 0)
				continue;
			for (j = 0; j <= k_max && base + j < n_states; j++)
				q[base + j] += p[i] * pa[j];
		}
		for (i = 0; i < n_states; i++)
			sum += q[i];
		for (i = 0; i < n_states; i++) {
			q[i] /= sum; /* return what the truncation lost */
			diff += fabs(q[i] - p[i]);
		}
		memcpy(p, q, n_states * sizeof(*p));
		if (diff < 1e-13)
			break;
	}
	for (i = 0; i < n_states; i++)
		mean += (double)i * p[i];
	free(pa);
	free(p);
	free(q);
	/* Little: sojourn = L / lambda = L D / a; wait = sojourn - D */
	return mean / a - 1;
}

static void test_solver_matches_pollaczek_khinchine(void **state)
{
	const double rhos[] = { 0.1, 0.3, 0.5, 0.7, 0.85, 0.9 };
	size_t k;

	(void)state;
	for (k = 0; k < ARRAY_SIZE(rhos); k++) {
		double chain = mdc_wait(1, rhos[k]), pk = md1_wait(rhos[k]);

		print_message("  rho %.2f: chain %.12f D, P-K %.12f D\n",
			      rhos[k], chain, pk);
		assert_true(fabs(chain - pk) < 1e-7 * (1 + pk));
	}
	/* more servers at the same utilisation wait less */
	assert_true(mdc_wait(2, 0.8) < mdc_wait(1, 0.8));
	assert_true(mdc_wait(4, 0.8) < mdc_wait(2, 0.8));
}

/* ---- measurement ---- */

static struct loader *loader;

static const struct plugin *load(const char *rel)
{
	char path[4096], err[CONCUR_ERRLEN] = "";
	const struct plugin *p;

	snprintf(path, sizeof(path), "%s/%s", getenv("CONCUR_TEST_BUILD_DIR"),
		 rel);
	p = loader_open_file(loader, path, err, sizeof(err));
	if (!p)
		fail_msg("cannot load %s: %s", path, err);
	return p;
}

struct estimate {
	double lambda;	 /* arrivals per D, as offered */
	double mean, se; /* of latency, in units of D */
	/* service S = end - start of tasks that found every worker busy;
	 * S0 = end - intended start of those that found one free (their
	 * start lag is the time it takes to wake a worker): moments, D units */
	double s1, s2, s01, s02;
	double p_idle; /* fraction of tasks that found a worker free */
};

/* Did task i find one of the c workers free at its intended start? */
static bool found_free(const struct concur_task *t, const int64_t *due,
		       size_t i, unsigned c)
{
	size_t busy = 0, j;

	/* FIFO: only earlier tasks can hold a worker; 64 c back is plenty */
	for (j = i; j-- > 0 && i - j <= 64 * (size_t)c;)
		busy += t[j].end_ns > due[i];
	return busy < c;
}

/*
 * Near saturation a queue remembers its past for longer than a batch, so
 * neighbouring batch means are correlated and their spread understates the
 * error of the mean.  The standard correction: with r the lag-1
 * autocorrelation of the batch means, the variance of their mean grows by
 * (1 + r) / (1 - r) (r clamped to [0, 0.9]).  Returns the factor on SE.
 */
static double batch_correlation(const double *bm, double mean)
{
	double num = 0, den = 0, r;
	size_t b;

	for (b = 0; b < BATCHES; b++) {
		den += (bm[b] - mean) * (bm[b] - mean);
		if (b + 1 < BATCHES)
			num += (bm[b] - mean) * (bm[b + 1] - mean);
	}
	r = den > 0 ? num / den : 0;
	r = r < 0 ? 0 : r > 0.9 ? 0.9 : r;
	return sqrt((1 + r) / (1 - r));
}

/* Run n tasks of D on `c` workers (sync for 1, else pthreads) at `rate`
 * (0: closed loop). */
static struct job_shared *run_fixed(unsigned c, size_t n, int64_t rate,
				    uint64_t seed)
{
	const union concur_value pool[2] = { { .i = c }, { .i = 0 } };
	const struct plugin *s = load(c == 1 ? "plugins/strategy/sync.so"
					     : "plugins/strategy/pthreads.so");
	const struct plugin *w = load("tests/fixtures/openloop/fixed.so");
	union concur_value wv[2] = { { .i = (int64_t)n },
				     { .ns = SERVICE_NS } };
	struct job_shared *sh = job_alloc(n);

	assert_non_null(sh);
	sh->load = (struct schedule_spec){ .rate = rate,
					   .arrival = SCHEDULE_POISSON,
					   .seed = seed };
	if (job_run(s, pool, w, wv, NULL, sh, n, mono_now_ns) != 0)
		fail_msg("run: %s", sh->error_text);
	assert_int_equal(sh->n_failed, 0);
	return sh;
}

/*
 * The mean service time this machine delivers now, in units of D: the
 * same workers run CALIBRATION_TASKS tasks back to back.  On a quiet
 * machine it is D; on a busy one late wake-ups stretch the tasks, and
 * an arrival rate from the nominal D would overload the queue.
 */
static double calibrate(unsigned c)
{
	struct job_shared *sh = run_fixed(c, CALIBRATION_TASKS, 0, 0);
	double sum = 0;
	size_t i;

	for (i = 0; i < CALIBRATION_TASKS; i++)
		sum += (double)(sh->tasks[i].end_ns - sh->tasks[i].start_ns);
	job_release(sh);
	return sum / CALIBRATION_TASKS / SERVICE_NS;
}

/*
 * Run the Poisson schedule on `c` workers at utilisation rho of the
 * service the calibration measured, and estimate the mean latency with
 * its batch-means standard error.
 */
static struct estimate measure(unsigned c, double rho, uint64_t seed)
{
	const double d = SERVICE_NS;
	int64_t rate = llround(rho * c * 1e9 / (d * calibrate(c)));
	size_t n = (size_t)((rho >= 0.85 ? SCHEDULE_HIGH_S : SCHEDULE_S) *
			    (double)rate);
	size_t skip = n / 10, per = (n - skip) / BATCHES, b, i, idle = 0;
	struct job_shared *sh = run_fixed(c, n, rate, seed);
	int64_t *due = xcalloc(n, sizeof(*due));
	double bm[BATCHES], sum = 0, ss = 0, m1[2] = { 0 }, m2[2] = { 0 };
	struct estimate e = { .lambda = (double)rate * d / 1e9 };

	schedule_fill(&sh->load, due, n);
	for (i = 0; i < n; i++)
		due[i] += sh->origin_ns;
	for (b = 0; b < BATCHES; b++) {
		double m = 0;

		for (i = skip + b * per; i < skip + (b + 1) * per; i++) {
			const struct concur_task *t = &sh->tasks[i];
			bool free_ = found_free(sh->tasks, due, i, c);
			double x = (double)(t->end_ns -
					    (free_ ? due[i] : t->start_ns)) /
				   d;

			m += (double)(t->end_ns - due[i]);
			m1[free_] += x;
			m2[free_] += x * x;
			idle += free_;
		}
		bm[b] = m / (double)per / d;
		sum += bm[b];
	}
	e.mean = sum / BATCHES;
	for (b = 0; b < BATCHES; b++)
		ss += (bm[b] - e.mean) * (bm[b] - e.mean);
	e.se = sqrt(ss / (BATCHES - 1)) / sqrt((double)BATCHES) *
	       batch_correlation(bm, e.mean);
	e.p_idle = (double)idle / (double)(per * BATCHES);
	e.s1 = m1[0] / (double)(per * BATCHES - idle);
	e.s2 = m2[0] / (double)(per * BATCHES - idle);
	e.s01 = m1[1] / (double)idle;
	e.s02 = m2[1] / (double)idle;
	job_release(sh);
	free(due);
	return e;
}

/*
 * M/G/1 with exceptional first service (Welch 1964), the exact mean
 * latency when a task that finds the server idle takes S0 (here: the
 * wake-up of the worker, then the task) and the others S.  With lambda
 * in tasks per D: P0 = (1 - lambda E[S]) / (1 - lambda E[S] + lambda
 * E[S0]) is the chance to find the server idle, the mean work found on
 * arrival is w = lambda ((1 - P0) E[S^2] + P0 E[S0^2]) / (2 (1 - rho))
 * (PASTA, and each task's work counted while it waits and while served),
 * and the mean latency w + (1 - P0) E[S] + P0 E[S0].  With S = S0 = D it
 * is Pollaczek-Khinchine's D + rho D / (2 (1 - rho)).
 */
static double md1_latency(double lambda, const struct estimate *e)
{
	double rho = lambda * e->s1;
	double p0 = (1 - rho) / (1 - rho + lambda * e->s01);
	double w = lambda * ((1 - p0) * e->s2 + p0 * e->s02) / (2 * (1 - rho));

	return w + (1 - p0) * e->s1 + p0 * e->s01;
}

/*
 * M/D/c with the delivered service: the chain's Wq at rho' = lambda E[S] /
 * c scaled by (1 + Cs^2) (Lee and Longton 1959: exact at Cs^2 = 0, off by
 * a few percent of Cs^2 otherwise), plus, for the tasks that found a
 * worker free, their wake-up (E[S0] - E[S]) (first order: its knock-on
 * delay of later tasks is left out, a term of order rho^c of it).
 */
static double mdc_latency(unsigned c, double lambda, const struct estimate *e)
{
	double cs2 = e->s2 / (e->s1 * e->s1) - 1;
	double wq = (1 + cs2) * e->s1 * mdc_wait(c, lambda * e->s1 / c);

	return e->s1 + wq + e->p_idle * (e->s01 - e->s1);
}

/*
 * The mean latency concur measures must lie within T_999 standard errors
 * of the theory fed with the service the machine delivered: on a quiet
 * machine S = D and the wake-up is tens of microseconds, and the theory
 * is the textbook M/D/c; on a busy one both grow, and the theory follows
 * what was measured rather than a number the machine could not hold.
 */
static bool check(unsigned c, double rho, uint64_t seed)
{
	struct estimate e = measure(c, rho, seed);
	double lambda = e.lambda;
	double nominal = 1 + (c == 1 ? md1_wait(rho) : mdc_wait(c, rho));
	double theory, off;

	/*
	 * A machine so busy that the delivered utilisation nears 1 is not
	 * running the experiment asked for; nor, for c > 1, one that
	 * stretches 1 ms tasks by more than 5%: the M/D/c theory takes c
	 * independent servers of a near-constant service, and stretched tasks
	 * say the workers are contending for the cores (3 workers on 2
	 * saturated cores were off by 9% at a 1.09 stretch); nor one whose
	 * queue never emptied (no task found a worker
	 * free, so a burst of other work held it past saturation: the theory
	 * then needs a wake-up that was never seen).  Say so and skip rather
	 * than judge the theory on it.
	 */
	if (lambda * e.s1 / c >= 0.97 || (c > 1 && e.s1 > 1.05) ||
	    !(e.p_idle > 0)) {
		print_message("  M/D/%u rho %.2f: SKIPPED, the machine is too "
			      "busy: tasks of 1 ms took %.3f ms on average, "
			      "%.1f%% found a worker free\n",
			      c, rho, e.s1, 100 * e.p_idle);
		return false;
	}
	theory = c == 1 ? md1_latency(lambda, &e) : mdc_latency(c, lambda, &e);
	off = e.mean - theory;
	print_message("  M/D/%u rho %.2f: mean latency %.4f D (SE %.4f), "
		      "theory %.4f D: %+.2f%% (%.1f SE); nominal M/D/%u %.4f "
		      "D; E[S] %.4f D, E[S0] %.4f D, %.0f%% found a worker "
		      "free\n",
		      c, rho, e.mean, e.se, theory, 100 * off / theory,
		      off / e.se, c, nominal, e.s1, e.s01, 100 * e.p_idle);
	assert_true(fabs(off) <= T_999 * e.se);
	return true;
}

static void test_md1(void **state)
{
	int judged = 0;

	(void)state;
	judged += check(1, 0.3, 11);
	judged += check(1, 0.5, 12);
	judged += check(1, 0.7, 13);
	judged += check(1, 0.9, 14);
	if (!judged)
		skip();
}

static void test_mdc(void **state)
{
	int judged = 0;

	(void)state;
	judged += check(3, 0.6, 21);
	judged += check(3, 0.85, 22);
	if (!judged)
		skip();
}

static int setup(void **state)
{
	(void)state;
	loader = loader_create();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	loader_destroy(loader);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_solver_matches_pollaczek_khinchine),
		cmocka_unit_test(test_md1),
		cmocka_unit_test(test_mdc),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
