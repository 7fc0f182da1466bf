/*
 * cmd_run.c - concur run: the experiment's cells (or its shard's) into the
 * results files, with progress, the table, the chart and the exports.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diag.h"
#include "fileio.h"
#include "matrix.h"
#include "plot.h"
#include "progress.h"
#include "report.h"
#include "results.h"
#include "util.h"
#include "xlsx.h"

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static void print_cells(const struct matrix *m, long long runs)
{
	size_t i;

	for (i = 0; i < m->n_cells; i++)
		printf("%zu\t%s\n", i + 1, m->cells[i].id);
	printf("%zu cells, %lld runs\n", m->n_cells,
	       runs * (long long)m->n_cells);
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

int cmd_run(struct cli *cli)
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
	/* the workbook is a watcher of the CSV files, which do not know it */
	if (results_open(s.cfg, s.m, &s.runner, &cli->shard, mode,
			 s.cfg->xlsx ? &xlsx_book_watch : NULL, cli->argc,
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
