#include "xenstore_publish.h"

#include <algorithm>
#include <cctype>
#include <memory>
#include <set>

#include "yasmin/contract.h"

namespace yasmin {
namespace {

constexpr char kDomainsDir[] = "/local/domain";

bool IsDecimal(const std::string& text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) {
    return std::isdigit(c) != 0;
  });
}

// Reads path and, unless its parent is stop_below_children_of, everything below it.
XsStatus ReadSubtree(XsTransaction* transaction, const std::string& path,
                     const std::string& stop_below_children_of, XenStoreTree* tree,
                     std::string* error) {
  XsNode node;
  XsStatus status = transaction->Read(path, &node.value, error);
  if (status == XsStatus::kOk) status = transaction->GetAcl(path, &node.acl, error);
  if (status == XsStatus::kNotFound) return XsStatus::kOk;  // gone: nothing to read
  if (status != XsStatus::kOk) return status;
  (*tree)[path] = node;

  if (path.size() > stop_below_children_of.size() &&
      IsAtOrBelow(path, stop_below_children_of) &&
      path.find('/', stop_below_children_of.size() + 1) == std::string::npos) {
    return XsStatus::kOk;  // a rendezvous directory: its owner's business
  }
  std::vector<std::string> children;
  status = transaction->Directory(path, &children, error);
  if (status == XsStatus::kNotFound) return XsStatus::kOk;
  if (status != XsStatus::kOk) return status;
  for (const std::string& child : children) {
    status = ReadSubtree(transaction, path + "/" + child, stop_below_children_of, tree, error);
    if (status != XsStatus::kOk) return status;
  }
  return XsStatus::kOk;
}

// desired, less what lies in the home of a domain that has none any more: `xl destroy`
// removes /local/domain/<domid> before the domain is gone, and a view written then would be
// left behind in XenStore for good.  Checked in the publishing transaction itself, so that a
// home removed since the domains were listed is never re-created.
XsStatus WithoutMissingHomes(XsTransaction* transaction, const XenStoreTree& desired,
                             XenStoreTree* live, std::string* error) {
  std::vector<std::string> names;
  const XsStatus status = transaction->Directory(kDomainsDir, &names, error);
  if (status != XsStatus::kOk) return status;  // ReadCurrentTree() listed it just before
  const std::set<std::string> homes(names.begin(), names.end());
  const std::string prefix = std::string(kDomainsDir) + "/";
  for (const auto& [path, node] : desired) {
    // Every desired path is /local/domain/<domid>/...: its home is the component after that.
    if (path.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string home = path.substr(prefix.size(), path.find('/', prefix.size()) -
                                                            prefix.size());
    if (homes.count(home) != 0) (*live)[path] = node;
  }
  return XsStatus::kOk;
}

// One read-diff-apply.  kOk: done, *operations filled in.
XsStatus PublishOnce(XsStore* store, const XenStoreTree& desired, bool dry_run,
                     XenStoreTree* known, std::vector<XsOperation>* operations,
                     std::string* error) {
  const std::unique_ptr<XsTransaction> transaction = store->Begin(error);
  if (transaction == nullptr) return XsStatus::kFailed;

  XenStoreTree current;
  XsStatus status = XsStatus::kOk;
  if (known != nullptr && !known->empty()) {
    current = *known;
  } else {
    status = ReadCurrentTree(transaction.get(), &current, error);
  }
  if (status != XsStatus::kOk) return status;
  XenStoreTree live_desired;
  status = WithoutMissingHomes(transaction.get(), desired, &live_desired, error);
  if (status != XsStatus::kOk) return status;
  std::vector<XsOperation> diff = Diff(current, live_desired);
  // Nothing to do, or only to report: the transaction is abandoned, which changes nothing.
  if (dry_run || diff.empty()) {
    if (known != nullptr) *known = current;
    operations->swap(diff);
    return XsStatus::kOk;
  }

  for (const XsOperation& operation : diff) {
    std::string apply_error;
    status = transaction->Apply(operation, &apply_error);
    // rm of a node that is already gone has done its job.
    if (status == XsStatus::kNotFound && operation.kind == XsOperation::Kind::kRemove) continue;
    if (status == XsStatus::kConflict) return status;
    if (status != XsStatus::kOk) {
      *error = "cannot " + ToString(operation) +
               (apply_error.empty() ? std::string() : ": " + apply_error);
      return XsStatus::kFailed;
    }
  }
  status = transaction->Commit(error);
  if (status != XsStatus::kOk) return status;
  if (known != nullptr) {
    ApplyOperations(diff, &current);
    known->swap(current);
  }
  operations->swap(diff);
  return XsStatus::kOk;
}

}  // namespace

XsStatus ReadCurrentTree(XsTransaction* transaction, XenStoreTree* tree, std::string* error) {
  std::vector<std::string> domids;
  XsStatus status = transaction->Directory(kDomainsDir, &domids, error);
  if (status == XsStatus::kNotFound) {
    *error = std::string("XenStore has no ") + kDomainsDir;
    return XsStatus::kFailed;
  }
  if (status != XsStatus::kOk) return status;

  XenStoreTree result;
  for (const std::string& domid : domids) {
    if (!IsDecimal(domid)) continue;  // not a domain's home: none of ours
    const std::string home = std::string(kDomainsDir) + "/" + domid;
    status = ReadSubtree(transaction, home + "/" YASMIN_XS_DIR,
                         home + "/" YASMIN_XS_RENDEZVOUS_DIR, &result, error);
    if (status != XsStatus::kOk) return status;
  }
  tree->swap(result);
  return XsStatus::kOk;
}

bool Publish(XsStore* store, const XenStoreTree& desired, bool dry_run, int max_attempts,
             XenStoreTree* known, std::vector<XsOperation>* operations, std::string* error) {
  for (int attempt = 0; attempt < max_attempts; attempt++) {
    const XsStatus status = PublishOnce(store, desired, dry_run, known, operations, error);
    if (status == XsStatus::kOk) return true;
    if (known != nullptr) known->clear();  // whatever went wrong, read XenStore next time
    if (status != XsStatus::kConflict) return false;
  }
  *error = "XenStore stayed busy: " + std::to_string(max_attempts) +
           " transactions in a row conflicted with other writers";
  return false;
}

}  // namespace yasmin
