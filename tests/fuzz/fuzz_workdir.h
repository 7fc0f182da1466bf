/*
 * fuzz_workdir.h - a fuzz target's own folder under /tmp, made once and
 * removed with all it holds when the fuzzer exits (a crash leaves it, next
 * to the reproducer).  Header only: each target is built from its one
 * source file (scripts/fuzz-check.sh).
 */
#ifndef CONCUR_FUZZ_WORKDIR_H
#define CONCUR_FUZZ_WORKDIR_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

static char fuzz_workdir[64];

static int fuzz_workdir_remove_one(const char *path, const struct stat *st,
				   int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void fuzz_workdir_remove(void)
{
	nftw(fuzz_workdir, fuzz_workdir_remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Make /tmp/concur-fuzz-NAME.XXXXXX; its path, or abort. */
static const char *fuzz_workdir_make(const char *name)
{
	snprintf(fuzz_workdir, sizeof(fuzz_workdir),
		 "/tmp/concur-fuzz-%s.XXXXXX", name);
	if (!mkdtemp(fuzz_workdir))
		abort();
	atexit(fuzz_workdir_remove);
	return fuzz_workdir;
}

#endif
