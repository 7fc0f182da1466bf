/* cmd_validate.c - concur validate: load and check, run nothing. */
#include <stdio.h>

#include "cli.h"
#include "matrix.h"

int cmd_validate(struct cli *cli)
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
