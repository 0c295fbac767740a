// The benchmark's results as rows of its CSV, one value per row:
//   transport,ring_size,msg_size,metric,rep,value,unit
// ring_size is empty for transports without a ring; rep counts from 1.  Writing and reading
// are both here, so that the summary of a run just made and of an old CSV are the same code.

#ifndef YASMIN_BENCH_RESULTS_H_
#define YASMIN_BENCH_RESULTS_H_

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace yasmin_bench {

struct Sample {
  std::string transport;   // memcpy, memcpy-cold, ring, unix, tcp
  uint32_t ring_size = 0;  // bytes; 0 for transports without a ring
  uint64_t msg_size = 0;   // bytes
  std::string metric;      // throughput, rtt, or one of the ring's counters per message
  int rep = 0;
  double value = 0;
  std::string unit;        // MB/s, us, per_msg, per_round_trip
};

extern const char kCsvHeader[];  // without the newline

// value as the CSV writes it (6 significant digits), so that a summary made from the samples
// of a run is the summary of its CSV.
double CsvRounded(double value);

// Writes the header, then a line per Write(), flushed at once: an interrupted run keeps what
// it measured.
class CsvWriter {
 public:
  explicit CsvWriter(std::FILE* out);
  // False once a write failed (a full disk, a closed pipe).
  bool Write(const Sample& sample);
  bool ok() const { return ok_; }

 private:
  std::FILE* out_;
  bool ok_ = true;
};

// The rows of a CSV in the format above; on a malformed line, false and error says where.
bool ReadCsv(const std::string& path, std::vector<Sample>* samples, std::string* error);

}  // namespace yasmin_bench

#endif  // YASMIN_BENCH_RESULTS_H_
