// The memory of one data ring as the unit tests give it to guest-kmod/ring.c: a descriptor
// page and data pages that, as on the mapping side of a real ring, are not virtually
// contiguous.  Both sides of a test ring use the same memory, as two domains see the same
// granted frames.
#ifndef YASMIN_TESTS_UNIT_RING_TEST_MEMORY_H
#define YASMIN_TESTS_UNIT_RING_TEST_MEMORY_H

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

extern "C" {
#include "ring.h"
}

namespace yasmin_test {

struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};
using PageBuffer = std::unique_ptr<void, FreeDeleter>;

inline PageBuffer AllocateZeroedPage() {
  void* page = std::aligned_alloc(YASMIN_PAGE_SIZE, YASMIN_PAGE_SIZE);
  if (page == nullptr) std::abort();
  std::memset(page, 0, YASMIN_PAGE_SIZE);
  return PageBuffer(page);
}

class RingMemory {
 public:
  explicit RingMemory(uint32_t nr_pages) : descriptor_page_(AllocateZeroedPage()) {
    // One spare allocation between pages and the order reversed: code that assumed the data
    // area contiguous would write into the wrong page or into a gap, and the data would show.
    for (uint32_t i = 0; i < 2 * nr_pages; i++) buffers_.push_back(AllocateZeroedPage());
    for (uint32_t i = nr_pages; i-- > 0;) pages_.push_back(buffers_[2 * i].get());
  }

  struct yasmin_ring_desc* desc() {
    return static_cast<struct yasmin_ring_desc*>(descriptor_page_.get());
  }
  void* const* pages() const { return pages_.data(); }
  uint32_t nr_pages() const { return static_cast<uint32_t>(pages_.size()); }
  uint32_t size() const { return nr_pages() * YASMIN_PAGE_SIZE; }

 private:
  PageBuffer descriptor_page_;
  std::vector<PageBuffer> buffers_;
  std::vector<void*> pages_;
};

}  // namespace yasmin_test

#endif  // YASMIN_TESTS_UNIT_RING_TEST_MEMORY_H
