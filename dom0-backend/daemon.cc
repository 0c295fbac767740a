#include "daemon.h"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "logger.h"
#include "policy_file.h"
#include "publish_pass.h"

namespace yasmin {
namespace {

// Watch tokens: only for the debug log, every event means "look again".
constexpr char kDomainsToken[] = "domains";
constexpr char kVifToken[] = "vif";
constexpr char kNameToken[] = "name";

constexpr const char* kDomainWatches[] = {"@introduceDomain", "@releaseDomain"};
constexpr char kVifBackendPath[] = "/local/domain/0/backend/vif";

std::string NamePath(uint32_t domid) {
  return "/local/domain/" + std::to_string(domid) + "/name";
}

std::string Describe(uint32_t domid, const std::string& name) {
  return "domain " + std::to_string(domid) + (name.empty() ? "" : " (" + name + ")");
}

// The signals the loop reads from its signalfd: stop, stop, reload.
constexpr int kHandledSignals[] = {SIGTERM, SIGINT, SIGHUP};

sigset_t HandledSignalSet() {
  sigset_t set;
  sigemptyset(&set);
  for (int signal_number : kHandledSignals) sigaddset(&set, signal_number);
  return set;
}

}  // namespace

bool Daemon::BlockSignals(std::string* error) {
  const sigset_t set = HandledSignalSet();
  const int status = pthread_sigmask(SIG_BLOCK, &set, nullptr);
  if (status != 0) {
    *error = std::string("cannot block signals: ") + std::strerror(status);
    return false;
  }
  return true;
}

Daemon::Daemon(const Options& options, const Policy& policy,
               std::unique_ptr<LibxlConnection> libxl,
               std::unique_ptr<XenStoreConnection> xenstore)
    : options_(options),
      policy_(policy),
      libxl_(std::move(libxl)),
      xenstore_(std::move(xenstore)),
      scheduler_(PassScheduler::Settings(), PassScheduler::Clock::now()) {}

Daemon::~Daemon() {
  if (signal_fd_ >= 0) close(signal_fd_);
}

bool Daemon::Start(std::string* error) {
  const sigset_t set = HandledSignalSet();
  signal_fd_ = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (signal_fd_ < 0) {
    *error = std::string("cannot create a signalfd: ") + std::strerror(errno);
    return false;
  }
  for (const char* path : kDomainWatches) {
    if (!xenstore_->Watch(path, kDomainsToken, error)) return false;
  }
  if (!xenstore_->Watch(kVifBackendPath, kVifToken, error)) return false;
  MakePass();
  return true;
}

void Daemon::MakePass() {
  PassResult result;
  std::string error;
  const auto started = PassScheduler::Clock::now();
  if (started - last_full_read_ >= scheduler_.settings().resync) known_.clear();
  const bool full_read = known_.empty();
  const bool ok = RunPublishPass(libxl_.get(), xenstore_.get(), policy_, /*dry_run=*/false,
                                 &known_, &result, &error);
  const auto ended = PassScheduler::Clock::now();
  scheduler_.OnPassDone(ok, ended);
  if (ok && full_read) last_full_read_ = started;
  LogDebug(std::string(full_read ? "full " : "") + "pass " + (ok ? "done" : "failed") + " in " +
           std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(ended - started)
                              .count()) +
           " ms");
  if (!ok) {
    LogWarn("pass failed (" + std::to_string(scheduler_.failures_in_a_row()) +
            " in a row), will retry: " + error);
    return;
  }
  LogDomainChanges(result.domains);
  LogRejectedAddresses(result);
  FollowNames(result.domains);
  if (!result.operations.empty()) {
    LogInfo("published: " + std::to_string(result.domains.size()) + " domains, " +
            std::to_string(result.operations.size()) + " XenStore changes");
  }
  if (LogEnabled(LogLevel::kDebug)) {
    for (const XsOperation& operation : result.operations) LogDebug("  " + ToString(operation));
  }
}

void Daemon::LogDomainChanges(const std::vector<DomainInfo>& domains) {
  std::map<uint32_t, std::string> now;
  for (const DomainInfo& info : domains) now[info.domain.domid] = info.domain.name;
  for (const auto& [domid, name] : now) {
    const auto before = last_seen_.find(domid);
    if (before == last_seen_.end()) {
      LogInfo(Describe(domid, name) + " appeared");
    } else if (before->second != name) {
      LogInfo(Describe(domid, before->second) + " is now named " + name);
    }
  }
  for (const auto& [domid, name] : last_seen_) {
    if (now.count(domid) == 0) LogInfo(Describe(domid, name) + " is gone");
  }
  last_seen_.swap(now);
}

void Daemon::LogRejectedAddresses(const PassResult& result) {
  for (const auto& [domid, rejected] : result.rejected_addresses) {
    const auto before = last_rejected_.find(domid);
    if (before != last_rejected_.end() && before->second == rejected) continue;
    const auto name = last_seen_.find(domid);  // LogDomainChanges() has just set it
    LogWarn(Describe(domid, name == last_seen_.end() ? "" : name->second) +
            " announces addresses that are not used: " + std::to_string(rejected.invalid) +
            " invalid or over the limits, " + std::to_string(rejected.claimed) +
            " another domain has from dom0 or announces too");
  }
  last_rejected_ = result.rejected_addresses;
}

void Daemon::FollowNames(const std::vector<DomainInfo>& domains) {
  std::set<uint32_t> wanted;
  for (const DomainInfo& info : domains) wanted.insert(info.domain.domid);
  for (auto it = watched_names_.begin(); it != watched_names_.end();) {
    if (wanted.count(*it) != 0) {
      ++it;
      continue;
    }
    xenstore_->Unwatch(NamePath(*it), kNameToken);  // a failure leaves a harmless watch
    it = watched_names_.erase(it);
  }
  for (uint32_t domid : wanted) {
    if (watched_names_.count(domid) != 0) continue;
    std::string error;
    if (xenstore_->Watch(NamePath(domid), kNameToken, &error)) {
      watched_names_.insert(domid);
    } else {
      LogWarn(error + "; a rename of this domain is only seen at the next pass");
    }
  }
}

void Daemon::ReloadPolicy() {
  Policy policy;
  std::string error;
  if (!LoadPolicyFile(options_.config_path, options_.config_given, &policy, &error)) {
    LogError("configuration not reloaded, the previous one stays in force: " + error);
    return;
  }
  policy_ = policy;
  if (access(options_.config_path.c_str(), F_OK) != 0) {
    LogInfo("configuration reloaded: no " + options_.config_path + ", the default policy");
  } else {
    LogInfo("configuration reloaded from " + options_.config_path);
  }
}

bool Daemon::HandleSignals() {
  struct signalfd_siginfo info;
  while (read(signal_fd_, &info, sizeof(info)) == sizeof(info)) {
    if (info.ssi_signo == SIGHUP) {
      ReloadPolicy();
      scheduler_.OnEvent(PassScheduler::Clock::now());
      continue;
    }
    LogInfo(std::string("stopping on ") + strsignal(static_cast<int>(info.ssi_signo)));
    return false;
  }
  return true;
}

void Daemon::HandleWatchEvents(PassScheduler::Clock::time_point now) {
  std::vector<XenStoreConnection::WatchEvent> events;
  xenstore_->TakeWatchEvents(&events);
  if (events.empty()) return;
  // One line per batch: a single `xl create` fires dozens of vif backend events.
  LogDebug("watch " + events.front().token + ": " + events.front().path +
           (events.size() > 1 ? " and " + std::to_string(events.size() - 1) + " more" : ""));
  scheduler_.OnEvent(now);
}

int Daemon::Run() {
  LogInfo("running: " + std::to_string(last_seen_.size()) + " domains");
  for (;;) {
    struct pollfd fds[2] = {{signal_fd_, POLLIN, 0}, {xenstore_->watch_fd(), POLLIN, 0}};
    const auto wait = scheduler_.TimeUntilDue(PassScheduler::Clock::now());
    const int ready = poll(fds, 2, static_cast<int>(wait.count()));
    if (ready < 0 && errno != EINTR) {
      LogError(std::string("poll failed: ") + std::strerror(errno));
      return 1;
    }
    if (fds[0].revents != 0 && !HandleSignals()) return 0;
    if ((fds[1].revents & (POLLERR | POLLHUP | POLLNVAL)) != 0) {
      // libxenstore lost xenstored for good; a service manager restarts us.
      LogError("the XenStore watch channel failed");
      return 1;
    }
    if (fds[1].revents != 0) HandleWatchEvents(PassScheduler::Clock::now());
    if (scheduler_.Due(PassScheduler::Clock::now())) MakePass();
  }
}

}  // namespace yasmin
