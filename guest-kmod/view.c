// SPDX-License-Identifier: GPL-2.0
/*
 * The view, served to every process as /proc/net/yasmin_view.
 *
 * yasmind publishes below /local/domain/<self>/yasmin/ which peers this domain may reach and
 * their addresses (contract.h, "G's view").  Only root can talk to XenStore
 * (/dev/xen/xenbus), so the module reads the view and serves it, read-only to everyone, in
 * the contract's format (YASMIN_VIEW_PROC_PATH): the preload library reads it to learn which
 * addresses are co-located peers.
 *
 * A XenStore watch on yasmin/generation (yasmind moves it, in the same transaction, with every
 * change of the view; watching a node that does not exist yet is fine) queues
 * yasmin_view_work.  The work item reads the generation and, when it differs from the one
 * served (or the domid changed), reads the whole view, checks every value (view_parse.c),
 * formats the lines once into a new snapshot and swaps it in under RCU; readers of the file
 * only take rcu_read_lock().  The reading runs on the system workqueue rather than in the
 * xenwatch thread, so that a view of thousands of peers (two XenStore reads each) does not hold
 * up every other watch of the kernel, and rather than on yasmin_wq, so that it does not hold up
 * the peers' work either.  If yasmind rewrites the view meanwhile, what was read is served with
 * the generation read first; the watch has fired again, and the next read is complete.
 *
 * Save/restore (suspend.c): the domid changes.  .freeze unregisters the watch, in the xenwatch
 * thread where that is safe, waits for the work item and serves generation 0 until .restore
 * (or .thaw) watches the new domain's node and reads its view.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitops.h>
#include <linux/err.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/proc_fs.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sizes.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include <xen/xenbus.h>

#include "view.h"
#include "view_parse.h"
#include "yasmin.h"

/* The file's text beyond the first line; peers that would make it longer are dropped. */
#define YASMIN_VIEW_TEXT_MAX	SZ_1M

/* One generation of the view, formatted; never changed once published. */
struct yasmin_view {
	struct rcu_head rcu;
	u64 generation;
	u16 domid;		/* the domain whose view it is */
	size_t len;
	char text[];		/* "<address> <cid>\n" lines, len bytes */
};

/* NULL: generation 0, no peer. */
static struct yasmin_view __rcu *yasmin_view;
/* Serializes reading XenStore and publishing, and guards yasmin_view_live. */
static DEFINE_MUTEX(yasmin_view_lock);
/* Watching: between init (or resume) and suspend (or exit).  Otherwise nothing is read. */
static bool yasmin_view_live;

static char yasmin_view_node[YASMIN_XS_PATH_MAX];
static struct xenbus_watch yasmin_view_watch;
static bool yasmin_view_watched;	/* registered: it must be unregistered exactly once */
#define YASMIN_VIEW_EVENT_QUEUED 0
static unsigned long yasmin_view_flags;

static void yasmin_view_work_fn(struct work_struct *work);
static DECLARE_WORK(yasmin_view_work, yasmin_view_work_fn);

static int yasmin_view_cmp_domid(const void *a, const void *b)
{
	return (int)*(const u16 *)a - (int)*(const u16 *)b;
}

/*
 * The peers below yasmin/peers/, as valid domids other than ours, sorted, at most
 * YASMIN_VIEW_PEERS_MAX of them, in *@peers (NULL when there is none; kfree() it).
 */
static int yasmin_view_read_peers(u16 domid, u16 **peers, unsigned int *nr)
{
	char dir[YASMIN_XS_PATH_MAX];
	unsigned int n = 0, i;
	u16 *domids;
	char **names;

	*peers = NULL;
	*nr = 0;
	snprintf(dir, sizeof(dir), YASMIN_XS_HOME_FMT "/%s", domid, YASMIN_XS_PEERS_DIR);
	names = xenbus_directory(XBT_NIL, dir, "", &n);
	if (IS_ERR(names) || !n) {
		if (!IS_ERR(names))
			kfree(names);
		return 0;	/* no directory: no peers */
	}
	domids = kmalloc_array(n, sizeof(*domids), GFP_KERNEL);
	if (!domids) {
		kfree(names);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		u16 peer;

		if (!yasmin_view_parse_domid(names[i], &peer) || peer == domid) {
			pr_warn_ratelimited("view: ignoring peer directory '%.16s'\n", names[i]);
			continue;
		}
		domids[(*nr)++] = peer;
	}
	kfree(names);
	sort(domids, *nr, sizeof(*domids), yasmin_view_cmp_domid, NULL);
	if (*nr > YASMIN_VIEW_PEERS_MAX) {
		pr_warn_ratelimited("view: %u peers, only the first %u are shown\n", *nr,
				    YASMIN_VIEW_PEERS_MAX);
		*nr = YASMIN_VIEW_PEERS_MAX;
	}
	*peers = domids;
	return 0;
}

/* A value of peer @peer's directory, or NULL when it is missing or not a C string. */
static char *yasmin_view_read_value(u16 domid, u16 peer, const char *node)
{
	char dir[YASMIN_XS_PATH_MAX];
	unsigned int len;
	char *value;

	snprintf(dir, sizeof(dir), YASMIN_XS_PEER_FMT, domid, peer);
	value = xenbus_read(XBT_NIL, dir, node, &len);
	if (IS_ERR(value))
		return NULL;
	if (strlen(value) != len) {
		kfree(value);
		return NULL;
	}
	return value;
}

/* Appends @len bytes to *@viewp, growing it; false (the view unchanged) beyond the limit. */
static bool yasmin_view_append(struct yasmin_view **viewp, size_t *cap, const char *text,
			       size_t len)
{
	struct yasmin_view *view = *viewp;

	if (view->len + len > YASMIN_VIEW_TEXT_MAX)
		return false;
	if (view->len + len > *cap) {
		size_t new_cap = max(*cap * 2, view->len + len);

		view = kvrealloc(view, sizeof(*view) + *cap, sizeof(*view) + new_cap,
				 GFP_KERNEL);
		if (!view)
			return false;
		*viewp = view;
		*cap = new_cap;
	}
	memcpy(view->text + view->len, text, len);
	view->len += len;
	return true;
}

/* Reads domain @domid's view, which has generation @generation (0: empty, nothing read). */
static struct yasmin_view *yasmin_view_read(u16 domid, u64 generation)
{
	unsigned int nr = 0, i, bad_peers = 0, bad_addrs = 0, skipped = 0;
	size_t cap = PAGE_SIZE - sizeof(struct yasmin_view);
	struct yasmin_view *view;
	u16 *peers = NULL;
	char *lines = NULL;

	view = kvmalloc(sizeof(*view) + cap, GFP_KERNEL);
	if (!view)
		return NULL;
	view->generation = generation;
	view->domid = domid;
	view->len = 0;
	if (!generation)
		return view;

	if (yasmin_view_read_peers(domid, &peers, &nr))
		goto err;
	if (nr) {
		lines = kvmalloc(YASMIN_VIEW_PEER_TEXT_MAX + 1, GFP_KERNEL);
		if (!lines)
			goto err;
	}
	for (i = 0; i < nr; i++) {
		char *cid = yasmin_view_read_value(domid, peers[i], YASMIN_XS_PEER_CID);
		char *ip = yasmin_view_read_value(domid, peers[i], YASMIN_XS_PEER_IP);
		int len;

		/* A peer without a cid was probably removed while we read: not an error. */
		len = cid ? yasmin_view_format_peer(peers[i], cid, ip, lines,
						    YASMIN_VIEW_PEER_TEXT_MAX + 1, &bad_addrs) : 0;
		if (len < 0)
			bad_peers++;
		else if (len && !yasmin_view_append(&view, &cap, lines, len))
			skipped++;
		kfree(cid);
		kfree(ip);
	}
	if (bad_peers || bad_addrs)
		pr_warn_ratelimited("view %llu: %u peers and %u addresses that do not parse dropped\n",
				    generation, bad_peers, bad_addrs);
	if (skipped)
		pr_warn_ratelimited("view %llu: %u peers left out (memory, or beyond %u bytes)\n",
				    generation, skipped, YASMIN_VIEW_TEXT_MAX);
	kvfree(lines);
	kfree(peers);
	return view;

err:
	kfree(peers);
	kvfree(view);
	return NULL;
}

static void yasmin_view_publish(struct yasmin_view *view)
{
	struct yasmin_view *old;

	old = rcu_replace_pointer(yasmin_view, view, lockdep_is_held(&yasmin_view_lock));
	if (old)
		kvfree_rcu(old, rcu);
}

/* Reads the view again if its generation moved (or the domid changed) since the last read. */
static void yasmin_view_refresh(void)
{
	u16 domid = READ_ONCE(yasmin_local_domid);
	const struct yasmin_view *old;
	struct yasmin_view *view;
	char home[YASMIN_XS_PATH_MAX];
	u64 generation = 0;
	char *value;

	mutex_lock(&yasmin_view_lock);
	if (!yasmin_view_live)
		goto out;
	snprintf(home, sizeof(home), YASMIN_XS_HOME_FMT, domid);
	value = xenbus_read(XBT_NIL, home, YASMIN_XS_GENERATION_NODE, NULL);
	if (!IS_ERR(value)) {
		generation = yasmin_view_parse_generation(value);
		kfree(value);
	}
	old = rcu_dereference_protected(yasmin_view, lockdep_is_held(&yasmin_view_lock));
	if (old ? old->domid == domid && old->generation == generation : !generation)
		goto out;
	view = yasmin_view_read(domid, generation);
	if (!view) {
		pr_warn_ratelimited("view %llu: out of memory, still serving the previous one\n",
				    generation);
		goto out;
	}
	yasmin_view_publish(view);
out:
	mutex_unlock(&yasmin_view_lock);
}

static void yasmin_view_work_fn(struct work_struct *work)
{
	yasmin_view_refresh();
}

/* Coalesces a flood of watch events (XSA-349): at most one is queued. */
static bool yasmin_view_will_handle(struct xenbus_watch *watch, const char *path,
				    const char *token)
{
	return !test_and_set_bit(YASMIN_VIEW_EVENT_QUEUED, &yasmin_view_flags);
}

static void yasmin_view_fired(struct xenbus_watch *watch, const char *path, const char *token)
{
	clear_bit(YASMIN_VIEW_EVENT_QUEUED, &yasmin_view_flags);
	schedule_work(&yasmin_view_work);
}

/* Watches yasmin/generation of the current domid and reads the view. */
static int yasmin_view_start(void)
{
	int err;

	mutex_lock(&yasmin_view_lock);
	yasmin_view_live = true;
	mutex_unlock(&yasmin_view_lock);

	snprintf(yasmin_view_node, sizeof(yasmin_view_node), YASMIN_XS_HOME_FMT "/%s",
		 READ_ONCE(yasmin_local_domid), YASMIN_XS_GENERATION_NODE);
	yasmin_view_watch.node = yasmin_view_node;
	yasmin_view_watch.will_handle = yasmin_view_will_handle;
	yasmin_view_watch.callback = yasmin_view_fired;
	/* An event purged by an earlier unregister_xenbus_watch() left the bit set. */
	clear_bit(YASMIN_VIEW_EVENT_QUEUED, &yasmin_view_flags);
	err = register_xenbus_watch(&yasmin_view_watch);
	if (err)
		pr_err("view: watching %s failed: %d\n", yasmin_view_node, err);
	else
		yasmin_view_watched = true;
	/* Now rather than when the watch's first event is handled: the file is right at once. */
	yasmin_view_refresh();
	return err;
}

/*
 * Stops watching and reading; the file shows generation 0 from now on.  In the xenwatch
 * thread (suspend) or in rmmod's: unregister_xenbus_watch() is safe in both (suspend.c).
 */
static void yasmin_view_stop(void)
{
	if (yasmin_view_watched) {
		unregister_xenbus_watch(&yasmin_view_watch);
		yasmin_view_watched = false;
	}
	mutex_lock(&yasmin_view_lock);
	yasmin_view_live = false;
	mutex_unlock(&yasmin_view_lock);
	/* A read already under way: it finishes before we go on, and nothing queues another. */
	cancel_work_sync(&yasmin_view_work);
	mutex_lock(&yasmin_view_lock);
	yasmin_view_publish(NULL);
	mutex_unlock(&yasmin_view_lock);
}

static int yasmin_view_seq_show(struct seq_file *m, void *v)
{
	u16 domid = READ_ONCE(yasmin_local_domid);
	const struct yasmin_view *view;

	rcu_read_lock();
	view = rcu_dereference(yasmin_view);
	if (view && view->domid == domid) {
		seq_printf(m, "generation %llu domid %u\n", view->generation, domid);
		seq_write(m, view->text, view->len);
	} else {
		/* Not read yet since the domid changed. */
		seq_printf(m, "generation 0 domid %u\n", domid);
	}
	rcu_read_unlock();
	return 0;
}

int yasmin_view_init(void)
{
	int err;

	err = yasmin_view_start();
	if (err)
		goto err_stop;
	/* vsock lives in the initial network namespace only, like /proc/net/yasmin. */
	if (!proc_create_single(YASMIN_VIEW_PROC_NAME, 0444, init_net.proc_net,
				yasmin_view_seq_show)) {
		pr_err("cannot create %s\n", YASMIN_VIEW_PROC_PATH);
		err = -ENOMEM;
		goto err_stop;
	}
	return 0;

err_stop:
	yasmin_view_stop();
	return err;
}

void yasmin_view_exit(void)
{
	/* Waits for the file's readers, so nothing can read the view after it. */
	remove_proc_entry(YASMIN_VIEW_PROC_NAME, init_net.proc_net);
	yasmin_view_stop();
}

void yasmin_view_suspend(void)
{
	yasmin_view_stop();
}

int yasmin_view_resume(void)
{
	return yasmin_view_start();
}
