/*
 * test_exec_argv - the exec workload's command templates: shell-like
 * splitting without a shell, placeholders filled inside their word, sh
 * quoting with shell = true, and each error naming what is wrong.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "exec_argv.h"

static const char *names[] = { "task", "threads", "env.HOME", "empty" };
static const char *values[] = { NULL, "1 2", "/h", "" };
static const struct exec_vars vars = { names, values, 4 };
static char err[256];

/* Parse text, fill it for task 7 and compare with want (NULL-ended). */
static void expect_argv(const char *text, bool shell, const char *const *want)
{
	struct exec_tmpl t;
	char **argv;
	size_t i;

	if (exec_tmpl_parse(text, shell, &vars, NULL, &t, err, sizeof(err)))
		fail_msg("'%s': %s", text, err);
	argv = exec_tmpl_argv(&t, &vars, "7");
	assert_non_null(argv);
	for (i = 0; want[i]; i++) {
		if (!argv[i])
			fail_msg("'%s': argv[%zu] missing, want '%s'", text, i,
				 want[i]);
		assert_string_equal(argv[i], want[i]);
	}
	assert_null(argv[i]);
	exec_argv_free(argv);
	exec_tmpl_free(&t);
}

static void expect_error(const char *text, bool shell, const char *forbid,
			 const char *needle)
{
	struct exec_tmpl t;

	assert_int_equal(exec_tmpl_parse(text, shell, &vars, forbid, &t, err,
					 sizeof(err)),
			 -EINVAL);
	print_message("  '%s' -> %s\n", text, err);
	if (!strstr(err, needle))
		fail_msg("'%s': '%s' lacks '%s'", text, err, needle);
}

static void test_split_like_a_shell(void **state)
{
	(void)state;
	expect_argv(
		"echo a  'b c' \"d\\\"e\" f\\ g", false,
		(const char *[]){ "echo", "a", "b c", "d\"e", "f g", NULL });
	/* no $, no globbing: they are plain characters */
	expect_argv("ls $HOME *.c", false,
		    (const char *[]){ "ls", "$HOME", "*.c", NULL });
	/* '' is an empty argument; single quotes keep backslashes */
	expect_argv("x '' 'a\\b' \"a\\b\"", false,
		    (const char *[]){ "x", "", "a\\b", "a\\b", NULL });
	expect_argv("  \t ", false, (const char *[]){ NULL });
}

static void test_placeholders_fill_their_word(void **state)
{
	(void)state;
	/* a value with spaces stays one argument, inside quotes too */
	expect_argv(
		"run {task} --t={threads} '{env.HOME}/x' {empty}", false,
		(const char *[]){ "run", "7", "--t=1 2", "/h/x", "", NULL });
	expect_argv("printf {{}}%s {{{task}}}", false,
		    (const char *[]){ "printf", "{}%s", "{7}", NULL });
	/* a backslash makes a brace literal too */
	expect_argv("echo \\{task\\}", false,
		    (const char *[]){ "echo", "{task}", NULL });
}

static void test_shell_quotes_values(void **state)
{
	(void)state;
	values[3] = "it's; rm -rf /";
	expect_argv("echo {empty} | wc -c; exit {task}", true,
		    (const char *[]){ "/bin/sh", "-c",
				      "echo 'it'\\''s; rm -rf /' | wc -c; "
				      "exit '7'",
				      NULL });
	values[3] = "";
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("echo {nope}", false, NULL,
		     "unknown placeholder {nope} (write {{ and }} for literal "
		     "braces); known: {task}, {threads}, {env.HOME}, {empty}");
	expect_error("touch /tmp/{task}", false, "task",
		     "unknown placeholder {task} here, where there is no task");
	expect_error("echo {", false, NULL, "{{ for a literal brace");
	expect_error("echo {a b}", true, NULL, "opens no placeholder");
	expect_error("echo }", false, NULL, "write }} for a literal brace");
	expect_error("echo 'open", false, NULL, "unterminated single quote");
	expect_error("echo \"open", false, NULL, "unterminated double quote");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_like_a_shell),
		cmocka_unit_test(test_placeholders_fill_their_word),
		cmocka_unit_test(test_shell_quotes_values),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
