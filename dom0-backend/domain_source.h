// Where a pass gets the running domains from: libxl in yasmind (libxl_connection.h), a fixed
// list in the unit tests.

#ifndef YASMIN_DOM0_BACKEND_DOMAIN_SOURCE_H_
#define YASMIN_DOM0_BACKEND_DOMAIN_SOURCE_H_

#include <string>
#include <vector>

#include "domain.h"

namespace yasmin {

class DomainSource {
 public:
  virtual ~DomainSource() = default;

  // Replaces *domains with the domains that exist and are not dying, dom0 included.
  // Returns false and sets *error when the list cannot be taken.
  virtual bool ListDomains(std::vector<DomainInfo>* domains, std::string* error) = 0;
};

}  // namespace yasmin

#endif  // YASMIN_DOM0_BACKEND_DOMAIN_SOURCE_H_
