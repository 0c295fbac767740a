// A connection between the two processes of a measurement, as its users see it: a reliable
// byte stream each way, like a SOCK_STREAM socket.  Each transport is one implementation
// (socket_channel.h, ring_channel.h).
//
// A Connection is made before fork(), so that both processes inherit what it set up (a
// socketpair, a listening socket, shared memory); after fork() each process opens its own end
// with Open() and uses only that.

#ifndef YASMIN_BENCH_CHANNEL_H_
#define YASMIN_BENCH_CHANNEL_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

namespace yasmin_bench {

// Every failure of a channel: the process reports it and exits non-zero.
class ChannelError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Which process an end belongs to: the one that measures (the parent) or the other.
enum class Side { kParent = 0, kChild = 1 };

class Channel {
 public:
  virtual ~Channel() = default;

  // Sends all len bytes, waiting for room as long as it takes.
  virtual void Send(const uint8_t* data, size_t len) = 0;

  // Receives exactly len bytes.  False if the peer closed its sending side before the first
  // of them; the peer closing in the middle of them is an error.
  virtual bool Recv(uint8_t* data, size_t len) = 0;

  // No more Send(): the peer's Recv() returns false once it has read everything sent.
  virtual void CloseWrite() = 0;
};

class Connection {
 public:
  virtual ~Connection() = default;

  // Called once in each process after fork().
  virtual std::unique_ptr<Channel> Open(Side side) = 0;
};

}  // namespace yasmin_bench

#endif  // YASMIN_BENCH_CHANNEL_H_
