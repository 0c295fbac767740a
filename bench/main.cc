// yasmin-bench-native: yasmin's ring engine natively on this machine against memcpy, AF_UNIX
// and TCP loopback (docs/bench-native.md).  main() runs the measurements in an interleaved
// order, every repetition a full pass over sizes and transports, so that a machine that drifts
// during the run drifts for all of them alike; it writes the CSV as it goes.

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cpus.h"
#include "measure_pair.h"
#include "memcpy_bench.h"
#include "options.h"
#include "results.h"
#include "ring_channel.h"
#include "socket_channel.h"
#include "summary.h"

namespace yasmin_bench {
namespace {

constexpr int kExitSuccess = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// One point of the run: a transport (and ring size) at a message size and metric.
struct Point {
  Transport transport;
  uint32_t ring_size;  // 0 unless a ring
  size_t msg_size;
  Metric metric;
};

class Runner {
 public:
  Runner(const BenchOptions& options, CsvWriter* csv, std::vector<Sample>* samples)
      : options_(options), csv_(csv), samples_(samples) {}

  // False (reported on stderr) on the first failure.
  bool Run() {
    if (!SetUpCpus()) return false;
    for (int rep = 1; rep <= options_.reps; rep++) {
      for (size_t size : options_.msg_sizes) {
        for (Transport transport : options_.transports) {
          for (uint32_t ring_size : RingSizesOf(transport)) {
            for (Metric metric : options_.metrics) {
              const Point point{transport, ring_size, size, metric};
              if (IsMemcpy(transport) && metric == Metric::kRtt) continue;  // no round trip
              if (!Measure(point, rep)) return false;
            }
          }
        }
      }
    }
    return true;
  }

 private:
  static bool IsRing(Transport t) {
    return t == Transport::kRing || t == Transport::kRingSpin || t == Transport::kRingSplit;
  }

  static bool IsMemcpy(Transport t) {
    return t == Transport::kMemcpy || t == Transport::kMemcpyCold;
  }

  std::vector<uint32_t> RingSizesOf(Transport transport) const {
    if (IsRing(transport)) return options_.ring_sizes;
    return {0};
  }

  // This process on the first allowed CPU, each child on the second.
  bool SetUpCpus() {
    if (!options_.pin) return true;
    const std::vector<int> cpus = AllowedCpus();
    if (cpus.size() < 2) {
      std::cerr << "yasmin-bench-native: fewer than two CPUs allowed; not pinning\n";
      return true;
    }
    if (!PinToCpu(cpus[0])) {
      std::cerr << "yasmin-bench-native: cannot pin to CPU " << cpus[0] << ": "
                << std::strerror(errno) << "\n";
      return false;
    }
    child_cpu_ = cpus[1];
    return true;
  }

  bool Measure(const Point& point, int rep) {
    try {
      MeasureOrThrow(point, rep);
      return true;
    } catch (const std::exception& e) {
      std::cerr << "yasmin-bench-native: " << Describe(point) << ", rep " << rep << ": "
                << e.what() << "\n";
      return false;
    }
  }

  void MeasureOrThrow(const Point& point, int rep) {
    if (IsMemcpy(point.transport)) {
      MemcpySettings settings;
      settings.msg_size = point.msg_size;
      settings.duration_s = options_.duration_s;
      settings.verify = options_.verify;
      settings.inject_corruption = options_.inject_corruption;
      if (point.transport == Transport::kMemcpyCold) settings.working_set = options_.cold_bytes;
      Record(point, rep, MetricName(point.metric), MeasureMemcpy(settings), "MB/s");
      return;
    }

    PairSettings settings;
    settings.msg_size = point.msg_size;
    settings.duration_s = options_.duration_s;
    settings.verify = options_.verify;
    settings.inject_corruption = options_.inject_corruption;
    settings.child_cpu = child_cpu_;

    std::unique_ptr<Connection> connection;
    RingConnection* ring = nullptr;
    if (IsRing(point.transport)) {
      RingConnection::Variant variant;
      if (point.transport == Transport::kRingSpin) variant.spin_us = options_.spin_us;
      if (point.transport == Transport::kRingSplit) {
        // At least four pieces per ring, so that a side always has some to work on while
        // the other wakes up.
        variant.split_bytes = std::min(options_.split_bytes, point.ring_size / 4);
      }
      auto ring_connection = std::make_unique<RingConnection>(point.ring_size, variant);
      ring = ring_connection.get();
      connection = std::move(ring_connection);
    } else if (point.transport == Transport::kUnix) {
      connection = MakeUnixConnection();
    } else {
      connection = MakeTcpConnection();
    }

    const bool throughput = point.metric == Metric::kThroughput;
    const PairResult result = throughput ? MeasureThroughput(connection.get(), settings)
                                         : MeasureRtt(connection.get(), settings);
    Record(point, rep, MetricName(point.metric), result.value, throughput ? "MB/s" : "us");

    if (ring != nullptr) {
      // What the ring's notification logic cost, both sides together, per message or round
      // trip: notifies (the module's events_sent: commits and consumes the other side was
      // waiting for), events (eventfd writes, the event channel sends: fewer when the
      // doorbell found one on its way) and waits (sleeps).
      const RingCounters a = ring->Counters(Side::kParent);
      const RingCounters b = ring->Counters(Side::kChild);
      const double per = static_cast<double>(result.messages);
      const std::string prefix = MetricName(point.metric);
      const char* unit = throughput ? "per_msg" : "per_round_trip";
      Record(point, rep, prefix + "_notifies", (a.events_sent + b.events_sent) / per, unit);
      Record(point, rep, prefix + "_events", (a.evtchn_sends + b.evtchn_sends) / per, unit);
      Record(point, rep, prefix + "_waits", (a.waits + b.waits) / per, unit);
    }
  }

  void Record(const Point& point, int rep, const std::string& metric, double value,
              const char* unit) {
    // Rates and times are positive; counters may be zero.
    const bool counter = metric != "throughput" && metric != "rtt";
    if (!std::isfinite(value) || value < 0 || (!counter && value == 0)) {
      throw MeasurementError("implausible " + metric + " value " + std::to_string(value));
    }
    Sample sample;
    sample.transport = TransportName(point.transport);
    sample.ring_size = point.ring_size;
    sample.msg_size = point.msg_size;
    sample.metric = metric;
    sample.rep = rep;
    sample.value = CsvRounded(value);
    sample.unit = unit;
    if (!csv_->Write(sample)) throw MeasurementError("cannot write the CSV");
    samples_->push_back(sample);
    if (options_.verbose) {
      std::cerr << "rep " << rep << "/" << options_.reps << "  " << Describe(point) << "  "
                << metric << " " << value << " " << unit << "\n";
    }
  }

  static std::string Describe(const Point& point) {
    std::string text = TransportName(point.transport);
    if (point.ring_size != 0) text += " " + FormatByteCount(point.ring_size);
    return text + ", " + std::to_string(point.msg_size) + " B, " + MetricName(point.metric);
  }

  const BenchOptions& options_;
  CsvWriter* const csv_;
  std::vector<Sample>* const samples_;
  int child_cpu_ = -1;
};

bool WriteMarkdown(const std::string& path, const std::vector<Sample>& samples) {
  const std::string markdown = SummarizeMarkdown(samples);
  if (path.empty()) {
    std::cout << markdown << std::flush;
    return static_cast<bool>(std::cout);
  }
  std::ofstream out(path);
  out << markdown;
  out.close();
  if (!out) std::cerr << "yasmin-bench-native: cannot write " << path << "\n";
  return static_cast<bool>(out);
}

int Summarize(const BenchOptions& options) {
  std::vector<Sample> samples;
  std::string error;
  if (!ReadCsv(options.summarize_path, &samples, &error)) {
    std::cerr << "yasmin-bench-native: " << error << "\n";
    return kExitFailure;
  }
  if (samples.empty()) {
    std::cerr << "yasmin-bench-native: " << options.summarize_path << ": no results\n";
    return kExitFailure;
  }
  return WriteMarkdown(options.markdown_path, samples) ? kExitSuccess : kExitFailure;
}

int Main(int argc, char* argv[]) {
  const ParsedCommandLine command_line = ParseCommandLine(argc, argv);
  if (!command_line.ok()) {
    std::cerr << "yasmin-bench-native: " << command_line.error << "\n"
              << "Try 'yasmin-bench-native --help' for more information.\n";
    return kExitUsage;
  }
  const BenchOptions& options = command_line.options;
  if (options.show_help) {
    std::cout << UsageText();
    return kExitSuccess;
  }
  if (!options.summarize_path.empty()) return Summarize(options);

  std::FILE* out = stdout;
  if (!options.csv_path.empty()) {
    out = std::fopen(options.csv_path.c_str(), "w");
    if (out == nullptr) {
      std::cerr << "yasmin-bench-native: cannot write " << options.csv_path << ": "
                << std::strerror(errno) << "\n";
      return kExitFailure;
    }
  }
  CsvWriter csv(out);
  std::vector<Sample> samples;
  bool ok = csv.ok() && Runner(options, &csv, &samples).Run();
  if (out != stdout && std::fclose(out) != 0) ok = false;
  if (!csv.ok()) std::cerr << "yasmin-bench-native: cannot write the CSV\n";
  if (ok && !options.markdown_path.empty()) ok = WriteMarkdown(options.markdown_path, samples);
  if (ok && options.smoke) {
    std::cerr << "yasmin-bench-native: smoke run passed: " << samples.size()
              << " values, every message checked" << (options.verify ? " byte by byte" : "")
              << "\n";
  }
  return ok ? kExitSuccess : kExitFailure;
}

}  // namespace
}  // namespace yasmin_bench

int main(int argc, char* argv[]) { return yasmin_bench::Main(argc, argv); }
