#include "ip_address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstddef>
#include <cstring>

namespace yasmin {
namespace preload {
namespace {

// high_ and low_ hold the address's bytes as they lie in memory, so where a byte lands in the
// word depends on the byte order.  Working on the words directly, rather than copying bytes in
// and out, keeps the decision on connect() free of partial stores and reloads.
constexpr bool kLittleEndian = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;

// Bytes 8..11 of an IPv4-mapped address, 00 00 ff ff, as the low word's first four bytes.
constexpr uint64_t kV4MappedMask = kLittleEndian ? 0x00000000ffffffffull : 0xffffffff00000000ull;
constexpr uint64_t kV4MappedBits = kLittleEndian ? 0x00000000ffff0000ull : 0x0000ffff00000000ull;
// Byte 15 = 1: the low word of ::1.
constexpr uint64_t kLoopbackLow = kLittleEndian ? 0x0100000000000000ull : 0x1ull;
// Byte 0: the high word's first byte.
constexpr unsigned kFirstByteShift = kLittleEndian ? 0 : 56;

}  // namespace

IpAddress IpAddress::FromV6(const in6_addr& address) {
  IpAddress ip;
  static_assert(sizeof(address.s6_addr) == sizeof(ip.high_) + sizeof(ip.low_), "16 bytes");
  std::memcpy(&ip.high_, address.s6_addr, sizeof(ip.high_));
  std::memcpy(&ip.low_, address.s6_addr + sizeof(ip.high_), sizeof(ip.low_));
  return ip;
}

IpAddress IpAddress::FromV4(const in_addr& address) {
  // s_addr is in network order, i.e. its bytes are bytes 12..15 of the mapped address.
  const uint64_t v4 = address.s_addr;
  IpAddress ip;
  ip.low_ = kV4MappedBits | (kLittleEndian ? v4 << 32 : v4);
  return ip;
}

bool IpAddress::Parse(std::string_view text, IpAddress* address) {
  // inet_pton needs a NUL-terminated string; the longest textual IPv6 address
  // (INET6_ADDRSTRLEN - 1 characters) fits.
  char buffer[INET6_ADDRSTRLEN];
  if (text.empty() || text.size() >= sizeof(buffer)) return false;
  std::memcpy(buffer, text.data(), text.size());
  buffer[text.size()] = '\0';
  if (text.find(':') == std::string_view::npos) {
    in_addr v4;
    // glibc's inet_pton(AF_INET) takes exactly four decimal parts: no "10.1", no octal.
    if (inet_pton(AF_INET, buffer, &v4) != 1) return false;
    *address = FromV4(v4);
    return true;
  }
  in6_addr v6;
  if (inet_pton(AF_INET6, buffer, &v6) != 1) return false;
  *address = FromV6(v6);
  return true;
}

bool IpAddress::FromSockaddr(const sockaddr* address, socklen_t length, IpAddress* ip,
                             uint16_t* port) {
  if (address == nullptr || length < static_cast<socklen_t>(sizeof(sa_family_t))) return false;
  // The caller's buffer may be unaligned or shorter than sockaddr_storage: copy, never cast.
  sa_family_t family;
  std::memcpy(&family, &address->sa_family, sizeof(family));
  if (family == AF_INET) {
    sockaddr_in in;
    if (length < static_cast<socklen_t>(sizeof(in))) return false;
    std::memcpy(&in, address, sizeof(in));
    *ip = FromV4(in.sin_addr);
    *port = ntohs(in.sin_port);
    return true;
  }
  if (family == AF_INET6) {
    // The kernel takes the RFC 2133 sockaddr_in6 too, without sin6_scope_id (24 bytes).
    constexpr socklen_t kRfc2133Length = offsetof(sockaddr_in6, sin6_scope_id);
    sockaddr_in6 in6{};
    if (length < kRfc2133Length) return false;
    std::memcpy(&in6, address, std::min<size_t>(length, sizeof(in6)));
    *ip = FromV6(in6.sin6_addr);
    *port = ntohs(in6.sin6_port);
    return true;
  }
  return false;
}

in6_addr IpAddress::v6() const {
  in6_addr address;
  std::memcpy(address.s6_addr, &high_, sizeof(high_));
  std::memcpy(address.s6_addr + sizeof(high_), &low_, sizeof(low_));
  return address;
}

bool IpAddress::is_v4() const { return high_ == 0 && (low_ & kV4MappedMask) == kV4MappedBits; }

in_addr IpAddress::v4() const {
  in_addr v4;
  v4.s_addr = static_cast<uint32_t>(kLittleEndian ? low_ >> 32 : low_);
  return v4;
}

bool IpAddress::IsSpecial() const {
  if (is_v4()) {
    const uint32_t host = ntohl(v4().s_addr);
    return (host >> 24) == 0           // 0.0.0.0/8: "this network", the unspecified address
           || (host >> 24) == 127      // loopback
           || (host >> 28) == 0xe      // 224.0.0.0/4: multicast
           || host == 0xffffffffu;     // limited broadcast
  }
  return (high_ == 0 && (low_ == 0 || low_ == kLoopbackLow))  // :: and ::1
         || ((high_ >> kFirstByteShift) & 0xff) == 0xff;       // ff00::/8: multicast
}

std::string IpAddress::ToStringWithPort(uint16_t port) const {
  const std::string address = ToString();
  return (is_v4() ? address : "[" + address + "]") + " port " + std::to_string(port);
}

bool IpAddress::IsLoopback() const {
  if (is_v4()) return (ntohl(v4().s_addr) >> 24) == 127;
  return high_ == 0 && low_ == kLoopbackLow;
}

std::string IpAddress::ToString() const {
  char buffer[INET6_ADDRSTRLEN];
  if (is_v4()) {
    const in_addr address = v4();
    inet_ntop(AF_INET, &address, buffer, sizeof(buffer));
  } else {
    const in6_addr address = v6();
    inet_ntop(AF_INET6, &address, buffer, sizeof(buffer));
  }
  return buffer;
}

}  // namespace preload
}  // namespace yasmin
