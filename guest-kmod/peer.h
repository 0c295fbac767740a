/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One peer domain as seen from here: the XenStore rendezvous with it, the control channel to
 * it, and the table of connections with it.  docs/contract.md describes the protocol.
 */
#ifndef YASMIN_PEER_H
#define YASMIN_PEER_H

#include <linux/types.h>

#include <yasmin/contract.h>

struct yasmin_peer;
struct yasmin_conn;
struct vsock_sock;

int yasmin_peers_init(void);
void yasmin_peers_exit(void);

/*
 * A reference to the peer with @domid, set up on first use.  ERR_PTR(-ENETUNREACH) if dom0
 * has prepared no rendezvous with it (it is not a co-located yasmin peer).
 */
struct yasmin_peer *yasmin_peer_get(u16 domid);
void yasmin_peer_hold(struct yasmin_peer *peer);
void yasmin_peer_put(struct yasmin_peer *peer);
u16 yasmin_peer_domid(const struct yasmin_peer *peer);

/*
 * Rings the peer's doorbell slot @peer_slot (announced by the peer for one connection).  For
 * established connections only: the control channel is up while one exists.
 */
void yasmin_peer_ring_conn(struct yasmin_peer *peer, u32 peer_slot);

/* Queues @msg for the control channel, bringing the channel up if it is not. */
void yasmin_peer_send(struct yasmin_peer *peer, const struct yasmin_ctrl_msg *msg);
/* Takes back a REQUEST not yet written to the ring.  Return: true if it was found. */
bool yasmin_peer_cancel_request(struct yasmin_peer *peer, u32 local_port, u32 remote_port);

/*
 * The connection table, keyed by (local port, remote port).  The table holds a reference to
 * each connection's socket.  Adding also gives the connection its doorbell slot
 * (conn->local_slot); removing frees it.  Return of add: -EADDRINUSE if the key is taken,
 * -ENOBUFS if every slot with the peer is in use.
 */
int yasmin_peer_add_conn(struct yasmin_peer *peer, struct yasmin_conn *conn);
void yasmin_peer_remove_conn(struct yasmin_peer *peer, struct yasmin_conn *conn);
/* The socket of a connection, with a reference the caller drops with sock_put(), or NULL. */
struct vsock_sock *yasmin_peer_find_conn(struct yasmin_peer *peer, u32 local_port,
					 u32 remote_port);

/* Why connections with a peer were reset, counted per peer for /proc/net/yasmin_peers. */
enum yasmin_reset_cause {
	YASMIN_RESET_SENT,		/* we sent RESET: refused, aborted, accepted too late */
	YASMIN_RESET_RECEIVED,		/* the peer sent RESET */
	YASMIN_RESET_VIOLATION,		/* the peer broke a data ring's rules (also counted as sent) */
	YASMIN_RESET_CHANNEL_DOWN,	/* the control channel went down: peer gone, suspend... */
	YASMIN_RESET_NR_CAUSES
};

void yasmin_peer_count_reset(struct yasmin_peer *peer, enum yasmin_reset_cause cause);
/* Adds the counters of a connection that lets go of @peer to the peer's totals. */
void yasmin_peer_account_conn(struct yasmin_peer *peer, const struct yasmin_conn *conn);

struct seq_file;
/* /proc/net/yasmin and /proc/net/yasmin_peers. */
int yasmin_conns_seq_show(struct seq_file *m, void *v);
int yasmin_peers_seq_show(struct seq_file *m, void *v);

#endif /* YASMIN_PEER_H */
