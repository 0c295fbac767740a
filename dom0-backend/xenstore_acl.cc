#include "xenstore_acl.h"

namespace yasmin {
namespace {

using Access = XsPermission::Access;

Access AccessFromBits(unsigned int bits) {
  const bool read = (bits & XS_PERM_READ) != 0;
  const bool write = (bits & XS_PERM_WRITE) != 0;
  if (read && write) return Access::kBoth;
  if (read) return Access::kRead;
  if (write) return Access::kWrite;
  return Access::kNone;
}

unsigned int BitsFromAccess(Access access) {
  switch (access) {
    case Access::kNone:
      return XS_PERM_NONE;
    case Access::kRead:
      return XS_PERM_READ;
    case Access::kWrite:
      return XS_PERM_WRITE;
    case Access::kBoth:
      return XS_PERM_READ | XS_PERM_WRITE;
  }
  return XS_PERM_NONE;  // unreachable: every Access is handled above
}

}  // namespace

XsAcl AclFromXs(const struct xs_permissions* perms, unsigned int count) {
  XsAcl acl;
  acl.reserve(count);
  for (unsigned int i = 0; i < count; i++) {
    acl.push_back({perms[i].id, AccessFromBits(perms[i].perms)});
  }
  return acl;
}

std::vector<struct xs_permissions> AclToXs(const XsAcl& acl) {
  std::vector<struct xs_permissions> perms;
  perms.reserve(acl.size());
  for (const XsPermission& permission : acl) {
    perms.push_back({permission.domid, BitsFromAccess(permission.access)});
  }
  return perms;
}

}  // namespace yasmin
