// The kernel's socket transports the ring is compared with: an AF_UNIX SOCK_STREAM socketpair
// and TCP over the loopback interface (127.0.0.1, TCP_NODELAY on both ends, default buffer
// sizes), each between the two processes of a measurement.

#ifndef YASMIN_BENCH_SOCKET_CHANNEL_H_
#define YASMIN_BENCH_SOCKET_CHANNEL_H_

#include <memory>

#include "channel.h"

namespace yasmin_bench {

std::unique_ptr<Connection> MakeUnixConnection();
std::unique_ptr<Connection> MakeTcpConnection();

}  // namespace yasmin_bench

#endif  // YASMIN_BENCH_SOCKET_CHANNEL_H_
