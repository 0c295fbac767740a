#include "listen_redirect.h"

#include <fcntl.h>
#include <linux/vm_sockets.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "connect_redirect.h"
#include "decision.h"
#include "ip_address.h"
#include "libc_symbols.h"
#include "listener_group.h"
#include "preload_state.h"
#include "raw_io.h"
#include "socket_options.h"
#include "view_cache.h"

namespace yasmin {
namespace preload {
namespace {

// The socket listen() may convert: AF_INET/AF_INET6, SOCK_STREAM, TCP.
bool IsTcpSocket(int fd, int* family) {
  int type = 0, protocol = 0;
  return GetIntOption(fd, SOL_SOCKET, SO_DOMAIN, family) == 0 &&
         (*family == AF_INET || *family == AF_INET6) &&
         GetIntOption(fd, SOL_SOCKET, SO_TYPE, &type) == 0 && type == SOCK_STREAM &&
         GetIntOption(fd, SOL_SOCKET, SO_PROTOCOL, &protocol) == 0 && protocol == IPPROTO_TCP;
}

// Moves fd to a private number (close-on-exec); the new number, or -1 (fd left alone).
int MoveToPrivateNumber(int fd) {
  const int moved = real::fcntl_int(fd, F_DUPFD_CLOEXEC, PrivateDescriptorFloor());
  if (moved >= 0) RawClose(fd);
  return moved;
}

bool SetNonBlocking(int fd) {
  const int status = real::fcntl_int(fd, F_GETFL, 0);
  return status >= 0 && real::fcntl_int(fd, F_SETFL, status | O_NONBLOCK) == 0;
}

// The vsock half of a listener on `port`, non-blocking and close-on-exec, or -1 with errno.
int OpenVsockListener(PreloadState& state, ListenerGroup* group, uint16_t port, int backlog,
                      uint64_t buffer_size) {
#ifdef YASMIN_PRELOAD_TESTING
  if (!state.test_unix_dir.empty()) {
    const int fd = static_cast<int>(
        syscall(SYS_socket, AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (fd < 0) return -1;
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof(address.sun_path), "%s/listen.%u",
                  state.test_unix_dir.c_str(), port);
    unlink(address.sun_path);
    if (syscall(SYS_bind, fd, &address, sizeof(address)) != 0 ||
        real::listen(fd, backlog) != 0) {
      return CloseAfterFailure(fd);
    }
    std::memcpy(group->test_unix_path, address.sun_path, sizeof(address.sun_path));
    return fd;
  }
#else
  (void)state;
  (void)group;
#endif
  const int fd = static_cast<int>(
      syscall(SYS_socket, AF_VSOCK, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (fd < 0) return -1;
  // Accepted connections inherit the listener's size.
  if (buffer_size != 0) SetVsockBufferSize(fd, buffer_size);
  sockaddr_vm address{};
  address.svm_family = AF_VSOCK;
  address.svm_cid = VMADDR_CID_ANY;
  address.svm_port = port;
  if (syscall(SYS_bind, fd, &address, sizeof(address)) != 0 || real::listen(fd, backlog) != 0) {
    return CloseAfterFailure(fd);
  }
  return fd;
}

// Puts an epoll instance watching group's two sockets in place of the program's descriptor
// fd (which holds the TCP listener): the TCP socket moves to a private number first.  The
// instance gets fd's O_NONBLOCK and FD_CLOEXEC.  False (fd untouched, group's TCP half not
// set) on failure.
bool PutEpollInPlace(int fd, ListenerGroup* group) {
  const int status = real::fcntl_int(fd, F_GETFL, 0);
  const int descriptor_flags = real::fcntl_int(fd, F_GETFD, 0);
  if (status < 0 || descriptor_flags < 0) return false;
  const int tcp = real::fcntl_int(fd, F_DUPFD_CLOEXEC, PrivateDescriptorFloor());
  if (tcp < 0) return false;
  const int epoll = static_cast<int>(syscall(SYS_epoll_create1, EPOLL_CLOEXEC));
  bool ok = epoll >= 0;
  for (int watched : {tcp, group->vsock_fd}) {
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = watched;
    ok = ok && real::epoll_ctl(epoll, EPOLL_CTL_ADD, watched, &event) == 0;
  }
  ok = ok && ((status & O_NONBLOCK) == 0 || SetNonBlocking(epoll));
  ok = ok && real::dup3(epoll, fd, (descriptor_flags & FD_CLOEXEC) ? O_CLOEXEC : 0) == fd;
  if (epoll >= 0) RawClose(epoll);
  if (!ok) {
    RawClose(tcp);
    return false;
  }
  // Only the private number refers to the TCP socket now: it may become non-blocking.
  SetNonBlocking(tcp);
  group->tcp_fd = tcp;
  group->tcp_ino = InodeOf(tcp);
  return true;
}

// Whether every signal handler the process has installed restarts interrupted calls: then
// the kernel would have restarted a blocking accept() that a signal interrupted, and the
// emulation must not return EINTR either.  Asked only after an interruption.
bool SignalsRestart() {
  for (int signal_number = 1; signal_number < SIGRTMAX; ++signal_number) {
    struct sigaction action;
    if (sigaction(signal_number, nullptr, &action) != 0) continue;
    const bool has_handler = (action.sa_flags & SA_SIGINFO)
                                 ? action.sa_sigaction != nullptr
                                 : action.sa_handler != SIG_DFL && action.sa_handler != SIG_IGN;
    if (has_handler && (action.sa_flags & SA_RESTART) == 0) return false;
  }
  return true;
}

// The listener's SO_RCVTIMEO in milliseconds (accept()'s timeout in Linux), -1 for none.
int AcceptTimeoutMs(int tcp_fd) {
  timeval timeout{};
  socklen_t length = sizeof(timeout);
  if (real::getsockopt(tcp_fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, &length) != 0 ||
      (timeout.tv_sec == 0 && timeout.tv_usec == 0)) {
    return -1;
  }
  const int64_t ms = static_cast<int64_t>(timeout.tv_sec) * 1000 + (timeout.tv_usec + 999) / 1000;
  return ms > 0x7fffffff ? 0x7fffffff : static_cast<int>(ms);
}

// accept4() on the vsock half: the connection gets a yasmin record and shows as the peer's IP
// address and a port of the listener's family.
int AcceptVsock(PreloadState& state, const FdRecord& listener, sockaddr* address,
                socklen_t* length, int flags) {
  const ListenerGroup* group = listener.listener;
  sockaddr_storage raw{};
  socklen_t raw_length = sizeof(raw);
  const int fd = real::accept4(group->vsock_fd, reinterpret_cast<sockaddr*>(&raw), &raw_length,
                               flags);
  if (fd < 0) return -1;
  uint32_t cid = 0, port = 0;
  if (raw.ss_family == AF_VSOCK) {
    cid = reinterpret_cast<const sockaddr_vm*>(&raw)->svm_cid;
    port = reinterpret_cast<const sockaddr_vm*>(&raw)->svm_port;
  }
#ifdef YASMIN_PRELOAD_TESTING
  if (raw.ss_family == AF_UNIX) cid = state.test_peer_cid;
#endif
  std::shared_ptr<const ViewTable> table = state.cache.Snapshot();
  sockaddr_storage peer;
  const socklen_t peer_length = PeerSockaddr(*table, listener.family, cid, port, &peer);
  IpAddress peer_address;
  uint16_t peer_port = 0;
  IpAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&peer), peer_length, &peer_address,
                          &peer_port);

  FdRecord record;
  record.kind = FdRecord::kYasmin;
  record.family = listener.family;
  record.peer_port = peer_port;
  record.local_port = listener.local_port;
  record.cid = cid;
  record.vsock_port = port;
  record.peer_address = peer_address.v6();
  SnapshotOptions(group->tcp_fd, &record.options);
  record.ino = InodeOf(fd);
  if (!state.registry.Set(fd, record)) {
    // Numbers this high are not recorded: the program sees the AF_VSOCK socket as it is.
    state.log.Printf("accept: fd %d not recorded (too high)", fd);
  }
  if (length != nullptr) CopySockaddrOut(peer, peer_length, address, length);
  state.log.Printf("accept on port %u: vsock cid %u port %u as %s, fd %d", listener.local_port,
                   cid, port, peer_address.ToStringWithPort(peer_port).c_str(), fd);
  return fd;
}

bool GetListener(PreloadState& state, int fd, FdRecord* record) {
  return state.registry.HasKind(fd, FdRecord::kListener) &&
         GetRecordOfKind(state, fd, FdRecord::kListener, record);
}

}  // namespace

int InterposedListen(int fd, int backlog) {
  PreloadState& state = State();
  FdRecord existing;
  if (GetListener(state, fd, &existing)) {
    // listen() again (a program changing its backlog): both halves.
    const int result = real::listen(existing.listener->tcp_fd, backlog);
    if (result == 0) real::listen(existing.listener->vsock_fd, backlog);
    return result;
  }
  const int result = real::listen(fd, backlog);
  if (result != 0 || state.config.disabled || fd >= FdRegistry::kMaxFds) return result;

  const int saved_errno = errno;
  int family = 0;
  sockaddr_storage local{};
  socklen_t local_length = sizeof(local);
  IpAddress local_address;
  uint16_t port = 0;
  if (!IsTcpSocket(fd, &family) ||
      real::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_length) != 0 ||
      !IpAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&local), local_length,
                               &local_address, &port)) {
    errno = saved_errno;
    return 0;
  }
  const std::string where = state.log.enabled() ? local_address.ToStringWithPort(port) : "";
  if (local_address.IsLoopback()) {
    state.log.Printf("listen fd %d on %s: tcp only (loopback)", fd, where.c_str());
    errno = saved_errno;
    return 0;
  }

  const uint64_t ino = InodeOf(fd);
  FdRecord options;
  uint64_t buffer_size = 0;
  if (state.registry.Get(fd, &options) && options.kind == FdRecord::kOptions &&
      options.ino == ino) {
    buffer_size = VsockBufferSize(options.rcvbuf, options.sndbuf);
  } else {
    options = FdRecord();
  }

  auto* group = new ListenerGroup();
  const int vsock = OpenVsockListener(state, group, port, backlog, buffer_size);
  if (vsock < 0) {
    state.log.Printf("listen fd %d on %s: tcp only (vsock: %s)", fd, where.c_str(),
                     std::strerror(errno));
    delete group;
    errno = saved_errno;
    return 0;
  }
  group->vsock_fd = MoveToPrivateNumber(vsock);
  if (group->vsock_fd < 0) group->vsock_fd = vsock;  // it works where it is, too
  group->vsock_ino = InodeOf(group->vsock_fd);
  if (!PutEpollInPlace(fd, group)) {
    state.log.Printf("listen fd %d on %s: tcp only (could not put epoll in place: %s)", fd,
                     where.c_str(), std::strerror(errno));
    ReleaseListenerGroup(group);  // closes the vsock half
    errno = saved_errno;
    return 0;
  }

  FdRecord record;
  record.kind = FdRecord::kListener;
  record.family = static_cast<uint8_t>(family);
  record.local_port = port;
  record.listener = group;
  record.rcvbuf = options.rcvbuf;
  record.sndbuf = options.sndbuf;
  record.ino = InodeOf(fd);
  state.registry.Set(fd, record);
  state.log.Printf("listen fd %d on %s: tcp and vsock port %u", fd, where.c_str(), port);
  errno = saved_errno;
  return 0;
}

namespace {

int AcceptEither(PreloadState& state, int fd, const FdRecord& listener, sockaddr* address,
                 socklen_t* length, int flags) {
  ListenerGroup* group = listener.listener;
  int64_t deadline = -1;
  for (;;) {
    const bool vsock_first = (group->turn.fetch_add(1, std::memory_order_relaxed) & 1) != 0;
    for (int attempt = 0; attempt < 2; ++attempt) {
      const bool vsock = (attempt == 0) == vsock_first;
      const int accepted = vsock ? AcceptVsock(state, listener, address, length, flags)
                                 : real::accept4(group->tcp_fd, address, length, flags);
      if (accepted >= 0) return accepted;
      // Anything but "nothing waiting" (EMFILE, ECONNABORTED, EINVAL after shutdown...) is
      // the program's to see, as it would from TCP's accept().
      if (errno != EAGAIN && errno != EWOULDBLOCK) return -1;
    }
    const int status = real::fcntl_int(fd, F_GETFL, 0);
    if (status < 0) return -1;
    if (status & O_NONBLOCK) {
      errno = EAGAIN;
      return -1;
    }
    // Blocking: wait for either, for at most the listener's SO_RCVTIMEO.
    int timeout = -1;
    const int rcvtimeo = AcceptTimeoutMs(group->tcp_fd);
    if (rcvtimeo >= 0) {
      const int64_t now = ViewCache::MonotonicCoarseMs();
      if (deadline < 0) deadline = now + rcvtimeo;
      if (now >= deadline) {
        errno = EAGAIN;
        return -1;
      }
      timeout = static_cast<int>(deadline - now);
    }
    pollfd waits[2] = {{group->tcp_fd, POLLIN, 0}, {group->vsock_fd, POLLIN, 0}};
    const int ready = poll(waits, 2, timeout);
    if (ready < 0 && errno == EINTR) {
      if (!SignalsRestart()) return -1;
      errno = 0;
    } else if (ready < 0) {
      return -1;
    }
  }
}

}  // namespace

int InterposedAccept(int fd, sockaddr* address, socklen_t* length, int flags) {
  PreloadState& state = State();
  FdRecord listener;
  if (!GetListener(state, fd, &listener)) return real::accept4(fd, address, length, flags);
  // Held while accepting, as the kernel holds a file accept() sleeps on: a close() of the
  // listener by another thread closes the sockets once this accept() returns.
  AcquireListenerGroup(listener.listener);
  const int result = AcceptEither(state, fd, listener, address, length, flags);
  ReleaseListenerGroup(listener.listener);
  return result;
}

int InterposedShutdown(int fd, int how) {
  PreloadState& state = State();
  FdRecord listener;
  if (!GetListener(state, fd, &listener)) return real::shutdown(fd, how);
  const int result = real::shutdown(listener.listener->tcp_fd, how);
  const int saved_errno = errno;
  real::shutdown(listener.listener->vsock_fd, how);
  errno = saved_errno;
  return result;
}

int InterposedEpollCtl(int epoll_fd, int operation, int fd, epoll_event* event) {
  PreloadState& state = State();
  FdRecord listener;
  if (event == nullptr || (event->events & EPOLLEXCLUSIVE) == 0 ||
      !GetListener(state, fd, &listener)) {
    return real::epoll_ctl(epoll_fd, operation, fd, event);
  }
  // Linux refuses EPOLLEXCLUSIVE for an epoll instance; without it every waiter wakes, and
  // those that find nothing get EAGAIN from their non-blocking accept(), which is what
  // programs sharing a listener expect anyway.
  epoll_event inclusive = *event;
  inclusive.events &= ~static_cast<uint32_t>(EPOLLEXCLUSIVE);
  state.log.Printf("epoll_ctl of listener fd %d: EPOLLEXCLUSIVE dropped", fd);
  return real::epoll_ctl(epoll_fd, operation, fd, &inclusive);
}

int ListenerTcpSocket(int fd) {
  PreloadState& state = State();
  FdRecord listener;
  if (!GetListener(state, fd, &listener)) return fd;
  return listener.listener->tcp_fd;
}

void AfterListenerSetSockOpt(int fd, int level, int name, const void* value,
                             socklen_t length) {
  PreloadState& state = State();
  FdRecord listener;
  if (!GetListener(state, fd, &listener) ||
      !RecordBufferSizeOption(level, name, value, length, &listener.rcvbuf, &listener.sndbuf)) {
    return;
  }
  state.registry.Set(fd, listener);
  const int saved_errno = errno;
  SetVsockBufferSize(listener.listener->vsock_fd,
                     VsockBufferSize(listener.rcvbuf, listener.sndbuf));
  errno = saved_errno;
}

size_t ListenerCount() { return State().registry.CountKind(FdRecord::kListener); }

}  // namespace preload
}  // namespace yasmin
