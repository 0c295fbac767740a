// The addresses guests announce about themselves (dom0-backend/guest_addresses.h): who may,
// dom0's addresses winning, addresses two domains claim, the bounds, and garbage.

#include "guest_addresses.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "policy.h"

namespace yasmin {
namespace {

DomainInfo Info(uint32_t domid, const std::string& name, std::vector<std::string> addresses = {}) {
  DomainInfo info;
  info.domain = {domid, name, domid + 2};
  info.addresses = std::move(addresses);
  return info;
}

AnnouncedValue V4(const std::string& value, const std::string& devid = "0") {
  return {devid, IpFamily::kIpv4, value};
}
AnnouncedValue V6(const std::string& value, const std::string& devid = "0") {
  return {devid, IpFamily::kIpv6, value};
}

// Guests named trusted-* may announce; the others may not.
Policy TrustedMayAnnounce() {
  const ParsedPolicy parsed =
      ParsePolicy("group trusted name:trusted-*\nguest-addresses trusted\n");
  EXPECT_TRUE(parsed.ok()) << parsed.ErrorText("test.conf");
  return parsed.policy;
}

std::string Addresses(const std::vector<DomainInfo>& domains, uint32_t domid) {
  for (const DomainInfo& info : domains) {
    if (info.domain.domid != domid) continue;
    std::string text;
    for (const std::string& address : info.addresses) text += (text.empty() ? "" : " ") + address;
    return text;
  }
  return "<no such domain>";
}

TEST(GuestAddressesTest, AnAllowedGuestsAddressesAreAddedCanonically) {
  std::vector<DomainInfo> domains = {Info(0, "Domain-0"), Info(1, "trusted-a")};
  const auto rejected = MergeGuestAddresses(
      {{1, {V4("10.0.0.7"), V6("FD00:0:0::7"), V4("10.0.1.7", "1")}, 0}}, TrustedMayAnnounce(),
      &domains);
  EXPECT_TRUE(rejected.empty());
  EXPECT_EQ("10.0.0.7 10.0.1.7 fd00::7", Addresses(domains, 1));
  EXPECT_EQ("", Addresses(domains, 0));
}

TEST(GuestAddressesTest, NothingIsUsedFromADomainThePolicyDoesNotName) {
  std::vector<DomainInfo> domains = {Info(1, "web-1", {"10.0.0.1"}), Info(2, "trusted-b")};
  for (const Policy& policy : {Policy(), TrustedMayAnnounce()}) {
    std::vector<DomainInfo> copy = domains;
    const auto rejected = MergeGuestAddresses({{1, {V4("10.0.0.9")}, 3}}, policy, &copy);
    EXPECT_TRUE(rejected.empty()) << "not even counted: it was not the domain's to say";
    EXPECT_EQ("10.0.0.1", Addresses(copy, 1));
  }
  // Nor from a domain that is not in the snapshot (gone, or never was).
  const auto rejected = MergeGuestAddresses({{7, {V4("10.0.0.9")}, 0}}, TrustedMayAnnounce(),
                                            &domains);
  EXPECT_TRUE(rejected.empty());
  EXPECT_EQ("", Addresses(domains, 2));
}

TEST(GuestAddressesTest, DomZerosAddressesWin) {
  std::vector<DomainInfo> domains = {Info(1, "web-1", {"10.0.0.1", "fd00::1"}),
                                     Info(2, "trusted-b", {"10.0.0.2"})};
  const auto rejected = MergeGuestAddresses(
      {{2, {V4("10.0.0.1"), V6("fd00:0::1"), V4("10.0.0.2"), V4("10.0.0.22")}, 0}},
      TrustedMayAnnounce(), &domains);
  EXPECT_EQ("10.0.0.1 fd00::1", Addresses(domains, 1));
  // Its own dom0 address again changes nothing.
  EXPECT_EQ("10.0.0.2 10.0.0.22", Addresses(domains, 2));
  ASSERT_EQ(1u, rejected.count(2));
  EXPECT_EQ(0, rejected.at(2).invalid);
  EXPECT_EQ(2, rejected.at(2).claimed) << "10.0.0.1 and fd00::1 are web-1's";
}

// Even an announcer allowed to announce loses against dom0's word for another domain.
TEST(GuestAddressesTest, DomZeroWinsOverAnotherAnnouncerToo) {
  std::vector<DomainInfo> domains = {Info(1, "trusted-a", {"10.0.0.1"}), Info(2, "trusted-b")};
  const auto rejected = MergeGuestAddresses({{1, {V4("10.0.0.1")}, 0}, {2, {V4("10.0.0.1")}, 0}},
                                            TrustedMayAnnounce(), &domains);
  EXPECT_EQ("10.0.0.1", Addresses(domains, 1));
  EXPECT_EQ("", Addresses(domains, 2));
  EXPECT_EQ(0u, rejected.count(1)) << "announcing what dom0 says is not a conflict";
  ASSERT_EQ(1u, rejected.count(2));
  EXPECT_EQ(1, rejected.at(2).claimed);
}

TEST(GuestAddressesTest, AnAddressTwoDomainsAnnounceIsDroppedForBoth) {
  std::vector<DomainInfo> domains = {Info(1, "trusted-a"), Info(2, "trusted-b"),
                                     Info(3, "trusted-c")};
  const auto rejected = MergeGuestAddresses(
      {{1, {V4("10.0.0.5"), V4("10.0.0.1")}, 0},
       {2, {V4("10.0.0.5"), V6("fd00::5"), V4("10.0.0.2")}, 0},
       {3, {V6("fd00:0:0:0:0:0:0:5"), V4("10.0.0.3"), V4("10.0.0.3", "1")}, 0}},
      TrustedMayAnnounce(), &domains);
  EXPECT_EQ("10.0.0.1", Addresses(domains, 1));
  EXPECT_EQ("10.0.0.2", Addresses(domains, 2));
  EXPECT_EQ("10.0.0.3", Addresses(domains, 3)) << "the same address on two of its own vifs is fine";
  ASSERT_EQ(3u, rejected.size());
  EXPECT_EQ(1, rejected.at(1).claimed);
  EXPECT_EQ(2, rejected.at(2).claimed);
  EXPECT_EQ(1, rejected.at(3).claimed) << "another spelling of the same address";
}

TEST(GuestAddressesTest, GarbageAndAddressesNoGuestCanOwnAreRejected) {
  const std::vector<AnnouncedValue> bad = {
      V4(""), V4(" 10.0.0.1"), V4("10.0.0.1 "), V4("10.0.0.1/24"), V4("10.0.0.1 10.0.0.2"),
      V4("010.0.0.1"), V4("10.0.0"), V4("10.0.0.256"), V4(std::string("10.0.0.1\0junk", 13)),
      V4("fd00::1"),  // an IPv6 address under ipv4/
      V6("10.0.0.1"),  // and the other way round
      V6("fe80::1%eth0"), V6("fd00::1/64"), V6("fd00:::1"),
      V4("0.0.0.0"), V4("0.1.2.3"), V4("127.0.0.1"), V4("127.1.2.3"), V4("224.0.0.1"),
      V4("239.255.255.250"), V4("240.0.0.1"), V4("255.255.255.255"),
      V6("::"), V6("::1"), V6("::10.0.0.1"), V6("::ffff:10.0.0.1"), V6("::ffff:127.0.0.1"),
      V6("ff02::1"), V6("ff05::2"),
      V6("fd00:0000:0000:0000:0000:0000:0000:00001"),  // a group of five digits
      V6(std::string(kMaxAnnouncedLength + 1, '1')),
      V4("\x1b[31m10.0.0.1"), V4("ten.zero.zero.one"),
  };
  std::vector<DomainInfo> domains = {Info(1, "trusted-a")};
  // One value per vif, so that no bound is reached.
  std::vector<AnnouncedValue> values;
  for (size_t i = 0; i < bad.size(); i++) {
    values.push_back(bad[i]);
    values.back().devid = std::to_string(i);
  }
  values.push_back(V6("fe80::216:3eff:fe00:1", "100"));  // link-local is a guest's own
  values.push_back(V4("169.254.1.1", "101"));
  values.push_back(V4("192.0.2.1", "102"));
  ASSERT_LE(values.size(), static_cast<size_t>(kMaxAnnouncedPerDomain));
  const auto rejected = MergeGuestAddresses({{1, values, 0}}, TrustedMayAnnounce(), &domains);
  EXPECT_EQ("169.254.1.1 192.0.2.1 fe80::216:3eff:fe00:1", Addresses(domains, 1));
  ASSERT_EQ(1u, rejected.count(1));
  EXPECT_EQ(static_cast<int>(bad.size()), rejected.at(1).invalid);
  EXPECT_EQ(0, rejected.at(1).claimed);
}

TEST(GuestAddressesTest, AtMostSoManyValuesPerVifAndPerDomain) {
  std::vector<AnnouncedValue> values;
  // Vif 0: one more than a vif may have, the extra one valid; it is rejected all the same.
  for (int i = 0; i <= kMaxAnnouncedPerVif; i++) {
    values.push_back(V4("10.0.0." + std::to_string(i + 1)));
  }
  // Vifs 1..: full, up to one more than a domain may have.
  for (int vif = 1; static_cast<int>(values.size()) < kMaxAnnouncedPerDomain + 2; vif++) {
    for (int i = 0; i < kMaxAnnouncedPerVif; i++) {
      values.push_back(V4("10.0." + std::to_string(vif) + "." + std::to_string(i + 1),
                          std::to_string(vif)));
    }
  }
  std::vector<DomainInfo> domains = {Info(1, "trusted-a")};
  const auto rejected = MergeGuestAddresses({{1, values, /*unread=*/5}}, TrustedMayAnnounce(),
                                            &domains);
  // Within bounds: 16 from vif 0 and 48 from the others.
  EXPECT_EQ(static_cast<size_t>(kMaxAnnouncedPerDomain), domains[0].addresses.size());
  EXPECT_EQ("10.0.0.1", domains[0].addresses.front());
  ASSERT_EQ(1u, rejected.count(1));
  EXPECT_EQ(static_cast<int>(values.size()) - kMaxAnnouncedPerDomain + 5, rejected.at(1).invalid)
      << "the values beyond the bounds, and the ones left unread";
}

// Garbage counts against a domain's allowance: a guest cannot push its good values past the
// bound by interleaving junk, nor make yasmind check an unbounded number of values.
TEST(GuestAddressesTest, GarbageUsesUpTheAllowanceToo) {
  std::vector<AnnouncedValue> values(kMaxAnnouncedPerVif, V4("junk"));
  values.push_back(V4("10.0.0.1"));
  std::vector<DomainInfo> domains = {Info(1, "trusted-a")};
  const auto rejected = MergeGuestAddresses({{1, values, 0}}, TrustedMayAnnounce(), &domains);
  EXPECT_EQ("", Addresses(domains, 1));
  EXPECT_EQ(kMaxAnnouncedPerVif + 1, rejected.at(1).invalid);
}

}  // namespace
}  // namespace yasmin
