/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the parts of yasmin.ko share: the module's identity and its counters.
 *
 *   yasmin_main.c     load/unload, module parameters, /sys/kernel/yasmin
 *   transport.c       the vsock transport: socket operations on top of connections
 *   conn.c            one connection: its two data rings, its doorbell slots, its states
 *   peer.c            one peer domain: XenStore rendezvous, control channel, doorbells
 *   shared_ring.c     granting, mapping and freeing ring memory, within budgets
 *   event_channel.c   interdomain event channels with the lateeoi API
 *   ring.c            ring index logic, shared with the userspace unit tests
 *   suspend.c         save/restore and migration: letting go of peers, and the new domid
 *   ring_budget.c     ring sizing under the grant budget, shared with the unit tests
 *   ctrl_msg.c        control-message validation, shared with the unit tests
 *   doorbell.c        the doorbell bit protocol, shared with the unit tests
 *   seqpacket.c       SOCK_SEQPACKET records in a data ring, shared with the unit tests
 *   view.c            the domain's view (which peers, which addresses): /proc/net/yasmin_view
 *   view_parse.c      the view's values checked and formatted, shared with the unit tests
 */
#ifndef YASMIN_H
#define YASMIN_H

#include <linux/atomic.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include <yasmin/contract.h>

/*
 * Read at load time, before the transport is registered, and again after a restore or
 * migration (suspend.c), which gives the domain a new domid; readers use READ_ONCE.
 */
extern u16 yasmin_local_domid;
int yasmin_read_local_domid(u16 *domid);

static inline u32 yasmin_local_cid(void)
{
	return yasmin_cid_from_domid(READ_ONCE(yasmin_local_domid));
}

/* Default data ring size in bytes (module parameter ring_size). */
extern unsigned int yasmin_default_ring_size;

/*
 * One ordered workqueue runs everything that must sleep and that reacts to the peer: control
 * messages, XenStore changes, resets.  Being ordered, it never runs two such items at once,
 * which keeps each peer's state machine simple.
 */
extern struct workqueue_struct *yasmin_wq;

/*
 * Counters shown in /sys/kernel/yasmin/.  The *_active ones go up and down and return to
 * their earlier values when every connection has gone: the lab checks that nothing leaks.
 */
struct yasmin_stats {
	atomic_t grants_active;		/* grant references this domain holds for peers */
	atomic_t grants_deferred;	/* ended while the peer still mapped them */
	atomic_t maps_active;		/* peer pages mapped here */
	atomic_t event_channels;	/* event channels bound here */
	atomic_t connections;		/* connections with resources (connecting or up) */
	atomic_t peers_connected;	/* control channels up */
	atomic_t protocol_violations;	/* peer misbehaviour seen (connections reset for it) */
	atomic_t resets_sent;
	atomic_t resets_received;
};

extern struct yasmin_stats yasmin_stats;

void yasmin_count_violation(u16 peer_domid, const char *what);

/* transport.c */
struct vsock_sock;
int yasmin_transport_register(void);
void yasmin_transport_unregister(void);
bool yasmin_transport_owns(const struct vsock_sock *vsk);

#endif /* YASMIN_H */
