// The client side of libyasmin.so: what the interposed functions do with an AF_INET/AF_INET6
// TCP socket, and with the descriptors connect() put an AF_VSOCK socket behind.  The exported
// wrappers (interpose.cc) only route calls here; everything below calls the C library's own
// functions (libc_symbols.h), never the wrappers.
//
// connect(fd, destination), in order (docs/preload.md):
//   1. the destination is an IP sockaddr found in the view (no system call, ~20 ns: most
//      connect()s stop here and go to the C library untouched);
//   2. decision.h's rules on the socket's family, type and protocol (SO_DOMAIN, SO_TYPE,
//      SO_PROTOCOL) and the view;
//   3. the socket is fresh: not bound to a local address or port (bind()), not bound to a
//      device (SO_BINDTODEVICE), not connecting or connected already (TCP_INFO state CLOSE),
//      its number below FdRegistry::kMaxFds: a program that chose its local end, or calls
//      connect() again to learn how a non-blocking one went, keeps TCP;
//   4. no vsock attempt to the same CID and port failed lately (a short negative cache:
//      refused 1 s, anything else 10 s), so that a peer without a vsock listener does not
//      cost an attempt per connection;
//   5. an AF_VSOCK SOCK_STREAM socket, with the program's SO_RCVBUF/SO_SNDBUF mapped to its
//      buffer size and its SOL_SOCKET options copied, connects to (CID, port) blocking, for
//      at most kVsockConnectTimeoutMs.  Then it takes the program's descriptor number (dup3)
//      with the original O_NONBLOCK and FD_CLOEXEC, the registry records it, and connect()
//      returns 0, even on a non-blocking socket (allowed: a non-blocking TCP connect() to a
//      local peer may complete at once, and programs handle it; SO_ERROR then reads 0).
//   Any failure on the way leaves the program's socket as it was and calls the C library's
//   connect() on it: plain TCP, as without the library.

#ifndef YASMIN_PRELOAD_CONNECT_REDIRECT_H_
#define YASMIN_PRELOAD_CONNECT_REDIRECT_H_

#include <sys/socket.h>
#include <sys/types.h>

#include <cstddef>

#include "socket_options.h"

namespace yasmin {
namespace preload {

// How long connect() waits for a co-located peer's vsock answer.  A peer's module answers a
// request in microseconds, accepting or refusing; a longer wait means it is gone.
constexpr int kVsockConnectTimeoutMs = 1000;

int InterposedConnect(int fd, const sockaddr* destination, socklen_t length);

// For a descriptor with a yasmin record, these answer as TCP would and return true, with the
// result in *result (errno set on -1); false: not a yasmin descriptor, call the C library.
bool YasminGetSockOpt(int fd, int level, int name, void* value, socklen_t* length,
                      int* result);
bool YasminSetSockOpt(int fd, int level, int name, const void* value, socklen_t length,
                      int* result);
bool YasminGetPeerName(int fd, sockaddr* address, socklen_t* length, int* result);
bool YasminGetSockName(int fd, sockaddr* address, socklen_t* length, int* result);
bool YasminIoctl(int fd, unsigned long request, void* argument, int* result);

// After the C library's setsockopt() succeeded on a descriptor that is not a yasmin one:
// remembers SO_RCVBUF/SO_SNDBUF for a later redirect.
void AfterSetSockOpt(int fd, int level, int name, const void* value, socklen_t length);

// After a write-like call failed with EPIPE, without MSG_NOSIGNAL: on a yasmin descriptor,
// raises the SIGPIPE that TCP would have raised and vsock does not.  errno is kept.
void AfterEpipe(int fd);

// sendto()/sendmsg()/sendmmsg() with a destination: a connected TCP socket ignores it (Linux
// reads it only for MSG_FASTOPEN), vsock refuses it with EISCONN.  True if fd is a yasmin
// descriptor, for which the wrappers drop the destination (sockperf gives one on every send).
bool DropsDestination(int fd);

// The number of yasmin descriptors (tests, debug log).
size_t YasminDescriptorCount();

// The emulated options' values as a TCP socket holds them (the program's settings and the
// kernel's defaults): what a yasmin descriptor starts with.
void SnapshotOptions(int tcp_fd, EmulatedOptions* options);

// Resolves the C library's functions and reads the environment (the library constructor).
void InitializePreload();

}  // namespace preload
}  // namespace yasmin

#endif  // YASMIN_PRELOAD_CONNECT_REDIRECT_H_
