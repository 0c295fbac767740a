/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One direction of a yasmin connection: a byte ring in granted pages, as laid out by
 * struct yasmin_ring_desc in <yasmin/contract.h>.  This is only the index and notification
 * logic; allocating, granting, mapping, event channels and copying to or from sockets are the
 * caller's.  The same code builds into yasmin.ko and into the userspace unit tests.
 *
 * The peer is not trusted.  Each side keeps its own state in the structures below, in its own
 * memory, and reads each value the peer controls exactly once, validating it before use.  The
 * first invalid value breaks the ring for good: the cause is recorded and every later call
 * returns -EPROTO without touching shared memory again; the caller resets the connection.
 *
 * Callers serialise all calls on one side of one ring (the socket lock does that); the two
 * sides run concurrently.
 */
#ifndef YASMIN_RING_H
#define YASMIN_RING_H

#include "ring_platform.h"

#include <yasmin/contract.h>

/* Why a ring was declared broken.  Counting them per cause is the caller's business. */
enum yasmin_ring_fault {
	YASMIN_RING_HEALTHY = 0,
	/* At set-up, in the descriptor the consumer is offered: */
	YASMIN_RING_FAULT_BAD_MAGIC,
	YASMIN_RING_FAULT_BAD_NR_PAGES,		/* not a power of two in range */
	/* Seen by the consumer: */
	YASMIN_RING_FAULT_PROD_BACKWARDS,	/* prod moved back */
	YASMIN_RING_FAULT_PROD_OVERRUN,		/* prod more than a ring's size past cons */
	/* Seen by the producer: */
	YASMIN_RING_FAULT_CONS_BACKWARDS,	/* cons moved back */
	YASMIN_RING_FAULT_CONS_PAST_PROD,	/* cons claims bytes never produced */
	YASMIN_RING_NR_FAULTS
};

/*
 * struct yasmin_ring_layout - what the consumer keeps of the descriptor's constant part:
 * its own copy, validated, so that later writes to the shared page cannot change it.
 */
struct yasmin_ring_layout {
	u32 nr_pages;
	u32 grefs[YASMIN_RING_MAX_PAGES];	/* only the first nr_pages are meaningful */
};

/* The producer's private state; @desc is its own page, which the consumer maps writable. */
struct yasmin_ring_producer {
	struct yasmin_ring_desc *desc;
	void *const *pages;		/* nr_pages data pages, not virtually contiguous */
	u32 size;			/* bytes; a power of two */
	u32 prod;			/* the truth: desc->prod is only ever written */
	u32 cons;			/* the last cons read from desc and found valid */
	enum yasmin_ring_fault fault;
};

/* The consumer's private state; @desc and @pages are mapped from the producer. */
struct yasmin_ring_consumer {
	struct yasmin_ring_desc *desc;
	void *const *pages;		/* read-only mappings, not virtually contiguous */
	u32 size;
	u32 cons;			/* the truth: desc->cons is only ever written */
	u32 prod;			/* the last prod read from desc and found valid */
	enum yasmin_ring_fault fault;
};

/*
 * Walks a run of ring bytes in pieces that never cross a page boundary, hence never the end
 * of the data area either (the size is whole pages).  Filled in by
 * yasmin_ring_producer_chunks() or yasmin_ring_consumer_chunks(), consumed by
 * yasmin_ring_next_chunk().
 */
struct yasmin_ring_chunks {
	void *const *pages;
	u32 mask;			/* size - 1 */
	u32 index;			/* free-running index of the next byte */
	u32 remaining;
};

/* Producer side. */
int yasmin_ring_producer_init(struct yasmin_ring_producer *ring, struct yasmin_ring_desc *desc,
			      void *const *pages, u32 nr_pages);
int yasmin_ring_producer_space(struct yasmin_ring_producer *ring);
int yasmin_ring_producer_chunks(struct yasmin_ring_producer *ring, u32 len,
				struct yasmin_ring_chunks *chunks);
int yasmin_ring_producer_commit(struct yasmin_ring_producer *ring, u32 len);
bool yasmin_ring_producer_should_notify(struct yasmin_ring_producer *ring);
int yasmin_ring_producer_prepare_to_wait(struct yasmin_ring_producer *ring);

/* Consumer side. */
int yasmin_ring_read_layout(const struct yasmin_ring_desc *shared,
			    struct yasmin_ring_layout *layout, enum yasmin_ring_fault *fault);
int yasmin_ring_consumer_init(struct yasmin_ring_consumer *ring, struct yasmin_ring_desc *desc,
			      const struct yasmin_ring_layout *layout, void *const *pages);
int yasmin_ring_consumer_readable(struct yasmin_ring_consumer *ring);
int yasmin_ring_consumer_chunks(struct yasmin_ring_consumer *ring, u32 offset, u32 len,
				struct yasmin_ring_chunks *chunks);
int yasmin_ring_consumer_consume(struct yasmin_ring_consumer *ring, u32 len);
bool yasmin_ring_consumer_should_notify(struct yasmin_ring_consumer *ring);
int yasmin_ring_consumer_prepare_to_wait(struct yasmin_ring_consumer *ring);

/* Both sides. */
bool yasmin_ring_next_chunk(struct yasmin_ring_chunks *chunks, void **data, u32 *len);

static inline enum yasmin_ring_fault
yasmin_ring_producer_fault(const struct yasmin_ring_producer *ring)
{
	return ring->fault;
}

static inline enum yasmin_ring_fault
yasmin_ring_consumer_fault(const struct yasmin_ring_consumer *ring)
{
	return ring->fault;
}

#endif /* YASMIN_RING_H */
