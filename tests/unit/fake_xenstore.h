// XenStore in memory (dom0-backend/xenstore_access.h), for the tests of everything that reads
// or writes XenStore: publishing (xenstore_publish.h) and yasminctl's status report
// (status_report.h).  It has the failures the tests need: conflicting commits, nodes that
// vanish between being listed and being read, and requests that fail.  A transaction works on
// a copy that its commit puts in place, as xenstored's transactions behave.

#ifndef YASMIN_TESTS_UNIT_FAKE_XENSTORE_H_
#define YASMIN_TESTS_UNIT_FAKE_XENSTORE_H_

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "xenstore_access.h"
#include "xenstore_diff.h"
#include "xenstore_tree.h"

namespace yasmin {

class FakeXenStore : public XsStore {
 public:
  FakeXenStore() {
    Add("/local", "");
    Add("/local/domain", "");
  }

  void Add(const std::string& path, const std::string& value,
           XsAcl acl = {{0, XsPermission::Access::kNone}}) {
    nodes[path] = {value, acl};
  }

  std::unique_ptr<XsTransaction> Begin(std::string* error) override;

  static std::string Parent(const std::string& path) { return path.substr(0, path.rfind('/')); }

  XenStoreTree nodes;
  int conflicts_left = 0;           // commits to answer with kConflict
  std::set<std::string> vanishing;  // listed by Directory, kNotFound to Read
  std::string failing_path;         // Apply on it fails
  std::string failing_directory;    // Directory on it fails
  std::string failing_begin;        // when not empty, Begin fails with this error
  int begun = 0;
  int committed = 0;
  int abandoned = 0;  // transactions destroyed without a Commit()
};

class FakeTransaction : public XsTransaction {
 public:
  explicit FakeTransaction(FakeXenStore* store) : store_(store), nodes_(store->nodes) {}
  ~FakeTransaction() override {
    if (!ended_) store_->abandoned++;
  }

  XsStatus Directory(const std::string& path, std::vector<std::string>* children,
                     std::string* error) override {
    if (path == store_->failing_directory) {
      *error = "cannot list " + path + ": Permission denied";
      return XsStatus::kFailed;
    }
    if (nodes_.count(path) == 0) return XsStatus::kNotFound;
    children->clear();
    for (const auto& [other, node] : nodes_) {
      if (FakeXenStore::Parent(other) == path) children->push_back(other.substr(path.size() + 1));
    }
    return XsStatus::kOk;
  }

  XsStatus Read(const std::string& path, std::string* value, std::string*) override {
    const auto found = nodes_.find(path);
    if (found == nodes_.end() || store_->vanishing.count(path) != 0) return XsStatus::kNotFound;
    *value = found->second.value;
    return XsStatus::kOk;
  }

  XsStatus GetAcl(const std::string& path, XsAcl* acl, std::string*) override {
    const auto found = nodes_.find(path);
    if (found == nodes_.end()) return XsStatus::kNotFound;
    *acl = found->second.acl;
    return XsStatus::kOk;
  }

  XsStatus Apply(const XsOperation& operation, std::string* error) override {
    if (operation.path == store_->failing_path) {
      *error = "No space left on device";
      return XsStatus::kFailed;
    }
    const auto found = nodes_.find(operation.path);
    switch (operation.kind) {
      case XsOperation::Kind::kRemove: {
        if (found == nodes_.end()) return XsStatus::kNotFound;
        for (auto it = found; it != nodes_.end() && IsAtOrBelow(it->first, operation.path);) {
          it = nodes_.erase(it);
        }
        return XsStatus::kOk;
      }
      case XsOperation::Kind::kMkdir:
        if (found == nodes_.end()) Create(operation.path);
        return XsStatus::kOk;
      case XsOperation::Kind::kWrite:
        if (found == nodes_.end()) Create(operation.path);
        nodes_[operation.path].value = operation.value;
        return XsStatus::kOk;
      case XsOperation::Kind::kSetPerms:
        if (found == nodes_.end()) return XsStatus::kNotFound;
        found->second.acl = operation.acl;
        return XsStatus::kOk;
    }
    return XsStatus::kFailed;
  }

  XsStatus Commit(std::string*) override {
    ended_ = true;
    if (store_->conflicts_left > 0) {
      store_->conflicts_left--;
      return XsStatus::kConflict;
    }
    store_->nodes = nodes_;
    store_->committed++;
    return XsStatus::kOk;
  }

 private:
  // A new node inherits its parent's ACL, as in xenstored.
  void Create(const std::string& path) {
    nodes_[path] = {"", nodes_[FakeXenStore::Parent(path)].acl};
  }

  FakeXenStore* const store_;
  XenStoreTree nodes_;
  bool ended_ = false;
};

inline std::unique_ptr<XsTransaction> FakeXenStore::Begin(std::string* error) {
  if (!failing_begin.empty()) {
    *error = failing_begin;
    return nullptr;
  }
  begun++;
  return std::make_unique<FakeTransaction>(this);
}

}  // namespace yasmin

#endif  // YASMIN_TESTS_UNIT_FAKE_XENSTORE_H_
