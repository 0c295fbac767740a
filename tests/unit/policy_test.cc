// yasmind's policy: who may reach whom (dom0-backend/policy.h).

#include "policy.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace yasmin {
namespace {

DomainInfo Info(uint32_t domid, const std::string& name, const std::string& uuid = "",
                std::vector<std::string> labels = {}) {
  DomainInfo info;
  info.domain = {domid, name, domid + 2};
  info.uuid = uuid;
  info.labels = std::move(labels);
  return info;
}

Policy MustParse(const std::string& text) {
  ParsedPolicy parsed = ParsePolicy(text);
  EXPECT_TRUE(parsed.ok()) << parsed.ErrorText("policy");
  return parsed.policy;
}

const DomainInfo kDom0 = Info(0, "Domain-0");
const DomainInfo kWeb1 = Info(1, "web-1");
const DomainInfo kWeb2 = Info(2, "web-2");
const DomainInfo kDb = Info(3, "db", "0A1B2C3D-0000-4000-8000-00000000000F", {"database"});
const DomainInfo kOther = Info(4, "other", "", {"misc"});

TEST(PolicyTest, TheDefaultPolicyLetsEveryDomainReachEveryOtherOne) {
  const Policy policy;
  EXPECT_TRUE(policy.MayReach(kWeb1, kWeb2));
  EXPECT_TRUE(policy.MayReach(kWeb1, kDom0));
  EXPECT_TRUE(policy.MayReach(kDom0, kDb));
  EXPECT_FALSE(policy.MayReach(kWeb1, kWeb1));
}

TEST(PolicyTest, TextWithoutAllowLinesIsTheDefault) {
  for (const char* text : {"", "\n\n", "# nothing\n   # still nothing\n",
                           "group web name:web-*\n"}) {
    const Policy policy = MustParse(text);
    EXPECT_TRUE(policy.MayReach(kWeb1, kDb)) << text;
    EXPECT_TRUE(policy.MayReach(kOther, kDom0)) << text;
  }
}

TEST(PolicyTest, AllowLinesRestrictToTheirPairsBothWays) {
  const Policy policy = MustParse(
      "group web name:web-*   # every web server\n"
      "group db uuid:0a1b2c3d-0000-4000-8000-00000000000f\n"
      "group host name:Domain-0\n"
      "allow web db\n"
      "allow host web\n");
  EXPECT_TRUE(policy.MayReach(kWeb1, kDb));
  EXPECT_TRUE(policy.MayReach(kDb, kWeb2));
  EXPECT_TRUE(policy.MayReach(kDom0, kWeb1));
  EXPECT_TRUE(policy.MayReach(kWeb2, kDom0));
  EXPECT_FALSE(policy.MayReach(kWeb1, kWeb2)) << "web is not allowed to reach web";
  EXPECT_FALSE(policy.MayReach(kDb, kDom0));
  EXPECT_FALSE(policy.MayReach(kOther, kWeb1));
}

TEST(PolicyTest, AGroupAllowedWithItselfReachesItsOwnMembers) {
  const Policy policy = MustParse("group web name:web-?\nallow web web\n");
  EXPECT_TRUE(policy.MayReach(kWeb1, kWeb2));
  EXPECT_FALSE(policy.MayReach(kWeb1, kWeb1));
  EXPECT_FALSE(policy.MayReach(kWeb1, kDb));
}

TEST(PolicyTest, MembersMatchNameUuidOrLabel) {
  const Policy policy = MustParse(
      "group a label:database\n"
      "group b label:misc name:[w]eb-2\n"
      "allow a b\n");
  EXPECT_TRUE(policy.MayReach(kDb, kOther));
  EXPECT_TRUE(policy.MayReach(kDb, kWeb2));
  EXPECT_FALSE(policy.MayReach(kDb, kWeb1));
}

TEST(PolicyTest, ANamelessDomainMatchesNoNamePattern) {
  const Policy policy = MustParse("group all name:*\nallow all all\n");
  EXPECT_TRUE(policy.MayReach(kWeb1, kWeb2));
  EXPECT_FALSE(policy.MayReach(kWeb1, Info(9, "")));
}

TEST(PolicyTest, DefaultLinesOverrideTheImplicitDefault) {
  const Policy none = MustParse("default none\n");
  EXPECT_FALSE(none.MayReach(kWeb1, kWeb2));
  EXPECT_FALSE(none.MayReach(kWeb1, kDom0));

  const Policy all = MustParse("group web name:web-*\nallow web web\ndefault all\n");
  EXPECT_TRUE(all.MayReach(kWeb1, kDb));
}

TEST(PolicyTest, TabsAndSpacesBothSeparateWords) {
  const Policy policy = MustParse("\tgroup  web\tname:web-*\n  allow\tweb web  \n");
  EXPECT_TRUE(policy.MayReach(kWeb1, kWeb2));
  EXPECT_FALSE(policy.MayReach(kWeb1, kDb));
}

TEST(PolicyTest, NoDomainMayAnnounceItsAddressesByDefault) {
  for (const char* text : {"", "default all\n", "group web name:web-*\nallow web web\n"}) {
    const Policy policy = MustParse(text);
    for (const DomainInfo& info : {kDom0, kWeb1, kDb, kOther}) {
      EXPECT_FALSE(policy.MayAnnounceAddresses(info)) << text << info.domain.name;
    }
  }
  EXPECT_FALSE(Policy().MayAnnounceAddresses(kWeb1));
}

TEST(PolicyTest, GuestAddressesLinesNameTheGroupsThatMayAnnounce) {
  const Policy policy = MustParse(
      "group web name:web-1\n"
      "group db label:database\n"
      "group misc label:misc\n"
      "guest-addresses web\n"
      "guest-addresses\tdb misc   # both\n");
  EXPECT_TRUE(policy.MayAnnounceAddresses(kWeb1));
  EXPECT_TRUE(policy.MayAnnounceAddresses(kDb));
  EXPECT_TRUE(policy.MayAnnounceAddresses(kOther));
  EXPECT_FALSE(policy.MayAnnounceAddresses(kWeb2));
  EXPECT_FALSE(policy.MayAnnounceAddresses(kDom0));
}

// Announcing is not reaching: a policy with only guest-addresses lines keeps the open default.
TEST(PolicyTest, GuestAddressesLinesDoNotRestrictWhoReachesWhom) {
  const Policy policy = MustParse("group web name:web-*\nguest-addresses web\n");
  EXPECT_TRUE(policy.MayReach(kWeb1, kDb));
  EXPECT_TRUE(policy.MayReach(kOther, kDom0));
}

// Each bad line is reported with its own number, and the good lines around it are not.
TEST(PolicyTest, EveryBadLineIsReportedWithItsNumber) {
  const struct {
    const char* line;
    const char* message;
  } cases[] = {
      {"frobnicate web",
       "unknown keyword 'frobnicate': expected group, allow, default or guest-addresses"},
      {"group", "'group' needs a name and at least one member"},
      {"group lonely", "'group' needs a name and at least one member"},
      {"group bad.name name:x", "invalid group name 'bad.name': use letters, digits, '-' and '_'"},
      {"group web name:again", "group 'web' is already defined"},
      {"group g host:x", "invalid member 'host:x': expected name:GLOB, uuid:UUID or label:VALUE"},
      {"group g web-1", "invalid member 'web-1': expected name:GLOB, uuid:UUID or label:VALUE"},
      {"group g name:", "invalid member 'name:': empty name"},
      {"group g label:", "invalid member 'label:': empty label"},
      {"group g uuid:1234", "invalid UUID '1234'"},
      {"group g uuid:0a1b2c3d-0000-4000-8000-00000000000g", "invalid UUID '0a1b2c3d-0000-4000-8000-00000000000g'"},
      {"allow web", "'allow' needs exactly two group names"},
      {"allow web web web", "'allow' needs exactly two group names"},
      {"allow web nobody", "unknown group 'nobody'"},
      {"allow later web", "unknown group 'later'"},
      {"default", "'default' needs exactly one of all or none"},
      {"default some", "'default' needs exactly one of all or none"},
      {"default none", "'default' is given more than once"},
      {"guest-addresses", "'guest-addresses' needs at least one group name"},
      {"guest-addresses web nobody", "unknown group 'nobody'"},
      {"guest-addresses later", "unknown group 'later'"},
  };
  for (const auto& c : cases) {
    const std::string text = std::string("# policy\ngroup web name:web-*\ndefault all\n") +
                             c.line + "\ngroup later name:x\nallow web later\n";
    const ParsedPolicy parsed = ParsePolicy(text);
    ASSERT_EQ(1u, parsed.errors.size()) << c.line << "\n" << parsed.ErrorText("policy");
    EXPECT_EQ(4, parsed.errors[0].line) << c.line;
    EXPECT_EQ(c.message, parsed.errors[0].message) << c.line;
  }
}

TEST(PolicyTest, AllBadLinesAreReportedNotJustTheFirst) {
  const ParsedPolicy parsed = ParsePolicy(
      "group web name:web-*\n"
      "allow web db\n"
      "\n"
      "group db label:\n"
      "allow web web\n"
      "deny web\n");
  ASSERT_FALSE(parsed.ok());
  ASSERT_EQ(3u, parsed.errors.size());
  EXPECT_EQ(2, parsed.errors[0].line);
  EXPECT_EQ(4, parsed.errors[1].line);
  EXPECT_EQ(6, parsed.errors[2].line);
  EXPECT_EQ(
      "yasmind.conf:2: unknown group 'db'\n"
      "yasmind.conf:4: invalid member 'label:': empty label\n"
      "yasmind.conf:6: unknown keyword 'deny': expected group, allow, default or guest-addresses\n",
      parsed.ErrorText("yasmind.conf"));
}

TEST(PolicyTest, ALineWithoutATrailingNewlineCounts) {
  const ParsedPolicy parsed = ParsePolicy("group web name:web-*\nallow web nobody");
  ASSERT_EQ(1u, parsed.errors.size());
  EXPECT_EQ(2, parsed.errors[0].line);
}

}  // namespace
}  // namespace yasmin
