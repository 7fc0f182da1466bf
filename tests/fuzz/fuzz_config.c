/*
 * fuzz_config.c - libFuzzer target for the INI experiment reader.
 *
 * Feeds arbitrary bytes to config_load_string() with one fixed override
 * (so the override path runs too; a file that loads is read again with a
 * dotted one, w.env.A=1) and, when the file loads, splits every
 * value as each parameter type the way matrix.c would, which fuzzes
 * value.c's lists and ranges as well.  Aborts when config.c's own line
 * classifier and inih disagree, which no input should cause, or when a
 * refusal gives no message.  The oracle tests the returned code (enum
 * config_bug), never the message text: messages quote the input, and
 * libFuzzer, which lifts compared strings into its dictionary, would be
 * driven to write inputs that echo any text the oracle looked for.  Build
 * and run: see docs/tests.md.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "value.h"

static void split_all(const struct config_value *v)
{
	static const enum concur_param_type types[] = {
		CONCUR_PARAM_INT,    CONCUR_PARAM_FLOAT,    CONCUR_PARAM_BOOL,
		CONCUR_PARAM_STRING, CONCUR_PARAM_DURATION, CONCUR_PARAM_SIZE,
	};
	union concur_value u;
	char err[256], **items;
	size_t i, j, n;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (value_split(types[i], v->text, &items, &n, err,
				sizeof(err)) < 0)
			continue;
		for (j = 0; j < n; j++)
			value_parse(types[i], items[j], &u, err, sizeof(err));
		value_items_free(items, n);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config_override ov = { "experiment", "warmup", "2" };
	struct config_override dotted = { "w.env", "A", "1" };
	struct config *cfg = NULL;
	char err[512] = "";
	size_t s, k, v;
	int rc;

	rc = config_load_string("fuzz.ini", (const char *)data, size, &ov, 1,
				&cfg, err, sizeof(err));
	if (rc == CONFIG_E_CLASSIFIER || rc == CONFIG_E_INIH)
		abort(); /* config.c's line classifier and inih disagree */
	if (rc < 0) {
		if (!err[0])
			abort(); /* every refusal says why */
		return 0;
	}
	for (s = 0; s < cfg->n_sections; s++)
		for (k = 0; k < cfg->sections[s].n_keys; k++)
			for (v = 0; v < cfg->sections[s].keys[k].n_values; v++)
				split_all(&cfg->sections[s].keys[k].values[v]);
	config_free(cfg);
	/*
	 * A file that loads, again with an override whose label and key both
	 * hold '.': the split is found against the file's labels.
	 */
	cfg = NULL;
	err[0] = '\0';
	rc = config_load_string("fuzz.ini", (const char *)data, size, &dotted,
				1, &cfg, err, sizeof(err));
	if (rc == CONFIG_E_CLASSIFIER || rc == CONFIG_E_INIH)
		abort();
	if (rc < 0 && !err[0])
		abort();
	config_free(cfg);
	return 0;
}
