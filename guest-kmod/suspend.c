// SPDX-License-Identifier: GPL-2.0
/*
 * Save/restore and migration: when the domain suspends and when it resumes.
 *
 * `xl save`, `xl migrate` and `xl save -c` (checkpoint) all make the guest kernel run
 * do_suspend() in drivers/xen/manage.c (6.1), in this order:
 *
 *   1. freeze_processes(), freeze_kernel_threads()
 *   2. dpm_suspend_start(PMSG_FREEZE): every device's .freeze; XenStore still works
 *   3. xs_suspend(), dpm_suspend_end(PMSG_FREEZE), then under stop_machine:
 *      gnttab_suspend(), HYPERVISOR_suspend, gnttab_resume(), and, unless the suspend was
 *      cancelled, xen_irq_resume() (every interdomain event channel binding is dropped: the
 *      irqs stay allocated with no channel behind them) and the timers
 *   4. the xen_resume_notifier chain, dpm_resume_start(): XenStore does NOT work yet
 *   5. xs_resume() (or xs_suspend_cancel()): XenStore works again, watches re-registered
 *   6. dpm_resume_end(PMSG_RESTORE), or PMSG_THAW if the suspend was cancelled (a checkpoint,
 *      a failed save or migration: same domain, same domid): every device's .restore or .thaw
 *   7. thaw_processes()
 *
 * What yasmin shares with peers must be gone before the suspend hypercall: a PV domain that
 * still maps a peer's page cannot be saved at all (libxc fails with "Bad mfn"), and grants,
 * event channels and the domid itself do not survive a restore or a migration.  Taking it down
 * means talking to XenStore (withdrawing our halves, unregistering watches) and sending resets
 * to peers, so it must run in step 2, the last point where XenStore works: a device's
 * .freeze.  Coming back means reading the new domid from XenStore, so it must run in step 6:
 * a device's .restore (.thaw when cancelled).  The xen_resume_notifier (step 4) is too early
 * for that and there is no Xen "suspend notifier" at all; hence a device, and the simplest one
 * a module can own is a platform device with a platform driver whose dev_pm_ops hold the
 * callbacks (the platform bus hands .freeze/.thaw/.restore on to the driver; PMSG_FREEZE,
 * PMSG_THAW and PMSG_RESTORE use exactly those three, with CONFIG_HIBERNATE_CALLBACKS=y as in
 * Debian's kernel).  The device is registered at load time, after the Xen devices, so it is
 * frozen before them and restored after them.
 *
 * All of do_suspend() runs in the xenwatch thread: it is the callback of the control/shutdown
 * watch, called with xenwatch_mutex held.  So in .freeze, .thaw and .restore:
 *  - no XenStore watch callback runs (events queue up until do_suspend() returns): waiting for
 *    a watch to fire deadlocks;
 *  - unregister_xenbus_watch() works when called right here (it skips xenwatch_mutex for the
 *    xenwatch thread itself), but blocks on xenwatch_mutex in any other thread: waiting for a
 *    work item that unregisters a watch deadlocks (the lab once saw it: "guest did not suspend,
 *    timed out", the guest hung with its processes frozen), which is why peer.c's workqueue
 *    never unregisters one (peer.c, yasmin_retired);
 *  - xenbus reads, writes and register_xenbus_watch() work (the xenbus thread is not frozen).
 * User processes are frozen; the yasmin workqueue is not freezable, so its work items run.
 * The same callbacks also cover hibernation of the guest to its own disk (freeze, thaw to
 * write the image, restore in the resumed image): .poweroff has nothing left to do after
 * .freeze.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ktime.h>
#include <linux/platform_device.h>
#include <linux/pm.h>

#include "suspend.h"
#include "view.h"
#include "yasmin.h"

#define YASMIN_SUSPEND_NAME "yasmin"

static struct platform_device *yasmin_pdev;
static bool yasmin_pdev_bound;

static int yasmin_pm_freeze(struct device *dev)
{
	ktime_t started = ktime_get();

	yasmin_peers_suspend();
	yasmin_view_suspend();
	pr_info("suspending: every peer let go in %lld us\n",
		ktime_us_delta(ktime_get(), started));
	/* Nothing can fail here: a failure would only abort the save with peers already gone. */
	return 0;
}

static int yasmin_pm_resume(const char *how)
{
	int err = yasmin_peers_resume();

	/*
	 * The view of the domid just read (without one it stays empty, generation 0).  A failure
	 * to watch it is logged there and leaves the peers reachable: not a failed resume.
	 */
	if (!err)
		yasmin_view_resume();
	if (err)
		pr_err("%s: cannot resume (%d): no peer is reachable until the module is reloaded\n",
		       how, err);
	else
		pr_info("%s: domid %u, vsock CID %u\n", how, READ_ONCE(yasmin_local_domid),
			yasmin_local_cid());
	return err;
}

/* The suspend was cancelled: same domain, same domid (xl save -c, a failed save or migration). */
static int yasmin_pm_thaw(struct device *dev)
{
	return yasmin_pm_resume("suspend cancelled");
}

/* Restored or migrated: a new domain, most likely with a new domid. */
static int yasmin_pm_restore(struct device *dev)
{
	return yasmin_pm_resume("resumed");
}

static const struct dev_pm_ops yasmin_pm_ops = {
	.freeze = yasmin_pm_freeze,
	.thaw = yasmin_pm_thaw,
	.restore = yasmin_pm_restore,
};

/* platform_pm_freeze() & co only call the driver's callbacks once it is bound. */
static int yasmin_pm_probe(struct platform_device *pdev)
{
	yasmin_pdev_bound = true;
	return 0;
}

static struct platform_driver yasmin_pm_driver = {
	.probe = yasmin_pm_probe,
	.driver = {
		.name = YASMIN_SUSPEND_NAME,
		.pm = &yasmin_pm_ops,
		.suppress_bind_attrs = true,	/* no unbind through sysfs behind our back */
	},
};

int yasmin_suspend_init(void)
{
	int err;

	err = platform_driver_register(&yasmin_pm_driver);
	if (err)
		return err;
	yasmin_pdev = platform_device_register_simple(YASMIN_SUSPEND_NAME, PLATFORM_DEVID_NONE,
						      NULL, 0);
	if (IS_ERR(yasmin_pdev)) {
		err = PTR_ERR(yasmin_pdev);
		goto err_driver;
	}
	/* Probing is synchronous for a driver registered first. */
	if (!yasmin_pdev_bound) {
		err = -ENODEV;
		goto err_device;
	}
	return 0;

err_device:
	platform_device_unregister(yasmin_pdev);
err_driver:
	platform_driver_unregister(&yasmin_pm_driver);
	pr_err("cannot register the %s platform device (%d): save and migration would fail\n",
	       YASMIN_SUSPEND_NAME, err);
	return err;
}

void yasmin_suspend_exit(void)
{
	platform_device_unregister(yasmin_pdev);
	platform_driver_unregister(&yasmin_pm_driver);
	yasmin_pdev_bound = false;
}
