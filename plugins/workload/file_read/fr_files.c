#define _GNU_SOURCE
#include "fr_files.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

const char *fr_dir_resolve(const char *dir)
{
	const char *tmp = getenv("TMPDIR");

	if (dir && *dir)
		return dir;
	return tmp && *tmp ? tmp : "/tmp";
}

/*
 * A file opened with O_DIRECT in dir, with no name and nothing left.  A
 * file system without O_TMPFILE cannot be asked this way: the run's own
 * open then says.
 */
static int probe_direct(const char *dir)
{
	int fd = open(dir, O_TMPFILE | O_RDWR | O_DIRECT | O_CLOEXEC, 0600);

	if (fd < 0)
		return errno == EOPNOTSUPP || errno == EISDIR ? 0 : -errno;
	close(fd);
	return 0;
}

static int check_cache(const char *dir, enum fr_cache cache, char *err,
		       size_t errlen)
{
	struct statfs sf;
	int rc;

	if (cache == FR_CACHE_COLD && statfs(dir, &sf) == 0 &&
	    (sf.f_type == TMPFS_MAGIC || sf.f_type == RAMFS_MAGIC)) {
		snprintf(err, errlen,
			 "cache = cold: dir = %.100s is in memory (tmpfs), "
			 "there is no page cache to drop; set dir to a folder "
			 "on a disk (e.g. /var/tmp)",
			 dir);
		return -EINVAL;
	}
	if (cache != FR_CACHE_DIRECT)
		return 0;
	rc = probe_direct(dir);
	if (rc < 0) {
		snprintf(err, errlen,
			 "cache = direct: the file system of dir = %.100s "
			 "does not take O_DIRECT (%s); use cache = cold, or a "
			 "dir on a disk file system",
			 dir, strerror(-rc));
		return -EINVAL;
	}
	return 0;
}

int fr_dir_check(const char *dir, enum fr_cache cache, uint64_t total,
		 char *err, size_t errlen)
{
	struct statvfs vf;
	struct stat st;
	uint64_t room;

	const char *why = NULL;

	if (stat(dir, &st) < 0 || access(dir, W_OK | X_OK) < 0)
		why = strerror(errno);
	else if (!S_ISDIR(st.st_mode))
		why = "not a folder";
	if (why) {
		snprintf(err, errlen,
			 "dir = %.100s: %s; give an existing folder this user "
			 "can write (empty: $TMPDIR, else /tmp)",
			 dir, why);
		return -EINVAL;
	}
	if (statvfs(dir, &vf) == 0) {
		room = (uint64_t)vf.f_bavail * vf.f_frsize;
		if (total > room) {
			snprintf(err, errlen,
				 "files x file_size = %" PRIu64 " bytes, but "
				 "dir = %.100s has %" PRIu64 " bytes free",
				 total, dir, room);
			return -EINVAL;
		}
	}
	return check_cache(dir, cache, err, errlen);
}

void fr_files_close(size_t n, int *fds, int *dfds)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		if (dfds[i] >= 0)
			close(dfds[i]);
		fds[i] = dfds[i] = -1;
	}
}

/* Open file i in folder, both ways, and unlink it. */
static int open_one(const char *folder, size_t i, int direct, int *fd, int *dfd,
		    char *err, size_t errlen)
{
	char path[4096 + 32];
	int rc = 0;

	snprintf(path, sizeof(path), "%s/f%zu", folder, i);
	*fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (*fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot create %.200s: %s", path,
			 strerror(errno));
		return rc;
	}
	if (direct) {
		*dfd = open(path, O_RDONLY | O_DIRECT | O_CLOEXEC);
		if (*dfd < 0) {
			rc = -errno;
			snprintf(err, errlen,
				 "cannot open %.200s with O_DIRECT: %s", path,
				 strerror(errno));
		}
	}
	unlink(path);
	return rc;
}

int fr_files_open(const char *dir, size_t n, int direct, int *fds, int *dfds,
		  char *err, size_t errlen)
{
	char folder[4096];
	size_t i;
	int rc = 0;

	for (i = 0; i < n; i++)
		fds[i] = dfds[i] = -1;
	snprintf(folder, sizeof(folder), "%s/concur-file_read.XXXXXX", dir);
	if (!mkdtemp(folder)) {
		rc = -errno;
		snprintf(err, errlen, "cannot create a folder in %.200s: %s",
			 dir, strerror(errno));
		return rc;
	}
	for (i = 0; i < n && rc == 0; i++)
		rc = open_one(folder, i, direct, &fds[i], &dfds[i], err,
			      errlen);
	rmdir(folder);
	if (rc < 0)
		fr_files_close(n, fds, dfds);
	return rc;
}

static int read_through(int fd, uint64_t size, void *scratch, size_t len)
{
	uint64_t off = 0;
	ssize_t got;

	while (off < size) {
		got = pread(fd, scratch, len, (off_t)off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return got < 0 ? -errno : -EIO;
		off += (uint64_t)got;
	}
	return 0;
}

int fr_file_settle(int fd, uint64_t size, enum fr_cache cache, int random,
		   void *scratch, size_t scratch_len, char *err, size_t errlen)
{
	int rc = 0;

	if (fdatasync(fd) < 0) {
		rc = -errno;
		snprintf(err, errlen, "fdatasync: %s", strerror(errno));
		return rc;
	}
	if (cache == FR_CACHE_WARM)
		rc = read_through(fd, size, scratch, scratch_len);
	else
		rc = -posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s",
			 cache == FR_CACHE_WARM ? "reading it once (warm)"
						: "posix_fadvise(DONTNEED)",
			 strerror(-rc));
		return rc;
	}
	rc = -posix_fadvise(fd, 0, 0,
			    random ? POSIX_FADV_RANDOM : POSIX_FADV_SEQUENTIAL);
	if (rc < 0)
		snprintf(err, errlen, "posix_fadvise(%s): %s",
			 random ? "RANDOM" : "SEQUENTIAL", strerror(-rc));
	return rc;
}
