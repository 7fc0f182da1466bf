#include "fr_data.h"

#include <string.h>

/* splitmix64's finaliser: a bijection that spreads every input bit. */
static uint64_t fr_mix(uint64_t x)
{
	x ^= x >> 30;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64_C(0x94d049bb133111eb);
	x ^= x >> 31;
	return x;
}

static uint64_t fr_word(uint64_t file, uint64_t word)
{
	return fr_mix((file + 1) * UINT64_C(0x9e3779b97f4a7c15) + word);
}

void fr_fill(uint64_t file, uint64_t offset, void *buf, size_t len)
{
	unsigned char *p = buf;
	uint64_t word = offset / 8, w;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		w = fr_word(file, word++);
		memcpy(p + i, &w, 8);
	}
	if (i < len) {
		w = fr_word(file, word);
		memcpy(p + i, &w, len - i);
	}
}

/*
 * Fletcher-style running sums over 64-bit words: `a` sees every byte, `b`
 * also where it sits in the block.  Cheap enough for the timed region.
 */
uint64_t fr_digest(const void *buf, size_t len, uint64_t offset)
{
	const unsigned char *p = buf;
	uint64_t a = 0, b = 0, w;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, 8);
		a += w;
		b += a;
	}
	if (i < len) {
		w = 0;
		memcpy(&w, p + i, len - i);
		a += w;
		b += a;
	}
	return fr_mix(a ^ fr_mix(b + offset * 3 + len));
}

void fr_order_init(struct fr_order *o, uint64_t n, int random)
{
	unsigned bits = 0;

	while (bits < 64 && (n - 1) >> bits)
		bits++;
	o->n = n;
	o->mask = bits >= 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
	o->shift = bits / 2 + 1;
	o->random = random && n > 1;
}

/* A bijection of [0, mask]: odd multiplies and xorshifts within the bits. */
static uint64_t fr_scramble(const struct fr_order *o, uint64_t x)
{
	x = (x * UINT64_C(0x9e3779b97f4a7c15) + 0x3c6ef372fe94f82bu) & o->mask;
	x ^= x >> o->shift;
	x = (x * UINT64_C(0xd6e8feb86659fd93) + 0x2545f4914f6cdd1du) & o->mask;
	x ^= x >> o->shift;
	return x;
}

/*
 * Cycle-walking: scramble until the value falls inside [0, n).  The walk
 * from each p in [0, n) ends on a different block, so this permutes
 * [0, n); as mask < 2n, a walk takes two steps on average.
 */
uint64_t fr_order_block(const struct fr_order *o, uint64_t p)
{
	uint64_t x = p;

	if (!o->random)
		return p;
	do
		x = fr_scramble(o, x);
	while (x >= o->n);
	return x;
}
