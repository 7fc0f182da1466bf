/*
 * table.h - the growable, zero-filled arrays indexed by fd that the event
 * loop and its portable operations keep.  Header-only and static, so it
 * compiles into every plugin and the core that include it.
 */
#ifndef CONCUR_EVLOOP_TABLE_H
#define CONCUR_EVLOOP_TABLE_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/*
 * Make *items (of *cap entries of `size` bytes) hold entry `index`, doubling
 * from 64; new entries are zero.  0 or -ENOMEM (the table is unchanged).
 */
static inline int table_reserve(void **items, size_t *cap, size_t index,
				size_t size)
{
	size_t n = *cap ? *cap : 64;
	unsigned char *p;

	if (index < *cap)
		return 0;
	while (n <= index)
		n *= 2;
	p = realloc(*items, n * size);
	if (!p)
		return -ENOMEM;
	memset(p + *cap * size, 0, (n - *cap) * size);
	*items = p;
	*cap = n;
	return 0;
}

#endif
