// Reading XenStore and publishing the desired state in transactions
// (dom0-backend/xenstore_publish.h), against an in-memory XenStore (fake_xenstore.h).

#include "xenstore_publish.h"

#include <memory>
#include <string>
#include <vector>

#include "desired_state.h"
#include "fake_xenstore.h"
#include "gtest/gtest.h"
#include "xenstore_access.h"

namespace yasmin {
namespace {

using Access = XsPermission::Access;

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
    return yasmin::Publish(&store_, desired_, dry_run, attempts, /*known=*/nullptr, operations,
                           &error_);
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
