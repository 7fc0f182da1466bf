#define _GNU_SOURCE /* sigabbrev_np */
#include "runner.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "diag.h"
#include "job.h"
#include "latency.h"
#include "serverproc.h"
#include "util.h"

/*
 * The deterministic clock of golden tests.  Each reading advances 1 us plus
 * a step that cycles with the count of readings, so runs of the same cell
 * differ and the statistics (stddev, CI, outliers) have something to show.
 * A forked run inherits the counter, and the parent advances it once per
 * run, so the same experiment always yields the same times.
 */
static int64_t fake_clock_ns;

static int64_t fake_now_ns(void)
{
	int64_t old = __atomic_load_n(&fake_clock_ns, __ATOMIC_RELAXED), next;

	/* atomic: threaded strategies read it concurrently (golden tests use
	 * one worker, so their readings stay in a fixed order) */
	do
		next = old + 1000 + (old / 1000 % 7) * 100;
	while (!__atomic_compare_exchange_n(&fake_clock_ns, &old, next, true,
					    __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED));
	return next;
}

/*
 * What the experiment needs from the core: every strategy's declared needs,
 * and each workload cell's, narrowed by the workload's needs hook (the test
 * server only when url = builtin).
 */
static uint64_t experiment_needs(const struct matrix *m)
{
	uint64_t needs = 0;
	size_t i;

	for (i = 0; i < m->n_strategies; i++)
		needs |= m->strategies[i].plugin->desc->needs;
	for (i = 0; i < m->n_cells; i++) {
		const struct plugin *w =
			matrix_cell_workload(m, &m->cells[i])->plugin;

		needs |= plugin_needs(w, m->cells[i].wvals);
	}
	return needs;
}

static int start_server(struct runner *r, char *err, size_t errlen)
{
	char msg[CONCUR_ERRLEN], url[64];
	int rc = serverproc_start(NULL, &r->server, msg, sizeof(msg));

	if (rc < 0) {
		errf(err, errlen, "cannot start the builtin test server: %s",
		     msg);
		return rc;
	}
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/",
		 (unsigned)r->server.port);
	setenv(CONCUR_BUILTIN_URL_ENV, url, 1);
	return 0;
}

/* Does the word list `list` have a word starting with prefix[0..len)? */
static bool has_word(const char *list, const char *prefix, size_t len)
{
	for (; list && *list; list = strchr(list, ' '), list += !!list)
		if (strncmp(list, prefix, len) == 0)
			return true;
	return false;
}

/*
 * Append the NAME/VERSION words of `words` to r->libraries, each library
 * once (the first report wins); words without a NAME and a VERSION are
 * ignored, as the header promises.
 */
static void add_libraries(struct runner *r, const char *words)
{
	char *copy = xstrdup(words), *save = NULL, *w, *next;

	for (w = strtok_r(copy, " ", &save); w;
	     w = strtok_r(NULL, " ", &save)) {
		const char *slash = strchr(w, '/');

		if (!slash || slash == w || !slash[1] ||
		    has_word(r->libraries, w, (size_t)(slash - w) + 1))
			continue;
		next = xasprintf("%s%s%s", r->libraries ? r->libraries : "",
				 r->libraries ? " " : "", w);
		free(r->libraries);
		r->libraries = next;
	}
	free(copy);
}

/* The libraries of every plugin the experiment uses, and the server's. */
static void collect_libraries(struct runner *r, const struct matrix *m)
{
	char words[512];
	size_t i;

	for (i = 0; i < m->n_strategies + m->n_workloads; i++) {
		const struct plugin *p =
			i < m->n_strategies
				? m->strategies[i].plugin
				: m->workloads[i - m->n_strategies].plugin;

		words[0] = '\0';
		if (p->desc->libraries(words, sizeof(words)) == 0)
			add_libraries(r, words);
	}
	if (r->server.pid > 0)
		add_libraries(r, r->server.libraries);
}

/*
 * The task records of the biggest cell must fit: at most half of the
 * machine's memory, and mappable under this process's limits (ulimit -v).
 * Better to learn it now than in the middle of the night.
 */
static int check_memory(const struct config *cfg, const struct cell *c,
			size_t tasks, char *err, size_t errlen)
{
	size_t need = job_mapping_size(tasks);
	long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
	double half =
		pages > 0 && page > 0 ? (double)pages * (double)page / 2 : 0;
	struct job_shared *probe;

	if (half > 0 && (double)need > half) {
		errf(err, errlen,
		     "%s: cell %s needs %zu MiB for its %zu task records, more than the limit of half this machine's memory (%.0f MiB); use fewer tasks",
		     cfg->path, c->id, need >> 20, tasks, half / 1048576);
		return -ENOMEM;
	}
	probe = job_alloc(tasks);
	if (!probe) {
		errf(err, errlen,
		     "%s: cell %s needs %zu MiB for its %zu task records, more than this process may map (%s; see ulimit -v); use fewer tasks",
		     cfg->path, c->id, need >> 20, tasks, strerror(errno));
		return -ENOMEM;
	}
	job_unmap(probe, tasks);
	return 0;
}

int runner_prepare(struct runner *r, const struct config *cfg,
		   const struct matrix *m, bool start_server_now, char *err,
		   size_t errlen)
{
	const struct cell *biggest = NULL;
	size_t i, most = 0;
	int rc;

	memset(r, 0, sizeof(*r));
	r->cfg = cfg;
	r->m = m;
	r->fake = getenv("CONCUR_FAKE_CLOCK") &&
		  *getenv("CONCUR_FAKE_CLOCK") == '1';
	r->now_ns = r->fake ? fake_now_ns : mono_now_ns;
	r->results = xcalloc(m->n_cells, sizeof(*r->results));
	if (experiment_needs(m) & CONCUR_NEED_HTTP_SERVER) {
		if (start_server_now) {
			rc = start_server(r, err, errlen);
			if (rc < 0)
				return rc;
		} else if (!getenv(CONCUR_BUILTIN_URL_ENV)) {
			/* validate: plugins may check the URL, nothing connects */
			setenv(CONCUR_BUILTIN_URL_ENV, "http://127.0.0.1:1/",
			       1);
		}
	}
	collect_libraries(r, m);
	for (i = 0; i < m->n_cells; i++) {
		const struct cell *c = &m->cells[i];
		const struct plugin *w = matrix_cell_workload(m, c)->plugin;
		char msg[2 * CONCUR_ERRLEN];
		int64_t n = job_task_count(w, c->wvals, &c->extras, msg,
					   sizeof(msg));

		r->results[i].cell = c;
		matrix_cell_load(m, c, &r->results[i].load);
		if (n < 0) {
			errf(err, errlen, "%s: cell %s: %s", cfg->path, c->id,
			     msg);
			return -EINVAL;
		}
		if (n > RUNNER_MAX_TASKS) {
			errf(err, errlen,
			     "%s: cell %s has %lld tasks, more than the limit of %d per run",
			     cfg->path, c->id, (long long)n, RUNNER_MAX_TASKS);
			return -E2BIG;
		}
		r->results[i].tasks = (uint64_t)n;
		if (n > (int64_t)most) {
			most = (size_t)n;
			biggest = c;
		}
	}
	return biggest ? check_memory(cfg, biggest, most, err, errlen) : 0;
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

/* A run child that found concur gone before it could start. */
#define EXIT_ORPHANED 125

/* Kill what is left of the run's process group and reap the leader. */
static void kill_run(pid_t pid, bool reap, int *status, struct rusage *ru)
{
	kill(-pid, SIGKILL);
	if (reap)
		wait4(pid, status, 0, ru);
}

/*
 * The body of the run's child process: never returns.  It dies with concur
 * (kill -9 of concur must not leave a run burning CPU), and its forkpool
 * workers die with it in turn.
 */
static void run_child(struct runner *r, const struct cell *c,
		      struct job_shared *shared, size_t max_tasks, pid_t parent)
{
	const struct plugin *s = matrix_cell_strategy(r->m, c)->plugin;
	const struct plugin *w = matrix_cell_workload(r->m, c)->plugin;
	size_t i;

	for (i = 0; i < r->n_child_closes; i++)
		close(r->child_closes[i]);
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(EXIT_ORPHANED); /* concur died before prctl took effect */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	/* Plugins must not write to stdout: it carries concur's own output. */
	if (!isatty(STDOUT_FILENO))
		dup2(STDERR_FILENO, STDOUT_FILENO);
	job_run(s, c->svals, w, c->wvals, &c->extras, shared, max_tasks,
		r->now_ns);
	fflush(NULL);
	_exit(0);
}

/*
 * The children of this process (every thread's), but not the builtin test
 * server.  Returns how many were stored in pids[0..cap).
 */
static size_t list_children(const struct runner *r, pid_t *pids, size_t cap)
{
	DIR *tasks = opendir("/proc/self/task");
	struct dirent *de;
	size_t n = 0;

	while (tasks && (de = readdir(tasks)) != NULL) {
		char path[64];
		FILE *f;
		long pid;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%.20s/children",
			 de->d_name);
		f = fopen(path, "r");
		while (f && n < cap && fscanf(f, "%ld", &pid) == 1)
			if ((pid_t)pid != r->server.pid)
				pids[n++] = (pid_t)pid;
		if (f)
			fclose(f);
	}
	if (tasks)
		closedir(tasks);
	return n;
}

/* How long reap_strays waits for what it killed (SIGKILL is not instant
 * for a process in uninterruptible sleep). */
#define STRAY_WAIT_NS (5 * 1000000000LL)

/*
 * Kill and reap whatever a run left behind outside its process group: a
 * plugin process that called setsid() or setpgid() escapes the group kill,
 * but concur is a child subreaper, so it is re-parented here once its
 * parent dies.  Each round reaps what it kills, which re-parents their own
 * children to us for the next round.  The waits are bounded: a process
 * that does not die within STRAY_WAIT_NS of SIGKILL is reported on stderr
 * and left (the next run's reaping tries it again).  Returns how many were
 * reaped.
 */
static size_t reap_strays(const struct runner *r, const struct cell *c)
{
	int64_t deadline = mono_now_ns() + STRAY_WAIT_NS;
	pid_t pids[256], stuck = 0;
	size_t total = 0, n = 0, i, left = 0;
	int round;

	for (round = 0; round < 64; round++) {
		n = list_children(r, pids, ARRAY_SIZE(pids));
		if (n == 0)
			break;
		for (i = 0; i < n; i++) {
			kill(pids[i], SIGKILL);
			kill(-pids[i],
			     SIGKILL); /* its own group, if it made one */
		}
		for (i = 0, left = 0; i < n; i++) {
			int64_t rest = deadline - mono_now_ns();

			if (wait_child(pids[i], rest > 0 ? rest : 0, NULL) ==
			    0) {
				total++;
			} else {
				left++;
				stuck = pids[i];
			}
		}
		if (left && mono_now_ns() >= deadline)
			break;
	}
	if (left)
		diag_warn(
			"cell %s: %zu process(es) left by its run did not die within %lld s of SIGKILL (pid %ld among them); going on",
			c->id, left, STRAY_WAIT_NS / 1000000000LL, (long)stuck);
	return total;
}

/* A run that died: no figures, the reason in error. */
static void describe_exit(int status, struct run_record *rec)
{
	if (WIFSIGNALED(status)) {
		const char *abbrev = sigabbrev_np(WTERMSIG(status));

		rec->status = CELL_CRASHED;
		if (abbrev)
			snprintf(rec->error, sizeof(rec->error),
				 "run %u killed by SIG%s", rec->run, abbrev);
		else
			snprintf(rec->error, sizeof(rec->error),
				 "run %u killed by signal %d", rec->run,
				 WTERMSIG(status));
	} else if (WEXITSTATUS(status) == EXIT_ORPHANED) {
		rec->status = CELL_CRASHED;
		snprintf(rec->error, sizeof(rec->error),
			 "run %u: concur went away at its start", rec->run);
	} else if (WEXITSTATUS(status) != 0) {
		rec->status = CELL_CRASHED;
		snprintf(rec->error, sizeof(rec->error),
			 "run %u exited with status %d (a plugin called exit?)",
			 rec->run, WEXITSTATUS(status));
	}
}

static void no_figures(struct run_record *rec)
{
	rec->measured = false;
	rec->wall_s = rec->user_s = rec->sys_s = NAN;
	rec->max_rss_kib = rec->nvcsw = rec->nivcsw = 0;
	rec->tasks = rec->tasks_failed = 0;
}

/*
 * A strategy that runs tasks in worker processes of its own (forkpool)
 * survives a worker's death and marks the task it died in with -ECHILD:
 * that is a crash of the plugin all the same, so the run is "crashed",
 * though its figures stand.
 */
static void find_worker_crash(const struct job_shared *shared,
			      const struct job_outcome *out,
			      struct run_record *rec)
{
	size_t i;

	for (i = 0; i < out->n_tasks; i++) {
		if (shared->tasks[i].status != -ECHILD)
			continue;
		rec->status = CELL_CRASHED;
		snprintf(rec->error, sizeof(rec->error),
			 "run %u: a worker process died: %s", rec->run,
			 out->error_text);
		return;
	}
}

static void fill_record(struct runner *r, struct run_record *rec,
			const struct job_shared *shared,
			const struct job_outcome *out)
{
	rec->measured = true;
	rec->wall_s = (double)out->wall_ns / 1e9;
	rec->tasks = out->n_tasks;
	rec->tasks_failed = out->n_failed;
	if (!r->fake) {
		rec->user_s = (double)out->user_ns / 1e9;
		rec->sys_s = (double)out->sys_ns / 1e9;
		rec->max_rss_kib = out->max_rss_kib;
		rec->nvcsw = out->nvcsw;
		rec->nivcsw = out->nivcsw;
	}
	if (out->run_status != 0) {
		rec->status = CELL_FAILED;
		snprintf(rec->error, sizeof(rec->error), "%s", out->error_text);
	} else if (out->n_failed) {
		rec->status = CELL_FAILED;
		snprintf(rec->error, sizeof(rec->error),
			 "%llu of %llu tasks failed; first: %s",
			 (unsigned long long)out->n_failed,
			 (unsigned long long)out->n_tasks, out->error_text);
		find_worker_crash(shared, out, rec);
	}
}

/* a - b and a + b, saturated: the times come from a run's plugins. */
static int64_t sat_sub(int64_t a, int64_t b)
{
	int64_t d;

	if (!__builtin_sub_overflow(a, b, &d))
		return d;
	return a > b ? INT64_MAX : INT64_MIN;
}

static int64_t sat_add(int64_t a, int64_t b)
{
	int64_t d;

	if (!__builtin_add_overflow(a, b, &d))
		return d;
	return a > 0 ? INT64_MAX : INT64_MIN;
}

/*
 * An open-loop run's figures: each task's latency from its intended start
 * (origin + its offset in the schedule, which the parent computed exactly
 * as the child did), its service time and its start lag; and the rate the
 * run completed tasks at, from the first completion to the last.
 */
static void add_open_loop(struct cell_result *cr, struct run_record *rec,
			  const struct job_shared *shared,
			  const struct job_outcome *out, size_t n)
{
	int64_t first = INT64_MAX, last = INT64_MIN;
	size_t i, done = 0;

	for (i = 0; i < n; i++) {
		const struct concur_task *t = &shared->tasks[i];
		int64_t due = sat_add(out->origin_ns, cr->offsets[i]);

		if (!(t->flags & CONCUR_TASK_DONE))
			continue;
		latency_add(cr->latency, sat_sub(t->end_ns, due));
		latency_add(cr->service, sat_sub(t->end_ns, t->start_ns));
		latency_add(cr->lag, sat_sub(t->start_ns, due));
		first = t->end_ns < first ? t->end_ns : first;
		last = t->end_ns > last ? t->end_ns : last;
		done++;
	}
	if (done >= 2 && last > first)
		rec->achieved_rate = (double)(done - 1) * 1e9 /
				     ((double)last - (double)first);
}

/* Every finished task's latency (job_read_back checked the times). */
static void add_latencies(struct cell_result *cr, struct run_record *rec,
			  const struct job_shared *shared,
			  const struct job_outcome *out)
{
	size_t n = out->n_tasks, i;

	if (cr->offsets) {
		add_open_loop(cr, rec, shared, out,
			      n < cr->tasks ? n : cr->tasks);
		return;
	}
	for (i = 0; cr->latency && i < n; i++)
		if (shared->tasks[i].flags & CONCUR_TASK_DONE)
			latency_add(cr->latency,
				    shared->tasks[i].end_ns -
					    shared->tasks[i].start_ns);
}

/*
 * After the run's processes are gone: its fate goes into rec, its tasks'
 * latencies into cr (NULL for a warm-up run).  What the run left in
 * `shared` is read only through job_read_back's checked copy: a run that
 * corrupted it crashed, and its figures are thrown away.
 */
static void judge_run(struct runner *r, struct cell_result *cr,
		      struct run_record *rec, const struct job_shared *shared,
		      size_t max_tasks, int rc, int status)
{
	struct job_outcome out;
	char why[CONCUR_ERRLEN];

	if (rc == -ETIMEDOUT) {
		no_figures(rec);
		rec->status = CELL_TIMEOUT;
		snprintf(
			rec->error, sizeof(rec->error),
			"run %u timed out after %.3f s; its processes were killed",
			rec->run, (double)r->cfg->timeout_ns / 1e9);
		return;
	}
	describe_exit(status, rec);
	if (rec->status == CELL_CRASHED) {
		no_figures(rec);
		return;
	}
	if (job_read_back(shared, max_tasks, &out, why, sizeof(why)) < 0) {
		no_figures(rec);
		rec->status = CELL_CRASHED;
		snprintf(rec->error, sizeof(rec->error),
			 "run %u: the strategy %s; its figures are discarded",
			 rec->run, why);
		return;
	}
	fill_record(r, rec, shared, &out);
	if (cr)
		add_latencies(cr, rec, shared, &out);
}

/*
 * One run of cell c.  Returns 0 (rec filled, whatever the run's fate) or
 * -EINTR.  Nothing of the run outlives this call: its process group is
 * killed and strays are reaped whatever happened.
 */
static int run_once(struct runner *r, struct cell_result *cr,
		    struct run_record *rec, bool warmup)
{
	size_t max_tasks = cr->tasks;
	struct job_shared *shared = job_alloc(max_tasks);
	pid_t parent = getpid(), pid;
	struct rusage ru;
	int status = 0, rc;

	if (!shared) {
		no_figures(rec);
		rec->status = CELL_FAILED;
		snprintf(rec->error, sizeof(rec->error),
			 "cannot map %zu task records: %s", max_tasks,
			 strerror(errno));
		return 0;
	}
	shared->n_tasks = max_tasks;
	shared->load = cr->load;
	if (r->fake)
		fake_now_ns(); /* each run starts from a different reading */
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		no_figures(rec);
		rec->status = CELL_FAILED;
		snprintf(rec->error, sizeof(rec->error), "fork: %s",
			 strerror(errno));
		job_unmap(shared, max_tasks);
		return 0;
	}
	if (pid == 0)
		run_child(r, cr->cell, shared, max_tasks, parent);
	setpgid(pid, pid); /* no race with the child's own setpgid */
	rc = wait_run(r, pid, r->cfg->timeout_ns, &status, &ru);
	kill_run(pid, rc != 0, &status, &ru);
	reap_strays(r, cr->cell);
	if (rc != -EINTR)
		judge_run(r, warmup ? NULL : cr, rec, shared, max_tasks, rc,
			  status);
	job_unmap(shared, max_tasks);
	return rc == -EINTR ? -EINTR : 0;
}

/* The cell's figures over its measured runs (runs with figures). */
enum {
	FIG_WALL,
	FIG_USER,
	FIG_SYS,
	FIG_NVCSW,
	FIG_NIVCSW,
	FIG_ACHIEVED,
	FIG_COUNT
};

static void finish_cell(struct cell_result *cr)
{
	double *fig[FIG_COUNT];
	size_t i, k, n = 0, n_rate = 0;

	for (k = 0; k < FIG_COUNT; k++)
		fig[k] = xcalloc(cr->n_records + 1, sizeof(double));
	for (i = 0; i < cr->n_records; i++) {
		const struct run_record *run = &cr->runs[i];

		if (!run->measured)
			continue;
		fig[FIG_WALL][n] = run->wall_s;
		fig[FIG_USER][n] = run->user_s;
		fig[FIG_SYS][n] = run->sys_s;
		fig[FIG_NVCSW][n] = (double)run->nvcsw;
		fig[FIG_NIVCSW][n] = (double)run->nivcsw;
		if (run->achieved_rate > 0)
			fig[FIG_ACHIEVED][n_rate++] = run->achieved_rate;
		if (run->max_rss_kib > cr->max_rss_kib)
			cr->max_rss_kib = run->max_rss_kib;
		n++;
	}
	stats_summarise(fig[FIG_WALL], n, &cr->wall);
	cr->user_s = stats_median(fig[FIG_USER], n);
	cr->sys_s = stats_median(fig[FIG_SYS], n);
	cr->nvcsw = stats_median(fig[FIG_NVCSW], n);
	cr->nivcsw = stats_median(fig[FIG_NIVCSW], n);
	cr->achieved_rate =
		n_rate ? stats_median(fig[FIG_ACHIEVED], n_rate) : NAN;
	/* the schedule is needed only while runs come in: a long experiment
	 * of big open-loop cells must not keep every one */
	free(cr->offsets);
	cr->offsets = NULL;
	for (k = 0; k < FIG_COUNT; k++)
		free(fig[k]);
	cr->done = true;
}

/* Keep a run's outcome in the cell; the worst status wins. */
static void absorb(struct cell_result *cr, const struct run_record *rec,
		   bool warmup)
{
	if (rec->status > cr->status)
		cr->status = rec->status;
	if (rec->error[0] && !cr->error)
		cr->error = xasprintf("%s%s", warmup ? "warm-up: " : "",
				      rec->error);
	if (warmup)
		return;
	cr->tasks_failed += rec->tasks_failed;
	cr->runs[cr->n_records++] = *rec;
	cr->n_runs += rec->measured;
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

/*
 * An open-loop cell's schedule, computed once in the parent (the same
 * offsets each run's child computes), and its collectors.
 */
static void open_loop_prepare(struct cell_result *cr)
{
	size_t n = (size_t)cr->tasks;

	cr->offered_rate = cr->achieved_rate = NAN;
	if (cr->load.rate <= 0)
		return;
	cr->offsets = xcalloc(n ? n : 1, sizeof(*cr->offsets));
	schedule_fill(&cr->load, cr->offsets, n);
	cr->offered_rate = schedule_offered_rate(&cr->load, cr->offsets, n);
	cr->service = latency_create();
	cr->lag = latency_create();
}

/*
 * After a measured run: does repetitions = auto stop the cell (repeat.h)?
 * A cell that crashed or timed out stops for that reason instead; at the
 * last round a cell stops at the cap even when crashed runs left it fewer
 * measured runs than that.
 */
static enum repeat_stop auto_stop(const struct config *cfg,
				  const struct cell_result *cr, bool last)
{
	double *wall = xcalloc(cr->n_records + 1, sizeof(double));
	enum repeat_stop s;
	size_t i, n = 0;

	for (i = 0; i < cr->n_records; i++)
		if (cr->runs[i].measured)
			wall[n++] = cr->runs[i].wall_s;
	s = repeat_check(cfg, wall, n, cr->spent_ns);
	free(wall);
	if (cr->status >= CELL_TIMEOUT)
		return REPEAT_FIXED;
	return s == REPEAT_RUNNING && last ? REPEAT_MAX_REPETITIONS : s;
}

/* Run round `round` of cell cr; returns 0, -EINTR or a hook's error. */
static int step(struct runner *r, const struct runner_hooks *hooks,
		struct cell_result *cr, unsigned round)
{
	unsigned warmup = (unsigned)r->cfg->warmup;
	unsigned total = warmup + (unsigned)r->cfg->repetitions;
	struct run_record rec = { .achieved_rate = NAN };
	int64_t start;
	int rc;

	if (cr->done || cr->skip || cr->status >= CELL_TIMEOUT)
		return 0; /* a crashed or hung cell is not run again */
	if (r->interrupted && *r->interrupted)
		return -EINTR;
	if (!cr->runs) {
		cr->runs =
			xcalloc((size_t)r->cfg->repetitions, sizeof(*cr->runs));
		cr->latency = latency_create();
		open_loop_prepare(cr);
	}
	rec.run = round < warmup ? round + 1 : round - warmup + 1;
	if (hooks->run_start)
		hooks->run_start(hooks->arg, cr->cell, round + 1, total,
				 round < warmup);
	start = mono_now_ns();
	rc = run_once(r, cr, &rec, round < warmup);
	cr->spent_ns += mono_now_ns() - start;
	if (rc < 0)
		return rc;
	if (round >= warmup)
		rec.run = round - warmup + 1;
	absorb(cr, &rec, round < warmup);
	if (round >= warmup)
		cr->stopped_by = auto_stop(r->cfg, cr, round + 1 == total);
	if (round + 1 == total || cr->status >= CELL_TIMEOUT ||
	    cr->stopped_by > REPEAT_RUNNING) {
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

	/* Orphans of a run's plugin processes come to us, to be reaped. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (r->cfg->order == ORDER_GROUPED) {
		for (i = 0; i < r->m->n_cells && rc == 0; i++)
			for (round = 0; round < total && rc == 0; round++)
				rc = step(r, hooks, &r->results[order[i]],
					  round);
	} else {
		for (round = 0; round < total && rc == 0; round++)
			for (i = 0; i < r->m->n_cells && rc == 0; i++)
				rc = step(r, hooks, &r->results[order[i]],
					  round);
	}
	free(order);
	return rc;
}

void runner_cleanup(struct runner *r)
{
	pid_t server = r->server.pid;
	size_t i;

	if (serverproc_stop(&r->server) == -ETIMEDOUT)
		fprintf(stderr,
			"concur: warning: the builtin test server (pid %ld) did not stop within %lld s of SIGTERM; it was killed\n",
			(long)server, SERVERPROC_STOP_NS / 1000000000LL);
	free(r->libraries);
	r->libraries = NULL;
	for (i = 0; r->results && r->m && i < r->m->n_cells; i++) {
		free(r->results[i].runs);
		free(r->results[i].error);
		latency_destroy(r->results[i].latency);
		latency_destroy(r->results[i].service);
		latency_destroy(r->results[i].lag);
		free(r->results[i].offsets);
	}
	free(r->results);
	r->results = NULL;
}
