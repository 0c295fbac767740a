#include "ip_address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstddef>
#include <cstring>

namespace yasmin {
namespace preload {
namespace {

// The first 12 bytes of an IPv4-mapped address: ten zero bytes, then 0xff 0xff.
constexpr unsigned char kV4MappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

}  // namespace

IpAddress IpAddress::FromV6(const in6_addr& address) {
  IpAddress ip;
  static_assert(sizeof(address.s6_addr) == sizeof(ip.high_) + sizeof(ip.low_), "16 bytes");
  std::memcpy(&ip.high_, address.s6_addr, sizeof(ip.high_));
  std::memcpy(&ip.low_, address.s6_addr + sizeof(ip.high_), sizeof(ip.low_));
  return ip;
}

IpAddress IpAddress::FromV4(const in_addr& address) {
  in6_addr mapped;
  std::memcpy(mapped.s6_addr, kV4MappedPrefix, sizeof(kV4MappedPrefix));
  std::memcpy(mapped.s6_addr + sizeof(kV4MappedPrefix), &address.s_addr, 4);
  return FromV6(mapped);
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

bool IpAddress::is_v4() const {
  const in6_addr address = v6();
  return std::memcmp(address.s6_addr, kV4MappedPrefix, sizeof(kV4MappedPrefix)) == 0;
}

in_addr IpAddress::v4() const {
  const in6_addr address = v6();
  in_addr v4;
  std::memcpy(&v4.s_addr, address.s6_addr + sizeof(kV4MappedPrefix), 4);
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
  const in6_addr address = v6();
  return IN6_IS_ADDR_UNSPECIFIED(&address) || IN6_IS_ADDR_LOOPBACK(&address) ||
         IN6_IS_ADDR_MULTICAST(&address);
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
