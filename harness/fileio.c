#include "fileio.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* "PATH.<TMP_HEX hex digits>.tmp" */
#define TMP_HEX 16
#define TMP_SUFFIX ".tmp"
/* Names tried before giving up on finding a free one. */
#define TMP_TRIES 64

int fileio_read(const char *path, size_t max, const char *what, char **ret_buf,
		size_t *ret_len, char *err, size_t errlen)
{
	size_t cap, n = 0;
	struct stat st = { 0 };
	char *buf;
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;

	if (fd < 0) {
		rc = -errno;
		errf(err, errlen, "%s: cannot open: %s", path, strerror(-rc));
		return rc;
	}
	/* the size is a hint (the file may grow): start there, grow to max+1;
	 * a regular file already past max is refused without reading it */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (uint64_t)st.st_size > max) {
		close(fd);
		errf(err, errlen,
		     "%s: larger than %zu bytes, the most %s may have", path,
		     max, what);
		return -EFBIG;
	}
	cap = S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size + 1
						    : 65536;
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
	struct stat out, in;
	size_t i;

	if (stat(path, &out) == 0)
		for (i = 0; i < n; i++)
			if (stat(inputs[i], &in) == 0 &&
			    in.st_dev == out.st_dev &&
			    in.st_ino == out.st_ino) {
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

int fileio_replace_stream(const char *path,
			  int (*fill)(FILE *out, const void *arg),
			  const void *arg, char *err, size_t errlen)
{
	bool keep;
	mode_t mode = new_mode(path, &keep);
	char *tmp = NULL;
	int fd = create_temp(path, mode, &tmp), rc = 0;

	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	if (keep && fchmod(fd, mode) < 0) {
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
	free(tmp);
	return rc;
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

	return fileio_replace_stream(path, fill_buffer, &b, err, errlen);
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
