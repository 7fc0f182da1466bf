/*
 * pathtrust.h - may concur run the code in this file?  Loading a plugin runs
 * it, so a plugin that someone else could have written or replaced is
 * refused, the way OpenSSH's safe_path refuses an authorized_keys file:
 *
 *   - the file is opened once (O_NONBLOCK: a FIFO cannot hang it); everything below is checked on what was
 *     opened, and the caller loads that very file (dlopen of
 *     /proc/self/fd/N), so nothing can be swapped between check and load;
 *   - the file is a regular file owned by root or by the user running
 *     concur (its effective uid) and not writable by group or others;
 *   - its real path is resolved (every symbolic link followed, from
 *     /proc/self/fd/N), and every folder on it, up to /, is owned by root or
 *     the user and not writable by group or others.  One exception, unlike
 *     OpenSSH: an ancestor folder (not the file's own) owned by root with
 *     the sticky bit, like /tmp, is fine: nobody else may rename or remove
 *     what is in it, and the folders below it are checked.
 *
 * The escape hatch, for people who trust everyone who can write there
 * (a shared group folder): pathtrust_open with check = false opens the
 * file the same way without the ownership and mode checks.  concur turns it
 * on with --trust-plugin-path or CONCUR_TRUST_PLUGIN_PATH=1
 * (docs/trust-model.md).
 */
#ifndef CONCUR_PATHTRUST_H
#define CONCUR_PATHTRUST_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Open path for loading: *ret_fd is an O_RDONLY | O_CLOEXEC descriptor of
 * a regular file the caller closes.  Returns 0, or a negative errno code
 * with a message in err naming the path (or the folder) at fault, why, and
 * the fix: -EPERM for a file or folder that fails the checks, -errno when
 * the file cannot be opened.
 */
int pathtrust_open(const char *path, bool check, int *ret_fd, char *err,
		   size_t errlen);

/* "/proc/self/fd/N" for fd, into buf (at least 32 bytes). */
void pathtrust_fd_path(int fd, char *buf, size_t len);

#endif
