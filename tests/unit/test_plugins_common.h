/*
 * test_plugins_common.h - helpers shared by the test_plugins_* tests: load
 * a built plugin by its path under the build folder, run one job, map a
 * counting board.
 */
#ifndef TEST_PLUGINS_COMMON_H
#define TEST_PLUGINS_COMMON_H

#include <stddef.h>

#include <concur/plugin.h>

#include "counting_board.h"
#include "job.h"
#include "loader.h"

/* Load BUILD/rel ("plugins/strategy/sync.so"); fails the test if it can't. */
const struct plugin *tp_load(const char *rel);

/*
 * Run strategy s on workload w (values in parameter-table order) with room
 * for max_tasks; *ret_rc gets job_run's result.  Release with job_release.
 */
struct job_shared *tp_run(const struct plugin *s, const union concur_value *sv,
			  const struct plugin *w, const union concur_value *wv,
			  size_t max_tasks, int *ret_rc);

/* A zeroed MAP_SHARED board with its magic set; tp_board_free unmaps. */
struct counting_board *tp_board_new(void);
void tp_board_free(struct counting_board *b);

#endif
