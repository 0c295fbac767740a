#include "descriptor_events.h"

#include <linux/close_range.h>

#include "listener_group.h"
#include "preload_state.h"

namespace yasmin {
namespace preload {
namespace {

// Drops new_fd's record, releasing the listener behind it if it was one.
void Forget(PreloadState& state, int fd) {
  FdRecord record;
  if (state.registry.HasKind(fd, FdRecord::kListener) && state.registry.Get(fd, &record) &&
      record.kind == FdRecord::kListener) {
    state.registry.Clear(fd);
    ReleaseListenerGroup(record.listener);
    return;
  }
  state.registry.Clear(fd);
}

}  // namespace

void AfterClose(int fd) { Forget(State(), fd); }

void AfterDup(int fd, int new_fd) {
  if (fd == new_fd) return;  // dup2(fd, fd) does nothing
  PreloadState& state = State();
  FdRecord record;
  const bool listener = GetRecordOfKind(state, fd, FdRecord::kListener, &record);
  Forget(state, new_fd);  // what new_fd held before is closed now
  if (listener) {
    if (state.registry.Set(new_fd, record)) AcquireListenerGroup(record.listener);
    return;
  }
  state.registry.Copy(fd, new_fd);
}

void AfterCloseRange(unsigned first, unsigned last, int flags) {
  if (flags & CLOSE_RANGE_CLOEXEC) return;  // nothing closed now
  PreloadState& state = State();
  state.registry.ForEachOfKind(first, last, FdRecord::kListener,
                               [&](int fd, const FdRecord&) { Forget(state, fd); });
  state.registry.ClearRange(first, last);
}

}  // namespace preload
}  // namespace yasmin
