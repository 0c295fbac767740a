// The summary of a run as Markdown, for docs/: per metric a table of message sizes against
// transports, each cell the median of the repetitions with their range (min-max), and the
// ratios of the medians of the ring to memcpy, AF_UNIX and TCP loopback.

#ifndef YASMIN_BENCH_SUMMARY_H_
#define YASMIN_BENCH_SUMMARY_H_

#include <string>
#include <vector>

#include "results.h"

namespace yasmin_bench {

// The ring size whose column the ratios use when a run measured several.
constexpr uint32_t kReferenceRingSize = 512 * 1024;

// Medians of an even count are the mean of the middle two.
double Median(std::vector<double> values);

std::string SummarizeMarkdown(const std::vector<Sample>& samples);

}  // namespace yasmin_bench

#endif  // YASMIN_BENCH_SUMMARY_H_
