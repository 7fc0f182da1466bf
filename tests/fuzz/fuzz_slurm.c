/*
 * fuzz_slurm.c - libFuzzer target for the `concur slurm` script generator
 * (slurm.h): any words as the experiment, output, name, concur's path, the
 * run options and the sbatch options.
 *
 * An input is two bytes (shards - 1, flags: 1 force, 2 the current folder
 * is a word too), then words separated by NUL bytes: experiment, output,
 * name, concur's path, [current folder,] run options up to a word "--",
 * then sbatch options.
 *
 * The oracle (values only, never message text; abort when broken):
 *   - refused (-EINVAL, nothing written) exactly when some word holds a
 *     control character;
 *   - the script holds no control character but line ends and tabs, each
 *     here-document terminator is a line once, and no other line of the
 *     script is one;
 *   - the task's command line, read back as the shell reads a word
 *     (bare, '...', \'), is concur, run, the experiment, the run options,
 *     --shards N and --resume unless force, word for word;
 *   - run by bash with sbatch and mkdir stubbed (PATH empty: every other
 *     command is caught by command_not_found_handle) it exits 0 (bash
 *     ends on a syntax error too), calls sbatch exactly twice, each time
 *     with the sbatch options as its last words, and runs nothing else
 *     (tests/integration/test_slurm.py runs it with bash -n and an sbatch
 *     program on PATH).
 * FUZZ_VERBOSE=1 prints each script and its task's words (replaying).
 * Build and run: scripts/fuzz-check.sh.
 */
#define _GNU_SOURCE /* nftw */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "slurm.h"
#include "util.h"

#include "../unit/text_lines.h"
#include "fuzz_workdir.h"

#define MAX_WORDS 64

extern char **environ;

static const char *dir; /* work folder: stubs, records, the script */
static const char tag[] = "0f1e2d3c4b5a6978";

/*
 * Sourced by bash before the script (BASH_ENV): sbatch and mkdir as
 * functions (sbatch records its words and the job script on stdin, runs
 * nothing), and any other command not found (PATH is empty) recorded in
 * the canary file.  Functions, not programs: one bash per input.
 */
static const char stubs[] =
	"sbatch() {\n"
	"  local n=0 job\n"
	"  while [[ -e $REC/argv-$n ]]; do n=$((n + 1)); done\n"
	"  printf '%s\\0' \"$@\" > \"$REC/argv-$n\"\n"
	"  IFS= read -r -d '' job || true\n"
	"  printf '%s' \"$job\" > \"$REC/job-$n\"\n"
	"  echo $((4200 + n))\n"
	"}\n"
	"mkdir() { :; }\n"
	"command_not_found_handle() {\n"
	"  printf '%s\\n' \"$*\" >> \"$CANARY\"; return 127\n"
	"}\n";

struct words {
	char *w[MAX_WORDS + 8]; /* a command line: the words and 8 more */
	size_t n;
};

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/* ---- the text -------------------------------------------------------- */

/* The words of a shell command line quoted as slurm_shell_quote does,
 * up to "||" or the line end. */
static void unquote(const char *p, struct words *ret)
{
	char *w = xmalloc(strlen(p) + 1);
	size_t n;

	ret->n = 0;
	for (;;) {
		while (*p == ' ')
			p++;
		if (!*p || *p == '\n' || !strncmp(p, "|| ", 3))
			break;
		for (n = 0; *p && *p != ' ' && *p != '\n';) {
			if (*p == '\'') {
				for (p++; *p && *p != '\''; p++)
					w[n++] = *p;
				if (!*p++)
					abort(); /* an unclosed quote */
			} else if (*p == '\\') {
				if (!*++p)
					abort();
				w[n++] = *p++;
			} else {
				w[n++] = *p++;
			}
		}
		if (ret->n == MAX_WORDS + 8)
			abort();
		ret->w[ret->n++] = xstrndup(w, n);
	}
	free(w);
}

static void words_free(struct words *w)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		free(w->w[i]);
	w->n = 0;
}

/* Line after the line holding marker. */
static const char *line_after(const char *text, const char *marker)
{
	const char *p = strstr(text, marker);

	if (!p || !(p = strchr(p, '\n')))
		abort();
	return p + 1;
}

static void check_text(const char *text, const struct slurm_options *o)
{
	char shard_end[64], merge_end[64], open[80];
	const char *p, *run;
	struct words got;
	size_t i, k = 0;
	char shards[16];

	for (p = text; *p; p++)
		if (((unsigned char)*p < 0x20 && *p != '\n' && *p != '\t') ||
		    *p == 0x7f)
			abort();
	snprintf(shard_end, sizeof(shard_end), "CONCUR_SHARD_%s", o->tag);
	snprintf(merge_end, sizeof(merge_end), "CONCUR_MERGE_%s", o->tag);
	if (text_lines_equal(text, shard_end) != 1 ||
	    text_lines_equal(text, merge_end) != 1)
		abort();
	/* the run line: three lines after the here-document opens (a line of
	 * its own: a word can hold its text, not the line ends) */
	snprintf(open, sizeof(open), "\n\t<<'%s'\n", shard_end);
	run = line_after(
		line_after(line_after(line_after(text, open), "#"), "#"), "#");
	unquote(run, &got);
	if (getenv("FUZZ_VERBOSE")) {
		fprintf(stderr, "fuzz_slurm: %zu words:", got.n);
		for (i = 0; i < got.n; i++)
			fprintf(stderr, " [%s]", got.w[i]);
		fprintf(stderr, "\n%s", text);
	}
	snprintf(shards, sizeof(shards), "%u", o->shards);
	if (got.n != 3 + o->n_run_args + 2 + !o->force ||
	    strcmp(got.w[k++], o->concur) || strcmp(got.w[k++], "run") ||
	    strcmp(got.w[k++], o->experiment))
		abort();
	for (i = 0; i < o->n_run_args; i++)
		if (strcmp(got.w[k++], o->run_args[i]))
			abort();
	if (strcmp(got.w[k++], "--shards") || strcmp(got.w[k++], shards) ||
	    (!o->force && strcmp(got.w[k], "--resume")))
		abort();
	words_free(&got);
}

/* ---- bash ------------------------------------------------------------ */

static void put_file(const char *name, const char *text, size_t len,
		     mode_t mode)
{
	char *path = xasprintf("%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		abort();
	close(fd);
	free(path);
}

static int spawn(char *const argv[], char *const envp[])
{
	posix_spawn_file_actions_t fa;
	int status;
	pid_t pid;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (posix_spawn(&pid, "/bin/bash", &fa, NULL, argv, envp) != 0)
		abort();
	posix_spawn_file_actions_destroy(&fa);
	while (waitpid(pid, &status, 0) != pid)
		if (errno != EINTR) /* libFuzzer's timer interrupts */
			abort();
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static void clear_records(void)
{
	int i;

	for (i = 0; i < 4; i++) {
		char *a = xasprintf("%s/rec/argv-%d", dir, i);
		char *j = xasprintf("%s/rec/job-%d", dir, i);

		unlink(a);
		unlink(j);
		free(a);
		free(j);
	}
}

/* The sbatch words of call n end with the sbatch options. */
static void check_sbatch_call(int n, const struct slurm_options *o)
{
	char *path = xasprintf("%s/rec/argv-%d", dir, n), *text = NULL;
	size_t len = 0, i, count = 0;
	const char *words[MAX_WORDS * 2], *p;
	FILE *f = fopen(path, "r");

	if (!f || fseek(f, 0, SEEK_END) != 0)
		abort(); /* sbatch was not called */
	len = (size_t)ftell(f);
	rewind(f);
	text = xmalloc(len + 1);
	if (fread(text, 1, len, f) != len)
		abort();
	text[len] = '\0';
	fclose(f);
	for (p = text; p < text + len && count < ARRAY_SIZE(words);
	     p += strlen(p) + 1)
		words[count++] = p;
	if (count < o->n_sbatch_args)
		abort();
	for (i = 0; i < o->n_sbatch_args; i++)
		if (strcmp(words[count - o->n_sbatch_args + i],
			   o->sbatch_args[i]))
			abort();
	free(text);
	free(path);
}

static void run_bash(const char *script, const struct slurm_options *o)
{
	char *file = xasprintf("%s/submit.sh", dir);
	char *canary = xasprintf("%s/CANARY", dir);
	char *third = xasprintf("%s/rec/argv-2", dir);
	char *e_path = xasprintf("PATH=%s/bin", dir); /* empty */
	char *e_rec = xasprintf("REC=%s/rec", dir);
	char *e_canary = xasprintf("CANARY=%s", canary);
	char *e_env = xasprintf("BASH_ENV=%s/stubs.sh", dir);
	char *run[] = { "bash", file, NULL };
	char *env[] = { e_path, e_rec, e_canary, e_env, NULL };
	struct stat st;

	put_file("submit.sh", script, strlen(script), 0600);
	clear_records();
	if (spawn(run, env) != 0)
		abort(); /* a syntax error ends bash too: no bash -n needed */
	if (stat(canary, &st) == 0)
		abort(); /* something other than sbatch or mkdir ran */
	check_sbatch_call(0, o);
	check_sbatch_call(1, o);
	if (stat(third, &st) == 0)
		abort(); /* sbatch called more than twice */
	free(file);
	free(canary);
	free(third);
	free(e_path);
	free(e_rec);
	free(e_canary);
	free(e_env);
}

/* ---- the input --------------------------------------------------------- */

/* Split at NUL bytes into NUL-terminated words (at most MAX_WORDS). */
static void split(const uint8_t *data, size_t size, struct words *ret)
{
	size_t off = 0;

	ret->n = 0;
	while (off <= size && ret->n < MAX_WORDS) {
		const uint8_t *end = memchr(data + off, 0, size - off);
		size_t len = end ? (size_t)(end - data) - off : size - off;

		ret->w[ret->n++] = xstrndup((const char *)data + off, len);
		off += len + 1;
	}
}

static void generate(const struct slurm_options *o, bool bad, bool run)
{
	char *text = NULL, err[1024] = "";
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int rc;

	if (!f)
		abort();
	rc = slurm_print_script(f, o, err, sizeof(err));
	fclose(f);
	if (rc != (bad ? -EINVAL : 0) || (rc < 0 && (len || !err[0])))
		abort(); /* refused exactly the control characters, silently */
	if (rc == 0) {
		check_text(text, o);
		if (run)
			run_bash(text, o);
	}
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const argv[] = { "concur", "slurm" };
	struct words w;
	struct slurm_options o = { 0 };
	size_t i, first_run, dash;
	bool bad = false;

	if (size < 2)
		return 0;
	split(data + 2, size - 2, &w);
	if (w.n < 4 + (data[1] & 2 ? 1 : 0)) {
		words_free(&w);
		return 0;
	}
	o.experiment = w.w[0];
	o.output = w.w[1];
	o.name = w.w[2];
	o.concur = w.w[3];
	o.cwd = data[1] & 2 ? w.w[4] : dir;
	first_run = data[1] & 2 ? 5 : 4;
	for (dash = first_run; dash < w.n && strcmp(w.w[dash], "--"); dash++)
		;
	o.run_args = (const char *const *)w.w + first_run;
	o.n_run_args = dash - first_run;
	o.sbatch_args =
		(const char *const *)w.w + (dash < w.n ? dash + 1 : w.n);
	o.n_sbatch_args = dash < w.n ? w.n - dash - 1 : 0;
	o.shards = (unsigned)data[0] + 1;
	o.cpus = 4;
	o.force = data[1] & 1;
	o.argv = argv;
	o.argc = 2;
	o.tag = tag;
	for (i = 0; i < w.n; i++)
		bad |= has_control(w.w[i]);
	/* bash runs it only where its cd can succeed: in the work folder */
	generate(&o, bad, !(data[1] & 2));
	words_free(&w);
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *p;

	(void)argc;
	(void)argv;
	dir = fuzz_workdir_make("slurm");
	p = xasprintf("%s/bin", dir);
	mkdir(p, 0700);
	free(p);
	p = xasprintf("%s/rec", dir);
	mkdir(p, 0700);
	free(p);
	put_file("stubs.sh", stubs, strlen(stubs), 0600);
	return 0;
}
