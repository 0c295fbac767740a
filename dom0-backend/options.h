// yasmind's command line.  Parsing is kept apart from main() and from Xen so that the unit
// tests can exercise every flag on any machine.

#ifndef YASMIN_DOM0_BACKEND_OPTIONS_H_
#define YASMIN_DOM0_BACKEND_OPTIONS_H_

#include <string>

namespace yasmin {

enum class LogLevel { kError, kWarn, kInfo, kDebug };

struct Options {
  std::string config_path = "/etc/yasmin/yasmind.conf";
  // Whether --config was given: then a missing file is an error rather than the default
  // policy (policy_file.h).
  bool config_given = false;
  bool foreground = false;
  // Written and locked while the daemon runs; without --foreground always, with it only when
  // --pidfile is given (systemd needs none).
  std::string pid_file = "/run/yasmind.pid";
  bool pid_file_given = false;
  LogLevel log_level = LogLevel::kInfo;
  bool once = false;     // publish once, print the domain table and exit
  bool dry_run = false;  // one pass that prints the XenStore operations instead of applying them
  bool show_help = false;
  bool show_version = false;
};

// Either the parsed options or, when error is not empty, why the command line was rejected.
struct ParsedCommandLine {
  Options options;
  std::string error;

  bool ok() const { return error.empty(); }
};

// argv[0] is the program name and is ignored, as in main().  Never prints and never exits:
// reporting is the caller's job.
ParsedCommandLine ParseCommandLine(int argc, const char* const argv[]);

// The --help text, ending in a newline.
std::string UsageText();

}  // namespace yasmin

#endif  // YASMIN_DOM0_BACKEND_OPTIONS_H_
