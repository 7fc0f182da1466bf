/*
 * export.h - the results in other tools' formats, beside the CSV files:
 * Google Benchmark's JSON (export_json.h), read by its tools/compare.py and
 * by continuous-benchmarking dashboards, and a Markdown summary table for a
 * pull-request comment (export_markdown.h).  docs/results.md "Exports".
 *
 * An export is built only from the results files as they are on disk
 * (N.csv, N-runs.csv, N-env.csv), never from a run's memory, so a resumed
 * run and `concur merge` rebuild the very export a straight run writes.
 * Each is written atomically (fileio_replace_stream): a reader sees the
 * previous file or the new one.
 */
#ifndef CONCUR_EXPORT_H
#define CONCUR_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "results.h"

enum export_format { EXPORT_JSON, EXPORT_MARKDOWN };

/* The results files an export is built from (env may be NULL: unknown). */
struct export_source {
	const struct results_table *summary, *runs, *env;
};

#define EXPORT_MAX 4

/* The files to write: [experiment] json/markdown and --export-* FILE. */
struct export_set {
	struct {
		enum export_format format;
		char *path;
		bool sibling; /* beside the summary file, named after it */
	} t[EXPORT_MAX];
	size_t n;
};

/* "dir/N.csv" -> "dir/N.json" or "dir/N.md" (malloc'd). */
char *export_sibling_path(const char *csv_path, enum export_format f);

/*
 * The files of the results set named by N.csv, malloc'd into ret: the
 * summary, its -runs, -matrix and -env siblings, the chart, the workbook
 * (the first EXPORT_RESULTS_CORE_FILES, which every run and merge writes),
 * then the two exports.  Returns EXPORT_RESULTS_FILES.
 */
#define EXPORT_RESULTS_CORE_FILES 6
#define EXPORT_RESULTS_FILES 8
size_t export_results_files(const char *csv, char **ret);

/* Add a file to write (path copied); sibling: it sits beside N.csv. */
void export_set_add(struct export_set *s, enum export_format f,
		    const char *path, bool sibling);

/*
 * May the files of s be written, before anything is run or written?
 * Refused, with a message naming the file and what is allowed: an empty
 * name, a file that is one of `protect` (the inputs and the other
 * outputs) or another export, a folder, an existing file unless
 * `replace` (--force, --resume, a repeated merge), and, for a file not
 * beside the summary, a folder that is missing or not writable.  0 or
 * -EINVAL/-EEXIST/-errno.
 */
int export_check(const struct export_set *s, const char *const *protect,
		 size_t n_protect, bool replace, char *err, size_t errlen);

/*
 * Write every file of s from the results files of csv_path; "json:
 * PATH" lines to out (NULL: quiet).  0, or the first failure's -errno
 * with its message (the others are still tried).
 */
int export_write(const struct export_set *s, const char *csv_path, FILE *out,
		 char *err, size_t errlen);

struct config;

/*
 * The exports of a run of cfg (its output already the shard's, when one):
 * [experiment] json / markdown beside the summary file, and json_file /
 * md_file (--export-json, --export-markdown; NULL: none), checked with
 * export_check against the experiment file and the run's other outputs.
 * A shard names its own files: --export-* FILE is refused there (merge
 * writes it).  0, or -errno with the message in err.
 */
int export_plan_run(struct export_set *s, const struct config *cfg,
		    const char *json_file, const char *md_file, bool shard,
		    bool replace, char *err, size_t errlen);

/*
 * The exports of `concur merge` into out: json_file / md_file, and
 * OUT.json / OUT.md when a shard wrote its own (shards[i] the shards'
 * summary files: [experiment] json / markdown was on), checked against
 * the shards' files and the merged ones.  0 or -errno with err.
 */
int export_plan_merge(struct export_set *s, const char *out,
		      const char *json_file, const char *md_file,
		      const char *const *shards, size_t n_shards, bool replace,
		      char *err, size_t errlen);

/* Remove the temporary files a killed writer left beside them. */
void export_remove_stale(const struct export_set *s);

void export_set_free(struct export_set *s);

#endif
