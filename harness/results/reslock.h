/*
 * reslock.h - the lock on a set of results files: an exclusive flock on
 * the summary file N.csv, held by the one concur (a run or a merge) that
 * writes N.csv and its siblings, for as long as it writes them.  Another
 * concur on the same output is refused, told who holds it.  The lock is
 * advisory: only concur honours it.
 */
#ifndef CONCUR_RESLOCK_H
#define CONCUR_RESLOCK_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Open path (creating it, empty, when missing: *ret_created) without
 * following a symbolic link, and take the lock on it.  *ret_fd is an
 * O_WRONLY | O_APPEND descriptor that holds the lock until it is closed.
 * A file replaced between the open and the lock is opened again, so the
 * lock is always on the file path names.  On a file system without locks
 * a warning goes to stderr and the descriptor holds none.  `other` ends
 * the message for a lock held elsewhere ("choose another -o").  Returns
 * 0; -EBUSY when another process holds the lock ("PATH is being written
 * by another concur run (pid N): wait for it to end, or OTHER"); or
 * -errno when path cannot be opened; with a message in err.
 */
int reslock_take(const char *path, const char *other, int *ret_fd,
		 bool *ret_created, char *err, size_t errlen);

#endif
