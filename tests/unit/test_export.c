/* Unit tests for the exports: harness/base/jsontext.c, harness/base/mdtext.c and the
 * JSON and Markdown built by export_write from hostile results files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "export.h"
#include "jsontext.h"
#include "mdtext.h"

#define FFFD "\xEF\xBF\xBD"

static char *to_string(void (*put)(FILE *, const char *), const char *in)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	assert_non_null(f);
	put(f, in);
	fclose(f);
	return buf;
}

static void check(void (*put)(FILE *, const char *), const char *in,
		  const char *want, int line)
{
	char *got = to_string(put, in);

	if (strcmp(got, want) != 0)
		fail_msg("line %d: written as [%s], want [%s]", line, got,
			 want);
	free(got);
}

#define assert_json(in, want) check(json_string, (in), (want), __LINE__)
#define assert_md(in, want) check(md_text, (in), (want), __LINE__)

static void test_json_string_escapes(void **state)
{
	(void)state;
	assert_json("plain", "\"plain\"");
	assert_json("a\"b\\c", "\"a\\\"b\\\\c\"");
	assert_json("\n\r\t\x01\x1b\x7f", "\"\\n\\r\\t\\u0001\\u001b\\u007f\"");
	assert_json("|<b>&", "\"|<b>&\"");
	assert_json("caf\xC3\xA9 \xE2\x98\x83", "\"caf\xC3\xA9 \xE2\x98\x83\"");
	/* a stray continuation byte, a truncated sequence, an overlong '/' */
	assert_json("a\x80z\xE2\x98", "\"a" FFFD "z" FFFD FFFD "\"");
	assert_json("\xC0\xAF", "\"" FFFD FFFD "\"");
	assert_json(NULL, "\"\"");
}

static void put_number(FILE *f, const char *text)
{
	json_number(f, strtod(text, NULL));
}

static void test_json_numbers(void **state)
{
	(void)state;
	check(put_number, "0.000354533", "0.000354533", __LINE__);
	check(put_number, "354.533", "354.533", __LINE__);
	check(put_number, "0.1", "0.1", __LINE__);
	check(put_number, "-0", "0", __LINE__);
	check(put_number, "1e300", "1e+300", __LINE__);
	check(put_number, "nan", "null", __LINE__);
	check(put_number, "inf", "null", __LINE__);
	check(put_number, "-inf", "null", __LINE__);
}

static void test_markdown_escapes(void **state)
{
	(void)state;
	assert_md("a|b", "a\\|b");
	assert_md("<script>&", "\\<script\\>\\&");
	assert_md("*_`[x](y)#!~", "\\*\\_\\`\\[x\\]\\(y\\)\\#\\!\\~");
	assert_md("line\nnext\r\tq\x1b[2J\x7f", "line next  q \\[2J ");
	assert_md("\"quoted\" caf\xC3\xA9", "\"quoted\" caf\xC3\xA9");
}

/* ---- export_write on hostile files ---------------------------------- */

static const char summary[] =
	"experiment,cell,strategy,workload,status,runs,tasks,wall_median_s,"
	"speedup,error,stopped_by\r\n"
	"\"x\"\"y\",\"s\"\"q|<i>\x01/w\",s,w,failed,2,4,0.5,1,"
	"\"bad \"\"quote\"\" | <b> \x1b[31m\xff\",\r\n";
static const char runs[] =
	"experiment,cell,strategy,workload,run,status,wall_s,tasks,"
	"tasks_failed,cpu_user_s,cpu_sys_s,error\r\n"
	"\"x\"\"y\",\"s\"\"q|<i>\x01/w\",s,w,1,ok,0.25,2,0,0.1,0.05,\r\n"
	"\"x\"\"y\",\"s\"\"q|<i>\x01/w\",s,w,2,failed,0.75,2,1,0.2,,"
	"\"bad \"\"quote\"\" | <b> \x1b[31m\xff\"\r\n";
static const char env[] = "key,value\r\n"
			  "host,\"h\"\"<1>\"\r\n"
			  "cpu_count,2\r\n"
			  "load_average,0.5 0.25 0.125 1/2 3\r\n"
			  "git_revision,abc\r\n";

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = calloc(1, 65536);
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, 65535, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

#define assert_has(text, part)                                                 \
	do {                                                                   \
		if (!strstr((text), (part)))                                   \
			fail_msg("line %d: [%s] not in\n%s", __LINE__, (part), \
				 (text));                                      \
	} while (0)

static void test_hostile_files(void **state)
{
	char dir[] = "/tmp/concur-export-XXXXXX", path[4][128];
	struct export_set s = { 0 };
	char err[512] = "", *json, *md;
	size_t i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path[0], sizeof(path[0]), "%s/n.csv", dir);
	snprintf(path[1], sizeof(path[1]), "%s/n-runs.csv", dir);
	snprintf(path[2], sizeof(path[2]), "%s/n-env.csv", dir);
	put_file(path[0], summary);
	put_file(path[1], runs);
	put_file(path[2], env);
	snprintf(path[2], sizeof(path[2]), "%s/n.json", dir);
	snprintf(path[3], sizeof(path[3]), "%s/n.md", dir);
	export_set_add(&s, EXPORT_JSON, path[2], true);
	export_set_add(&s, EXPORT_MARKDOWN, path[3], true);
	assert_int_equal(export_write(&s, path[0], NULL, err, sizeof(err)), 0);
	json = slurp(path[2]);
	md = slurp(path[3]);
	assert_has(json, "\"name\": \"s\\\"q|<i>\\u0001/w\",");
	assert_has(json, "\"name\": \"s\\\"q|<i>\\u0001/w_median\",");
	assert_has(json, "\"error_message\": \"failed: bad \\\"quote\\\" | "
			 "<b> \\u001b[31m" FFFD "\"");
	assert_has(json, "\"host_name\": \"h\\\"<1>\"");
	assert_has(json, "\"load_avg\": [0.5, 0.25, 0.125]");
	assert_has(json, "\"real_time\": 250000,");
	assert_has(json, "\"cpu_time\": 200000,");  /* user + sys */
	assert_has(json, "\"real_time\": 500000,"); /* mean and median */
	assert_has(json, "\"git_revision\": \"abc\"");
	/* the second run has no cpu_sys_s: no counter, never NaN or null */
	assert_true(strstr(json, "NaN") == NULL);
	assert_true(strstr(json, "null") == NULL);
	assert_has(md, "| s\"q\\|\\<i\\> /w | failed | 2 | 500.000 ms |");
	assert_has(md, "| bad \"quote\" \\| \\<b\\>  \\[31m\xff |");
	assert_has(md, "### concur: x\"y\n");
	assert_has(md, "h\"\\<1\\>");
	assert_true(strchr(md, '\x1b') == NULL);
	export_set_free(&s);
	for (i = 0; i < 4; i++)
		unlink(path[i]);
	snprintf(path[0], sizeof(path[0]), "%s/n-runs.csv", dir);
	unlink(path[0]);
	snprintf(path[0], sizeof(path[0]), "%s/n-env.csv", dir);
	unlink(path[0]);
	rmdir(dir);
	free(json);
	free(md);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_string_escapes),
		cmocka_unit_test(test_json_numbers),
		cmocka_unit_test(test_markdown_escapes),
		cmocka_unit_test(test_hostile_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
