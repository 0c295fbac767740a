// A part of XenStore as plain data: nodes by absolute path, each with its value and ACL.  The
// desired state (desired_state.h) and what yasmind reads back from XenStore are both trees,
// and xenstore_diff.h turns the difference into operations.  Free of Xen headers.

#ifndef YASMIN_DOM0_BACKEND_XENSTORE_TREE_H_
#define YASMIN_DOM0_BACKEND_XENSTORE_TREE_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace yasmin {

// One entry of a XenStore ACL, as in xs_permissions / xenstore-chmod.
struct XsPermission {
  enum class Access { kNone, kRead, kWrite, kBoth };  // xenstore-chmod's n, r, w, b
  uint32_t domid;
  Access access;

  bool operator==(const XsPermission& other) const {
    return domid == other.domid && access == other.access;
  }
};

// The first entry names the owner (who may always read and write) and what every domain not
// listed may do; the others grant access to one domain each.  The order matters to XenStore.
using XsAcl = std::vector<XsPermission>;

// "n0,r5": the notation of xenstore-chmod and of the lab's lab_xs_perms.
std::string AclToString(const XsAcl& acl);

struct XsNode {
  // What yasmind manages of a node in the desired state.  Trees read from XenStore hold only
  // kPlain nodes.
  enum class Kind {
    kPlain,         // its value and ACL
    kGeneration,    // its ACL; the value is the view's generation counter (xenstore_diff.h)
    kOwnerWritten,  // its ACL only: its owner writes its value and everything below it
  };

  std::string value;
  XsAcl acl;
  Kind kind = Kind::kPlain;
};

// Orders absolute paths component by component, decimal components by number, so that a
// parent comes before its children and /local/domain/2 before /local/domain/10.
struct PathLess {
  bool operator()(const std::string& a, const std::string& b) const;
};

using XenStoreTree = std::map<std::string, XsNode, PathLess>;

// Whether path is ancestor itself or below it.
bool IsAtOrBelow(const std::string& path, const std::string& ancestor);

}  // namespace yasmin

#endif  // YASMIN_DOM0_BACKEND_XENSTORE_TREE_H_
