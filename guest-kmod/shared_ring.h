/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The memory shared with peers: one direction of a ring (ring.h has the index logic), the
 * producer's pages granted to exactly one peer and the consumer's mapping of them, used for
 * the per-connection data rings and the per-peer control rings alike; and single pages (the
 * doorbells).  All of it is counted against two budgets, pages granted and pages mapped, so
 * that no number of connections or hostile peer can use up the domain's grant table,
 * memory or mapping space (ring_budget.h).
 */
#ifndef YASMIN_SHARED_RING_H
#define YASMIN_SHARED_RING_H

#include <xen/grant_table.h>

#include "ring.h"

/*
 * struct yasmin_tx_ring - a ring this domain produces.
 *
 * Every page comes from alloc_pages_exact(), zeroed, and is handed to
 * gnttab_end_foreign_access() on its own: a page the peer still maps is freed by the grant
 * code only once the peer has let go of it.  The grant references are kept
 * here too, because the copy in the descriptor is writable by the consumer.
 */
struct yasmin_tx_ring {
	struct yasmin_ring_producer ring;
	struct yasmin_ring_desc *desc;
	void **pages;			/* the data pages, for the ring code */
	grant_ref_t *data_refs;
	grant_ref_t desc_ref;
	u32 nr_pages;
	bool live;
};

/* One zeroed page this domain owns and grants read-write to one peer. */
struct yasmin_granted_page {
	void *addr;
	grant_ref_t ref;
	bool live;
};

/* One page of a peer's, mapped read-write here. */
struct yasmin_mapped_page {
	struct page *page;
	grant_handle_t handle;
	void *addr;
	bool live;
};

/*
 * struct yasmin_rx_ring - a ring the peer produces, mapped here: the descriptor read-write
 * (this side writes cons and prod_wanted) and the data pages read-only.
 */
struct yasmin_rx_ring {
	struct yasmin_ring_consumer ring;
	struct page **pages;		/* [0] the descriptor, then the data pages */
	grant_handle_t *handles;
	void **data;			/* kernel addresses of the data pages, for the ring code */
	u32 nr_pages;			/* data pages */
	bool live;
};

/* Budgets in pages; 0 asks for the automatic value.  Called once at load. */
void yasmin_budget_init(u32 max_granted_pages, u32 max_mapped_pages);
u32 yasmin_budget_granted_max(void);
/* At unload, after every peer is gone: hands leftover grants to the grant code. */
void yasmin_shared_exit(void);
u32 yasmin_budget_mapped_max(void);
u32 yasmin_budget_granted_used(void);	/* includes ended grants a peer still maps */
u32 yasmin_budget_mapped_used(void);

int yasmin_tx_ring_create(struct yasmin_tx_ring *tx, domid_t peer, u32 wanted_pages);
void yasmin_tx_ring_destroy(struct yasmin_tx_ring *tx);

int yasmin_rx_ring_map(struct yasmin_rx_ring *rx, domid_t peer, grant_ref_t desc_ref,
		       enum yasmin_ring_fault *fault);
void yasmin_rx_ring_unmap(struct yasmin_rx_ring *rx);

int yasmin_granted_page_create(struct yasmin_granted_page *gp, domid_t peer);
void yasmin_granted_page_destroy(struct yasmin_granted_page *gp);
int yasmin_mapped_page_map(struct yasmin_mapped_page *mp, domid_t peer, grant_ref_t ref);
void yasmin_mapped_page_unmap(struct yasmin_mapped_page *mp);

/* Ring size in pages for a socket buffer size in bytes: a power of two within the contract. */
u32 yasmin_ring_pages_for_size(u64 bytes);

#endif /* YASMIN_SHARED_RING_H */
