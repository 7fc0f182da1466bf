/*
 * session.c - what every command that reads an experiment does first: the
 * experiment file, the plugin search path, the matrix and the task counts.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diag.h"
#include "loader.h"
#include "matrix.h"
#include "progress.h"
#include "results.h"
#include "retype.h"
#include "util.h"

/* --plugin-path dirs, then plugin_path (relative to the experiment file's
 * folder), then the defaults. */
struct loader *make_loader(const struct cli *cli, const struct config *cfg)
{
	struct loader *l = loader_create();
	size_t i;

	loader_keep_loaded(l); /* concur exits after the command */
	for (i = 0; i < cli->n_plugin_paths; i++)
		loader_add_path(l, cli->plugin_paths[i]);
	for (i = 0; cfg && i < cfg->n_plugin_path; i++) {
		const char *dir = cfg->plugin_path[i];
		const char *slash = strrchr(cfg->path, '/');
		char *full =
			dir[0] == '/' || !slash
				? xstrdup(dir)
				: xasprintf("%.*s/%s", (int)(slash - cfg->path),
					    cfg->path, dir);

		loader_add_path(l, full);
		free(full);
	}
	loader_add_defaults(l);
	loader_trust_all(l, cli->trust_plugins);
	return l;
}

/* Config, plugins, matrix and task counts; 0 or an exit status. */
int load_experiment(struct session *s, bool start_server)
{
	char err[4 * CONCUR_ERRLEN] = "";

	if (!s->cli->experiment)
		return usage_error("%s needs an EXPERIMENT.ini",
				   s->cli->command);
	if (config_load(s->cli->experiment, s->cli->overrides,
			s->cli->n_overrides, &s->cfg, err, sizeof(err)) < 0)
		goto fail;
	if (s->cli->output) {
		free(s->cfg->output);
		s->cfg->output = xstrdup(s->cli->output);
	}
	s->loader = make_loader(s->cli, s->cfg);
	if (matrix_build(s->cfg, s->loader, &s->m, err, sizeof(err)) < 0)
		goto fail;
	retype_warn(stderr, s->cfg, s->m); /* advice only: the run goes on */
	if (s->cli->dry_run)
		return 0;
	if (runner_prepare(&s->runner, s->cfg, s->m, start_server, err,
			   sizeof(err)) < 0)
		goto fail;
	return 0;
fail:
	diag_error("%s", err);
	return EXIT_USAGE;
}

void free_session(struct session *s)
{
	progress_destroy(s->progress);
	results_close(s->res);
	export_set_free(&s->exports);
	runner_cleanup(&s->runner);
	matrix_free(s->m);
	loader_destroy(s->loader);
	config_free(s->cfg);
}
