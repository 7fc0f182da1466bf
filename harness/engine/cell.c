#include "cell.h"

#include "util.h"

const char *cell_status_name(enum cell_status s)
{
	static const char *const names[] = { "ok", "failed", "timeout",
					     "crashed" };

	return (unsigned)s < ARRAY_SIZE(names) ? names[s] : "unknown";
}
