// Ring sizing under the grant budget (guest-kmod/ring_budget.c): full rings while the budget
// is loose, geometrically smaller ones under pressure, none when nothing fits.
#include <gtest/gtest.h>

#include <map>

extern "C" {
#include "ring_budget.h"
}

namespace {

constexpr uint32_t kFullRing = 128;  // 512 KiB

// Opens connections one after another until the budget refuses one; returns how many got
// each ring size.
std::map<uint32_t, int> FillBudget(uint32_t budget, uint32_t wanted, uint32_t* used_out) {
  std::map<uint32_t, int> sizes;
  uint32_t used = 0;
  for (;;) {
    const uint32_t pages = yasmin_ring_pages_within_budget(wanted, used, budget);
    if (pages == 0) break;
    EXPECT_EQ(pages & (pages - 1), 0u) << "not a power of two: " << pages;
    EXPECT_LE(pages, wanted);
    used += pages + 1;
    sizes[pages]++;
  }
  *used_out = used;
  return sizes;
}

int Total(const std::map<uint32_t, int>& sizes) {
  int n = 0;
  for (const auto& [pages, count] : sizes) n += count;
  return n;
}

TEST(RingBudget, FullSizeWhileHalfTheBudgetStaysFree) {
  EXPECT_EQ(yasmin_ring_pages_within_budget(kFullRing, 0, 16384), kFullRing);
  // 129 pages more would leave exactly half free: still full size.
  EXPECT_EQ(yasmin_ring_pages_within_budget(kFullRing, 8192 - 129, 16384), kFullRing);
  // One page more and the ring shrinks to a share of what is left.
  EXPECT_EQ(yasmin_ring_pages_within_budget(kFullRing, 8192 - 128, 16384), 16u);
}

TEST(RingBudget, ThousandConnectionsFitTheDefaultBudgetOfALabGuest) {
  // A 256 MiB guest with Xen's default 64 grant frames: budget 16,384 pages.
  uint32_t used = 0;
  const auto sizes = FillBudget(16384, kFullRing, &used);
  EXPECT_EQ(sizes.at(kFullRing), 63);
  EXPECT_GE(Total(sizes), 1000);
  EXPECT_LE(used, 16384u);
  EXPECT_GT(used, 16384u - 2) << "the budget ends used up, not with room for one more ring";
}

TEST(RingBudget, SmallRingsAskedForAreNotShrunkFurtherThanNeeded) {
  uint32_t used = 0;
  const auto sizes = FillBudget(1000, 1, &used);
  EXPECT_EQ(Total(sizes), 500);  // two pages each: one data page, one descriptor
  EXPECT_EQ(used, 1000u);
}

TEST(RingBudget, NothingFitsAFullOrTinyBudget) {
  EXPECT_EQ(yasmin_ring_pages_within_budget(kFullRing, 16384, 16384), 0u);
  EXPECT_EQ(yasmin_ring_pages_within_budget(kFullRing, 16383, 16384), 0u);
  EXPECT_EQ(yasmin_ring_pages_within_budget(1, 16382, 16384), 1u);
  EXPECT_EQ(yasmin_ring_pages_within_budget(kFullRing, 20000, 16384), 0u);  // over budget
  EXPECT_EQ(yasmin_ring_pages_within_budget(kFullRing, 0, 1), 0u);
  EXPECT_EQ(yasmin_ring_pages_within_budget(0, 0, 16384), 0u);
}

TEST(RingBudget, ExtremeValuesDoNotOverflow) {
  EXPECT_EQ(yasmin_ring_pages_within_budget(512, 0, UINT32_MAX), 512u);
  EXPECT_EQ(yasmin_ring_pages_within_budget(512, UINT32_MAX - 1, UINT32_MAX), 0u);
  EXPECT_EQ(yasmin_ring_pages_within_budget(0x80000000u, 0, UINT32_MAX), 0x80000000u / 512);
}

}  // namespace
