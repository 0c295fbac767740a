/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Validation of control messages (struct yasmin_ctrl_msg in <yasmin/contract.h>), shared by
 * the module and the userspace tests and fuzzer like ring.c.
 */
#ifndef YASMIN_CTRL_MSG_H
#define YASMIN_CTRL_MSG_H

#include "ring_platform.h"

#include <yasmin/contract.h>

/*
 * Whether @msg, a private copy of what the peer wrote, is a message this side acts on: a
 * known type with every field the type does not use zero.
 */
bool yasmin_ctrl_msg_well_formed(const struct yasmin_ctrl_msg *msg);

#endif /* YASMIN_CTRL_MSG_H */
