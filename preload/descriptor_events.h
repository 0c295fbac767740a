// The registry's bookkeeping when the program closes or duplicates descriptors: called by
// the wrappers of close, dup, dup2, dup3, fcntl(F_DUPFD*), close_range and closefrom after
// the C library's call succeeded.  Records move or go with the numbers; a listener's
// sockets (listener_group.h) are closed with the last number that refers to them.

#ifndef YASMIN_PRELOAD_DESCRIPTOR_EVENTS_H_
#define YASMIN_PRELOAD_DESCRIPTOR_EVENTS_H_

namespace yasmin {
namespace preload {

void AfterClose(int fd);
void AfterDup(int fd, int new_fd);
void AfterCloseRange(unsigned first, unsigned last, int flags);

}  // namespace preload
}  // namespace yasmin

#endif  // YASMIN_PRELOAD_DESCRIPTOR_EVENTS_H_
