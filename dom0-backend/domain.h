// One running Xen domain as yasmind sees it.  Free of Xen headers so that code and tests
// handling domains do not need libxl.

#ifndef YASMIN_DOM0_BACKEND_DOMAIN_H_
#define YASMIN_DOM0_BACKEND_DOMAIN_H_

#include <cstdint>
#include <string>
#include <vector>

namespace yasmin {

struct Domain {
  uint32_t domid = 0;
  std::string name;  // empty when the domain has no name in XenStore
  uint32_t cid = 0;  // yasmin_cid_from_domid(domid)
};

// A domain with what the policy matches on (policy.h) and what the views publish
// (desired_state.h).  Kept apart from Domain so that {domid, name, cid} stays a complete
// initializer of a Domain.
struct DomainInfo {
  Domain domain;
  std::string uuid;                    // as libxl prints it; empty when unknown
  std::vector<std::string> labels;     // from dom0's configuration, never from the guest
  std::vector<std::string> addresses;  // IP addresses, textual; the core drops invalid ones
};

}  // namespace yasmin

#endif  // YASMIN_DOM0_BACKEND_DOMAIN_H_
