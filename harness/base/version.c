/*
 * version.c - the build's identity (see version.h).  The only file that
 * includes the generated revision header, so a new commit recompiles this
 * file alone and relinks.
 */
#include "version.h"

#include "concur_git_revision.h"

const char *concur_version(void)
{
	return CONCUR_VERSION;
}

const char *concur_git_revision(void)
{
	return CONCUR_GIT_REVISION;
}

const char *concur_build_type(void)
{
	return CONCUR_BUILD_TYPE;
}
