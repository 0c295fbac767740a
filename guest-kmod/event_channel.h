/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interdomain event channels without a xenbus device: one side allocates an unbound port for
 * the peer, the peer binds to it, and both get an irq whose handler runs with the lateeoi
 * protocol (the channel stays masked until the handler calls xen_irq_lateeoi(), XSA-332).
 */
#ifndef YASMIN_EVENT_CHANNEL_H
#define YASMIN_EVENT_CHANNEL_H

#include <linux/interrupt.h>
#include <xen/events.h>
#include <xen/interface/event_channel.h>

/* An event channel bound to an irq here; @name outlives the binding (request_irq keeps it). */
struct yasmin_event_channel {
	evtchn_port_t local_port;
	evtchn_port_t remote_port;	/* the peer's end, as far as this side knows it */
	int irq;			/* > 0 while bound */
	char name[24];
};

int yasmin_evtchn_offer(struct yasmin_event_channel *ch, domid_t peer,
			irq_handler_t handler, void *dev_id);
int yasmin_evtchn_bind(struct yasmin_event_channel *ch, domid_t peer, evtchn_port_t remote_port,
		       irq_handler_t handler, void *dev_id);
void yasmin_evtchn_close(struct yasmin_event_channel *ch, void *dev_id);

static inline void yasmin_evtchn_notify(struct yasmin_event_channel *ch)
{
	if (ch->irq > 0)
		notify_remote_via_irq(ch->irq);
}

#endif /* YASMIN_EVENT_CHANNEL_H */
