#include "ring_channel.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <new>
#include <string>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>
#include <vector>

extern "C" {
#include "doorbell.h"
#include "ring.h"
}

namespace yasmin_bench {
namespace {

constexpr size_t kPage = YASMIN_PAGE_SIZE;
// The connection's slot in each side's doorbell page; 0 is the control ring's.
constexpr uint32_t kConnectionSlot = 1;

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

// The SHUTDOWN control message's bits (contract.h): what the sender will no longer do.
constexpr uint32_t kShutdownRcv = YASMIN_SHUTDOWN_RCV;    // read from the peer's ring
constexpr uint32_t kShutdownSend = YASMIN_SHUTDOWN_SEND;  // commit to its own ring

// What each side publishes for the other besides the rings: the SHUTDOWN bits it sent, and
// its counters for the parent to read.  One per side, each in its own half page.
struct SideArea {
  uint32_t shutdown;  // kShutdown* bits, only ever set
  RingCounters counters;
};
static_assert(sizeof(SideArea) <= kPage / 2, "a side's area fits half a page");

// Page indexes within the shared mapping.  Ring r is produced by side r and consumed by the
// other, so each side produces one ring and consumes the other: one per direction.
struct PageMap {
  explicit PageMap(uint32_t nr_pages) : nr_pages(nr_pages) {}
  uint32_t nr_pages;  // data pages per ring
  size_t control() const { return 0; }
  size_t doorbell(int side) const { return 1 + side; }
  size_t desc(int ring) const { return 3 + ring * (1 + size_t{nr_pages}); }
  size_t data(int ring) const { return desc(ring) + 1; }
  size_t total() const { return desc(2); }
};

}  // namespace

struct RingConnection::Layout {
  Layout(uint32_t nr_pages, const RingConnection::Variant& variant)
      : pages(nr_pages), variant(variant) {}

  PageMap pages;
  RingConnection::Variant variant;
  uint8_t* base = nullptr;  // the shared mapping
  int event_fd[2] = {-1, -1};  // side s's event channel: the other side writes, s reads
  // Producer state for each ring, initialised before fork(): each process then uses its own
  // copy of the one for the ring it produces, as if it had set it up itself.
  yasmin_ring_producer producers[2] = {};
  std::vector<void*> producer_pages[2];

  uint8_t* page(size_t index) const { return base + index * kPage; }
  SideArea* area(int side) const {
    return reinterpret_cast<SideArea*>(page(pages.control()) + side * (kPage / 2));
  }
  yasmin_doorbell_page* doorbell(int side) const {
    return reinterpret_cast<yasmin_doorbell_page*>(page(pages.doorbell(side)));
  }
  yasmin_ring_desc* desc(int ring) const {
    return reinterpret_cast<yasmin_ring_desc*>(page(pages.desc(ring)));
  }
};

namespace {

// One process's end of the connection.  The methods named after transport.c's functions do
// what those do, in the same order; the vsock core's loops around them are Send() and Recv().
class RingChannel : public Channel {
 public:
  RingChannel(RingConnection::Layout& layout, int side)
      : tx_(&layout.producers[side]),
        own_area_(layout.area(side)),
        peer_area_(layout.area(1 - side)),
        own_doorbell_(layout.doorbell(side)),
        peer_doorbell_(layout.doorbell(1 - side)),
        own_event_fd_(layout.event_fd[side]),
        peer_event_fd_(layout.event_fd[1 - side]),
        counters_(&layout.area(side)->counters),
        spin_(static_cast<int64_t>(layout.variant.spin_us * 1000)),
        split_bytes_(layout.variant.split_bytes) {
    MapPeerRing(layout, 1 - side);
  }

  // close(): yasmin_conn_close() tells the peer that both directions are shut, so that a
  // peer waiting for room or for data learns that none will come (a process that failed
  // closes its end this way too).
  ~RingChannel() override {
    try {
      Shutdown(kShutdownRcv | kShutdownSend);
    } catch (const ChannelError&) {
      // The eventfd failed: the peer will not hear of it, and nothing better can be done.
    }
  }

  void Send(const uint8_t* data, size_t len) override {
    // vsock_connectible_sendmsg(): wait while has_space() says 0 (EPIPE once the peer has
    // shut its receiving side), then enqueue what fits.
    size_t total = 0;
    while (total < len) {
      while (HasSpace() == 0) {
        if (PeerShutdown() & kShutdownRcv) throw ChannelError("the peer closed: EPIPE");
        Wait([this] {
          return yasmin_ring_producer_space(tx_) != 0 || (PeerShutdown() & kShutdownRcv);
        });
      }
      total += Enqueue(data + total, len - total);
    }
  }

  bool Recv(uint8_t* data, size_t len) override {
    // The application's loop of recv() calls, each the vsock core's: wait until has_data()
    // is non-zero or the peer shut down, then dequeue once.
    size_t got = 0;
    while (got < len) {
      for (;;) {
        // Read before has_data(): the peer sets it after its last commit, so once it is
        // seen, has_data() sees every byte.  (The kernel reads it after has_data(), under
        // the socket lock that the SHUTDOWN handler takes to set it.)
        const bool shut = PeerShutdown() & kShutdownSend;
        if (HasData() > 0) break;
        if (shut) {
          if (got == 0) return false;
          throw ChannelError("the peer shut down in the middle of a message");
        }
        Wait([this] {
          return yasmin_ring_consumer_readable(&rx_) != 0 || (PeerShutdown() & kShutdownSend);
        });
      }
      got += Dequeue(data + got, len - got);
    }
    return true;
  }

  void CloseWrite() override { Shutdown(kShutdownSend); }

 private:
  // yasmin_conn_shutdown(): a SHUTDOWN on the control ring, whose slot is then rung.
  void Shutdown(uint32_t bits) {
    if ((own_area_->shutdown & bits) == bits) return;
    __atomic_fetch_or(&own_area_->shutdown, bits, __ATOMIC_RELEASE);
    RingPeer(YASMIN_DOORBELL_CONTROL);
  }

  uint32_t PeerShutdown() const {
    return __atomic_load_n(&peer_area_->shutdown, __ATOMIC_ACQUIRE);
  }

  // yasmin_conn_map_peer_ring() and yasmin_rx_ring_map(): validate the descriptor the peer
  // offers, then map the pages its validated copy names, read-only.
  void MapPeerRing(const RingConnection::Layout& layout, int ring) {
    enum yasmin_ring_fault fault = YASMIN_RING_HEALTHY;
    if (yasmin_ring_read_layout(layout.desc(ring), &rx_layout_, &fault) != 0) {
      throw ChannelError("the peer's ring descriptor is invalid (fault " +
                         std::to_string(fault) + ")");
    }
    uint8_t* data = layout.page(layout.pages.data(ring));
    for (uint32_t i = 0; i < rx_layout_.nr_pages; i++) {
      // The "grant reference" is the page's index in the ring's data area.
      if (rx_layout_.grefs[i] >= layout.pages.nr_pages) {
        throw ChannelError("the peer's ring descriptor names a page it does not have");
      }
      rx_pages_.push_back(data + size_t{rx_layout_.grefs[i]} * kPage);
    }
    if (mprotect(data, size_t{layout.pages.nr_pages} * kPage, PROT_READ) != 0) {
      throw ChannelError(Errno("mprotect"));
    }
    if (yasmin_ring_consumer_init(&rx_, layout.desc(ring), &rx_layout_, rx_pages_.data()) != 0) {
      throw ChannelError("yasmin_ring_consumer_init failed");
    }
  }

  // yasmin_conn_ring_doorbell().
  void RingDoorbell(bool other_side_waits) {
    if (other_side_waits) {
      counters_->events_sent++;
      RingPeer(kConnectionSlot);
    } else {
      counters_->events_suppressed++;
    }
  }

  // yasmin_peer_ring(): the slot's bit, then an event unless one is on its way already.
  // Only the data path's events are counted: the control slot's come once per connection.
  void RingPeer(uint32_t slot) {
    if (!yasmin_doorbell_ring(peer_doorbell_, slot)) return;
    if (slot == kConnectionSlot) counters_->evtchn_sends++;
    const uint64_t one = 1;
    while (write(peer_event_fd_, &one, sizeof(one)) != sizeof(one)) {
      if (errno != EINTR) throw ChannelError(Errno("eventfd write"));
    }
  }

  // Waits for ready() to become true, having found it false.  As the module: sleep until an
  // event.  With spin_ (the ring-spin experiment), poll ready() that long first; a non-zero
  // index from the ring calls is either progress or a fault, which the caller then reports.
  template <typename Ready>
  void Wait(Ready ready) {
    if (spin_.count() > 0) {
      using Clock = std::chrono::steady_clock;
      const Clock::time_point deadline = Clock::now() + spin_;
      for (unsigned polls = 1;; polls++) {
        if (ready()) return;
        CpuRelax();
        if (polls % 64 == 0 && Clock::now() > deadline) break;
      }
    }
    WaitForEvent();
  }

  static void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  }

  // Sleep until the peer sends an event (a socket on its wait queue), then do what the
  // module's interrupt handler yasmin_peer_interrupt() does: take every slot rung.  The
  // caller re-checks the ring, as a woken socket does.  An eventfd keeps an event sent while
  // nobody waited, as an event channel keeps it pending, so none is lost.
  void WaitForEvent() {
    counters_->waits++;
    uint64_t events = 0;
    while (read(own_event_fd_, &events, sizeof(events)) != sizeof(events)) {
      if (errno != EINTR) throw ChannelError(Errno("eventfd read"));
    }
    yasmin_doorbell_collect(own_doorbell_, [](uint32_t, void*) {}, nullptr);
  }

  [[noreturn]] static void Violation(const char* what) {
    throw ChannelError(std::string("ring protocol violation: ") + what);
  }

  // yasmin_stream_has_data().
  int64_t HasData() {
    int readable = yasmin_ring_consumer_readable(&rx_);
    if (readable == 0) readable = yasmin_ring_consumer_prepare_to_wait(&rx_);
    if (readable < 0) Violation("data ring producer index");
    return readable;
  }

  // yasmin_stream_has_space() for a SOCK_STREAM socket: any free byte will do.
  int64_t HasSpace() {
    constexpr int kNeed = 1;
    int space = yasmin_ring_producer_space(tx_);
    if (space >= 0 && space < kNeed) {
      counters_->full_waits++;
      space = yasmin_ring_producer_prepare_to_wait(tx_);
    }
    if (space < 0) Violation("data ring consumer index");
    return space < kNeed ? 0 : space;
  }

  // yasmin_stream_enqueue(): copy 1, page by page, then one commit.
  size_t Enqueue(const uint8_t* data, size_t len) {
    const int64_t space = HasSpace();
    if (space <= 0) return 0;
    len = std::min<size_t>(len, static_cast<size_t>(space));
    if (split_bytes_ != 0) len = std::min<size_t>(len, split_bytes_);  // the experiment

    yasmin_ring_chunks chunks;
    yasmin_ring_producer_chunks(tx_, static_cast<uint32_t>(len), &chunks);
    size_t copied = 0;
    void* chunk_data = nullptr;
    uint32_t chunk = 0;
    while (yasmin_ring_next_chunk(&chunks, &chunk_data, &chunk)) {
      std::memcpy(chunk_data, data + copied, chunk);
      copied += chunk;
    }
    yasmin_ring_producer_commit(tx_, static_cast<uint32_t>(copied));
    RingDoorbell(yasmin_ring_producer_should_notify(tx_));
    return copied;
  }

  // yasmin_stream_dequeue() without MSG_PEEK: copy 2, page by page, then one consume.
  size_t Dequeue(uint8_t* data, size_t len) {
    const int64_t readable = HasData();
    if (readable <= 0) return 0;
    len = std::min<size_t>(len, static_cast<size_t>(readable));
    if (split_bytes_ != 0) len = std::min<size_t>(len, split_bytes_);  // the experiment

    yasmin_ring_chunks chunks;
    yasmin_ring_consumer_chunks(&rx_, 0, static_cast<uint32_t>(len), &chunks);
    size_t copied = 0;
    void* chunk_data = nullptr;
    uint32_t chunk = 0;
    while (yasmin_ring_next_chunk(&chunks, &chunk_data, &chunk)) {
      std::memcpy(data + copied, chunk_data, chunk);
      copied += chunk;
    }
    yasmin_ring_consumer_consume(&rx_, static_cast<uint32_t>(copied));
    RingDoorbell(yasmin_ring_consumer_should_notify(&rx_));
    // Emptied the ring: ask for an event on the next byte now, as the module does for
    // edge-triggered epoll users.
    if (static_cast<int64_t>(copied) == readable &&
        yasmin_ring_consumer_prepare_to_wait(&rx_) < 0) {
      Violation("data ring producer index");
    }
    return copied;
  }

  yasmin_ring_producer* const tx_;
  yasmin_ring_consumer rx_ = {};
  yasmin_ring_layout rx_layout_ = {};
  std::vector<void*> rx_pages_;
  SideArea* const own_area_;
  SideArea* const peer_area_;
  yasmin_doorbell_page* const own_doorbell_;   // the peer rings us here
  yasmin_doorbell_page* const peer_doorbell_;  // we ring the peer here
  const int own_event_fd_;
  const int peer_event_fd_;
  RingCounters* const counters_;
  const std::chrono::nanoseconds spin_;
  const uint32_t split_bytes_;
};

}  // namespace

RingConnection::RingConnection(uint32_t ring_bytes, const Variant& variant)
    : layout_(std::make_unique<Layout>(ring_bytes / kPage, variant)) {
  Layout& l = *layout_;
  // MAP_POPULATE: the pages exist (zeroed, as granted pages are) before anything is timed.
  void* base = mmap(nullptr, l.pages.total() * kPage, PROT_READ | PROT_WRITE,
                    MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  if (base == MAP_FAILED) throw ChannelError(Errno("mmap"));
  l.base = static_cast<uint8_t*>(base);
  for (int side = 0; side < 2; side++) new (l.area(side)) SideArea();
  for (int side = 0; side < 2; side++) {
    l.event_fd[side] = eventfd(0, EFD_CLOEXEC);
    if (l.event_fd[side] < 0) throw ChannelError(Errno("eventfd"));
  }
  // yasmin_tx_ring_create() for both rings: each producer's pages and descriptor, its
  // "grant references" written into the descriptor before it is offered.
  for (int ring = 0; ring < 2; ring++) {
    uint8_t* data = l.page(l.pages.data(ring));
    for (uint32_t i = 0; i < l.pages.nr_pages; i++) {
      l.producer_pages[ring].push_back(data + size_t{i} * kPage);
    }
    if (yasmin_ring_producer_init(&l.producers[ring], l.desc(ring),
                                  l.producer_pages[ring].data(), l.pages.nr_pages) != 0) {
      throw ChannelError("yasmin_ring_producer_init: bad ring size");
    }
    for (uint32_t i = 0; i < l.pages.nr_pages; i++) l.desc(ring)->grefs[i] = i;
  }
}

RingConnection::~RingConnection() {
  for (int fd : layout_->event_fd) {
    if (fd >= 0) close(fd);
  }
  if (layout_->base != nullptr) munmap(layout_->base, layout_->pages.total() * kPage);
}

std::unique_ptr<Channel> RingConnection::Open(Side side) {
  Layout& l = *layout_;
  // fork() does not copy a shared mapping's page table entries: fault them in now, not in
  // the first timed messages.
  for (size_t i = 0; i < l.pages.total(); i++) {
    (void)*static_cast<volatile uint8_t*>(l.page(i));
  }
  return std::make_unique<RingChannel>(l, static_cast<int>(side));
}

RingCounters RingConnection::Counters(Side side) const {
  return layout_->area(static_cast<int>(side))->counters;
}

}  // namespace yasmin_bench
