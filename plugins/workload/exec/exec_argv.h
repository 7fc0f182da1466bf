/*
 * exec_argv.h - the exec workload's command templates: split a command
 * line like a shell (quotes, backslash; no shell, no globbing, no $) or
 * keep it whole for /bin/sh -c, and fill its {NAME} placeholders.
 *
 * Placeholders are found in the whole text, inside quotes too: {NAME} is a
 * known name ([A-Za-z0-9_.]+), {{ and }} are literal braces.  Without the
 * shell a placeholder is filled inside its word after splitting, so a value
 * with spaces stays one argument; with the shell every filled value is
 * single-quoted for sh.
 */
#ifndef EXEC_ARGV_H
#define EXEC_ARGV_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The names a template may use and their values.  A NULL value is given
 * per call (the task index): exec_tmpl_argv takes it as `task_text`.
 */
struct exec_vars {
	const char **names;
	const char **values;
	size_t n;
};

struct exec_seg {
	char *text; /* literal text, or NULL: variable `var` */
	size_t var;
};

struct exec_word {
	struct exec_seg *segs;
	size_t n_segs;
};

struct exec_tmpl {
	struct exec_word *words; /* with the shell: one, the whole text */
	size_t n_words;
	bool shell;
};

/*
 * Parse `text`.  `forbid` (may be NULL) names a variable the template must
 * not use, e.g. "task" where there is no task.  Returns 0, or -EINVAL with
 * what is wrong and what is allowed in err (an unknown placeholder is
 * named, with the known ones).  An empty or blank text gives no words.
 */
int exec_tmpl_parse(const char *text, bool shell, const struct exec_vars *vars,
		    const char *forbid, struct exec_tmpl *ret, char *err,
		    size_t errlen);
void exec_tmpl_free(struct exec_tmpl *t);

/*
 * A NULL-terminated argv for one task (with the shell: /bin/sh -c TEXT), or
 * NULL when out of memory.  Free it with exec_argv_free.
 */
char **exec_tmpl_argv(const struct exec_tmpl *t, const struct exec_vars *vars,
		      const char *task_text);
void exec_argv_free(char **argv);

#endif
