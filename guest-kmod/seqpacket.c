// SPDX-License-Identifier: GPL-2.0
/*
 * SOCK_SEQPACKET records in a data ring: seqpacket.h says what the caller does,
 * <yasmin/contract.h> defines the format.  Index checks stay in ring.c; this file only frames
 * messages on top of it, and checks what the peer wrote in a record header.
 *
 * The header is in memory the peer can still write while it is being read: it is copied out
 * of the ring once, a byte at a time with READ_ONCE(), and only the copy is checked and used.
 */
#include "seqpacket.h"

static const char *const yasmin_record_fault_names[YASMIN_RECORD_NR_FAULTS] = {
	[YASMIN_RECORD_VALID] = "valid record",
	[YASMIN_RECORD_FAULT_FLAGS] = "record header with unknown flags",
	[YASMIN_RECORD_FAULT_TOO_LONG] = "record longer than its ring",
	[YASMIN_RECORD_FAULT_PARTIAL] = "record not committed whole",
};

const char *yasmin_record_fault_str(enum yasmin_record_fault fault)
{
	if ((unsigned int)fault >= YASMIN_RECORD_NR_FAULTS)
		return "record fault";
	return yasmin_record_fault_names[fault];
}

/**
 * yasmin_record_begin() - Write the header of a record and say where its payload goes.
 * @ring: producer
 * @len: payload bytes, at most yasmin_record_max_len() of the ring's size
 * @flags: YASMIN_RECORD_*
 * @payload: set up for yasmin_ring_next_chunk() over the @len payload bytes
 *
 * Nothing is published: the caller copies the payload through @payload, then calls
 * yasmin_record_commit() with the same @len, which publishes header and payload at once; or
 * it gives up and the next record overwrites this one.
 *
 * Return: 0; -ENOSPC if the record does not fit in the space yasmin_ring_producer_space()
 * last found (the caller waits for more); -EINVAL for a @len that never fits or unknown
 * @flags; -EPROTO if the ring is broken.
 */
int yasmin_record_begin(struct yasmin_ring_producer *ring, u32 len, u32 flags,
			struct yasmin_ring_chunks *payload)
{
	const struct yasmin_record_header hdr = { .len = len, .flags = flags };
	const unsigned char *src = (const unsigned char *)&hdr;
	struct yasmin_ring_chunks head;
	void *data;
	u32 n, i;
	int err;

	if (ring->fault)
		return -EPROTO;
	if ((flags & ~YASMIN_RECORD_FLAGS) || len > yasmin_record_max_len(ring->size))
		return -EINVAL;
	if (yasmin_record_size(len) > ring->size - (ring->prod - ring->cons))
		return -ENOSPC;
	err = yasmin_ring_producer_chunks(ring, yasmin_record_size(len), &head);
	if (err)
		return err;

	/* Split the run in two: the header, then the payload. */
	*payload = head;
	payload->index += YASMIN_RECORD_HEADER_SIZE;
	payload->remaining = len;
	head.remaining = YASMIN_RECORD_HEADER_SIZE;
	while (yasmin_ring_next_chunk(&head, &data, &n)) {
		for (i = 0; i < n; i++)
			((unsigned char *)data)[i] = *src++;
	}
	return 0;
}

/**
 * yasmin_record_commit() - Publish a record written through yasmin_record_begin().
 * @ring: producer
 * @len: the payload length given to yasmin_record_begin()
 *
 * Call yasmin_ring_producer_should_notify() afterwards.
 *
 * Return: 0, or what yasmin_ring_producer_commit() returns.
 */
int yasmin_record_commit(struct yasmin_ring_producer *ring, u32 len)
{
	if (len > yasmin_record_max_len(ring->size))
		return -EINVAL;
	return yasmin_ring_producer_commit(ring, yasmin_record_size(len));
}

/**
 * yasmin_record_check() - Whether a header copied out of a ring describes a whole record.
 * @hdr: the private copy
 * @readable: bytes readable in the ring, from the header's first byte on
 * @ring_size: the ring's size
 *
 * Return: YASMIN_RECORD_VALID, or what is wrong with it.
 */
enum yasmin_record_fault yasmin_record_check(const struct yasmin_record_header *hdr,
					     u32 readable, u32 ring_size)
{
	if (hdr->flags & ~YASMIN_RECORD_FLAGS)
		return YASMIN_RECORD_FAULT_FLAGS;
	if (ring_size < YASMIN_RECORD_HEADER_SIZE || hdr->len > yasmin_record_max_len(ring_size))
		return YASMIN_RECORD_FAULT_TOO_LONG;
	if (readable < YASMIN_RECORD_HEADER_SIZE ||
	    hdr->len > readable - YASMIN_RECORD_HEADER_SIZE)
		return YASMIN_RECORD_FAULT_PARTIAL;
	return YASMIN_RECORD_VALID;
}

/**
 * yasmin_record_read() - Copy out and check the header of the next record.
 * @ring: consumer, after yasmin_ring_consumer_readable() found bytes readable
 * @hdr: set to the checked copy of the header
 * @fault: set to why the record was refused, or YASMIN_RECORD_VALID
 *
 * Looks only at the bytes the last yasmin_ring_consumer_readable() or
 * yasmin_ring_consumer_prepare_to_wait() found, and does not consume anything.
 *
 * Return: 0; -EAGAIN if nothing is readable; -EPROTO if the record is invalid (@fault says
 * why: the caller resets the connection) or the ring is broken (@fault is
 * YASMIN_RECORD_VALID then, and the ring's fault says why).
 */
int yasmin_record_read(struct yasmin_ring_consumer *ring, struct yasmin_record_header *hdr,
		       enum yasmin_record_fault *fault)
{
	union {
		unsigned char bytes[YASMIN_RECORD_HEADER_SIZE];
		struct yasmin_record_header hdr;
	} copy;
	struct yasmin_ring_chunks chunks;
	u32 readable, n, i, at = 0;
	void *data;

	*fault = YASMIN_RECORD_VALID;
	if (ring->fault)
		return -EPROTO;
	readable = ring->prod - ring->cons;
	if (!readable)
		return -EAGAIN;
	if (readable < YASMIN_RECORD_HEADER_SIZE) {
		*fault = YASMIN_RECORD_FAULT_PARTIAL;
		return -EPROTO;
	}
	if (yasmin_ring_consumer_chunks(ring, 0, YASMIN_RECORD_HEADER_SIZE, &chunks))
		return -EPROTO;
	while (yasmin_ring_next_chunk(&chunks, &data, &n)) {
		for (i = 0; i < n; i++)
			copy.bytes[at++] = READ_ONCE(((const unsigned char *)data)[i]);
	}
	*fault = yasmin_record_check(&copy.hdr, readable, ring->size);
	if (*fault)
		return -EPROTO;
	*hdr = copy.hdr;
	return 0;
}

/**
 * yasmin_record_payload() - Where the first bytes of a record's payload are.
 * @ring: consumer
 * @hdr: from yasmin_record_read(), record not consumed yet
 * @len: bytes wanted, at most @hdr->len (a shorter buffer takes the start of the message)
 * @payload: set up for yasmin_ring_next_chunk()
 *
 * Return: 0, -EINVAL if @len is more than the payload, or -EPROTO if the ring is broken.
 */
int yasmin_record_payload(struct yasmin_ring_consumer *ring,
			  const struct yasmin_record_header *hdr, u32 len,
			  struct yasmin_ring_chunks *payload)
{
	if (len > hdr->len)
		return -EINVAL;
	return yasmin_ring_consumer_chunks(ring, YASMIN_RECORD_HEADER_SIZE, len, payload);
}

/**
 * yasmin_record_consume() - Hand a whole record back to the producer, read or not.
 * @ring: consumer
 * @hdr: from yasmin_record_read()
 *
 * Call yasmin_ring_consumer_should_notify() afterwards.
 *
 * Return: 0, -EINVAL if the record is not all readable, or -EPROTO if the ring is broken.
 */
int yasmin_record_consume(struct yasmin_ring_consumer *ring,
			  const struct yasmin_record_header *hdr)
{
	if (hdr->len > yasmin_record_max_len(ring->size))
		return -EINVAL;
	return yasmin_ring_consumer_consume(ring, yasmin_record_size(hdr->len));
}
