#include "message.h"

#include <cstring>

namespace yasmin_bench {
namespace {

constexpr size_t kStampSize = sizeof(uint64_t);

// Knuth's multiplicative hash of the byte's offset: no short period, unlike offset % 251.
uint8_t PatternByte(size_t offset) {
  return static_cast<uint8_t>((static_cast<uint32_t>(offset) * 0x9E3779B1u) >> 24);
}

// seq's bytes, least significant first, cut short at the end of the message.
void WriteStamp(uint8_t* at, size_t room, uint64_t seq) {
  const size_t n = room < kStampSize ? room : kStampSize;
  for (size_t i = 0; i < n; i++) at[i] = static_cast<uint8_t>(seq >> (8 * i));
}

bool StampIs(const uint8_t* at, size_t room, uint64_t seq) {
  const size_t n = room < kStampSize ? room : kStampSize;
  for (size_t i = 0; i < n; i++) {
    if (at[i] != static_cast<uint8_t>(seq >> (8 * i))) return false;
  }
  return true;
}

}  // namespace

Message::Message(size_t size) : bytes_(size) {
  for (size_t i = 0; i < size; i++) bytes_[i] = PatternByte(i);
}

void Message::Stamp(uint64_t seq) {
  for (size_t at = 0; at < bytes_.size(); at += kStampStride) {
    WriteStamp(&bytes_[at], bytes_.size() - at, seq);
  }
}

bool StampsMatch(const uint8_t* received, size_t size, uint64_t seq) {
  for (size_t at = 0; at < size; at += kStampStride) {
    if (!StampIs(received + at, size - at, seq)) return false;
  }
  return true;
}

bool MessageMatches(const uint8_t* received, Message* expected, uint64_t seq) {
  expected->Stamp(seq);
  return std::memcmp(received, expected->data(), expected->size()) == 0;
}

}  // namespace yasmin_bench
