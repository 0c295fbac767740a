// Socket options of a TCP socket that libyasmin.so put on AF_VSOCK: what setsockopt() and
// getsockopt() answer for options vsock does not have.  Pure functions and a plain value,
// stored per descriptor in the FdRegistry.
//
// vsock's own setsockopt() refuses every level but AF_VSOCK (ENOPROTOOPT), and SOL_SOCKET
// options are handled by the socket core for every family.  So on a yasmin descriptor:
//   - IPPROTO_TCP, IPPROTO_IP, IPPROTO_IPV6: the int-valued options listed in
//     kEmulatedOptions are remembered per descriptor (their values taken from the TCP socket
//     when connect() put vsock in its place, so options set before connect() and the
//     kernel's defaults both read back as TCP would give them); setsockopt() stores, getsockopt()
//     returns what was stored.  Boolean ones read back as 0 or 1, as Linux does.  Any other
//     option at these levels is accepted by setsockopt() and ignored, and getsockopt() says
//     ENOPROTOOPT; TCP_INFO reads as zeros with tcpi_state TCP_ESTABLISHED: there are no TCP
//     counters to give.
//   - SOL_SOCKET: the kernel's, except SO_DOMAIN (the original family), SO_PROTOCOL
//     (IPPROTO_TCP), and SO_RCVBUF/SO_SNDBUF(+FORCE) (the vsock buffer size; see
//     VsockBufferSize).

#ifndef YASMIN_PRELOAD_SOCKET_OPTIONS_H_
#define YASMIN_PRELOAD_SOCKET_OPTIONS_H_

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>

namespace yasmin {
namespace preload {

struct EmulatedOption {
  int level;
  int name;
  bool boolean;  // reads back as 0 or 1
};

// IPPROTO_TCP: TCP_NODELAY, TCP_MAXSEG, TCP_CORK, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT,
// TCP_SYNCNT, TCP_LINGER2, TCP_DEFER_ACCEPT, TCP_WINDOW_CLAMP, TCP_QUICKACK,
// TCP_USER_TIMEOUT, TCP_NOTSENT_LOWAT, TCP_THIN_LINEAR_TIMEOUTS, TCP_FASTOPEN_CONNECT;
// IPPROTO_IP: IP_TOS, IP_TTL; IPPROTO_IPV6: IPV6_TCLASS, IPV6_UNICAST_HOPS, IPV6_V6ONLY.
constexpr size_t kEmulatedOptionCount = 20;
extern const EmulatedOption kEmulatedOptions[kEmulatedOptionCount];

// Index into kEmulatedOptions, or -1.
int EmulatedOptionIndex(int level, int name);

// Whether setsockopt()/getsockopt() at this level on a yasmin descriptor are answered here
// (IPPROTO_TCP, IPPROTO_IP, IPPROTO_IPV6) rather than by the kernel.
bool IsEmulatedLevel(int level);

struct EmulatedOptions {
  int32_t values[kEmulatedOptionCount] = {};
};

// setsockopt() at an emulated level.  Returns 0, or an errno value: EINVAL for a listed
// option whose value is shorter than an int (as Linux), EFAULT for a null value.  Unlisted
// options are accepted and not stored (*stored false).
int SetEmulatedOption(EmulatedOptions* options, int level, int name, const void* value,
                      socklen_t length, bool* stored);

// getsockopt() at an emulated level.  Returns 0 or an errno value (ENOPROTOOPT for an
// unlisted option, EINVAL for a negative length, EFAULT for null pointers).  Copies as Linux
// does: min(*length, sizeof(int)) bytes and *length set to that.
int GetEmulatedOption(const EmulatedOptions& options, int level, int name, void* value,
                      socklen_t* length);

// The smallest and largest ring a yasmin socket may have (docs/contract.md): 4 KiB, 2 MiB.
constexpr uint64_t kMinVsockBufferSize = 4096;
constexpr uint64_t kMaxVsockBufferSize = 2u << 20;

// The SO_VM_SOCKETS_BUFFER_SIZE for a socket whose program asked for SO_RCVBUF rcvbuf and
// SO_SNDBUF sndbuf (-1: not asked): twice the larger one (Linux doubles both to account for
// its bookkeeping: that is what a TCP socket would really get), clamped to
// kMinVsockBufferSize..kMaxVsockBufferSize.  0 if neither was asked: the module's default
// applies.
uint64_t VsockBufferSize(int32_t rcvbuf, int32_t sndbuf);

// If (level, name) is SO_RCVBUF/SO_SNDBUF (or a FORCE variant) with an int value, stores the
// value (negative ones as 0, as Linux reads them) in *rcvbuf or *sndbuf and returns true.
bool RecordBufferSizeOption(int level, int name, const void* value, socklen_t length,
                            int32_t* rcvbuf, int32_t* sndbuf);

// What getsockopt(SO_RCVBUF/SO_SNDBUF) shows for a vsock buffer size: that size, at most
// INT_MAX.
int SockBufFromVsockBufferSize(uint64_t size);

}  // namespace preload
}  // namespace yasmin

#endif  // YASMIN_PRELOAD_SOCKET_OPTIONS_H_
