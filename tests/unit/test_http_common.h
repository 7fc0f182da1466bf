/*
 * test_http_common.h - helpers for the I/O tests (test_http_*, test_epoll*):
 * load a built plugin, fill its parameter values from their defaults with
 * overrides by name, run one job.
 */
#ifndef TEST_HTTP_COMMON_H
#define TEST_HTTP_COMMON_H

#include <stddef.h>

#include <concur/plugin.h>

#include "job.h"
#include "loader.h"

#define TH_MAX_PARAMS 32

/* Parameter values of one plugin, in its table order. */
struct th_values {
	const struct plugin *plugin;
	union concur_value v[TH_MAX_PARAMS];
	const char *list_item[TH_MAX_PARAMS]; /* LIST values: one item */
};

/* Load BUILD/rel, or NULL when the file does not exist (not built yet). */
const struct plugin *th_load_optional(const char *rel);
/* Load BUILD/rel; fails the test if it can't. */
const struct plugin *th_load(const char *rel);

/* Every parameter at its default (a LIST default becomes one item). */
void th_defaults(struct th_values *tv, const struct plugin *p);
/* Set parameter `name` from INI text (a LIST gets this one item). */
void th_set(struct th_values *tv, const char *name, const char *text);

/* Run; asserts job_run returned 0.  Release with job_release. */
struct job_shared *th_run(const struct th_values *s, const struct th_values *w,
			  size_t max_tasks);

/* Tasks of a finished run flagged CONCUR_TASK_NEW_CONN. */
size_t th_new_conns(const struct job_shared *sh);
/* Most tasks in flight at once, from the tasks' start and end times. */
size_t th_max_overlap(const struct job_shared *sh);

#endif
