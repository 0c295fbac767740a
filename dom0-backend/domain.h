// One running Xen domain as yasmind sees it.  Free of Xen headers so that code and tests
// handling domains do not need libxl.

#ifndef YASMIN_DOM0_BACKEND_DOMAIN_H_
#define YASMIN_DOM0_BACKEND_DOMAIN_H_

#include <cstdint>
#include <string>

namespace yasmin {

struct Domain {
  uint32_t domid = 0;
  std::string name;  // empty when the domain has no name in XenStore
  uint32_t cid = 0;  // yasmin_cid_from_domid(domid)
};

}  // namespace yasmin

#endif  // YASMIN_DOM0_BACKEND_DOMAIN_H_
