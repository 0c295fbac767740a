// SPDX-License-Identifier: GPL-2.0
/*
 * Ring memory: granting a ring this domain produces to one peer, mapping a ring a peer
 * produces, and giving both back.
 *
 * Rules from the Xen security advisories (XSA-396/403) applied here: granted pages are zeroed
 * and never held other data; they are granted to one domid only; the consumer maps the data
 * read-only; a granted page is freed only after the grant was revoked, which with Linux 6.1's
 * gnttab_end_foreign_access() may be later, once the peer has unmapped it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <xen/grant_table.h>
#include <xen/interface/grant_table.h>
#include <xen/page.h>

#include "ring_budget.h"
#include "shared_ring.h"
#include "yasmin.h"

/* ---- budgets --------------------------------------------------------------------------- */

/*
 * Pages mapped from peers by default: a quarter of what Xen's default maptrack table (1024
 * frames) allows a domain, and 256 MiB of peer memory: four peers' worth of full budgets.
 */
#define YASMIN_DEFAULT_MAPPED_PAGES	65536u

static u32 yasmin_granted_max;
static u32 yasmin_mapped_max;
/* Pages granted, or ended but still mapped by a peer: what the grant budget counts. */
static atomic_t yasmin_granted_pages = ATOMIC_INIT(0);
static atomic_t yasmin_mapped_pages = ATOMIC_INIT(0);

/*
 * The automatic grant budget: half of the grant references the domain can ever have (the
 * rest is netfront's, blkfront's and other drivers'), and no more than a quarter of its
 * memory.  References are counted in version 1 entries, which Linux uses unless the domain
 * has more memory than version 1 frame numbers reach; with version 2 the grant code runs out
 * earlier and yasmin_grant() fails cleanly instead.
 */
static u32 yasmin_auto_granted_max(void)
{
	u64 refs = (u64)gnttab_max_grant_frames() * (XEN_PAGE_SIZE / sizeof(struct grant_entry_v1));
	u64 pages = min_t(u64, refs / 2, totalram_pages() / 4);

	return min_t(u64, pages, U32_MAX);
}

void yasmin_budget_init(u32 max_granted_pages, u32 max_mapped_pages)
{
	yasmin_granted_max = max_granted_pages ?: yasmin_auto_granted_max();
	yasmin_mapped_max = max_mapped_pages ?: YASMIN_DEFAULT_MAPPED_PAGES;
	pr_info("budget: %u pages granted, %u pages mapped at most\n", yasmin_granted_max,
		yasmin_mapped_max);
}

u32 yasmin_budget_granted_max(void)
{
	return yasmin_granted_max;
}

u32 yasmin_budget_mapped_max(void)
{
	return yasmin_mapped_max;
}

u32 yasmin_budget_granted_used(void)
{
	return atomic_read(&yasmin_granted_pages);
}

u32 yasmin_budget_mapped_used(void)
{
	return atomic_read(&yasmin_mapped_pages);
}

/* A ring of up to @wanted data pages: the data pages granted, or 0 with nothing taken. */
static u32 yasmin_budget_take_ring(u32 wanted)
{
	int used, pages;

	do {
		used = atomic_read(&yasmin_granted_pages);
		pages = yasmin_ring_pages_within_budget(wanted, used, yasmin_granted_max);
		if (!pages)
			return 0;
	} while (atomic_cmpxchg(&yasmin_granted_pages, used, used + pages + 1) != used);
	return pages;
}

/* Exactly @count pages of @budget (at most @max), or false with nothing taken. */
static bool yasmin_budget_take(atomic_t *budget, u32 max, u32 count)
{
	int used;

	do {
		used = atomic_read(budget);
		if (count > max || used > max - count)
			return false;
	} while (atomic_cmpxchg(budget, used, used + count) != used);
	return true;
}

u32 yasmin_ring_pages_for_size(u64 bytes)
{
	u64 pages = bytes / YASMIN_PAGE_SIZE;

	if (pages < YASMIN_RING_MIN_PAGES)
		return YASMIN_RING_MIN_PAGES;
	if (pages > YASMIN_RING_MAX_PAGES)
		return YASMIN_RING_MAX_PAGES;
	return rounddown_pow_of_two(pages);
}

static int yasmin_grant(domid_t peer, void *addr, bool readonly, grant_ref_t *ref)
{
	int ret;

	ret = gnttab_grant_foreign_access(peer, virt_to_gfn(addr), readonly);
	if (ret < 0)
		return ret;
	*ref = ret;
	atomic_inc(&yasmin_stats.grants_active);
	return 0;
}

/*
 * Grants a peer still mapped when we ended them.  Their pages stay counted against the grant
 * budget until the peer lets go, so that a peer that never unmaps (or a fast open/close loop)
 * can hold at most the budget, never the domain's whole grant table.  A delayed work retries
 * them; a dead peer's mappings are gone at once, a live one unmaps when it closes its end.
 */
struct yasmin_deferred_grant {
	struct list_head node;
	grant_ref_t ref;
	void *addr;
};

#define YASMIN_DEFERRED_RETRY	(HZ / 10)

static LIST_HEAD(yasmin_deferred_grants);
static DEFINE_SPINLOCK(yasmin_deferred_lock);
static void yasmin_retry_deferred(struct work_struct *work);
static DECLARE_DELAYED_WORK(yasmin_deferred_work, yasmin_retry_deferred);

static void yasmin_release_page(void *addr)
{
	put_page(virt_to_page(addr));
	atomic_dec(&yasmin_granted_pages);
}

static void yasmin_retry_deferred(struct work_struct *work)
{
	struct yasmin_deferred_grant *d, *tmp;
	LIST_HEAD(pending);
	bool again;

	spin_lock(&yasmin_deferred_lock);
	list_splice_init(&yasmin_deferred_grants, &pending);
	spin_unlock(&yasmin_deferred_lock);

	list_for_each_entry_safe(d, tmp, &pending, node) {
		if (!gnttab_try_end_foreign_access(d->ref))
			continue;
		yasmin_release_page(d->addr);
		list_del(&d->node);
		kfree(d);
	}

	spin_lock(&yasmin_deferred_lock);
	list_splice(&pending, &yasmin_deferred_grants);
	again = !list_empty(&yasmin_deferred_grants);
	spin_unlock(&yasmin_deferred_lock);
	if (again)
		schedule_delayed_work(&yasmin_deferred_work, YASMIN_DEFERRED_RETRY);
}

/* Revokes @ref and frees @addr's page: now if the peer has no mapping left, otherwise later. */
static void yasmin_ungrant_and_free(grant_ref_t ref, void *addr)
{
	struct yasmin_deferred_grant *d;

	atomic_dec(&yasmin_stats.grants_active);
	if (gnttab_try_end_foreign_access(ref)) {
		yasmin_release_page(addr);
		return;
	}
	atomic_inc(&yasmin_stats.grants_deferred);
	d = kmalloc(sizeof(*d), GFP_KERNEL | __GFP_NOFAIL);
	d->ref = ref;
	d->addr = addr;
	spin_lock(&yasmin_deferred_lock);
	list_add_tail(&d->node, &yasmin_deferred_grants);
	spin_unlock(&yasmin_deferred_lock);
	schedule_delayed_work(&yasmin_deferred_work, YASMIN_DEFERRED_RETRY);
}

/*
 * At unload, every peer has been told to let go; grants some peer still maps go to the grant
 * code's own deferred list, which frees each page once the peer unmaps it.
 */
void yasmin_shared_exit(void)
{
	struct yasmin_deferred_grant *d, *tmp;

	cancel_delayed_work_sync(&yasmin_deferred_work);
	list_for_each_entry_safe(d, tmp, &yasmin_deferred_grants, node) {
		gnttab_end_foreign_access(d->ref, virt_to_page(d->addr));
		atomic_dec(&yasmin_granted_pages);
		list_del(&d->node);
		kfree(d);
	}
}

/**
 * yasmin_tx_ring_create() - Allocate a ring this domain produces and grant it to @peer.
 * @tx: zeroed by the caller
 * @peer: the only domain the pages are granted to
 * @wanted_pages: data pages asked for, a power of two within the contract; the grant budget
 *	may give fewer (ring_budget.h), tx->nr_pages says how many
 *
 * The data pages are allocated one by one: the ring code does not need them contiguous, and
 * two hundred 512 KiB rings would otherwise need two hundred order-7 allocations.
 *
 * Return: 0, -ENOBUFS when the grant budget has no room for even a one-page ring, or
 * another negative errno; nothing is left allocated or granted on error.
 */
int yasmin_tx_ring_create(struct yasmin_tx_ring *tx, domid_t peer, u32 wanted_pages)
{
	u32 allocated = 0, granted = 0, nr_pages, i;
	int err = -ENOMEM;

	BUILD_BUG_ON(PAGE_SIZE != YASMIN_PAGE_SIZE);

	nr_pages = yasmin_budget_take_ring(wanted_pages);
	if (!nr_pages)
		return -ENOBUFS;
	tx->nr_pages = nr_pages;
	tx->pages = kcalloc(nr_pages, sizeof(*tx->pages), GFP_KERNEL);
	tx->data_refs = kcalloc(nr_pages, sizeof(*tx->data_refs), GFP_KERNEL);
	tx->desc = alloc_pages_exact(PAGE_SIZE, GFP_KERNEL | __GFP_ZERO);
	if (!tx->pages || !tx->data_refs || !tx->desc)
		goto err_free;
	for (allocated = 0; allocated < nr_pages; allocated++) {
		tx->pages[allocated] = alloc_pages_exact(PAGE_SIZE, GFP_KERNEL | __GFP_ZERO);
		if (!tx->pages[allocated])
			goto err_free;
	}

	err = yasmin_ring_producer_init(&tx->ring, tx->desc, tx->pages, nr_pages);
	if (err)
		goto err_free;

	for (granted = 0; granted < nr_pages; granted++) {
		err = yasmin_grant(peer, tx->pages[granted], true, &tx->data_refs[granted]);
		if (err)
			goto err_ungrant;
		tx->desc->grefs[granted] = tx->data_refs[granted];
	}
	/* Granted last, when its contents are final: the peer's first look sees a whole ring. */
	err = yasmin_grant(peer, tx->desc, false, &tx->desc_ref);
	if (err)
		goto err_ungrant;

	tx->live = true;
	return 0;

err_ungrant:
	/* Never mapped: the peer has not been told the references yet. */
	for (i = 0; i < granted; i++)
		yasmin_ungrant_and_free(tx->data_refs[i], tx->pages[i]);
err_free:
	for (i = granted; i < allocated; i++)
		free_pages_exact(tx->pages[i], PAGE_SIZE);
	if (tx->desc)
		free_pages_exact(tx->desc, PAGE_SIZE);
	kfree(tx->pages);
	kfree(tx->data_refs);
	memset(tx, 0, sizeof(*tx));
	/* What was granted went back through yasmin_ungrant_and_free(). */
	atomic_sub(nr_pages + 1 - granted, &yasmin_granted_pages);
	/* The grant table itself may be full (other drivers, deferred grants). */
	return err == -ENOSPC ? -ENOBUFS : err;
}

/* Revokes every grant of @tx; the pages go back once the peer has unmapped them. */
void yasmin_tx_ring_destroy(struct yasmin_tx_ring *tx)
{
	u32 i;

	if (!tx->live)
		return;
	yasmin_ungrant_and_free(tx->desc_ref, tx->desc);
	for (i = 0; i < tx->nr_pages; i++)
		yasmin_ungrant_and_free(tx->data_refs[i], tx->pages[i]);
	kfree(tx->pages);
	kfree(tx->data_refs);
	memset(tx, 0, sizeof(*tx));
}

/* Return: 0, -ENOBUFS over budget or with a full grant table, or -ENOMEM. */
int yasmin_granted_page_create(struct yasmin_granted_page *gp, domid_t peer)
{
	int err;

	if (!yasmin_budget_take(&yasmin_granted_pages, yasmin_granted_max, 1))
		return -ENOBUFS;
	gp->addr = alloc_pages_exact(PAGE_SIZE, GFP_KERNEL | __GFP_ZERO);
	err = gp->addr ? yasmin_grant(peer, gp->addr, false, &gp->ref) : -ENOMEM;
	if (err) {
		if (gp->addr)
			free_pages_exact(gp->addr, PAGE_SIZE);
		gp->addr = NULL;
		atomic_dec(&yasmin_granted_pages);
		return err == -ENOSPC ? -ENOBUFS : err;
	}
	gp->live = true;
	return 0;
}

void yasmin_granted_page_destroy(struct yasmin_granted_page *gp)
{
	if (!gp->live)
		return;
	yasmin_ungrant_and_free(gp->ref, gp->addr);
	memset(gp, 0, sizeof(*gp));
}

static unsigned long yasmin_page_vaddr(struct page *page)
{
	return (unsigned long)pfn_to_kaddr(page_to_xen_pfn(page));
}

/*
 * Maps @count grants into @pages (from gnttab_alloc_pages()), recording each handle.  On
 * failure every mapping that did succeed is undone and an error returned.
 */
static int yasmin_map_grants(domid_t peer, const grant_ref_t *refs, u32 count, bool readonly,
			     struct page **pages, grant_handle_t *handles)
{
	struct gnttab_map_grant_ref *ops;
	u32 flags = GNTMAP_host_map | (readonly ? GNTMAP_readonly : 0);
	int err, i;

	ops = kcalloc(count, sizeof(*ops), GFP_KERNEL);
	if (!ops)
		return -ENOMEM;
	for (i = 0; i < count; i++)
		gnttab_set_map_op(&ops[i], yasmin_page_vaddr(pages[i]), flags, refs[i], peer);

	err = gnttab_map_refs(ops, NULL, pages, count);
	for (i = 0; i < count; i++) {
		if (ops[i].status == GNTST_okay) {
			handles[i] = ops[i].handle;
			atomic_inc(&yasmin_stats.maps_active);
		} else {
			handles[i] = INVALID_GRANT_HANDLE;
			if (!err)
				err = -ENXIO;
		}
	}
	kfree(ops);
	return err;
}

static void yasmin_unmap_grants(struct page **pages, grant_handle_t *handles, u32 count,
				bool readonly)
{
	struct gnttab_unmap_grant_ref *ops;
	struct page **mapped;
	u32 flags = GNTMAP_host_map | (readonly ? GNTMAP_readonly : 0);
	u32 i, n = 0;

	/*
	 * Teardown must not fail.  kvcalloc: a 2 MiB ring has 512 pages, 12 KiB of ops, and
	 * kmalloc warns about __GFP_NOFAIL beyond order 1 (the lab saw it); kvmalloc gets the
	 * no-fail promise from its vmalloc fallback instead.
	 */
	ops = kvcalloc(count, sizeof(*ops), GFP_KERNEL | __GFP_NOFAIL);
	mapped = kvcalloc(count, sizeof(*mapped), GFP_KERNEL | __GFP_NOFAIL);
	for (i = 0; i < count; i++) {
		if (handles[i] == INVALID_GRANT_HANDLE)
			continue;
		gnttab_set_unmap_op(&ops[n], yasmin_page_vaddr(pages[i]), flags, handles[i]);
		mapped[n++] = pages[i];	/* gnttab_unmap_refs() wants them in the ops' order */
		handles[i] = INVALID_GRANT_HANDLE;
	}
	if (n && gnttab_unmap_refs(ops, NULL, mapped, n))
		pr_err("unmapping %u peer pages failed\n", n);
	for (i = 0; i < n; i++)
		if (ops[i].status != GNTST_okay)
			pr_err("unmapping a peer page failed: %d\n", ops[i].status);
	atomic_sub(n, &yasmin_stats.maps_active);
	kvfree(mapped);
	kvfree(ops);
}

/**
 * yasmin_rx_ring_map() - Map a ring @peer produces, after validating its descriptor.
 * @rx: zeroed by the caller
 * @peer: the producer; only its grants are mapped
 * @desc_ref: grant reference of the descriptor page, as the peer announced it
 * @fault: set to the cause when the peer's descriptor is invalid
 *
 * The descriptor is mapped first and its constant part copied and validated once
 * (yasmin_ring_read_layout()); only that copy decides what is mapped next.
 *
 * Return: 0; -EPROTO for an invalid descriptor; another negative errno if mapping failed
 * (for example a grant reference the peer never granted us).  Nothing stays mapped on error.
 */
int yasmin_rx_ring_map(struct yasmin_rx_ring *rx, domid_t peer, grant_ref_t desc_ref,
		       enum yasmin_ring_fault *fault)
{
	struct yasmin_ring_layout *layout;
	struct page *desc_page;
	grant_handle_t desc_handle;
	u32 nr, i;
	int err;

	*fault = YASMIN_RING_HEALTHY;
	if (!yasmin_budget_take(&yasmin_mapped_pages, yasmin_mapped_max, 1))
		return -ENOBUFS;
	layout = kmalloc(sizeof(*layout), GFP_KERNEL);
	err = -ENOMEM;
	if (!layout)
		goto out_budget;

	err = gnttab_alloc_pages(1, &desc_page);
	if (err)
		goto out_layout;
	err = yasmin_map_grants(peer, &desc_ref, 1, false, &desc_page, &desc_handle);
	if (err)
		goto out_desc_page;

	err = yasmin_ring_read_layout(page_address(desc_page), layout, fault);
	if (err)
		goto out_desc_unmap;
	nr = layout->nr_pages;
	err = -ENOBUFS;
	if (!yasmin_budget_take(&yasmin_mapped_pages, yasmin_mapped_max, nr))
		goto out_desc_unmap;

	err = -ENOMEM;
	rx->pages = kcalloc(nr + 1, sizeof(*rx->pages), GFP_KERNEL);
	rx->handles = kcalloc(nr + 1, sizeof(*rx->handles), GFP_KERNEL);
	rx->data = kcalloc(nr, sizeof(*rx->data), GFP_KERNEL);
	if (!rx->pages || !rx->handles || !rx->data)
		goto out_arrays;
	err = gnttab_alloc_pages(nr, rx->pages + 1);
	if (err)
		goto out_arrays;
	err = yasmin_map_grants(peer, layout->grefs, nr, true, rx->pages + 1, rx->handles + 1);
	if (err) {
		yasmin_unmap_grants(rx->pages + 1, rx->handles + 1, nr, true);
		gnttab_free_pages(nr, rx->pages + 1);
		goto out_arrays;
	}

	rx->pages[0] = desc_page;
	rx->handles[0] = desc_handle;
	rx->nr_pages = nr;
	for (i = 0; i < nr; i++)
		rx->data[i] = page_address(rx->pages[i + 1]);
	err = yasmin_ring_consumer_init(&rx->ring, page_address(desc_page), layout, rx->data);
	if (WARN_ON(err)) {
		yasmin_unmap_grants(rx->pages + 1, rx->handles + 1, nr, true);
		gnttab_free_pages(nr, rx->pages + 1);
		goto out_arrays;
	}
	rx->live = true;
	kfree(layout);
	return 0;

out_arrays:
	kfree(rx->pages);
	kfree(rx->handles);
	kfree(rx->data);
	rx->pages = NULL;
	rx->handles = NULL;
	rx->data = NULL;
	atomic_sub(nr, &yasmin_mapped_pages);
out_desc_unmap:
	yasmin_unmap_grants(&desc_page, &desc_handle, 1, false);
out_desc_page:
	gnttab_free_pages(1, &desc_page);
out_layout:
	kfree(layout);
out_budget:
	atomic_dec(&yasmin_mapped_pages);
	return err;
}

void yasmin_rx_ring_unmap(struct yasmin_rx_ring *rx)
{
	u32 nr = rx->nr_pages;

	if (!rx->live)
		return;
	yasmin_unmap_grants(rx->pages + 1, rx->handles + 1, nr, true);
	gnttab_free_pages(nr, rx->pages + 1);
	yasmin_unmap_grants(rx->pages, rx->handles, 1, false);
	gnttab_free_pages(1, rx->pages);
	atomic_sub(nr + 1, &yasmin_mapped_pages);
	kfree(rx->pages);
	kfree(rx->handles);
	kfree(rx->data);
	memset(rx, 0, sizeof(*rx));
}

/*
 * Maps one page @peer granted us read-write.  Return: 0, -ENOBUFS over the mapping budget,
 * or a negative errno from the grant code (a reference that is not ours to map).
 */
int yasmin_mapped_page_map(struct yasmin_mapped_page *mp, domid_t peer, grant_ref_t ref)
{
	int err;

	if (!yasmin_budget_take(&yasmin_mapped_pages, yasmin_mapped_max, 1))
		return -ENOBUFS;
	err = gnttab_alloc_pages(1, &mp->page);
	if (err)
		goto err_budget;
	err = yasmin_map_grants(peer, &ref, 1, false, &mp->page, &mp->handle);
	if (err) {
		gnttab_free_pages(1, &mp->page);
		goto err_budget;
	}
	mp->addr = page_address(mp->page);
	mp->live = true;
	return 0;

err_budget:
	atomic_dec(&yasmin_mapped_pages);
	mp->page = NULL;
	return err;
}

void yasmin_mapped_page_unmap(struct yasmin_mapped_page *mp)
{
	if (!mp->live)
		return;
	yasmin_unmap_grants(&mp->page, &mp->handle, 1, false);
	gnttab_free_pages(1, &mp->page);
	atomic_dec(&yasmin_mapped_pages);
	memset(mp, 0, sizeof(*mp));
}
