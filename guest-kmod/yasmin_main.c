// SPDX-License-Identifier: GPL-2.0
/*
 * yasmin.ko: shared-memory stream sockets between co-located Xen domains, under AF_VSOCK.
 *
 * This file holds module load/unload, the module parameters, and what /sys/kernel/yasmin/
 * shows: the module's identity (the domid it runs in, read from XenStore at load time and
 * never compiled in, and the vsock CID derived from it by the contract's CID scheme) and its
 * counters.  yasmin.h lists the other parts.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kobject.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/proc_fs.h>
#include <net/net_namespace.h>
#include <linux/sysfs.h>
#include <linux/workqueue.h>
#include <xen/xen.h>
#include <xen/xenbus.h>

#include "peer.h"
#include "shared_ring.h"
#include "suspend.h"
#include "view.h"
#include "yasmin.h"

u16 yasmin_local_domid;
struct workqueue_struct *yasmin_wq;
struct yasmin_stats yasmin_stats;
static struct kobject *yasmin_kobj;

unsigned int yasmin_default_ring_size = YASMIN_RING_DEFAULT_SIZE;

/* A ring size is a power of two of whole pages within the contract's limits; nothing else. */
static int yasmin_ring_size_set(const char *val, const struct kernel_param *kp)
{
	unsigned int size;
	int err;

	err = kstrtouint(val, 0, &size);
	if (err)
		return err;
	if (!is_power_of_2(size) || size < YASMIN_RING_MIN_PAGES * YASMIN_PAGE_SIZE ||
	    size > YASMIN_RING_MAX_PAGES * YASMIN_PAGE_SIZE) {
		pr_err("ring_size=%s: must be a power of two from %u to %u bytes\n", val,
		       YASMIN_RING_MIN_PAGES * YASMIN_PAGE_SIZE,
		       YASMIN_RING_MAX_PAGES * YASMIN_PAGE_SIZE);
		return -EINVAL;
	}
	WRITE_ONCE(yasmin_default_ring_size, size);
	return 0;
}

static const struct kernel_param_ops yasmin_ring_size_ops = {
	.set = yasmin_ring_size_set,
	.get = param_get_uint,
};
module_param_cb(ring_size, &yasmin_ring_size_ops, &yasmin_default_ring_size, 0644);
MODULE_PARM_DESC(ring_size,
		 "Default size in bytes of each direction's ring: a power of two, 4096..2097152 (default 524288); SO_VM_SOCKETS_BUFFER_SIZE overrides it per socket");

/* 0: automatic (shared_ring.c explains how they are chosen). */
static unsigned int max_granted_pages;
module_param(max_granted_pages, uint, 0444);
MODULE_PARM_DESC(max_granted_pages,
		 "Pages yasmin may grant to peers at once (rings, doorbells); 0 (default): half the grant table, at most a quarter of memory");
static unsigned int max_mapped_pages;
module_param(max_mapped_pages, uint, 0444);
MODULE_PARM_DESC(max_mapped_pages,
		 "Pages of peers yasmin may map at once; 0 (default): 65536");

void yasmin_count_violation(u16 peer_domid, const char *what)
{
	atomic_inc(&yasmin_stats.protocol_violations);
	pr_warn_ratelimited("domain %u broke the protocol (%s): reset\n", peer_domid, what);
}

/*
 * The toolstack writes /local/domain/<domid>/domid, owned by dom0, so the guest can read but
 * not forge it.  Re-read after resume: migration and restore give the domain a new domid.
 */
int yasmin_read_local_domid(u16 *domid)
{
	unsigned int value;
	int n;

	n = xenbus_scanf(XBT_NIL, YASMIN_XS_DOMID_NODE, "", "%u", &value);
	if (n < 0)
		return n;
	if (n != 1 || !yasmin_domid_is_valid(value))
		return -EINVAL;
	*domid = value;
	return 0;
}

static ssize_t domid_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", yasmin_local_domid);
}

static ssize_t cid_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", yasmin_cid_from_domid(yasmin_local_domid));
}

static ssize_t grant_budget_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", yasmin_budget_granted_max());
}

static ssize_t map_budget_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", yasmin_budget_mapped_max());
}

static ssize_t grant_budget_used_show(struct kobject *kobj, struct kobj_attribute *attr,
				      char *buf)
{
	return sysfs_emit(buf, "%u\n", yasmin_budget_granted_used());
}

static ssize_t map_budget_used_show(struct kobject *kobj, struct kobj_attribute *attr,
				    char *buf)
{
	return sysfs_emit(buf, "%u\n", yasmin_budget_mapped_used());
}

static struct kobj_attribute yasmin_domid_attr = __ATTR_RO(domid);
static struct kobj_attribute yasmin_grant_budget_used_attr = __ATTR_RO(grant_budget_used);
static struct kobj_attribute yasmin_map_budget_used_attr = __ATTR_RO(map_budget_used);
static struct kobj_attribute yasmin_cid_attr = __ATTR_RO(cid);
static struct kobj_attribute yasmin_grant_budget_attr = __ATTR_RO(grant_budget);
static struct kobj_attribute yasmin_map_budget_attr = __ATTR_RO(map_budget);

#define YASMIN_STAT_ATTR(name)								\
	static ssize_t name##_show(struct kobject *kobj, struct kobj_attribute *attr,	\
				   char *buf)						\
	{										\
		return sysfs_emit(buf, "%d\n", atomic_read(&yasmin_stats.name));	\
	}										\
	static struct kobj_attribute yasmin_##name##_attr = __ATTR_RO(name)

YASMIN_STAT_ATTR(grants_active);
YASMIN_STAT_ATTR(grants_deferred);
YASMIN_STAT_ATTR(maps_active);
YASMIN_STAT_ATTR(event_channels);
YASMIN_STAT_ATTR(connections);
YASMIN_STAT_ATTR(peers_connected);
YASMIN_STAT_ATTR(protocol_violations);
YASMIN_STAT_ATTR(resets_sent);
YASMIN_STAT_ATTR(resets_received);

static struct attribute *yasmin_attrs[] = {
	&yasmin_domid_attr.attr,
	&yasmin_cid_attr.attr,
	&yasmin_grant_budget_attr.attr,
	&yasmin_map_budget_attr.attr,
	&yasmin_grant_budget_used_attr.attr,
	&yasmin_map_budget_used_attr.attr,
	&yasmin_grants_active_attr.attr,
	&yasmin_grants_deferred_attr.attr,
	&yasmin_maps_active_attr.attr,
	&yasmin_event_channels_attr.attr,
	&yasmin_connections_attr.attr,
	&yasmin_peers_connected_attr.attr,
	&yasmin_protocol_violations_attr.attr,
	&yasmin_resets_sent_attr.attr,
	&yasmin_resets_received_attr.attr,
	NULL,
};

static const struct attribute_group yasmin_attr_group = {
	.attrs = yasmin_attrs,
};

static int __init yasmin_init(void)
{
	int err;

	if (!xen_domain())
		return -ENODEV;

	err = yasmin_read_local_domid(&yasmin_local_domid);
	if (err) {
		pr_err("cannot read own domid from XenStore: %d\n", err);
		return err;
	}

	yasmin_budget_init(max_granted_pages, max_mapped_pages);

	yasmin_wq = alloc_ordered_workqueue("yasmin", WQ_MEM_RECLAIM);
	if (!yasmin_wq)
		return -ENOMEM;

	err = -ENOMEM;
	yasmin_kobj = kobject_create_and_add("yasmin", kernel_kobj);
	if (!yasmin_kobj)
		goto err_wq;
	err = sysfs_create_group(yasmin_kobj, &yasmin_attr_group);
	if (err)
		goto err_kobj;

	err = yasmin_peers_init();
	if (err)
		goto err_kobj;
	err = yasmin_view_init();
	if (err)
		goto err_peers_only;
	/* After the Xen devices: frozen before them, restored after them. */
	err = yasmin_suspend_init();
	if (err)
		goto err_view;
	/* vsock lives in the initial network namespace only. */
	if (!proc_create_single("yasmin", 0444, init_net.proc_net, yasmin_conns_seq_show) ||
	    !proc_create_single("yasmin_peers", 0444, init_net.proc_net, yasmin_peers_seq_show))
		pr_warn("cannot create /proc/net/yasmin*: counters not shown\n");
	/* Last: from here on sockets can use yasmin. */
	err = yasmin_transport_register();
	if (err)
		goto err_peers;

	pr_info("loaded in domid %u, vsock CID %u\n", yasmin_local_domid,
		yasmin_cid_from_domid(yasmin_local_domid));
	return 0;

err_peers:
	remove_proc_entry("yasmin_peers", init_net.proc_net);
	remove_proc_entry("yasmin", init_net.proc_net);
	yasmin_suspend_exit();
err_view:
	yasmin_view_exit();
err_peers_only:
	yasmin_peers_exit();
	yasmin_shared_exit();
err_kobj:
	kobject_put(yasmin_kobj);
err_wq:
	destroy_workqueue(yasmin_wq);
	return err;
}

/*
 * Every socket using yasmin holds a reference to the module, so rmmod only gets here once the
 * last one is gone; what remains are the control channels, taken down here.
 */
static void __exit yasmin_exit(void)
{
	yasmin_transport_unregister();
	remove_proc_entry("yasmin_peers", init_net.proc_net);
	remove_proc_entry("yasmin", init_net.proc_net);
	yasmin_suspend_exit();
	yasmin_view_exit();
	yasmin_peers_exit();
	yasmin_shared_exit();
	destroy_workqueue(yasmin_wq);
	sysfs_remove_group(yasmin_kobj, &yasmin_attr_group);
	kobject_put(yasmin_kobj);
	pr_info("unloaded\n");
}

module_init(yasmin_init);
module_exit(yasmin_exit);

MODULE_DESCRIPTION("yasmin: shared-memory vsock transport between co-located Xen domains");
MODULE_LICENSE("GPL");
