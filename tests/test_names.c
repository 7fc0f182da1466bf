/*
 * test_names - the helpers that exist once for the whole core: the
 * did-you-mean rule, the kind names, the plugin-name check, and the outlier
 * rule (Iglewicz-Hoaglin modified z-score).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <concur/plugin.h>

#include "config.h"
#include "stats.h"
#include "util.h"

static void test_suggest_nearest(void **state)
{
	static const char *const keys[] = { "workers", "chunk",
					    "max_inflight" };

	(void)state;
	assert_string_equal(suggest_nearest("worker", keys, 3), "workers");
	assert_string_equal(suggest_nearest("wrokers", keys, 3), "workers");
	/* up to max(2, len/3) edits: 12 letters allow 4 */
	assert_string_equal(suggest_nearest("max_inlfihgt", keys, 3),
			    "max_inflight");
	/* short names allow 2: "cunk" is 1 away, "foo" is not near anything */
	assert_string_equal(suggest_nearest("cunk", keys, 3), "chunk");
	assert_null(suggest_nearest("foo", keys, 3));
	assert_null(suggest_nearest("threads", keys, 3));
	assert_null(suggest_nearest("x", keys, 0));
}

static void test_kind_names(void **state)
{
	(void)state;
	assert_string_equal(kind_name(SECTION_EXPERIMENT), "experiment");
	assert_string_equal(kind_name(SECTION_STRATEGY), "strategy");
	assert_string_equal(kind_name(CONCUR_KIND_STRATEGY), "strategy");
	assert_string_equal(kind_name(SECTION_WORKLOAD), "workload");
	assert_string_equal(kind_name(CONCUR_KIND_WORKLOAD), "workload");
	assert_string_equal(kind_name(7), "unknown");
}

static void test_plugin_names(void **state)
{
	char long_name[66];

	(void)state;
	assert_true(plugin_name_ok("http_download"));
	assert_true(plugin_name_ok("my-plugin2"));
	assert_false(plugin_name_ok(""));
	assert_false(plugin_name_ok(NULL));
	assert_false(plugin_name_ok("Sync"));
	assert_false(plugin_name_ok("../sync"));
	assert_false(plugin_name_ok("a b"));
	memset(long_name, 'a', 65);
	long_name[65] = '\0';
	assert_false(plugin_name_ok(long_name));
	long_name[64] = '\0';
	assert_true(plugin_name_ok(long_name));
}

static void test_outlier_rule(void **state)
{
	(void)state;
	/* median 0, MAD 1: M = 0.6745 x, the line at 3.5 */
	assert_false(stats_is_outlier(5.18, 0, 1)); /* M = 3.494 */
	assert_true(stats_is_outlier(5.19, 0, 1));  /* M = 3.501 */
	assert_true(stats_is_outlier(-5.19, 0, 1));
	assert_false(stats_is_outlier(1e9, 0, 0)); /* MAD 0: never */
	assert_true(STATS_OUTLIER_Z == 3.5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_suggest_nearest),
		cmocka_unit_test(test_kind_names),
		cmocka_unit_test(test_plugin_names),
		cmocka_unit_test(test_outlier_rule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
