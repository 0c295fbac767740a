// What libyasmin.so keeps for the whole process, shared by the client side
// (connect_redirect.h) and the server side (listen_redirect.h): the environment's settings,
// the debug log, the view cache, the descriptor registry and the small caches.

#ifndef YASMIN_PRELOAD_PRELOAD_STATE_H_
#define YASMIN_PRELOAD_PRELOAD_STATE_H_

#include <cstdint>
#include <string>

#include "debug_log.h"
#include "env_config.h"
#include "failure_cache.h"
#include "fd_registry.h"
#include "local_address_cache.h"
#include "view_cache.h"

namespace yasmin {
namespace preload {

struct PreloadState {
  PreloadState();

  EnvConfig config;
  DebugLog log;
  ViewCache cache;
  FdRegistry registry;
  FailureCache failures;
  LocalAddressCache local_addresses;
#ifdef YASMIN_PRELOAD_TESTING
  // The testing build (libyasmin-testing.so) can put AF_UNIX sockets where vsock would go,
  // so that the fast paths run on a machine without a co-located peer: a client connects
  // "<dir>/<cid>.<port>", a listener listens on "<dir>/listen.<port>" and takes its clients
  // for CID test_peer_cid.  The production library has no such switch.
  std::string test_unix_dir;
  uint32_t test_peer_cid = 0;
#endif
};

// The process's state, created on first use and never destroyed: the wrappers may be called
// from atexit handlers and other libraries' destructors after ours would have run.
PreloadState& State();

// fstat()'s inode number of fd, 0 if it has none.  errno is kept.
uint64_t InodeOf(int fd);

// fd's record of that kind, if it has one and it belongs to the open file fd holds now (a
// stale record, of a number closed behind the library's back and reused, is dropped).
bool GetRecordOfKind(PreloadState& state, int fd, FdRecord::Kind kind, FdRecord* record);

// getsockopt() of an int option through the C library.
int GetIntOption(int fd, int level, int name, int* value);

// Sets an AF_VSOCK socket's SO_VM_SOCKETS_BUFFER_SIZE, raising its maximum first (the core
// caps the size at its 256 KiB default maximum otherwise).  -1 with errno if refused.
int SetVsockBufferSize(int fd, uint64_t size);

}  // namespace preload
}  // namespace yasmin

#endif  // YASMIN_PRELOAD_PRELOAD_STATE_H_
