#include "results.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "csv.h"
#include "csvscan.h"
#include "diag.h"
#include "fileio.h"
#include "latency.h"
#include "matrix.h"
#include "repeat.h"
#include "reslock.h"
#include "runner.h"
#include "schema.h"
#include "shard.h"
#include "util.h"
#include "version.h"

/* Seconds are written with this many significant digits: at least 9, so
 * nanosecond clock readings survive (docs/results.md). */
#define SIG_SECONDS 9
#define SIG_RATIO 6

struct results {
	const struct config *cfg;
	const struct matrix *m;
	struct runner *r;
	const struct shard *shard; /* NULL: the whole experiment */
	char *path, *runs_path, *matrix_path, *env_path;
	int fd_summary, fd_runs;
	size_t resumed;
	size_t summary_keep; /* resume: bytes of whole rows in N.csv */
	struct csv_row row;
	const struct results_watch *watch; /* NULL: none */
	void *watching;			   /* what watch->open returned */
};

/* "results/seeds.csv" -> "results/seeds-runs.csv" */
static char *sibling(const char *path, const char *suffix)
{
	size_t len = strlen(path);

	if (len > 4 && strcmp(path + len - 4, ".csv") == 0)
		len -= 4;
	return xasprintf("%.*s-%s.csv", (int)len, path, suffix);
}

static int mkdir_parents(const char *path)
{
	char *copy = xstrdup(path), *p;
	int rc = 0;

	for (p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0777) < 0 && errno != EEXIST)
			rc = -errno;
		*p = '/';
	}
	free(copy);
	return rc;
}

static void tell(struct results *res, enum results_file which, const char *buf,
		 size_t len, bool replace)
{
	if (res->watching)
		res->watch->keep(res->watching, which, buf, len, replace);
}

static void tell_update(struct results *res, bool now)
{
	if (res->watching)
		res->watch->update(res->watching, now);
}

static int emit(struct results *res, int fd)
{
	/* all of the row, then fsync: it is on disk whole before we go on */
	int rc = fileio_write_all(fd, res->row.buf, res->row.len, true);

	if (rc == 0)
		tell(res,
		     fd == res->fd_summary ? RESULTS_SUMMARY : RESULTS_RUNS,
		     res->row.buf, res->row.len, false);
	csv_row_clear(&res->row);
	return rc;
}

static void add_texts(struct csv_row *row, const char *const *texts, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		csv_add_text(row, texts[i]);
}

static void summary_header(struct results *res)
{
	size_t i;

	add_texts(&res->row, schema_summary_head, schema_summary_head_n);
	for (i = 0; i < res->m->n_columns; i++)
		csv_add_text(&res->row, res->m->columns[i].header);
	add_texts(&res->row, schema_summary_tail, schema_summary_tail_n);
	csv_row_end(&res->row);
}

double results_speedup(const struct runner *r, const struct cell_result *cr)
{
	size_t b = matrix_baseline_cell(r->m, cr->cell);
	const struct cell_result *base = &r->results[b];

	if (!base->done || !(base->wall.median > 0) || !(cr->wall.median > 0))
		return NAN;
	return base->wall.median / cr->wall.median;
}

/* Is field (as read back, maybe with the formula guard) the text t? */
static bool same_text(const char *field, const char *t)
{
	if (!t)
		t = "";
	return strcmp(csv_unguard(field), t) == 0;
}

static double ms(double ns)
{
	return ns / 1e6;
}

static void cell_prefix(struct results *res, const struct cell_result *cr)
{
	const struct cell *c = cr->cell;

	csv_add_text(&res->row, res->cfg->name);
	csv_add_text(&res->row, c->id);
	csv_add_text(&res->row, matrix_cell_strategy(res->m, c)->sec->label);
	csv_add_text(&res->row, matrix_cell_workload(res->m, c)->sec->label);
}

/*
 * A parameter's value: a decimal number ("-2", "0.125") is a number, not
 * text, so it needs no formula guard and follows the never-three-decimals
 * rule; anything else is text.
 */
static void add_param(struct csv_row *row, const char *text)
{
	if (text && csv_is_decimal(text))
		csv_add_decimal(row, text);
	else
		csv_add_text(row, text);
}

/* Is field (as read back) what add_param wrote for text? */
static bool param_matches(const char *field, const char *text)
{
	char *written;
	bool same;

	if (!text || !csv_is_decimal(text))
		return same_text(field, text);
	written = csv_decimal_text(text);
	same = strcmp(field, written) == 0;
	free(written);
	return same;
}

/* One quantile of a collector in ms; NaN (an empty field) without one. */
static double quantile_ms(const struct latency *l, double q)
{
	return l && latency_count(l) ? ms(latency_quantile_ns(l, q)) : NAN;
}

/*
 * The open-loop columns; empty in a closed-loop cell, whose tasks have no
 * intended start.
 */
static void open_loop_fields(struct csv_row *row, const struct cell_result *cr)
{
	bool open = cr->load.rate > 0;

	csv_add_real(row, quantile_ms(cr->service, 0.50), SIG_SECONDS);
	csv_add_real(row, quantile_ms(cr->service, 0.99), SIG_SECONDS);
	csv_add_real(row, open ? cr->offered_rate : NAN, SIG_RATIO);
	csv_add_real(row, open ? cr->achieved_rate : NAN, SIG_RATIO);
	csv_add_real(row, quantile_ms(cr->lag, 0.99), SIG_SECONDS);
}

static void summary_row(struct results *res, const struct cell_result *cr)
{
	struct csv_row *row = &res->row;
	const struct sample_stats *w = &cr->wall;
	struct latency *lat = cr->latency;
	bool have_lat = lat && latency_count(lat) > 0;
	double cpu = cr->user_s + cr->sys_s;
	static const double q[3] = { 0.50, 0.90, 0.99 };
	double qv[3] = { NAN, NAN, NAN };
	size_t i;

	if (have_lat)
		latency_quantiles_ns(lat, q, 3, qv); /* one selection pass */

	cell_prefix(res, cr);
	for (i = 0; i < res->m->n_columns; i++)
		add_param(row, matrix_cell_text(res->m, cr->cell,
						&res->m->columns[i]));
	csv_add_text(row, cell_status_name(cr->status));
	csv_add_uint(row, cr->n_runs);
	csv_add_uint(row, cr->tasks * cr->n_runs);
	csv_add_uint(row, cr->tasks_failed);
	csv_add_real(row, w->median, SIG_SECONDS);
	csv_add_real(row, w->mean, SIG_SECONDS);
	csv_add_real(row, w->stddev, SIG_SECONDS);
	csv_add_real(row, w->min, SIG_SECONDS);
	csv_add_real(row, w->max, SIG_SECONDS);
	csv_add_real(row, w->cv, SIG_RATIO);
	csv_add_real(row, w->ci95_low, SIG_SECONDS);
	csv_add_real(row, w->ci95_high, SIG_SECONDS);
	csv_add_real(row, results_speedup(res->r, cr), SIG_RATIO);
	csv_add_real(row, w->median > 0 ? (double)cr->tasks / w->median : NAN,
		     SIG_RATIO);
	for (i = 0; i < 3; i++)
		csv_add_real(row, ms(qv[i]), SIG_SECONDS);
	csv_add_real(row, have_lat ? ms((double)latency_max_ns(lat)) : NAN,
		     SIG_SECONDS);
	open_loop_fields(row, cr);
	csv_add_real(row, cr->n_runs ? cr->user_s : NAN, SIG_SECONDS);
	csv_add_real(row, cr->n_runs ? cr->sys_s : NAN, SIG_SECONDS);
	csv_add_real(row, cr->n_runs && w->median > 0 ? cpu / w->median : NAN,
		     SIG_RATIO);
	if (cr->n_runs) {
		csv_add_int(row, cr->max_rss_kib);
		csv_add_real(row, cr->nvcsw, SIG_RATIO);
		csv_add_real(row, cr->nivcsw, SIG_RATIO);
	} else {
		add_texts(row, (const char *const[]){ "", "", "" }, 3);
	}
	csv_add_text(row, cr->error);
	csv_add_text(row, repeat_stop_name(cr->stopped_by));
	csv_row_end(row);
}

static void runs_rows(struct results *res, const struct cell_result *cr)
{
	size_t i;

	for (i = 0; i < cr->n_records; i++) {
		const struct run_record *run = &cr->runs[i];

		cell_prefix(res, cr);
		csv_add_uint(&res->row, run->run);
		csv_add_text(&res->row, cell_status_name(run->status));
		csv_add_real(&res->row, run->wall_s, SIG_SECONDS);
		if (run->measured) {
			csv_add_uint(&res->row, run->tasks);
			csv_add_uint(&res->row, run->tasks_failed);
			csv_add_real(&res->row, run->user_s, SIG_SECONDS);
			csv_add_real(&res->row, run->sys_s, SIG_SECONDS);
			csv_add_int(&res->row, run->max_rss_kib);
			csv_add_int(&res->row, run->nvcsw);
			csv_add_int(&res->row, run->nivcsw);
		} else { /* crashed or killed: nothing was measured */
			add_texts(&res->row,
				  (const char *const[]){ "", "", "", "", "", "",
							 "" },
				  7);
		}
		csv_add_text(&res->row, run->error);
		csv_row_end(&res->row);
	}
}

/* Replace path by the row buffer's records, atomically. */
static int replace_file(struct results *res, const char *path)
{
	int rc = fileio_replace(path, res->row.buf ? res->row.buf : "",
				res->row.len, NULL, 0);

	csv_row_clear(&res->row);
	return rc;
}

/* Strategy cells (rows) x workload cells (columns): median wall seconds. */
static int write_matrix(struct results *res)
{
	const struct matrix *m = res->m;
	size_t per = m->n_cells ? 0 : 1, i, j;

	for (i = 0; i < m->n_workloads; i++)
		per += m->workloads[i].n_combos;
	csv_add_text(&res->row, COLUMN_STRATEGY); /* the corner cell */
	for (j = 0; j < per && j < m->n_cells; j++) {
		char *w;

		if (res->r->results[j].skip)
			continue; /* another shard's workload cell */
		w = matrix_cell_params(m, &m->cells[j], CONCUR_KIND_WORKLOAD,
				       true);
		csv_add_text(&res->row, w);
		free(w);
	}
	csv_row_end(&res->row);
	for (i = 0; per && i < m->n_cells; i += per) {
		char *s = matrix_cell_params(m, &m->cells[i],
					     CONCUR_KIND_STRATEGY, true);

		csv_add_text(&res->row, s);
		free(s);
		for (j = i; j < i + per; j++) {
			const struct cell_result *cr = &res->r->results[j];

			if (cr->skip)
				continue;
			csv_add_real(&res->row,
				     cr->done ? cr->wall.median : NAN,
				     SIG_SECONDS);
		}
		csv_row_end(&res->row);
	}
	tell(res, RESULTS_MATRIX, res->row.buf, res->row.len, true);
	return replace_file(res, res->matrix_path);
}

/*
 * The runs first, the summary row last: a cell counts as done (for resume)
 * once its summary row is whole on disk, and by then its runs are too.
 */
int results_cell_done(struct results *res, const struct cell_result *cr)
{
	int rc;

	runs_rows(res, cr);
	rc = emit(res, res->fd_runs);
	if (rc == 0) {
		summary_row(res, cr);
		rc = emit(res, res->fd_summary);
	}
	if (rc == 0)
		rc = write_matrix(res);
	if (rc == 0)
		tell_update(res, false);
	return rc;
}

/* ---- N-env.csv ---------------------------------------------------- */

int results_sha256_file(const char *path, char hex[65])
{
	unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	FILE *f = fopen(path, "rb");
	EVP_MD_CTX *ctx;
	size_t n;
	int rc = 0;

	if (!f)
		return -errno;
	ctx = EVP_MD_CTX_new();
	if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		rc = -EIO;
	errno = 0;
	while (rc == 0 && (n = fread(buf, 1, sizeof(buf), f)) > 0)
		if (EVP_DigestUpdate(ctx, buf, n) != 1)
			rc = -EIO;
	if (rc == 0 && ferror(f)) /* a read error is not the end of the file */
		rc = errno ? -errno : -EIO;
	if (rc == 0 &&
	    (EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen != 32))
		rc = -EIO;
	EVP_MD_CTX_free(ctx);
	fclose(f);
	for (i = 0; rc == 0 && i < mdlen; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return rc;
}

static char *read_small(const char *path, const char *key)
{
	FILE *f = fopen(path, "r");
	char line[512];

	if (!f)
		return xstrdup("unknown");
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (key && (strncmp(line, key, strlen(key)) != 0 || !colon))
			continue;
		fclose(f);
		line[strcspn(line, "\n")] = '\0';
		return xstrdup(key ? colon + 1 + strspn(colon + 1, " \t")
				   : line);
	}
	fclose(f);
	return xstrdup("unknown");
}

static void env_pair(struct csv_row *row, const char *key, const char *value)
{
	csv_add_text(row, key);
	csv_add_text(row, value);
	csv_row_end(row);
}

static void utc_now(char buf[32])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/*
 * What `concur merge` needs to put the shards back together without the
 * experiment file: which part of which split this is, and the baseline.
 */
/* The --set values of the command line, "; "-separated, in order. */
static char *overrides_of(int argc, char **argv)
{
	char *all = xstrdup(""), *t;
	int i;

	for (i = 1; i < argc; i++) {
		const char *v = NULL;

		if (strcmp(argv[i], "--set") == 0 && i + 1 < argc)
			v = argv[++i];
		else if (strncmp(argv[i], "--set=", 6) == 0)
			v = argv[i] + 6;
		if (!v)
			continue;
		t = xasprintf("%s%s%s", all, *all ? "; " : "", v);
		free(all);
		all = t;
	}
	return all;
}

static void shard_env(struct results *res, int argc, char **argv)
{
	const struct shard *s = res->shard;
	const struct matrix *m = res->m;
	char k[48], cells[24], total[24], per[24];
	char *sets = overrides_of(argc, argv);

	snprintf(k, sizeof(k), "%u/%u", s->k, s->n);
	snprintf(cells, sizeof(cells), "%zu", shard_cell_count(m, s->k, s->n));
	snprintf(total, sizeof(total), "%zu", m->n_cells);
	snprintf(per, sizeof(per), "%zu", shard_workload_cells(m));
	env_pair(&res->row, ENV_SHARD, k);
	env_pair(&res->row, ENV_SHARD_SOURCE, s->source);
	env_pair(&res->row, ENV_SHARD_CELLS, cells);
	env_pair(&res->row, ENV_EXPERIMENT_CELLS, total);
	env_pair(&res->row, ENV_WORKLOAD_CELLS, per);
	env_pair(&res->row, ENV_BASELINE,
		 m->strategies[m->baseline].sec->label);
	env_pair(&res->row, ENV_OVERRIDES, sets); /* shards agree on them */
	free(sets);
}

/*
 * NAME_version rows for the libraries the experiment's plugins and the test
 * server reported (runner.libraries: "libcurl/7.88.1 libmicrohttpd/0.9.75").
 */
static void library_env(struct results *res)
{
	char *copy, *save = NULL, *w;

	if (!res->r || !res->r->libraries)
		return;
	copy = xstrdup(res->r->libraries);
	for (w = strtok_r(copy, " ", &save); w;
	     w = strtok_r(NULL, " ", &save)) {
		char *slash = strchr(w, '/'), *key;

		*slash = '\0'; /* the runner keeps NAME/VERSION words only */
		key = xasprintf("%s" ENV_LIBRARY_SUFFIX, w);
		env_pair(&res->row, key, slash + 1);
		free(key);
	}
	free(copy);
}

static int write_env(struct results *res, int argc, char **argv,
		     const char *sha)
{
	struct utsname u;
	char host[256] = "unknown", when[32], ncpu[16], compiler[64];
	char *cpu = read_small("/proc/cpuinfo", "model name");
	char *load = read_small("/proc/loadavg", NULL);
	char *cmd = argv_join(argc, argv);
	char *mhz = read_small("/proc/cpuinfo", "cpu MHz");
	/* the frequency governor; anything but "performance" scales */
	char *governor = read_small(
		"/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", NULL);
	int rc;

	mhz[strspn(mhz, "0123456789")] = '\0'; /* whole MHz, as GB's context */
	if (!*mhz) {
		free(mhz);
		mhz = xstrdup("unknown");
	}
	uname(&u);
	gethostname(host, sizeof(host) - 1);
	utc_now(when);
	snprintf(ncpu, sizeof(ncpu), "%u", cpu_count());
#if defined(__clang__)
	snprintf(compiler, sizeof(compiler), "clang %s", __clang_version__);
#else
	snprintf(compiler, sizeof(compiler), "gcc %s", __VERSION__);
#endif
	env_pair(&res->row, ENV_KEY, ENV_VALUE);
	env_pair(&res->row, ENV_CONCUR_VERSION, concur_version());
	env_pair(&res->row, ENV_GIT_REVISION, concur_git_revision());
	env_pair(&res->row, ENV_START_TIME_UTC, when);
	env_pair(&res->row, ENV_HOST, host);
	env_pair(&res->row, ENV_KERNEL, u.release);
	env_pair(&res->row, ENV_CPU_MODEL, cpu);
	env_pair(&res->row, ENV_CPU_COUNT, ncpu);
	env_pair(&res->row, ENV_CPU_MHZ, mhz);
	env_pair(&res->row, ENV_CPU_SCALING, governor);
	env_pair(&res->row, ENV_LOAD_AVERAGE, load);
	env_pair(&res->row, ENV_COMPILER, compiler);
	env_pair(&res->row, ENV_BUILD_TYPE, concur_build_type());
	library_env(res);
	env_pair(&res->row, ENV_EXPERIMENT_FILE, res->cfg->path);
	env_pair(&res->row, ENV_EXPERIMENT_SHA256, sha);
	env_pair(&res->row, ENV_COMMAND_LINE, cmd);
	env_pair(&res->row, ENV_ORDER,
		 res->cfg->order == ORDER_GROUPED ? "grouped" : "interleaved");
	if (res->shard)
		shard_env(res, argc, argv);
	rc = replace_file(res, res->env_path);
	free(cpu);
	free(load);
	free(cmd);
	free(mhz);
	free(governor);
	return rc;
}

/* ---- resume ------------------------------------------------------- */

/*
 * A results file being resumed, whole, or NULL with errno set (ENOENT: it
 * is not there; EFBIG: past RESULTS_MAX_FILE, the message in err when err
 * is not NULL).
 */
static char *slurp_err(const char *path, size_t *ret_len, char *err,
		       size_t errlen)
{
	char *buf = NULL;
	int rc = fileio_read(path, RESULTS_MAX_FILE, "a results file to resume",
			     &buf, ret_len, err, errlen);

	errno = rc < 0 ? -rc : 0;
	return rc < 0 ? NULL : buf;
}

static char *slurp(const char *path, size_t *ret_len)
{
	return slurp_err(path, ret_len, NULL, 0);
}

static char *env_value(const char *path, const char *key)
{
	size_t len = 0, n, cap = 0;
	char *text = slurp(path, &len), **f = NULL, *found = NULL;
	struct csv_scan sc;

	csv_scan_init(&sc, text, text ? len : 0);
	while (text && !found && csv_scan_record(&sc, &f, &cap, &n) == 0)
		if (n == 2 && strcmp(f[0], key) == 0)
			found = xstrdup(f[1]);
	free(f);
	free(text);
	return found;
}

static size_t column_of(char **header, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(header[i], name) == 0)
			return i;
	return SIZE_MAX;
}

/*
 * One record of a results file being resumed.  Our writer puts a whole
 * record down with one write() and ends it with CRLF, so a record without
 * its line end (or one that does not parse) can only be the torn tail of an
 * interrupted write.  Its fields point into the scanned buffer.
 */
struct record {
	char **f;
	size_t n, cap, used;
	unsigned line; /* 1-based line where it starts */
	bool whole;    /* parsed and ends with a line end */
	bool too_wide; /* more than CSV_MAX_FIELDS: never ours, never torn */
};

/* Read the record at sc->pos; 1 at the end of text.  A record that does
 * not parse takes the rest of the text. */
static int next_record(struct csv_scan *sc, struct record *rec)
{
	size_t start = sc->pos;
	int rc = csv_scan_record(sc, &rec->f, &rec->cap, &rec->n);

	if (rc == 1)
		return 1;
	rec->line = (unsigned)sc->record_line;
	rec->too_wide = rc == -E2BIG;
	rec->whole = rc == 0 && sc->line_end;
	if (rc < 0) {
		rec->n = 0;
		sc->pos = sc->len; /* everything from here is the torn tail */
		sc->record_start = true;
	}
	rec->used = sc->pos - start;
	return 0;
}

static enum cell_status status_of(const char *name)
{
	enum cell_status s;

	for (s = CELL_OK; s <= CELL_CRASHED; s++)
		if (strcmp(name, cell_status_name(s)) == 0)
			return s;
	return CELL_FAILED;
}

/*
 * The cell of this experiment a summary row belongs to: same cell id and the
 * same text in every parameter column (a --set may change a value without
 * changing the id).  SIZE_MAX when none.
 */
static size_t row_cell(const struct results *res, char **f, size_t c_cell)
{
	const struct matrix *m = res->m;
	size_t i, k;

	for (i = 0; i < m->n_cells; i++) {
		if (!same_text(f[c_cell], m->cells[i].id))
			continue;
		for (k = 0; k < m->n_columns; k++)
			if (!param_matches(f[4 + k],
					   matrix_cell_text(m, &m->cells[i],
							    &m->columns[k])))
				return SIZE_MAX;
		return i;
	}
	return SIZE_MAX;
}

static void mark_done(struct results *res, size_t i, char **f, size_t c_median,
		      size_t c_status)
{
	struct cell_result *cr = &res->r->results[i];

	if (cr->done)
		return;
	cr->done = true;
	cr->wall.median = *f[c_median] ? strtod(f[c_median], NULL) : NAN;
	cr->status = status_of(f[c_status]);
	res->resumed++;
}

/* This experiment's summary header, as bytes. */
static char *expected_header(struct results *res)
{
	char *h;

	summary_header(res);
	h = xstrdup(res->row.buf);
	csv_row_clear(&res->row);
	return h;
}

/*
 * Mark the cells whose rows N.csv holds as done, keeping their medians and
 * statuses, and find where the whole rows end (res->summary_keep): a torn
 * last row is cut off there.  A file whose columns or rows do not match
 * this experiment is refused rather than appended to.
 */
static int load_done_rows(struct results *res, char *err, size_t errlen)
{
	size_t len = 0, off;
	char msg[CONCUR_ERRLEN] = "", *want = expected_header(res);
	char *text = slurp_err(res->path, &len, msg, sizeof(msg));
	struct record rec = { 0 };
	struct csv_scan sc;
	size_t c_cell = 1, c_median, c_status,
	       nh = 4 + res->m->n_columns + schema_summary_tail_n;
	int rc = 0;

	res->summary_keep = 0;
	if (!text && errno != ENOENT) { /* never start afresh over it */
		errf(err, errlen, "cannot resume: %s", msg);
		rc = -EIO;
		goto out;
	}
	if (!text || strncmp(text, want, strlen(want)) != 0) {
		bool torn = text && !memchr(text, '\n', len) &&
			    strncmp(want, text, len) == 0;

		if (text && len && !torn) {
			errf(err, errlen,
			     "cannot resume: the columns of %s are not this experiment's (was it written by another experiment?); use --force to start over",
			     res->path);
			rc = -EINVAL;
		}
		goto out; /* empty, or a torn header: start afresh */
	}
	off = strlen(want);
	c_median = nh - schema_summary_tail_n + 4;
	c_status = nh - schema_summary_tail_n;
	csv_scan_init(&sc, text, len);
	next_record(&sc, &rec); /* the header, as want */
	while (rc == 0 && next_record(&sc, &rec) == 0) {
		unsigned line = rec.line;
		size_t i;

		if (!rec.whole && !rec.too_wide && off + rec.used == len) {
			diag_error(
				"%s: dropping the incomplete last row (%zu bytes at line %u) left by an interrupted run",
				res->path, rec.used, line);
			break;
		}
		if (rec.too_wide) {
			errf(err, errlen,
			     "cannot resume: %s:%u: damaged row (more than %u fields); repair it or use --force to start over",
			     res->path, line, CSV_MAX_FIELDS);
			rc = -EINVAL;
		} else if (!rec.whole || rec.n != nh) {
			errf(err, errlen,
			     "cannot resume: %s:%u: damaged row (%zu of %zu fields); repair it or use --force to start over",
			     res->path, line, rec.n, nh);
			rc = -EINVAL;
		} else if ((i = row_cell(res, rec.f, c_cell)) == SIZE_MAX) {
			errf(err, errlen,
			     "cannot resume: %s:%u: cell '%s' with these values is not in this experiment (were --set values changed?); use --force to start over",
			     res->path, line, rec.f[c_cell]);
			rc = -EINVAL;
		} else {
			mark_done(res, i, rec.f, c_median, c_status);
			off += rec.used;
			res->summary_keep = off;
		}
	}
	if (rc == 0)
		res->summary_keep = off;
out:
	free(rec.f);
	free(want);
	free(text);
	return rc;
}

/* Is the cell with this id done (resumed)? */
static bool cell_done(const struct results *res, const char *id)
{
	size_t i;

	for (i = 0; i < res->m->n_cells; i++)
		if (same_text(id, res->m->cells[i].id))
			return res->r->results[i].done;
	return false;
}

/*
 * Keep in N-runs.csv only the whole rows of cells N.csv has: the runs of a
 * cell are written before its summary row, so an interruption between the
 * two leaves runs that the resumed experiment will measure again.
 */
static int keep_done_runs(struct results *res)
{
	size_t len = 0, off, kept = 0, c_cell;
	char *text = slurp(res->runs_path, &len), *copy, *out;
	struct record rec = { 0 };
	struct csv_scan sc;
	int rc;

	if (!text && errno != ENOENT)
		return -errno; /* unreadable or too large: keep it as it is */
	copy = text ? xstrndup(text, len) : NULL; /* scanned in place */
	csv_scan_init(&sc, copy, text ? len : 0);
	if (!text || next_record(&sc, &rec) != 0 || !rec.whole ||
	    (c_cell = column_of(rec.f, rec.n, COLUMN_CELL)) == SIZE_MAX) {
		free(rec.f);
		free(copy);
		free(text);
		return fileio_replace(res->runs_path, "", 0, NULL, 0);
	}
	out = xcalloc(len + 1, 1);
	memcpy(out, text, rec.used);
	kept = off = rec.used;
	while (next_record(&sc, &rec) == 0) {
		if (rec.whole && rec.n > c_cell &&
		    cell_done(res, rec.f[c_cell])) {
			memcpy(out + kept, text + off, rec.used);
			kept += rec.used;
		}
		off += rec.used;
	}
	rc = kept == len ? 0
			 : fileio_replace(res->runs_path, out, kept, NULL, 0);
	free(rec.f);
	free(out);
	free(copy);
	free(text);
	return rc;
}

static int check_unchanged(struct results *res, const char *sha, char *err,
			   size_t errlen)
{
	char *old = env_value(res->env_path, ENV_EXPERIMENT_SHA256);
	int rc = 0;

	if (!old) {
		errf(err, errlen,
		     "cannot resume: %s has no experiment_sha256 (was the run started by concur?); use --force to start over",
		     res->env_path);
		rc = -EINVAL;
	} else if (strcmp(old, sha) != 0) {
		errf(err, errlen,
		     "cannot resume: %s has changed since %s was written (SHA-256 %.12s... then, %.12s... now); use --force to start over",
		     res->cfg->path, res->path, old, sha);
		rc = -EINVAL;
	}
	free(old);
	return rc;
}

/* A results file is written as it is named: never through a symlink. */
#define OPEN_RESULT (O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW)

static void explain_open(const char *path, int rc, char *err, size_t errlen)
{
	if (rc == -ELOOP)
		errf(err, errlen,
		     "%s is a symbolic link: concur does not write results through one; remove it or choose another -o",
		     path);
	else
		errf(err, errlen, "cannot write %s: %s", path, strerror(-rc));
}

/*
 * Open path for appending, cut to `keep` bytes first (keep < 0: as it is),
 * and say whether it is empty.
 */
static int open_append(const char *path, off_t keep, int *ret_fd,
		       bool *ret_empty, char *err, size_t errlen)
{
	int fd = open(path, OPEN_RESULT | O_CREAT, 0644), rc = 0;
	struct stat st;

	if (fd < 0)
		rc = -errno;
	else
		*ret_fd = fd;
	if (rc == 0 && keep >= 0 && ftruncate(fd, keep) < 0)
		rc = -errno;
	if (rc < 0) {
		explain_open(path, rc, err, errlen);
		return rc;
	}
	*ret_empty = fstat(fd, &st) == 0 && st.st_size == 0;
	return 0;
}

/* The summary file, with the header when it is empty (resume: its whole
 * rows kept, a torn last row cut off). */
static int start_summary(struct results *res, bool resume, char *err,
			 size_t errlen)
{
	off_t keep = resume ? (off_t)res->summary_keep : 0;
	struct stat st;
	int rc = 0;

	if (ftruncate(res->fd_summary, keep) < 0)
		rc = -errno;
	if (rc == 0 && fstat(res->fd_summary, &st) == 0 && st.st_size == 0) {
		summary_header(res);
		rc = emit(res, res->fd_summary);
	}
	if (rc < 0)
		errf(err, errlen, "cannot write %s: %s", res->path,
		     strerror(-rc));
	return rc;
}

static int open_files(struct results *res, bool resume, char *err,
		      size_t errlen)
{
	bool empty = false;
	int rc = start_summary(res, resume, err, errlen);

	if (rc == 0 && resume) {
		rc = keep_done_runs(res);
		if (rc < 0)
			explain_open(res->runs_path, rc, err, errlen);
	}
	if (rc == 0)
		rc = open_append(res->runs_path, resume ? -1 : 0, &res->fd_runs,
				 &empty, err, errlen);
	if (rc == 0 && empty) {
		add_texts(&res->row, schema_runs, schema_runs_n);
		csv_row_end(&res->row);
		rc = emit(res, res->fd_runs);
		if (rc < 0)
			errf(err, errlen, "cannot write %s: %s", res->runs_path,
			     strerror(-rc));
	}
	return rc;
}

/*
 * Open the summary file (creating it when missing: *ret_created) and take
 * the results lock (reslock.h) for as long as this run writes.  Run
 * children close the descriptor (results_fds), so only concur holds it.
 */
static int lock_results(struct results *res, bool *ret_created, char *err,
			size_t errlen)
{
	return reslock_take(res->path, "choose another -o", &res->fd_summary,
			    ret_created, err, errlen);
}

/*
 * Without --resume or --force, refuse when any of the four files exists
 * (a summary file this run just created aside).
 */
static int check_fresh(struct results *res, bool created, char *err,
		       size_t errlen)
{
	const char *paths[] = { res->path, res->runs_path, res->matrix_path,
				res->env_path };
	struct stat st;
	size_t i;

	for (i = created ? 1 : 0; i < ARRAY_SIZE(paths); i++) {
		if (lstat(paths[i], &st) != 0)
			continue;
		errf(err, errlen,
		     "%s already exists: add --resume to continue that experiment, or --force to overwrite it",
		     paths[i]);
		if (created)
			unlink(res->path); /* leave things as they were */
		return -EEXIST;
	}
	return 0;
}

/* Take the lock, then settle the mode: a resume with nothing to resume
 * starts afresh; a new run refuses to overwrite. */
static int claim_files(struct results *res, enum results_mode *mode, char *err,
		       size_t errlen)
{
	struct stat st;
	bool created;
	int rc = mkdir_parents(res->path);

	if (rc < 0) {
		errf(err, errlen, "cannot create the folder of %s: %s",
		     res->path, strerror(-rc));
		return rc;
	}
	rc = lock_results(res, &created, err, errlen);
	if (rc == 0 && *mode == RESULTS_NEW)
		rc = check_fresh(res, created, err, errlen);
	/* nothing to resume, a fresh start: no summary file, or an empty one
	 * (a run killed between taking the lock and writing N-env.csv) */
	if (rc == 0 && *mode == RESULTS_RESUME &&
	    (created || (fstat(res->fd_summary, &st) == 0 && st.st_size == 0)))
		*mode = RESULTS_NEW;
	if (rc == 0) {
		fileio_remove_stale(res->path);
		fileio_remove_stale(res->runs_path);
		fileio_remove_stale(res->matrix_path);
		fileio_remove_stale(res->env_path);
	}
	return rc;
}

int results_open(const struct config *cfg, const struct matrix *m,
		 struct runner *r, const struct shard *shard,
		 enum results_mode mode, const struct results_watch *watch,
		 int argc, char **argv, struct results **ret, char *err,
		 size_t errlen)
{
	struct results *res = xcalloc(1, sizeof(*res));
	char sha[65] = "";
	int rc;

	res->cfg = cfg;
	res->m = m;
	res->r = r;
	res->shard = shard && shard->n ? shard : NULL;
	res->fd_summary = res->fd_runs = -1;
	csv_row_init(&res->row);
	res->path = xstrdup(cfg->output);
	res->runs_path = sibling(cfg->output, "runs");
	res->matrix_path = sibling(cfg->output, "matrix");
	res->env_path = sibling(cfg->output, "env");
	rc = results_sha256_file(cfg->path, sha);
	if (rc < 0) {
		errf(err, errlen, "%s: %s", cfg->path, strerror(-rc));
		goto fail;
	}
	rc = claim_files(res, &mode, err, errlen);
	if (rc < 0)
		goto fail;
	if (mode == RESULTS_RESUME) {
		rc = check_unchanged(res, sha, err, errlen);
		if (rc == 0)
			rc = load_done_rows(res, err, errlen);
		if (rc < 0)
			goto fail;
	}
	/* N-env.csv first: a summary file is never without its SHA-256 */
	if (mode != RESULTS_RESUME)
		rc = write_env(res, argc, argv, sha);
	if (rc < 0)
		errf(err, errlen, "cannot write %s: %s", res->env_path,
		     strerror(-rc));
	else
		rc = open_files(res, mode == RESULTS_RESUME, err, errlen);
	res->watch = watch;
	if (rc == 0 && watch) /* a resumed run's rows are on disk */
		res->watching =
			watch->open(res->path, res->runs_path, res->env_path);
	/* the matrix exists from the start, so a shard that finishes no cell
	 * still says which workload cells it had */
	if (rc == 0 && (rc = write_matrix(res)) < 0)
		errf(err, errlen, "cannot write the matrix next to %s: %s",
		     res->path, strerror(-rc));
	if (rc < 0)
		goto fail;
	/* resumed: the workbook rebuilt from the files; a fresh run's comes
	 * with its first cell */
	if (res->resumed)
		tell_update(res, true);
	*ret = res;
	return 0;
fail:
	results_close(res);
	return rc;
}

size_t results_fds(const struct results *res, int *fds, size_t cap)
{
	int own[] = { res->fd_summary, res->fd_runs };
	size_t i, n = 0;

	for (i = 0; i < ARRAY_SIZE(own); i++)
		if (own[i] >= 0 && n < cap)
			fds[n++] = own[i];
	return n;
}

size_t results_resumed(const struct results *res)
{
	return res->resumed;
}

const char *results_path(const struct results *res)
{
	return res->path;
}

void results_close(struct results *res)
{
	if (!res)
		return;
	if (res->watching)
		res->watch->close(res->watching);
	if (res->fd_summary >= 0)
		close(res->fd_summary);
	if (res->fd_runs >= 0)
		close(res->fd_runs);
	csv_row_free(&res->row);
	free(res->path);
	free(res->runs_path);
	free(res->matrix_path);
	free(res->env_path);
	free(res);
}

/* ---- reading a results file back ------------------------------------ */

/* Take the writer's formula guard off a text field, in place. */
static void unguard(char *field)
{
	if (csv_unguard(field) != field)
		memmove(field, field + 1, strlen(field));
}

/* The columns a reader keeps, by their index in the file. */
struct pick {
	size_t *idx;
	size_t n;
};

/* Fields idx[0..n) of f, copied out as one block (one free() frees it). */
static char **fields_pick(char **f, const struct pick *p)
{
	size_t i, bytes = 0, len;
	char **out, *at;

	for (i = 0; i < p->n; i++)
		bytes += strlen(f[p->idx[i]]) + 1;
	out = xmalloc(p->n * sizeof(*out) + bytes + 1);
	at = (char *)(out + p->n);
	for (i = 0; i < p->n; i++) {
		len = strlen(f[p->idx[i]]) + 1;
		memcpy(at, f[p->idx[i]], len);
		out[i] = at;
		at += len;
	}
	return out;
}

static void table_add(struct results_table *t, size_t *cap, struct record *rec,
		      const struct pick *pick)
{
	size_t i;

	for (i = 0; i < rec->n; i++)
		unguard(rec->f[i]);
	xgrow((void **)&t->rows, cap, t->n_rows + 1, sizeof(*t->rows));
	t->rows[t->n_rows].line = rec->line;
	if (pick) {
		t->rows[t->n_rows++].f = fields_pick(rec->f, pick);
		return; /* rec->f is read into again */
	}
	t->rows[t->n_rows++].f = rec->f;
	/* the row keeps the field array; the next record gets one of the
	 * header's width at once, not grown field by field (reallocs were
	 * most of reading a 100,000-row file) */
	rec->cap = t->n_columns + 1;
	rec->f = xmalloc(rec->cap * sizeof(*rec->f));
}

/* The rows after the header; 0 or -EINVAL with FILE:LINE.  text is the
 * file as it was, before sc un-quoted its copy. */
static int table_rows(struct results_table *t, struct csv_scan *sc,
		      const char *text, const struct pick *pick, char *err,
		      size_t errlen)
{
	struct record rec = { 0 };
	size_t cap = 0, off = sc->pos;
	int rc = 0;

	while (rc == 0 && next_record(sc, &rec) == 0) {
		/* a torn tail is part of one line: the writer ends every
		 * record with CRLF in the same write() */
		if (!rec.whole && !rec.too_wide && off + rec.used == sc->len &&
		    !memchr(text + off, '\n', rec.used)) {
			t->dropped_tail = true;
		} else if (!rec.whole || rec.n != t->n_columns) {
			if (rec.too_wide)
				errf(err, errlen,
				     "%s:%u: damaged row: more than %u fields where the header has %zu",
				     t->path, rec.line, CSV_MAX_FIELDS,
				     t->n_columns);
			else if (rec.whole)
				errf(err, errlen,
				     "%s:%u: damaged row: %zu fields where the header has %zu",
				     t->path, rec.line, rec.n, t->n_columns);
			else
				errf(err, errlen,
				     "%s:%u: damaged row: not valid CSV (a stray or unclosed '\"'?)",
				     t->path, rec.line);
			rc = -EINVAL;
		} else {
			table_add(t, &cap, &rec, pick);
		}
		off += rec.used;
	}
	free(rec.f);
	return rc;
}

/* The named columns the header has, in the order named. */
static struct pick *pick_columns(char **header, size_t n,
				 const char *const *names, size_t n_names)
{
	struct pick *p = xcalloc(1, sizeof(*p));
	size_t i, c;

	p->idx = xcalloc(n_names + 1, sizeof(*p->idx));
	for (i = 0; i < n_names; i++) {
		c = column_of(header, n, names[i]);
		if (c != SIZE_MAX)
			p->idx[p->n++] = c;
	}
	return p;
}

/*
 * text[0..len) into a table; with `owned` the table takes text over (at
 * least len + 1 bytes, malloc'd) and reads it in place, else it reads a
 * copy.
 */
static int table_parse(const char *name, char *text, size_t len, bool owned,
		       const char *const *names, size_t n_names,
		       struct results_table **ret, char *err, size_t errlen)
{
	struct results_table *t = xcalloc(1, sizeof(*t));
	struct record head = { 0 };
	struct csv_scan sc;
	struct pick *pick = NULL;
	int rc = 0;

	t->path = xstrdup(name);
	t->size = len;
	if (owned) {
		t->text = text;
		t->text[len] = '\0';
	} else {
		t->text = xstrndup(text, len);
	}
	/* the fields point into t->text; the scan un-quotes it in place */
	csv_scan_init(&sc, t->text, len);
	if (next_record(&sc, &head) != 0 || !head.whole) {
		errf(err, errlen, "%s:1: %s", name,
		     len ? "the header row is incomplete or damaged"
			 : "empty file, no header row");
		rc = -EINVAL;
	} else {
		size_t i;

		for (i = 0; i < head.n; i++)
			unguard(head.f[i]); /* as the rows: written the same */
		t->header = head.f;
		t->n_columns = head.n;
		head.f = NULL;
		if (names)
			pick = pick_columns(t->header, t->n_columns, names,
					    n_names);
		/* the text as it was, to tell a torn tail: when it was taken
		 * over, the un-quoted text, which keeps every line end a
		 * torn record holds (only the separators a scan passed
		 * became NULs, and a line end there ends the record) */
		rc = table_rows(t, &sc, text, pick, err, errlen);
	}
	free(head.f);
	if (pick) { /* the rows are checked whole, then held picked */
		char **all = t->header;

		t->header = fields_pick(all, pick);
		free(all);
		t->n_columns = pick->n;
		free(pick->idx);
		free(pick);
		free(t->text); /* every field kept was copied out */
		t->text = NULL;
	}
	if (rc < 0)
		results_table_free(t);
	else
		*ret = t;
	return rc;
}

int results_table_parse(const char *name, const char *text, size_t len,
			struct results_table **ret, char *err, size_t errlen)
{
	return table_parse(name, (char *)text, len, false, NULL, 0, ret, err,
			   errlen);
}

int results_table_adopt(const char *name, char *text, size_t len,
			struct results_table **ret, char *err, size_t errlen)
{
	return table_parse(name, text, len, true, NULL, 0, ret, err, errlen);
}

int results_table_read_columns(const char *path, const char *const *names,
			       size_t n_names, struct results_table **ret,
			       char *err, size_t errlen)
{
	size_t len = 0;
	char *text = NULL;
	int rc;

	rc = fileio_read(path, RESULTS_MAX_FILE, "a concur results file", &text,
			 &len, err, errlen); /* on failure, err says why */
	if (rc == 0)
		rc = table_parse(path, text, len, false, names, n_names, ret,
				 err, errlen);
	free(text);
	return rc;
}

int results_table_read(const char *path, struct results_table **ret, char *err,
		       size_t errlen)
{
	return results_table_read_columns(path, NULL, 0, ret, err, errlen);
}

size_t results_table_column(const struct results_table *t, const char *name)
{
	return column_of(t->header, t->n_columns, name);
}

void results_table_free(struct results_table *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->n_rows; i++)
		free(t->rows[i].f);
	free(t->header);
	free(t->rows);
	free(t->text);
	free(t->path);
	free(t);
}

char *results_sibling(const char *path, const char *suffix)
{
	return sibling(path, suffix);
}

int results_make_folder(const char *path)
{
	return mkdir_parents(path);
}
