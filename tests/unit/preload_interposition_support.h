// Helpers shared by the tests that run under libyasmin-testing.so (preload_client_test.cc,
// preload_server_test.cc): the library's testing hooks, the environment, addresses.

#ifndef YASMIN_TESTS_UNIT_PRELOAD_INTERPOSITION_SUPPORT_H_
#define YASMIN_TESTS_UNIT_PRELOAD_INTERPOSITION_SUPPORT_H_

#include <arpa/inet.h>
#include <dlfcn.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "gtest/gtest.h"

namespace yasmin_preload_test {

// Whether ctest runs this process with YASMIN_DISABLE=1.
inline bool Disabled() {
  const char* value = getenv("YASMIN_DISABLE");
  return value != nullptr && std::strcmp(value, "1") == 0;
}

// A counter the testing library exports (yasmin_preload_testing_*).
inline size_t TestingCount(const char* symbol) {
  using Count = size_t (*)();
  auto count = reinterpret_cast<Count>(dlsym(RTLD_DEFAULT, symbol));
  if (count == nullptr) {
    ADD_FAILURE() << "libyasmin-testing.so is not preloaded";
    return 0;
  }
  return count();
}
inline size_t YasminFds() { return TestingCount("yasmin_preload_testing_yasmin_fds"); }
inline size_t Listeners() { return TestingCount("yasmin_preload_testing_listener_fds"); }

// This machine's address towards the outside (a route lookup), or "" if it has none.
inline std::string OutwardAddress() {
  const int udp = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(9);
  inet_pton(AF_INET, "198.51.100.7", &to.sin_addr);
  std::string result;
  if (connect(udp, reinterpret_cast<sockaddr*>(&to), sizeof(to)) == 0) {
    sockaddr_in local{};
    socklen_t length = sizeof(local);
    getsockname(udp, reinterpret_cast<sockaddr*>(&local), &length);
    char text[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &local.sin_addr, text, sizeof(text));
    if ((ntohl(local.sin_addr.s_addr) >> 24) != 127 && local.sin_addr.s_addr != 0) result = text;
  }
  close(udp);
  return result;
}

inline sockaddr_in Inet(const std::string& address, uint16_t port) {
  sockaddr_in result{};
  result.sin_family = AF_INET;
  result.sin_port = htons(port);
  inet_pton(AF_INET, address.c_str(), &result.sin_addr);
  return result;
}

// The family of what is really behind fd, asked of the kernel past the preload.
inline int RealDomain(int fd) {
  int domain = -1;
  socklen_t length = sizeof(domain);
  syscall(SYS_getsockopt, fd, SOL_SOCKET, SO_DOMAIN, &domain, &length);
  return domain;
}

}  // namespace yasmin_preload_test

#endif  // YASMIN_TESTS_UNIT_PRELOAD_INTERPOSITION_SUPPORT_H_
