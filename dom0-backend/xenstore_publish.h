// Brings XenStore to the desired state (desired_state.h): in one transaction, read what is
// below /local/domain/*/yasmin, diff it against the desired tree (xenstore_diff.h) and apply
// the operations.  Written against xenstore_access.h, so it runs in the unit tests.

#ifndef YASMIN_DOM0_BACKEND_XENSTORE_PUBLISH_H_
#define YASMIN_DOM0_BACKEND_XENSTORE_PUBLISH_H_

#include <string>
#include <vector>

#include "xenstore_access.h"
#include "xenstore_diff.h"
#include "xenstore_tree.h"

namespace yasmin {

// How many transactions in a row may conflict before Publish() gives up.  Each conflict
// means another writer committed in between, so this only runs out when xenstored is
// hammered; the next pass then tries again.
constexpr int kPublishAttempts = 10;

// Replaces *tree with every node at or below /local/domain/<domid>/yasmin, for every decimal
// <domid>, with its value and ACL, as XsNode::Kind::kPlain nodes.  Below a rendezvous
// directory (yasmin/rendezvous/<P>) it does not descend: a guest writes there, as much as its
// quota lets it, and the diff never looks below it.  A node that vanishes while it is read is
// left out.  kConflict: start the transaction again; kFailed: *error says why.
XsStatus ReadCurrentTree(XsTransaction* transaction, XenStoreTree* tree, std::string* error);

// Reads, diffs and, unless dry_run, applies and commits, all in one transaction; a conflict
// starts the whole read-diff-apply again, at most max_attempts times.  *operations receives
// what was applied (or, with dry_run, what would have been).  Returns false and sets *error
// when XenStore fails or stays busy.
//
// known, when not null, saves the reading: if it is not empty it is taken for what XenStore
// holds (ReadCurrentTree()'s result), and after a successful commit it is what XenStore holds
// now.  That is sound as long as nobody but the caller writes below the views, which their
// ACLs (dom0's only) ensure, except dom0's own tools and `xl destroy` removing a whole home:
// a removal of something already gone succeeds, and a home that is gone is never written
// to.  A conflict or a failure empties it, so the next attempt reads XenStore; the daemon
// also empties it now and then (daemon.h) to catch what another dom0 writer did.
bool Publish(XsStore* store, const XenStoreTree& desired, bool dry_run, int max_attempts,
             XenStoreTree* known, std::vector<XsOperation>* operations, std::string* error);

}  // namespace yasmin

#endif  // YASMIN_DOM0_BACKEND_XENSTORE_PUBLISH_H_
