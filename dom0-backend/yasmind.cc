// yasmind: the dom0 daemon that publishes each guest's co-located peers into XenStore
// (docs/yasmind.md).  Three ways to run:
//   --once / --dry-run   one pass (publish_pass.h), print the domain table, exit
//   --foreground         the daemon loop (daemon.h), logging to stderr (systemd, a terminal)
//   (default)            the daemon loop, detached once running (detach.h), logging to syslog
//                        and holding a pid file (SysV init)
// Every error before the loop runs ends yasmind with exit code 1 and a message; bad flags
// with exit code 2.

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "daemon.h"
#include "detach.h"
#include "domain.h"
#include "domain_table.h"
#include "libxl_connection.h"
#include "logger.h"
#include "options.h"
#include "pid_file.h"
#include "policy.h"
#include "policy_file.h"
#include "publish_pass.h"
#include "xenstore_connection.h"

namespace {

constexpr int kExitSuccess = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

int Fail(const std::string& error) {
  yasmin::LogError(error);
  return kExitFailure;
}

// One pass: publish (or with --dry-run only compare), then print the domain table, followed
// with --dry-run by the operations that were not applied.
int PublishOnce(const yasmin::Options& options, const yasmin::Policy& policy) {
  std::string error;
  std::unique_ptr<yasmin::LibxlConnection> libxl = yasmin::LibxlConnection::Open(&error);
  if (libxl == nullptr) return Fail(error);
  std::unique_ptr<yasmin::XenStoreConnection> xenstore =
      yasmin::XenStoreConnection::Open(&error);
  if (xenstore == nullptr) return Fail(error);

  yasmin::PassResult result;
  if (!yasmin::RunPublishPass(libxl.get(), xenstore.get(), policy, options.dry_run,
                              /*known=*/nullptr, &result, &error)) {
    return Fail(error);
  }
  std::vector<yasmin::Domain> table;
  for (const yasmin::DomainInfo& info : result.domains) table.push_back(info.domain);
  yasmin::PrintDomainTable(table, std::cout);
  for (const yasmin::XsOperation& operation : result.operations) {
    if (options.dry_run) {
      std::cout << yasmin::ToString(operation) << "\n";
    } else {
      yasmin::LogDebug("applied " + yasmin::ToString(operation));
    }
  }
  return kExitSuccess;
}

int RunDaemon(const yasmin::Options& options, const yasmin::Policy& policy) {
  std::string error;
  // Before anything can start a thread (libxenstore's watch reader): see daemon.h.
  if (!yasmin::Daemon::BlockSignals(&error)) return Fail(error);

  std::unique_ptr<yasmin::PidFile> pid_file;
  if (!options.foreground || options.pid_file_given) {
    pid_file = yasmin::PidFile::Lock(options.pid_file, &error);
    if (pid_file == nullptr) return Fail(error);
  }
  yasmin::Detacher detacher;
  if (!options.foreground) {
    if (!detacher.Detach(&error)) return Fail(error);
    yasmin::ConfigureLog(yasmin::LogTarget::kSyslog, options.log_level);
  }
  // Until the loop runs, a failure goes to whoever started us: on stderr in the foreground,
  // through the detacher to the waiting parent otherwise (and to syslog).  The pid file goes
  // first, so that it is gone by the time the parent exits.
  const auto startup_failed = [&](const std::string& message) {
    pid_file.reset();
    yasmin::LogError(message);
    if (!options.foreground) detacher.ReportFailure(message);
    return kExitFailure;
  };

  std::unique_ptr<yasmin::LibxlConnection> libxl = yasmin::LibxlConnection::Open(&error);
  if (libxl == nullptr) return startup_failed(error);
  std::unique_ptr<yasmin::XenStoreConnection> xenstore =
      yasmin::XenStoreConnection::Open(&error);
  if (xenstore == nullptr) return startup_failed(error);
  yasmin::Daemon daemon(options, policy, std::move(libxl), std::move(xenstore));
  if (!daemon.Start(&error)) return startup_failed(error);
  if (pid_file != nullptr && !pid_file->WritePid(&error)) return startup_failed(error);
  if (!options.foreground) detacher.ReportReady();
  return daemon.Run();
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
  yasmin::ConfigureLog(yasmin::LogTarget::kStderr, options.log_level);

  // The configuration is read first, so that a bad one is reported even where there is no Xen.
  std::string error;
  yasmin::Policy policy;
  if (!yasmin::LoadPolicyFile(options.config_path, options.config_given, &policy, &error)) {
    return Fail(error);
  }
  if (options.once || options.dry_run) return PublishOnce(options, policy);
  return RunDaemon(options, policy);
}
