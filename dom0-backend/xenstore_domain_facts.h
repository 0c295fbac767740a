// What XenStore says about the domains libxl lists, for a pass (publish_pass.h):
//
// - Whether the domain still has its home, /local/domain/<domid>.  `xl destroy` removes it
//   first and destroys the domain after, so a domain without a home is on its way out: it
//   leaves the views now, instead of getting a view re-created in a home that is gone.
//
// - Its IP addresses, as dom0's toolstack recorded them: the `ip` node of each of its vifs'
//   backends, /local/domain/0/backend/vif/<domid>/<devid>/ip, which libxl writes from the
//   vif's `ip=` setting (xl-network-configuration(5): several addresses separated by spaces)
//   and which only dom0 can write.  Read from XenStore rather than with
//   libxl_retrieve_domain_configuration(): the same values, without taking libxl's per-domain
//   lock and parsing the stored JSON of every domain on every pass, and present as soon as the
//   vif is, while the stored configuration of a domain being created does not exist yet.
//
// - For the domains the policy lets announce their own addresses ("guest-addresses", and
//   only those: what the others write is never even read), what they wrote below
//   /local/domain/<domid>/attr/vif/<devid>/ipv4 and ipv6, for the vifs dom0 gave them
//   (guest_addresses.h says where that convention comes from and how the values are checked).

#ifndef YASMIN_DOM0_BACKEND_XENSTORE_DOMAIN_FACTS_H_
#define YASMIN_DOM0_BACKEND_XENSTORE_DOMAIN_FACTS_H_

#include <string>
#include <vector>

#include "domain.h"
#include "guest_addresses.h"
#include "policy.h"
#include "xenstore_access.h"

namespace yasmin {

// Removes the domains without a home from *domains and appends to the others' addresses what
// their vif backends hold, unchecked (desired_state.h drops what is not an address).  A domain
// without vifs, or whose vifs vanish while they are read, gets none.  Replaces *announcements
// with what the domains the policy allows announced, unchecked (MergeGuestAddresses() does
// that): at most kMaxAnnouncedPerVif values per vif are read, ipv4/ then ipv6/, each in index
// order.  kFailed and *error when XenStore fails.
XsStatus ReadDomainFacts(XsTransaction* transaction, const Policy& policy,
                         std::vector<DomainInfo>* domains,
                         std::vector<Announcement>* announcements, std::string* error);

}  // namespace yasmin

#endif  // YASMIN_DOM0_BACKEND_XENSTORE_DOMAIN_FACTS_H_
