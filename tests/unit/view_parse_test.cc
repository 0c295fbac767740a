// The view's values checked and formatted (guest-kmod/view_parse.c): what yasmin.ko serves in
// /proc/net/yasmin_view for what yasmind wrote into XenStore, and what it refuses to serve.
//
// In userspace view_parse.c parses addresses with inet_pton() and prints them with inet_ntop();
// the module uses in4_pton()/in6_pton() and %pI4/%pI6c, which agree on every address below
// (they differ on rare forms such as IPv4-compatible "::1.2.3.4", which inet_ntop prints as
// such and %pI6c as "::102:304").
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

extern "C" {
#include "view_parse.h"
}

namespace {

// The lines for peer @domid, or "error N" when the peer is dropped.
std::string Lines(uint16_t domid, const char* cid, const char* ip, unsigned int* dropped) {
  char buf[YASMIN_VIEW_PEER_TEXT_MAX + 1];
  unsigned int ignored = 0;
  int n = yasmin_view_format_peer(domid, cid, ip, buf, sizeof(buf), dropped ? dropped : &ignored);
  if (n < 0) return "error " + std::to_string(-n);
  EXPECT_EQ(static_cast<size_t>(n), std::string(buf).size());
  return buf;
}

std::string Lines(uint16_t domid, const char* cid, const char* ip) {
  return Lines(domid, cid, ip, nullptr);
}

std::string Canon(const std::string& text) {
  char out[YASMIN_VIEW_ADDR_MAX];
  if (!yasmin_view_canon_addr(text.data(), text.size(), out)) return "(refused)";
  return out;
}

TEST(ViewParse, DecimalIsStrict) {
  yasmin_u64 value = 99;
  EXPECT_TRUE(yasmin_view_parse_decimal("0", 10, &value));
  EXPECT_EQ(0u, value);
  EXPECT_TRUE(yasmin_view_parse_decimal("10", 10, &value));
  EXPECT_EQ(10u, value);
  EXPECT_TRUE(yasmin_view_parse_decimal("18446744073709551615", UINT64_MAX, &value));
  EXPECT_EQ(UINT64_MAX, value);
  for (const char* bad : {"", "11", "07", "+7", "-1", " 7", "7 ", "0x7", "7\n", "1e1"}) {
    EXPECT_FALSE(yasmin_view_parse_decimal(bad, 10, &value)) << "'" << bad << "'";
  }
  EXPECT_FALSE(yasmin_view_parse_decimal("18446744073709551616", UINT64_MAX, &value));
  EXPECT_FALSE(yasmin_view_parse_decimal(nullptr, 10, &value));
}

TEST(ViewParse, PeerDirectoryNamesAreDomids) {
  yasmin_u16 domid = 0;
  EXPECT_TRUE(yasmin_view_parse_domid("0", &domid));
  EXPECT_EQ(0u, domid);
  EXPECT_TRUE(yasmin_view_parse_domid("5", &domid));
  EXPECT_EQ(5u, domid);
  EXPECT_TRUE(yasmin_view_parse_domid(std::to_string(YASMIN_DOMID_MAX).c_str(), &domid));
  EXPECT_EQ(YASMIN_DOMID_MAX, domid);
  // DOMID_FIRST_RESERVED and beyond (DOMID_SELF, DOMID_IO, ...) never name a peer.
  for (const char* bad : {"32752", "32753", "65535", "65536", "05", "abc", "", "5x"}) {
    EXPECT_FALSE(yasmin_view_parse_domid(bad, &domid)) << "'" << bad << "'";
  }
}

TEST(ViewParse, GenerationZeroWhenMissingOrGarbage) {
  EXPECT_EQ(1u, yasmin_view_parse_generation("1"));
  EXPECT_EQ(4711u, yasmin_view_parse_generation("4711"));
  EXPECT_EQ(UINT64_MAX, yasmin_view_parse_generation("18446744073709551615"));
  for (const char* bad : {"0", "", "banana", "07", "-1", "1 ", "18446744073709551616"}) {
    EXPECT_EQ(0u, yasmin_view_parse_generation(bad)) << "'" << bad << "'";
  }
  EXPECT_EQ(0u, yasmin_view_parse_generation(nullptr));
}

TEST(ViewParse, AddressesComeOutCanonical) {
  EXPECT_EQ("10.99.0.12", Canon("10.99.0.12"));
  EXPECT_EQ("0.0.0.0", Canon("0.0.0.0"));
  EXPECT_EQ("255.255.255.255", Canon("255.255.255.255"));
  EXPECT_EQ("fd00::12", Canon("fd00::12"));
  EXPECT_EQ("fd00::12", Canon("FD00:0:0:0:0:0:0:12"));
  EXPECT_EQ("fd00::12", Canon("fd00:0000::0012"));
  EXPECT_EQ("::1", Canon("::1"));
  EXPECT_EQ("::", Canon("::"));
  EXPECT_EQ("2001:db8::1:0:0:1", Canon("2001:db8:0:0:1:0:0:1"));
  EXPECT_EQ("::ffff:10.0.0.1", Canon("::ffff:10.0.0.1"));
  EXPECT_EQ("::ffff:10.0.0.1", Canon("::ffff:a00:1"));
  // The longest text an address can have (YASMIN_VIEW_ADDR_MAX - 1 characters) parses.
  EXPECT_EQ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
            Canon("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"));
}

TEST(ViewParse, WhatIsNotAnAddressIsRefused) {
  for (const char* bad :
       {"", "10.0.0", "10.0.0.256", "10.0.0.1.2", "010.0.0.1", "10.0.0.01", "10.0.0.1:80",
        "10.0.0.1/24", "fe80::1%eth0", "fd00::12/64", "fd00:::12", "1:2:3:4:5:6:7:8:9",
        "::ffff:010.0.0.1", "host.example", "10.0.0.x", "[fd00::1]", "12345::",
        "0000:0000:0000:0000:0000:0000:0000:0000:0"}) {
    EXPECT_EQ("(refused)", Canon(bad)) << "'" << bad << "'";
  }
  EXPECT_EQ("(refused)", Canon(std::string("10.0.0.1\0", 9))) << "an embedded NUL";
  EXPECT_EQ("(refused)", Canon(std::string(YASMIN_VIEW_ADDR_MAX, '1')));
}

TEST(ViewParse, OneLinePerAddressWithTheCid) {
  EXPECT_EQ("10.99.0.12 7\n", Lines(5, "7", "10.99.0.12"));
  EXPECT_EQ("10.0.0.12 7\nfd00::12 7\n", Lines(5, "7", "10.0.0.12 fd00::12"));
  EXPECT_EQ("10.0.0.1 2\n", Lines(0, "2", "10.0.0.1")) << "dom0 is CID 2";
  const std::string max_domid = std::to_string(YASMIN_DOMID_MAX);
  const std::string max_cid = std::to_string(YASMIN_CID_MAX);
  EXPECT_EQ("10.0.0.1 " + max_cid + "\n",
            Lines(YASMIN_DOMID_MAX, max_cid.c_str(), "10.0.0.1"));
}

TEST(ViewParse, PeersWithoutAddressesHaveNoLine) {
  EXPECT_EQ("", Lines(5, "7", ""));
  EXPECT_EQ("", Lines(5, "7", nullptr));
  EXPECT_EQ("", Lines(5, "7", " "));
}

TEST(ViewParse, AWrongCidDropsThePeer) {
  const std::string einval = "error " + std::to_string(EINVAL);
  EXPECT_EQ(einval, Lines(5, "8", "10.0.0.1")) << "another domain's CID";
  EXPECT_EQ(einval, Lines(5, "5", "10.0.0.1")) << "the domid, not the CID";
  EXPECT_EQ(einval, Lines(5, "07", "10.0.0.1"));
  EXPECT_EQ(einval, Lines(5, "7 ", "10.0.0.1"));
  EXPECT_EQ(einval, Lines(5, "", "10.0.0.1"));
  EXPECT_EQ(einval, Lines(5, nullptr, "10.0.0.1"));
  EXPECT_EQ(einval, Lines(0, "0", "10.0.0.1")) << "CID 0 is the hypervisor";
  EXPECT_EQ(einval, Lines(YASMIN_DOMID_MAX + 1, "32754", "10.0.0.1")) << "a reserved domid";
}

TEST(ViewParse, AddressesThatDoNotParseAreDroppedAlone) {
  unsigned int dropped = 0;
  EXPECT_EQ("10.0.0.1 7\nfd00::1 7\n",
            Lines(5, "7", "10.0.0.1 banana 10.0.0.256 fd00::1 fe80::1%eth0", &dropped));
  EXPECT_EQ(3u, dropped);
  dropped = 0;
  EXPECT_EQ("", Lines(5, "7", "nothing here", &dropped));
  EXPECT_EQ(2u, dropped);
}

TEST(ViewParse, ExtraSpacesSeparateNothing) {
  unsigned int dropped = 0;
  EXPECT_EQ("10.0.0.1 7\n10.0.0.2 7\n", Lines(5, "7", "  10.0.0.1   10.0.0.2 ", &dropped));
  EXPECT_EQ(0u, dropped);
  // Only spaces separate: a tab or newline is part of a word that does not parse.
  EXPECT_EQ("10.0.0.2 7\n", Lines(5, "7", "10.0.0.1\t 10.0.0.2", &dropped));
  EXPECT_EQ(1u, dropped);
}

TEST(ViewParse, IpValueLengthIsBounded) {
  std::string ip;
  while (ip.size() + 9 <= YASMIN_VIEW_IP_MAX) ip += "10.0.0.1 ";
  ip.resize(YASMIN_VIEW_IP_MAX, ' ');
  const std::string lines = Lines(5, "7", ip.c_str());
  EXPECT_EQ(YASMIN_VIEW_IP_MAX / 9, static_cast<size_t>(std::count(lines.begin(), lines.end(), '\n')));
  ip += "1";
  EXPECT_EQ("error " + std::to_string(E2BIG), Lines(5, "7", ip.c_str()));
}

TEST(ViewParse, TheWorstIpValueFitsTheDocumentedBuffer) {
  // The most addresses a value can hold ("::" each), every one printed at its longest.
  std::string ip;
  while (ip.size() + 5 <= YASMIN_VIEW_IP_MAX) ip += ":: ";
  ip += "::";
  ASSERT_LE(ip.size(), YASMIN_VIEW_IP_MAX);
  const std::string lines = Lines(YASMIN_DOMID_MAX, std::to_string(YASMIN_CID_MAX).c_str(),
                                  ip.c_str());
  EXPECT_EQ((YASMIN_VIEW_IP_MAX + 1) / 3,
            static_cast<size_t>(std::count(lines.begin(), lines.end(), '\n')));
  // Short input, long output: "::ffff:0:0" prints as "::ffff:0.0.0.0".
  ip.clear();
  while (ip.size() + 11 <= YASMIN_VIEW_IP_MAX) ip += "::ffff:0:0 ";
  const std::string mapped = Lines(5, "7", ip.c_str());
  EXPECT_EQ(YASMIN_VIEW_IP_MAX / 11,
            static_cast<size_t>(std::count(mapped.begin(), mapped.end(), '\n')));
  EXPECT_EQ(0u, mapped.rfind("::ffff:0.0.0.0 7\n", 0));
}

TEST(ViewParse, ASmallBufferIsAnErrorNotATruncatedLine) {
  char buf[16];
  unsigned int dropped = 0;
  EXPECT_EQ(-ENOSPC,
            yasmin_view_format_peer(5, "7", "10.0.0.1 10.0.0.2", buf, sizeof(buf), &dropped));
  EXPECT_EQ(std::string("10.0.0.1 7\n"), buf) << "the lines that fit, whole";
  EXPECT_EQ(-ENOSPC, yasmin_view_format_peer(5, "7", "10.0.0.1", buf, 0, &dropped));
}

}  // namespace
