// SPDX-License-Identifier: GPL-2.0
/*
 * The vsock transport: what the AF_VSOCK core calls for yasmin's stream and seqpacket sockets.
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
 *
 * SOCK_SEQPACKET sockets use the same rings, framed in records (seqpacket.c): a message is
 * written whole or not at all, so a writer counts as "full" while the ring has less room than
 * the message it is sending needs, and a reader gets one whole message per recv().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/uio.h>
#include <net/af_vsock.h>
#include <net/sock.h>

#include "conn.h"
#include "seqpacket.h"
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

/*
 * Also for SOCK_SEQPACKET, whose sendmsg() loops on this until it is non-zero: a message is
 * only ever written whole, so the ring counts as full (and the writer asks for an event and
 * sleeps) until it has room for the message that did not fit, or for a 1-byte one.  What is
 * reported then is the largest message that fits.
 */
static s64 yasmin_stream_has_space(struct vsock_sock *vsk)
{
	struct yasmin_conn *conn = yasmin_conn(vsk);
	bool seqpacket = sk_vsock(vsk)->sk_type == SOCK_SEQPACKET;
	int space, need = 1;

	if (!yasmin_established(conn))
		return 0;
	if (seqpacket)
		need = max_t(u32, conn->seq_pending, yasmin_record_size(1));
	space = yasmin_ring_producer_space(&conn->tx.ring);
	if (space >= 0 && space < need) {
		conn->full_waits++;
		space = yasmin_ring_producer_prepare_to_wait(&conn->tx.ring);
	}
	if (space < 0) {
		yasmin_conn_violation(vsk, "data ring consumer index");
		return 0;
	}
	if (space < need)
		return 0;
	return seqpacket ? space - YASMIN_RECORD_HEADER_SIZE : space;
}

/*
 * A large send or receive moves through the ring in pieces of at most a quarter of it
 * (64 KiB at most), each one published or freed, and the other side told, before the next
 * one is copied.  Whole-ring turns would have the two sides take turns: the sender fills the
 * ring and sleeps, only then the receiver copies it all out, and so on.  In pieces the
 * receiver starts after the first one and the two copies overlap (docs/bench-native.md,
 * "ring-split": 3.9 -> 11.2 GB/s at 1 MiB through a 512 KiB ring).  A send or receive of up
 * to one piece is unchanged: one copy, one commit, at most one notification.
 */
#define YASMIN_PIECE_MAX_BYTES	(64 * 1024)

static u32 yasmin_piece_bytes(u32 ring_size)
{
	return min_t(u32, YASMIN_PIECE_MAX_BYTES, max_t(u32, ring_size / 4, 1));
}

/* Copies up to LEN bytes from the user into the ring's free space; returns what it copied. */
static u32 yasmin_copy_in(struct yasmin_conn *conn, struct msghdr *msg, u32 len)
{
	struct yasmin_ring_chunks chunks;
	u32 copied = 0, chunk;
	void *data;

	yasmin_ring_producer_chunks(&conn->tx.ring, len, &chunks);
	while (yasmin_ring_next_chunk(&chunks, &data, &chunk)) {
		size_t n = copy_from_iter(data, chunk, &msg->msg_iter);

		copied += n;
		if (n < chunk)
			break;
	}
	return copied;
}

/* Copies up to LEN bytes, OFFSET bytes into the readable data, to the user. */
static u32 yasmin_copy_out(struct yasmin_conn *conn, struct msghdr *msg, u32 offset, u32 len)
{
	struct yasmin_ring_chunks chunks;
	u32 copied = 0, chunk;
	void *data;

	yasmin_ring_consumer_chunks(&conn->rx.ring, offset, len, &chunks);
	while (yasmin_ring_next_chunk(&chunks, &data, &chunk)) {
		size_t n = copy_to_iter(data, chunk, &msg->msg_iter);

		copied += n;
		if (n < chunk)
			break;
	}
	return copied;
}

static ssize_t yasmin_stream_enqueue(struct vsock_sock *vsk, struct msghdr *msg, size_t len)
{
	struct yasmin_conn *conn = yasmin_conn(vsk);
	u32 piece = yasmin_piece_bytes(conn->tx.ring.size);
	size_t copied = 0;
	s64 space;

	space = yasmin_stream_has_space(vsk);
	if (space <= 0)
		return 0;	/* the core re-checks sk_err and waits for space */
	len = min_t(size_t, len, space);

	while (copied < len) {
		u32 want = min_t(size_t, len - copied, piece);
		u32 done = yasmin_copy_in(conn, msg, want);

		if (!done)
			break;
		yasmin_ring_producer_commit(&conn->tx.ring, done);
		copied += done;
		conn->bytes_sent += done;
		yasmin_conn_ring_doorbell(conn,
					  yasmin_ring_producer_should_notify(&conn->tx.ring));
		if (done < want)
			break;	/* a fault in the user's buffer: report what was sent */
	}
	return copied ? copied : -EFAULT;
}

static ssize_t yasmin_stream_dequeue(struct vsock_sock *vsk, struct msghdr *msg, size_t len,
				     int flags)
{
	struct yasmin_conn *conn = yasmin_conn(vsk);
	u32 piece = yasmin_piece_bytes(conn->rx.ring.size);
	size_t copied = 0;
	s64 readable;

	readable = yasmin_stream_has_data(vsk);
	if (readable <= 0)
		return 0;
	len = min_t(size_t, len, readable);

	if (flags & MSG_PEEK) {
		copied = yasmin_copy_out(conn, msg, 0, len);
		return copied ? copied : -EFAULT;
	}
	while (copied < len) {
		u32 want = min_t(size_t, len - copied, piece);
		u32 done = yasmin_copy_out(conn, msg, 0, want);

		if (!done)
			break;
		yasmin_ring_consumer_consume(&conn->rx.ring, done);
		copied += done;
		conn->bytes_received += done;
		yasmin_conn_ring_doorbell(conn,
					  yasmin_ring_consumer_should_notify(&conn->rx.ring));
		if (done < want)
			break;	/* a fault in the user's buffer: report what was received */
	}
	if (!copied)
		return -EFAULT;
	/*
	 * Emptied the ring: ask for an event on the next byte now.  TCP gives an edge-triggered
	 * epoll user an event for every arrival, even one that read exactly what it expected and
	 * never saw EAGAIN; so must we.
	 */
	if (copied == readable && yasmin_ring_consumer_prepare_to_wait(&conn->rx.ring) < 0)
		yasmin_conn_violation(vsk, "data ring producer index");
	return copied;
}

/* ---- SOCK_SEQPACKET -------------------------------------------------------------------- */

/* Both connection types go to the same peers. */
static bool yasmin_seqpacket_allow(u32 remote_cid)
{
	return yasmin_stream_allow(remote_cid, 0);
}

/*
 * The core's receive waits until this is non-zero.  A ring with bytes in it holds a whole
 * message (records are committed whole; yasmin_seqpacket_dequeue() checks it).  After a reset
 * it is non-zero too, while sk_err is set: the core would otherwise return 0 (end-of-file)
 * without looking at sk_err; this way recv() fails with it, as for stream sockets.
 */
static u32 yasmin_seqpacket_has_data(struct vsock_sock *vsk)
{
	struct yasmin_conn *conn = yasmin_conn(vsk);

	if (yasmin_stream_has_data(vsk) > 0)
		return 1;
	return !yasmin_established(conn) && sk_vsock(vsk)->sk_err;
}

/*
 * One message, header and payload committed at once, or nothing: 0 while the ring has no room
 * for it (the core then waits in has_space(), which seq_pending makes wait for enough room).
 * A message longer than the ring minus the record header can never be sent: EMSGSIZE, as
 * virtio refuses one longer than the buffers (the 6.1 core reports either as ENOMEM).
 */
static int yasmin_seqpacket_enqueue(struct vsock_sock *vsk, struct msghdr *msg, size_t len)
{
	struct yasmin_conn *conn = yasmin_conn(vsk);
	struct yasmin_ring_chunks payload;
	u32 flags = msg->msg_flags & MSG_EOR ? YASMIN_RECORD_EOR : 0;
	size_t copied = 0;
	void *data;
	u32 chunk;
	int err;

	if (!yasmin_established(conn))
		return 0;	/* the core re-checks sk_err and waits */
	if (len > yasmin_record_max_len(conn->tx.ring.size))
		return -EMSGSIZE;

	err = yasmin_ring_producer_space(&conn->tx.ring);
	if (err >= 0)
		err = yasmin_record_begin(&conn->tx.ring, len, flags, &payload);
	if (err == -ENOSPC) {
		conn->seq_pending = yasmin_record_size(len);
		return 0;
	}
	if (err) {
		yasmin_conn_violation(vsk, "data ring consumer index");
		return 0;
	}

	while (yasmin_ring_next_chunk(&payload, &data, &chunk)) {
		size_t n = copy_from_iter(data, chunk, &msg->msg_iter);

		copied += n;
		if (n < chunk)
			return -EFAULT;	/* nothing committed: the message is not sent */
	}
	yasmin_record_commit(&conn->tx.ring, len);
	conn->seq_pending = 0;
	conn->bytes_sent += len;
	yasmin_conn_ring_doorbell(conn, yasmin_ring_producer_should_notify(&conn->tx.ring));
	return len;
}

/*
 * One message per call, as virtio: what fits in the buffer is copied, the rest of the message
 * is dropped, and the message's real length returned (the core sets MSG_TRUNC from it).
 * MSG_EOR is set for a message sent with it.  MSG_PEEK is refused as virtio refuses it in 6.1
 * (EOPNOTSUPP, which the core reports as ENOMEM); the message stays queued.
 */
static ssize_t yasmin_seqpacket_dequeue(struct vsock_sock *vsk, struct msghdr *msg, int flags)
{
	struct yasmin_conn *conn = yasmin_conn(vsk);
	struct yasmin_record_header hdr;
	enum yasmin_record_fault fault;
	struct yasmin_ring_chunks payload;
	size_t copied = 0, want;
	s64 readable;
	void *data;
	u32 chunk;
	int err;

	if (flags & MSG_PEEK)
		return -EOPNOTSUPP;
	readable = yasmin_stream_has_data(vsk);
	if (readable <= 0)
		return 0;	/* nothing, or a reset: the core reports sk_err */

	err = yasmin_record_read(&conn->rx.ring, &hdr, &fault);
	if (err) {
		yasmin_conn_violation(vsk, fault ? yasmin_record_fault_str(fault) :
					   "data ring producer index");
		return 0;
	}

	want = min_t(size_t, hdr.len, msg_data_left(msg));
	err = yasmin_record_payload(&conn->rx.ring, &hdr, want, &payload);
	while (!err && yasmin_ring_next_chunk(&payload, &data, &chunk)) {
		size_t n = copy_to_iter(data, chunk, &msg->msg_iter);

		copied += n;
		if (n < chunk)
			break;
	}
	/* Consumed even if the copy failed: virtio drops such a message too. */
	yasmin_record_consume(&conn->rx.ring, &hdr);
	conn->bytes_received += hdr.len;
	yasmin_conn_ring_doorbell(conn, yasmin_ring_consumer_should_notify(&conn->rx.ring));
	/* Emptied the ring: ask for an event on the next message now (see stream_dequeue). */
	if (yasmin_record_size(hdr.len) == readable &&
	    yasmin_ring_consumer_prepare_to_wait(&conn->rx.ring) < 0)
		yasmin_conn_violation(vsk, "data ring producer index");

	if (hdr.flags & YASMIN_RECORD_EOR)
		msg->msg_flags |= MSG_EOR;
	if (copied < want)
		return -EFAULT;
	return hdr.len;
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
	struct yasmin_conn *conn = yasmin_conn(vsk);

	/* A new message: the size of one that did not fit before no longer matters. */
	if (conn)
		conn->seq_pending = 0;
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

	.seqpacket_allow = yasmin_seqpacket_allow,
	.seqpacket_enqueue = yasmin_seqpacket_enqueue,
	.seqpacket_dequeue = yasmin_seqpacket_dequeue,
	.seqpacket_has_data = yasmin_seqpacket_has_data,

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
