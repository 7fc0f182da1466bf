#include "retype.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static size_t digits_at(const char *s)
{
	return strspn(s, "0123456789");
}

/* [+-]? (D+ [.D*] | .D+) ([eE][+-]?D+)? with a point or an exponent. */
static bool is_float_form(const char *s)
{
	size_t n = (*s == '+' || *s == '-'), d;
	bool point = false, exp = false;

	d = digits_at(s + n);
	n += d;
	if (s[n] == '.') {
		size_t f = digits_at(s + n + 1);

		if (!d && !f)
			return false;
		point = true;
		n += 1 + f;
	} else if (!d) {
		return false;
	}
	if (s[n] == 'e' || s[n] == 'E') {
		size_t k = n + 1 + (s[n + 1] == '+' || s[n + 1] == '-');

		if (!digits_at(s + k))
			return false;
		exp = true;
		n = k + digits_at(s + k);
	}
	return s[n] == '\0' && (point || exp);
}

/*
 * Two or three groups of 1-4 digits joined by the same separator sep:
 * 1.2.3, 1/2, 2024-01-31, 12:30 (the last with ':').
 */
static bool is_digit_groups(const char *s, char sep)
{
	size_t groups = 0;

	for (;;) {
		size_t d = digits_at(s);

		if (d < 1 || d > 4)
			return false;
		groups++;
		s += d;
		if (*s == '\0')
			return groups >= 2 && groups <= 3;
		if (*s++ != sep)
			return false;
	}
}

static bool is_date_form(const char *s)
{
	return is_digit_groups(s, '.') || is_digit_groups(s, '/') ||
	       is_digit_groups(s, '-');
}

bool retype_check(const char *s, char *as, size_t aslen)
{
	size_t n = strlen(s);

	if (n > 1 && s[0] == '0' && digits_at(s) == n) {
		const char *rest = s + strspn(s, "0");

		snprintf(as, aslen,
			 "the number %s (the leading zeros are lost)",
			 *rest ? rest : "0");
		return true;
	}
	if (is_float_form(s)) {
		bool dotted = strchr(s, '.') && !strpbrk(s, "eE");

		snprintf(as, aslen, "the number %.15g%s", strtod(s, NULL),
			 dotted ? " (or a date, under a comma-decimal locale)"
				: "");
		return true;
	}
	if (!strcasecmp(s, "true") || !strcasecmp(s, "false")) {
		snprintf(as, aslen, "the boolean %s",
			 !strcasecmp(s, "true") ? "TRUE" : "FALSE");
		return true;
	}
	if (is_date_form(s)) {
		snprintf(as, aslen, "a date");
		return true;
	}
	if (is_digit_groups(s, ':')) {
		snprintf(as, aslen, "a time of day");
		return true;
	}
	if (n > 1 && s[n - 1] == '%' && (is_digit(s[0]) || s[0] == '.')) {
		char *num = xstrndup(s, n - 1);
		bool pct = is_float_form(num) || digits_at(num) == n - 1;

		free(num);
		if (pct) {
			snprintf(as, aslen, "the number %.15g",
				 strtod(s, NULL) / 100);
			return true;
		}
	}
	return false;
}

static bool warn_one(FILE *out, const struct config *cfg, int line,
		     const char *what, const char *text, const char *prefix)
{
	char as[160], where[512];

	if (!retype_check(text, as, sizeof(as)))
		return false;
	if (line < 0)
		snprintf(where, sizeof(where), "%s", cfg->path);
	else
		config_where(cfg, line, where, sizeof(where));
	fprintf(out,
		"concur: warning: %s: %s '%s' is read by spreadsheets opening the CSV as %s; a label with a letter such as '%s%s' stays text%s\n",
		where, what, text, as, prefix, text,
		cfg->xlsx ? " (the .xlsx workbook keeps it as text either way)"
			  : "");
	return true;
}

size_t retype_warn(FILE *out, const struct config *cfg, const struct matrix *m)
{
	size_t n = 0, i, bad = 0, first = 0;

	n += warn_one(out, cfg, cfg->name_line, "[experiment] name", cfg->name,
		      "run_");
	for (i = 0; i < cfg->n_sections; i++) {
		const struct config_section *sec = &cfg->sections[i];
		char what[64];

		snprintf(what, sizeof(what), "[%s %.40s]: the label",
			 kind_name(sec->kind), sec->label);
		n += warn_one(out, cfg, sec->line, what, sec->label,
			      sec->kind == SECTION_STRATEGY ? "s_" : "w_");
	}
	for (i = 0; m && i < m->n_cells; i++) {
		char as[160];

		if (retype_check(m->cells[i].id, as, sizeof(as)) && !bad++)
			first = i;
	}
	if (bad) {
		fprintf(out,
			"concur: warning: %s: %zu cell id(s) such as '%s' are read by spreadsheets opening the CSV as a date or number; give the labels a letter%s\n",
			cfg->path, bad, m->cells[first].id,
			cfg->xlsx ? " (the .xlsx workbook keeps them as text)"
				  : "");
		n++;
	}
	return n;
}
