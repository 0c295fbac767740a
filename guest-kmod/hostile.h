/* SPDX-License-Identifier: GPL-2.0 */
/*
 * yasmin_hostile.ko only: the lab's hostile peer (hostile.c), never part of yasmin.ko.  What
 * it needs of peer.c's internals (defined at the end of peer.c under YASMIN_HOSTILE) and the
 * renamed entry points of yasmin_main.c (hostile_main.h).
 */
#ifndef YASMIN_HOSTILE_H
#define YASMIN_HOSTILE_H

#ifndef YASMIN_HOSTILE
#error "hostile.h belongs to yasmin_hostile.ko (guest-kmod/Kbuild), never to yasmin.ko"
#endif

#include <linux/types.h>

struct yasmin_peer;
struct yasmin_tx_ring;
struct yasmin_rx_ring;
struct yasmin_doorbell_page;

/* peer.c: on yasmin_wq only; NULL / false while the channel with @peer is down. */
struct yasmin_tx_ring *yasmin_hostile_ctrl_tx(struct yasmin_peer *peer);
struct yasmin_rx_ring *yasmin_hostile_ctrl_rx(struct yasmin_peer *peer);
struct yasmin_doorbell_page *yasmin_hostile_peer_doorbell(struct yasmin_peer *peer);
bool yasmin_hostile_notify(struct yasmin_peer *peer, bool stray);

/* yasmin_main.c's module_init / module_exit, renamed by hostile_main.h. */
int yasmin_hostile_base_init(void);
void yasmin_hostile_base_exit(void);

#endif /* YASMIN_HOSTILE_H */
