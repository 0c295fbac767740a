#include "measure_pair.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "cpus.h"
#include "message.h"

namespace yasmin_bench {
namespace {

using Clock = std::chrono::steady_clock;

// The child's exit statuses.
constexpr int kChildOk = 0;
constexpr int kChildFailed = 1;
constexpr int kChildBadData = 3;

constexpr uint64_t kReadyMagic = 0x7961736d696e2152;  // "yasmin!R"

// However short the duration, a measurement moves a few messages.
constexpr uint64_t kMinMessages = 4;
constexpr uint64_t kMinRoundTrips = 4;
constexpr uint64_t kWarmUpRoundTrips = 2;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// How many messages the sender sends between two looks at the clock: up to 256 small ones,
// so that reading the clock costs next to nothing, but at most 64 KiB between looks, so that
// the duration is not overshot by more than that at large sizes.
uint64_t ClockBatch(size_t msg_size) {
  return std::clamp<uint64_t>(64 * 1024 / msg_size, 1, 256);
}

void SendWord(Channel* channel, uint64_t word) {
  uint8_t bytes[sizeof(word)];
  std::memcpy(bytes, &word, sizeof(word));
  channel->Send(bytes, sizeof(bytes));
}

uint64_t RecvWord(Channel* channel) {
  uint8_t bytes[sizeof(uint64_t)];
  if (!channel->Recv(bytes, sizeof(bytes))) {
    throw MeasurementError("the peer closed the connection unexpectedly");
  }
  uint64_t word = 0;
  std::memcpy(&word, bytes, sizeof(word));
  return word;
}

// Whether received is message seq: every byte with verify, else the stamps.
bool Matches(uint8_t* received, size_t size, uint64_t seq, Message* expected,
             const PairSettings& settings) {
  if (settings.inject_corruption && seq == 1) received[size / 2] ^= 0x01;
  return expected != nullptr ? MessageMatches(received, expected, seq)
                             : StampsMatch(received, size, seq);
}

// The longest a measurement may take before the process gives up: a lost wake-up in the ring
// would otherwise hang it for ever.
unsigned WatchdogSeconds(const PairSettings& settings) {
  return 60 + static_cast<unsigned>(10 * settings.duration_s);
}

extern "C" void OnWatchdog(int) {
  static const char kMessage[] = "yasmin-bench-native: a measurement hung; giving up\n";
  (void)!write(STDERR_FILENO, kMessage, sizeof(kMessage) - 1);
  _exit(1);
}

// Runs child_role in a forked child with the child's end of connection, and parent_role here
// with the parent's end; returns parent_role's result once the child has exited successfully.
PairResult RunPair(Connection* connection, const PairSettings& settings,
                   const std::function<int(Channel*)>& child_role,
                   const std::function<PairResult(Channel*)>& parent_role) {
  const pid_t parent = getpid();
  std::fflush(nullptr);  // nothing buffered is written twice
  const pid_t child = fork();
  if (child < 0) throw MeasurementError(std::string("fork: ") + std::strerror(errno));
  if (child == 0) {
    // Never outlive the parent, never hang.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(kChildFailed);
    alarm(WatchdogSeconds(settings));
    int status = kChildFailed;
    try {
      if (settings.child_cpu >= 0 && !PinToCpu(settings.child_cpu)) {
        throw MeasurementError("cannot pin to CPU " + std::to_string(settings.child_cpu));
      }
      std::unique_ptr<Channel> channel = connection->Open(Side::kChild);
      status = child_role(channel.get());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "yasmin-bench-native: child: %s\n", e.what());
    }
    _exit(status);  // not exit(): the parent's buffers and destructors are not ours to run
  }

  PairResult result;
  std::signal(SIGALRM, OnWatchdog);
  alarm(WatchdogSeconds(settings));
  int status = 0;
  try {
    std::unique_ptr<Channel> channel = connection->Open(Side::kParent);
    result = parent_role(channel.get());
  } catch (...) {
    // The child's failure is usually the cause (it closed its end and so failed ours): give
    // it a moment to exit, and report its failure rather than ours.
    alarm(0);
    for (int ms = 0; ms < 1000 && waitpid(child, &status, WNOHANG) == 0; ms++) usleep(1000);
    kill(child, SIGKILL);  // still unreaped, so the pid is still the child's
    waitpid(child, &status, 0);
    if (WIFEXITED(status) && WEXITSTATUS(status) == kChildBadData) {
      throw MeasurementError("the child received corrupted data");
    }
    throw;
  }
  while (waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) throw MeasurementError(std::string("waitpid: ") + std::strerror(errno));
  }
  alarm(0);
  if (WIFSIGNALED(status)) {
    throw MeasurementError("the child was killed by signal " + std::to_string(WTERMSIG(status)));
  }
  if (WEXITSTATUS(status) == kChildBadData) {
    throw MeasurementError("the child received corrupted data");
  }
  if (WEXITSTATUS(status) != kChildOk) throw MeasurementError("the child failed");
  return result;
}

}  // namespace

PairResult MeasureThroughput(Connection* connection, const PairSettings& settings) {
  const size_t size = settings.msg_size;

  auto receiver = [&](Channel* channel) {
    std::vector<uint8_t> buffer(size);
    Message expected(size);
    Message* check = settings.verify ? &expected : nullptr;
    SendWord(channel, kReadyMagic);
    uint64_t seq = 0;
    while (channel->Recv(buffer.data(), size)) {
      if (!Matches(buffer.data(), size, seq, check, settings)) {
        std::fprintf(stderr, "yasmin-bench-native: child: message %llu of %zu bytes is wrong\n",
                     static_cast<unsigned long long>(seq), size);
        return kChildBadData;
      }
      seq++;
    }
    SendWord(channel, seq);
    channel->CloseWrite();
    return kChildOk;
  };

  auto sender = [&](Channel* channel) {
    Message message(size);
    if (RecvWord(channel) != kReadyMagic) throw MeasurementError("bad ready message");
    const uint64_t batch = ClockBatch(size);
    uint64_t seq = 0;
    const Clock::time_point start = Clock::now();
    do {
      for (uint64_t i = 0; i < batch; i++, seq++) {
        message.Stamp(seq);
        channel->Send(message.data(), size);
      }
    } while (seq < kMinMessages || Seconds(Clock::now() - start) < settings.duration_s);
    channel->CloseWrite();
    const uint64_t received = RecvWord(channel);
    const double elapsed = Seconds(Clock::now() - start);
    if (received != seq) {
      throw MeasurementError("sent " + std::to_string(seq) + " messages, the child got " +
                             std::to_string(received));
    }
    uint8_t byte = 0;
    if (channel->Recv(&byte, 1)) throw MeasurementError("the child sent more than its answer");
    PairResult result;
    result.value = static_cast<double>(seq) * static_cast<double>(size) / elapsed / 1e6;
    result.messages = seq;
    return result;
  };

  return RunPair(connection, settings, receiver, sender);
}

PairResult MeasureRtt(Connection* connection, const PairSettings& settings) {
  const size_t size = settings.msg_size;

  auto echo = [&](Channel* channel) {
    std::vector<uint8_t> buffer(size);
    Message expected(size);
    Message* check = settings.verify ? &expected : nullptr;
    SendWord(channel, kReadyMagic);
    for (uint64_t seq = 0; channel->Recv(buffer.data(), size); seq++) {
      if (!Matches(buffer.data(), size, seq, check, settings)) {
        std::fprintf(stderr, "yasmin-bench-native: child: ping %llu of %zu bytes is wrong\n",
                     static_cast<unsigned long long>(seq), size);
        return kChildBadData;
      }
      channel->Send(buffer.data(), size);
    }
    channel->CloseWrite();
    return kChildOk;
  };

  auto pinger = [&](Channel* channel) {
    Message message(size);
    std::vector<uint8_t> reply(size);
    Message expected(size);
    Message* check = settings.verify ? &expected : nullptr;
    if (RecvWord(channel) != kReadyMagic) throw MeasurementError("bad ready message");
    uint64_t seq = 0;
    auto round_trip = [&] {
      message.Stamp(seq);
      channel->Send(message.data(), size);
      if (!channel->Recv(reply.data(), size)) throw MeasurementError("no reply from the child");
      if (!Matches(reply.data(), size, seq, check, PairSettings{})) {
        throw MeasurementError("reply " + std::to_string(seq) + " of " + std::to_string(size) +
                               " bytes is wrong");
      }
      seq++;
    };
    while (seq < kWarmUpRoundTrips) round_trip();

    uint64_t timed = 0;
    const Clock::time_point start = Clock::now();
    double elapsed = 0;
    do {
      round_trip();
      timed++;
      elapsed = Seconds(Clock::now() - start);
    } while (timed < kMinRoundTrips || elapsed < settings.duration_s);
    channel->CloseWrite();
    uint8_t byte = 0;
    if (channel->Recv(&byte, 1)) throw MeasurementError("the child sent more than its replies");
    PairResult result;
    result.value = elapsed / static_cast<double>(timed) * 1e6;
    result.messages = seq;
    return result;
  };

  return RunPair(connection, settings, echo, pinger);
}

}  // namespace yasmin_bench
