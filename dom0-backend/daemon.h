// yasmind's daemon loop: keeps XenStore's views and rendezvous directories matching the
// running domains.  XenStore tells it when to look (watches below); each look is a whole
// publish pass (publish_pass.h) coalesced and retried by a PassScheduler.  Nothing is
// remembered between passes except what is needed to log changes and to follow names, so
// whatever happened while yasmind was not running is simply caught up by its first pass.
//
// What triggers a pass:
//   @introduceDomain, @releaseDomain   a domain appeared, shut down or died (xenstored fires
//                                      these for every domain; libxl's own death events are
//                                      built on @releaseDomain too)
//   /local/domain/0/backend/vif        a vif was added or removed, or its dom0-written `ip`
//   /local/domain/<d>/name             a rename: libxl renames "x--incoming" to "x" at the
//                                      end of a migration, and the policy may match names
//   SIGHUP                             the configuration is read again
//   every Settings::resync             in case an event was lost (xenstored restarted)
//
// What guests announce about themselves (attr/vif, guest_addresses.h) is not watched: a watch
// would let a guest trigger passes at will.  The next pass sees it, at the latest the resync.

#ifndef YASMIN_DOM0_BACKEND_DAEMON_H_
#define YASMIN_DOM0_BACKEND_DAEMON_H_

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "libxl_connection.h"
#include "options.h"
#include "pass_scheduler.h"
#include "policy.h"
#include "publish_pass.h"
#include "xenstore_tree.h"
#include "xenstore_connection.h"

namespace yasmin {

class Daemon {
 public:
  // Blocks SIGTERM, SIGINT and SIGHUP in the calling thread, so that threads started later
  // (libxenstore's watch reader) inherit the mask and the loop's signalfd gets them all.
  // Call before anything starts a thread.
  static bool BlockSignals(std::string* error);

  Daemon(const Options& options, const Policy& policy, std::unique_ptr<LibxlConnection> libxl,
         std::unique_ptr<XenStoreConnection> xenstore);
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;
  ~Daemon();

  // Sets the watches and makes the first pass.  False and *error when the watches cannot be
  // set; a failed first pass is only logged and retried, as any later one.
  bool Start(std::string* error);

  // Runs until SIGTERM or SIGINT.  Returns the exit code.  XenStore is left as it is: the
  // views stay right until something changes, and a restarted yasmind carries on.
  int Run();

 private:
  void MakePass();
  void LogDomainChanges(const std::vector<DomainInfo>& domains);
  void FollowNames(const std::vector<DomainInfo>& domains);
  void LogRejectedAddresses(const PassResult& result);
  void ReloadPolicy();
  // False when the loop should stop.
  bool HandleSignals();
  void HandleWatchEvents(PassScheduler::Clock::time_point now);

  const Options options_;
  Policy policy_;
  const std::unique_ptr<LibxlConnection> libxl_;
  const std::unique_ptr<XenStoreConnection> xenstore_;
  PassScheduler scheduler_;
  int signal_fd_ = -1;
  // What XenStore holds below the views, as the last pass left it (xenstore_publish.h), so
  // that a pass triggered by an event need not read it all back; emptied every resync
  // interval, so that what another dom0 writer did is repaired then.
  XenStoreTree known_;
  PassScheduler::Clock::time_point last_full_read_;
  std::set<uint32_t> watched_names_;          // domids whose name node is watched
  std::map<uint32_t, std::string> last_seen_;  // domid -> name, as of the last pass
  // As of the last pass, so that a guest's bad announcement is logged once, not every pass.
  std::map<uint32_t, RejectedAddresses> last_rejected_;
};

}  // namespace yasmin

#endif  // YASMIN_DOM0_BACKEND_DAEMON_H_
