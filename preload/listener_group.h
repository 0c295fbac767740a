// The sockets behind one converted listener (listen_redirect.h): the program's TCP listening
// socket and the AF_VSOCK listener on the same port, each at a private descriptor number, and
// the epoll instance at the program's number that watches them both.
//
// Every descriptor number of the program that refers to that epoll instance (the one listen()
// converted, and its dup()s) holds a reference; closing the last one closes the private
// descriptors, which frees the TCP and vsock ports as closing the listener would without the
// library.  Reference counts are per process: fork() copies the descriptors and the memory
// together, so each process closes its own copies.
//
// A private descriptor is closed only if it still holds the socket it was given (its inode is
// compared): a program that closed it behind our back and got the number again for something
// of its own keeps that.

#ifndef YASMIN_PRELOAD_LISTENER_GROUP_H_
#define YASMIN_PRELOAD_LISTENER_GROUP_H_

#include <atomic>
#include <cstdint>

namespace yasmin {
namespace preload {

struct ListenerGroup {
  int tcp_fd = -1;
  int vsock_fd = -1;
  uint64_t tcp_ino = 0;
  uint64_t vsock_ino = 0;
  std::atomic<int> references{1};
  // Which of the two accept() tries first, alternately, so that neither starves the other.
  std::atomic<unsigned> turn{0};
#ifdef YASMIN_PRELOAD_TESTING
  // The testing build's AF_UNIX stand-in for the vsock listener: its path, removed on close.
  char test_unix_path[108] = {};
#endif
};

// One more program descriptor refers to the group.
void AcquireListenerGroup(ListenerGroup* group);
// One fewer; the last closes the private descriptors and frees the group.
void ReleaseListenerGroup(ListenerGroup* group);

// The lowest number for private descriptors: high, out of the way of programs that expect the
// lowest free numbers (and below select()'s FD_SETSIZE, which they never meet).
int PrivateDescriptorFloor();

}  // namespace preload
}  // namespace yasmin

#endif  // YASMIN_PRELOAD_LISTENER_GROUP_H_
