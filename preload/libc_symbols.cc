#include "libc_symbols.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

namespace yasmin {
namespace preload {
namespace real {
namespace {

// The next definition of `name` after libyasmin.so in the lookup order: the C library's.
// Cached in `slot`; null if there is none.
template <typename Function>
Function Resolve(std::atomic<Function>& slot, const char* name) {
  Function function = slot.load(std::memory_order_acquire);
  if (function == nullptr) {
    function = reinterpret_cast<Function>(dlsym(RTLD_NEXT, name));
    if (function != nullptr) slot.store(function, std::memory_order_release);
  }
  return function;
}

#define YASMIN_REAL(name, type) \
  std::atomic<type> name##_slot{nullptr}; \
  type Get_##name() { return Resolve(name##_slot, #name); }

using ConnectFn = int (*)(int, const sockaddr*, socklen_t);
using CloseFn = int (*)(int);
using DupFn = int (*)(int);
using Dup2Fn = int (*)(int, int);
using Dup3Fn = int (*)(int, int, int);
using FcntlFn = int (*)(int, int, ...);
using CloseRangeFn = int (*)(unsigned, unsigned, int);
using CloseFromFn = void (*)(int);
using GetSockOptFn = int (*)(int, int, int, void*, socklen_t*);
using SetSockOptFn = int (*)(int, int, int, const void*, socklen_t);
using NameFn = int (*)(int, sockaddr*, socklen_t*);
using IoctlFn = int (*)(int, unsigned long, ...);
using WriteFn = ssize_t (*)(int, const void*, size_t);
using WritevFn = ssize_t (*)(int, const iovec*, int);
using SendFn = ssize_t (*)(int, const void*, size_t, int);
using SendToFn = ssize_t (*)(int, const void*, size_t, int, const sockaddr*, socklen_t);
using SendMsgFn = ssize_t (*)(int, const msghdr*, int);
using SendMmsgFn = int (*)(int, mmsghdr*, unsigned, int);
using SendFileFn = ssize_t (*)(int, int, off_t*, size_t);
using ListenFn = int (*)(int, int);
using Accept4Fn = int (*)(int, sockaddr*, socklen_t*, int);
using ShutdownFn = int (*)(int, int);
using EpollCtlFn = int (*)(int, int, int, epoll_event*);

YASMIN_REAL(connect, ConnectFn)
YASMIN_REAL(close, CloseFn)
YASMIN_REAL(dup, DupFn)
YASMIN_REAL(dup2, Dup2Fn)
YASMIN_REAL(dup3, Dup3Fn)
YASMIN_REAL(fcntl, FcntlFn)
YASMIN_REAL(close_range, CloseRangeFn)
YASMIN_REAL(closefrom, CloseFromFn)
YASMIN_REAL(getsockopt, GetSockOptFn)
YASMIN_REAL(setsockopt, SetSockOptFn)
YASMIN_REAL(getpeername, NameFn)
YASMIN_REAL(getsockname, NameFn)
YASMIN_REAL(ioctl, IoctlFn)
YASMIN_REAL(write, WriteFn)
YASMIN_REAL(writev, WritevFn)
YASMIN_REAL(send, SendFn)
YASMIN_REAL(sendto, SendToFn)
YASMIN_REAL(sendmsg, SendMsgFn)
YASMIN_REAL(sendmmsg, SendMmsgFn)
YASMIN_REAL(sendfile, SendFileFn)
YASMIN_REAL(listen, ListenFn)
YASMIN_REAL(accept4, Accept4Fn)
YASMIN_REAL(shutdown, ShutdownFn)
YASMIN_REAL(epoll_ctl, EpollCtlFn)

#undef YASMIN_REAL

}  // namespace

int connect(int fd, const sockaddr* address, socklen_t length) {
  if (auto f = Get_connect()) return f(fd, address, length);
  return static_cast<int>(syscall(SYS_connect, fd, address, length));
}
int close(int fd) {
  if (auto f = Get_close()) return f(fd);
  return static_cast<int>(syscall(SYS_close, fd));
}
int dup(int fd) {
  if (auto f = Get_dup()) return f(fd);
  return static_cast<int>(syscall(SYS_dup, fd));
}
int dup2(int fd, int new_fd) {
  if (auto f = Get_dup2()) return f(fd, new_fd);
  return static_cast<int>(syscall(SYS_dup2, fd, new_fd));
}
int dup3(int fd, int new_fd, int flags) {
  if (auto f = Get_dup3()) return f(fd, new_fd, flags);
  return static_cast<int>(syscall(SYS_dup3, fd, new_fd, flags));
}
int fcntl_int(int fd, int command, int argument) {
  if (auto f = Get_fcntl()) return f(fd, command, argument);
  return static_cast<int>(syscall(SYS_fcntl, fd, command, argument));
}
int fcntl_ptr(int fd, int command, void* argument) {
  if (auto f = Get_fcntl()) return f(fd, command, argument);
  return static_cast<int>(syscall(SYS_fcntl, fd, command, argument));
}
int close_range(unsigned first, unsigned last, int flags) {
  if (auto f = Get_close_range()) return f(first, last, flags);
  return static_cast<int>(syscall(SYS_close_range, first, last, flags));
}
void closefrom(int first) {
  if (auto f = Get_closefrom()) return f(first);
  syscall(SYS_close_range, static_cast<unsigned>(first), ~0u, 0);
}
int getsockopt(int fd, int level, int name, void* value, socklen_t* length) {
  if (auto f = Get_getsockopt()) return f(fd, level, name, value, length);
  return static_cast<int>(syscall(SYS_getsockopt, fd, level, name, value, length));
}
int setsockopt(int fd, int level, int name, const void* value, socklen_t length) {
  if (auto f = Get_setsockopt()) return f(fd, level, name, value, length);
  return static_cast<int>(syscall(SYS_setsockopt, fd, level, name, value, length));
}
int getpeername(int fd, sockaddr* address, socklen_t* length) {
  if (auto f = Get_getpeername()) return f(fd, address, length);
  return static_cast<int>(syscall(SYS_getpeername, fd, address, length));
}
int getsockname(int fd, sockaddr* address, socklen_t* length) {
  if (auto f = Get_getsockname()) return f(fd, address, length);
  return static_cast<int>(syscall(SYS_getsockname, fd, address, length));
}
int ioctl(int fd, unsigned long request, void* argument) {
  if (auto f = Get_ioctl()) return f(fd, request, argument);
  return static_cast<int>(syscall(SYS_ioctl, fd, request, argument));
}
ssize_t write(int fd, const void* buffer, size_t count) {
  if (auto f = Get_write()) return f(fd, buffer, count);
  return syscall(SYS_write, fd, buffer, count);
}
ssize_t writev(int fd, const iovec* vector, int count) {
  if (auto f = Get_writev()) return f(fd, vector, count);
  return syscall(SYS_writev, fd, vector, count);
}
ssize_t send(int fd, const void* buffer, size_t count, int flags) {
  if (auto f = Get_send()) return f(fd, buffer, count, flags);
  return syscall(SYS_sendto, fd, buffer, count, flags, nullptr, 0);
}
ssize_t sendto(int fd, const void* buffer, size_t count, int flags, const sockaddr* address,
               socklen_t length) {
  if (auto f = Get_sendto()) return f(fd, buffer, count, flags, address, length);
  return syscall(SYS_sendto, fd, buffer, count, flags, address, length);
}
ssize_t sendmsg(int fd, const msghdr* message, int flags) {
  if (auto f = Get_sendmsg()) return f(fd, message, flags);
  return syscall(SYS_sendmsg, fd, message, flags);
}
int sendmmsg(int fd, mmsghdr* messages, unsigned count, int flags) {
  if (auto f = Get_sendmmsg()) return f(fd, messages, count, flags);
  return static_cast<int>(syscall(SYS_sendmmsg, fd, messages, count, flags));
}
ssize_t sendfile(int out_fd, int in_fd, off_t* offset, size_t count) {
  if (auto f = Get_sendfile()) return f(out_fd, in_fd, offset, count);
  return syscall(SYS_sendfile, out_fd, in_fd, offset, count);
}
int listen(int fd, int backlog) {
  if (auto f = Get_listen()) return f(fd, backlog);
  return static_cast<int>(syscall(SYS_listen, fd, backlog));
}
int accept4(int fd, sockaddr* address, socklen_t* length, int flags) {
  if (auto f = Get_accept4()) return f(fd, address, length, flags);
  return static_cast<int>(syscall(SYS_accept4, fd, address, length, flags));
}
int shutdown(int fd, int how) {
  if (auto f = Get_shutdown()) return f(fd, how);
  return static_cast<int>(syscall(SYS_shutdown, fd, how));
}
int epoll_ctl(int epoll_fd, int operation, int fd, epoll_event* event) {
  if (auto f = Get_epoll_ctl()) return f(epoll_fd, operation, fd, event);
  return static_cast<int>(syscall(SYS_epoll_ctl, epoll_fd, operation, fd, event));
}

void ResolveAll() {
  Get_connect(); Get_close(); Get_dup(); Get_dup2(); Get_dup3(); Get_fcntl();
  Get_close_range(); Get_closefrom(); Get_getsockopt(); Get_setsockopt(); Get_getpeername();
  Get_getsockname(); Get_ioctl(); Get_write(); Get_writev(); Get_send(); Get_sendto();
  Get_sendmsg(); Get_sendmmsg(); Get_sendfile(); Get_listen(); Get_accept4(); Get_shutdown();
  Get_epoll_ctl();
}

}  // namespace real
}  // namespace preload
}  // namespace yasmin
