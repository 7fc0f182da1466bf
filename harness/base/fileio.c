#include "fileio.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* "PATH.<TMP_HEX hex digits>.tmp" */
#define TMP_HEX 16
#define TMP_SUFFIX ".tmp"
/* Names tried before giving up on finding a free one. */
#define TMP_TRIES 64

/* What a file that is not a regular one is, for the message. */
static const char *file_kind(mode_t mode)
{
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISDIR(mode))
		return "a folder";
	if (S_ISSOCK(mode))
		return "a socket";
	return "not a file";
}

/*
 * Open path for reading whole, a regular file only: O_NONBLOCK so that a
 * FIFO cannot block the open (no writer), and refused after fstat, as is
 * a device (/dev/zero never ends) or a folder.  The descriptor, or -errno
 * with a message.
 */
static int open_regular(const char *path, const char *what, struct stat *st,
			char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY), rc;

	if (fd < 0) {
		rc = -errno;
		errf(err, errlen, "%s: cannot open: %s", path, strerror(-rc));
		return rc;
	}
	if (fstat(fd, st) < 0) {
		rc = -errno;
		errf(err, errlen, "%s: cannot read: %s", path, strerror(-rc));
	} else if (!S_ISREG(st->st_mode)) {
		rc = S_ISDIR(st->st_mode) ? -EISDIR : -EINVAL;
		errf(err, errlen,
		     "%s: not a regular file (%s): %s must be a regular file",
		     path, file_kind(st->st_mode), what);
	} else {
		return fd;
	}
	close(fd);
	return rc;
}

int fileio_read(const char *path, size_t max, const char *what, char **ret_buf,
		size_t *ret_len, char *err, size_t errlen)
{
	size_t cap, n = 0;
	struct stat st = { 0 };
	char *buf;
	ssize_t r;
	int fd = open_regular(path, what, &st, err, errlen), rc = 0;

	if (fd < 0)
		return fd;
	/* the size is a hint (the file may grow): start there, grow to max+1;
	 * a file already past max is refused without reading it */
	if ((uint64_t)st.st_size > max) {
		close(fd);
		errf(err, errlen,
		     "%s: larger than %zu bytes, the most %s may have", path,
		     max, what);
		return -EFBIG;
	}
	cap = st.st_size > 0 ? (size_t)st.st_size + 1 : 65536;
	if (cap > max + 1)
		cap = max + 1;
	buf = xmalloc(cap + 1);
	for (;;) {
		if (n == cap) {
			if (cap > max)
				break;
			cap = cap > (max + 1) / 2 ? max + 1 : cap * 2;
			buf = xrealloc(buf, cap + 1);
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			errf(err, errlen, "%s: cannot read: %s", path,
			     strerror(-rc));
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (rc == 0 && n > max) {
		errf(err, errlen,
		     "%s: larger than %zu bytes, the most %s may have", path,
		     max, what);
		rc = -EFBIG;
	}
	if (rc < 0) {
		free(buf);
		return rc;
	}
	buf[n] = '\0';
	*ret_buf = buf;
	*ret_len = n;
	return 0;
}

int fileio_output_allowed(const char *path, const char *const *inputs, size_t n,
			  const char *what, bool force, char *err,
			  size_t errlen)
{
	struct stat out;
	size_t i;

	/*
	 * path exists, so an input is the same file only by inode: a missing
	 * input cannot have path's resolved name.
	 */
	if (stat(path, &out) == 0)
		for (i = 0; i < n; i++)
			if (fileio_same_file(path, inputs[i])) {
				errf(err, errlen,
				     "%s is %s (the same file as %s): write the output to another name",
				     path, what, inputs[i]);
				return -EINVAL;
			}
	if (!force && lstat(path, &out) == 0) {
		errf(err, errlen,
		     "%s already exists: add --force to overwrite it", path);
		return -EEXIST;
	}
	return 0;
}

int fileio_write_all(int fd, const void *buf, size_t len, bool sync)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	if (sync && fsync(fd) < 0 && errno != EINVAL)
		return -errno;
	return 0;
}

char *fileio_folder_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

/* Make the folder's entries (a rename) durable. */
static int sync_folder(const char *path)
{
	char *dir = fileio_folder_of(path);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		rc = -errno;
	else if (fsync(fd) < 0 && errno != EINVAL)
		rc = -errno;
	if (fd >= 0)
		close(fd);
	free(dir);
	return rc;
}

/*
 * Create a fresh temporary file beside path: an unpredictable name, never
 * an existing file or link.  Returns the descriptor, *ret_tmp its name.
 */
static int create_temp(const char *path, mode_t mode, char **ret_tmp)
{
	int tries, fd = -1;

	for (tries = 0; tries < TMP_TRIES; tries++) {
		uint64_t r;

		if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
			r = (uint64_t)mono_now_ns() * 0x9e3779b97f4a7c15ULL ^
			    (uint64_t)getpid();
		*ret_tmp = xasprintf("%s.%0*llx" TMP_SUFFIX, path, TMP_HEX,
				     (unsigned long long)r);
		fd = open(*ret_tmp,
			  O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			  mode);
		if (fd >= 0 || errno != EEXIST)
			break;
		free(*ret_tmp);
		*ret_tmp = NULL;
	}
	if (fd < 0 && tries == TMP_TRIES)
		errno = EEXIST;
	return fd;
}

/* The permissions the new file gets: the old file's, or 0644. */
static mode_t new_mode(const char *path, bool *ret_keep)
{
	struct stat st;

	*ret_keep = lstat(path, &st) == 0 && S_ISREG(st.st_mode);
	return *ret_keep ? st.st_mode & 07777 : 0644;
}

/* fill's stream on fd, flushed and synced; 0 or -errno (fd is closed). */
static int fill_stream(int fd, int (*fill)(FILE *out, const void *arg),
		       const void *arg)
{
	FILE *out = fdopen(fd, "w");
	int rc;

	if (!out) {
		rc = -errno;
		close(fd);
		return rc;
	}
	rc = fill(out, arg);
	if (fflush(out) != 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && ferror(out))
		rc = -EIO;
	if (rc == 0 && fsync(fileno(out)) < 0 && errno != EINVAL)
		rc = -errno;
	if (fclose(out) != 0 && rc == 0)
		rc = -errno;
	return rc;
}

/*
 * The new file's lock, taken before it has path's name (nobody else can
 * hold one on a file that new): a second descriptor of it, so the lock
 * outlives the stream's.  -1 with errno set on failure.
 */
static int lock_new(int fd)
{
	int lock_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);

	if (lock_fd >= 0 && flock(lock_fd, LOCK_EX | LOCK_NB) < 0 &&
	    errno != ENOLCK && errno != EOPNOTSUPP && errno != EINVAL) {
		int e = errno;

		close(lock_fd);
		errno = e;
		return -1;
	}
	return lock_fd;
}

/* fileio_replace_stream, and with ret_lock_fd, fileio_replace_locked. */
static int replace(const char *path, int (*fill)(FILE *out, const void *arg),
		   const void *arg, int *ret_lock_fd, char *err, size_t errlen)
{
	bool keep;
	mode_t mode = new_mode(path, &keep);
	char *tmp = NULL;
	int fd = create_temp(path, mode, &tmp), rc = 0, lock_fd = -1;

	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	if ((keep && fchmod(fd, mode) < 0) ||
	    (ret_lock_fd && (lock_fd = lock_new(fd)) < 0)) {
		rc = -errno;
		close(fd);
	} else {
		rc = fill_stream(fd, fill, arg);
	}
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
	if (rc < 0)
		unlink(tmp);
	else
		rc = sync_folder(path);
out:
	if (rc < 0)
		errf(err, errlen, "cannot write %s: %s", path, strerror(-rc));
	if (rc < 0 && lock_fd >= 0)
		close(lock_fd);
	else if (ret_lock_fd)
		*ret_lock_fd = lock_fd;
	free(tmp);
	return rc;
}

int fileio_replace_stream(const char *path,
			  int (*fill)(FILE *out, const void *arg),
			  const void *arg, char *err, size_t errlen)
{
	return replace(path, fill, arg, NULL, err, errlen);
}

struct buffer {
	const void *buf;
	size_t len;
};

static int fill_buffer(FILE *out, const void *arg)
{
	const struct buffer *b = arg;

	if (fwrite(b->buf, 1, b->len, out) == b->len)
		return 0;
	return errno ? -errno : -EIO;
}

/* The buffer form is the stream form with a writer that copies the buffer. */
int fileio_replace(const char *path, const void *buf, size_t len, char *err,
		   size_t errlen)
{
	struct buffer b = { buf, len };

	return replace(path, fill_buffer, &b, NULL, err, errlen);
}

int fileio_replace_locked(const char *path, const void *buf, size_t len,
			  int *ret_lock_fd, char *err, size_t errlen)
{
	struct buffer b = { buf, len };

	*ret_lock_fd = -1;
	return replace(path, fill_buffer, &b, ret_lock_fd, err, errlen);
}

/* Is name (in path's folder) one of create_temp's names for path? */
static bool is_temp_of(const char *name, const char *base)
{
	size_t nb = strlen(base), i;

	if (strlen(name) != nb + 1 + TMP_HEX + strlen(TMP_SUFFIX) ||
	    strncmp(name, base, nb) != 0 || name[nb] != '.' ||
	    strcmp(name + nb + 1 + TMP_HEX, TMP_SUFFIX) != 0)
		return false;
	for (i = nb + 1; i < nb + 1 + TMP_HEX; i++)
		if (!strchr("0123456789abcdef", name[i]))
			return false;
	return true;
}

size_t fileio_remove_stale(const char *path)
{
	char *dir = fileio_folder_of(path);
	const char *slash = strrchr(path, '/'),
		   *base = slash ? slash + 1 : path;
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t removed = 0;

	while (d && (de = readdir(d)) != NULL) {
		char *full;

		if (!is_temp_of(de->d_name, base))
			continue;
		full = xasprintf("%s/%s", dir, de->d_name);
		removed += unlink(full) == 0;
		free(full);
	}
	if (d)
		closedir(d);
	free(dir);
	return removed;
}

/*
 * path with its folder resolved (symbolic links, "..", "."), so two
 * spellings of one file compare equal even before it exists; the path as
 * given when its folder does not exist yet.
 */
static char *canonical(const char *path)
{
	char *dir = fileio_folder_of(path), real[PATH_MAX], *out;
	const char *slash = strrchr(path, '/');

	if (realpath(dir, real))
		out = xasprintf("%s/%s", strcmp(real, "/") ? real : "",
				slash ? slash + 1 : path);
	else
		out = xstrdup(path);
	free(dir);
	return out;
}

bool fileio_same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	char *ca, *cb;
	bool same;

	if (stat(a, &sa) == 0 && stat(b, &sb) == 0)
		return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
	ca = canonical(a);
	cb = canonical(b);
	same = strcmp(ca, cb) == 0;
	free(ca);
	free(cb);
	return same;
}
