// SPDX-License-Identifier: GPL-2.0
/*
 * Control-message validation, compiled into yasmin.ko and into the userspace tests.
 */
#include "ctrl_msg.h"

static bool yasmin_ctrl_slot_valid(yasmin_u32 slot)
{
	return slot != YASMIN_DOORBELL_CONTROL && slot < YASMIN_DOORBELL_SLOTS;
}

bool yasmin_ctrl_msg_well_formed(const struct yasmin_ctrl_msg *msg)
{
	if (msg->reserved[0] || msg->reserved[1] || msg->reserved[2])
		return false;
	switch (msg->type) {
	case YASMIN_CTRL_REQUEST:
		return !(msg->flags & ~YASMIN_REQUEST_SEQPACKET) &&
		       yasmin_ctrl_slot_valid(msg->doorbell);
	case YASMIN_CTRL_ACCEPT:
		return !msg->flags && yasmin_ctrl_slot_valid(msg->doorbell);
	case YASMIN_CTRL_RESET:
		return !(msg->flags & ~YASMIN_RESET_NO_BUFFERS) && !msg->ring_ref &&
		       !msg->doorbell;
	case YASMIN_CTRL_SHUTDOWN:
		return !(msg->flags & ~YASMIN_SHUTDOWN_MASK) && !msg->ring_ref && !msg->doorbell;
	default:
		return false;
	}
}
