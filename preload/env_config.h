// The preload's settings, read from the environment once when the library is loaded.  The
// environment is how they reach an unmodified program and, through exec, its children.
//
//   YASMIN_DISABLE          boolean; set: every connection is plain TCP, as without the library
//   YASMIN_DEBUG            boolean; set: one line per decision and per event worth knowing,
//                           to stderr prefixed "yasmin[<pid>]: ", or to YASMIN_DEBUG_FILE
//   YASMIN_DEBUG_FILE       absolute path: the debug lines are appended there instead
//   YASMIN_VIEW_MAX_AGE_MS  0..3600000: how old the cached view may get before the file is
//                           read again (default 1000; 0: read at every connect())
//   YASMIN_VIEW_FILE        absolute path of the view file (default /proc/net/yasmin_view);
//                           for tests
//
// Booleans: unset, "", "0", "false", "no", "off" mean not set; "1", "true", "yes", "on" mean
// set (any case).  Anything else counts as set, with a warning: whoever exports
// YASMIN_DISABLE=y means to disable, and plain TCP is the safe side anyway.
//
// A bad value gives a one-line warning on stderr, always, not only when debugging: the
// variable was set on purpose, and a typo that silently left yasmin on (or the view file at
// its default) would be found much later and the hard way.  Then the default applies
// (booleans: see above).  Warnings are written once, at load.
//
// The variables are read with secure_getenv(): in a set-user-ID program, whose environment
// comes from a less privileged user, they are all ignored, so that nobody can make such a
// program append to a file of their choosing.

#ifndef YASMIN_PRELOAD_ENV_CONFIG_H_
#define YASMIN_PRELOAD_ENV_CONFIG_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace yasmin {
namespace preload {

struct EnvConfig {
  static constexpr uint32_t kDefaultViewMaxAgeMs = 1000;
  static constexpr uint32_t kMaxViewMaxAgeMs = 3600 * 1000;

  bool disabled = false;
  bool debug = false;
  std::string debug_file;  // empty: stderr
  uint32_t view_max_age_ms = kDefaultViewMaxAgeMs;
  std::string view_file;  // ParseEnvConfig() sets YASMIN_VIEW_PROC_PATH by default
  // One line per bad value, without prefix or '\n'.
  std::vector<std::string> warnings;
};

// getenv(name): the value, or null when unset.
using EnvLookup = std::function<const char*(const char*)>;

EnvConfig ParseEnvConfig(const EnvLookup& getenv);

// ParseEnvConfig(secure_getenv), writing each warning to stderr as "yasmin: <warning>\n".
EnvConfig LoadEnvConfig();

}  // namespace preload
}  // namespace yasmin

#endif  // YASMIN_PRELOAD_ENV_CONFIG_H_
