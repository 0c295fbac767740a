// The server path of libyasmin-testing.so, inside this very process (preloaded by ctest, as
// preload_client_test.cc): a TCP listener on a non-loopback address also listens on the
// stand-in for vsock, an AF_UNIX socket "<YASMIN_TEST_UNIX_DIR>/listen.<port>", whose clients
// count as CID YASMIN_TEST_PEER_CID.  The view lists this machine's own non-loopback address
// for that CID, so a "yasmin" client must show as that address.  TCP clients connect over
// loopback (never redirected).  No non-loopback address: the tests skip.

#include <arpa/inet.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>

#include "gtest/gtest.h"
#include "preload_interposition_support.h"

namespace {

using yasmin_preload_test::Disabled;
using yasmin_preload_test::Inet;
using yasmin_preload_test::Listeners;
using yasmin_preload_test::OutwardAddress;
using yasmin_preload_test::RealDomain;
using yasmin_preload_test::YasminFds;

std::string AddressOf(const sockaddr_in& address) {
  char text[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &address.sin_addr, text, sizeof(text));
  return text;
}

class PreloadServerTest : public testing::Test {
 protected:
  void SetUp() override {
    peer_address_ = OutwardAddress();
    if (peer_address_.empty()) GTEST_SKIP() << "no non-loopback address to stand for a peer";
    const char* view = getenv("YASMIN_VIEW_FILE");
    const char* dir = getenv("YASMIN_TEST_UNIX_DIR");
    const char* cid = getenv("YASMIN_TEST_PEER_CID");
    ASSERT_NE(nullptr, view);
    ASSERT_NE(nullptr, dir);
    ASSERT_NE(nullptr, cid);
    unix_dir_ = dir;
    mkdir(unix_dir_.c_str(), 0700);
    std::ofstream out(std::string(view) + ".tmp");
    out << "generation 1 domid 1\n" << peer_address_ << " " << cid << "\n";
    out.close();
    rename((std::string(view) + ".tmp").c_str(), view);
    baseline_listeners_ = Listeners();
    baseline_yasmin_ = YasminFds();
  }

  // A TCP listener on every address, port chosen by the kernel; flags for socket().
  int Listen(int flags = 0, const char* address = "0.0.0.0") {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | flags, 0);
    EXPECT_GE(fd, 0);
    sockaddr_in any = Inet(address, 0);
    EXPECT_EQ(0, bind(fd, reinterpret_cast<sockaddr*>(&any), sizeof(any)));
    EXPECT_EQ(0, listen(fd, 16)) << strerror(errno);
    socklen_t length = sizeof(any);
    EXPECT_EQ(0, getsockname(fd, reinterpret_cast<sockaddr*>(&any), &length));
    port_ = ntohs(any.sin_port);
    return fd;
  }

  std::string UnixPath() const { return unix_dir_ + "/listen." + std::to_string(port_); }

  // A client of the stand-in for vsock: what a co-located peer's connect() would be.
  int ConnectYasmin() const {
    const int fd = static_cast<int>(syscall(SYS_socket, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof(address.sun_path), "%s", UnixPath().c_str());
    EXPECT_EQ(0, syscall(SYS_connect, fd, &address, sizeof(address))) << strerror(errno);
    return fd;
  }

  int ConnectTcp() const {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in loopback = Inet("127.0.0.1", port_);
    EXPECT_EQ(0, connect(fd, reinterpret_cast<sockaddr*>(&loopback), sizeof(loopback)));
    return fd;
  }

  static void Exchange(int a, int b) {
    ASSERT_EQ(5, write(a, "hello", 5));
    char buffer[8] = {};
    ASSERT_EQ(5, read(b, buffer, sizeof(buffer)));
    EXPECT_STREQ("hello", buffer);
    ASSERT_EQ(3, write(b, "ack", 3));
    ASSERT_EQ(3, read(a, buffer, sizeof(buffer)));
    EXPECT_EQ(0, std::memcmp(buffer, "ack", 3));
  }

  static bool Readable(int fd, int timeout_ms) {
    pollfd entry{fd, POLLIN, 0};
    return poll(&entry, 1, timeout_ms) == 1 && (entry.revents & POLLIN);
  }

  std::string peer_address_;
  std::string unix_dir_;
  uint16_t port_ = 0;
  size_t baseline_listeners_ = 0;
  size_t baseline_yasmin_ = 0;
};

TEST_F(PreloadServerTest, OneListenerAcceptsBothKinds) {
  if (Disabled()) GTEST_SKIP();
  const int listener = Listen();
  EXPECT_EQ(baseline_listeners_ + 1, Listeners());
  EXPECT_TRUE(fcntl(listener, F_GETFD) & FD_CLOEXEC);
  // The listener still answers as a TCP one.
  int value = 0;
  socklen_t length = sizeof(value);
  ASSERT_EQ(0, getsockopt(listener, SOL_SOCKET, SO_ACCEPTCONN, &value, &length));
  EXPECT_EQ(1, value);
  ASSERT_EQ(0, getsockopt(listener, SOL_SOCKET, SO_DOMAIN, &value, &length));
  EXPECT_EQ(AF_INET, value);
  sockaddr_in name{};
  length = sizeof(name);
  EXPECT_EQ(-1, getpeername(listener, reinterpret_cast<sockaddr*>(&name), &length));
  EXPECT_EQ(ENOTCONN, errno);

  const int yasmin_client = ConnectYasmin();
  const int tcp_client = ConnectTcp();
  int from_yasmin = -1, from_tcp = -1;
  for (int i = 0; i < 2; ++i) {
    sockaddr_in peer{};
    socklen_t peer_length = sizeof(peer);
    const int accepted = accept(listener, reinterpret_cast<sockaddr*>(&peer), &peer_length);
    ASSERT_GE(accepted, 0) << strerror(errno);
    ASSERT_EQ(sizeof(sockaddr_in), peer_length);
    EXPECT_EQ(AF_INET, peer.sin_family);
    if (AddressOf(peer) == "127.0.0.1") {
      from_tcp = accepted;
    } else {
      EXPECT_EQ(peer_address_, AddressOf(peer)) << "a yasmin client shows as the view's address";
      from_yasmin = accepted;
    }
  }
  ASSERT_GE(from_yasmin, 0);
  ASSERT_GE(from_tcp, 0);
  EXPECT_EQ(AF_UNIX, RealDomain(from_yasmin));
  EXPECT_EQ(AF_INET, RealDomain(from_tcp));
  EXPECT_EQ(baseline_yasmin_ + 1, YasminFds());
  EXPECT_FALSE(fcntl(from_yasmin, F_GETFD) & FD_CLOEXEC) << "accept() gives no FD_CLOEXEC";

  // The accepted yasmin socket looks like TCP: peer and local names, family.
  sockaddr_in peer{};
  length = sizeof(peer);
  ASSERT_EQ(0, getpeername(from_yasmin, reinterpret_cast<sockaddr*>(&peer), &length));
  EXPECT_EQ(peer_address_, AddressOf(peer));
  sockaddr_in local{};
  length = sizeof(local);
  ASSERT_EQ(0, getsockname(from_yasmin, reinterpret_cast<sockaddr*>(&local), &length));
  EXPECT_EQ(AF_INET, local.sin_family);
  EXPECT_EQ(port_, ntohs(local.sin_port)) << "the listener's port";
  length = sizeof(value);
  ASSERT_EQ(0, getsockopt(from_yasmin, SOL_SOCKET, SO_DOMAIN, &value, &length));
  EXPECT_EQ(AF_INET, value);
  Exchange(yasmin_client, from_yasmin);
  Exchange(tcp_client, from_tcp);

  for (int fd : {from_yasmin, from_tcp, yasmin_client, tcp_client, listener}) close(fd);
  EXPECT_EQ(baseline_yasmin_, YasminFds());
  EXPECT_EQ(baseline_listeners_, Listeners());
}

TEST_F(PreloadServerTest, PollSelectAndEpollReportAYasminClient) {
  if (Disabled()) GTEST_SKIP();
  const int listener = Listen();
  EXPECT_FALSE(Readable(listener, 0));
  const int client = ConnectYasmin();
  EXPECT_TRUE(Readable(listener, 2000)) << "poll";

  fd_set readable;
  FD_ZERO(&readable);
  FD_SET(listener, &readable);
  timeval timeout{2, 0};
  EXPECT_EQ(1, select(listener + 1, &readable, nullptr, nullptr, &timeout)) << "select";
  EXPECT_TRUE(FD_ISSET(listener, &readable));

  const int epoll = epoll_create1(EPOLL_CLOEXEC);
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u64 = 0x1234;
  ASSERT_EQ(0, epoll_ctl(epoll, EPOLL_CTL_ADD, listener, &event));
  epoll_event got{};
  ASSERT_EQ(1, epoll_wait(epoll, &got, 1, 2000)) << "epoll";
  EXPECT_EQ(0x1234u, got.data.u64) << "the program's event data";
  EXPECT_TRUE(got.events & EPOLLIN);

  const int accepted = accept(listener, nullptr, nullptr);
  ASSERT_GE(accepted, 0);
  EXPECT_FALSE(Readable(listener, 0)) << "nothing left to accept";
  EXPECT_EQ(0, epoll_wait(epoll, &got, 1, 0));
  for (int fd : {accepted, client, epoll, listener}) close(fd);
}

TEST_F(PreloadServerTest, EdgeTriggeredEpollGetsAnEdgePerClient) {
  if (Disabled()) GTEST_SKIP();
  const int listener = Listen();
  // Made non-blocking after listen(), as many servers do.
  ASSERT_EQ(0, fcntl(listener, F_SETFL, fcntl(listener, F_GETFL) | O_NONBLOCK));
  const int epoll = epoll_create1(EPOLL_CLOEXEC);
  epoll_event event{};
  event.events = EPOLLIN | EPOLLET;
  ASSERT_EQ(0, epoll_ctl(epoll, EPOLL_CTL_ADD, listener, &event));
  epoll_event got{};
  EXPECT_EQ(0, epoll_wait(epoll, &got, 1, 0));

  const int first = ConnectYasmin();
  EXPECT_EQ(1, epoll_wait(epoll, &got, 1, 2000));
  EXPECT_EQ(0, epoll_wait(epoll, &got, 1, 50)) << "one edge, not a level";
  const int second = ConnectTcp();
  EXPECT_EQ(1, epoll_wait(epoll, &got, 1, 2000)) << "a TCP client is a new edge";
  const int third = ConnectYasmin();
  EXPECT_EQ(1, epoll_wait(epoll, &got, 1, 2000)) << "a yasmin client while others wait too";

  int accepted = 0;
  for (;;) {
    const int fd = accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      EXPECT_TRUE(errno == EAGAIN || errno == EWOULDBLOCK) << strerror(errno);
      break;
    }
    EXPECT_TRUE(fcntl(fd, F_GETFL) & O_NONBLOCK);
    EXPECT_TRUE(fcntl(fd, F_GETFD) & FD_CLOEXEC);
    ++accepted;
    close(fd);
  }
  EXPECT_EQ(3, accepted) << "drained until EAGAIN: both kinds";
  for (int fd : {first, second, third, epoll, listener}) close(fd);
}

TEST_F(PreloadServerTest, EpollExclusiveIsAccepted) {
  if (Disabled()) GTEST_SKIP();
  const int listener = Listen(SOCK_NONBLOCK);
  const int epoll = epoll_create1(EPOLL_CLOEXEC);
  epoll_event event{};
  event.events = EPOLLIN | EPOLLEXCLUSIVE;
  ASSERT_EQ(0, epoll_ctl(epoll, EPOLL_CTL_ADD, listener, &event)) << strerror(errno);
  const int client = ConnectYasmin();
  epoll_event got{};
  EXPECT_EQ(1, epoll_wait(epoll, &got, 1, 2000));
  const int accepted = accept(listener, nullptr, nullptr);
  EXPECT_GE(accepted, 0);
  for (int fd : {accepted, client, epoll, listener}) close(fd);
}

TEST_F(PreloadServerTest, NonBlockingAndTimedAcceptSayEagain) {
  if (Disabled()) GTEST_SKIP();
  const int non_blocking = Listen(SOCK_NONBLOCK);
  EXPECT_EQ(-1, accept(non_blocking, nullptr, nullptr));
  EXPECT_EQ(EAGAIN, errno);
  close(non_blocking);

  const int timed = Listen();
  timeval timeout{0, 100 * 1000};
  ASSERT_EQ(0, setsockopt(timed, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout)));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(-1, accept(timed, nullptr, nullptr));
  EXPECT_EQ(EAGAIN, errno) << "SO_RCVTIMEO expired";
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(90));
  close(timed);
}

TEST_F(PreloadServerTest, BlockingAcceptWaitsForAYasminClient) {
  if (Disabled()) GTEST_SKIP();
  const int listener = Listen();
  int client = -1;
  std::thread later([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    client = ConnectYasmin();
  });
  sockaddr_in peer{};
  socklen_t length = sizeof(peer);
  const int accepted = accept4(listener, reinterpret_cast<sockaddr*>(&peer), &length,
                               SOCK_CLOEXEC);
  later.join();
  ASSERT_GE(accepted, 0) << strerror(errno);
  EXPECT_EQ(peer_address_, AddressOf(peer));
  EXPECT_TRUE(fcntl(accepted, F_GETFD) & FD_CLOEXEC);
  EXPECT_FALSE(fcntl(accepted, F_GETFL) & O_NONBLOCK);
  Exchange(client, accepted);
  for (int fd : {accepted, client, listener}) close(fd);
}

TEST_F(PreloadServerTest, ClosingTheLastCopyClosesBothHalves) {
  if (Disabled()) GTEST_SKIP();
  const int listener = Listen();
  const int copy = dup(listener);
  ASSERT_GE(copy, 0);
  close(listener);
  struct stat status;
  EXPECT_EQ(0, stat(UnixPath().c_str(), &status)) << "a copy still listens";
  const int client = ConnectYasmin();
  const int accepted = accept(copy, nullptr, nullptr);
  EXPECT_GE(accepted, 0);
  close(accepted);
  close(client);
  close(copy);
  EXPECT_EQ(baseline_listeners_, Listeners());
  EXPECT_NE(0, stat(UnixPath().c_str(), &status)) << "the vsock half is gone";
  // The TCP port is free again: a new socket binds it without SO_REUSEADDR.
  const int again = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in same = Inet("0.0.0.0", port_);
  EXPECT_EQ(0, bind(again, reinterpret_cast<sockaddr*>(&same), sizeof(same))) << strerror(errno);
  close(again);
}

TEST_F(PreloadServerTest, CloseRangeReleasesAListener) {
  if (Disabled()) GTEST_SKIP();
  const int listener = Listen();
  EXPECT_EQ(baseline_listeners_ + 1, Listeners());
  ASSERT_EQ(0, close_range(static_cast<unsigned>(listener), static_cast<unsigned>(listener), 0));
  EXPECT_EQ(baseline_listeners_, Listeners());
  struct stat status;
  EXPECT_NE(0, stat(UnixPath().c_str(), &status));
}

TEST_F(PreloadServerTest, ForkedChildAcceptsFromTheInheritedListener) {
  if (Disabled()) GTEST_SKIP();
  const int listener = Listen();
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const int accepted = accept(listener, nullptr, nullptr);
    _exit(accepted >= 0 && write(accepted, "x", 1) == 1 ? 0 : 1);
  }
  const int client = ConnectYasmin();
  char byte = 0;
  EXPECT_EQ(1, read(client, &byte, 1));
  EXPECT_EQ('x', byte);
  int status = 0;
  ASSERT_EQ(child, waitpid(child, &status, 0));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  close(client);
  close(listener);
}

TEST_F(PreloadServerTest, LoopbackListenerStaysTcp) {
  if (Disabled()) GTEST_SKIP();
  const int listener = Listen(0, "127.0.0.1");
  EXPECT_EQ(baseline_listeners_, Listeners());
  EXPECT_EQ(AF_INET, RealDomain(listener));
  close(listener);
}

TEST_F(PreloadServerTest, ListenAgainAndShutdown) {
  if (Disabled()) GTEST_SKIP();
  const int listener = Listen();
  EXPECT_EQ(0, listen(listener, 64)) << "a new backlog";
  EXPECT_EQ(0, shutdown(listener, SHUT_RDWR));
  EXPECT_EQ(-1, accept(listener, nullptr, nullptr)) << "a shut down listener accepts nothing";
  EXPECT_EQ(EINVAL, errno);
  close(listener);
}

TEST(PreloadDisabled, ListenerStaysTcp) {
  if (!Disabled()) GTEST_SKIP();
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in any = Inet("0.0.0.0", 0);
  ASSERT_EQ(0, bind(fd, reinterpret_cast<sockaddr*>(&any), sizeof(any)));
  ASSERT_EQ(0, listen(fd, 4));
  EXPECT_EQ(0u, Listeners());
  int domain = -1;
  socklen_t length = sizeof(domain);
  syscall(SYS_getsockopt, fd, SOL_SOCKET, SO_DOMAIN, &domain, &length);
  EXPECT_EQ(AF_INET, domain);
  close(fd);
}

}  // namespace
