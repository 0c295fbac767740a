// The functions libyasmin.so exports in place of the C library's: each routes to
// connect_redirect.h (the client side), listen_redirect.h (the server side) or
// descriptor_events.h, and otherwise calls the C library's own (libc_symbols.h).  The cost on
// a call that concerns no yasmin descriptor is one or two memory loads (FdRegistry::HasKind),
// and connect() to an address that is not in the view adds a hash filter lookup (~20 ns).

#include <fcntl.h>
#include <stdarg.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "connect_redirect.h"
#include "descriptor_events.h"
#include "listen_redirect.h"
#include "libc_symbols.h"
#include "yasmin_preload.h"

namespace yp = yasmin::preload;

namespace {

__attribute__((constructor)) void InitializeLibrary() { yp::InitializePreload(); }

bool IsDupCommand(int command) { return command == F_DUPFD || command == F_DUPFD_CLOEXEC; }

int Fcntl(int fd, int command, void* argument) {
  const int result = yp::real::fcntl_ptr(fd, command, argument);
  if (result >= 0 && IsDupCommand(command)) yp::AfterDup(fd, result);
  return result;
}

void MaybeSigpipe(ssize_t result, int fd, int flags) {
  if (result < 0 && errno == EPIPE && (flags & MSG_NOSIGNAL) == 0) yp::AfterEpipe(fd);
}

}  // namespace

extern "C" {

YASMIN_PRELOAD_EXPORT const char* yasmin_preload_version(void) { return YASMIN_VERSION; }

YASMIN_PRELOAD_EXPORT int connect(int fd, const struct sockaddr* address, socklen_t length) {
  return yp::InterposedConnect(fd, address, length);
}

YASMIN_PRELOAD_EXPORT int listen(int fd, int backlog) {
  return yp::InterposedListen(fd, backlog);
}

YASMIN_PRELOAD_EXPORT int accept(int fd, struct sockaddr* address, socklen_t* length) {
  return yp::InterposedAccept(fd, address, length, 0);
}

YASMIN_PRELOAD_EXPORT int accept4(int fd, struct sockaddr* address, socklen_t* length,
                                  int flags) {
  return yp::InterposedAccept(fd, address, length, flags);
}

YASMIN_PRELOAD_EXPORT int shutdown(int fd, int how) { return yp::InterposedShutdown(fd, how); }

YASMIN_PRELOAD_EXPORT int epoll_ctl(int epoll_fd, int operation, int fd,
                                    struct epoll_event* event) {
  return yp::InterposedEpollCtl(epoll_fd, operation, fd, event);
}

YASMIN_PRELOAD_EXPORT int close(int fd) {
  const int result = yp::real::close(fd);
  // Linux frees the number even when close() fails (EINTR, EIO), except for EBADF.
  if (result == 0 || errno != EBADF) yp::AfterClose(fd);
  return result;
}

YASMIN_PRELOAD_EXPORT int dup(int fd) {
  const int result = yp::real::dup(fd);
  if (result >= 0) yp::AfterDup(fd, result);
  return result;
}

YASMIN_PRELOAD_EXPORT int dup2(int fd, int new_fd) {
  const int result = yp::real::dup2(fd, new_fd);
  if (result >= 0) yp::AfterDup(fd, result);
  return result;
}

YASMIN_PRELOAD_EXPORT int dup3(int fd, int new_fd, int flags) {
  const int result = yp::real::dup3(fd, new_fd, flags);
  if (result >= 0) yp::AfterDup(fd, result);
  return result;
}

// The C library reads fcntl's third argument as a pointer whatever the command, and so do we.
YASMIN_PRELOAD_EXPORT int fcntl(int fd, int command, ...) {
  va_list arguments;
  va_start(arguments, command);
  void* argument = va_arg(arguments, void*);
  va_end(arguments);
  return Fcntl(fd, command, argument);
}

YASMIN_PRELOAD_EXPORT int fcntl64(int fd, int command, ...) {
  va_list arguments;
  va_start(arguments, command);
  void* argument = va_arg(arguments, void*);
  va_end(arguments);
  return Fcntl(fd, command, argument);
}

YASMIN_PRELOAD_EXPORT int close_range(unsigned first, unsigned last, int flags) {
  const int result = yp::real::close_range(first, last, flags);
  if (result == 0) yp::AfterCloseRange(first, last, flags);
  return result;
}

YASMIN_PRELOAD_EXPORT void closefrom(int first) {
  yp::real::closefrom(first);
  if (first >= 0) yp::AfterCloseRange(static_cast<unsigned>(first), ~0u, 0);
}

YASMIN_PRELOAD_EXPORT int getsockopt(int fd, int level, int name, void* value,
                                     socklen_t* length) {
  int result;
  if (yp::YasminGetSockOpt(fd, level, name, value, length, &result)) return result;
  return yp::real::getsockopt(yp::ListenerTcpSocket(fd), level, name, value, length);
}

YASMIN_PRELOAD_EXPORT int setsockopt(int fd, int level, int name, const void* value,
                                     socklen_t length) {
  int result;
  if (yp::YasminSetSockOpt(fd, level, name, value, length, &result)) return result;
  result = yp::real::setsockopt(yp::ListenerTcpSocket(fd), level, name, value, length);
  if (result == 0) {
    yp::AfterSetSockOpt(fd, level, name, value, length);
    yp::AfterListenerSetSockOpt(fd, level, name, value, length);
  }
  return result;
}

YASMIN_PRELOAD_EXPORT int getpeername(int fd, struct sockaddr* address, socklen_t* length) {
  int result;
  if (yp::YasminGetPeerName(fd, address, length, &result)) return result;
  return yp::real::getpeername(yp::ListenerTcpSocket(fd), address, length);
}

YASMIN_PRELOAD_EXPORT int getsockname(int fd, struct sockaddr* address, socklen_t* length) {
  int result;
  if (yp::YasminGetSockName(fd, address, length, &result)) return result;
  return yp::real::getsockname(yp::ListenerTcpSocket(fd), address, length);
}

YASMIN_PRELOAD_EXPORT int ioctl(int fd, unsigned long request, ...) {
  va_list arguments;
  va_start(arguments, request);
  void* argument = va_arg(arguments, void*);
  va_end(arguments);
  int result;
  if (yp::YasminIoctl(fd, request, argument, &result)) return result;
  return yp::real::ioctl(fd, request, argument);
}

// Write-like calls: only to raise SIGPIPE where vsock does not (connect_redirect.h).
YASMIN_PRELOAD_EXPORT ssize_t write(int fd, const void* buffer, size_t count) {
  const ssize_t result = yp::real::write(fd, buffer, count);
  MaybeSigpipe(result, fd, 0);
  return result;
}

YASMIN_PRELOAD_EXPORT ssize_t writev(int fd, const struct iovec* vector, int count) {
  const ssize_t result = yp::real::writev(fd, vector, count);
  MaybeSigpipe(result, fd, 0);
  return result;
}

YASMIN_PRELOAD_EXPORT ssize_t send(int fd, const void* buffer, size_t count, int flags) {
  const ssize_t result = yp::real::send(fd, buffer, count, flags);
  MaybeSigpipe(result, fd, flags);
  return result;
}

// ...and, with a destination, to drop it on a yasmin descriptor as TCP ignores it
// (connect_redirect.h, DropsDestination).
YASMIN_PRELOAD_EXPORT ssize_t sendto(int fd, const void* buffer, size_t count, int flags,
                                     const struct sockaddr* address, socklen_t length) {
  if (address != nullptr && yp::DropsDestination(fd)) {
    address = nullptr;
    length = 0;
  }
  const ssize_t result = yp::real::sendto(fd, buffer, count, flags, address, length);
  MaybeSigpipe(result, fd, flags);
  return result;
}

YASMIN_PRELOAD_EXPORT ssize_t sendmsg(int fd, const struct msghdr* message, int flags) {
  ssize_t result;
  if (message != nullptr && message->msg_name != nullptr && yp::DropsDestination(fd)) {
    struct msghdr without = *message;
    without.msg_name = nullptr;
    without.msg_namelen = 0;
    result = yp::real::sendmsg(fd, &without, flags);
  } else {
    result = yp::real::sendmsg(fd, message, flags);
  }
  MaybeSigpipe(result, fd, flags);
  return result;
}

YASMIN_PRELOAD_EXPORT int sendmmsg(int fd, struct mmsghdr* messages, unsigned count,
                                   int flags) {
  bool named = false;
  for (unsigned i = 0; messages != nullptr && i < count && !named; ++i) {
    named = messages[i].msg_hdr.msg_name != nullptr;
  }
  int result;
  if (named && yp::DropsDestination(fd)) {
    // A copy without the destinations (the caller's array is left as it was), and the
    // lengths the kernel reports copied back.  Rare: stream programs seldom batch.
    std::vector<struct mmsghdr> without(messages, messages + count);
    for (struct mmsghdr& message : without) {
      message.msg_hdr.msg_name = nullptr;
      message.msg_hdr.msg_namelen = 0;
    }
    result = yp::real::sendmmsg(fd, without.data(), count, flags);
    const int saved_errno = errno;
    for (int i = 0; i < result; ++i) messages[i].msg_len = without[i].msg_len;
    errno = saved_errno;
  } else {
    result = yp::real::sendmmsg(fd, messages, count, flags);
  }
  MaybeSigpipe(result, fd, flags);
  return result;
}

YASMIN_PRELOAD_EXPORT ssize_t sendfile(int out_fd, int in_fd, off_t* offset, size_t count) {
  const ssize_t result = yp::real::sendfile(out_fd, in_fd, offset, count);
  MaybeSigpipe(result, out_fd, 0);
  return result;
}

YASMIN_PRELOAD_EXPORT ssize_t sendfile64(int out_fd, int in_fd, off_t* offset, size_t count) {
  const ssize_t result = yp::real::sendfile(out_fd, in_fd, offset, count);
  MaybeSigpipe(result, out_fd, 0);
  return result;
}

#ifdef YASMIN_PRELOAD_TESTING
// The testing build only: how many descriptors are yasmin ones.
YASMIN_PRELOAD_EXPORT size_t yasmin_preload_testing_yasmin_fds(void) {
  return yp::YasminDescriptorCount();
}
// How many listeners also listen on vsock.
YASMIN_PRELOAD_EXPORT size_t yasmin_preload_testing_listener_fds(void) {
  return yp::ListenerCount();
}
#endif

}  // extern "C"
