#include "connect_redirect.h"

#include <fcntl.h>
#include <linux/vm_sockets.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "debug_log.h"
#include "decision.h"
#include "env_config.h"
#include "fd_registry.h"
#include "ip_address.h"
#include "libc_symbols.h"
#include "socket_options.h"
#include "preload_state.h"
#include "raw_io.h"
#include "view_cache.h"

#ifndef SIOCOUTQ
#define SIOCOUTQ TIOCOUTQ
#endif

namespace yasmin {
namespace preload {
namespace {

// Rule 3 of connect_redirect.h: why this TCP socket must stay TCP, or null.
const char* WhyNotFresh(int fd) {
  if (fd >= FdRegistry::kMaxFds) return "fd-too-high";
  sockaddr_storage local;
  socklen_t local_length = sizeof(local);
  if (real::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_length) != 0) {
    return "getsockname-failed";
  }
  IpAddress local_address;
  uint16_t local_port = 0;
  if (IpAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&local), local_length, &local_address,
                              &local_port)) {
    // An AF_INET socket's unspecified address reads as ::ffff:0.0.0.0, not ::.
    const bool unspecified = local_address == IpAddress() ||
                             (local_address.is_v4() && local_address.v4().s_addr == 0);
    if (local_port != 0 || !unspecified) return "bound";
  }
  char device[IFNAMSIZ] = {};
  socklen_t device_length = sizeof(device);
  if (real::getsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, device, &device_length) == 0 &&
      device_length > 0 && device[0] != '\0') {
    return "bound-to-device";
  }
  tcp_info info;
  socklen_t info_length = sizeof(info);
  std::memset(&info, 0, sizeof(info));
  if (real::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &info_length) != 0) {
    return "tcp-info-failed";
  }
  if (info.tcpi_state != TCP_CLOSE) return "not-idle";
  return nullptr;
}

// SOL_SOCKET options a program may have set on its TCP socket before connect(), that the
// socket core honours for vsock too: copied to the vsock socket when they differ from a new
// socket's value.
struct CopiedOption {
  int name;
  int fresh_value;
};
constexpr CopiedOption kCopiedIntOptions[] = {
    {SO_KEEPALIVE, 0}, {SO_REUSEADDR, 0}, {SO_OOBINLINE, 0}, {SO_PRIORITY, 0},
    {SO_RCVLOWAT, 1},  {SO_MARK, 0},      {SO_DONTROUTE, 0},
};

void CopySocketOptions(PreloadState& state, int tcp_fd, int vsock_fd) {
  for (const CopiedOption& option : kCopiedIntOptions) {
    int value = 0;
    if (GetIntOption(tcp_fd, SOL_SOCKET, option.name, &value) != 0 ||
        value == option.fresh_value) {
      continue;
    }
    if (real::setsockopt(vsock_fd, SOL_SOCKET, option.name, &value, sizeof(value)) != 0) {
      state.log.Printf("fd %d: SOL_SOCKET option %d = %d not copied to vsock: %s", tcp_fd,
                       option.name, value, std::strerror(errno));
    }
  }
  linger lin{};
  socklen_t lin_length = sizeof(lin);
  if (real::getsockopt(tcp_fd, SOL_SOCKET, SO_LINGER, &lin, &lin_length) == 0 && lin.l_onoff) {
    real::setsockopt(vsock_fd, SOL_SOCKET, SO_LINGER, &lin, sizeof(lin));
  }
  for (int name : {SO_RCVTIMEO, SO_SNDTIMEO}) {
    timeval tv{};
    socklen_t tv_length = sizeof(tv);
    if (real::getsockopt(tcp_fd, SOL_SOCKET, name, &tv, &tv_length) == 0 &&
        (tv.tv_sec != 0 || tv.tv_usec != 0)) {
      real::setsockopt(vsock_fd, SOL_SOCKET, name, &tv, sizeof(tv));
    }
  }
}

// The socket to put in place of the program's: connected to (cid, port), or -1 with errno.
int ConnectFastPath(PreloadState& state, uint32_t cid, uint32_t port, uint64_t buffer_size) {
#ifdef YASMIN_PRELOAD_TESTING
  if (!state.test_unix_dir.empty()) {
    const int fd = static_cast<int>(syscall(SYS_socket, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (fd < 0) return -1;
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof(address.sun_path), "%s/%u.%u",
                  state.test_unix_dir.c_str(), cid, port);
    if (real::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
      return CloseAfterFailure(fd);
    }
    return fd;
  }
#endif

  const int fd = static_cast<int>(syscall(SYS_socket, AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd < 0) return -1;
  timeval timeout{kVsockConnectTimeoutMs / 1000, (kVsockConnectTimeoutMs % 1000) * 1000};
  real::setsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_CONNECT_TIMEOUT, &timeout, sizeof(timeout));
  if (buffer_size != 0 && SetVsockBufferSize(fd, buffer_size) != 0) {
    state.log.Printf("vsock buffer size %llu refused: %s",
                     static_cast<unsigned long long>(buffer_size), std::strerror(errno));
  }
  sockaddr_vm address{};
  address.svm_family = AF_VSOCK;
  address.svm_cid = cid;
  address.svm_port = port;
  if (real::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    return CloseAfterFailure(fd);
  }
  return fd;
}

// Puts vsock_fd in place of fd with fd's O_NONBLOCK and FD_CLOEXEC.  Returns false (fd
// untouched) on failure.
bool ReplaceDescriptor(int fd, int vsock_fd) {
  const int status_flags = real::fcntl_int(fd, F_GETFL, 0);
  const int descriptor_flags = real::fcntl_int(fd, F_GETFD, 0);
  if (status_flags < 0 || descriptor_flags < 0) return false;
  const int vsock_status = real::fcntl_int(vsock_fd, F_GETFL, 0);
  if (vsock_status < 0) return false;
  const int wanted = (vsock_status & ~(O_NONBLOCK | O_ASYNC)) |
                     (status_flags & (O_NONBLOCK | O_ASYNC));
  if (wanted != vsock_status && real::fcntl_int(vsock_fd, F_SETFL, wanted) != 0) return false;
  if (real::dup3(vsock_fd, fd, (descriptor_flags & FD_CLOEXEC) ? O_CLOEXEC : 0) != fd) {
    return false;
  }
  return true;
}

}  // namespace

// (An AF_INET socket refuses the IPPROTO_IPV6 ones: they read as 0.)
void SnapshotOptions(int tcp_fd, EmulatedOptions* options) {
  for (size_t i = 0; i < kEmulatedOptionCount; ++i) {
    const EmulatedOption& option = kEmulatedOptions[i];
    int value = 0;
    if (GetIntOption(tcp_fd, option.level, option.name, &value) != 0) value = 0;
    options->values[i] = value;
  }
}

void InitializePreload() {
  real::ResolveAll();
  State();
}

int InterposedConnect(int fd, const sockaddr* destination, socklen_t length) {
  PreloadState& state = State();
  FdRecord existing;
  if (GetRecordOfKind(state, fd, FdRecord::kYasmin, &existing)) {
    errno = EISCONN;  // what TCP (and vsock) says on a connected socket
    return -1;
  }
  IpAddress address;
  uint16_t port = 0;
  if (!IpAddress::FromSockaddr(destination, length, &address, &port)) {
    return real::connect(fd, destination, length);  // not IP: AF_UNIX, AF_VSOCK...
  }
  const bool debug = state.log.enabled();
  if (!debug) {
    // The common case, without a system call: yasmin is off, or the address is nobody's.
    if (state.config.disabled) return real::connect(fd, destination, length);
    if (state.cache.Get()->Lookup(address) == 0) return real::connect(fd, destination, length);
  }

  const int saved_errno = errno;
  int family = 0, type = 0, protocol = 0;
  if (GetIntOption(fd, SOL_SOCKET, SO_DOMAIN, &family) != 0 ||
      GetIntOption(fd, SOL_SOCKET, SO_TYPE, &type) != 0 ||
      GetIntOption(fd, SOL_SOCKET, SO_PROTOCOL, &protocol) != 0) {
    errno = saved_errno;
    return real::connect(fd, destination, length);  // not a socket: the kernel says so
  }
  std::shared_ptr<const ViewTable> table = state.cache.Snapshot();
  const ConnectDecision decision = DecideConnect(family, type, protocol, destination, length,
                                                 state.config.disabled, *table);
  const std::string where = debug ? address.ToStringWithPort(port) : std::string();
  if (!decision.use_vsock()) {
    if (decision.reason != ConnectReason::kNotTcpSocket) {
      state.log.Printf("connect fd %d to %s: tcp (%s)", fd, where.c_str(),
                       ConnectReasonName(decision.reason));
    }
    errno = saved_errno;
    return real::connect(fd, destination, length);
  }

  if (const char* why = WhyNotFresh(fd)) {
    state.log.Printf("connect fd %d to %s: tcp (%s)", fd, where.c_str(), why);
    errno = saved_errno;
    return real::connect(fd, destination, length);
  }
  const int64_t now = ViewCache::MonotonicCoarseMs();
  if (state.failures.Failing(decision.cid, decision.port, now)) {
    state.log.Printf("connect fd %d to %s: tcp (vsock cid %u port %u failed lately)", fd,
                     where.c_str(), decision.cid, decision.port);
    errno = saved_errno;
    return real::connect(fd, destination, length);
  }

  const uint64_t ino = InodeOf(fd);
  FdRecord options_record;
  uint64_t buffer_size = 0;
  if (state.registry.Get(fd, &options_record) && options_record.ino == ino && ino != 0) {
    buffer_size = VsockBufferSize(options_record.rcvbuf, options_record.sndbuf);
  }

  const int vsock_fd = ConnectFastPath(state, decision.cid, decision.port, buffer_size);
  if (vsock_fd < 0) {
    const int error = errno;
    if (error != EINTR) state.failures.Record(decision.cid, decision.port, error, now);
    state.log.Printf("connect fd %d to %s: vsock cid %u port %u failed (%s), tcp", fd,
                     where.c_str(), decision.cid, decision.port, std::strerror(error));
    errno = saved_errno;
    return real::connect(fd, destination, length);
  }

  FdRecord record;
  record.kind = FdRecord::kYasmin;
  record.family = static_cast<uint8_t>(family);
  record.peer_port = port;
  record.cid = decision.cid;
  record.vsock_port = decision.port;
  record.peer_address = address.v6();
  if (options_record.kind == FdRecord::kOptions && options_record.ino == ino) {
    record.rcvbuf = options_record.rcvbuf;
    record.sndbuf = options_record.sndbuf;
  }
  SnapshotOptions(fd, &record.options);
  CopySocketOptions(state, fd, vsock_fd);

  if (!ReplaceDescriptor(fd, vsock_fd)) {
    const int error = errno;
    RawClose(vsock_fd);
    state.log.Printf("connect fd %d to %s: could not put vsock in place (%s), tcp", fd,
                     where.c_str(), std::strerror(error));
    errno = saved_errno;
    return real::connect(fd, destination, length);
  }
  RawClose(vsock_fd);
  record.ino = InodeOf(fd);
  state.registry.Set(fd, record);
  state.log.Printf("connect fd %d to %s: vsock cid %u port %u", fd, where.c_str(),
                   decision.cid, decision.port);
  errno = saved_errno;
  return 0;
}

bool YasminGetSockOpt(int fd, int level, int name, void* value, socklen_t* length,
                      int* result) {
  PreloadState& state = State();
  FdRecord record;
  if (!GetRecordOfKind(state, fd, FdRecord::kYasmin, &record)) return false;
  auto answer_int = [&](int v) {
    if (length == nullptr || static_cast<int>(*length) < 0) {
      errno = length == nullptr ? EFAULT : EINVAL;
      *result = -1;
      return true;
    }
    const socklen_t n = *length < sizeof(v) ? *length : sizeof(v);
    if (n > 0) std::memcpy(value, &v, n);
    *length = n;
    *result = 0;
    return true;
  };
  if (level == SOL_SOCKET) {
    switch (name) {
      case SO_DOMAIN:
        return answer_int(record.family);
      case SO_PROTOCOL:
        return answer_int(IPPROTO_TCP);
      case SO_RCVBUF:
      case SO_SNDBUF: {
        uint64_t size = 0;
        socklen_t size_length = sizeof(size);
        if (real::getsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_BUFFER_SIZE, &size, &size_length) != 0) {
          int fallback = 0;  // the testing build's AF_UNIX stand-in
          GetIntOption(fd, SOL_SOCKET, name, &fallback);
          size = static_cast<uint64_t>(fallback);
        }
        return answer_int(SockBufFromVsockBufferSize(size));
      }
      default:
        return false;  // the socket core's answer is TCP's
    }
  }
  if (!IsEmulatedLevel(level)) return false;
  const int error = GetEmulatedOption(record.options, level, name, value, length);
  if (error != 0) {
    errno = error;
    *result = -1;
  } else {
    *result = 0;
  }
  return true;
}

bool YasminSetSockOpt(int fd, int level, int name, const void* value, socklen_t length,
                      int* result) {
  PreloadState& state = State();
  FdRecord record;
  if (!GetRecordOfKind(state, fd, FdRecord::kYasmin, &record)) return false;
  if (level == SOL_SOCKET) {
    if (name != SO_RCVBUF && name != SO_SNDBUF && name != SO_RCVBUFFORCE &&
        name != SO_SNDBUFFORCE) {
      return false;
    }
    // The ring was sized at connect(); a later size is remembered and reported nowhere.
    if (!RecordBufferSizeOption(level, name, value, length, &record.rcvbuf, &record.sndbuf)) {
      errno = EINVAL;
      *result = -1;
      return true;
    }
    state.registry.Set(fd, record);
    state.log.Printf("fd %d: SOL_SOCKET option %d accepted (the vsock ring keeps its size)", fd,
                     name);
    *result = 0;
    return true;
  }
  if (!IsEmulatedLevel(level)) return false;
  bool stored = false;
  const int error = SetEmulatedOption(&record.options, level, name, value, length, &stored);
  if (error != 0) {
    errno = error;
    *result = -1;
    return true;
  }
  if (stored) {
    state.registry.Set(fd, record);
  } else {
    state.log.Printf("fd %d: option level %d name %d accepted and ignored on vsock", fd, level,
                     name);
  }
  *result = 0;
  return true;
}

bool YasminGetPeerName(int fd, sockaddr* address, socklen_t* length, int* result) {
  PreloadState& state = State();
  FdRecord record;
  if (!GetRecordOfKind(state, fd, FdRecord::kYasmin, &record)) return false;
  // A connection the peer ended answers ENOTCONN, as TCP's does.
  sockaddr_storage real_peer;
  socklen_t real_length = sizeof(real_peer);
  if (real::getpeername(fd, reinterpret_cast<sockaddr*>(&real_peer), &real_length) != 0) {
    *result = -1;
    return true;
  }
  if (length == nullptr) {
    errno = EFAULT;
    *result = -1;
    return true;
  }
  sockaddr_storage peer;
  const socklen_t peer_length =
      MakeSockaddr(record.family, IpAddress::FromV6(record.peer_address), record.peer_port,
                   &peer);
  CopySockaddrOut(peer, peer_length, address, length);
  *result = 0;
  return true;
}

bool YasminGetSockName(int fd, sockaddr* address, socklen_t* length, int* result) {
  PreloadState& state = State();
  FdRecord record;
  if (!GetRecordOfKind(state, fd, FdRecord::kYasmin, &record)) return false;
  if (length == nullptr) {
    errno = EFAULT;
    *result = -1;
    return true;
  }
  // The port: an accepted connection's is the listener's; a connected one's is our vsock
  // port, folded into 16 bits as for peers.
  uint16_t local_port = record.local_port;
  sockaddr_storage real_local;
  socklen_t real_length = sizeof(real_local);
  if (local_port == 0 &&
      real::getsockname(fd, reinterpret_cast<sockaddr*>(&real_local), &real_length) == 0 &&
      real_local.ss_family == AF_VSOCK) {
    local_port = TcpPortFromVsockPort(reinterpret_cast<sockaddr_vm*>(&real_local)->svm_port);
  }
  sockaddr_storage local;
  socklen_t local_length = state.local_addresses.Lookup(
      record.family, IpAddress::FromV6(record.peer_address), ViewCache::MonotonicCoarseMs(),
      &local);
  IpAddress local_address;
  uint16_t ignored;
  if (!IpAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&local), local_length,
                               &local_address, &ignored)) {
    local_address = IpAddress();
  }
  local_length = MakeSockaddr(record.family, local_address, local_port, &local);
  CopySockaddrOut(local, local_length, address, length);
  *result = 0;
  return true;
}

bool YasminIoctl(int fd, unsigned long request, void* argument, int* result) {
  if (request != FIONREAD && request != SIOCOUTQ && request != SIOCATMARK) return false;
  PreloadState& state = State();
  FdRecord record;
  if (!GetRecordOfKind(state, fd, FdRecord::kYasmin, &record)) return false;
  if (argument == nullptr) {
    errno = EFAULT;
    *result = -1;
    return true;
  }
  int value = 0;
  if (request == FIONREAD) {
    // vsock in 6.1 has no ioctls: peek at what is there, up to kPeekBytes.
    constexpr size_t kPeekBytes = 64 * 1024;
    void* buffer = std::malloc(kPeekBytes);
    if (buffer != nullptr) {
      const int saved_errno = errno;
      const ssize_t n = recv(fd, buffer, kPeekBytes, MSG_PEEK | MSG_DONTWAIT);
      if (n > 0) value = static_cast<int>(n);
      errno = saved_errno;
      std::free(buffer);
    }
  }
  // SIOCOUTQ: what is unsent is not known: 0.  SIOCATMARK: no urgent data: 0.
  std::memcpy(argument, &value, sizeof(value));
  *result = 0;
  return true;
}

void AfterSetSockOpt(int fd, int level, int name, const void* value, socklen_t length) {
  int32_t rcvbuf = -1, sndbuf = -1;
  if (!RecordBufferSizeOption(level, name, value, length, &rcvbuf, &sndbuf)) return;
  PreloadState& state = State();
  if (fd < 0 || fd >= FdRegistry::kMaxFds) return;
  const uint64_t ino = InodeOf(fd);
  if (ino == 0) return;
  FdRecord record;
  if (!state.registry.Get(fd, &record) || record.ino != ino) {
    record = FdRecord();
    record.kind = FdRecord::kOptions;
    record.ino = ino;
  }
  if (record.kind != FdRecord::kOptions) return;
  RecordBufferSizeOption(level, name, value, length, &record.rcvbuf, &record.sndbuf);
  state.registry.Set(fd, record);
}

void AfterEpipe(int fd) {
  PreloadState& state = State();
  if (!state.registry.HasKind(fd, FdRecord::kYasmin)) return;
  const int saved_errno = errno;
  FdRecord record;
  int domain = 0;
  // Only vsock lacks the signal (the testing build's AF_UNIX stand-in raises its own).
  if (GetRecordOfKind(state, fd, FdRecord::kYasmin, &record) && GetIntOption(fd, SOL_SOCKET, SO_DOMAIN, &domain) == 0 &&
      domain == AF_VSOCK) {
    syscall(SYS_tgkill, getpid(), static_cast<pid_t>(syscall(SYS_gettid)), SIGPIPE);
  }
  errno = saved_errno;
}

bool DropsDestination(int fd) {
  PreloadState& state = State();
  if (!state.registry.HasKind(fd, FdRecord::kYasmin)) return false;
  const int saved_errno = errno;
  FdRecord record;
  const bool yasmin = GetRecordOfKind(state, fd, FdRecord::kYasmin, &record);
  errno = saved_errno;
  return yasmin;
}

size_t YasminDescriptorCount() { return State().registry.CountKind(FdRecord::kYasmin); }

}  // namespace preload
}  // namespace yasmin
