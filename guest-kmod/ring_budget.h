/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How big a new ring may be, given how many pages this domain has granted already.
 *
 * A domain has a fixed number of grant references (Xen's default: 64 grant frames, 32,768
 * references) shared with netfront and blkfront, and its memory.  The paper's 128 pages per
 * direction would use all of it after about 120 connections.  So yasmin keeps within a budget
 * of granted pages (shared_ring.c sets it) and sizes each new ring by what is left:
 *
 *   - while the ring, once granted, leaves at least half of the budget free, it gets the
 *     size it asked for (ring_size, or SO_VM_SOCKETS_BUFFER_SIZE);
 *   - beyond that it gets at most 1/YASMIN_BUDGET_SHARE_DIVISOR of what is still free,
 *     rounded down to a power of two of pages, but at least one page;
 *   - when not even that fits, none: connect() fails with ENOBUFS.
 *
 * So the first connections get full rings, and a burst of connections shrinks the rings
 * geometrically instead of failing: with a 16,384-page budget, 63 connections get 512 KiB
 * rings and about 1,700 more get smaller ones before the budget runs out.
 *
 * Pure arithmetic: builds into yasmin.ko and into the userspace unit tests.
 */
#ifndef YASMIN_RING_BUDGET_H
#define YASMIN_RING_BUDGET_H

#include "ring_platform.h"

#define YASMIN_BUDGET_SHARE_DIVISOR 512u

/**
 * yasmin_ring_pages_within_budget() - Data pages for a new ring.
 * @wanted: data pages asked for, a power of two >= 1
 * @used: pages granted already (data and descriptors)
 * @budget: pages that may be granted at once
 *
 * Return: a power of two of data pages <= @wanted, or 0 if no ring fits.  The ring costs the
 * returned number plus one, its descriptor page.
 */
u32 yasmin_ring_pages_within_budget(u32 wanted, u32 used, u32 budget);

#endif /* YASMIN_RING_BUDGET_H */
