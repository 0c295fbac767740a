// Which of the process's descriptors libyasmin.so put an AF_VSOCK socket behind, and what the
// program believes about them: a table indexed by descriptor number, read without locks.
//
// A record belongs to one open socket, named by its inode number (fstat's st_ino): the
// library cannot see every way a descriptor gets closed (fclose() of an fdopen()ed socket, a
// raw close system call, closefrom() inside the C library...), so a number may be reused for
// another socket while its old record is still here.  Readers compare the inode of the
// descriptor they hold with the record's and ignore a record that does not match (FdRecord::
// ino); dup()ed descriptors share the inode, so a copied record stays valid for them.
//
// Kinds:
//   kOptions  an AF_INET/AF_INET6 socket not (yet) redirected whose SO_RCVBUF/SO_SNDBUF the
//             program set: applied to the vsock socket if connect() redirects it;
//   kYasmin   a connected AF_VSOCK socket in place of the program's TCP socket (connect()), or
//             one a listener handed out (accept());
//   kListener an epoll instance in place of the program's listening TCP socket, watching that
//             socket and an AF_VSOCK listener on the same port (listen_redirect.h).
//
// Storage: descriptors 0..kMaxFds-1, in chunks of kChunkFds records allocated (mmap) the first
// time a record is stored in them and never freed; a lookup in a chunk never allocated reads
// one null pointer.  Descriptors at or above kMaxFds are never recorded: connect() leaves
// them on plain TCP.  Each record is guarded by a sequence counter (a seqlock): readers copy
// and retry if a writer was active; writers of the same descriptor exclude each other by
// taking the counter odd with a compare-and-swap.  Async-signal-safe except for the first
// store in a chunk (mmap is, in practice).

#ifndef YASMIN_PRELOAD_FD_REGISTRY_H_
#define YASMIN_PRELOAD_FD_REGISTRY_H_

#include <netinet/in.h>

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "socket_options.h"

namespace yasmin {
namespace preload {

struct ListenerGroup;

struct FdRecord {
  enum Kind : uint8_t { kNone = 0, kOptions = 1, kYasmin = 2, kListener = 3 };

  uint8_t kind = kNone;
  // kYasmin, kListener: the family the program created the socket with, AF_INET or AF_INET6.
  uint8_t family = 0;
  // kYasmin: the peer's TCP port: the one connect() was given, or the folded vsock port of
  // an accepted client (host order).
  uint16_t peer_port = 0;
  // kListener: the port listened on; kYasmin: for an accepted socket the listener's port (the
  // local port getsockname() shows), 0 for a connected one.
  uint16_t local_port = 0;
  // kYasmin: the vsock peer.
  uint32_t cid = 0;
  uint32_t vsock_port = 0;
  // The socket's inode number; 0 matches nothing.
  uint64_t ino = 0;
  // kYasmin: the peer's address (the one connect() was given, or an accepted client's from
  // the view), IPv4 ones IPv4-mapped.
  in6_addr peer_address{};
  // kListener: the sockets behind the epoll instance, shared by dup()ed copies
  // (listener_group.h).
  ListenerGroup* listener = nullptr;
  // Requested with setsockopt(SO_RCVBUF/SO_SNDBUF), or -1.
  int32_t rcvbuf = -1;
  int32_t sndbuf = -1;
  // kYasmin: the emulated options (socket_options.h).
  EmulatedOptions options;
};

class FdRegistry {
 public:
  static constexpr int kChunkFds = 1024;
  static constexpr int kChunks = 1024;
  static constexpr int kMaxFds = kChunkFds * kChunks;

  FdRegistry() = default;
  ~FdRegistry();
  FdRegistry(const FdRegistry&) = delete;
  FdRegistry& operator=(const FdRegistry&) = delete;

  // Copies fd's record out; false (and *record left alone) if it has none.  A record is
  // returned whatever its inode: compare it.
  bool Get(int fd, FdRecord* record) const;
  // Whether fd has a record of this kind, whatever its inode: one or two loads, no system
  // call.  A true answer is to be confirmed by Get() and the inode.
  bool HasKind(int fd, FdRecord::Kind kind) const;
  // Stores a record (kind kNone removes it).  False if fd is out of range or the chunk could
  // not be allocated.
  bool Set(int fd, const FdRecord& record);
  // Removes fd's record, if any.
  void Clear(int fd);
  // Removes the records of first..last (inclusive; last may be huge).
  void ClearRange(unsigned first, unsigned last);
  // new_fd gets a copy of fd's record, or none if fd has none (dup2/dup3/F_DUPFD).
  void Copy(int fd, int new_fd);
  // How many records of a kind exist (walks the table: tests and the debug log).
  size_t CountKind(FdRecord::Kind kind) const;
  // Calls visit(fd, record) for each record of `kind` among first..last (last may be huge),
  // whatever its inode.
  template <typename Visitor>
  void ForEachOfKind(unsigned first, unsigned last, FdRecord::Kind kind, Visitor visit) const {
    for (unsigned fd = first; fd <= last && fd < static_cast<unsigned>(kMaxFds); ++fd) {
      const Chunk* chunk = chunks_[fd / kChunkFds].load(std::memory_order_acquire);
      if (chunk == nullptr) {
        fd |= kChunkFds - 1;  // skip to the chunk's last number: the loop moves past it
        continue;
      }
      FdRecord record;
      if (chunk->slots[fd % kChunkFds].kind.load(std::memory_order_acquire) == kind &&
          Get(static_cast<int>(fd), &record) && record.kind == kind) {
        visit(static_cast<int>(fd), record);
      }
    }
  }

 private:
  // The record as words, so that the seqlock's copies are data-race free.
  static constexpr size_t kWords = (sizeof(FdRecord) + 7) / 8;
  struct Slot {
    std::atomic<uint32_t> sequence;
    std::atomic<uint8_t> kind;  // mirror of the record's kind, for the cheap checks
    std::atomic<uint64_t> words[kWords];
  };
  struct Chunk {
    Slot slots[kChunkFds];
  };

  Slot* Find(int fd) const;
  Slot* FindOrAllocate(int fd);
  static void Write(Slot* slot, const FdRecord& record);
  static void Read(const Slot* slot, FdRecord* record);

  std::atomic<Chunk*> chunks_[kChunks] = {};
};

}  // namespace preload
}  // namespace yasmin

#endif  // YASMIN_PRELOAD_FD_REGISTRY_H_
