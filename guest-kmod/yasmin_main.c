// SPDX-License-Identifier: GPL-2.0
/*
 * yasmin.ko: shared-memory stream sockets between co-located Xen domains, under AF_VSOCK.
 *
 * This file holds module load/unload and the module's identity: the domid it runs in, read
 * from XenStore at load time (never compiled in), and the vsock CID derived from it by the
 * contract's CID scheme.  Both are shown read-only in /sys/kernel/yasmin/.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/sysfs.h>
#include <xen/xen.h>
#include <xen/xenbus.h>

#include <yasmin/contract.h>

static u16 yasmin_local_domid;
static struct kobject *yasmin_kobj;

/*
 * The toolstack writes /local/domain/<domid>/domid, owned by dom0, so the guest can read but
 * not forge it.  Re-read after resume: migration and restore give the domain a new domid.
 */
static int yasmin_read_local_domid(u16 *domid)
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

static struct kobj_attribute yasmin_domid_attr = __ATTR_RO(domid);
static struct kobj_attribute yasmin_cid_attr = __ATTR_RO(cid);

static struct attribute *yasmin_attrs[] = {
	&yasmin_domid_attr.attr,
	&yasmin_cid_attr.attr,
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

	yasmin_kobj = kobject_create_and_add("yasmin", kernel_kobj);
	if (!yasmin_kobj)
		return -ENOMEM;
	err = sysfs_create_group(yasmin_kobj, &yasmin_attr_group);
	if (err) {
		kobject_put(yasmin_kobj);
		return err;
	}

	pr_info("loaded in domid %u, vsock CID %u\n", yasmin_local_domid,
		yasmin_cid_from_domid(yasmin_local_domid));
	return 0;
}

static void __exit yasmin_exit(void)
{
	sysfs_remove_group(yasmin_kobj, &yasmin_attr_group);
	kobject_put(yasmin_kobj);
	pr_info("unloaded\n");
}

module_init(yasmin_init);
module_exit(yasmin_exit);

MODULE_DESCRIPTION("yasmin: shared-memory vsock transport between co-located Xen domains");
MODULE_LICENSE("GPL");
