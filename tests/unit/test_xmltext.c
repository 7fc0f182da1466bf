/* Unit tests for harness/base/xmltext.c: entities, UTF-8 repair, forbidden
 * characters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "xmltext.h"

#define FFFD "\xEF\xBF\xBD"

static void check(const char *in, size_t len, const char *want, int line)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	assert_non_null(f);
	xml_text_write(f, in, len);
	fclose(f);
	if (strcmp(buf, want) != 0)
		fail_msg("line %d: escaped as [%s], want [%s]", line, buf,
			 want);
	free(buf);
}

#define assert_xml(in, want) check((in), sizeof(in) - 1, (want), __LINE__)

static void test_markup_becomes_entities(void **state)
{
	(void)state;
	assert_xml("</title><script>alert(1)</script>",
		   "&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
	assert_xml("a & \"b\" 'c'", "a &amp; &quot;b&quot; &apos;c&apos;");
	assert_xml("&amp;", "&amp;amp;");
	assert_xml("]]>", "]]&gt;");
}

static void test_valid_utf8_passes(void **state)
{
	(void)state;
	assert_xml("caf\xC3\xA9 \xE4\xB8\xAD \xF0\x9F\x98\x80 \xC2\x80",
		   "caf\xC3\xA9 \xE4\xB8\xAD \xF0\x9F\x98\x80 \xC2\x80");
	assert_xml("\xF4\x8F\xBF\xBF", "\xF4\x8F\xBF\xBF"); /* U+10FFFF */
	assert_xml("\xEF\xBF\xBD", FFFD);
	assert_xml("tab\tand\nnewline", "tab\tand\nnewline");
}

static void test_invalid_utf8_becomes_replacement(void **state)
{
	(void)state;
	assert_xml("a\xFF"
		   "b",
		   "a" FFFD "b");
	assert_xml("\x80", FFFD);		    /* stray continuation */
	assert_xml("\xC0\xAF", FFFD FFFD);	    /* overlong '/' */
	assert_xml("\xE0\x80\xAF", FFFD FFFD FFFD); /* overlong */
	assert_xml("\xED\xA0\x80", FFFD FFFD FFFD); /* surrogate */
	assert_xml("\xF4\x90\x80\x80", FFFD FFFD FFFD FFFD); /* > U+10FFFF */
	assert_xml("\xF5\x80", FFFD FFFD);
	assert_xml("\xE4\xB8", FFFD FFFD); /* truncated at the end */
	assert_xml("\xE4\xB8x", FFFD FFFD "x");
	assert_xml("\xEF\xBF\xBE\xEF\xBF\xBF", FFFD FFFD); /* non-characters */
}

static void test_controls_become_replacement(void **state)
{
	(void)state;
	assert_xml("a\x01\x1B[31m\rb", "a" FFFD FFFD "[31m" FFFD "b");
	assert_xml("\x7F", "\x7F"); /* DEL is an XML character */
}

static void test_length_bounds_the_input(void **state)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	(void)state;
	xml_text_write(f, "\xE4\xB8\xADzz", 2); /* cut inside a character */
	xml_text(f, NULL);
	fclose(f);
	assert_string_equal(buf, FFFD FFFD);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_markup_becomes_entities),
		cmocka_unit_test(test_valid_utf8_passes),
		cmocka_unit_test(test_invalid_utf8_becomes_replacement),
		cmocka_unit_test(test_controls_become_replacement),
		cmocka_unit_test(test_length_bounds_the_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
