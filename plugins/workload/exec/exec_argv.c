/*
 * exec_argv.c - split and fill the exec workload's command templates (see
 * exec_argv.h).
 */
#include "exec_argv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A growable byte buffer; `oom` sticks once an allocation failed. */
struct buf {
	char *s;
	size_t len, cap;
	bool oom;
};

static void buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *t = realloc(b->s, cap);

		if (!t) {
			b->oom = true;
			return;
		}
		b->s = t;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

/* The parser's state: the words so far and the word being built. */
struct parse {
	const struct exec_vars *vars;
	const char *forbid;
	struct exec_tmpl *t;
	struct buf lit; /* literal text of the current segment */
	bool in_word;	/* the current word exists (even if empty) */
	char *err;
	size_t errlen;
};

static struct exec_word *cur_word(struct parse *p)
{
	return &p->t->words[p->t->n_words - 1];
}

static int add_seg(struct parse *p, char *text, size_t var)
{
	struct exec_word *w = cur_word(p);
	struct exec_seg *s =
		realloc(w->segs, (w->n_segs + 1) * sizeof(*w->segs));

	if (!s) {
		free(text);
		return -ENOMEM;
	}
	w->segs = s;
	w->segs[w->n_segs++] = (struct exec_seg){ .text = text, .var = var };
	return 0;
}

static int start_word(struct parse *p)
{
	struct exec_word *w;

	if (p->in_word)
		return 0;
	w = realloc(p->t->words, (p->t->n_words + 1) * sizeof(*w));
	if (!w)
		return -ENOMEM;
	p->t->words = w;
	p->t->words[p->t->n_words++] = (struct exec_word){ 0 };
	p->in_word = true;
	return 0;
}

/* Move the pending literal text into a segment of the current word. */
static int flush_lit(struct parse *p)
{
	char *text;

	if (p->lit.oom)
		return -ENOMEM;
	if (!p->lit.len)
		return 0;
	text = strdup(p->lit.s);
	p->lit.len = 0;
	return text ? add_seg(p, text, 0) : -ENOMEM;
}

static int lit_char(struct parse *p, char c)
{
	int rc = start_word(p);

	buf_add(&p->lit, &c, 1);
	return rc < 0 ? rc : p->lit.oom ? -ENOMEM : 0;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '.';
}

static void known_names(const struct exec_vars *v, char *buf, size_t len)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < v->n && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s{%s}", i ? ", " : "",
				      v->names[i]);
}

/* At text[*i] == '{': a placeholder or "{{". */
static int brace_open(struct parse *p, const char *text, size_t *i)
{
	const char *name = text + *i + 1;
	size_t n = 0, k;
	char known[512];
	int rc;

	if (*name == '{') {
		*i += 1;
		return lit_char(p, '{');
	}
	while (name_char(name[n]))
		n++;
	if (name[n] != '}' || n == 0) {
		snprintf(p->err, p->errlen,
			 "'{' at offset %zu opens no placeholder: write {NAME} "
			 "with NAME of letters, digits, '_' and '.', or {{ for "
			 "a literal brace",
			 *i);
		return -EINVAL;
	}
	for (k = 0; k < p->vars->n; k++)
		if (strlen(p->vars->names[k]) == n &&
		    !memcmp(p->vars->names[k], name, n))
			break;
	if (k == p->vars->n || (p->forbid && strlen(p->forbid) == n &&
				!memcmp(p->forbid, name, n))) {
		known_names(p->vars, known, sizeof(known));
		snprintf(p->err, p->errlen,
			 "unknown placeholder {%.*s}%s (write {{ and }} for "
			 "literal braces); known: %s",
			 (int)(n > 40 ? 40 : n), name,
			 k < p->vars->n ? " here, where there is no task" : "",
			 known);
		return -EINVAL;
	}
	*i += n + 1;
	rc = start_word(p);
	if (rc == 0)
		rc = flush_lit(p);
	return rc < 0 ? rc : add_seg(p, NULL, k);
}

/* One character outside quotes (or anywhere, with the shell). */
static int plain_char(struct parse *p, const char *text, size_t *i)
{
	char c = text[*i];

	if (c == '{')
		return brace_open(p, text, i);
	if (c == '}') {
		if (text[*i + 1] != '}') {
			snprintf(p->err, p->errlen,
				 "lone '}' at offset %zu: write }} for a "
				 "literal brace",
				 *i);
			return -EINVAL;
		}
		*i += 1;
	}
	return lit_char(p, c);
}

static int end_word(struct parse *p)
{
	int rc = flush_lit(p);

	p->in_word = false;
	return rc;
}

static int split(struct parse *p, const char *text)
{
	char quote = 0;
	size_t i;
	int rc = 0;

	for (i = 0; text[i] && rc == 0; i++) {
		char c = text[i];

		if (quote == '\'' && c == '\'') {
			quote = 0;
		} else if (quote == '"' && c == '"') {
			quote = 0;
		} else if (quote == '"' && c == '\\' && text[i + 1] &&
			   strchr("\"\\$`", text[i + 1])) {
			rc = lit_char(p, text[++i]);
		} else if (quote) {
			rc = plain_char(p, text, &i);
		} else if (c == ' ' || c == '\t' || c == '\n') {
			rc = p->in_word ? end_word(p) : 0;
		} else if (c == '\'' || c == '"') {
			quote = c;
			rc = start_word(p);
		} else if (c == '\\' && text[i + 1]) {
			rc = lit_char(p, text[++i]);
		} else {
			rc = plain_char(p, text, &i);
		}
	}
	if (rc == 0 && quote) {
		snprintf(p->err, p->errlen,
			 "unterminated %s quote: close it, or escape it with "
			 "a backslash",
			 quote == '"' ? "double" : "single");
		return -EINVAL;
	}
	return rc == 0 && p->in_word ? end_word(p) : rc;
}

/* With the shell: one word, placeholders only. */
static int whole(struct parse *p, const char *text)
{
	size_t i;
	int rc = 0;

	if (!text[strspn(text, " \t\n")])
		return 0;
	for (i = 0; text[i] && rc == 0; i++)
		rc = plain_char(p, text, &i);
	return rc == 0 ? end_word(p) : rc;
}

int exec_tmpl_parse(const char *text, bool shell, const struct exec_vars *vars,
		    const char *forbid, struct exec_tmpl *ret, char *err,
		    size_t errlen)
{
	struct parse p = {
		.vars = vars,
		.forbid = forbid,
		.t = ret,
		.err = err,
		.errlen = errlen,
	};
	int rc;

	memset(ret, 0, sizeof(*ret));
	ret->shell = shell;
	rc = shell ? whole(&p, text) : split(&p, text);
	free(p.lit.s);
	if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory parsing a command");
	if (rc < 0)
		exec_tmpl_free(ret);
	return rc;
}

void exec_tmpl_free(struct exec_tmpl *t)
{
	size_t i, j;

	for (i = 0; i < t->n_words; i++) {
		for (j = 0; j < t->words[i].n_segs; j++)
			free(t->words[i].segs[j].text);
		free(t->words[i].segs);
	}
	free(t->words);
	memset(t, 0, sizeof(*t));
}

/* 'text' for sh: every ' becomes '\'' */
static void shell_quote(struct buf *b, const char *s)
{
	buf_add(b, "'", 1);
	for (; *s; s++)
		if (*s == '\'')
			buf_add(b, "'\\''", 4);
		else
			buf_add(b, s, 1);
	buf_add(b, "'", 1);
}

static char *fill_word(const struct exec_word *w, bool shell,
		       const struct exec_vars *vars, const char *task_text)
{
	struct buf b = { 0 };
	size_t j;

	buf_add(&b, "", 0); /* an empty word is "", not NULL */
	for (j = 0; j < w->n_segs; j++) {
		const struct exec_seg *s = &w->segs[j];
		const char *v = s->text ? s->text : vars->values[s->var];

		if (!s->text && !v)
			v = task_text;
		if (!s->text && shell)
			shell_quote(&b, v);
		else
			buf_add(&b, v, strlen(v));
	}
	if (b.oom) {
		free(b.s);
		return NULL;
	}
	return b.s;
}

char **exec_tmpl_argv(const struct exec_tmpl *t, const struct exec_vars *vars,
		      const char *task_text)
{
	size_t n = t->shell ? 3 : t->n_words, i, first = t->shell ? 2 : 0;
	char **argv = calloc(n + 1, sizeof(*argv));

	if (!argv)
		return NULL;
	if (t->shell) {
		argv[0] = strdup("/bin/sh");
		argv[1] = strdup("-c");
		if (!argv[0] || !argv[1]) {
			free(argv[0]);
			free(argv[1]);
			free(argv);
			return NULL;
		}
	}
	for (i = 0; i < t->n_words; i++) {
		argv[first + i] =
			fill_word(&t->words[i], t->shell, vars, task_text);
		if (!argv[first + i]) {
			exec_argv_free(argv);
			return NULL;
		}
	}
	return argv;
}

void exec_argv_free(char **argv)
{
	size_t i;

	for (i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}
