// Reading XenStore and publishing the desired state in transactions
// (dom0-backend/xenstore_publish.h), against an in-memory XenStore.

#include "xenstore_publish.h"

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "desired_state.h"
#include "gtest/gtest.h"
#include "xenstore_access.h"

namespace yasmin {
namespace {

using Access = XsPermission::Access;

std::string Parent(const std::string& path) { return path.substr(0, path.rfind('/')); }

// XenStore in memory, with the failures the tests need: conflicting commits, nodes that
// vanish between being listed and being read, and requests that fail.  A transaction works on
// a copy that its commit puts in place, as xenstored's transactions behave.
class FakeXenStore : public XsStore {
 public:
  FakeXenStore() {
    Add("/local", "");
    Add("/local/domain", "");
  }

  void Add(const std::string& path, const std::string& value, XsAcl acl = {{0, Access::kNone}}) {
    nodes[path] = {value, acl};
  }

  std::unique_ptr<XsTransaction> Begin(std::string* error) override;

  XenStoreTree nodes;
  int conflicts_left = 0;           // commits to answer with kConflict
  std::set<std::string> vanishing;  // listed by Directory, kNotFound to Read
  std::string failing_path;         // Apply on it fails
  std::string failing_directory;    // Directory on it fails
  int begun = 0;
  int committed = 0;
};

class FakeTransaction : public XsTransaction {
 public:
  explicit FakeTransaction(FakeXenStore* store) : store_(store), nodes_(store->nodes) {}

  XsStatus Directory(const std::string& path, std::vector<std::string>* children,
                     std::string* error) override {
    if (path == store_->failing_directory) {
      *error = "cannot list " + path + ": Permission denied";
      return XsStatus::kFailed;
    }
    if (nodes_.count(path) == 0) return XsStatus::kNotFound;
    children->clear();
    for (const auto& [other, node] : nodes_) {
      if (Parent(other) == path) children->push_back(other.substr(path.size() + 1));
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
  void Create(const std::string& path) { nodes_[path] = {"", nodes_[Parent(path)].acl}; }

  FakeXenStore* const store_;
  XenStoreTree nodes_;
};

std::unique_ptr<XsTransaction> FakeXenStore::Begin(std::string*) {
  begun++;
  return std::make_unique<FakeTransaction>(this);
}

DomainInfo Info(uint32_t domid, const std::string& name, std::vector<std::string> addresses = {}) {
  DomainInfo info;
  info.domain = {domid, name, domid + 2};
  info.addresses = std::move(addresses);
  return info;
}

// A host with dom0 and guest 3, whose homes exist as the toolstack makes them.
class PublishTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_.Add("/local/domain/0", "");
    store_.Add("/local/domain/3", "", {{3, Access::kNone}});
    desired_ = ComputeDesiredState({Info(0, "Domain-0"), Info(3, "a", {"10.0.0.3"})}, Policy());
  }

  // Whether every desired node is in the store with its ACL, and its value unless a guest
  // owns it.
  void ExpectPublished() {
    for (const auto& [path, node] : desired_) {
      const auto found = store_.nodes.find(path);
      ASSERT_NE(store_.nodes.end(), found) << path;
      EXPECT_EQ(node.acl, found->second.acl) << path;
      if (node.kind != XsNode::Kind::kOwnerWritten) {
        EXPECT_EQ(node.value, found->second.value) << path;
      }
    }
  }

  bool Publish(bool dry_run, std::vector<XsOperation>* operations, int attempts = 5) {
    return yasmin::Publish(&store_, desired_, dry_run, attempts, operations, &error_);
  }

  FakeXenStore store_;
  XenStoreTree desired_;
  std::string error_;
};

TEST_F(PublishTest, TheFirstPassCreatesEverythingAndTheSecondDoesNothing) {
  std::vector<XsOperation> operations;
  ASSERT_TRUE(Publish(false, &operations)) << error_;
  EXPECT_EQ(Diff({}, desired_), operations);
  ExpectPublished();
  EXPECT_EQ(1, store_.committed);

  ASSERT_TRUE(Publish(false, &operations)) << error_;
  EXPECT_TRUE(operations.empty());
  EXPECT_EQ(1, store_.committed);  // nothing to do: the transaction was abandoned
}

TEST_F(PublishTest, ADryRunReportsTheOperationsAndChangesNothing) {
  const XenStoreTree before = store_.nodes;
  std::vector<XsOperation> operations;
  ASSERT_TRUE(Publish(true, &operations)) << error_;
  EXPECT_EQ(Diff({}, desired_), operations);
  EXPECT_EQ(0, store_.committed);
  EXPECT_EQ(before.size(), store_.nodes.size());
}

TEST_F(PublishTest, AConflictStartsTheWholePassAgain) {
  store_.conflicts_left = 2;
  std::vector<XsOperation> operations;
  ASSERT_TRUE(Publish(false, &operations)) << error_;
  EXPECT_EQ(3, store_.begun);
  EXPECT_EQ(Diff({}, desired_), operations);
  ExpectPublished();
}

TEST_F(PublishTest, EndlessConflictsGiveUpAfterTheBoundAndChangeNothing) {
  store_.conflicts_left = 1000;
  const size_t nodes_before = store_.nodes.size();
  std::vector<XsOperation> operations;
  EXPECT_FALSE(Publish(false, &operations, 3));
  EXPECT_EQ(3, store_.begun);
  EXPECT_NE(std::string::npos, error_.find("busy")) << error_;
  EXPECT_EQ(nodes_before, store_.nodes.size());
}

TEST_F(PublishTest, AFailedOperationIsNamedAndNothingIsCommitted) {
  store_.failing_path = "/local/domain/3/yasmin/peers";
  std::vector<XsOperation> operations;
  EXPECT_FALSE(Publish(false, &operations));
  EXPECT_NE(std::string::npos, error_.find("cannot mkdir /local/domain/3/yasmin/peers: No space"))
      << error_;
  EXPECT_EQ(0, store_.committed);
  EXPECT_EQ(1, store_.begun);  // only conflicts are retried
}

TEST_F(PublishTest, AnUnreadableDomainListIsAnError) {
  store_.failing_directory = "/local/domain";
  std::vector<XsOperation> operations;
  EXPECT_FALSE(Publish(false, &operations));
  EXPECT_NE(std::string::npos, error_.find("Permission denied")) << error_;
}

// What a guest or a crashed older yasmind may have left: junk values, a foreign ACL, nodes
// that are not ours.  All of it is data that the pass repairs.
TEST_F(PublishTest, MalformedValuesAndAclsAreRepaired) {
  std::vector<XsOperation> operations;
  ASSERT_TRUE(Publish(false, &operations)) << error_;
  store_.nodes["/local/domain/3/yasmin/generation"].value = "banana";
  store_.nodes["/local/domain/3/yasmin/peers/0/cid"].value = std::string("2\n\0x", 4);
  store_.nodes["/local/domain/3/yasmin/peers"].acl = {{3, Access::kBoth}};
  store_.Add("/local/domain/3/yasmin/peers/9", "", {{3, Access::kNone}});
  store_.Add("/local/domain/3/yasmin/peers/9/cid", "11", {{3, Access::kNone}});

  ASSERT_TRUE(Publish(false, &operations)) << error_;
  const std::vector<XsOperation> expected = {
      {XsOperation::Kind::kRemove, "/local/domain/3/yasmin/peers/9", "", {}},
      {XsOperation::Kind::kSetPerms, "/local/domain/3/yasmin/peers", "",
       desired_["/local/domain/3/yasmin/peers"].acl},
      {XsOperation::Kind::kWrite, "/local/domain/3/yasmin/peers/0/cid", "2", {}},
      {XsOperation::Kind::kWrite, "/local/domain/3/yasmin/generation", "1", {}},
  };
  EXPECT_EQ(expected, operations);
  ExpectPublished();
  EXPECT_EQ(0u, store_.nodes.count("/local/domain/3/yasmin/peers/9/cid"));
}

// A guest may write as much as its quota allows below its rendezvous directories; yasmind
// neither reads it nor touches it.
TEST(ReadCurrentTreeTest, StopsAtRendezvousDirectoriesAndSkipsNonDomains) {
  FakeXenStore store;
  store.Add("/local/domain/3", "");
  store.Add("/local/domain/3/name", "a");
  store.Add("/local/domain/3/yasmin", "");
  store.Add("/local/domain/3/yasmin/rendezvous", "");
  store.Add("/local/domain/3/yasmin/rendezvous/0", "", {{3, Access::kNone}, {0, Access::kRead}});
  store.Add("/local/domain/3/yasmin/rendezvous/0/ring-ref", "8");
  store.Add("/local/domain/3/yasmin/rendezvous/0/deep", "");
  store.Add("/local/domain/3/yasmin/rendezvous/0/deep/er", "x");
  store.Add("/local/domain/pool", "");
  store.Add("/local/domain/pool/yasmin", "");
  store.Add("/local/domain/12", "");  // a domain without a view yet

  std::string error;
  std::unique_ptr<XsTransaction> transaction = store.Begin(&error);
  XenStoreTree tree;
  ASSERT_EQ(XsStatus::kOk, ReadCurrentTree(transaction.get(), &tree, &error)) << error;
  std::vector<std::string> paths;
  for (const auto& [path, node] : tree) paths.push_back(path);
  const std::vector<std::string> expected = {"/local/domain/3/yasmin",
                                             "/local/domain/3/yasmin/rendezvous",
                                             "/local/domain/3/yasmin/rendezvous/0"};
  EXPECT_EQ(expected, paths);
  const XsAcl rendezvous_acl = {{3, Access::kNone}, {0, Access::kRead}};
  EXPECT_EQ(rendezvous_acl, tree["/local/domain/3/yasmin/rendezvous/0"].acl);
}

TEST(ReadCurrentTreeTest, ANodeThatVanishesWhileReadIsLeftOut) {
  FakeXenStore store;
  store.Add("/local/domain/3", "");
  store.Add("/local/domain/3/yasmin", "");
  store.Add("/local/domain/3/yasmin/peers", "");
  store.Add("/local/domain/3/yasmin/peers/4", "");
  store.Add("/local/domain/3/yasmin/peers/4/cid", "6");
  store.vanishing.insert("/local/domain/3/yasmin/peers/4");

  std::string error;
  std::unique_ptr<XsTransaction> transaction = store.Begin(&error);
  XenStoreTree tree;
  ASSERT_EQ(XsStatus::kOk, ReadCurrentTree(transaction.get(), &tree, &error)) << error;
  EXPECT_EQ(2u, tree.size());
  EXPECT_EQ(0u, tree.count("/local/domain/3/yasmin/peers/4"));
}

}  // namespace
}  // namespace yasmin
