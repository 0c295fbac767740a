#include "env_config.h"

#include <strings.h>
#include <unistd.h>

#include <cstdlib>

#include "raw_io.h"
#include "yasmin/contract.h"

namespace yasmin {
namespace preload {
namespace {

bool IsOneOf(const std::string& value, std::initializer_list<const char*> words) {
  for (const char* word : words) {
    if (strcasecmp(value.c_str(), word) == 0) return true;
  }
  return false;
}

bool ParseBoolean(const EnvLookup& getenv, const char* name, std::vector<std::string>* warnings) {
  const char* raw = getenv(name);
  if (raw == nullptr) return false;
  const std::string value = raw;
  if (value.empty() || IsOneOf(value, {"0", "false", "no", "off"})) return false;
  if (IsOneOf(value, {"1", "true", "yes", "on"})) return true;
  warnings->push_back(std::string(name) + "=\"" + value +
                      "\" is not a boolean (1/0, true/false, yes/no, on/off): taken as set");
  return true;
}

// A path given in the environment: must be absolute, since the program may change its working
// directory.  Returns the default for unset or empty, or after a warning.
std::string ParsePath(const EnvLookup& getenv, const char* name, const std::string& fallback,
                      std::vector<std::string>* warnings) {
  const char* raw = getenv(name);
  if (raw == nullptr || raw[0] == '\0') return fallback;
  if (raw[0] != '/') {
    warnings->push_back(std::string(name) + "=\"" + raw + "\" is not an absolute path: using " +
                        (fallback.empty() ? "stderr" : fallback));
    return fallback;
  }
  return raw;
}

uint32_t ParseMilliseconds(const EnvLookup& getenv, const char* name, uint32_t fallback,
                           uint32_t max, std::vector<std::string>* warnings) {
  const char* raw = getenv(name);
  if (raw == nullptr || raw[0] == '\0') return fallback;
  uint64_t value = 0;
  bool ok = true;
  for (const char* c = raw; *c != '\0' && ok; c++) {
    ok = *c >= '0' && *c <= '9';
    value = value * 10 + static_cast<uint64_t>(*c - '0');
    ok = ok && value <= max;
  }
  if (!ok) {
    warnings->push_back(std::string(name) + "=\"" + raw + "\" is not a number of milliseconds " +
                        "from 0 to " + std::to_string(max) + ": using " +
                        std::to_string(fallback));
    return fallback;
  }
  return static_cast<uint32_t>(value);
}

}  // namespace

EnvConfig ParseEnvConfig(const EnvLookup& getenv) {
  EnvConfig config;
  config.disabled = ParseBoolean(getenv, "YASMIN_DISABLE", &config.warnings);
  config.debug = ParseBoolean(getenv, "YASMIN_DEBUG", &config.warnings);
  config.debug_file = ParsePath(getenv, "YASMIN_DEBUG_FILE", "", &config.warnings);
  config.view_max_age_ms =
      ParseMilliseconds(getenv, "YASMIN_VIEW_MAX_AGE_MS", EnvConfig::kDefaultViewMaxAgeMs,
                        EnvConfig::kMaxViewMaxAgeMs, &config.warnings);
  config.view_file =
      ParsePath(getenv, "YASMIN_VIEW_FILE", YASMIN_VIEW_PROC_PATH, &config.warnings);
  return config;
}

EnvConfig LoadEnvConfig() {
  EnvConfig config = ParseEnvConfig([](const char* name) { return secure_getenv(name); });
  for (const std::string& warning : config.warnings) {
    const std::string line = "yasmin: " + warning + "\n";
    // One write per line, so that lines of concurrent writers do not interleave; a raw system
    // call, as for all of the library's own I/O (raw_io.h).
    RawWrite(STDERR_FILENO, line.data(), line.size());
  }
  return config;
}

}  // namespace preload
}  // namespace yasmin
