// yasmind's pass (dom0-backend/publish_pass.h) over a sequence of host snapshots, against an
// in-memory XenStore: domains appear, die (their home removed first, as `xl destroy` does),
// are renamed, come back under a new domid, and the policy changes.  After each step XenStore
// must hold exactly what a fresh yasmind would publish, whether the pass read XenStore or
// trusted what the previous pass left (the daemon's `known` tree), and a second pass must
// change nothing (a restarted yasmind disturbs nobody).

#include "publish_pass.h"

#include <algorithm>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "desired_state.h"
#include "fake_xenstore.h"
#include "guest_addresses.h"
#include "gtest/gtest.h"
#include "policy.h"
#include "xenstore_publish.h"

namespace yasmin {
namespace {

using Access = XsPermission::Access;

// A host: the domains libxl would list, with their XenStore homes and vif backends.
class FakeHost : public DomainSource {
 public:
  explicit FakeHost(FakeXenStore* store) : store_(store) {
    store_->Add("/local/domain/0", "");
    store_->Add("/local/domain/0/backend", "");
    store_->Add("/local/domain/0/backend/vif", "");
    Create(0, "Domain-0", "");
  }

  bool ListDomains(std::vector<DomainInfo>* domains, std::string*) override {
    domains->clear();
    for (const auto& [domid, name] : names_) {
      DomainInfo info;
      info.domain = {domid, name, domid + 2};
      domains->push_back(info);
    }
    return true;
  }

  void Create(uint32_t domid, const std::string& name, const std::string& ip) {
    names_[domid] = name;
    const std::string home = "/local/domain/" + std::to_string(domid);
    if (domid != 0) store_->Add(home, "", {{domid, Access::kNone}});
    store_->Add(home + "/name", name);
    if (!ip.empty()) {
      const std::string vif = "/local/domain/0/backend/vif/" + std::to_string(domid);
      store_->Add(vif, "");
      store_->Add(vif + "/0", "");
      store_->Add(vif + "/0/ip", ip);
    }
  }

  // A vif without an `ip=` setting: its backend, without an ip node.
  void AddVifWithoutIp(uint32_t domid, const std::string& devid) {
    const std::string vif = "/local/domain/0/backend/vif/" + std::to_string(domid);
    store_->Add(vif, "");
    store_->Add(vif + "/" + devid, "");
  }

  // What a guest agent writes: attr/vif/<devid>/<family>/<index> = value, in its own home.
  void Announce(uint32_t domid, const std::string& devid, const std::string& family,
                const std::string& index, const std::string& value) {
    std::string path = "/local/domain/" + std::to_string(domid);
    for (const std::string& part : std::vector<std::string>{"attr", "vif", devid, family}) {
      path += "/" + part;
      if (store_->nodes.count(path) == 0) store_->Add(path, "", {{domid, Access::kNone}});
    }
    store_->Add(path + "/" + index, value, {{domid, Access::kNone}});
  }

  void Unannounce(uint32_t domid) { Erase("/local/domain/" + std::to_string(domid) + "/attr"); }

  // `xl destroy`, half-way: the home and the vifs are gone, libxl still lists the domain.
  void RemoveHome(uint32_t domid) {
    Erase("/local/domain/" + std::to_string(domid));
    Erase("/local/domain/0/backend/vif/" + std::to_string(domid));
  }

  // ... and then the domain is gone.
  void Destroy(uint32_t domid) {
    RemoveHome(domid);
    names_.erase(domid);
  }

  void Rename(uint32_t domid, const std::string& name) {
    names_[domid] = name;
    store_->nodes["/local/domain/" + std::to_string(domid) + "/name"].value = name;
  }

 private:
  void Erase(const std::string& top) {
    for (auto it = store_->nodes.lower_bound(top);
         it != store_->nodes.end() && IsAtOrBelow(it->first, top);) {
      it = store_->nodes.erase(it);
    }
  }

  FakeXenStore* const store_;
  std::map<uint32_t, std::string> names_;
};

Policy PolicyFrom(const std::string& text) {
  const ParsedPolicy parsed = ParsePolicy(text);
  EXPECT_TRUE(parsed.ok()) << parsed.ErrorText("test.conf");
  return parsed.policy;
}

// Everything below /local/domain/*/yasmin, except what guests write below their rendezvous
// directories.
XenStoreTree Views(const XenStoreTree& nodes) {
  static const std::regex kYasminNode("/local/domain/[0-9]+/yasmin(/.*)?");
  static const std::regex kGuestWritten("/local/domain/[0-9]+/yasmin/rendezvous/[0-9]+/.*");
  XenStoreTree views;
  for (const auto& [path, node] : nodes) {
    if (std::regex_match(path, kYasminNode) && !std::regex_match(path, kGuestWritten)) {
      views[path] = node;
    }
  }
  return views;
}

std::string Dump(const XenStoreTree& tree) {
  std::string text;
  for (const auto& [path, node] : tree) {
    text += path + " = \"" + node.value + "\" (" + AclToString(node.acl) + ")\n";
  }
  return text;
}

class PublishPassTest : public ::testing::Test {
 protected:
  PublishPassTest() : host_(&cached_store_), reading_host_(&reading_store_) {}

  // Runs the same step on both hosts, once trusting `known_`, once reading XenStore.
  template <typename Step>
  void OnBothHosts(Step step) {
    step(&host_);
    step(&reading_host_);
  }

  // A pass on each host, then the checks every step must pass.
  void PassAndCheck(const std::string& when) {
    SCOPED_TRACE(when);
    PassResult cached;
    PassResult read;
    std::string error;
    ASSERT_TRUE(RunPublishPass(&host_, &cached_store_, policy_, false, &known_, &cached, &error))
        << error;
    ASSERT_TRUE(RunPublishPass(&reading_host_, &reading_store_, policy_, false, nullptr, &read,
                               &error))
        << error;
    const XenStoreTree views = Views(cached_store_.nodes);
    EXPECT_EQ(Dump(Views(reading_store_.nodes)), Dump(views))
        << "trusting the known tree published something else than reading XenStore";
    // known_ is what XenStore holds (below the rendezvous directories, nothing is written).
    EXPECT_EQ(Dump(views), Dump(known_));
    // A restarted yasmind (nothing known) finds nothing to do.
    PassResult again;
    ASSERT_TRUE(RunPublishPass(&reading_host_, &reading_store_, policy_, false, nullptr, &again,
                               &error))
        << error;
    EXPECT_TRUE(again.operations.empty()) << ToString(again.operations.front());
    last_operations_ = cached.operations;
    last_rejected_ = cached.rejected_addresses;
  }

  bool Has(const std::string& path) const { return cached_store_.nodes.count(path) != 0; }
  std::string Value(const std::string& path) const {
    const auto found = cached_store_.nodes.find(path);
    return found == cached_store_.nodes.end() ? "<missing>" : found->second.value;
  }

  FakeXenStore cached_store_;
  FakeXenStore reading_store_;
  FakeHost host_;
  FakeHost reading_host_;
  Policy policy_;
  XenStoreTree known_;
  std::vector<XsOperation> last_operations_;
  std::map<uint32_t, RejectedAddresses> last_rejected_;
};

TEST_F(PublishPassTest, FollowsAHostThroughItsLife) {
  PassAndCheck("dom0 alone");
  EXPECT_EQ("1", Value("/local/domain/0/yasmin/generation"));

  OnBothHosts([](FakeHost* host) {
    host->Create(1, "web-1", "10.0.0.11");
    host->Create(2, "db-1", "10.0.0.12 fe80::0:1");
  });
  PassAndCheck("two guests appear");
  EXPECT_EQ("4", Value("/local/domain/1/yasmin/peers/2/cid"));
  EXPECT_EQ("10.0.0.12 fe80::1", Value("/local/domain/1/yasmin/peers/2/ip"));
  EXPECT_TRUE(Has("/local/domain/2/yasmin/rendezvous/1"));
  const std::string web_generation = Value("/local/domain/1/yasmin/generation");

  PassAndCheck("nothing changed");
  EXPECT_TRUE(last_operations_.empty());
  EXPECT_EQ(web_generation, Value("/local/domain/1/yasmin/generation"));

  OnBothHosts([](FakeHost* host) { host->RemoveHome(2); });
  PassAndCheck("db-1 is being destroyed: its home is gone, libxl still lists it");
  EXPECT_FALSE(Has("/local/domain/1/yasmin/peers/2"));
  EXPECT_FALSE(Has("/local/domain/2/yasmin")) << "a view re-created in a removed home";

  OnBothHosts([](FakeHost* host) { host->Destroy(2); });
  PassAndCheck("db-1 is gone");
  EXPECT_TRUE(last_operations_.empty());

  OnBothHosts([](FakeHost* host) { host->Create(5, "db-1", "10.0.0.12"); });
  PassAndCheck("db-1 comes back as domid 5 (restore, migration)");
  EXPECT_EQ("7", Value("/local/domain/1/yasmin/peers/5/cid"));
  EXPECT_FALSE(Has("/local/domain/1/yasmin/rendezvous/2"));

  policy_ = PolicyFrom("group web name:web-*\ngroup db name:db-*\nallow web db\n");
  PassAndCheck("a policy: web and db may talk, dom0 is out");
  EXPECT_TRUE(Has("/local/domain/1/yasmin/peers/5"));
  EXPECT_FALSE(Has("/local/domain/1/yasmin/peers/0"));
  EXPECT_FALSE(Has("/local/domain/0/yasmin/peers/1"));

  OnBothHosts([](FakeHost* host) { host->Rename(5, "cache-1"); });
  PassAndCheck("db-1 renamed to cache-1: out of the db group");
  EXPECT_FALSE(Has("/local/domain/1/yasmin/peers/5"));
  EXPECT_FALSE(Has("/local/domain/5/yasmin/rendezvous/1"));
  EXPECT_TRUE(Has("/local/domain/5/yasmin/peers")) << "every domain keeps its (empty) view";

  policy_ = Policy();
  PassAndCheck("back to the default policy");
  EXPECT_TRUE(Has("/local/domain/5/yasmin/rendezvous/0"));
}

// Addresses guests announce (attr/vif/...) are read only from the groups the policy names,
// only for the vifs dom0 gave them, and never against dom0's word.
TEST_F(PublishPassTest, UsesTheAddressesOnlyAllowedGuestsAnnounce) {
  policy_ = PolicyFrom("group trusted name:trusted-*\nguest-addresses trusted\n");
  OnBothHosts([](FakeHost* host) {
    host->Create(1, "trusted-a", "");
    host->AddVifWithoutIp(1, "0");
    host->Announce(1, "0", "ipv4", "0", "10.0.0.21");
    host->Announce(1, "0", "ipv6", "0", "FD00::21");
    host->Create(2, "web-1", "10.0.0.2");
    host->Announce(2, "0", "ipv4", "0", "10.0.0.99");  // not allowed: never read
    host->Create(3, "trusted-c", "10.0.0.3");
    host->Announce(3, "0", "ipv4", "0", "10.0.0.2");   // web-1's, from dom0
    host->Announce(3, "0", "ipv4", "1", "10.0.0.33");
    host->Announce(3, "5", "ipv4", "0", "10.0.0.55");  // no vif 5 from dom0: never read
  });
  PassAndCheck("three guests, two of them trusted with their addresses");
  EXPECT_EQ("10.0.0.21 fd00::21", Value("/local/domain/2/yasmin/peers/1/ip"));
  EXPECT_EQ("10.0.0.2", Value("/local/domain/1/yasmin/peers/2/ip"));
  EXPECT_EQ("10.0.0.3 10.0.0.33", Value("/local/domain/1/yasmin/peers/3/ip"));
  ASSERT_EQ(1u, last_rejected_.size());
  EXPECT_EQ(1, last_rejected_.at(3).claimed);
  EXPECT_EQ(0, last_rejected_.at(3).invalid);

  OnBothHosts([](FakeHost* host) {
    host->Unannounce(1);
    host->Announce(1, "0", "ipv4", "0", "10.0.0.33");  // trusted-c's announced address
  });
  PassAndCheck("trusted-a now announces what trusted-c announces");
  EXPECT_EQ("", Value("/local/domain/2/yasmin/peers/1/ip"));
  EXPECT_EQ("10.0.0.3", Value("/local/domain/1/yasmin/peers/3/ip"));
  EXPECT_EQ(1, last_rejected_.at(1).claimed);
  EXPECT_EQ(2, last_rejected_.at(3).claimed);

  policy_ = Policy();
  PassAndCheck("the default policy: nobody's announcements");
  EXPECT_EQ("", Value("/local/domain/2/yasmin/peers/1/ip"));
  EXPECT_EQ("10.0.0.3", Value("/local/domain/1/yasmin/peers/3/ip"));
  EXPECT_TRUE(last_rejected_.empty());
}

// A guest decides how many values it writes; a pass reads at most kMaxAnnouncedPerVif of a
// vif's, IPv4 first and each family in index order, and counts the others.
TEST_F(PublishPassTest, ReadsABoundedNumberOfAnnouncedValues) {
  policy_ = PolicyFrom("group all name:*\nguest-addresses all\n");
  OnBothHosts([](FakeHost* host) {
    host->Create(1, "a", "");
    host->AddVifWithoutIp(1, "0");
    for (int i = 0; i < kMaxAnnouncedPerVif + 4; i++) {
      host->Announce(1, "0", "ipv4", std::to_string(i), "10.0.1." + std::to_string(i));
    }
    host->Announce(1, "0", "ipv6", "0", "fd00::1");
  });
  PassAndCheck("a guest announcing more than a vif may have");
  const std::string list = Value("/local/domain/0/yasmin/peers/1/ip");
  EXPECT_EQ(static_cast<size_t>(kMaxAnnouncedPerVif - 1), std::count(list.begin(), list.end(), ' '))
      << list;
  // Index order is numeric: ipv4/2 is read before ipv4/10, and ipv4/16 and above are not.
  EXPECT_NE(std::string::npos, list.find("10.0.1.2 ")) << list;
  EXPECT_NE(std::string::npos, list.find("10.0.1.15")) << list;
  EXPECT_EQ(std::string::npos, list.find("10.0.1.16")) << list;
  EXPECT_EQ(std::string::npos, list.find("fd00::1")) << list;
  ASSERT_EQ(1u, last_rejected_.size());
  EXPECT_EQ(5, last_rejected_.at(1).invalid);
}

// What a guest writes below its rendezvous directories is never touched, by either kind of
// pass, and never read into the known tree.
TEST_F(PublishPassTest, LeavesTheGuestsRendezvousKeysAlone) {
  OnBothHosts([](FakeHost* host) {
    host->Create(1, "a", "10.0.0.1");
    host->Create(2, "b", "10.0.0.2");
  });
  PassAndCheck("two guests");
  cached_store_.Add("/local/domain/1/yasmin/rendezvous/2/ring-ref", "17",
                    {{1, Access::kNone}, {2, Access::kRead}});
  reading_store_.Add("/local/domain/1/yasmin/rendezvous/2/ring-ref", "17",
                     {{1, Access::kNone}, {2, Access::kRead}});
  PassAndCheck("after the guest wrote its half");
  EXPECT_TRUE(last_operations_.empty());
  EXPECT_EQ("17", Value("/local/domain/1/yasmin/rendezvous/2/ring-ref"));
  EXPECT_EQ(0U, known_.count("/local/domain/1/yasmin/rendezvous/2/ring-ref"));
}

// A conflict empties the known tree, so that the retry reads what the other writer did.
TEST_F(PublishPassTest, AConflictMakesTheNextAttemptRead) {
  OnBothHosts([](FakeHost* host) { host->Create(1, "a", ""); });
  PassAndCheck("one guest");
  // Another dom0 writer (an administrator) damages a view; the known tree cannot tell.  The
  // next pass has something to write (a new guest), and its first commit conflicts.
  cached_store_.nodes["/local/domain/1/yasmin/peers/0/cid"].value = "666";
  host_.Create(2, "b", "");
  cached_store_.conflicts_left = 1;
  PassResult result;
  std::string error;
  ASSERT_TRUE(RunPublishPass(&host_, &cached_store_, policy_, false, &known_, &result, &error))
      << error;
  EXPECT_EQ("2", Value("/local/domain/1/yasmin/peers/0/cid"));
  EXPECT_EQ("4", Value("/local/domain/1/yasmin/peers/2/cid"));
}

// Without a conflict, such damage waits for the next pass that reads XenStore: the daemon
// empties its known tree every resync interval for that.
TEST_F(PublishPassTest, AnEmptyKnownTreeRepairsWhatAnotherWriterDid) {
  OnBothHosts([](FakeHost* host) { host->Create(1, "a", ""); });
  PassAndCheck("one guest");
  cached_store_.nodes["/local/domain/1/yasmin/peers/0/cid"].value = "666";
  known_.clear();
  PassResult result;
  std::string error;
  ASSERT_TRUE(RunPublishPass(&host_, &cached_store_, policy_, false, &known_, &result, &error))
      << error;
  EXPECT_EQ("2", Value("/local/domain/1/yasmin/peers/0/cid"));
}

// Diff, then ApplyOperations on what was read, gives what XenStore holds afterwards.
TEST(ApplyOperationsTest, MirrorsWhatXenStoreDoes) {
  XenStoreTree tree;
  tree["/local/domain/1/yasmin"] = {"", {{0, Access::kNone}}};
  tree["/local/domain/1/yasmin/old"] = {"x", {{0, Access::kNone}}};
  tree["/local/domain/1/yasmin/old/child"] = {"y", {{0, Access::kNone}}};
  tree["/local/domain/1/yasminx"] = {"kept", {{0, Access::kNone}}};
  ApplyOperations({{XsOperation::Kind::kRemove, "/local/domain/1/yasmin/old", "", {}},
                   {XsOperation::Kind::kMkdir, "/local/domain/1/yasmin/new", "", {}},
                   {XsOperation::Kind::kSetPerms, "/local/domain/1/yasmin/new", "",
                    {{0, Access::kNone}, {1, Access::kRead}}},
                   {XsOperation::Kind::kWrite, "/local/domain/1/yasmin", "v", {}}},
                  &tree);
  EXPECT_EQ(
      "/local/domain/1/yasmin = \"v\" (n0)\n"
      "/local/domain/1/yasmin/new = \"\" (n0,r1)\n"
      "/local/domain/1/yasminx = \"kept\" (n0)\n",
      Dump(tree));
}

}  // namespace
}  // namespace yasmin
