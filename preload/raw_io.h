// open/read/close as raw system calls, for the preload's own file reading.
//
// libyasmin.so will interpose close() (and more) for the program: a call to close() from
// inside the library would then go through that interposition, which must not see the
// library's own private descriptors.  syscall() goes straight to the kernel, whatever the
// library exports.  Each returns what the system call returns, -1 with errno on failure,
// and retries on EINTR.

#ifndef YASMIN_PRELOAD_RAW_IO_H_
#define YASMIN_PRELOAD_RAW_IO_H_

#include <sys/types.h>

#include <cstddef>

namespace yasmin {
namespace preload {

// openat(AT_FDCWD, path, flags | O_CLOEXEC, mode).
int RawOpen(const char* path, int flags, unsigned mode = 0);
// One write(); a short count is returned as it is.
ssize_t RawWrite(int fd, const void* buffer, size_t count);
ssize_t RawRead(int fd, void* buffer, size_t count);
// A failed close is not retried: on Linux the descriptor is gone either way.
int RawClose(int fd);
// The end of a set-up that failed with errno: closes fd, keeps errno, returns -1.
int CloseAfterFailure(int fd);

}  // namespace preload
}  // namespace yasmin

#endif  // YASMIN_PRELOAD_RAW_IO_H_
