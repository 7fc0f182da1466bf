/*
 * fileio.h - the one place the core reads a whole file and the one place it
 * replaces one.
 *
 * Reading is bounded: a file past the caller's limit is refused before it
 * is all in memory.  Replacing is done the way curl writes its files: the
 * new content goes to a fresh file with an unpredictable name in the same
 * folder, created with O_CREAT | O_EXCL | O_NOFOLLOW (so a name planted in
 * advance, a symbolic link above all, cannot redirect the write), with the
 * old file's permissions or 0644; it is fsync'ed, renamed over the old
 * name, and the folder is fsync'ed so the rename itself survives a crash.
 * A reader sees the old file or the new one, never a mix; a kill -9 at any
 * moment leaves at most a stray temporary file (fileio_remove_stale).
 */
#ifndef CONCUR_FILEIO_H
#define CONCUR_FILEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * All of path into *ret_buf (NUL-terminated, caller frees; *ret_len bytes
 * before the NUL).  Only a regular file is read: a FIFO, a device or a
 * socket is refused with -EINVAL and a folder with -EISDIR, without
 * waiting for a writer or reading a byte.  A file longer than max bytes is
 * refused with -EFBIG; `what` names what the file should be, for those
 * messages ("an experiment file").  0, or -errno with "PATH: ..." in err.
 */
int fileio_read(const char *path, size_t max, const char *what, char **ret_buf,
		size_t *ret_len, char *err, size_t errlen);

/*
 * Replace path by buf[0..len) atomically and durably (see above).  A
 * symbolic link at path is replaced, never followed.  0, or -errno with
 * "cannot write PATH: ..." in err (err may be NULL).  Nothing is left
 * behind on failure.
 */
int fileio_replace(const char *path, const void *buf, size_t len, char *err,
		   size_t errlen);

/*
 * fileio_replace, with the new file locked (an exclusive flock) before it
 * takes path's name: *ret_lock_fd holds that lock (close it to let go;
 * -1 on failure), so a caller that holds the lock on path keeps it across
 * the replacement, with no moment where the name is unlocked.  On a file
 * system without locks the descriptor holds none.
 */
int fileio_replace_locked(const char *path, const void *buf, size_t len,
			  int *ret_lock_fd, char *err, size_t errlen);

/*
 * The same, with the content written by fill(out, arg) to a stream on the
 * temporary file instead of held in a buffer (a chart of 100,000 cells is
 * tens of megabytes).  fill returns 0 or -errno; a write error of the
 * stream counts as one.
 */
int fileio_replace_stream(const char *path,
			  int (*fill)(FILE *out, const void *arg),
			  const void *arg, char *err, size_t errlen);

/*
 * May a command write its output to path?  Never when path is one of
 * inputs[0..n) - the same file by device and inode, whatever the names (a
 * hard link, a symbolic link, "./") - even with force: `what` says what
 * that input is ("an input of this comparison").  Not when anything
 * exists at path already, unless force.  0, -EINVAL (an input) or -EEXIST,
 * with the reason in err.  Inputs that do not exist are skipped.
 */
int fileio_output_allowed(const char *path, const char *const *inputs, size_t n,
			  const char *what, bool force, char *err,
			  size_t errlen);

/* Write all of buf to fd (short writes, EINTR), then fsync when `sync`
 * (EINVAL from fsync, a file that cannot be synced, is not an error).
 * 0 or -errno. */
int fileio_write_all(int fd, const void *buf, size_t len, bool sync);

/* The folder part of path ("." when there is none; "/" for "/x"),
 * malloc'd. */
char *fileio_folder_of(const char *path);

/*
 * Remove the temporary files fileio_replace may have left beside path when
 * the process was killed in the middle of one.  Call it only while no
 * other process may be replacing path (under the results lock).  Returns
 * how many were removed.
 */
size_t fileio_remove_stale(const char *path);

/*
 * Are a and b one file: the same inode when both exist, else the same
 * path once their folders are resolved (symbolic links, "..", "."), so two
 * spellings of a file not written yet compare equal.
 */
bool fileio_same_file(const char *a, const char *b);

#endif
