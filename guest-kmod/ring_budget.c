// SPDX-License-Identifier: GPL-2.0
/*
 * Ring sizing under the grant budget (ring_budget.h explains the policy).
 */
#include "ring_budget.h"

static u32 yasmin_pow2_floor(u32 x)
{
	u32 p = 1;

	while (p <= x / 2)
		p *= 2;
	return p;
}

u32 yasmin_ring_pages_within_budget(u32 wanted, u32 used, u32 budget)
{
	u32 left, share;

	if (!wanted || used >= budget)
		return 0;
	left = budget - used;
	/* Full size while half of the budget stays free afterwards (no overflow: left > 0). */
	if (wanted < left && left - wanted - 1 >= budget / 2)
		return wanted;
	share = left / YASMIN_BUDGET_SHARE_DIVISOR;
	if (share < 1)
		share = 1;
	if (share < wanted)
		wanted = yasmin_pow2_floor(share);
	return wanted + 1 <= left ? wanted : 0;
}
