// yasmind's pass (dom0-backend/publish_pass.h) over a sequence of host snapshots, against an
// in-memory XenStore: domains appear, die (their home removed first, as `xl destroy` does),
// are renamed, come back under a new domid, and the policy changes.  After each step XenStore
// must hold exactly what a fresh yasmind would publish, whether the pass read XenStore or
// trusted what the previous pass left (the daemon's `known` tree), and a second pass must
// change nothing (a restarted yasmind disturbs nobody).

#include "publish_pass.h"

#include <map>
#include <regex>
#include <string>
#include <vector>

#include "desired_state.h"
#include "fake_xenstore.h"
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
