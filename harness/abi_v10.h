/*
 * abi_v10.h - plugins built against the v1.0 header (the concur_plugin.h
 * that concur 0.1 installed), kept loading and running by an adapter.
 *
 * v1.0 and v1.1 share CONCUR_ABI_VERSION 1 and the symbol concur_plugin_v1,
 * and every array and shared record (struct concur_param, union
 * concur_value, struct concur_task, struct concur_timer) is byte-identical.
 * What differs: the v1.0 tables have no leading `size`, so every table
 * after the first word is laid out differently:
 *
 *   v1.0 description       {abi_version, kind, name, ...}
 *   v1.1 description       {abi_version, size, kind, name, ...}
 *   v1.0 ops, job and loop {first hook, ...}
 *   v1.1 ops, job and loop {size, first hook, ...}
 *
 * The loader tells them apart by the second word of the description: a
 * v1.0 plugin has its kind there (1 or 2), a v1.1 plugin its size (64 or
 * more).  It then presents the v1.0 plugin to the core as a v1.1 plugin
 * whose hooks translate (docs/writing-plugins.md "Plugins built for concur
 * 0.1"):
 *
 *  - a v1.0 workload's instances and workers are wrapped; a v1.1 strategy's
 *    event loop reaches it through a v1.0-layout loop (loop_bridge.h);
 *  - a v1.0 strategy is handed a v1.0-layout job whose workload table calls
 *    the real (v1.1) workload, and v1.1 workloads reach its loop through a
 *    v1.1-layout loop;
 *  - a v1.0 workload with a parameter named `url` gets the embedded test
 *    server when its value is "builtin", as concur 0.1 decided it.
 *
 * The layouts below are a frozen copy of the v1.0 header's and never change.
 */
#ifndef CONCUR_ABI_V10_H
#define CONCUR_ABI_V10_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <concur/plugin.h>

struct plugin;
struct concur_v10_loop;

typedef void (*concur_v10_fd_cb)(struct concur_v10_loop *loop, int fd,
				 unsigned revents, void *arg);
typedef void (*concur_v10_timer_cb)(struct concur_v10_loop *loop, void *arg);

struct concur_v10_loop {
	int (*watch)(struct concur_v10_loop *loop, int fd, unsigned events,
		     concur_v10_fd_cb cb, void *arg);
	int (*timer_arm)(struct concur_v10_loop *loop,
			 struct concur_timer *timer, int64_t delay_ns,
			 concur_v10_timer_cb cb, void *arg);
	void (*timer_cancel)(struct concur_v10_loop *loop,
			     struct concur_timer *timer);
	void (*complete)(struct concur_v10_loop *loop, size_t task, int status,
			 const char *error);
	int64_t (*now_ns)(void);
};

struct concur_v10_workload_ops {
	int (*create)(const union concur_value *params, void **ret_instance,
		      char *err, size_t errlen);
	void (*destroy)(void *instance);
	size_t (*task_count)(void *instance);
	int (*worker_init)(void *instance, unsigned worker_id,
			   struct concur_v10_loop *loop, void **ret_worker,
			   char *err, size_t errlen);
	void (*worker_fini)(void *instance, void *worker);
	int (*run_task)(void *instance, void *worker, size_t task,
			struct concur_task *rec, char *err, size_t errlen);
	int (*start_task)(void *instance, void *worker, size_t task,
			  struct concur_task *rec, struct concur_v10_loop *loop,
			  char *err, size_t errlen);
	int (*check_task)(void *instance, size_t task,
			  const struct concur_task *rec, char *err,
			  size_t errlen);
};

struct concur_v10_job {
	const struct concur_v10_workload_ops *workload;
	void *instance;
	size_t n_tasks;
	struct concur_task *tasks;
	int64_t (*now_ns)(void);
	void (*task_error)(const struct concur_v10_job *job, size_t task,
			   const char *msg);
	void *core;
};

struct concur_v10_strategy_ops {
	int (*create)(const union concur_value *params, void **ret_strategy,
		      char *err, size_t errlen);
	void (*destroy)(void *strategy);
	int (*run)(void *strategy, const struct concur_v10_job *job, char *err,
		   size_t errlen);
};

struct concur_v10_plugin {
	uint32_t abi_version;
	uint32_t kind;
	const char *name;
	const char *version;
	const char *description;
	const struct concur_param *params;
	const struct concur_v10_strategy_ops *strategy;
	const struct concur_v10_workload_ops *workload;
};

/*
 * Is the description the loader found a v1.0 one?  Reads only the first two
 * words, which every v1 description has.
 */
bool abi_v10_is(const struct concur_plugin *d);

/*
 * Fill p->info from the v1.0 description d (v1.1 layout, this core's size,
 * needs from its parameter table, no capabilities, no libraries).  The
 * caller validates names and kind as for any plugin, then calls
 * abi_v10_adopt_ops.
 */
void abi_v10_adopt_description(struct plugin *p, const void *d);

/*
 * Fill p->workload / p->workload_given or p->strategy with the adapter's
 * v1.1 tables for the v1.0 ops table of p's kind, which must be present.
 * A required hook the plugin lacks stays NULL there, for the loader to
 * refuse as it refuses any plugin's.
 */
void abi_v10_adopt_ops(struct plugin *p);

/* create, for a plugin adopted above: the object is the adapter's wrapper. */
int abi_v10_create(const struct plugin *p, const union concur_value *params,
		   void **ret, char *err, size_t errlen);

/* The needs of one workload cell: the server when url is "builtin". */
uint64_t abi_v10_needs(const struct plugin *p,
		       const union concur_value *params);

#endif
