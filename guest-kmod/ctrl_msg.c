// SPDX-License-Identifier: GPL-2.0
/*
 * Control-message validation, compiled into yasmin.ko and into the userspace tests.
 */
#include "ctrl_msg.h"

bool yasmin_ctrl_msg_well_formed(const struct yasmin_ctrl_msg *msg)
{
	if (msg->reserved[0] || msg->reserved[1] || msg->reserved[2])
		return false;
	switch (msg->type) {
	case YASMIN_CTRL_REQUEST:
		return !msg->flags && msg->event_channel;
	case YASMIN_CTRL_ACCEPT:
		return !msg->flags && !msg->event_channel;
	case YASMIN_CTRL_RESET:
		return !msg->flags && !msg->ring_ref && !msg->event_channel;
	case YASMIN_CTRL_SHUTDOWN:
		return !(msg->flags & ~YASMIN_SHUTDOWN_MASK) && !msg->ring_ref &&
		       !msg->event_channel;
	default:
		return false;
	}
}
