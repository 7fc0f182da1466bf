/*
 * Unit tests for harness/base/fileio.c (bounded reads, atomic replace the curl
 * way, stale temporary files) and for the SHA-256 of the experiment file,
 * whose read errors used to pass for the end of the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "fileio.h"
#include "results.h"
#include "util.h"

static char dir[] = "/tmp/concur-fileio-XXXXXX";

static char *in_dir(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static void put(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	chmod(path, mode);
}

static char *get(const char *path)
{
	char *buf = NULL, err[256];
	size_t len;

	assert_int_equal(fileio_read(path, 1 << 20, "a test file", &buf, &len,
				     err, sizeof(err)),
			 0);
	return buf;
}

/* Files in dir, "." and ".." aside. */
static int entries(void)
{
	char *cmd = xasprintf("ls -A %s | wc -l", dir);
	FILE *p = popen(cmd, "r");
	int n = -1;

	assert_non_null(p);
	assert_int_equal(fscanf(p, "%d", &n), 1);
	pclose(p);
	free(cmd);
	return n;
}

static int setup(void **state)
{
	(void)state;
	umask(022);
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char *cmd = xasprintf("rm -rf %s", dir);
	int rc = system(cmd);

	(void)state;
	free(cmd);
	return rc;
}

static void test_read_is_bounded(void **state)
{
	char *p = in_dir("r"), *buf = NULL, err[256] = "";
	size_t len = 0;

	(void)state;
	put(p, "0123456789", 0644);
	assert_int_equal(fileio_read(p, 10, "x", &buf, &len, err, sizeof(err)),
			 0);
	assert_int_equal(len, 10);
	assert_string_equal(buf, "0123456789");
	free(buf);
	buf = NULL;
	assert_int_equal(
		fileio_read(p, 9, "a tiny file", &buf, &len, err, sizeof(err)),
		-EFBIG);
	assert_null(buf);
	assert_non_null(strstr(err, "larger than 9 bytes, the most a tiny "
				    "file may have"));
	assert_int_equal(fileio_read("/nonexistent/x", 9, "x", &buf, &len, err,
				     sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/x: cannot open"));
	unlink(p);
	free(p);
}

/* Only a regular file is read: a FIFO would block the open, a device
 * (/dev/zero) would pour bytes up to the limit. */
static void test_read_refuses_what_is_not_a_regular_file(void **state)
{
	char *fifo = in_dir("fifo"), *buf = NULL, err[256] = "";
	size_t len = 0;

	(void)state;
	alarm(20); /* a blocked open fails the test instead of hanging it */
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(fileio_read(fifo, 1 << 20, "a results file", &buf,
				     &len, err, sizeof(err)),
			 -EINVAL);
	assert_null(buf);
	assert_non_null(strstr(err, "fifo: not a regular file (a FIFO)"));
	assert_non_null(strstr(err, "a results file"));
	assert_int_equal(fileio_read("/dev/zero", 1 << 30, "a results file",
				     &buf, &len, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(
		err, "/dev/zero: not a regular file (a character device)"));
	assert_int_equal(fileio_read(dir, 1 << 20, "a results file", &buf, &len,
				     err, sizeof(err)),
			 -EISDIR);
	assert_non_null(strstr(err, "not a regular file (a folder)"));
	alarm(0);
	unlink(fifo);
	free(fifo);
}

static void test_replace_keeps_the_mode_or_uses_0644(void **state)
{
	char *p = in_dir("m");
	struct stat st;
	char *text;

	(void)state;
	assert_int_equal(fileio_replace(p, "new\n", 4, NULL, 0), 0);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	chmod(p, 0600);
	assert_int_equal(fileio_replace(p, "newer\n", 6, NULL, 0), 0);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	text = get(p);
	assert_string_equal(text, "newer\n");
	free(text);
	assert_int_equal(entries(), 1); /* no temporary file left */
	unlink(p);
	free(p);
}

static void test_replace_never_follows_a_symlink(void **state)
{
	char *p = in_dir("link"), *victim = in_dir("victim"), *text;
	struct stat st;

	(void)state;
	put(victim, "precious\n", 0644);
	assert_int_equal(symlink(victim, p), 0);
	assert_int_equal(fileio_replace(p, "mine\n", 5, NULL, 0), 0);
	text = get(victim);
	assert_string_equal(text, "precious\n");
	free(text);
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISREG(st.st_mode)); /* the link itself was replaced */
	unlink(p);
	unlink(victim);
	free(p);
	free(victim);
}

static void test_replace_failure_leaves_nothing(void **state)
{
	char *p = in_dir("missing/f");
	char err[256] = "";
	int before = entries();

	(void)state;
	assert_int_equal(fileio_replace(p, "x", 1, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "cannot write"));
	assert_non_null(strstr(err, "/missing/f"));
	assert_int_equal(entries(), before);
	free(p);
}

static void test_stale_temporaries_are_removed_and_only_they(void **state)
{
	char *p = in_dir("s.csv"), *t1 = in_dir("s.csv.0123456789abcdef.tmp");
	char *keep1 = in_dir("s.csv.0123456789abcdeg.tmp");
	char *keep2 = in_dir("s.csv.tmp"),
	     *keep3 = in_dir("xs.csv.0123456789abcdef.tmp");

	(void)state;
	put(p, "a\n", 0644);
	put(t1, "torn", 0644);
	put(keep1, "k", 0644);
	put(keep2, "k", 0644);
	put(keep3, "k", 0644);
	assert_int_equal(fileio_remove_stale(p), 1);
	assert_int_equal(access(t1, F_OK), -1);
	assert_int_equal(access(keep1, F_OK), 0);
	assert_int_equal(access(keep2, F_OK), 0);
	assert_int_equal(access(keep3, F_OK), 0);
	unlink(p);
	unlink(keep1);
	unlink(keep2);
	unlink(keep3);
	free(p);
	free(t1);
	free(keep1);
	free(keep2);
	free(keep3);
}

static void test_sha256(void **state)
{
	char *p = in_dir("abc"), hex[65] = "";

	(void)state;
	put(p, "abc", 0644);
	assert_int_equal(results_sha256_file(p, hex), 0);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223"
				 "b00361a396177a9cb410ff61f20015ad");
	/* a read error is an error, not the hash of what was read so far */
	assert_int_equal(results_sha256_file(dir, hex), -EISDIR);
	unlink(p);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_is_bounded),
		cmocka_unit_test(test_read_refuses_what_is_not_a_regular_file),
		cmocka_unit_test(test_replace_keeps_the_mode_or_uses_0644),
		cmocka_unit_test(test_replace_never_follows_a_symlink),
		cmocka_unit_test(test_replace_failure_leaves_nothing),
		cmocka_unit_test(
			test_stale_temporaries_are_removed_and_only_they),
		cmocka_unit_test(test_sha256),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
