// A process's cached copy of the view (view_table.h), re-read from the module's file at most
// once every max_age milliseconds.
//
// Refresh rule: a Get() that finds the last read max_age ms old or older (by a monotonic
// clock) reads the file again, and with max_age 0 every Get() does.  Only the first line is
// read if it is the one the current table was parsed from: the module changes it whenever the
// view changes (docs/contract.md), so the table is kept as it is, same object.  Otherwise the
// whole file is read and parsed.  A file that is missing (the module is not loaded) or cannot
// be read or parsed gives the empty table, and is tried again at the same rate.
//
// Threads: Get() takes no lock and writes no shared memory unless a re-read is due or the
// table changed since the calling thread last looked.  Each thread keeps its own reference to
// the table it last saw (thread_local) and compares a version number, read with one atomic
// load, to notice a new table; only then does it take a short lock to copy the new reference.
// A re-read is done by one thread at a time; others keep using the table they have meanwhile,
// except before the first read, which they wait for.
//
// fork: pthread_atfork handlers take every cache's locks before fork() and release them in
// both processes after it, so the child never inherits a lock held by a thread that does not
// exist there, nor a half-published table.  The child keeps the parent's table and refresh
// deadline, which stay valid: the clock is system-wide and the file is opened per read
// (O_CLOEXEC), so no descriptor is shared.  The references other threads of the parent held
// are never released in the child: a bounded leak of old tables.  Not async-signal-safe.

#ifndef YASMIN_PRELOAD_VIEW_CACHE_H_
#define YASMIN_PRELOAD_VIEW_CACHE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "view_table.h"

namespace yasmin {
namespace preload {

class ViewCache {
 public:
  // Milliseconds of a monotonic clock.
  using Clock = std::function<int64_t()>;

  // CLOCK_MONOTONIC_COARSE in milliseconds: answered from the vDSO without a system call,
  // with the resolution of a timer tick, plenty for a refresh period of a second.
  static int64_t MonotonicCoarseMs();

  static constexpr uint32_t kDefaultMaxAgeMs = 1000;

  // Reads nothing yet: the first Get() reads the file.
  explicit ViewCache(std::string path, uint32_t max_age_ms = kDefaultMaxAgeMs,
                     Clock clock = &MonotonicCoarseMs);
  ~ViewCache();
  ViewCache(const ViewCache&) = delete;
  ViewCache& operator=(const ViewCache&) = delete;

  // The current table, never null, after re-reading the file if that is due.  The table stays
  // valid until the calling thread calls Get() again (on any ViewCache) or exits; hold a
  // Snapshot() to keep one longer.
  const ViewTable* Get();

  // The current table as a counted reference, for holding it across calls; re-reads like
  // Get().  Costs atomic reference counting that Get() avoids.
  std::shared_ptr<const ViewTable> Snapshot();

  // What the last read found wrong, for the debug log: empty when the file was read and its
  // first line parsed (a missing file is not an error: the module is not loaded).
  std::string last_error() const;

  // How many times the file was opened and how many times its text was parsed: for tests.
  uint64_t file_reads() const { return file_reads_.load(std::memory_order_relaxed); }
  uint64_t parses() const { return parses_.load(std::memory_order_relaxed); }

 private:
  static void PrepareFork();
  static void AfterFork();

  void RefreshIfDue();
  // Reads the file and publishes a new table if it changed.  refresh_mutex_ held.
  void Refresh(int64_t now);
  void Publish(std::shared_ptr<const ViewTable> table, std::string error);

  const std::string path_;
  const int64_t max_age_ms_;
  const Clock clock_;
  // Which thread_local reference belongs to this cache: unique per cache, never reused, unlike
  // the cache's address.
  const uint64_t id_;

  // When the file is to be read next.  Lowest value: read at the first Get().
  std::atomic<int64_t> next_read_ms_;
  // Incremented whenever table_ changes; threads compare it with the one they last saw.
  std::atomic<uint64_t> version_{1};
  // Whether the file was read once: until then a Get() waits for a read in progress.
  std::atomic<bool> read_once_{false};
  std::atomic<uint64_t> file_reads_{0};
  std::atomic<uint64_t> parses_{0};

  // Held while reading the file; taken with try_lock once the file was read, so that readers
  // never wait for it afterwards.
  std::mutex refresh_mutex_;
  // Held only to copy or replace table_ and last_error_.  Lock order: refresh_mutex_ first.
  mutable std::mutex table_mutex_;
  std::shared_ptr<const ViewTable> table_;
  std::string last_error_;
};

}  // namespace preload
}  // namespace yasmin

#endif  // YASMIN_PRELOAD_VIEW_CACHE_H_
