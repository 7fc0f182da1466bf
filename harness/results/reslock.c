/*
 * reslock.c - the results lock of reslock.h.
 */
#include "reslock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "diag.h"
#include "util.h"

/* A results file is written as it is named: never through a symlink. */
#define OPEN_LOCK (O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW)
/* Opens tried while the file keeps being replaced or removed under us. */
#define TRIES 8

/*
 * The pid holding an flock on the file open as fd, from /proc/locks
 * ("1: FLOCK  ADVISORY  WRITE 1234 08:02:5678 0 EOF"); 0 when unknown.
 */
static long lock_holder(int fd)
{
	char line[256], id[64];
	struct stat st;
	long pid = 0, got;
	FILE *f;

	if (fstat(fd, &st) < 0 || !(f = fopen("/proc/locks", "re")))
		return 0;
	snprintf(id, sizeof(id), "%02x:%02x:%llu", major(st.st_dev),
		 minor(st.st_dev), (unsigned long long)st.st_ino);
	while (!pid && fgets(line, sizeof(line), f)) {
		char kind[16], dev[64];

		if (sscanf(line, "%*d: %15s %*s %*s %ld %63s", kind, &got,
			   dev) == 3 &&
		    !strcmp(kind, "FLOCK") && !strcmp(dev, id))
			pid = got;
	}
	fclose(f);
	return pid;
}

/*
 * Who pid is, for the message: "concur run", "concur merge" (its command
 * line's first two words), "concur" or "process".
 */
static void holder_name(long pid, char *buf, size_t len)
{
	char path[64], cmd[256] = "";
	const char *word;
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
	f = fopen(path, "re");
	if (f) {
		n = fread(cmd, 1, sizeof(cmd) - 1, f);
		fclose(f);
	}
	cmd[n] = '\0';
	word = strrchr(cmd, '/') ? strrchr(cmd, '/') + 1 : cmd;
	if (strcmp(word, "concur") != 0) {
		snprintf(buf, len, "process");
		return;
	}
	word = cmd + strlen(cmd) + 1;
	if ((size_t)(word - cmd) < n &&
	    (!strcmp(word, "run") || !strcmp(word, "merge")))
		snprintf(buf, len, "concur %s", word);
	else
		snprintf(buf, len, "concur");
}

static void explain_busy(const char *path, const char *other, int fd, char *err,
			 size_t errlen)
{
	long pid = lock_holder(fd);
	char who[32];

	if (pid <= 0) {
		errf(err, errlen,
		     "%s is being written by another concur: wait for it to end, or %s",
		     path, other);
		return;
	}
	holder_name(pid, who, sizeof(who));
	errf(err, errlen,
	     "%s is being written by another %s (pid %ld): wait for it to end, or %s",
	     path, who, pid, other);
}

/* Open path, creating it when missing; -errno on failure. */
static int open_or_create(const char *path, bool *ret_created)
{
	int fd = open(path, OPEN_LOCK);

	*ret_created = false;
	if (fd < 0 && errno == ENOENT) {
		fd = open(path, OPEN_LOCK | O_CREAT | O_EXCL, 0644);
		*ret_created = fd >= 0;
	}
	return fd < 0 ? -errno : fd;
}

/* Is fd still the file path names (not replaced or removed since)? */
static bool still_named(int fd, const char *path)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && lstat(path, &b) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int reslock_take(const char *path, const char *other, int *ret_fd,
		 bool *ret_created, char *err, size_t errlen)
{
	int fd = -ENOENT, tries;

	for (tries = 0; tries < TRIES; tries++) {
		fd = open_or_create(path, ret_created);
		if (fd == -ENOENT || fd == -EEXIST)
			continue; /* removed or created meanwhile */
		if (fd < 0)
			break;
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			if (errno == ENOLCK || errno == EOPNOTSUPP ||
			    errno == EINVAL) {
				/* a file system without locks (NFS mounted
				 * nolock): go on */
				diag_warn(
					"cannot lock %s (%s): a second concur on the same output would not be stopped",
					path, strerror(errno));
				break;
			}
			if (errno == EWOULDBLOCK) {
				explain_busy(path, other, fd, err, errlen);
				close(fd);
				return -EBUSY;
			}
			tries = -errno;
			errf(err, errlen, "cannot lock %s: %s", path,
			     strerror(-tries));
			close(fd);
			return tries;
		}
		if (still_named(fd, path))
			break;
		close(fd); /* replaced between the open and the lock */
		fd = -ENOENT;
	}
	if (fd >= 0) {
		*ret_fd = fd;
		return 0;
	}
	if (fd == -ELOOP)
		errf(err, errlen,
		     "%s is a symbolic link: concur does not write results through one; remove it or %s",
		     path, other);
	else
		errf(err, errlen, "cannot write %s: %s", path, strerror(-fd));
	return fd;
}
