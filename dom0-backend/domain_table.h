// The table `yasmind --once` prints: a header line, then one "domid name cid" line per domain.

#ifndef YASMIN_DOM0_BACKEND_DOMAIN_TABLE_H_
#define YASMIN_DOM0_BACKEND_DOMAIN_TABLE_H_

#include <ostream>
#include <vector>

#include "domain.h"

namespace yasmin {

void PrintDomainTable(const std::vector<Domain>& domains, std::ostream& out);

}  // namespace yasmin

#endif  // YASMIN_DOM0_BACKEND_DOMAIN_TABLE_H_
