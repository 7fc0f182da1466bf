/*
 * version.h - what this binary is: the release number (one place: the
 * project() line of the top CMakeLists.txt), the git revision of the tree it
 * was built from, read at build time ("-dirty" when tracked files differed
 * from that commit, "unknown" outside a git work tree), and the build type.
 * `concur --version` prints them and N-env.csv records them, so results name
 * the build that made them.
 */
#ifndef CONCUR_VERSION_H
#define CONCUR_VERSION_H

const char *concur_version(void);
const char *concur_git_revision(void);
const char *concur_build_type(void);

#endif
