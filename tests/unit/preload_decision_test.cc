// The connect() decision and the address translation (preload/decision.h).

#include "decision.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>
#include <string>

#include "gtest/gtest.h"
#include "view_table.h"
#include "yasmin/contract.h"

namespace yasmin {
namespace preload {
namespace {

// domid 3 (CID 5); peers: CID 6 (IPv4 and IPv6), CID 7 (IPv6 only).
ViewTable Table() {
  ViewTable table;
  std::string error;
  EXPECT_TRUE(ViewTable::Parse("generation 7 domid 3\n"
                               "10.0.0.12 6\n"
                               "fd00::12 6\n"
                               "fd00::13 7\n",
                               &table, &error))
      << error;
  return table;
}

sockaddr_in V4(const char* address, uint16_t port) {
  sockaddr_in in{};
  in.sin_family = AF_INET;
  in.sin_port = htons(port);
  EXPECT_EQ(1, inet_pton(AF_INET, address, &in.sin_addr)) << address;
  return in;
}

sockaddr_in6 V6(const char* address, uint16_t port) {
  sockaddr_in6 in6{};
  in6.sin6_family = AF_INET6;
  in6.sin6_port = htons(port);
  EXPECT_EQ(1, inet_pton(AF_INET6, address, &in6.sin6_addr)) << address;
  return in6;
}

template <typename Sockaddr>
ConnectDecision Decide(int family, const Sockaddr& to, const ViewTable& table,
                       int type = SOCK_STREAM, int protocol = 0, bool disabled = false) {
  return DecideConnect(family, type, protocol, reinterpret_cast<const sockaddr*>(&to),
                       sizeof(to), disabled, table);
}

TEST(DecisionTest, ACoLocatedIpv4PeerGoesToItsCidAndTheSamePort) {
  const ConnectDecision decision = Decide(AF_INET, V4("10.0.0.12", 5201), Table());
  EXPECT_TRUE(decision.use_vsock());
  EXPECT_EQ(ConnectReason::kVsock, decision.reason);
  EXPECT_EQ(6u, decision.cid);
  EXPECT_EQ(5201u, decision.port);  // host byte order
}

TEST(DecisionTest, Ipv6AndIpv4MappedDestinationsAreFound) {
  const ViewTable table = Table();
  ConnectDecision decision = Decide(AF_INET6, V6("fd00::12", 80), table);
  EXPECT_TRUE(decision.use_vsock());
  EXPECT_EQ(6u, decision.cid);
  decision = Decide(AF_INET6, V6("::ffff:10.0.0.12", 80), table);
  EXPECT_TRUE(decision.use_vsock());
  EXPECT_EQ(6u, decision.cid);
  EXPECT_EQ(80u, decision.port);
  decision = Decide(AF_INET6, V6("fd00::13", 65535), table);
  EXPECT_TRUE(decision.use_vsock());
  EXPECT_EQ(7u, decision.cid);
  EXPECT_EQ(65535u, decision.port);
}

TEST(DecisionTest, AnAddressNotInTheViewStaysTcp) {
  const ViewTable table = Table();
  EXPECT_EQ(ConnectReason::kNotInView, Decide(AF_INET, V4("10.0.0.13", 80), table).reason);
  EXPECT_EQ(ConnectReason::kNotInView, Decide(AF_INET6, V6("fd00::14", 80), table).reason);
  EXPECT_FALSE(Decide(AF_INET, V4("10.0.0.13", 80), table).use_vsock());
  // Without a view at all.
  EXPECT_EQ(ConnectReason::kNotInView, Decide(AF_INET, V4("10.0.0.12", 80), ViewTable()).reason);
}

TEST(DecisionTest, SocketFlagsAreIgnoredAndOnlyTcpQualifies) {
  const ViewTable table = Table();
  const sockaddr_in to = V4("10.0.0.12", 80);
  EXPECT_TRUE(Decide(AF_INET, to, table, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC).use_vsock());
  EXPECT_TRUE(Decide(AF_INET, to, table, SOCK_STREAM, IPPROTO_TCP).use_vsock());
  EXPECT_EQ(ConnectReason::kNotTcpSocket, Decide(AF_INET, to, table, SOCK_DGRAM).reason);
  EXPECT_EQ(ConnectReason::kNotTcpSocket,
            Decide(AF_INET, to, table, SOCK_DGRAM | SOCK_NONBLOCK).reason);
  EXPECT_EQ(ConnectReason::kNotTcpSocket, Decide(AF_INET, to, table, SOCK_SEQPACKET).reason);
  EXPECT_EQ(ConnectReason::kNotTcpSocket, Decide(AF_INET, to, table, SOCK_RAW).reason);
  EXPECT_EQ(ConnectReason::kNotTcpSocket,
            Decide(AF_INET, to, table, SOCK_STREAM, IPPROTO_SCTP).reason);
  EXPECT_EQ(ConnectReason::kNotTcpSocket, Decide(AF_INET, to, table, SOCK_STREAM, 262).reason);
  EXPECT_EQ(ConnectReason::kNotTcpSocket,
            Decide(AF_INET, to, table, SOCK_STREAM, IPPROTO_UDP).reason);
  EXPECT_EQ(ConnectReason::kNotTcpSocket, Decide(AF_UNIX, to, table).reason);
  EXPECT_EQ(ConnectReason::kNotTcpSocket, Decide(AF_VSOCK, to, table).reason);

  EXPECT_TRUE(IsTcpSocket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP));
  EXPECT_FALSE(IsTcpSocket(AF_INET6, SOCK_STREAM | 0x10, 0));  // an unknown flag: not TCP
}

TEST(DecisionTest, DisabledMeansTcp) {
  const ConnectDecision decision =
      Decide(AF_INET, V4("10.0.0.12", 80), Table(), SOCK_STREAM, 0, /*disabled=*/true);
  EXPECT_EQ(ConnectReason::kDisabled, decision.reason);
  EXPECT_FALSE(decision.use_vsock());
}

TEST(DecisionTest, SpecialDestinationsStayTcpEvenIfListed) {
  // A view that lists special addresses: the parser drops them, and the decision would too.
  ViewTable table;
  std::string error;
  ASSERT_TRUE(ViewTable::Parse("generation 1 domid 3\n127.0.0.1 6\n10.0.0.12 6\n", &table,
                               &error));
  for (const char* special : {"127.0.0.1", "127.1.2.3", "0.0.0.0", "224.0.0.1",
                              "255.255.255.255"}) {
    EXPECT_EQ(ConnectReason::kSpecialAddress, Decide(AF_INET, V4(special, 80), table).reason)
        << special;
  }
  for (const char* special : {"::1", "::", "ff02::1", "::ffff:127.0.0.1"}) {
    EXPECT_EQ(ConnectReason::kSpecialAddress, Decide(AF_INET6, V6(special, 80), table).reason)
        << special;
  }
}

TEST(DecisionTest, PortZeroStaysTcp) {
  EXPECT_EQ(ConnectReason::kPortZero, Decide(AF_INET, V4("10.0.0.12", 0), Table()).reason);
}

TEST(DecisionTest, ABadDestinationIsLeftToTheKernel) {
  const ViewTable table = Table();
  // The family of the address is not the socket's: the kernel says EAFNOSUPPORT.
  EXPECT_EQ(ConnectReason::kBadAddress, Decide(AF_INET6, V4("10.0.0.12", 80), table).reason);
  EXPECT_EQ(ConnectReason::kBadAddress, Decide(AF_INET, V6("fd00::12", 80), table).reason);
  // AF_UNSPEC: a disconnect.
  sockaddr unspec{};
  unspec.sa_family = AF_UNSPEC;
  EXPECT_EQ(ConnectReason::kBadAddress, Decide(AF_INET, unspec, table).reason);
  // Too short.
  const sockaddr_in to = V4("10.0.0.12", 80);
  EXPECT_EQ(ConnectReason::kBadAddress,
            DecideConnect(AF_INET, SOCK_STREAM, 0, reinterpret_cast<const sockaddr*>(&to),
                          sizeof(to) - 1, false, table)
                .reason);
  EXPECT_EQ(ConnectReason::kBadAddress,
            DecideConnect(AF_INET, SOCK_STREAM, 0, reinterpret_cast<const sockaddr*>(&to), 1,
                          false, table)
                .reason);
  EXPECT_EQ(ConnectReason::kBadAddress,
            DecideConnect(AF_INET, SOCK_STREAM, 0, nullptr, 0, false, table).reason);
}

TEST(DecisionTest, AnUnalignedLongerDestinationIsRead) {
  // Programs pass a sockaddr_storage, or a buffer at any alignment.
  alignas(8) unsigned char buffer[sizeof(sockaddr_storage) + 1] = {};
  const sockaddr_in to = V4("10.0.0.12", 443);
  std::memcpy(buffer + 1, &to, sizeof(to));
  const ConnectDecision decision =
      DecideConnect(AF_INET, SOCK_STREAM, 0, reinterpret_cast<const sockaddr*>(buffer + 1),
                    sizeof(sockaddr_storage), false, Table());
  EXPECT_TRUE(decision.use_vsock());
  EXPECT_EQ(443u, decision.port);
}

TEST(DecisionTest, EveryReasonHasAName) {
  for (ConnectReason reason :
       {ConnectReason::kVsock, ConnectReason::kDisabled, ConnectReason::kNotTcpSocket,
        ConnectReason::kBadAddress, ConnectReason::kSpecialAddress, ConnectReason::kPortZero,
        ConnectReason::kNotInView, ConnectReason::kOwnCid}) {
    EXPECT_STRNE("unknown", ConnectReasonName(reason));
  }
  EXPECT_STREQ("vsock", ConnectReasonName(ConnectReason::kVsock));
  EXPECT_STREQ("not-in-view", ConnectReasonName(ConnectReason::kNotInView));
}

TEST(TranslationTest, VsockPortsFoldIntoTcpPorts) {
  EXPECT_EQ(0, TcpPortFromVsockPort(0));
  EXPECT_EQ(1024, TcpPortFromVsockPort(1024));
  EXPECT_EQ(65535, TcpPortFromVsockPort(65535));
  EXPECT_EQ(49152, TcpPortFromVsockPort(65536));
  EXPECT_EQ(49152 + 1, TcpPortFromVsockPort(65537));
  EXPECT_EQ(49152 + 16383, TcpPortFromVsockPort(0xffffffffu));
  for (uint32_t port = 65536; port < 65536 + 100000; port += 7) {
    EXPECT_GE(TcpPortFromVsockPort(port), 49152);
  }
}

sockaddr_in AsV4(const sockaddr_storage& storage) {
  sockaddr_in in;
  std::memcpy(&in, &storage, sizeof(in));
  return in;
}

sockaddr_in6 AsV6(const sockaddr_storage& storage) {
  sockaddr_in6 in6;
  std::memcpy(&in6, &storage, sizeof(in6));
  return in6;
}

std::string Text(const sockaddr_in& in) {
  char buffer[INET_ADDRSTRLEN];
  return inet_ntop(AF_INET, &in.sin_addr, buffer, sizeof(buffer));
}

std::string Text(const sockaddr_in6& in6) {
  char buffer[INET6_ADDRSTRLEN];
  return inet_ntop(AF_INET6, &in6.sin6_addr, buffer, sizeof(buffer));
}

TEST(TranslationTest, APeerLooksLikeItsIpv4Address) {
  sockaddr_storage out;
  ASSERT_EQ(sizeof(sockaddr_in), PeerSockaddr(Table(), AF_INET, 6, 40000, &out));
  const sockaddr_in in = AsV4(out);
  EXPECT_EQ(AF_INET, in.sin_family);
  EXPECT_EQ("10.0.0.12", Text(in));
  EXPECT_EQ(40000, ntohs(in.sin_port));
}

TEST(TranslationTest, OnAnIpv6SocketAnIpv4PeerIsIpv4Mapped) {
  sockaddr_storage out;
  ASSERT_EQ(sizeof(sockaddr_in6), PeerSockaddr(Table(), AF_INET6, 6, 40000, &out));
  const sockaddr_in6 in6 = AsV6(out);
  EXPECT_EQ(AF_INET6, in6.sin6_family);
  EXPECT_EQ("::ffff:10.0.0.12", Text(in6));
  EXPECT_EQ(40000, ntohs(in6.sin6_port));
  EXPECT_EQ(0u, in6.sin6_scope_id);
  EXPECT_EQ(0u, in6.sin6_flowinfo);
}

TEST(TranslationTest, AnIpv6OnlyPeer) {
  sockaddr_storage out;
  ASSERT_EQ(sizeof(sockaddr_in6), PeerSockaddr(Table(), AF_INET6, 7, 80, &out));
  EXPECT_EQ("fd00::13", Text(AsV6(out)));
  // An AF_INET socket cannot show it: the fallback.
  ASSERT_EQ(sizeof(sockaddr_in), PeerSockaddr(Table(), AF_INET, 7, 80, &out));
  EXPECT_EQ("0.0.0.0", Text(AsV4(out)));
  EXPECT_EQ(80, ntohs(AsV4(out).sin_port));
}

TEST(TranslationTest, AnUnknownPeerIsTheUnspecifiedAddress) {
  sockaddr_storage out;
  ASSERT_EQ(sizeof(sockaddr_in), PeerSockaddr(Table(), AF_INET, 99, 70000, &out));
  EXPECT_EQ("0.0.0.0", Text(AsV4(out)));
  EXPECT_EQ(TcpPortFromVsockPort(70000), ntohs(AsV4(out).sin_port));
  ASSERT_EQ(sizeof(sockaddr_in6), PeerSockaddr(ViewTable(), AF_INET6, 6, 80, &out));
  EXPECT_EQ("::", Text(AsV6(out)));
  EXPECT_EQ(0u, PeerSockaddr(Table(), AF_UNIX, 6, 80, &out));
}

TEST(TranslationTest, CopyOutTruncatesAndReportsTheFullLength) {
  sockaddr_storage address;
  const socklen_t length = PeerSockaddr(Table(), AF_INET, 6, 40000, &address);
  ASSERT_EQ(sizeof(sockaddr_in), length);

  sockaddr_in whole{};
  socklen_t whole_length = sizeof(sockaddr_storage);
  CopySockaddrOut(address, length, reinterpret_cast<sockaddr*>(&whole), &whole_length);
  EXPECT_EQ(sizeof(sockaddr_in), whole_length);
  EXPECT_EQ("10.0.0.12", Text(whole));

  unsigned char small[4];
  std::memset(small, 0xaa, sizeof(small));
  socklen_t small_length = 2;
  CopySockaddrOut(address, length, reinterpret_cast<sockaddr*>(small), &small_length);
  EXPECT_EQ(sizeof(sockaddr_in), small_length);
  sa_family_t family;
  std::memcpy(&family, small, sizeof(family));
  EXPECT_EQ(AF_INET, family);
  EXPECT_EQ(0xaa, small[2]);  // nothing beyond what was asked

  socklen_t zero = 0;
  CopySockaddrOut(address, length, nullptr, &zero);
  EXPECT_EQ(sizeof(sockaddr_in), zero);
  CopySockaddrOut(address, length, nullptr, nullptr);  // accept(fd, NULL, NULL)
}

}  // namespace
}  // namespace preload
}  // namespace yasmin
