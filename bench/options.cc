#include "options.h"

#include <cmath>
#include <sstream>

#include <boost/program_options.hpp>

extern "C" {
#include <yasmin/contract.h>
}

namespace po = boost::program_options;

namespace yasmin_bench {
namespace {

constexpr uint64_t kKiB = 1024;
constexpr uint64_t kMiB = 1024 * kKiB;
constexpr uint64_t kGiB = 1024 * kMiB;

// Largest message: a send buffer and a receive buffer of this size per process.
constexpr uint64_t kMaxMessageSize = 256 * kMiB;

struct TransportEntry {
  Transport transport;
  const char* name;
};

constexpr TransportEntry kTransports[] = {
    {Transport::kMemcpy, "memcpy"}, {Transport::kMemcpyCold, "memcpy-cold"},
    {Transport::kRing, "ring"},     {Transport::kRingSpin, "ring-spin"},
    {Transport::kRingSplit, "ring-split"},
    {Transport::kUnix, "unix"},     {Transport::kTcp, "tcp"},
};

// What a plain run measures, and what --smoke measures instead: both metrics in both, and
// every transport (the ring's experiments too in a smoke run), but a smoke run takes a few
// seconds.  Its sizes are chosen to exercise the ring: a byte, an odd size, one that
// straddles pages, a whole 64 KiB ring and a message sixteen times that ring.
const std::string kDefaultTransports = "memcpy,memcpy-cold,ring,unix,tcp";
const std::string kSmokeTransports = "memcpy,memcpy-cold,ring,ring-spin,ring-split,unix,tcp";
const std::string kDefaultRingSizes = "512K";
const std::string kDefaultMetrics = "throughput,rtt";
const std::string kSmokeSizes = "1,7,4097,64K,1M";
const std::string kSmokeRingSizes = "64K,512K";
constexpr double kSmokeDuration = 0.005;
const std::string kDefaultColdBytes = "1G";
const std::string kSmokeColdBytes = "16M";

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> items;
  std::string item;
  std::istringstream stream(text);
  while (std::getline(stream, item, ',')) items.push_back(item);
  if (!text.empty() && text.back() == ',') items.push_back("");
  return items;
}

std::string ParseTransports(const std::string& text, std::vector<Transport>* transports) {
  for (const std::string& name : SplitList(text)) {
    bool found = false;
    for (const TransportEntry& entry : kTransports) {
      if (name == entry.name) {
        transports->push_back(entry.transport);
        found = true;
      }
    }
    if (!found) {
      return "--transports: unknown transport '" + name +
             "' (memcpy, memcpy-cold, ring, ring-spin, ring-split, unix, tcp)";
    }
  }
  if (transports->empty()) return "--transports: no transport given";
  return "";
}

std::string ParseMetrics(const std::string& text, std::vector<Metric>* metrics) {
  for (const std::string& name : SplitList(text)) {
    if (name == "throughput") {
      metrics->push_back(Metric::kThroughput);
    } else if (name == "rtt") {
      metrics->push_back(Metric::kRtt);
    } else {
      return "--metrics: unknown metric '" + name + "' (throughput, rtt)";
    }
  }
  if (metrics->empty()) return "--metrics: no metric given";
  return "";
}

// The contract's ring sizes: a power of two of pages, one page to YASMIN_RING_MAX_PAGES.
std::string ParseRingSizes(const std::string& text, std::vector<uint32_t>* sizes) {
  for (const std::string& item : SplitList(text)) {
    uint64_t bytes = 0;
    if (!ParseByteCount(item, &bytes)) return "--ring-sizes: not a size: '" + item + "'";
    const uint64_t pages = bytes / YASMIN_PAGE_SIZE;
    if (bytes % YASMIN_PAGE_SIZE != 0 || pages < YASMIN_RING_MIN_PAGES ||
        pages > YASMIN_RING_MAX_PAGES || (pages & (pages - 1)) != 0) {
      return "--ring-sizes: '" + item + "' is not a power-of-two number of 4 KiB pages from " +
             FormatByteCount(uint64_t{YASMIN_RING_MIN_PAGES} * YASMIN_PAGE_SIZE) + " to " +
             FormatByteCount(uint64_t{YASMIN_RING_MAX_PAGES} * YASMIN_PAGE_SIZE);
    }
    sizes->push_back(static_cast<uint32_t>(bytes));
  }
  if (sizes->empty()) return "--ring-sizes: no size given";
  return "";
}

std::string ParseMessageSizes(const std::string& text, std::vector<size_t>* sizes) {
  for (const std::string& item : SplitList(text)) {
    uint64_t bytes = 0;
    if (!ParseByteCount(item, &bytes) || bytes == 0 || bytes > kMaxMessageSize) {
      return "--sizes: '" + item + "' is not a size from 1 byte to " +
             FormatByteCount(kMaxMessageSize);
    }
    sizes->push_back(bytes);
  }
  if (sizes->empty()) return "--sizes: no size given";
  return "";
}

// 1, step, step^2, ... up to max_size inclusive.
std::string SeriesSizes(const std::string& series, uint64_t max_size,
                        std::vector<size_t>* sizes) {
  uint64_t step = 0;
  if (series == "pow2") {
    step = 2;
  } else if (series == "pow4") {
    step = 4;
  } else {
    return "--series: unknown series '" + series + "' (pow2, pow4)";
  }
  for (uint64_t size = 1; size <= max_size; size *= step) sizes->push_back(size);
  return "";
}

po::options_description Describe(BenchOptions* options, std::string* transports,
                                 std::string* ring_sizes, std::string* sizes,
                                 std::string* series, std::string* max_size,
                                 std::string* metrics, std::string* cold_bytes,
                                 std::string* split_bytes, bool* no_pin) {
  po::options_description description("Options");
  description.add_options()
      ("transports", po::value(transports)->value_name("LIST")->default_value(kDefaultTransports),
       "what to measure, comma-separated: memcpy, memcpy-cold, ring, unix, tcp; and two "
       "experiments: ring-spin, the ring polling --spin-us before each sleep, and ring-split, "
       "the ring committing and consuming at most --split-bytes at a time")
      ("spin-us", po::value(&options->spin_us)->value_name("US")
                      ->default_value(options->spin_us),
       "how long ring-spin polls the ring before it sleeps")
      ("split-bytes", po::value(split_bytes)->value_name("SIZE")->default_value("64K"),
       "the most ring-split copies before it commits (or consumes) and notifies; at most a "
       "quarter of the ring")
      ("ring-sizes", po::value(ring_sizes)->value_name("LIST")->default_value(kDefaultRingSizes),
       "ring sizes for the ring transport, e.g. 64K,512K,2M (4K to 2M, powers of two)")
      ("sizes", po::value(sizes)->value_name("LIST"),
       "message sizes, e.g. 1,64,4K,1M (instead of --series)")
      ("series", po::value(series)->value_name("SERIES")->default_value("pow4"),
       "message sizes 1 B to --max-size: pow4 (1, 4, 16, ...) or pow2 (1, 2, 4, ...)")
      ("max-size", po::value(max_size)->value_name("SIZE")->default_value("4M"),
       "largest message size of the series")
      ("metrics", po::value(metrics)->value_name("LIST")->default_value(kDefaultMetrics),
       "throughput (one way, MB/s) and/or rtt (ping-pong round trip, us)")
      ("reps", po::value(&options->reps)->value_name("N")->default_value(options->reps),
       "repetitions of every measurement; the summary reports their median and range")
      ("duration", po::value(&options->duration_s)->value_name("SECONDS")
                       ->default_value(options->duration_s),
       "time per measurement (at least a few messages are always sent)")
      ("cold-bytes", po::value(cold_bytes)->value_name("SIZE")->default_value(kDefaultColdBytes),
       "memcpy-cold's working set, source and destination together")
      ("verify", po::bool_switch(&options->verify),
       "compare every byte received, not only the sequence stamps (slower; --smoke does)")
      ("inject-corruption", po::bool_switch(&options->inject_corruption),
       "for the smoke test: flip a byte of the second message received, so that the run "
       "must fail")
      ("no-pin", po::bool_switch(no_pin),
       "let the scheduler place the two processes (default: one on each of CPUs 0 and 1)")
      ("csv", po::value(&options->csv_path)->value_name("FILE"),
       "write the CSV here instead of to stdout")
      ("markdown", po::value(&options->markdown_path)->value_name("FILE"),
       "also write the summary tables (medians, ranges, ratios) as Markdown")
      ("summarize", po::value(&options->summarize_path)->value_name("CSV"),
       "measure nothing: read a CSV this program wrote and write its summary "
       "(to --markdown FILE, else stdout)")
      ("smoke", po::bool_switch(&options->smoke),
       "a quick self-check: tiny sizes and durations, every byte verified, every value "
       "checked; exit status 1 on any failure")
      ("verbose,v", po::bool_switch(&options->verbose), "report each measurement on stderr")
      ("help", po::bool_switch(&options->show_help), "print this help and exit");
  return description;
}

std::string Validate(const po::variables_map& values, BenchOptions* options,
                     const std::string& transports, const std::string& ring_sizes,
                     const std::string& sizes, const std::string& series,
                     const std::string& max_size, const std::string& metrics,
                     const std::string& cold_bytes, const std::string& split_bytes) {
  // --smoke changes the defaults only: what the user gives explicitly still counts.
  const auto given = [&values](const char* name) {
    return values.count(name) != 0 && !values[name].defaulted();
  };
  const bool smoke = options->smoke;

  std::string error = ParseTransports(
      smoke && !given("transports") ? kSmokeTransports : transports, &options->transports);
  if (error.empty()) {
    error = ParseRingSizes(smoke && !given("ring-sizes") ? kSmokeRingSizes : ring_sizes,
                           &options->ring_sizes);
  }
  if (error.empty()) error = ParseMetrics(metrics, &options->metrics);
  if (!error.empty()) return error;

  if (given("sizes") && (given("series") || given("max-size"))) {
    return "--sizes cannot be combined with --series or --max-size";
  }
  if (given("sizes")) {
    error = ParseMessageSizes(sizes, &options->msg_sizes);
  } else if (smoke && !given("series") && !given("max-size")) {
    error = ParseMessageSizes(kSmokeSizes, &options->msg_sizes);
  } else {
    uint64_t max_bytes = 0;
    if (!ParseByteCount(max_size, &max_bytes) || max_bytes == 0 ||
        max_bytes > kMaxMessageSize) {
      return "--max-size: '" + max_size + "' is not a size from 1 byte to " +
             FormatByteCount(kMaxMessageSize);
    }
    error = SeriesSizes(series, max_bytes, &options->msg_sizes);
  }
  if (!error.empty()) return error;

  uint64_t cold = 0;
  const std::string& cold_text = smoke && !given("cold-bytes") ? kSmokeColdBytes : cold_bytes;
  if (!ParseByteCount(cold_text, &cold) || cold < 2 * kMiB || cold > 64 * kGiB) {
    return "--cold-bytes: '" + cold_text + "' is not a size from 2M to 64G";
  }
  options->cold_bytes = cold;

  if (options->reps < 1 || options->reps > 1000) return "--reps: must be 1 to 1000";
  uint64_t split = 0;
  if (!ParseByteCount(split_bytes, &split) || split == 0 ||
      split > uint64_t{YASMIN_RING_MAX_PAGES} * YASMIN_PAGE_SIZE) {
    return "--split-bytes: '" + split_bytes + "' is not a size from 1 byte to 2M";
  }
  options->split_bytes = static_cast<uint32_t>(split);
  if (!std::isfinite(options->spin_us) || options->spin_us < 0 || options->spin_us > 1e6) {
    return "--spin-us: must be 0 to 1000000";
  }
  if (smoke && !given("duration")) options->duration_s = kSmokeDuration;
  if (!std::isfinite(options->duration_s) || options->duration_s <= 0 ||
      options->duration_s > 60) {
    return "--duration: must be more than 0 and at most 60 seconds";
  }
  if (smoke || options->inject_corruption) options->verify = true;
  if (!options->summarize_path.empty() && (smoke || given("csv"))) {
    return "--summarize measures nothing: it cannot be combined with --smoke or --csv";
  }
  return "";
}

}  // namespace

const char* TransportName(Transport transport) {
  for (const TransportEntry& entry : kTransports) {
    if (entry.transport == transport) return entry.name;
  }
  return "?";  // unreachable: every Transport has a name above
}

const char* MetricName(Metric metric) {
  return metric == Metric::kThroughput ? "throughput" : "rtt";
}

bool ParseByteCount(const std::string& text, uint64_t* bytes) {
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') digits++;
  if (digits == 0 || digits > 12) return false;
  const uint64_t value = std::stoull(text.substr(0, digits));  // < 10^12: no overflow
  const std::string suffix = text.substr(digits);
  uint64_t unit = 1;
  if (suffix == "K" || suffix == "KiB") {
    unit = kKiB;
  } else if (suffix == "M" || suffix == "MiB") {
    unit = kMiB;
  } else if (suffix == "G" || suffix == "GiB") {
    unit = kGiB;
  } else if (!suffix.empty()) {
    return false;
  }
  if (value > UINT64_MAX / unit) return false;
  *bytes = value * unit;
  return true;
}

std::string FormatByteCount(uint64_t bytes) {
  if (bytes != 0 && bytes % kGiB == 0) return std::to_string(bytes / kGiB) + "G";
  if (bytes != 0 && bytes % kMiB == 0) return std::to_string(bytes / kMiB) + "M";
  if (bytes != 0 && bytes % kKiB == 0) return std::to_string(bytes / kKiB) + "K";
  return std::to_string(bytes);
}

ParsedCommandLine ParseCommandLine(int argc, const char* const argv[]) {
  ParsedCommandLine result;
  std::string transports, ring_sizes, sizes, series, max_size, metrics, cold_bytes, split_bytes;
  bool no_pin = false;
  const po::options_description description =
      Describe(&result.options, &transports, &ring_sizes, &sizes, &series, &max_size, &metrics,
               &cold_bytes, &split_bytes, &no_pin);

  // No abbreviations: "--dur" may work today and become ambiguous when a flag is added.
  const int style = po::command_line_style::default_style &
                    ~po::command_line_style::allow_guessing;
  po::variables_map values;
  try {
    const po::parsed_options parsed =
        po::command_line_parser(argc, argv).options(description).style(style).run();
    // Boost hands back a stray word as an option without a name, which store() would drop.
    for (const po::option& option : parsed.options) {
      if (option.string_key.empty()) {
        result.error = "unexpected argument '" + option.original_tokens.front() + "'";
        return result;
      }
    }
    po::store(parsed, values);
    po::notify(values);
  } catch (const po::error& e) {
    result.error = e.what();
    return result;
  }
  if (result.options.show_help) return result;
  result.options.pin = !no_pin;
  result.error = Validate(values, &result.options, transports, ring_sizes, sizes, series,
                          max_size, metrics, cold_bytes, split_bytes);
  return result;
}

std::string UsageText() {
  BenchOptions unused_options;
  std::string unused;
  bool unused_flag = false;
  std::ostringstream text;
  text << "Usage: yasmin-bench-native [OPTIONS]\n"
       << "Measures, natively on this machine, yasmin's ring engine (guest-kmod/ring.c and\n"
       << "doorbell.c, the code the module runs) between two processes over shared memory with\n"
       << "an eventfd as the event channel, against single-thread memcpy, AF_UNIX and TCP over\n"
       << "loopback: one-way throughput and ping-pong round-trip time per message size.\n"
       << "Writes CSV: transport,ring_size,msg_size,metric,rep,value,unit.\n"
       << "See docs/bench-native.md.\n\n"
       << Describe(&unused_options, &unused, &unused, &unused, &unused, &unused, &unused,
                   &unused, &unused, &unused_flag)
       << "\nExit status: 0 done, 1 a measurement failed (data corrupted, a process died,\n"
       << "a value not positive), 2 bad command line.\n";
  return text.str();
}

}  // namespace yasmin_bench
