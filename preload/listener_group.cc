#include "listener_group.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "preload_state.h"
#include "raw_io.h"

namespace yasmin {
namespace preload {
namespace {

void ClosePrivate(int fd, uint64_t ino) {
  if (fd >= 0 && InodeOf(fd) == ino) RawClose(fd);
}

}  // namespace

void AcquireListenerGroup(ListenerGroup* group) {
  if (group != nullptr) group->references.fetch_add(1, std::memory_order_relaxed);
}

void ReleaseListenerGroup(ListenerGroup* group) {
  if (group == nullptr || group->references.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  const int saved_errno = errno;
  ClosePrivate(group->tcp_fd, group->tcp_ino);
  ClosePrivate(group->vsock_fd, group->vsock_ino);
#ifdef YASMIN_PRELOAD_TESTING
  if (group->test_unix_path[0] != '\0') unlink(group->test_unix_path);
#endif
  delete group;
  errno = saved_errno;
}

int PrivateDescriptorFloor() {
  // The top eighth of the first 1024 numbers (896..1023 under the usual limit), or of the
  // range a lower limit allows.
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 3;
  const rlim_t soft = std::min<rlim_t>(limit.rlim_cur, 1024);
  if (soft < 64) return 3;
  return static_cast<int>(soft - soft / 8);
}

}  // namespace preload
}  // namespace yasmin
