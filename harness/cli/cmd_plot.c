/* cmd_plot.c - concur plot: redraw a results file's chart. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "diag.h"
#include "fileio.h"
#include "plot.h"
#include "util.h"

int cmd_plot(struct cli *cli)
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
