#include "raw_io.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace yasmin {
namespace preload {

int RawOpen(const char* path, int flags, unsigned mode) {
  long result;
  do {
    result = syscall(SYS_openat, AT_FDCWD, path, flags | O_CLOEXEC, mode);
  } while (result < 0 && errno == EINTR);
  return static_cast<int>(result);
}

ssize_t RawRead(int fd, void* buffer, size_t count) {
  long result;
  do {
    result = syscall(SYS_read, fd, buffer, count);
  } while (result < 0 && errno == EINTR);
  return static_cast<ssize_t>(result);
}

ssize_t RawWrite(int fd, const void* buffer, size_t count) {
  long result;
  do {
    result = syscall(SYS_write, fd, buffer, count);
  } while (result < 0 && errno == EINTR);
  return static_cast<ssize_t>(result);
}

int RawClose(int fd) { return static_cast<int>(syscall(SYS_close, fd)); }

int CloseAfterFailure(int fd) {
  const int error = errno;
  RawClose(fd);
  errno = error;
  return -1;
}

}  // namespace preload
}  // namespace yasmin
