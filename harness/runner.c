#define _GNU_SOURCE /* sigabbrev_np */
#include "runner.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "job.h"
#include "testserver.h"
#include "util.h"

const char *cell_status_name(enum cell_status s)
{
	static const char *const names[] = { "ok", "failed", "timeout", "crashed" };

	return (unsigned)s < ARRAY_SIZE(names) ? names[s] : "unknown";
}

/*
 * The deterministic clock of golden tests: every reading advances 1 us.  A
 * forked run inherits the counter, so the same experiment yields the same
 * times.
 */
static int64_t fake_clock_ns;

static int64_t fake_now_ns(void)
{
	return fake_clock_ns += 1000;
}

/* Does any workload cell ask for the builtin server (url = builtin)? */
static bool wants_server(const struct matrix *m)
{
	size_t w, k, j;

	for (w = 0; w < m->n_workloads; w++) {
		const struct matrix_section *ms = &m->workloads[w];

		for (k = 0; k < ms->plugin->n_params; k++) {
			const struct matrix_param *mp = &ms->params[k];

			if (strcmp(mp->decl->name, "url") != 0)
				continue;
			for (j = 0; j < mp->n_choices; j++) {
				const char *t = mp->decl->type == CONCUR_PARAM_LIST ?
					(mp->choices[j].list.count ? mp->choices[j].list.items[0] : "") :
					mp->texts[j];

				if (strcmp(t, "builtin") == 0)
					return true;
			}
		}
	}
	return false;
}

static int start_server(struct runner *r, char *err, size_t errlen)
{
	struct testserver_options o = { 0 };
	uint16_t port = 0;
	char msg[CONCUR_ERRLEN], url[64];
	int rc = testserver_spawn(&o, &r->server_pid, &port, msg, sizeof(msg));

	if (rc < 0) {
		errf(err, errlen, "cannot start the builtin test server: %s", msg);
		return rc;
	}
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/", (unsigned)port);
	setenv(CONCUR_BUILTIN_URL_ENV, url, 1);
	return 0;
}

int runner_prepare(struct runner *r, const struct config *cfg,
		   const struct matrix *m, bool start_server_now, char *err,
		   size_t errlen)
{
	size_t i;
	int rc;

	memset(r, 0, sizeof(*r));
	r->cfg = cfg;
	r->m = m;
	r->fake = getenv("CONCUR_FAKE_CLOCK") && *getenv("CONCUR_FAKE_CLOCK") == '1';
	r->now_ns = r->fake ? fake_now_ns : mono_now_ns;
	r->results = xcalloc(m->n_cells, sizeof(*r->results));
	if (wants_server(m)) {
		if (start_server_now) {
			rc = start_server(r, err, errlen);
			if (rc < 0)
				return rc;
		} else if (!getenv(CONCUR_BUILTIN_URL_ENV)) {
			/* validate: plugins may check the URL, nothing connects */
			setenv(CONCUR_BUILTIN_URL_ENV, "http://127.0.0.1:1/", 1);
		}
	}
	for (i = 0; i < m->n_cells; i++) {
		const struct cell *c = &m->cells[i];
		const struct plugin *w = matrix_cell_workload(m, c)->plugin;
		char msg[2 * CONCUR_ERRLEN];
		int64_t n = job_task_count(w, c->wvals, msg, sizeof(msg));

		r->results[i].cell = c;
		if (n < 0) {
			errf(err, errlen, "%s: cell %s: %s", cfg->path, c->id, msg);
			return -EINVAL;
		}
		if (n > RUNNER_MAX_TASKS) {
			errf(err, errlen, "%s: cell %s has %lld tasks, more than the limit of %d per run",
			     cfg->path, c->id, (long long)n, RUNNER_MAX_TASKS);
			return -E2BIG;
		}
		r->results[i].tasks = (uint64_t)n;
	}
	return 0;
}

static int pidfd_open_compat(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

/*
 * Wait for the run's child up to timeout_ns (0 = forever), polling a pidfd
 * so a timeout needs no signals.  Returns 0 when it exited (status and
 * rusage filled), -ETIMEDOUT, or -EINTR when interrupted.
 */
static int wait_run(struct runner *r, pid_t pid, int64_t timeout_ns,
		    int *status, struct rusage *ru)
{
	int64_t deadline = timeout_ns ? mono_now_ns() + timeout_ns : 0;
	int fd = pidfd_open_compat(pid);
	int rc = 0;

	for (;;) {
		pid_t got = wait4(pid, status, WNOHANG, ru);
		int64_t left_ms = 200;

		if (got == pid)
			break;
		if (r->interrupted && *r->interrupted) {
			rc = -EINTR;
			break;
		}
		if (deadline) {
			int64_t left = deadline - mono_now_ns();

			if (left <= 0) {
				rc = -ETIMEDOUT;
				break;
			}
			if (left / 1000000 + 1 < left_ms)
				left_ms = left / 1000000 + 1;
		}
		if (fd >= 0) {
			struct pollfd p = { .fd = fd, .events = POLLIN };

			poll(&p, 1, (int)left_ms);
		} else {
			usleep(1000);
		}
	}
	if (fd >= 0)
		close(fd);
	return rc;
}

/* Kill what is left of the run's process group and reap the leader. */
static void kill_run(pid_t pid, bool reap, int *status, struct rusage *ru)
{
	kill(-pid, SIGKILL);
	if (reap)
		wait4(pid, status, 0, ru);
}

/* The body of the run's child process: never returns. */
static void run_child(struct runner *r, const struct cell *c,
		      struct job_shared *shared, size_t max_tasks)
{
	const struct plugin *s = matrix_cell_strategy(r->m, c)->plugin;
	const struct plugin *w = matrix_cell_workload(r->m, c)->plugin;

	setpgid(0, 0);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	/* Plugins must not write to stdout: it carries concur's own output. */
	if (!isatty(STDOUT_FILENO))
		dup2(STDERR_FILENO, STDOUT_FILENO);
	job_run(s, c->svals, w, c->wvals, shared, max_tasks, r->now_ns);
	fflush(NULL);
	_exit(0);
}

static void describe_exit(int status, struct run_record *rec)
{
	if (WIFSIGNALED(status)) {
		const char *abbrev = sigabbrev_np(WTERMSIG(status));

		rec->status = CELL_CRASHED;
		if (abbrev)
			snprintf(rec->error, sizeof(rec->error), "run %u killed by SIG%s",
				 rec->run, abbrev);
		else
			snprintf(rec->error, sizeof(rec->error), "run %u killed by signal %d",
				 rec->run, WTERMSIG(status));
	} else if (WEXITSTATUS(status) != 0) {
		rec->status = CELL_CRASHED;
		snprintf(rec->error, sizeof(rec->error),
			 "run %u exited with status %d (a plugin called exit?)",
			 rec->run, WEXITSTATUS(status));
	}
}

static void fill_record(struct runner *r, struct run_record *rec,
			const struct job_shared *shared)
{
	rec->wall_s = (double)shared->wall_ns / 1e9;
	rec->tasks = shared->n_tasks;
	rec->tasks_failed = shared->n_failed;
	if (!r->fake) {
		rec->user_s = (double)shared->user_ns / 1e9;
		rec->sys_s = (double)shared->sys_ns / 1e9;
		rec->max_rss_kib = shared->max_rss_kib;
		rec->nvcsw = shared->nvcsw;
		rec->nivcsw = shared->nivcsw;
	}
	if (shared->run_status != 0) {
		rec->status = CELL_FAILED;
		snprintf(rec->error, sizeof(rec->error), "%s", shared->error_text);
	} else if (shared->n_failed) {
		rec->status = CELL_FAILED;
		snprintf(rec->error, sizeof(rec->error), "%llu of %llu tasks failed; first: %s",
			 (unsigned long long)shared->n_failed,
			 (unsigned long long)shared->n_tasks, shared->error_text);
	}
}

/*
 * One run of cell c.  Returns 0 (rec filled, whatever the run's fate) or
 * -EINTR.
 */
static int run_once(struct runner *r, struct cell_result *cr,
		    struct run_record *rec)
{
	size_t max_tasks = cr->tasks;
	struct job_shared *shared = job_alloc(max_tasks);
	struct rusage ru;
	int status = 0, rc;
	pid_t pid;

	if (!shared) {
		rec->status = CELL_FAILED;
		snprintf(rec->error, sizeof(rec->error), "cannot map %zu task records: %s",
			 max_tasks, strerror(errno));
		return 0;
	}
	shared->n_tasks = max_tasks;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		rec->status = CELL_FAILED;
		snprintf(rec->error, sizeof(rec->error), "fork: %s", strerror(errno));
		job_release(shared);
		return 0;
	}
	if (pid == 0)
		run_child(r, cr->cell, shared, max_tasks);
	setpgid(pid, pid); /* no race with the child's own setpgid */
	rc = wait_run(r, pid, r->cfg->timeout_ns, &status, &ru);
	if (rc == -ETIMEDOUT) {
		kill_run(pid, true, &status, &ru);
		rec->status = CELL_TIMEOUT;
		snprintf(rec->error, sizeof(rec->error), "run %u timed out after %.3f s and was killed",
			 rec->run, (double)r->cfg->timeout_ns / 1e9);
	} else if (rc == -EINTR) {
		kill_run(pid, true, &status, &ru);
	} else {
		kill_run(pid, false, NULL, NULL); /* orphaned workers, if any */
		fill_record(r, rec, shared);
		describe_exit(status, rec);
	}
	if (rc == 0 && rec->status != CELL_CRASHED && cr->latency) {
		size_t i;

		for (i = 0; i < max_tasks; i++)
			if (shared->tasks[i].flags & CONCUR_TASK_DONE)
				latency_add(cr->latency, shared->tasks[i].end_ns -
							 shared->tasks[i].start_ns);
	}
	job_release(shared);
	return rc == -EINTR ? -EINTR : 0;
}

static double median_of(const struct cell_result *cr, size_t offset)
{
	double *x = xcalloc(cr->n_runs + 1, sizeof(double)), v;
	size_t i;

	for (i = 0; i < cr->n_runs; i++) {
		const char *base = (const char *)&cr->runs[i];

		if (offset == offsetof(struct run_record, nvcsw) ||
		    offset == offsetof(struct run_record, nivcsw))
			x[i] = (double)*(const int64_t *)(base + offset);
		else
			x[i] = *(const double *)(base + offset);
	}
	v = stats_median(x, cr->n_runs);
	free(x);
	return v;
}

static void finish_cell(struct cell_result *cr)
{
	double *wall = xcalloc(cr->n_runs + 1, sizeof(double));
	size_t i;

	for (i = 0; i < cr->n_runs; i++) {
		wall[i] = cr->runs[i].wall_s;
		if (cr->runs[i].max_rss_kib > cr->max_rss_kib)
			cr->max_rss_kib = cr->runs[i].max_rss_kib;
	}
	stats_summarise(wall, cr->n_runs, &cr->wall);
	free(wall);
	cr->user_s = median_of(cr, offsetof(struct run_record, user_s));
	cr->sys_s = median_of(cr, offsetof(struct run_record, sys_s));
	cr->nvcsw = median_of(cr, offsetof(struct run_record, nvcsw));
	cr->nivcsw = median_of(cr, offsetof(struct run_record, nivcsw));
	cr->done = true;
}

/* Keep a run's outcome in the cell; the worst status wins. */
static void absorb(struct cell_result *cr, const struct run_record *rec,
		   bool warmup)
{
	if (rec->status > cr->status)
		cr->status = rec->status;
	if (rec->error[0] && !cr->error)
		cr->error = xasprintf("%s%s", warmup ? "warm-up: " : "", rec->error);
	if (warmup)
		return;
	cr->tasks_failed += rec->tasks_failed;
	cr->runs[cr->n_runs++] = *rec;
}

/* Cells in the order they run: the baseline strategy's first (its medians
 * are needed for every other row's speedup). */
static size_t *run_order(const struct matrix *m)
{
	size_t *order = xcalloc(m->n_cells + 1, sizeof(size_t)), i, n = 0;

	for (i = 0; i < m->n_cells; i++)
		if (m->cells[i].strategy == m->baseline)
			order[n++] = i;
	for (i = 0; i < m->n_cells; i++)
		if (m->cells[i].strategy != m->baseline)
			order[n++] = i;
	return order;
}

/* Run round `round` of cell cr; returns 0, -EINTR or a hook's error. */
static int step(struct runner *r, const struct runner_hooks *hooks,
		struct cell_result *cr, unsigned round)
{
	unsigned warmup = (unsigned)r->cfg->warmup;
	unsigned total = warmup + (unsigned)r->cfg->repetitions;
	struct run_record rec = { 0 };
	int rc;

	if (cr->done || cr->status >= CELL_TIMEOUT)
		return 0; /* a crashed or hung cell is not run again */
	if (!cr->runs) {
		cr->runs = xcalloc((size_t)r->cfg->repetitions, sizeof(*cr->runs));
		cr->latency = latency_create();
	}
	rec.run = round < warmup ? round + 1 : round - warmup + 1;
	if (hooks->run_start)
		hooks->run_start(hooks->arg, cr->cell, round + 1, total, round < warmup);
	rc = run_once(r, cr, &rec);
	if (rc < 0)
		return rc;
	if (round >= warmup)
		rec.run = round - warmup + 1;
	absorb(cr, &rec, round < warmup);
	if (round + 1 == total || cr->status >= CELL_TIMEOUT) {
		finish_cell(cr);
		return hooks->cell_done(hooks->arg, cr);
	}
	return 0;
}

int runner_run(struct runner *r, const struct runner_hooks *hooks)
{
	unsigned total = (unsigned)(r->cfg->warmup + r->cfg->repetitions);
	size_t *order = run_order(r->m), i;
	unsigned round;
	int rc = 0;

	if (r->cfg->order == ORDER_GROUPED) {
		for (i = 0; i < r->m->n_cells && rc == 0; i++)
			for (round = 0; round < total && rc == 0; round++)
				rc = step(r, hooks, &r->results[order[i]], round);
	} else {
		for (round = 0; round < total && rc == 0; round++)
			for (i = 0; i < r->m->n_cells && rc == 0; i++)
				rc = step(r, hooks, &r->results[order[i]], round);
	}
	free(order);
	return rc;
}

void runner_cleanup(struct runner *r)
{
	size_t i;

	if (r->server_pid > 0)
		testserver_kill(r->server_pid);
	r->server_pid = 0;
	for (i = 0; r->results && r->m && i < r->m->n_cells; i++) {
		free(r->results[i].runs);
		free(r->results[i].error);
		latency_destroy(r->results[i].latency);
	}
	free(r->results);
	r->results = NULL;
}
