// guest-kmod/ring.c, built as a userspace C library: index arithmetic, chunking, the checks of
// everything a hostile peer writes, and the notification rules.  Both sides of each ring run
// in this one thread; a test plays the hostile peer by writing the descriptor directly.

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "ring_test_memory.h"

namespace {

using yasmin_test::RingMemory;

constexpr uint32_t kPage = YASMIN_PAGE_SIZE;

// The byte a test stream holds at a free-running index; different a ring's size apart, so
// stale data and misplaced pieces show.
uint8_t PatternByte(uint32_t index) {
  index ^= index >> 16;
  index *= 0x7feb352du;
  index ^= index >> 15;
  index *= 0x846ca68bu;
  index ^= index >> 16;
  return static_cast<uint8_t>(index);
}

std::vector<uint8_t> Pattern(uint32_t index, uint32_t len) {
  std::vector<uint8_t> bytes(len);
  for (uint32_t i = 0; i < len; i++) bytes[i] = PatternByte(index + i);
  return bytes;
}

struct Chunk {
  void* data;
  uint32_t len;
  bool operator==(const Chunk& other) const { return data == other.data && len == other.len; }
};

void PrintTo(const Chunk& chunk, std::ostream* os) {
  *os << "{" << chunk.data << ", " << chunk.len << "}";
}

// A ring whose producer and consumer are both in this test, connected as the module will
// connect them: producer init, consumer copies and validates the layout, consumer init.
class ConnectedRing {
 public:
  explicit ConnectedRing(uint32_t nr_pages) : memory_(nr_pages) {
    EXPECT_EQ(0, yasmin_ring_producer_init(&producer, desc(), memory_.pages(), nr_pages));
    enum yasmin_ring_fault fault;
    EXPECT_EQ(0, yasmin_ring_read_layout(desc(), &layout_, &fault));
    EXPECT_EQ(0, yasmin_ring_consumer_init(&consumer, desc(), &layout_, memory_.pages()));
  }

  struct yasmin_ring_desc* desc() {
    return memory_.desc();
  }
  uint32_t size() const { return memory_.size(); }
  uint8_t* page(uint32_t i) const { return static_cast<uint8_t*>(memory_.pages()[i]); }

  // The pieces a chunk iterator yields; none if any of them is not inside one data page, so
  // that a broken iterator fails the test instead of corrupting its memory.
  std::vector<Chunk> Collect(struct yasmin_ring_chunks chunks) const {
    std::vector<Chunk> result;
    void* data;
    uint32_t len;
    while (yasmin_ring_next_chunk(&chunks, &data, &len)) {
      if (!WithinOnePage(data, len)) {
        ADD_FAILURE() << "piece " << data << "+" << len << " is not inside one data page";
        return {};
      }
      result.push_back({data, len});
    }
    return result;
  }

  // Writes the next len bytes of the pattern through the chunk iterator and commits them.
  std::vector<Chunk> Produce(uint32_t len) {
    struct yasmin_ring_chunks chunks = {};  // iterates over nothing if refused
    EXPECT_EQ(0, yasmin_ring_producer_chunks(&producer, len, &chunks));
    const std::vector<Chunk> pieces = Collect(chunks);
    const std::vector<uint8_t> bytes = Pattern(produced, len);
    uint32_t done = 0;
    for (const Chunk& piece : pieces) {
      std::memcpy(piece.data, bytes.data() + done, piece.len);
      done += piece.len;
    }
    EXPECT_EQ(len, done);
    EXPECT_EQ(0, yasmin_ring_producer_commit(&producer, len));
    produced += len;
    return pieces;
  }

  std::vector<uint8_t> Peek(uint32_t offset, uint32_t len) {
    struct yasmin_ring_chunks chunks = {};  // iterates over nothing if refused
    std::vector<uint8_t> bytes;
    EXPECT_EQ(0, yasmin_ring_consumer_chunks(&consumer, offset, len, &chunks));
    for (const Chunk& piece : Collect(chunks)) {
      const uint8_t* data = static_cast<const uint8_t*>(piece.data);
      bytes.insert(bytes.end(), data, data + piece.len);
    }
    return bytes;
  }

  std::vector<uint8_t> Consume(uint32_t len) {
    std::vector<uint8_t> bytes = Peek(0, len);
    EXPECT_EQ(0, yasmin_ring_consumer_consume(&consumer, len));
    consumed += len;
    return bytes;
  }

  // Moves both indexes on by len through the API, without data: reaching 2^32 takes
  // 2^32 / size round trips.
  void Advance(uint32_t len) {
    while (len > 0) {
      const uint32_t step = len < size() ? len : size();
      if (yasmin_ring_producer_space(&producer) != static_cast<int>(size()) ||
          yasmin_ring_producer_commit(&producer, step) != 0 ||
          yasmin_ring_consumer_readable(&consumer) != static_cast<int>(step) ||
          yasmin_ring_consumer_consume(&consumer, step) != 0) {
        ADD_FAILURE() << "advancing failed with " << len << " bytes to go";
        return;
      }
      len -= step;
      produced += step;
      consumed += step;
    }
    EXPECT_EQ(static_cast<int>(size()), yasmin_ring_producer_space(&producer));
  }

  struct yasmin_ring_producer producer = {};
  struct yasmin_ring_consumer consumer = {};
  uint32_t produced = 0;  // the test's own count of the indexes, not the ring's
  uint32_t consumed = 0;

 private:
  bool WithinOnePage(void* data, uint32_t len) const {
    const uint8_t* start = static_cast<const uint8_t*>(data);
    for (uint32_t i = 0; i < memory_.nr_pages(); i++) {
      if (start >= page(i) && start + len <= page(i) + kPage) return true;
    }
    return false;
  }

  RingMemory memory_;
  struct yasmin_ring_layout layout_ = {};
};

std::unique_ptr<ConnectedRing> RingAt(uint32_t nr_pages, uint32_t index) {
  auto ring = std::make_unique<ConnectedRing>(nr_pages);
  ring->Advance(index);
  return ring;
}

// --- Layout: what the producer publishes and what the consumer accepts ---

TEST(RingLayoutTest, ProducerInitWritesTheLayoutAndZeroesIndexesAndFlags) {
  RingMemory memory(4);
  struct yasmin_ring_desc* desc = memory.desc();
  std::memset(desc, 0xA5, sizeof(*desc));
  struct yasmin_ring_producer producer;
  ASSERT_EQ(0, yasmin_ring_producer_init(&producer, desc, memory.pages(), 4));
  EXPECT_EQ(YASMIN_RING_DESC_MAGIC, desc->magic);
  EXPECT_EQ(4u, desc->nr_pages);
  EXPECT_EQ(0u, desc->prod);
  EXPECT_EQ(0u, desc->cons);
  EXPECT_EQ(0u, desc->prod_wanted);
  EXPECT_EQ(0u, desc->cons_wanted);
  EXPECT_EQ(0xA5A5A5A5u, desc->grefs[0]) << "grant references are the caller's";
  EXPECT_EQ(YASMIN_RING_HEALTHY, yasmin_ring_producer_fault(&producer));
  EXPECT_EQ(static_cast<int>(4 * kPage), yasmin_ring_producer_space(&producer));
}

TEST(RingLayoutTest, ProducerInitRejectsPageCountsOutsideTheContract) {
  RingMemory memory(1);
  struct yasmin_ring_producer producer;
  for (uint32_t nr_pages : {0u, 3u, 6u, 513u, 1024u, 0x80000000u, 0xFFFFFFFFu}) {
    EXPECT_EQ(-EINVAL,
              yasmin_ring_producer_init(&producer, memory.desc(), memory.pages(), nr_pages))
        << nr_pages;
  }
  for (uint32_t nr_pages : {1u, 2u, 256u, 512u}) {
    EXPECT_EQ(0, yasmin_ring_producer_init(&producer, memory.desc(), memory.pages(), nr_pages))
        << nr_pages;
  }
}

TEST(RingLayoutTest, ConsumerCopiesTheAdvertisedGrefsOutOfSharedMemory) {
  for (uint32_t nr_pages : {1u, 2u, 64u, 512u}) {
    RingMemory memory(1);
    struct yasmin_ring_desc* desc = memory.desc();
    desc->magic = YASMIN_RING_DESC_MAGIC;
    desc->nr_pages = nr_pages;
    for (uint32_t i = 0; i < YASMIN_RING_MAX_PAGES; i++) desc->grefs[i] = 1000 + 7 * i;

    struct yasmin_ring_layout layout;
    std::memset(&layout, 0xEE, sizeof(layout));
    enum yasmin_ring_fault fault = YASMIN_RING_NR_FAULTS;
    ASSERT_EQ(0, yasmin_ring_read_layout(desc, &layout, &fault)) << nr_pages;
    EXPECT_EQ(YASMIN_RING_HEALTHY, fault);

    // The peer changes everything afterwards: the copy must not follow.
    desc->nr_pages = 3;
    for (uint32_t i = 0; i < YASMIN_RING_MAX_PAGES; i++) desc->grefs[i] = 0xBAD;
    EXPECT_EQ(nr_pages, layout.nr_pages);
    for (uint32_t i = 0; i < nr_pages; i++) EXPECT_EQ(1000 + 7 * i, layout.grefs[i]) << i;
    if (nr_pages < YASMIN_RING_MAX_PAGES) {
      EXPECT_EQ(0xEEEEEEEEu, layout.grefs[nr_pages]) << "copied past the advertised pages";
    }
  }
}

TEST(RingLayoutTest, ConsumerRejectsABadMagic) {
  for (uint32_t magic : {0u, ~YASMIN_RING_DESC_MAGIC, __builtin_bswap32(YASMIN_RING_DESC_MAGIC),
                         YASMIN_RING_DESC_MAGIC + 1}) {
    RingMemory memory(1);
    memory.desc()->magic = magic;
    memory.desc()->nr_pages = 1;
    struct yasmin_ring_layout layout;
    enum yasmin_ring_fault fault = YASMIN_RING_HEALTHY;
    EXPECT_EQ(-EPROTO, yasmin_ring_read_layout(memory.desc(), &layout, &fault)) << magic;
    EXPECT_EQ(YASMIN_RING_FAULT_BAD_MAGIC, fault) << magic;
  }
}

TEST(RingLayoutTest, ConsumerRejectsPageCountsOutsideTheContract) {
  for (uint32_t nr_pages : {0u, 3u, 5u, 513u, 1024u, 0x80000000u, 0xFFFFFFFFu}) {
    RingMemory memory(1);
    memory.desc()->magic = YASMIN_RING_DESC_MAGIC;
    memory.desc()->nr_pages = nr_pages;
    struct yasmin_ring_layout layout;
    enum yasmin_ring_fault fault = YASMIN_RING_HEALTHY;
    EXPECT_EQ(-EPROTO, yasmin_ring_read_layout(memory.desc(), &layout, &fault)) << nr_pages;
    EXPECT_EQ(YASMIN_RING_FAULT_BAD_NR_PAGES, fault) << nr_pages;
  }
}

TEST(RingLayoutTest, ConsumerInitRefusesALayoutThatWasNotValidated) {
  RingMemory memory(1);
  struct yasmin_ring_layout layout = {};
  struct yasmin_ring_consumer consumer;
  for (uint32_t nr_pages : {0u, 3u, 1024u}) {
    layout.nr_pages = nr_pages;
    EXPECT_EQ(-EINVAL, yasmin_ring_consumer_init(&consumer, memory.desc(), &layout, memory.pages()))
        << nr_pages;
  }
}

// --- Empty and full rings ---

TEST(RingDataTest, AnEmptyRingHasNothingToReadAndEverythingToWrite) {
  for (uint32_t nr_pages : {1u, 2u, 512u}) {
    ConnectedRing ring(nr_pages);
    const int size = static_cast<int>(ring.size());
    EXPECT_EQ(0, yasmin_ring_consumer_readable(&ring.consumer));
    EXPECT_EQ(0, yasmin_ring_consumer_prepare_to_wait(&ring.consumer));
    EXPECT_EQ(size, yasmin_ring_producer_space(&ring.producer));

    struct yasmin_ring_chunks chunks;
    EXPECT_EQ(-EINVAL, yasmin_ring_consumer_chunks(&ring.consumer, 0, 1, &chunks));
    EXPECT_EQ(-EINVAL, yasmin_ring_consumer_consume(&ring.consumer, 1));
    ASSERT_EQ(0, yasmin_ring_consumer_chunks(&ring.consumer, 0, 0, &chunks));
    EXPECT_TRUE(ring.Collect(chunks).empty());

    EXPECT_EQ(-EINVAL, yasmin_ring_producer_chunks(&ring.producer, size + 1, &chunks));
    EXPECT_EQ(-EINVAL, yasmin_ring_producer_commit(&ring.producer, size + 1));
    EXPECT_EQ(0u, ring.desc()->prod) << "a refused commit published something";
    // Local misuse is the caller's bug, not the peer's: the ring is not broken by it.
    EXPECT_EQ(YASMIN_RING_HEALTHY, yasmin_ring_producer_fault(&ring.producer));
    EXPECT_EQ(YASMIN_RING_HEALTHY, yasmin_ring_consumer_fault(&ring.consumer));
  }
}

TEST(RingDataTest, AFullRingTakesNothingMoreAndGivesBackWhatIsConsumed) {
  for (uint32_t nr_pages : {1u, 2u, 512u}) {
    ConnectedRing ring(nr_pages);
    const uint32_t size = ring.size();
    ring.Produce(size);
    EXPECT_EQ(0, yasmin_ring_producer_space(&ring.producer));
    EXPECT_EQ(0, yasmin_ring_producer_prepare_to_wait(&ring.producer));
    struct yasmin_ring_chunks chunks;
    EXPECT_EQ(-EINVAL, yasmin_ring_producer_chunks(&ring.producer, 1, &chunks));
    EXPECT_EQ(-EINVAL, yasmin_ring_producer_commit(&ring.producer, 1));

    EXPECT_EQ(static_cast<int>(size), yasmin_ring_consumer_readable(&ring.consumer));
    EXPECT_EQ(Pattern(0, 1), ring.Consume(1));
    EXPECT_EQ(1, yasmin_ring_producer_space(&ring.producer));
    EXPECT_EQ(Pattern(1, size - 1), ring.Consume(size - 1));
    EXPECT_EQ(0, yasmin_ring_consumer_readable(&ring.consumer));
    EXPECT_EQ(static_cast<int>(size), yasmin_ring_producer_space(&ring.producer));
  }
}

// --- Wrap-around and chunking ---

TEST(RingWrapTest, DataSurvivesEveryStartAndLengthAroundPageAndRingBoundaries) {
  constexpr uint32_t kNrPages = 2;
  constexpr uint32_t kSize = kNrPages * kPage;
  for (uint32_t boundary : {0u, kPage, kSize}) {
    for (uint32_t delta = 0; delta <= 6; delta++) {
      const uint32_t start = (boundary + kSize - 3 + delta) % kSize;
      for (uint32_t len : {1u, 2u, 3u, kPage - 1, kPage, kPage + 1, kSize - 1, kSize}) {
        ConnectedRing ring(kNrPages);
        ring.Advance(start);
        const size_t pieces = ring.Produce(len).size();
        EXPECT_EQ((start % kPage + len + kPage - 1) / kPage, pieces)
            << "start " << start << " len " << len;
        EXPECT_EQ(static_cast<int>(len), yasmin_ring_consumer_readable(&ring.consumer));
        EXPECT_EQ(Pattern(start, len), ring.Consume(len)) << "start " << start << " len " << len;
        EXPECT_EQ(static_cast<int>(kSize), yasmin_ring_producer_space(&ring.producer));
      }
    }
  }
}

TEST(RingWrapTest, ChunksSplitAtPageBoundariesAndAtTheEndOfTheRing) {
  ConnectedRing ring(4);
  ring.Advance(ring.size() - 10);
  struct yasmin_ring_chunks chunks;
  ASSERT_EQ(0, yasmin_ring_producer_chunks(&ring.producer, 10 + kPage + 10, &chunks));
  const std::vector<Chunk> expected = {
      {ring.page(3) + kPage - 10, 10}, {ring.page(0), kPage}, {ring.page(1), 10}};
  EXPECT_EQ(expected, ring.Collect(chunks));

  EXPECT_EQ(expected, ring.Produce(10 + kPage + 10));
  EXPECT_EQ(static_cast<int>(10 + kPage + 10), yasmin_ring_consumer_readable(&ring.consumer));
  ASSERT_EQ(0, yasmin_ring_consumer_chunks(&ring.consumer, 0, 10 + kPage + 10, &chunks));
  EXPECT_EQ(expected, ring.Collect(chunks));
  ASSERT_EQ(0, yasmin_ring_consumer_chunks(&ring.consumer, 5, 10, &chunks));
  EXPECT_EQ((std::vector<Chunk>{{ring.page(3) + kPage - 5, 5}, {ring.page(0), 5}}),
            ring.Collect(chunks));
  ASSERT_EQ(0, yasmin_ring_consumer_chunks(&ring.consumer, 10, kPage, &chunks));
  EXPECT_EQ((std::vector<Chunk>{{ring.page(0), kPage}}), ring.Collect(chunks));
}

TEST(RingWrapTest, ChunksStartMidPage) {
  ConnectedRing ring(2);
  ring.Advance(100);
  struct yasmin_ring_chunks chunks;
  ASSERT_EQ(0, yasmin_ring_producer_chunks(&ring.producer, kPage, &chunks));
  EXPECT_EQ((std::vector<Chunk>{{ring.page(0) + 100, kPage - 100}, {ring.page(1), 100}}),
            ring.Collect(chunks));
}

TEST(RingWrapTest, FreeRunningIndexesWrapPastU32Max) {
  constexpr uint32_t kNrPages = 2;
  for (uint32_t before_wrap : {1u, 4096u, 5000u, 2 * kPage}) {
    auto ring = RingAt(kNrPages, 0u - before_wrap);
    // Odd-sized steps so that writes and reads straddle pages, the ring's end and 2^32.
    for (int i = 0; i < 12; i++) {
      ring->Produce(3001);
      EXPECT_EQ(3001, yasmin_ring_consumer_readable(&ring->consumer));
      const uint32_t at = ring->consumed;
      EXPECT_EQ(Pattern(at, 3001), ring->Consume(3001)) << "at " << at;
      EXPECT_EQ(static_cast<int>(ring->size()), yasmin_ring_producer_space(&ring->producer));
    }
    EXPECT_LT(ring->desc()->prod, 12 * 3001u) << "the index did not wrap";
    EXPECT_EQ(ring->desc()->prod, ring->desc()->cons);
    EXPECT_EQ(YASMIN_RING_HEALTHY, yasmin_ring_consumer_fault(&ring->consumer));
    EXPECT_EQ(YASMIN_RING_HEALTHY, yasmin_ring_producer_fault(&ring->producer));
  }
}

// --- Peeking ---

TEST(RingPeekTest, PeekingAtAnOffsetConsumesNothing) {
  ConnectedRing ring(2);
  ring.Produce(5000);
  EXPECT_EQ(5000, yasmin_ring_consumer_readable(&ring.consumer));
  EXPECT_EQ(Pattern(0, 10), ring.Peek(0, 10));
  EXPECT_EQ(Pattern(4090, 910), ring.Peek(4090, 910));
  EXPECT_EQ(Pattern(4999, 1), ring.Peek(4999, 1));
  EXPECT_EQ(5000, yasmin_ring_consumer_readable(&ring.consumer));
  EXPECT_EQ(0u, ring.desc()->cons);

  EXPECT_EQ(Pattern(0, 4000), ring.Consume(4000));
  EXPECT_EQ(Pattern(4000 + 600, 400), ring.Peek(600, 400));
  EXPECT_TRUE(ring.Peek(1000, 0).empty());
}

TEST(RingPeekTest, PeekingPastTheReadableBytesIsRefused) {
  ConnectedRing ring(2);
  ring.Produce(1000);
  EXPECT_EQ(1000, yasmin_ring_consumer_readable(&ring.consumer));
  struct yasmin_ring_chunks chunks;
  EXPECT_EQ(-EINVAL, yasmin_ring_consumer_chunks(&ring.consumer, 1000, 1, &chunks));
  EXPECT_EQ(-EINVAL, yasmin_ring_consumer_chunks(&ring.consumer, 1001, 0, &chunks));
  EXPECT_EQ(-EINVAL, yasmin_ring_consumer_chunks(&ring.consumer, 999, 2, &chunks));
  // offset + len overflows u32 to something small.
  EXPECT_EQ(-EINVAL, yasmin_ring_consumer_chunks(&ring.consumer, 0xFFFFFFFFu, 2, &chunks));
  EXPECT_EQ(-EINVAL, yasmin_ring_consumer_chunks(&ring.consumer, 1, 0xFFFFFFFFu, &chunks));
  EXPECT_EQ(YASMIN_RING_HEALTHY, yasmin_ring_consumer_fault(&ring.consumer));
}

TEST(RingPeekTest, ChunksReachOnlyAsFarAsTheLastValidatedProd) {
  ConnectedRing ring(2);
  ring.Produce(100);
  EXPECT_EQ(100, yasmin_ring_consumer_readable(&ring.consumer));
  ring.Produce(100);  // committed, but the consumer has not read prod since
  struct yasmin_ring_chunks chunks;
  EXPECT_EQ(-EINVAL, yasmin_ring_consumer_chunks(&ring.consumer, 0, 101, &chunks));
  EXPECT_EQ(-EINVAL, yasmin_ring_consumer_consume(&ring.consumer, 101));
  EXPECT_EQ(200, yasmin_ring_consumer_readable(&ring.consumer));
  EXPECT_EQ(Pattern(0, 200), ring.Consume(200));
}

// --- Validation of the peer's indexes, at several places in the u32 index space ---

class RingValidationTest : public testing::TestWithParam<uint32_t> {
 protected:
  static constexpr uint32_t kNrPages = 4;
  static constexpr uint32_t kSize = kNrPages * kPage;
  uint32_t base() const { return GetParam(); }
  std::unique_ptr<ConnectedRing> Ring() const { return RingAt(kNrPages, base()); }
};

INSTANTIATE_TEST_SUITE_P(IndexSpace, RingValidationTest,
                         testing::Values(0u, 12345u, 0x7FFFFFFFu - 100, 0u - kPage * 4 * 2,
                                         0u - kPage * 4, 0u - 5, 0xFFFFFFFFu),
                         [](const testing::TestParamInfo<uint32_t>& info) {
                           return "at_" + std::to_string(info.param);
                         });

TEST_P(RingValidationTest, ConsumerAcceptsProdExactlyOneRingAhead) {
  auto ring = Ring();
  ring->desc()->prod = base() + kSize;
  EXPECT_EQ(static_cast<int>(kSize), yasmin_ring_consumer_readable(&ring->consumer));
  EXPECT_EQ(static_cast<int>(kSize), yasmin_ring_consumer_readable(&ring->consumer));
  EXPECT_EQ(YASMIN_RING_HEALTHY, yasmin_ring_consumer_fault(&ring->consumer));
}

TEST_P(RingValidationTest, ConsumerRejectsProdMoreThanOneRingAhead) {
  for (uint32_t ahead : {kSize + 1, 2 * kSize, 0x10000000u, 0x7FFFFFFFu}) {
    auto ring = Ring();
    ring->desc()->prod = base() + ahead;
    EXPECT_EQ(-EPROTO, yasmin_ring_consumer_readable(&ring->consumer)) << ahead;
    EXPECT_EQ(YASMIN_RING_FAULT_PROD_OVERRUN, yasmin_ring_consumer_fault(&ring->consumer));
  }
}

TEST_P(RingValidationTest, ConsumerRejectsProdBehindCons) {
  for (uint32_t behind : {1u, kSize, 0x80000000u}) {
    auto ring = Ring();
    ring->desc()->prod = base() - behind;
    EXPECT_EQ(-EPROTO, yasmin_ring_consumer_readable(&ring->consumer)) << behind;
    EXPECT_EQ(YASMIN_RING_FAULT_PROD_BACKWARDS, yasmin_ring_consumer_fault(&ring->consumer));
  }
}

TEST_P(RingValidationTest, ConsumerRejectsProdMovingBackBehindWhatItValidated) {
  for (uint32_t back_to : {99u, 10u}) {
    auto ring = Ring();
    ring->Produce(100);
    EXPECT_EQ(100, yasmin_ring_consumer_readable(&ring->consumer));
    ring->Consume(10);
    ring->desc()->prod = base() + back_to;  // not behind cons, but behind the validated prod
    EXPECT_EQ(-EPROTO, yasmin_ring_consumer_readable(&ring->consumer)) << back_to;
    EXPECT_EQ(YASMIN_RING_FAULT_PROD_BACKWARDS, yasmin_ring_consumer_fault(&ring->consumer));
  }
}

TEST_P(RingValidationTest, ConsumerAcceptsProdStandingStillOrMovingForward) {
  auto ring = Ring();
  EXPECT_EQ(0, yasmin_ring_consumer_readable(&ring->consumer));
  ring->desc()->prod = base() + 1;
  EXPECT_EQ(1, yasmin_ring_consumer_readable(&ring->consumer));
  EXPECT_EQ(1, yasmin_ring_consumer_readable(&ring->consumer));
  ring->desc()->prod = base() + kSize;
  EXPECT_EQ(static_cast<int>(kSize), yasmin_ring_consumer_readable(&ring->consumer));
}

TEST_P(RingValidationTest, ProducerAcceptsConsUpToProd) {
  auto ring = Ring();
  ring->Produce(100);
  EXPECT_EQ(static_cast<int>(kSize - 100), yasmin_ring_producer_space(&ring->producer));
  ring->desc()->cons = base() + 40;
  EXPECT_EQ(static_cast<int>(kSize - 60), yasmin_ring_producer_space(&ring->producer));
  ring->desc()->cons = base() + 100;
  EXPECT_EQ(static_cast<int>(kSize), yasmin_ring_producer_space(&ring->producer));
  EXPECT_EQ(YASMIN_RING_HEALTHY, yasmin_ring_producer_fault(&ring->producer));
}

TEST_P(RingValidationTest, ProducerRejectsConsPastProd) {
  for (uint32_t ahead : {101u, kSize, kSize + 1, 0x10000000u, 0x7FFFFFFFu}) {
    auto ring = Ring();
    ring->Produce(100);
    ring->desc()->cons = base() + ahead;
    EXPECT_EQ(-EPROTO, yasmin_ring_producer_space(&ring->producer)) << ahead;
    EXPECT_EQ(YASMIN_RING_FAULT_CONS_PAST_PROD, yasmin_ring_producer_fault(&ring->producer));
  }
}

TEST_P(RingValidationTest, ProducerRejectsConsMovingBack) {
  for (uint32_t back_to : {49u, 0u, 0u - 1, 0u - kSize, 0x80000050u}) {
    auto ring = Ring();
    ring->Produce(100);
    ring->desc()->cons = base() + 50;
    EXPECT_EQ(static_cast<int>(kSize - 50), yasmin_ring_producer_space(&ring->producer));
    ring->desc()->cons = base() + back_to;
    EXPECT_EQ(-EPROTO, yasmin_ring_producer_space(&ring->producer)) << back_to;
    EXPECT_EQ(YASMIN_RING_FAULT_CONS_BACKWARDS, yasmin_ring_producer_fault(&ring->producer));
  }
}

TEST_P(RingValidationTest, ProducerNeverReadsBackTheFieldsItOwns) {
  auto ring = Ring();
  ring->Produce(100);
  // The consumer maps the descriptor writable and scribbles on the producer's fields.
  ring->desc()->prod = base() + 5;
  ring->desc()->nr_pages = 512;
  ring->desc()->magic = 0;
  EXPECT_EQ(static_cast<int>(kSize - 100), yasmin_ring_producer_space(&ring->producer));
  ring->Produce(10);
  EXPECT_EQ(base() + 110, ring->desc()->prod);
  EXPECT_EQ(110, yasmin_ring_consumer_readable(&ring->consumer));
  EXPECT_EQ(Pattern(base(), 110), ring->Consume(110));
}

// --- A broken ring stays broken ---

TEST(RingStickyTest, ABrokenConsumerRefusesEverythingAndLeavesSharedMemoryAlone) {
  ConnectedRing ring(2);
  ring.Produce(100);
  ring.desc()->prod = ring.size() + 1;
  ASSERT_EQ(-EPROTO, yasmin_ring_consumer_readable(&ring.consumer));

  ring.desc()->prod = 100;  // the peer puts things right: too late
  ring.desc()->cons_wanted = 1;
  struct yasmin_ring_desc before;
  std::memcpy(&before, ring.desc(), sizeof(before));
  struct yasmin_ring_chunks chunks;
  EXPECT_EQ(-EPROTO, yasmin_ring_consumer_readable(&ring.consumer));
  EXPECT_EQ(-EPROTO, yasmin_ring_consumer_prepare_to_wait(&ring.consumer));
  EXPECT_EQ(-EPROTO, yasmin_ring_consumer_chunks(&ring.consumer, 0, 0, &chunks));
  EXPECT_EQ(-EPROTO, yasmin_ring_consumer_consume(&ring.consumer, 0));
  EXPECT_FALSE(yasmin_ring_consumer_should_notify(&ring.consumer));
  EXPECT_EQ(0, std::memcmp(&before, ring.desc(), sizeof(before)));

  ring.desc()->prod = 0;  // a second, different violation does not replace the first cause
  EXPECT_EQ(-EPROTO, yasmin_ring_consumer_readable(&ring.consumer));
  EXPECT_EQ(YASMIN_RING_FAULT_PROD_OVERRUN, yasmin_ring_consumer_fault(&ring.consumer));
}

TEST(RingStickyTest, ABrokenProducerRefusesEverythingAndLeavesSharedMemoryAlone) {
  ConnectedRing ring(2);
  ring.Produce(100);
  ring.desc()->cons = 101;
  ASSERT_EQ(-EPROTO, yasmin_ring_producer_space(&ring.producer));

  ring.desc()->cons = 0;
  ring.desc()->prod_wanted = 1;
  struct yasmin_ring_desc before;
  std::memcpy(&before, ring.desc(), sizeof(before));
  struct yasmin_ring_chunks chunks;
  EXPECT_EQ(-EPROTO, yasmin_ring_producer_space(&ring.producer));
  EXPECT_EQ(-EPROTO, yasmin_ring_producer_prepare_to_wait(&ring.producer));
  EXPECT_EQ(-EPROTO, yasmin_ring_producer_chunks(&ring.producer, 0, &chunks));
  EXPECT_EQ(-EPROTO, yasmin_ring_producer_commit(&ring.producer, 0));
  EXPECT_FALSE(yasmin_ring_producer_should_notify(&ring.producer));
  EXPECT_EQ(0, std::memcmp(&before, ring.desc(), sizeof(before)));
  EXPECT_EQ(YASMIN_RING_FAULT_CONS_PAST_PROD, yasmin_ring_producer_fault(&ring.producer));
}

// --- Notification suppression ---

TEST(RingNotifyTest, AWaitingConsumerIsNotifiedOnceThenNotAgain) {
  ConnectedRing ring(2);
  EXPECT_EQ(0, yasmin_ring_consumer_prepare_to_wait(&ring.consumer));
  EXPECT_NE(0u, ring.desc()->prod_wanted);
  ring.Produce(10);
  EXPECT_TRUE(yasmin_ring_producer_should_notify(&ring.producer));
  EXPECT_EQ(0u, ring.desc()->prod_wanted);
  EXPECT_FALSE(yasmin_ring_producer_should_notify(&ring.producer));
  ring.Produce(10);
  EXPECT_FALSE(yasmin_ring_producer_should_notify(&ring.producer));
}

TEST(RingNotifyTest, AConsumerThatDoesNotWaitIsNeverNotified) {
  ConnectedRing ring(2);
  for (int i = 0; i < 3; i++) {
    ring.Produce(10);
    EXPECT_FALSE(yasmin_ring_producer_should_notify(&ring.producer));
    EXPECT_EQ(10, yasmin_ring_consumer_readable(&ring.consumer));
    ring.Consume(10);
    EXPECT_FALSE(yasmin_ring_consumer_should_notify(&ring.consumer));
  }
}

TEST(RingNotifyTest, AWaitingProducerIsNotifiedOnceThenNotAgain) {
  ConnectedRing ring(1);
  ring.Produce(ring.size());
  EXPECT_EQ(0, yasmin_ring_producer_prepare_to_wait(&ring.producer));
  EXPECT_NE(0u, ring.desc()->cons_wanted);
  EXPECT_EQ(static_cast<int>(ring.size()), yasmin_ring_consumer_readable(&ring.consumer));
  ring.Consume(1);
  EXPECT_TRUE(yasmin_ring_consumer_should_notify(&ring.consumer));
  EXPECT_EQ(0u, ring.desc()->cons_wanted);
  EXPECT_FALSE(yasmin_ring_consumer_should_notify(&ring.consumer));
  ring.Consume(1);
  EXPECT_FALSE(yasmin_ring_consumer_should_notify(&ring.consumer));
}

TEST(RingNotifyTest, ConsumerPrepareToWaitSeesDataThatArrivedJustBefore) {
  ConnectedRing ring(2);
  EXPECT_EQ(0, yasmin_ring_consumer_readable(&ring.consumer));
  // Between the consumer's "nothing there" and its prepare-to-wait, data arrives; nobody had
  // asked, so no event is sent: prepare-to-wait itself must find the data.
  ring.Produce(10);
  EXPECT_FALSE(yasmin_ring_producer_should_notify(&ring.producer));
  EXPECT_EQ(10, yasmin_ring_consumer_prepare_to_wait(&ring.consumer));
}

TEST(RingNotifyTest, ProducerPrepareToWaitSeesSpaceFreedJustBefore) {
  ConnectedRing ring(1);
  ring.Produce(ring.size());
  EXPECT_EQ(0, yasmin_ring_producer_space(&ring.producer));
  EXPECT_EQ(static_cast<int>(ring.size()), yasmin_ring_consumer_readable(&ring.consumer));
  ring.Consume(100);
  EXPECT_FALSE(yasmin_ring_consumer_should_notify(&ring.consumer));
  EXPECT_EQ(100, yasmin_ring_producer_prepare_to_wait(&ring.producer));
}

TEST(RingNotifyTest, AnyNonZeroFlagIsARequest) {
  ConnectedRing ring(2);
  ring.desc()->prod_wanted = 0xDEADBEEF;
  ring.Produce(1);
  EXPECT_TRUE(yasmin_ring_producer_should_notify(&ring.producer));
  EXPECT_FALSE(yasmin_ring_producer_should_notify(&ring.producer));
  ring.desc()->cons_wanted = 0x80000000u;
  EXPECT_EQ(1, yasmin_ring_consumer_readable(&ring.consumer));
  ring.Consume(1);
  EXPECT_TRUE(yasmin_ring_consumer_should_notify(&ring.consumer));
  EXPECT_FALSE(yasmin_ring_consumer_should_notify(&ring.consumer));
}

}  // namespace
