#include "test_plugins_common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "util.h"

static struct loader *tp_loader;

const struct plugin *tp_load(const char *rel)
{
	const char *build = getenv("CONCUR_TEST_BUILD_DIR");
	char path[4096], err[CONCUR_ERRLEN] = "";
	const struct plugin *p;

	assert_non_null(build);
	if (!tp_loader)
		tp_loader = loader_create();
	snprintf(path, sizeof(path), "%s/%s", build, rel);
	p = loader_open_file(tp_loader, path, err, sizeof(err));
	if (!p)
		fail_msg("cannot load %s: %s", path, err);
	return p;
}

struct job_shared *tp_run(const struct plugin *s, const union concur_value *sv,
			  const struct plugin *w, const union concur_value *wv,
			  size_t max_tasks, int *ret_rc)
{
	struct job_shared *shared = job_alloc(max_tasks);

	assert_non_null(shared);
	*ret_rc = job_run(s, sv, w, wv, NULL, shared, max_tasks, mono_now_ns);
	return shared;
}

struct counting_board *tp_board_new(void)
{
	struct counting_board *b =
		mmap(NULL, sizeof(*b), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	assert_true(b != MAP_FAILED);
	b->magic = COUNTING_MAGIC;
	return b;
}

void tp_board_free(struct counting_board *b)
{
	munmap(b, sizeof(*b));
}
