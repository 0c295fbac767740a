/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One yasmin connection: a ring per direction (the one this side produces, granted to the
 * peer, and the one the peer produces, mapped here) and a slot on each side's doorbell
 * (contract.h), rung for both directions.  It lives in vsk->trans; all of it is protected by
 * the socket lock, except what the interrupt handler reads, which conn.c explains.
 */
#ifndef YASMIN_CONN_H
#define YASMIN_CONN_H

#include <linux/types.h>

#include "shared_ring.h"

struct vsock_sock;
struct yasmin_peer;
struct yasmin_ctrl_msg;

enum yasmin_conn_state {
	YASMIN_CONN_IDLE,		/* no resources: new, or torn down */
	YASMIN_CONN_CONNECTING,		/* REQUEST sent, waiting for ACCEPT or RESET */
	YASMIN_CONN_ESTABLISHED,	/* both rings up */
};

struct yasmin_conn {
	struct vsock_sock *vsk;
	struct yasmin_peer *peer;	/* referenced while the connection has resources */
	struct hlist_node table_node;	/* in the peer's connection table */
	u32 local_port;
	u32 remote_port;
	enum yasmin_conn_state state;
	struct yasmin_tx_ring tx;
	struct yasmin_rx_ring rx;
	u32 local_slot;			/* our doorbell's slot for it: the peer rings this */
	u32 peer_slot;			/* the peer's doorbell's slot for it: we ring this */
	bool rx_ready;			/* rx is mapped: read by the interrupt handler */
	/*
	 * SOCK_SEQPACKET: ring bytes the message being sent needs (header included), set when
	 * it did not fit, so that has_space() reports none, and the sender sleeps, until that
	 * much is free; 0 when no message waits.  Cleared by each new sendmsg().
	 */
	u32 seq_pending;
	/* Counters for /proc/net/yasmin, updated under the socket lock, read without it. */
	u64 bytes_sent;
	u64 bytes_received;
	u64 events_sent;		/* doorbells rung */
	u64 events_suppressed;		/* commits and consumes the other side did not wait for */
	u64 full_waits;			/* times the sender found the ring full */
	u64 doorbells;			/* times the peer rang this connection's slot */
	u32 irq_seen_prod;		/* last indexes the interrupt handler saw: hints only */
	u32 irq_seen_cons;
};

/* Socket side, socket locked. */
int yasmin_conn_connect(struct vsock_sock *vsk);
void yasmin_conn_cancel_connect(struct vsock_sock *vsk);
void yasmin_conn_shutdown(struct vsock_sock *vsk, int mode);
void yasmin_conn_close(struct vsock_sock *vsk);
void yasmin_conn_violation(struct vsock_sock *vsk, const char *what);
void yasmin_conn_notify_peer(struct yasmin_conn *conn);

/* The peer rang the connection's slot; hard-irq context.  Return: whether an index moved. */
bool yasmin_conn_doorbell(struct yasmin_conn *conn);

struct seq_file;
void yasmin_conn_show(struct seq_file *m, const struct yasmin_conn *conn);

/* Peer side, from the control channel's work, no socket locked. */
void yasmin_conn_handle_msg(struct yasmin_peer *peer, const struct yasmin_ctrl_msg *msg);
void yasmin_conn_peer_gone(struct vsock_sock *vsk, struct yasmin_peer *peer);

#endif /* YASMIN_CONN_H */
