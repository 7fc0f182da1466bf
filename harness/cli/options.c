/*
 * options.c - the command line of the commands concur parses itself: the
 * flags, the --set overrides, the trust switch from the environment.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diag.h"
#include "util.h"

int usage_error(const char *fmt, const char *arg)
{
	char *msg = xasprintf(fmt, arg);

	diag_error("%s", msg);
	free(msg);
	fprintf(stderr, "%s(concur --help for more)\n", cli_usage_text);
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

int parse_cli(int argc, char **argv, struct cli *cli)
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

void free_cli(struct cli *cli)
{
	size_t i;

	for (i = 0; i < cli->n_overrides; i++)
		config_override_free(&cli->overrides[i]);
	free(cli->overrides);
	free(cli->set_args);
	free(cli->plugin_paths);
	free(cli->argv);
}
