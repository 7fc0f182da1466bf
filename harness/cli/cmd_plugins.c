/*
 * cmd_plugins.c - concur list and concur help: the plugins found, each
 * described from its own descriptor, and the [experiment] keys.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "diag.h"
#include "loader.h"
#include "util.h"

static const char *type_name(enum concur_param_type t)
{
	static const char *const names[] = { "?",    "integer", "float",
					     "bool", "string",	"duration",
					     "size", "list" };

	return (unsigned)t < ARRAY_SIZE(names) ? names[t] : "?";
}

static void print_plugin(const struct plugin *p)
{
	const struct concur_param *q;

	printf("%s %s %s  (%s)\n  %s\n", kind_name(p->desc->kind), p->name,
	       p->desc->version, p->file, p->desc->description);
	for (q = p->desc->params; q && q->name; q++) {
		char range[96] = "";

		if (q->min || q->max)
			snprintf(range, sizeof(range), " [%s..%s]",
				 q->min ? q->min : "", q->max ? q->max : "");
		printf("    %-18s %-8s = %-10s%s  %s\n", q->name,
		       type_name(q->type),
		       q->default_value ? q->default_value : "(none)", range,
		       q->doc ? q->doc : "");
	}
}

/* "1..4096", "at least 0", "at most 1h", or "any". */
static void format_range(const struct concur_param *q, char *buf, size_t len)
{
	if (q->min && q->max)
		snprintf(buf, len, "%s..%s", q->min, q->max);
	else if (q->min)
		snprintf(buf, len, "at least %s", q->min);
	else if (q->max)
		snprintf(buf, len, "at most %s", q->max);
	else
		snprintf(buf, len, "any");
}

/* One key in full; `unset` says what a key without a default means. */
static void print_param_full(const struct concur_param *q, const char *unset)
{
	char range[96];

	format_range(q, range, sizeof(range));
	printf("  %s\n", q->name);
	printf("      type     %s%s\n", type_name(q->type),
	       q->type == CONCUR_PARAM_LIST
		       ? " (one item per line; does not cross)"
		       : "");
	if (q->default_value)
		printf("      default  %s\n", q->default_value);
	else
		printf("      default  %s\n",
		       unset				? unset
		       : q->type == CONCUR_PARAM_LIST	? "(empty list)"
		       : q->type == CONCUR_PARAM_STRING ? "(empty)"
							: "none: required");
	if (q->type != CONCUR_PARAM_BOOL && q->type != CONCUR_PARAM_STRING &&
	    q->type != CONCUR_PARAM_LIST)
		printf("      range    %s\n", range);
	printf("      %s\n", q->doc ? q->doc : "");
}

/* What the hooks a plugin provides mean for a user. */
static void print_faces(const struct plugin *p)
{
	const struct concur_workload_ops *w = &p->workload_given;

	if (p->desc->kind != CONCUR_KIND_WORKLOAD)
		return;
	printf("event loop: %s\n",
	       w->start_task
		       ? "yes: start_task runs many tasks at once on an event-loop strategy"
		       : "no: an event-loop strategy runs its tasks one at a time (blocking)");
	printf("per-worker set-up: %s\n",
	       w->worker_init
		       ? "yes (worker_init: state each thread, process or loop keeps)"
		       : "no");
	printf("result check: %s\n",
	       w->check_task ? "yes (check_task verifies every task's result)"
			     : "no");
}

/*
 * The core's keys in every workload section; a v1.0 plugin may declare one
 * of them itself, and then its own wins (docs/writing-plugins.md "Plugins built
 * for concur 0.1").
 */
static void print_load_keys(const struct plugin *p)
{
	bool own[SCHEDULE_N_KEYS] = { false };
	const char *sep = "";
	size_t k, i;

	for (i = 0; i < p->n_params; i++)
		for (k = 0; k < SCHEDULE_N_KEYS; k++)
			own[k] |= strcmp(p->desc->params[i].name,
					 schedule_keys[k]) == 0;
	printf("load keys: ");
	for (k = 0; k < SCHEDULE_N_KEYS; k++)
		if (!own[k]) {
			printf("%s%s", sep, schedule_keys[k]);
			sep = ", ";
		}
	printf("%s(every workload; docs/open-loop.md)\n", *sep ? " " : "none ");
	for (k = 0; k < SCHEDULE_N_KEYS; k++)
		if (own[k])
			printf("  %s is this plugin's own parameter: it was built before concur reserved the name\n",
			       schedule_keys[k]);
}

/* What the plugin asks of the core, and the libraries it reports. */
static void print_needs(const struct plugin *p)
{
	char libs[256] = "";

	if (p->desc->needs & CONCUR_NEED_HTTP_SERVER)
		printf("needs: the embedded HTTP test server (started once per experiment%s)\n",
		       p->workload_given.needs
			       ? ", when the parameters ask for it"
			       : "");
	if (p->desc->libraries(libs, sizeof(libs)) == 0 && *libs)
		printf("libraries: %s\n", libs);
	if (p->desc->kind == CONCUR_KIND_STRATEGY) {
		printf("open loop: %s\n",
		       p->desc->caps & CONCUR_CAP_OPEN_LOOP
			       ? "yes (honours a workload's rate)"
			       : "no (refused for a workload with rate > 0)");
		printf("workers: %s\n",
		       p->desc->caps & CONCUR_CAP_EVENT_LOOP
			       ? "event loops (many tasks in flight each, "
				 "through a workload's start_task)"
		       : p->desc->caps & CONCUR_CAP_BLOCKING
			       ? "blocking (one task at a time each, through "
				 "run_task)"
			       : "not declared (a plugin built before ABI "
				 "v1.4)");
	} else
		print_load_keys(p);
	if (p->desc->kind == CONCUR_KIND_WORKLOAD &&
	    (p->desc->caps & CONCUR_CAP_EXTRA_KEYS))
		printf("extra keys: yes (any other key of its sections crosses like a string and reaches the plugin)\n");
}

/* An INI section that uses the plugin with every default spelled out. */
static void print_example(const struct plugin *p)
{
	const struct concur_param *q;

	printf("\nexample (every key optional unless marked; a comma list crosses):\n");
	printf("  [%s %s]\n", kind_name(p->desc->kind), p->name);
	for (q = p->desc->params; q && q->name; q++) {
		if (q->default_value)
			printf("  %s = %s\n", q->name, q->default_value);
		else if (q->type == CONCUR_PARAM_LIST ||
			 q->type == CONCUR_PARAM_STRING)
			printf("  ; %s =\n", q->name);
		else
			printf("  %s = ...   ; required\n", q->name);
	}
}

/* `concur help PLUGIN`: everything about one plugin. */
static void print_plugin_full(const struct plugin *p)
{
	const struct concur_param *q = p->desc->params;

	printf("%s %s %s\n  %s\n\nfile: %s\n", kind_name(p->desc->kind),
	       p->name, p->desc->version, p->desc->description, p->file);
	if (p->v10)
		printf("header: v1.0 (concur 0.1's concur_plugin.h), run through the compatibility adapter; rebuild against <concur/plugin.h> to declare needs, capabilities and libraries\n");
	print_faces(p);
	print_needs(p);
	printf("\nparameters%s\n", q && q->name ? ":" : ": none");
	for (; q && q->name; q++)
		print_param_full(q, NULL);
	print_example(p);
}

/* `concur help experiment`: the [experiment] keys, as a plugin's are shown. */
static void print_experiment_keys(void)
{
	const struct concur_param *q = config_experiment_params();

	printf("[experiment] keys, each optional:\n");
	for (; q->name; q++)
		print_param_full(q, "see below");
}

static void print_scan_error(const char *msg, void *arg)
{
	(void)arg;
	diag_error("skipped: %s", msg);
}

static void print_search_path(const struct loader *l)
{
	const char *const *dirs;
	size_t n = loader_paths(l, &dirs), i;

	printf("\nsearched, first match wins:");
	for (i = 0; i < n; i++)
		printf("%s%s", i ? ":" : " ", dirs[i]);
	printf("\n(concur help NAME shows one plugin in full)\n");
}

int cmd_list(struct cli *cli)
{
	struct loader *l = make_loader(cli, NULL);
	const struct plugin **list;
	size_t n = loader_scan(l, &list, print_scan_error, NULL), i;

	for (i = 0; i < n; i++)
		print_plugin(list[i]);
	if (n == 0)
		diag_error("no plugins found");
	else
		print_search_path(l);
	free(list);
	loader_destroy(l);
	return n ? 0 : EXIT_USAGE;
}

int cmd_help(struct cli *cli)
{
	struct loader *l;
	const struct plugin *p;
	char err[4 * CONCUR_ERRLEN] = "";
	int rc = 0;

	if (!cli->experiment || find_command(cli->experiment)) {
		print_help();
		return 0;
	}
	if (!strcmp(cli->experiment, "experiment")) {
		print_experiment_keys();
		return 0;
	}
	l = make_loader(cli, NULL);
	p = loader_get(l, cli->experiment, 0, err, sizeof(err));
	if (p) {
		print_plugin_full(p);
	} else {
		diag_error("%s", err);
		rc = EXIT_USAGE;
	}
	loader_destroy(l);
	return rc;
}
