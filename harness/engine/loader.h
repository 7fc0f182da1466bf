/*
 * loader.h - find plugin .so files and load them with dlopen.
 *
 * Search order (README "Command line"): every --plugin-path, then plugin_path from the
 * experiment, then $CONCUR_PLUGIN_PATH (colon-separated), then the build's
 * plugin folder, then the installed plugin folder.  Plugin NAME is NAME.so.
 *
 * A loaded plugin is checked before use: it must be a shared object
 * exporting CONCUR_PLUGIN_SYMBOL, with the right ABI version (checked first),
 * tables whose size covers their required fields, a known kind, needs this
 * core can provide, the ops table of its kind and that kind's required
 * hooks, and a well-formed parameter table.  Its description and ops table
 * are copied by the growth rule of <concur/plugin.h>, or, for a plugin built
 * against the v1.0 header, adapted (abi_v10.h).
 */
#ifndef CONCUR_LOADER_H
#define CONCUR_LOADER_H

#include <stdbool.h>
#include <stddef.h>

#include <concur/plugin.h>

struct concur_v10_plugin;

struct plugin {
	char *name;
	char *file; /* the path it was loaded from */
	void *handle;
	int fd; /* what was checked and loaded (pathtrust.h); open while loaded */
	/*
	 * The plugin's description and ops table, copied by the growth rule of
	 * <concur/plugin.h>: whole tables of this core's size, whatever header
	 * the plugin was built against.  desc points at info.
	 */
	struct concur_plugin info;
	const struct concur_plugin *desc;
	size_t n_params;
	/* Workload ops with every optional hook but start_task defaulted. */
	struct concur_workload_ops workload;
	/* The same before the defaults: which hooks the plugin provides. */
	struct concur_workload_ops workload_given;
	struct concur_strategy_ops strategy;
	/*
	 * Built against the v1.0 header (concur 0.1): its own description,
	 * which the tables above adapt (abi_v10.h); NULL for every other.
	 */
	const struct concur_v10_plugin *v10;
};

/* A workload cell's keys beyond its plugin's parameters (extra_keys). */
struct plugin_extras {
	const struct concur_extra_key *keys;
	size_t n;
};

/*
 * Create a workload instance or strategy object of p from its parameter
 * values: the core's only way to call a plugin's create, since a v1.0
 * plugin's objects are wrapped by its adapter.  Released by the destroy
 * hook of p's table as usual.  A workload then gets its extra keys
 * (`extras` may be NULL: none); if it refuses them, the instance is
 * destroyed and the error returned.
 */
int plugin_create_workload(const struct plugin *p,
			   const union concur_value *params,
			   const struct plugin_extras *extras, void **ret,
			   char *err, size_t errlen);
int plugin_create_strategy(const struct plugin *p,
			   const union concur_value *params, void **ret,
			   char *err, size_t errlen);

/* The needs of one workload cell of p: its description's, narrowed. */
uint64_t plugin_needs(const struct plugin *p, const union concur_value *params);

struct loader;

/* A loader with no search folders yet. */
struct loader *loader_create(void);
/*
 * Append search folders in priority order.  loader_add_defaults appends
 * $CONCUR_PLUGIN_PATH, the build folder and the install folder.
 */
void loader_add_path(struct loader *l, const char *dir);
void loader_add_defaults(struct loader *l);
/*
 * Load plugins without the ownership and mode checks of pathtrust.h (the
 * file is still opened once and loaded through its descriptor): the escape
 * hatch --trust-plugin-path / CONCUR_TRUST_PLUGIN_PATH=1.
 */
void loader_trust_all(struct loader *l, bool on);
/* The search folders, for messages and `concur list`. */
size_t loader_paths(const struct loader *l, const char *const **ret_paths);

/*
 * Find and load plugin `name` of `kind` (0 = any kind).  Cached: loading the
 * same name again returns the same plugin.  Returns NULL with a message that
 * names the file and what is wrong (or every folder searched).
 */
const struct plugin *loader_get(struct loader *l, const char *name,
				unsigned kind, char *err, size_t errlen);

/*
 * Load one .so by path, without the search (used by `concur list` and the
 * loader tests).  The result is owned by the loader.
 */
const struct plugin *loader_open_file(struct loader *l, const char *path,
				      char *err, size_t errlen);

/*
 * Every loadable plugin in the search folders (first folder wins per name),
 * sorted by kind then name.  Files that fail to load are reported through
 * `on_error` (may be NULL) and skipped.
 */
size_t loader_scan(struct loader *l, const struct plugin ***ret_plugins,
		   void (*on_error)(const char *msg, void *arg), void *arg);

/*
 * Leave the plugins' shared objects loaded when the loader is destroyed:
 * for a process about to exit.  The libraries a plugin pulls in are not
 * all made to be unloaded (libcurl's TLS stack, GnuTLS and Kerberos, keep
 * thread-local storage, whose stale entries LeakSanitizer then trips on at
 * exit), and unloading gains nothing there.  A process that goes on
 * loading plugins (the tests) must unload them: the dynamic loader knows a
 * library by its "/proc/self/fd/N" name, which a later plugin may reuse.
 */
void loader_keep_loaded(struct loader *l);

/* Free the loader; dlclose every plugin unless loader_keep_loaded said. */
void loader_destroy(struct loader *l);

#endif
