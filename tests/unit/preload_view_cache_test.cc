// The per-process cache of the view (preload/view_cache.h), over a file in a scratch directory
// and a clock the test moves by hand.

#include "view_cache.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "ip_address.h"

namespace yasmin {
namespace preload {
namespace {

IpAddress Ip(const std::string& text) {
  IpAddress address;
  EXPECT_TRUE(IpAddress::Parse(text, &address)) << text;
  return address;
}

class ViewCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/yasmin-view-cache-test.XXXXXX";
    ASSERT_NE(nullptr, mkdtemp(pattern));
    dir_ = pattern;
    path_ = dir_ + "/yasmin_view";
  }
  void TearDown() override {
    std::remove(path_.c_str());
    rmdir((dir_ + "/a-directory").c_str());
    rmdir(dir_.c_str());
  }

  // Replaces the file in one step (rename), as a reader in another thread must never see it
  // half-written.
  void Write(const std::string& text) {
    const std::string temporary = path_ + ".new";
    std::ofstream(temporary) << text;
    ASSERT_EQ(0, std::rename(temporary.c_str(), path_.c_str()));
  }

  std::unique_ptr<ViewCache> Cache(uint32_t max_age_ms) {
    return std::make_unique<ViewCache>(path_, max_age_ms, [this] { return now_ms_.load(); });
  }

  std::string dir_;
  std::string path_;
  std::atomic<int64_t> now_ms_{1000000};
};

TEST_F(ViewCacheTest, TheFirstGetReadsTheFile) {
  Write("generation 3 domid 1\n10.0.0.12 5\n");
  auto cache = Cache(1000);
  EXPECT_EQ(0u, cache->file_reads());
  const ViewTable* table = cache->Get();
  ASSERT_NE(nullptr, table);
  EXPECT_EQ(3u, table->generation());
  EXPECT_EQ(5u, table->Lookup(Ip("10.0.0.12")));
  EXPECT_EQ(1u, cache->file_reads());
  EXPECT_EQ(1u, cache->parses());
  EXPECT_EQ("", cache->last_error());
}

TEST_F(ViewCacheTest, ReadsAtMostOncePerMaxAge) {
  Write("generation 3 domid 1\n10.0.0.12 5\n");
  auto cache = Cache(1000);
  cache->Get();
  Write("generation 4 domid 1\n10.0.0.13 6\n");
  for (int i = 0; i < 10; i++) cache->Get();
  now_ms_ += 999;
  EXPECT_EQ(3u, cache->Get()->generation());
  EXPECT_EQ(1u, cache->file_reads());
  now_ms_ += 1;
  EXPECT_EQ(4u, cache->Get()->generation());
  EXPECT_EQ(6u, cache->Get()->Lookup(Ip("10.0.0.13")));
  EXPECT_EQ(2u, cache->file_reads());
  EXPECT_EQ(2u, cache->parses());
}

TEST_F(ViewCacheTest, MaxAgeZeroReadsEveryTime) {
  Write("generation 3 domid 1\n");
  auto cache = Cache(0);
  cache->Get();
  cache->Get();
  Write("generation 4 domid 1\n");
  EXPECT_EQ(4u, cache->Get()->generation());  // the clock did not move
  EXPECT_EQ(3u, cache->file_reads());
  EXPECT_EQ(2u, cache->parses());
}

TEST_F(ViewCacheTest, KeepsTheTableWhileTheFirstLineIsUnchanged) {
  Write("generation 3 domid 1\n10.0.0.12 5\n");
  auto cache = Cache(1000);
  const std::shared_ptr<const ViewTable> first = cache->Snapshot();
  // Not what the module does (it changes the generation with the view), which is exactly why
  // the cache may trust the first line: the body is not read again.
  Write("generation 3 domid 1\n10.0.0.13 6\n");
  now_ms_ += 1000;
  const ViewTable* table = cache->Get();
  EXPECT_EQ(first.get(), table);
  EXPECT_EQ(5u, table->Lookup(Ip("10.0.0.12")));
  EXPECT_EQ(0u, table->Lookup(Ip("10.0.0.13")));
  EXPECT_EQ(2u, cache->file_reads());
  EXPECT_EQ(1u, cache->parses());
}

TEST_F(ViewCacheTest, ANewDomidIsANewView) {
  Write("generation 3 domid 1\n10.0.0.12 5\n");
  auto cache = Cache(1000);
  cache->Get();
  Write("generation 3 domid 2\n10.0.0.12 5\n");  // resumed elsewhere: same generation
  now_ms_ += 1000;
  EXPECT_EQ(2u, cache->Get()->domid());
  EXPECT_EQ(2u, cache->parses());
}

TEST_F(ViewCacheTest, AMissingFileGivesTheEmptyTableAndIsTriedAgain) {
  auto cache = Cache(1000);
  const ViewTable* table = cache->Get();
  EXPECT_FALSE(table->has_header());
  EXPECT_TRUE(table->empty());
  EXPECT_EQ("", cache->last_error());  // the module is not loaded: no error
  EXPECT_EQ(1u, cache->file_reads());
  cache->Get();
  EXPECT_EQ(1u, cache->file_reads());

  Write("generation 1 domid 4\n10.0.0.12 5\n");  // the module is loaded
  now_ms_ += 1000;
  EXPECT_EQ(5u, cache->Get()->Lookup(Ip("10.0.0.12")));

  std::remove(path_.c_str());  // and unloaded
  now_ms_ += 1000;
  EXPECT_FALSE(cache->Get()->has_header());
  EXPECT_EQ(0u, cache->Get()->Lookup(Ip("10.0.0.12")));
}

TEST_F(ViewCacheTest, AnUnparsableFileGivesTheEmptyTableAndSaysWhy) {
  Write("generation 1 domid 4\n10.0.0.12 5\n");
  auto cache = Cache(1000);
  cache->Get();
  Write("generation one domid 4\n10.0.0.12 5\n");
  now_ms_ += 1000;
  EXPECT_TRUE(cache->Get()->empty());
  EXPECT_NE(std::string::npos, cache->last_error().find(path_)) << cache->last_error();
  Write("generation 2 domid 4\n10.0.0.12 5\n");
  now_ms_ += 1000;
  EXPECT_EQ(5u, cache->Get()->Lookup(Ip("10.0.0.12")));
  EXPECT_EQ("", cache->last_error());
}

TEST_F(ViewCacheTest, AnUnreadableFileGivesTheEmptyTableAndSaysWhy) {
  const std::string directory = dir_ + "/a-directory";
  ASSERT_EQ(0, mkdir(directory.c_str(), 0700));
  ViewCache cache(directory, 1000, [this] { return now_ms_.load(); });
  EXPECT_TRUE(cache.Get()->empty());
  EXPECT_NE(std::string::npos, cache.last_error().find("cannot read")) << cache.last_error();
}

TEST_F(ViewCacheTest, AnEmptyFileIsAnError) {
  Write("");
  auto cache = Cache(1000);
  EXPECT_TRUE(cache->Get()->empty());
  EXPECT_FALSE(cache->last_error().empty());
}

TEST_F(ViewCacheTest, ALargeViewIsReadWhole) {
  std::string text = "generation 1 domid 0\n";
  for (int peer = 0; peer < 5000; peer++) {
    text += "10." + std::to_string(peer / 256) + "." + std::to_string(peer % 256) + ".1 " +
            std::to_string(peer % 100 + 3) + "\n";
  }
  ASSERT_GT(text.size(), 16384u * 3);  // several reads
  Write(text);
  auto cache = Cache(1000);
  EXPECT_EQ(5000u, cache->Get()->size());
  EXPECT_EQ(0u, cache->Get()->bad_lines());
  EXPECT_EQ(4999 % 100 + 3u, cache->Get()->Lookup(Ip("10.19.135.1")));
}

TEST_F(ViewCacheTest, ASnapshotOutlivesAChange) {
  Write("generation 1 domid 4\n10.0.0.12 5\n");
  auto cache = Cache(1000);
  const std::shared_ptr<const ViewTable> old = cache->Snapshot();
  Write("generation 2 domid 4\n10.0.0.13 6\n");
  now_ms_ += 1000;
  EXPECT_EQ(2u, cache->Get()->generation());
  EXPECT_EQ(1u, old->generation());
  EXPECT_EQ(5u, old->Lookup(Ip("10.0.0.12")));
}

TEST_F(ViewCacheTest, TwoCachesDoNotMixUpTheirTables) {
  Write("generation 1 domid 4\n10.0.0.12 5\n");
  auto first = Cache(1000);
  EXPECT_EQ(1u, first->Get()->generation());
  Write("generation 2 domid 4\n10.0.0.12 5\n");
  auto second = Cache(1000);
  EXPECT_EQ(2u, second->Get()->generation());
  EXPECT_EQ(1u, first->Get()->generation());
  EXPECT_EQ(2u, second->Get()->generation());
}

TEST_F(ViewCacheTest, ThreadsSeeEveryNewViewEventually) {
  Write("generation 1 domid 0\n10.0.0.12 5\n");
  auto cache = Cache(10);
  constexpr int kThreads = 4;
  constexpr uint64_t kLastGeneration = 50;
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> bad{0};
  std::array<std::atomic<uint64_t>, kThreads> last_seen;
  for (auto& seen : last_seen) seen = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&, t] {
      while (!stop.load()) {
        const ViewTable* table = cache->Get();
        // Every view this test writes maps 10.0.0.12 to its generation + 4.
        // The first Get() of every thread waits for the first read: never the empty table.
        if (table->Lookup(Ip("10.0.0.12")) != table->generation() + 4) bad++;
        if (table->generation() < last_seen[t].load()) bad++;  // never back in time
        last_seen[t] = table->generation();
      }
    });
  }
  for (uint64_t generation = 2; generation <= kLastGeneration; generation++) {
    Write("generation " + std::to_string(generation) + " domid 0\n10.0.0.12 " +
          std::to_string(generation + 4) + "\n");
    now_ms_ += 10;
    std::this_thread::yield();
  }
  // Until every thread has seen the last view, for at most 20 s of real time.
  const int64_t deadline = ViewCache::MonotonicCoarseMs() + 20000;
  bool caught_up = false;
  while (!caught_up && ViewCache::MonotonicCoarseMs() < deadline) {
    caught_up = true;
    for (const auto& seen : last_seen) caught_up = caught_up && seen.load() == kLastGeneration;
    std::this_thread::yield();
  }
  stop = true;
  for (std::thread& thread : threads) thread.join();
  EXPECT_TRUE(caught_up);
  EXPECT_EQ(0u, bad.load());
  EXPECT_EQ(kLastGeneration, cache->Get()->generation());
}

// The child of a fork() made while other threads read and refresh the cache can use it: no
// lock is inherited held.  Each child exits 0 if Get() answers, and kills itself after a while
// otherwise (a deadlock would otherwise hang the test).
TEST_F(ViewCacheTest, AForkedChildKeepsAWorkingCache) {
  Write("generation 1 domid 4\n10.0.0.12 5\n");
  ViewCache cache(path_, 0);  // the real clock, and every Get() reads the file
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; t++) {
    threads.emplace_back([&] {
      while (!stop.load()) cache.Get();
    });
  }
  int failures = 0;
  for (int i = 0; i < 40; i++) {
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      alarm(10);
      const ViewTable* table = cache.Get();
      _exit(table->Lookup(Ip("10.0.0.12")) == 5 && cache.Snapshot()->generation() == 1 ? 0 : 1);
    }
    int status = 0;
    ASSERT_EQ(child, waitpid(child, &status, 0));
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) failures++;
  }
  stop = true;
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(0, failures);
}

}  // namespace
}  // namespace preload
}  // namespace yasmin
