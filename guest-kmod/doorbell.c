// SPDX-License-Identifier: GPL-2.0
/*
 * The doorbell bit protocol (contract.h, "Doorbells").
 *
 * Ringing sets the slot's bit, then its word's summary bit, each with a fully ordered atomic
 * read-modify-write; collecting exchanges the summary with 0, then each word it names.  So a
 * slot set after the collector took its word's summary bit is seen by the next collect, and
 * the ringer that sets the summary bit again is the one that sends the event for it.
 */
#include "doorbell.h"

#define YASMIN_DOORBELL_WORDS	(YASMIN_DOORBELL_SLOTS / 64)

bool yasmin_doorbell_ring(struct yasmin_doorbell_page *db, u32 slot)
{
	if (slot >= YASMIN_DOORBELL_SLOTS)
		return false;
	yasmin_fetch_or64(&db->bits[slot / 64], (yasmin_u64)1 << (slot % 64));
	return !(yasmin_fetch_or64(&db->summary, (yasmin_u64)1 << (slot / 64)) &
		 ((yasmin_u64)1 << (slot / 64)));
}

u32 yasmin_doorbell_collect(struct yasmin_doorbell_page *db,
			    void (*fn)(u32 slot, void *arg), void *arg)
{
	yasmin_u64 summary, bits;
	u32 word, bit, found = 0;

	_Static_assert(YASMIN_DOORBELL_WORDS == 64, "one summary bit per word");
	summary = xchg(&db->summary, 0);
	for (word = 0; word < YASMIN_DOORBELL_WORDS; word++) {
		if (!(summary & ((yasmin_u64)1 << word)))
			continue;
		bits = xchg(&db->bits[word], 0);
		for (bit = 0; bit < 64; bit++) {
			if (bits & ((yasmin_u64)1 << bit)) {
				fn(word * 64 + bit, arg);
				found++;
			}
		}
	}
	return found;
}
