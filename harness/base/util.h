/*
 * util.h - small helpers shared by the core: error text, allocation,
 * growing arrays.
 */
#ifndef CONCUR_UTIL_H
#define CONCUR_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Format a message into err (snprintf semantics, always terminated). */
void errf(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Allocation that never returns NULL: on exhaustion it prints and exits 2.
 * The core's data is small and bounded by explicit caps; running on after a
 * failed malloc would only corrupt results.
 */
void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
/* Grow *p (holding *cap elements of elem bytes) to hold at least need. */
void xgrow(void **p, size_t *cap, size_t need, size_t elem);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Make text safe to print on a terminal, in place: every control character
 * (C0, DEL, C1) and every byte that is not part of valid UTF-8 becomes '?'.
 * Text from plugins and experiment files goes through it before it is shown.
 */
void text_sanitize(char *s);

/*
 * A duration in seconds with a unit that suits its size, as every table
 * concur prints has it: "812.00 us", "20.400 ms", "2.3100 s"; a negative
 * one (a confidence bound) keeps its sign; NaN or infinite is "-".
 */
void human_time(double s, char *buf, size_t len);

/* Levenshtein distance, for "did you mean" suggestions. */
size_t edit_distance(const char *a, const char *b);

/*
 * "Did you mean": the candidate nearest to `name`, when near enough to be a
 * likely typo - at most max(2, strlen(name) / 3) edits away - else NULL.
 * The one rule for every suggestion concur makes (keys, kinds, commands).
 */
const char *suggest_nearest(const char *name, const char *const *cands,
			    size_t n);

/*
 * The one spelling of each kind of section and plugin: 0 "experiment",
 * 1 "strategy", 2 "workload" (the values of enum section_kind, and of
 * enum concur_kind for the two plugin kinds); "unknown" for any other.
 */
#define KIND_COUNT 3
const char *kind_name(unsigned kind);

/*
 * A plugin name: the base name of its .so, 1 to 64 characters of
 * PLUGIN_NAME_CHARS.  The one check, for the loader and for plugin = keys.
 */
#define PLUGIN_NAME_CHARS "[a-z0-9_-]"
bool plugin_name_ok(const char *s);

/*
 * Where a cell id "pthreads[workers=5]/download[latency=20ms]" splits into
 * its strategy and workload halves: the index of the '/' outside brackets
 * (parameter values may hold one), or strlen(id) when there is none.
 */
size_t cell_id_split(const char *id);

/* The words of argv joined by single spaces, as text for N-env.csv; free it. */
char *argv_join(int argc, char **argv);

/* Number of online CPUs (>= 1). */
unsigned cpu_count(void);

/*
 * Wait up to timeout_ns for child pid to end, and reap it (its status in
 * *ret_status when not NULL).  0, -ETIMEDOUT when it is still there after
 * the timeout (not reaped), or -errno (-ECHILD: not a child).
 */
int wait_child(pid_t pid, int64_t timeout_ns, int *ret_status);

/* Monotonic clock in nanoseconds. */
int64_t mono_now_ns(void);

#endif
