/*
 * exec_proc.c - spawn, watch, kill and reap one command (see exec_proc.h).
 */
#define _GNU_SOURCE /* pipe2, sigabbrev_np */
#include "exec_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434 /* the same number on every architecture */
#endif

#define LOST_STATUS                                                            \
	"its exit status was lost: something else reaped it (is SIGCHLD "      \
	"ignored?)"

#define FNV_OFFSET UINT64_C(0xcbf29ce484222325)
#define FNV_PRIME UINT64_C(0x100000001b3)

static int pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

int exec_proc_probe(char *err, size_t errlen)
{
	int fd = pidfd_open(getpid());

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	snprintf(err, errlen,
		 "this kernel has no pidfd_open (%s): the exec workload "
		 "needs Linux 5.3 or later",
		 strerror(errno));
	return -ENOSYS;
}

/* FNV-1a of stdout, holding back newlines until more text follows them. */
static void digest_feed(struct exec_proc *p, const char *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			p->pending_nl++;
			continue;
		}
		for (; p->pending_nl; p->pending_nl--)
			p->digest = (p->digest ^ '\n') * FNV_PRIME;
		p->digest = (p->digest ^ (unsigned char)buf[i]) * FNV_PRIME;
	}
}

uint64_t exec_digest_text(const char *text)
{
	struct exec_proc p = { .digest = FNV_OFFSET };

	digest_feed(&p, text, strlen(text));
	return p.digest;
}

static void tail_feed(struct exec_proc *p, const char *buf, size_t n)
{
	if (n >= EXEC_TAIL) {
		memcpy(p->tail, buf + n - EXEC_TAIL, EXEC_TAIL);
		p->tail_len = EXEC_TAIL;
		return;
	}
	if (p->tail_len + n > EXEC_TAIL) {
		size_t drop = p->tail_len + n - EXEC_TAIL;

		memmove(p->tail, p->tail + drop, p->tail_len - drop);
		p->tail_len -= drop;
	}
	memcpy(p->tail + p->tail_len, buf, n);
	p->tail_len += n;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* A pipe whose read end is non-blocking; both ends close-on-exec. */
static int pipe_nb(int fds[2])
{
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	if (fcntl(fds[0], F_SETFL, O_NONBLOCK) < 0) {
		int e = errno;

		close(fds[0]);
		close(fds[1]);
		return -e;
	}
	return 0;
}

static int spawn_actions(posix_spawn_file_actions_t *fa,
			 const struct exec_spawn *s, int out_w, int err_w)
{
	int rc = posix_spawn_file_actions_addopen(fa, 0, s->stdin_path,
						  O_RDONLY, 0);

	if (!rc && out_w >= 0)
		rc = posix_spawn_file_actions_adddup2(fa, out_w, 1);
	else if (!rc)
		rc = posix_spawn_file_actions_addopen(fa, 1, "/dev/null",
						      O_WRONLY, 0);
	if (!rc)
		rc = posix_spawn_file_actions_adddup2(fa, err_w, 2);
	return rc;
}

/* Own process group; signals as a fresh process has them. */
static int spawn_attr(posix_spawnattr_t *at)
{
	sigset_t none, all;
	int rc;

	sigemptyset(&none);
	sigfillset(&all);
	rc = posix_spawnattr_setflags(at, POSIX_SPAWN_SETPGROUP |
						  POSIX_SPAWN_SETSIGMASK |
						  POSIX_SPAWN_SETSIGDEF);
	if (!rc)
		rc = posix_spawnattr_setpgroup(at, 0);
	if (!rc)
		rc = posix_spawnattr_setsigmask(at, &none);
	if (!rc)
		rc = posix_spawnattr_setsigdefault(at, &all);
	return rc;
}

static int spawn(pid_t *pid, const struct exec_spawn *s, int out_w, int err_w)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	int rc;

	if (posix_spawn_file_actions_init(&fa))
		return ENOMEM;
	if (posix_spawnattr_init(&at)) {
		posix_spawn_file_actions_destroy(&fa);
		return ENOMEM;
	}
	rc = spawn_actions(&fa, s, out_w, err_w);
	if (!rc)
		rc = spawn_attr(&at);
	if (!rc)
		rc = posix_spawnp(pid, s->argv[0], &fa, &at, s->argv, s->envp);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	return rc;
}

int exec_proc_start(struct exec_proc *p, const struct exec_spawn *s, char *err,
		    size_t errlen)
{
	int out[2] = { -1, -1 }, errp[2] = { -1, -1 }, rc;

	memset(p, 0, sizeof(*p));
	p->pidfd = p->out_fd = p->err_fd = -1;
	p->digest = FNV_OFFSET;
	rc = pipe_nb(errp);
	if (rc == 0 && s->capture_stdout)
		rc = pipe_nb(out);
	if (rc == 0) {
		rc = -spawn(&p->pid, s, out[1], errp[1]);
		close_fd(&out[1]);
		close_fd(&errp[1]);
	}
	if (rc == 0) {
		p->pidfd = pidfd_open(p->pid);
		if (p->pidfd < 0) {
			rc = -errno;
			kill(-p->pid, SIGKILL);
			waitpid(p->pid, NULL, 0);
		}
	}
	if (rc < 0) {
		close_fd(&out[0]);
		close_fd(&out[1]);
		close_fd(&errp[0]);
		close_fd(&errp[1]);
		if (rc == -ESRCH) /* gone before pidfd_open: reaped already */
			snprintf(err, errlen, "'%.80s': " LOST_STATUS,
				 s->argv[0]);
		else
			snprintf(err, errlen, "cannot run '%.80s': %s",
				 s->argv[0], strerror(-rc));
		return rc == -ESRCH ? -EPROTO : rc;
	}
	p->out_fd = out[0];
	p->err_fd = errp[0];
	return 0;
}

bool exec_proc_drain(struct exec_proc *p, int fd)
{
	char buf[65536];

	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n > 0 && fd == p->out_fd) {
			p->out_bytes += (uint64_t)n;
			digest_feed(p, buf, (size_t)n);
		} else if (n > 0) {
			tail_feed(p, buf, (size_t)n);
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else {
			/* EOF, or an error: either way nothing more comes */
			return n == 0 || errno != EAGAIN;
		}
	}
}

void exec_proc_close_fd(struct exec_proc *p, int fd)
{
	if (fd == p->out_fd)
		close_fd(&p->out_fd);
	else if (fd == p->err_fd)
		close_fd(&p->err_fd);
}

void exec_proc_timeout(struct exec_proc *p)
{
	if (p->exited || p->timed_out)
		return;
	p->timed_out = true;
	kill(-p->pid, SIGKILL);
}

bool exec_proc_has_exited(const struct exec_proc *p)
{
	siginfo_t info = { 0 };

	if (p->exited)
		return true;
	if (waitid(P_PID, (id_t)p->pid, &info, WEXITED | WNOHANG | WNOWAIT) < 0)
		return errno != EINTR; /* ECHILD: nothing left to wait for */
	return info.si_pid != 0;
}

void exec_proc_reap(struct exec_proc *p)
{
	pid_t rc;

	if (p->exited)
		return;
	/*
	 * The main process is a zombie until reaped, so its pid (the group's
	 * id) cannot be reused yet: kill the group first.
	 */
	kill(-p->pid, SIGKILL);
	while ((rc = waitpid(p->pid, &p->wstatus, 0)) < 0 && errno == EINTR)
		;
	p->lost = rc < 0; /* reaped by someone else: SIGCHLD ignored? */
	p->exited = true;
	/* What the writers left in the pipes; they are all dead now. */
	if (p->out_fd >= 0)
		exec_proc_drain(p, p->out_fd);
	if (p->err_fd >= 0)
		exec_proc_drain(p, p->err_fd);
	close_fd(&p->out_fd);
	close_fd(&p->err_fd);
	close_fd(&p->pidfd);
}

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void exec_proc_wait(struct exec_proc *p, int64_t timeout_ns)
{
	int64_t deadline = mono_ns() + timeout_ns;

	while (!p->exited) {
		struct pollfd fds[3] = {
			{ .fd = p->pidfd, .events = POLLIN },
			{ .fd = p->out_fd, .events = POLLIN },
			{ .fd = p->err_fd, .events = POLLIN },
		};
		int64_t left = deadline - mono_ns();
		int ms = p->timed_out ? -1
			 : left <= 0  ? 0
				      : (int)((left + 999999) / 1000000);
		int rc, k;

		rc = poll(fds, 3, ms); /* a negative fd is skipped */
		if (rc < 0)
			continue; /* EINTR */
		if (rc == 0) {
			exec_proc_timeout(p);
			continue;
		}
		for (k = 1; k < 3; k++)
			if (fds[k].fd >= 0 && fds[k].revents &&
			    exec_proc_drain(p, fds[k].fd))
				exec_proc_close_fd(p, fds[k].fd);
		if (fds[0].revents && exec_proc_has_exited(p))
			exec_proc_reap(p);
	}
}

void exec_format_duration(int64_t ns, char *buf, size_t len)
{
	static const struct {
		int64_t unit;
		const char *name;
	} units[] = { { 1000000000LL, "s" },
		      { 1000000LL, "ms" },
		      { 1000LL, "us" },
		      { 1, "ns" } };
	size_t i;

	for (i = 0; i < 3 && ns % units[i].unit; i++)
		;
	snprintf(buf, len, "%lld%s", (long long)(ns / units[i].unit),
		 units[i].name);
}

/* "; stderr: ...the end of it" into what is left of err. */
static void add_tail(const struct exec_proc *p, char *err, size_t errlen)
{
	size_t used = strlen(err), n = p->tail_len, room, i;
	char tail[EXEC_TAIL + 1];

	while (n > 0 && (p->tail[n - 1] == '\n' || p->tail[n - 1] == ' ' ||
			 p->tail[n - 1] == '\r' || p->tail[n - 1] == '\t'))
		n--;
	if (!n || used + 16 >= errlen)
		return;
	room = errlen - used - 16; /* "; stderr: ..." and the NUL */
	if (n > room) {
		memcpy(tail, p->tail + n - room, room);
		n = room;
	} else {
		memcpy(tail, p->tail, n);
	}
	tail[n] = '\0';
	for (i = 0; i < n; i++)
		if (tail[i] == '\n' || tail[i] == '\r' || tail[i] == '\t')
			tail[i] = ' ';
	snprintf(err + used, errlen - used, "; stderr: %s%s",
		 n == room ? "..." : "", tail);
}

int exec_proc_status(const struct exec_proc *p, int expect_exit,
		     int64_t timeout_ns, unsigned *ret_detail, char *err,
		     size_t errlen)
{
	int st = p->wstatus, rc = 0;
	char d[32];

	*ret_detail = WIFEXITED(st)	? (unsigned)WEXITSTATUS(st)
		      : WIFSIGNALED(st) ? 128u + (unsigned)WTERMSIG(st)
					: 0;
	if (p->lost) {
		snprintf(err, errlen, LOST_STATUS);
		return -EPROTO;
	}
	if (p->timed_out) {
		exec_format_duration(timeout_ns, d, sizeof(d));
		snprintf(err, errlen, "timed out after %s", d);
		rc = -ETIMEDOUT;
	} else if (WIFSIGNALED(st)) {
		const char *abbrev = sigabbrev_np(WTERMSIG(st));

		snprintf(err, errlen, "killed by signal %d (SIG%s)",
			 WTERMSIG(st), abbrev ? abbrev : "?");
		rc = -EINTR;
	} else if (!WIFEXITED(st) || WEXITSTATUS(st) != expect_exit) {
		snprintf(err, errlen, "exit %d", WEXITSTATUS(st));
		if (expect_exit)
			snprintf(err + strlen(err), errlen - strlen(err),
				 " (expect_exit = %d)", expect_exit);
		rc = -EIO;
	}
	if (rc < 0)
		add_tail(p, err, errlen);
	return rc;
}
