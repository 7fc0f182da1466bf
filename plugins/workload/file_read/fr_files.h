/*
 * fr_files.h - the file_read workload's files on disk: where they may go
 * (checked before anything runs), creating them so that nothing outlives
 * the run, and the page-cache state a run starts from.
 */
#ifndef FR_FILES_H
#define FR_FILES_H

#include <stddef.h>
#include <stdint.h>

enum fr_cache {
	FR_CACHE_WARM = 0,   /* read through once before the run */
	FR_CACHE_COLD = 1,   /* pages dropped: posix_fadvise(DONTNEED) */
	FR_CACHE_DIRECT = 2, /* O_DIRECT reads, the page cache bypassed */
};

/* The folder the files go in: `dir`, else $TMPDIR, else /tmp. */
const char *fr_dir_resolve(const char *dir);

/*
 * Can a run put `total` bytes of files in `dir` and read them the `cache`
 * way?  The folder exists and is writable, has room, keeps a page cache to
 * drop (cold: not tmpfs), and takes O_DIRECT (direct).  0, or -EINVAL with
 * what is wrong and what would do in err.  Leaves nothing behind.
 */
int fr_dir_check(const char *dir, enum fr_cache cache, uint64_t total,
		 char *err, size_t errlen);

/*
 * Create n empty files in a new folder under dir and open them: fds[i] for
 * reading and writing, dfds[i] with O_DIRECT (or -1 unless direct).  The
 * names and the folder are removed at once, so the files live exactly as
 * long as some process holds them open: whatever ends the run, even
 * SIGKILL, nothing is left on disk.  0, or a negative errno with a message
 * (nothing open, nothing left).
 */
int fr_files_open(const char *dir, size_t n, int direct, int *fds, int *dfds,
		  char *err, size_t errlen);

/* Close what fr_files_open opened (fds may hold -1). */
void fr_files_close(size_t n, int *fds, int *dfds);

/*
 * Put fd's `size` bytes on disk (fdatasync), then set up `cache`: warm reads
 * the file once into scratch (scratch_len bytes), cold and direct drop its
 * pages.  Last, the kernel is told the access pattern (POSIX_FADV_RANDOM or
 * _SEQUENTIAL, as fio's default fadvise_hint does): without it, random
 * reads of a cold file turn into readahead of their neighbours, and half of
 * them become page-cache hits.  0, or a negative errno with a message.
 */
int fr_file_settle(int fd, uint64_t size, enum fr_cache cache, int random,
		   void *scratch, size_t scratch_len, char *err, size_t errlen);

#endif
