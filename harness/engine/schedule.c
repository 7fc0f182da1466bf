#include "schedule.h"

#include <errno.h>
#include <math.h>
#include <string.h>

const char *const schedule_keys[SCHEDULE_N_KEYS] = { "rate", "arrival",
						     "seed" };

bool schedule_key_reserved(const char *name)
{
	size_t k;

	for (k = 0; k < SCHEDULE_N_KEYS; k++)
		if (strcmp(name, schedule_keys[k]) == 0)
			return true;
	return false;
}

int schedule_arrival_parse(const char *text, enum schedule_arrival *ret)
{
	if (strcmp(text, "uniform") == 0)
		*ret = SCHEDULE_UNIFORM;
	else if (strcmp(text, "poisson") == 0)
		*ret = SCHEDULE_POISSON;
	else
		return -EINVAL;
	return 0;
}

const char *schedule_arrival_name(enum schedule_arrival a)
{
	return a == SCHEDULE_POISSON ? "poisson" : "uniform";
}

/*
 * splitmix64 (Steele, Lea, Flood 2014): a full-period 64-bit generator
 * whose outputs pass BigCrush, and which turns any seed, 0 included, into
 * a well-mixed stream.  Written out here so the schedule does not depend
 * on the C library's rand().
 */
static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in (0, 1]: the top 53 bits, shifted off zero so log() is finite. */
static double unit_open(uint64_t *state)
{
	return ((double)(splitmix64(state) >> 11) + 1.0) * 0x1.0p-53;
}

static void fill_uniform(int64_t rate, int64_t *offsets, size_t n)
{
	size_t i;

	/* exact integer arithmetic: no drift however long the run */
	for (i = 0; i < n; i++)
		offsets[i] = (int64_t)((__int128)i * 1000000000 / rate);
}

static void fill_poisson(int64_t rate, uint64_t seed, int64_t *offsets,
			 size_t n)
{
	uint64_t state = seed;
	double t = 0; /* seconds since the first start */
	size_t i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			t += -log(unit_open(&state)) / (double)rate;
		offsets[i] = (int64_t)llround(t * 1e9);
	}
}

void schedule_fill(const struct schedule_spec *spec, int64_t *offsets, size_t n)
{
	if (spec->arrival == SCHEDULE_POISSON)
		fill_poisson(spec->rate, spec->seed, offsets, n);
	else
		fill_uniform(spec->rate, offsets, n);
}

double schedule_offered_rate(const struct schedule_spec *spec,
			     const int64_t *offsets, size_t n)
{
	if (n < 2 || offsets[n - 1] <= offsets[0])
		return (double)spec->rate;
	return (double)(n - 1) * 1e9 / (double)(offsets[n - 1] - offsets[0]);
}
