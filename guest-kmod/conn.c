// SPDX-License-Identifier: GPL-2.0
/*
 * Connections: setting one up from either end, taking it down, and what the control
 * messages of contract.h do to it.
 *
 * The connecting side allocates its ring and a doorbell slot, then sends REQUEST.  The
 * accepting side maps that ring, allocates its own ring and slot and answers ACCEPT, after
 * which the connecting side maps the acceptor's ring.  Each side frees what it holds when its
 * socket is closed, or at once when the peer resets the connection, breaks the protocol or
 * disappears.  Resources that run out (grant or mapping budget, doorbell slots) fail the
 * connect() with ENOBUFS on whichever side they run out.
 *
 * Locking: everything here runs with the socket locked.  The interrupt handler, which cannot
 * take that lock, only reads the ring indexes as a hint and wakes the socket; freeing the
 * doorbell slot waits for a running handler, so a connection does that before unmapping or
 * freeing anything the handler might look at.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/interrupt.h>
#include <linux/seq_file.h>
#include <net/af_vsock.h>
#include <net/sock.h>
#include <xen/events.h>

#include "conn.h"
#include "ctrl_msg.h"
#include "peer.h"
#include "yasmin.h"

static struct yasmin_conn *yasmin_conn_of(struct vsock_sock *vsk)
{
	return vsk->trans;
}

static void yasmin_send_msg(struct yasmin_peer *peer, u16 type, u16 flags, u32 src_port,
			    u32 dst_port, u32 ring_ref, u32 doorbell)
{
	struct yasmin_ctrl_msg msg = {
		.type = type,
		.flags = flags,
		.src_port = src_port,
		.dst_port = dst_port,
		.ring_ref = ring_ref,
		.doorbell = doorbell,
	};

	if (type == YASMIN_CTRL_RESET) {
		atomic_inc(&yasmin_stats.resets_sent);
		yasmin_peer_count_reset(peer, YASMIN_RESET_SENT);
	}
	yasmin_peer_send(peer, &msg);
}

static void yasmin_conn_send(struct yasmin_conn *conn, u16 type, u16 flags)
{
	yasmin_send_msg(conn->peer, type, flags, conn->local_port, conn->remote_port, 0, 0);
}

/* ---- interrupt ------------------------------------------------------------------------- */

/*
 * Did either index move since the last event?  If not, the event told us nothing and is
 * reported as spurious, which makes Xen delay the next ones (XSA-332).  The values are read
 * only for this hint; the data path reads and validates them under the socket lock.
 */
static bool yasmin_conn_irq_progress(struct yasmin_conn *conn)
{
	bool progress = false;
	u32 cons, prod;

	cons = READ_ONCE(conn->tx.desc->cons);
	if (cons != conn->irq_seen_cons) {
		conn->irq_seen_cons = cons;
		progress = true;
	}
	/* Pairs with smp_store_release() in yasmin_conn_map_peer_ring(). */
	if (smp_load_acquire(&conn->rx_ready)) {
		prod = READ_ONCE(conn->rx.ring.desc->prod);
		if (prod != conn->irq_seen_prod) {
			conn->irq_seen_prod = prod;
			progress = true;
		}
	}
	return progress;
}

bool yasmin_conn_doorbell(struct yasmin_conn *conn)
{
	struct sock *sk = sk_vsock(conn->vsk);
	bool progress = yasmin_conn_irq_progress(conn);

	WRITE_ONCE(conn->doorbells, conn->doorbells + 1);	/* one handler at a time */

	/* Either direction may have moved: readers and writers re-check under the lock. */
	sk->sk_data_ready(sk);
	sk->sk_write_space(sk);
	return progress;
}

/* Socket locked, connection established. */
void yasmin_conn_notify_peer(struct yasmin_conn *conn)
{
	yasmin_peer_ring_conn(conn->peer, conn->peer_slot);
}

/* ---- resources ------------------------------------------------------------------------- */

static int yasmin_conn_create_tx(struct yasmin_conn *conn)
{
	return yasmin_tx_ring_create(&conn->tx, yasmin_peer_domid(conn->peer),
				     yasmin_ring_pages_for_size(conn->vsk->buffer_size));
}

static int yasmin_conn_map_peer_ring(struct yasmin_conn *conn, u32 ring_ref)
{
	enum yasmin_ring_fault fault;
	int err;

	err = yasmin_rx_ring_map(&conn->rx, yasmin_peer_domid(conn->peer), ring_ref, &fault);
	if (err)
		return err;
	conn->irq_seen_prod = 0;
	smp_store_release(&conn->rx_ready, true);
	return 0;
}

/* Ties @conn to @peer, taking over the caller's reference to it. */
static void yasmin_conn_attach(struct yasmin_conn *conn, struct yasmin_peer *peer,
			       u32 local_port, u32 remote_port)
{
	conn->peer = peer;
	conn->local_port = local_port;
	conn->remote_port = remote_port;
	atomic_inc(&yasmin_stats.connections);
}

/*
 * Frees everything the connection holds and forgets the peer.  The peer may still map our
 * ring: the grant code frees those pages once it lets go of them.
 */
static void yasmin_conn_teardown(struct yasmin_conn *conn)
{
	struct yasmin_peer *peer = conn->peer;

	if (!peer)
		return;
	yasmin_peer_account_conn(peer, conn);
	conn->bytes_sent = 0;
	conn->bytes_received = 0;
	conn->events_sent = 0;
	conn->events_suppressed = 0;
	conn->full_waits = 0;
	conn->doorbells = 0;
	yasmin_peer_remove_conn(peer, conn);	/* and the slot: no handler runs for it now */
	WRITE_ONCE(conn->rx_ready, false);
	yasmin_rx_ring_unmap(&conn->rx);
	yasmin_tx_ring_destroy(&conn->tx);
	conn->state = YASMIN_CONN_IDLE;
	conn->peer = NULL;
	conn->peer_slot = 0;
	yasmin_peer_put(peer);
	atomic_dec(&yasmin_stats.connections);
}

/*
 * A reset, seen by the application as ECONNRESET.  sk_state stays TCP_ESTABLISHED: the vsock
 * core answers recv() on a socket in any other state with 0 or ENOTCONN before looking at
 * sk_err, and TCP returns ECONNRESET.  Nothing can be read or written any more (the rings are
 * gone) and SO_ERROR reports and clears the error, after which recv() returns end-of-file.
 */
static void yasmin_conn_mark_reset(struct vsock_sock *vsk, int err)
{
	struct sock *sk = sk_vsock(vsk);

	vsk->peer_shutdown = SHUTDOWN_MASK;
	sock_set_flag(sk, SOCK_DONE);
	sk->sk_err = err;
	sk_error_report(sk);
	sk->sk_state_change(sk);
}

/* ---- socket side ----------------------------------------------------------------------- */

/**
 * yasmin_conn_connect() - Start connecting to vsk->remote_addr.
 * @vsk: locked, bound, in TCP_SYN_SENT
 *
 * Return: 0 once the REQUEST is queued (the core then waits for ACCEPT or RESET), or a
 * negative errno: -ENETUNREACH when the remote CID is not a peer dom0 set up for us,
 * -ENOBUFS when the grant budget or the doorbell slots with that peer are used up.
 */
int yasmin_conn_connect(struct vsock_sock *vsk)
{
	struct yasmin_conn *conn = yasmin_conn_of(vsk);
	u32 cid = vsk->remote_addr.svm_cid;
	struct yasmin_peer *peer;
	int err;

	/* A connect() after a timed-out or refused one starts from scratch. */
	yasmin_conn_teardown(conn);

	if (!yasmin_cid_is_valid(cid))
		return -ENETUNREACH;
	peer = yasmin_peer_get(yasmin_domid_from_cid(cid));
	if (IS_ERR(peer))
		return PTR_ERR(peer);

	yasmin_conn_attach(conn, peer, vsk->local_addr.svm_port, vsk->remote_addr.svm_port);

	err = yasmin_conn_create_tx(conn);
	if (err)
		goto err_teardown;
	err = yasmin_peer_add_conn(peer, conn);
	if (err)
		goto err_teardown;

	conn->state = YASMIN_CONN_CONNECTING;
	yasmin_send_msg(peer, YASMIN_CTRL_REQUEST,
			sk_vsock(vsk)->sk_type == SOCK_SEQPACKET ? YASMIN_REQUEST_SEQPACKET : 0,
			conn->local_port, conn->remote_port, conn->tx.desc_ref, conn->local_slot);
	return 0;

err_teardown:
	yasmin_conn_teardown(conn);
	return err;
}

/* The core gave up waiting (timeout or signal): take the request back, or reset it. */
void yasmin_conn_cancel_connect(struct vsock_sock *vsk)
{
	struct yasmin_conn *conn = yasmin_conn_of(vsk);

	if (conn->state != YASMIN_CONN_CONNECTING)
		return;
	if (!yasmin_peer_cancel_request(conn->peer, conn->local_port, conn->remote_port))
		yasmin_conn_send(conn, YASMIN_CTRL_RESET, 0);
	yasmin_conn_teardown(conn);
}

/* @mode: RCV_SHUTDOWN and/or SEND_SHUTDOWN, the same bits as YASMIN_SHUTDOWN_*. */
void yasmin_conn_shutdown(struct vsock_sock *vsk, int mode)
{
	struct yasmin_conn *conn = yasmin_conn_of(vsk);

	BUILD_BUG_ON(RCV_SHUTDOWN != YASMIN_SHUTDOWN_RCV || SEND_SHUTDOWN != YASMIN_SHUTDOWN_SEND);
	if (conn->state == YASMIN_CONN_ESTABLISHED)
		yasmin_conn_send(conn, YASMIN_CTRL_SHUTDOWN, mode & YASMIN_SHUTDOWN_MASK);
}

/*
 * close(): the peer is told that both directions are shut, so that it reads what our ring
 * still holds and then end-of-file; it can do so after we are gone, as our pages stay granted
 * until it unmaps them.
 */
void yasmin_conn_close(struct vsock_sock *vsk)
{
	struct yasmin_conn *conn = yasmin_conn_of(vsk);

	if (conn->state == YASMIN_CONN_ESTABLISHED)
		yasmin_conn_send(conn, YASMIN_CTRL_SHUTDOWN, YASMIN_SHUTDOWN_MASK);
	else if (conn->state == YASMIN_CONN_CONNECTING)
		yasmin_conn_cancel_connect(vsk);
	yasmin_conn_teardown(conn);
}

/* A ring index from the peer broke the contract: reset this connection, and only this one. */
void yasmin_conn_violation(struct vsock_sock *vsk, const char *what)
{
	struct yasmin_conn *conn = yasmin_conn_of(vsk);

	if (!conn->peer)
		return;
	yasmin_count_violation(yasmin_peer_domid(conn->peer), what);
	yasmin_peer_count_reset(conn->peer, YASMIN_RESET_VIOLATION);
	yasmin_conn_send(conn, YASMIN_CTRL_RESET, 0);
	yasmin_conn_teardown(conn);
	yasmin_conn_mark_reset(vsk, ECONNRESET);
}

static const char *const yasmin_conn_state_names[] = {
	[YASMIN_CONN_IDLE] = "idle",
	[YASMIN_CONN_CONNECTING] = "connecting",
	[YASMIN_CONN_ESTABLISHED] = "established",
};

/* One line of /proc/net/yasmin; the caller holds the peer's table lock. */
void yasmin_conn_show(struct seq_file *m, const struct yasmin_conn *conn)
{
	/*
	 * The shared indexes and wait flags as they are now, read without the socket lock: for
	 * looking at a connection that seems stuck (docs/observability.md), never used.
	 */
	u32 tx_unread = 0, rx_unread = 0, tx_waits = 0, rx_waits = 0;

	if (conn->tx.desc) {
		tx_unread = READ_ONCE(conn->tx.desc->prod) - READ_ONCE(conn->tx.desc->cons);
		tx_waits = READ_ONCE(conn->tx.desc->cons_wanted);
	}
	if (smp_load_acquire(&conn->rx_ready)) {
		rx_unread = READ_ONCE(conn->rx.ring.desc->prod) - READ_ONCE(conn->rx.ring.desc->cons);
		rx_waits = READ_ONCE(conn->rx.ring.desc->prod_wanted);
	}
	seq_printf(m, "%u %u %u %s %u %u %llu %llu %llu %llu %llu %llu %u %u %u %u\n",
		   yasmin_peer_domid(conn->peer), conn->local_port, conn->remote_port,
		   yasmin_conn_state_names[READ_ONCE(conn->state)],
		   READ_ONCE(conn->tx.nr_pages) * YASMIN_PAGE_SIZE,
		   READ_ONCE(conn->rx.nr_pages) * YASMIN_PAGE_SIZE,
		   READ_ONCE(conn->bytes_sent), READ_ONCE(conn->bytes_received),
		   READ_ONCE(conn->events_sent), READ_ONCE(conn->events_suppressed),
		   READ_ONCE(conn->full_waits), READ_ONCE(conn->doorbells),
		   tx_unread, tx_waits, rx_unread, rx_waits);
}

/* ---- peer side ------------------------------------------------------------------------- */

/* The control channel went down: @vsk (referenced by the caller) is reset if still @peer's. */
void yasmin_conn_peer_gone(struct vsock_sock *vsk, struct yasmin_peer *peer)
{
	struct sock *sk = sk_vsock(vsk);
	struct yasmin_conn *conn;

	lock_sock(sk);
	conn = yasmin_conn_of(vsk);
	if (conn && conn->peer == peer) {
		bool connecting = conn->state == YASMIN_CONN_CONNECTING;

		yasmin_peer_count_reset(peer, YASMIN_RESET_CHANNEL_DOWN);
		yasmin_conn_teardown(conn);
		yasmin_conn_mark_reset(vsk, connecting ? ECONNREFUSED : ECONNRESET);
		if (connecting)
			sk->sk_state = TCP_CLOSE;
	}
	release_sock(sk);
}

/* Answers a REQUEST nobody can take; @flags YASMIN_RESET_NO_BUFFERS if resources ran out. */
static void yasmin_refuse(struct yasmin_peer *peer, const struct yasmin_ctrl_msg *req, u16 flags)
{
	yasmin_send_msg(peer, YASMIN_CTRL_RESET, flags, req->dst_port, req->src_port, 0, 0);
}

/*
 * Sets up the accepting end on @child (locked, transport assigned): map the requester's ring,
 * allocate our ring and doorbell slot.
 */
static int yasmin_conn_accept_setup(struct vsock_sock *child, struct yasmin_peer *peer,
				    const struct yasmin_ctrl_msg *req)
{
	struct yasmin_conn *conn = yasmin_conn_of(child);
	int err;

	yasmin_peer_hold(peer);
	yasmin_conn_attach(conn, peer, req->dst_port, req->src_port);

	err = yasmin_conn_map_peer_ring(conn, req->ring_ref);
	if (err)
		goto err_teardown;
	err = yasmin_conn_create_tx(conn);
	if (err)
		goto err_teardown;
	err = yasmin_peer_add_conn(peer, conn);
	if (err)
		goto err_teardown;
	conn->peer_slot = req->doorbell;
	conn->state = YASMIN_CONN_ESTABLISHED;
	return 0;

err_teardown:
	yasmin_conn_teardown(conn);
	return err;
}

static void yasmin_handle_request(struct yasmin_peer *peer, const struct yasmin_ctrl_msg *req)
{
	struct sockaddr_vm local;
	struct vsock_sock *vchild, *existing;
	struct sock *listener, *child;
	u16 refusal = 0;
	int err;

	existing = yasmin_peer_find_conn(peer, req->dst_port, req->src_port);
	if (existing) {
		/* Ports in use on both ends: the peer lost track of its own connections. */
		lock_sock(sk_vsock(existing));
		yasmin_conn_violation(existing, "REQUEST for a connection that exists");
		release_sock(sk_vsock(existing));
		sock_put(sk_vsock(existing));
		return;
	}

	vsock_addr_init(&local, yasmin_local_cid(), req->dst_port);
	listener = vsock_find_bound_socket(&local);
	if (!listener) {
		yasmin_refuse(peer, req, 0);
		return;
	}

	lock_sock(listener);
	/* The socket type travels in the REQUEST; the other type is refused, as virtio does. */
	if (listener->sk_state != TCP_LISTEN ||
	    listener->sk_type != (req->flags & YASMIN_REQUEST_SEQPACKET ? SOCK_SEQPACKET :
								     SOCK_STREAM) ||
	    sk_acceptq_is_full(listener))
		goto refuse;

	child = vsock_create_connected(listener);
	if (!child)
		goto refuse;
	vchild = vsock_sk(child);
	vsock_addr_init(&vchild->local_addr, yasmin_local_cid(), req->dst_port);
	vsock_addr_init(&vchild->remote_addr, yasmin_cid_from_domid(yasmin_peer_domid(peer)),
			req->src_port);
	err = vsock_assign_transport(vchild, vsock_sk(listener));
	/* Another transport may own that CID pair (e.g. vhost in dom0): not ours to accept. */
	if (err || !yasmin_transport_owns(vchild)) {
		sock_put(child);
		goto refuse;
	}

	lock_sock_nested(child, SINGLE_DEPTH_NESTING);
	err = yasmin_conn_accept_setup(vchild, peer, req);
	if (err) {
		if (err == -EPROTO)
			yasmin_count_violation(yasmin_peer_domid(peer), "invalid data ring");
		if (err == -ENOBUFS)
			refusal = YASMIN_RESET_NO_BUFFERS;
		release_sock(child);
		sock_put(child);
		goto refuse;
	}
	child->sk_state = TCP_ESTABLISHED;
	vsock_insert_connected(vchild);
	vsock_enqueue_accept(listener, child);
	sk_acceptq_added(listener);
	yasmin_send_msg(peer, YASMIN_CTRL_ACCEPT, 0, req->dst_port, req->src_port,
			yasmin_conn_of(vchild)->tx.desc_ref, yasmin_conn_of(vchild)->local_slot);
	release_sock(child);
	listener->sk_data_ready(listener);
	release_sock(listener);
	sock_put(listener);
	return;

refuse:
	yasmin_refuse(peer, req, refusal);
	release_sock(listener);
	sock_put(listener);
}

static void yasmin_handle_accept(struct vsock_sock *vsk, const struct yasmin_ctrl_msg *msg)
{
	struct yasmin_conn *conn = yasmin_conn_of(vsk);
	struct sock *sk = sk_vsock(vsk);
	int err;

	if (conn->state == YASMIN_CONN_ESTABLISHED) {
		/* The peer accepted twice: it has lost track of the connection. */
		yasmin_conn_violation(vsk, "ACCEPT for an established connection");
		return;
	}
	if (conn->state != YASMIN_CONN_CONNECTING || sk->sk_state != TCP_SYN_SENT) {
		/* Accepted too late (the connect was given up): the peer must let go. */
		yasmin_conn_send(conn, YASMIN_CTRL_RESET, 0);
		yasmin_conn_teardown(conn);
		return;
	}
	err = yasmin_conn_map_peer_ring(conn, msg->ring_ref);
	if (err) {
		if (err == -EPROTO)
			yasmin_count_violation(yasmin_peer_domid(conn->peer), "invalid data ring");
		yasmin_conn_send(conn, YASMIN_CTRL_RESET, 0);
		yasmin_conn_teardown(conn);
		sk->sk_state = TCP_CLOSE;
		sk->sk_err = err == -ENOBUFS ? ENOBUFS : ECONNRESET;
		sk_error_report(sk);
		return;
	}
	conn->peer_slot = msg->doorbell;
	conn->state = YASMIN_CONN_ESTABLISHED;
	sk->sk_state = TCP_ESTABLISHED;
	if (sk->sk_socket)
		sk->sk_socket->state = SS_CONNECTED;
	vsock_insert_connected(vsk);
	sk->sk_state_change(sk);
}

static void yasmin_handle_reset(struct vsock_sock *vsk, const struct yasmin_ctrl_msg *msg)
{
	struct yasmin_conn *conn = yasmin_conn_of(vsk);
	struct sock *sk = sk_vsock(vsk);
	bool connecting = conn->state == YASMIN_CONN_CONNECTING;

	atomic_inc(&yasmin_stats.resets_received);
	yasmin_peer_count_reset(conn->peer, YASMIN_RESET_RECEIVED);
	yasmin_conn_teardown(conn);
	if (connecting) {
		/* Nobody listens there, or the peer had no room for us. */
		sk->sk_state = TCP_CLOSE;
		sk->sk_err = msg->flags & YASMIN_RESET_NO_BUFFERS ? ENOBUFS : ECONNREFUSED;
		sk_error_report(sk);
	} else {
		yasmin_conn_mark_reset(vsk, ECONNRESET);
	}
}

static void yasmin_handle_shutdown(struct vsock_sock *vsk, const struct yasmin_ctrl_msg *msg)
{
	struct yasmin_conn *conn = yasmin_conn_of(vsk);
	struct sock *sk = sk_vsock(vsk);

	if (conn->state != YASMIN_CONN_ESTABLISHED)
		return;
	vsk->peer_shutdown |= msg->flags & YASMIN_SHUTDOWN_MASK;
	if (vsk->peer_shutdown == SHUTDOWN_MASK)
		sock_set_flag(sk, SOCK_DONE);
	sk->sk_state_change(sk);
}

/**
 * yasmin_conn_handle_msg() - Act on one control message from @peer.
 * @peer: the channel it came on: the only source of the sender's identity
 * @msg: a private copy, not shared memory
 */
void yasmin_conn_handle_msg(struct yasmin_peer *peer, const struct yasmin_ctrl_msg *msg)
{
	struct vsock_sock *vsk;
	struct sock *sk;

	if (!yasmin_ctrl_msg_well_formed(msg)) {
		yasmin_count_violation(yasmin_peer_domid(peer), "malformed control message");
		return;
	}
	if (msg->type == YASMIN_CTRL_REQUEST) {
		yasmin_handle_request(peer, msg);
		return;
	}

	vsk = yasmin_peer_find_conn(peer, msg->dst_port, msg->src_port);
	if (!vsk) {
		/* Normal after a close crossed the peer's message; answer only an ACCEPT. */
		if (msg->type == YASMIN_CTRL_ACCEPT)
			yasmin_send_msg(peer, YASMIN_CTRL_RESET, 0, msg->dst_port, msg->src_port,
					0, 0);
		return;
	}
	sk = sk_vsock(vsk);
	lock_sock(sk);
	/* Re-checked under the lock: the socket may have let go of the connection meanwhile. */
	if (yasmin_conn_of(vsk) && yasmin_conn_of(vsk)->peer == peer) {
		switch (msg->type) {
		case YASMIN_CTRL_ACCEPT:
			yasmin_handle_accept(vsk, msg);
			break;
		case YASMIN_CTRL_RESET:
			yasmin_handle_reset(vsk, msg);
			break;
		case YASMIN_CTRL_SHUTDOWN:
			yasmin_handle_shutdown(vsk, msg);
			break;
		}
	}
	release_sock(sk);
	sock_put(sk);
}
