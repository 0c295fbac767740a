#include "fd_registry.h"

#include <netinet/tcp.h>

#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace yasmin {
namespace preload {
namespace {

FdRecord YasminRecord(uint64_t ino, uint32_t cid) {
  FdRecord record;
  record.kind = FdRecord::kYasmin;
  record.family = AF_INET;
  record.peer_port = 80;
  record.cid = cid;
  record.vsock_port = 80;
  record.ino = ino;
  record.options.values[0] = 1;
  return record;
}

TEST(FdRegistryTest, EmptyHasNothing) {
  FdRegistry registry;
  FdRecord record;
  EXPECT_FALSE(registry.Get(3, &record));
  EXPECT_FALSE(registry.HasKind(3, FdRecord::kYasmin));
  EXPECT_FALSE(registry.Get(-1, &record));
  EXPECT_FALSE(registry.Get(FdRegistry::kMaxFds, &record));
  EXPECT_EQ(0u, registry.CountKind(FdRecord::kYasmin));
}

TEST(FdRegistryTest, SetGetClear) {
  FdRegistry registry;
  ASSERT_TRUE(registry.Set(5, YasminRecord(42, 7)));
  EXPECT_TRUE(registry.HasKind(5, FdRecord::kYasmin));
  EXPECT_FALSE(registry.HasKind(6, FdRecord::kYasmin));
  FdRecord record;
  ASSERT_TRUE(registry.Get(5, &record));
  EXPECT_EQ(42u, record.ino);
  EXPECT_EQ(7u, record.cid);
  EXPECT_EQ(80, record.peer_port);
  EXPECT_EQ(1, record.options.values[0]);
  EXPECT_EQ(1u, registry.CountKind(FdRecord::kYasmin));
  registry.Clear(5);
  EXPECT_FALSE(registry.Get(5, &record));
  EXPECT_EQ(0u, registry.CountKind(FdRecord::kYasmin));
}

TEST(FdRegistryTest, RefusesOutOfRange) {
  FdRegistry registry;
  EXPECT_FALSE(registry.Set(-1, YasminRecord(1, 3)));
  EXPECT_FALSE(registry.Set(FdRegistry::kMaxFds, YasminRecord(1, 3)));
  EXPECT_TRUE(registry.Set(FdRegistry::kMaxFds - 1, YasminRecord(1, 3)));
  EXPECT_EQ(1u, registry.CountKind(FdRecord::kYasmin));
}

TEST(FdRegistryTest, CopyIsDupAndCopyOfNothingClears) {
  FdRegistry registry;
  registry.Set(3, YasminRecord(9, 4));
  registry.Copy(3, 2000);  // another chunk
  FdRecord record;
  ASSERT_TRUE(registry.Get(2000, &record));
  EXPECT_EQ(9u, record.ino);
  EXPECT_EQ(2u, registry.CountKind(FdRecord::kYasmin));
  registry.Copy(4, 2000);  // dup2 of a plain descriptor over a yasmin one
  EXPECT_FALSE(registry.Get(2000, &record));
  registry.Copy(3, 3);
  EXPECT_TRUE(registry.Get(3, &record));
  EXPECT_EQ(1u, registry.CountKind(FdRecord::kYasmin));
}

TEST(FdRegistryTest, ClearRange) {
  FdRegistry registry;
  for (int fd : {3, 10, 1023, 1024, 5000, 70000}) registry.Set(fd, YasminRecord(fd, 3));
  registry.ClearRange(10, 5000);
  FdRecord record;
  EXPECT_TRUE(registry.Get(3, &record));
  EXPECT_FALSE(registry.Get(10, &record));
  EXPECT_FALSE(registry.Get(1023, &record));
  EXPECT_FALSE(registry.Get(1024, &record));
  EXPECT_FALSE(registry.Get(5000, &record));
  EXPECT_TRUE(registry.Get(70000, &record));
  registry.ClearRange(4, ~0u);
  EXPECT_FALSE(registry.Get(70000, &record));
  EXPECT_EQ(1u, registry.CountKind(FdRecord::kYasmin));
  registry.ClearRange(5, 4);  // empty range
  registry.ClearRange(FdRegistry::kMaxFds, ~0u);
  EXPECT_EQ(1u, registry.CountKind(FdRecord::kYasmin));
}

TEST(FdRegistryTest, OptionsRecordsAreNotYasmin) {
  FdRegistry registry;
  FdRecord record;
  record.kind = FdRecord::kOptions;
  record.ino = 5;
  record.rcvbuf = 65536;
  registry.Set(8, record);
  EXPECT_TRUE(registry.HasKind(8, FdRecord::kOptions));
  EXPECT_FALSE(registry.HasKind(8, FdRecord::kYasmin));
  EXPECT_EQ(0u, registry.CountKind(FdRecord::kYasmin));
  FdRecord got;
  ASSERT_TRUE(registry.Get(8, &got));
  EXPECT_EQ(65536, got.rcvbuf);
  EXPECT_EQ(-1, got.sndbuf);
}

// Readers never see a record mixed from two writes.
TEST(FdRegistryTest, ConcurrentReadersSeeWholeRecords) {
  FdRegistry registry;
  registry.Set(7, YasminRecord(1, 3));
  std::atomic<bool> stop{false};
  std::atomic<int> torn{0};
  std::vector<std::thread> readers;
  for (int i = 0; i < 2; ++i) {
    readers.emplace_back([&] {
      FdRecord record;
      while (!stop.load()) {
        if (registry.Get(7, &record) && record.cid != record.ino + 2) torn++;
      }
    });
  }
  for (uint64_t i = 1; i < 20000; ++i) {
    FdRecord record = YasminRecord(i, static_cast<uint32_t>(i + 2));
    registry.Set(7, record);
  }
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(0, torn.load());
}

}  // namespace
}  // namespace preload
}  // namespace yasmin
