/*
 * <concur/plugin.h> - the one public header of the concur plugin ABI.
 *
 * A plugin is a shared object that exports exactly one symbol,
 *
 *     CONCUR_PLUGIN_EXPORT const struct concur_plugin concur_plugin_v1 = {
 *             CONCUR_PLUGIN_INIT(CONCUR_KIND_WORKLOAD),
 *             .name = "mine", ...
 *     };
 *
 * describing either a *strategy* (how tasks are run: synchronously, on
 * threads, on an event loop, on processes) or a *workload* (what a task is:
 * an HTTP download, a sum of squares).  Everything a plugin may use is in
 * this file; plugins never include anything else from concur (the shipped
 * plugins are built with nothing but this header's folder on their include
 * path).
 *
 * How the ABI grows (the loader enforces this; docs/writing-plugins.md
 * explains it to plugin authors by these numbers):
 *
 *  1. abi_version is the first field of the description and is checked
 *     before anything else is read.  It changes only when a rule below has
 *     to be broken, and then the loader refuses plugins of the other version.
 *  2. Every table one side hands the other begins with `size`: the sizeof of
 *     the struct as its provider was compiled.  Plugin-provided: struct
 *     concur_plugin, struct concur_strategy_ops, struct concur_workload_ops,
 *     struct concur_loop - fill it with CONCUR_PLUGIN_INIT and CONCUR_*_SIZE.
 *     Core-provided: struct concur_job.  Fields are only ever appended.
 *  3. The reader uses only the fields that lie inside the provider's `size`.
 *     The core copies that prefix of a plugin's tables and fills every
 *     missing or NULL optional hook with a default that behaves as if the
 *     hook did not exist, so a plugin built against an earlier v1 header
 *     keeps loading and running.  A plugin reading a table from the core or
 *     from a strategy checks CONCUR_HAS(ptr, field) before using a field
 *     marked "(since v1.N)".
 *  4. A table larger than the reader knows (a plugin built against a newer
 *     header) is read up to the reader's own size; the rest is ignored.  So
 *     every appended hook is optional, with a default that keeps the old
 *     behaviour.  A plugin that cannot work without something newer says so
 *     in `needs`, and the loader refuses a need it does not know.
 *  5. What is laid out in arrays or in storage the other side allocates is
 *     frozen for the whole major version, since both sides bake in its size:
 *     struct concur_param, union concur_value, struct concur_list,
 *     struct concur_task, struct concur_timer, struct concur_extra_key,
 *     struct concur_io.  Enum values and flag bits
 *     are never renumbered or reused.
 *  6. The tables of the first v1 header (v1.0, concur 0.1) had no `size`.
 *     The core still loads and runs such plugins, with any other plugin:
 *     it knows them by the description's second word, which held their
 *     kind (1 or 2) where `size` (always 64 or more) is now, and adapts
 *     their tables, job and event loop to this layout
 *     (docs/writing-plugins.md "Plugins built for concur 0.1").  Any other
 *     value below 64 is refused.
 *
 * Ownership: everything the core hands a plugin (parameter values, the job,
 * task records, the loop) is owned by the core and valid for the duration of
 * the call it was passed to, unless said otherwise below.  Everything a
 * plugin returns through a ret_ pointer is owned by the plugin and released
 * by the matching destroy / fini hook.
 *
 * Errors: hooks return 0 on success or a negative errno-style code on
 * failure, with a one-line message (no trailing newline) written into the
 * caller's buffer `err` of `errlen` bytes.  Plugins never print, never exit
 * and never abort on bad input: the core shows the message with context.
 */
#ifndef CONCUR_PLUGIN_H
#define CONCUR_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CONCUR_ABI_VERSION 1
/*
 * This header's revision within the major version, v1.CONCUR_ABI_MINOR:
 * each revision only appends (rules 2 to 4), and "(since v1.N)" marks what
 * revision N added.
 */
#define CONCUR_ABI_MINOR 4
/* The symbol the loader looks up in every plugin .so. */
#define CONCUR_PLUGIN_SYMBOL "concur_plugin_v1"
/* Exports the plugin description even when built with -fvisibility=hidden. */
#define CONCUR_PLUGIN_EXPORT __attribute__((visibility("default")))

/*
 * Rule 3 for a plugin reading a sized table it did not build: is `field`
 * inside the part the provider has?  E.g. CONCUR_HAS(job, some_new_field).
 */
#define CONCUR_HAS(ptr, field)                                                 \
	((ptr)->size >=                                                        \
	 offsetof(__typeof__(*(ptr)), field) + sizeof((ptr)->field))

/* ---------------------------------------------------------------------
 * Needs and capabilities (struct concur_plugin.needs / .caps)
 * ------------------------------------------------------------------ */

/*
 * needs: what the plugin requires the core to provide.  The core provides
 * every need of every plugin an experiment uses.  A need bit the core does
 * not know makes it refuse the plugin when loading it, naming the bit:
 * a need is not optional.
 *
 * CONCUR_NEED_HTTP_SERVER: the embedded HTTP test server (docs/plugins.md "The
 * I/O side").  The core starts it once per experiment, in its
 * own process, and puts its base URL, "http://127.0.0.1:PORT/", in the
 * environment variable CONCUR_BUILTIN_URL_ENV before any plugin instance is
 * created.  Requests take ?delay_ms=N&size=BYTES.  The same port speaks
 * HTTP/1.1 and HTTP/2 over cleartext with prior knowledge.  A workload that needs the
 * server only for some parameter values narrows the need with its `needs`
 * hook.
 */
#define CONCUR_NEED_HTTP_SERVER (UINT64_C(1) << 0)
#define CONCUR_BUILTIN_URL_ENV "CONCUR_BUILTIN_URL"

/*
 * caps: what the plugin can do beyond the baseline every plugin of its kind
 * offers.  A capability is an offer: a bit the core does not know is
 * ignored.  Bits are assigned in order here, one namespace for both kinds,
 * never reused.
 *
 * CONCUR_CAP_OPEN_LOOP (strategies, since v1.1): the strategy honours an
 * open-loop schedule, job->intended_start_ns (docs/open-loop.md): it
 * never starts a task before its intended start and, when behind, starts
 * it as soon as it can.  The core runs a workload cell with `rate` > 0
 * only on strategies that declare it, and refuses the experiment at
 * validate otherwise.
 */
#define CONCUR_CAP_OPEN_LOOP (UINT64_C(1) << 0)
/*
 * CONCUR_CAP_EXTRA_KEYS (workloads, since v1.2): the workload takes keys its
 * parameter table does not name.  In its sections the core then accepts any
 * other key (letters, digits, '_' and '.', e.g. env.PATH) instead of
 * refusing it as unknown; the value is text, crossed like a STRING
 * parameter (a comma list crosses), and names cells and the CSV column
 * `workload.KEY` like any parameter.  The core hands a cell's extra keys to
 * the extra_keys hook, which a workload declaring this bit must provide
 * (the loader refuses it otherwise).
 */
#define CONCUR_CAP_EXTRA_KEYS (UINT64_C(1) << 1)
/*
 * CONCUR_CAP_EVENT_LOOP (strategies, since v1.4): the strategy's workers
 * drive event loops: worker_init gets a loop, and tasks start through
 * start_task where the workload has it.  CONCUR_CAP_BLOCKING (strategies,
 * since v1.4): its workers never get a loop; they call run_task.  The core
 * tells the workload's prepare_face which of the two the run uses, so that
 * set-up only one face uses is made only for it.
 */
#define CONCUR_CAP_EVENT_LOOP (UINT64_C(1) << 2)
#define CONCUR_CAP_BLOCKING (UINT64_C(1) << 3)
/*
 * The face argument of a workload's prepare_face (since v1.4):
 * CONCUR_FACE_LOOP when the run's strategy declares CONCUR_CAP_EVENT_LOOP,
 * CONCUR_FACE_BLOCKING when it declares CONCUR_CAP_BLOCKING, and
 * CONCUR_FACE_UNSAID when it declares neither (one built against an older
 * header): then either face may follow.
 */
#define CONCUR_FACE_UNSAID 0
#define CONCUR_FACE_BLOCKING 1
#define CONCUR_FACE_LOOP 2

/* Size of every error buffer the core passes to a hook. */
#define CONCUR_ERRLEN 256

enum concur_kind {
	CONCUR_KIND_STRATEGY = 1,
	CONCUR_KIND_WORKLOAD = 2,
};

/* ---------------------------------------------------------------------
 * Parameters
 * ------------------------------------------------------------------ */

/* Parameter types, and the member of union concur_value each one fills. */
enum concur_param_type {
	CONCUR_PARAM_INT = 1,	   /* signed 64-bit integer: .i */
	CONCUR_PARAM_FLOAT = 2,	   /* double: .f */
	CONCUR_PARAM_BOOL = 3,	   /* true/false/yes/no/on/off/1/0: .b */
	CONCUR_PARAM_STRING = 4,   /* text: .s */
	CONCUR_PARAM_DURATION = 5, /* 500us, 20ms, 1.5s; bare = s: .ns */
	CONCUR_PARAM_SIZE = 6,	   /* 1500, 10k, 1MiB, 1MB: .bytes */
	CONCUR_PARAM_LIST = 7,	   /* one item per line, never crosses: .list */
};

/*
 * One entry of a plugin's parameter table; the table ends with an entry whose
 * name is NULL.  Names are [a-z0-9_]+.  `plugin` is reserved by the core.
 *
 * default_value: the value used when the experiment does not set the key,
 *   written exactly as a user would write it in the INI file ("$ncpus",
 *   "20ms", "true").  NULL means "no default": for a LIST it means the empty
 *   list, for a STRING the empty string, for other types the key is required.
 * min, max: inclusive bounds written in the parameter's own syntax ("1",
 *   "4096", "1ms"), checked by the core for INT, FLOAT, DURATION and SIZE;
 *   NULL means unbounded on that side.
 * doc: one line shown by `concur list` and in error messages.
 * Frozen within the major version (rule 5): plugins lay it out in arrays.
 */
struct concur_param {
	const char *name;
	enum concur_param_type type;
	const char *default_value;
	const char *min;
	const char *max;
	const char *doc;
};

/*
 * One key of a workload section that its parameter table does not name
 * (CONCUR_CAP_EXTRA_KEYS), with this cell's value as text.  Frozen within
 * the major version (rule 5): the core hands an array of them (since v1.2).
 */
struct concur_extra_key {
	const char *name;
	const char *value;
};

struct concur_list {
	size_t count;
	const char *const *items;
};

/*
 * A resolved parameter value.  The core passes an array of these in the same
 * order as the plugin's parameter table: values[k] belongs to params[k].
 * Strings and list items are owned by the core and outlive the instance
 * created from them.  Frozen within the major version (rule 5).
 */
union concur_value {
	int64_t i;
	double f;
	bool b;
	const char *s;
	int64_t ns;
	uint64_t bytes;
	struct concur_list list;
};

/* ---------------------------------------------------------------------
 * Tasks
 * ------------------------------------------------------------------ */

/* concur_task.flags */
#define CONCUR_TASK_DONE 0x1u	  /* set by the strategy when the task ended */
#define CONCUR_TASK_NEW_CONN 0x2u /* the task opened a new connection      */

/*
 * The record of one task of one run.  The core allocates one per task in a
 * MAP_SHARED anonymous mapping, zeroed, so a strategy may fork and let its
 * child processes write them directly.
 *
 * Written by the strategy: start_ns, end_ns (CLOCK_MONOTONIC, from
 * job->now_ns), and CONCUR_TASK_DONE in flags.
 * Written by the workload's run_task / start_task: status, result, bytes,
 * detail and any other flags.
 *
 * status -ECHILD is reserved for strategies that run tasks in worker
 * processes: it says the process running the task died (signal, exit), and
 * the core then reports the cell as crashed rather than failed.
 *
 * Frozen within the major version (rule 5): strategies index the array.
 */
struct concur_task {
	int64_t start_ns;
	int64_t end_ns;
	uint64_t result; /* workload-defined digest, checked by check_task */
	uint64_t bytes;	 /* payload moved by the task, 0 if not applicable */
	int32_t status;	 /* 0 = success, negative errno-style = failed     */
	uint16_t detail; /* workload-defined, e.g. the HTTP status code    */
	uint16_t flags;	 /* CONCUR_TASK_*                                  */
};

/* ---------------------------------------------------------------------
 * The event-loop interface an event-loop strategy hands to workloads
 * ------------------------------------------------------------------ */

#define CONCUR_EV_READ 0x1u
#define CONCUR_EV_WRITE 0x2u
#define CONCUR_EV_ERROR 0x4u /* only ever reported, never requested */

struct concur_loop;

typedef void (*concur_fd_cb)(struct concur_loop *loop, int fd, unsigned revents,
			     void *arg);
typedef void (*concur_timer_cb)(struct concur_loop *loop, void *arg);

/*
 * Storage for one timer, owned by the caller and opaque to it: the loop keeps
 * its bookkeeping here, so arming never allocates.  Zero it before first use.
 * Frozen within the major version (rule 5): the workload allocates it.
 */
struct concur_timer {
	int64_t deadline_ns;
	size_t slot;
	concur_timer_cb cb;
	void *arg;
};

/* since v1.3 */
struct concur_io;
typedef void (*concur_io_cb)(struct concur_loop *loop, struct concur_io *io,
			     int64_t result, void *arg);
/*
 * Storage for one asynchronous operation, owned by the caller (like struct
 * concur_timer): zero it before first use, keep it alive and untouched
 * until its callback has run.  Frozen within the major version (rule 5).
 */
struct concur_io {
	int fd;
	uint32_t op; /* loop-private */
	void *buf;
	uint64_t len;
	int64_t offset; /* byte offset; -1 = the fd's current position (sockets, pipes) */
	concur_io_cb cb;
	void *arg;
	uint64_t priv[4]; /* the loop's bookkeeping */
};

/*
 * Implemented by an event-loop strategy (epoll), called by a workload's
 * start_task and by the callbacks it registers.  All calls come from the
 * loop's own thread.  The strategy embeds this struct in its own state and
 * sets .size = CONCUR_LOOP_SIZE; every hook inside that size is present.
 * A workload checks CONCUR_HAS(loop, field) before using a hook marked
 * "(since v1.N)": a loop built against an earlier header lacks it.
 */
struct concur_loop {
	uint32_t size; /* sizeof(struct concur_loop) of the strategy's build */
	/*
	 * Watch fd for `events` (CONCUR_EV_READ | CONCUR_EV_WRITE), level-
	 * triggered, calling cb on readiness.  Calling again for the same fd
	 * replaces the events and callback; events == 0 stops watching.  The
	 * loop tolerates fds that were closed (and perhaps reused) before they
	 * were unwatched.  Returns 0 or a negative errno.
	 */
	int (*watch)(struct concur_loop *loop, int fd, unsigned events,
		     concur_fd_cb cb, void *arg);
	/*
	 * Arm `timer` to call cb once after delay_ns (0 = on the next loop
	 * iteration, never re-entrantly from inside this call).  Re-arming an
	 * armed timer moves it.  Returns 0 or a negative errno.
	 */
	int (*timer_arm)(struct concur_loop *loop, struct concur_timer *timer,
			 int64_t delay_ns, concur_timer_cb cb, void *arg);
	/* Disarm `timer`; harmless when it is not armed. */
	void (*timer_cancel)(struct concur_loop *loop,
			     struct concur_timer *timer);
	/*
	 * Declare task `task` finished.  The workload has filled the task's
	 * record; status 0 = success, else `error` (may be NULL) says why.  The
	 * loop stamps end_ns.  Call exactly once per started task, possibly
	 * from inside start_task itself.
	 */
	void (*complete)(struct concur_loop *loop, size_t task, int status,
			 const char *error);
	/* Monotonic clock of the run, nanoseconds. */
	int64_t (*now_ns)(void);
	/*
	 * (since v1.3) Submit a read of up to len bytes at offset into buf, or
	 * a write of len bytes from buf.  Returns 0 when submitted: cb then
	 * runs exactly once, on the loop's thread, never from inside this
	 * call, with the byte count (0 = end of file) or a negative errno.
	 * Returns a negative errno when not submitted (cb never runs).
	 * Regular files and sockets/pipes are both accepted.  A workload
	 * checks CONCUR_HAS(loop, read_at) and falls back to blocking calls.
	 * A loop that has these hooks finishes or cancels every submitted
	 * operation before its run returns; a task that completes with an
	 * operation still in flight is a workload bug the loop survives: it
	 * waits for the operation, then drops its callback.
	 */
	int (*read_at)(struct concur_loop *loop, struct concur_io *io, int fd,
		       void *buf, uint64_t len, int64_t offset, concur_io_cb cb,
		       void *arg);
	int (*write_at)(struct concur_loop *loop, struct concur_io *io, int fd,
			const void *buf, uint64_t len, int64_t offset,
			concur_io_cb cb, void *arg);
};

/* ---------------------------------------------------------------------
 * Workload plugins
 * ------------------------------------------------------------------ */

/*
 * One workload instance lives for one run; a run executes every task of it
 * once.  Per-worker state (an HTTP session, a scratch buffer) is created by
 * worker_init in the thread or process that will use it.
 */
struct concur_workload_ops {
	uint32_t size; /* CONCUR_WORKLOAD_OPS_SIZE */
	/*
	 * Required.  Build an instance from `params` (see union concur_value).
	 * Called once per run, in the run's process, before the strategy starts;
	 * state set up here is inherited by forked workers.
	 */
	int (*create)(const union concur_value *params, void **ret_instance,
		      char *err, size_t errlen);
	/* Optional.  Release an instance after the run. */
	void (*destroy)(void *instance);
	/* Required.  Number of tasks in one run of this instance. */
	size_t (*task_count)(void *instance);
	/*
	 * Optional.  Per-worker set-up, called exactly once in each worker thread
	 * or process before its first task (the article's thread-local session,
	 * a process pool's initializer).  `loop` is the event loop the worker
	 * will drive, or NULL for a blocking worker.  *ret_worker is passed to
	 * every later hook of that worker.
	 */
	int (*worker_init)(void *instance, unsigned worker_id,
			   struct concur_loop *loop, void **ret_worker,
			   char *err, size_t errlen);
	/* Optional.  Per-worker tear-down, after the worker's last task. */
	void (*worker_fini)(void *instance, void *worker);
	/*
	 * Required.  Run task `task` to completion, blocking, filling `rec`
	 * (status, result, bytes, detail, flags).  Return 0, or a negative code
	 * with a message in err: the task failed; the run goes on.  The strategy
	 * stamps the times.
	 */
	int (*run_task)(void *instance, void *worker, size_t task,
			struct concur_task *rec, char *err, size_t errlen);
	/*
	 * Optional.  The non-blocking face: start task `task` on `loop` and
	 * return at once; finish it later with loop->complete().  A return value
	 * other than 0 means the task could not start and failed (complete must
	 * not be called for it then).  A strategy running a workload without
	 * this hook calls run_task from inside its loop, blocking the loop.
	 */
	int (*start_task)(void *instance, void *worker, size_t task,
			  struct concur_task *rec, struct concur_loop *loop,
			  char *err, size_t errlen);
	/*
	 * Optional.  Verify a successful task's record after the run (outside the
	 * timed region), e.g. its result against a closed form.  Return 0 or a
	 * negative code with a message: the task then counts as failed.
	 */
	int (*check_task)(void *instance, size_t task,
			  const struct concur_task *rec, char *err,
			  size_t errlen);
	/*
	 * Optional.  Which of the description's `needs` an instance built from
	 * `params` would use, e.g. the test server only when url = builtin.
	 * Called by the core before an experiment runs (never during a run),
	 * once per workload cell; bits outside the description's needs are
	 * ignored.  Default: all of the description's needs.
	 */
	uint64_t (*needs)(const union concur_value *params);
	/*
	 * Optional (since v1.2); required with CONCUR_CAP_EXTRA_KEYS.  The
	 * cell's extra keys, in the order the section sets them (n may be 0),
	 * handed right after create wherever create is called: when the core
	 * counts tasks before the experiment (and at --validate) and in the
	 * run's process.  Check them here; a failure is reported like a failed
	 * create.  keys and their text are valid until destroy.
	 */
	int (*extra_keys)(void *instance, const struct concur_extra_key *keys,
			  size_t n, char *err, size_t errlen);
	/*
	 * Optional (since v1.2).  Called once per run, in the run's process,
	 * after create (and extra_keys), before the strategy starts: outside
	 * the timed region.  Never called when the core creates an instance
	 * only to count its tasks or to validate, so this is the place for
	 * side effects a run needs (creating files, warming a cache).  A
	 * failure fails the run, with its message; destroy still follows.
	 */
	int (*prepare)(void *instance, char *err, size_t errlen);
	/*
	 * Optional (since v1.4).  prepare, told the face the run's workers
	 * will use (CONCUR_FACE_*), so that set-up only one face uses is made
	 * only for it.  Where a workload has it, the core calls it instead of
	 * prepare; a core older than v1.4 calls prepare, so a workload that
	 * has prepare_face keeps prepare too (as prepare_face with
	 * CONCUR_FACE_UNSAID).
	 */
	int (*prepare_face)(void *instance, int face, char *err, size_t errlen);
};

/* ---------------------------------------------------------------------
 * Strategy plugins
 * ------------------------------------------------------------------ */

/*
 * Everything a strategy needs for one run.  `workload` has every optional
 * hook filled with a harmless default by the core, so strategies never test
 * hooks for NULL — except start_task, whose absence means "blocking only".
 */
struct concur_job {
	uint32_t size; /* sizeof(struct concur_job) of the core's build */
	const struct concur_workload_ops *workload;
	void *instance;		   /* the workload instance */
	size_t n_tasks;		   /* == workload->task_count(instance) */
	struct concur_task *tasks; /* n_tasks records, MAP_SHARED, zeroed */
	int64_t (*now_ns)(void);   /* the run's monotonic clock */
	/*
	 * Record the reason task `task` failed.  Thread-safe and fork-safe (the
	 * text lands in shared memory); the core keeps the first one reported
	 * for the cell's `error` column and counts every failed status.
	 */
	void (*task_error)(const struct concur_job *job, size_t task,
			   const char *msg);
	void *core; /* private to the core */
	/*
	 * Open loop (since v1.1; docs/open-loop.md).  Read it only when
	 * CONCUR_HAS(job, intended_start_ns); only a strategy that declares
	 * CONCUR_CAP_OPEN_LOOP is ever given a schedule.  NULL in a
	 * closed-loop run: start each task when there is room.  Otherwise
	 * n_tasks intended start times, nondecreasing, in
	 * nanoseconds on CLOCK_MONOTONIC, the clock of now_ns in a real run
	 * (sleep with clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME) or arm
	 * a timerfd on it).  Owned by the core, read-only, valid during run().
	 *
	 * Contract: never start task i before intended_start_ns[i]; when
	 * behind, start it as soon as there is room, never skip it and never
	 * move the later ones.  Stamp start_ns when the task really starts:
	 * the core measures latency as end_ns - intended start (queueing
	 * included) and service time as end_ns - start_ns.
	 */
	const int64_t *intended_start_ns;
};

struct concur_strategy_ops {
	uint32_t size; /* CONCUR_STRATEGY_OPS_SIZE */
	/*
	 * Optional.  Build the strategy from `params`; called once per run,
	 * in the run's process.
	 */
	int (*create)(const union concur_value *params, void **ret_strategy,
		      char *err, size_t errlen);
	/* Optional.  Release what create built. */
	void (*destroy)(void *strategy);
	/*
	 * Required.  Run every task of job once: call worker_init once per
	 * worker before its first task and worker_fini after its last, run or
	 * start each task exactly once, stamp start_ns/end_ns and set
	 * CONCUR_TASK_DONE on every task that ran.  A failing task never stops
	 * the others; report its reason with job->task_error.  Return 0 when the
	 * strategy itself worked (even if tasks failed), or a negative code with
	 * a message when it could not run the job (the whole run fails).
	 */
	int (*run)(void *strategy, const struct concur_job *job, char *err,
		   size_t errlen);
};

/* ---------------------------------------------------------------------
 * The description every plugin exports as CONCUR_PLUGIN_SYMBOL
 * ------------------------------------------------------------------ */

/*
 * Required: abi_version through the ops table of its kind (rule 3: a
 * description or ops table whose size does not reach its required fields is
 * refused).  Everything after `workload` is optional.
 */
struct concur_plugin {
	uint32_t abi_version;	 /* CONCUR_ABI_VERSION, always first */
	uint32_t size;		 /* sizeof(struct concur_plugin) */
	uint32_t kind;		 /* enum concur_kind */
	const char *name;	 /* [a-z0-9_-]+, the .so's base name */
	const char *version;	 /* the plugin's own version, "1.0" */
	const char *description; /* one line */
	const struct concur_param *params; /* NULL-name terminated; may be NULL */
	const struct concur_strategy_ops *strategy; /* kind == STRATEGY */
	const struct concur_workload_ops *workload; /* kind == WORKLOAD */
	uint64_t needs;				    /* CONCUR_NEED_* bits */
	uint64_t caps;				    /* CONCUR_CAP_* bits */
	/*
	 * Optional.  The libraries the plugin uses, with the versions loaded at
	 * run time, as space-separated NAME/VERSION words in the style of
	 * curl's user agent: "libcurl/7.88.1".  Write them into buf (len
	 * bytes, NUL-terminated; truncation is harmless) and return 0, or a
	 * negative errno.  Called by the core in its own process, before any
	 * run, for N-env.csv (one NAME_version row per word) and
	 * `concur help`.  A word without a '/' is ignored.
	 */
	int (*libraries)(char *buf, size_t len);
};

/*
 * Every table a plugin provides records the header it was built against:
 * open the description with CONCUR_PLUGIN_INIT(kind) and fill each other
 * table's size with its CONCUR_*_SIZE:
 *
 *     static const struct concur_workload_ops ops = {
 *             .size = CONCUR_WORKLOAD_OPS_SIZE,
 *             .create = my_create, ...
 *     };
 */
#define CONCUR_PLUGIN_INIT(kind_)                                              \
	.abi_version = CONCUR_ABI_VERSION,                                     \
	.size = (uint32_t)sizeof(struct concur_plugin), .kind = (kind_)
#define CONCUR_STRATEGY_OPS_SIZE ((uint32_t)sizeof(struct concur_strategy_ops))
#define CONCUR_WORKLOAD_OPS_SIZE ((uint32_t)sizeof(struct concur_workload_ops))
#define CONCUR_LOOP_SIZE ((uint32_t)sizeof(struct concur_loop))

#ifdef __cplusplus
}
#endif

#endif /* CONCUR_PLUGIN_H */
