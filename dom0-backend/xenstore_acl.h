// Converts between libxenstore's permission arrays and the tree's XsAcl (xenstore_tree.h).
// Kept out of xenstore_connection.cc, which needs a running XenStore, so that the unit tests
// can check the mapping; only the struct and its flag bits come from the Xen headers.

#ifndef YASMIN_DOM0_BACKEND_XENSTORE_ACL_H_
#define YASMIN_DOM0_BACKEND_XENSTORE_ACL_H_

#include <vector>

// The Xen headers have no extern "C" guards of their own.
extern "C" {
#include <xenstore_lib.h>
}

#include "xenstore_tree.h"

namespace yasmin {

// What xs_get_permissions() returned, as an XsAcl, in the same order.  Only the read and
// write bits count: the others are xenstored's internal flags and never mean access.
XsAcl AclFromXs(const struct xs_permissions* perms, unsigned int count);

// The array xs_set_permissions() takes for acl.
std::vector<struct xs_permissions> AclToXs(const XsAcl& acl);

}  // namespace yasmin

#endif  // YASMIN_DOM0_BACKEND_XENSTORE_ACL_H_
