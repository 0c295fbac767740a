// guest-kmod/ring.c under concurrency.  Threads move pseudo-random bytes through small rings in
// random-sized pieces, each waiting only as the module will wait: on an event that the other
// side sends when the notification protocol says so.  A lost wake-up therefore shows as a wait
// that times out, and a wrong index or barrier as corrupted data.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "ring_test_memory.h"

namespace {

using Clock = std::chrono::steady_clock;
using yasmin_test::RingMemory;

// Far longer than any wait in a correct run on a loaded machine: the test fails, not hangs.
constexpr auto kWaitLimit = std::chrono::seconds(2);
constexpr auto kRunLimit = std::chrono::seconds(30);

// What the threads of one test share besides the rings: the first failure stops them all.
class StressRun {
 public:
  bool stopped() const {
    return stop_.load(std::memory_order_relaxed) || Clock::now() > give_up_at_;
  }
  void Fail(std::string* failure, std::string why) {
    *failure = std::move(why);
    stop_.store(true);
  }

 private:
  std::atomic<bool> stop_{false};
  const Clock::time_point give_up_at_ = Clock::now() + kRunLimit;
};

// Stands in for an event channel and a wait queue: Notify() is notify_remote_via_irq(); a
// waiter takes a Snapshot() before it prepares to wait, as it joins its wait queue before it
// sets its flag, and then sleeps until an event arrives after the snapshot.
class TestEventChannel {
 public:
  uint64_t Snapshot() const { return events_.load(std::memory_order_acquire); }
  void Notify() { events_.fetch_add(1, std::memory_order_release); }

  bool WaitForEventAfter(uint64_t snapshot, const StressRun& run) const {
    const auto deadline = Clock::now() + kWaitLimit;
    for (uint32_t spins = 0;; spins++) {
      if (events_.load(std::memory_order_acquire) != snapshot) return true;
      if (spins % 64 == 0 && (run.stopped() || Clock::now() > deadline)) return false;
      std::this_thread::yield();
    }
  }

 private:
  std::atomic<uint64_t> events_{0};
};

// A ring with both ends and an event channel each way, connected as the module connects them.
class TestConnection {
 public:
  explicit TestConnection(uint32_t nr_pages) : memory_(nr_pages) {
    EXPECT_EQ(0, yasmin_ring_producer_init(&producer, memory_.desc(), memory_.pages(), nr_pages));
    struct yasmin_ring_layout layout;
    enum yasmin_ring_fault fault;
    EXPECT_EQ(0, yasmin_ring_read_layout(memory_.desc(), &layout, &fault));
    EXPECT_EQ(0, yasmin_ring_consumer_init(&consumer, memory_.desc(), &layout, memory_.pages()));
  }
  uint32_t size() const { return memory_.size(); }

  struct yasmin_ring_producer producer = {};
  struct yasmin_ring_consumer consumer = {};
  TestEventChannel data_events;   // to the consumer: "prod moved"
  TestEventChannel space_events;  // to the producer: "cons moved"

 private:
  RingMemory memory_;
};

struct Stats {
  uint64_t waits = 0;        // prepare-to-wait calls: each may raise the flag the peer sees
  uint64_t events_sent = 0;  // should-notify said yes
};

// The one wait loop of both sides: poll; if nothing, prepare to wait, and sleep unless that
// found something.  Returns the bytes available, or 0 after failing the run.
template <typename Poll, typename PrepareToWait>
uint32_t WaitForBytes(Poll poll, PrepareToWait prepare_to_wait, const TestEventChannel& events,
                      StressRun& run, Stats& stats, std::string* failure, const char* what) {
  for (;;) {
    if (run.stopped()) {
      run.Fail(failure, std::string(what) + ": run stopped");
      return 0;
    }
    int available = poll();
    if (available == 0) {
      const uint64_t snapshot = events.Snapshot();
      stats.waits++;
      available = prepare_to_wait();
      if (available == 0) {
        if (!events.WaitForEventAfter(snapshot, run)) {
          run.Fail(failure, std::string(what) + ": never woken");
          return 0;
        }
        continue;
      }
    }
    if (available < 0) {
      run.Fail(failure, std::string(what) + ": ring broken: " + std::to_string(available));
      return 0;
    }
    return static_cast<uint32_t>(available);
  }
}

// Writes all of data, as yasmin's sendmsg will.  False after failing the run.
bool WriteAll(TestConnection& c, const uint8_t* data, uint32_t len, StressRun& run, Stats& stats,
              std::string* failure) {
  yasmin_ring_producer* ring = &c.producer;
  while (len > 0) {
    const uint32_t space =
        WaitForBytes([ring] { return yasmin_ring_producer_space(ring); },
                     [ring] { return yasmin_ring_producer_prepare_to_wait(ring); }, c.space_events,
                     run, stats, failure, "writer");
    if (space == 0) return false;
    const uint32_t n = std::min(space, len);
    struct yasmin_ring_chunks chunks;
    if (yasmin_ring_producer_chunks(ring, n, &chunks) != 0) {
      run.Fail(failure, "writer: chunks refused");
      return false;
    }
    void* chunk;
    uint32_t chunk_len;
    while (yasmin_ring_next_chunk(&chunks, &chunk, &chunk_len)) {
      std::memcpy(chunk, data, chunk_len);
      data += chunk_len;
    }
    if (yasmin_ring_producer_commit(ring, n) != 0) {
      run.Fail(failure, "writer: commit refused");
      return false;
    }
    if (yasmin_ring_producer_should_notify(ring)) {
      c.data_events.Notify();
      stats.events_sent++;
    }
    len -= n;
  }
  return true;
}

// Reads between 1 and max bytes, as yasmin's recvmsg will.  0 after failing the run.
uint32_t ReadSome(TestConnection& c, uint8_t* out, uint32_t max, StressRun& run, Stats& stats,
                  std::string* failure) {
  yasmin_ring_consumer* ring = &c.consumer;
  const uint32_t readable =
      WaitForBytes([ring] { return yasmin_ring_consumer_readable(ring); },
                   [ring] { return yasmin_ring_consumer_prepare_to_wait(ring); }, c.data_events,
                   run, stats, failure, "reader");
  if (readable == 0) return 0;
  const uint32_t n = std::min(readable, max);
  struct yasmin_ring_chunks chunks;
  if (yasmin_ring_consumer_chunks(ring, 0, n, &chunks) != 0) {
    run.Fail(failure, "reader: chunks refused");
    return 0;
  }
  void* chunk;
  uint32_t chunk_len;
  while (yasmin_ring_next_chunk(&chunks, &chunk, &chunk_len)) {
    std::memcpy(out, chunk, chunk_len);
    out += chunk_len;
  }
  if (yasmin_ring_consumer_consume(ring, n) != 0) {
    run.Fail(failure, "reader: consume refused");
    return 0;
  }
  if (yasmin_ring_consumer_should_notify(ring)) {
    c.space_events.Notify();
    stats.events_sent++;
  }
  return n;
}

// 64-bit FNV-1a: order-sensitive, so a swapped, lost or repeated piece changes it.
class Checksum {
 public:
  void Add(const uint8_t* data, size_t len) {
    for (size_t i = 0; i < len; i++) hash_ = (hash_ ^ data[i]) * 0x100000001b3ull;
  }
  uint64_t value() const { return hash_; }

 private:
  uint64_t hash_ = 0xcbf29ce484222325ull;
};

class ByteStream {
 public:
  explicit ByteStream(uint64_t seed) : state_(seed) {}
  void Fill(uint8_t* out, uint32_t len) {
    for (uint32_t i = 0; i < len; i++) {
      state_ = state_ * 6364136223846793005ull + 1442695040888963407ull;
      out[i] = static_cast<uint8_t>(state_ >> 56);
    }
  }

 private:
  uint64_t state_;
};

struct Side {
  std::string failure;  // empty on success
  uint64_t bytes = 0;
  uint64_t checksum = 0;
  Stats stats;
};

// --- One-way stream: throughput, full and empty rings, wrap-around under concurrency ---

constexpr uint64_t kStreamBytes = 64ull << 20;

class RingStreamTest : public testing::TestWithParam<uint32_t> {};

INSTANTIATE_TEST_SUITE_P(Rings, RingStreamTest, testing::Values(1u, 4u),
                         [](const testing::TestParamInfo<uint32_t>& info) {
                           return std::to_string(info.param) + "_pages";
                         });

TEST_P(RingStreamTest, TwoThreadsMove64MiBIntactWithoutLosingAWakeUp) {
  TestConnection c(GetParam());
  StressRun run;
  // Pieces up to one and a half rings: some writes fill the ring, some reads drain it.
  const uint32_t max_piece = c.size() + c.size() / 2;
  Side writer, reader;

  std::thread writer_thread([&] {
    std::mt19937 sizes(1);
    std::uniform_int_distribution<uint32_t> piece_size(1, max_piece);
    ByteStream stream(42);
    Checksum checksum;
    std::vector<uint8_t> piece(max_piece);
    while (writer.bytes < kStreamBytes) {
      const uint32_t len =
          static_cast<uint32_t>(std::min<uint64_t>(piece_size(sizes), kStreamBytes - writer.bytes));
      stream.Fill(piece.data(), len);
      checksum.Add(piece.data(), len);
      if (!WriteAll(c, piece.data(), len, run, writer.stats, &writer.failure)) return;
      writer.bytes += len;
    }
    writer.checksum = checksum.value();
  });
  std::thread reader_thread([&] {
    std::mt19937 sizes(2);
    std::uniform_int_distribution<uint32_t> piece_size(1, max_piece);
    Checksum checksum;
    std::vector<uint8_t> piece(max_piece);
    while (reader.bytes < kStreamBytes) {
      const uint32_t n =
          ReadSome(c, piece.data(), piece_size(sizes), run, reader.stats, &reader.failure);
      if (n == 0) return;
      checksum.Add(piece.data(), n);
      reader.bytes += n;
    }
    reader.checksum = checksum.value();
  });
  writer_thread.join();
  reader_thread.join();

  ASSERT_EQ("", writer.failure);
  ASSERT_EQ("", reader.failure);
  EXPECT_EQ(kStreamBytes, writer.bytes);
  EXPECT_EQ(kStreamBytes, reader.bytes);
  EXPECT_EQ(writer.checksum, reader.checksum);
  // No event goes to a side that did not ask: each one answers a prepare-to-wait.
  EXPECT_LE(writer.stats.events_sent, reader.stats.waits);
  EXPECT_LE(reader.stats.events_sent, writer.stats.waits);
  RecordProperty("writer_waits", std::to_string(writer.stats.waits));
  RecordProperty("reader_waits", std::to_string(reader.stats.waits));
}

// --- Ping-pong over two rings: every message waits for its echo, so one lost wake-up stalls
// the exchange for good, and the test sees it at once ---

TEST(RingPingPongTest, EveryMessageComesBackWithoutALostWakeUp) {
  TestConnection there(1), back(1);
  std::mt19937 sizes(3);
  std::uniform_int_distribution<uint32_t> message_size(1, there.size());
  std::vector<uint32_t> message_sizes(100000);
  uint64_t total = 0;
  for (uint32_t& len : message_sizes) total += len = message_size(sizes);
  StressRun run;
  Side client, server;

  std::thread server_thread([&] {
    std::vector<uint8_t> buffer(there.size());
    while (server.bytes < total) {
      const uint32_t n =
          ReadSome(there, buffer.data(), there.size(), run, server.stats, &server.failure);
      if (n == 0) return;
      if (!WriteAll(back, buffer.data(), n, run, server.stats, &server.failure)) return;
      server.bytes += n;
    }
  });
  std::thread client_thread([&] {
    ByteStream stream(7);
    std::vector<uint8_t> message(there.size()), echo(there.size());
    for (size_t i = 0; i < message_sizes.size(); i++) {
      const uint32_t len = message_sizes[i];
      stream.Fill(message.data(), len);
      if (!WriteAll(there, message.data(), len, run, client.stats, &client.failure)) return;
      for (uint32_t got = 0; got < len;) {
        const uint32_t n =
            ReadSome(back, echo.data() + got, len - got, run, client.stats, &client.failure);
        if (n == 0) return;
        got += n;
      }
      if (std::memcmp(message.data(), echo.data(), len) != 0)
        return run.Fail(&client.failure, "message " + std::to_string(i) + " came back changed");
      client.bytes += len;
    }
  });
  client_thread.join();
  server_thread.join();

  ASSERT_EQ("", client.failure);
  ASSERT_EQ("", server.failure);
  EXPECT_EQ(total, client.bytes);
  EXPECT_EQ(total, server.bytes);
  RecordProperty("client_waits", std::to_string(client.stats.waits));
  RecordProperty("server_waits", std::to_string(server.stats.waits));
}

}  // namespace
