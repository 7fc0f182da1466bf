/*
 * cli.h - the pieces of the concur program (README "Command line") shared
 * between its files: the parsed command line, the session of a command
 * that loads an experiment, the exit statuses and the commands.
 *
 * Exit status: 0 every cell ran and every task succeeded; 1 some cell
 * failed, crashed or timed out; 2 usage, configuration or plugin error
 * (nothing was run); 130 interrupted.
 */
#ifndef CONCUR_CLI_H
#define CONCUR_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "export.h"
#include "runner.h"
#include "shard.h"

#define EXIT_FAILED 1
#define EXIT_USAGE 2
#define EXIT_INTERRUPTED 130

/* help_text.c: the usage lines, and --help's text before and after the
 * commands' list. */
extern const char cli_usage_text[], cli_help_text[], cli_help_tail[];

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

/* options.c: the flags every parsed command shares (getopt_long). */
int parse_cli(int argc, char **argv, struct cli *cli);
void free_cli(struct cli *cli);
/* The message, the usage lines; returns EXIT_USAGE. */
int usage_error(const char *fmt, const char *arg);

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

/* session.c */
/* --plugin-path dirs, then plugin_path (relative to the experiment file's
 * folder), then the defaults. */
struct loader *make_loader(const struct cli *cli, const struct config *cfg);
/* Config, plugins, matrix and task counts; 0 or an exit status. */
int load_experiment(struct session *s, bool start_server);
void free_session(struct session *s);

/* main.c: the command table */
struct command;
const struct command *find_command(const char *name);
void print_help(void);

/* One file each: the commands that take the parsed command line. */
int cmd_run(struct cli *cli);
int cmd_validate(struct cli *cli);
int cmd_slurm(struct cli *cli);
int cmd_list(struct cli *cli);
int cmd_help(struct cli *cli);
int cmd_plot(struct cli *cli);

#endif
