#include "decision.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>

namespace yasmin {
namespace preload {

const char* ConnectReasonName(ConnectReason reason) {
  switch (reason) {
    case ConnectReason::kVsock:
      return "vsock";
    case ConnectReason::kDisabled:
      return "disabled";
    case ConnectReason::kNotTcpSocket:
      return "not-tcp";
    case ConnectReason::kBadAddress:
      return "bad-address";
    case ConnectReason::kSpecialAddress:
      return "special-address";
    case ConnectReason::kPortZero:
      return "port-zero";
    case ConnectReason::kNotInView:
      return "not-in-view";
    case ConnectReason::kOwnCid:
      return "own-cid";
  }
  return "unknown";  // unreachable: every reason is handled above
}

bool IsTcpSocket(int family, int type, int protocol) {
  return (family == AF_INET || family == AF_INET6) &&
         (type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) == SOCK_STREAM &&
         (protocol == 0 || protocol == IPPROTO_TCP);
}

ConnectDecision DecideConnect(int family, int type, int protocol, const sockaddr* destination,
                              socklen_t length, bool disabled, const ViewTable& table) {
  ConnectDecision decision;
  const auto tcp = [&decision](ConnectReason reason) {
    decision.reason = reason;
    return decision;
  };
  if (disabled) return tcp(ConnectReason::kDisabled);
  if (!IsTcpSocket(family, type, protocol)) return tcp(ConnectReason::kNotTcpSocket);
  IpAddress address;
  uint16_t port;
  if (destination == nullptr || length < static_cast<socklen_t>(sizeof(sa_family_t))) {
    return tcp(ConnectReason::kBadAddress);
  }
  sa_family_t destination_family;
  std::memcpy(&destination_family, &destination->sa_family, sizeof(destination_family));
  if (destination_family != family ||
      !IpAddress::FromSockaddr(destination, length, &address, &port)) {
    return tcp(ConnectReason::kBadAddress);
  }
  // Without a view (no module, or no peers), nothing else needs looking at.
  if (table.empty()) return tcp(ConnectReason::kNotInView);
  if (address.IsSpecial()) return tcp(ConnectReason::kSpecialAddress);
  if (port == 0) return tcp(ConnectReason::kPortZero);
  const uint32_t cid = table.Lookup(address);
  if (cid == 0) return tcp(ConnectReason::kNotInView);
  // The parser never keeps our own CID; checked again because sending ourselves to vsock
  // would be wrong, not merely slow.
  if (table.has_header() && cid == table.own_cid()) return tcp(ConnectReason::kOwnCid);
  decision.reason = ConnectReason::kVsock;
  decision.cid = cid;
  decision.port = port;
  return decision;
}

uint16_t TcpPortFromVsockPort(uint32_t port) {
  if (port <= 0xffffu) return static_cast<uint16_t>(port);
  return static_cast<uint16_t>(49152u + port % 16384u);
}

socklen_t MakeSockaddr(int family, const IpAddress& address, uint16_t port,
                       sockaddr_storage* out) {
  std::memset(out, 0, sizeof(*out));
  if (family == AF_INET) {
    if (!address.is_v4()) return 0;
    sockaddr_in in{};
    in.sin_family = AF_INET;
    in.sin_port = htons(port);
    in.sin_addr = address.v4();
    std::memcpy(out, &in, sizeof(in));
    return sizeof(in);
  }
  if (family == AF_INET6) {
    sockaddr_in6 in6{};
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(port);
    in6.sin6_addr = address.v6();
    std::memcpy(out, &in6, sizeof(in6));
    return sizeof(in6);
  }
  return 0;
}

socklen_t PeerSockaddr(const ViewTable& table, int family, uint32_t cid, uint32_t port,
                       sockaddr_storage* out) {
  const uint16_t tcp_port = TcpPortFromVsockPort(port);
  IpAddress address;
  if (table.AddressOfCid(cid, &address)) {
    const socklen_t length = MakeSockaddr(family, address, tcp_port, out);
    if (length != 0) return length;
  }
  // The fallback: 0.0.0.0 for AF_INET; "::" (IpAddress()) for AF_INET6.
  in_addr any{};
  any.s_addr = htonl(INADDR_ANY);
  return MakeSockaddr(family, family == AF_INET ? IpAddress::FromV4(any) : IpAddress(),
                      tcp_port, out);
}

void CopySockaddrOut(const sockaddr_storage& address, socklen_t length, sockaddr* out,
                     socklen_t* out_length) {
  if (out_length == nullptr) return;
  const socklen_t copied = std::min(*out_length, length);
  if (copied > 0 && out != nullptr) std::memcpy(out, &address, copied);
  *out_length = length;
}

}  // namespace preload
}  // namespace yasmin
