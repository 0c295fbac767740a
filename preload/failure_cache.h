// Recent vsock connect failures by (CID, port): a short negative cache, so that a co-located
// peer without a vsock listener on a port costs one connect attempt per period, not one per
// connect() (docs/preload.md, step 4).

#ifndef YASMIN_PRELOAD_FAILURE_CACHE_H_
#define YASMIN_PRELOAD_FAILURE_CACHE_H_

#include <cerrno>
#include <cstdint>
#include <mutex>

namespace yasmin {
namespace preload {

class FailureCache {
 public:
  static constexpr int kRefusedMs = 1000;
  static constexpr int kOtherMs = 10000;

  bool Failing(uint32_t cid, uint32_t port, int64_t now) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const Entry& entry : entries_) {
      if (entry.cid == cid && entry.port == port && entry.until_ms > now) return true;
    }
    return false;
  }

  void Record(uint32_t cid, uint32_t port, int error, int64_t now) {
    const int64_t until = now + (error == ECONNREFUSED ? kRefusedMs : kOtherMs);
    std::lock_guard<std::mutex> lock(mutex_);
    Entry* oldest = &entries_[0];
    for (Entry& entry : entries_) {
      if (entry.cid == cid && entry.port == port) {
        oldest = &entry;
        break;
      }
      if (entry.until_ms < oldest->until_ms) oldest = &entry;
    }
    *oldest = Entry{cid, port, until};
  }

 private:
  struct Entry {
    uint32_t cid = 0;
    uint32_t port = 0;
    int64_t until_ms = 0;
  };
  std::mutex mutex_;
  Entry entries_[64];
};

}  // namespace preload
}  // namespace yasmin

#endif  // YASMIN_PRELOAD_FAILURE_CACHE_H_
