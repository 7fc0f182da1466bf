/*
 * config.h - read an INI experiment file into an experiment model.
 *
 * This module knows the file format and the [experiment] section; it does
 * not know plugins.  Plugin sections come out as raw keys with their text
 * values and line numbers; matrix.c types and validates them against each
 * plugin's parameter table.
 *
 * Built on Debian's libinih, whose build limits lines to 200 bytes, passes
 * no line numbers to the handler and never calls it for a section without
 * keys.  config.c feeds inih through its own line reader, which counts lines
 * (so every message carries FILE:LINE), records section headers as it sees
 * them (so an empty [strategy sync] still counts) and rejects an over-long
 * line with its number instead of letting it be cut.
 *
 * Values are expanded as they are read: $ncpus (optionally multiplied by an
 * integer written against it: 2*$ncpus, $ncpus*2), ${ENV_VAR} (unset = error).
 * Expansion rules (config_expand):
 *   - one pass: the text of ${VAR} is inserted as is and never expanded
 *     again, so ${...} inside an environment value stays literal;
 *   - $$ is a literal '$'; any other '$' ($foo, $NCPUS, "${") is an error;
 *   - the factors are digits touching the '*' on both sides, so
 *     "1..2*$ncpus" is 1..4 on 2 CPUs and "1..$ncpus*2" is 1..(ncpus*2), not
 *     a geometric range: write "1..$ncpus *2" (space before '*') for that;
 *   - an expanded value is at most 64 KiB.
 * Syntax notes: labels are [A-Za-z0-9_.-]+ and unique across strategies AND
 * workloads (they name CSV rows); plugin names are [a-z0-9_-]+; "key =" with
 * the items on indented lines gives just those items.
 */
#ifndef CONCUR_CONFIG_H
#define CONCUR_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest line accepted, in bytes without the line end (inih's 200 - 3). */
#define CONFIG_MAX_LINE 197
/* Caps that keep hostile files cheap. */
#define CONFIG_MAX_SECTIONS 256
#define CONFIG_MAX_KEYS 256	  /* per section */
#define CONFIG_MAX_VALUES 10000	  /* lines of one list-valued key */
#define CONFIG_MAX_FILE (1 << 20) /* bytes */

/* The plugin kinds keep enum concur_kind's values, so kind_name() (util.h)
 * spells both. */
enum section_kind {
	SECTION_EXPERIMENT = 0,
	SECTION_STRATEGY = 1, /* == CONCUR_KIND_STRATEGY */
	SECTION_WORKLOAD = 2, /* == CONCUR_KIND_WORKLOAD */
};

enum run_order {
	ORDER_INTERLEAVED,
	ORDER_GROUPED,
};

/* One value line of a key, after expansion.  line 0 = from --set. */
struct config_value {
	char *text;
	int line;
};

/*
 * A key of a plugin section.  A key given on several lines (repeated, or
 * continued on indented lines) has several values: legal only for LIST
 * parameters, which matrix.c checks.
 */
struct config_key {
	char *name;
	int line; /* first line; 0 = from --set */
	struct config_value *values;
	size_t n_values;
};

struct config_section {
	enum section_kind kind;
	char *label;  /* "" for [experiment] */
	char *plugin; /* plugin = ..., or the label */
	int line;
	int plugin_line;	 /* line of plugin =, or of the header */
	struct config_key *keys; /* every key but plugin, in file order */
	size_t n_keys;
};

struct config {
	char *path;
	/* [experiment] */
	char *name;
	int name_line;	     /* 0 = from --set, -1 = the file's name */
	int64_t repetitions; /* default 5, 1..10000 */
	int64_t warmup;	     /* default 1, 0..1000 */
	int64_t timeout_ns;  /* default 0 = none */
	char *baseline;	     /* strategy label; default: the first strategy */
	int baseline_line;
	char *output;	    /* default results/NAME.csv */
	char **plugin_path; /* list: one folder per line */
	size_t n_plugin_path;
	enum run_order order; /* default interleaved */
	bool xlsx;	      /* write N.xlsx beside the CSV; default true */
	bool json;	      /* write N.json (export_json.h); default false */
	bool markdown; /* write N.md (export_markdown.h); default false */
	/*
	 * repetitions = auto (docs/repetitions.md): measured runs
	 * are added to each cell, round by round, until the 95% confidence
	 * interval of its mean is within target_ci of the mean, or a cap is
	 * reached.  repetitions then holds max_repetitions.  The other four
	 * keys are only accepted with auto.
	 */
	bool repetitions_auto;
	double target_ci;	 /* fraction of the mean; default 0.02 */
	int64_t min_repetitions; /* default 5, 2..10000 */
	int64_t max_repetitions; /* default 100, min_repetitions..10000 */
	int64_t max_time_ns;	 /* per cell, warm-up included; default 5 min;
				    0 = no limit */
	/* [strategy *] and [workload *] in file order */
	struct config_section *sections;
	size_t n_sections;
};

/* A --set SECTION.KEY=VALUE override; SECTION is a label or "experiment". */
struct config_override {
	char *section;
	char *key;
	char *value;
};

/* Split "SECTION.KEY=VALUE"; returns 0 or -EINVAL with a message. */
int config_override_parse(const char *arg, struct config_override *ret,
			  char *err, size_t errlen);
void config_override_free(struct config_override *o);

/*
 * Read, expand and check `path`, then apply the overrides (which replace the
 * file's values of that key, or add the key).  Checks here: file readable,
 * size and line caps, syntax, one [experiment], section kinds and duplicate
 * labels, at least one strategy and one workload, [experiment] keys and
 * values (unknown key with suggestion), baseline names a strategy, plugin
 * names are [a-z0-9_-]+.  Errors: -EINVAL etc. with "FILE:LINE: message"
 * (or "--set S.K=V: message") in err, or a code of enum config_bug.
 */
/*
 * Why a load failed, as a value.  A file or override that is wrong gives a
 * negative errno (-EINVAL, -EFBIG, -ENOENT, ...).  The two codes below are
 * bugs in concur, never the input's fault: config.c classifies every line
 * itself before inih sees it, so inih must agree with that reading.  They
 * lie outside the errno range, so no errno can be mistaken for them.
 * Callers that must tell a bug from bad input (the fuzz target) test these
 * values, never the message: the message quotes the input.
 */
enum config_bug {
	/* inih handed over a line config.c did not classify as a key or a
	 * continuation */
	CONFIG_E_CLASSIFIER = -4096 - 1,
	/* inih refused a line config.c accepted */
	CONFIG_E_INIH = -4096 - 2,
};

/*
 * The [experiment] keys as a NULL-name-terminated parameter table, the
 * shape of a plugin's: `concur help experiment` prints it.
 */
const struct concur_param *config_experiment_params(void);

int config_load(const char *path, const struct config_override *overrides,
		size_t n_overrides, struct config **ret_config, char *err,
		size_t errlen);

/* Same, from a string in memory (tests, fuzzing); `name` is shown as FILE. */
int config_load_string(const char *name, const char *text, size_t len,
		       const struct config_override *overrides,
		       size_t n_overrides, struct config **ret_config,
		       char *err, size_t errlen);

void config_free(struct config *cfg);

/*
 * Expand $ncpus, K*$ncpus, $ncpus*K, ${ENV_VAR} and $$ in `text` (rules
 * above) into a malloc'd *ret_text.  For values that do not come from a file,
 * such as a parameter's default_value.  Returns 0, or -EINVAL / -E2BIG with
 * a message without location.
 */
int config_expand(const char *text, char **ret_text, char *err, size_t errlen);

/* "FILE:LINE" or "--set" for a line of cfg; into buf. */
const char *config_where(const struct config *cfg, int line, char *buf,
			 size_t len);

#endif
