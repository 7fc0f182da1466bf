/*
 * loop_bridge.h - an event loop of one ABI layout seen through the other.
 *
 * A v1.0 workload (abi_v10.h) driven by a v1.1 event-loop strategy must be
 * handed a struct concur_v10_loop; a v1.1 workload driven by a v1.0
 * strategy a struct concur_loop.  A bridge is a loop of the layout its user
 * (the workload) knows whose hooks call the real loop (the strategy's, the
 * "target"), and whose fd and timer callbacks reach the user with the
 * bridge - the loop it knows - as their loop argument.  It allocates only
 * when a new fd number or a new timer is first seen; both are kept until
 * the worker ends.  All calls come from the loop's thread, as the header
 * promises for every loop, so a bridge needs no locking.
 *
 * Bridges belong to a bridged_worker: the worker an adapter's worker_init
 * hands the strategy in place of the wrapped workload's own.  It holds that
 * worker and one bridge per loop it was seen with (normally one).
 */
#ifndef CONCUR_LOOP_BRIDGE_H
#define CONCUR_LOOP_BRIDGE_H

/* The layout a bridge shows its user. */
enum bridge_face {
	BRIDGE_FACE_V10, /* struct concur_v10_loop over a struct concur_loop */
	BRIDGE_FACE_V11, /* struct concur_loop over a struct concur_v10_loop */
};

struct loop_bridge;

struct bridged_worker {
	void *inner; /* the wrapped workload's own worker */
	struct loop_bridge *bridges;
};

struct bridged_worker *bridged_worker_new(void);

/*
 * The loop to give the wrapped workload for `target` (a loop of the other
 * layout than `face`; NULL gives NULL): a struct concur_v10_loop * for
 * BRIDGE_FACE_V10, a struct concur_loop * for BRIDGE_FACE_V11.  The same
 * target gives the same bridge for the worker's whole life.
 */
void *bridged_worker_loop(struct bridged_worker *w, enum bridge_face face,
			  void *target);

/*
 * End every asynchronous operation still in flight on the worker's bridges,
 * without its callback (running ones are waited for).  Call before the
 * inner worker is finished: its fds and buffers may be what they use.
 */
void bridged_worker_end_io(struct bridged_worker *w);

/* Free the worker's bridges and the wrapper (not the inner worker). */
void bridged_worker_free(struct bridged_worker *w);

#endif
