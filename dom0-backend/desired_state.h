// What XenStore should hold below /local/domain/*/yasmin for a snapshot of the running domains
// and a policy: for each domain G, its view (the peers it may reach, with their CIDs and IP
// addresses) and a rendezvous directory for each of them, with the ACLs of docs/contract.md.
// Pure: the snapshot comes from libxl and XenStore elsewhere.

#ifndef YASMIN_DOM0_BACKEND_DESIRED_STATE_H_
#define YASMIN_DOM0_BACKEND_DESIRED_STATE_H_

#include <string>
#include <vector>

#include "domain.h"
#include "policy.h"
#include "xenstore_tree.h"

namespace yasmin {

// For each domain G of the snapshot (layout in include/yasmin/contract.h):
//
//   /local/domain/<G>/yasmin                     n0 rG
//   /local/domain/<G>/yasmin/generation          n0 rG   kGeneration, "1"
//   /local/domain/<G>/yasmin/peers               n0 rG
//   /local/domain/<G>/yasmin/peers/<P>           n0 rG   for every P that G may reach
//   /local/domain/<G>/yasmin/peers/<P>/cid       n0 rG
//   /local/domain/<G>/yasmin/peers/<P>/ip        n0 rG
//   /local/domain/<G>/yasmin/rendezvous          n0 rG
//   /local/domain/<G>/yasmin/rendezvous/<P>      nG rP   kOwnerWritten, same P
//
// where an entry for a reader that is also the owner is left out (dom0's own view is "n0").
// A domain without peers still gets its (empty) view.  Domains with an invalid domid are
// ignored, and so is a second domain with the same domid (libxl never reports one).
// Addresses that are not IPv4 or IPv6 are left out; the others are written canonically.
XenStoreTree ComputeDesiredState(const std::vector<DomainInfo>& domains, const Policy& policy);

}  // namespace yasmin

#endif  // YASMIN_DOM0_BACKEND_DESIRED_STATE_H_
