// The client path of libyasmin-testing.so, run inside this very process: ctest starts it
// with LD_PRELOAD, YASMIN_VIEW_FILE (re-read at every connect: YASMIN_VIEW_MAX_AGE_MS=0) and
// YASMIN_TEST_UNIX_DIR, where an AF_UNIX listener "<cid>.<port>" stands in for a co-located
// peer's vsock listener.  The co-located address is this machine's own non-loopback address
// (loopback never goes to vsock), so that a connect() that falls back to TCP reaches a real
// local TCP server, deterministically and at once.  No such address: the tests skip.
//
// Registered twice: as is, and with YASMIN_DISABLE=1 and only the PreloadDisabled tests.

#include <arpa/inet.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "gtest/gtest.h"
#include "preload_interposition_support.h"

namespace {

using yasmin_preload_test::Disabled;
using yasmin_preload_test::Inet;
using yasmin_preload_test::RealDomain;
using yasmin_preload_test::YasminFds;

constexpr unsigned kPeerCid = 7;

class PreloadClientTest : public testing::Test {
 protected:
  void SetUp() override {
    local_ = yasmin_preload_test::OutwardAddress();
    if (local_.empty()) GTEST_SKIP() << "no non-loopback address to stand for a peer";
    const char* view = getenv("YASMIN_VIEW_FILE");
    const char* dir = getenv("YASMIN_TEST_UNIX_DIR");
    ASSERT_NE(nullptr, view);
    ASSERT_NE(nullptr, dir);
    view_file_ = view;
    unix_dir_ = dir;
    mkdir(unix_dir_.c_str(), 0700);
    WriteView(local_);
    // A TCP server on every address, the fallback's destination.
    tcp_server_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in any = Inet("0.0.0.0", 0);
    ASSERT_EQ(0, bind(tcp_server_, reinterpret_cast<sockaddr*>(&any), sizeof(any)));
    ASSERT_EQ(0, listen(tcp_server_, 16));
    socklen_t length = sizeof(any);
    getsockname(tcp_server_, reinterpret_cast<sockaddr*>(&any), &length);
    port_ = ntohs(any.sin_port);
    baseline_fds_ = YasminFds();
  }

  void TearDown() override {
    if (unix_server_ >= 0) close(unix_server_);
    if (tcp_server_ >= 0) close(tcp_server_);
    unlink(UnixPath().c_str());
  }

  void WriteView(const std::string& address) {
    std::ofstream out(view_file_ + ".tmp");
    out << "generation " << ++generation_ << " domid 1\n" << address << " " << kPeerCid << "\n";
    out.close();
    rename((view_file_ + ".tmp").c_str(), view_file_.c_str());
  }

  std::string UnixPath() const {
    return unix_dir_ + "/" + std::to_string(kPeerCid) + "." + std::to_string(port_);
  }

  // The stand-in for the peer's vsock listener.
  void ListenUnix() {
    unix_server_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof(address.sun_path), "%s", UnixPath().c_str());
    unlink(address.sun_path);
    ASSERT_EQ(0, bind(unix_server_, reinterpret_cast<sockaddr*>(&address), sizeof(address)));
    ASSERT_EQ(0, listen(unix_server_, 16));
  }

  // Accepts from a listener, not blocking for long: -1 if nobody is waiting.
  static int AcceptNow(int listener) {
    const int flags = fcntl(listener, F_GETFL);
    fcntl(listener, F_SETFL, flags | O_NONBLOCK);
    int fd = -1;
    for (int i = 0; i < 200 && fd < 0; ++i) {
      fd = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) usleep(1000);
    }
    fcntl(listener, F_SETFL, flags);
    return fd;
  }

  static int Domain(int fd) {
    int domain = -1;
    socklen_t length = sizeof(domain);
    getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &length);
    return domain;
  }

  static void Exchange(int a, int b) {
    ASSERT_EQ(5, write(a, "hello", 5));
    char buffer[8] = {};
    ASSERT_EQ(5, read(b, buffer, sizeof(buffer)));
    EXPECT_STREQ("hello", buffer);
    ASSERT_EQ(3, send(b, "ack", 3, 0));
    ASSERT_EQ(3, recv(a, buffer, sizeof(buffer), 0));
    EXPECT_EQ(0, std::memcmp(buffer, "ack", 3));
  }

  std::string local_;
  std::string view_file_;
  std::string unix_dir_;
  int generation_ = 0;
  int tcp_server_ = -1;
  int unix_server_ = -1;
  uint16_t port_ = 0;
  size_t baseline_fds_ = 0;
};

TEST_F(PreloadClientTest, CoLocatedPeerGoesOverTheFastPath) {
  if (Disabled()) GTEST_SKIP();
  ListenUnix();
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  ASSERT_EQ(0, setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)));
  timeval timeout{7, 0};
  ASSERT_EQ(0, setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout)));
  sockaddr_in peer = Inet(local_, port_);
  // Non-blocking, yet done at once: 0.
  ASSERT_EQ(0, connect(fd, reinterpret_cast<sockaddr*>(&peer), sizeof(peer))) << strerror(errno);
  EXPECT_EQ(AF_UNIX, RealDomain(fd));  // the stand-in for vsock is behind the same number
  EXPECT_EQ(baseline_fds_ + 1, YasminFds());
  EXPECT_TRUE(fcntl(fd, F_GETFL) & O_NONBLOCK);
  EXPECT_TRUE(fcntl(fd, F_GETFD) & FD_CLOEXEC);
  EXPECT_LT(AcceptNow(tcp_server_), 0) << "TCP was used";
  const int accepted = AcceptNow(unix_server_);
  ASSERT_GE(accepted, 0);

  // What the program sees stays TCP.
  EXPECT_EQ(AF_INET, Domain(fd));
  int value = 0;
  socklen_t length = sizeof(value);
  ASSERT_EQ(0, getsockopt(fd, SOL_SOCKET, SO_TYPE, &value, &length));
  EXPECT_EQ(SOCK_STREAM, value);
  ASSERT_EQ(0, getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &value, &length));
  EXPECT_EQ(IPPROTO_TCP, value);
  ASSERT_EQ(0, getsockopt(fd, SOL_SOCKET, SO_ERROR, &value, &length));
  EXPECT_EQ(0, value);
  ASSERT_EQ(0, getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &value, &length));
  EXPECT_EQ(1, value) << "an option set before connect() was lost";
  ASSERT_EQ(0, getsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &value, &length));
  EXPECT_EQ(7200, value) << "the kernel's default";
  int idle = 30;
  ASSERT_EQ(0, setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle)));
  ASSERT_EQ(0, getsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &value, &length));
  EXPECT_EQ(30, value);
  int tos = 0x10;
  EXPECT_EQ(0, setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos)));
  EXPECT_EQ(0, setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, "cubic", 5));
  ASSERT_EQ(0, setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &idle, sizeof(idle)));
  ASSERT_EQ(0, getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &value, &length));
  EXPECT_GT(value, 0);
  timeval got_timeout{};
  socklen_t timeout_length = sizeof(got_timeout);
  ASSERT_EQ(0, getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &got_timeout, &timeout_length));
  EXPECT_EQ(7, got_timeout.tv_sec) << "SO_RCVTIMEO was not copied";
  tcp_info info{};
  socklen_t info_length = sizeof(info);
  ASSERT_EQ(0, getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &info_length));
  EXPECT_EQ(TCP_ESTABLISHED, info.tcpi_state);

  sockaddr_in name{};
  socklen_t name_length = sizeof(name);
  ASSERT_EQ(0, getpeername(fd, reinterpret_cast<sockaddr*>(&name), &name_length));
  EXPECT_EQ(sizeof(sockaddr_in), name_length);
  EXPECT_EQ(AF_INET, name.sin_family);
  EXPECT_EQ(peer.sin_addr.s_addr, name.sin_addr.s_addr);
  EXPECT_EQ(htons(port_), name.sin_port);
  name_length = sizeof(name);
  ASSERT_EQ(0, getsockname(fd, reinterpret_cast<sockaddr*>(&name), &name_length));
  EXPECT_EQ(AF_INET, name.sin_family);
  EXPECT_EQ(peer.sin_addr.s_addr, name.sin_addr.s_addr) << "the route's source address";

  // Data flows, and FIONREAD sees it.
  int blocking = fcntl(fd, F_GETFL) & ~O_NONBLOCK;
  fcntl(fd, F_SETFL, blocking);
  ASSERT_EQ(4, write(accepted, "data", 4));
  usleep(10000);
  int available = -1;
  ASSERT_EQ(0, ioctl(fd, FIONREAD, &available));
  EXPECT_EQ(4, available);
  char buffer[4];
  ASSERT_EQ(4, read(fd, buffer, 4));
  Exchange(fd, accepted);

  // A second connect() on it says what TCP says.
  EXPECT_EQ(-1, connect(fd, reinterpret_cast<sockaddr*>(&peer), sizeof(peer)));
  EXPECT_EQ(EISCONN, errno);

  close(accepted);
  ASSERT_EQ(0, close(fd));
  EXPECT_EQ(baseline_fds_, YasminFds());
}

TEST_F(PreloadClientTest, DestinationGivenToSendIsIgnoredAsTcpDoes) {
  if (Disabled()) GTEST_SKIP();
  ListenUnix();
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in peer = Inet(local_, port_);
  ASSERT_EQ(0, connect(fd, reinterpret_cast<sockaddr*>(&peer), sizeof(peer))) << strerror(errno);
  ASSERT_EQ(AF_UNIX, RealDomain(fd));
  const int accepted = AcceptNow(unix_server_);
  ASSERT_GE(accepted, 0);
  // A connected TCP socket ignores the destination; the stand-in, like vsock, says EISCONN.
  ASSERT_EQ(2, sendto(fd, "ab", 2, 0, reinterpret_cast<sockaddr*>(&peer), sizeof(peer)))
      << strerror(errno);
  iovec vectors[3] = {{const_cast<char*>("cd"), 2}, {const_cast<char*>("ef"), 2},
                      {const_cast<char*>("gh"), 2}};
  msghdr message{};
  message.msg_name = &peer;
  message.msg_namelen = sizeof(peer);
  message.msg_iov = &vectors[0];
  message.msg_iovlen = 1;
  ASSERT_EQ(2, sendmsg(fd, &message, 0)) << strerror(errno);
  EXPECT_EQ(&peer, message.msg_name) << "the caller's message was changed";
  mmsghdr batch[2] = {};
  for (int i = 0; i < 2; ++i) {
    batch[i].msg_hdr.msg_name = &peer;
    batch[i].msg_hdr.msg_namelen = sizeof(peer);
    batch[i].msg_hdr.msg_iov = &vectors[i + 1];
    batch[i].msg_hdr.msg_iovlen = 1;
  }
  ASSERT_EQ(2, sendmmsg(fd, batch, 2, 0)) << strerror(errno);
  EXPECT_EQ(2u, batch[0].msg_len);
  EXPECT_EQ(2u, batch[1].msg_len);
  EXPECT_EQ(&peer, batch[1].msg_hdr.msg_name) << "the caller's messages were changed";
  char buffer[9] = {};
  size_t got = 0;
  while (got < 8) {
    const ssize_t n = read(accepted, buffer + got, 8 - got);
    ASSERT_GT(n, 0);
    got += static_cast<size_t>(n);
  }
  EXPECT_STREQ("abcdefgh", buffer);
  close(accepted);
  ASSERT_EQ(0, close(fd));
}

TEST_F(PreloadClientTest, Ipv6SocketToMappedAddress) {
  if (Disabled()) GTEST_SKIP();
  ListenUnix();
  const int fd = socket(AF_INET6, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in6 peer{};
  peer.sin6_family = AF_INET6;
  peer.sin6_port = htons(port_);
  inet_pton(AF_INET6, ("::ffff:" + local_).c_str(), &peer.sin6_addr);
  ASSERT_EQ(0, connect(fd, reinterpret_cast<sockaddr*>(&peer), sizeof(peer)));
  EXPECT_EQ(AF_UNIX, RealDomain(fd));
  EXPECT_EQ(AF_INET6, Domain(fd));
  sockaddr_in6 name{};
  socklen_t length = sizeof(name);
  ASSERT_EQ(0, getpeername(fd, reinterpret_cast<sockaddr*>(&name), &length));
  EXPECT_EQ(sizeof(sockaddr_in6), length);
  EXPECT_EQ(AF_INET6, name.sin6_family);
  EXPECT_EQ(0, std::memcmp(&peer.sin6_addr, &name.sin6_addr, sizeof(in6_addr)));
  // A buffer too short: truncated, and the full length reported.
  length = 4;
  ASSERT_EQ(0, getsockname(fd, reinterpret_cast<sockaddr*>(&name), &length));
  EXPECT_EQ(sizeof(sockaddr_in6), length);
  const int accepted = AcceptNow(unix_server_);
  ASSERT_GE(accepted, 0);
  Exchange(fd, accepted);
  close(accepted);
  close(fd);
  EXPECT_EQ(baseline_fds_, YasminFds());
}

TEST_F(PreloadClientTest, NoVsockListenerFallsBackToTcp) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in peer = Inet(local_, port_);
  ASSERT_EQ(0, connect(fd, reinterpret_cast<sockaddr*>(&peer), sizeof(peer))) << strerror(errno);
  EXPECT_EQ(AF_INET, RealDomain(fd));
  EXPECT_EQ(baseline_fds_, YasminFds());
  const int accepted = AcceptNow(tcp_server_);
  ASSERT_GE(accepted, 0);
  Exchange(fd, accepted);
  close(accepted);
  close(fd);
}

TEST_F(PreloadClientTest, NonBlockingFallbackKeepsEinprogress) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  sockaddr_in peer = Inet(local_, port_);
  const int result = connect(fd, reinterpret_cast<sockaddr*>(&peer), sizeof(peer));
  ASSERT_TRUE(result == 0 || errno == EINPROGRESS) << strerror(errno);
  EXPECT_EQ(AF_INET, RealDomain(fd));
  EXPECT_TRUE(fcntl(fd, F_GETFL) & O_NONBLOCK);
  const int accepted = AcceptNow(tcp_server_);
  ASSERT_GE(accepted, 0);
  int error = -1;
  socklen_t length = sizeof(error);
  ASSERT_EQ(0, getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length));
  EXPECT_EQ(0, error);
  // connect() again, as programs do to learn the outcome: TCP's answer (Linux: 0 once the
  // connection is up, then EISCONN), no second attempt at vsock.
  const int again = connect(fd, reinterpret_cast<sockaddr*>(&peer), sizeof(peer));
  EXPECT_TRUE(again == 0 || errno == EISCONN) << strerror(errno);
  EXPECT_EQ(-1, connect(fd, reinterpret_cast<sockaddr*>(&peer), sizeof(peer)));
  EXPECT_EQ(EISCONN, errno);
  EXPECT_EQ(AF_INET, RealDomain(fd));
  close(accepted);
  close(fd);
}

TEST_F(PreloadClientTest, AddressNotInViewIsUntouched) {
  if (Disabled()) GTEST_SKIP();
  ListenUnix();
  WriteView("203.0.113.9");
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in peer = Inet(local_, port_);
  ASSERT_EQ(0, connect(fd, reinterpret_cast<sockaddr*>(&peer), sizeof(peer)));
  EXPECT_EQ(AF_INET, RealDomain(fd));
  EXPECT_LT(AcceptNow(unix_server_), 0);
  const int accepted = AcceptNow(tcp_server_);
  ASSERT_GE(accepted, 0);
  Exchange(fd, accepted);
  close(accepted);
  close(fd);
}

TEST_F(PreloadClientTest, BoundSocketStaysTcp) {
  if (Disabled()) GTEST_SKIP();
  ListenUnix();
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in local = Inet(local_, 0);
  ASSERT_EQ(0, bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof(local)));
  sockaddr_in peer = Inet(local_, port_);
  ASSERT_EQ(0, connect(fd, reinterpret_cast<sockaddr*>(&peer), sizeof(peer)));
  EXPECT_EQ(AF_INET, RealDomain(fd));
  EXPECT_LT(AcceptNow(unix_server_), 0);
  const int accepted = AcceptNow(tcp_server_);
  EXPECT_GE(accepted, 0);
  close(accepted);
  close(fd);
}

TEST_F(PreloadClientTest, UdpAndUnixSocketsAreUntouched) {
  if (Disabled()) GTEST_SKIP();
  ListenUnix();
  const int udp = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in peer = Inet(local_, port_);
  ASSERT_EQ(0, connect(udp, reinterpret_cast<sockaddr*>(&peer), sizeof(peer)));
  EXPECT_EQ(AF_INET, RealDomain(udp));
  int type = 0;
  socklen_t length = sizeof(type);
  getsockopt(udp, SOL_SOCKET, SO_TYPE, &type, &length);
  EXPECT_EQ(SOCK_DGRAM, type);
  close(udp);
  const int local = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::snprintf(address.sun_path, sizeof(address.sun_path), "%s", UnixPath().c_str());
  ASSERT_EQ(0, connect(local, reinterpret_cast<sockaddr*>(&address), sizeof(address)));
  const int accepted = AcceptNow(unix_server_);  // the program's own AF_UNIX connection
  ASSERT_GE(accepted, 0);
  EXPECT_EQ(baseline_fds_, YasminFds());
  close(accepted);
  close(local);
  EXPECT_LT(AcceptNow(tcp_server_), 0);
}

TEST_F(PreloadClientTest, DupAndCloseKeepTheRegistryRight) {
  if (Disabled()) GTEST_SKIP();
  ListenUnix();
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in peer = Inet(local_, port_);
  ASSERT_EQ(0, connect(fd, reinterpret_cast<sockaddr*>(&peer), sizeof(peer)));
  const int accepted = AcceptNow(unix_server_);
  ASSERT_GE(accepted, 0);
  EXPECT_EQ(baseline_fds_ + 1, YasminFds());

  const int a = dup(fd);
  const int b = fcntl(fd, F_DUPFD_CLOEXEC, 100);
  ASSERT_GE(b, 100);
  const int c = dup3(fd, 200, O_CLOEXEC);
  ASSERT_EQ(200, c);
  EXPECT_EQ(baseline_fds_ + 4, YasminFds());
  EXPECT_EQ(AF_INET, Domain(a));
  EXPECT_EQ(AF_INET, Domain(b));
  sockaddr_in name{};
  socklen_t length = sizeof(name);
  ASSERT_EQ(0, getpeername(c, reinterpret_cast<sockaddr*>(&name), &length));
  EXPECT_EQ(htons(port_), name.sin_port);

  // dup2 of a plain socket over a yasmin descriptor: that number is plain now.
  const int plain = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_EQ(a, dup2(plain, a));
  EXPECT_EQ(baseline_fds_ + 3, YasminFds());
  int type = 0;
  length = sizeof(type);
  getsockopt(a, SOL_SOCKET, SO_TYPE, &type, &length);
  EXPECT_EQ(SOCK_DGRAM, type);
  close(plain);
  close(a);

  ASSERT_EQ(0, close_range(static_cast<unsigned>(b), static_cast<unsigned>(b), 0));
  EXPECT_EQ(baseline_fds_ + 2, YasminFds());
  ASSERT_EQ(0, close_range(200, 200, CLOSE_RANGE_CLOEXEC));  // closes nothing
  EXPECT_EQ(baseline_fds_ + 2, YasminFds());
  closefrom(200);
  EXPECT_EQ(baseline_fds_ + 1, YasminFds());
  Exchange(fd, accepted);
  close(fd);
  EXPECT_EQ(baseline_fds_, YasminFds());
  close(accepted);
}

// A number closed behind the library's back (a raw system call, as fclose() of an fdopen()ed
// socket does inside the C library) and reused: the stale record is not believed.
TEST_F(PreloadClientTest, StaleRecordIsIgnored) {
  if (Disabled()) GTEST_SKIP();
  ListenUnix();
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in peer = Inet(local_, port_);
  ASSERT_EQ(0, connect(fd, reinterpret_cast<sockaddr*>(&peer), sizeof(peer)));
  EXPECT_EQ(baseline_fds_ + 1, YasminFds());
  syscall(SYS_close, fd);
  const int again = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_EQ(fd, again);
  int type = 0;
  socklen_t length = sizeof(type);
  ASSERT_EQ(0, getsockopt(again, SOL_SOCKET, SO_PROTOCOL, &type, &length));
  EXPECT_EQ(IPPROTO_UDP, type);
  EXPECT_EQ(baseline_fds_, YasminFds());
  close(again);
}

TEST_F(PreloadClientTest, BufferSizeBeforeConnectIsKept) {
  if (Disabled()) GTEST_SKIP();
  ListenUnix();
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  int size = 65536;
  ASSERT_EQ(0, setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size)));
  sockaddr_in peer = Inet(local_, port_);
  ASSERT_EQ(0, connect(fd, reinterpret_cast<sockaddr*>(&peer), sizeof(peer)));
  EXPECT_EQ(AF_UNIX, RealDomain(fd));
  int value = 0;
  socklen_t length = sizeof(value);
  ASSERT_EQ(0, getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &value, &length));
  EXPECT_GT(value, 0);
  close(fd);
}

TEST(PreloadDisabled, NothingIsRedirected) {
  if (!Disabled()) GTEST_SKIP() << "runs with YASMIN_DISABLE=1";
  const std::string local = yasmin_preload_test::OutwardAddress();
  if (local.empty()) GTEST_SKIP();
  const char* view = getenv("YASMIN_VIEW_FILE");
  const char* dir = getenv("YASMIN_TEST_UNIX_DIR");
  ASSERT_NE(nullptr, view);
  ASSERT_NE(nullptr, dir);
  mkdir(dir, 0700);
  {
    std::ofstream out(view);
    out << "generation 1 domid 1\n" << local << " " << kPeerCid << "\n";
  }
  const int server = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in any = Inet("0.0.0.0", 0);
  ASSERT_EQ(0, bind(server, reinterpret_cast<sockaddr*>(&any), sizeof(any)));
  listen(server, 4);
  socklen_t length = sizeof(any);
  getsockname(server, reinterpret_cast<sockaddr*>(&any), &length);
  const std::string path = std::string(dir) + "/" + std::to_string(kPeerCid) + "." +
                           std::to_string(ntohs(any.sin_port));
  const int unix_server = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::snprintf(address.sun_path, sizeof(address.sun_path), "%s", path.c_str());
  unlink(path.c_str());
  ASSERT_EQ(0, bind(unix_server, reinterpret_cast<sockaddr*>(&address), sizeof(address)));
  listen(unix_server, 4);
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in peer = Inet(local, ntohs(any.sin_port));
  ASSERT_EQ(0, connect(fd, reinterpret_cast<sockaddr*>(&peer), sizeof(peer)));
  int domain = 0;
  length = sizeof(domain);
  syscall(SYS_getsockopt, fd, SOL_SOCKET, SO_DOMAIN, &domain, &length);
  EXPECT_EQ(AF_INET, domain);
  EXPECT_EQ(0u, YasminFds());
  close(fd);
  close(unix_server);
  close(server);
  unlink(path.c_str());
}

}  // namespace
