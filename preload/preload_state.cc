#include "preload_state.h"

#include <linux/vm_sockets.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>

#include "libc_symbols.h"
#include "listener_group.h"
#include "socket_options.h"

namespace yasmin {
namespace preload {

PreloadState::PreloadState()
    : config(LoadEnvConfig()),
      log(config.debug, config.debug_file),
      cache(config.view_file, config.view_max_age_ms) {
#ifdef YASMIN_PRELOAD_TESTING
  if (const char* dir = secure_getenv("YASMIN_TEST_UNIX_DIR")) test_unix_dir = dir;
  if (const char* cid = secure_getenv("YASMIN_TEST_PEER_CID")) {
    test_peer_cid = static_cast<uint32_t>(std::strtoul(cid, nullptr, 10));
  }
#endif
}

PreloadState& State() {
  static PreloadState* state = new PreloadState();
  return *state;
}

uint64_t InodeOf(int fd) {
  const int saved_errno = errno;
  struct stat status;
  const uint64_t ino = fstat(fd, &status) == 0 ? static_cast<uint64_t>(status.st_ino) : 0;
  errno = saved_errno;
  return ino;
}

bool GetRecordOfKind(PreloadState& state, int fd, FdRecord::Kind kind, FdRecord* record) {
  if (!state.registry.HasKind(fd, kind)) return false;
  if (!state.registry.Get(fd, record) || record->kind != kind) return false;
  const uint64_t ino = InodeOf(fd);
  if (ino == 0 || ino != record->ino) {
    // The descriptor was closed behind our back and its number reused: forget it (and, for
    // a listener, its sockets: the program's number no longer refers to them).
    state.registry.Clear(fd);
    if (kind == FdRecord::kListener) ReleaseListenerGroup(record->listener);
    return false;
  }
  return true;
}

int GetIntOption(int fd, int level, int name, int* value) {
  socklen_t length = sizeof(*value);
  return real::getsockopt(fd, level, name, value, &length);
}

int SetVsockBufferSize(int fd, uint64_t size) {
  const uint64_t maximum = kMaxVsockBufferSize;
  real::setsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_BUFFER_MAX_SIZE, &maximum, sizeof(maximum));
  return real::setsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_BUFFER_SIZE, &size, sizeof(size));
}

}  // namespace preload
}  // namespace yasmin
