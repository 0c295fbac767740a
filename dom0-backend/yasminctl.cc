// yasminctl: the administrator's look at what yasmind published.  `yasminctl status` reads
// XenStore (status_report.h) and prints it as tables or JSON; it never writes.

#include <iostream>
#include <memory>
#include <string>

#include "status_json.h"
#include "status_report.h"
#include "status_table.h"
#include "xenstore_connection.h"
#include "yasminctl_options.h"

namespace {

// The same exit codes as yasmind: scripts and monitoring tell a failure from a typo.
constexpr int kExitSuccess = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

int Fail(const std::string& error) {
  std::cerr << "yasminctl: " << error << "\n";
  return kExitFailure;
}

int Status(const yasmin::CtlOptions& options) {
  std::string error;
  const std::unique_ptr<yasmin::XenStoreConnection> xenstore =
      yasmin::XenStoreConnection::Open(&error);
  if (xenstore == nullptr) return Fail(error);
  yasmin::StatusReport report;
  if (!yasmin::ReadStatusReport(xenstore.get(), &report, &error)) return Fail(error);

  if (options.json) {
    std::cout << yasmin::FormatStatusJson(report);
  } else {
    yasmin::PrintStatusTable(report, std::cout);
  }
  std::cout.flush();
  // Output that did not arrive (a full disk, a closed pipe) must not look like success.
  if (!std::cout) return Fail("cannot write the status to stdout");
  return kExitSuccess;
}

}  // namespace

int main(int argc, char* argv[]) {
  const yasmin::ParsedCtlCommandLine command_line = yasmin::ParseCtlCommandLine(argc, argv);
  if (!command_line.ok()) {
    std::cerr << "yasminctl: " << command_line.error << "\n"
              << "Try 'yasminctl --help' for more information.\n";
    return kExitUsage;
  }
  const yasmin::CtlOptions& options = command_line.options;

  if (options.show_help) {
    std::cout << yasmin::CtlUsageText();
    return kExitSuccess;
  }
  if (options.show_version) {
    std::cout << "yasminctl " << YASMIN_VERSION << "\n";
    return kExitSuccess;
  }
  switch (options.command) {
    case yasmin::CtlCommand::kStatus:
      return Status(options);
    case yasmin::CtlCommand::kNone:
      break;
  }
  return kExitUsage;  // unreachable: the parser asks for a command unless --help or --version
}
