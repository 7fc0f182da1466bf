/*
 * selfpath.h - where this binary's companions live: the plugin folders and
 * the concur-testserver helper.  From the build tree they are in the build
 * folder; installed, they are found relative to the running binary first
 * (an install into any --prefix works), then at the configured path.
 */
#ifndef CONCUR_SELFPATH_H
#define CONCUR_SELFPATH_H

/*
 * Call add(path, arg) for each place `what` may be, in order: build_path
 * alone when this binary runs from the build tree (CONCUR_BUILD_DIR);
 * otherwise PREFIX/install_reldir for the PREFIX this binary runs from
 * (PREFIX/bin/concur), then install_path.
 */
void selfpath_candidates(const char *build_path, const char *install_reldir,
			 const char *install_path,
			 void (*add)(const char *path, void *arg), void *arg);

#endif
