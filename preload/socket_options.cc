#include "socket_options.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <cerrno>
#include <climits>
#include <cstring>

namespace yasmin {
namespace preload {

const EmulatedOption kEmulatedOptions[kEmulatedOptionCount] = {
    {IPPROTO_TCP, TCP_NODELAY, true},
    {IPPROTO_TCP, TCP_MAXSEG, false},
    {IPPROTO_TCP, TCP_CORK, true},
    {IPPROTO_TCP, TCP_KEEPIDLE, false},
    {IPPROTO_TCP, TCP_KEEPINTVL, false},
    {IPPROTO_TCP, TCP_KEEPCNT, false},
    {IPPROTO_TCP, TCP_SYNCNT, false},
    {IPPROTO_TCP, TCP_LINGER2, false},
    {IPPROTO_TCP, TCP_DEFER_ACCEPT, false},
    {IPPROTO_TCP, TCP_WINDOW_CLAMP, false},
    {IPPROTO_TCP, TCP_QUICKACK, true},
    {IPPROTO_TCP, TCP_USER_TIMEOUT, false},
    {IPPROTO_TCP, TCP_NOTSENT_LOWAT, false},
    {IPPROTO_TCP, TCP_THIN_LINEAR_TIMEOUTS, true},
    {IPPROTO_TCP, TCP_FASTOPEN_CONNECT, true},
    {IPPROTO_IP, IP_TOS, false},
    {IPPROTO_IP, IP_TTL, false},
    {IPPROTO_IPV6, IPV6_TCLASS, false},
    {IPPROTO_IPV6, IPV6_UNICAST_HOPS, false},
    {IPPROTO_IPV6, IPV6_V6ONLY, true},
};

int EmulatedOptionIndex(int level, int name) {
  for (size_t i = 0; i < kEmulatedOptionCount; ++i) {
    if (kEmulatedOptions[i].level == level && kEmulatedOptions[i].name == name) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

bool IsEmulatedLevel(int level) {
  return level == IPPROTO_TCP || level == IPPROTO_IP || level == IPPROTO_IPV6;
}

int SetEmulatedOption(EmulatedOptions* options, int level, int name, const void* value,
                      socklen_t length, bool* stored) {
  *stored = false;
  const int index = EmulatedOptionIndex(level, name);
  if (index < 0) return 0;
  if (length < static_cast<socklen_t>(sizeof(int))) return EINVAL;
  if (value == nullptr) return EFAULT;
  int v;
  std::memcpy(&v, value, sizeof(v));
  if (kEmulatedOptions[index].boolean) v = v != 0;
  options->values[index] = v;
  *stored = true;
  return 0;
}

int GetEmulatedOption(const EmulatedOptions& options, int level, int name, void* value,
                      socklen_t* length) {
  if (length == nullptr) return EFAULT;
  if (static_cast<int>(*length) < 0) return EINVAL;
  if (level == IPPROTO_TCP && name == TCP_INFO) {
    tcp_info info;
    std::memset(&info, 0, sizeof(info));
    info.tcpi_state = 1;  // TCP_ESTABLISHED
    const socklen_t n = *length < sizeof(info) ? *length : sizeof(info);
    if (n > 0 && value == nullptr) return EFAULT;
    if (n > 0) std::memcpy(value, &info, n);
    *length = n;
    return 0;
  }
  const int index = EmulatedOptionIndex(level, name);
  if (index < 0) return ENOPROTOOPT;
  const int v = options.values[index];
  const socklen_t n = *length < sizeof(v) ? *length : sizeof(v);
  if (n > 0 && value == nullptr) return EFAULT;
  if (n > 0) std::memcpy(value, &v, n);
  *length = n;
  return 0;
}

uint64_t VsockBufferSize(int32_t rcvbuf, int32_t sndbuf) {
  const int32_t larger = rcvbuf > sndbuf ? rcvbuf : sndbuf;
  if (larger < 0) return 0;
  uint64_t size = 2 * static_cast<uint64_t>(larger);
  if (size < kMinVsockBufferSize) size = kMinVsockBufferSize;
  if (size > kMaxVsockBufferSize) size = kMaxVsockBufferSize;
  return size;
}

int SockBufFromVsockBufferSize(uint64_t size) {
  return size > static_cast<uint64_t>(INT_MAX) ? INT_MAX : static_cast<int>(size);
}

bool RecordBufferSizeOption(int level, int name, const void* value, socklen_t length,
                            int32_t* rcvbuf, int32_t* sndbuf) {
  if (level != SOL_SOCKET || value == nullptr || length < static_cast<socklen_t>(sizeof(int))) {
    return false;
  }
  int32_t* slot = nullptr;
  if (name == SO_RCVBUF || name == SO_RCVBUFFORCE) slot = rcvbuf;
  if (name == SO_SNDBUF || name == SO_SNDBUFFORCE) slot = sndbuf;
  if (slot == nullptr) return false;
  int v;
  std::memcpy(&v, value, sizeof(v));
  *slot = v < 0 ? 0 : v;
  return true;
}

}  // namespace preload
}  // namespace yasmin
