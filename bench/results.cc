#include "results.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace yasmin_bench {
namespace {

constexpr size_t kColumns = 7;

std::vector<std::string> SplitFields(const std::string& line) {
  std::vector<std::string> fields;
  std::string field;
  std::istringstream stream(line);
  while (std::getline(stream, field, ',')) fields.push_back(field);
  if (!line.empty() && line.back() == ',') fields.push_back("");
  return fields;
}

bool IsName(const std::string& text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
          c == '/' || (c >= 'A' && c <= 'Z'))) {
      return false;
    }
  }
  return true;
}

bool ParseUnsigned(const std::string& text, uint64_t max, uint64_t* value) {
  if (text.empty() || text.size() > 20) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  errno = 0;
  const unsigned long long parsed = std::strtoull(text.c_str(), nullptr, 10);
  if (errno != 0 || parsed > max) return false;
  *value = parsed;
  return true;
}

bool ParseValue(const std::string& text, double* value) {
  if (text.empty()) return false;
  char* end = nullptr;
  errno = 0;
  *value = std::strtod(text.c_str(), &end);
  return errno == 0 && *end == '\0' && std::isfinite(*value) && *value >= 0;
}

// One data line into *sample, or why not.
std::string ParseLine(const std::string& line, Sample* sample) {
  const std::vector<std::string> fields = SplitFields(line);
  if (fields.size() != kColumns) {
    return std::to_string(fields.size()) + " fields instead of " + std::to_string(kColumns);
  }
  uint64_t number = 0;
  if (!IsName(fields[0])) return "bad transport '" + fields[0] + "'";
  sample->transport = fields[0];
  if (fields[1].empty()) {
    sample->ring_size = 0;
  } else if (ParseUnsigned(fields[1], UINT32_MAX, &number) && number > 0) {
    sample->ring_size = static_cast<uint32_t>(number);
  } else {
    return "bad ring_size '" + fields[1] + "'";
  }
  if (!ParseUnsigned(fields[2], UINT64_MAX, &sample->msg_size) || sample->msg_size == 0) {
    return "bad msg_size '" + fields[2] + "'";
  }
  if (!IsName(fields[3])) return "bad metric '" + fields[3] + "'";
  sample->metric = fields[3];
  if (!ParseUnsigned(fields[4], 1000000, &number) || number == 0) {
    return "bad rep '" + fields[4] + "'";
  }
  sample->rep = static_cast<int>(number);
  if (!ParseValue(fields[5], &sample->value)) return "bad value '" + fields[5] + "'";
  if (!IsName(fields[6])) return "bad unit '" + fields[6] + "'";
  sample->unit = fields[6];
  return "";
}

}  // namespace

const char kCsvHeader[] = "transport,ring_size,msg_size,metric,rep,value,unit";

double CsvRounded(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.6g", value);
  return std::strtod(text, nullptr);
}

CsvWriter::CsvWriter(std::FILE* out) : out_(out) {
  ok_ = std::fprintf(out_, "%s\n", kCsvHeader) > 0 && std::fflush(out_) == 0;
}

bool CsvWriter::Write(const Sample& sample) {
  const std::string ring = sample.ring_size == 0 ? "" : std::to_string(sample.ring_size);
  if (std::fprintf(out_, "%s,%s,%llu,%s,%d,%.6g,%s\n", sample.transport.c_str(), ring.c_str(),
                   static_cast<unsigned long long>(sample.msg_size), sample.metric.c_str(),
                   sample.rep, sample.value, sample.unit.c_str()) < 0 ||
      std::fflush(out_) != 0) {
    ok_ = false;
  }
  return ok_;
}

bool ReadCsv(const std::string& path, std::vector<Sample>* samples, std::string* error) {
  std::ifstream in(path);
  if (!in) {
    *error = path + ": cannot open";
    return false;
  }
  std::string line;
  if (!std::getline(in, line) || line != kCsvHeader) {
    *error = path + ":1: the header is not '" + std::string(kCsvHeader) + "'";
    return false;
  }
  for (int number = 2; std::getline(in, line); number++) {
    Sample sample;
    const std::string why = ParseLine(line, &sample);
    if (!why.empty()) {
      *error = path + ":" + std::to_string(number) + ": " + why;
      return false;
    }
    samples->push_back(sample);
  }
  if (in.bad()) {
    *error = path + ": read error";
    return false;
  }
  return true;
}

}  // namespace yasmin_bench
