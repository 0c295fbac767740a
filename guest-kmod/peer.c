// SPDX-License-Identifier: GPL-2.0
/*
 * Peer domains and their control channels.
 *
 * dom0 decides who may talk to whom: for each peer P of this domain G it creates
 * /local/domain/<G>/yasmin/rendezvous/<P>/ (owned by G, readable by P only).  This file
 * watches that directory; every child is a peer.  For each peer it also watches the peer's
 * directory for G, where the peer publishes its half of the control channel (contract.h).
 *
 * A peer's control channel comes up on first use: when a local socket connects to it, or when
 * the peer offers its half.  Then each side offers its own half (a control ring it produces
 * and an event channel), maps the other's, and control messages flow.  The channel goes down
 * when the peer withdraws its half or disappears (module unload, domain death), or when it
 * breaks the protocol; every connection with the peer is then reset, and everything it had
 * granted us is unmapped at once, so that a dead peer is not kept as a zombie.
 *
 * All of a peer's state changes happen in its work item on the ordered yasmin workqueue; the
 * socket side only queues messages and looks up connections, under peer->lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitops.h>
#include <linux/err.h>
#include <linux/hashtable.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/random.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/xarray.h>
#include <net/af_vsock.h>
#include <xen/events.h>
#include <xen/xenbus.h>

#include "conn.h"
#include "doorbell.h"
#include "event_channel.h"
#include "peer.h"
#include "shared_ring.h"
#include "suspend.h"
#include "yasmin.h"

#define YASMIN_CTRL_MSG_SIZE		sizeof(struct yasmin_ctrl_msg)
/* Messages handled per run of the work item, so one busy peer cannot hog the workqueue. */
#define YASMIN_CTRL_BATCH		64
/* Replies queued for a peer that does not read them: stop reading its requests beyond this. */
#define YASMIN_OUTBOX_MAX		1024

/* The peer's half of the control channel, as last read from XenStore. */
struct yasmin_half {
	bool present;
	u64 session;
	u64 peer_session;		/* 0: absent */
	u32 ring_ref;
	u32 doorbell_ref;
	u32 event_channel;
};

struct yasmin_outbox_msg {
	struct list_head node;
	struct yasmin_ctrl_msg msg;
};

/* Bits in peer->flags. */
enum {
	YASMIN_PEER_XS_CHANGED,		/* a watch fired: re-read the peer's half */
	YASMIN_PEER_EOI_OFFERED,	/* the control slot rang: the work item ends the event */
};

struct yasmin_peer {
	struct list_head list_node;	/* in yasmin_peers */
	struct kref kref;
	u16 domid;
	char own_dir[YASMIN_XS_PATH_MAX];
	char peer_dir[YASMIN_XS_PATH_MAX];
	struct xenbus_watch watch;
	struct work_struct work;
	unsigned long flags;

	/* Changed only by the work item (and by teardown once it cannot run). */
	bool offered;			/* our half is published */
	u64 session;
	struct yasmin_tx_ring ctrl_tx;
	struct yasmin_granted_page own_doorbell;	/* the peer rings us here */
	struct yasmin_event_channel offered_evtchn;	/* ... and we hear it here */
	bool mapped;			/* the peer's half is mapped: the channel is up */
	struct yasmin_half half;
	u64 broken_session;		/* a half that broke the protocol: never mapped again */
	struct yasmin_rx_ring ctrl_rx;
	struct yasmin_mapped_page peer_doorbell;	/* we ring the peer here */
	struct yasmin_event_channel bound_evtchn;	/* ... and tell it here */

	/* Doorbell slot -> struct yasmin_conn; read by the interrupt handler under RCU. */
	struct xarray slots;

	/*
	 * The doorbell rescue (yasmin_peer_rescue): a periodic look at our doorbell for slots
	 * rung with no interrupt to collect them.  rescue_lock keeps a connection it found from
	 * being freed under it (yasmin_peer_release_slot).
	 */
	struct delayed_work rescue_work;
	spinlock_t rescue_lock;
	u64 interrupts;			/* handler runs: the rescue's sign of life */
	unsigned long last_interrupt;	/* jiffies at the last one, for the rescue's log */
	u64 rescue_seen_interrupts;	/* interrupts when the rescue last saw the doorbell rung */
	bool rescue_saw_rung;
	u64 doorbell_rescues;		/* times it collected what no interrupt did */

	/*
	 * Ends of events on our offered channel reported as spurious (no ring index moved):
	 * after the second in a row Xen's Linux code delays the next unmask, up to a second
	 * (XSA-332), and only a useful event resets that.  Shown per peer, and in a rescue's log.
	 */
	u64 spurious_eois;
	unsigned int spurious_streak;	/* spurious ends since the last useful one */
	/* Events we sent the peer (rings that set a summary bit): its interrupts, one for one. */
	atomic64_t notifies;

	/* Counters for /proc/net/yasmin_peers. */
	u64 messages_received;
	u64 messages_sent;
	u64 violations;
	unsigned int channel_drops;	/* times the channel went down */
	atomic64_t resets[YASMIN_RESET_NR_CAUSES];

	spinlock_t lock;		/* protects what follows */
	bool retired;
	struct list_head outbox;
	unsigned int outbox_len;
	DECLARE_HASHTABLE(conns, 6);
	unsigned int nr_conns;
	/* Data-path counters of the connections that have let go of this peer. */
	u64 closed_bytes_sent;
	u64 closed_bytes_received;
	u64 closed_events_sent;
	u64 closed_events_suppressed;
	u64 closed_full_waits;
};

static LIST_HEAD(yasmin_peers);
static DEFINE_MUTEX(yasmin_peers_lock);	/* the list; never held while locking a socket */
static char yasmin_root_dir[YASMIN_XS_PATH_MAX];
static struct xenbus_watch yasmin_root_watch;
static bool yasmin_root_watched;	/* registered: it must be unregistered exactly once */
static struct work_struct yasmin_rescan_work;
/*
 * Unloading or suspending: the next rescan retires every peer and no peer is created.  Set
 * under yasmin_peers_lock, which is also held wherever a peer is created.
 */
static bool yasmin_stopped;

/*
 * Retired peers whose XenStore watch is still registered.  unregister_xenbus_watch() waits
 * for xenwatch_mutex, which the xenwatch thread holds while it runs a watch callback, and a
 * save or migration runs all of suspend.c's callbacks from one (control/shutdown) that then
 * waits for our workqueue.  So the workqueue never unregisters a watch: it leaves retired
 * peers here for yasmin_reap_work (a system workqueue item nobody waits for while suspending),
 * or for yasmin_retire_all() to reap in its own thread.
 */
static LIST_HEAD(yasmin_retired);
static DEFINE_SPINLOCK(yasmin_retired_lock);

static void yasmin_peer_work(struct work_struct *work);
static void yasmin_reap(struct work_struct *work);
static DECLARE_WORK(yasmin_reap_work, yasmin_reap);

u16 yasmin_peer_domid(const struct yasmin_peer *peer)
{
	return peer->domid;
}

static void yasmin_peer_release(struct kref *kref)
{
	struct yasmin_peer *peer = container_of(kref, struct yasmin_peer, kref);

	xa_destroy(&peer->slots);
	kfree(peer);
}

void yasmin_peer_hold(struct yasmin_peer *peer)
{
	kref_get(&peer->kref);
}

void yasmin_peer_put(struct yasmin_peer *peer)
{
	kref_put(&peer->kref, yasmin_peer_release);
}

static void yasmin_peer_kick(struct yasmin_peer *peer)
{
	spin_lock_bh(&peer->lock);
	if (!peer->retired)
		queue_work(yasmin_wq, &peer->work);
	spin_unlock_bh(&peer->lock);
}

/* ---- XenStore ------------------------------------------------------------------------ */

/* Coalesces a flood of watch events (XSA-349): at most one is queued per peer. */
static bool yasmin_peer_watch_will_handle(struct xenbus_watch *watch, const char *path,
					  const char *token)
{
	struct yasmin_peer *peer = container_of(watch, struct yasmin_peer, watch);

	return !test_and_set_bit(YASMIN_PEER_XS_CHANGED, &peer->flags);
}

static void yasmin_peer_watch_fired(struct xenbus_watch *watch, const char *path,
				    const char *token)
{
	struct yasmin_peer *peer = container_of(watch, struct yasmin_peer, watch);

	yasmin_peer_kick(peer);
}

/* Reads the peer's half in one transaction, so that it is never half-updated. */
static int yasmin_peer_read_half(struct yasmin_peer *peer, struct yasmin_half *half)
{
	struct xenbus_transaction xbt;
	unsigned int protocol, ring_ref, doorbell_ref, event_channel;
	unsigned long long session, peer_session;
	int err, n;

again:
	memset(half, 0, sizeof(*half));
	err = xenbus_transaction_start(&xbt);
	if (err)
		return err;
	n = xenbus_scanf(xbt, peer->peer_dir, YASMIN_XS_SESSION, "%llx", &session);
	if (n == -ENOENT) {
		xenbus_transaction_end(xbt, 1);
		return 0;	/* no half offered */
	}
	err = n < 0 ? n : xenbus_gather(xbt, peer->peer_dir,
					YASMIN_XS_PROTOCOL, "%u", &protocol,
					YASMIN_XS_RING_REF, "%u", &ring_ref,
					YASMIN_XS_DOORBELL_REF, "%u", &doorbell_ref,
					YASMIN_XS_EVENT_CHANNEL, "%u", &event_channel, NULL);
	if (!err && xenbus_scanf(xbt, peer->peer_dir, YASMIN_XS_PEER_SESSION, "%llx",
				 &peer_session) != 1)
		peer_session = 0;
	if (err) {
		xenbus_transaction_end(xbt, 1);
		/* Keys missing while being written or removed: wait for the next change. */
		return err == -ENOENT ? 0 : err;
	}
	err = xenbus_transaction_end(xbt, 0);
	if (err == -EAGAIN)
		goto again;
	if (err)
		return err;

	if (n != 1 || !session || protocol != YASMIN_CONTRACT_VERSION || !event_channel) {
		pr_warn_ratelimited("domain %u offers an invalid control channel (protocol %u)\n",
				    peer->domid, protocol);
		return 0;	/* treated as absent */
	}
	half->present = true;
	half->session = session;
	half->peer_session = peer_session;
	half->ring_ref = ring_ref;
	half->doorbell_ref = doorbell_ref;
	half->event_channel = event_channel;
	return 0;
}

static int yasmin_peer_write_own_half(struct yasmin_peer *peer)
{
	struct xenbus_transaction xbt;
	int err;

again:
	err = xenbus_transaction_start(&xbt);
	if (err)
		return err;
	err = xenbus_printf(xbt, peer->own_dir, YASMIN_XS_PROTOCOL, "%u", YASMIN_CONTRACT_VERSION);
	if (!err)
		err = xenbus_printf(xbt, peer->own_dir, YASMIN_XS_RING_REF, "%u",
				    peer->ctrl_tx.desc_ref);
	if (!err)
		err = xenbus_printf(xbt, peer->own_dir, YASMIN_XS_DOORBELL_REF, "%u",
				    peer->own_doorbell.ref);
	if (!err)
		err = xenbus_printf(xbt, peer->own_dir, YASMIN_XS_EVENT_CHANNEL, "%u",
				    peer->offered_evtchn.local_port);
	if (!err)
		err = xenbus_printf(xbt, peer->own_dir, YASMIN_XS_SESSION, "%llx",
				    (unsigned long long)peer->session);
	if (!err) {
		err = xenbus_rm(xbt, peer->own_dir, YASMIN_XS_PEER_SESSION);
		if (err == -ENOENT)
			err = 0;
	}
	if (err) {
		xenbus_transaction_end(xbt, 1);
		return err;
	}
	err = xenbus_transaction_end(xbt, 0);
	if (err == -EAGAIN)
		goto again;
	return err;
}

static void yasmin_peer_remove_own_half(struct yasmin_peer *peer)
{
	static const char *const keys[] = {
		YASMIN_XS_SESSION, YASMIN_XS_PEER_SESSION, YASMIN_XS_RING_REF,
		YASMIN_XS_DOORBELL_REF, YASMIN_XS_EVENT_CHANNEL, YASMIN_XS_PROTOCOL,
	};
	struct xenbus_transaction xbt;
	unsigned int i;
	int err;

again:
	if (xenbus_transaction_start(&xbt))
		return;
	for (i = 0; i < ARRAY_SIZE(keys); i++)
		xenbus_rm(xbt, peer->own_dir, keys[i]);	/* absent keys are fine */
	err = xenbus_transaction_end(xbt, 0);
	if (err == -EAGAIN)
		goto again;
}

/* ---- the channel's two halves ---------------------------------------------------------- */

/*
 * The peer rang our doorbell (contract.h): wake every connection whose slot is set, here and
 * now; the control slot is the work item's.  A slot naming no connection of ours is ignored.
 * Unless the work item takes the event over, it ends here, as spurious if no ring index moved
 * (XSA-332: Xen then slows down a peer that rings for nothing).
 */
struct yasmin_rung {
	struct yasmin_peer *peer;
	bool control;		/* the control slot rang */
	bool progress;		/* some connection's ring index moved */
};

static void yasmin_peer_slot_rung(u32 slot, void *arg)
{
	struct yasmin_rung *rung = arg;
	struct yasmin_conn *conn;

	if (slot == YASMIN_DOORBELL_CONTROL) {
		rung->control = true;
		return;
	}
	conn = xa_load(&rung->peer->slots, slot);
	if (conn)
		rung->progress |= yasmin_conn_doorbell(conn);
}

/*
 * Ends an event of our offered channel (xen_irq_lateeoi), in its handler or in the work item,
 * never both at once: the channel stays masked from the interrupt until here.
 */
static void yasmin_peer_offered_eoi(struct yasmin_peer *peer, int irq, bool progress)
{
	if (progress) {
		WRITE_ONCE(peer->spurious_streak, 0);
	} else {
		WRITE_ONCE(peer->spurious_eois, peer->spurious_eois + 1);
		WRITE_ONCE(peer->spurious_streak, peer->spurious_streak + 1);
	}
	xen_irq_lateeoi(irq, progress ? 0 : XEN_EOI_FLAG_SPURIOUS);
}

static irqreturn_t yasmin_peer_interrupt(int irq, void *dev_id)
{
	struct yasmin_peer *peer = dev_id;
	struct yasmin_rung rung = { .peer = peer };

	WRITE_ONCE(peer->interrupts, peer->interrupts + 1);	/* one handler at a time */
	WRITE_ONCE(peer->last_interrupt, jiffies);
	rcu_read_lock();
	yasmin_doorbell_collect(peer->own_doorbell.addr, yasmin_peer_slot_rung, &rung);
	rcu_read_unlock();

	if (rung.control) {
		/* The event stays masked (lateeoi) until the work item has read the ring. */
		set_bit(YASMIN_PEER_EOI_OFFERED, &peer->flags);
		queue_work(yasmin_wq, &peer->work);
	} else {
		yasmin_peer_offered_eoi(peer, irq, rung.progress);
	}
	return IRQ_HANDLED;
}

/* Events on the channel we bound: a well-behaved peer sends none (it rings our doorbell). */
static irqreturn_t yasmin_peer_stray_interrupt(int irq, void *dev_id)
{
	xen_irq_lateeoi(irq, XEN_EOI_FLAG_SPURIOUS);
	return IRQ_HANDLED;
}

/*
 * The doorbell rescue.  A slot rung sets its word's summary bit, and only the ringer that
 * finds that bit clear sends an event (contract.h, "Doorbells"); so while that event has not
 * produced an interrupt here, the summary bit stays set, no ringer sends another, and every
 * connection with the peer that sleeps waiting for it waits until it does.  The lab has
 * seen that under emulation (tests/lab 90-bench-figures: a stream of 1 KiB sends through a
 * 64 KiB ring stopped with the ring full, the reader asleep, our summary bit set, and Xen
 * showing the port neither pending nor masked), and waits of over 100 ms in every longer
 * run; the events arrive in the end (the peer's notifies equal our interrupts), where they
 * are held up is not explained yet.
 * Every 100 ms (every second without connections) this looks at our doorbell: rung at two
 * looks in a row with no interrupt between them, it collects and wakes as the interrupt
 * handler would, counts a rescue (/proc/net/yasmin_peers) and says so in the log.  A stall
 * then costs at most 200 ms instead of the connection.
 *
 * On the ordered workqueue, like the peer's work item: the channel (and so our doorbell page)
 * does not change under it.
 */
#define YASMIN_RESCUE_PERIOD		(HZ / 10)
#define YASMIN_RESCUE_PERIOD_IDLE	HZ

static void yasmin_peer_rescue(struct work_struct *work)
{
	struct yasmin_peer *peer = container_of(to_delayed_work(work), struct yasmin_peer,
						rescue_work);
	struct yasmin_doorbell_page *db = peer->offered ? peer->own_doorbell.addr : NULL;
	u64 interrupts = READ_ONCE(peer->interrupts);
	bool rung = db && READ_ONCE(db->summary);
	unsigned long period;

	if (rung && peer->rescue_saw_rung && interrupts == peer->rescue_seen_interrupts) {
		struct yasmin_rung found = { .peer = peer };
		bool held = test_bit(YASMIN_PEER_EOI_OFFERED, &peer->flags);
		u32 slots;

		spin_lock_bh(&peer->rescue_lock);
		rcu_read_lock();
		slots = yasmin_doorbell_collect(db, yasmin_peer_slot_rung, &found);
		rcu_read_unlock();
		spin_unlock_bh(&peer->rescue_lock);
		WRITE_ONCE(peer->doorbell_rescues, peer->doorbell_rescues + 1);
		/* What tells where the event is held up: see docs/observability.md. */
		pr_warn_ratelimited("peer %u: doorbell rung with no interrupt for 100 ms: collected (rescue %llu: %u slots%s; last interrupt %u ms ago, %s; %u spurious event ends before)\n",
				    peer->domid, peer->doorbell_rescues, slots,
				    found.control ? " with the control slot" : "",
				    jiffies_to_msecs(jiffies - READ_ONCE(peer->last_interrupt)),
				    held ? "its end left to the work item" : "ended",
				    READ_ONCE(peer->spurious_streak));
		if (found.control)
			yasmin_peer_kick(peer);
		rung = false;
	}
	peer->rescue_saw_rung = rung;
	peer->rescue_seen_interrupts = interrupts;

	spin_lock_bh(&peer->lock);
	period = peer->nr_conns ? YASMIN_RESCUE_PERIOD : YASMIN_RESCUE_PERIOD_IDLE;
	if (!peer->retired)
		queue_delayed_work(yasmin_wq, &peer->rescue_work, period);
	spin_unlock_bh(&peer->lock);
}

/*
 * Rings @slot of the peer's doorbell.  Only while the channel is up: the control channel's
 * own users run in the work item, and a connection is established only while it is up (the
 * channel goes down only after every connection with the peer was torn down).
 *
 * Not preemptible from the ring to the event: whoever sets a summary bit owes the event for
 * every slot rung after it until the peer collects, so a ringer preempted in between would
 * hold up all of this domain's connections with the peer until it runs again.
 */
static void yasmin_peer_ring(struct yasmin_peer *peer, u32 slot)
{
	struct yasmin_doorbell_page *db = READ_ONCE(peer->peer_doorbell.addr);

	if (!db)
		return;
	preempt_disable();
	if (yasmin_doorbell_ring(db, slot)) {
		atomic64_inc(&peer->notifies);
		yasmin_evtchn_notify(&peer->bound_evtchn);
	}
	preempt_enable();
}

void yasmin_peer_ring_conn(struct yasmin_peer *peer, u32 peer_slot)
{
	yasmin_peer_ring(peer, peer_slot);
}

static void yasmin_peer_close_evtchn(struct yasmin_peer *peer, struct yasmin_event_channel *ch)
{
	/* A closed channel needs no EOI; the irq number may soon belong to someone else. */
	yasmin_evtchn_close(ch, peer);
	if (ch == &peer->offered_evtchn)
		clear_bit(YASMIN_PEER_EOI_OFFERED, &peer->flags);
}

static int yasmin_peer_offer(struct yasmin_peer *peer)
{
	int err;

	err = yasmin_tx_ring_create(&peer->ctrl_tx, peer->domid, YASMIN_CTRL_RING_PAGES);
	if (err)
		return err;
	if (peer->ctrl_tx.nr_pages != YASMIN_CTRL_RING_PAGES) {
		err = -ENOBUFS;
		goto err_ring;
	}
	/* Before the event channel: its handler reads the doorbell. */
	err = yasmin_granted_page_create(&peer->own_doorbell, peer->domid);
	if (err)
		goto err_ring;
	snprintf(peer->offered_evtchn.name, sizeof(peer->offered_evtchn.name), "yasmin-%u",
		 peer->domid);
	err = yasmin_evtchn_offer(&peer->offered_evtchn, peer->domid, yasmin_peer_interrupt,
				  peer);
	if (err)
		goto err_doorbell;
	peer->session = get_random_u64() ?: 1;
	err = yasmin_peer_write_own_half(peer);
	if (err)
		goto err_evtchn;
	peer->offered = true;
	return 0;

err_evtchn:
	yasmin_peer_close_evtchn(peer, &peer->offered_evtchn);
err_doorbell:
	yasmin_granted_page_destroy(&peer->own_doorbell);
err_ring:
	yasmin_tx_ring_destroy(&peer->ctrl_tx);
	return err;
}

static void yasmin_peer_withdraw(struct yasmin_peer *peer)
{
	if (!peer->offered)
		return;
	yasmin_peer_remove_own_half(peer);
	yasmin_peer_close_evtchn(peer, &peer->offered_evtchn);
	yasmin_granted_page_destroy(&peer->own_doorbell);
	yasmin_tx_ring_destroy(&peer->ctrl_tx);
	peer->offered = false;
}

static int yasmin_peer_map_half(struct yasmin_peer *peer)
{
	enum yasmin_ring_fault fault;
	int err;

	err = yasmin_rx_ring_map(&peer->ctrl_rx, peer->domid, peer->half.ring_ref, &fault);
	if (err)
		return err;
	if (peer->ctrl_rx.nr_pages != YASMIN_CTRL_RING_PAGES) {
		err = -EPROTO;
		goto err_unmap;
	}
	err = yasmin_mapped_page_map(&peer->peer_doorbell, peer->domid, peer->half.doorbell_ref);
	if (err)
		goto err_unmap;
	snprintf(peer->bound_evtchn.name, sizeof(peer->bound_evtchn.name), "yasmin-%u-out",
		 peer->domid);
	err = yasmin_evtchn_bind(&peer->bound_evtchn, peer->domid, peer->half.event_channel,
				 yasmin_peer_stray_interrupt, peer);
	if (err)
		goto err_doorbell;
	err = xenbus_printf(XBT_NIL, peer->own_dir, YASMIN_XS_PEER_SESSION, "%llx",
			    (unsigned long long)peer->half.session);
	if (err)
		goto err_evtchn;
	peer->mapped = true;
	atomic_inc(&yasmin_stats.peers_connected);
	pr_info("control channel with domain %u up\n", peer->domid);
	/* The peer may have written messages before it could ring us. */
	yasmin_peer_ring(peer, YASMIN_DOORBELL_CONTROL);
	return 0;

err_evtchn:
	yasmin_peer_close_evtchn(peer, &peer->bound_evtchn);
err_doorbell:
	yasmin_mapped_page_unmap(&peer->peer_doorbell);
err_unmap:
	yasmin_rx_ring_unmap(&peer->ctrl_rx);
	return err;
}

/* The sockets of every connection with @peer, each with a reference; the table is emptied. */
static struct vsock_sock **yasmin_peer_take_conns(struct yasmin_peer *peer, unsigned int *count)
{
	struct yasmin_conn *conn;
	struct vsock_sock **socks;
	struct hlist_node *tmp;
	unsigned int room, bkt;

	/* Sized outside the lock; connect() may add one meanwhile, hence the re-check. */
	for (;;) {
		room = READ_ONCE(peer->nr_conns);
		socks = kvcalloc(room + 1, sizeof(*socks), GFP_KERNEL | __GFP_NOFAIL);
		spin_lock_bh(&peer->lock);
		if (peer->nr_conns <= room)
			break;
		spin_unlock_bh(&peer->lock);
		kvfree(socks);
	}
	*count = 0;
	hash_for_each_safe(peer->conns, bkt, tmp, conn, table_node) {
		hash_del(&conn->table_node);
		socks[(*count)++] = conn->vsk;	/* the table's reference moves to the array */
	}
	peer->nr_conns = 0;
	spin_unlock_bh(&peer->lock);
	return socks;
}

/*
 * Takes the control channel down: every connection with the peer is reset, the peer's pages
 * are unmapped and our half is withdrawn.  It comes up again on the next use.
 */
static void yasmin_peer_disconnect(struct yasmin_peer *peer, const char *why)
{
	struct yasmin_outbox_msg *m, *tmp;
	struct vsock_sock **socks;
	unsigned int i, n;
	LIST_HEAD(dropped);

	if (peer->mapped || peer->offered) {
		pr_info("control channel with domain %u down: %s\n", peer->domid, why);
		peer->channel_drops++;
	}

	socks = yasmin_peer_take_conns(peer, &n);
	for (i = 0; i < n; i++) {
		yasmin_conn_peer_gone(socks[i], peer);
		sock_put(sk_vsock(socks[i]));
	}
	kvfree(socks);

	spin_lock_bh(&peer->lock);
	list_splice_init(&peer->outbox, &dropped);
	peer->outbox_len = 0;
	spin_unlock_bh(&peer->lock);
	list_for_each_entry_safe(m, tmp, &dropped, node)
		kfree(m);

	if (peer->mapped) {
		yasmin_peer_close_evtchn(peer, &peer->bound_evtchn);
		yasmin_mapped_page_unmap(&peer->peer_doorbell);
		yasmin_rx_ring_unmap(&peer->ctrl_rx);
		peer->mapped = false;
		atomic_dec(&yasmin_stats.peers_connected);
	}
	yasmin_peer_withdraw(peer);
}

static void yasmin_peer_violation(struct yasmin_peer *peer, const char *what)
{
	peer->violations++;
	yasmin_count_violation(peer->domid, what);
	peer->broken_session = peer->half.session;
	yasmin_peer_disconnect(peer, "protocol violation");
}

/* ---- state machine --------------------------------------------------------------------- */

static void yasmin_peer_sync(struct yasmin_peer *peer)
{
	struct yasmin_half half;
	bool wanted;
	int err;

	if (test_and_clear_bit(YASMIN_PEER_XS_CHANGED, &peer->flags)) {
		err = yasmin_peer_read_half(peer, &half);
		if (err) {
			pr_warn_ratelimited("reading domain %u's rendezvous failed: %d\n",
					    peer->domid, err);
			return;
		}
		if (peer->mapped && (!half.present || half.session != peer->half.session))
			yasmin_peer_disconnect(peer, half.present ? "peer restarted" :
					       "peer went away");
		peer->half = half;
	}

	spin_lock_bh(&peer->lock);
	wanted = !list_empty(&peer->outbox);
	spin_unlock_bh(&peer->lock);

	if (!peer->offered && (wanted || peer->half.present)) {
		err = yasmin_peer_offer(peer);
		if (err) {
			pr_warn_ratelimited("offering a control channel to domain %u failed: %d\n",
					    peer->domid, err);
			return;
		}
	}

	/* A half that names a session other than ours was meant for an earlier instance of us. */
	if (peer->offered && !peer->mapped && peer->half.present &&
	    peer->half.session != peer->broken_session &&
	    (!peer->half.peer_session || peer->half.peer_session == peer->session)) {
		err = yasmin_peer_map_half(peer);
		if (err == -EPROTO) {
			yasmin_peer_violation(peer, "invalid control ring");
		} else if (err) {
			/* E.g. grants that are not ours to map: do not retry this half. */
			peer->broken_session = peer->half.session;
			pr_warn_ratelimited("mapping domain %u's control channel failed: %d\n",
					    peer->domid, err);
		}
	}
}

static bool yasmin_peer_receive(struct yasmin_peer *peer, bool *more)
{
	struct yasmin_ring_consumer *ring = &peer->ctrl_rx.ring;
	struct yasmin_ctrl_msg msg;
	struct yasmin_ring_chunks chunks;
	unsigned int handled = 0;
	bool backlog;
	void *data;
	u32 len, done;
	int avail;

	*more = false;
	while (peer->mapped && handled < YASMIN_CTRL_BATCH) {
		spin_lock_bh(&peer->lock);
		backlog = peer->outbox_len >= YASMIN_OUTBOX_MAX;
		spin_unlock_bh(&peer->lock);
		if (backlog)
			break;	/* the peer reads nothing: stop taking its requests */

		avail = yasmin_ring_consumer_readable(ring);
		/* Drained: ask for an event on the next message, then look once more. */
		if (avail >= 0 && avail < YASMIN_CTRL_MSG_SIZE)
			avail = yasmin_ring_consumer_prepare_to_wait(ring);
		if (avail < 0) {
			yasmin_peer_violation(peer, "control ring indexes");
			return true;
		}
		if (avail < YASMIN_CTRL_MSG_SIZE)
			break;

		/* Copied out of shared memory before a single field is looked at. */
		yasmin_ring_consumer_chunks(ring, 0, YASMIN_CTRL_MSG_SIZE, &chunks);
		done = 0;
		while (yasmin_ring_next_chunk(&chunks, &data, &len)) {
			memcpy((u8 *)&msg + done, data, len);
			done += len;
		}
		yasmin_ring_consumer_consume(ring, YASMIN_CTRL_MSG_SIZE);
		handled++;
		peer->messages_received++;

		yasmin_conn_handle_msg(peer, &msg);
	}
	if (peer->mapped) {
		if (yasmin_ring_consumer_should_notify(ring))
			yasmin_peer_ring(peer, YASMIN_DOORBELL_CONTROL);
		*more = handled == YASMIN_CTRL_BATCH;
	}
	return handled > 0;
}

static bool yasmin_peer_transmit(struct yasmin_peer *peer)
{
	struct yasmin_ring_producer *ring = &peer->ctrl_tx.ring;
	struct yasmin_outbox_msg *m;
	struct yasmin_ring_chunks chunks;
	bool sent = false;
	void *data;
	u32 len, done;
	int space;

	/*
	 * Messages wait in the outbox until the peer has mapped our ring, so that a REQUEST
	 * whose connect() timed out meanwhile can still be taken back.
	 */
	if (!peer->mapped)
		return false;
	for (;;) {
		spin_lock_bh(&peer->lock);
		m = list_first_entry_or_null(&peer->outbox, struct yasmin_outbox_msg, node);
		spin_unlock_bh(&peer->lock);
		if (!m)
			break;

		space = yasmin_ring_producer_space(ring);
		if (space >= 0 && space < YASMIN_CTRL_MSG_SIZE)
			space = yasmin_ring_producer_prepare_to_wait(ring);
		if (space < 0) {
			yasmin_peer_violation(peer, "control ring consumer index");
			return true;
		}
		if (space < YASMIN_CTRL_MSG_SIZE)
			break;	/* the peer's event will bring us back */

		spin_lock_bh(&peer->lock);
		list_del(&m->node);
		peer->outbox_len--;
		spin_unlock_bh(&peer->lock);

		yasmin_ring_producer_chunks(ring, YASMIN_CTRL_MSG_SIZE, &chunks);
		done = 0;
		while (yasmin_ring_next_chunk(&chunks, &data, &len)) {
			memcpy(data, (u8 *)&m->msg + done, len);
			done += len;
		}
		yasmin_ring_producer_commit(ring, YASMIN_CTRL_MSG_SIZE);
		peer->messages_sent++;
		kfree(m);
		sent = true;
	}
	if (sent && yasmin_ring_producer_should_notify(ring))
		yasmin_peer_ring(peer, YASMIN_DOORBELL_CONTROL);
	return sent;
}

static void yasmin_peer_eoi(struct yasmin_peer *peer, bool progress)
{
	if (test_and_clear_bit(YASMIN_PEER_EOI_OFFERED, &peer->flags) &&
	    peer->offered_evtchn.irq > 0)
		yasmin_peer_offered_eoi(peer, peer->offered_evtchn.irq, progress);
}

static void yasmin_peer_work(struct work_struct *work)
{
	struct yasmin_peer *peer = container_of(work, struct yasmin_peer, work);
	bool progress, more;

	yasmin_peer_sync(peer);
	progress = yasmin_peer_receive(peer, &more);
	progress |= yasmin_peer_transmit(peer);
	yasmin_peer_eoi(peer, progress);
	if (more)
		yasmin_peer_kick(peer);
}

/* ---- the socket side's interface ------------------------------------------------------- */

void yasmin_peer_send(struct yasmin_peer *peer, const struct yasmin_ctrl_msg *msg)
{
	struct yasmin_outbox_msg *m;

	/* Small and rare; losing a RESET would leave the peer hanging. */
	m = kmalloc(sizeof(*m), GFP_KERNEL | __GFP_NOFAIL);
	m->msg = *msg;
	spin_lock_bh(&peer->lock);
	if (peer->retired) {
		spin_unlock_bh(&peer->lock);
		kfree(m);
		return;
	}
	list_add_tail(&m->node, &peer->outbox);
	peer->outbox_len++;
	queue_work(yasmin_wq, &peer->work);
	spin_unlock_bh(&peer->lock);
}

bool yasmin_peer_cancel_request(struct yasmin_peer *peer, u32 local_port, u32 remote_port)
{
	struct yasmin_outbox_msg *m;
	bool found = false;

	spin_lock_bh(&peer->lock);
	list_for_each_entry(m, &peer->outbox, node) {
		if (m->msg.type == YASMIN_CTRL_REQUEST && m->msg.src_port == local_port &&
		    m->msg.dst_port == remote_port) {
			list_del(&m->node);
			peer->outbox_len--;
			found = true;
			break;
		}
	}
	spin_unlock_bh(&peer->lock);
	if (found)
		kfree(m);
	return found;
}

static u64 yasmin_conn_key(u32 local_port, u32 remote_port)
{
	return ((u64)local_port << 32) | remote_port;
}

static struct yasmin_conn *yasmin_peer_lookup(struct yasmin_peer *peer, u32 local_port,
					      u32 remote_port)
{
	u64 key = yasmin_conn_key(local_port, remote_port);
	struct yasmin_conn *conn;

	hash_for_each_possible(peer->conns, conn, table_node, key)
		if (conn->local_port == local_port && conn->remote_port == remote_port)
			return conn;
	return NULL;
}

/*
 * Frees @conn's doorbell slot.  A handler that found the connection through it may still be
 * running: waiting for it makes the connection's memory safe to release afterwards.
 */
static void yasmin_peer_release_slot(struct yasmin_peer *peer, struct yasmin_conn *conn)
{
	int irq;

	if (!conn->local_slot)
		return;
	xa_erase(&peer->slots, conn->local_slot);
	conn->local_slot = 0;
	/* A rescue that found the connection before the erase is done with it after this. */
	spin_lock_bh(&peer->rescue_lock);
	spin_unlock_bh(&peer->rescue_lock);
	/* If the channel was closed meanwhile, closing it waited for the handler already. */
	irq = READ_ONCE(peer->offered_evtchn.irq);
	if (irq > 0)
		synchronize_irq(irq);
}

int yasmin_peer_add_conn(struct yasmin_peer *peer, struct yasmin_conn *conn)
{
	u32 slot;
	int err;

	/* The slot first: the interrupt handler may find the connection from now on. */
	err = xa_alloc(&peer->slots, &slot, conn, XA_LIMIT(1, YASMIN_DOORBELL_SLOTS - 1),
		       GFP_KERNEL);
	if (err)
		return err == -EBUSY ? -ENOBUFS : err;
	conn->local_slot = slot;

	spin_lock_bh(&peer->lock);
	if (peer->retired) {
		err = -ENETUNREACH;
	} else if (yasmin_peer_lookup(peer, conn->local_port, conn->remote_port)) {
		err = -EADDRINUSE;
	} else {
		sock_hold(sk_vsock(conn->vsk));
		hash_add(peer->conns, &conn->table_node,
			 yasmin_conn_key(conn->local_port, conn->remote_port));
		peer->nr_conns++;
	}
	spin_unlock_bh(&peer->lock);
	if (err)
		yasmin_peer_release_slot(peer, conn);
	return err;
}

void yasmin_peer_remove_conn(struct yasmin_peer *peer, struct yasmin_conn *conn)
{
	bool removed = false;

	spin_lock_bh(&peer->lock);
	if (yasmin_peer_lookup(peer, conn->local_port, conn->remote_port) == conn) {
		hash_del(&conn->table_node);
		peer->nr_conns--;
		removed = true;
	}
	spin_unlock_bh(&peer->lock);
	yasmin_peer_release_slot(peer, conn);
	/* The caller holds its own reference to the socket. */
	if (removed)
		sock_put(sk_vsock(conn->vsk));
}

struct vsock_sock *yasmin_peer_find_conn(struct yasmin_peer *peer, u32 local_port,
					 u32 remote_port)
{
	struct yasmin_conn *conn;
	struct vsock_sock *vsk = NULL;

	spin_lock_bh(&peer->lock);
	conn = yasmin_peer_lookup(peer, local_port, remote_port);
	if (conn) {
		vsk = conn->vsk;
		sock_hold(sk_vsock(vsk));
	}
	spin_unlock_bh(&peer->lock);
	return vsk;
}

/* ---- /proc/net/yasmin and /proc/net/yasmin_peers (docs/observability.md) --------------- */

void yasmin_peer_count_reset(struct yasmin_peer *peer, enum yasmin_reset_cause cause)
{
	atomic64_inc(&peer->resets[cause]);
}

void yasmin_peer_account_conn(struct yasmin_peer *peer, const struct yasmin_conn *conn)
{
	spin_lock_bh(&peer->lock);
	peer->closed_bytes_sent += conn->bytes_sent;
	peer->closed_bytes_received += conn->bytes_received;
	peer->closed_events_sent += conn->events_sent;
	peer->closed_events_suppressed += conn->events_suppressed;
	peer->closed_full_waits += conn->full_waits;
	spin_unlock_bh(&peer->lock);
}

/* One line of /proc/net/yasmin_peers: totals over the peer's closed and open connections. */
static void yasmin_peer_show(struct seq_file *m, struct yasmin_peer *peer)
{
	u64 sent, received, events, suppressed, full_waits;
	struct yasmin_conn *conn;
	unsigned int bkt, nr_conns;

	spin_lock_bh(&peer->lock);
	sent = peer->closed_bytes_sent;
	received = peer->closed_bytes_received;
	events = peer->closed_events_sent;
	suppressed = peer->closed_events_suppressed;
	full_waits = peer->closed_full_waits;
	/* Open connections' counters change under their socket lock: a racy but recent view. */
	hash_for_each(peer->conns, bkt, conn, table_node) {
		sent += READ_ONCE(conn->bytes_sent);
		received += READ_ONCE(conn->bytes_received);
		events += READ_ONCE(conn->events_sent);
		suppressed += READ_ONCE(conn->events_suppressed);
		full_waits += READ_ONCE(conn->full_waits);
	}
	nr_conns = peer->nr_conns;
	spin_unlock_bh(&peer->lock);

	/* The channel fields are written by the work item; a racy read shows a state it was in. */
	seq_printf(m, "%u %s %u %llu %llu %llu %u %llu %llu %llu %llu %llu %lld %lld %lld %lld %llu %llu %llu %lld\n",
		   peer->domid,
		   READ_ONCE(peer->mapped) ? "up" : READ_ONCE(peer->offered) ? "offered" : "down",
		   nr_conns, READ_ONCE(peer->messages_sent), READ_ONCE(peer->messages_received),
		   READ_ONCE(peer->violations), READ_ONCE(peer->channel_drops),
		   sent, received, events, suppressed, full_waits,
		   (s64)atomic64_read(&peer->resets[YASMIN_RESET_SENT]),
		   (s64)atomic64_read(&peer->resets[YASMIN_RESET_RECEIVED]),
		   (s64)atomic64_read(&peer->resets[YASMIN_RESET_VIOLATION]),
		   (s64)atomic64_read(&peer->resets[YASMIN_RESET_CHANNEL_DOWN]),
		   READ_ONCE(peer->doorbell_rescues), READ_ONCE(peer->interrupts),
		   READ_ONCE(peer->spurious_eois), (s64)atomic64_read(&peer->notifies));
}

int yasmin_conns_seq_show(struct seq_file *m, void *v)
{
	struct yasmin_peer *peer;
	struct yasmin_conn *conn;
	unsigned int bkt;

	seq_puts(m, "peer local_port remote_port state tx_ring rx_ring bytes_sent bytes_received "
		    "events_sent events_suppressed full_waits doorbells tx_unread tx_waits rx_unread "
		    "rx_waits\n");
	mutex_lock(&yasmin_peers_lock);
	list_for_each_entry(peer, &yasmin_peers, list_node) {
		spin_lock_bh(&peer->lock);
		hash_for_each(peer->conns, bkt, conn, table_node)
			yasmin_conn_show(m, conn);
		spin_unlock_bh(&peer->lock);
	}
	mutex_unlock(&yasmin_peers_lock);
	return 0;
}

int yasmin_peers_seq_show(struct seq_file *m, void *v)
{
	struct yasmin_peer *peer;

	seq_puts(m, "peer channel connections messages_sent messages_received violations "
		    "channel_drops bytes_sent bytes_received events_sent events_suppressed "
		    "full_waits resets_sent resets_received resets_violation "
		    "resets_channel_down doorbell_rescues interrupts spurious_eois notifies\n");
	mutex_lock(&yasmin_peers_lock);
	list_for_each_entry(peer, &yasmin_peers, list_node)
		yasmin_peer_show(m, peer);
	mutex_unlock(&yasmin_peers_lock);
	return 0;
}

/* ---- the set of peers ------------------------------------------------------------------ */

static struct yasmin_peer *yasmin_peer_find_locked(u16 domid)
{
	struct yasmin_peer *peer;

	list_for_each_entry(peer, &yasmin_peers, list_node)
		if (peer->domid == domid)
			return peer;
	return NULL;
}

static struct yasmin_peer *yasmin_peer_create_locked(u16 domid)
{
	struct yasmin_peer *peer;
	int err;

	peer = kzalloc(sizeof(*peer), GFP_KERNEL);
	if (!peer)
		return ERR_PTR(-ENOMEM);
	kref_init(&peer->kref);
	peer->domid = domid;
	snprintf(peer->own_dir, sizeof(peer->own_dir), YASMIN_XS_RENDEZVOUS_FMT,
		 yasmin_local_domid, domid);
	snprintf(peer->peer_dir, sizeof(peer->peer_dir), YASMIN_XS_RENDEZVOUS_FMT,
		 domid, yasmin_local_domid);
	INIT_WORK(&peer->work, yasmin_peer_work);
	INIT_DELAYED_WORK(&peer->rescue_work, yasmin_peer_rescue);
	spin_lock_init(&peer->rescue_lock);
	spin_lock_init(&peer->lock);
	INIT_LIST_HEAD(&peer->outbox);
	hash_init(peer->conns);
	xa_init_flags(&peer->slots, XA_FLAGS_ALLOC1);

	/* Registering fires the watch once: the first sync reads the peer's half. */
	peer->watch.node = peer->peer_dir;
	peer->watch.will_handle = yasmin_peer_watch_will_handle;
	peer->watch.callback = yasmin_peer_watch_fired;
	err = register_xenbus_watch(&peer->watch);
	if (err) {
		kfree(peer);
		return ERR_PTR(err);
	}
	list_add(&peer->list_node, &yasmin_peers);
	queue_delayed_work(yasmin_wq, &peer->rescue_work, YASMIN_RESCUE_PERIOD_IDLE);
	return peer;
}

/*
 * Takes a peer that was removed from the list down for good and hands it, with the list's
 * reference, to the reaper, which unregisters its watch (see yasmin_retired).  Runs on the
 * ordered workqueue, so the peer's own work item is not running meanwhile; it is cancelled
 * only once the event channels that could queue it again are closed.
 */
static void yasmin_peer_retire(struct yasmin_peer *peer)
{
	spin_lock_bh(&peer->lock);
	peer->retired = true;
	spin_unlock_bh(&peer->lock);
	yasmin_peer_disconnect(peer, "no longer a peer");
	cancel_work_sync(&peer->work);
	cancel_delayed_work_sync(&peer->rescue_work);	/* it re-arms only while not retired */
	/* Its watch callback may still run meanwhile: it sees peer->retired and does nothing. */
	spin_lock(&yasmin_retired_lock);
	list_add_tail(&peer->list_node, &yasmin_retired);
	spin_unlock(&yasmin_retired_lock);
	schedule_work(&yasmin_reap_work);
}

/* Unregisters the watches of retired peers and drops the list's references to them. */
static void yasmin_reap_retired(void)
{
	struct yasmin_peer *peer;

	for (;;) {
		spin_lock(&yasmin_retired_lock);
		peer = list_first_entry_or_null(&yasmin_retired, struct yasmin_peer, list_node);
		if (peer)
			list_del(&peer->list_node);
		spin_unlock(&yasmin_retired_lock);
		if (!peer)
			return;
		unregister_xenbus_watch(&peer->watch);
		yasmin_peer_put(peer);
	}
}

static void yasmin_reap(struct work_struct *work)
{
	yasmin_reap_retired();
}

struct yasmin_peer *yasmin_peer_get(u16 domid)
{
	struct yasmin_peer *peer;

	if (domid == yasmin_local_domid || !yasmin_domid_is_valid(domid))
		return ERR_PTR(-ENETUNREACH);

	mutex_lock(&yasmin_peers_lock);
	peer = yasmin_peer_find_locked(domid);
	if (!peer && yasmin_stopped) {
		peer = ERR_PTR(-ENETUNREACH);	/* suspending: no new peers */
	} else if (!peer) {
		char dir[YASMIN_XS_PATH_MAX];

		snprintf(dir, sizeof(dir), YASMIN_XS_RENDEZVOUS_FMT, yasmin_local_domid, domid);
		if (!xenbus_exists(XBT_NIL, dir, ""))
			peer = ERR_PTR(-ENETUNREACH);
		else
			peer = yasmin_peer_create_locked(domid);
	}
	if (!IS_ERR(peer))
		yasmin_peer_hold(peer);
	mutex_unlock(&yasmin_peers_lock);
	return peer;
}

/* Brings the set of peers in line with the rendezvous directories dom0 created for us. */
static void yasmin_rescan(struct work_struct *work)
{
	struct yasmin_peer *peer, *tmp;
	unsigned long *listed;
	unsigned int n = 0, i;
	char **entries;
	LIST_HEAD(gone);

	listed = bitmap_zalloc(YASMIN_DOMID_MAX + 1, GFP_KERNEL);
	if (!listed)
		return;
	entries = READ_ONCE(yasmin_stopped) ? ERR_PTR(-ESHUTDOWN) :	/* retire them all */
		  xenbus_directory(XBT_NIL, yasmin_root_dir, "", &n);
	if (IS_ERR(entries))
		n = 0;	/* no directory: no peers */

	mutex_lock(&yasmin_peers_lock);
	for (i = 0; i < n; i++) {
		u16 domid;

		if (kstrtou16(entries[i], 10, &domid) || !yasmin_domid_is_valid(domid) ||
		    domid == yasmin_local_domid)
			continue;
		set_bit(domid, listed);
		if (!yasmin_stopped && !yasmin_peer_find_locked(domid)) {
			peer = yasmin_peer_create_locked(domid);
			if (IS_ERR(peer))
				pr_warn("watching domain %u failed: %ld\n", domid, PTR_ERR(peer));
		}
	}
	list_for_each_entry_safe(peer, tmp, &yasmin_peers, list_node) {
		if (!test_bit(peer->domid, listed))
			list_move(&peer->list_node, &gone);
	}
	mutex_unlock(&yasmin_peers_lock);

	/* Outside the list lock: retiring locks sockets, and connect() takes the list lock. */
	list_for_each_entry_safe(peer, tmp, &gone, list_node) {
		list_del(&peer->list_node);
		yasmin_peer_retire(peer);
	}
	if (!IS_ERR(entries))
		kfree(entries);
	bitmap_free(listed);
}

static void yasmin_root_watch_fired(struct xenbus_watch *watch, const char *path,
				    const char *token)
{
	queue_work(yasmin_wq, &yasmin_rescan_work);
}

/* Watches this domain's rendezvous directory, whose path names the current domid. */
static int yasmin_watch_root(void)
{
	int err;

	snprintf(yasmin_root_dir, sizeof(yasmin_root_dir), YASMIN_XS_HOME_FMT "/%s",
		 yasmin_local_domid, YASMIN_XS_RENDEZVOUS_DIR);
	yasmin_root_watch.node = yasmin_root_dir;
	yasmin_root_watch.callback = yasmin_root_watch_fired;
	mutex_lock(&yasmin_peers_lock);
	yasmin_stopped = false;
	mutex_unlock(&yasmin_peers_lock);
	/* Fires once now: the first rescan finds the peers dom0 has already prepared. */
	err = register_xenbus_watch(&yasmin_root_watch);
	if (err) {
		pr_err("watching %s failed: %d\n", yasmin_root_dir, err);
		return err;
	}
	yasmin_root_watched = true;
	return 0;
}

/*
 * Retires every peer, synchronously: every connection is reset, every page of every peer
 * unmapped, every event channel closed, every half withdrawn from XenStore and every watch
 * unregistered.  Safe in the xenwatch thread (see yasmin_retired).
 */
static void yasmin_retire_all(void)
{
	if (yasmin_root_watched) {
		unregister_xenbus_watch(&yasmin_root_watch);
		yasmin_root_watched = false;
	}
	mutex_lock(&yasmin_peers_lock);
	yasmin_stopped = true;
	mutex_unlock(&yasmin_peers_lock);
	/* Retiring runs on the workqueue like every other change to a peer. */
	queue_work(yasmin_wq, &yasmin_rescan_work);
	flush_workqueue(yasmin_wq);
	yasmin_reap_retired();
}

int yasmin_peers_init(void)
{
	INIT_WORK(&yasmin_rescan_work, yasmin_rescan);
	return yasmin_watch_root();
}

void yasmin_peers_exit(void)
{
	yasmin_retire_all();
	/* A reaper still busy with a peer it took before us; nothing is left after it. */
	flush_work(&yasmin_reap_work);
}

/*
 * The domain is about to be saved or migrated (suspend.c): nothing of a peer's may stay
 * mapped, and nothing shared survives anyway.  Connections are reset with ECONNRESET, like
 * virtio's TRANSPORT_RESET; listeners are not ours and stay.
 */
void yasmin_peers_suspend(void)
{
	yasmin_retire_all();
}

/*
 * The domain runs again, as a new domain after a restore or migration (new domid, new CID)
 * or as the same one after a cancelled suspend.  XenStore works again; sockets connect at
 * the domid read now, and peers are found anew under the new rendezvous directory.
 */
int yasmin_peers_resume(void)
{
	u16 domid;
	int err;

	err = yasmin_read_local_domid(&domid);
	if (err)
		return err;
	WRITE_ONCE(yasmin_local_domid, domid);
	return yasmin_watch_root();
}

#ifdef YASMIN_HOSTILE
/*
 * Only in yasmin_hostile.ko, the lab's hostile peer (hostile.c; guest-kmod/Kbuild builds it,
 * yasmin.ko never contains this): the channel's shared state, for hostile.c to corrupt on
 * purpose.  Call these on yasmin_wq, where the channel changes; NULL (or nothing done) while
 * the channel with @peer is down.
 */
#include "hostile.h"

struct yasmin_tx_ring *yasmin_hostile_ctrl_tx(struct yasmin_peer *peer)
{
	return peer->mapped ? &peer->ctrl_tx : NULL;
}

struct yasmin_rx_ring *yasmin_hostile_ctrl_rx(struct yasmin_peer *peer)
{
	return peer->mapped ? &peer->ctrl_rx : NULL;
}

struct yasmin_doorbell_page *yasmin_hostile_peer_doorbell(struct yasmin_peer *peer)
{
	return peer->mapped ? peer->peer_doorbell.addr : NULL;
}

/* An event to the peer: on the channel it rings us with (@stray) or the one we ring it with. */
bool yasmin_hostile_notify(struct yasmin_peer *peer, bool stray)
{
	if (!peer->mapped)
		return false;
	yasmin_evtchn_notify(stray ? &peer->offered_evtchn : &peer->bound_evtchn);
	return true;
}
#endif /* YASMIN_HOSTILE */
