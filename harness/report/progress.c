/*
 * progress.c - the status line and finished-cell lines of progress.h.
 *
 * The ETA is (elapsed / runs finished) x runs left: cells differ a lot in
 * length, so it is rough early on and improves as runs finish; with the
 * default interleaved order every cell contributes early, which helps.
 * No timer or thread redraws the line between runs: the runs are forked
 * children of this process, and a second thread or a signal handler writing
 * to stderr is not worth that risk for a clock that ticks per run.
 */
#include "progress.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "report.h"
#include "util.h"

#define SGR_RESET "\033[0m"
#define SGR_BOLD "\033[1m"
#define SGR_DIM "\033[2m"
#define SGR_RED "\033[31m"
#define SGR_GREEN "\033[32m"
#define SGR_YELLOW "\033[33m"

struct progress {
	FILE *out;
	enum progress_mode mode;
	bool colour;
	bool drawn; /* a status line is on screen */
	const struct matrix *m;
	unsigned runs_per_cell;
	unsigned *started;   /* runs started, per cell */
	uint64_t runs_total; /* runs this invocation will make */
	uint64_t runs_started;
	int64_t t0_ns;
};

enum progress_mode progress_mode_for(FILE *out, bool quiet)
{
	const char *term = getenv("TERM");

	if (quiet)
		return PROGRESS_QUIET;
	if (!isatty(fileno(out)) || (term && !strcmp(term, "dumb")))
		return PROGRESS_LINES;
	return PROGRESS_LIVE;
}

bool progress_use_colour(FILE *out)
{
	const char *no = getenv("NO_COLOR");

	return isatty(fileno(out)) && !(no && no[0]);
}

struct progress *progress_create(FILE *out, enum progress_mode mode,
				 const struct matrix *m, size_t done_before,
				 unsigned runs_per_cell)
{
	struct progress *p = xcalloc(1, sizeof(*p));

	p->out = out;
	p->mode = mode;
	p->colour = mode == PROGRESS_LIVE && progress_use_colour(out);
	p->m = m;
	p->runs_per_cell = runs_per_cell;
	p->started = xcalloc(m->n_cells ? m->n_cells : 1, sizeof(unsigned));
	p->runs_total = (uint64_t)(m->n_cells - done_before) * runs_per_cell;
	p->t0_ns = mono_now_ns();
	return p;
}

/* "42s", "3m05s", "2h07m". */
static void fmt_duration(char *buf, size_t len, double s)
{
	long t = (long)(s + 0.5);

	if (t < 60)
		snprintf(buf, len, "%lds", t);
	else if (t < 3600)
		snprintf(buf, len, "%ldm%02lds", t / 60, t % 60);
	else
		snprintf(buf, len, "%ldh%02ldm", t / 3600, t % 3600 / 60);
}

static unsigned term_width(FILE *out)
{
	struct winsize ws;

	if (ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

/* The ETA part: "ETA 1m20s", or "ETA ?" before any run has finished. */
static void fmt_eta(const struct progress *p, double elapsed, char *buf,
		    size_t len)
{
	uint64_t done = p->runs_started ? p->runs_started - 1 : 0;
	uint64_t left = p->runs_total > done ? p->runs_total - done : 0;
	char d[32];

	if (!done) {
		snprintf(buf, len, "ETA ?");
		return;
	}
	fmt_duration(d, sizeof(d), elapsed / (double)done * (double)left);
	snprintf(buf, len, "ETA %s", d);
}

/*
 * Print the status line cut to the terminal's width (a wrapped line could
 * not be redrawn in place).  Plain text is counted, escapes are not.
 */
static void draw(struct progress *p, const char *id, const char *head,
		 const char *tail)
{
	size_t width = term_width(p->out) - 1, room;
	size_t nh = strlen(head), ni = strlen(id), nt = strlen(tail);

	room = width > nh + nt ? width - nh - nt : 0;
	fprintf(p->out, "\r\033[K%s%s%.*s%s%s%s", head,
		p->colour ? SGR_BOLD : "", (int)(ni < room ? ni : room), id,
		p->colour ? SGR_RESET : "", ni < room ? "" : "\u2026",
		nh + nt < width ? tail : "");
	fflush(p->out);
	p->drawn = true;
}

void progress_run_start(struct progress *p, const struct cell *c, unsigned run,
			unsigned runs, bool warmup)
{
	double elapsed;
	char head[64], tail[160], el[32], eta[48];

	p->runs_started++;
	if (c->index < p->m->n_cells)
		p->started[c->index]++;
	if (p->mode != PROGRESS_LIVE)
		return;
	elapsed = (double)(mono_now_ns() - p->t0_ns) / 1e9;
	fmt_duration(el, sizeof(el), elapsed);
	fmt_eta(p, elapsed, eta, sizeof(eta));
	snprintf(head, sizeof(head), "cell %zu/%zu ", c->index + 1,
		 p->m->n_cells);
	snprintf(tail, sizeof(tail), "  run %u/%u%s  %s elapsed  %s", run, runs,
		 warmup ? " (warm-up)" : "", el, eta);
	draw(p, c->id, head, tail);
}

void progress_clear(struct progress *p)
{
	if (p && p->drawn) {
		fputs("\r\033[K", p->out);
		fflush(p->out);
		p->drawn = false;
	}
}

static const char *status_colour(enum cell_status s)
{
	return s == CELL_OK	  ? SGR_GREEN
	       : s == CELL_FAILED ? SGR_YELLOW
				  : SGR_RED;
}

/*
 * report_cell_done's line with its status word coloured: the line is
 * rendered into memory first so report.c stays the one place that decides
 * what a finished cell says.
 */
static void print_coloured(struct progress *p, const struct runner *r,
			   const struct cell_result *cr, size_t done,
			   size_t total)
{
	char *line = NULL, *at;
	size_t len = 0, skip;
	FILE *mem = open_memstream(&line, &len);
	const char *word = cell_status_name(cr->status);

	if (!mem) {
		report_cell_done(p->out, r, cr, done, total);
		return;
	}
	report_cell_done(mem, r, cr, done, total);
	fclose(mem);
	skip = strlen(cr->cell->id);
	at = strstr(line, cr->cell->id);
	at = at ? strstr(at + skip, word) : NULL;
	if (at)
		fprintf(p->out, "%.*s%s%s%s%s", (int)(at - line), line,
			status_colour(cr->status), word, SGR_RESET,
			at + strlen(word));
	else
		fputs(line, p->out);
	fflush(p->out);
	free(line);
}

void progress_cell_done(struct progress *p, const struct runner *r,
			const struct cell_result *cr, size_t done, size_t total)
{
	size_t i = cr->cell->index;

	/* A timed-out or crashed cell skips its remaining runs. */
	if (i < p->m->n_cells && p->started[i] < p->runs_per_cell) {
		unsigned skipped = p->runs_per_cell - p->started[i];

		p->runs_total -=
			skipped < p->runs_total ? skipped : p->runs_total;
	}
	if (p->mode == PROGRESS_QUIET)
		return;
	progress_clear(p);
	if (p->colour)
		print_coloured(p, r, cr, done, total);
	else
		report_cell_done(p->out, r, cr, done, total);
}

void progress_destroy(struct progress *p)
{
	if (!p)
		return;
	progress_clear(p);
	free(p->started);
	free(p);
}
