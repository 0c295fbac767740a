// The two measurements between two processes, the same for every transport (a Connection):
//
//   throughput  the parent sends messages of the size back to back for the duration, then
//               closes its sending side; the child reads them a message at a time, checks
//               them, and answers with how many it got.  Rate = bytes / (the parent's first
//               send .. the child's answer): everything sent was also received.
//   rtt         ping-pong: the parent sends a message, the child reads it whole and sends it
//               back, the parent reads it whole; after two untimed round trips, round trips
//               for the duration.  Value = mean round-trip time of one measurement.
//
// Each measurement forks a fresh child and opens a fresh connection: nothing carries over from
// one measurement to the next.  Both processes start by exchanging a "ready" message, so that
// neither process start-up nor connection set-up is timed.

#ifndef YASMIN_BENCH_MEASURE_PAIR_H_
#define YASMIN_BENCH_MEASURE_PAIR_H_

#include <cstddef>
#include <cstdint>
#include <stdexcept>

#include "channel.h"

namespace yasmin_bench {

// A measurement that went wrong: corrupted data, a process that failed or died.
class MeasurementError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct PairSettings {
  size_t msg_size = 1;
  double duration_s = 0.25;
  bool verify = false;  // every byte, not only the stamps (message.h)
  bool inject_corruption = false;  // the child flips a byte of message 1 before checking it
  int child_cpu = -1;   // pin the child there; -1: leave it to the scheduler
};

struct PairResult {
  double value = 0;       // MB/s (10^6 bytes per second) or microseconds per round trip
  uint64_t messages = 0;  // messages the parent sent, untimed ones included
};

// Throws MeasurementError or ChannelError.
PairResult MeasureThroughput(Connection* connection, const PairSettings& settings);
PairResult MeasureRtt(Connection* connection, const PairSettings& settings);

}  // namespace yasmin_bench

#endif  // YASMIN_BENCH_MEASURE_PAIR_H_
