// The XenStore operations that turn what yasmind found into what it wants (desired_state.h):
// as few as possible, in a stable order, and only ever below /local/domain/<domid>/yasmin.

#ifndef YASMIN_DOM0_BACKEND_XENSTORE_DIFF_H_
#define YASMIN_DOM0_BACKEND_XENSTORE_DIFF_H_

#include <string>
#include <vector>

#include "xenstore_tree.h"

namespace yasmin {

struct XsOperation {
  enum class Kind {
    kRemove,    // path and everything below it
    kMkdir,     // create path with an empty value
    kWrite,     // set path's value, creating it if needed
    kSetPerms,  // set path's ACL
  };

  Kind kind;
  std::string path;
  std::string value;  // kWrite
  XsAcl acl;          // kSetPerms

  bool operator==(const XsOperation& other) const;
};

// "rm PATH", "mkdir PATH", "write PATH VALUE" or "chmod PATH n0,r5": for --dry-run, logs and
// tests.
std::string ToString(const XsOperation& operation);

// current: the nodes yasmind read below /local/domain/*/yasmin (anything elsewhere is
// ignored); desired: ComputeDesiredState().  The operations come in this order, each group in
// PathLess order:
//
//   1. removals: each node current has and desired lacks, only the topmost of a subtree (so a
//      dead domain's whole view goes in one operation);
//   2. for each desired node: mkdir or write and then chmod if it is missing (never relying
//      on the ACL XenStore gives a new node: the xenstored implementations differ), write if
//      its value differs, chmod if its ACL differs;
//   3. the generation counters of the views that changed.
//
// Below a kOwnerWritten node nothing is removed, and its value is left alone: a guest writes
// its keys there.  A view's generation counter is written only when something in that view
// was removed, created or written in step 1 or 2, or when the counter is missing or not a
// decimal number; it then becomes the current value plus one, or 1.  A chmod alone does not
// count: readers see the same view.  So Diff(desired, desired) and a Diff() repeated after
// applying its result are empty.
std::vector<XsOperation> Diff(const XenStoreTree& current, const XenStoreTree& desired);

// What XenStore holds after operations were applied to what it held: *tree changed as
// xenstored changes its nodes (rm takes the subtree; mkdir and write create a node with an
// empty ACL until a chmod sets it), every node kPlain as in a tree read back.  So that a
// caller who keeps the result need not read XenStore again (xenstore_publish.h).
void ApplyOperations(const std::vector<XsOperation>& operations, XenStoreTree* tree);

}  // namespace yasmin

#endif  // YASMIN_DOM0_BACKEND_XENSTORE_DIFF_H_
