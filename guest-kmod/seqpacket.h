/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SOCK_SEQPACKET records in a data ring (struct yasmin_record_header in <yasmin/contract.h>):
 * writing one whole, and reading and validating the header of the next.  Built on ring.h and,
 * like it, compiled into yasmin.ko and into the userspace unit tests and fuzzer; copying to or
 * from sockets is the caller's.
 *
 * A record is committed whole: header and payload with one yasmin_ring_producer_commit().  So
 * a consumer that finds bytes readable must find a whole record there; anything else is the
 * peer breaking the contract, and the caller resets the connection.
 */
#ifndef YASMIN_SEQPACKET_H
#define YASMIN_SEQPACKET_H

#include "ring.h"

/* Why a record was refused.  Unlike a ring fault, it is not kept: the caller resets at once. */
enum yasmin_record_fault {
	YASMIN_RECORD_VALID = 0,
	YASMIN_RECORD_FAULT_FLAGS,	/* flags outside YASMIN_RECORD_FLAGS */
	YASMIN_RECORD_FAULT_TOO_LONG,	/* longer than the ring can ever hold */
	YASMIN_RECORD_FAULT_PARTIAL,	/* header or payload not all readable: not committed whole */
	YASMIN_RECORD_NR_FAULTS
};

/* The largest message a ring of @ring_size bytes carries. */
static inline u32 yasmin_record_max_len(u32 ring_size)
{
	return ring_size - YASMIN_RECORD_HEADER_SIZE;
}

/* Ring bytes a message of @len bytes takes, header included; @len at most the maximum. */
static inline u32 yasmin_record_size(u32 len)
{
	return YASMIN_RECORD_HEADER_SIZE + len;
}

const char *yasmin_record_fault_str(enum yasmin_record_fault fault);

/* Producer side. */
int yasmin_record_begin(struct yasmin_ring_producer *ring, u32 len, u32 flags,
			struct yasmin_ring_chunks *payload);
int yasmin_record_commit(struct yasmin_ring_producer *ring, u32 len);

/* Consumer side. */
enum yasmin_record_fault yasmin_record_check(const struct yasmin_record_header *hdr,
					     u32 readable, u32 ring_size);
int yasmin_record_read(struct yasmin_ring_consumer *ring, struct yasmin_record_header *hdr,
		       enum yasmin_record_fault *fault);
int yasmin_record_payload(struct yasmin_ring_consumer *ring,
			  const struct yasmin_record_header *hdr, u32 len,
			  struct yasmin_ring_chunks *payload);
int yasmin_record_consume(struct yasmin_ring_consumer *ring,
			  const struct yasmin_record_header *hdr);

#endif /* YASMIN_SEQPACKET_H */
