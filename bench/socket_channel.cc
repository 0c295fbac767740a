#include "socket_channel.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace yasmin_bench {
namespace {

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

class SocketChannel : public Channel {
 public:
  explicit SocketChannel(int fd) : fd_(fd) {}
  ~SocketChannel() override { close(fd_); }
  SocketChannel(const SocketChannel&) = delete;
  SocketChannel& operator=(const SocketChannel&) = delete;

  void Send(const uint8_t* data, size_t len) override {
    while (len > 0) {
      // MSG_NOSIGNAL: a peer that died is an error to report, not a SIGPIPE.
      const ssize_t n = send(fd_, data, len, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw ChannelError(Errno("send"));
      data += n;
      len -= static_cast<size_t>(n);
    }
  }

  bool Recv(uint8_t* data, size_t len) override {
    size_t got = 0;
    while (got < len) {
      const ssize_t n = recv(fd_, data + got, len - got, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw ChannelError(Errno("recv"));
      if (n == 0) {
        if (got == 0) return false;
        throw ChannelError("the peer closed the connection in the middle of a message");
      }
      got += static_cast<size_t>(n);
    }
    return true;
  }

  void CloseWrite() override {
    if (shutdown(fd_, SHUT_WR) != 0) throw ChannelError(Errno("shutdown"));
  }

 private:
  const int fd_;
};

// Nagle's algorithm would hold back small messages waiting for an ACK: off, as in NPtcp and
// sockperf, so that TCP's latency is its own and not a timer's.
void SetNoDelay(int fd) {
  const int one = 1;
  if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0) {
    throw ChannelError(Errno("setsockopt(TCP_NODELAY)"));
  }
}

class UnixConnection : public Connection {
 public:
  UnixConnection() {
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds_) != 0) throw ChannelError(Errno("socketpair"));
  }
  ~UnixConnection() override {
    for (int fd : fds_) {
      if (fd >= 0) close(fd);
    }
  }

  std::unique_ptr<Channel> Open(Side side) override {
    const int mine = side == Side::kParent ? 0 : 1;
    close(fds_[1 - mine]);  // else the peer would never see end-of-file
    fds_[1 - mine] = -1;
    const int fd = fds_[mine];
    fds_[mine] = -1;
    return std::make_unique<SocketChannel>(fd);
  }

 private:
  int fds_[2] = {-1, -1};
};

// The parent accepts, the child connects; the listening socket exists before fork() so that
// the child's connect() can never come too early.
class TcpConnection : public Connection {
 public:
  TcpConnection() {
    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0) throw ChannelError(Errno("socket"));
    address_.sin_family = AF_INET;
    address_.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address_.sin_port = 0;  // any free port
    socklen_t length = sizeof(address_);
    if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&address_), sizeof(address_)) != 0 ||
        listen(listen_fd_, 1) != 0 ||
        getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address_), &length) != 0) {
      const std::string error = Errno("listening on 127.0.0.1");
      close(listen_fd_);
      throw ChannelError(error);
    }
  }
  ~TcpConnection() override {
    if (listen_fd_ >= 0) close(listen_fd_);
  }

  std::unique_ptr<Channel> Open(Side side) override {
    int fd = -1;
    if (side == Side::kParent) {
      do {
        fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      } while (fd < 0 && errno == EINTR);
      if (fd < 0) throw ChannelError(Errno("accept"));
    } else {
      fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (fd < 0) throw ChannelError(Errno("socket"));
      if (connect(fd, reinterpret_cast<sockaddr*>(&address_), sizeof(address_)) != 0) {
        const std::string error = Errno("connect to 127.0.0.1");
        close(fd);
        throw ChannelError(error);
      }
    }
    close(listen_fd_);
    listen_fd_ = -1;
    auto channel = std::make_unique<SocketChannel>(fd);
    SetNoDelay(fd);
    return channel;
  }

 private:
  int listen_fd_ = -1;
  sockaddr_in address_{};
};

}  // namespace

std::unique_ptr<Connection> MakeUnixConnection() { return std::make_unique<UnixConnection>(); }

std::unique_ptr<Connection> MakeTcpConnection() { return std::make_unique<TcpConnection>(); }

}  // namespace yasmin_bench
