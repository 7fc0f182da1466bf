/*
 * config.c - the INI experiment reader (see config.h).
 *
 * Pipeline: read the file into memory -> feed libinih through our own line
 * reader (line numbers, section headers, length/UTF-8/NUL checks) -> the
 * handler stores every key raw and expanded -> apply --set overrides ->
 * check the structure, pull out `plugin`, interpret [experiment].
 *
 * Why a wrapper around libinih at all, stated once.  libinih is the
 * project's INI library and is kept, but its handler interface, with the
 * Debian package's build options, cannot tell us four things we must know:
 *
 *  1. Whether a call is a new key or a continuation line: with
 *     multi-line values on (Debian's build), `key = a` then `key = b`
 *     and `key = a` then an indented `b` reach the handler identically,
 *     yet the first is an error (or a list) and the second a list item.
 *  2. The section: inih hands the handler a section name cut at 50 bytes,
 *     and accepts headers we must refuse ([strategy] with no label, text
 *     after ']').
 *  3. Why a line is wrong: inih reports only the number of the first bad
 *     line, and we owe the user "FILE:LINE: what is wrong, what is allowed".
 *  4. Inline comments on continuation lines: inih 55 keeps them in the
 *     value.
 *
 * So the line reader classifies each line exactly as inih will (comment,
 * continuation, section header, key; classify_line), reading inih's own
 * run-time settings (ini_allow_multiline, the comment prefixes) rather than
 * copies of them, parses section headers itself (2), refuses a bad line
 * with its reason before inih sees it (3), and tells the handler the kind
 * of the line inih is about to report (1).  inih still splits key from
 * value, trims, strips inline comments and drives the handler; the handler
 * drops inline comments from continuations (4).  Nothing else of inih's
 * work is repeated.  The first error stops the parse: the reader returns
 * end-of-file from then on.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "fileio.h"
#include "util.h"
#include "value.h"

/* Longest value after $ncpus / ${ENV} expansion. */
#define CONFIG_MAX_EXPANDED (64 * 1024)
/*
 * Most bytes all of a file's values may take after expansion: four times
 * the largest file, so literal text never comes near it, while 5,000 lines
 * of `k = ${BIG}` cannot turn a small file into hundreds of megabytes.
 */
#define CONFIG_MAX_EXPANDED_TOTAL (4 * CONFIG_MAX_FILE)
/* Longest message built before the "FILE:LINE: " prefix. */
#define MSG_MAX 512

enum line_kind {
	LINE_OTHER, /* blank, comment, section header */
	LINE_KEY,   /* key = value */
	LINE_CONT,  /* indented continuation of the previous key */
};

struct parse {
	struct config *cfg;
	const char *buf;
	size_t len, pos;
	int line;
	bool prev_name;	     /* inih's "a key was seen in this section" */
	enum line_kind kind; /* of the line inih is processing */
	struct config_section *exp; /* [experiment], raw; NULL until seen */
	struct config_section *cur; /* section keys go to; NULL = none yet */
	size_t last_key; /* index in cur->keys of the last key line */
	int rc;		 /* first error, 0 = none */
	char *err;
	size_t errlen;
	size_t expanded; /* bytes of every value so far, after expansion */
	const struct config_key *auto_key; /* first key only auto takes */
	int max_reps_line;
};

/* ------------------------------------------------------------------
 * Small helpers
 * ------------------------------------------------------------------ */

const char *config_where(const struct config *cfg, int line, char *buf,
			 size_t len)
{
	if (line > 0)
		snprintf(buf, len, "%s:%d", cfg ? cfg->path : "?", line);
	else
		snprintf(buf, len, "--set");
	return buf;
}

/* "WHERE: message" into err; returns -EINVAL. */
static int fail_where(char *err, size_t errlen, const char *where,
		      const char *fmt, va_list ap)
{
	char msg[MSG_MAX];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	errf(err, errlen, "%s: %s", where, msg);
	return -EINVAL;
}

/*
 * Make room at index n of an array grown only by appending: capacity is
 * the next power of two, so no capacity field is needed.
 */
static void append_room(void **arr, size_t n, size_t elem)
{
	if (n == 0 || (n & (n - 1)) == 0)
		*arr = xrealloc(*arr, (n ? 2 * n : 1) * elem);
}

/* ASCII only, whatever the locale: labels and names end up in file names. */
static bool is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

_Static_assert((int)SECTION_STRATEGY == (int)CONCUR_KIND_STRATEGY &&
		       (int)SECTION_WORKLOAD == (int)CONCUR_KIND_WORKLOAD,
	       "section kinds are plugin kinds");

static bool is_label_char(int c)
{
	return is_alnum(c) || c == '_' || c == '.' || c == '-';
}

static bool all_chars(const char *s, bool (*ok)(int))
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!ok((unsigned char)*s))
			return false;
	return true;
}

/* ------------------------------------------------------------------
 * Expansion: $ncpus, K*$ncpus, $ncpus*K, ${ENV}, $$
 * ------------------------------------------------------------------ */

struct sbuf {
	char *s;
	size_t n, cap;
	bool full;
};

static void sbuf_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->full || b->n + n > CONFIG_MAX_EXPANDED) {
		b->full = true;
		return;
	}
	xgrow((void **)&b->s, &b->cap, b->n + n + 1, 1);
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = '\0';
}

static bool is_ident_char(int c)
{
	return is_alnum(c) || c == '_';
}

/*
 * If the output ends in "DIGITS*" written in the source (at or after
 * `floor`, so never inside an expanded ${ENV} value) and the digits start a
 * token, remove them and return the factor in *ret (else *ret = 1).
 */
static int take_left_factor(struct sbuf *b, size_t floor, uint64_t *ret)
{
	size_t end, start;
	uint64_t v = 0;

	*ret = 1;
	if (b->n < 2 || b->s[b->n - 1] != '*')
		return 0;
	end = b->n - 1;
	for (start = end;
	     start > floor && isdigit((unsigned char)b->s[start - 1]); start--)
		;
	if (start == end)
		return 0;
	if (start > 0 && is_label_char((unsigned char)b->s[start - 1]) &&
	    !(start >= 2 && b->s[start - 1] == '.' && b->s[start - 2] == '.'))
		return 0;
	for (size_t i = start; i < end; i++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(b->s[i] - '0');
	}
	b->n = start;
	b->s[b->n] = '\0';
	*ret = v;
	return 0;
}

/* "*DIGITS" right after $ncpus, ending a token: the factor and its length. */
static int take_right_factor(const char *s, uint64_t *ret, size_t *ret_len)
{
	size_t i = 1;
	uint64_t v = 0;

	*ret = 1;
	*ret_len = 0;
	if (s[0] != '*' || !isdigit((unsigned char)s[1]))
		return 0;
	for (; isdigit((unsigned char)s[i]); i++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (is_ident_char((unsigned char)s[i]) || s[i] == '.')
		return 0;
	*ret = v;
	*ret_len = i;
	return 0;
}

/* $ncpus with its factors; *pos is just past "$ncpus" on entry. */
static int expand_ncpus(const char *in, size_t *pos, struct sbuf *b,
			size_t floor, char *err, size_t errlen)
{
	uint64_t left, right, n = cpu_count();
	size_t rlen;
	char num[32];

	if (take_left_factor(b, floor, &left) < 0 ||
	    take_right_factor(in + *pos, &right, &rlen) < 0 ||
	    __builtin_mul_overflow(n, left, &n) ||
	    __builtin_mul_overflow(n, right, &n) || n > INT64_MAX) {
		errf(err, errlen, "the product with $ncpus is too large");
		return -ERANGE;
	}
	*pos += rlen;
	snprintf(num, sizeof(num), "%llu", (unsigned long long)n);
	sbuf_add(b, num, strlen(num));
	return 0;
}

/* ${NAME}; *pos is at the '{' on entry. */
static int expand_env(const char *in, size_t *pos, struct sbuf *b, char *err,
		      size_t errlen)
{
	const char *name = in + *pos + 1, *close = strchr(name, '}');
	const char *val;
	size_t n, i;
	char *var;

	if (!close) {
		errf(err, errlen,
		     "'${' without a closing '}'; write ${NAME} for an "
		     "environment variable or $$ for a literal $");
		return -EINVAL;
	}
	n = (size_t)(close - name);
	for (i = 0; i < n; i++)
		if (!is_ident_char((unsigned char)name[i]) ||
		    (i == 0 && isdigit((unsigned char)name[i])))
			break;
	if (n == 0 || i < n) {
		errf(err, errlen,
		     "'${%.*s}' is not a variable name; names are "
		     "[A-Za-z_][A-Za-z0-9_]*",
		     (int)(n > 40 ? 40 : n), name);
		return -EINVAL;
	}
	var = xstrndup(name, n);
	val = getenv(var);
	if (!val)
		errf(err, errlen,
		     "environment variable '%s' is not set (used as ${%s}); "
		     "set it or change the value",
		     var, var);
	free(var);
	if (!val)
		return -EINVAL;
	sbuf_add(b, val, strlen(val));
	*pos = (size_t)(close - in) + 1;
	return 0;
}

static int unknown_dollar(const char *s, char *err, size_t errlen)
{
	size_t n = 0;

	while (is_ident_char((unsigned char)s[n]) && n < 40)
		n++;
	errf(err, errlen,
	     "unknown variable '$%.*s'; values may use $ncpus, ${ENV_VAR} and "
	     "$$ for a literal $",
	     (int)n, s);
	return -EINVAL;
}

/* One '$' construct at in[*pos] == '$'. */
static int expand_dollar(const char *in, size_t *pos, struct sbuf *b,
			 size_t *floor, char *err, size_t errlen)
{
	const char *s = in + *pos + 1;
	int rc;

	if (*s == '$') {
		sbuf_add(b, "$", 1);
		*pos += 2;
		*floor = b->n;
		return 0;
	}
	if (*s == '{') {
		*pos += 1;
		rc = expand_env(in, pos, b, err, errlen);
		*floor = b->n;
		return rc;
	}
	if (!strncmp(s, "ncpus", 5) && !is_ident_char((unsigned char)s[5])) {
		*pos += 6;
		return expand_ncpus(in, pos, b, *floor, err, errlen);
	}
	return unknown_dollar(s, err, errlen);
}

int config_expand(const char *text, char **ret_text, char *err, size_t errlen)
{
	struct sbuf b = { 0 };
	size_t pos = 0, floor = 0, lit;
	int rc = 0;

	sbuf_add(&b, "", 0);
	while (text[pos] && rc == 0 && !b.full) {
		lit = strcspn(text + pos, "$");
		sbuf_add(&b, text + pos, lit);
		pos += lit;
		if (text[pos] == '$')
			rc = expand_dollar(text, &pos, &b, &floor, err, errlen);
	}
	if (rc == 0 && b.full) {
		errf(err, errlen, "value longer than %d bytes after expansion",
		     CONFIG_MAX_EXPANDED);
		rc = -E2BIG;
	}
	if (rc < 0) {
		free(b.s);
		return rc;
	}
	*ret_text = b.s;
	return 0;
}

/* ------------------------------------------------------------------
 * The model: sections and keys
 * ------------------------------------------------------------------ */

static void key_free(struct config_key *k)
{
	size_t i;

	for (i = 0; i < k->n_values; i++)
		free(k->values[i].text);
	free(k->values);
	free(k->name);
}

static void section_free(struct config_section *sec)
{
	size_t i;

	for (i = 0; i < sec->n_keys; i++)
		key_free(&sec->keys[i]);
	free(sec->keys);
	free(sec->label);
	free(sec->plugin);
}

void config_free(struct config *cfg)
{
	size_t i;

	if (!cfg)
		return;
	for (i = 0; i < cfg->n_sections; i++)
		section_free(&cfg->sections[i]);
	free(cfg->sections);
	for (i = 0; i < cfg->n_plugin_path; i++)
		free(cfg->plugin_path[i]);
	free(cfg->plugin_path);
	free(cfg->path);
	free(cfg->name);
	free(cfg->baseline);
	free(cfg->output);
	free(cfg);
}

/* Index of key `name` in sec, or -1. */
static ssize_t key_index(const struct config_section *sec, const char *name)
{
	size_t i;

	for (i = sec->n_keys; i > 0; i--) /* the last key is the likeliest */
		if (!strcmp(sec->keys[i - 1].name, name))
			return (ssize_t)(i - 1);
	return -1;
}

static void key_add_value(struct config_key *k, char *text, int line)
{
	append_room((void **)&k->values, k->n_values, sizeof(*k->values));
	k->values[k->n_values].text = text;
	k->values[k->n_values].line = line;
	k->n_values++;
}

static struct config_key *section_add_key(struct config_section *sec,
					  const char *name, int line)
{
	struct config_key *k;

	append_room((void **)&sec->keys, sec->n_keys, sizeof(*sec->keys));
	k = &sec->keys[sec->n_keys++];
	memset(k, 0, sizeof(*k));
	k->name = xstrdup(name);
	k->line = line;
	return k;
}

/* ------------------------------------------------------------------
 * Parsing: what the line reader sees
 * ------------------------------------------------------------------ */

static int parse_fail_at(struct parse *p, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int parse_fail_at(struct parse *p, int line, const char *fmt, ...)
{
	char where[256];
	va_list ap;

	if (p->rc < 0)
		return p->rc; /* keep the first error */
	va_start(ap, fmt);
	p->rc = fail_where(p->err, p->errlen,
			   config_where(p->cfg, line, where, sizeof(where)),
			   fmt, ap);
	va_end(ap);
	return p->rc;
}

#define parse_fail(p, ...) parse_fail_at((p), (p)->line, __VA_ARGS__)

/*
 * A line config.c and inih read differently: a bug in concur, reported as
 * `code` (enum config_bug) so that callers need not read the message.
 */
static int bug_fail(struct parse *p, int line, enum config_bug code,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int bug_fail(struct parse *p, int line, enum config_bug code,
		    const char *fmt, ...)
{
	char msg[MSG_MAX];
	va_list ap;

	if (p->rc < 0)
		return p->rc;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	parse_fail_at(p, line, "cannot read this line (internal: %s)", msg);
	p->rc = code;
	return p->rc;
}

/* Offset of the first byte that is not valid UTF-8, or n. */
static size_t utf8_check(const unsigned char *s, size_t n)
{
	size_t i = 0, need, k;
	unsigned char lo, hi;

	while (i < n) {
		unsigned char c = s[i];

		lo = 0x80;
		hi = 0xbf;
		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf) {
			need = 1;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2;
			lo = c == 0xe0 ? 0xa0 : 0x80;
			hi = c == 0xed ? 0x9f : 0xbf;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
			lo = c == 0xf0 ? 0x90 : 0x80;
			hi = c == 0xf4 ? 0x8f : 0xbf;
		} else {
			return i;
		}
		if (i + need >= n)
			return i;
		for (k = 1; k <= need; k++) {
			unsigned char b = s[i + k];

			if (b < (k == 1 ? lo : 0x80) ||
			    b > (k == 1 ? hi : 0xbf))
				return i;
		}
		i += need + 1;
	}
	return n;
}

/* NUL bytes, invalid UTF-8 and over-long lines; n excludes the line end. */
static int check_line(struct parse *p, const char *b, size_t n, int num)
{
	const char *nul = memchr(b, '\0', n);
	size_t bad;

	if (nul)
		return parse_fail(p,
				  "NUL byte at column %zu; an experiment file "
				  "is UTF-8 text",
				  (size_t)(nul - b) + 1);
	bad = utf8_check((const unsigned char *)b, n);
	if (bad < n)
		return parse_fail(p,
				  "invalid UTF-8 (byte 0x%02x at column %zu); "
				  "save the file as UTF-8",
				  (unsigned char)b[bad], bad + 1);
	if (n > CONFIG_MAX_LINE || n + 2 > (size_t)(num > 0 ? num : 0))
		return parse_fail(
			p,
			"line is %zu bytes long; the limit is %d. "
			"Split a long list over several lines (a "
			"repeated key or indented continuation lines)",
			n, CONFIG_MAX_LINE);
	return 0;
}

/*
 * inih's find_chars_or_comment() over [s, e): the first byte in `chars`,
 * or the start of an inline comment (a prefix right after white space).
 */
static const char *find_or_comment(const char *s, const char *e,
				   const char *chars)
{
	bool was_space = false;

	for (; s < e; s++) {
		if (chars && strchr(chars, *s))
			return s;
		if (was_space && ini_allow_inline_comments &&
		    ini_inline_comment_prefixes &&
		    strchr(ini_inline_comment_prefixes, *s))
			return s;
		was_space = isspace((unsigned char)*s);
	}
	return e;
}

/* Next white-space separated word of [*s, e); false at the end. */
static bool next_word(const char **s, const char *e, const char **ret_b,
		      int *ret_n)
{
	const char *b = *s;

	while (b < e && isspace((unsigned char)*b))
		b++;
	*s = b;
	while (*s < e && !isspace((unsigned char)**s))
		(*s)++;
	*ret_b = b;
	*ret_n = (int)(*s - b);
	return *s > b;
}

static int start_experiment(struct parse *p, const char *label, int nlabel)
{
	if (nlabel)
		return parse_fail(p,
				  "[experiment] takes no label (got '%.*s'); "
				  "name the experiment with name = ...",
				  nlabel, label);
	if (p->exp)
		return parse_fail(p,
				  "a second [experiment] section (the first "
				  "is at line %d); merge them into one",
				  p->exp->line);
	p->exp = xcalloc(1, sizeof(*p->exp));
	p->exp->kind = SECTION_EXPERIMENT;
	p->exp->label = xstrdup("");
	p->exp->line = p->line;
	p->cur = p->exp;
	return 0;
}

static int check_label(struct parse *p, const char *kind, const char *label)
{
	size_t i;

	if (!all_chars(label, is_label_char))
		return parse_fail(p,
				  "[%s %s]: bad label; labels use only "
				  "letters, digits, '_', '.' and '-' (they "
				  "name CSV rows)",
				  kind, label);
	for (i = 0; i < p->cfg->n_sections; i++) {
		const struct config_section *o = &p->cfg->sections[i];

		if (!strcmp(o->label, label))
			return parse_fail(p,
					  "duplicate label '%s': [%s %s] at "
					  "line %d already uses it; labels "
					  "name CSV rows, so they must be "
					  "unique across strategies and "
					  "workloads",
					  label, kind_name(o->kind), label,
					  o->line);
	}
	if (p->cfg->n_sections >= CONFIG_MAX_SECTIONS)
		return parse_fail(p, "more than %d sections (the limit)",
				  CONFIG_MAX_SECTIONS);
	return 0;
}

static int start_plugin_section(struct parse *p, enum section_kind kind,
				const char *lb, int nlabel)
{
	struct config_section *sec;
	char *label;
	int rc;

	if (!nlabel)
		return parse_fail(p,
				  "[%s] needs a label: [%s LABEL], e.g. "
				  "[%s %s]",
				  kind_name(kind), kind_name(kind),
				  kind_name(kind),
				  kind == SECTION_STRATEGY ? "sync" : "sums");
	label = xstrndup(lb, (size_t)nlabel);
	rc = check_label(p, kind_name(kind), label);
	if (rc < 0) {
		free(label);
		return rc;
	}
	append_room((void **)&p->cfg->sections, p->cfg->n_sections,
		    sizeof(*p->cfg->sections));
	sec = &p->cfg->sections[p->cfg->n_sections++];
	memset(sec, 0, sizeof(*sec));
	sec->kind = kind;
	sec->label = label;
	sec->line = p->line;
	p->cur = sec;
	return 0;
}

static int unknown_kind(struct parse *p, const char *kb, int nkind)
{
	const char *kinds[KIND_COUNT];
	char *kind = xstrndup(kb, (size_t)nkind);
	const char *near;
	unsigned k;

	for (k = 0; k < KIND_COUNT; k++)
		kinds[k] = kind_name(k);
	near = suggest_nearest(kind, kinds, KIND_COUNT);

	parse_fail(p,
		   "unknown section kind '%s'%s%s%s; sections are "
		   "[experiment], [strategy LABEL] and [workload LABEL]",
		   kind, near ? " (did you mean '" : "", near ? near : "",
		   near ? "'?)" : "");
	free(kind);
	return p->rc;
}

/* The text between '[' and ']': KIND [LABEL]. */
static int parse_header(struct parse *p, const char *b, const char *e)
{
	const char *kb, *lb, *xb;
	int nk, nl, nx;
	unsigned k;

	if (!next_word(&b, e, &kb, &nk))
		return parse_fail(p, "empty section header; sections are "
				     "[experiment], [strategy LABEL] and "
				     "[workload LABEL]");
	next_word(&b, e, &lb, &nl);
	if (next_word(&b, e, &xb, &nx))
		return parse_fail(p,
				  "unexpected '%.*s' in a section header; "
				  "write [KIND LABEL] (labels have no spaces)",
				  nx, xb);
	for (k = 0; k < KIND_COUNT; k++)
		if ((size_t)nk == strlen(kind_name(k)) &&
		    !strncmp(kb, kind_name(k), (size_t)nk))
			return k == SECTION_EXPERIMENT
				       ? start_experiment(p, lb, nl)
				       : start_plugin_section(p, k, lb, nl);
	return unknown_kind(p, kb, nk);
}

/* A line starting with '[' (s..t trimmed). */
static int classify_header(struct parse *p, const char *s, const char *t)
{
	const char *close = find_or_comment(s + 1, t, "]"), *rest;

	if (close == t || *close != ']')
		return parse_fail(p,
				  "unterminated section header '%.*s': "
				  "expected ']' (a ';' after a space starts "
				  "a comment)",
				  (int)(t - s > 60 ? 60 : t - s), s);
	for (rest = close + 1; rest < t && isspace((unsigned char)*rest);
	     rest++)
		;
	if (rest < t && *rest != ';' && *rest != '#')
		return parse_fail(p,
				  "unexpected text '%.*s' after the section "
				  "header; only a ; comment may follow ']'",
				  (int)(t - rest > 60 ? 60 : t - rest), rest);
	p->prev_name = false;
	return parse_header(p, s + 1, close);
}

static int classify_key(struct parse *p, const char *s, const char *t)
{
	const char *sep = find_or_comment(s, t, "=:"), *ne = sep;

	if (sep == t || (*sep != '=' && *sep != ':'))
		return parse_fail(p,
				  "expected 'key = value', a [section] header "
				  "or a ; comment, got '%.*s'",
				  (int)(t - s > 60 ? 60 : t - s), s);
	while (ne > s && isspace((unsigned char)ne[-1]))
		ne--;
	if (ne == s)
		return parse_fail(p, "missing key name before '%c'", *sep);
	p->prev_name = true;
	p->kind = LINE_KEY;
	return 0;
}

static int classify_cont(struct parse *p, const char *s, const char *t)
{
	const char *key = p->cur && p->last_key < p->cur->n_keys
				  ? p->cur->keys[p->last_key].name
				  : "?";

	if (*s == '[' && t[-1] == ']')
		return parse_fail(p,
				  "indented '%.*s' would continue the value "
				  "of '%s'; remove the indentation to start "
				  "a section",
				  (int)(t - s > 60 ? 60 : t - s), s, key);
	p->kind = LINE_CONT;
	return 0;
}

/*
 * What inih will do with the line [b, e): the same decisions, in order
 * (reasons 1 and 3 of the file comment).
 */
static int classify_line(struct parse *p, const char *b, const char *e)
{
	const char *s = b, *t = e;

	while (s < t && isspace((unsigned char)*s))
		s++;
	while (t > s && isspace((unsigned char)t[-1]))
		t--;
	p->kind = LINE_OTHER;
	if (s == t || (ini_start_comment_prefixes &&
		       strchr(ini_start_comment_prefixes, *s)))
		return 0;
	if (ini_allow_multiline && p->prev_name && s > b)
		return classify_cont(p, s, t);
	if (*s == '[')
		return classify_header(p, s, t);
	return classify_key(p, s, t);
}

/* inih's fgets-style reader over the in-memory file. */
static char *config_read_line(char *str, int num, void *stream)
{
	struct parse *p = stream;
	const char *b, *e, *nl;
	size_t n;

	if (p->rc < 0 || p->pos >= p->len)
		return NULL;
	b = p->buf + p->pos;
	nl = memchr(b, '\n', p->len - p->pos);
	e = nl ? nl : p->buf + p->len;
	p->pos = (size_t)(e - p->buf) + (nl != NULL);
	p->line++;
	if (e > b && e[-1] == '\r')
		e--;
	if (p->line == 1 && e - b >= 3 && !memcmp(b, "\xef\xbb\xbf", 3))
		b += 3; /* UTF-8 byte order mark */
	n = (size_t)(e - b);
	if (check_line(p, b, n, num) < 0 || classify_line(p, b, e) < 0)
		return NULL;
	memcpy(str, b, n);
	str[n] = '\n';
	str[n + 1] = '\0';
	return str;
}

/* ------------------------------------------------------------------
 * Parsing: what the handler stores
 * ------------------------------------------------------------------ */

static int expand_value(struct parse *p, const char *name, const char *value,
			char **ret_text)
{
	char msg[MSG_MAX];

	if (config_expand(value, ret_text, msg, sizeof(msg)) < 0)
		return parse_fail(p, "%s: %s", name, msg);
	p->expanded += strlen(*ret_text);
	if (p->expanded > CONFIG_MAX_EXPANDED_TOTAL) {
		free(*ret_text);
		*ret_text = NULL;
		return parse_fail(
			p,
			"%s: with ${...} expanded, the values of this file pass %d MiB in total (the limit); is a large variable used on many lines?",
			name, CONFIG_MAX_EXPANDED_TOTAL >> 20);
	}
	return 0;
}

static int add_value(struct parse *p, struct config_key *k, char *text)
{
	if (k->n_values >= CONFIG_MAX_VALUES) {
		free(text);
		return parse_fail(p, "'%s' has more than %d values (the limit)",
				  k->name, CONFIG_MAX_VALUES);
	}
	key_add_value(k, text, p->line);
	return 0;
}

static int add_key(struct parse *p, const char *name, const char *value)
{
	struct config_section *sec = p->cur;
	ssize_t i;
	char *text;

	if (!sec)
		return parse_fail(p,
				  "'%s' is outside any section; put keys under "
				  "[experiment], [strategy LABEL] or "
				  "[workload LABEL]",
				  name);
	if (expand_value(p, name, value, &text) < 0)
		return p->rc;
	i = key_index(sec, name);
	if (i < 0) {
		if (sec->n_keys >= CONFIG_MAX_KEYS) {
			free(text);
			return parse_fail(p,
					  "more than %d keys in one section "
					  "(the limit)",
					  CONFIG_MAX_KEYS);
		}
		section_add_key(sec, name, p->line);
		i = (ssize_t)sec->n_keys - 1;
	}
	p->last_key = (size_t)i;
	return add_value(p, &sec->keys[i], text);
}

static int add_continuation(struct parse *p, const char *value)
{
	struct config_key *k = &p->cur->keys[p->last_key];
	struct config_value *last = &k->values[k->n_values - 1];
	const char *end = find_or_comment(value, value + strlen(value), NULL);
	char *text, *cut;

	/* reason 4 of the file comment */
	while (end > value && isspace((unsigned char)end[-1]))
		end--;
	cut = xstrndup(value, (size_t)(end - value));
	expand_value(p, k->name, cut, &text);
	free(cut);
	if (p->rc < 0)
		return p->rc;
	if (!*last->text) { /* "key =" then the items on indented lines */
		free(last->text);
		last->text = text;
		last->line = p->line;
		return 0;
	}
	return add_value(p, k, text);
}

static int config_handler(void *user, const char *section, const char *name,
			  const char *value)
{
	struct parse *p = user;

	(void)section; /* ours is p->cur (reason 2 of the file comment) */
	if (p->rc < 0)
		return 0;
	if (p->kind == LINE_KEY)
		add_key(p, name, value);
	else if (p->kind == LINE_CONT && p->cur && p->last_key < p->cur->n_keys)
		add_continuation(p, value);
	else
		bug_fail(p, p->line, CONFIG_E_CLASSIFIER,
			 "inih and concur disagree on it");
	return p->rc == 0;
}

/* ------------------------------------------------------------------
 * --set overrides
 * ------------------------------------------------------------------ */

static bool is_key_char(int c)
{
	return is_alnum(c) || c == '_';
}

static char *trim_range(const char *b, const char *e)
{
	while (b < e && isspace((unsigned char)*b))
		b++;
	while (e > b && isspace((unsigned char)e[-1]))
		e--;
	return xstrndup(b, (size_t)(e - b));
}

int config_override_parse(const char *arg, struct config_override *ret,
			  char *err, size_t errlen)
{
	const char *eq = strchr(arg, '='), *dot = NULL, *p;

	memset(ret, 0, sizeof(*ret));
	for (p = arg; eq && p < eq; p++)
		if (*p == '.')
			dot = p; /* both may hold '.': apply_override decides */
	if (!eq || !dot)
		goto bad;
	ret->section = trim_range(arg, dot);
	ret->key = trim_range(dot + 1, eq);
	ret->value = trim_range(eq + 1, eq + strlen(eq));
	if ((strcmp(ret->section, "experiment") &&
	     !all_chars(ret->section, is_label_char)) ||
	    !all_chars(ret->key, is_key_char)) {
		config_override_free(ret);
		goto bad;
	}
	return 0;
bad:
	errf(err, errlen,
	     "--set %.100s: expected SECTION.KEY=VALUE, where SECTION is a "
	     "strategy or workload label or 'experiment' (e.g. --set "
	     "pthreads.workers=8)",
	     arg);
	return -EINVAL;
}

void config_override_free(struct config_override *o)
{
	free(o->section);
	free(o->key);
	free(o->value);
	o->section = o->key = o->value = NULL;
}

static int override_fail(struct parse *p, const struct config_override *o,
			 const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int override_fail(struct parse *p, const struct config_override *o,
			 const char *fmt, ...)
{
	char where[256];
	va_list ap;

	snprintf(where, sizeof(where), "--set %.40s.%.40s=%.80s", o->section,
		 o->key, o->value);
	va_start(ap, fmt);
	p->rc = fail_where(p->err, p->errlen, where, fmt, ap);
	va_end(ap);
	return p->rc;
}

/* "experiment, sync, pthreads, ..." for messages, cut to fit. */
static void list_labels(const struct config *cfg, char *buf, size_t len)
{
	size_t i, n;

	n = (size_t)snprintf(buf, len, "experiment");
	for (i = 0; i < cfg->n_sections && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, ", %s",
				      cfg->sections[i].label);
}

static struct config_section *find_label(const struct config *cfg,
					 const char *label)
{
	size_t i;

	for (i = 0; i < cfg->n_sections; i++)
		if (!strcmp(cfg->sections[i].label, label))
			return &cfg->sections[i];
	return NULL;
}

/*
 * The section --set S.K=V names.  Labels and keys may both hold '.', so
 * "a.b.c" is section "a.b", key "c" when such a label exists, else section
 * "a", key "b.c" (env.NAME keys): the longest label that matches wins.
 * *ret_key (allocated) is the key that goes with it.
 */
static struct config_section *
find_override_section(struct parse *p, const struct config_override *o,
		      char **ret_key)
{
	char *label = xasprintf("%s.%s", o->section, o->key);
	size_t dot = strlen(o->section);
	struct config_section *sec = NULL;

	for (;;) {
		label[dot] = '\0';
		sec = !strcmp(label, "experiment") ? p->exp
						   : find_label(p->cfg, label);
		if (sec) {
			*ret_key = xstrdup(label + dot + 1);
			break;
		}
		label[dot] = '.';
		while (dot > 0 && label[--dot] != '.')
			;
		if (dot == 0)
			break;
	}
	free(label);
	return sec;
}

static int apply_override(struct parse *p, const struct config_override *o)
{
	char *key = NULL;
	struct config_section *sec;
	struct config_key *k;
	char msg[MSG_MAX], labels[256];
	char *text;
	ssize_t i;

	sec = find_override_section(p, o, &key);
	if (!sec) {
		list_labels(p->cfg, labels, sizeof(labels));
		return override_fail(p, o,
				     "no section labelled '%s'; "
				     "sections: %s",
				     o->section, labels);
	}
	if (config_expand(o->value, &text, msg, sizeof(msg)) < 0) {
		free(key);
		return override_fail(p, o, "%s", msg);
	}
	i = key_index(sec, key);
	if (i < 0 && sec->n_keys >= CONFIG_MAX_KEYS) {
		free(text);
		free(key);
		return override_fail(p, o, "more than %d keys in one section",
				     CONFIG_MAX_KEYS);
	}
	k = i < 0 ? section_add_key(sec, key, 0) : &sec->keys[i];
	free(key);
	while (k->n_values > 0)
		free(k->values[--k->n_values].text);
	k->line = 0;
	key_add_value(k, text, 0);
	return 0;
}

/* ------------------------------------------------------------------
 * Checks and the [experiment] section
 * ------------------------------------------------------------------ */

static int check_structure(struct parse *p)
{
	size_t i, n_strategies = 0, n_workloads = 0;
	int line;

	if (!p->exp)
		return parse_fail_at(p, 1,
				     "no [experiment] section; every "
				     "experiment file needs one (it may be "
				     "empty)");
	for (i = 0; i < p->cfg->n_sections; i++) {
		n_strategies += p->cfg->sections[i].kind == SECTION_STRATEGY;
		n_workloads += p->cfg->sections[i].kind == SECTION_WORKLOAD;
	}
	line = p->exp->line;
	if (!n_strategies)
		return parse_fail_at(p, line,
				     "no [strategy LABEL] section; add at "
				     "least one, e.g. [strategy sync]");
	if (!n_workloads)
		return parse_fail_at(p, line,
				     "no [workload LABEL] section; add at "
				     "least one, e.g. [workload sums] with "
				     "plugin = cpu_sum");
	return 0;
}

/* Take `plugin` out of a section's keys into sec->plugin. */
static int take_plugin(struct parse *p, struct config_section *sec)
{
	ssize_t i = key_index(sec, "plugin");
	const char *kind = kind_name(sec->kind);
	struct config_key k;

	if (i < 0) {
		if (!plugin_name_ok(sec->label))
			return parse_fail_at(p, sec->line,
					     "[%s %s] has no plugin = and its "
					     "label is not a plugin name; add "
					     "plugin = NAME (" PLUGIN_NAME_CHARS
					     ")",
					     kind, sec->label);
		sec->plugin = xstrdup(sec->label);
		sec->plugin_line = sec->line;
		return 0;
	}
	k = sec->keys[i];
	if (k.n_values > 1)
		return parse_fail_at(p, k.values[1].line,
				     "[%s %s] gives plugin more than once",
				     kind, sec->label);
	if (!plugin_name_ok(k.values[0].text))
		return parse_fail_at(p, k.values[0].line,
				     "[%s %s] plugin = '%.60s': plugin takes "
				     "a plain name " PLUGIN_NAME_CHARS
				     "; to load from a "
				     "folder use plugin_path",
				     kind, sec->label, k.values[0].text);
	sec->plugin = xstrdup(k.values[0].text);
	sec->plugin_line = k.values[0].line;
	key_free(&k);
	memmove(&sec->keys[i], &sec->keys[i + 1],
		(sec->n_keys - (size_t)i - 1) * sizeof(*sec->keys));
	sec->n_keys--;
	return 0;
}

/*
 * The [experiment] keys, declared like a plugin's parameters (struct
 * concur_param) so that one path types and range-checks them
 * (value_parse_param), documents them (`concur help experiment`, through
 * config_experiment_params) and suggests the nearest (suggest_nearest).
 * experiment_apply[k] stores key k's typed value.  Where no parameter type
 * covers the whole syntax - repetitions = auto, target_ci = 2%, order = a
 * word - the declaration says so in its doc and apply finishes the check.
 * The defaults are set in config_load; the table documents them.
 */
enum {
	EXP_NAME,
	EXP_REPETITIONS,
	EXP_WARMUP,
	EXP_TIMEOUT,
	EXP_BASELINE,
	EXP_OUTPUT,
	EXP_PLUGIN_PATH,
	EXP_ORDER,
	EXP_XLSX,
	EXP_JSON,
	EXP_MARKDOWN,
	EXP_TARGET_CI,
	EXP_MIN_REPETITIONS,
	EXP_MAX_REPETITIONS,
	EXP_MAX_TIME,
	EXP_KEYS
};

static const struct concur_param experiment_params[EXP_KEYS + 1] = {
	[EXP_NAME] = { "name", CONCUR_PARAM_STRING, NULL, NULL, NULL,
		       "experiment name, first CSV column; default: the "
		       "file's name without .ini" },
	[EXP_REPETITIONS] = { "repetitions", CONCUR_PARAM_INT, "5", "1",
			      "10000",
			      "measured runs per cell, or auto: until the mean "
			      "is known to target_ci" },
	[EXP_WARMUP] = { "warmup", CONCUR_PARAM_INT, "1", "0", "1000",
			 "unmeasured runs per cell, before the measured ones" },
	[EXP_TIMEOUT] = { "timeout", CONCUR_PARAM_DURATION, "0", "0", NULL,
			  "per run; the run's process group is killed past "
			  "it (0 = none)" },
	[EXP_BASELINE] = { "baseline", CONCUR_PARAM_STRING, NULL, NULL, NULL,
			   "the strategy label speedups are relative to; "
			   "default: the first strategy" },
	[EXP_OUTPUT] = { "output", CONCUR_PARAM_STRING, NULL, NULL, NULL,
			 "the summary CSV, the other files beside it; "
			 "default: results/NAME.csv" },
	[EXP_PLUGIN_PATH] = { "plugin_path", CONCUR_PARAM_LIST, NULL, NULL,
			      NULL,
			      "extra plugin folders, one per line, searched "
			      "after --plugin-path" },
	[EXP_ORDER] = { "order", CONCUR_PARAM_STRING, "interleaved", NULL, NULL,
			"interleaved (one run of each cell per round) or "
			"grouped (all runs of a cell, then the next)" },
	[EXP_XLSX] = { "xlsx", CONCUR_PARAM_BOOL, "true", NULL, NULL,
		       "also write the workbook N.xlsx beside the CSV files" },
	[EXP_JSON] = { "json", CONCUR_PARAM_BOOL, "false", NULL, NULL,
		       "also write N.json beside the CSV files: Google "
		       "Benchmark's JSON format, for its compare.py and CI "
		       "dashboards (as --export-json)" },
	[EXP_MARKDOWN] = { "markdown", CONCUR_PARAM_BOOL, "false", NULL, NULL,
			   "also write N.md beside the CSV files: the summary "
			   "table in Markdown for a pull request (as "
			   "--export-markdown)" },
	[EXP_TARGET_CI] = { "target_ci", CONCUR_PARAM_STRING, "2%", NULL, NULL,
			    "repetitions = auto only: stop when the 95% "
			    "interval's half-width is at most this percentage "
			    "of the mean (above 0% to 100%)" },
	[EXP_MIN_REPETITIONS] = { "min_repetitions", CONCUR_PARAM_INT, "5", "2",
				  "10000",
				  "repetitions = auto only: measured runs "
				  "before a cell may stop" },
	[EXP_MAX_REPETITIONS] = { "max_repetitions", CONCUR_PARAM_INT, "100",
				  "2", "10000",
				  "repetitions = auto only: the most measured "
				  "runs per cell" },
	[EXP_MAX_TIME] = { "max_time", CONCUR_PARAM_DURATION, "5m", "0", NULL,
			   "repetitions = auto only: time per cell after "
			   "which it stops (0 = no limit)" },
	{ NULL },
};

const struct concur_param *config_experiment_params(void)
{
	return experiment_params;
}

/* Text keys name files and are printed on terminals: no escape codes. */
static int exp_text(struct parse *p, const struct config_key *k, char **ret)
{
	const struct config_value *v = &k->values[0];
	const char *c;

	if (!*v->text)
		return parse_fail_at(p, v->line,
				     "[experiment] %s is empty; give a value "
				     "or remove the line",
				     k->name);
	for (c = v->text; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return parse_fail_at(
				p, v->line,
				"[experiment] %s contains control "
				"character 0x%02x; use printable text",
				k->name, (unsigned char)*c);
	free(*ret);
	*ret = xstrdup(v->text);
	return 0;
}

/* Remember the first key that only repetitions = auto takes. */
static void auto_key_line(struct parse *p, const struct config_key *k)
{
	if (!p->auto_key)
		p->auto_key = k;
}

/* The auto-only keys need auto, and the caps must leave room. */
static int check_repetitions(struct parse *p)
{
	struct config *cfg = p->cfg;

	if (!cfg->repetitions_auto && p->auto_key)
		return parse_fail_at(p, p->auto_key->line,
				     "[experiment] %s applies only with "
				     "repetitions = auto (now %" PRId64 ")",
				     p->auto_key->name, cfg->repetitions);
	if (!cfg->repetitions_auto)
		return 0;
	if (cfg->max_repetitions < cfg->min_repetitions)
		return parse_fail_at(p, p->max_reps_line,
				     "[experiment] max_repetitions = %" PRId64
				     " is below min_repetitions = %" PRId64,
				     cfg->max_repetitions,
				     cfg->min_repetitions);
	cfg->repetitions = cfg->max_repetitions;
	return 0;
}

/* Store key k of experiment_params, typed as declared, into the model. */
static int experiment_apply(struct parse *p, size_t k,
			    const struct config_key *key,
			    const union concur_value *v)
{
	struct config *cfg = p->cfg;
	const char *text = key->values[0].text;
	int line = key->values[0].line;
	char *end;
	double pct;
	size_t i;

	switch (k) {
	case EXP_NAME:
		cfg->name_line = line;
		return exp_text(p, key, &cfg->name);
	case EXP_REPETITIONS:
		cfg->repetitions_auto = false;
		cfg->repetitions = v->i;
		return 0;
	case EXP_WARMUP:
		cfg->warmup = v->i;
		return 0;
	case EXP_TIMEOUT:
		cfg->timeout_ns = v->ns;
		return 0;
	case EXP_BASELINE:
		cfg->baseline_line = line;
		return exp_text(p, key, &cfg->baseline);
	case EXP_OUTPUT:
		return exp_text(p, key, &cfg->output);
	case EXP_PLUGIN_PATH: /* one folder per line; empty lines skipped */
		for (i = 0; i < key->n_values; i++) {
			if (!*key->values[i].text)
				continue;
			append_room((void **)&cfg->plugin_path,
				    cfg->n_plugin_path,
				    sizeof(*cfg->plugin_path));
			cfg->plugin_path[cfg->n_plugin_path++] =
				xstrdup(key->values[i].text);
		}
		return 0;
	case EXP_ORDER:
		if (!strcasecmp(text, "interleaved"))
			cfg->order = ORDER_INTERLEAVED;
		else if (!strcasecmp(text, "grouped"))
			cfg->order = ORDER_GROUPED;
		else
			return parse_fail_at(p, line,
					     "[experiment] order = '%.60s'; "
					     "expected interleaved or grouped",
					     text);
		return 0;
	case EXP_XLSX:
		cfg->xlsx = v->b;
		return 0;
	case EXP_JSON:
		cfg->json = v->b;
		return 0;
	case EXP_MARKDOWN:
		cfg->markdown = v->b;
		return 0;
	case EXP_TARGET_CI:
		auto_key_line(p, key);
		pct = strtod(text, &end);
		if (end == text || strcmp(end, "%") || !(pct > 0) ||
		    !(pct <= 100))
			return parse_fail_at(
				p, line,
				"[experiment] target_ci = '%.60s'; "
				"expected a percentage of the mean "
				"above 0%% and at most 100%%, such "
				"as 2%%",
				text);
		cfg->target_ci = pct / 100;
		return 0;
	case EXP_MIN_REPETITIONS:
		auto_key_line(p, key);
		cfg->min_repetitions = v->i;
		return 0;
	case EXP_MAX_REPETITIONS:
		auto_key_line(p, key);
		p->max_reps_line = line;
		cfg->max_repetitions = v->i;
		return 0;
	case EXP_MAX_TIME:
		auto_key_line(p, key);
		cfg->max_time_ns = v->ns;
		return 0;
	}
	return -EINVAL;
}

static int unknown_experiment_key(struct parse *p, const struct config_key *k)
{
	const char *names[EXP_KEYS];
	char list[256] = "";
	const char *near;
	size_t i, len = 0;

	for (i = 0; i < EXP_KEYS; i++) {
		names[i] = experiment_params[i].name;
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
					i ? ", " : "", names[i]);
	}
	near = suggest_nearest(k->name, names, EXP_KEYS);
	return parse_fail_at(p, k->line,
			     "unknown key '%.60s' in [experiment]%s%s%s; "
			     "[experiment] keys are %s (concur help "
			     "experiment)",
			     k->name, near ? "; did you mean '" : "",
			     near ? near : "", near ? "'?" : "", list);
}

static int apply_experiment_key(struct parse *p, const struct config_key *k)
{
	const struct concur_param *d;
	union concur_value v = { 0 };
	char msg[MSG_MAX];
	size_t i;
	int rc;

	for (i = 0; i < EXP_KEYS && strcmp(experiment_params[i].name, k->name);
	     i++)
		;
	if (i == EXP_KEYS)
		return unknown_experiment_key(p, k);
	d = &experiment_params[i];
	if (d->type != CONCUR_PARAM_LIST && k->n_values > 1)
		return parse_fail_at(p, k->values[1].line,
				     "[experiment] %s is given more than once "
				     "(first at line %d); only plugin_path "
				     "takes several lines",
				     k->name, k->line);
	if (i == EXP_REPETITIONS && !strcasecmp(k->values[0].text, "auto")) {
		p->cfg->repetitions_auto = true;
		return 0;
	}
	rc = d->type == CONCUR_PARAM_LIST || d->type == CONCUR_PARAM_STRING
		     ? 0
		     : value_parse_param(d, k->values[0].text, &v, msg,
					 sizeof(msg));
	if (rc < 0)
		return parse_fail_at(p, k->values[0].line,
				     "[experiment] %s = %.60s%s%s", k->name,
				     k->values[0].text,
				     rc == -ERANGE ? " " : ": ", msg);
	return experiment_apply(p, i, k, &v);
}

/* The file's base name without ".ini"; "experiment" if that is empty. */
static char *default_name(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (n > 4 && !strcmp(base + n - 4, ".ini"))
		n -= 4;
	return n ? xstrndup(base, n) : xstrdup("experiment");
}

/* results/NAME.csv with every byte outside [A-Za-z0-9_.-] made '_'. */
static char *default_output(const char *name)
{
	char *out = xasprintf("results/%s.csv", name);
	char *s;

	for (s = out + strlen("results/"); s[4]; s++)
		if (!is_label_char((unsigned char)*s))
			*s = '_';
	return out;
}

static int check_baseline(struct parse *p)
{
	struct config *cfg = p->cfg;
	const struct config_section *sec;
	char labels[256];
	size_t i, n = 0;

	if (!cfg->baseline) {
		for (i = 0; !cfg->baseline; i++)
			if (cfg->sections[i].kind == SECTION_STRATEGY) {
				cfg->baseline = xstrdup(cfg->sections[i].label);
				cfg->baseline_line = cfg->sections[i].line;
			}
		return 0;
	}
	sec = find_label(cfg, cfg->baseline);
	if (sec && sec->kind == SECTION_STRATEGY)
		return 0;
	labels[0] = '\0';
	for (i = 0; i < cfg->n_sections && n < sizeof(labels); i++)
		if (cfg->sections[i].kind == SECTION_STRATEGY)
			n += (size_t)snprintf(labels + n, sizeof(labels) - n,
					      "%s%s", n ? ", " : "",
					      cfg->sections[i].label);
	return parse_fail_at(p, cfg->baseline_line,
			     "baseline = '%.60s' %s; it must name a strategy "
			     "section: %s",
			     cfg->baseline,
			     sec ? "is a workload" : "names no section",
			     labels);
}

static int finalize(struct parse *p, const struct config_override *ov,
		    size_t n_ov)
{
	struct config *cfg = p->cfg;
	size_t i;

	if (check_structure(p) < 0)
		return p->rc;
	for (i = 0; i < n_ov; i++)
		if (apply_override(p, &ov[i]) < 0)
			return p->rc;
	for (i = 0; i < cfg->n_sections; i++)
		if (take_plugin(p, &cfg->sections[i]) < 0)
			return p->rc;
	for (i = 0; i < p->exp->n_keys; i++)
		if (apply_experiment_key(p, &p->exp->keys[i]) < 0)
			return p->rc;
	if (!cfg->name) {
		cfg->name = default_name(cfg->path);
		cfg->name_line = -1;
	}
	if (!cfg->output)
		cfg->output = default_output(cfg->name);
	if (check_repetitions(p) < 0)
		return p->rc;
	return check_baseline(p);
}

/* ------------------------------------------------------------------
 * Entry points
 * ------------------------------------------------------------------ */

int config_load_string(const char *name, const char *text, size_t len,
		       const struct config_override *overrides,
		       size_t n_overrides, struct config **ret_config,
		       char *err, size_t errlen)
{
	struct parse p = { 0 };
	int rc;

	p.cfg = xcalloc(1, sizeof(*p.cfg));
	p.cfg->path = xstrdup(name);
	p.cfg->repetitions = 5;
	p.cfg->warmup = 1;
	p.cfg->order = ORDER_INTERLEAVED;
	p.cfg->xlsx = true;
	p.cfg->target_ci = 0.02;
	p.cfg->min_repetitions = 5;
	p.cfg->max_repetitions = 100;
	p.cfg->max_time_ns = 5 * 60 * 1000000000LL;
	p.buf = text;
	p.len = len;
	p.err = err;
	p.errlen = errlen;
	if (len > CONFIG_MAX_FILE) {
		errf(err, errlen,
		     "%s: larger than %d bytes; is this an "
		     "experiment file?",
		     name, CONFIG_MAX_FILE);
		p.rc = -EFBIG;
	}
	if (p.rc == 0) {
		rc = ini_parse_stream(config_read_line, &p, config_handler, &p);
		if (rc != 0)
			bug_fail(&p, rc > 0 ? rc : 1, CONFIG_E_INIH,
				 "libinih error %d", rc);
	}
	if (p.rc == 0)
		finalize(&p, overrides, n_overrides);
	if (p.exp) {
		section_free(p.exp);
		free(p.exp);
	}
	if (p.rc < 0) {
		config_free(p.cfg);
		return p.rc;
	}
	*ret_config = p.cfg;
	return 0;
}

int config_load(const char *path, const struct config_override *overrides,
		size_t n_overrides, struct config **ret_config, char *err,
		size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	int rc;

	rc = fileio_read(path, CONFIG_MAX_FILE, "an experiment file", &buf,
			 &len, err, errlen);
	if (rc < 0)
		return rc;
	rc = config_load_string(path, buf, len, overrides, n_overrides,
				ret_config, err, errlen);
	free(buf);
	return rc;
}
