/*
 * main.c - the concur command line (README "Command line"): find the
 * command, parse its flags (options.c) and run it (one cmd_*.c file each;
 * compare, merge and serve parse their own).  Exit statuses: cli.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "compare.h"
#include "merge.h"
#include "serverproc.h"
#include "util.h"
#include "version.h"

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

const struct command *find_command(const char *name)
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

void print_help(void)
{
	size_t i;

	printf("%s%s", cli_usage_text, cli_help_text);
	for (i = 0; i < ARRAY_SIZE(commands); i++) {
		const char *line = commands[i].summary, *nl;

		printf("  %-10s ", commands[i].name);
		while ((nl = strchr(line, '\n'))) {
			printf("%.*s\n%13s", (int)(nl - line), line, "");
			line = nl + 1;
		}
		printf("%s\n", line);
	}
	printf("%s", cli_help_tail);
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
