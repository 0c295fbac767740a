// Which CPUs the measurement's processes run on.  Two co-located guests run on two vCPUs, so
// by default the two processes of a measurement are pinned to two different CPUs, every
// transport alike; left to itself the scheduler may put a ping-pong's two processes on one
// CPU for one transport and on two for another.

#ifndef YASMIN_BENCH_CPUS_H_
#define YASMIN_BENCH_CPUS_H_

#include <string>
#include <vector>

namespace yasmin_bench {

// The CPUs this process may run on, in increasing order.
std::vector<int> AllowedCpus();

// Pins the calling process to cpu; false (errno set) if the kernel refuses.
bool PinToCpu(int cpu);

}  // namespace yasmin_bench

#endif  // YASMIN_BENCH_CPUS_H_
