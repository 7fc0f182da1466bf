#include "test_http_common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "util.h"
#include "value.h"

static struct loader *th_loader;

static void th_path(char *path, size_t len, const char *rel)
{
	const char *build = getenv("CONCUR_TEST_BUILD_DIR");

	assert_non_null(build);
	snprintf(path, len, "%s/%s", build, rel);
}

const struct plugin *th_load_optional(const char *rel)
{
	char path[4096];

	th_path(path, sizeof(path), rel);
	if (access(path, R_OK) != 0)
		return NULL;
	return th_load(rel);
}

const struct plugin *th_load(const char *rel)
{
	char path[4096], err[CONCUR_ERRLEN] = "";
	const struct plugin *p;

	th_path(path, sizeof(path), rel);
	if (!th_loader)
		th_loader = loader_create();
	p = loader_open_file(th_loader, path, err, sizeof(err));
	if (!p)
		fail_msg("cannot load %s: %s", path, err);
	return p;
}

static void th_parse(struct th_values *tv, size_t k, const char *text)
{
	const struct concur_param *param = &tv->plugin->desc->params[k];
	char err[CONCUR_ERRLEN] = "";

	if (param->type == CONCUR_PARAM_LIST) {
		tv->list_item[k] = text;
		tv->v[k].list.count = text ? 1 : 0;
		tv->v[k].list.items = &tv->list_item[k];
		return;
	}
	/* "$ncpus" and the like are the config reader's job: use 1. */
	if (text && strchr(text, '$'))
		text = "1";
	if (value_parse(param->type, text ? text : "", &tv->v[k], err,
			sizeof(err)) != 0)
		fail_msg("%s = '%s': %s", param->name, text, err);
}

void th_defaults(struct th_values *tv, const struct plugin *p)
{
	memset(tv, 0, sizeof(*tv));
	tv->plugin = p;
	assert_true(p->n_params <= TH_MAX_PARAMS);
	for (size_t k = 0; k < p->n_params; k++)
		th_parse(tv, k, p->desc->params[k].default_value);
}

void th_set(struct th_values *tv, const char *name, const char *text)
{
	for (size_t k = 0; k < tv->plugin->n_params; k++) {
		if (strcmp(tv->plugin->desc->params[k].name, name) == 0) {
			th_parse(tv, k, text);
			return;
		}
	}
	fail_msg("plugin %s has no parameter %s", tv->plugin->name, name);
}

struct job_shared *th_run(const struct th_values *s, const struct th_values *w,
			  size_t max_tasks)
{
	struct job_shared *sh = job_alloc(max_tasks);
	int rc;

	assert_non_null(sh);
	rc = job_run(s->plugin, s->v, w->plugin, w->v, NULL, sh, max_tasks,
		     mono_now_ns);
	if (rc != 0)
		fail_msg("job_run: %d: %s", rc, sh->error_text);
	return sh;
}

size_t th_new_conns(const struct job_shared *sh)
{
	size_t n = 0;

	for (size_t i = 0; i < sh->n_tasks; i++)
		n += (sh->tasks[i].flags & CONCUR_TASK_NEW_CONN) != 0;
	return n;
}

static int cmp_event(const void *a, const void *b)
{
	const int64_t *x = a, *y = b;

	/* By time; at equal times an end (odd) before a start (even). */
	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	return (int)(y[1] - x[1]);
}

size_t th_max_overlap(const struct job_shared *sh)
{
	size_t n = sh->n_tasks, cur = 0, best = 0;
	int64_t(*ev)[2] = xcalloc(2 * n, sizeof(*ev));

	for (size_t i = 0; i < n; i++) {
		ev[2 * i][0] = sh->tasks[i].start_ns;
		ev[2 * i][1] = 0;
		ev[2 * i + 1][0] = sh->tasks[i].end_ns;
		ev[2 * i + 1][1] = 1;
	}
	qsort(ev, 2 * n, sizeof(*ev), cmp_event);
	for (size_t i = 0; i < 2 * n; i++) {
		if (ev[i][1] == 0 && ++cur > best)
			best = cur;
		else if (ev[i][1] == 1)
			cur--;
	}
	free(ev);
	return best;
}
