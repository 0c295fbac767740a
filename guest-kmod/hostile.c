// SPDX-License-Identifier: GPL-2.0
/*
 * yasmin_hostile.ko: yasmin as a hostile peer, for the lab only (never installed for users;
 * guest-kmod/Kbuild, tests/lab/scenarios/81-yasmin-hostile.sh).
 *
 * It is the whole of yasmin, working normally, plus /sys/kernel/debug/yasmin_hostile/attack:
 * each line written there corrupts, on purpose, something this domain shares with a peer, the
 * way a malicious or broken peer could; reading the file shows what the last command did.
 * The peer under attack runs the ordinary yasmin.ko and must survive every one of them: the
 * connection attacked reset with ECONNRESET, its others untouched, no oops, no hang, no leak.
 *
 * A connection is named as this side sees it: the peer's domid, our port, the peer's port
 * (the columns of /proc/net/yasmin).  Commands (numbers in decimal or 0x hex):
 *
 *   prod-ahead|prod-far|prod-back|prod-random DOMID LPORT RPORT [HOLD_MS]
 *        the prod index of the ring we produce for that connection: past a ring's size
 *        beyond cons, half the index space ahead, behind what the peer has seen, or random
 *        (never a valid value); then the peer's doorbell slot is rung.
 *   cons-ahead|cons-back|cons-random DOMID LPORT RPORT [HOLD_MS]
 *        the cons index we write in the peer's ring: past its prod, behind, or random.
 *        The socket stays locked HOLD_MS (default 1000) so that our own data path cannot
 *        write a valid index back before the peer has looked.
 *   wanted DOMID LPORT RPORT [N]      N rounds (default 200) of random non-zero values in
 *        all four *_wanted flags of both rings, each followed by a doorbell: only spurious
 *        events, the connection must keep working
 *   layout DOMID LPORT RPORT [N]      N rounds of random magic, nr_pages and grant refs in
 *        the descriptor of the ring we produce: the peer copied them at set-up and must not
 *        care
 *   msg DOMID TYPE FLAGS SRC DST RING_REF DOORBELL RESERVED0
 *        one control message, exactly as given (queued like every other)
 *   malformed DOMID LPORT RPORT       every kind of malformed control message naming that
 *        connection (bad types, flags, slots, non-zero unused fields): "sent=N"
 *   request DOMID DST_PORT KIND       a REQUEST to DST_PORT whose ring is bad: KIND random-ref
 *        (a reference we never granted), foreign-ref (granted to dom0, not to the peer),
 *        bad-magic, nr-pages-0, nr-pages-3, nr-pages-1024 (our own descriptor page, granted
 *        to the peer, with that defect), bad-data-ref (a valid descriptor whose data page
 *        reference is random)
 *   ctrl-prod DOMID ahead|back        the prod index of the control ring we produce
 *   ctrl-cons DOMID ahead|back        the cons index we write in the peer's control ring,
 *        then a REQUEST to a port nobody uses, so that the peer answers and looks at it
 *   storm DOMID all|random|summary|stray N   N doorbell events in a tight loop: every slot
 *        set, random slots, only the summary word, or events on the channel the peer never
 *        expects events on: "events=N us=T"
 *   storm DOMID silent 1              the whole summary word set and no event at all: every
 *        ring of ours finds its bit set and sends none, until the peer's doorbell rescue
 *        (peer.c) collects what no interrupt did
 *   db-random DOMID N                 N rounds of random bytes over the peer's whole doorbell
 *        page, each with an event (which may clear slots we rang for our own connections with
 *        the peer: every storm ends by ringing every slot, so that they only stall meanwhile)
 *   cleanup                           ends the grants the request attacks made
 *
 * Channel-wide attacks run on yasmin_wq, where the channel changes (so it cannot go away
 * under them); connection attacks hold the socket lock, like the data path.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <net/af_vsock.h>
#include <net/sock.h>
#include <xen/grant_table.h>
#include <xen/page.h>

#include "conn.h"
#include "hostile.h"
#include "peer.h"
#include "shared_ring.h"
#include "yasmin.h"

#define HOSTILE_DEFAULT_HOLD_MS		1000
#define HOSTILE_MAX_HOLD_MS		10000
#define HOSTILE_MAX_ROUNDS		10000000

static struct dentry *hostile_dir;
static DEFINE_MUTEX(hostile_lock);	/* one command at a time; protects what follows */
static char hostile_result[256] = "none\n";
static LIST_HEAD(hostile_grants);

/* A page we granted for an attack: kept until cleanup (the peer may still map it). */
struct hostile_grant {
	struct list_head node;
	void *addr;
	grant_ref_t ref;
};

/* ---- helpers ----------------------------------------------------------------------------- */

/* A random u32 outside [base, base + span]: an index the peer can never accept. */
static u32 hostile_random_outside(u32 base, u32 span)
{
	u32 r;

	do {
		r = get_random_u32();
	} while (r - base <= span);
	return r;
}

struct hostile_conn_args {
	const char *what;
	u32 hold_ms;
	u32 rounds;
	u32 value;		/* what was written, for the result */
};

typedef int (*hostile_conn_fn)(struct yasmin_conn *conn, struct hostile_conn_args *a);

/* Runs @fn on the established connection (@lport, @rport) with @domid, its socket locked. */
static int hostile_with_conn(u16 domid, u32 lport, u32 rport, hostile_conn_fn fn,
			     struct hostile_conn_args *a)
{
	struct yasmin_peer *peer;
	struct vsock_sock *vsk;
	struct yasmin_conn *conn;
	struct sock *sk;
	int err;

	peer = yasmin_peer_get(domid);
	if (IS_ERR(peer))
		return PTR_ERR(peer);
	vsk = yasmin_peer_find_conn(peer, lport, rport);
	if (!vsk) {
		yasmin_peer_put(peer);
		return -ENOENT;
	}
	sk = sk_vsock(vsk);
	lock_sock(sk);
	conn = vsk->trans;
	if (!conn || conn->peer != peer || conn->state != YASMIN_CONN_ESTABLISHED || !conn->rx.live)
		err = -ENOTCONN;
	else
		err = fn(conn, a);
	release_sock(sk);
	sock_put(sk);
	yasmin_peer_put(peer);
	return err;
}

/* Rings the peer's slot for @conn, then keeps the socket (locked by the caller) a while. */
static void hostile_ring_and_hold(struct yasmin_conn *conn, u32 hold_ms)
{
	u32 waited = 0;

	yasmin_conn_notify_peer(conn);
	while (waited < hold_ms) {
		msleep(50);
		waited += 50;
		/* Once more, for a peer that was not waiting the first time. */
		if (waited == 500)
			yasmin_conn_notify_peer(conn);
	}
}

/* ---- data rings ---------------------------------------------------------------------------- */

/*
 * The peer's view of the ring we produce lags ours: its prod is somewhere in
 * [our cons, our prod] and its cons at most our prod.  So any prod outside
 * [our prod - size, our prod + size] is invalid for it, whatever it saw last.
 */
static int hostile_prod(struct yasmin_conn *conn, struct hostile_conn_args *a)
{
	struct yasmin_ring_producer *p = &conn->tx.ring;
	u32 bad;

	if (!strcmp(a->what, "prod-ahead"))
		bad = p->prod + p->size + 1;
	else if (!strcmp(a->what, "prod-far"))
		bad = p->prod + 0x7fffffffu;
	else if (!strcmp(a->what, "prod-back"))
		bad = p->cons - 1;
	else
		bad = hostile_random_outside(p->prod - p->size, 2 * p->size);
	WRITE_ONCE(conn->tx.desc->prod, bad);
	a->value = bad;
	hostile_ring_and_hold(conn, a->hold_ms);
	return 0;
}

/*
 * The cons the peer last read of the ring it produces is within [our cons - size, our cons],
 * and its prod at most its cons + size: any cons outside [our cons - size, our cons + size]
 * is invalid for it.
 */
static int hostile_cons(struct yasmin_conn *conn, struct hostile_conn_args *a)
{
	struct yasmin_ring_consumer *c = &conn->rx.ring;
	u32 bad;

	if (!strcmp(a->what, "cons-ahead"))
		bad = c->cons + c->size + 1;
	else if (!strcmp(a->what, "cons-back"))
		bad = c->cons - c->size - 1;
	else
		bad = hostile_random_outside(c->cons - c->size, 2 * c->size + 1);
	WRITE_ONCE(c->desc->cons, bad);
	a->value = bad;
	hostile_ring_and_hold(conn, a->hold_ms);
	return 0;
}

static u32 hostile_nonzero_u32(void)
{
	return get_random_u32() | 1;
}

/* One round of garbage in every *_wanted flag: never 0, so it only causes events. */
static int hostile_wanted(struct yasmin_conn *conn, struct hostile_conn_args *a)
{
	WRITE_ONCE(conn->tx.desc->cons_wanted, hostile_nonzero_u32());
	WRITE_ONCE(conn->tx.desc->prod_wanted, hostile_nonzero_u32());
	WRITE_ONCE(conn->rx.ring.desc->cons_wanted, hostile_nonzero_u32());
	WRITE_ONCE(conn->rx.ring.desc->prod_wanted, hostile_nonzero_u32());
	yasmin_conn_notify_peer(conn);
	return 0;
}

/* One round of garbage in the constant part of our descriptor (our own refs are private). */
static int hostile_layout(struct yasmin_conn *conn, struct hostile_conn_args *a)
{
	struct yasmin_ring_desc *desc = conn->tx.desc;
	unsigned int i;

	WRITE_ONCE(desc->magic, get_random_u32());
	WRITE_ONCE(desc->nr_pages, get_random_u32() | 0x80000000u);
	for (i = 0; i < YASMIN_RING_MAX_PAGES; i++)
		WRITE_ONCE(desc->grefs[i], get_random_u32());
	yasmin_conn_notify_peer(conn);
	return 0;
}

static int hostile_conn_rounds(u16 domid, u32 lport, u32 rport, hostile_conn_fn fn,
			       struct hostile_conn_args *a)
{
	u32 i;
	int err = 0;

	for (i = 0; i < a->rounds; i++) {
		err = hostile_with_conn(domid, lport, rport, fn, a);
		if (err)
			break;
		usleep_range(2000, 4000);
	}
	/* Rounds done before the connection went away still count. */
	if (err && i)
		err = 0;
	a->rounds = i;
	return err;
}

/* ---- control messages ---------------------------------------------------------------------- */

static int hostile_send(u16 domid, const struct yasmin_ctrl_msg *msg)
{
	struct yasmin_peer *peer = yasmin_peer_get(domid);

	if (IS_ERR(peer))
		return PTR_ERR(peer);
	yasmin_peer_send(peer, msg);
	yasmin_peer_put(peer);
	return 0;
}

/* Every way a message can be malformed (ctrl_msg.c), each naming (@src, @dst). */
static int hostile_malformed(u16 domid, u32 src, u32 dst, unsigned int *sent)
{
	static const struct {
		u16 type, flags;
		u32 ring_ref, doorbell, reserved[3];
	} bad[] = {
		{ 0 }, { 5 }, { 0x7fff }, { 0xffff, 0xffff, 1, 1 },
		{ YASMIN_CTRL_REQUEST, 0x8000, 1, 1 },	/* no flag is that high */
		{ YASMIN_CTRL_REQUEST, 0, 1, 0 },
		{ YASMIN_CTRL_REQUEST, 0, 1, YASMIN_DOORBELL_SLOTS },
		{ YASMIN_CTRL_REQUEST, 0, 1, 0xffffffffu },
		{ YASMIN_CTRL_REQUEST, 0, 1, 1, { 1 } },
		{ YASMIN_CTRL_ACCEPT, 0x8000, 1, 1 },
		{ YASMIN_CTRL_ACCEPT, 0, 1, 0 },
		{ YASMIN_CTRL_ACCEPT, 0, 1, YASMIN_DOORBELL_SLOTS },
		{ YASMIN_CTRL_ACCEPT, 0, 1, 0x80000000u },
		{ YASMIN_CTRL_ACCEPT, 0, 1, 1, { 0, 0xffffffffu } },
		{ YASMIN_CTRL_RESET, 2 },
		{ YASMIN_CTRL_RESET, 0xffff },
		{ YASMIN_CTRL_RESET, 0, 1 },
		{ YASMIN_CTRL_RESET, 0, 0, 1 },
		{ YASMIN_CTRL_RESET, 0, 0, 0, { 0, 0, 1 } },
		{ YASMIN_CTRL_SHUTDOWN, 4 },
		{ YASMIN_CTRL_SHUTDOWN, 0xffff },
		{ YASMIN_CTRL_SHUTDOWN, YASMIN_SHUTDOWN_MASK, 7 },
		{ YASMIN_CTRL_SHUTDOWN, YASMIN_SHUTDOWN_MASK, 0, 1 },
		{ YASMIN_CTRL_SHUTDOWN, YASMIN_SHUTDOWN_MASK, 0, 0, { 1 } },
	};
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct yasmin_ctrl_msg msg = {
			.type = bad[i].type,
			.flags = bad[i].flags,
			.src_port = src,
			.dst_port = dst,
			.ring_ref = bad[i].ring_ref,
			.doorbell = bad[i].doorbell,
			.reserved = { bad[i].reserved[0], bad[i].reserved[1], bad[i].reserved[2] },
		};

		err = hostile_send(domid, &msg);
		if (err)
			return err;
	}
	*sent = i;
	return 0;
}

/* A page granted to @domid, kept on hostile_grants until cleanup. */
static struct hostile_grant *hostile_grant_page(domid_t domid)
{
	struct hostile_grant *g = kzalloc(sizeof(*g), GFP_KERNEL);
	int ref;

	if (!g)
		return NULL;
	g->addr = (void *)get_zeroed_page(GFP_KERNEL);
	if (!g->addr)
		goto err;
	ref = gnttab_grant_foreign_access(domid, virt_to_gfn(g->addr), 0);
	if (ref < 0) {
		free_page((unsigned long)g->addr);
		goto err;
	}
	g->ref = ref;
	list_add(&g->node, &hostile_grants);
	return g;
err:
	kfree(g);
	return NULL;
}

static unsigned int hostile_cleanup(void)
{
	struct hostile_grant *g, *tmp;
	unsigned int n = 0;

	list_for_each_entry_safe(g, tmp, &hostile_grants, node) {
		list_del(&g->node);
		/* Frees the page, at once or once the peer has unmapped it. */
		if (gnttab_try_end_foreign_access(g->ref))
			free_page((unsigned long)g->addr);
		else
			gnttab_end_foreign_access(g->ref, virt_to_page(g->addr));
		kfree(g);
		n++;
	}
	return n;
}

static int hostile_request(u16 domid, u32 dst, const char *kind, u32 *ref_out)
{
	struct yasmin_ctrl_msg msg = {
		.type = YASMIN_CTRL_REQUEST,
		.src_port = 0x40000000u | (get_random_u32() & 0x3fffffffu),
		.dst_port = dst,
		.doorbell = 1,
	};
	struct yasmin_ring_desc *desc;
	struct hostile_grant *g;

	if (!strcmp(kind, "random-ref")) {
		/* Far beyond any grant table in use: never granted to anyone. */
		msg.ring_ref = 0x100000u + (get_random_u32() & 0xfffffffu);
	} else if (!strcmp(kind, "foreign-ref")) {
		g = hostile_grant_page(0);
		if (!g)
			return -ENOMEM;
		desc = g->addr;
		desc->magic = YASMIN_RING_DESC_MAGIC;
		desc->nr_pages = 1;
		msg.ring_ref = g->ref;
	} else {
		g = hostile_grant_page(domid);
		if (!g)
			return -ENOMEM;
		desc = g->addr;
		desc->magic = YASMIN_RING_DESC_MAGIC;
		desc->nr_pages = 1;
		desc->grefs[0] = g->ref;	/* readable by the peer: a well-formed ring */
		if (!strcmp(kind, "bad-magic"))
			desc->magic = ~YASMIN_RING_DESC_MAGIC;
		else if (!strcmp(kind, "nr-pages-0"))
			desc->nr_pages = 0;
		else if (!strcmp(kind, "nr-pages-3"))
			desc->nr_pages = 3;
		else if (!strcmp(kind, "nr-pages-1024"))
			desc->nr_pages = 1024;
		else if (!strcmp(kind, "bad-data-ref"))
			desc->grefs[0] = 0x100000u + (get_random_u32() & 0xfffffffu);
		else
			return -EINVAL;	/* the page stays on the list until cleanup */
		msg.ring_ref = g->ref;
	}
	*ref_out = msg.ring_ref;
	return hostile_send(domid, &msg);
}

/* ---- the channel: on yasmin_wq ------------------------------------------------------------ */

struct hostile_work {
	struct work_struct work;
	int (*fn)(struct yasmin_peer *peer, struct hostile_work *hw);
	struct yasmin_peer *peer;
	const char *kind;
	u32 dst_port;
	u64 rounds;
	u64 done;
	u32 value;
	int ret;
};

static void hostile_work_fn(struct work_struct *work)
{
	struct hostile_work *hw = container_of(work, struct hostile_work, work);

	hw->ret = hw->fn(hw->peer, hw);
}

static int hostile_on_wq(u16 domid, struct hostile_work *hw)
{
	hw->peer = yasmin_peer_get(domid);
	if (IS_ERR(hw->peer))
		return PTR_ERR(hw->peer);
	INIT_WORK_ONSTACK(&hw->work, hostile_work_fn);
	queue_work(yasmin_wq, &hw->work);
	flush_work(&hw->work);
	destroy_work_on_stack(&hw->work);
	yasmin_peer_put(hw->peer);
	return hw->ret;
}

/* Writes @msg straight into our control ring: nothing else produces there meanwhile. */
static int hostile_ctrl_inject(struct yasmin_peer *peer, const struct yasmin_ctrl_msg *msg)
{
	struct yasmin_tx_ring *tx = yasmin_hostile_ctrl_tx(peer);
	struct yasmin_ring_chunks chunks;
	u32 len, done = 0;
	void *data;

	if (!tx)
		return -ENOTCONN;
	if (yasmin_ring_producer_space(&tx->ring) < (int)sizeof(*msg))
		return -ENOSPC;
	yasmin_ring_producer_chunks(&tx->ring, sizeof(*msg), &chunks);
	while (yasmin_ring_next_chunk(&chunks, &data, &len)) {
		memcpy(data, (const u8 *)msg + done, len);
		done += len;
	}
	yasmin_ring_producer_commit(&tx->ring, sizeof(*msg));
	yasmin_peer_ring_conn(peer, YASMIN_DOORBELL_CONTROL);
	return 0;
}

static int hostile_ctrl_prod(struct yasmin_peer *peer, struct hostile_work *hw)
{
	struct yasmin_tx_ring *tx = yasmin_hostile_ctrl_tx(peer);
	struct yasmin_ring_producer *p;

	if (!tx)
		return -ENOTCONN;
	p = &tx->ring;
	hw->value = !strcmp(hw->kind, "ahead") ? p->prod + p->size + 1 : p->cons - 1;
	WRITE_ONCE(tx->desc->prod, hw->value);
	yasmin_peer_ring_conn(peer, YASMIN_DOORBELL_CONTROL);
	return 0;
}

static int hostile_ctrl_cons(struct yasmin_peer *peer, struct hostile_work *hw)
{
	struct yasmin_rx_ring *rx = yasmin_hostile_ctrl_rx(peer);
	struct yasmin_ring_consumer *c;
	struct yasmin_ctrl_msg msg = {
		.type = YASMIN_CTRL_REQUEST,
		.src_port = 0x40000000u | (get_random_u32() & 0x3fffffffu),
		.dst_port = hw->dst_port,
		.ring_ref = 0x100000u,
		.doorbell = 1,
	};
	int err;

	if (!rx)
		return -ENOTCONN;
	c = &rx->ring;
	hw->value = !strcmp(hw->kind, "ahead") ? c->cons + c->size + 1 : c->cons - c->size - 1;
	WRITE_ONCE(c->desc->cons, hw->value);
	/* The peer refuses it: its RESET makes it read our cons.  Our own consumer, which would
	 * write a valid cons back, waits behind this work item meanwhile. */
	err = hostile_ctrl_inject(peer, &msg);
	if (!err)
		msleep(1000);
	return err;
}

static int hostile_storm(struct yasmin_peer *peer, struct hostile_work *hw)
{
	struct yasmin_doorbell_page *db = yasmin_hostile_peer_doorbell(peer);
	bool stray = !strcmp(hw->kind, "stray");
	bool all = !strcmp(hw->kind, "all"), summary = !strcmp(hw->kind, "summary");
	bool page = !strcmp(hw->kind, "page");
	unsigned int w;

	if (!db)
		return -ENOTCONN;
	if (!strcmp(hw->kind, "silent")) {
		WRITE_ONCE(db->summary, ~0ull);
		hw->done = 1;
		return 0;
	}
	for (hw->done = 0; hw->done < hw->rounds; hw->done++) {
		if (page) {
			get_random_bytes(db, sizeof(*db));
		} else if (all) {
			for (w = 0; w < ARRAY_SIZE(db->bits); w++)
				WRITE_ONCE(db->bits[w], ~0ull);
			WRITE_ONCE(db->summary, ~0ull);
		} else if (summary) {
			WRITE_ONCE(db->summary, ~0ull);
		} else if (!stray) {
			/* Or'ed in: our own rings of the peer's slots stay set. */
			w = get_random_u32() % ARRAY_SIZE(db->bits);
			atomic_long_or(get_random_u64(), (atomic_long_t *)&db->bits[w]);
			atomic_long_or(get_random_u64() | BIT_ULL(w), (atomic_long_t *)&db->summary);
		}
		if (!yasmin_hostile_notify(peer, stray))
			return -ENOTCONN;
		if (!(hw->done & 63))
			cond_resched();
	}
	/*
	 * Random bytes over the page also cleared slots we had rung for our own connections with
	 * the peer: that only delays them (contract.h), until we ring them again, as here.
	 */
	for (w = 0; w < ARRAY_SIZE(db->bits); w++)
		WRITE_ONCE(db->bits[w], ~0ull);
	WRITE_ONCE(db->summary, ~0ull);
	yasmin_hostile_notify(peer, false);
	return 0;
}

/* ---- debugfs --------------------------------------------------------------------------- */

static bool hostile_conn_cmd(const char *cmd)
{
	static const char *const names[] = {
		"prod-ahead", "prod-far", "prod-back", "prod-random",
		"cons-ahead", "cons-back", "cons-random", "wanted", "layout",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(cmd, names[i]))
			return true;
	return false;
}

static int hostile_run(char *line)
{
	char cmd[32], kind[32];
	int domid, a1, a2, a3 = 0, v[6];
	ktime_t started = ktime_get();
	int n, err;

	n = sscanf(line, "%31s %i %i %i %i", cmd, &domid, &a1, &a2, &a3);
	if (n < 1)
		return -EINVAL;
	if (!strcmp(cmd, "cleanup")) {
		snprintf(hostile_result, sizeof(hostile_result), "ok cleanup grants=%u\n",
			 hostile_cleanup());
		return 0;
	}
	if (n < 2 || domid < 0 || domid > YASMIN_DOMID_MAX)
		return -EINVAL;

	if (hostile_conn_cmd(cmd)) {
		struct hostile_conn_args a = { .what = cmd, .hold_ms = HOSTILE_DEFAULT_HOLD_MS,
					       .rounds = 1 };
		bool rounds = !strcmp(cmd, "wanted") || !strcmp(cmd, "layout");

		if (n < 4)
			return -EINVAL;
		if (n == 5) {
			if (a3 < 0)
				return -EINVAL;
			if (rounds)
				a.rounds = a3;
			else
				a.hold_ms = min_t(u32, a3, HOSTILE_MAX_HOLD_MS);
		} else if (rounds) {
			a.rounds = 200;
		}
		if (a.rounds > HOSTILE_MAX_ROUNDS)
			return -EINVAL;
		if (!strncmp(cmd, "prod", 4))
			err = hostile_with_conn(domid, a1, a2, hostile_prod, &a);
		else if (!strncmp(cmd, "cons", 4))
			err = hostile_with_conn(domid, a1, a2, hostile_cons, &a);
		else
			err = hostile_conn_rounds(domid, a1, a2, !strcmp(cmd, "wanted") ?
						  hostile_wanted : hostile_layout, &a);
		if (!err)
			snprintf(hostile_result, sizeof(hostile_result),
				 "ok %s domid=%d lport=%u rport=%u value=0x%x rounds=%u\n", cmd,
				 domid, a1, a2, a.value, a.rounds);
		return err;
	}
	if (!strcmp(cmd, "msg")) {
		struct yasmin_ctrl_msg msg = { 0 };

		/* msg DOMID TYPE FLAGS SRC DST RING_REF DOORBELL RESERVED0 */
		if (sscanf(line, "%*s %*i %i %i %i %i %i %i %i", &v[0], &v[1], &v[2], &v[3], &v[4],
			   &v[5], &a3) != 7)
			return -EINVAL;
		msg.type = v[0];
		msg.flags = v[1];
		msg.src_port = v[2];
		msg.dst_port = v[3];
		msg.ring_ref = v[4];
		msg.doorbell = v[5];
		msg.reserved[0] = a3;
		err = hostile_send(domid, &msg);
		if (!err)
			snprintf(hostile_result, sizeof(hostile_result), "ok msg type=%u sent=1\n",
				 msg.type);
		return err;
	}
	if (!strcmp(cmd, "malformed")) {
		unsigned int sent = 0;

		if (n < 4)
			return -EINVAL;
		err = hostile_malformed(domid, a1, a2, &sent);
		if (!err)
			snprintf(hostile_result, sizeof(hostile_result), "ok malformed sent=%u\n",
				 sent);
		return err;
	}
	if (!strcmp(cmd, "request")) {
		u32 ref = 0;

		if (n < 3 || sscanf(line, "%*s %*i %*i %31s", kind) != 1)
			return -EINVAL;
		err = hostile_request(domid, a1, kind, &ref);
		if (!err)
			snprintf(hostile_result, sizeof(hostile_result),
				 "ok request %s dst=%u ring_ref=%u\n", kind, (u32)a1, ref);
		return err;
	}
	if (!strcmp(cmd, "ctrl-prod") || !strcmp(cmd, "ctrl-cons") || !strcmp(cmd, "storm") ||
	    !strcmp(cmd, "db-random")) {
		struct hostile_work hw = { .kind = kind };
		int rounds = 0;

		/* ctrl-prod|ctrl-cons DOMID KIND, storm DOMID KIND N, db-random DOMID N */
		if (!strcmp(cmd, "db-random")) {
			strscpy(kind, "page", sizeof(kind));
			if (sscanf(line, "%*s %*i %i", &rounds) != 1)
				return -EINVAL;
		} else if (!strcmp(cmd, "storm")) {
			if (sscanf(line, "%*s %*i %31s %i", kind, &rounds) != 2 ||
			    (strcmp(kind, "all") && strcmp(kind, "random") &&
			     strcmp(kind, "summary") && strcmp(kind, "stray") &&
			     strcmp(kind, "silent")))
				return -EINVAL;
		} else if (sscanf(line, "%*s %*i %31s", kind) != 1 ||
			   (strcmp(kind, "ahead") && strcmp(kind, "back"))) {
			return -EINVAL;
		}
		if (rounds < 0 || rounds > HOSTILE_MAX_ROUNDS)
			return -EINVAL;
		hw.rounds = rounds;
		hw.dst_port = 0x7ffffff0u;	/* ctrl-cons: nobody listens there */
		hw.fn = !strcmp(cmd, "ctrl-prod") ? hostile_ctrl_prod :
			!strcmp(cmd, "ctrl-cons") ? hostile_ctrl_cons : hostile_storm;
		err = hostile_on_wq(domid, &hw);
		if (!err)
			snprintf(hostile_result, sizeof(hostile_result),
				 "ok %s %s domid=%d value=0x%x events=%llu us=%lld\n", cmd, kind,
				 domid, hw.value, hw.done,
				 ktime_us_delta(ktime_get(), started));
		return err;
	}
	return -EINVAL;
}

static ssize_t hostile_write(struct file *file, const char __user *ubuf, size_t len,
			     loff_t *ppos)
{
	char buf[192];
	int err;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = 0;
	strim(buf);
	mutex_lock(&hostile_lock);
	err = hostile_run(buf);
	if (err)
		snprintf(hostile_result, sizeof(hostile_result), "error %d: %s\n", err, buf);
	pr_info("attack '%s': %s", buf, hostile_result);
	mutex_unlock(&hostile_lock);
	return err ? err : len;
}

static ssize_t hostile_read(struct file *file, char __user *ubuf, size_t len, loff_t *ppos)
{
	char buf[sizeof(hostile_result)];

	mutex_lock(&hostile_lock);
	strscpy(buf, hostile_result, sizeof(buf));
	mutex_unlock(&hostile_lock);
	return simple_read_from_buffer(ubuf, len, ppos, buf, strlen(buf));
}

static const struct file_operations hostile_fops = {
	.owner = THIS_MODULE,
	.write = hostile_write,
	.read = hostile_read,
	.llseek = default_llseek,
};

static int __init hostile_init(void)
{
	int err = yasmin_hostile_base_init();

	if (err)
		return err;
	hostile_dir = debugfs_create_dir("yasmin_hostile", NULL);
	debugfs_create_file("attack", 0600, hostile_dir, NULL, &hostile_fops);
	pr_warn("this is the lab's HOSTILE build of yasmin: it attacks its peers on command\n");
	return 0;
}

static void __exit hostile_exit(void)
{
	debugfs_remove_recursive(hostile_dir);
	yasmin_hostile_base_exit();
	mutex_lock(&hostile_lock);
	hostile_cleanup();
	mutex_unlock(&hostile_lock);
}

module_init(hostile_init);
module_exit(hostile_exit);
