/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Save/restore and migration of the domain yasmin runs in (suspend.c).
 *
 * Before the domain suspends, everything shared with peers is taken down: no page of a peer
 * may stay mapped (Xen refuses to save a PV domain that maps foreign pages), and connections
 * could not survive anyway (grants, event channels and the domid do not).  After it resumes,
 * possibly as another domain with another domid, the module starts over at the new identity.
 */
#ifndef YASMIN_SUSPEND_H
#define YASMIN_SUSPEND_H

/* Registers the "yasmin" platform device and driver whose PM callbacks call the two below. */
int yasmin_suspend_init(void);
void yasmin_suspend_exit(void);

/*
 * peer.c.  yasmin_peers_suspend() resets every connection (ECONNRESET), takes every control
 * channel down, unmaps every page of every peer, closes every event channel and stops
 * watching XenStore, synchronously: once it returns, the domain may be saved.
 * yasmin_peers_resume() re-reads the domid, updates the CID and watches XenStore again; it
 * runs when XenStore works again, in the same domain (suspend cancelled) or a new one.
 * Both run in the xenwatch thread with xenwatch_mutex held (see suspend.c): they must not wait
 * for anything that unregisters a XenStore watch in another thread, nor for a watch to fire.
 */
void yasmin_peers_suspend(void);
int yasmin_peers_resume(void);

#endif /* YASMIN_SUSPEND_H */
