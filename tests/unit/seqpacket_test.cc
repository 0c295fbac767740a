// guest-kmod/seqpacket.c, built as userspace C: SOCK_SEQPACKET records in a data ring, written
// whole, read one at a time, and every header a hostile peer could write checked.  Both sides
// of the ring run in this one thread; a test plays the hostile peer by writing the data pages
// and the descriptor's prod directly.

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <vector>

#include "gtest/gtest.h"
#include "ring_test_memory.h"

extern "C" {
#include "seqpacket.h"
}

namespace {

using yasmin_test::RingMemory;

constexpr uint32_t kPage = YASMIN_PAGE_SIZE;
constexpr uint32_t kHdr = YASMIN_RECORD_HEADER_SIZE;

std::vector<uint8_t> Message(uint32_t seed, uint32_t len) {
  std::vector<uint8_t> bytes(len);
  for (uint32_t i = 0; i < len; i++) bytes[i] = static_cast<uint8_t>((seed * 131 + i * 7) ^ (i >> 8));
  return bytes;
}

class SeqpacketRing {
 public:
  explicit SeqpacketRing(uint32_t nr_pages) : memory_(nr_pages) {
    EXPECT_EQ(0, yasmin_ring_producer_init(&producer, memory_.desc(), memory_.pages(), nr_pages));
    enum yasmin_ring_fault fault;
    EXPECT_EQ(0, yasmin_ring_read_layout(memory_.desc(), &layout_, &fault));
    EXPECT_EQ(0, yasmin_ring_consumer_init(&consumer, memory_.desc(), &layout_, memory_.pages()));
  }

  uint32_t size() const { return memory_.size(); }
  struct yasmin_ring_desc* desc() { return memory_.desc(); }

  // Sends one message as the module does: check space, begin, copy the payload, commit.
  int Send(const std::vector<uint8_t>& msg, uint32_t flags) {
    if (yasmin_ring_producer_space(&producer) < 0) return -EPROTO;
    struct yasmin_ring_chunks payload;
    int err = yasmin_record_begin(&producer, static_cast<uint32_t>(msg.size()), flags, &payload);
    if (err) return err;
    Put(&payload, msg.data());
    return yasmin_record_commit(&producer, static_cast<uint32_t>(msg.size()));
  }

  // Receives one message into a buffer of @room bytes, as the module does.
  struct Received {
    int err;
    enum yasmin_record_fault fault;
    struct yasmin_record_header hdr;
    std::vector<uint8_t> data;
  };
  Received Receive(uint32_t room = UINT32_MAX) {
    Received r{};
    if (yasmin_ring_consumer_readable(&consumer) < 0) {
      r.err = -EPROTO;
      return r;
    }
    r.err = yasmin_record_read(&consumer, &r.hdr, &r.fault);
    if (r.err) return r;
    uint32_t want = std::min(room, r.hdr.len);
    struct yasmin_ring_chunks payload;
    EXPECT_EQ(0, yasmin_record_payload(&consumer, &r.hdr, want, &payload));
    r.data.resize(want);
    Get(&payload, r.data.data());
    EXPECT_EQ(0, yasmin_record_consume(&consumer, &r.hdr));
    return r;
  }

  // The hostile producer: raw bytes at a free-running index, then prod, behind the honest
  // producer's back.
  void PeerWrite(uint32_t index, const void* bytes, uint32_t len) {
    const uint8_t* src = static_cast<const uint8_t*>(bytes);
    for (uint32_t i = 0; i < len; i++, index++) {
      uint32_t offset = index & (size() - 1);
      static_cast<uint8_t*>(memory_.pages()[offset / kPage])[offset % kPage] = src[i];
    }
  }
  void PeerPublish(uint32_t prod) { desc()->prod = prod; }

  struct yasmin_ring_producer producer;
  struct yasmin_ring_consumer consumer;

 private:
  static void Put(struct yasmin_ring_chunks* chunks, const uint8_t* src) {
    void* data;
    uint32_t len;
    while (yasmin_ring_next_chunk(chunks, &data, &len)) {
      std::memcpy(data, src, len);
      src += len;
    }
  }
  static void Get(struct yasmin_ring_chunks* chunks, uint8_t* dst) {
    void* data;
    uint32_t len;
    while (yasmin_ring_next_chunk(chunks, &data, &len)) {
      std::memcpy(dst, data, len);
      dst += len;
    }
  }

  RingMemory memory_;
  struct yasmin_ring_layout layout_;
};

TEST(Seqpacket, MessagesComeOutWholeAndInOrderWithTheirFlags) {
  SeqpacketRing ring(4);
  const std::vector<uint32_t> sizes = {1, 100, kPage - kHdr, kPage, 3, 0, 1000};
  for (size_t i = 0; i < sizes.size(); i++)
    ASSERT_EQ(0, ring.Send(Message(i, sizes[i]), i % 2 ? YASMIN_RECORD_EOR : 0)) << i;
  for (size_t i = 0; i < sizes.size(); i++) {
    SeqpacketRing::Received r = ring.Receive();
    ASSERT_EQ(0, r.err) << i;
    EXPECT_EQ(sizes[i], r.hdr.len) << i;
    EXPECT_EQ(i % 2 ? YASMIN_RECORD_EOR : 0u, r.hdr.flags) << i;
    EXPECT_EQ(Message(i, sizes[i]), r.data) << i;
  }
  SeqpacketRing::Received r = ring.Receive();
  EXPECT_EQ(-EAGAIN, r.err) << "no more messages than were sent";
  EXPECT_EQ(YASMIN_RECORD_VALID, r.fault);
}

TEST(Seqpacket, RecordsWrapAroundTheEndOfTheRingHeaderIncluded) {
  SeqpacketRing ring(1);
  // Offsets of the next header from the end of the data area: the header is cut after
  // 1..7 bytes, or the payload is.
  for (uint32_t cut = 1; cut <= 2 * kHdr; cut++) {
    // Move both (empty ring) indexes by d with records of at least a header each.
    uint32_t d = (ring.size() - cut - ring.producer.prod) & (ring.size() - 1);
    if (d && d < kHdr) d += ring.size();
    while (d) {
      uint32_t record = d > ring.size() ? ring.size() / 2 : d;
      ASSERT_EQ(0, ring.Send(Message(0, record - kHdr), 0));
      ASSERT_EQ(0, ring.Receive().err);
      d -= record;
    }
    ASSERT_EQ(cut, ring.size() - (ring.producer.prod & (ring.size() - 1))) << cut;
    std::vector<uint8_t> msg = Message(cut, 500);
    ASSERT_EQ(0, ring.Send(msg, YASMIN_RECORD_EOR)) << cut;
    SeqpacketRing::Received r = ring.Receive();
    ASSERT_EQ(0, r.err) << cut;
    EXPECT_EQ(500u, r.hdr.len) << cut;
    EXPECT_EQ(YASMIN_RECORD_EOR, r.hdr.flags) << cut;
    EXPECT_EQ(msg, r.data) << cut;
  }
}

TEST(Seqpacket, AMessageIsWrittenWholeOrNotAtAll) {
  SeqpacketRing ring(1);
  const uint32_t max = yasmin_record_max_len(ring.size());
  EXPECT_EQ(ring.size() - kHdr, max);
  EXPECT_EQ(kHdr + 10, yasmin_record_size(10));

  struct yasmin_ring_chunks payload;
  EXPECT_EQ(-EINVAL, yasmin_record_begin(&ring.producer, max + 1, 0, &payload))
      << "longer than the ring can ever hold";
  EXPECT_EQ(-EINVAL, yasmin_record_begin(&ring.producer, 1, 2, &payload)) << "unknown flag";

  ASSERT_EQ(0, ring.Send(Message(1, 1000), 0));
  // 1008 bytes used: a message of max bytes needs the whole ring.
  EXPECT_EQ(-ENOSPC, ring.Send(Message(2, max), 0));
  EXPECT_EQ(-ENOSPC, ring.Send(Message(3, ring.size() - 1008 - kHdr + 1), 0));
  EXPECT_EQ(1008u, ring.desc()->prod) << "a message that did not fit published nothing";

  // begin() without commit() publishes nothing either; the next record takes its place.
  ASSERT_EQ(0, yasmin_record_begin(&ring.producer, 50, YASMIN_RECORD_EOR, &payload));
  EXPECT_EQ(1008u, ring.desc()->prod);
  ASSERT_EQ(0, ring.Send(Message(4, ring.size() - 1008 - kHdr), 0)) << "exactly the room left";
  EXPECT_EQ(ring.size(), ring.desc()->prod);

  EXPECT_EQ(1000u, ring.Receive().hdr.len);
  SeqpacketRing::Received r = ring.Receive();
  ASSERT_EQ(0, r.err);
  EXPECT_EQ(0u, r.hdr.flags) << "not the abandoned record's header";
  EXPECT_EQ(Message(4, ring.size() - 1008 - kHdr), r.data);

  // And a message of the maximum size in an empty ring.
  ASSERT_EQ(0, ring.Send(Message(5, max), YASMIN_RECORD_EOR));
  r = ring.Receive();
  ASSERT_EQ(0, r.err);
  EXPECT_EQ(Message(5, max), r.data);
}

TEST(Seqpacket, ASmallBufferTakesTheStartAndTheRestIsDropped) {
  SeqpacketRing ring(1);
  ASSERT_EQ(0, ring.Send(Message(1, 1000), YASMIN_RECORD_EOR));
  ASSERT_EQ(0, ring.Send(Message(2, 50), 0));
  SeqpacketRing::Received r = ring.Receive(100);
  ASSERT_EQ(0, r.err);
  EXPECT_EQ(1000u, r.hdr.len) << "the real length, for MSG_TRUNC";
  std::vector<uint8_t> start = Message(1, 1000);
  start.resize(100);
  EXPECT_EQ(start, r.data);
  r = ring.Receive();
  ASSERT_EQ(0, r.err);
  EXPECT_EQ(Message(2, 50), r.data) << "the next recv gets the next message";

  // The payload cannot be read past the record.
  ASSERT_EQ(0, ring.Send(Message(3, 10), 0));
  ASSERT_GE(yasmin_ring_consumer_readable(&ring.consumer), 0);
  struct yasmin_record_header hdr;
  enum yasmin_record_fault fault;
  ASSERT_EQ(0, yasmin_record_read(&ring.consumer, &hdr, &fault));
  struct yasmin_ring_chunks payload;
  EXPECT_EQ(-EINVAL, yasmin_record_payload(&ring.consumer, &hdr, 11, &payload));
}

TEST(Seqpacket, CheckRefusesUnknownFlagsOverlongAndPartialRecords) {
  const uint32_t size = 4 * kPage;
  struct yasmin_record_header hdr = {100, 0};
  EXPECT_EQ(YASMIN_RECORD_VALID, yasmin_record_check(&hdr, kHdr + 100, size));
  EXPECT_EQ(YASMIN_RECORD_VALID, yasmin_record_check(&hdr, size, size));
  EXPECT_EQ(YASMIN_RECORD_FAULT_PARTIAL, yasmin_record_check(&hdr, kHdr + 99, size));
  EXPECT_EQ(YASMIN_RECORD_FAULT_PARTIAL, yasmin_record_check(&hdr, kHdr - 1, size));
  EXPECT_EQ(YASMIN_RECORD_FAULT_PARTIAL, yasmin_record_check(&hdr, 0, size));
  hdr.flags = YASMIN_RECORD_EOR;
  EXPECT_EQ(YASMIN_RECORD_VALID, yasmin_record_check(&hdr, kHdr + 100, size));
  for (uint32_t bit = 1; bit < 32; bit++) {
    hdr.flags = 1u << bit;
    EXPECT_EQ(YASMIN_RECORD_FAULT_FLAGS, yasmin_record_check(&hdr, kHdr + 100, size)) << bit;
  }
  hdr.flags = 0;
  hdr.len = 0;
  EXPECT_EQ(YASMIN_RECORD_VALID, yasmin_record_check(&hdr, kHdr, size)) << "an empty message";
  for (uint32_t len : {size - kHdr + 1, size, UINT32_MAX, UINT32_MAX - kHdr + 1, 0x80000000u}) {
    hdr.len = len;
    EXPECT_EQ(YASMIN_RECORD_FAULT_TOO_LONG, yasmin_record_check(&hdr, size, size)) << len;
  }
  hdr.len = size - kHdr;
  EXPECT_EQ(YASMIN_RECORD_VALID, yasmin_record_check(&hdr, size, size));
  EXPECT_STRNE("", yasmin_record_fault_str(YASMIN_RECORD_FAULT_PARTIAL));
  EXPECT_STRNE("", yasmin_record_fault_str(static_cast<enum yasmin_record_fault>(99)));
}

// The peer writes headers of its own into the ring and publishes them.
TEST(Seqpacket, HostileHeadersAreRefusedAndConsumeNothing) {
  struct Case {
    const char* what;
    struct yasmin_record_header hdr;
    uint32_t published;  // bytes, header included
    enum yasmin_record_fault fault;
  };
  const uint32_t size = kPage;
  const Case cases[] = {
      {"unknown flag", {10, 2}, kHdr + 10, YASMIN_RECORD_FAULT_FLAGS},
      {"all flags", {10, 0xffffffffu}, kHdr + 10, YASMIN_RECORD_FAULT_FLAGS},
      {"longer than the ring", {size, 0}, size, YASMIN_RECORD_FAULT_TOO_LONG},
      {"huge length", {0xfffffff8u, 0}, size, YASMIN_RECORD_FAULT_TOO_LONG},
      {"payload not all published", {100, 0}, kHdr + 99, YASMIN_RECORD_FAULT_PARTIAL},
      {"header not all published", {0, 0}, kHdr - 1, YASMIN_RECORD_FAULT_PARTIAL},
      {"one byte published", {0, 0}, 1, YASMIN_RECORD_FAULT_PARTIAL},
  };
  for (const Case& c : cases) {
    SeqpacketRing ring(1);
    ring.PeerWrite(0, &c.hdr, kHdr);
    ring.PeerPublish(c.published);
    ASSERT_EQ(static_cast<int>(c.published), yasmin_ring_consumer_readable(&ring.consumer))
        << c.what;
    struct yasmin_record_header hdr = {7, 7};
    enum yasmin_record_fault fault;
    EXPECT_EQ(-EPROTO, yasmin_record_read(&ring.consumer, &hdr, &fault)) << c.what;
    EXPECT_EQ(c.fault, fault) << c.what;
    EXPECT_EQ(7u, hdr.len) << c.what << ": the caller's header is untouched";
    EXPECT_EQ(0u, ring.desc()->cons) << c.what << ": nothing consumed";
  }

  // A valid header after a valid record, written by the peer: accepted.
  SeqpacketRing ring(1);
  ASSERT_EQ(0, ring.Send(Message(1, 20), 0));
  const struct yasmin_record_header good = {5, YASMIN_RECORD_EOR};
  ring.PeerWrite(kHdr + 20, &good, kHdr);
  ring.PeerPublish(2 * kHdr + 20 + 5);
  EXPECT_EQ(0, ring.Receive().err);
  SeqpacketRing::Received r = ring.Receive();
  ASSERT_EQ(0, r.err);
  EXPECT_EQ(5u, r.hdr.len);
  EXPECT_EQ(YASMIN_RECORD_EOR, r.hdr.flags);
}

TEST(Seqpacket, ABrokenRingIsReportedAsSuch) {
  SeqpacketRing ring(1);
  ASSERT_EQ(0, ring.Send(Message(1, 20), 0));
  ring.PeerPublish(10 * kPage);  // overrun: the ring code faults
  EXPECT_EQ(-EPROTO, yasmin_ring_consumer_readable(&ring.consumer));
  struct yasmin_record_header hdr;
  enum yasmin_record_fault fault;
  EXPECT_EQ(-EPROTO, yasmin_record_read(&ring.consumer, &hdr, &fault));
  EXPECT_EQ(YASMIN_RECORD_VALID, fault) << "the ring's fault, not the record's";

  // A producer whose consumer broke the ring writes nothing more.
  ring.desc()->cons = 12345;
  EXPECT_EQ(-EPROTO, yasmin_ring_producer_space(&ring.producer));
  struct yasmin_ring_chunks payload;
  EXPECT_EQ(-EPROTO, yasmin_record_begin(&ring.producer, 1, 0, &payload));
}

}  // namespace
