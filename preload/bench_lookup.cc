// yasmin-bench-lookup [ITERATIONS]: what the preload adds to a connect() that stays TCP.
//
// Writes a view of 64 peers (an IPv4 and an IPv6 address each) to a temporary file, warms a
// ViewCache on it with the default refresh period, then times ITERATIONS decisions (default
// 10,000,000) for a destination that is not in the view, as the interposed connect() will make
// them: ViewCache::Get() and DecideConnect().  Also times the decision alone, a co-located
// destination, and the same loop on two threads at once.  Prints ns per decision.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <time.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>

#include "decision.h"
#include "view_cache.h"
#include "view_table.h"

namespace {

using yasmin::preload::ConnectDecision;
using yasmin::preload::DecideConnect;
using yasmin::preload::ViewCache;
using yasmin::preload::ViewTable;

int64_t NowNs() {
  timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<int64_t>(now.tv_sec) * 1000000000 + now.tv_nsec;
}

sockaddr_in Destination(const char* address, uint16_t port) {
  sockaddr_in in{};
  in.sin_family = AF_INET;
  in.sin_port = htons(port);
  inet_pton(AF_INET, address, &in.sin_addr);
  return in;
}

// Keeps the compiler from dropping the decisions.
volatile uint32_t sink;

double Time(const char* what, uint64_t iterations, ViewCache* cache, const sockaddr_in& to,
            bool through_cache) {
  const ViewTable* table = cache->Get();
  const auto* address = reinterpret_cast<const sockaddr*>(&to);
  uint32_t accumulated = 0;
  const int64_t start = NowNs();
  for (uint64_t i = 0; i < iterations; i++) {
    if (through_cache) table = cache->Get();
    const ConnectDecision decision =
        DecideConnect(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0, address, sizeof(to),
                      /*disabled=*/false, *table);
    accumulated += decision.cid + static_cast<uint32_t>(decision.reason);
  }
  const double ns = static_cast<double>(NowNs() - start) / static_cast<double>(iterations);
  sink = accumulated;
  if (what != nullptr) std::printf("%-52s %7.1f ns\n", what, ns);
  return ns;
}

}  // namespace

int main(int argc, char** argv) {
  const uint64_t iterations = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 10000000;
  if (iterations == 0) {
    std::fprintf(stderr, "usage: yasmin-bench-lookup [ITERATIONS]\n");
    return 2;
  }

  char path[] = "/tmp/yasmin-bench-view.XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) {
    std::perror("mkstemp");
    return 1;
  }
  close(fd);
  {
    std::ofstream view(path);
    view << "generation 1 domid 1\n";
    for (int peer = 0; peer < 64; peer++) {
      view << "10.0.0." << peer + 10 << ' ' << peer + 10 << '\n';
      view << "fd00::" << peer + 10 << ' ' << peer + 10 << '\n';
    }
  }

  ViewCache cache(path, ViewCache::kDefaultMaxAgeMs);
  if (cache.Get()->size() != 128) {
    std::fprintf(stderr, "the view did not parse: %s\n", cache.last_error().c_str());
    unlink(path);
    return 1;
  }
  const sockaddr_in remote = Destination("192.0.2.77", 80);
  const sockaddr_in peer = Destination("10.0.0.42", 80);

  Time(nullptr, iterations / 10 + 1, &cache, remote, true);  // warm up
  std::printf("%llu decisions each, view of 128 addresses:\n",
              static_cast<unsigned long long>(iterations));
  Time("not co-located, decision alone", iterations, &cache, remote, false);
  const double main_number =
      Time("not co-located, Get() + decision (what connect() adds)", iterations, &cache,
           remote, true);
  Time("co-located, Get() + decision", iterations, &cache, peer, true);

  double per_thread[2];
  std::thread threads[2];
  for (int t = 0; t < 2; t++) {
    threads[t] = std::thread([&, t] {
      per_thread[t] = Time(nullptr, iterations, &cache, remote, true);
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::printf("%-52s %7.1f ns, %.1f ns\n", "not co-located, Get() + decision, 2 threads",
              per_thread[0], per_thread[1]);
  std::printf("file reads during the run: %llu (refresh every %u ms)\n",
              static_cast<unsigned long long>(cache.file_reads()), ViewCache::kDefaultMaxAgeMs);
  std::printf("result: %.1f ns per connect() decision to a non co-located address\n",
              main_number);
  unlink(path);
  return 0;
}
