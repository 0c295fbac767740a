#include "fd_registry.h"

#include <sys/mman.h>

#include <cstring>

namespace yasmin {
namespace preload {

FdRegistry::~FdRegistry() {
  for (auto& entry : chunks_) {
    Chunk* chunk = entry.load(std::memory_order_acquire);
    if (chunk != nullptr) munmap(chunk, sizeof(Chunk));
  }
}

FdRegistry::Slot* FdRegistry::Find(int fd) const {
  if (fd < 0 || fd >= kMaxFds) return nullptr;
  Chunk* chunk = chunks_[fd / kChunkFds].load(std::memory_order_acquire);
  if (chunk == nullptr) return nullptr;
  return &chunk->slots[fd % kChunkFds];
}

FdRegistry::Slot* FdRegistry::FindOrAllocate(int fd) {
  if (fd < 0 || fd >= kMaxFds) return nullptr;
  std::atomic<Chunk*>& entry = chunks_[fd / kChunkFds];
  Chunk* chunk = entry.load(std::memory_order_acquire);
  if (chunk == nullptr) {
    // mmap rather than new: zeroed memory (every slot's counter 0 and kind kNone, which is
    // what the atomics' value-initialization would give), and no malloc in a path that may
    // run in odd places.
    void* memory = mmap(nullptr, sizeof(Chunk), PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) return nullptr;
    Chunk* fresh = static_cast<Chunk*>(memory);
    if (entry.compare_exchange_strong(chunk, fresh, std::memory_order_acq_rel)) {
      chunk = fresh;
    } else {
      munmap(memory, sizeof(Chunk));  // another thread's chunk won; chunk now holds it
    }
  }
  return &chunk->slots[fd % kChunkFds];
}

void FdRegistry::Write(Slot* slot, const FdRecord& record) {
  uint64_t words[kWords] = {};
  std::memcpy(words, &record, sizeof(record));
  // Take the slot: from an even (idle) counter to odd.
  uint32_t sequence = slot->sequence.load(std::memory_order_relaxed);
  for (;;) {
    if ((sequence & 1) == 0 &&
        slot->sequence.compare_exchange_weak(sequence, sequence + 1,
                                             std::memory_order_acquire)) {
      break;
    }
    sequence = slot->sequence.load(std::memory_order_relaxed);
  }
  std::atomic_thread_fence(std::memory_order_release);
  for (size_t i = 0; i < kWords; ++i) slot->words[i].store(words[i], std::memory_order_relaxed);
  slot->kind.store(record.kind, std::memory_order_relaxed);
  slot->sequence.store(sequence + 2, std::memory_order_release);
}

void FdRegistry::Read(const Slot* slot, FdRecord* record) {
  uint64_t words[kWords];
  for (;;) {
    const uint32_t before = slot->sequence.load(std::memory_order_acquire);
    if (before & 1) continue;
    for (size_t i = 0; i < kWords; ++i) words[i] = slot->words[i].load(std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_acquire);
    if (slot->sequence.load(std::memory_order_relaxed) == before) break;
  }
  std::memcpy(record, words, sizeof(*record));
}

bool FdRegistry::Get(int fd, FdRecord* record) const {
  const Slot* slot = Find(fd);
  if (slot == nullptr || slot->kind.load(std::memory_order_acquire) == FdRecord::kNone) {
    return false;
  }
  FdRecord copy;
  Read(slot, &copy);
  if (copy.kind == FdRecord::kNone) return false;
  *record = copy;
  return true;
}

bool FdRegistry::HasKind(int fd, FdRecord::Kind kind) const {
  const Slot* slot = Find(fd);
  return slot != nullptr && slot->kind.load(std::memory_order_acquire) == kind;
}

bool FdRegistry::Set(int fd, const FdRecord& record) {
  if (record.kind == FdRecord::kNone) {
    Clear(fd);
    return fd >= 0 && fd < kMaxFds;
  }
  Slot* slot = FindOrAllocate(fd);
  if (slot == nullptr) return false;
  Write(slot, record);
  return true;
}

void FdRegistry::Clear(int fd) {
  Slot* slot = Find(fd);
  if (slot == nullptr || slot->kind.load(std::memory_order_acquire) == FdRecord::kNone) return;
  Write(slot, FdRecord());
}

void FdRegistry::ClearRange(unsigned first, unsigned last) {
  if (first >= static_cast<unsigned>(kMaxFds) || first > last) return;
  if (last >= static_cast<unsigned>(kMaxFds)) last = kMaxFds - 1;
  for (unsigned chunk_index = first / kChunkFds; chunk_index <= last / kChunkFds;
       ++chunk_index) {
    if (chunks_[chunk_index].load(std::memory_order_acquire) == nullptr) continue;
    const unsigned begin = chunk_index * kChunkFds;
    const unsigned end = begin + kChunkFds - 1;
    for (unsigned fd = begin < first ? first : begin; fd <= (end < last ? end : last); ++fd) {
      Clear(static_cast<int>(fd));
    }
  }
}

void FdRegistry::Copy(int fd, int new_fd) {
  if (fd == new_fd) return;
  FdRecord record;
  if (Get(fd, &record)) {
    Set(new_fd, record);
  } else {
    Clear(new_fd);
  }
}

size_t FdRegistry::CountKind(FdRecord::Kind kind) const {
  size_t count = 0;
  for (const auto& entry : chunks_) {
    const Chunk* chunk = entry.load(std::memory_order_acquire);
    if (chunk == nullptr) continue;
    for (const Slot& slot : chunk->slots) {
      if (slot.kind.load(std::memory_order_acquire) == kind) ++count;
    }
  }
  return count;
}

}  // namespace preload
}  // namespace yasmin
