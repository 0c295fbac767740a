#include "summary.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "options.h"  // FormatByteCount

namespace yasmin_bench {
namespace {

// A column of a table: one transport, and for the ring one ring size.
struct Series {
  std::string transport;
  uint32_t ring_size = 0;

  bool operator<(const Series& other) const {
    return std::make_tuple(Rank(), transport, ring_size) <
           std::make_tuple(other.Rank(), other.transport, other.ring_size);
  }
  bool operator==(const Series& other) const {
    return transport == other.transport && ring_size == other.ring_size;
  }
  // The bound first, then the ring, then what it replaces.
  int Rank() const {
    static const char* const kOrder[] = {"memcpy", "memcpy-cold", "ring", "ring-spin",
                                         "ring-split", "unix", "tcp"};
    for (int i = 0; i < 7; i++) {
      if (transport == kOrder[i]) return i;
    }
    return 7;
  }
  std::string Label() const {
    if (ring_size == 0) return transport;
    return transport + " " + FormatByteCount(ring_size);
  }
};

struct Stats {
  double median = 0, min = 0, max = 0;
  size_t count = 0;
};

std::string Number(double value) {
  char text[32];
  if (value >= 100) {
    std::snprintf(text, sizeof(text), "%.0f", value);
  } else if (value >= 10) {
    std::snprintf(text, sizeof(text), "%.1f", value);
  } else if (value >= 0.01 || value == 0) {
    std::snprintf(text, sizeof(text), "%.2f", value);
  } else {
    std::snprintf(text, sizeof(text), "%.2g", value);
  }
  return text;
}

std::string Cell(const Stats& stats) {
  if (stats.count == 0) return "–";
  if (stats.count == 1) return Number(stats.median);
  return Number(stats.median) + " (" + Number(stats.min) + "–" + Number(stats.max) + ")";
}

std::string Ratio(const Stats& numerator, const Stats& denominator) {
  if (numerator.count == 0 || denominator.count == 0 || denominator.median == 0) return "–";
  char text[32];
  std::snprintf(text, sizeof(text), "%.2f", numerator.median / denominator.median);
  return text;
}

std::string SizeLabel(uint64_t bytes) {
  const std::string short_form = FormatByteCount(bytes);
  if (short_form.back() >= '0' && short_form.back() <= '9') return short_form + " B";
  return short_form.substr(0, short_form.size() - 1) + " " + short_form.back() + "iB";
}

class Summary {
 public:
  explicit Summary(const std::vector<Sample>& samples) {
    for (const Sample& sample : samples) {
      const Series series{sample.transport, sample.ring_size};
      values_[{sample.metric, series, sample.msg_size}].push_back(sample.value);
      units_.emplace(sample.metric, sample.unit);
      if (std::find(metrics_.begin(), metrics_.end(), sample.metric) == metrics_.end()) {
        metrics_.push_back(sample.metric);
      }
      reps_.insert(sample.rep);
    }
    // The two main metrics first, the ring's counters after them.
    std::stable_partition(metrics_.begin(), metrics_.end(),
                          [](const std::string& m) { return m == "throughput" || m == "rtt"; });
    std::stable_partition(metrics_.begin(), metrics_.end(),
                          [](const std::string& m) { return m == "throughput"; });
  }

  std::string Markdown() const {
    std::ostringstream out;
    out << "Each cell: the median of " << reps_.size()
        << " repetitions, and their range (min–max).  Ratios are of medians, of the ring ("
        << FormatByteCount(kReferenceRingSize)
        << " if measured) to the other transport: above 1 the ring is faster for throughput,"
        << " below 1 it is faster for rtt.\n";
    for (const std::string& metric : metrics_) out << "\n" << Table(metric);
    return out.str();
  }

 private:
  using Key = std::tuple<std::string, Series, uint64_t>;  // metric, series, message size

  Stats StatsOf(const std::string& metric, const Series& series, uint64_t size) const {
    Stats stats;
    const auto found = values_.find({metric, series, size});
    if (found == values_.end()) return stats;
    const std::vector<double>& values = found->second;
    stats.count = values.size();
    stats.median = Median(values);
    stats.min = *std::min_element(values.begin(), values.end());
    stats.max = *std::max_element(values.begin(), values.end());
    return stats;
  }

  std::string Title(const std::string& metric) const {
    const std::string unit = units_.count(metric) ? units_.at(metric) : "";
    if (metric == "throughput") return "Throughput, one way (" + unit + ")";
    if (metric == "rtt") return "Ping-pong round-trip time (" + unit + ")";
    return metric + " (" + unit + ")";
  }

  std::string Table(const std::string& metric) const {
    std::set<Series> series_set;
    std::set<uint64_t> sizes;
    for (const auto& [key, values] : values_) {
      if (std::get<0>(key) != metric) continue;
      series_set.insert(std::get<1>(key));
      sizes.insert(std::get<2>(key));
    }
    const std::vector<Series> series(series_set.begin(), series_set.end());

    // The ratios: the reference ring against each of the others it replaces or is bound by.
    const Series* ring = nullptr;
    for (const Series& s : series) {
      if (s.transport == "ring" && (ring == nullptr || s.ring_size == kReferenceRingSize)) {
        ring = &s;
      }
    }
    std::vector<Series> others;
    if (ring != nullptr && (metric == "throughput" || metric == "rtt")) {
      for (const char* other : {"memcpy", "unix", "tcp"}) {
        const Series s{other, 0};
        if (series_set.count(s)) others.push_back(s);
      }
    }

    std::ostringstream out;
    out << "### " << Title(metric) << "\n\n| size |";
    for (const Series& s : series) out << " " << s.Label() << " |";
    for (const Series& s : others) out << " " << ring->Label() << " / " << s.Label() << " |";
    out << "\n|---:|";
    for (size_t i = 0; i < series.size() + others.size(); i++) out << "---:|";
    out << "\n";
    for (uint64_t size : sizes) {
      out << "| " << SizeLabel(size) << " |";
      for (const Series& s : series) out << " " << Cell(StatsOf(metric, s, size)) << " |";
      for (const Series& s : others) {
        out << " " << Ratio(StatsOf(metric, *ring, size), StatsOf(metric, s, size)) << " |";
      }
      out << "\n";
    }
    return out.str();
  }

  std::map<Key, std::vector<double>> values_;
  std::map<std::string, std::string> units_;
  std::vector<std::string> metrics_;
  std::set<int> reps_;
};

}  // namespace

double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t middle = values.size() / 2;
  if (values.size() % 2 == 1) return values[middle];
  return (values[middle - 1] + values[middle]) / 2;
}

std::string SummarizeMarkdown(const std::vector<Sample>& samples) {
  return Summary(samples).Markdown();
}

}  // namespace yasmin_bench
