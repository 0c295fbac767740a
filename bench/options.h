// yasmin-bench-native's command line.  Parsing is kept apart from main() so that it never
// prints or exits: reporting is the caller's, as for yasminctl.

#ifndef YASMIN_BENCH_OPTIONS_H_
#define YASMIN_BENCH_OPTIONS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace yasmin_bench {

// What a measurement moves bytes through.
enum class Transport {
  kMemcpy,      // one thread, memcpy() between two buffers of the message's size
  kMemcpyCold,  // the same, the buffers walking through a working set larger than the caches
  kRing,        // the module's ring engine between two processes (ring_channel.h)
  kRingSpin,    // the same, but a side about to sleep first polls for --spin-us: an
                // experiment, not what the module does
  kRingSplit,   // the same, but each enqueue and dequeue moves at most --split-bytes (and
                // a quarter of the ring): an experiment, not what the module does
  kUnix,        // an AF_UNIX SOCK_STREAM socketpair between two processes
  kTcp,         // TCP over 127.0.0.1 between two processes
};

enum class Metric {
  kThroughput,  // one way, as fast as it goes: MB/s
  kRtt,         // ping-pong: one message each way, round-trip time in microseconds
};

struct BenchOptions {
  std::vector<Transport> transports;
  std::vector<uint32_t> ring_sizes;  // bytes; each a power-of-two number of pages
  std::vector<size_t> msg_sizes;     // bytes, in the order measured
  std::vector<Metric> metrics;
  int reps = 3;
  double duration_s = 0.25;  // per measurement (one transport, size, metric and rep)
  size_t cold_bytes = 0;     // memcpy-cold's working set, source and destination together
  double spin_us = 50;       // ring-spin's polling before it sleeps
  uint32_t split_bytes = 64 * 1024;  // ring-split's most bytes per commit or consume
  bool verify = false;       // compare every byte received, not only the sequence stamps
  bool inject_corruption = false;  // the smoke test's check that a corrupted byte fails the run
  bool smoke = false;
  bool pin = true;           // the two processes on two different CPUs
  bool verbose = false;
  std::string csv_path;       // empty: stdout
  std::string markdown_path;  // empty: no summary
  std::string summarize_path; // measure nothing: summarise this CSV instead
  bool show_help = false;
};

// Either the parsed options or, when error is not empty, why the command line was rejected.
struct ParsedCommandLine {
  BenchOptions options;
  std::string error;

  bool ok() const { return error.empty(); }
};

// argv[0] is the program name and is ignored, as in main().
ParsedCommandLine ParseCommandLine(int argc, const char* const argv[]);

// The --help text, ending in a newline.
std::string UsageText();

// Names as on the command line and in the CSV.
const char* TransportName(Transport transport);
const char* MetricName(Metric metric);

// "4096", "4K", "4KiB", "2M": bytes, binary multiples.  False if text is none of these.
bool ParseByteCount(const std::string& text, uint64_t* bytes);

// 4096 -> "4K", 1048576 -> "1M", 100 -> "100": the shortest exact form.
std::string FormatByteCount(uint64_t bytes);

}  // namespace yasmin_bench

#endif  // YASMIN_BENCH_OPTIONS_H_
