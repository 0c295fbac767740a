// The transport under test: yasmin's ring engine, guest-kmod/ring.c and doorbell.c compiled
// unchanged, between the two processes of a measurement, driven as guest-kmod/transport.c
// drives it.
//
// What stands in for Xen:
//   - granted pages: one MAP_SHARED|MAP_ANONYMOUS mapping made before fork(), laid out as a
//     connection's pages are (a descriptor page and data pages per direction, a doorbell page
//     per side); the consumer maps the data pages it receives read-only, as the module does;
//   - the event channel: an eventfd per side.  Writing it is EVTCHNOP_send; a process blocked
//     reading it is a socket asleep on its wait queue, and what it does on waking (collect
//     its doorbell page) is the module's interrupt handler;
//   - the SHUTDOWN control message: a flag in shared memory and a ring of the control slot.
// Everything between those is the module's own logic: the same calls into ring.h and
// doorbell.h, in the same order, with the same notification decisions.

#ifndef YASMIN_BENCH_RING_CHANNEL_H_
#define YASMIN_BENCH_RING_CHANNEL_H_

#include <cstdint>
#include <memory>

#include "channel.h"

namespace yasmin_bench {

// A side's counters, named as the module's /proc/net/yasmin columns where it has them.
struct RingCounters {
  uint64_t events_sent = 0;        // commits or consumes the peer waited for: its slot rung
  uint64_t events_suppressed = 0;  // commits or consumes nobody waited for: no doorbell
  uint64_t full_waits = 0;         // the sender found the ring full
  uint64_t evtchn_sends = 0;       // eventfd writes: rings that found no event on its way
  uint64_t waits = 0;              // blocking reads of this side's eventfd (sleeps)
};

class RingConnection : public Connection {
 public:
  // Departures from the module, for experiments; the defaults are the module's behaviour.
  struct Variant {
    // A side about to sleep polls the ring this long first (its flag asking for an event is
    // set already, so the peer still rings).
    double spin_us = 0;
    // Each enqueue and each dequeue moves at most this many bytes, so that a large send
    // commits, and a large receive consumes, piece by piece; 0: as much as fits.
    uint32_t split_bytes = 0;
  };

  // ring_bytes: each direction's data area, a power-of-two number of pages within the
  // contract (options.cc checks).
  RingConnection(uint32_t ring_bytes, const Variant& variant);
  ~RingConnection() override;
  RingConnection(const RingConnection&) = delete;
  RingConnection& operator=(const RingConnection&) = delete;

  std::unique_ptr<Channel> Open(Side side) override;

  // A side's counters as it left them in shared memory: the child's are complete once it
  // has exited.
  RingCounters Counters(Side side) const;

  struct Layout;  // ring_channel.cc

 private:
  std::unique_ptr<Layout> layout_;
};

}  // namespace yasmin_bench

#endif  // YASMIN_BENCH_RING_CHANNEL_H_
