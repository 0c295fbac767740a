// SPDX-License-Identifier: GPL-2.0
/*
 * Interdomain event channels set up by hand: Linux 6.1 only offers the interdomain bind
 * together with a xenbus device, which yasmin's channels do not have, so the port is
 * allocated or bound with the hypercall and then given to bind_evtchn_to_irqhandler_lateeoi().
 * Unbinding the irq closes the port.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <xen/events.h>
#include <xen/interface/event_channel.h>
#include <asm/xen/hypercall.h>

#include "event_channel.h"
#include "yasmin.h"

static void yasmin_evtchn_close_port(evtchn_port_t port)
{
	struct evtchn_close close = { .port = port };

	if (HYPERVISOR_event_channel_op(EVTCHNOP_close, &close))
		pr_err("closing event channel %u failed\n", port);
}

static int yasmin_evtchn_attach(struct yasmin_event_channel *ch, irq_handler_t handler,
				void *dev_id)
{
	int irq;

	irq = bind_evtchn_to_irqhandler_lateeoi(ch->local_port, handler, 0, ch->name, dev_id);
	if (irq < 0) {
		yasmin_evtchn_close_port(ch->local_port);
		return irq;
	}
	ch->irq = irq;
	atomic_inc(&yasmin_stats.event_channels);
	return 0;
}

/**
 * yasmin_evtchn_offer() - Allocate a port only @peer may bind to, and bind it to @handler.
 * @ch: ch->name is used as the irq's name
 * @peer: the domain allowed to bind
 * @handler: runs in hard-irq context and must end with xen_irq_lateeoi()
 * @dev_id: the handler's argument
 *
 * Return: 0 with ch->local_port the port to announce, or a negative errno.
 */
int yasmin_evtchn_offer(struct yasmin_event_channel *ch, domid_t peer,
			irq_handler_t handler, void *dev_id)
{
	struct evtchn_alloc_unbound alloc = { .dom = DOMID_SELF, .remote_dom = peer };
	int err;

	err = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &alloc);
	if (err)
		return err;
	ch->local_port = alloc.port;
	ch->remote_port = 0;
	return yasmin_evtchn_attach(ch, handler, dev_id);
}

/**
 * yasmin_evtchn_bind() - Bind to the port @peer offered, and the local end to @handler.
 * @ch: ch->name is used as the irq's name
 * @peer: the domain that offered the port; Xen checks that it offered it to us
 * @remote_port: the peer's port, as it announced it (untrusted: Xen refuses a bad one)
 * @handler: as for yasmin_evtchn_offer()
 * @dev_id: the handler's argument
 *
 * Return: 0, or a negative errno (-EINVAL and friends from Xen for a port not offered to us).
 */
int yasmin_evtchn_bind(struct yasmin_event_channel *ch, domid_t peer, evtchn_port_t remote_port,
		       irq_handler_t handler, void *dev_id)
{
	struct evtchn_bind_interdomain bind = {
		.remote_dom = peer,
		.remote_port = remote_port,
	};
	int err;

	err = HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &bind);
	if (err)
		return err;
	ch->local_port = bind.local_port;
	ch->remote_port = remote_port;
	return yasmin_evtchn_attach(ch, handler, dev_id);
}

/* Unbinds the irq (waiting for a running handler to finish) and closes the port. */
void yasmin_evtchn_close(struct yasmin_event_channel *ch, void *dev_id)
{
	if (ch->irq <= 0)
		return;
	unbind_from_irqhandler(ch->irq, dev_id);
	ch->irq = 0;
	atomic_dec(&yasmin_stats.event_channels);
}
