/* cmd_slurm.c - concur slurm: check the experiment, print its submit script. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "diag.h"
#include "matrix.h"
#include "slurm.h"
#include "util.h"

/* Shards, existing files: what would make the submitted jobs fail. */
static int slurm_check(struct session *s)
{
	size_t per = shard_workload_cells(s->m);
	struct shard sh = { .n = s->cli->shards };
	char *path = NULL;
	struct stat st;

	if (s->cli->shards > per) {
		diag_error(
			"%s has %zu workload cells, and a shard takes whole ones: use --shards %zu or fewer",
			s->cfg->path, per, per);
		return EXIT_USAGE;
	}
	if (s->cli->resume || s->cli->force)
		return 0;
	path = xstrdup(s->cfg->output);
	for (sh.k = 0; stat(path, &st) != 0 && sh.k < sh.n; sh.k++) {
		free(path);
		path = shard_output_path(s->cfg->output, &sh);
	}
	if (stat(path, &st) == 0) {
		diag_error(
			"%s already exists: add --resume to continue that experiment, or --force to overwrite it",
			path);
		free(path);
		return EXIT_USAGE;
	}
	free(path);
	return 0;
}

/*
 * The options each array task's `concur run` gets: those parse_cli read
 * from the `concur slurm` command line, however they were spelled (-qo X,
 * --out=X), each value a word of its own.  The script adds the experiment,
 * --shards N and --resume unless --force.  Pointers into cli; the array is
 * malloc'd.
 */
static const char **slurm_task_args(const struct cli *cli, size_t *ret_n)
{
	const char **a = xcalloc(
		4 + 2 * (cli->n_overrides + cli->n_plugin_paths), sizeof(*a));
	size_t n = 0, i;

	if (cli->output) {
		a[n++] = "-o";
		a[n++] = cli->output;
	}
	for (i = 0; i < cli->n_overrides; i++) {
		a[n++] = "--set";
		a[n++] = cli->set_args[i];
	}
	for (i = 0; i < cli->n_plugin_paths; i++) {
		a[n++] = "--plugin-path";
		a[n++] = cli->plugin_paths[i];
	}
	if (cli->quiet)
		a[n++] = "-q";
	if (cli->trust_plugins)
		a[n++] = "--trust-plugin-path";
	if (cli->force)
		a[n++] = "--force";
	*ret_n = n;
	return a;
}

/* `concur slurm`: check the experiment, then print its submit script. */
int cmd_slurm(struct cli *cli)
{
	struct session s = { .cli = cli };
	struct slurm_options o = { 0 };
	char cwd[PATH_MAX] = ".", exe[PATH_MAX] = "concur";
	char tag[SLURM_TAG_LEN + 1], err[2 * CONCUR_ERRLEN] = "";
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int rc;

	if (!cli->shards || cli->shard.n || cli->shard_all || cli->dry_run)
		return usage_error(
			"%s",
			"slurm takes --shards N, the number of array tasks (--shard and --dry-run are run's)");
	rc = load_experiment(&s, false);
	if (rc == 0)
		rc = slurm_check(&s);
	if (rc == 0) {
		exe[n > 0 ? n : 6] = '\0';
		if (!getcwd(cwd, sizeof(cwd)))
			snprintf(cwd, sizeof(cwd), ".");
		o = (struct slurm_options){
			.concur = exe,
			.cwd = cwd,
			.experiment = cli->experiment,
			.name = s.cfg->name,
			.output = s.cfg->output,
			.shards = cli->shards,
			.cpus = cpu_count(),
			.sbatch_args = (const char *const *)cli->sbatch_args,
			.n_sbatch_args = cli->n_sbatch_args,
			.force = cli->force,
			.argv = (const char *const *)cli->argv,
			.argc = cli->argc + (int)cli->n_sbatch_args +
				(cli->sbatch_args ? 1 : 0),
			.tag = tag,
		};
		slurm_random_tag(tag);
		o.run_args = slurm_task_args(cli, &o.n_run_args);
		if (slurm_print_script(stdout, &o, err, sizeof(err)) < 0) {
			diag_error("%s", err);
			rc = EXIT_USAGE;
		}
		free((void *)o.run_args);
	}
	free_session(&s);
	return rc;
}
