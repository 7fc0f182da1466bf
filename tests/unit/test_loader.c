/* Loader tests: the real plugins load, and so does a description laid out
 * by concur 0.1's header; each deliberately broken fixture is refused with a
 * message naming the file and what is wrong. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "job.h"
#include "loader.h"
#include "util.h"

static char fixture_dir[512];

static const struct plugin *open_fixture(struct loader *l, const char *name,
					 char *err, size_t len)
{
	char path[700];

	snprintf(path, sizeof(path), "%s/%s.so", fixture_dir, name);
	return loader_open_file(l, path, err, len);
}

/* The fixture is refused and the message holds every expected fragment. */
static void expect_refused(const char *name, const char *frag1,
			   const char *frag2)
{
	struct loader *l = loader_create();
	char err[1024] = "";

	assert_null(open_fixture(l, name, err, sizeof(err)));
	print_message("  %s -> %s\n", name, err);
	assert_non_null(strstr(err, name));
	assert_non_null(strstr(err, frag1));
	if (frag2)
		assert_non_null(strstr(err, frag2));
	loader_destroy(l);
}

static void test_valid_fixture_loads(void **state)
{
	struct loader *l = loader_create();
	char err[1024] = "";
	const struct plugin *p;

	(void)state;
	p = open_fixture(l, "fixture_ok", err, sizeof(err));
	assert_non_null(p);
	assert_string_equal(p->name, "fixture_ok");
	assert_int_equal(p->n_params, 1);
	/* optional hooks were given defaults */
	assert_non_null(p->workload.worker_init);
	assert_non_null(p->workload.check_task);
	assert_null(p->workload.start_task);
	assert_ptr_equal(open_fixture(l, "fixture_ok", err, sizeof(err)), p);
	loader_destroy(l);
}

static void test_not_a_shared_object(void **state)
{
	(void)state;
	expect_refused("fixture_text", "not a shared object", "no ELF header");
}

static void test_missing_symbol(void **state)
{
	(void)state;
	expect_refused("fixture_no_symbol", "not a concur plugin",
		       "concur_plugin_v1");
}

static void test_wrong_abi(void **state)
{
	(void)state;
	expect_refused("fixture_abi", "ABI version 99", "speaks version 1");
}

static void test_wrong_kind_value(void **state)
{
	(void)state;
	expect_refused("fixture_kind", "unknown plugin kind 7", NULL);
}

static void test_missing_required_hook(void **state)
{
	(void)state;
	expect_refused("fixture_missing_hook",
		       "missing the required hook run_task", NULL);
}

static void test_bad_parameter_table(void **state)
{
	(void)state;
	expect_refused("fixture_bad_param", "invalid name 'Bad Name'", NULL);
}

/*
 * A description whose second word is neither a v1.0 kind nor a v1.1 size
 * is refused, not misread (v1.0 plugins are adopted: test_abi_v10).
 */
static void test_size_too_small_refused(void **state)
{
	(void)state;
	expect_refused("fixture_small_size", "description has size 3",
		       "CONCUR_PLUGIN_INIT(kind)");
}

/* One below the smallest v1.1 description: refused too. */
static void test_size_just_too_small_refused(void **state)
{
	(void)state;
	expect_refused("fixture_word63", "description has size 63",
		       "CONCUR_PLUGIN_INIT(kind)");
}

/*
 * A binary built against concur 0.1's header (ABI v1.0, no sizes: its kind
 * where the description's size is now) is adopted, not refused: the core's
 * tables are whole tables of this core's size, with defaults for the hooks
 * it lacks (test_abi_v10 runs real ones).
 */
static void test_v10_layout_adopted(void **state)
{
	struct loader *l = loader_create();
	char err[1024] = "";
	const struct plugin *p;

	(void)state;
	p = open_fixture(l, "fixture_v10_layout", err, sizeof(err));
	if (!p)
		fail_msg("a 0.1 description was refused: %s", err);
	assert_string_equal(p->name, "fixture_v10_layout");
	assert_int_equal(p->desc->kind, CONCUR_KIND_WORKLOAD);
	assert_int_equal(p->info.size, sizeof(struct concur_plugin));
	assert_int_equal(p->workload.size, sizeof(struct concur_workload_ops));
	assert_int_equal(p->n_params, 0);
	assert_int_equal(p->desc->needs, 0);
	assert_non_null(p->workload_given.run_task);
	assert_null(p->workload_given.start_task);
	assert_non_null(p->workload.worker_init);
	assert_non_null(p->workload.check_task);
	assert_int_equal(job_task_count(p, NULL, NULL, err, sizeof(err)), 1);
	loader_destroy(l);
}

static void test_ops_table_without_size_refused(void **state)
{
	(void)state;
	expect_refused("fixture_no_ops_size", "workload ops table has size 0",
		       ".size = CONCUR_WORKLOAD_OPS_SIZE");
}

/* Needs are not optional: one this core cannot provide refuses the plugin. */
static void test_unknown_need_refused(void **state)
{
	(void)state;
	expect_refused("fixture_unknown_need", "needs 0x10000000001",
		       "needs a newer concur");
}

/* Extra keys are offered to a hook: declaring the cap without it is a bug. */
static void test_extra_keys_cap_needs_its_hook(void **state)
{
	(void)state;
	expect_refused("fixture_extra_keys_no_hook",
		       "missing the required hook extra_keys",
		       "CONCUR_CAP_EXTRA_KEYS");
}

static void test_search_finds_builtin_plugins(void **state)
{
	struct loader *l = loader_create();
	char err[1024] = "";
	const struct plugin *s, *w;

	(void)state;
	loader_add_defaults(l);
	s = loader_get(l, "null", CONCUR_KIND_STRATEGY, err, sizeof(err));
	w = loader_get(l, "null", CONCUR_KIND_WORKLOAD, err, sizeof(err));
	assert_non_null(s);
	assert_non_null(w);
	assert_int_equal(s->desc->kind, CONCUR_KIND_STRATEGY);
	assert_int_equal(w->desc->kind, CONCUR_KIND_WORKLOAD);
	assert_null(loader_get(l, "no_such_plugin", CONCUR_KIND_WORKLOAD, err,
			       sizeof(err)));
	assert_non_null(strstr(err, "no workload plugin 'no_such_plugin'"));
	assert_null(loader_get(l, "../etc/x", 0, err, sizeof(err)));
	assert_non_null(strstr(err, "plugin_path"));
	loader_destroy(l);
}

static void test_wrong_kind_for_section(void **state)
{
	struct loader *l = loader_create();
	char err[1024] = "";

	(void)state;
	loader_add_path(l, fixture_dir);
	assert_null(loader_get(l, "fixture_ok", CONCUR_KIND_STRATEGY, err,
			       sizeof(err)));
	assert_non_null(
		strstr(err, "is a workload plugin, but a strategy is needed"));
	loader_destroy(l);
}

static void test_world_writable_folder_refused(void **state)
{
	char dir[] = "/tmp/concur-ww-XXXXXX", src[700], dst[700], cmd[1500];
	struct loader *l = loader_create();
	char err[1024] = "";

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(src, sizeof(src), "%s/fixture_ok.so", fixture_dir);
	snprintf(dst, sizeof(dst), "%s/fixture_ok.so", dir);
	snprintf(cmd, sizeof(cmd), "cp %s %s", src, dst);
	assert_int_equal(system(cmd), 0);
	chmod(dir, 0777);
	assert_null(loader_open_file(l, dst, err, sizeof(err)));
	assert_non_null(strstr(err, "is writable by group and others"));
	assert_non_null(strstr(err, dir));
	chmod(dir, 0755);
	assert_non_null(loader_open_file(l, dst, err, sizeof(err)));
	unlink(dst);
	rmdir(dir);
	loader_destroy(l);
}

int main(void)
{
	const char *build = getenv("CONCUR_TEST_BUILD_DIR");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_fixture_loads),
		cmocka_unit_test(test_not_a_shared_object),
		cmocka_unit_test(test_missing_symbol),
		cmocka_unit_test(test_wrong_abi),
		cmocka_unit_test(test_wrong_kind_value),
		cmocka_unit_test(test_missing_required_hook),
		cmocka_unit_test(test_bad_parameter_table),
		cmocka_unit_test(test_size_too_small_refused),
		cmocka_unit_test(test_size_just_too_small_refused),
		cmocka_unit_test(test_v10_layout_adopted),
		cmocka_unit_test(test_ops_table_without_size_refused),
		cmocka_unit_test(test_unknown_need_refused),
		cmocka_unit_test(test_extra_keys_cap_needs_its_hook),
		cmocka_unit_test(test_search_finds_builtin_plugins),
		cmocka_unit_test(test_wrong_kind_for_section),
		cmocka_unit_test(test_world_writable_folder_refused),
	};

	snprintf(fixture_dir, sizeof(fixture_dir), "%s/tests/fixtures/loader",
		 build ? build : ".");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
