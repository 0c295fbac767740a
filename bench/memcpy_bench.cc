#include "memcpy_bench.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <sys/mman.h>

#include "measure_pair.h"  // MeasurementError
#include "message.h"

namespace yasmin_bench {
namespace {

using Clock = std::chrono::steady_clock;

// Page-aligned, zero-filled, populated memory, unmapped when it goes.
class Buffer {
 public:
  explicit Buffer(size_t size) : size_(std::max<size_t>(size, 1)) {
    void* p = mmap(nullptr, size_, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (p == MAP_FAILED) throw MeasurementError("cannot map " + std::to_string(size_) + " bytes");
    data_ = static_cast<uint8_t*>(p);
  }
  ~Buffer() { munmap(data_, size_); }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  uint8_t* data() { return data_; }

 private:
  size_t size_;
  uint8_t* data_;
};

// Tells the compiler that memory may be read here, so that no copy counts as dead.
inline void Clobber() { asm volatile("" ::: "memory"); }

}  // namespace

double MeasureMemcpy(const MemcpySettings& settings) {
  const size_t size = settings.msg_size;
  // Each copy moves to the next slot, cache-line aligned, of a region per side: one slot for
  // memcpy, as many as fit in half the working set for memcpy-cold.
  const size_t stride = (size + 63) / 64 * 64;
  const size_t region =
      settings.working_set == 0 ? stride : std::max(settings.working_set / 2, stride);
  const size_t slots = region / stride;

  Buffer source(region);
  Buffer destination(region);
  const Message pattern(size);
  for (size_t slot = 0; slot < slots; slot++) {
    std::memcpy(source.data() + slot * stride, pattern.data(), size);
  }

  // Copies between two looks at the clock: about 64 KiB, so that both are negligible.
  const uint64_t batch = std::clamp<uint64_t>(64 * 1024 / size, 1, 4096);
  uint64_t copies = 0;
  size_t slot = 0;
  const Clock::time_point start = Clock::now();
  double elapsed = 0;
  do {
    for (uint64_t i = 0; i < batch; i++) {
      std::memcpy(destination.data() + slot * stride, source.data() + slot * stride, size);
      Clobber();
      if (++slot == slots) slot = 0;
    }
    copies += batch;
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  } while (elapsed < settings.duration_s);

  if (settings.verify) {
    const size_t last = (slot + slots - 1) % slots;
    if (settings.inject_corruption) destination.data()[last * stride + size / 2] ^= 0x01;
    if (std::memcmp(destination.data() + last * stride, pattern.data(), size) != 0) {
      throw MeasurementError("memcpy: the copy differs from its source");
    }
  }
  return static_cast<double>(copies) * static_cast<double>(size) / elapsed / 1e6;
}

}  // namespace yasmin_bench
