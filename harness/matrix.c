#include "matrix.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "value.h"

/* "FILE:LINE: [strategy pthreads]" prefix for messages about a key. */
static void where(const struct config *cfg, const struct config_section *sec,
		  int line, char *buf, size_t len)
{
	char loc[512];

	snprintf(buf, len, "%s: [%s %s]",
		 config_where(cfg, line > 0 ? line : sec->line, loc,
			      sizeof(loc)),
		 kind_name(sec->kind), sec->label);
}

/*
 * The core-reserved workload keys, declared as a plugin declares its own
 * (docs/open-loop.md).  The rate bound keeps one task's interval
 * above 10 ns, far below anything a strategy can pace.
 */
static const struct concur_param core_workload_params[MATRIX_CORE_PARAMS] = {
	[MATRIX_CORE_RATE] = { "rate", CONCUR_PARAM_INT, "0", "0", "100000000",
			       "tasks per second offered (open loop); 0 = "
			       "closed loop: a task starts when there is room" },
	[MATRIX_CORE_ARRIVAL] = { "arrival", CONCUR_PARAM_STRING, "uniform",
				  NULL, NULL,
				  "uniform (evenly spaced starts) or poisson "
				  "(exponential gaps)" },
	[MATRIX_CORE_SEED] = { "seed", CONCUR_PARAM_INT, "1", "0", NULL,
			       "seed of the poisson schedule: the same seed "
			       "gives the same schedule" },
};

/* Declaration k of a section: the plugin's own, the core's, the extras. */
static const struct concur_param *section_decl(const struct matrix_section *ms,
					       size_t k)
{
	size_t own = ms->plugin->n_params;

	if (k < own)
		return &ms->plugin->desc->params[k];
	if (k < own + MATRIX_CORE_PARAMS)
		return &core_workload_params[k - own];
	return &ms->extra_decls[k - own - MATRIX_CORE_PARAMS];
}

static bool extra_key_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       (!first && ((c >= '0' && c <= '9') || c == '.'));
}

/*
 * A workload declaring CONCUR_CAP_EXTRA_KEYS takes every key its table does
 * not name as a STRING parameter after the core's keys (plugin.h).  The
 * name becomes a CSV column, so it keeps to a letter or '_' then letters,
 * digits, '_' and '.'.
 */
static int declare_extra(const struct config *cfg, struct matrix_section *ms,
			 const struct config_key *key, char *err, size_t errlen)
{
	const char *s = key->name;
	char at[640];
	size_t i;

	for (i = 0; s[i] && i <= 64; i++)
		if (!extra_key_char(s[i], i == 0))
			break;
	if (s[i] || i == 0 || i > 64) {
		where(cfg, ms->sec, key->line, at, sizeof(at));
		errf(err, errlen,
		     "%s bad key '%.64s' for plugin %s: a key beyond its parameters starts with a letter or '_' and holds only letters, digits, '_' and '.' (at most 64), e.g. env.PATH",
		     at, s, ms->plugin->name);
		return -EINVAL;
	}
	ms->extra_decls[ms->n_extra++] = (struct concur_param){
		.name = xstrdup(s),
		.type = CONCUR_PARAM_STRING,
		.doc = "a key the plugin takes beyond its parameters",
	};
	return 0;
}

static const struct concur_param *find_param(const struct matrix_section *ms,
					     const char *key, size_t *ret_index)
{
	size_t i;

	for (i = 0; i < ms->n_params; i++)
		if (strcmp(section_decl(ms, i)->name, key) == 0) {
			*ret_index = i;
			return section_decl(ms, i);
		}
	return NULL;
}

static void unknown_key(const struct config *cfg,
			const struct matrix_section *ms,
			const struct config_key *key, char *err, size_t errlen)
{
	const struct config_section *sec = ms->sec;
	const struct plugin *p = ms->plugin;
	char at[640], keys[256] = "", hint[96] = "";
	const char **names = xcalloc(ms->n_params + 1, sizeof(*names));
	const char *near;
	size_t i, len = 0;

	for (i = 0; i < ms->n_params; i++) {
		names[i] = section_decl(ms, i)->name;
		if (len < sizeof(keys))
			len += (size_t)snprintf(keys + len, sizeof(keys) - len,
						"%s%s", i ? ", " : "",
						names[i]);
	}
	near = suggest_nearest(key->name, names, ms->n_params);
	free(names);
	if (near)
		snprintf(hint, sizeof(hint), "; did you mean '%s'?", near);
	else if (sec->kind == SECTION_STRATEGY &&
		 schedule_key_reserved(key->name))
		snprintf(hint, sizeof(hint),
			 "; rate, arrival and seed go in a [workload] section");
	where(cfg, sec, key->line, at, sizeof(at));
	errf(err, errlen,
	     "%s unknown key '%.64s' for plugin %s%s (its keys: %s)", at,
	     key->name, p->name, hint, ms->n_params ? keys : "none");
}

static int check_range(const struct plugin *p, const struct concur_param *d,
		       const union concur_value *v, char *msg, size_t len)
{
	char why[CONCUR_ERRLEN];
	int rc = value_check_range(d, v, why, sizeof(why));

	if (rc == -EDOM) {
		errf(msg, len, "plugin %s (%s) %s", p->name, p->file, why);
		return -EINVAL;
	}
	if (rc < 0)
		errf(msg, len, "%s", why);
	return rc;
}

/* Parse one choice of a scalar parameter into slot k of mp. */
static int parse_choice(const struct plugin *p, struct matrix_param *mp,
			size_t k, const char *text, char *msg, size_t len)
{
	const struct concur_param *d = mp->decl;
	char why[CONCUR_ERRLEN];
	int rc;

	mp->texts[k] = xstrdup(text);
	rc = value_parse(d->type, mp->texts[k], &mp->choices[k], why,
			 sizeof(why));
	if (rc < 0) {
		errf(msg, len, "= %.80s: %s (%s)", text, why,
		     d->doc ? d->doc : d->name);
		return rc;
	}
	rc = check_range(p, d, &mp->choices[k], why, sizeof(why));
	if (rc == -ERANGE)
		errf(msg, len, "= %.80s %s", text, why);
	else if (rc < 0)
		errf(msg, len, "%s", why);
	return rc;
}

/* arrival takes one of two words; say which. */
static int check_arrival(const struct matrix_param *mp, const char *at,
			 char *err, size_t errlen)
{
	enum schedule_arrival a;
	size_t k;

	for (k = 0; k < mp->n_choices; k++)
		if (schedule_arrival_parse(mp->texts[k], &a) < 0) {
			errf(err, errlen,
			     "%s arrival = %.80s: allowed: uniform (evenly spaced starts), poisson (exponential gaps)",
			     at, mp->texts[k]);
			return -EINVAL;
		}
	return 0;
}

static int resolve_list(struct matrix_param *mp, const struct config_key *key)
{
	const char **items;
	size_t i, n = key ? key->n_values : 0;
	const char *def = mp->decl->default_value;

	if (!key && def)
		n = 1;
	items = xcalloc(n ? n : 1, sizeof(*items));
	for (i = 0; i < n; i++)
		items[i] = xstrdup(key ? key->values[i].text : def);
	mp->n_choices = 1;
	mp->choices = xcalloc(1, sizeof(*mp->choices));
	mp->texts = xcalloc(1, sizeof(*mp->texts));
	mp->choices[0].list.count = n;
	mp->choices[0].list.items = items;
	/* One line per item in the CSV cell, as in the INI file. */
	{
		size_t len = 0;
		char *t;

		for (i = 0; i < n; i++)
			len += strlen(items[i]) + 1;
		t = xcalloc(len + 1, 1);
		for (i = 0; i < n; i++) {
			if (i)
				strcat(t, "\n");
			strcat(t, items[i]);
		}
		mp->texts[0] = t;
	}
	return 0;
}

static int resolve_param(const struct config *cfg,
			 const struct matrix_section *ms,
			 struct matrix_param *mp, const struct config_key *key,
			 char *err, size_t errlen)
{
	const struct concur_param *d = mp->decl;
	const struct config_section *sec = ms->sec;
	char at[640], msg[2 * CONCUR_ERRLEN], **items = NULL;
	size_t n = 0, k;
	char *text;
	int rc;

	mp->line = key ? key->line : -1;
	if (d->type == CONCUR_PARAM_LIST)
		return resolve_list(mp, key);
	where(cfg, sec, mp->line, at, sizeof(at));
	if (key && key->n_values > 1) {
		errf(err, errlen,
		     "%s '%s' is given on %zu lines (from line %d); only list parameters take several lines, and a value that crosses is written as a comma list: 1, 2, 4",
		     at, d->name, key->n_values, key->values[1].line);
		return -EINVAL;
	}
	if (!key && !d->default_value) {
		if (d->type != CONCUR_PARAM_STRING) {
			errf(err, errlen, "%s plugin %s needs '%s' (%s: %s)",
			     at, ms->plugin->name, d->name,
			     value_type_name(d->type), d->doc ? d->doc : "");
			return -EINVAL;
		}
	}
	if (key) {
		text = xstrdup(key->values[0].text);
	} else if (config_expand(d->default_value ? d->default_value : "",
				 &text, msg, sizeof(msg)) < 0) {
		errf(err, errlen, "%s plugin %s (%s): bad default for '%s': %s",
		     at, ms->plugin->name, ms->plugin->file, d->name, msg);
		return -EINVAL;
	}
	if (d->type == CONCUR_PARAM_STRING && !key) {
		items = xcalloc(1, sizeof(*items));
		items[0] = text;
		n = 1;
		text = NULL;
	} else {
		rc = value_split(d->type, text, &items, &n, msg, sizeof(msg));
		free(text);
		if (rc < 0) {
			errf(err, errlen, "%s %s: %s", at, d->name, msg);
			return rc;
		}
	}
	mp->n_choices = n;
	mp->choices = xcalloc(n, sizeof(*mp->choices));
	mp->texts = xcalloc(n, sizeof(*mp->texts));
	rc = 0;
	for (k = 0; k < n && rc == 0; k++) {
		rc = parse_choice(ms->plugin, mp, k, items[k], msg,
				  sizeof(msg));
		if (rc < 0 && key)
			errf(err, errlen, "%s %s %s", at, d->name, msg);
		else if (rc < 0)
			errf(err, errlen,
			     "%s plugin %s: bad default for '%s': %s", at,
			     ms->plugin->name, d->name, msg);
	}
	value_items_free(items, n);
	if (rc == 0 && d == &core_workload_params[MATRIX_CORE_ARRIVAL])
		rc = check_arrival(mp, at, err, errlen);
	return rc;
}

static int build_section(const struct config *cfg,
			 const struct config_section *sec, struct loader *l,
			 struct matrix_section *ms, char *err, size_t errlen)
{
	unsigned kind = sec->kind == SECTION_STRATEGY ? CONCUR_KIND_STRATEGY
						      : CONCUR_KIND_WORKLOAD;
	char msg[3 * CONCUR_ERRLEN], at[640];
	size_t i, k;
	int rc;

	ms->sec = sec;
	ms->plugin = loader_get(l, sec->plugin, kind, msg, sizeof(msg));
	if (!ms->plugin) {
		where(cfg, sec, sec->plugin_line, at, sizeof(at));
		errf(err, errlen, "%s %s", at, msg);
		return -ENOENT;
	}
	ms->n_params = ms->plugin->n_params +
		       (kind == CONCUR_KIND_WORKLOAD ? MATRIX_CORE_PARAMS : 0);
	ms->extra_decls = xcalloc(sec->n_keys + 1, sizeof(*ms->extra_decls));
	for (i = 0; i < sec->n_keys; i++) {
		if (find_param(ms, sec->keys[i].name, &k))
			continue;
		if (kind == CONCUR_KIND_WORKLOAD &&
		    (ms->plugin->desc->caps & CONCUR_CAP_EXTRA_KEYS)) {
			rc = declare_extra(cfg, ms, &sec->keys[i], err, errlen);
			if (rc < 0)
				return rc;
			ms->n_params++;
			continue;
		}
		unknown_key(cfg, ms, &sec->keys[i], err, errlen);
		return -EINVAL;
	}
	ms->params = xcalloc(ms->n_params + 1, sizeof(*ms->params));
	ms->n_combos = 1;
	for (k = 0; k < ms->n_params; k++) {
		const struct config_key *key = NULL;
		size_t owner = k;

		ms->params[k].decl = section_decl(ms, k);
		/*
		 * A key sets the first declaration of its name only: a v1.0
		 * plugin's own `seed` shadows the core's (find_param), which
		 * then keeps its default.
		 */
		find_param(ms, ms->params[k].decl->name, &owner);
		for (i = 0; owner == k && i < sec->n_keys; i++)
			if (strcmp(sec->keys[i].name,
				   ms->params[k].decl->name) == 0)
				key = &sec->keys[i];
		rc = resolve_param(cfg, ms, &ms->params[k], key, err, errlen);
		if (rc < 0)
			return rc;
		if (ms->n_combos >
		    MATRIX_MAX_CELLS / ms->params[k].n_choices + 1) {
			where(cfg, sec, sec->line, at, sizeof(at));
			errf(err, errlen,
			     "%s crosses into more than %d combinations (limit of cells per experiment)",
			     at, MATRIX_MAX_CELLS);
			return -E2BIG;
		}
		ms->n_combos *= ms->params[k].n_choices;
	}
	return 0;
}

/* Decompose combination number `combo` into one choice per parameter. */
static void pick(const struct matrix_section *ms, size_t combo, size_t *choice,
		 union concur_value *vals)
{
	size_t k = ms->n_params;

	while (k-- > 0) {
		size_t n = ms->params[k].n_choices;

		choice[k] = combo % n;
		combo /= n;
		vals[k] = ms->params[k].choices[choice[k]];
	}
}

static void append(char **s, const char *fmt, const char *a, const char *b)
{
	char *t = xasprintf("%s%s%s%s", *s, fmt, a, b);

	free(*s);
	*s = t;
}

/* "label[k=v,k=v]" with the crossed parameters (or all of them). */
static char *side_text(const struct matrix_section *ms, const size_t *choice,
		       bool crossed_only)
{
	char *s = xstrdup(ms->sec->label);
	const char *sep = "[";
	size_t k;

	for (k = 0; k < ms->n_params; k++) {
		const struct matrix_param *mp = &ms->params[k];

		if (crossed_only && mp->n_choices < 2)
			continue;
		append(&s, sep, mp->decl->name, "=");
		append(&s, "", mp->texts[choice[k]], "");
		sep = ",";
	}
	if (*sep == ',')
		append(&s, "]", "", "");
	text_sanitize(s); /* names cells and rows wherever they are printed */
	return s;
}

static void add_columns(struct matrix *m, const struct matrix_section *ms,
			unsigned kind, size_t *cap)
{
	size_t k, c;

	for (k = 0; k < ms->n_params; k++) {
		const char *key = ms->params[k].decl->name;

		/* core keys: a column only in experiments that use them */
		if (k >= ms->plugin->n_params &&
		    k < ms->plugin->n_params + MATRIX_CORE_PARAMS &&
		    !m->open_loop)
			continue;
		for (c = 0; c < m->n_columns; c++)
			if (m->columns[c].kind == kind &&
			    strcmp(m->columns[c].key, key) == 0)
				break;
		if (c < m->n_columns)
			continue;
		xgrow((void **)&m->columns, cap, m->n_columns + 1,
		      sizeof(*m->columns));
		m->columns[m->n_columns++] = (struct matrix_column){
			.kind = kind,
			.key = key,
			.header = xasprintf("%s.%s", kind_name(kind), key),
		};
	}
}

/* The cell's extra keys, named by the section, valued by its choices. */
static void cell_extras(const struct matrix_section *ws, struct cell *c)
{
	size_t first = ws->n_params - ws->n_extra, e;

	c->extra_keys = xcalloc(ws->n_extra + 1, sizeof(*c->extra_keys));
	for (e = 0; e < ws->n_extra; e++)
		c->extra_keys[e] = (struct concur_extra_key){
			.name = ws->extra_decls[e].name,
			.value = c->wvals[first + e].s,
		};
	c->extras = (struct plugin_extras){ c->extra_keys, ws->n_extra };
}

static void expand_cells(struct matrix *m)
{
	size_t s, w, a, b, idx = 0;

	m->cells = xcalloc(m->n_cells, sizeof(*m->cells));
	for (s = 0; s < m->n_strategies; s++)
		for (a = 0; a < m->strategies[s].n_combos; a++)
			for (w = 0; w < m->n_workloads; w++)
				for (b = 0; b < m->workloads[w].n_combos; b++) {
					const struct matrix_section *ss =
						&m->strategies[s];
					const struct matrix_section *ws =
						&m->workloads[w];
					struct cell *c = &m->cells[idx];
					char *l, *r;

					c->index = idx++;
					c->strategy = s;
					c->workload = w;
					c->schoice = xcalloc(ss->n_params + 1,
							     sizeof(size_t));
					c->wchoice = xcalloc(ws->n_params + 1,
							     sizeof(size_t));
					c->svals = xcalloc(ss->n_params + 1,
							   sizeof(*c->svals));
					c->wvals = xcalloc(ws->n_params + 1,
							   sizeof(*c->wvals));
					pick(ss, a, c->schoice, c->svals);
					pick(ws, b, c->wchoice, c->wvals);
					cell_extras(ws, c);
					l = side_text(ss, c->schoice, true);
					r = side_text(ws, c->wchoice, true);
					c->id = xasprintf("%s/%s", l, r);
					free(l);
					free(r);
				}
}

/* Does any workload section set a core-reserved key? */
static bool uses_core_keys(const struct matrix *m)
{
	size_t w, k;

	for (w = 0; w < m->n_workloads; w++) {
		const struct matrix_section *ms = &m->workloads[w];

		for (k = 0; k < MATRIX_CORE_PARAMS; k++)
			if (ms->params[ms->plugin->n_params + k].line != -1)
				return true;
	}
	return false;
}

/* The first rate choice above 0 of workload section ms, or 0. */
static int64_t open_loop_rate(const struct matrix_section *ms, int *ret_line)
{
	const struct matrix_param *mp =
		&ms->params[ms->plugin->n_params + MATRIX_CORE_RATE];
	size_t j;

	*ret_line = mp->line;
	for (j = 0; j < mp->n_choices; j++)
		if (mp->choices[j].i > 0)
			return mp->choices[j].i;
	return 0;
}

/*
 * An open-loop workload cell runs on every strategy of the experiment, so
 * each strategy must declare that it honours the schedule; running it
 * anyway would measure a closed loop and call it open.
 */
static int check_open_loop(const struct config *cfg, const struct matrix *m,
			   char *err, size_t errlen)
{
	size_t w, s;

	for (w = 0; w < m->n_workloads; w++) {
		const struct matrix_section *ws = &m->workloads[w];
		char at[640];
		int line;
		int64_t rate = open_loop_rate(ws, &line);

		if (rate == 0)
			continue;
		for (s = 0; s < m->n_strategies; s++) {
			const struct matrix_section *ss = &m->strategies[s];

			if (ss->plugin->desc->caps & CONCUR_CAP_OPEN_LOOP)
				continue;
			where(cfg, ws->sec, line, at, sizeof(at));
			errf(err, errlen,
			     "%s rate = %lld asks for open-loop load, but strategy plugin %s (%s, used by [strategy %s] at line %d) does not declare CONCUR_CAP_OPEN_LOOP: it would start tasks when it has room, not when they are due; use strategies that support it (sync, pthreads, forkpool, epoll) or rate = 0",
			     at, (long long)rate, ss->plugin->name,
			     ss->plugin->file, ss->sec->label, ss->sec->line);
			return -EINVAL;
		}
	}
	return 0;
}

int matrix_build(const struct config *cfg, struct loader *l,
		 struct matrix **ret_matrix, char *err, size_t errlen)
{
	struct matrix *m = xcalloc(1, sizeof(*m));
	size_t i, cap = 0;
	uint64_t cells_s = 0, cells_w = 0;
	int rc = 0;

	if (errlen)
		err[0] = '\0'; /* "has a section said why?" is tested below */
	m->strategies = xcalloc(cfg->n_sections + 1, sizeof(*m->strategies));
	m->workloads = xcalloc(cfg->n_sections + 1, sizeof(*m->workloads));
	for (i = 0; i < cfg->n_sections && rc == 0; i++) {
		const struct config_section *sec = &cfg->sections[i];
		struct matrix_section *ms;

		if (sec->kind == SECTION_STRATEGY) {
			ms = &m->strategies[m->n_strategies++];
		} else if (sec->kind == SECTION_WORKLOAD) {
			ms = &m->workloads[m->n_workloads++];
		} else {
			continue;
		}
		rc = build_section(cfg, sec, l, ms, err, errlen);
		if (rc == 0 && sec->kind == SECTION_STRATEGY)
			cells_s += ms->n_combos;
		else if (rc == 0)
			cells_w += ms->n_combos;
		if (rc == 0 &&
		    (cells_s > MATRIX_MAX_CELLS || cells_w > MATRIX_MAX_CELLS))
			rc = -E2BIG;
	}
	if (rc == 0 && cells_s * cells_w > MATRIX_MAX_CELLS)
		rc = -E2BIG;
	if (rc == -E2BIG && !*err)
		errf(err, errlen,
		     "%s: the experiment crosses into %llu x %llu cells, more than the limit of %d",
		     cfg->path, (unsigned long long)cells_s,
		     (unsigned long long)cells_w, MATRIX_MAX_CELLS);
	if (rc < 0) {
		matrix_free(m);
		return rc;
	}
	m->n_cells = (size_t)(cells_s * cells_w);
	for (i = 0; i < m->n_strategies; i++) {
		if (cfg->baseline &&
		    strcmp(m->strategies[i].sec->label, cfg->baseline) == 0)
			m->baseline = i;
		add_columns(m, &m->strategies[i], CONCUR_KIND_STRATEGY, &cap);
	}
	m->open_loop = uses_core_keys(m);
	for (i = 0; i < m->n_workloads; i++) {
		add_columns(m, &m->workloads[i], CONCUR_KIND_WORKLOAD, &cap);
	}
	rc = check_open_loop(cfg, m, err, errlen);
	if (rc < 0) {
		matrix_free(m);
		return rc;
	}
	expand_cells(m);
	*ret_matrix = m;
	return 0;
}

void matrix_cell_load(const struct matrix *m, const struct cell *c,
		      struct schedule_spec *ret)
{
	const struct matrix_section *ms = matrix_cell_workload(m, c);
	const union concur_value *core = &c->wvals[ms->plugin->n_params];
	enum schedule_arrival a = SCHEDULE_UNIFORM;

	schedule_arrival_parse(core[MATRIX_CORE_ARRIVAL].s, &a);
	*ret = (struct schedule_spec){
		.rate = core[MATRIX_CORE_RATE].i,
		.arrival = a,
		.seed = (uint64_t)core[MATRIX_CORE_SEED].i,
	};
}

const struct matrix_section *matrix_cell_strategy(const struct matrix *m,
						  const struct cell *c)
{
	return &m->strategies[c->strategy];
}

const struct matrix_section *matrix_cell_workload(const struct matrix *m,
						  const struct cell *c)
{
	return &m->workloads[c->workload];
}

const char *matrix_cell_text(const struct matrix *m, const struct cell *c,
			     const struct matrix_column *col)
{
	bool strat = col->kind == CONCUR_KIND_STRATEGY;
	const struct matrix_section *ms =
		strat ? matrix_cell_strategy(m, c) : matrix_cell_workload(m, c);
	const size_t *choice = strat ? c->schoice : c->wchoice;
	size_t k;

	if (find_param(ms, col->key, &k))
		return ms->params[k].texts[choice[k]];
	return NULL;
}

char *matrix_cell_params(const struct matrix *m, const struct cell *c,
			 unsigned kind, bool crossed_only)
{
	bool strat = kind == CONCUR_KIND_STRATEGY;

	return side_text(strat ? matrix_cell_strategy(m, c)
			       : matrix_cell_workload(m, c),
			 strat ? c->schoice : c->wchoice, crossed_only);
}

static void free_section(struct matrix_section *ms)
{
	size_t k, j;

	if (!ms->params)
		goto out;
	for (k = 0; ms->plugin && k < ms->n_params; k++) {
		struct matrix_param *mp = &ms->params[k];

		for (j = 0; j < mp->n_choices && mp->texts; j++)
			free(mp->texts[j]);
		if (mp->decl && mp->decl->type == CONCUR_PARAM_LIST &&
		    mp->choices) {
			for (j = 0; j < mp->choices[0].list.count; j++)
				free((char *)mp->choices[0].list.items[j]);
			free((void *)mp->choices[0].list.items);
		}
		free(mp->texts);
		free(mp->choices);
	}
	free(ms->params);
out: /* the extras' declarations, which params[k].decl may point at */
	for (k = 0; ms->extra_decls && k < ms->n_extra; k++)
		free((char *)ms->extra_decls[k].name);
	free(ms->extra_decls);
}

void matrix_free(struct matrix *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->n_cells && m->cells; i++) {
		free(m->cells[i].id);
		free(m->cells[i].schoice);
		free(m->cells[i].wchoice);
		free(m->cells[i].svals);
		free(m->cells[i].wvals);
		free(m->cells[i].extra_keys);
	}
	free(m->cells);
	for (i = 0; i < m->n_strategies; i++)
		free_section(&m->strategies[i]);
	for (i = 0; i < m->n_workloads; i++)
		free_section(&m->workloads[i]);
	for (i = 0; i < m->n_columns; i++)
		free(m->columns[i].header);
	free(m->columns);
	free(m->strategies);
	free(m->workloads);
	free(m);
}

size_t matrix_baseline_cell(const struct matrix *m, const struct cell *c)
{
	size_t per_strategy_combo = 0, first = 0, i;

	for (i = 0; i < m->n_workloads; i++)
		per_strategy_combo += m->workloads[i].n_combos;
	for (i = 0; i < m->baseline; i++)
		first += m->strategies[i].n_combos;
	return first * per_strategy_combo + c->index % per_strategy_combo;
}
