// Parsing /proc/net/yasmin_view and looking addresses up (preload/view_table.h, ip_address.h).

#include "view_table.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstdio>
#include <string>

#include "gtest/gtest.h"
#include "ip_address.h"
#include "yasmin/contract.h"

namespace yasmin {
namespace preload {
namespace {

IpAddress Ip(const std::string& text) {
  IpAddress address;
  EXPECT_TRUE(IpAddress::Parse(text, &address)) << text;
  return address;
}

ViewTable MustParse(const std::string& text) {
  ViewTable table;
  std::string error;
  EXPECT_TRUE(ViewTable::Parse(text, &table, &error)) << error;
  return table;
}

bool Fails(const std::string& text) {
  ViewTable table;
  std::string error;
  const bool ok = ViewTable::Parse(text, &table, &error);
  EXPECT_EQ(ok, error.empty());
  EXPECT_EQ(std::string::npos, error.find('\n'));
  return !ok;
}

// The example of docs/contract.md.
const char kExample[] =
    "generation 7 domid 1\n"
    "10.0.0.12 5\n"
    "fd00::12 5\n"
    "10.0.0.13 6\n";

TEST(IpAddressTest, ParsesBothFamiliesAndPrintsThemBack) {
  EXPECT_EQ("10.0.0.12", Ip("10.0.0.12").ToString());
  EXPECT_TRUE(Ip("10.0.0.12").is_v4());
  EXPECT_EQ("fd00::12", Ip("fd00::12").ToString());
  EXPECT_FALSE(Ip("fd00::12").is_v4());
  // The IPv6 spelling of an IPv4 address is that IPv4 address.
  EXPECT_EQ(Ip("10.0.0.12"), Ip("::ffff:10.0.0.12"));
  EXPECT_EQ("10.0.0.12", Ip("::ffff:10.0.0.12").ToString());
}

TEST(IpAddressTest, RejectsWhatInetNtopDoesNotWrite) {
  IpAddress address;
  for (const char* bad : {"", "10.0.0", "10.0.0.256", "010.0.0.1", "10.0.0.1 ", " 10.0.0.1",
                          "fd00::12%eth0", "[fd00::12]", "fd00:::12", "host.example",
                          "0x0a.0.0.1", "1:2:3:4:5:6:7:8:9",
                          "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255x"}) {
    EXPECT_FALSE(IpAddress::Parse(bad, &address)) << bad;
  }
}

TEST(IpAddressTest, TellsSpecialAddresses) {
  for (const char* special : {"0.0.0.0", "0.1.2.3", "127.0.0.1", "127.255.0.9", "224.0.0.1",
                              "239.1.2.3", "255.255.255.255", "::", "::1", "ff02::1",
                              "::ffff:127.0.0.1", "::ffff:0.0.0.0"}) {
    EXPECT_TRUE(Ip(special).IsSpecial()) << special;
  }
  for (const char* unicast : {"10.0.0.1", "192.168.1.1", "1.2.3.4", "223.255.255.254",
                              "255.255.255.254", "fd00::1", "fe80::1", "2001:db8::1",
                              "::ffff:10.0.0.1"}) {
    EXPECT_FALSE(Ip(unicast).IsSpecial()) << unicast;
  }
}

TEST(IpAddressTest, ReadsSockaddrs) {
  sockaddr_in in{};
  in.sin_family = AF_INET;
  in.sin_port = htons(8080);
  inet_pton(AF_INET, "10.0.0.12", &in.sin_addr);
  IpAddress address;
  uint16_t port = 0;
  ASSERT_TRUE(IpAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&in), sizeof(in), &address,
                                      &port));
  EXPECT_EQ(Ip("10.0.0.12"), address);
  EXPECT_EQ(8080, port);
  EXPECT_FALSE(IpAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&in), sizeof(in) - 1,
                                       &address, &port));

  sockaddr_in6 in6{};
  in6.sin6_family = AF_INET6;
  in6.sin6_port = htons(443);
  in6.sin6_scope_id = 2;  // ignored
  inet_pton(AF_INET6, "fd00::12", &in6.sin6_addr);
  ASSERT_TRUE(IpAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&in6), sizeof(in6), &address,
                                      &port));
  EXPECT_EQ(Ip("fd00::12"), address);
  EXPECT_EQ(443, port);
  // The RFC 2133 length, without sin6_scope_id, is what the kernel takes at least.
  EXPECT_TRUE(IpAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&in6), 24, &address, &port));
  EXPECT_FALSE(IpAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&in6), 23, &address, &port));

  sockaddr other{};
  other.sa_family = AF_UNIX;
  EXPECT_FALSE(IpAddress::FromSockaddr(&other, sizeof(other), &address, &port));
  EXPECT_FALSE(IpAddress::FromSockaddr(nullptr, 0, &address, &port));
}

TEST(ViewTableTest, TheEmptyTableHasNoView) {
  const ViewTable table;
  EXPECT_FALSE(table.has_header());
  EXPECT_TRUE(table.empty());
  EXPECT_EQ(0u, table.generation());
  EXPECT_EQ(0u, table.Lookup(Ip("10.0.0.12")));
  IpAddress address;
  EXPECT_FALSE(table.AddressOfCid(5, &address));
}

TEST(ViewTableTest, ParsesTheContractExample) {
  const ViewTable table = MustParse(kExample);
  EXPECT_EQ("generation 7 domid 1", table.header());
  EXPECT_EQ(7u, table.generation());
  EXPECT_EQ(1u, table.domid());
  EXPECT_EQ(yasmin_cid_from_domid(1), table.own_cid());
  EXPECT_EQ(3u, table.size());
  EXPECT_EQ(0u, table.bad_lines());
  EXPECT_EQ(0u, table.ignored_lines());
  EXPECT_FALSE(table.truncated());
  EXPECT_EQ(5u, table.Lookup(Ip("10.0.0.12")));
  EXPECT_EQ(5u, table.Lookup(Ip("fd00::12")));
  EXPECT_EQ(6u, table.Lookup(Ip("10.0.0.13")));
  EXPECT_EQ(0u, table.Lookup(Ip("10.0.0.14")));
  EXPECT_EQ(0u, table.Lookup(Ip("fd00::13")));
}

TEST(ViewTableTest, AnIpv4MappedAddressFindsTheIpv4Entry) {
  const ViewTable table = MustParse(kExample);
  EXPECT_EQ(5u, table.Lookup(Ip("::ffff:10.0.0.12")));
  // And an entry written IPv4-mapped is the IPv4 address.
  const ViewTable mapped = MustParse("generation 1 domid 0\n::ffff:10.0.0.20 9\n");
  EXPECT_EQ(9u, mapped.Lookup(Ip("10.0.0.20")));
}

TEST(ViewTableTest, AViewWithoutPeersIsValid) {
  const ViewTable table = MustParse("generation 0 domid 12\n");
  EXPECT_TRUE(table.has_header());
  EXPECT_TRUE(table.empty());
  EXPECT_EQ(12u, table.domid());
}

TEST(ViewTableTest, KeepsTheExtremesOfGenerationAndDomid) {
  const ViewTable table = MustParse("generation 18446744073709551615 domid 32751\n");
  EXPECT_EQ(18446744073709551615ull, table.generation());
  EXPECT_EQ(YASMIN_DOMID_MAX, table.domid());
}

TEST(ViewTableTest, ABadFirstLineRejectsEverything) {
  EXPECT_TRUE(Fails(""));
  EXPECT_TRUE(Fails("\n10.0.0.12 5\n"));
  EXPECT_TRUE(Fails("generation 7 domid 3"));  // no '\n': may have been cut
  EXPECT_TRUE(Fails("generation 7\n"));
  EXPECT_TRUE(Fails("generation 7 domid\n"));
  EXPECT_TRUE(Fails("generation 7 domid 3 \n"));
  EXPECT_TRUE(Fails("generation  7 domid 3\n"));
  EXPECT_TRUE(Fails(" generation 7 domid 3\n"));
  EXPECT_TRUE(Fails("generation 7 domid 3\r\n"));
  EXPECT_TRUE(Fails("Generation 7 domid 3\n"));
  EXPECT_TRUE(Fails("generation -7 domid 3\n"));
  EXPECT_TRUE(Fails("generation +7 domid 3\n"));
  EXPECT_TRUE(Fails("generation 07 domid 3\n"));
  EXPECT_TRUE(Fails("generation 0x7 domid 3\n"));
  EXPECT_TRUE(Fails("generation 18446744073709551616 domid 3\n"));  // 2^64
  EXPECT_TRUE(Fails("generation 7 domid 32752\n"));                 // a reserved domid
  EXPECT_TRUE(Fails("generation 7 domid 65535\n"));
  EXPECT_TRUE(Fails("10.0.0.12 5\ngeneration 7 domid 3\n"));

  // *table is left alone on failure.
  ViewTable table = MustParse(kExample);
  std::string error;
  EXPECT_FALSE(ViewTable::Parse("garbage\n", &table, &error));
  EXPECT_FALSE(error.empty());
  EXPECT_EQ(7u, table.generation());
  EXPECT_EQ(3u, table.size());
}

TEST(ViewTableTest, BadLinesAreSkippedAndCounted) {
  const ViewTable table = MustParse(
      "generation 2 domid 1\n"
      "10.0.0.12 5\n"
      "\n"                       // empty
      "10.0.0.13\n"              // no CID
      "10.0.0.14  7\n"           // two spaces
      "10.0.0.15 7 \n"           // trailing space
      "10.0.0.16 07\n"           // leading zero
      "10.0.0.17 1\n"            // not a valid CID (the local CID)
      "10.0.0.18 32754\n"        // above YASMIN_CID_MAX
      "10.0.0.19 4294967298\n"   // overflows 32 bits
      "10.0.0 8\n"               // not an address
      "fd00::12%eth0 8\n"        // scoped
      "10.0.0.20 8\r\n"          // CR
      "10.0.0.21 8 9\n"          // too many words
      "10.0.0.22 8\n"
      "10.0.0.23 9");            // the last line lacks '\n': it may have been cut
  EXPECT_EQ(2u, table.size());
  EXPECT_EQ(13u, table.bad_lines());
  EXPECT_EQ(0u, table.ignored_lines());
  EXPECT_EQ(5u, table.Lookup(Ip("10.0.0.12")));
  EXPECT_EQ(8u, table.Lookup(Ip("10.0.0.22")));
  EXPECT_EQ(0u, table.Lookup(Ip("10.0.0.23")));
}

TEST(ViewTableTest, ALineLongerThanTheLimitIsBad) {
  const std::string long_line(ViewTable::kMaxLineBytes + 1, '1');
  const ViewTable table = MustParse("generation 2 domid 1\n" + long_line + "\n10.0.0.12 5\n");
  EXPECT_EQ(1u, table.bad_lines());
  EXPECT_EQ(1u, table.size());
  EXPECT_TRUE(Fails("generation 2 domid 1" + std::string(ViewTable::kMaxLineBytes, ' ') + "\n"));
}

TEST(ViewTableTest, UnusableLinesAreIgnoredAndCounted) {
  const ViewTable table = MustParse(
      "generation 2 domid 3\n"
      "127.0.0.1 5\n"            // loopback
      "0.0.0.0 5\n"              // unspecified
      "224.0.0.1 5\n"            // multicast
      "::1 5\n"
      "ff02::1 5\n"
      "10.0.0.11 5\n"            // our own CID (domid 3): never a peer
      "10.0.0.12 6\n");
  EXPECT_EQ(0u, table.bad_lines());
  EXPECT_EQ(6u, table.ignored_lines());
  EXPECT_EQ(1u, table.size());
  EXPECT_EQ(6u, table.Lookup(Ip("10.0.0.12")));
  EXPECT_EQ(0u, table.Lookup(Ip("10.0.0.11")));
}

TEST(ViewTableTest, AnAddressWithTwoCidsIsDropped) {
  const ViewTable table = MustParse(
      "generation 2 domid 1\n"
      "10.0.0.12 5\n"
      "10.0.0.13 6\n"
      "::ffff:10.0.0.12 7\n"     // the same address as the first line, another CID
      "10.0.0.13 6\n");          // a repeated line is harmless
  EXPECT_EQ(0u, table.Lookup(Ip("10.0.0.12")));
  EXPECT_EQ(6u, table.Lookup(Ip("10.0.0.13")));
  EXPECT_EQ(2u, table.ignored_lines());
  EXPECT_EQ(1u, table.size());
  IpAddress address;
  EXPECT_FALSE(table.AddressOfCid(5, &address));
  EXPECT_FALSE(table.AddressOfCid(7, &address));
}

TEST(ViewTableTest, ReverseLookupPrefersTheFirstIpv4Address) {
  const ViewTable table = MustParse(
      "generation 2 domid 1\n"
      "fd00::12 5\n"
      "10.0.0.99 5\n"
      "10.0.0.12 5\n"
      "fd00::13 6\n"
      "fd00::14 6\n"
      "10.0.0.13 7\n");
  IpAddress address;
  ASSERT_TRUE(table.AddressOfCid(5, &address));
  EXPECT_EQ(Ip("10.0.0.99"), address);  // the first IPv4 line, not the numerically lowest
  ASSERT_TRUE(table.AddressOfCid(6, &address));
  EXPECT_EQ(Ip("fd00::13"), address);   // no IPv4 address: the first IPv6 one
  ASSERT_TRUE(table.AddressOfCid(7, &address));
  EXPECT_EQ(Ip("10.0.0.13"), address);
  EXPECT_FALSE(table.AddressOfCid(8, &address));
}

TEST(ViewTableTest, ManyPeersAreAllFound) {
  std::string text = "generation 9 domid 0\n";
  for (int peer = 0; peer < 2000; peer++) {
    text += "10." + std::to_string(peer / 256) + "." + std::to_string(peer % 256) + ".7 " +
            std::to_string(peer + 3) + "\n";
    text += "fd00::" + std::to_string(peer) + " " + std::to_string(peer + 3) + "\n";
  }
  const ViewTable table = MustParse(text);
  ASSERT_EQ(4000u, table.size());
  for (int peer = 0; peer < 2000; peer++) {
    const uint32_t cid = static_cast<uint32_t>(peer + 3);
    EXPECT_EQ(cid, table.Lookup(Ip("10." + std::to_string(peer / 256) + "." +
                                   std::to_string(peer % 256) + ".7")));
    EXPECT_EQ(cid, table.Lookup(Ip("fd00::" + std::to_string(peer))));
  }
  EXPECT_EQ(0u, table.Lookup(Ip("10.0.0.8")));
}

TEST(ViewTableTest, TextBeyondTheSizeLimitIsCutAndSaidSo) {
  std::string text = "generation 9 domid 0\n";
  int peer = 0;
  while (text.size() <= ViewTable::kMaxTextBytes) {
    text += "10." + std::to_string((peer >> 16) & 255) + "." + std::to_string((peer >> 8) & 255) +
            "." + std::to_string(peer & 255) + " 5\n";
    peer++;
  }
  const ViewTable table = MustParse(text);
  EXPECT_TRUE(table.truncated());
  EXPECT_LE(table.size(), ViewTable::kMaxEntries);
  EXPECT_GT(table.ignored_lines() + table.bad_lines(), 0u);
  EXPECT_EQ(5u, table.Lookup(Ip("10.0.0.0")));
}

TEST(ViewTableTest, EntriesBeyondTheLimitAreIgnored) {
  std::string text = "generation 9 domid 0\n";
  const size_t lines = ViewTable::kMaxEntries + 10;
  for (size_t peer = 0; peer < lines; peer++) {
    char line[64];
    std::snprintf(line, sizeof(line), "fd00::%zx:%zx 5\n", peer / 65536, peer % 65536);
    text += line;
  }
  ASSERT_LE(text.size(), ViewTable::kMaxTextBytes);
  const ViewTable table = MustParse(text);
  EXPECT_TRUE(table.truncated());
  EXPECT_EQ(ViewTable::kMaxEntries, table.size());
  EXPECT_EQ(10u, table.ignored_lines());
}

}  // namespace
}  // namespace preload
}  // namespace yasmin
