/* Unit tests for harness/results/schema.c: the column lists, in order, are
 * the headers the golden results files were written with; the N-env.csv
 * key lists, in order, are the keys concur writes for a run, a shard's run
 * and a merge (the golden null experiment, run by the built binary), and
 * the committed -env files of the compare fixtures use no other key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "schema.h"

/* The first line of tests/golden/expected/NAME, without its line end. */
static char *golden_header(const char *name)
{
	const char *src = getenv("CONCUR_TEST_SOURCE_DIR");
	char path[4096], *line = malloc(8192);
	FILE *f;

	assert_non_null(src);
	snprintf(path, sizeof(path), "%s/tests/golden/expected/%s", src, name);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, 8192, f));
	fclose(f);
	line[strcspn(line, "\r\n")] = '\0';
	return line;
}

static void join(char *out, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (*out)
			strcat(out, ",");
		strcat(out, names[i]);
	}
}

static void test_summary_columns(void **state)
{
	char *want = golden_header("null.csv"), got[8192] = "";

	(void)state;
	join(got, schema_summary_head, schema_summary_head_n);
	strcat(got, ",workload.count"); /* the experiment's one parameter */
	join(got, schema_summary_tail, schema_summary_tail_n);
	assert_string_equal(got, want);
	free(want);
}

static void test_runs_columns(void **state)
{
	char *want = golden_header("null-runs.csv"), got[8192] = "";

	(void)state;
	join(got, schema_runs, schema_runs_n);
	assert_string_equal(got, want);
	free(want);
}

/* ---- N-env.csv ---------------------------------------------------- */

struct keys {
	char *k[128];
	size_t n;
};

static void keys_add(struct keys *ks, const char *k)
{
	assert_true(ks->n < 128);
	ks->k[ks->n++] = strdup(k);
}

static void keys_add_list(struct keys *ks, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		keys_add(ks, names[i]);
}

static void keys_free(struct keys *ks)
{
	while (ks->n)
		free(ks->k[--ks->n]);
}

/* The first field of every line of an env file (no key holds a comma, a
 * quote or a line break; the values written here hold no line break). */
static void env_keys(const char *path, struct keys *ks)
{
	char line[8192];
	FILE *f = fopen(path, "r");

	if (!f)
		fail_msg("cannot open %s", path);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, ",\r\n")] = '\0';
		keys_add(ks, line);
	}
	fclose(f);
}

static void assert_same_keys(const struct keys *got, const struct keys *want,
			     const char *what)
{
	size_t i;

	for (i = 0; i < got->n && i < want->n; i++)
		if (strcmp(got->k[i], want->k[i]))
			fail_msg("%s: row %zu is '%s', the schema says '%s'",
				 what, i, got->k[i], want->k[i]);
	if (got->n != want->n)
		fail_msg("%s: %zu rows, the schema says %zu", what, got->n,
			 want->n);
}

/* Run the built concur with `args` in folder `dir`; expect status 0. */
static void concur(const char *dir, const char *args)
{
	const char *build = getenv("CONCUR_TEST_BUILD_DIR");
	char cmd[12288];

	assert_non_null(build);
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && CONCUR_FAKE_CLOCK=1 '%s/harness/concur' %s "
		 ">/dev/null 2>&1",
		 dir, build, args);
	if (system(cmd) != 0)
		fail_msg("failed: %s", cmd);
}

static void run_golden_null(const char *dir, const char *extra)
{
	const char *src = getenv("CONCUR_TEST_SOURCE_DIR");
	const char *build = getenv("CONCUR_TEST_BUILD_DIR");
	char args[4096];

	assert_non_null(src);
	snprintf(args, sizeof(args),
		 "run '%s/tests/golden/null.ini' -o n.csv -q --plugin-path "
		 "'%s/tests/fixtures/workloads' %s",
		 src, build, extra);
	concur(dir, args);
}

static char *scratch(void)
{
	char *dir = strdup("/tmp/concur-test-schema-XXXXXX");

	assert_non_null(mkdtemp(dir));
	return dir;
}

static void remove_scratch(char *dir)
{
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(dir);
}

/* The null experiment reports no library, so no NAME_version row. */
static void run_keys(struct keys *want, bool shard)
{
	keys_add(want, ENV_KEY);
	keys_add_list(want, schema_env_run_head, schema_env_run_head_n);
	keys_add_list(want, schema_env_run_tail, schema_env_run_tail_n);
	if (shard)
		keys_add_list(want, schema_env_shard, schema_env_shard_n);
}

static void test_env_keys_of_a_run(void **state)
{
	struct keys got = { 0 }, want = { 0 };
	char *dir = scratch(), path[4200];

	(void)state;
	run_golden_null(dir, "");
	snprintf(path, sizeof(path), "%s/n-env.csv", dir);
	env_keys(path, &got);
	run_keys(&want, false);
	assert_same_keys(&got, &want, "n-env.csv");
	keys_free(&got);
	keys_free(&want);
	remove_scratch(dir);
}

static void test_env_keys_of_shards_and_their_merge(void **state)
{
	struct keys got = { 0 }, want = { 0 };
	char *dir = scratch(), path[4200];

	(void)state;
	run_golden_null(dir, "--shard 0/2");
	run_golden_null(dir, "--shard 1/2");
	snprintf(path, sizeof(path), "%s/n.shard-1-of-2-env.csv", dir);
	env_keys(path, &got);
	run_keys(&want, true);
	assert_same_keys(&got, &want, "n.shard-1-of-2-env.csv");
	keys_free(&got);
	keys_free(&want);
	/* both shards ran here: one host block */
	concur(dir, "merge m.csv n.shard-0-of-2.csv n.shard-1-of-2.csv");
	snprintf(path, sizeof(path), "%s/m-env.csv", dir);
	env_keys(path, &got);
	keys_add(&want, ENV_KEY);
	keys_add_list(&want, schema_env_merged, schema_env_merged_n);
	keys_add_list(&want, schema_env_merged_host, schema_env_merged_host_n);
	assert_same_keys(&got, &want, "m-env.csv");
	keys_free(&got);
	keys_free(&want);
	remove_scratch(dir);
}

static bool named(const char *key)
{
	const char *const *lists[] = { schema_env_run_head, schema_env_run_tail,
				       schema_env_shard, schema_env_merged,
				       schema_env_merged_host };
	const size_t ns[] = { schema_env_run_head_n, schema_env_run_tail_n,
			      schema_env_shard_n, schema_env_merged_n,
			      schema_env_merged_host_n };
	size_t l, i;

	for (l = 0; l < sizeof(ns) / sizeof(ns[0]); l++)
		for (i = 0; i < ns[l]; i++)
			if (!strcmp(lists[l][i], key))
				return true;
	return false;
}

static void test_committed_env_files_use_schema_keys(void **state)
{
	static const char *const files[] = { "base-env.csv", "new-env.csv" };
	const char *src = getenv("CONCUR_TEST_SOURCE_DIR");
	char path[4200];
	size_t f, i;

	(void)state;
	assert_non_null(src);
	for (f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		struct keys got = { 0 };

		snprintf(path, sizeof(path), "%s/tests/fixtures/compare/%s",
			 src, files[f]);
		env_keys(path, &got);
		assert_true(got.n > 1);
		assert_string_equal(got.k[0], ENV_KEY);
		for (i = 1; i < got.n; i++)
			if (!named(got.k[i]))
				fail_msg("%s: key '%s' is not in the schema",
					 files[f], got.k[i]);
		keys_free(&got);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_summary_columns),
		cmocka_unit_test(test_runs_columns),
		cmocka_unit_test(test_env_keys_of_a_run),
		cmocka_unit_test(test_env_keys_of_shards_and_their_merge),
		cmocka_unit_test(test_committed_env_files_use_schema_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
