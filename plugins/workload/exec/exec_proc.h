/*
 * exec_proc.h - one command of the exec workload as a state machine that
 * both faces drive: the blocking face polls it (exec_proc_wait), the event
 * loop watches its fds and calls the same steps.
 *
 * A command runs in its own process group (posix_spawn with
 * POSIX_SPAWN_SETPGROUP), stdin from a file, stdout to /dev/null or a pipe
 * (counted and digested), stderr to a pipe (its tail kept for the error
 * message).  The main process is watched through a pidfd.  When it exits,
 * or the deadline passes, the whole group gets SIGKILL, so nothing it
 * started outlives the task; the main process is reaped and every fd
 * closed.  Every fd is close-on-exec, so concurrent spawns from other
 * threads never inherit them.
 */
#ifndef EXEC_PROC_H
#define EXEC_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Bytes of stderr kept for the message: the end of it, where errors are. */
#define EXEC_TAIL 160

struct exec_proc {
	pid_t pid;
	int pidfd, out_fd, err_fd; /* -1 once closed */
	bool exited, timed_out;
	bool lost; /* waitpid found no such child: the status is unknown */
	int wstatus;
	uint64_t out_bytes;  /* stdout bytes, with stdout captured */
	uint64_t digest;     /* of stdout without its trailing newlines */
	unsigned pending_nl; /* newlines not yet digested */
	char tail[EXEC_TAIL];
	size_t tail_len;
};

struct exec_spawn {
	char *const *argv;
	char *const *envp;
	const char *stdin_path;
	bool capture_stdout;
};

/*
 * Can this kernel give a pidfd?  0, or -ENOSYS with a message: the exec
 * workload needs pidfd_open (Linux 5.3).
 */
int exec_proc_probe(char *err, size_t errlen);

/*
 * Start the command.  0, or a negative errno with "cannot run 'ARGV0':
 * REASON" in err (nothing left open, nothing running).
 */
int exec_proc_start(struct exec_proc *p, const struct exec_spawn *s, char *err,
		    size_t errlen);

/* Read what `fd` (p->out_fd or p->err_fd) holds; true at end of file. */
bool exec_proc_drain(struct exec_proc *p, int fd);
/* Close p->out_fd or p->err_fd (after the loop stopped watching it). */
void exec_proc_close_fd(struct exec_proc *p, int fd);

/* The deadline passed: SIGKILL the group; the pidfd then says it exited. */
void exec_proc_timeout(struct exec_proc *p);

/*
 * Has the main process exited (a zombie now, not reaped yet)?  A readable
 * pidfd says so; this guards against an event meant for an fd number that
 * was closed and reused.
 */
bool exec_proc_has_exited(const struct exec_proc *p);

/*
 * The pidfd is readable: the main process exited.  SIGKILL what is left of
 * its group, reap it, read what the pipes still hold and close every fd.
 */
void exec_proc_reap(struct exec_proc *p);

/*
 * The blocking face: poll the pidfd and the pipes until the main process
 * exited (timeout_ns after the start: exec_proc_timeout), then reap.
 */
void exec_proc_wait(struct exec_proc *p, int64_t timeout_ns);

/*
 * After exec_proc_reap: 0 when it exited with expect_exit, else a negative
 * code with "exit 3", "killed by signal 9 (SIGKILL)" or "timed out after
 * 2s", then the stderr tail, in err.  *ret_detail gets the exit code (or
 * 128 + the signal).
 */
int exec_proc_status(const struct exec_proc *p, int expect_exit,
		     int64_t timeout_ns, unsigned *ret_detail, char *err,
		     size_t errlen);

/* The digest of expected stdout text, as exec_proc computes it. */
uint64_t exec_digest_text(const char *text);

/* "2s", "200ms", "1500us" or "7ns": a duration as the user writes it. */
void exec_format_duration(int64_t ns, char *buf, size_t len);

#endif
