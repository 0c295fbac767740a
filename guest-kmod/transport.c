// SPDX-License-Identifier: GPL-2.0
/*
 * The vsock transport: what the AF_VSOCK core calls for yasmin's stream sockets.
 *
 * yasmin registers as the guest-to-host (G2H) transport: the core sends every stream
 * connection to CID 2 (the host, dom0 here) and, with no host-to-guest transport loaded, to
 * any other CID through it; for accepted connections between two guests it insists on G2H.
 * So one transport serves guest<->guest and guest<->dom0 alike.
 *
 * The data path copies twice, user to ring and ring to user, under the socket lock.  Values
 * the peer writes (the ring indexes) are read once and validated by ring.c; a bad one resets
 * the connection with ECONNRESET and never reaches the vsock core as an error it would turn
 * into ENOMEM.
 *
 * Notifications: a side sets its "wake me" flag whenever it finds the ring empty (reader) or
 * full (writer), re-checking after a barrier (ring.c), so an event is only sent to a side that
 * is waiting, and poll, blocking calls and edge-triggered epoll never miss one.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/uio.h>
#include <net/af_vsock.h>
#include <net/sock.h>

#include "conn.h"
#include "yasmin.h"

/* The vsock core's defaults (private to af_vsock.c), to tell them from a user's choice. */
#define VSOCK_CORE_DEFAULT_BUFFER_SIZE		(256 * 1024)
#define VSOCK_CORE_DEFAULT_BUFFER_MAX_SIZE	(256 * 1024)
#define VSOCK_CORE_DEFAULT_BUFFER_MIN_SIZE	128

static struct vsock_transport yasmin_transport;

bool yasmin_transport_owns(const struct vsock_sock *vsk)
{
	return vsk->transport == &yasmin_transport && vsk->trans;
}

static struct yasmin_conn *yasmin_conn(struct vsock_sock *vsk)
{
	return vsk->trans;
}

static bool yasmin_established(struct yasmin_conn *conn)
{
	return conn && conn->state == YASMIN_CONN_ESTABLISHED;
}

/* ---- socket set-up --------------------------------------------------------------------- */

/*
 * SO_VM_SOCKETS_BUFFER_SIZE sets the size of the ring a socket sends through (its peer's
 * receive buffer).  A socket nobody configured gets the module's ring_size; limits are the
 * contract's (one page to 2 MiB), sizes are rounded down to a power-of-two number of pages.
 */
static int yasmin_init(struct vsock_sock *vsk, struct vsock_sock *psk)
{
	struct yasmin_conn *conn;

	conn = kzalloc(sizeof(*conn), GFP_KERNEL);
	if (!conn)
		return -ENOMEM;
	conn->vsk = vsk;
	vsk->trans = conn;

	if (vsk->buffer_size == VSOCK_CORE_DEFAULT_BUFFER_SIZE &&
	    vsk->buffer_max_size == VSOCK_CORE_DEFAULT_BUFFER_MAX_SIZE &&
	    vsk->buffer_min_size == VSOCK_CORE_DEFAULT_BUFFER_MIN_SIZE) {
		vsk->buffer_size = yasmin_default_ring_size;
		vsk->buffer_max_size = YASMIN_RING_MAX_PAGES * YASMIN_PAGE_SIZE;
		vsk->buffer_min_size = YASMIN_RING_MIN_PAGES * YASMIN_PAGE_SIZE;
	}
	return 0;
}

static void yasmin_notify_buffer_size(struct vsock_sock *vsk, u64 *val)
{
	*val = (u64)yasmin_ring_pages_for_size(*val) * YASMIN_PAGE_SIZE;
}

static void yasmin_destruct(struct vsock_sock *vsk)
{
	struct yasmin_conn *conn = yasmin_conn(vsk);

	if (!conn)
		return;
	/* release() has normally freed everything; this is for sockets it never saw. */
	yasmin_conn_close(vsk);
	kfree(conn);
	vsk->trans = NULL;
}

static void yasmin_release(struct vsock_sock *vsk)
{
	struct sock *sk = sk_vsock(vsk);

	yasmin_conn_close(vsk);
	sock_set_flag(sk, SOCK_DONE);
	vsock_remove_sock(vsk);
}

static int yasmin_connect(struct vsock_sock *vsk)
{
	return yasmin_conn_connect(vsk);
}

static int yasmin_cancel_pkt(struct vsock_sock *vsk)
{
	yasmin_conn_cancel_connect(vsk);
	return 0;
}

static int yasmin_shutdown(struct vsock_sock *vsk, int mode)
{
	yasmin_conn_shutdown(vsk, mode);
	return 0;
}

static u32 yasmin_get_local_cid(void)
{
	return yasmin_local_cid();
}

/* Any CID that can name another domain; our own goes to vsock_loopback, not to Xen. */
static bool yasmin_stream_allow(u32 cid, u32 port)
{
	return yasmin_cid_is_valid(cid) && cid != yasmin_local_cid();
}

/* ---- data path ------------------------------------------------------------------------- */

static void yasmin_conn_ring_doorbell(struct yasmin_conn *conn, bool other_side_waits)
{
	if (other_side_waits) {
		conn->events_sent++;
		yasmin_conn_notify_peer(conn);
	} else {
		conn->events_suppressed++;
	}
}

static s64 yasmin_stream_has_data(struct vsock_sock *vsk)
{
	struct yasmin_conn *conn = yasmin_conn(vsk);
	int readable;

	if (!yasmin_established(conn))
		return 0;
	readable = yasmin_ring_consumer_readable(&conn->rx.ring);
	if (readable == 0)
		readable = yasmin_ring_consumer_prepare_to_wait(&conn->rx.ring);
	if (readable < 0) {
		yasmin_conn_violation(vsk, "data ring producer index");
		return 0;
	}
	return readable;
}

static s64 yasmin_stream_has_space(struct vsock_sock *vsk)
{
	struct yasmin_conn *conn = yasmin_conn(vsk);
	int space;

	if (!yasmin_established(conn))
		return 0;
	space = yasmin_ring_producer_space(&conn->tx.ring);
	if (space == 0) {
		conn->full_waits++;
		space = yasmin_ring_producer_prepare_to_wait(&conn->tx.ring);
	}
	if (space < 0) {
		yasmin_conn_violation(vsk, "data ring consumer index");
		return 0;
	}
	return space;
}

static ssize_t yasmin_stream_enqueue(struct vsock_sock *vsk, struct msghdr *msg, size_t len)
{
	struct yasmin_conn *conn = yasmin_conn(vsk);
	struct yasmin_ring_chunks chunks;
	size_t copied = 0;
	void *data;
	u32 chunk;
	s64 space;

	space = yasmin_stream_has_space(vsk);
	if (space <= 0)
		return 0;	/* the core re-checks sk_err and waits for space */
	len = min_t(size_t, len, space);

	yasmin_ring_producer_chunks(&conn->tx.ring, len, &chunks);
	while (yasmin_ring_next_chunk(&chunks, &data, &chunk)) {
		size_t n = copy_from_iter(data, chunk, &msg->msg_iter);

		copied += n;
		if (n < chunk)
			break;
	}
	if (!copied)
		return -EFAULT;
	yasmin_ring_producer_commit(&conn->tx.ring, copied);
	conn->bytes_sent += copied;
	yasmin_conn_ring_doorbell(conn, yasmin_ring_producer_should_notify(&conn->tx.ring));
	return copied;
}

static ssize_t yasmin_stream_dequeue(struct vsock_sock *vsk, struct msghdr *msg, size_t len,
				     int flags)
{
	struct yasmin_conn *conn = yasmin_conn(vsk);
	struct yasmin_ring_chunks chunks;
	size_t copied = 0;
	void *data;
	u32 chunk;
	s64 readable;

	readable = yasmin_stream_has_data(vsk);
	if (readable <= 0)
		return 0;
	len = min_t(size_t, len, readable);

	yasmin_ring_consumer_chunks(&conn->rx.ring, 0, len, &chunks);
	while (yasmin_ring_next_chunk(&chunks, &data, &chunk)) {
		size_t n = copy_to_iter(data, chunk, &msg->msg_iter);

		copied += n;
		if (n < chunk)
			break;
	}
	if (!copied)
		return -EFAULT;
	if (!(flags & MSG_PEEK)) {
		yasmin_ring_consumer_consume(&conn->rx.ring, copied);
		conn->bytes_received += copied;
		yasmin_conn_ring_doorbell(conn,
					  yasmin_ring_consumer_should_notify(&conn->rx.ring));
		/*
		 * Emptied the ring: ask for an event on the next byte now.  TCP gives an
		 * edge-triggered epoll user an event for every arrival, even one that read
		 * exactly what it expected and never saw EAGAIN; so must we.
		 */
		if (copied == readable &&
		    yasmin_ring_consumer_prepare_to_wait(&conn->rx.ring) < 0)
			yasmin_conn_violation(vsk, "data ring producer index");
	}
	return copied;
}

/*
 * The core refuses a receive whose low-water mark (MSG_WAITALL: the whole length) is not
 * below this.  It reads in pieces as data arrives, so any length works; TCP allows it too.
 */
static u64 yasmin_stream_rcvhiwat(struct vsock_sock *vsk)
{
	return U64_MAX;
}

static bool yasmin_stream_is_active(struct vsock_sock *vsk)
{
	return yasmin_established(yasmin_conn(vsk));
}

/* ---- notification hooks ---------------------------------------------------------------- */

static int yasmin_notify_poll_in(struct vsock_sock *vsk, size_t target, bool *data_ready_now)
{
	struct yasmin_conn *conn = yasmin_conn(vsk);
	s64 readable = yasmin_stream_has_data(vsk);

	*data_ready_now = readable >= target;
	/* Some data but below SO_RCVLOWAT: ask to hear about more (empty already asked). */
	if (!*data_ready_now && readable > 0 && yasmin_established(conn) &&
	    yasmin_ring_consumer_prepare_to_wait(&conn->rx.ring) < 0)
		yasmin_conn_violation(vsk, "data ring producer index");
	return 0;
}

static int yasmin_notify_poll_out(struct vsock_sock *vsk, size_t target, bool *space_avail_now)
{
	*space_avail_now = yasmin_stream_has_space(vsk) >= target;
	return 0;
}

static int yasmin_notify_recv_init(struct vsock_sock *vsk, size_t target,
				   struct vsock_transport_recv_notify_data *data)
{
	return 0;
}

static int yasmin_notify_recv_pre_block(struct vsock_sock *vsk, size_t target,
					struct vsock_transport_recv_notify_data *data)
{
	return 0;	/* has_data() found the ring empty and asked for an event already */
}

static int yasmin_notify_recv_pre_dequeue(struct vsock_sock *vsk, size_t target,
					  struct vsock_transport_recv_notify_data *data)
{
	return 0;
}

static int yasmin_notify_recv_post_dequeue(struct vsock_sock *vsk, size_t target,
					   ssize_t copied, bool data_read,
					   struct vsock_transport_recv_notify_data *data)
{
	return 0;
}

static int yasmin_notify_send_init(struct vsock_sock *vsk,
				   struct vsock_transport_send_notify_data *data)
{
	return 0;
}

static int yasmin_notify_send_pre_block(struct vsock_sock *vsk,
					struct vsock_transport_send_notify_data *data)
{
	return 0;	/* has_space() found the ring full and asked for an event already */
}

static int yasmin_notify_send_pre_enqueue(struct vsock_sock *vsk,
					  struct vsock_transport_send_notify_data *data)
{
	return 0;
}

static int yasmin_notify_send_post_enqueue(struct vsock_sock *vsk, ssize_t written,
					   struct vsock_transport_send_notify_data *data)
{
	return 0;
}

/* ---- datagrams: not offered (the core only uses its DGRAM transport for them) ----------- */

static int yasmin_dgram_bind(struct vsock_sock *vsk, struct sockaddr_vm *addr)
{
	return -EOPNOTSUPP;
}

static int yasmin_dgram_dequeue(struct vsock_sock *vsk, struct msghdr *msg, size_t len,
				int flags)
{
	return -EOPNOTSUPP;
}

static int yasmin_dgram_enqueue(struct vsock_sock *vsk, struct sockaddr_vm *remote,
				struct msghdr *msg, size_t len)
{
	return -EOPNOTSUPP;
}

static bool yasmin_dgram_allow(u32 cid, u32 port)
{
	return false;
}

static struct vsock_transport yasmin_transport = {
	.module = THIS_MODULE,

	.get_local_cid = yasmin_get_local_cid,

	.init = yasmin_init,
	.destruct = yasmin_destruct,
	.release = yasmin_release,
	.connect = yasmin_connect,
	.cancel_pkt = yasmin_cancel_pkt,
	.shutdown = yasmin_shutdown,

	.stream_dequeue = yasmin_stream_dequeue,
	.stream_enqueue = yasmin_stream_enqueue,
	.stream_has_data = yasmin_stream_has_data,
	.stream_has_space = yasmin_stream_has_space,
	.stream_rcvhiwat = yasmin_stream_rcvhiwat,
	.stream_is_active = yasmin_stream_is_active,
	.stream_allow = yasmin_stream_allow,

	.notify_poll_in = yasmin_notify_poll_in,
	.notify_poll_out = yasmin_notify_poll_out,
	.notify_recv_init = yasmin_notify_recv_init,
	.notify_recv_pre_block = yasmin_notify_recv_pre_block,
	.notify_recv_pre_dequeue = yasmin_notify_recv_pre_dequeue,
	.notify_recv_post_dequeue = yasmin_notify_recv_post_dequeue,
	.notify_send_init = yasmin_notify_send_init,
	.notify_send_pre_block = yasmin_notify_send_pre_block,
	.notify_send_pre_enqueue = yasmin_notify_send_pre_enqueue,
	.notify_send_post_enqueue = yasmin_notify_send_post_enqueue,
	.notify_buffer_size = yasmin_notify_buffer_size,

	.dgram_bind = yasmin_dgram_bind,
	.dgram_dequeue = yasmin_dgram_dequeue,
	.dgram_enqueue = yasmin_dgram_enqueue,
	.dgram_allow = yasmin_dgram_allow,
};

int yasmin_transport_register(void)
{
	int err;

	err = vsock_core_register(&yasmin_transport, VSOCK_TRANSPORT_F_G2H);
	if (err == -EBUSY)
		pr_err("another guest-to-host vsock transport is loaded (virtio or vmci?): unload it first\n");
	return err;
}

void yasmin_transport_unregister(void)
{
	vsock_core_unregister(&yasmin_transport);
}
