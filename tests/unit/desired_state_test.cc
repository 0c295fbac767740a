// What yasmind wants XenStore to hold (dom0-backend/desired_state.h).

#include "desired_state.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace yasmin {
namespace {

DomainInfo Info(uint32_t domid, const std::string& name, std::vector<std::string> addresses = {}) {
  DomainInfo info;
  info.domain = {domid, name, domid + 2};
  info.addresses = std::move(addresses);
  return info;
}

// The tree as "path value acl [kind]" lines, in the tree's order.
std::string Dump(const XenStoreTree& tree) {
  std::string text;
  for (const auto& [path, node] : tree) {
    text += path + " '" + node.value + "' " + AclToString(node.acl);
    if (node.kind == XsNode::Kind::kGeneration) text += " generation";
    if (node.kind == XsNode::Kind::kOwnerWritten) text += " owner-written";
    text += "\n";
  }
  return text;
}

TEST(DesiredStateTest, NoDomainsWantNothing) {
  EXPECT_TRUE(ComputeDesiredState({}, Policy()).empty());
}

TEST(DesiredStateTest, ALoneDomainGetsAnEmptyView) {
  EXPECT_EQ(
      "/local/domain/5/yasmin '' n0,r5\n"
      "/local/domain/5/yasmin/generation '1' n0,r5 generation\n"
      "/local/domain/5/yasmin/peers '' n0,r5\n"
      "/local/domain/5/yasmin/rendezvous '' n0,r5\n",
      Dump(ComputeDesiredState({Info(5, "alone")}, Policy())));
}

// The layout and ACLs of docs/contract.md and lab_yasmin_prepare, dom0 included: its own
// nodes are "n0" (the reader is the owner), a guest's rendezvous for dom0 is "nG,r0".
TEST(DesiredStateTest, TwoGuestsAndDom0GetTheContractLayoutAndAcls) {
  const std::vector<DomainInfo> domains = {
      Info(7, "b", {"10.0.0.7", "fe80::7"}), Info(0, "Domain-0", {"10.0.0.1"}),
      Info(3, "a", {"10.0.0.3"})};
  EXPECT_EQ(
      "/local/domain/0/yasmin '' n0\n"
      "/local/domain/0/yasmin/generation '1' n0 generation\n"
      "/local/domain/0/yasmin/peers '' n0\n"
      "/local/domain/0/yasmin/peers/3 '' n0\n"
      "/local/domain/0/yasmin/peers/3/cid '5' n0\n"
      "/local/domain/0/yasmin/peers/3/ip '10.0.0.3' n0\n"
      "/local/domain/0/yasmin/peers/7 '' n0\n"
      "/local/domain/0/yasmin/peers/7/cid '9' n0\n"
      "/local/domain/0/yasmin/peers/7/ip '10.0.0.7 fe80::7' n0\n"
      "/local/domain/0/yasmin/rendezvous '' n0\n"
      "/local/domain/0/yasmin/rendezvous/3 '' n0,r3 owner-written\n"
      "/local/domain/0/yasmin/rendezvous/7 '' n0,r7 owner-written\n"
      "/local/domain/3/yasmin '' n0,r3\n"
      "/local/domain/3/yasmin/generation '1' n0,r3 generation\n"
      "/local/domain/3/yasmin/peers '' n0,r3\n"
      "/local/domain/3/yasmin/peers/0 '' n0,r3\n"
      "/local/domain/3/yasmin/peers/0/cid '2' n0,r3\n"
      "/local/domain/3/yasmin/peers/0/ip '10.0.0.1' n0,r3\n"
      "/local/domain/3/yasmin/peers/7 '' n0,r3\n"
      "/local/domain/3/yasmin/peers/7/cid '9' n0,r3\n"
      "/local/domain/3/yasmin/peers/7/ip '10.0.0.7 fe80::7' n0,r3\n"
      "/local/domain/3/yasmin/rendezvous '' n0,r3\n"
      "/local/domain/3/yasmin/rendezvous/0 '' n3,r0 owner-written\n"
      "/local/domain/3/yasmin/rendezvous/7 '' n3,r7 owner-written\n"
      "/local/domain/7/yasmin '' n0,r7\n"
      "/local/domain/7/yasmin/generation '1' n0,r7 generation\n"
      "/local/domain/7/yasmin/peers '' n0,r7\n"
      "/local/domain/7/yasmin/peers/0 '' n0,r7\n"
      "/local/domain/7/yasmin/peers/0/cid '2' n0,r7\n"
      "/local/domain/7/yasmin/peers/0/ip '10.0.0.1' n0,r7\n"
      "/local/domain/7/yasmin/peers/3 '' n0,r7\n"
      "/local/domain/7/yasmin/peers/3/cid '5' n0,r7\n"
      "/local/domain/7/yasmin/peers/3/ip '10.0.0.3' n0,r7\n"
      "/local/domain/7/yasmin/rendezvous '' n0,r7\n"
      "/local/domain/7/yasmin/rendezvous/0 '' n7,r0 owner-written\n"
      "/local/domain/7/yasmin/rendezvous/3 '' n7,r3 owner-written\n",
      Dump(ComputeDesiredState(domains, Policy())));
}

TEST(DesiredStateTest, ThePolicyDecidesWhoAppearsInWhichView) {
  const ParsedPolicy parsed = ParsePolicy("group web name:web-*\ngroup db name:db\nallow web db\n");
  ASSERT_TRUE(parsed.ok()) << parsed.ErrorText("policy");
  const XenStoreTree tree = ComputeDesiredState(
      {Info(0, "Domain-0"), Info(1, "web-1"), Info(2, "web-2"), Info(3, "db")}, parsed.policy);

  EXPECT_EQ(1u, tree.count("/local/domain/1/yasmin/peers/3"));
  EXPECT_EQ(1u, tree.count("/local/domain/1/yasmin/rendezvous/3"));
  EXPECT_EQ(1u, tree.count("/local/domain/3/yasmin/peers/1"));
  EXPECT_EQ(1u, tree.count("/local/domain/3/yasmin/peers/2"));
  EXPECT_EQ(1u, tree.count("/local/domain/3/yasmin/rendezvous/2"));
  EXPECT_EQ(0u, tree.count("/local/domain/1/yasmin/peers/2")) << "web may not reach web";
  EXPECT_EQ(0u, tree.count("/local/domain/1/yasmin/rendezvous/2"));
  EXPECT_EQ(0u, tree.count("/local/domain/1/yasmin/peers/0"));
  // dom0 reaches nobody, but still has its (empty) view.
  EXPECT_EQ(1u, tree.count("/local/domain/0/yasmin/peers"));
  EXPECT_EQ(0u, tree.count("/local/domain/0/yasmin/peers/1"));
}

// A peer's view entry and the rendezvous directory always come together, in both homes.
TEST(DesiredStateTest, EveryAllowedPairHasBothRendezvousDirectories) {
  const XenStoreTree tree = ComputeDesiredState(
      {Info(0, "Domain-0"), Info(1, "a"), Info(2, "b"), Info(3, "c"), Info(4, "d")}, Policy());
  for (uint32_t g = 0; g <= 4; g++) {
    for (uint32_t p = 0; p <= 4; p++) {
      const std::string rendezvous =
          "/local/domain/" + std::to_string(g) + "/yasmin/rendezvous/" + std::to_string(p);
      const std::string peer =
          "/local/domain/" + std::to_string(g) + "/yasmin/peers/" + std::to_string(p);
      EXPECT_EQ(g != p ? 1u : 0u, tree.count(rendezvous)) << rendezvous;
      EXPECT_EQ(g != p ? 1u : 0u, tree.count(peer)) << peer;
      if (g == p) continue;
      const XsAcl expected = {{g, XsPermission::Access::kNone}, {p, XsPermission::Access::kRead}};
      EXPECT_EQ(expected, tree.at(rendezvous).acl) << rendezvous;
    }
  }
}

TEST(DesiredStateTest, AddressesAreValidatedSortedAndCanonical) {
  const XenStoreTree tree = ComputeDesiredState(
      {Info(1, "a"),
       Info(2, "b", {"10.0.0.9", "not-an-ip", "2001:DB8:0:0:0:0:0:1", "10.0.0.9", "",
                     "10.0.0.10 ; rm -rf /", "10.0.0.10", "300.1.1.1"})},
      Policy());
  EXPECT_EQ("10.0.0.10 10.0.0.9 2001:db8::1", tree.at("/local/domain/1/yasmin/peers/2/ip").value);
  EXPECT_EQ("", tree.at("/local/domain/2/yasmin/peers/1/ip").value);
}

TEST(DesiredStateTest, InvalidAndDuplicateDomidsAreIgnored) {
  const XenStoreTree tree = ComputeDesiredState(
      {Info(1, "a", {"10.0.0.1"}), Info(1, "impostor", {"10.6.6.6"}), Info(0x7FF0, "reserved")},
      Policy());
  EXPECT_EQ(0u, tree.count("/local/domain/32752/yasmin"));
  EXPECT_EQ(0u, tree.count("/local/domain/1/yasmin/peers/32752"));
  EXPECT_EQ(1u, tree.count("/local/domain/1/yasmin"));
  EXPECT_EQ(0u, tree.count("/local/domain/1/yasmin/peers/1"));
}

TEST(DesiredStateTest, TheSnapshotsOrderDoesNotMatter) {
  const std::vector<DomainInfo> forward = {Info(0, "Domain-0"), Info(2, "a"), Info(10, "b")};
  const std::vector<DomainInfo> backward(forward.rbegin(), forward.rend());
  EXPECT_EQ(Dump(ComputeDesiredState(forward, Policy())),
            Dump(ComputeDesiredState(backward, Policy())));
}

}  // namespace
}  // namespace yasmin
