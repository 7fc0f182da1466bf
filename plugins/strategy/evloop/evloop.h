/*
 * evloop.h - the event-loop strategy shared by epoll and io_uring: tasks
 * claimed from a shared counter by `threads` independent loops, the
 * in-flight bound, the open-loop release, the timer heap, fd bookkeeping
 * and the asynchronous operations' fallback.  A backend supplies only what
 * talks to the kernel: telling it which fds to watch, waiting, and (when
 * it can) submitting reads and writes itself.
 *
 * A workload without start_task still runs, but blocking: run_task is
 * called from inside the loop and nothing else happens until it returns.
 * That is the article's lesson about calling `requests` inside asyncio: an
 * event loop only helps when the work yields to it.
 *
 * Open loop (CONCUR_CAP_OPEN_LOOP, job->intended_start_ns): a loop claims
 * the next task only when it has a free in-flight slot, and holds it until
 * its intended start, with a release timer armed for that instant; a task
 * that waits for a slot is started as soon as one frees, late, and its
 * latency shows it.
 */
#ifndef CONCUR_EVLOOP_H
#define CONCUR_EVLOOP_H

#include <pthread.h>
#include <stdbool.h>

#include <concur/plugin.h>

struct evloop;

struct evloop_backend {
	/* What failed waiting, for messages: "epoll_wait". */
	const char *wait_name;
	/* Create the loop's kernel objects (l->be_state); 0 or -errno. */
	int (*open)(struct evloop *l, char *err, size_t errlen);
	/* Release them.  Called for every loop open was called for. */
	void (*close)(struct evloop *l);
	/*
	 * The fd's interest is now `events` (0 = none); l->fds[fd] still holds
	 * the previous one.  0 or a negative errno.
	 */
	int (*watch)(struct evloop *l, int fd, unsigned events);
	/*
	 * Wait until something happens or `deadline` (CLOCK_MONOTONIC ns; 0 =
	 * none, -1 = do not block) passes, reporting ready fds with
	 * evloop_fd_ready and finishing the backend's own operations.
	 */
	int (*wait)(struct evloop *l, int64_t deadline);
	/*
	 * Optional: native read_at / write_at (contract in <concur/plugin.h>);
	 * NULL = the portable ones of loop_io.h.
	 */
	int (*submit)(struct evloop *l, struct concur_io *io, bool write);
	/* With submit: its operations in flight, and ending them (no callback). */
	size_t (*pending)(const struct evloop *l);
	void (*cancel_all)(struct evloop *l);
};

struct evloop_fd {
	concur_fd_cb cb;
	void *arg;
	unsigned events; /* 0 = not watched */
	uint32_t gen;	 /* the backend's: bumped on each change of interest */
	bool armed;	 /* the backend's: a kernel request is outstanding */
};

struct evloop_run {
	const struct concur_job *job;
	const struct evloop_backend *be;
	size_t next;   /* next task to claim; atomic */
	bool blocking; /* the workload has no start_task */
};

struct evloop {
	struct concur_loop pub; /* first: what the workload sees */
	struct evloop_run *run;
	unsigned id;
	void *be_state;	       /* the backend's */
	struct loop_io *lio;   /* portable operations; NULL until needed */
	struct evloop_fd *fds; /* indexed by fd */
	size_t fds_cap, n_watched;
	struct concur_timer **heap;
	size_t heap_len, heap_cap;
	bool in_timers;	    /* expired timers are running ...      */
	int64_t timer_pass; /* ... for deadlines up to this time */
	size_t inflight, limit;
	bool exhausted; /* no task left to claim */
	bool draining;	/* every task ended: operations end uncalled */
	/* Open loop: a claimed task held until its intended start. */
	bool has_pending, waiting;
	size_t pending;
	struct concur_timer release;
	pthread_t thread;
	int rc;
	char err[CONCUR_ERRLEN];
};

/* For a backend's wait: fd became ready; calls its callback if watched. */
void evloop_fd_ready(struct evloop *l, int fd, unsigned revents);

/* For a backend's wait: the kernel dropped fd (closed): forget it. */
void evloop_fd_forget(struct evloop *l, int fd);

int64_t evloop_clock_ns(void);

/* The strategy hooks, for the backend's plugin description. */
int evloop_create(const union concur_value *params, void **ret_strategy,
		  char *err, size_t errlen);
void evloop_destroy(void *strategy);
int evloop_strategy_run(const struct evloop_backend *be, void *strategy,
			const struct concur_job *job, char *err, size_t errlen);

/* The parameters every event-loop strategy takes, in create's order. */
#define EVLOOP_PARAMS                                                          \
	{ "max_inflight",                                                      \
	  CONCUR_PARAM_INT,                                                    \
	  "0",                                                                 \
	  "0",                                                                 \
	  NULL,                                                                \
	  "most tasks started but not completed at once, split across the "    \
	  "threads; 0 = every task at once" },                                 \
	{                                                                      \
		"threads", CONCUR_PARAM_INT, "1", "1", "256",                  \
			"independent event loops, each on its own thread, "    \
			"claiming tasks from a shared counter"                 \
	}

#endif
