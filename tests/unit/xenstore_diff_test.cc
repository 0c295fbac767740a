// From what XenStore holds to what yasmind wants (dom0-backend/xenstore_diff.h), over
// sequences of domain snapshots as a running host produces them.

#include "xenstore_diff.h"

#include <algorithm>
#include <iterator>
#include <string>
#include <vector>

#include "desired_state.h"
#include "gtest/gtest.h"

namespace yasmin {
namespace {

using Access = XsPermission::Access;

DomainInfo Info(uint32_t domid, const std::string& name, std::vector<std::string> addresses = {},
                const std::string& uuid = "") {
  DomainInfo info;
  info.domain = {domid, name, domid + 2};
  info.addresses = std::move(addresses);
  info.uuid = uuid;
  return info;
}

std::vector<std::string> Strings(const std::vector<XsOperation>& ops) {
  std::vector<std::string> lines;
  for (const XsOperation& op : ops) lines.push_back(ToString(op));
  return lines;
}

// What XenStore does with the operations, as far as the diff cares: a new node takes its
// parent's ACL (which the diff must not rely on, so it is a wrong one here), a write creates
// missing parents, a removal takes the subtree.
XenStoreTree Apply(XenStoreTree tree, const std::vector<XsOperation>& ops) {
  const XsAcl inherited = {{0, Access::kBoth}};  // deliberately not what yasmind wants
  for (const XsOperation& op : ops) {
    switch (op.kind) {
      case XsOperation::Kind::kRemove:
        for (auto it = tree.begin(); it != tree.end();) {
          it = IsAtOrBelow(it->first, op.path) ? tree.erase(it) : std::next(it);
        }
        break;
      case XsOperation::Kind::kMkdir:
        tree.emplace(op.path, XsNode{"", inherited});
        break;
      case XsOperation::Kind::kWrite: {
        auto [it, created] = tree.emplace(op.path, XsNode{"", inherited});
        it->second.value = op.value;
        break;
      }
      case XsOperation::Kind::kSetPerms:
        EXPECT_EQ(1u, tree.count(op.path)) << "chmod of a missing node " << op.path;
        tree[op.path].acl = op.acl;
        break;
    }
  }
  return tree;
}

// A host over time: each Step() computes the desired state, diffs it against what the
// simulated XenStore holds, applies the operations and checks that a second diff is empty.
class Host {
 public:
  std::vector<std::string> Step(const std::vector<DomainInfo>& domains,
                                const Policy& policy = Policy()) {
    const XenStoreTree desired = ComputeDesiredState(domains, policy);
    const std::vector<XsOperation> ops = Diff(store, desired);
    store = Apply(store, ops);
    EXPECT_TRUE(Diff(store, desired).empty()) << "not idempotent after applying the diff";
    return Strings(ops);
  }

  std::string Value(const std::string& path) const {
    const auto it = store.find(path);
    return it == store.end() ? "<missing>" : it->second.value;
  }

  XenStoreTree store;
};

bool Contains(const std::vector<std::string>& lines, const std::string& line) {
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

TEST(XenStoreDiffTest, DesiredAgainstItselfIsEmpty) {
  const XenStoreTree desired = ComputeDesiredState(
      {Info(0, "Domain-0"), Info(1, "a", {"10.0.0.1"}), Info(2, "b")}, Policy());
  EXPECT_TRUE(Diff(desired, desired).empty());
  EXPECT_TRUE(Diff({}, {}).empty());
}

TEST(XenStoreDiffTest, AFirstGuestIsCreatedParentsFirstWithExplicitAcls) {
  Host host;
  EXPECT_EQ(std::vector<std::string>({
                "mkdir /local/domain/4/yasmin",
                "chmod /local/domain/4/yasmin n0,r4",
                "mkdir /local/domain/4/yasmin/peers",
                "chmod /local/domain/4/yasmin/peers n0,r4",
                "mkdir /local/domain/4/yasmin/rendezvous",
                "chmod /local/domain/4/yasmin/rendezvous n0,r4",
                "write /local/domain/4/yasmin/generation 1",
                "chmod /local/domain/4/yasmin/generation n0,r4",
            }),
            host.Step({Info(4, "alone")}));
}

TEST(XenStoreDiffTest, ASecondGuestAppears) {
  Host host;
  host.Step({Info(1, "a", {"10.0.0.1"})});
  EXPECT_EQ(std::vector<std::string>({
                "mkdir /local/domain/1/yasmin/peers/2",
                "chmod /local/domain/1/yasmin/peers/2 n0,r1",
                "write /local/domain/1/yasmin/peers/2/cid 4",
                "chmod /local/domain/1/yasmin/peers/2/cid n0,r1",
                "mkdir /local/domain/1/yasmin/peers/2/ip",
                "chmod /local/domain/1/yasmin/peers/2/ip n0,r1",
                "mkdir /local/domain/1/yasmin/rendezvous/2",
                "chmod /local/domain/1/yasmin/rendezvous/2 n1,r2",
                "mkdir /local/domain/2/yasmin",
                "chmod /local/domain/2/yasmin n0,r2",
                "mkdir /local/domain/2/yasmin/peers",
                "chmod /local/domain/2/yasmin/peers n0,r2",
                "mkdir /local/domain/2/yasmin/peers/1",
                "chmod /local/domain/2/yasmin/peers/1 n0,r2",
                "write /local/domain/2/yasmin/peers/1/cid 3",
                "chmod /local/domain/2/yasmin/peers/1/cid n0,r2",
                "write /local/domain/2/yasmin/peers/1/ip 10.0.0.1",
                "chmod /local/domain/2/yasmin/peers/1/ip n0,r2",
                "mkdir /local/domain/2/yasmin/rendezvous",
                "chmod /local/domain/2/yasmin/rendezvous n0,r2",
                "mkdir /local/domain/2/yasmin/rendezvous/1",
                "chmod /local/domain/2/yasmin/rendezvous/1 n2,r1",
                "write /local/domain/1/yasmin/generation 2",
                "write /local/domain/2/yasmin/generation 1",
                "chmod /local/domain/2/yasmin/generation n0,r2",
            }),
            host.Step({Info(1, "a", {"10.0.0.1"}), Info(2, "b")}));
}

TEST(XenStoreDiffTest, NothingChangesNothingIsWritten) {
  Host host;
  const std::vector<DomainInfo> domains = {Info(0, "Domain-0"), Info(1, "a"), Info(2, "b")};
  host.Step(domains);
  EXPECT_TRUE(host.Step(domains).empty());
  EXPECT_EQ("1", host.Value("/local/domain/1/yasmin/generation"));
}

// A guest's keys below its rendezvous directories belong to it: never removed, never
// rewritten, and writing them does not change the view's generation.
TEST(XenStoreDiffTest, KeysTheGuestWroteAreLeftAlone) {
  Host host;
  const std::vector<DomainInfo> domains = {Info(1, "a"), Info(2, "b")};
  host.Step(domains);
  host.store["/local/domain/1/yasmin/rendezvous/2"].value = "guest wrote this";
  host.store["/local/domain/1/yasmin/rendezvous/2/session"] = {"1234abcd", {{1, Access::kNone}, {2, Access::kRead}}};
  host.store["/local/domain/1/yasmin/rendezvous/2/ring-ref"] = {"8", {{1, Access::kNone}, {2, Access::kRead}}};
  EXPECT_TRUE(host.Step(domains).empty());
  EXPECT_EQ("1234abcd", host.Value("/local/domain/1/yasmin/rendezvous/2/session"));
}

TEST(XenStoreDiffTest, ADeadGuestsViewGoesInOneRemovalAndItLeavesTheOthers) {
  Host host;
  host.Step({Info(0, "Domain-0"), Info(1, "a"), Info(2, "b"), Info(3, "c")});
  host.store["/local/domain/1/yasmin/rendezvous/3/session"] = {"99", {{1, Access::kNone}}};
  EXPECT_EQ(std::vector<std::string>({
                "rm /local/domain/0/yasmin/peers/3",
                "rm /local/domain/0/yasmin/rendezvous/3",
                "rm /local/domain/1/yasmin/peers/3",
                "rm /local/domain/1/yasmin/rendezvous/3",
                "rm /local/domain/2/yasmin/peers/3",
                "rm /local/domain/2/yasmin/rendezvous/3",
                "rm /local/domain/3/yasmin",
                "write /local/domain/0/yasmin/generation 2",
                "write /local/domain/1/yasmin/generation 2",
                "write /local/domain/2/yasmin/generation 2",
            }),
            host.Step({Info(0, "Domain-0"), Info(1, "a"), Info(2, "b")}));
  EXPECT_EQ("<missing>", host.Value("/local/domain/1/yasmin/rendezvous/3/session"));
}

TEST(XenStoreDiffTest, ARenameAloneChangesNothingInXenStore) {
  Host host;
  host.Step({Info(1, "a"), Info(2, "b")});
  EXPECT_TRUE(host.Step({Info(1, "a"), Info(2, "renamed")}).empty());
}

TEST(XenStoreDiffTest, ARenameThatTheStrictPolicyCaresAboutChangesTheViews) {
  const ParsedPolicy parsed = ParsePolicy("group web name:web-*\nallow web web\n");
  ASSERT_TRUE(parsed.ok());
  Host host;
  host.Step({Info(1, "web-1"), Info(2, "web-2")}, parsed.policy);
  EXPECT_EQ("1", host.Value("/local/domain/1/yasmin/generation"));
  EXPECT_EQ(std::vector<std::string>({
                "rm /local/domain/1/yasmin/peers/2",
                "rm /local/domain/1/yasmin/rendezvous/2",
                "rm /local/domain/2/yasmin/peers/1",
                "rm /local/domain/2/yasmin/rendezvous/1",
                "write /local/domain/1/yasmin/generation 2",
                "write /local/domain/2/yasmin/generation 2",
            }),
            host.Step({Info(1, "web-1"), Info(2, "db-2")}, parsed.policy));
}

// Migration or restore: the same guest (same UUID) comes back under a new domid.  Everything
// keyed by the old domid goes, the new one is built from scratch.
TEST(XenStoreDiffTest, ADomidChangeRebuildsUnderTheNewDomid) {
  const std::string uuid = "0a1b2c3d-0000-4000-8000-00000000000f";
  Host host;
  host.Step({Info(1, "a", {"10.0.0.1"}), Info(2, "b", {"10.0.0.2"}, uuid)});
  const std::vector<std::string> ops =
      host.Step({Info(1, "a", {"10.0.0.1"}), Info(5, "b", {"10.0.0.2"}, uuid)});
  EXPECT_EQ("rm /local/domain/1/yasmin/peers/2", ops.at(0));
  EXPECT_EQ("rm /local/domain/1/yasmin/rendezvous/2", ops.at(1));
  EXPECT_EQ("rm /local/domain/2/yasmin", ops.at(2));
  EXPECT_TRUE(Contains(ops, "write /local/domain/1/yasmin/peers/5/cid 7"));
  EXPECT_TRUE(Contains(ops, "write /local/domain/1/yasmin/peers/5/ip 10.0.0.2"));
  EXPECT_TRUE(Contains(ops, "chmod /local/domain/1/yasmin/rendezvous/5 n1,r5"));
  EXPECT_TRUE(Contains(ops, "chmod /local/domain/5/yasmin/rendezvous/1 n5,r1"));
  EXPECT_EQ("write /local/domain/5/yasmin/generation 1", ops.at(ops.size() - 2));
  EXPECT_EQ("write /local/domain/1/yasmin/generation 2", ops.at(ops.size() - 3));
  EXPECT_EQ("<missing>", host.Value("/local/domain/2/yasmin"));
}

TEST(XenStoreDiffTest, AnAddressChangeRewritesOneValueAndBumpsOnlyTheViewsThatShowIt) {
  Host host;
  host.Step({Info(1, "a", {"10.0.0.1"}), Info(2, "b", {"10.0.0.2"}), Info(3, "c")});
  EXPECT_EQ(std::vector<std::string>({
                "write /local/domain/2/yasmin/peers/1/ip 10.0.0.1 10.0.0.11",
                "write /local/domain/3/yasmin/peers/1/ip 10.0.0.1 10.0.0.11",
                "write /local/domain/2/yasmin/generation 2",
                "write /local/domain/3/yasmin/generation 2",
            }),
            host.Step({Info(1, "a", {"10.0.0.11", "10.0.0.1"}), Info(2, "b", {"10.0.0.2"}),
                       Info(3, "c")}));
  EXPECT_EQ("1", host.Value("/local/domain/1/yasmin/generation"));
}

TEST(XenStoreDiffTest, APolicyChangeAddsAndRemovesPairs) {
  const ParsedPolicy closed = ParsePolicy("default none\n");
  const ParsedPolicy pair = ParsePolicy("group a name:a\ngroup b name:b\nallow a b\n");
  ASSERT_TRUE(closed.ok() && pair.ok());
  const std::vector<DomainInfo> domains = {Info(0, "Domain-0"), Info(1, "a"), Info(2, "b")};
  Host host;
  host.Step(domains, closed.policy);
  EXPECT_EQ("<missing>", host.Value("/local/domain/1/yasmin/rendezvous/2"));

  std::vector<std::string> ops = host.Step(domains, pair.policy);
  EXPECT_TRUE(Contains(ops, "chmod /local/domain/1/yasmin/rendezvous/2 n1,r2"));
  EXPECT_TRUE(Contains(ops, "chmod /local/domain/2/yasmin/rendezvous/1 n2,r1"));
  EXPECT_FALSE(Contains(ops, "write /local/domain/0/yasmin/generation 2")) << "dom0 unaffected";

  ops = host.Step(domains, Policy());
  EXPECT_TRUE(Contains(ops, "chmod /local/domain/0/yasmin/rendezvous/1 n0,r1"));
  EXPECT_TRUE(Contains(ops, "chmod /local/domain/1/yasmin/rendezvous/0 n1,r0"));
  EXPECT_TRUE(Contains(ops, "write /local/domain/0/yasmin/generation 2"));
  EXPECT_TRUE(Contains(ops, "write /local/domain/1/yasmin/generation 3"));

  ops = host.Step(domains, closed.policy);
  EXPECT_TRUE(Contains(ops, "rm /local/domain/1/yasmin/rendezvous/0"));
  EXPECT_TRUE(Contains(ops, "rm /local/domain/1/yasmin/rendezvous/2"));
  EXPECT_TRUE(Contains(ops, "write /local/domain/1/yasmin/generation 4"));
}

// A hand-made or tampered ACL is put back, without a new generation: the view reads the same.
TEST(XenStoreDiffTest, AWrongAclIsRepairedWithoutANewGeneration) {
  Host host;
  host.Step({Info(1, "a"), Info(2, "b")});
  host.store["/local/domain/1/yasmin/rendezvous/2"].acl = {{1, Access::kRead}};  // world-readable
  host.store["/local/domain/2/yasmin/peers"].acl = {{2, Access::kNone}};         // guest-owned
  EXPECT_EQ(std::vector<std::string>({
                "chmod /local/domain/1/yasmin/rendezvous/2 n1,r2",
                "chmod /local/domain/2/yasmin/peers n0,r2",
            }),
            host.Step({Info(1, "a"), Info(2, "b")}));
}

TEST(XenStoreDiffTest, StrayNodesInAViewAreRemoved) {
  Host host;
  host.Step({Info(1, "a"), Info(2, "b")});
  host.store["/local/domain/1/yasmin/old-format"] = {"x", {{0, Access::kNone}}};
  host.store["/local/domain/1/yasmin/peers/2/name"] = {"b", {{0, Access::kNone}}};
  EXPECT_EQ(std::vector<std::string>({
                "rm /local/domain/1/yasmin/old-format",
                "rm /local/domain/1/yasmin/peers/2/name",
                "write /local/domain/1/yasmin/generation 2",
            }),
            host.Step({Info(1, "a"), Info(2, "b")}));
}

TEST(XenStoreDiffTest, AMissingOrBadGenerationStartsAgainAtOne) {
  Host host;
  host.Step({Info(1, "a")});
  for (const char* bad : {"", "0", "007", "-3", "1x", "99999999999999999999999"}) {
    host.store["/local/domain/1/yasmin/generation"].value = bad;
    EXPECT_EQ(std::vector<std::string>({"write /local/domain/1/yasmin/generation 1"}),
              host.Step({Info(1, "a")}))
        << "'" << bad << "'";
  }
  host.store.erase("/local/domain/1/yasmin/generation");
  EXPECT_EQ(std::vector<std::string>({"write /local/domain/1/yasmin/generation 1",
                                      "chmod /local/domain/1/yasmin/generation n0,r1"}),
            host.Step({Info(1, "a")}));
}

TEST(XenStoreDiffTest, GenerationsCountOnFromWhatXenStoreHolds) {
  // What a restarted yasmind finds: the same views, counted up by its previous run.
  Host host;
  host.Step({Info(1, "a"), Info(2, "b")});
  host.store["/local/domain/1/yasmin/generation"].value = "41";
  EXPECT_TRUE(host.Step({Info(1, "a"), Info(2, "b")}).empty()) << "a restart disturbs nobody";
  host.Step({Info(1, "a", {"10.0.0.2"}), Info(2, "b", {"10.0.0.2"})});
  EXPECT_EQ("42", host.Value("/local/domain/1/yasmin/generation"));
  host.store["/local/domain/1/yasmin/generation"].value = "18446744073709551615";
  host.Step({Info(1, "a"), Info(2, "b")});
  EXPECT_EQ("1", host.Value("/local/domain/1/yasmin/generation")) << "wraps, never 0";
}

// Only /local/domain/<domid>/yasmin and below is ever touched, whatever the trees hold.
TEST(XenStoreDiffTest, NothingOutsideTheYasminDirectoriesIsTouched) {
  XenStoreTree current;
  for (const char* path : {"/local/domain/1", "/local/domain/1/name", "/local/domain/1/yasminx",
                           "/local/domain/1/device/vif/0", "/local/domain/x/yasmin",
                           "/local/yasmin", "/yasmin", "/local/domain/1/data/yasmin"}) {
    current[path] = {"v", {{0, Access::kNone}}};
  }
  EXPECT_TRUE(Diff(current, {}).empty());

  XenStoreTree desired;
  desired["/local/domain/1/name"] = {"evil", {{0, Access::kNone}}};
  desired["/tool/yasmin"] = {"x", {{0, Access::kNone}}};
  EXPECT_TRUE(Diff(current, desired).empty());
  EXPECT_TRUE(Diff({}, desired).empty());
}

TEST(XenStoreDiffTest, PathsAreOrderedNumericallyByDomid) {
  Host host;
  const std::vector<std::string> ops = host.Step({Info(10, "ten"), Info(9, "nine")});
  ASSERT_FALSE(ops.empty());
  EXPECT_EQ("mkdir /local/domain/9/yasmin", ops.front());
  EXPECT_EQ("chmod /local/domain/10/yasmin/generation n0,r10", ops.back());
}

TEST(XenStoreDiffTest, ManySnapshotsInARowStayConsistent) {
  // A longer life: guests come and go, dom0 joins, addresses move.  Host::Step checks after
  // each snapshot that the applied state is exactly the desired one.
  Host host;
  const std::vector<std::vector<DomainInfo>> snapshots = {
      {Info(0, "Domain-0")},
      {Info(0, "Domain-0"), Info(1, "a", {"10.0.0.1"})},
      {Info(0, "Domain-0"), Info(1, "a", {"10.0.0.1"}), Info(2, "b", {"10.0.0.2"})},
      {Info(0, "Domain-0"), Info(2, "b", {"10.0.0.2"})},
      {Info(0, "Domain-0"), Info(2, "b", {"10.0.0.3"}), Info(3, "a", {"10.0.0.1"})},
      {Info(2, "b", {"10.0.0.3"}), Info(3, "a", {"10.0.0.1"})},
      {},
  };
  for (const auto& snapshot : snapshots) host.Step(snapshot);
  EXPECT_TRUE(host.store.empty());
}

}  // namespace
}  // namespace yasmin
