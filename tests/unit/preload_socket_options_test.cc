#include "socket_options.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <cerrno>
#include <cstring>

#include "gtest/gtest.h"

namespace yasmin {
namespace preload {
namespace {

TEST(SocketOptionsTest, KnownOptionsAreListedOnce) {
  EXPECT_GE(EmulatedOptionIndex(IPPROTO_TCP, TCP_NODELAY), 0);
  EXPECT_GE(EmulatedOptionIndex(IPPROTO_TCP, TCP_KEEPIDLE), 0);
  EXPECT_GE(EmulatedOptionIndex(IPPROTO_IP, IP_TOS), 0);
  EXPECT_GE(EmulatedOptionIndex(IPPROTO_IPV6, IPV6_V6ONLY), 0);
  EXPECT_EQ(-1, EmulatedOptionIndex(IPPROTO_TCP, TCP_INFO));
  EXPECT_EQ(-1, EmulatedOptionIndex(SOL_SOCKET, SO_KEEPALIVE));
  for (size_t i = 0; i < kEmulatedOptionCount; ++i) {
    EXPECT_EQ(static_cast<int>(i),
              EmulatedOptionIndex(kEmulatedOptions[i].level, kEmulatedOptions[i].name));
  }
  EXPECT_TRUE(IsEmulatedLevel(IPPROTO_TCP));
  EXPECT_FALSE(IsEmulatedLevel(SOL_SOCKET));
}

TEST(SocketOptionsTest, SetThenGet) {
  EmulatedOptions options;
  bool stored = false;
  int value = 30;
  ASSERT_EQ(0, SetEmulatedOption(&options, IPPROTO_TCP, TCP_KEEPIDLE, &value, sizeof(value),
                                 &stored));
  EXPECT_TRUE(stored);
  int got = 0;
  socklen_t length = sizeof(got);
  ASSERT_EQ(0, GetEmulatedOption(options, IPPROTO_TCP, TCP_KEEPIDLE, &got, &length));
  EXPECT_EQ(30, got);
  EXPECT_EQ(sizeof(int), length);
}

TEST(SocketOptionsTest, BooleansReadBackAsOne) {
  EmulatedOptions options;
  bool stored;
  int value = 5;
  SetEmulatedOption(&options, IPPROTO_TCP, TCP_NODELAY, &value, sizeof(value), &stored);
  int got = 0;
  socklen_t length = sizeof(got);
  GetEmulatedOption(options, IPPROTO_TCP, TCP_NODELAY, &got, &length);
  EXPECT_EQ(1, got);
}

TEST(SocketOptionsTest, ShortValuesAndUnknownOptions) {
  EmulatedOptions options;
  bool stored = true;
  char small = 1;
  EXPECT_EQ(EINVAL, SetEmulatedOption(&options, IPPROTO_TCP, TCP_NODELAY, &small, 1, &stored));
  // Unknown at an emulated level: accepted, not stored.
  int value = 1;
  EXPECT_EQ(0, SetEmulatedOption(&options, IPPROTO_TCP, TCP_CONGESTION, &value, sizeof(value),
                                 &stored));
  EXPECT_FALSE(stored);
  int got;
  socklen_t length = sizeof(got);
  EXPECT_EQ(ENOPROTOOPT, GetEmulatedOption(options, IPPROTO_TCP, TCP_CONGESTION, &got, &length));
  // A short buffer gets the first bytes, as Linux copies.
  char one = 0x55;
  length = 1;
  EXPECT_EQ(0, GetEmulatedOption(options, IPPROTO_TCP, TCP_NODELAY, &one, &length));
  EXPECT_EQ(1u, length);
  length = static_cast<socklen_t>(-1);
  EXPECT_EQ(EINVAL, GetEmulatedOption(options, IPPROTO_TCP, TCP_NODELAY, &got, &length));
}

TEST(SocketOptionsTest, TcpInfoIsEstablishedZeros) {
  EmulatedOptions options;
  tcp_info info;
  std::memset(&info, 0xff, sizeof(info));
  socklen_t length = sizeof(info);
  ASSERT_EQ(0, GetEmulatedOption(options, IPPROTO_TCP, TCP_INFO, &info, &length));
  EXPECT_EQ(sizeof(info), length);
  EXPECT_EQ(1, info.tcpi_state);
  EXPECT_EQ(0u, info.tcpi_rtt);
}

TEST(SocketOptionsTest, BufferSizeMapping) {
  EXPECT_EQ(0u, VsockBufferSize(-1, -1));
  EXPECT_EQ(2u * 65536, VsockBufferSize(65536, -1));
  EXPECT_EQ(2u * 100000, VsockBufferSize(4096, 100000));
  EXPECT_EQ(kMinVsockBufferSize, VsockBufferSize(100, -1));
  EXPECT_EQ(kMinVsockBufferSize, VsockBufferSize(0, 0));
  EXPECT_EQ(kMaxVsockBufferSize, VsockBufferSize(16 << 20, -1));
  EXPECT_EQ(kMaxVsockBufferSize, VsockBufferSize(0x7fffffff, 0x7fffffff));
  EXPECT_EQ(524288, SockBufFromVsockBufferSize(524288));
  EXPECT_EQ(0x7fffffff, SockBufFromVsockBufferSize(uint64_t{1} << 40));
}

}  // namespace
}  // namespace preload
}  // namespace yasmin
