/*
 * file_read - the file-system half of I/O-bound work: each task reads a
 * file, or one share of a file's blocks (ranges > 1), block by block, in
 * sequential or a fixed random order.
 *
 * Before each run, outside the timed region (prepare), the workload writes
 * `files` files of a deterministic pattern (file_read/fr_data.h), puts them
 * on disk and sets the page cache up as `cache` says: warm (read once),
 * cold (pages dropped with posix_fadvise DONTNEED) or direct (O_DIRECT
 * reads).  The files have no name from the moment they are opened, so
 * nothing outlives the run (file_read/fr_files.h).  Tasks sum a digest of
 * every block they read; check_task compares it, after the run, with the
 * digest of what was written: a wrong byte fails the task.
 *
 * Two faces: run_task reads with pread; start_task submits the reads
 * through the loop's read_at (since v1.3), `depth` in flight per task, and
 * on a loop without read_at reads with pread inside start_task (readiness
 * says nothing about regular files).  rec->detail is the enum fr_cache
 * value the run used.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <concur/plugin.h>

#include "file_read/fr_data.h"
#include "file_read/fr_files.h"

enum fr_param_index {
	P_FILES,
	P_FILE_SIZE,
	P_BLOCK_SIZE,
	P_PATTERN,
	P_CACHE,
	P_RANGES,
	P_DEPTH,
	P_DIR,
	P_N
};

static const struct concur_param fr_params[] = {
	[P_FILES] = { "files", CONCUR_PARAM_INT, "4", "1", "100000",
		      "files written before each run, outside the timed "
		      "region" },
	[P_FILE_SIZE] = { "file_size", CONCUR_PARAM_SIZE, "16M", "1", "1T",
			  "size of each file" },
	[P_BLOCK_SIZE] = { "block_size", CONCUR_PARAM_SIZE, "64k", "1", "64M",
			   "bytes per read" },
	[P_PATTERN] = { "pattern", CONCUR_PARAM_STRING, "sequential", NULL,
			NULL,
			"sequential, or random: every block once, in a fixed "
			"shuffled order over the whole file" },
	[P_CACHE] = { "cache", CONCUR_PARAM_STRING, "warm", NULL, NULL,
		      "warm: files read once before each run; cold: their "
		      "pages dropped (posix_fadvise DONTNEED) before each run; "
		      "direct: read with O_DIRECT, past the page cache" },
	[P_RANGES] = { "ranges", CONCUR_PARAM_INT, "1", "1", "100000000",
		       "tasks per file, each reading its share of the file's "
		       "blocks (1: a task reads a whole file)" },
	[P_DEPTH] = { "depth", CONCUR_PARAM_INT, "1", "1", "1024",
		      "reads in flight per task on an event loop with "
		      "read_at (io_uring, epoll); blocking strategies read "
		      "one at a time" },
	[P_DIR] = { "dir", CONCUR_PARAM_STRING, NULL, NULL, NULL,
		    "folder for the run's files (empty: $TMPDIR, else /tmp); "
		    "they are gone when the run ends" },
	{ 0 },
};

/* Reads stay aligned for O_DIRECT: buffers on this, sizes a multiple. */
#define FR_ALIGN 4096
/* Digests kept while writing, one per block: a memory bound. */
#define FR_MAX_BLOCKS (UINT64_C(1) << 26)
/* Bytes written per write() while preparing. */
#define FR_WRITE_CHUNK (1u << 20)

/* What task t must have read: checked after the run. */
struct fr_want {
	uint64_t digest;
	uint64_t bytes;
};

struct fr_instance {
	uint64_t n_files, file_size, block_size, blocks; /* blocks per file */
	uint64_t ranges, depth;
	size_t n_tasks;
	enum fr_cache cache;
	struct fr_order order;
	const char *dir;
	int *fds, *dfds; /* dfds: O_DIRECT, -1 unless cache = direct */
	struct fr_want *want;
};

/* ---- create / destroy ---- */

static void fr_destroy(void *instance)
{
	struct fr_instance *inst = instance;

	if (!inst)
		return;
	if (inst->fds)
		fr_files_close(inst->n_files, inst->fds, inst->dfds);
	free(inst->fds);
	free(inst->dfds);
	free(inst->want);
	free(inst);
}

/* Which of words text is (its index in *ret), or an error listing them. */
static int parse_word(const char *what, const char *text,
		      const char *const *words, const char *allowed, int *ret,
		      char *err, size_t errlen)
{
	int i;

	for (i = 0; words[i]; i++)
		if (strcmp(text, words[i]) == 0) {
			*ret = i;
			return 0;
		}
	snprintf(err, errlen, "%s = %.40s: allowed: %s", what, text, allowed);
	return -EINVAL;
}

static int check_shape(const struct fr_instance *inst, char *err, size_t errlen)
{
	if (inst->ranges > inst->blocks) {
		snprintf(err, errlen,
			 "ranges = %" PRIu64 ", but a file has %" PRIu64
			 " block(s) of block_size: at most %" PRIu64,
			 inst->ranges, inst->blocks, inst->blocks);
		return -EINVAL;
	}
	if (inst->blocks > FR_MAX_BLOCKS / inst->n_files) {
		snprintf(err, errlen,
			 "files x file_size / block_size = %" PRIu64
			 " blocks, more than %" PRIu64
			 " (a digest is kept per block): raise block_size",
			 inst->blocks * inst->n_files, FR_MAX_BLOCKS);
		return -EINVAL;
	}
	if (inst->cache == FR_CACHE_DIRECT && inst->block_size % 512) {
		snprintf(err, errlen,
			 "cache = direct reads with O_DIRECT: block_size "
			 "must be a multiple of 512 (a disk's logical block), "
			 "not %" PRIu64,
			 inst->block_size);
		return -EINVAL;
	}
	return 0;
}

static int fr_configure(struct fr_instance *inst,
			const union concur_value *params, char *err,
			size_t errlen)
{
	static const char *const patterns[] = { "sequential", "random", NULL };
	static const char *const caches[] = { "warm", "cold", "direct", NULL };
	int random = 0, cache = 0;
	int rc = parse_word("pattern", params[P_PATTERN].s, patterns,
			    "sequential, random", &random, err, errlen);

	if (rc == 0)
		rc = parse_word("cache", params[P_CACHE].s, caches,
				"warm, cold, direct", &cache, err, errlen);
	if (rc < 0)
		return rc;
	inst->n_files = (uint64_t)params[P_FILES].i;
	inst->file_size = params[P_FILE_SIZE].bytes;
	inst->block_size = params[P_BLOCK_SIZE].bytes;
	inst->blocks =
		(inst->file_size + inst->block_size - 1) / inst->block_size;
	inst->ranges = (uint64_t)params[P_RANGES].i;
	inst->depth = (uint64_t)params[P_DEPTH].i;
	inst->cache = (enum fr_cache)cache;
	inst->n_tasks = (size_t)(inst->n_files * inst->ranges);
	inst->dir = fr_dir_resolve(params[P_DIR].s);
	fr_order_init(&inst->order, inst->blocks, random);
	rc = check_shape(inst, err, errlen);
	if (rc == 0)
		rc = fr_dir_check(inst->dir, inst->cache,
				  inst->n_files * inst->file_size, err, errlen);
	return rc;
}

static int fr_create(const union concur_value *params, void **ret_instance,
		     char *err, size_t errlen)
{
	struct fr_instance *inst = calloc(1, sizeof(*inst));
	int rc;

	if (!inst)
		return -ENOMEM;
	rc = fr_configure(inst, params, err, errlen);
	if (rc < 0) {
		fr_destroy(inst);
		return rc;
	}
	*ret_instance = inst;
	return 0;
}

static size_t fr_task_count(void *instance)
{
	return ((struct fr_instance *)instance)->n_tasks;
}

/* ---- the layout: which blocks a task reads ---- */

struct fr_range {
	uint64_t file;
	uint64_t first, end; /* positions in the file's block order */
};

static struct fr_range task_range(const struct fr_instance *inst, size_t task)
{
	uint64_t r = task % inst->ranges;

	return (struct fr_range){
		.file = task / inst->ranges,
		.first = inst->blocks * r / inst->ranges,
		.end = inst->blocks * (r + 1) / inst->ranges,
	};
}

static uint64_t block_len(const struct fr_instance *inst, uint64_t block)
{
	uint64_t off = block * inst->block_size;

	return inst->file_size - off < inst->block_size ? inst->file_size - off
							: inst->block_size;
}

/* What a read of `block` asks for: O_DIRECT reads whole blocks. */
static uint64_t request_len(const struct fr_instance *inst, uint64_t block)
{
	return inst->cache == FR_CACHE_DIRECT ? inst->block_size
					      : block_len(inst, block);
}

static int read_fd(const struct fr_instance *inst, uint64_t file)
{
	return inst->cache == FR_CACHE_DIRECT ? inst->dfds[file]
					      : inst->fds[file];
}

static size_t buffer_size(const struct fr_instance *inst)
{
	return (size_t)((inst->block_size + FR_ALIGN - 1) / FR_ALIGN *
			FR_ALIGN);
}

/* ---- prepare: write, settle, and what each task must read ---- */

/* Write one file block by block, keeping each block's digest. */
static int write_file(const struct fr_instance *inst, uint64_t file,
		      unsigned char *chunk, size_t chunk_len, uint64_t *digests,
		      char *err, size_t errlen)
{
	uint64_t b = 0, off = 0, len;
	size_t fill = 0;
	ssize_t put;

	while (b < inst->blocks) {
		len = block_len(inst, b);
		fr_fill(file, b * inst->block_size, chunk + fill, len);
		digests[b] = fr_digest(chunk + fill, len, b * inst->block_size);
		fill += len;
		if (++b < inst->blocks && fill + inst->block_size <= chunk_len)
			continue;
		put = pwrite(inst->fds[file], chunk, fill, (off_t)off);
		if (put != (ssize_t)fill) {
			snprintf(err, errlen, "writing file %" PRIu64 ": %s",
				 file,
				 put < 0 ? strerror(errno) : "short write");
			return put < 0 ? -errno : -ENOSPC;
		}
		off += fill;
		fill = 0;
	}
	return 0;
}

static void sum_wants(struct fr_instance *inst, uint64_t file,
		      const uint64_t *digests)
{
	uint64_t r, p, b;

	for (r = 0; r < inst->ranges; r++) {
		size_t task = (size_t)(file * inst->ranges + r);
		struct fr_range rg = task_range(inst, task);
		struct fr_want *w = &inst->want[task];

		for (p = rg.first; p < rg.end; p++) {
			b = fr_order_block(&inst->order, p);
			w->digest += digests[b];
			w->bytes += block_len(inst, b);
		}
	}
}

static int write_all(struct fr_instance *inst, char *err, size_t errlen)
{
	size_t chunk_len = buffer_size(inst) > FR_WRITE_CHUNK
				   ? buffer_size(inst)
				   : FR_WRITE_CHUNK;
	unsigned char *chunk = malloc(chunk_len);
	uint64_t *digests = calloc(inst->blocks, sizeof(*digests));
	uint64_t f;
	int rc = chunk && digests ? 0 : -ENOMEM;

	if (rc < 0)
		snprintf(err, errlen, "out of memory");
	for (f = 0; f < inst->n_files && rc == 0; f++) {
		rc = write_file(inst, f, chunk, chunk_len, digests, err,
				errlen);
		if (rc == 0)
			sum_wants(inst, f, digests);
		if (rc == 0)
			rc = fr_file_settle(inst->fds[f], inst->file_size,
					    inst->cache, inst->order.random,
					    chunk, chunk_len, err, errlen);
	}
	free(digests);
	free(chunk);
	return rc;
}

static int fr_prepare(void *instance, char *err, size_t errlen)
{
	struct fr_instance *inst = instance;
	size_t n = inst->n_files;
	int rc;

	inst->fds = calloc(n, sizeof(*inst->fds));
	inst->dfds = calloc(n, sizeof(*inst->dfds));
	inst->want = calloc(inst->n_tasks, sizeof(*inst->want));
	if (!inst->fds || !inst->dfds || !inst->want) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = fr_files_open(inst->dir, n, inst->cache == FR_CACHE_DIRECT,
			   inst->fds, inst->dfds, err, errlen);
	if (rc == 0)
		rc = write_all(inst, err, errlen);
	return rc;
}

/* ---- per worker: a buffer for the blocking reads, spare loop tasks ---- */

struct fr_live;

struct fr_worker {
	void *buf;
	struct fr_live *spare; /* finished loop tasks, for reuse */
};

static void live_free_all(struct fr_live *l);

static int fr_worker_init(void *instance, unsigned worker_id,
			  struct concur_loop *loop, void **ret_worker,
			  char *err, size_t errlen)
{
	struct fr_instance *inst = instance;
	struct fr_worker *w = calloc(1, sizeof(*w));

	(void)worker_id;
	(void)loop;
	if (!w || posix_memalign(&w->buf, FR_ALIGN, buffer_size(inst))) {
		free(w);
		snprintf(err, errlen, "out of memory for a %zu-byte buffer",
			 buffer_size(inst));
		return -ENOMEM;
	}
	*ret_worker = w;
	return 0;
}

static void fr_worker_fini(void *instance, void *worker)
{
	struct fr_worker *w = worker;

	(void)instance;
	if (!w)
		return;
	live_free_all(w->spare);
	free(w->buf);
	free(w);
}

/* ---- the blocking face ---- */

static int read_error(const struct fr_instance *inst, uint64_t file,
		      uint64_t block, int64_t result, uint64_t got, char *err,
		      size_t errlen)
{
	uint64_t off = block * inst->block_size;

	if (result < 0) {
		snprintf(err, errlen,
			 "file %" PRIu64 ", %" PRIu64 " bytes at %" PRIu64
			 ": read: %s",
			 file, request_len(inst, block), off,
			 strerror((int)-result));
		return (int)result;
	}
	snprintf(err, errlen,
		 "file %" PRIu64 ": end of file %" PRIu64 " bytes into the "
		 "block at %" PRIu64 " (%" PRIu64 " expected)",
		 file, got, off, block_len(inst, block));
	return -EIO;
}

/* Read one block whole into buf; its length, or a negative errno. */
static int64_t read_block(const struct fr_instance *inst, uint64_t file,
			  uint64_t block, void *buf, char *err, size_t errlen)
{
	uint64_t want = block_len(inst, block), got = 0;
	uint64_t off = block * inst->block_size;
	ssize_t n;

	while (got < want) {
		n = pread(read_fd(inst, file), (char *)buf + got,
			  request_len(inst, block) - got, (off_t)(off + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return read_error(inst, file, block, n < 0 ? -errno : 0,
					  got, err, errlen);
		got += (uint64_t)n;
	}
	return (int64_t)want;
}

static int read_task(const struct fr_instance *inst, void *buf, size_t task,
		     struct concur_task *rec, char *err, size_t errlen)
{
	struct fr_range rg = task_range(inst, task);
	uint64_t p, b;
	int64_t n;

	rec->detail = (uint16_t)inst->cache;
	for (p = rg.first; p < rg.end; p++) {
		b = fr_order_block(&inst->order, p);
		n = read_block(inst, rg.file, b, buf, err, errlen);
		if (n < 0)
			return rec->status = (int)n;
		rec->result += fr_digest(buf, (size_t)n, b * inst->block_size);
		rec->bytes += (uint64_t)n;
	}
	return rec->status = 0;
}

static int fr_run_task(void *instance, void *worker, size_t task,
		       struct concur_task *rec, char *err, size_t errlen)
{
	struct fr_worker *w = worker;

	return read_task(instance, w->buf, task, rec, err, errlen);
}

/* ---- the event-loop face: depth reads in flight through read_at ---- */

struct fr_slot {
	struct concur_io io;
	struct fr_live *live;
	void *buf;
	uint64_t block, got;
};

struct fr_live {
	struct fr_live *next_spare;
	const struct fr_instance *inst;
	struct fr_worker *worker;
	struct concur_loop *loop;
	struct concur_task *rec;
	size_t task;
	struct fr_range rg;
	uint64_t next; /* the next position to submit */
	unsigned inflight;
	int status;
	char err[CONCUR_ERRLEN];
	size_t n_slots;
	struct fr_slot slots[];
};

static void live_free_all(struct fr_live *l)
{
	struct fr_live *next;
	size_t i;

	for (; l; l = next) {
		next = l->next_spare;
		for (i = 0; i < l->n_slots; i++)
			free(l->slots[i].buf);
		free(l);
	}
}

/* A spare from this worker, or a new one: every one has depth slots. */
static struct fr_live *live_get(const struct fr_instance *inst,
				struct fr_worker *w)
{
	struct fr_live *l = w->spare;
	size_t i;

	if (l) {
		w->spare = l->next_spare;
		return l;
	}
	l = calloc(1, sizeof(*l) + inst->depth * sizeof(l->slots[0]));
	if (!l)
		return NULL;
	l->n_slots = inst->depth;
	for (i = 0; i < l->n_slots; i++)
		if (posix_memalign(&l->slots[i].buf, FR_ALIGN,
				   buffer_size(inst))) {
			l->slots[i].buf = NULL;
			live_free_all(l);
			return NULL;
		}
	return l;
}

static void live_finish(struct fr_live *l)
{
	struct concur_loop *loop = l->loop;

	l->rec->status = l->status;
	loop->complete(loop, l->task, l->status, l->status ? l->err : NULL);
	l->next_spare = l->worker->spare;
	l->worker->spare = l;
}

static void on_read(struct concur_loop *loop, struct concur_io *io,
		    int64_t result, void *arg);

static int slot_submit(struct fr_slot *s)
{
	const struct fr_instance *inst = s->live->inst;
	uint64_t off = s->block * inst->block_size + s->got;

	return s->live->loop->read_at(
		s->live->loop, &s->io, read_fd(inst, s->live->rg.file),
		(char *)s->buf + s->got, request_len(inst, s->block) - s->got,
		(int64_t)off, on_read, s);
}

static void live_refused(struct fr_live *l, int rc)
{
	l->status = rc;
	snprintf(l->err, sizeof(l->err), "the loop refused a read: %s",
		 strerror(-rc));
}

/* Submit the slot's next block, if any is left and nothing failed. */
static void slot_next(struct fr_slot *s)
{
	struct fr_live *l = s->live;
	int rc;

	if (l->status || l->next >= l->rg.end)
		return;
	s->block = fr_order_block(&l->inst->order, l->next++);
	s->got = 0;
	memset(&s->io, 0, sizeof(s->io));
	rc = slot_submit(s);
	if (rc == 0) {
		l->inflight++;
		return;
	}
	live_refused(l, rc);
}

static void slot_done(struct fr_slot *s)
{
	struct fr_live *l = s->live;
	uint64_t off = s->block * l->inst->block_size;

	l->rec->result += fr_digest(s->buf, (size_t)s->got, off);
	l->rec->bytes += s->got;
	slot_next(s);
}

/* A read of the slot's block returned `result`: go on, or record why not. */
static void slot_advance(struct fr_slot *s, int64_t result)
{
	struct fr_live *l = s->live;
	uint64_t want = block_len(l->inst, s->block);
	int rc;

	if (result > 0)
		s->got += (uint64_t)result;
	if (result <= 0 && s->got < want) {
		l->status = read_error(l->inst, l->rg.file, s->block, result,
				       s->got, l->err, sizeof(l->err));
		return;
	}
	if (s->got >= want) {
		slot_done(s);
		return;
	}
	rc = slot_submit(s); /* a short read: the rest of the block */
	if (rc == 0)
		l->inflight++;
	else
		live_refused(l, rc);
}

static void on_read(struct concur_loop *loop, struct concur_io *io,
		    int64_t result, void *arg)
{
	struct fr_slot *s = arg;
	struct fr_live *l = s->live;

	(void)loop;
	(void)io;
	l->inflight--;
	if (!l->status)
		slot_advance(s, result);
	if (l->inflight == 0)
		live_finish(l);
}

static int fr_start_task(void *instance, void *worker, size_t task,
			 struct concur_task *rec, struct concur_loop *loop,
			 char *err, size_t errlen)
{
	struct fr_instance *inst = instance;
	struct fr_worker *w = worker;
	struct fr_live *l;
	size_t i;
	int rc;

	if (!CONCUR_HAS(loop, read_at)) {
		rc = read_task(inst, w->buf, task, rec, err, errlen);
		loop->complete(loop, task, rc, rc ? err : NULL);
		return 0;
	}
	l = live_get(inst, w);
	if (!l) {
		snprintf(err, errlen, "out of memory");
		return rec->status = -ENOMEM;
	}
	l->inst = inst;
	l->worker = w;
	l->loop = loop;
	l->rec = rec;
	l->task = task;
	l->rg = task_range(inst, task);
	l->next = l->rg.first;
	l->inflight = 0;
	l->status = 0;
	l->err[0] = '\0';
	rec->detail = (uint16_t)inst->cache;
	for (i = 0; i < l->n_slots; i++) {
		l->slots[i].live = l;
		slot_next(&l->slots[i]);
	}
	if (l->inflight > 0)
		return 0;
	/* nothing in flight: the first submit failed */
	snprintf(err, errlen, "%s", l->err);
	rc = rec->status = l->status;
	l->next_spare = w->spare;
	w->spare = l;
	return rc;
}

/* ---- after the run ---- */

static int fr_check_task(void *instance, size_t task,
			 const struct concur_task *rec, char *err,
			 size_t errlen)
{
	struct fr_instance *inst = instance;
	const struct fr_want *w = &inst->want[task];
	struct fr_range rg = task_range(inst, task);

	if (rec->bytes != w->bytes) {
		snprintf(err, errlen,
			 "read %" PRIu64 " bytes of file %" PRIu64
			 ", its range has %" PRIu64,
			 rec->bytes, rg.file, w->bytes);
		return -EBADMSG;
	}
	if (rec->result != w->digest) {
		snprintf(err, errlen,
			 "file %" PRIu64 ", blocks %" PRIu64 "..%" PRIu64
			 " of its order: the data read differs from the data "
			 "written (digest %016" PRIx64 ", want %016" PRIx64 ")",
			 rg.file, rg.first, rg.end - 1, rec->result, w->digest);
		return -EBADMSG;
	}
	return 0;
}

static const struct concur_workload_ops fr_ops = {
	.size = CONCUR_WORKLOAD_OPS_SIZE,
	.create = fr_create,
	.destroy = fr_destroy,
	.task_count = fr_task_count,
	.worker_init = fr_worker_init,
	.worker_fini = fr_worker_fini,
	.run_task = fr_run_task,
	.start_task = fr_start_task,
	.check_task = fr_check_task,
	.prepare = fr_prepare,
};

CONCUR_PLUGIN_EXPORT const struct concur_plugin concur_plugin_v1 = {
	CONCUR_PLUGIN_INIT(CONCUR_KIND_WORKLOAD),
	.name = "file_read",
	.version = "1.0",
	.description = "read files written before the run (pread, or the "
		       "loop's read_at), every byte verified",
	.params = fr_params,
	.workload = &fr_ops,
};
