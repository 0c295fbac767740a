/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Doorbells (struct yasmin_doorbell_page in <yasmin/contract.h>): ringing a slot of the
 * peer's page, and collecting the slots rung in ours.  Only the bit protocol; event channels,
 * slot lookup and what a slot means are the caller's.  The same file builds into yasmin.ko
 * and into the userspace unit tests.
 *
 * Both pages are writable by the other domain, so nothing read from them is trusted: a bit is
 * only a hint to look at a ring, and collecting touches nothing outside the page.
 */
#ifndef YASMIN_DOORBELL_H
#define YASMIN_DOORBELL_H

#include "ring_platform.h"

#include <yasmin/contract.h>

/**
 * yasmin_doorbell_ring() - Ring @slot in the peer's doorbell page @db.
 *
 * Return: true if the caller must send an event; false if one is on its way already (the
 * summary bit was set, and whoever set it sends one) or @slot is out of range.
 */
bool yasmin_doorbell_ring(struct yasmin_doorbell_page *db, u32 slot);

/**
 * yasmin_doorbell_collect() - Take every slot rung in our doorbell page @db.
 * @fn: called once per slot found set, in increasing order, with @arg
 *
 * Return: the number of slots found.
 */
u32 yasmin_doorbell_collect(struct yasmin_doorbell_page *db,
			    void (*fn)(u32 slot, void *arg), void *arg);

#endif /* YASMIN_DOORBELL_H */
