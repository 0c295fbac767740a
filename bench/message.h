// The bytes every transport carries, and how a receiver checks them.
//
// A message is a fixed pseudo-random pattern (long-period, so that a page or a chunk of the
// ring delivered in the wrong place shows) overwritten every kStampStride bytes with the
// message's sequence number.  Stamping costs the sender a few stores per message, so the
// pattern itself never has to be regenerated; checking only the stamps is as cheap and
// catches lost, repeated, reordered and stale data; --verify also compares every other byte.

#ifndef YASMIN_BENCH_MESSAGE_H_
#define YASMIN_BENCH_MESSAGE_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace yasmin_bench {

// Below a page, so that each ring page a message spans carries at least one stamp.
constexpr size_t kStampStride = 512;

// A message buffer of a given size, filled with the pattern.
class Message {
 public:
  explicit Message(size_t size);

  uint8_t* data() { return bytes_.data(); }
  const uint8_t* data() const { return bytes_.data(); }
  size_t size() const { return bytes_.size(); }

  // Writes seq into every stamp of the buffer, the pattern staying elsewhere.
  void Stamp(uint64_t seq);

 private:
  std::vector<uint8_t> bytes_;
};

// Whether received (size bytes) carries seq in every stamp.
bool StampsMatch(const uint8_t* received, size_t size, uint64_t seq);

// Whether received is exactly message seq of that size.  Uses expected as scratch space: a
// Message of the same size, which it leaves stamped with seq.
bool MessageMatches(const uint8_t* received, Message* expected, uint64_t seq);

}  // namespace yasmin_bench

#endif  // YASMIN_BENCH_MESSAGE_H_
