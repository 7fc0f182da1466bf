/*
 * cpu_sum - the CPU-bound workload of the article: task i computes
 *
 *     sum of k*k for 0 <= k < n,   n = first + i * step
 *
 * exactly, in unsigned 128-bit arithmetic, by really running the n
 * iterations (an empty asm barrier keeps gcc and clang from replacing the
 * loop by its closed form or vectorising it away).  The result record holds
 * a 64-bit digest of the sum; check_task recomputes the closed form
 * n(n-1)(2n-1)/6 and compares.
 *
 * Limits: n <= 2^32 for every task, so k*k fits in 64 bits and every sum
 * stays below 2^95; create rejects parameters that go beyond.
 *
 * Event-loop face: start_task arms a per-task timer with delay 0; each
 * firing runs `slice` iterations and re-arms, yielding to the loop between
 * slices, until the sum is done and the task is completed.  The per-task
 * state is malloc'd by start_task and kept on the worker's list (so that
 * worker_fini frees what a cut-short run left behind).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <concur/plugin.h>

#define CS_MAX_N (UINT64_C(1) << 32)
#define CS_DIGEST_MUL UINT64_C(0x9E3779B97F4A7C15)

typedef unsigned __int128 u128;

enum { CS_P_COUNT, CS_P_FIRST, CS_P_STEP, CS_P_SLICE };

static const struct concur_param cs_params[] = {
	[CS_P_COUNT] = { "count", CONCUR_PARAM_INT, "20", "0", "100000000",
			 "number of tasks" },
	[CS_P_FIRST] = { "first", CONCUR_PARAM_INT, "5000000", "0", NULL,
			 "task 0 sums k*k for k below this" },
	[CS_P_STEP] = { "step", CONCUR_PARAM_INT, "1", "0", NULL,
			"task i sums below first + i*step" },
	[CS_P_SLICE] = { "slice", CONCUR_PARAM_INT, "1000000", "1", NULL,
			 "event-loop face: iterations between yields to the loop" },
	{ NULL },
};

struct cs_instance {
	uint64_t count;
	uint64_t first;
	uint64_t step;
	uint64_t slice;
};

/* One task in flight on an event loop. */
struct cs_task {
	struct concur_timer timer; /* zeroed before first use */
	struct cs_worker *worker;
	struct cs_task *prev, *next;
	struct concur_task *rec;
	size_t task;
	uint64_t k, n;
	u128 sum;
};

/* A worker driving an event loop; blocking workers have none. */
struct cs_worker {
	const struct cs_instance *cs;
	struct concur_loop *loop;
	struct cs_task *live; /* tasks started and not yet completed */
};

static uint64_t cs_digest(u128 sum)
{
	return (uint64_t)sum ^ (uint64_t)(sum >> 64) * CS_DIGEST_MUL;
}

static uint64_t cs_task_n(const struct cs_instance *cs, size_t task)
{
	return cs->first + (uint64_t)task * cs->step;
}

/*
 * Add k*k for k in [from, to) to sum.  The asm makes k opaque on every
 * iteration, so the compiler can neither use the closed form nor vectorise:
 * the loop really runs to - from times at any -O level.
 */
static u128 cs_accumulate(u128 sum, uint64_t from, uint64_t to)
{
	uint64_t k;

	for (k = from; k < to; k++) {
		__asm__ volatile("" : "+r"(k));
		sum += k * k;
	}
	return sum;
}

/* The closed form n(n-1)(2n-1)/6, divided before multiplying: exact. */
static u128 cs_closed_form(uint64_t n)
{
	u128 a = n, b = n ? n - 1 : 0, c = n ? 2 * (u128)n - 1 : 0;

	if (a % 2 == 0)
		a /= 2;
	else
		b /= 2;
	if (a % 3 == 0)
		a /= 3;
	else if (b % 3 == 0)
		b /= 3;
	else
		c /= 3;
	return a * b * c;
}

/* Decimal text of a 128-bit value into buf (at least 40 bytes). */
static const char *cs_u128_text(u128 v, char *buf, size_t len)
{
	char *p = buf + len - 1;

	*p = '\0';
	do {
		*--p = (char)('0' + (int)(v % 10));
		v /= 10;
	} while (v && p > buf);
	return p;
}

static int cs_create(const union concur_value *params, void **ret_instance,
		     char *err, size_t errlen)
{
	struct cs_instance *cs;
	uint64_t last = 0;

	if (params[CS_P_COUNT].i < 0 || params[CS_P_FIRST].i < 0 ||
	    params[CS_P_STEP].i < 0 || params[CS_P_SLICE].i < 1) {
		snprintf(err, errlen,
			 "count, first and step must be >= 0 and slice >= 1");
		return -EINVAL;
	}
	if (params[CS_P_COUNT].i > 0 &&
	    (__builtin_mul_overflow((uint64_t)params[CS_P_COUNT].i - 1,
				    (uint64_t)params[CS_P_STEP].i, &last) ||
	     __builtin_add_overflow(last, (uint64_t)params[CS_P_FIRST].i,
				    &last) ||
	     last > CS_MAX_N)) {
		snprintf(
			err, errlen,
			"first + (count-1)*step must be at most 2^32 = %" PRIu64
			" (so that every sum stays exact in 128 bits)",
			CS_MAX_N);
		return -ERANGE;
	}
	cs = calloc(1, sizeof(*cs));
	if (!cs) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	cs->count = (uint64_t)params[CS_P_COUNT].i;
	cs->first = (uint64_t)params[CS_P_FIRST].i;
	cs->step = (uint64_t)params[CS_P_STEP].i;
	cs->slice = (uint64_t)params[CS_P_SLICE].i;
	*ret_instance = cs;
	return 0;
}

static void cs_destroy(void *instance)
{
	free(instance);
}

static size_t cs_task_count(void *instance)
{
	const struct cs_instance *cs = instance;

	return (size_t)cs->count;
}

/* Blocking workers need no state; loop workers keep their live tasks. */
static int cs_worker_init(void *instance, unsigned worker_id,
			  struct concur_loop *loop, void **ret_worker,
			  char *err, size_t errlen)
{
	struct cs_worker *w;

	(void)worker_id;
	*ret_worker = NULL;
	if (!loop)
		return 0;
	w = calloc(1, sizeof(*w));
	if (!w) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	w->cs = instance;
	w->loop = loop;
	*ret_worker = w;
	return 0;
}

/* Frees tasks left in flight; never touches the loop, which may be gone. */
static void cs_worker_fini(void *instance, void *worker)
{
	struct cs_worker *w = worker;

	(void)instance;
	if (!w)
		return;
	while (w->live) {
		struct cs_task *t = w->live;

		w->live = t->next;
		free(t);
	}
	free(w);
}

static int cs_run_task(void *instance, void *worker, size_t task,
		       struct concur_task *rec, char *err, size_t errlen)
{
	const struct cs_instance *cs = instance;

	(void)worker;
	(void)err;
	(void)errlen;
	rec->result = cs_digest(cs_accumulate(0, 0, cs_task_n(cs, task)));
	rec->bytes = 0;
	return 0;
}

static void cs_task_unlink(struct cs_task *t)
{
	if (t->prev)
		t->prev->next = t->next;
	else
		t->worker->live = t->next;
	if (t->next)
		t->next->prev = t->prev;
}

static void cs_task_finish(struct cs_task *t, int status, const char *error)
{
	struct concur_loop *loop = t->worker->loop;
	size_t task = t->task;

	cs_task_unlink(t);
	free(t);
	loop->complete(loop, task, status, error);
}

/* Timer callback: one slice of iterations, then yield or complete. */
static void cs_task_step(struct concur_loop *loop, void *arg)
{
	struct cs_task *t = arg;
	uint64_t to = t->n - t->k > t->worker->cs->slice
			      ? t->k + t->worker->cs->slice
			      : t->n;
	int rc;

	t->sum = cs_accumulate(t->sum, t->k, to);
	t->k = to;
	if (t->k < t->n) {
		rc = loop->timer_arm(loop, &t->timer, 0, cs_task_step, t);
		if (rc != 0) {
			t->rec->status = rc;
			cs_task_finish(t, rc, "cannot re-arm the slice timer");
		}
		return;
	}
	t->rec->result = cs_digest(t->sum);
	t->rec->bytes = 0;
	cs_task_finish(t, 0, NULL);
}

static int cs_start_task(void *instance, void *worker, size_t task,
			 struct concur_task *rec, struct concur_loop *loop,
			 char *err, size_t errlen)
{
	struct cs_worker *w = worker;
	struct cs_task *t;
	int rc;

	if (!w || w->loop != loop) {
		snprintf(
			err, errlen,
			"start_task needs a worker initialised with this loop");
		return -EINVAL;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	t->worker = w;
	t->rec = rec;
	t->task = task;
	t->n = cs_task_n(instance, task);
	rc = loop->timer_arm(loop, &t->timer, 0, cs_task_step, t);
	if (rc != 0) {
		free(t);
		snprintf(err, errlen, "cannot arm the slice timer");
		return rc;
	}
	t->next = w->live;
	if (w->live)
		w->live->prev = t;
	w->live = t;
	return 0;
}

static int cs_check_task(void *instance, size_t task,
			 const struct concur_task *rec, char *err,
			 size_t errlen)
{
	uint64_t n = cs_task_n(instance, task);
	u128 want = cs_closed_form(n);
	char buf[48];

	if (rec->result == cs_digest(want))
		return 0;
	snprintf(err, errlen,
		 "sum of squares below %" PRIu64 " has digest 0x%016" PRIx64
		 ", expected 0x%016" PRIx64 " (the digest of %s)",
		 n, rec->result, cs_digest(want),
		 cs_u128_text(want, buf, sizeof(buf)));
	return -EBADMSG;
}

static const struct concur_workload_ops cs_ops = {
	.size = CONCUR_WORKLOAD_OPS_SIZE,
	.create = cs_create,
	.destroy = cs_destroy,
	.task_count = cs_task_count,
	.worker_init = cs_worker_init,
	.worker_fini = cs_worker_fini,
	.run_task = cs_run_task,
	.start_task = cs_start_task,
	.check_task = cs_check_task,
};

CONCUR_PLUGIN_EXPORT const struct concur_plugin concur_plugin_v1 = {
	CONCUR_PLUGIN_INIT(CONCUR_KIND_WORKLOAD),
	.name = "cpu_sum",
	.version = "1.0",
	.description =
		"sums of squares below first + i*step, exact in 128 bits (CPU-bound)",
	.params = cs_params,
	.workload = &cs_ops,
};
