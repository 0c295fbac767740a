// What connect() does with a socket, and how a vsock peer looks to the program.  Pure
// functions of their arguments: the interposition layer gathers the socket's family, type and
// protocol, the environment's switch and the cached view, and acts on the answer.
//
// A connection goes to yasmin only if all of these hold, checked in this order (the cheapest
// first, and the common "not co-located" answer as early as possible):
//   1. yasmin is not disabled (YASMIN_DISABLE);
//   2. the socket is AF_INET or AF_INET6, SOCK_STREAM (SOCK_NONBLOCK and SOCK_CLOEXEC
//      ignored), protocol 0 or IPPROTO_TCP: not UDP, not raw, not MPTCP, not SCTP;
//   3. the destination is a sockaddr of the socket's own family, long enough (the kernel
//      refuses anything else; letting it do so keeps its error);
//   4. the address names one remote host: not loopback, unspecified, multicast or broadcast;
//   5. the port is not 0;
//   6. the view maps the address to a CID (IPv4-mapped IPv6 destinations find IPv4 entries);
//   7. that CID is not our own.
// With an empty view (no module, or no peers) rules 4 to 7 are skipped: the answer is
// kNotInView.  When all hold, the vsock destination is the CID of rule 6 and the TCP port
// itself, in host byte order.

#ifndef YASMIN_PRELOAD_DECISION_H_
#define YASMIN_PRELOAD_DECISION_H_

#include <sys/socket.h>

#include <cstdint>

#include "ip_address.h"
#include "view_table.h"

namespace yasmin {
namespace preload {

// Why connect() goes where it goes: kVsock, or the first rule above that failed.
enum class ConnectReason {
  kVsock,
  kDisabled,
  kNotTcpSocket,
  kBadAddress,
  kSpecialAddress,
  kPortZero,
  kNotInView,
  kOwnCid,
};

// A word for the debug log: "vsock", "disabled", "not-tcp", ...
const char* ConnectReasonName(ConnectReason reason);

struct ConnectDecision {
  ConnectReason reason = ConnectReason::kNotInView;
  uint32_t cid = 0;   // kVsock only
  uint32_t port = 0;  // kVsock only; host byte order, equal to the TCP port

  bool use_vsock() const { return reason == ConnectReason::kVsock; }
};

// Rule 2: whether a socket of this family, type (flags allowed) and protocol is TCP.
bool IsTcpSocket(int family, int type, int protocol);

ConnectDecision DecideConnect(int family, int type, int protocol, const sockaddr* destination,
                              socklen_t length, bool disabled, const ViewTable& table);

// The TCP port the program sees for a vsock port.  vsock ports are 32 bits and the kernel
// picks a client's at random above 1023, so most do not fit in 16 bits: those are folded into
// the dynamic range 49152..65535 (49152 + port % 16384).  Two connections may then show the
// same port; only what the program prints or logs is affected.
uint16_t TcpPortFromVsockPort(uint32_t port);

// Builds the sockaddr of `family` (AF_INET or AF_INET6) for address and port: an IPv4 address
// IPv4-mapped in an AF_INET6 sockaddr.  Returns its length; 0 if family is neither, or if it is
// AF_INET and the address IPv6 (which AF_INET cannot show).
socklen_t MakeSockaddr(int family, const IpAddress& address, uint16_t port,
                       sockaddr_storage* out);

// The address the program sees for the vsock peer (cid, port) on a socket of `family`, as
// accept() and getpeername() must return it: the peer's address from the view
// (ViewTable::AddressOfCid) and TcpPortFromVsockPort(port).  Fallback when the view has no
// address the family can show (the CID left the view, or has only IPv6 addresses and the
// socket is AF_INET): the unspecified address, 0.0.0.0 or ::, with the same port.  Never a
// loopback address, which programs tend to trust, nor anybody else's.  Returns the length;
// 0 only if family is neither AF_INET nor AF_INET6.
socklen_t PeerSockaddr(const ViewTable& table, int family, uint32_t cid, uint32_t port,
                       sockaddr_storage* out);

// Copies a sockaddr out as the kernel does for accept(), getpeername() and getsockname():
// at most *out_length bytes (truncated silently), then *out_length = length, the full size.
// out may be null only if *out_length is 0; out_length may be null (accept() allows it), and
// then nothing is copied.
void CopySockaddrOut(const sockaddr_storage& address, socklen_t length, sockaddr* out,
                     socklen_t* out_length);

}  // namespace preload
}  // namespace yasmin

#endif  // YASMIN_PRELOAD_DECISION_H_
