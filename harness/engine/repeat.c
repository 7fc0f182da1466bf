#include "repeat.h"

#include <math.h>

#include "util.h"

const char *repeat_stop_name(enum repeat_stop s)
{
	static const char *const names[] = { "", "", "target",
					     "max_repetitions", "max_time" };

	return (unsigned)s < ARRAY_SIZE(names) ? names[s] : "";
}

double repeat_precision(const struct sample_stats *w)
{
	if (w->n < 2 || !(w->mean > 0) || isnan(w->ci95_high))
		return NAN;
	return (w->ci95_high - w->ci95_low) / 2 / w->mean;
}

enum repeat_stop repeat_check(const struct config *cfg, const double *wall,
			      size_t n, int64_t spent_ns)
{
	struct sample_stats w;

	if (!cfg->repetitions_auto)
		return REPEAT_FIXED;
	/* the minimum first: no cap, the time budget included, cuts it */
	if (n < (size_t)cfg->min_repetitions)
		return REPEAT_RUNNING;
	stats_summarise(wall, n, &w);
	if (repeat_precision(&w) <= cfg->target_ci)
		return REPEAT_TARGET;
	if (n >= (size_t)cfg->max_repetitions)
		return REPEAT_MAX_REPETITIONS;
	if (cfg->max_time_ns > 0 && spent_ns >= cfg->max_time_ns)
		return REPEAT_MAX_TIME;
	return REPEAT_RUNNING;
}
