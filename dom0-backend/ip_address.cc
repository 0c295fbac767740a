#include "ip_address.h"

#include <arpa/inet.h>

namespace yasmin {

bool ParseIpAddress(const std::string& text, IpAddress* address) {
  if (text.find('\0') != std::string::npos) return false;
  IpAddress parsed;
  if (inet_pton(AF_INET, text.c_str(), parsed.bytes.data()) == 1) {
    parsed.family = IpFamily::kIpv4;
  } else if (inet_pton(AF_INET6, text.c_str(), parsed.bytes.data()) == 1) {
    parsed.family = IpFamily::kIpv6;
  } else {
    return false;
  }
  *address = parsed;
  return true;
}

std::string ToString(const IpAddress& address) {
  char buffer[INET6_ADDRSTRLEN];
  const int family = address.family == IpFamily::kIpv4 ? AF_INET : AF_INET6;
  if (inet_ntop(family, address.bytes.data(), buffer, sizeof(buffer)) == nullptr) return "";
  return buffer;
}

std::string CanonicalAddress(const std::string& text) {
  IpAddress address;
  return ParseIpAddress(text, &address) ? ToString(address) : "";
}

}  // namespace yasmin
