// An IPv4 or IPv6 address as one 16-byte value, the key of the preload's view table.
//
// IPv4 addresses are held as IPv4-mapped IPv6 addresses (::ffff:a.b.c.d), which is also what
// an AF_INET6 socket passes to connect() to reach an IPv4 peer: one key type serves both
// families, and ::ffff:10.0.0.12 finds the entry of 10.0.0.12 without a second lookup.

#ifndef YASMIN_PRELOAD_IP_ADDRESS_H_
#define YASMIN_PRELOAD_IP_ADDRESS_H_

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace yasmin {
namespace preload {

class IpAddress {
 public:
  // The unspecified address "::".
  IpAddress() = default;

  static IpAddress FromV4(const in_addr& address);
  static IpAddress FromV6(const in6_addr& address);

  // Parses the inet_ntop form: dotted quad for IPv4 (exactly four decimal parts), or any
  // form inet_pton(AF_INET6) accepts.  No scope ("%eth0"), no brackets, no surrounding space.
  static bool Parse(std::string_view text, IpAddress* address);

  // The address and port of a sockaddr_in or sockaddr_in6 (port in host byte order).  False
  // for any other family or a length too short for the family (the kernel's minimum: a
  // sockaddr_in6 may stop before sin6_scope_id).  A sockaddr_in6's scope id and
  // flow label are ignored: the view names peers by address only.
  static bool FromSockaddr(const sockaddr* address, socklen_t length, IpAddress* ip,
                           uint16_t* port);

  // Whether this is an IPv4 address (held IPv4-mapped), and that address.
  bool is_v4() const;
  in_addr v4() const;  // only if is_v4()
  in6_addr v6() const;  // every address; IPv4 ones IPv4-mapped

  // Addresses that name no single remote host: unspecified (0.0.0.0/8, ::), loopback
  // (127.0.0.0/8, ::1), multicast (224.0.0.0/4, ff00::/8) and the IPv4 limited broadcast.
  // connect() to one of them never goes to a co-located peer.
  bool IsSpecial() const;

  // 127.0.0.0/8 and ::1 (a listener bound there is not reachable from other machines).
  bool IsLoopback() const;

  // The inet_ntop form ("10.0.0.12", "fd00::12"); IPv4 addresses in IPv4 form.
  std::string ToString() const;
  // With a port, for logs: "10.0.0.12 port 80", "[fd00::12] port 80".
  std::string ToStringWithPort(uint16_t port) const;

  // A well-mixed 64-bit hash of the address, for the view's fast-reject filter.
  uint64_t Hash() const {
    const uint64_t mixed = (high_ * 0x9e3779b97f4a7c15ull) ^ low_;
    return (mixed ^ (mixed >> 29)) * 0xbf58476d1ce4e5b9ull;
  }

  bool operator==(const IpAddress& other) const {
    return high_ == other.high_ && low_ == other.low_;
  }
  bool operator!=(const IpAddress& other) const { return !(*this == other); }
  // Some total order, for sorting and binary search; not the numeric order of addresses.
  bool operator<(const IpAddress& other) const {
    return high_ != other.high_ ? high_ < other.high_ : low_ < other.low_;
  }

 private:
  // The 16 bytes in network order, copied into two words as they lie in memory: comparing two
  // words is what makes a lookup cheap.
  uint64_t high_ = 0;
  uint64_t low_ = 0;
};

}  // namespace preload
}  // namespace yasmin

#endif  // YASMIN_PRELOAD_IP_ADDRESS_H_
