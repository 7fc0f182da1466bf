/*
 * main.c - the concur command line (README "Command line"): parse the
 * command and its flags, then drive config -> matrix -> runner -> results ->
 * report.
 *
 * Exit status: 0 every cell ran and every task succeeded; 1 some cell
 * failed, crashed or timed out; 2 usage, configuration or plugin error
 * (nothing was run); 130 interrupted.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compare.h"
#include "config.h"
#include "diag.h"
#include "export.h"
#include "fileio.h"
#include "loader.h"
#include "matrix.h"
#include "merge.h"
#include "plot.h"
#include "progress.h"
#include "report.h"
#include "retype.h"
#include "results.h"
#include "runner.h"
#include "shard.h"
#include "schedule.h"
#include "serverproc.h"
#include "slurm.h"
#include "util.h"
#include "version.h"

#define EXIT_FAILED 1
#define EXIT_USAGE 2
#define EXIT_INTERRUPTED 130

static const char usage_text[] =
	"usage: concur run EXPERIMENT.ini [-o PATH] [--set SECTION.KEY=VALUE]...\n"
	"                  [--resume | --force] [--dry-run] [--plugin-path DIR]... [--quiet]\n"
	"                  [--trust-plugin-path]\n"
	"                  [--export-json FILE] [--export-markdown FILE]\n"
	"                  [--shard K/N | --shard all] [--shards N]\n"
	"       concur validate EXPERIMENT.ini [--set ...] [--plugin-path DIR]...\n"
	"       concur list [--plugin-path DIR]...\n"
	"       concur help PLUGIN [--plugin-path DIR]... | concur help experiment\n"
	"       concur plot RESULTS.csv [-o OUT.svg [--force]]\n"
	"       concur compare BASE.csv NEW.csv [--threshold 5%] [--alpha 0.05]\n"
	"                      [--markdown] [-o OUT.csv [--force]]\n"
	"       concur merge OUT.csv SHARD_FILES_OR_FOLDER... [--partial] [--force]\n"
	"       concur slurm EXPERIMENT.ini --shards N [run options] [-- SBATCH_OPTIONS...]\n"
	"       concur serve [--port N] [--bind ADDR]\n"
	"       concur --help | --version\n";

static const char help_text[] =
	"\n"
	"concur measures which concurrency strategy (sync, threads, an event loop,\n"
	"processes) is fastest for a kind of work, and by how much.\n"
	"\n"
	"An experiment file is code: loading a plugin runs it; do not run an\n"
	"experiment file you do not trust.  validate, list and help load plugins\n"
	"too, and an experiment's plugin_path may name any folder.\n"
	"\n"
	"commands:\n";

/* After the commands (command_table prints them in between). */
static const char help_tail[] =
	"\n"
	"run options:\n"
	"  -o, --output PATH       summary CSV (default: [experiment] output)\n"
	"  --set S.K=V             override key K of section S (a label or 'experiment')\n"
	"  --resume                continue an interrupted experiment\n"
	"  --force                 overwrite existing results\n"
	"  --dry-run               list the cells, run nothing\n"
	"  --plugin-path DIR       search DIR for plugins first (repeatable)\n"
	"  --trust-plugin-path     load plugins even from files or folders others\n"
	"                          can write to (also CONCUR_TRUST_PLUGIN_PATH=1)\n"
	"  -q, --quiet             no progress on stderr\n"
	"  --export-json FILE      also write the results in Google Benchmark's\n"
	"                          JSON format (compare.py, CI dashboards)\n"
	"  --export-markdown FILE  also write the summary as a Markdown table\n"
	"                          for a pull-request comment\n"
	"  --shard K/N             run only shard K (from 0) of N: whole workload\n"
	"                          cells, results in RESULTS.shard-K-of-N.csv;\n"
	"                          found in a Slurm array or a Kubernetes Indexed\n"
	"                          Job by itself; --shard all: the whole experiment\n"
	"  --shards N              with --dry-run: print the split into N shards;\n"
	"                          in a Kubernetes Indexed Job: its completions\n"
	"\n"
	"examples:\n"
	"  concur run configs/quick.ini --force           a one-second smoke test\n"
	"  concur run configs/seeds.ini                   the article's experiment,\n"
	"                                                 results/seeds.csv + .svg\n"
	"  concur run configs/seeds.ini --set pthreads.workers=8 --set sums.count=4 \\\n"
	"             -o /tmp/try.csv --force             a variation, elsewhere\n"
	"  concur help http_download                      what a plugin accepts\n"
	"  concur plot results/seeds.csv -o seeds.svg     redraw a chart\n"
	"  concur compare old/seeds.csv results/seeds.csv --markdown\n"
	"                                                 a table for a pull request\n"
	"\n"
	"Progress goes to stderr: a live line on a terminal, one line per finished\n"
	"cell otherwise; NO_COLOR=1 turns colour off.  man concur for the rest.\n"
	"\n"
	"exit status: 0 all ok, 1 some cell failed, 2 usage/config/plugin error,\n"
	"130 interrupted.\n";

struct cli {
	const char *command;
	const char *experiment;
	const char *output;
	const char *export_json, *export_markdown; /* --export-* FILE */
	struct config_override *overrides;
	const char **set_args; /* each --set as typed, for concur slurm */
	size_t n_overrides, cap_overrides, cap_set_args;
	const char **plugin_paths;
	size_t n_plugin_paths, cap_plugin_paths;
	bool resume, force, dry_run, quiet;
	bool trust_plugins; /* --trust-plugin-path, CONCUR_TRUST_PLUGIN_PATH=1 */
	struct shard shard; /* --shard K/N; n == 0: none given */
	bool shard_all;	    /* --shard all: never look at the environment */
	unsigned shards;    /* --shards N; 0: none given */
	int argc;
	char **argv;
	char **sbatch_args; /* concur slurm: the words after "--" */
	size_t n_sbatch_args;
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static int usage_error(const char *fmt, const char *arg)
{
	char *msg = xasprintf(fmt, arg);

	diag_error("%s", msg);
	free(msg);
	fprintf(stderr, "%s(concur --help for more)\n", usage_text);
	return EXIT_USAGE;
}

/* CONCUR_TRUST_PLUGIN_PATH: 1 trusts every plugin path, 0 or unset not. */
static int trust_from_env(struct cli *cli)
{
	const char *v = getenv("CONCUR_TRUST_PLUGIN_PATH");

	if (!v || !*v || !strcmp(v, "0"))
		return 0;
	if (!strcmp(v, "1")) {
		cli->trust_plugins = true;
		return 0;
	}
	return usage_error(
		"CONCUR_TRUST_PLUGIN_PATH='%.40s': want 1 (load plugins even from files or folders others can write to) or 0",
		v);
}

static int parse_cli(int argc, char **argv, struct cli *cli)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "set", required_argument, NULL, 's' },
		{ "resume", no_argument, NULL, 'r' },
		{ "force", no_argument, NULL, 'f' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "plugin-path", required_argument, NULL, 'p' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "shard", required_argument, NULL, 'k' },
		{ "shards", required_argument, NULL, 'K' },
		{ "trust-plugin-path", no_argument, NULL, 'T' },
		{ "export-json", required_argument, NULL, 'J' },
		{ "export-markdown", required_argument, NULL, 'M' },
		{ 0 },
	};
	char err[CONCUR_ERRLEN] = "";
	int c;

	cli->argc = argc;
	cli->command = argv[1];
	optind = 2;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:q", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			cli->output = optarg;
			break;
		case 's':
			xgrow((void **)&cli->overrides, &cli->cap_overrides,
			      cli->n_overrides + 1, sizeof(*cli->overrides));
			xgrow((void **)&cli->set_args, &cli->cap_set_args,
			      cli->n_overrides + 1, sizeof(*cli->set_args));
			if (config_override_parse(
				    optarg, &cli->overrides[cli->n_overrides],
				    err, sizeof(err)) < 0)
				return usage_error("--set: %s", err);
			cli->set_args[cli->n_overrides++] = optarg;
			break;
		case 'r':
			cli->resume = true;
			break;
		case 'f':
			cli->force = true;
			break;
		case 'n':
			cli->dry_run = true;
			break;
		case 'p':
			xgrow((void **)&cli->plugin_paths,
			      &cli->cap_plugin_paths, cli->n_plugin_paths + 1,
			      sizeof(*cli->plugin_paths));
			cli->plugin_paths[cli->n_plugin_paths++] = optarg;
			break;
		case 'q':
			cli->quiet = true;
			break;
		case 'T':
			cli->trust_plugins = true;
			break;
		case 'J':
			cli->export_json = optarg;
			break;
		case 'M':
			cli->export_markdown = optarg;
			break;
		case 'k':
			cli->shard_all = !strcmp(optarg, "all");
			if (!cli->shard_all &&
			    shard_parse(optarg, &cli->shard, err, sizeof(err)) <
				    0)
				return usage_error("%s", err);
			break;
		case 'K':
			if (shard_parse_count(optarg, &cli->shards, err,
					      sizeof(err)) < 0)
				return usage_error("%s", err);
			break;
		default:
			return usage_error("unknown or incomplete option '%s'",
					   argv[optind - 1]);
		}
	}
	if (optind < argc)
		cli->experiment = argv[optind++];
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (cli->resume && cli->force)
		return usage_error("%s",
				   "--resume and --force exclude each other");
	return trust_from_env(cli);
}

static void free_cli(struct cli *cli)
{
	size_t i;

	for (i = 0; i < cli->n_overrides; i++)
		config_override_free(&cli->overrides[i]);
	free(cli->overrides);
	free(cli->set_args);
	free(cli->plugin_paths);
	free(cli->argv);
}

/* --plugin-path dirs, then plugin_path (relative to the experiment file's
 * folder), then the defaults. */
static struct loader *make_loader(const struct cli *cli,
				  const struct config *cfg)
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

struct session {
	struct cli *cli;
	struct config *cfg;
	struct loader *loader;
	struct matrix *m;
	struct runner runner;
	struct results *res;
	struct export_set exports; /* written from the results files at the end */
	struct progress *progress;
	size_t done;
	size_t total; /* cells this process runs: all, or its shard's */
};

/* Config, plugins, matrix and task counts; 0 or an exit status. */
static int load_experiment(struct session *s, bool start_server)
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

static void free_session(struct session *s)
{
	progress_destroy(s->progress);
	results_close(s->res);
	export_set_free(&s->exports);
	runner_cleanup(&s->runner);
	matrix_free(s->m);
	loader_destroy(s->loader);
	config_free(s->cfg);
}

static void print_cells(const struct matrix *m, long long runs)
{
	size_t i;

	for (i = 0; i < m->n_cells; i++)
		printf("%zu\t%s\n", i + 1, m->cells[i].id);
	printf("%zu cells, %lld runs\n", m->n_cells,
	       runs * (long long)m->n_cells);
}

static int cmd_validate(struct cli *cli)
{
	struct session s = { .cli = cli };
	int rc = load_experiment(&s, false);

	if (rc == 0) {
		long long per = s.cfg->warmup + s.cfg->repetitions;
		unsigned long long tasks = 0;
		char measured[48];
		size_t i;

		for (i = 0; i < s.m->n_cells; i++)
			tasks += s.runner.results[i].tasks;
		if (s.cfg->repetitions_auto) /* auto: a range, not a count */
			snprintf(measured, sizeof(measured), "%lld..%lld",
				 (long long)s.cfg->min_repetitions,
				 (long long)s.cfg->max_repetitions);
		else
			snprintf(measured, sizeof(measured), "%lld",
				 (long long)s.cfg->repetitions);
		printf("%s: ok: %zu cells x %s%lld runs (%lld warm-up + %s measured) = %s%lld runs, %llu tasks per round\n",
		       s.cfg->path, s.m->n_cells,
		       s.cfg->repetitions_auto ? "up to " : "", per,
		       (long long)s.cfg->warmup, measured,
		       s.cfg->repetitions_auto ? "up to " : "",
		       per * (long long)s.m->n_cells, tasks);
	}
	free_session(&s);
	return rc;
}

static int on_cell_done(void *arg, const struct cell_result *cr)
{
	struct session *s = arg;
	int rc = results_cell_done(s->res, cr);

	s->done++;
	progress_cell_done(s->progress, &s->runner, cr, s->done, s->total);
	if (rc < 0)
		diag_error("cannot write %s: %s", results_path(s->res),
			   strerror(-rc));
	return rc;
}

static void on_run_start(void *arg, const struct cell *c, unsigned run,
			 unsigned runs, bool warmup)
{
	struct session *s = arg;

	progress_run_start(s->progress, c, run, runs, warmup);
}

/* The chart beside the summary; a chart that fails is only a warning. */
static void plot_after_run(const struct session *s)
{
	char err[2 * CONCUR_ERRLEN] = "";
	char *svg = plot_default_path(results_path(s->res));

	fileio_remove_stale(svg); /* a killed run's; we hold the results lock */
	if (plot_file(results_path(s->res), svg, err, sizeof(err)) < 0)
		diag_error("warning: no chart: %s", err);
	else
		printf("chart:   %s\n", svg);
	free(svg);
}

/*
 * The exports, rebuilt from the results files as they are now (a resumed
 * run's too); a failure leaves the CSV files complete but fails the run.
 */
static int export_after_run(struct session *s, int rc)
{
	char err[2 * CONCUR_ERRLEN] = "";

	if (export_write(&s->exports, results_path(s->res), stdout, err,
			 sizeof(err)) == 0)
		return rc;
	diag_error("%s; the CSV files are complete", err);
	return rc ? rc : EXIT_FAILED;
}

static const char *env_get(const char *name)
{
	return getenv(name);
}

/*
 * The shard this run is: --shard, else an array task's environment, else
 * the whole experiment.  A shard writes its own files and skips the other
 * shards' cells.  0 or an exit status.
 */
static int pick_shard(struct session *s)
{
	struct cli *cli = s->cli;
	char err[2 * CONCUR_ERRLEN];
	size_t i;
	char *path;

	s->total = s->m->n_cells;
	if (shard_choose(&cli->shard, cli->shard_all, cli->shards, cli->dry_run,
			 env_get, &cli->shard, err, sizeof(err)) < 0) {
		diag_error("%s", err);
		return EXIT_USAGE;
	}
	if (!cli->shard.n)
		return 0;
	s->total = shard_cell_count(s->m, cli->shard.k, cli->shard.n);
	for (i = 0; s->runner.results && i < s->m->n_cells; i++)
		s->runner.results[i].skip =
			!shard_has_cell(&cli->shard, s->m, i);
	path = shard_output_path(s->cfg->output, &cli->shard);
	free(s->cfg->output);
	s->cfg->output = path;
	if (!cli->quiet && !cli->dry_run)
		diag_error(
			"shard %u of %u (%s): %zu of %zu cells, results in %s",
			cli->shard.k, cli->shard.n, cli->shard.source, s->total,
			s->m->n_cells, path);
	return 0;
}

static int exit_status(const struct session *s)
{
	size_t i;

	for (i = 0; i < s->m->n_cells; i++)
		if (!s->runner.results[i].skip &&
		    s->runner.results[i].status != CELL_OK)
			return EXIT_FAILED;
	return 0;
}

/*
 * One argument as the shell reads it back: bare when it is only safe
 * characters, else in single quotes with each ' written '\'' (so $(...),
 * backquotes and ! stay text), or, when it holds control characters, in
 * $'...' with those written \xHH, so pasting it cannot drive the terminal.
 */
static void print_shell_word(FILE *out, const char *a)
{
	static const char safe[] = "abcdefghijklmnopqrstuvwxyz"
				   "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				   "0123456789_@%+=:,./-";
	const unsigned char *p;
	bool control = false;

	if (*a && strspn(a, safe) == strlen(a)) {
		fputs(a, out);
		return;
	}
	for (p = (const unsigned char *)a; *p; p++)
		control |= *p < 0x20 || *p == 0x7f;
	if (!control) {
		fputc('\'', out);
		for (; *a; a++) {
			if (*a == '\'')
				fputs("'\\''", out);
			else
				fputc(*a, out);
		}
		fputc('\'', out);
		return;
	}
	fputs("$'", out);
	for (p = (const unsigned char *)a; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			fprintf(out, "\\x%02x", *p);
		else if (*p == '\'' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else
			fputc(*p, out);
	}
	fputc('\'', out);
}

/*
 * The command that continues this experiment: the original arguments (so
 * -o and --set are kept), with --force dropped and --resume added, each
 * quoted for the shell.
 */
static void print_resume_command(FILE *out, const struct cli *cli)
{
	bool resume = false;
	int i;

	fprintf(out, " concur");
	for (i = 1; i < cli->argc; i++) {
		const char *a = cli->argv[i];

		if (!strcmp(a, "--force"))
			continue;
		resume |= !strcmp(a, "--resume");
		fputc(' ', out);
		print_shell_word(out, a);
	}
	fprintf(out, "%s\n", resume ? "" : " --resume");
}

static int cmd_run(struct cli *cli)
{
	struct report_context context;
	struct session s = { .cli = cli };
	struct runner_hooks hooks = { .cell_done = on_cell_done,
				      .run_start = on_run_start,
				      .arg = &s };
	enum results_mode mode = cli->resume  ? RESULTS_RESUME
				 : cli->force ? RESULTS_FORCE
					      : RESULTS_NEW;
	char err[4 * CONCUR_ERRLEN] = "";
	int rc = load_experiment(&s, !cli->dry_run);

	if (rc == 0)
		rc = pick_shard(&s);
	if (rc == 0 && cli->dry_run && cli->shard.n)
		shard_print_plan(stdout, s.m, cli->shard.k, cli->shard.n,
				 s.cfg->warmup + s.cfg->repetitions);
	else if (rc == 0 && cli->dry_run && cli->shards)
		shard_print_plan(stdout, s.m, SHARD_ALL, cli->shards,
				 s.cfg->warmup + s.cfg->repetitions);
	else if (rc == 0 && cli->dry_run)
		print_cells(s.m, s.cfg->warmup + s.cfg->repetitions);
	if (rc == 0 && !cli->dry_run &&
	    export_plan_run(&s.exports, s.cfg, cli->export_json,
			    cli->export_markdown, cli->shard.n > 0,
			    cli->force || cli->resume, err, sizeof(err)) < 0) {
		diag_error("%s", err);
		rc = EXIT_USAGE;
	}
	if (rc != 0 || cli->dry_run)
		goto out;
	if (results_open(s.cfg, s.m, &s.runner, &cli->shard, mode, cli->argc,
			 cli->argv, &s.res, err, sizeof(err)) < 0) {
		diag_error("%s", err);
		rc = EXIT_USAGE;
		goto out;
	}
	export_remove_stale(&s.exports); /* we hold the results lock */
	s.runner.n_child_closes =
		results_fds(s.res, s.runner.child_closes,
			    ARRAY_SIZE(s.runner.child_closes));
	s.done = results_resumed(s.res);
	s.progress =
		progress_create(stderr, progress_mode_for(stderr, cli->quiet),
				s.m, s.done + s.m->n_cells - s.total,
				(unsigned)(s.cfg->warmup + s.cfg->repetitions));
	if (s.done && !cli->quiet)
		diag_error("resuming: %zu of %zu cells already in %s", s.done,
			   s.total, results_path(s.res));
	s.runner.interrupted = &interrupted;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	report_context_capture(&context); /* load average as the run starts */
	rc = runner_run(&s.runner, &hooks);
	progress_clear(s.progress);
	report_table_ctx(stdout, &s.runner, &context);
	if (rc == -EINTR) {
		diag_error(
			"interrupted: %zu of %zu cells are in %s; continue with:",
			s.done, s.total, results_path(s.res));
		fputs(" ", stderr);
		print_resume_command(stderr, cli);
		rc = EXIT_INTERRUPTED;
	} else if (rc < 0) {
		rc = EXIT_FAILED;
	} else {
		printf("results: %s\n", results_path(s.res));
		if (s.total) /* an empty shard has nothing to draw */
			plot_after_run(&s);
		rc = exit_status(&s);
	}
	rc = export_after_run(&s, rc);
out:
	free_session(&s);
	return rc;
}

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
static int cmd_slurm(struct cli *cli)
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
	if (p->desc->kind == CONCUR_KIND_STRATEGY)
		printf("open loop: %s\n",
		       p->desc->caps & CONCUR_CAP_OPEN_LOOP
			       ? "yes (honours a workload's rate)"
			       : "no (refused for a workload with rate > 0)");
	else
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

static int cmd_list(struct cli *cli)
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

struct command;
static const struct command *find_command(const char *name);
static void print_help(void);

static int cmd_help(struct cli *cli)
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

static int cmd_plot(struct cli *cli)
{
	char err[2 * CONCUR_ERRLEN] = "";
	char *svg;
	int rc;

	if (!cli->experiment)
		return usage_error("%s", "plot needs a RESULTS.csv");
	svg = cli->output ? xstrdup(cli->output)
			  : plot_default_path(cli->experiment);
	/* the chart beside the results is concur's own, redrawn at will;
	 * another file only with --force, and never the results */
	rc = fileio_output_allowed(svg, (const char *const *)&cli->experiment,
				   1, "the results file being drawn",
				   cli->force || !cli->output, err,
				   sizeof(err));
	if (rc == 0)
		rc = plot_file(cli->experiment, svg, err, sizeof(err));
	if (rc < 0)
		diag_error("%s", err);
	else
		printf("chart: %s\n", svg);
	free(svg);
	return rc < 0 ? EXIT_USAGE : 0;
}

static int compare_command(int argc, char **argv)
{
	return compare_main(argc - 1, argv + 1);
}

static int serve_command(int argc, char **argv)
{
	return serverproc_exec_serve(argc - 2, argv + 2);
}

/*
 * Every command, once: this table drives dispatch, the "commands:" list of
 * --help, `concur help COMMAND` and "did you mean" for a mistyped one.
 */
struct command {
	const char *name;
	/* --help's line for it; each '\n' starts an indented continuation */
	const char *summary;
	int (*run)(struct cli *cli); /* arguments parsed by parse_cli */
	/* or: the command parses its own argv (argv[1] is its name) */
	int (*main)(int argc, char **argv);
	bool sbatch_tail; /* arguments after "--" are passed on untouched */
};

static const struct command commands[] = {
	{ "run",
	  "run every cell of the experiment; write RESULTS.csv and its\n"
	  "-runs, -matrix and -env siblings and the chart RESULTS.svg;\n"
	  "print the results table",
	  cmd_run },
	{ "validate",
	  "parse, load plugins, check every value; print the matrix size",
	  cmd_validate },
	{ "list", "every plugin found: kind, name, version, file, parameters",
	  cmd_list },
	{ "help",
	  "one plugin in full: each parameter's type, default, range, doc;\n"
	  "help experiment: every [experiment] key the same way",
	  cmd_help },
	{ "plot",
	  "draw RESULTS.csv as an SVG chart (default: RESULTS.svg;\n"
	  "-o over an existing file needs --force)",
	  cmd_plot },
	{ "compare",
	  "is NEW faster, slower or the same as BASE, cell by cell\n"
	  "(Mann-Whitney U, ratio with its 95% interval); exit 1 when\n"
	  "a cell is significantly slower beyond the threshold, 3 when\n"
	  "a cell is not ok on a side",
	  NULL, compare_command },
	{ "merge",
	  "put the shards of an experiment (run --shard) back together", NULL,
	  merge_main },
	{ "slurm",
	  "print a script that submits the experiment as a Slurm job\n"
	  "array of N shards and then the merge (bash it to submit)",
	  cmd_slurm, NULL, true },
	{ "serve", "the embedded HTTP test server, standalone", NULL,
	  serve_command },
};

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(name, commands[i].name))
			return &commands[i];
	return NULL;
}

static int unknown_command(const char *name)
{
	const char *names[ARRAY_SIZE(commands)];
	const char *near;
	char *msg;
	size_t i;
	int rc;

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		names[i] = commands[i].name;
	near = suggest_nearest(name, names, ARRAY_SIZE(names));
	msg = xasprintf("unknown command '%.64s'%s%s%s", name,
			near ? " (did you mean '" : "", near ? near : "",
			near ? "'?)" : "");
	rc = usage_error("%s", msg);
	free(msg);
	return rc;
}

static void print_help(void)
{
	size_t i;

	printf("%s%s", usage_text, help_text);
	for (i = 0; i < ARRAY_SIZE(commands); i++) {
		const char *line = commands[i].summary, *nl;

		printf("  %-10s ", commands[i].name);
		while ((nl = strchr(line, '\n'))) {
			printf("%.*s\n%13s", (int)(nl - line), line, "");
			line = nl + 1;
		}
		printf("%s\n", line);
	}
	printf("%s", help_tail);
}

int main(int argc, char **argv)
{
	const struct command *cmd;
	struct cli cli = { 0 };
	int rc;

	if (argc < 2)
		return usage_error("%s", "a command is needed");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    (!strcmp(argv[1], "help") && argc == 2)) {
		print_help();
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("concur %s (%s, %s build)\n", concur_version(),
		       concur_git_revision(), concur_build_type());
		return 0;
	}
	cmd = find_command(argv[1]);
	if (!cmd)
		return unknown_command(argv[1]);
	if (cmd->main)
		return cmd->main(argc, argv);
	/* getopt permutes argv: keep the command line as typed for N-env.csv */
	cli.argv = xcalloc((size_t)argc + 1, sizeof(char *));
	memcpy(cli.argv, argv, (size_t)argc * sizeof(char *));
	if (cmd->sbatch_tail) { /* sbatch's options after "--" */
		int dd = 2;

		while (dd < argc && strcmp(argv[dd], "--") != 0)
			dd++;
		if (dd < argc) {
			cli.sbatch_args = cli.argv + dd + 1;
			cli.n_sbatch_args = (size_t)(argc - dd - 1);
		}
		argc = dd;
	}
	rc = parse_cli(argc, argv, &cli);
	if (rc == 0)
		rc = cmd->run(&cli);
	free_cli(&cli);
	return rc;
}
