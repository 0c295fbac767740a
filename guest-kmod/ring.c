// SPDX-License-Identifier: GPL-2.0
/*
 * yasmin data rings: index validation and notification suppression.  ring.h says what the
 * caller does; <yasmin/contract.h> defines the shared format.
 *
 * Every access to shared memory below is READ_ONCE(), WRITE_ONCE(), virt_load_acquire(),
 * virt_store_release() or xchg(), so each value the peer controls is read once.  The barriers
 * pair as follows:
 *
 * (A) Bytes before prod.  The producer writes the bytes, then publishes prod with
 *     virt_store_release() in yasmin_ring_producer_commit(); the consumer reads prod with
 *     virt_load_acquire() in yasmin_ring_consumer_readable() before it reads the bytes.  The
 *     consumer never sees a byte before it has been written.
 *
 * (B) Bytes before cons.  The consumer reads the bytes, then publishes cons with
 *     virt_store_release() in yasmin_ring_consumer_consume(); the producer reads cons with
 *     virt_load_acquire() in yasmin_ring_producer_space() before it reuses the space.  The
 *     producer never overwrites a byte that is still being read.
 *
 * (C) Wake-ups.  A side about to sleep sets its *_wanted flag, virt_mb(), then re-reads the
 *     other side's index (*_prepare_to_wait()).  The other side publishes its index,
 *     virt_mb(), then reads the flag (*_should_notify()).  With a full barrier between the
 *     store and the load on both sides, at least one of the two loads sees the other side's
 *     store: either the sleeper sees the new index and does not sleep, or the other side sees
 *     the flag and sends an event.  No wake-up is lost.
 */
#include "ring.h"

static bool yasmin_ring_nr_pages_valid(u32 nr_pages)
{
	return nr_pages >= YASMIN_RING_MIN_PAGES && nr_pages <= YASMIN_RING_MAX_PAGES &&
	       !(nr_pages & (nr_pages - 1));
}

static void yasmin_ring_chunks_start(struct yasmin_ring_chunks *chunks, void *const *pages,
				     u32 size, u32 index, u32 len)
{
	chunks->pages = pages;
	chunks->mask = size - 1;
	chunks->index = index;
	chunks->remaining = len;
}

/**
 * yasmin_ring_next_chunk() - Next piece of a run of ring bytes.
 * @chunks: from yasmin_ring_producer_chunks() or yasmin_ring_consumer_chunks()
 * @data: set to where the piece starts
 * @len: set to its length, at most one page
 *
 * Return: false when the run is exhausted.
 */
bool yasmin_ring_next_chunk(struct yasmin_ring_chunks *chunks, void **data, u32 *len)
{
	/* Masked, so in the data area whatever the index: no pointer from an unchecked value. */
	u32 offset = chunks->index & chunks->mask;
	u32 in_page = offset % YASMIN_PAGE_SIZE;
	u32 n = YASMIN_PAGE_SIZE - in_page;

	if (!chunks->remaining)
		return false;
	if (n > chunks->remaining)
		n = chunks->remaining;
	*data = (char *)chunks->pages[offset / YASMIN_PAGE_SIZE] + in_page;
	*len = n;
	chunks->index += n;
	chunks->remaining -= n;
	return true;
}

/**
 * yasmin_ring_producer_init() - Set up a ring this side will write.
 * @ring: private state to initialise
 * @desc: the descriptor page, zeroed by the caller (its padding is granted too)
 * @pages: the @nr_pages data pages
 * @nr_pages: a power of two in YASMIN_RING_MIN_PAGES..YASMIN_RING_MAX_PAGES
 *
 * Fills in everything in @desc but the grant references, which the caller writes before it
 * grants the page.
 *
 * Return: 0, or -EINVAL if @nr_pages is invalid.
 */
int yasmin_ring_producer_init(struct yasmin_ring_producer *ring, struct yasmin_ring_desc *desc,
			      void *const *pages, u32 nr_pages)
{
	if (!yasmin_ring_nr_pages_valid(nr_pages))
		return -EINVAL;

	ring->desc = desc;
	ring->pages = pages;
	ring->size = nr_pages * YASMIN_PAGE_SIZE;
	ring->prod = 0;
	ring->cons = 0;
	ring->fault = YASMIN_RING_HEALTHY;

	WRITE_ONCE(desc->prod, 0);
	WRITE_ONCE(desc->cons_wanted, 0);
	WRITE_ONCE(desc->cons, 0);
	WRITE_ONCE(desc->prod_wanted, 0);
	WRITE_ONCE(desc->magic, YASMIN_RING_DESC_MAGIC);
	WRITE_ONCE(desc->nr_pages, nr_pages);
	return 0;
}

/**
 * yasmin_ring_producer_space() - Read the consumer's cons and say how much can be written.
 * @ring: producer
 *
 * cons is valid if it has not moved back since it was last read and has not passed prod.
 * Modulo 2^32, a jump forward by half the index space or more looks like a move back.
 *
 * Return: free bytes, or -EPROTO if the ring is broken.
 */
int yasmin_ring_producer_space(struct yasmin_ring_producer *ring)
{
	u32 cons;

	if (ring->fault)
		return -EPROTO;

	/* (B): pairs with virt_store_release() in yasmin_ring_consumer_consume(). */
	cons = virt_load_acquire(&ring->desc->cons);
	if ((s32)(cons - ring->cons) < 0) {
		ring->fault = YASMIN_RING_FAULT_CONS_BACKWARDS;
		return -EPROTO;
	}
	if (cons - ring->cons > ring->prod - ring->cons) {
		ring->fault = YASMIN_RING_FAULT_CONS_PAST_PROD;
		return -EPROTO;
	}
	ring->cons = cons;
	return ring->size - (ring->prod - cons);
}

static u32 yasmin_ring_producer_known_space(const struct yasmin_ring_producer *ring)
{
	return ring->size - (ring->prod - ring->cons);
}

/**
 * yasmin_ring_producer_chunks() - Where the next bytes are to be written.
 * @ring: producer
 * @len: bytes to write, at most what yasmin_ring_producer_space() returned
 * @chunks: set up for yasmin_ring_next_chunk()
 *
 * Return: 0, -EINVAL if @len is more than the free space, or -EPROTO if the ring is broken.
 */
int yasmin_ring_producer_chunks(struct yasmin_ring_producer *ring, u32 len,
				struct yasmin_ring_chunks *chunks)
{
	if (ring->fault)
		return -EPROTO;
	if (len > yasmin_ring_producer_known_space(ring))
		return -EINVAL;

	yasmin_ring_chunks_start(chunks, ring->pages, ring->size, ring->prod, len);
	return 0;
}

/**
 * yasmin_ring_producer_commit() - Publish bytes written through yasmin_ring_producer_chunks().
 * @ring: producer
 * @len: bytes written, at most the free space
 *
 * Call yasmin_ring_producer_should_notify() afterwards.
 *
 * Return: 0, -EINVAL if @len is more than the free space, or -EPROTO if the ring is broken.
 */
int yasmin_ring_producer_commit(struct yasmin_ring_producer *ring, u32 len)
{
	if (ring->fault)
		return -EPROTO;
	if (len > yasmin_ring_producer_known_space(ring))
		return -EINVAL;

	ring->prod += len;
	/* (A): pairs with virt_load_acquire() in yasmin_ring_consumer_readable(). */
	virt_store_release(&ring->desc->prod, ring->prod);
	return 0;
}

/**
 * yasmin_ring_producer_should_notify() - Whether the consumer waits for the bytes committed.
 * @ring: producer
 *
 * Clears the consumer's request, so it is answered by one event only.
 *
 * Return: true if the caller must send an event; never for a broken ring.
 */
bool yasmin_ring_producer_should_notify(struct yasmin_ring_producer *ring)
{
	if (ring->fault)
		return false;

	/* (C): pairs with virt_mb() in yasmin_ring_consumer_prepare_to_wait(). */
	virt_mb();
	/*
	 * A plain read first spares a locked write to the consumer's cache line on every commit
	 * while it is not waiting; (C) holds for the read as it does for xchg().
	 */
	if (!READ_ONCE(ring->desc->prod_wanted))
		return false;
	return xchg(&ring->desc->prod_wanted, 0) != 0;
}

/**
 * yasmin_ring_producer_prepare_to_wait() - Ask for an event when cons moves, then re-check.
 * @ring: producer
 *
 * The caller is already on its wait queue, so that an event arriving after this call is not
 * lost, and sleeps only if the space returned is not enough.
 *
 * Return: free bytes, or -EPROTO if the ring is broken.
 */
int yasmin_ring_producer_prepare_to_wait(struct yasmin_ring_producer *ring)
{
	if (ring->fault)
		return -EPROTO;

	WRITE_ONCE(ring->desc->cons_wanted, 1);
	/* (C): pairs with virt_mb() in yasmin_ring_consumer_should_notify(). */
	virt_mb();
	return yasmin_ring_producer_space(ring);
}

/**
 * yasmin_ring_read_layout() - Copy and validate the descriptor a peer offers, before mapping.
 * @shared: the mapped descriptor page
 * @layout: caller memory to receive the copy
 * @fault: set to the cause of a rejection, or YASMIN_RING_HEALTHY
 *
 * Each field is read once; only @layout is used afterwards, so later changes to @shared do
 * not matter.
 *
 * Return: 0, or -EPROTO if the descriptor is invalid.
 */
int yasmin_ring_read_layout(const struct yasmin_ring_desc *shared,
			    struct yasmin_ring_layout *layout, enum yasmin_ring_fault *fault)
{
	u32 nr_pages, i;

	if (READ_ONCE(shared->magic) != YASMIN_RING_DESC_MAGIC) {
		*fault = YASMIN_RING_FAULT_BAD_MAGIC;
		return -EPROTO;
	}
	nr_pages = READ_ONCE(shared->nr_pages);
	if (!yasmin_ring_nr_pages_valid(nr_pages)) {
		*fault = YASMIN_RING_FAULT_BAD_NR_PAGES;
		return -EPROTO;
	}

	layout->nr_pages = nr_pages;
	for (i = 0; i < nr_pages; i++)
		layout->grefs[i] = READ_ONCE(shared->grefs[i]);
	*fault = YASMIN_RING_HEALTHY;
	return 0;
}

/**
 * yasmin_ring_consumer_init() - Set up a ring this side will read.
 * @ring: private state to initialise
 * @desc: the mapped descriptor page
 * @layout: validated by yasmin_ring_read_layout()
 * @pages: the layout->nr_pages data pages, mapped in the order of layout->grefs
 *
 * Does not touch shared memory: both indexes start at 0 by contract.
 *
 * Return: 0, or -EINVAL if @layout was not validated.
 */
int yasmin_ring_consumer_init(struct yasmin_ring_consumer *ring, struct yasmin_ring_desc *desc,
			      const struct yasmin_ring_layout *layout, void *const *pages)
{
	if (!yasmin_ring_nr_pages_valid(layout->nr_pages))
		return -EINVAL;

	ring->desc = desc;
	ring->pages = pages;
	ring->size = layout->nr_pages * YASMIN_PAGE_SIZE;
	ring->cons = 0;
	ring->prod = 0;
	ring->fault = YASMIN_RING_HEALTHY;
	return 0;
}

/**
 * yasmin_ring_consumer_readable() - Read the producer's prod and say how much can be read.
 * @ring: consumer
 *
 * prod is valid if it has not moved back since it was last read and is at most a ring's size
 * past cons.  Modulo 2^32, a jump forward by half the index space or more looks like a move
 * back.
 *
 * Return: readable bytes, or -EPROTO if the ring is broken.
 */
int yasmin_ring_consumer_readable(struct yasmin_ring_consumer *ring)
{
	u32 prod;

	if (ring->fault)
		return -EPROTO;

	/* (A): pairs with virt_store_release() in yasmin_ring_producer_commit(). */
	prod = virt_load_acquire(&ring->desc->prod);
	if ((s32)(prod - ring->prod) < 0) {
		ring->fault = YASMIN_RING_FAULT_PROD_BACKWARDS;
		return -EPROTO;
	}
	if (prod - ring->cons > ring->size) {
		ring->fault = YASMIN_RING_FAULT_PROD_OVERRUN;
		return -EPROTO;
	}
	ring->prod = prod;
	return prod - ring->cons;
}

/**
 * yasmin_ring_consumer_chunks() - Where readable bytes are, optionally past some not consumed.
 * @ring: consumer
 * @offset: bytes past cons to start at (MSG_PEEK past what was already peeked)
 * @len: bytes to read; @offset + @len at most what yasmin_ring_consumer_readable() returned
 * @chunks: set up for yasmin_ring_next_chunk()
 *
 * The bytes are in memory the producer can still write: copy them out before parsing them.
 *
 * Return: 0, -EINVAL if the bytes are not all readable, or -EPROTO if the ring is broken.
 */
int yasmin_ring_consumer_chunks(struct yasmin_ring_consumer *ring, u32 offset, u32 len,
				struct yasmin_ring_chunks *chunks)
{
	u32 readable = ring->prod - ring->cons;

	if (ring->fault)
		return -EPROTO;
	if (offset > readable || len > readable - offset)
		return -EINVAL;

	yasmin_ring_chunks_start(chunks, ring->pages, ring->size, ring->cons + offset, len);
	return 0;
}

/**
 * yasmin_ring_consumer_consume() - Hand bytes read back to the producer.
 * @ring: consumer
 * @len: bytes, at most what yasmin_ring_consumer_readable() returned
 *
 * Call yasmin_ring_consumer_should_notify() afterwards.
 *
 * Return: 0, -EINVAL if @len is more than is readable, or -EPROTO if the ring is broken.
 */
int yasmin_ring_consumer_consume(struct yasmin_ring_consumer *ring, u32 len)
{
	if (ring->fault)
		return -EPROTO;
	if (len > ring->prod - ring->cons)
		return -EINVAL;

	ring->cons += len;
	/* (B): pairs with virt_load_acquire() in yasmin_ring_producer_space(). */
	virt_store_release(&ring->desc->cons, ring->cons);
	return 0;
}

/**
 * yasmin_ring_consumer_should_notify() - Whether the producer waits for the space freed.
 * @ring: consumer
 *
 * Clears the producer's request, so it is answered by one event only.
 *
 * Return: true if the caller must send an event; never for a broken ring.
 */
bool yasmin_ring_consumer_should_notify(struct yasmin_ring_consumer *ring)
{
	if (ring->fault)
		return false;

	/* (C): pairs with virt_mb() in yasmin_ring_producer_prepare_to_wait(). */
	virt_mb();
	/* See yasmin_ring_producer_should_notify() for the plain read. */
	if (!READ_ONCE(ring->desc->cons_wanted))
		return false;
	return xchg(&ring->desc->cons_wanted, 0) != 0;
}

/**
 * yasmin_ring_consumer_prepare_to_wait() - Ask for an event when prod moves, then re-check.
 * @ring: consumer
 *
 * The caller is already on its wait queue, so that an event arriving after this call is not
 * lost, and sleeps only if nothing is readable.
 *
 * Return: readable bytes, or -EPROTO if the ring is broken.
 */
int yasmin_ring_consumer_prepare_to_wait(struct yasmin_ring_consumer *ring)
{
	if (ring->fault)
		return -EPROTO;

	WRITE_ONCE(ring->desc->prod_wanted, 1);
	/* (C): pairs with virt_mb() in yasmin_ring_producer_should_notify(). */
	virt_mb();
	return yasmin_ring_consumer_readable(ring);
}
