// The local address the kernel would choose to reach a destination, for getsockname() of a
// yasmin descriptor: a route lookup (connect() of a UDP socket sends nothing), kept a few
// seconds per destination.

#ifndef YASMIN_PRELOAD_LOCAL_ADDRESS_CACHE_H_
#define YASMIN_PRELOAD_LOCAL_ADDRESS_CACHE_H_

#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#include <mutex>

#include "decision.h"
#include "ip_address.h"
#include "libc_symbols.h"

namespace yasmin {
namespace preload {

class LocalAddressCache {
 public:
  static constexpr int kTtlMs = 5000;

  // The address (port 0) of `family` for the destination, or the unspecified one if there
  // is no route.
  socklen_t Lookup(int family, const IpAddress& destination, int64_t now,
                   sockaddr_storage* out) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (const Entry& entry : entries_) {
        if (entry.length != 0 && entry.family == family && entry.destination == destination &&
            entry.until_ms > now) {
          *out = entry.local;
          return entry.length;
        }
      }
    }
    socklen_t length = RouteLookup(family, destination, out);
    std::lock_guard<std::mutex> lock(mutex_);
    Entry& entry = entries_[next_++ % kEntries];
    entry = Entry{family, destination, *out, length, now + kTtlMs};
    return length;
  }

 private:
  static socklen_t RouteLookup(int family, const IpAddress& destination,
                               sockaddr_storage* out) {
    const socklen_t unspecified = MakeSockaddr(family, IpAddress(), 0, out);
    sockaddr_storage to;
    const socklen_t to_length = MakeSockaddr(family, destination, 9, &to);
    if (to_length == 0) return unspecified;
    const int udp = static_cast<int>(syscall(SYS_socket, family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (udp < 0) return unspecified;
    sockaddr_storage local;
    socklen_t local_length = sizeof(local);
    socklen_t result = unspecified;
    if (real::connect(udp, reinterpret_cast<sockaddr*>(&to), to_length) == 0 &&
        real::getsockname(udp, reinterpret_cast<sockaddr*>(&local), &local_length) == 0 &&
        local_length <= sizeof(local)) {
      IpAddress address;
      uint16_t port;
      if (IpAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&local), local_length, &address,
                                  &port)) {
        result = MakeSockaddr(family, address, 0, out);
      }
    }
    syscall(SYS_close, udp);
    return result;
  }

  static constexpr unsigned kEntries = 16;
  struct Entry {
    int family = 0;
    IpAddress destination;
    sockaddr_storage local{};
    socklen_t length = 0;
    int64_t until_ms = 0;
  };
  std::mutex mutex_;
  Entry entries_[kEntries];
  unsigned next_ = 0;
};

}  // namespace preload
}  // namespace yasmin

#endif  // YASMIN_PRELOAD_LOCAL_ADDRESS_CACHE_H_
