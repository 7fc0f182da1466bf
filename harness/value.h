/*
 * value.h - typed parameter values: parse INI text into a union
 * concur_value, split crossing lists and ranges, format values back to text.
 *
 * Syntax (docs/experiment-file.md):
 *   integer   -12, 4096
 *   float     0.5, 1e3
 *   bool      true/false/yes/no/on/off/1/0 (case-insensitive)
 *   duration  500us, 20ms, 1.5s, 2m, 1h, 250ns; a bare number is seconds
 *   size      1500, 10k = 10240, 1MiB, 1M = 2^20, 1MB = 10^6, 1G, 1GiB, 1GB
 *   string    anything; list: handled by the caller (one item per line)
 * Crossing (non-list types):
 *   "1, 2, 4"      comma list, items trimmed
 *   "1..8"         integer range, step 1 (INT only)
 *   "1..64*2"      geometric range: 1, 2, 4, ... 64 (INT, SIZE, DURATION);
 *                  the last value is included only if reached exactly
 */
#ifndef CONCUR_VALUE_H
#define CONCUR_VALUE_H

#include <stddef.h>

#include <concur/plugin.h>

/* Most items one crossing list or range may produce. */
#define VALUE_MAX_ITEMS 10000

/* "integer", "duration", ... */
const char *value_type_name(enum concur_param_type type);
/* What the type accepts, for error messages: "a size such as 1500, 10k, 1MiB". */
const char *value_type_help(enum concur_param_type type);

/*
 * Parse one scalar of `type` (not LIST).  For STRING, ret->s points into
 * `text` (the caller keeps text alive).  Returns 0, or -EINVAL with a message
 * that says what was expected.
 */
int value_parse(enum concur_param_type type, const char *text,
		union concur_value *ret, char *err, size_t errlen);

/*
 * Split `text` into the values it crosses over: a comma list, a range or a
 * single value.  *ret_items is an array of *ret_count malloc'd strings
 * (free with value_items_free).  Each item is NOT yet type-checked, except
 * range ends, which must parse as `type`.  Errors (-EINVAL, -E2BIG over
 * VALUE_MAX_ITEMS) come with a message.
 */
int value_split(enum concur_param_type type, const char *text,
		char ***ret_items, size_t *ret_count, char *err, size_t errlen);
void value_items_free(char **items, size_t count);

/*
 * Compare a and b of `type` (not STRING/LIST/BOOL): <0, 0, >0.  Used for
 * min/max checks.
 */
int value_compare(enum concur_param_type type, const union concur_value *a,
		  const union concur_value *b);

/*
 * Check v against d's min and max (INT, FLOAT, DURATION, SIZE; other types
 * have none).  0; -ERANGE with "is out of range: allowed MIN .. MAX (DOC)";
 * or -EDOM when a declared bound does not parse as d's type ("declares a
 * bad max for 'KEY': ...": the caller names who declared it).
 */
int value_check_range(const struct concur_param *d, const union concur_value *v,
		      char *err, size_t errlen);

/*
 * One value of a declared key: value_parse as d->type (-EINVAL with what was
 * expected) and value_check_range.  The one path for plugin parameters and
 * [experiment] keys alike.
 */
int value_parse_param(const struct concur_param *d, const char *text,
		      union concur_value *ret, char *err, size_t errlen);

/* Parse a bool word; returns 0 or -EINVAL. */
int value_parse_bool(const char *text, bool *ret);

#endif
