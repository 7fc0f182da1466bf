#include "compare_table.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "diag.h"
#include "fileio.h"
#include "mdtext.h"
#include "ranktest.h"
#include "schema.h"
#include "util.h"
#include "verdict.h"

/* Significant digits of seconds and ratios in the CSV (as N.csv). */
#define SIG_SECONDS 9
#define SIG_RATIO 6
/* Cells named in one grouped note; the rest are counted. */
#define NOTE_NAMES 4
/* Widest cell id column on the terminal. */
#define ID_MAX 60

const char *compare_verdict_name(enum compare_verdict v)
{
	static const char *const names[] = { "faster",	   "slower",
					     "same",	   "unsure",
					     "not_ok",	   "only_in_base",
					     "only_in_new" };

	return (unsigned)v < ARRAY_SIZE(names) ? names[v] : "?";
}

bool compare_side_ok(const struct compare_cell *c, int side)
{
	return !c->status[side] || !strcmp(c->status[side], "ok");
}

/* ---- cell texts ------------------------------------------------------ */

static void format_p(double p, char *buf, size_t len)
{
	if (isnan(p))
		snprintf(buf, len, "-");
	else if (p < 0.001)
		snprintf(buf, len, "<0.001");
	else
		snprintf(buf, len, "%.3f", p);
}

/* "1.100 (1.098-1.102)", "1.500 (no CI)", "-" */
static void format_ratio(const struct compare_cell *c, const char *dash,
			 char *buf, size_t len)
{
	if (isnan(c->ratio))
		snprintf(buf, len, "-");
	else if (isnan(c->lo))
		snprintf(buf, len, "%.3f (no CI)", c->ratio);
	else
		snprintf(buf, len, "%.3f (%.3f%s%.3f)", c->ratio, c->lo, dash,
			 c->hi);
}

/* "slower +10.0%", "only in BASE", "not ok in NEW" */
static void format_verdict(const struct compare_cell *c, char *buf, size_t len)
{
	bool b = compare_side_ok(c, COMPARE_BASE);

	if (c->verdict == COMPARE_NOT_OK)
		snprintf(buf, len, "not ok in %s",
			 !b && !compare_side_ok(c, COMPARE_NEW) ? "both"
			 : b					? "NEW"
								: "BASE");
	else if (c->verdict == COMPARE_ONLY_BASE ||
		 c->verdict == COMPARE_ONLY_NEW)
		snprintf(buf, len, "only in %s",
			 c->verdict == COMPARE_ONLY_BASE ? "BASE" : "NEW");
	else if (c->verdict == COMPARE_SLOWER || c->verdict == COMPARE_FASTER)
		snprintf(buf, len, "%s %+.1f%%",
			 compare_verdict_name(c->verdict),
			 (c->ratio - 1) * 100);
	else
		snprintf(buf, len, "%s", compare_verdict_name(c->verdict));
}

/* The texts of one table row. */
struct row_text {
	char runs[48], base[32], new_median[32], ratio[64], p[16], verdict[48];
};

static void row_text(const struct compare_cell *c, const char *dash,
		     struct row_text *t)
{
	snprintf(t->runs, sizeof(t->runs), "%zu/%zu", c->runs[COMPARE_BASE],
		 c->runs[COMPARE_NEW]);
	human_time(c->median[COMPARE_BASE], t->base, sizeof(t->base));
	human_time(c->median[COMPARE_NEW], t->new_median,
		   sizeof(t->new_median));
	format_ratio(c, dash, t->ratio, sizeof(t->ratio));
	format_p(c->p, t->p, sizeof(t->p));
	format_verdict(c, t->verdict, sizeof(t->verdict));
}

/* "1 slower, 2 faster, 10 same, 1 unsure, 1 not ok; 1 only in BASE" */
static void summary_line(const struct compare_result *r, char *buf, size_t len)
{
	const size_t *t = r->tally;
	int k = snprintf(buf, len,
			 "%zu slower, %zu faster, %zu same, %zu unsure",
			 t[COMPARE_SLOWER], t[COMPARE_FASTER], t[COMPARE_SAME],
			 t[COMPARE_UNSURE]);

	if (t[COMPARE_NOT_OK] && k > 0 && (size_t)k < len)
		k += snprintf(buf + k, len - (size_t)k, ", %zu not ok",
			      t[COMPARE_NOT_OK]);
	if (t[COMPARE_ONLY_BASE] && k > 0 && (size_t)k < len)
		k += snprintf(buf + k, len - (size_t)k, "; %zu only in BASE",
			      t[COMPARE_ONLY_BASE]);
	if (t[COMPARE_ONLY_NEW] && k > 0 && (size_t)k < len)
		snprintf(buf + k, len - (size_t)k, "; %zu only in NEW",
			 t[COMPARE_ONLY_NEW]);
}

/* How the numbers were made, its three parts joined by sep. */
static void method_text(const struct compare_result *r, const char *sep,
			char *buf, size_t len)
{
	snprintf(
		buf, len,
		"ratio: new/base, Hodges-Lehmann estimate over log run times with its 95%% distribution-free interval;%sp: two-sided Mann-Whitney U, exact without ties under %d runs a side, else normal with tie and continuity corrections;%sverdict at alpha %g; changes within %g%% count as same",
		sep, RANKTEST_EXACT_MAX, sep, r->opts->alpha,
		r->opts->threshold * 100);
}

/* ---- notes ------------------------------------------------------------ */

/* Has an earlier cell the same verdict and note as cell i? */
static bool note_seen(const struct compare_result *r, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (r->cells[j].verdict == r->cells[i].verdict &&
		    !strcmp(r->cells[j].note, r->cells[i].note))
			return true;
	return false;
}

/*
 * "unsure: sync/a, sync/b and 3 more: 3 and 3 runs cannot ...": cells
 * with the same verdict and note share one line, so ten cells with three
 * runs each make one note, not ten.
 */
static void print_note_group(FILE *out, const struct compare_result *r,
			     size_t i, const char *bullet)
{
	const struct compare_cell *c = &r->cells[i];
	size_t j, named = 0, more = 0;

	fprintf(out, "%s%s: ", bullet, compare_verdict_name(c->verdict));
	for (j = i; j < r->n_cells; j++) {
		const struct compare_cell *d = &r->cells[j];

		if (d->verdict != c->verdict || strcmp(d->note, c->note))
			continue;
		if (named++ < NOTE_NAMES)
			fprintf(out, "%s%s", named > 1 ? ", " : "", d->id);
		else
			more++;
	}
	if (more)
		fprintf(out, " and %zu more", more);
	fprintf(out, ": %s\n", c->note);
}

static void print_status(FILE *out, const struct compare_cell *c, int side,
			 const char *bullet)
{
	if (compare_side_ok(c, side))
		return;
	fprintf(out, "%s%s: status %s in %s: %s\n", bullet, c->id,
		c->status[side], side == COMPARE_BASE ? "BASE" : "NEW",
		c->error[side]);
}

static bool busy(const struct compare_result *r, int side)
{
	return r->ncpus[side] &&
	       r->load[side] > VERDICT_BUSY_LOAD_PER_CPU * r->ncpus[side];
}

/*
 * Runs made on a busy machine drift from one experiment to the next: a
 * difference may be the machine's rather than the code's.  Said when a
 * side's load average per CPU was above the run report's threshold.
 */
static void print_load(FILE *out, const struct compare_result *r,
		       const char *bullet)
{
	bool b = busy(r, COMPARE_BASE), n = busy(r, COMPARE_NEW);
	int side = b ? COMPARE_BASE : COMPARE_NEW;

	if (!b && !n)
		return;
	fprintf(out, "%s%s ran on a busy machine (load average ", bullet,
		b && n ? "BASE and NEW"
		: b    ? "BASE"
		       : "NEW");
	if (b && n)
		fprintf(out, "%.2f and %.2f", r->load[COMPARE_BASE],
			r->load[COMPARE_NEW]);
	else
		fprintf(out, "%.2f", r->load[side]);
	fprintf(out,
		" on %u CPUs): times drift between experiments there, so a difference may be the machine's; compare runs made close together on a quiet machine\n",
		r->ncpus[side]);
}

/* The notes under a table: verdicts that need a word, cells that did not
 * finish ok, parameters whose values differ. */
static void print_notes(FILE *out, const struct compare_result *r,
			const char *bullet)
{
	size_t i;

	for (i = 0; i < r->n_cells; i++)
		if (r->cells[i].note[0] && !note_seen(r, i))
			print_note_group(out, r, i, bullet);
	for (i = 0; i < r->n_cells; i++) {
		print_status(out, &r->cells[i], COMPARE_BASE, bullet);
		print_status(out, &r->cells[i], COMPARE_NEW, bullet);
	}
	for (i = 0; i < r->n_diffs; i++)
		fprintf(out,
			"%sparameter %s differs: %s in BASE, %s in NEW (%zu cell%s)\n",
			bullet, r->diffs[i].column, r->diffs[i].base,
			r->diffs[i].new_value, r->diffs[i].cells,
			r->diffs[i].cells == 1 ? "" : "s");
	print_load(out, r, bullet);
}

/* ---- the terminal ------------------------------------------------------ */

static int id_width(const struct compare_result *r)
{
	size_t w = 4, i;

	for (i = 0; i < r->n_cells; i++)
		if (strlen(r->cells[i].id) > w)
			w = strlen(r->cells[i].id);
	return (int)(w > ID_MAX ? ID_MAX : w);
}

void compare_print_terminal(FILE *out, const struct compare_result *r)
{
	int w = id_width(r);
	char line[512];
	size_t i;

	fprintf(out, "compare %s: BASE %s, NEW %s\n\n", r->experiment,
		r->base_path, r->new_path);
	fprintf(out, "  %-*s %7s %12s %12s  %-28s %7s  %s\n", w, "cell", "runs",
		"base median", "new median", "ratio (95% CI)", "p", "verdict");
	for (i = 0; i < r->n_cells; i++) {
		struct row_text t;

		row_text(&r->cells[i], "-", &t);
		fprintf(out, "  %-*s %7s %12s %12s  %-28s %7s  %s\n", w,
			r->cells[i].id, t.runs, t.base, t.new_median, t.ratio,
			t.p, t.verdict);
	}
	fprintf(out, "\n");
	print_notes(out, r, "  ");
	method_text(r, "\n ", line, sizeof(line));
	fprintf(out, "(%s)\n\n", line);
	summary_line(r, line, sizeof(line));
	fprintf(out, "%s\n", line);
}

/* ---- Markdown ------------------------------------------------------------ */

/*
 * The notes as a Markdown list: written as for the terminal, then each
 * line escaped whole, since a note quotes cell ids, errors and values.
 */
static void print_notes_markdown(FILE *out, const struct compare_result *r)
{
	char *buf = NULL, *line, *nl;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);

	if (!mem) { /* only out of memory: as xmalloc does */
		diag_error("compare: out of memory (the notes)");
		exit(2);
	}
	print_notes(mem, r, "");
	fclose(mem);
	for (line = buf; *line; line = nl ? nl + 1 : line + strlen(line)) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		fputs("- ", out);
		md_text(out, line);
		fputc('\n', out);
	}
	free(buf);
}

void compare_print_markdown(FILE *out, const struct compare_result *r)
{
	char line[512];
	size_t i;

	summary_line(r, line, sizeof(line));
	fprintf(out, "### concur compare: ");
	md_text(out, r->experiment);
	fprintf(out, "\n\n**%s**\n\n", line);
	fprintf(out,
		"| cell | runs | base median | new median | ratio (95%% CI) | p | verdict |\n"
		"|:--|--:|--:|--:|:--|--:|:--|\n");
	for (i = 0; i < r->n_cells; i++) {
		const struct compare_cell *c = &r->cells[i];
		bool bold = c->verdict == COMPARE_SLOWER;
		struct row_text t;

		row_text(c, "–", &t);
		fprintf(out, "| ");
		md_text(out, c->id);
		fprintf(out, " | %zu / %zu | %s | %s | %s | %s | %s%s%s |\n",
			c->runs[COMPARE_BASE], c->runs[COMPARE_NEW], t.base,
			t.new_median, t.ratio, t.p, bold ? "**" : "", t.verdict,
			bold ? "**" : "");
	}
	fprintf(out, "\n");
	print_notes_markdown(out, r);
	method_text(r, " ", line, sizeof(line));
	fprintf(out, "\n<sub>%s</sub>\n", line);
}

/* ---- CSV ------------------------------------------------------------------ */

static const char *const csv_head[] = { COLUMN_EXPERIMENT, COLUMN_CELL,
					COLUMN_STRATEGY, COLUMN_WORKLOAD };
static const char *const csv_tail[] = {
	"base_runs", "new_runs",       "base_median_s",	  "new_median_s",
	"ratio",     "ratio_ci95_low", "ratio_ci95_high", "mann_whitney_u",
	"p_value",   "p_method",       "verdict",	  "note",
};

static void csv_header(struct csv_row *row, const struct compare_result *r)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(csv_head); i++)
		csv_add_text(row, csv_head[i]);
	for (i = 0; i < r->n_params; i++)
		csv_add_text(row, r->param_names[i]);
	for (i = 0; i < ARRAY_SIZE(csv_tail); i++)
		csv_add_text(row, csv_tail[i]);
	csv_row_end(row);
}

static void csv_cell(struct csv_row *row, const struct compare_result *r,
		     const struct compare_cell *c)
{
	size_t i;

	csv_add_text(row, c->experiment);
	csv_add_text(row, c->id);
	csv_add_text(row, c->strategy);
	csv_add_text(row, c->workload);
	for (i = 0; i < r->n_params; i++)
		csv_add_read_back(row, c->params[i]); /* as N.csv has it */
	csv_add_uint(row, c->runs[COMPARE_BASE]);
	csv_add_uint(row, c->runs[COMPARE_NEW]);
	csv_add_real(row, c->median[COMPARE_BASE], SIG_SECONDS);
	csv_add_real(row, c->median[COMPARE_NEW], SIG_SECONDS);
	csv_add_real(row, c->ratio, SIG_RATIO);
	csv_add_real(row, c->lo, SIG_RATIO);
	csv_add_real(row, c->hi, SIG_RATIO);
	csv_add_real(row, c->u, SIG_RATIO);
	csv_add_real(row, c->p, SIG_RATIO);
	csv_add_text(row, isnan(c->p) ? "" : c->exact ? "exact" : "normal");
	csv_add_text(row, compare_verdict_name(c->verdict));
	csv_add_text(row, c->note);
	csv_row_end(row);
}

int compare_write_csv(const struct compare_result *r, const char *path,
		      char *err, size_t errlen)
{
	struct csv_row row;
	size_t i;
	int rc;

	csv_row_init(&row);
	csv_header(&row, r);
	for (i = 0; i < r->n_cells; i++)
		csv_cell(&row, r, &r->cells[i]);
	rc = fileio_replace(path, row.buf ? row.buf : "", row.len, err, errlen);
	csv_row_free(&row);
	return rc;
}
