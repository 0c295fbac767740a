// IP addresses as text: what XenStore holds (vif `ip=` settings, guests' attr/vif nodes) and
// what the views publish.  Both sides of yasmind need the same parsing, so that an address
// dom0 configured and the same address a guest announces compare equal.

#ifndef YASMIN_DOM0_BACKEND_IP_ADDRESS_H_
#define YASMIN_DOM0_BACKEND_IP_ADDRESS_H_

#include <array>
#include <cstdint>
#include <string>

namespace yasmin {

enum class IpFamily { kIpv4, kIpv6 };

struct IpAddress {
  IpFamily family = IpFamily::kIpv4;
  std::array<uint8_t, 16> bytes{};  // network order; only the first 4 for kIpv4
};

// Parses an IPv4 (dotted quad) or IPv6 address as inet_pton(3) does, without surrounding
// spaces, prefix lengths or zones.  False for anything else, including text with a NUL in it:
// inet_pton would stop there and take "10.0.0.1\0junk" for 10.0.0.1.
bool ParseIpAddress(const std::string& text, IpAddress* address);

// The canonical text, as inet_ntop(3) writes it ("fe80::1", never "fe80::0:1").
std::string ToString(const IpAddress& address);

// The canonical text of text, or an empty string when it is not an address.
std::string CanonicalAddress(const std::string& text);

}  // namespace yasmin

#endif  // YASMIN_DOM0_BACKEND_IP_ADDRESS_H_
