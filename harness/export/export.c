/*
 * export.c - which export files to write, whether they may be written,
 * and writing them from the results files on disk (export.h).
 */
#include "export.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <concur/plugin.h>
#include "config.h"
#include "export_json.h"
#include "export_markdown.h"
#include "fileio.h"
#include "plot.h"
#include "util.h"
#include "xlsx.h"

static const char *const format_names[] = { "json", "markdown" };

char *export_sibling_path(const char *csv_path, enum export_format f)
{
	size_t len = strlen(csv_path);

	if (len > 4 && strcmp(csv_path + len - 4, ".csv") == 0)
		len -= 4;
	return xasprintf("%.*s.%s", (int)len, csv_path,
			 f == EXPORT_JSON ? "json" : "md");
}

void export_set_add(struct export_set *s, enum export_format f,
		    const char *path, bool sibling)
{
	if (s->n == EXPORT_MAX)
		return;
	s->t[s->n].format = f;
	s->t[s->n].path = xstrdup(path);
	s->t[s->n].sibling = sibling;
	s->n++;
}

void export_set_free(struct export_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->t[i].path);
	s->n = 0;
}

/* The file of target i against the inputs, the outputs and the others. */
static int check_clash(const struct export_set *s, size_t i,
		       const char *const *protect, size_t n_protect, char *err,
		       size_t errlen)
{
	const char *path = s->t[i].path;
	size_t k;

	for (k = 0; k < n_protect; k++)
		if (protect[k] && fileio_same_file(path, protect[k])) {
			errf(err, errlen,
			     "--export-%s %s: that is %s, which concur reads or writes itself; name another file",
			     format_names[s->t[i].format], path, protect[k]);
			return -EINVAL;
		}
	for (k = 0; k < i; k++)
		if (fileio_same_file(path, s->t[k].path)) {
			errf(err, errlen,
			     "%s is named for two exports (%s and %s); name another file for one of them",
			     path, format_names[s->t[k].format],
			     format_names[s->t[i].format]);
			return -EINVAL;
		}
	return 0;
}

/* Existing file, folder: may the file of target i be written there? */
static int check_place(const struct export_set *s, size_t i, bool replace,
		       char *err, size_t errlen)
{
	const char *path = s->t[i].path;
	const char *what = format_names[s->t[i].format];
	struct stat st;
	char *dir;
	int rc = 0;

	if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		errf(err, errlen,
		     "--export-%s %s is a folder: name the file to write", what,
		     path);
		return -EISDIR;
	}
	if (lstat(path, &st) == 0 && !replace) {
		errf(err, errlen,
		     "%s already exists: add --force to overwrite it (or --resume to continue that experiment)",
		     path);
		return -EEXIST;
	}
	if (s->t[i].sibling) /* its folder is the results folder */
		return 0;
	dir = fileio_folder_of(path);
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		errf(err, errlen,
		     "--export-%s %s: the folder %s does not exist; create it first",
		     what, path, dir);
		rc = -ENOENT;
	} else if (access(dir, W_OK | X_OK) != 0) {
		errf(err, errlen,
		     "--export-%s %s: cannot write in the folder %s (%s)", what,
		     path, dir, strerror(errno));
		rc = -EACCES;
	}
	free(dir);
	return rc;
}

int export_check(const struct export_set *s, const char *const *protect,
		 size_t n_protect, bool replace, char *err, size_t errlen)
{
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < s->n; i++) {
		if (!*s->t[i].path) {
			errf(err, errlen,
			     "--export-%s needs a file name (FILE.%s)",
			     format_names[s->t[i].format],
			     s->t[i].format == EXPORT_JSON ? "json" : "md");
			return -EINVAL;
		}
		rc = check_clash(s, i, protect, n_protect, err, errlen);
		if (rc == 0)
			rc = check_place(s, i, replace, err, errlen);
	}
	return rc;
}

struct loaded {
	struct results_table *summary, *runs, *env;
};

static int load(const char *csv_path, struct loaded *l, char *err,
		size_t errlen)
{
	char *runs = results_sibling(csv_path, "runs");
	char *env = results_sibling(csv_path, "env");
	int rc = results_table_read(csv_path, &l->summary, err, errlen);

	if (rc == 0)
		rc = results_table_read(runs, &l->runs, err, errlen);
	/* an env file is context: without one the export still says it all */
	if (rc == 0 && results_table_read(env, &l->env, NULL, 0) < 0)
		l->env = NULL;
	free(runs);
	free(env);
	return rc;
}

int export_write(const struct export_set *s, const char *csv_path, FILE *out,
		 char *err, size_t errlen)
{
	struct loaded l = { 0 };
	struct export_source src;
	char msg[2 * CONCUR_ERRLEN];
	size_t i;
	int rc, first = 0;

	if (!s->n)
		return 0;
	rc = load(csv_path, &l, err, errlen);
	src = (struct export_source){ l.summary, l.runs, l.env };
	for (i = 0; rc == 0 && i < s->n; i++) {
		int one = fileio_replace_stream(s->t[i].path,
						s->t[i].format == EXPORT_JSON
							? export_json_fill
							: export_markdown_fill,
						&src, msg, sizeof(msg));

		if (one < 0 && first == 0) {
			first = one;
			errf(err, errlen, "%s", msg);
		} else if (one == 0 && out) {
			fprintf(out, "%-8s %s\n",
				s->t[i].format == EXPORT_JSON ? "json:"
							      : "markdown:",
				s->t[i].path);
		}
	}
	results_table_free(l.summary);
	results_table_free(l.runs);
	results_table_free(l.env);
	return rc < 0 ? rc : first;
}

void export_remove_stale(const struct export_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		fileio_remove_stale(s->t[i].path);
}

/* Is file in the folder of out (which the run creates)? */
static bool in_folder_of(const char *file, const char *out)
{
	char *a = fileio_folder_of(file), *b = fileio_folder_of(out);
	bool same = fileio_same_file(a, b);

	free(a);
	free(b);
	return same;
}

int export_plan_run(struct export_set *s, const struct config *cfg,
		    const char *json_file, const char *md_file, bool shard,
		    bool replace, char *err, size_t errlen)
{
	const char *out = cfg->output;
	/* the experiment file and the run's own results (not its exports) */
	char *protect[1 + EXPORT_RESULTS_FILES];
	size_t n_protect = 1 + export_results_files(out, protect + 1) - 2, i;
	int rc = 0;

	protect[0] = xstrdup(cfg->path);
	free(protect[n_protect]); /* the exports are ours to write */
	free(protect[n_protect + 1]);
	if (shard && (json_file || md_file)) {
		errf(err, errlen,
		     "--export-%s names one file, and each shard would write it: export the merged results (concur merge OUT.csv ... --export-%s FILE), or set [experiment] %s = true for each shard's own",
		     json_file ? "json" : "markdown",
		     json_file ? "json" : "markdown",
		     json_file ? "json" : "markdown");
		rc = -EINVAL;
	}
	for (i = 0; i < 2 && rc == 0; i++) {
		enum export_format f = i ? EXPORT_MARKDOWN : EXPORT_JSON;
		const char *file = i ? md_file : json_file;
		char *beside = export_sibling_path(out, f);

		if (i ? cfg->markdown : cfg->json)
			export_set_add(s, f, beside, true);
		if (file)
			export_set_add(s, f, file, in_folder_of(file, out));
		free(beside);
	}
	if (rc == 0)
		rc = export_check(s, (const char *const *)protect, n_protect,
				  replace, err, errlen);
	for (i = 0; i < n_protect; i++)
		free(protect[i]);
	return rc;
}

size_t export_results_files(const char *csv, char **ret)
{
	ret[0] = xstrdup(csv);
	ret[1] = results_sibling(csv, "runs");
	ret[2] = results_sibling(csv, "matrix");
	ret[3] = results_sibling(csv, "env");
	ret[4] = plot_default_path(csv);
	ret[5] = xlsx_default_path(csv);
	ret[6] = export_sibling_path(csv, EXPORT_JSON);
	ret[7] = export_sibling_path(csv, EXPORT_MARKDOWN);
	return EXPORT_RESULTS_FILES;
}

int export_plan_merge(struct export_set *s, const char *out,
		      const char *json_file, const char *md_file,
		      const char *const *shards, size_t n_shards, bool replace,
		      char *err, size_t errlen)
{
	char **protect =
		xcalloc(EXPORT_RESULTS_FILES * (n_shards + 1), sizeof(char *));
	size_t n = export_results_files(out, protect) - 2, i, k;
	bool beside[2] = { false, false };
	struct stat st;
	int rc;

	free(protect[6]); /* the merged exports are ours to write */
	free(protect[7]);
	for (i = 0; i < n_shards; i++) {
		n += export_results_files(shards[i], protect + n);
		for (k = 0; k < 2; k++)
			beside[k] |= stat(protect[n - 2 + k], &st) == 0;
	}
	for (k = 0; k < 2; k++) {
		char *path = export_sibling_path(out, (enum export_format)k);
		const char *file = k ? md_file : json_file;

		if (beside[k])
			export_set_add(s, (enum export_format)k, path, true);
		if (file)
			export_set_add(s, (enum export_format)k, file,
				       in_folder_of(file, out));
		free(path);
	}
	rc = export_check(s, (const char *const *)protect, n, replace, err,
			  errlen);
	for (i = 0; i < n; i++)
		free(protect[i]);
	free(protect);
	return rc;
}
