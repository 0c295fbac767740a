// The doorbell bit protocol (guest-kmod/doorbell.c): slots rung are collected once each, an
// event is asked for only when none is on its way, and concurrent ringing loses no slot.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>
#include <vector>

extern "C" {
#include "doorbell.h"
}

namespace {

void Record(uint32_t slot, void* arg) {
  static_cast<std::vector<uint32_t>*>(arg)->push_back(slot);
}

std::vector<uint32_t> Collect(yasmin_doorbell_page* db) {
  std::vector<uint32_t> slots;
  const uint32_t n = yasmin_doorbell_collect(db, Record, &slots);
  EXPECT_EQ(n, slots.size());
  return slots;
}

TEST(Doorbell, FirstRingOfAWordAsksForAnEventLaterOnesDoNot) {
  yasmin_doorbell_page db{};
  EXPECT_TRUE(yasmin_doorbell_ring(&db, 5));
  EXPECT_FALSE(yasmin_doorbell_ring(&db, 6)) << "same word: its event is on its way";
  EXPECT_FALSE(yasmin_doorbell_ring(&db, 5));
  EXPECT_TRUE(yasmin_doorbell_ring(&db, 64)) << "another word has its own summary bit";
  EXPECT_EQ(Collect(&db), (std::vector<uint32_t>{5, 6, 64}));
  EXPECT_TRUE(yasmin_doorbell_ring(&db, 6)) << "collected: the next ring needs an event again";
}

TEST(Doorbell, CollectingEmptiesThePage) {
  yasmin_doorbell_page db{};
  for (uint32_t slot : {0u, 63u, 64u, 4095u}) yasmin_doorbell_ring(&db, slot);
  EXPECT_EQ(Collect(&db), (std::vector<uint32_t>{0, 63, 64, 4095}));
  EXPECT_TRUE(Collect(&db).empty());
  EXPECT_EQ(db.summary, 0u);
  for (uint64_t word : db.bits) EXPECT_EQ(word, 0u);
}

TEST(Doorbell, SlotsOutsideThePageAreNotRung) {
  yasmin_doorbell_page db{};
  EXPECT_FALSE(yasmin_doorbell_ring(&db, YASMIN_DOORBELL_SLOTS));
  EXPECT_FALSE(yasmin_doorbell_ring(&db, UINT32_MAX));
  EXPECT_TRUE(Collect(&db).empty());
}

TEST(Doorbell, AHostilePageOnlyYieldsSlotsWithinIt) {
  // The peer can write anything in the page we collect from: every bit set, bits without
  // their summary bit.  We see at most every slot, once, and nothing else.
  yasmin_doorbell_page db;
  memset(&db, 0xff, sizeof(db));
  const auto slots = Collect(&db);
  ASSERT_EQ(slots.size(), YASMIN_DOORBELL_SLOTS);
  for (uint32_t i = 0; i < slots.size(); i++) EXPECT_EQ(slots[i], i);

  yasmin_doorbell_page no_summary{};
  no_summary.bits[3] = ~0ull;
  EXPECT_TRUE(Collect(&no_summary).empty()) << "a word its summary does not name is not read";
}

// Ringers on several threads, a collector on another: every slot rung is collected at least
// once after its ring, and whenever a ringer was told "no event needed", an event asked for
// earlier was still unanswered (so a collect after it sees the slot).
TEST(Doorbell, ConcurrentRingersLoseNoSlot) {
  yasmin_doorbell_page db{};
  constexpr int kRingers = 3;
  constexpr uint32_t kRounds = 20000;
  std::atomic<int> events{0};
  std::atomic<bool> done{false};
  std::vector<std::atomic<uint32_t>> rung(YASMIN_DOORBELL_SLOTS);
  std::vector<std::atomic<uint32_t>> seen(YASMIN_DOORBELL_SLOTS);

  std::thread collector([&] {
    std::vector<uint32_t> slots;
    for (;;) {
      const bool last = done.load();
      // Collect only when an event was sent, like the interrupt handler.
      if (events.exchange(0) > 0 || last) {
        slots.clear();
        yasmin_doorbell_collect(&db, Record, &slots);
        for (uint32_t slot : slots) seen[slot].store(rung[slot].load());
      }
      if (last) break;
    }
  });
  std::vector<std::thread> ringers;
  for (int t = 0; t < kRingers; t++) {
    ringers.emplace_back([&, t] {
      for (uint32_t i = 0; i < kRounds; i++) {
        const uint32_t slot = (i * 7 + t * 1361) % YASMIN_DOORBELL_SLOTS;
        rung[slot].fetch_add(1);
        if (yasmin_doorbell_ring(&db, slot)) events.fetch_add(1);
      }
    });
  }
  for (auto& r : ringers) r.join();
  done.store(true);
  collector.join();

  for (uint32_t slot = 0; slot < YASMIN_DOORBELL_SLOTS; slot++) {
    if (rung[slot].load() == 0) continue;
    EXPECT_EQ(seen[slot].load(), rung[slot].load()) << "slot " << slot << ": last ring not seen";
  }
}

}  // namespace
