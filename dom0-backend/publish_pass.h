// One pass of yasmind, the same for --once, --dry-run and every turn of the daemon loop: the
// domains from a DomainSource, less those being destroyed and with their addresses from
// XenStore (xenstore_domain_facts.h) and, where the policy allows it, those they announce
// themselves (guest_addresses.h), + the policy -> the desired XenStore state
// (desired_state.h) -> a minimal diff applied in a transaction (xenstore_publish.h).
// Stateless: everything it needs is in XenStore and libxl, which is why a yasmind killed with
// -9 and restarted carries on where it was without changing anything.

#ifndef YASMIN_DOM0_BACKEND_PUBLISH_PASS_H_
#define YASMIN_DOM0_BACKEND_PUBLISH_PASS_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "domain.h"
#include "domain_source.h"
#include "guest_addresses.h"
#include "policy.h"
#include "xenstore_access.h"
#include "xenstore_diff.h"

namespace yasmin {

struct PassResult {
  std::vector<DomainInfo> domains;       // the snapshot the pass worked from
  std::vector<XsOperation> operations;   // applied, or with dry_run, what would have been
  // domid -> the announced addresses that were not used, for the log: a pass is pure and
  // every pass finds the same ones again, so the caller decides when to say it.
  std::map<uint32_t, RejectedAddresses> rejected_addresses;
};

// Returns false and sets *error when the domains cannot be listed or XenStore fails or stays
// busy (xenstore_publish.h); nothing is half-applied then.
// known: as for Publish() (xenstore_publish.h); null to read XenStore every time.
bool RunPublishPass(DomainSource* source, XsStore* store, const Policy& policy, bool dry_run,
                    XenStoreTree* known, PassResult* result, std::string* error);

}  // namespace yasmin

#endif  // YASMIN_DOM0_BACKEND_PUBLISH_PASS_H_
