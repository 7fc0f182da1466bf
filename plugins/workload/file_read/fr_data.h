/*
 * fr_data.h - what the file_read workload writes and how it checks it: a
 * deterministic pattern (a pure function of file and offset, so a block
 * read from the wrong place or a wrong byte shows), a digest of one block
 * that tasks sum as they read, and the order a file's blocks are read in.
 */
#ifndef FR_DATA_H
#define FR_DATA_H

#include <stddef.h>
#include <stdint.h>

/*
 * Fill buf with file `file`'s bytes [offset, offset + len).  offset is a
 * multiple of 8 (every block starts at one).
 */
void fr_fill(uint64_t file, uint64_t offset, void *buf, size_t len);

/*
 * Digest of one block: len bytes read from `offset`.  Any changed byte, and
 * the same bytes at another offset, give another digest.  A task's digest
 * is the sum (mod 2^64) of its blocks', so the order they finish in does
 * not matter.
 */
uint64_t fr_digest(const void *buf, size_t len, uint64_t offset);

/*
 * The order of a file's n blocks: the block read at position p in [0, n).
 * sequential: p itself; random: a fixed permutation of [0, n) (each block
 * exactly once), the same in every run, computed without memory.
 */
struct fr_order {
	uint64_t n;
	uint64_t mask; /* all ones over the bits of n - 1 */
	unsigned shift;
	int random;
};

void fr_order_init(struct fr_order *o, uint64_t n, int random);
uint64_t fr_order_block(const struct fr_order *o, uint64_t p);

#endif
