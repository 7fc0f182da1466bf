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
#include "value.h"

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

/*
 * The [experiment] table documents the defaults config_load sets: each
 * documented default, typed by the table, is the value an empty
 * [experiment] gets.
 */
static void test_experiment_table_defaults(void **state)
{
	static const char text[] = "[experiment]\n[strategy sync]\n"
				   "[workload null]\n";
	const struct concur_param *q = config_experiment_params();
	struct config *cfg = NULL;
	char err[512] = "";
	size_t n = 0;

	(void)state;
	assert_int_equal(config_load_string("t.ini", text, strlen(text), NULL,
					    0, &cfg, err, sizeof(err)),
			 0);
	for (; q->name; q++, n++) {
		union concur_value v;

		if (!q->default_value || q->type == CONCUR_PARAM_STRING)
			continue;
		assert_int_equal(value_parse_param(q, q->default_value, &v, err,
						   sizeof(err)),
				 0);
		if (!strcmp(q->name, "repetitions"))
			assert_int_equal(v.i, cfg->repetitions);
		else if (!strcmp(q->name, "warmup"))
			assert_int_equal(v.i, cfg->warmup);
		else if (!strcmp(q->name, "timeout"))
			assert_int_equal(v.ns, cfg->timeout_ns);
		else if (!strcmp(q->name, "xlsx"))
			assert_int_equal(v.b, cfg->xlsx);
		else if (!strcmp(q->name, "json"))
			assert_int_equal(v.b, cfg->json);
		else if (!strcmp(q->name, "markdown"))
			assert_int_equal(v.b, cfg->markdown);
		else if (!strcmp(q->name, "min_repetitions"))
			assert_int_equal(v.i, cfg->min_repetitions);
		else if (!strcmp(q->name, "max_repetitions"))
			assert_int_equal(v.i, cfg->max_repetitions);
		else if (!strcmp(q->name, "max_time"))
			assert_int_equal(v.ns, cfg->max_time_ns);
		else
			fail_msg("no check for the default of %s", q->name);
	}
	assert_int_equal(n, 15);
	assert_int_equal(cfg->order, ORDER_INTERLEAVED); /* "interleaved" */
	assert_true(cfg->target_ci == 0.02);		 /* "2%" */
	config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_suggest_nearest),
		cmocka_unit_test(test_kind_names),
		cmocka_unit_test(test_plugin_names),
		cmocka_unit_test(test_outlier_rule),
		cmocka_unit_test(test_experiment_table_defaults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
