// The C library's own versions of the functions libyasmin.so interposes, found with
// dlsym(RTLD_NEXT): what the program would have called without the preload.
//
// Each is resolved at its first use and kept in an atomic pointer, so that a call from any
// thread, or from another library's constructor before ours ran (or before main), finds it.
// Two threads resolving the same symbol at once store the same address.  The library's
// constructor resolves them all early anyway, so that dlsym (which may allocate) is not
// first called from an odd place such as a signal handler.  If dlsym finds nothing (a static
// program cannot be preloaded anyway, so this would be a broken C library), the wrapper falls
// back to the raw system call.

#ifndef YASMIN_PRELOAD_LIBC_SYMBOLS_H_
#define YASMIN_PRELOAD_LIBC_SYMBOLS_H_

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

namespace yasmin {
namespace preload {
namespace real {

int connect(int fd, const sockaddr* address, socklen_t length);
int close(int fd);
int dup(int fd);
int dup2(int fd, int new_fd);
int dup3(int fd, int new_fd, int flags);
// fcntl with an int argument, or none (F_GETFL, F_GETFD, F_SETFL, F_DUPFD...).
int fcntl_int(int fd, int command, int argument);
// fcntl with a pointer argument (locks, F_GETOWN_EX...).
int fcntl_ptr(int fd, int command, void* argument);
int close_range(unsigned first, unsigned last, int flags);
void closefrom(int first);
int getsockopt(int fd, int level, int name, void* value, socklen_t* length);
int setsockopt(int fd, int level, int name, const void* value, socklen_t length);
int getpeername(int fd, sockaddr* address, socklen_t* length);
int getsockname(int fd, sockaddr* address, socklen_t* length);
int ioctl(int fd, unsigned long request, void* argument);
ssize_t write(int fd, const void* buffer, size_t count);
ssize_t writev(int fd, const iovec* vector, int count);
ssize_t send(int fd, const void* buffer, size_t count, int flags);
ssize_t sendto(int fd, const void* buffer, size_t count, int flags, const sockaddr* address,
               socklen_t length);
ssize_t sendmsg(int fd, const msghdr* message, int flags);
int sendmmsg(int fd, mmsghdr* messages, unsigned count, int flags);
ssize_t sendfile(int out_fd, int in_fd, off_t* offset, size_t count);
int listen(int fd, int backlog);
int accept4(int fd, sockaddr* address, socklen_t* length, int flags);
int shutdown(int fd, int how);
int epoll_ctl(int epoll_fd, int operation, int fd, struct epoll_event* event);

// Resolves every symbol now (the library's constructor).
void ResolveAll();

}  // namespace real
}  // namespace preload
}  // namespace yasmin

#endif  // YASMIN_PRELOAD_LIBC_SYMBOLS_H_
