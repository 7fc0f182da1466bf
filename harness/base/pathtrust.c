/*
 * pathtrust.c - the checks of pathtrust.h.
 */
#include "pathtrust.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define WRITABLE_BY_OTHERS (S_IWGRP | S_IWOTH)
#define ESCAPE_HATCH "--trust-plugin-path or CONCUR_TRUST_PLUGIN_PATH=1"

void pathtrust_fd_path(int fd, char *buf, size_t len)
{
	snprintf(buf, len, "/proc/self/fd/%d", fd);
}

static bool trusted_owner(const struct stat *st)
{
	return st->st_uid == 0 || st->st_uid == geteuid();
}

/* "group", "others" or "group and others" for the write bits of mode. */
static const char *writers(mode_t mode)
{
	if ((mode & WRITABLE_BY_OTHERS) == WRITABLE_BY_OTHERS)
		return "group and others";
	return mode & S_IWGRP ? "group" : "others";
}

/* The path as asked, and where it really is when that differs (malloc'd). */
static char *name_of(const char *path, const char *real)
{
	if (strcmp(path, real))
		return xasprintf("%s (really %s)", path, real);
	return xstrdup(path);
}

static int check_file(const char *name, const char *real, const struct stat *st,
		      char *err, size_t errlen)
{
	if (!trusted_owner(st)) {
		errf(err, errlen,
		     "refusing to load plugin %s: it belongs to uid %u, neither root nor you, so its owner decides what concur runs (fix: chown it, or pass %s if you trust uid %u)",
		     name, (unsigned)st->st_uid, ESCAPE_HATCH,
		     (unsigned)st->st_uid);
		return -EPERM;
	}
	if (st->st_mode & WRITABLE_BY_OTHERS) {
		errf(err, errlen,
		     "refusing to load plugin %s: it is writable by %s (mode %04o), so they decide what concur runs (fix: chmod go-w %s, or pass %s)",
		     name, writers(st->st_mode),
		     (unsigned)(st->st_mode & 07777), real, ESCAPE_HATCH);
		return -EPERM;
	}
	return 0;
}

/* One folder on the real path; own = the file's own folder. */
static int check_folder(const char *path, const char *dir, bool own, char *err,
			size_t errlen)
{
	struct stat st;

	if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		errf(err, errlen,
		     "refusing to load plugin %s: its folder %s changed while it was being checked",
		     path, dir);
		return -EPERM;
	}
	if (!trusted_owner(&st)) {
		errf(err, errlen,
		     "refusing to load plugin %s: the folder %s belongs to uid %u, neither root nor you, who can replace the plugin (fix: move the plugin to a folder of yours, or pass %s)",
		     path, dir, (unsigned)st.st_uid, ESCAPE_HATCH);
		return -EPERM;
	}
	if (!(st.st_mode & WRITABLE_BY_OTHERS) ||
	    (!own && st.st_uid == 0 && (st.st_mode & S_ISVTX)))
		return 0;
	errf(err, errlen,
	     "refusing to load plugin %s: the folder %s is writable by %s (mode %04o), who can replace the plugin (fix: chmod go-w %s, or pass %s)",
	     path, dir, writers(st.st_mode), (unsigned)(st.st_mode & 07777),
	     dir, ESCAPE_HATCH);
	return -EPERM;
}

/* Every folder from real's own up to /; name is for messages. */
static int check_folders(const char *name, const char *real, char *err,
			 size_t errlen)
{
	char *dir = xstrdup(real), *slash;
	bool own = true;
	int rc = 0;

	while (rc == 0 && (slash = strrchr(dir, '/')) != NULL) {
		if (slash == dir) {
			rc = check_folder(name, "/", own, err, errlen);
			break;
		}
		*slash = '\0';
		rc = check_folder(name, dir, own, err, errlen);
		own = false;
	}
	free(dir);
	return rc;
}

/*
 * The real path of what fd holds, from /proc, and a check that it is still
 * the same file there (no folder on the way was swapped meanwhile).
 */
static int real_path(int fd, const char *path, const struct stat *st,
		     char real[PATH_MAX], char *err, size_t errlen)
{
	char link[32];
	struct stat now;
	ssize_t n;

	pathtrust_fd_path(fd, link, sizeof(link));
	n = readlink(link, real, PATH_MAX - 1);
	if (n <= 0 || n >= PATH_MAX - 1 || real[0] != '/') {
		errf(err, errlen,
		     "refusing to load plugin %s: cannot tell where it really is (%s unreadable: is /proc mounted?)",
		     path, link);
		return -EPERM;
	}
	real[n] = '\0';
	if (stat(real, &now) < 0 || now.st_dev != st->st_dev ||
	    now.st_ino != st->st_ino) {
		errf(err, errlen,
		     "refusing to load plugin %s: it was moved or replaced while it was being checked",
		     path);
		return -EPERM;
	}
	return 0;
}

int pathtrust_open(const char *path, bool check, int *ret_fd, char *err,
		   size_t errlen)
{
	char real[PATH_MAX], *name = NULL;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK),
	    rc = 0;

	if (fd < 0 || fstat(fd, &st) < 0) {
		rc = -errno;
		errf(err, errlen, "cannot open plugin %s: %s", path,
		     strerror(-rc));
	} else if (!S_ISREG(st.st_mode)) {
		errf(err, errlen, "plugin %s is not a regular file", path);
		rc = -EPERM;
	} else if (check) {
		rc = real_path(fd, path, &st, real, err, errlen);
		if (rc == 0) {
			name = name_of(path, real);
			rc = check_file(name, real, &st, err, errlen);
		}
		if (rc == 0)
			rc = check_folders(name, real, err, errlen);
	}
	free(name);
	if (rc < 0) {
		if (fd >= 0)
			close(fd);
		return rc;
	}
	*ret_fd = fd;
	return 0;
}
