#define _GNU_SOURCE /* pipe2, close_range */
#include "serverproc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "selfpath.h"
#include "util.h"

#define HELPER "concur-testserver"
/* How long the helper may take to say it listens. */
#define START_TIMEOUT_MS 10000

struct lookup {
	char *found;
	char tried[512];
};

static void consider(const char *path, void *arg)
{
	struct lookup *lk = arg;
	size_t len = strlen(lk->tried);

	if (lk->found)
		return;
	if (access(path, X_OK) == 0) {
		lk->found = xstrdup(path);
		return;
	}
	snprintf(lk->tried + len, sizeof(lk->tried) - len, "%s%s",
		 len ? ", " : "", path);
}

/* The helper's path (caller frees), or NULL with where it was looked for. */
static char *helper_path(char *err, size_t errlen)
{
	struct lookup lk = { 0 };

	selfpath_candidates(CONCUR_BUILD_DIR "/harness/" HELPER,
			    CONCUR_HELPER_INSTALL_RELDIR "/" HELPER,
			    CONCUR_HELPER_INSTALL_DIR "/" HELPER, consider,
			    &lk);
	if (!lk.found)
		errf(err, errlen,
		     "cannot find the test server program %s (looked at %s); reinstall concur",
		     HELPER, lk.tried);
	return lk.found;
}

/* In the child: report fd 3, nothing else of the parent's, then exec. */
static void exec_helper(const char *path, const char *const *flags,
			pid_t parent, int report)
{
	const char *argv[32] = { HELPER, "--report-fd", "3" };
	size_t n = 3;
	char msg[300];
	int len;

	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(0); /* the parent died before prctl took effect */
	for (; flags && *flags && n < ARRAY_SIZE(argv) - 1; flags++)
		argv[n++] = *flags;
	argv[n] = NULL;
	if (dup2(report, 3) == 3) {
		close_range(4, ~0u, 0);
		execv(path, (char *const *)argv);
	}
	len = snprintf(msg, sizeof(msg), "error cannot run %s: %s\n", path,
		       strerror(errno));
	if (write(3, msg, (size_t)len) < 0)
		_exit(127);
	_exit(127);
}

/* One line from fd within the start timeout; "" on EOF or timeout. */
static void read_line(int fd, char *buf, size_t len)
{
	size_t got = 0;

	while (got < len - 1) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, START_TIMEOUT_MS) <= 0)
			break;
		n = read(fd, buf + got, len - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
		if (memchr(buf, '\n', got))
			break;
	}
	buf[got] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

/* "listening PORT LIBRARIES" into s; -EPROTO with the helper's words. */
static int parse_report(const char *line, struct serverproc *s, char *err,
			size_t errlen)
{
	unsigned port;
	int used = 0;

	if (strncmp(line, "error ", 6) == 0) {
		errf(err, errlen, "%s", line + 6);
		return -EIO;
	}
	if (sscanf(line, "listening %u %n", &port, &used) < 1 || port == 0 ||
	    port > 65535) {
		errf(err, errlen,
		     "the test server process said '%.100s' instead of where it listens",
		     *line ? line : "nothing");
		return -EPROTO;
	}
	s->port = (uint16_t)port;
	snprintf(s->libraries, sizeof(s->libraries), "%s", line + used);
	return 0;
}

int serverproc_start(const char *const *flags, struct serverproc *ret,
		     char *err, size_t errlen)
{
	char *path = helper_path(err, errlen), line[512];
	pid_t parent = getpid();
	int fds[2], rc;

	memset(ret, 0, sizeof(*ret));
	if (!path)
		return -ENOENT;
	if (pipe2(fds, O_CLOEXEC) != 0) {
		errf(err, errlen, "cannot create a pipe: %s", strerror(errno));
		free(path);
		return -errno;
	}
	fflush(NULL); /* the child must not flush our buffers again */
	ret->pid = fork();
	if (ret->pid == 0)
		exec_helper(path, flags, parent, fds[1]);
	free(path);
	close(fds[1]);
	if (ret->pid < 0) {
		errf(err, errlen, "cannot fork the HTTP test server: %s",
		     strerror(errno));
		ret->pid = 0;
		close(fds[0]);
		return -EAGAIN;
	}
	read_line(fds[0], line, sizeof(line));
	close(fds[0]);
	rc = parse_report(line, ret, err, errlen);
	if (rc < 0)
		serverproc_stop(ret);
	return rc;
}

int serverproc_stop(struct serverproc *s)
{
	pid_t pid = s->pid;

	s->pid = 0;
	if (pid <= 0)
		return 0;
	kill(pid, SIGTERM);
	if (wait_child(pid, SERVERPROC_STOP_NS, NULL) != -ETIMEDOUT)
		return 0;
	/* stopped, or stuck closing a connection: it must not hold us */
	kill(pid, SIGKILL);
	wait_child(pid, SERVERPROC_STOP_NS, NULL);
	return -ETIMEDOUT;
}

int serverproc_exec_serve(int argc, char **argv)
{
	char err[1024];
	char *path = helper_path(err, sizeof(err));
	char **args;
	int i;

	if (!path) {
		fprintf(stderr, "concur serve: %s\n", err);
		return 1;
	}
	args = xcalloc((size_t)argc + 2, sizeof(*args));
	args[0] = (char *)HELPER;
	for (i = 0; i < argc; i++)
		args[i + 1] = argv[i];
	fflush(NULL);
	execv(path, args);
	fprintf(stderr, "concur serve: cannot run %s: %s\n", path,
		strerror(errno));
	free(args);
	free(path);
	return 1;
}
