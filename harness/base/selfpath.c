#include "selfpath.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

void selfpath_candidates(const char *build_path, const char *install_reldir,
			 const char *install_path,
			 void (*add)(const char *path, void *arg), void *arg)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	size_t build_len = strlen(CONCUR_BUILD_DIR);
	char *slash;

	if (n > 0) {
		exe[n] = '\0';
		if (strncmp(exe, CONCUR_BUILD_DIR, build_len) == 0 &&
		    exe[build_len] == '/') {
			add(build_path, arg);
			return;
		}
		slash = strrchr(exe, '/'); /* PREFIX/bin/concur -> PREFIX */
		if (slash) {
			*slash = '\0';
			slash = strrchr(exe, '/');
		}
		if (slash) {
			char *path;

			*slash = '\0';
			path = xasprintf("%s/%s", exe, install_reldir);
			add(path, arg);
			free(path);
		}
	}
	add(install_path, arg);
}
