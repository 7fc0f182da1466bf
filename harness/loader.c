#include "loader.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdbool.h>

#include "abi_v10.h"
#include "schedule.h"
#include "pathtrust.h"
#include "selfpath.h"
#include "util.h"

struct loader {
	char **paths;
	size_t n_paths, cap_paths;
	struct plugin **plugins;
	size_t n_plugins, cap_plugins;
	bool trust_all;	  /* --trust-plugin-path: no ownership or mode checks */
	bool keep_loaded; /* loader_keep_loaded: no dlclose at destroy */
};

struct loader *loader_create(void)
{
	return xcalloc(1, sizeof(struct loader));
}

void loader_add_path(struct loader *l, const char *dir)
{
	if (!dir || !*dir)
		return;
	xgrow((void **)&l->paths, &l->cap_paths, l->n_paths + 1,
	      sizeof(*l->paths));
	l->paths[l->n_paths++] = xstrdup(dir);
}

static void add_path(const char *dir, void *arg)
{
	loader_add_path(arg, dir);
}

void loader_add_defaults(struct loader *l)
{
	const char *env = getenv("CONCUR_PLUGIN_PATH");

	if (env) {
		char *copy = xstrdup(env), *save = NULL, *dir;

		for (dir = strtok_r(copy, ":", &save); dir;
		     dir = strtok_r(NULL, ":", &save))
			loader_add_path(l, dir);
		free(copy);
	}
	selfpath_candidates(CONCUR_PLUGIN_BUILD_DIR,
			    CONCUR_PLUGIN_INSTALL_RELDIR,
			    CONCUR_PLUGIN_INSTALL_DIR, add_path, l);
}

void loader_trust_all(struct loader *l, bool on)
{
	l->trust_all = on;
}

size_t loader_paths(const struct loader *l, const char *const **ret_paths)
{
	*ret_paths = (const char *const *)l->paths;
	return l->n_paths;
}

/* Default hooks, so strategies never test optional hooks for NULL. */
static void default_destroy(void *p)
{
	(void)p;
}

static int default_worker_init(void *instance, unsigned worker_id,
			       struct concur_loop *loop, void **ret_worker,
			       char *err, size_t errlen)
{
	(void)instance, (void)worker_id, (void)loop, (void)err, (void)errlen;
	*ret_worker = NULL;
	return 0;
}

static void default_worker_fini(void *instance, void *worker)
{
	(void)instance, (void)worker;
}

static int default_check_task(void *instance, size_t task,
			      const struct concur_task *rec, char *err,
			      size_t errlen)
{
	(void)instance, (void)task, (void)rec, (void)err, (void)errlen;
	return 0;
}

static int default_libraries(char *buf, size_t len)
{
	if (len)
		buf[0] = '\0';
	return 0;
}

/* "Every need the description declares": the caller masks with it. */
static uint64_t default_needs(const union concur_value *params)
{
	(void)params;
	return UINT64_MAX;
}

static int default_extra_keys(void *instance,
			      const struct concur_extra_key *keys, size_t n,
			      char *err, size_t errlen)
{
	(void)instance, (void)keys, (void)n, (void)err, (void)errlen;
	return 0;
}

static int default_prepare(void *instance, char *err, size_t errlen)
{
	(void)instance, (void)err, (void)errlen;
	return 0;
}

static int default_strategy_create(const union concur_value *params, void **ret,
				   char *err, size_t errlen)
{
	(void)params, (void)err, (void)errlen;
	*ret = NULL;
	return 0;
}

static int valid_param_name(const char *s)
{
	if (!*s || strlen(s) > 64 || strcmp(s, "plugin") == 0)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '_'))
			return 0;
	return 1;
}

/* Check the parameter table; count its entries into p->n_params. */
static int check_params(struct plugin *p, char *err, size_t errlen)
{
	const struct concur_param *params = p->info.params;
	size_t i, j;

	for (i = 0; params && params[i].name; i++) {
		const struct concur_param *q = &params[i];

		if (i >= 256) {
			errf(err, errlen,
			     "more than 256 parameters (is the table NULL-terminated?)");
			return -EINVAL;
		}
		if (!valid_param_name(q->name)) {
			errf(err, errlen,
			     "parameter %zu has an invalid name '%.64s' (want [a-z0-9_]+, not 'plugin')",
			     i, q->name);
			return -EINVAL;
		}
		if (q->type < CONCUR_PARAM_INT || q->type > CONCUR_PARAM_LIST) {
			errf(err, errlen, "parameter '%s' has unknown type %d",
			     q->name, (int)q->type);
			return -EINVAL;
		}
		/*
		 * A v1.0 plugin predates the reservation, so its own key
		 * wins in its sections (matrix.c looks up a plugin's keys
		 * before the core's) and the core's keeps its default there.
		 */
		if (p->desc->kind == CONCUR_KIND_WORKLOAD && !p->v10 &&
		    schedule_key_reserved(q->name)) {
			errf(err, errlen,
			     "parameter '%s' is a key the core reserves in every workload section (rate, arrival, seed: docs/open-loop.md); rename it",
			     q->name);
			return -EINVAL;
		}
		for (j = 0; j < i; j++)
			if (strcmp(params[j].name, q->name) == 0) {
				errf(err, errlen,
				     "parameter '%s' is declared twice",
				     q->name);
				return -EINVAL;
			}
	}
	p->n_params = i;
	return 0;
}

/* Where a table's required fields end: smaller tables are refused. */
#define END_OF(type, field) (offsetof(type, field) + sizeof(((type *)0)->field))

/* The needs this core knows how to provide (see <concur/plugin.h>). */
#define KNOWN_NEEDS CONCUR_NEED_HTTP_SERVER

/*
 * The growth rule of <concur/plugin.h> (rules 3 and 4): copy the part of a
 * plugin's table that the plugin has - its own `size` - but no more than
 * this core knows, and leave the rest zero for the defaults.  The copy then
 * is a whole table of this core's size.
 */
static int copy_sized(void *dst, size_t core_size, const void *src,
		      uint32_t src_size, size_t min_size, const char *what,
		      const char *macro, char *err, size_t errlen)
{
	if (src_size < min_size) {
		errf(err, errlen,
		     "its %s has size %u, smaller than any v1 %s (%zu bytes): start it with %s from <concur/plugin.h>",
		     what, src_size, what, min_size, macro);
		return -EINVAL;
	}
	memset(dst, 0, core_size);
	memcpy(dst, src, src_size < core_size ? src_size : core_size);
	return 0;
}

static int copy_strategy(struct plugin *p, char *err, size_t errlen)
{
	const struct concur_strategy_ops *s = p->info.strategy;
	int rc = copy_sized(&p->strategy, sizeof(p->strategy), s, s->size,
			    END_OF(struct concur_strategy_ops, run),
			    "strategy ops table",
			    ".size = CONCUR_STRATEGY_OPS_SIZE", err, errlen);

	p->strategy.size = sizeof(p->strategy);
	return rc;
}

static int copy_workload(struct plugin *p, char *err, size_t errlen)
{
	const struct concur_workload_ops *w = p->info.workload;
	int rc = copy_sized(&p->workload, sizeof(p->workload), w, w->size,
			    END_OF(struct concur_workload_ops, run_task),
			    "workload ops table",
			    ".size = CONCUR_WORKLOAD_OPS_SIZE", err, errlen);

	p->workload.size = sizeof(p->workload);
	p->workload_given = p->workload;
	return rc;
}

/* Refuse a table without its kind's required hooks; default the rest. */
static int complete_ops(struct plugin *p, char *err, size_t errlen)
{
	struct concur_workload_ops *o = &p->workload;
	const char *missing;

	if (p->info.kind == CONCUR_KIND_STRATEGY) {
		missing = !p->strategy.run ? "run" : NULL;
		if (!p->strategy.create)
			p->strategy.create = default_strategy_create;
		if (!p->strategy.destroy)
			p->strategy.destroy = default_destroy;
	} else {
		missing = !o->create	   ? "create"
			  : !o->task_count ? "task_count"
			  : !o->run_task   ? "run_task"
					   : NULL;
		if (!o->destroy)
			o->destroy = default_destroy;
		if (!o->worker_init)
			o->worker_init = default_worker_init;
		if (!o->worker_fini)
			o->worker_fini = default_worker_fini;
		if (!o->check_task)
			o->check_task = default_check_task;
		if (!missing && (p->info.caps & CONCUR_CAP_EXTRA_KEYS) &&
		    !o->extra_keys)
			missing =
				"extra_keys (it declares CONCUR_CAP_EXTRA_KEYS, "
				"so the core must hand it the keys it takes)";
		if (!o->needs)
			o->needs = default_needs;
		if (!o->extra_keys)
			o->extra_keys = default_extra_keys;
		if (!o->prepare)
			o->prepare = default_prepare;
	}
	if (missing) {
		errf(err, errlen, "%s '%s' is missing the required hook %s",
		     kind_name(p->info.kind), p->info.name, missing);
		return -EINVAL;
	}
	return 0;
}

/*
 * Take the ops table of the plugin's kind: copied by the growth rule, or
 * adapted from v1.0; then checked and completed the same way for both.
 */
static int copy_ops(struct plugin *p, char *err, size_t errlen)
{
	bool strategy = p->info.kind == CONCUR_KIND_STRATEGY;
	const void *given =
		p->v10 ? (strategy ? (const void *)p->v10->strategy
				   : (const void *)p->v10->workload)
		       : (strategy ? (const void *)p->info.strategy
				   : (const void *)p->info.workload);
	int rc = 0;

	if (!given) {
		errf(err, errlen, "%s '%s' has no ops table (.%s is NULL)",
		     kind_name(p->info.kind), p->info.name,
		     kind_name(p->info.kind));
		return -EINVAL;
	}
	if (p->v10)
		abi_v10_adopt_ops(p);
	else if (strategy)
		rc = copy_strategy(p, err, errlen);
	else
		rc = copy_workload(p, err, errlen);
	return rc < 0 ? rc : complete_ops(p, err, errlen);
}

/*
 * Copy a v1.1 description by the growth rule.  A v1.0 description has its
 * kind where the size is now, and is adopted by abi_v10 instead; any other
 * size too small to be a v1.1 description is refused.
 */
static int copy_description(struct plugin *p, const struct concur_plugin *d,
			    char *err, size_t errlen)
{
	int rc;

	if (abi_v10_is(d)) {
		abi_v10_adopt_description(p, d);
		return 0;
	}
	rc = copy_sized(&p->info, sizeof(p->info), d, d->size,
			END_OF(struct concur_plugin, workload), "description",
			"CONCUR_PLUGIN_INIT(kind)", err, errlen);
	if (rc < 0)
		return rc;
	p->info.size = sizeof(p->info);
	return 0;
}

/*
 * Validate the description, copy it and its ops table by the growth rule and
 * fill default hooks.  0, -EPROTO (another ABI version) or -EINVAL.
 */
static int check_desc(struct plugin *p, const struct concur_plugin *d,
		      char *err, size_t errlen)
{
	struct concur_plugin *info = &p->info;
	int rc;

	if (d->abi_version != CONCUR_ABI_VERSION) {
		errf(err, errlen,
		     "plugin ABI version %u, but this concur speaks version %d: rebuild the plugin against this concur's <concur/plugin.h>",
		     d->abi_version, CONCUR_ABI_VERSION);
		return -EPROTO;
	}
	rc = copy_description(p, d, err, errlen);
	if (rc < 0)
		return rc;
	if (!info->libraries)
		info->libraries = default_libraries;
	p->desc = info;
	if (info->kind != CONCUR_KIND_STRATEGY &&
	    info->kind != CONCUR_KIND_WORKLOAD) {
		errf(err, errlen,
		     "unknown plugin kind %u (want 1 = strategy or 2 = workload)",
		     info->kind);
		return -EINVAL;
	}
	if (!plugin_name_ok(info->name)) {
		errf(err, errlen,
		     "invalid plugin name '%.64s' (want 1 to 64 of " PLUGIN_NAME_CHARS
		     ")",
		     info->name ? info->name : "(null)");
		return -EINVAL;
	}
	if (!info->version || !info->description) {
		errf(err, errlen, "plugin '%s' has no %s", info->name,
		     info->version ? "description" : "version");
		return -EINVAL;
	}
	if (info->needs & ~(uint64_t)KNOWN_NEEDS) {
		errf(err, errlen,
		     "plugin '%s' needs 0x%" PRIx64
		     " from the core, but this concur provides only 0x%" PRIx64
		     " (CONCUR_NEED_HTTP_SERVER): it needs a newer concur",
		     info->name, info->needs, (uint64_t)KNOWN_NEEDS);
		return -EINVAL;
	}
	rc = copy_ops(p, err, errlen);
	return rc < 0 ? rc : check_params(p, err, errlen);
}

int plugin_create_workload(const struct plugin *p,
			   const union concur_value *params,
			   const struct plugin_extras *extras, void **ret,
			   char *err, size_t errlen)
{
	size_t n = extras ? extras->n : 0;
	int rc;

	if (p->v10)
		return abi_v10_create(p, params, ret, err, errlen);
	rc = p->workload.create(params, ret, err, errlen);
	if (rc != 0)
		return rc;
	if (n && !(p->desc->caps & CONCUR_CAP_EXTRA_KEYS)) {
		/* matrix_build refuses this; a direct caller may not have */
		errf(err, errlen,
		     "takes no keys beyond its parameters (got '%s'): it does not declare CONCUR_CAP_EXTRA_KEYS",
		     extras->keys[0].name);
		rc = -EINVAL;
	} else if (p->workload.extra_keys) { /* NULL: a table built by hand */
		rc = p->workload.extra_keys(*ret, n ? extras->keys : NULL, n,
					    err, errlen);
	}
	if (rc != 0) {
		p->workload.destroy(*ret);
		*ret = NULL;
	}
	return rc;
}

int plugin_create_strategy(const struct plugin *p,
			   const union concur_value *params, void **ret,
			   char *err, size_t errlen)
{
	if (p->v10)
		return abi_v10_create(p, params, ret, err, errlen);
	return p->strategy.create(params, ret, err, errlen);
}

uint64_t plugin_needs(const struct plugin *p, const union concur_value *params)
{
	if (p->v10)
		return abi_v10_needs(p, params);
	if (p->desc->kind != CONCUR_KIND_WORKLOAD)
		return p->desc->needs;
	return p->desc->needs & p->workload.needs(params);
}

static struct plugin *find_loaded(struct loader *l, const char *file)
{
	size_t i;

	for (i = 0; i < l->n_plugins; i++)
		if (strcmp(l->plugins[i]->file, file) == 0)
			return l->plugins[i];
	return NULL;
}

/* The first bytes of what fd holds say it is an ELF object. */
static bool has_elf_magic(int fd)
{
	unsigned char magic[4] = { 0 };

	return pread(fd, magic, sizeof(magic), 0) == (ssize_t)sizeof(magic) &&
	       memcmp(magic,
		      "\x7f"
		      "ELF",
		      4) == 0;
}

/*
 * dlopen the file pathtrust_open checked, through its descriptor: the file
 * loaded is the file checked, whatever happens to path meanwhile.  The
 * descriptor stays open (*ret_fd) as long as the plugin is loaded: the
 * dynamic loader knows a library by the name it was opened with, and a
 * later plugin given a reused "/proc/self/fd/N" would get this one back.
 */
static void *open_checked(struct loader *l, const char *path, int *ret_fd,
			  char *err, size_t errlen)
{
	char proc[32];
	void *handle;
	int fd;

	if (pathtrust_open(path, !l->trust_all, &fd, err, errlen) < 0)
		return NULL;
	if (!has_elf_magic(fd)) {
		errf(err, errlen,
		     "%s: not a shared object (no ELF header): build plugins with `cc -shared -fPIC`",
		     path);
		close(fd);
		return NULL;
	}
	pathtrust_fd_path(fd, proc, sizeof(proc));
	dlerror();
	handle = dlopen(proc, RTLD_NOW | RTLD_LOCAL);
	if (!handle) {
		const char *why = dlerror();

		errf(err, errlen, "%s: cannot load: %s%s", path,
		     why ? why : "unknown error",
		     " (not a shared object, or a library it needs is missing: try `ldd` on it)");
		close(fd);
		return NULL;
	}
	*ret_fd = fd;
	return handle;
}

const struct plugin *loader_open_file(struct loader *l, const char *path,
				      char *err, size_t errlen)
{
	char msg[CONCUR_ERRLEN];
	struct plugin *p = find_loaded(l, path);
	void *handle;
	const struct concur_plugin *desc;
	int fd;

	if (p)
		return p;
	handle = open_checked(l, path, &fd, err, errlen);
	if (!handle)
		return NULL;
	desc = dlsym(handle, CONCUR_PLUGIN_SYMBOL);
	if (!desc) {
		const char *why = dlerror();

		errf(err, errlen, "%s: not a concur plugin: no symbol %s (%s)",
		     path, CONCUR_PLUGIN_SYMBOL, why ? why : "null");
		dlclose(handle);
		close(fd);
		return NULL;
	}
	p = xcalloc(1, sizeof(*p));
	p->handle = handle;
	if (check_desc(p, desc, msg, sizeof(msg)) < 0) {
		errf(err, errlen, "%s: %s", path, msg);
		dlclose(handle);
		close(fd);
		free(p);
		return NULL;
	}
	p->fd = fd;
	p->file = xstrdup(path);
	p->name = xstrdup(p->info.name);
	xgrow((void **)&l->plugins, &l->cap_plugins, l->n_plugins + 1,
	      sizeof(*l->plugins));
	l->plugins[l->n_plugins++] = p;
	return p;
}

static int file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/*
 * Nothing of `kind` is called `name`: is there a plugin of the other kind
 * with that name (a workload named in a [strategy] section)?
 */
static void other_kind_hint(struct loader *l, const char *name, unsigned kind,
			    char *msg, size_t len)
{
	unsigned other = kind == CONCUR_KIND_STRATEGY ? CONCUR_KIND_WORKLOAD
						      : CONCUR_KIND_STRATEGY;
	size_t i;

	for (i = 0; i < l->n_paths; i++) {
		char *file = xasprintf("%s/%s/%s.so", l->paths[i],
				       kind_name(other), name);
		bool found = file_exists(file);

		if (found)
			errf(msg, len,
			     "%s is a %s plugin, but a %s is needed here", file,
			     kind_name(other), kind_name(kind));
		free(file);
		if (found)
			return;
	}
}

const struct plugin *loader_get(struct loader *l, const char *name,
				unsigned kind, char *err, size_t errlen)
{
	static const char *const subdirs[] = { "strategy/", "workload/", "" };
	char wrong[CONCUR_ERRLEN] = "";
	size_t i, s;

	if (!plugin_name_ok(name)) {
		errf(err, errlen,
		     "invalid plugin name '%.64s': plugin takes a plain name " PLUGIN_NAME_CHARS
		     "; to load from a folder use plugin_path or --plugin-path",
		     name);
		return NULL;
	}
	for (i = 0; i < l->n_paths; i++) {
		for (s = 0; s < ARRAY_SIZE(subdirs); s++) {
			char *file;
			const struct plugin *p;

			if ((kind == CONCUR_KIND_STRATEGY && s == 1) ||
			    (kind == CONCUR_KIND_WORKLOAD && s == 0))
				continue;
			file = xasprintf("%s/%s%s.so", l->paths[i], subdirs[s],
					 name);
			if (!file_exists(file)) {
				free(file);
				continue;
			}
			p = loader_open_file(l, file, err, errlen);
			if (p && kind && p->desc->kind != kind) {
				errf(wrong, sizeof(wrong),
				     "%s is a %s plugin, but a %s is needed here",
				     file, kind_name(p->desc->kind),
				     kind_name(kind));
				p = NULL;
				free(file);
				continue;
			}
			free(file);
			return p; /* found: loaded, or an error naming the file */
		}
	}
	if (!*wrong && kind)
		other_kind_hint(l, name, kind, wrong, sizeof(wrong));
	if (*wrong) {
		errf(err, errlen, "%s", wrong);
		return NULL;
	}
	{
		char folders[160] = "";
		size_t len = 0;

		for (i = 0; i < l->n_paths && len < sizeof(folders) - 1; i++)
			len += (size_t)snprintf(folders + len,
						sizeof(folders) - len, "%s%s",
						i ? ", " : "", l->paths[i]);
		errf(err, errlen,
		     "no %s%splugin '%s' (looked for %s.so in: %s); `concur list` shows the plugins found",
		     kind ? kind_name(kind) : "", kind ? " " : "", name, name,
		     folders);
	}
	return NULL;
}

static int compare_plugins(const void *a, const void *b)
{
	const struct plugin *pa = *(const struct plugin *const *)a;
	const struct plugin *pb = *(const struct plugin *const *)b;

	if (pa->desc->kind != pb->desc->kind)
		return (int)pa->desc->kind - (int)pb->desc->kind;
	return strcmp(pa->name, pb->name);
}

static int already_listed(const struct plugin **list, size_t n,
			  const struct plugin *p)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (list[i] == p || (list[i]->desc->kind == p->desc->kind &&
				     strcmp(list[i]->name, p->name) == 0))
			return 1;
	return 0;
}

static void scan_folder(struct loader *l, const char *dir,
			const struct plugin ***list, size_t *n, size_t *cap,
			void (*on_error)(const char *, void *), void *arg)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n_names = 0, cap_names = 0, i;

	if (!d)
		return;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if (len > 3 && strcmp(e->d_name + len - 3, ".so") == 0) {
			xgrow((void **)&names, &cap_names, n_names + 1,
			      sizeof(*names));
			names[n_names++] = xasprintf("%s/%s", dir, e->d_name);
		}
	}
	closedir(d);
	for (i = 0; i < n_names; i++) {
		char err[2 * CONCUR_ERRLEN];
		const struct plugin *p =
			loader_open_file(l, names[i], err, sizeof(err));

		if (!p) {
			if (on_error)
				on_error(err, arg);
		} else if (!already_listed(*list, *n, p)) {
			xgrow((void **)list, cap, *n + 1, sizeof(**list));
			(*list)[(*n)++] = p;
		}
		free(names[i]);
	}
	free(names);
}

size_t loader_scan(struct loader *l, const struct plugin ***ret_plugins,
		   void (*on_error)(const char *msg, void *arg), void *arg)
{
	const struct plugin **list = NULL;
	size_t n = 0, cap = 0, i;

	for (i = 0; i < l->n_paths; i++) {
		char *sub;

		sub = xasprintf("%s/strategy", l->paths[i]);
		scan_folder(l, sub, &list, &n, &cap, on_error, arg);
		free(sub);
		sub = xasprintf("%s/workload", l->paths[i]);
		scan_folder(l, sub, &list, &n, &cap, on_error, arg);
		free(sub);
		scan_folder(l, l->paths[i], &list, &n, &cap, on_error, arg);
	}
	if (n)
		qsort(list, n, sizeof(*list), compare_plugins);
	*ret_plugins = list;
	return n;
}

void loader_keep_loaded(struct loader *l)
{
	l->keep_loaded = true;
}

void loader_destroy(struct loader *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->n_plugins; i++) {
		if (!l->keep_loaded)
			dlclose(l->plugins[i]->handle);
		close(l->plugins[i]->fd);
		free(l->plugins[i]->file);
		free(l->plugins[i]->name);
		free(l->plugins[i]);
	}
	for (i = 0; i < l->n_paths; i++)
		free(l->paths[i]);
	free(l->plugins);
	free(l->paths);
	free(l);
}
