// yasmind: the dom0 daemon.  So far it can only list the domains (--once); the daemon loop
// that maintains XenStore for the guests is issue 5.

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "domain.h"
#include "domain_table.h"
#include "libxl_connection.h"
#include "options.h"

namespace {

constexpr int kExitSuccess = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// libxl is chatty below XTL_ERROR about its own internals; only --log-level=debug asks for that.
xentoollog_level LibxlLogLevel(yasmin::LogLevel level) {
  return level == yasmin::LogLevel::kDebug ? XTL_DEBUG : XTL_ERROR;
}

int PrintDomainsOnce(const yasmin::Options& options) {
  std::string error;
  std::unique_ptr<yasmin::LibxlConnection> libxl =
      yasmin::LibxlConnection::Open(LibxlLogLevel(options.log_level), &error);
  if (libxl == nullptr) {
    std::cerr << "yasmind: " << error << "\n";
    return kExitFailure;
  }
  std::vector<yasmin::Domain> domains;
  if (!libxl->ListDomains(&domains, &error)) {
    std::cerr << "yasmind: " << error << "\n";
    return kExitFailure;
  }
  yasmin::PrintDomainTable(domains, std::cout);
  return kExitSuccess;
}

}  // namespace

int main(int argc, char* argv[]) {
  const yasmin::ParsedCommandLine command_line = yasmin::ParseCommandLine(argc, argv);
  if (!command_line.ok()) {
    std::cerr << "yasmind: " << command_line.error << "\n"
              << "Try 'yasmind --help' for more information.\n";
    return kExitUsage;
  }
  const yasmin::Options& options = command_line.options;

  if (options.show_help) {
    std::cout << yasmin::UsageText();
    return kExitSuccess;
  }
  if (options.show_version) {
    std::cout << "yasmind " << YASMIN_VERSION << "\n";
    return kExitSuccess;
  }
  if (options.once) {
    return PrintDomainsOnce(options);
  }
  std::cerr << "yasmind: the daemon loop is not implemented yet (issue 5); "
               "only --once works so far\n";
  return kExitFailure;
}
