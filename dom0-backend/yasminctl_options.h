// yasminctl's command line: `yasminctl status [--json]`, `yasminctl --help`, `yasminctl
// --version`.  Parsing is kept apart from main() and from Xen so that the unit tests can
// exercise it on any machine.

#ifndef YASMIN_DOM0_BACKEND_YASMINCTL_OPTIONS_H_
#define YASMIN_DOM0_BACKEND_YASMINCTL_OPTIONS_H_

#include <string>

namespace yasmin {

enum class CtlCommand {
  kNone,    // only --help or --version
  kStatus,  // what yasmind published, read from XenStore
};

struct CtlOptions {
  CtlCommand command = CtlCommand::kNone;
  bool json = false;  // status: one JSON object instead of the table
  bool show_help = false;
  bool show_version = false;
};

// Either the parsed options or, when error is not empty, why the command line was rejected.
struct ParsedCtlCommandLine {
  CtlOptions options;
  std::string error;

  bool ok() const { return error.empty(); }
};

// argv[0] is the program name and is ignored, as in main().  The command comes first; the
// flags after it are the command's.  Never prints and never exits: reporting is the caller's.
ParsedCtlCommandLine ParseCtlCommandLine(int argc, const char* const argv[]);

// The --help text, ending in a newline.
std::string CtlUsageText();

}  // namespace yasmin

#endif  // YASMIN_DOM0_BACKEND_YASMINCTL_OPTIONS_H_
