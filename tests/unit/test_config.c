/*
 * test_config.c - the INI experiment reader: the example of
 * docs/experiment-file.md, every error
 * with its FILE:LINE, expansion, overrides, inih's limits, hostile input.
 *
 * The bad experiment files are tests/fixtures/bad-input/NAME.ini, each listed
 * with the error it must produce in the folder's `expected` (its README).
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "util.h"

#define NAME "t.ini"
#define TAIL "[strategy sync]\n[workload w]\n"
#define HEAD "[experiment]\n" TAIL

static char err[1024];

static struct config *load_ov(const char *text,
			      const struct config_override *ov, size_t n)
{
	struct config *cfg = NULL;
	int rc;

	err[0] = '\0';
	rc = config_load_string(NAME, text, strlen(text), ov, n, &cfg, err,
				sizeof(err));
	if (rc != 0)
		fail_msg("unexpected error %d: %s", rc, err);
	return cfg;
}

static struct config *load(const char *text)
{
	return load_ov(text, NULL, 0);
}

/* The load must fail with "t.ini:LINE: ..." containing `needle`. */
static void expect_err_ov(const char *text, size_t len, int line,
			  const char *needle, const struct config_override *ov,
			  size_t n)
{
	struct config *cfg = NULL;
	char where[64];
	int rc;

	err[0] = '\0';
	rc = config_load_string(NAME, text, len, ov, n, &cfg, err, sizeof(err));
	if (rc >= 0)
		fail_msg("expected an error containing '%s'", needle);
	assert_null(cfg);
	if (line > 0)
		snprintf(where, sizeof(where), NAME ":%d: ", line);
	else
		snprintf(where, sizeof(where), "--set");
	if (strncmp(err, where, strlen(where)) || !strstr(err, needle))
		fail_msg("error '%s' lacks '%s' or '%s'", err, where, needle);
}

static void expect_err(const char *text, int line, const char *needle)
{
	expect_err_ov(text, strlen(text), line, needle, NULL, 0);
}

static const struct config_section *section(const struct config *cfg,
					    const char *label)
{
	size_t i;

	for (i = 0; i < cfg->n_sections; i++)
		if (!strcmp(cfg->sections[i].label, label))
			return &cfg->sections[i];
	fail_msg("no section %s", label);
	return NULL;
}

static const struct config_key *key(const struct config_section *sec,
				    const char *name)
{
	size_t i;

	for (i = 0; i < sec->n_keys; i++)
		if (!strcmp(sec->keys[i].name, name))
			return &sec->keys[i];
	return NULL;
}

static char *read_fixture(const char *name)
{
	const char *src = getenv("CONCUR_TEST_SOURCE_DIR");

	assert_non_null(src);
	return xasprintf("%s/tests/fixtures/good-input/%s", src, name);
}

/* ------------------------------------------------------------------ */

static void test_spec_example(void **state)
{
	char *path = read_fixture("seeds.ini");
	const struct config_section *s;
	struct config *cfg = NULL;
	char num[32];

	(void)state;
	assert_int_equal(config_load(path, NULL, 0, &cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg->name, "seeds");
	assert_int_equal(cfg->repetitions, 5);
	assert_int_equal(cfg->warmup, 1);
	assert_int_equal(cfg->timeout_ns, 120000000000LL);
	assert_string_equal(cfg->baseline, "sync");
	assert_int_equal(cfg->baseline_line, 7);
	assert_string_equal(cfg->output, "results/seeds.csv");
	assert_int_equal(cfg->order, ORDER_INTERLEAVED);
	assert_int_equal(cfg->n_sections, 6);
	/* file order, kinds, lines, plugin defaulting to the label */
	s = &cfg->sections[0];
	assert_string_equal(s->label, "sync");
	assert_int_equal(s->kind, SECTION_STRATEGY);
	assert_string_equal(s->plugin, "sync");
	assert_int_equal(s->line, 10);
	assert_int_equal(s->plugin_line, 10);
	assert_int_equal(s->n_keys, 0);
	s = &cfg->sections[1];
	assert_string_equal(s->label, "pthreads");
	assert_int_equal(s->n_keys, 1);
	assert_string_equal(s->keys[0].name, "workers");
	assert_int_equal(s->keys[0].line, 13);
	assert_int_equal(s->keys[0].n_values, 1);
	assert_string_equal(s->keys[0].values[0].text, "1, 2, 5, 10, 30");
	s = section(cfg, "forkpool");
	snprintf(num, sizeof(num), "%u", cpu_count());
	assert_string_equal(key(s, "workers")->values[0].text, num);
	s = section(cfg, "download");
	assert_int_equal(s->kind, SECTION_WORKLOAD);
	assert_string_equal(s->plugin, "http_download");
	assert_int_equal(s->plugin_line, 22);
	assert_null(key(s, "plugin"));
	assert_int_equal(s->n_keys, 4);
	assert_string_equal(s->keys[0].name, "url");
	assert_string_equal(s->keys[3].name, "body");
	assert_string_equal(s->keys[3].values[0].text, "10k");
	assert_int_equal(s->keys[3].values[0].line, 26);
	assert_string_equal(section(cfg, "sums")->plugin, "cpu_sum");
	config_free(cfg);
	free(path);
}

/*
 * tests/fixtures/bad-input/expected: "FILE STAGE LINE MESSAGE" per file,
 * "env NAME=VALUE" and "unset NAME" for the environment, # comments.
 * A "read" file must be refused by config_load with "PATH:LINE: " and
 * MESSAGE; a "check" file must load here (what refuses it comes later:
 * the integration test bad_input runs it through `concur validate`).
 */
static void check_bad_input(const char *dir, char *entry, int *n_read,
			    int *n_check)
{
	char file[256], stage[16], line[16], where[4400];
	struct config *cfg = NULL;
	char *path, *text;
	int rc, used = 0;

	if (sscanf(entry, "%255s %15s %15s %n", file, stage, line, &used) !=
		    3 ||
	    !used)
		fail_msg("expected: '%s' is not 'FILE STAGE LINE MESSAGE'",
			 entry);
	text = entry + used;
	path = xasprintf("%s/%s", dir, file);
	rc = config_load(path, NULL, 0, &cfg, err, sizeof(err));
	if (!strcmp(stage, "check")) {
		if (rc < 0)
			fail_msg(
				"%s: stage check, but the reader refused it: %s",
				file, err);
		config_free(cfg);
		(*n_check)++;
	} else if (!strcmp(stage, "read")) {
		if (rc >= 0)
			fail_msg("%s: loaded without error", file);
		if (!strcmp(line, "-"))
			snprintf(where, sizeof(where), "%s: ", path);
		else
			snprintf(where, sizeof(where), "%s:%s: ", path, line);
		if (strncmp(err, where, strlen(where)) || !strstr(err, text))
			fail_msg("%s: got '%s', want '%s' and '%s'", file, err,
				 where, text);
		(*n_read)++;
	} else {
		fail_msg("%s: stage '%s' is neither read nor check", file,
			 stage);
	}
	free(path);
}

static void test_bad_input(void **state)
{
	const char *src = getenv("CONCUR_TEST_SOURCE_DIR");
	char *dir, *list, entry[1024], *eq;
	int n_read = 0, n_check = 0, n_files = 0;
	struct dirent *de;
	DIR *d;
	FILE *f;

	(void)state;
	assert_non_null(src);
	dir = xasprintf("%s/tests/fixtures/bad-input", src);
	list = xasprintf("%s/expected", dir);
	f = fopen(list, "r");
	assert_non_null(f);
	while (fgets(entry, sizeof(entry), f)) {
		entry[strcspn(entry, "\n")] = '\0';
		if (entry[0] == '#' || entry[0] == '\0')
			continue;
		if (!strncmp(entry, "env ", 4) && (eq = strchr(entry, '='))) {
			*eq = '\0';
			assert_int_equal(setenv(entry + 4, eq + 1, 1), 0);
		} else if (!strncmp(entry, "unset ", 6)) {
			assert_int_equal(unsetenv(entry + 6), 0);
		} else {
			check_bad_input(dir, entry, &n_read, &n_check);
		}
	}
	fclose(f);
	/* every .ini file of the folder is in the list (a name listed twice
	 * or a file listed but missing makes the counts differ) */
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)))
		n_files += strlen(de->d_name) > 4 &&
			   !strcmp(de->d_name + strlen(de->d_name) - 4, ".ini");
	closedir(d);
	assert_int_equal(n_read + n_check, n_files);
	/* 42 files of the reader's own errors were here before the two
	 * folders became one; the reader refuses more than those */
	assert_true(n_read >= 42);
	free(list);
	free(dir);
}

static void test_defaults(void **state)
{
	struct config *cfg = load(HEAD);

	(void)state;
	assert_string_equal(cfg->path, NAME);
	assert_string_equal(cfg->name, "t");
	assert_string_equal(cfg->output, "results/t.csv");
	assert_int_equal(cfg->repetitions, 5);
	assert_int_equal(cfg->warmup, 1);
	assert_int_equal(cfg->timeout_ns, 0);
	assert_string_equal(cfg->baseline, "sync");
	assert_int_equal(cfg->n_plugin_path, 0);
	assert_int_equal(cfg->order, ORDER_INTERLEAVED);
	assert_true(cfg->xlsx);
	assert_int_equal(cfg->name_line, -1); /* from the file's name */
	config_free(cfg);
}

static void test_experiment_keys(void **state)
{
	struct config *cfg = load("[experiment]\n"
				  "name = my run/1 ; comment\n"
				  "repetitions = 10000\n"
				  "warmup = 0\n"
				  "timeout = 1.5s\n"
				  "order = grouped\n"
				  "baseline = b\n"
				  "plugin_path = /a\n"
				  "  /b ; two\n"
				  "plugin_path = /c\n"
				  "xlsx = off\n"
				  "[strategy a]\n[strategy b]\n[workload w]\n");

	(void)state;
	assert_string_equal(cfg->name, "my run/1");
	assert_int_equal(cfg->name_line, 2);
	assert_false(cfg->xlsx);
	/* the name reaches file names only through the sanitised default */
	assert_string_equal(cfg->output, "results/my_run_1.csv");
	assert_int_equal(cfg->repetitions, 10000);
	assert_int_equal(cfg->warmup, 0);
	assert_int_equal(cfg->timeout_ns, 1500000000LL);
	assert_int_equal(cfg->order, ORDER_GROUPED);
	assert_string_equal(cfg->baseline, "b");
	assert_int_equal(cfg->baseline_line, 7);
	assert_int_equal(cfg->n_plugin_path, 3);
	assert_string_equal(cfg->plugin_path[0], "/a");
	assert_string_equal(cfg->plugin_path[1], "/b");
	assert_string_equal(cfg->plugin_path[2], "/c");
	config_free(cfg);
}

/* repetitions = auto and its four keys; defaults when only auto is said;
 * fixed repetitions keep the old meaning. */
static void test_repetitions_auto(void **state)
{
	struct config *cfg;
	struct config_override ov = { "experiment", "repetitions", "auto" };

	(void)state;
	cfg = load("[experiment]\nrepetitions = auto\ntarget_ci = 3.5%\n"
		   "min_repetitions = 4\nmax_repetitions = 50\n"
		   "max_time = 90s\n" TAIL);
	assert_true(cfg->repetitions_auto);
	assert_true(fabs(cfg->target_ci - 0.035) < 1e-12);
	assert_int_equal(cfg->min_repetitions, 4);
	assert_int_equal(cfg->max_repetitions, 50);
	assert_int_equal(cfg->repetitions, 50); /* the cap, for the runner */
	assert_int_equal(cfg->max_time_ns, 90000000000LL);
	config_free(cfg);
	cfg = load("[experiment]\nrepetitions = AUTO\n" TAIL);
	assert_true(cfg->repetitions_auto);
	assert_true(fabs(cfg->target_ci - 0.02) < 1e-12);
	assert_int_equal(cfg->min_repetitions, 5);
	assert_int_equal(cfg->max_repetitions, 100);
	assert_int_equal(cfg->max_time_ns, 300000000000LL);
	config_free(cfg);
	cfg = load("[experiment]\nrepetitions = 7\n" TAIL);
	assert_false(cfg->repetitions_auto);
	assert_int_equal(cfg->repetitions, 7);
	config_free(cfg);
	cfg = load_ov("[experiment]\nrepetitions = 7\n" TAIL, &ov, 1);
	assert_true(cfg->repetitions_auto);
	config_free(cfg);
	expect_err("[experiment]\nmax_time = 1m\n" TAIL, 2,
		   "max_time applies only with repetitions = auto");
	expect_err("[experiment]\nrepetitions = auto\ntarget_ci = 0%\n" TAIL, 3,
		   "expected a percentage of the mean above 0%");
	expect_err(
		"[experiment]\nrepetitions = auto\nmax_repetitions = 1\n" TAIL,
		3, "allowed 2 .. 10000");
}

static void test_experiment_errors(void **state)
{
	(void)state;
	expect_err("[experiment]\nrepetitions = 10001\n" TAIL, 2,
		   "allowed 1 .. 10000");
	expect_err("[experiment]\nwarmup = -1\n" TAIL, 2, "allowed 0 .. 1000");
	expect_err("[experiment]\nrepetitions = 99999999999999999999\n" TAIL, 2,
		   "not a valid integer");
	expect_err("[experiment]\ntimeout = -1s\n" TAIL, 2, "negative");
	expect_err("[experiment]\nname =\n" TAIL, 2, "name is empty");
	expect_err("[experiment]\nwrmup = 1\n" TAIL, 2,
		   "unknown key 'wrmup' in [experiment]; did you mean "
		   "'warmup'?");
	/* far from every key: no suggestion, but the list of keys */
	expect_err("[experiment]\nzzzzzzzz = 1\n" TAIL, 2,
		   "'zzzzzzzz' in [experiment]; [experiment] keys are name, "
		   "repetitions");
}

static void test_plugin_keys(void **state)
{
	struct config *cfg = load("[experiment]\n"
				  "[strategy p]\n"
				  "plugin = pthreads\n"
				  "urls =\n"
				  "   http://a/\n"
				  "\n"
				  "   http://b/ ; comment\n"
				  "workers = 1\n"
				  "workers = 2\n"
				  "empty =\n"
				  "[workload w-1.x]\n"
				  "plugin = cpu_sum\n");
	const struct config_section *p = section(cfg, "p");
	const struct config_key *k;

	(void)state;
	assert_string_equal(p->plugin, "pthreads");
	assert_int_equal(p->plugin_line, 3);
	assert_int_equal(p->n_keys, 3);
	k = &p->keys[0];
	assert_string_equal(k->name, "urls");
	assert_int_equal(k->line, 4);
	assert_int_equal(k->n_values, 2); /* "urls =" gives only its items */
	assert_string_equal(k->values[0].text, "http://a/");
	assert_int_equal(k->values[0].line, 5);
	assert_string_equal(k->values[1].text, "http://b/");
	assert_int_equal(k->values[1].line, 7);
	k = &p->keys[1];
	assert_int_equal(k->n_values, 2);
	assert_string_equal(k->values[1].text, "2");
	assert_int_equal(k->values[1].line, 9);
	assert_int_equal(p->keys[2].n_values, 1);
	assert_string_equal(p->keys[2].values[0].text, "");
	assert_string_equal(section(cfg, "w-1.x")->plugin, "cpu_sum");
	config_free(cfg);
}

static void test_repeated_plugin(void **state)
{
	(void)state;
	expect_err(HEAD "plugin = a\nplugin = b\n", 5,
		   "[workload w] gives plugin more than once");
	expect_err(HEAD "plugin =\n", 4, "plugin takes a plain name");
}

static void test_expansion(void **state)
{
	unsigned n = cpu_count();
	char want[128];
	struct config *cfg;
	const struct config_section *w;

	(void)state;
	setenv("CONCUR_TEST_HOST", "example.org", 1);
	setenv("CONCUR_TEST_LOOP", "${CONCUR_TEST_LOOP}$ncpus", 1);
	cfg = load(HEAD "a = 1..2*$ncpus\n"
			"b = $ncpus*3, 4*$ncpus*2\n"
			"c = http://${CONCUR_TEST_HOST}/x?$$y\n"
			"d = ${CONCUR_TEST_LOOP}\n"
			"e = 1..$ncpus *2\n"
			"f = 1.5*$ncpus\n"
			"g = x2*$ncpus\n");
	w = section(cfg, "w");
	snprintf(want, sizeof(want), "1..%u", 2 * n);
	assert_string_equal(key(w, "a")->values[0].text, want);
	snprintf(want, sizeof(want), "%u, %u", 3 * n, 8 * n);
	assert_string_equal(key(w, "b")->values[0].text, want);
	assert_string_equal(key(w, "c")->values[0].text,
			    "http://example.org/x?$y");
	/* one pass: an environment value is never expanded again */
	assert_string_equal(key(w, "d")->values[0].text,
			    "${CONCUR_TEST_LOOP}$ncpus");
	snprintf(want, sizeof(want), "1..%u *2", n);
	assert_string_equal(key(w, "e")->values[0].text, want);
	/* digits that do not start a token are not a factor */
	snprintf(want, sizeof(want), "1.5*%u", n);
	assert_string_equal(key(w, "f")->values[0].text, want);
	snprintf(want, sizeof(want), "x2*%u", n);
	assert_string_equal(key(w, "g")->values[0].text, want);
	config_free(cfg);
}

static void test_expansion_errors(void **state)
{
	char *big = xmalloc(70000);

	(void)state;
	expect_err(HEAD "a = ${}\n", 4, "'${}' is not a variable name");
	expect_err(HEAD "a = ${1X}\n", 4, "is not a variable name");
	expect_err(HEAD "a = ${X\n", 4, "'${' without a closing '}'");
	expect_err(HEAD "a = $\n", 4, "unknown variable '$'");
	expect_err(HEAD "a = $ncpusx\n", 4, "unknown variable '$ncpusx'");
	expect_err(HEAD "a = 99999999999999999999*$ncpus\n", 4, "too large");
	expect_err(HEAD "a = $ncpus*9223372036854775807\n", 4, "too large");
	memset(big, 'x', 69999);
	big[69999] = '\0';
	setenv("CONCUR_TEST_BIG", big, 1);
	expect_err(HEAD "a = ${CONCUR_TEST_BIG}\n", 4,
		   "a: value longer than 65536 bytes after expansion");
	unsetenv("CONCUR_TEST_BIG");
	free(big);
}

static void test_config_expand(void **state)
{
	char *out = NULL;

	(void)state;
	assert_int_equal(config_expand("$$ncpus", &out, err, sizeof(err)), 0);
	assert_string_equal(out, "$ncpus");
	free(out);
	assert_int_equal(config_expand("", &out, err, sizeof(err)), 0);
	assert_string_equal(out, "");
	free(out);
	assert_true(config_expand("${CONCUR_TEST_SURELY_UNSET}", &out, err,
				  sizeof(err)) < 0);
	assert_non_null(strstr(err, "not set"));
}

static void test_inih_limits(void **state)
{
	char text[1024], label[128];
	struct config *cfg;

	(void)state;
	/* 197 bytes is the longest line; with CRLF it still fits */
	snprintf(text, sizeof(text), HEAD "k = %0193d\r\n", 7);
	cfg = load(text);
	assert_int_equal(strlen(section(cfg, "w")->keys[0].values[0].text),
			 193);
	config_free(cfg);
	snprintf(text, sizeof(text), HEAD "k = %0194d\n", 7);
	expect_err(text, 4, "line is 198 bytes long; the limit is 197");
	/* a section without keys counts, a label past inih's 50 bytes too */
	memset(label, 'L', 100);
	label[100] = '\0';
	snprintf(text, sizeof(text),
		 "[experiment]\n[strategy %s]\nplugin = sync\nk = 1\n  2\n"
		 "[workload w]\n",
		 label);
	cfg = load(text);
	assert_int_equal(cfg->n_sections, 2);
	assert_string_equal(cfg->sections[0].label, label);
	assert_int_equal(cfg->sections[0].keys[0].n_values, 2);
	config_free(cfg);
}

static void test_bom_crlf_comments(void **state)
{
	struct config *cfg = load("\xef\xbb\xbf[experiment]\r\n"
				  "# hash comment\r\n"
				  "  ; indented comment\r\n"
				  "name = a;b ; real comment\r\n"
				  "[strategy sync] ; ok\r\n"
				  "[workload w]\r\n"
				  "url: http://x:8/\r\n");

	(void)state;
	assert_string_equal(cfg->name, "a;b");
	assert_string_equal(section(cfg, "w")->keys[0].values[0].text,
			    "http://x:8/");
	assert_int_equal(section(cfg, "w")->keys[0].line, 7);
	config_free(cfg);
}

static void test_overrides(void **state)
{
	struct config_override ov[4];
	struct config *cfg;
	const struct config_section *w;
	char num[32];

	(void)state;
	assert_int_equal(
		config_override_parse("w.count=7", &ov[0], err, sizeof(err)),
		0);
	assert_string_equal(ov[0].section, "w");
	assert_string_equal(ov[0].key, "count");
	assert_string_equal(ov[0].value, "7");
	assert_int_equal(config_override_parse("experiment.repetitions = 2",
					       &ov[1], err, sizeof(err)),
			 0);
	assert_int_equal(config_override_parse("a.b.workers=$ncpus", &ov[2],
					       err, sizeof(err)),
			 0);
	assert_string_equal(ov[2].section, "a.b");
	assert_int_equal(config_override_parse("w.url=http://x/?a=b", &ov[3],
					       err, sizeof(err)),
			 0);
	assert_string_equal(ov[3].value, "http://x/?a=b");
	cfg = load_ov("[experiment]\nrepetitions = 9\n[strategy a.b]\n"
		      "plugin = sync\nworkers = 1\n  2\n"
		      "[workload w]\nurl = u\n",
		      ov, 4);
	assert_int_equal(cfg->repetitions, 2);
	w = section(cfg, "w");
	assert_int_equal(w->n_keys, 2);
	assert_string_equal(key(w, "url")->values[0].text, "http://x/?a=b");
	assert_int_equal(key(w, "url")->line, 0);
	assert_int_equal(key(w, "count")->line, 0);
	assert_int_equal(key(w, "count")->values[0].line, 0);
	/* the override replaces every value line of the key */
	snprintf(num, sizeof(num), "%u", cpu_count());
	assert_int_equal(key(section(cfg, "a.b"), "workers")->n_values, 1);
	assert_string_equal(key(section(cfg, "a.b"), "workers")->values[0].text,
			    num);
	config_free(cfg);
	for (int i = 0; i < 4; i++)
		config_override_free(&ov[i]);
}

/*
 * Keys may hold '.' (env.NAME of the exec workload): --set finds the
 * longest label that names a section, and the rest is the key.
 */
static void test_override_dotted_key(void **state)
{
	struct config_override ov[2];
	struct config *cfg;

	(void)state;
	assert_int_equal(
		config_override_parse("w.env.FOO=1", &ov[0], err, sizeof(err)),
		0);
	assert_int_equal(
		config_override_parse("a.b.env.X=2", &ov[1], err, sizeof(err)),
		0);
	cfg = load_ov("[experiment]\n[strategy a.b]\nplugin = sync\n"
		      "[workload w]\nenv.FOO = 0\n",
		      ov, 2);
	assert_string_equal(key(section(cfg, "w"), "env.FOO")->values[0].text,
			    "1");
	assert_string_equal(key(section(cfg, "a.b"), "env.X")->values[0].text,
			    "2");
	config_free(cfg);
	config_override_free(&ov[0]);
	config_override_free(&ov[1]);
}

static void test_override_errors(void **state)
{
	static const char *const bad[] = { "w.count",	 "count=3",
					   ".count=3",	 "w.=3",
					   "w.co unt=3", "a/b.c=1",
					   "=",		 "" };
	struct config_override ov;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		if (config_override_parse(bad[i], &ov, err, sizeof(err)) !=
		    -EINVAL)
			fail_msg("'%s' accepted", bad[i]);
		assert_non_null(strstr(err, "expected SECTION.KEY=VALUE"));
	}
	assert_int_equal(
		config_override_parse("nope.k=1", &ov, err, sizeof(err)), 0);
	expect_err_ov(HEAD, strlen(HEAD), 0,
		      "--set nope.k=1: no section labelled 'nope'; sections: "
		      "experiment, sync, w",
		      &ov, 1);
	config_override_free(&ov);
	assert_int_equal(
		config_override_parse("w.k=${CONCUR_TEST_SURELY_UNSET}", &ov,
				      err, sizeof(err)),
		0);
	unsetenv("CONCUR_TEST_SURELY_UNSET");
	expect_err_ov(HEAD, strlen(HEAD), 0, "is not set", &ov, 1);
	config_override_free(&ov);
	/* a bad value from --set is reported as such */
	assert_int_equal(config_override_parse("experiment.warmup=x", &ov, err,
					       sizeof(err)),
			 0);
	expect_err_ov(HEAD, strlen(HEAD), 0,
		      "--set: [experiment] warmup = x:", &ov, 1);
	config_override_free(&ov);
}

static void test_caps(void **state)
{
	size_t cap = 64 * (CONFIG_MAX_SECTIONS + 2), n = 0, i;
	char *text = xmalloc(cap);

	(void)state;
	n += (size_t)snprintf(text + n, cap - n, "[experiment]\n");
	for (i = 0; i <= CONFIG_MAX_SECTIONS; i++)
		n += (size_t)snprintf(text + n, cap - n, "[strategy s%zu]\n",
				      i);
	expect_err(text, CONFIG_MAX_SECTIONS + 2, "more than 256 sections");
	free(text);

	cap = 16 * (CONFIG_MAX_VALUES + 10);
	text = xmalloc(cap);
	n = (size_t)snprintf(text, cap, HEAD);
	for (i = 0; i <= CONFIG_MAX_VALUES; i++)
		n += (size_t)snprintf(text + n, cap - n, "k = %zu\n", i);
	expect_err(text, CONFIG_MAX_VALUES + 4,
		   "'k' has more than 10000 values");
	free(text);

	cap = 16 * (CONFIG_MAX_KEYS + 10);
	text = xmalloc(cap);
	n = (size_t)snprintf(text, cap, HEAD);
	for (i = 0; i <= CONFIG_MAX_KEYS; i++)
		n += (size_t)snprintf(text + n, cap - n, "k%zu = 1\n", i);
	expect_err(text, CONFIG_MAX_KEYS + 4, "more than 256 keys");
	free(text);
}

static void test_files(void **state)
{
	char path[] = "/tmp/concur-test-config-XXXXXX";
	struct config *cfg = NULL;
	FILE *f;
	int fd;

	(void)state;
	assert_int_equal(config_load("/nonexistent/x.ini", NULL, 0, &cfg, err,
				     sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/x.ini: cannot open"));
	assert_true(config_load("/", NULL, 0, &cfg, err, sizeof(err)) < 0);
	assert_null(cfg);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	for (int i = 0; i <= CONFIG_MAX_FILE / 16; i++)
		fputs(";;;;;;;;;;;;;;;\n", f);
	fclose(f);
	assert_int_equal(config_load(path, NULL, 0, &cfg, err, sizeof(err)),
			 -EFBIG);
	assert_non_null(strstr(err, "larger than 1048576 bytes"));
	unlink(path);
}

static void test_hostile(void **state)
{
	size_t len = 1 << 20, i;
	char *text = xmalloc(len);
	struct config *cfg = NULL;
	uint64_t x = 88172645463325252ull;

	(void)state;
	/* 100 KB on one line */
	memset(text, 'a', 100000);
	text[100000] = '\n';
	expect_err_ov(text, 100001, 1, "line is 100000 bytes long", NULL, 0);
	/* binary garbage: an error, never a crash */
	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		text[i] = (char)x;
	}
	assert_true(config_load_string(NAME, text, len, NULL, 0, &cfg, err,
				       sizeof(err)) < 0);
	/* printable garbage with brackets, '=' and '$' */
	for (i = 0; i < len; i++)
		text[i] = "[]=$ {}\n;x:a1*."[text[i] & 15];
	assert_true(config_load_string(NAME, text, len, NULL, 0, &cfg, err,
				       sizeof(err)) < 0);
	/* an empty file and a NULL text */
	expect_err_ov("", 0, 1, "no [experiment] section", NULL, 0);
	expect_err_ov(NULL, 0, 1, "no [experiment] section", NULL, 0);
	free(text);
}

/* Bad input is an errno; only a bug in concur is a code of enum config_bug. */
static int load_code(const char *text)
{
	struct config *cfg = NULL;
	int rc = config_load_string(NAME, text, strlen(text), NULL, 0, &cfg,
				    err, sizeof(err));

	config_free(cfg);
	return rc;
}

static void test_failure_is_a_value(void **state)
{
	static const char *const bad[] = {
		/* the input that made the fuzz oracle, which read the
		 * message, take a refusal for a disagreement */
		"[experiment]\n cannot read this line (libinih errorers = "
		"8.$1\n[s1rkload w]l\n",
		"[experiment]\n cannot read this line (internal: x = 1\n",
		"[experiment\n",
		"[experiment]\nkey\n" TAIL,
		"  [experiment]\n",
	};
	size_t i;
	int rc;

	(void)state;
	/* outside every errno, so no errno can be mistaken for them */
	assert_true(CONFIG_E_CLASSIFIER < -4095 && CONFIG_E_INIH < -4095);
	assert_int_not_equal(CONFIG_E_CLASSIFIER, CONFIG_E_INIH);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rc = load_code(bad[i]);
		if (rc != -EINVAL)
			fail_msg("input %zu: code %d, not -EINVAL (%s)", i, rc,
				 err);
		assert_true(err[0] != '\0');
	}
	assert_int_equal(load_code(HEAD), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_example),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_experiment_keys),
		cmocka_unit_test(test_experiment_errors),
		cmocka_unit_test(test_repetitions_auto),
		cmocka_unit_test(test_plugin_keys),
		cmocka_unit_test(test_repeated_plugin),
		cmocka_unit_test(test_expansion),
		cmocka_unit_test(test_expansion_errors),
		cmocka_unit_test(test_config_expand),
		cmocka_unit_test(test_inih_limits),
		cmocka_unit_test(test_bom_crlf_comments),
		cmocka_unit_test(test_overrides),
		cmocka_unit_test(test_override_dotted_key),
		cmocka_unit_test(test_override_errors),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_failure_is_a_value),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
