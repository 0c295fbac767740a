// The guest's view of its co-located peers, parsed from the text of /proc/net/yasmin_view
// (YASMIN_VIEW_PROC_PATH; docs/contract.md): which IP addresses belong to which peer's CID.
//
//   generation <N> domid <D>\n     first line, always
//   <address> <cid>\n              one line per address of a peer
//
// The parser is strict because a wrong entry sends a program's bytes to the wrong domain,
// while a missing one only costs the fast path: the program then talks plain TCP, which is
// always correct.  So a first line that does not parse rejects the whole text; a line that
// does not parse, or that cannot be used, is skipped and counted, and the rest is kept.

#ifndef YASMIN_PRELOAD_VIEW_TABLE_H_
#define YASMIN_PRELOAD_VIEW_TABLE_H_

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ip_address.h"

namespace yasmin {
namespace preload {

class ViewTable {
 public:
  // Bounds on what is parsed.  The module serves a few lines per peer, at most ~50 bytes
  // each; a Xen host holds at most 32752 domains.  Text beyond kMaxTextBytes is not parsed
  // (truncated() says so), nor are address lines beyond kMaxEntries.
  static constexpr size_t kMaxTextBytes = 4u << 20;
  static constexpr size_t kMaxEntries = 1u << 16;
  // Longest line, '\n' excluded: "generation " + 20 digits + " domid " + 5 digits is 43,
  // an address line at most 45 + 1 + 5.  Longer lines are bad.
  static constexpr size_t kMaxLineBytes = 127;

  // The table without a view: no peers, generation 0, own domid unknown.  What a process
  // uses when the file is missing (the module is not loaded) or unreadable.
  ViewTable() = default;

  // Parses the file's text.  Returns false and sets *error (one line, no '\n') if the first
  // line is missing or malformed; *table is then left alone.  Otherwise replaces *table,
  // counting the lines it skipped (see bad_lines() and ignored_lines()).
  static bool Parse(std::string_view text, ViewTable* table, std::string* error);

  // The first line as read, without its '\n': what a reader compares to decide whether it
  // may keep this table (docs/contract.md).  Empty for the table without a view.
  const std::string& header() const { return header_; }
  bool has_header() const { return !header_.empty(); }
  uint64_t generation() const { return generation_; }
  // The guest's own domid and CID; only meaningful if has_header().
  uint32_t domid() const { return domid_; }
  uint32_t own_cid() const;

  // How many distinct addresses the table maps.
  size_t size() const { return by_address_.size(); }
  bool empty() const { return by_address_.empty(); }

  // Lines that do not parse: bad syntax, an invalid CID, a line longer than kMaxLineBytes,
  // an empty line, a last line without '\n' (the text may have been cut in the middle of it).
  size_t bad_lines() const { return bad_lines_; }
  // Lines that parse but are not used: an address that names no single remote host
  // (IpAddress::IsSpecial), our own CID, an address listed with two different CIDs (every
  // line of it is ignored: there is no telling which peer is right), lines past kMaxEntries.
  size_t ignored_lines() const { return ignored_lines_; }
  // Whether the text was longer than kMaxTextBytes or had more than kMaxEntries addresses.
  bool truncated() const { return truncated_; }

  // The CID of the peer with this address, or 0 (never a valid CID) if none.  Most addresses
  // a program connects to are not in the view: a one-bit-per-hash filter answers most of
  // those before the binary search.
  uint32_t Lookup(const IpAddress& address) const {
    if (by_address_.empty()) return 0;
    const uint64_t bit = address.Hash() >> filter_shift_;
    if ((filter_[bit / 64] & (uint64_t{1} << (bit % 64))) == 0) return 0;
    return Search(address);
  }

  // The address the program should see for the peer with this CID: its first IPv4 address
  // in the file, else its first IPv6 address.  False if the CID has no address here.
  bool AddressOfCid(uint32_t cid, IpAddress* address) const;

 private:
  uint32_t Search(const IpAddress& address) const;

  std::string header_;
  uint64_t generation_ = 0;
  uint32_t domid_ = 0;
  size_t bad_lines_ = 0;
  size_t ignored_lines_ = 0;
  bool truncated_ = false;
  // Sorted by address, unique; binary search.  A view holds a few dozen entries, which a
  // sorted vector searches faster than a hash table hashes, and in contiguous memory.
  std::vector<std::pair<IpAddress, uint32_t>> by_address_;
  // Bit (Hash() >> filter_shift_) is set for every address of by_address_: at least 8 bits
  // per address, so that about one lookup of an absent address in ten reaches Search().
  std::vector<uint64_t> filter_;
  unsigned filter_shift_ = 63;
  // Sorted by CID, unique: the address AddressOfCid() returns.
  std::vector<std::pair<uint32_t, IpAddress>> by_cid_;
};

}  // namespace preload
}  // namespace yasmin

#endif  // YASMIN_PRELOAD_VIEW_TABLE_H_
