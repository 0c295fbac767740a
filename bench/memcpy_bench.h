// The bound the ring is compared with: one thread copying a message's bytes with memcpy(),
// what each of the ring's two copies does.
//
//   memcpy       the same source and destination buffers of the message's size over and over:
//                they stay in the caches as far as they fit, as an application's buffers do.
//   memcpy-cold  source and destination walk through a working set (--cold-bytes, default
//                1 GiB, beyond this machine's last-level cache): every copy reads and writes
//                memory the caches no longer hold.

#ifndef YASMIN_BENCH_MEMCPY_BENCH_H_
#define YASMIN_BENCH_MEMCPY_BENCH_H_

#include <cstddef>

namespace yasmin_bench {

struct MemcpySettings {
  size_t msg_size = 1;
  double duration_s = 0.25;
  size_t working_set = 0;  // 0: memcpy; else memcpy-cold with this many bytes
  bool verify = false;     // compare the last copy with its source
  bool inject_corruption = false;  // flip a byte of the last copy before comparing
};

// MB/s (10^6 bytes per second) copied.  Throws MeasurementError if the copy was wrong.
double MeasureMemcpy(const MemcpySettings& settings);

}  // namespace yasmin_bench

#endif  // YASMIN_BENCH_MEMCPY_BENCH_H_
