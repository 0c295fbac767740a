#include "view_cache.h"

#include <fcntl.h>
#include <pthread.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <string_view>
#include <utility>
#include <vector>

#include "raw_io.h"

namespace yasmin {
namespace preload {
namespace {

// The table a thread last took from a cache, so that Get() returns it without touching the
// reference count.  One slot per thread: a thread that alternates between two caches (only
// tests do) takes the lock on each switch.
struct ThreadSlot {
  uint64_t cache_id = 0;  // 0: none
  uint64_t version = 0;
  std::shared_ptr<const ViewTable> table;
};
thread_local ThreadSlot slot;

// Every live cache, for the fork handlers.  Never destroyed: a cache may outlive static
// destruction (the preload's one cache is leaked on purpose, so that threads still running
// at exit can use it).
struct Registry {
  std::mutex mutex;
  std::vector<ViewCache*> caches;
};

Registry& TheRegistry() {
  static Registry* registry = new Registry;
  return *registry;
}

std::atomic<uint64_t> next_cache_id{1};

std::string ErrnoText(const char* what, const std::string& path, int error_number) {
  return std::string(what) + " " + path + ": " + std::strerror(error_number);
}

}  // namespace

int64_t ViewCache::MonotonicCoarseMs() {
  timespec now;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
  return static_cast<int64_t>(now.tv_sec) * 1000 + now.tv_nsec / 1000000;
}

ViewCache::ViewCache(std::string path, uint32_t max_age_ms, Clock clock)
    : path_(std::move(path)),
      max_age_ms_(max_age_ms),
      clock_(std::move(clock)),
      id_(next_cache_id.fetch_add(1, std::memory_order_relaxed)),
      next_read_ms_(std::numeric_limits<int64_t>::min()),
      table_(std::make_shared<const ViewTable>()) {
  static std::once_flag atfork_registered;
  std::call_once(atfork_registered, [] { pthread_atfork(&PrepareFork, &AfterFork, &AfterFork); });
  Registry& registry = TheRegistry();
  std::lock_guard<std::mutex> lock(registry.mutex);
  registry.caches.push_back(this);
}

ViewCache::~ViewCache() {
  Registry& registry = TheRegistry();
  std::lock_guard<std::mutex> lock(registry.mutex);
  registry.caches.erase(std::find(registry.caches.begin(), registry.caches.end(), this));
}

void ViewCache::PrepareFork() {
  Registry& registry = TheRegistry();
  registry.mutex.lock();
  for (ViewCache* cache : registry.caches) {
    cache->refresh_mutex_.lock();
    cache->table_mutex_.lock();
  }
}

// In the parent and in the child alike: in the child, the forking thread is the one that
// locked everything in PrepareFork(), so it may unlock.
void ViewCache::AfterFork() {
  Registry& registry = TheRegistry();
  for (auto cache = registry.caches.rbegin(); cache != registry.caches.rend(); ++cache) {
    (*cache)->table_mutex_.unlock();
    (*cache)->refresh_mutex_.unlock();
  }
  registry.mutex.unlock();
}

const ViewTable* ViewCache::Get() {
  RefreshIfDue();
  ThreadSlot& mine = slot;
  if (mine.cache_id != id_ || mine.version != version_.load(std::memory_order_acquire)) {
    std::shared_ptr<const ViewTable> previous = std::move(mine.table);
    std::lock_guard<std::mutex> lock(table_mutex_);
    mine.table = table_;
    mine.version = version_.load(std::memory_order_relaxed);
    mine.cache_id = id_;
    // previous is released after the lock: destroying a table must not hold others up.
  }
  return mine.table.get();
}

std::shared_ptr<const ViewTable> ViewCache::Snapshot() {
  RefreshIfDue();
  std::lock_guard<std::mutex> lock(table_mutex_);
  return table_;
}

std::string ViewCache::last_error() const {
  std::lock_guard<std::mutex> lock(table_mutex_);
  return last_error_;
}

void ViewCache::RefreshIfDue() {
  const int64_t now = clock_();
  const bool read_once = read_once_.load(std::memory_order_acquire);
  if (read_once && now < next_read_ms_.load(std::memory_order_relaxed)) return;
  std::unique_lock<std::mutex> lock(refresh_mutex_, std::defer_lock);
  if (read_once) {
    if (!lock.try_lock()) return;  // another thread is reading the file right now
  } else {
    // Nothing was read yet: the table we have is not the view, merely a placeholder, so wait
    // for the thread that is reading it rather than decide on the placeholder.
    lock.lock();
  }
  // Another thread may have read the file between the check above and taking the lock.
  if (read_once_.load(std::memory_order_relaxed) &&
      now < next_read_ms_.load(std::memory_order_relaxed)) {
    return;
  }
  Refresh(now);
  read_once_.store(true, std::memory_order_release);
}

void ViewCache::Refresh(int64_t now) {
  // Set first, so that a failed read is retried at the same rate as a successful one.
  next_read_ms_.store(now + max_age_ms_, std::memory_order_relaxed);
  file_reads_.fetch_add(1, std::memory_order_relaxed);
  std::shared_ptr<const ViewTable> current;
  std::string current_error;
  {
    std::lock_guard<std::mutex> lock(table_mutex_);
    current = table_;
    current_error = last_error_;
  }
  // The empty table, unless that is what we have already with the same error.
  const auto publish_empty = [&](std::string error) {
    if (current->has_header() || error != current_error) {
      Publish(std::make_shared<const ViewTable>(), std::move(error));
    }
  };

  const int fd = RawOpen(path_.c_str(), O_RDONLY);
  if (fd < 0) {
    // No file: the module is not loaded, which is no error; the empty table is right.
    publish_empty(errno == ENOENT ? std::string() : ErrnoText("cannot open", path_, errno));
    return;
  }

  // The first line into a buffer on the stack: when it is unchanged, which is almost always,
  // this is all we read, and nothing is allocated.
  char head[ViewTable::kMaxLineBytes + 1];
  size_t have = 0;
  bool end_of_file = false;
  const char* newline = nullptr;
  while (newline == nullptr && have < sizeof(head)) {
    const ssize_t count = RawRead(fd, head + have, sizeof(head) - have);
    if (count < 0) {
      const int error_number = errno;
      RawClose(fd);
      publish_empty(ErrnoText("cannot read", path_, error_number));
      return;
    }
    if (count == 0) {
      end_of_file = true;
      break;
    }
    newline = static_cast<const char*>(std::memchr(head + have, '\n', count));
    have += static_cast<size_t>(count);
  }
  if (newline != nullptr && current->has_header() &&
      std::string_view(head, static_cast<size_t>(newline - head)) == current->header()) {
    RawClose(fd);  // unchanged: keep the table, same object
    return;
  }

  // Changed: read the rest, up to one byte more than the parser takes, so that it can tell a
  // text that is too long.
  std::string text(head, have);
  while (!end_of_file && text.size() <= ViewTable::kMaxTextBytes) {
    const size_t old_size = text.size();
    const size_t want = std::min<size_t>(16384, ViewTable::kMaxTextBytes + 1 - old_size);
    text.resize(old_size + want);
    const ssize_t count = RawRead(fd, &text[old_size], want);
    if (count < 0) {
      const int error_number = errno;
      RawClose(fd);
      publish_empty(ErrnoText("cannot read", path_, error_number));
      return;
    }
    text.resize(old_size + static_cast<size_t>(count));
    end_of_file = count == 0;
  }
  RawClose(fd);

  parses_.fetch_add(1, std::memory_order_relaxed);
  auto table = std::make_shared<ViewTable>();
  std::string error;
  if (!ViewTable::Parse(text, table.get(), &error)) {
    publish_empty(path_ + ": " + error);
    return;
  }
  Publish(std::move(table), std::string());
}

void ViewCache::Publish(std::shared_ptr<const ViewTable> table, std::string error) {
  std::shared_ptr<const ViewTable> previous;
  std::lock_guard<std::mutex> lock(table_mutex_);
  previous = std::move(table_);
  table_ = std::move(table);
  last_error_ = std::move(error);
  version_.fetch_add(1, std::memory_order_release);
  // previous, declared before the lock, is destroyed after it is released.
}

}  // namespace preload
}  // namespace yasmin
