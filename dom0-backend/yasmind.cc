// yasmind: the dom0 daemon.  So far it publishes the guests' views once (--once, --dry-run);
// the daemon loop that keeps XenStore up to date as domains come and go is still to come
// (issue 5).

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "desired_state.h"
#include "domain.h"
#include "domain_table.h"
#include "libxl_connection.h"
#include "options.h"
#include "policy.h"
#include "policy_file.h"
#include "xenstore_connection.h"
#include "xenstore_diff.h"
#include "xenstore_publish.h"

namespace {

constexpr int kExitSuccess = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// libxl is chatty below XTL_ERROR about its own internals; only --log-level=debug asks for that.
xentoollog_level LibxlLogLevel(yasmin::LogLevel level) {
  return level == yasmin::LogLevel::kDebug ? XTL_DEBUG : XTL_ERROR;
}

int Fail(const std::string& error) {
  std::cerr << "yasmind: " << error << "\n";
  return kExitFailure;
}

// One pass: the policy and libxl's domains give the desired state, which is published to
// XenStore (or, with --dry-run, only compared with it); then the domain table goes to stdout,
// followed with --dry-run by the operations that were not applied.  The configuration is
// read first, so that a bad one is reported even where there is no Xen.
int PublishOnce(const yasmin::Options& options) {
  std::string error;
  yasmin::Policy policy;
  if (!yasmin::LoadPolicyFile(options.config_path, options.config_given, &policy, &error)) {
    return Fail(error);
  }

  std::unique_ptr<yasmin::LibxlConnection> libxl =
      yasmin::LibxlConnection::Open(LibxlLogLevel(options.log_level), &error);
  if (libxl == nullptr) return Fail(error);
  std::vector<yasmin::DomainInfo> domains;
  if (!libxl->ListDomains(&domains, &error)) return Fail(error);

  std::unique_ptr<yasmin::XenStoreConnection> xenstore =
      yasmin::XenStoreConnection::Open(&error);
  if (xenstore == nullptr) return Fail(error);
  const yasmin::XenStoreTree desired = yasmin::ComputeDesiredState(domains, policy);
  std::vector<yasmin::XsOperation> operations;
  if (!yasmin::Publish(xenstore.get(), desired, options.dry_run, yasmin::kPublishAttempts,
                       &operations, &error)) {
    return Fail(error);
  }

  std::vector<yasmin::Domain> table;
  for (const yasmin::DomainInfo& info : domains) table.push_back(info.domain);
  yasmin::PrintDomainTable(table, std::cout);
  if (options.dry_run) {
    for (const yasmin::XsOperation& operation : operations) {
      std::cout << yasmin::ToString(operation) << "\n";
    }
  } else if (options.log_level == yasmin::LogLevel::kDebug) {
    for (const yasmin::XsOperation& operation : operations) {
      std::cerr << "yasmind: applied " << yasmin::ToString(operation) << "\n";
    }
  }
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
  // There is no daemon loop yet, so --dry-run alone means one pass too.
  if (options.once || options.dry_run) {
    return PublishOnce(options);
  }
  std::cerr << "yasmind: the daemon loop is not implemented yet (issue 5); "
               "only --once and --dry-run work so far\n";
  return kExitFailure;
}
