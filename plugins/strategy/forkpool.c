/*
 * forkpool - a pool of `workers` processes sharing the tasks dynamically.
 *
 * Workers are fork()ed after the workload's create, so they inherit its
 * state copy-on-write.  Each runs worker_init once (the pool initializer),
 * claims chunks of tasks from a counter in a MAP_SHARED mapping, writes
 * each task's record straight into job->tasks (shared by the core), runs
 * worker_fini and leaves with _exit(0): a child never returns into the
 * caller's code, never runs atexit handlers, never flushes stdio twice.
 * The parent only supervises: it reaps every worker with wait4, so their
 * CPU time and peak RSS count in the run's resource usage.
 *
 * A worker that dies (signal, exit(), abort()) never hangs the pool.  Each
 * worker publishes the task it is running in its shared slot; the task it
 * died in is marked failed with the reason ("worker 3 killed by SIGSEGV
 * during task 17"), status -ECHILD, and a replacement worker with the same
 * id is forked while tasks remain.  Tasks a dead worker had claimed but not
 * started are swept up in a second round, one task per claim, once the
 * pool drains.  Spawns are bounded by n_tasks + 2 * workers — enough for
 * one death per task plus both rounds' pools — so a workload that crashes
 * on every task, or in worker_init, still ends.
 *
 * While it runs, forkpool owns the children of the calling process: it
 * reaps with wait4(-1) (the core runs every run in a child process of its
 * own, so there are no others).  Workers get SIGKILL if the parent dies.
 *
 * chunk = 0 (the default) picks max(1, n / (workers * 64)) capped at 1024,
 * as pthreads does; chunk = 1 is plain dynamic scheduling.
 *
 * Open loop: as pthreads, the automatic chunk is 1 and a worker that claims
 * a task sleeps until its intended start.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <concur/plugin.h>

#include "strategy_common.h"

#define FP_NO_TASK (-1)

static const struct concur_param fp_params[] = {
	POOL_PARAMS("worker processes in the pool"),
	{ NULL },
};

enum fp_state {
	FP_STARTING = 0, /* forked, in worker_init */
	FP_RUNNING,	 /* worker_init succeeded */
	FP_INIT_FAILED,	 /* worker_init returned an error (in init_err) */
	FP_FINISHED,	 /* past worker_fini, about to _exit(0) */
};

/* One worker's window into shared memory, written by the child. */
struct fp_slot {
	atomic_llong current; /* task being run, or FP_NO_TASK */
	atomic_int state;     /* enum fp_state */
	size_t done; /* tasks of the round this worker id marked DONE */
	int init_rc;
	char init_err[CONCUR_ERRLEN];
};

struct fp_shared {
	atomic_size_t next; /* next unclaimed position of the round */
	struct fp_slot slots[];
};

/* The parent's bookkeeping for one run; children get a copy. */
struct fp_pool {
	const struct concur_job *job;
	struct fp_shared *sh;
	size_t map_len;
	unsigned workers;
	size_t chunk;
	const size_t *list; /* the round's tasks; NULL = 0..count-1 */
	size_t count;
	pid_t parent;
	pid_t *pids; /* per worker id; 0 = none alive */
	unsigned live;
	size_t spawns_left;
	int fail_rc; /* the first strategy-level failure */
	char fail_err[CONCUR_ERRLEN];
};

/* Keep the first strategy-level failure. */
static void fp_fail(struct fp_pool *pool, int rc, const char *msg)
{
	if (pool->fail_rc != 0)
		return;
	pool->fail_rc = rc < 0 ? rc : -EIO;
	snprintf(pool->fail_err, sizeof(pool->fail_err), "%s", msg);
}

/* ---- the worker process ---- */

static void fp_child_work(struct fp_pool *pool, struct fp_slot *slot,
			  void *worker)
{
	const struct concur_job *job = pool->job;
	const struct concur_workload_ops *w = job->workload;
	char msg[CONCUR_ERRLEN] = "";
	int64_t now = job->now_ns();
	size_t pos, end, i;
	int rc;

	for (;;) {
		pos = atomic_fetch_add(&pool->sh->next, pool->chunk);
		if (pos >= pool->count)
			break;
		end = pool->count - pos > pool->chunk ? pos + pool->chunk
						      : pool->count;
		for (; pos < end; pos++) {
			i = pool->list ? pool->list[pos] : pos;
			atomic_store_explicit(&slot->current, (long long)i,
					      memory_order_release);
			now = strategy_wait_start(job, i, now);
			job->tasks[i].start_ns = now;
			rc = w->run_task(job->instance, worker, i,
					 &job->tasks[i], msg, sizeof(msg));
			now = job->now_ns();
			job->tasks[i].end_ns = now;
			job->tasks[i].flags |= CONCUR_TASK_DONE;
			/* DONE before the count: a worker killed between
			 * them leaves the count short, never long */
			atomic_signal_fence(memory_order_seq_cst);
			slot->done++;
			atomic_store_explicit(&slot->current, FP_NO_TASK,
					      memory_order_release);
			if (rc != 0) {
				strategy_task_failed(job, i, rc, msg);
				msg[0] = '\0';
			}
		}
	}
}

/*
 * Map the task records (the core's shared mapping, already present in the
 * calling process) into this worker in one call.  A fork shares the pages
 * but not their page-table entries, so without this every page of records
 * a worker stamps costs it a page fault — where faults are dear (virtual
 * machines), most of a short task's dispatch cost.  Best effort: a kernel
 * without MADV_POPULATE_WRITE (< 5.14) faults them in as before.
 */
static void fp_map_records(const struct concur_job *job)
{
#ifdef MADV_POPULATE_WRITE
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t start = (uintptr_t)job->tasks & ~(page - 1);
	uintptr_t end = (uintptr_t)(job->tasks + job->n_tasks);

	if (job->n_tasks > 0)
		(void)madvise((void *)start, end - start, MADV_POPULATE_WRITE);
#else
	(void)job;
#endif
}

static __attribute__((noreturn)) void fp_child(struct fp_pool *pool,
					       unsigned id)
{
	const struct concur_job *job = pool->job;
	struct fp_slot *slot = &pool->sh->slots[id];
	void *worker = NULL;
	int rc;

	/* Never outlive a parent killed by the core's timeout. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != pool->parent)
		_exit(1);
	rc = job->workload->worker_init(job->instance, id, NULL, &worker,
					slot->init_err, sizeof(slot->init_err));
	if (rc != 0) {
		slot->init_rc = rc;
		atomic_store(&slot->state, FP_INIT_FAILED);
		_exit(0);
	}
	atomic_store(&slot->state, FP_RUNNING);
	fp_map_records(job);
	fp_child_work(pool, slot, worker);
	job->workload->worker_fini(job->instance, worker);
	atomic_store(&slot->state, FP_FINISHED);
	_exit(0);
}

/* ---- the parent ---- */

static int fp_spawn(struct fp_pool *pool, unsigned id)
{
	struct fp_slot *slot = &pool->sh->slots[id];
	char msg[CONCUR_ERRLEN];
	pid_t pid;

	if (pool->spawns_left == 0)
		return -EAGAIN;
	atomic_store(&slot->current, FP_NO_TASK);
	atomic_store(&slot->state, FP_STARTING);
	slot->init_rc = 0;
	slot->init_err[0] = '\0';
	/* Buffered output must not be written again by a child's exit(). */
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		int rc = -errno;

		snprintf(msg, sizeof(msg), "cannot fork worker %u: %s", id,
			 strerror(-rc));
		fp_fail(pool, rc, msg);
		return rc;
	}
	if (pid == 0)
		fp_child(pool, id);
	pool->pids[id] = pid;
	pool->live++;
	pool->spawns_left--;
	return 0;
}

/* "killed by SIGSEGV", "exited with status 3" */
static void fp_describe(int status, char *buf, size_t len)
{
	const char *abbrev;

	if (WIFSIGNALED(status)) {
		abbrev = sigabbrev_np(WTERMSIG(status));
		if (abbrev)
			snprintf(buf, len, "killed by SIG%s", abbrev);
		else
			snprintf(buf, len, "killed by signal %d",
				 WTERMSIG(status));
	} else {
		snprintf(buf, len, "exited with status %d",
			 WEXITSTATUS(status));
	}
}

/* Worker id died inside task: fail the task, unless it had finished. */
static void fp_fail_task(struct fp_pool *pool, unsigned id, size_t task,
			 const char *how)
{
	const struct concur_job *job = pool->job;
	struct concur_task *rec = &job->tasks[task];
	char msg[CONCUR_ERRLEN];

	if (rec->flags & CONCUR_TASK_DONE)
		return;
	snprintf(msg, sizeof(msg), "worker %u %s during task %zu", id, how,
		 task);
	rec->end_ns = job->now_ns();
	rec->status = -ECHILD;
	rec->flags |= CONCUR_TASK_DONE;
	job->task_error(job, task, msg);
}

/*
 * Account for worker id, reaped with `status`.  Returns true when it died
 * abnormally (anything but a clean exit after worker_fini).
 */
static bool fp_reaped(struct fp_pool *pool, unsigned id, int status)
{
	struct fp_slot *slot = &pool->sh->slots[id];
	long long task = atomic_load(&slot->current);
	int state = atomic_load(&slot->state);
	char how[64], msg[CONCUR_ERRLEN];

	if (state == FP_INIT_FAILED) {
		snprintf(msg, sizeof(msg), "worker %u: init failed: %.200s", id,
			 *slot->init_err ? slot->init_err
					 : strerror(-slot->init_rc));
		fp_fail(pool, slot->init_rc, msg);
		return false;
	}
	if (state == FP_FINISHED && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0)
		return false;
	fp_describe(status, how, sizeof(how));
	if (task != FP_NO_TASK) {
		fp_fail_task(pool, id, (size_t)task, how);
	} else {
		snprintf(msg, sizeof(msg), "worker %u %s outside any task (%s)",
			 id, how,
			 state == FP_STARTING ? "in worker_init"
			 : state == FP_RUNNING
				 ? "between tasks or in worker_fini"
				 : "after worker_fini");
		fp_fail(pool, -ECHILD, msg);
	}
	return true;
}

static int fp_find(const struct fp_pool *pool, pid_t pid)
{
	unsigned k;

	for (k = 0; k < pool->workers; k++)
		if (pool->pids[k] == pid)
			return (int)k;
	return -1;
}

/* Reap until no worker of the round is alive, replacing dead ones. */
static void fp_supervise(struct fp_pool *pool)
{
	int status, id;
	pid_t pid;

	while (pool->live > 0) {
		pid = wait4(-1, &status, 0, NULL);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			fp_fail(pool, -errno,
				"lost track of the worker processes");
			return;
		}
		id = fp_find(pool, pid);
		if (id < 0)
			continue;
		pool->pids[id] = 0;
		pool->live--;
		if (fp_reaped(pool, (unsigned)id, status) &&
		    atomic_load(&pool->sh->next) < pool->count &&
		    pool->sh->slots[id].state != FP_INIT_FAILED)
			fp_spawn(pool, (unsigned)id);
	}
}

/* One round: `count` tasks (from list, or 0..count-1), then drain. */
static void fp_round(struct fp_pool *pool, unsigned workers)
{
	unsigned k;

	atomic_store(&pool->sh->next, 0);
	for (k = 0; k < pool->workers; k++)
		pool->sh->slots[k].done = 0;
	for (k = 0; k < workers; k++)
		if (fp_spawn(pool, k) != 0)
			break;
	fp_supervise(pool);
}

/*
 * Tasks not DONE: claimed by a worker that died before starting them.
 * When the workers' counts add up to the round, there are none, and the
 * records are not scanned (a scan of every record, inside the timed
 * region, cost a million-task run about a fifth of its time).
 */
static size_t fp_leftovers(struct fp_pool *pool, size_t *list)
{
	const struct concur_job *job = pool->job;
	size_t i, n = 0, done = 0;
	unsigned k;

	for (k = 0; k < pool->workers; k++)
		done += pool->sh->slots[k].done;
	if (done == pool->count)
		return 0;
	for (i = 0; i < job->n_tasks; i++)
		if (!(job->tasks[i].flags & CONCUR_TASK_DONE))
			list[n++] = i;
	return n;
}

static int fp_pool_run(struct fp_pool *pool)
{
	size_t *list = NULL;
	unsigned w = pool->workers;

	pool->count = pool->job->n_tasks;
	pool->list = NULL;
	while (pool->fail_rc == 0) {
		fp_round(pool, w);
		if (pool->fail_rc != 0)
			break;
		if (!list)
			list = malloc(pool->job->n_tasks * sizeof(*list) + 1);
		if (!list) {
			fp_fail(pool, -ENOMEM, "out of memory");
			break;
		}
		pool->count = fp_leftovers(pool, list);
		pool->list = list;
		pool->chunk = 1; /* no orphans of orphans */
		if (pool->count == 0)
			break;
		if (pool->spawns_left == 0)
			fp_fail(pool, -ECHILD,
				"too many workers died; gave up");
		w = pool->count < w ? (unsigned)pool->count : w;
	}
	free(list);
	return pool->fail_rc;
}

static int fp_run(void *strategy, const struct concur_job *job, char *err,
		  size_t errlen)
{
	const struct pool_config *s = strategy;
	struct fp_pool pool = {
		.job = job,
		.workers = s->workers,
		.chunk = pool_chunk(job, s->chunk, s->workers),
		.parent = getpid(),
		.spawns_left = job->n_tasks + 2 * (size_t)s->workers,
	};
	int rc;

	pool.map_len =
		sizeof(struct fp_shared) + s->workers * sizeof(struct fp_slot);
	pool.sh = mmap(NULL, pool.map_len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pool.pids = calloc(s->workers, sizeof(*pool.pids));
	if (pool.sh == MAP_FAILED || !pool.pids) {
		snprintf(err, errlen, "cannot allocate the pool of %u workers",
			 s->workers);
		rc = -ENOMEM;
		goto out;
	}
	rc = fp_pool_run(&pool);
	if (rc != 0)
		snprintf(err, errlen, "%s", pool.fail_err);
out:
	if (pool.sh != MAP_FAILED)
		munmap(pool.sh, pool.map_len);
	free(pool.pids);
	return rc;
}

static const struct concur_strategy_ops fp_ops = {
	.size = CONCUR_STRATEGY_OPS_SIZE,
	.create = pool_create,
	.destroy = pool_destroy,
	.run = fp_run,
};

CONCUR_PLUGIN_EXPORT const struct concur_plugin concur_plugin_v1 = {
	CONCUR_PLUGIN_INIT(CONCUR_KIND_STRATEGY),
	.name = "forkpool",
	.version = "1.0",
	.description =
		"a pool of forked worker processes claiming tasks from shared memory",
	.params = fp_params,
	.strategy = &fp_ops,
	.caps = CONCUR_CAP_OPEN_LOOP | CONCUR_CAP_BLOCKING,
};
