/*
 * loop_io.h - the portable asynchronous read_at / write_at of an event loop
 * that has only readiness (epoll, and the core's bridge for 0.1 event-loop
 * strategies), written against nothing but a struct concur_loop's watch
 * hook, so the same code serves both.
 *
 * Regular files and block devices go to a small pool of threads doing
 * blocking pread/pwrite (read/write at offset -1); each finished operation
 * is handed back to the loop's thread through an eventfd the loop watches
 * while any is in flight.  Sockets, pipes and other fds are waited on with
 * the loop's watch and then read or written once on the loop's thread; a
 * workload must not watch such an fd itself while an operation on it is in
 * flight.  At most one read and one write per such fd at a time (-EBUSY).
 */
#ifndef CONCUR_LOOP_IO_H
#define CONCUR_LOOP_IO_H

#include <stdbool.h>

#include <concur/plugin.h>

struct loop_io;

/*
 * Operations submitted through `loop` (whose watch hook is used, and which
 * callbacks receive).  Threads start on the first file operation.  NULL
 * when out of memory.
 */
struct loop_io *loop_io_new(struct concur_loop *loop);

/*
 * Submit one operation (the read_at / write_at contract of <concur/plugin.h>):
 * 0 = cb runs later, once, on the loop's thread; negative errno = not
 * submitted.
 */
int loop_io_submit(struct loop_io *lio, struct concur_io *io, int fd, void *buf,
		   uint64_t len, int64_t offset, concur_io_cb cb, void *arg,
		   bool write);

/* Operations submitted whose callback has not run yet. */
size_t loop_io_pending(const struct loop_io *lio);

/*
 * End every operation in flight without its callback: waits stop being
 * watched, queued file operations are dropped, running ones are waited for.
 * Then nothing of the caller's is referenced any more.
 */
void loop_io_cancel_all(struct loop_io *lio);

/* cancel_all, stop the threads, free.  NULL is harmless. */
void loop_io_free(struct loop_io *lio);

#endif
