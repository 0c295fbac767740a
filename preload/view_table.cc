#include "view_table.h"

#include <algorithm>
#include <limits>

#include "yasmin/contract.h"

namespace yasmin {
namespace preload {
namespace {

// A decimal number as the module prints it (%u, %llu): digits only, no sign, no leading zero
// except for "0" itself, no overflow.
bool ParseDecimal(std::string_view text, uint64_t max, uint64_t* value) {
  if (text.empty() || (text.size() > 1 && text[0] == '0')) return false;
  uint64_t result = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (result > (max - digit) / 10) return false;
    result = result * 10 + digit;
  }
  *value = result;
  return true;
}

// Removes and returns the word before the first space of *rest, and that space.  False if
// there is no space or the word is empty: words are separated by exactly one space.
bool TakeWord(std::string_view* rest, std::string_view* word) {
  const size_t space = rest->find(' ');
  if (space == 0 || space == std::string_view::npos) return false;
  *word = rest->substr(0, space);
  rest->remove_prefix(space + 1);
  return true;
}

// "generation <N> domid <D>"
bool ParseHeader(std::string_view line, uint64_t* generation, uint32_t* domid) {
  std::string_view word;
  uint64_t domid_value;
  if (!TakeWord(&line, &word) || word != "generation") return false;
  if (!TakeWord(&line, &word) ||
      !ParseDecimal(word, std::numeric_limits<uint64_t>::max(), generation)) {
    return false;
  }
  if (!TakeWord(&line, &word) || word != "domid") return false;
  if (!ParseDecimal(line, YASMIN_DOMID_MAX, &domid_value)) return false;
  *domid = static_cast<uint32_t>(domid_value);
  return true;
}

// "<address> <cid>"
bool ParseEntry(std::string_view line, IpAddress* address, uint32_t* cid) {
  std::string_view word;
  uint64_t cid_value;
  if (!TakeWord(&line, &word) || !IpAddress::Parse(word, address)) return false;
  if (!ParseDecimal(line, YASMIN_CID_MAX, &cid_value) ||
      !yasmin_cid_is_valid(static_cast<uint32_t>(cid_value))) {
    return false;
  }
  *cid = static_cast<uint32_t>(cid_value);
  return true;
}

// Splits text into lines.  Next() returns false at the end; *terminated says whether the line
// ended with '\n' (only the last one can lack it).
class LineReader {
 public:
  explicit LineReader(std::string_view text) : rest_(text) {}

  bool Next(std::string_view* line, bool* terminated) {
    if (rest_.empty()) return false;
    const size_t end = rest_.find('\n');
    *terminated = end != std::string_view::npos;
    *line = rest_.substr(0, end);
    rest_.remove_prefix(*terminated ? end + 1 : rest_.size());
    return true;
  }

 private:
  std::string_view rest_;
};

}  // namespace

uint32_t ViewTable::own_cid() const {
  return yasmin_cid_from_domid(static_cast<yasmin_u16>(domid_));
}

bool ViewTable::Parse(std::string_view text, ViewTable* table, std::string* error) {
  ViewTable parsed;
  if (text.size() > kMaxTextBytes) {
    text = text.substr(0, kMaxTextBytes);
    parsed.truncated_ = true;
  }

  LineReader lines(text);
  std::string_view line;
  bool terminated;
  if (!lines.Next(&line, &terminated)) {
    *error = "the view is empty";
    return false;
  }
  if (!terminated || line.size() > kMaxLineBytes ||
      !ParseHeader(line, &parsed.generation_, &parsed.domid_)) {
    *error = "the first line is not \"generation <N> domid <D>\"";
    return false;
  }
  parsed.header_ = std::string(line);
  const uint32_t own_cid = parsed.own_cid();

  // The entries in file order, which decides the address AddressOfCid() returns.
  struct Entry {
    IpAddress address;
    uint32_t cid;
    size_t order;
  };
  std::vector<Entry> entries;
  while (lines.Next(&line, &terminated)) {
    IpAddress address;
    uint32_t cid;
    if (!terminated || line.size() > kMaxLineBytes || !ParseEntry(line, &address, &cid)) {
      parsed.bad_lines_++;
    } else if (address.IsSpecial() || cid == own_cid) {
      parsed.ignored_lines_++;
    } else if (entries.size() >= kMaxEntries) {
      parsed.ignored_lines_++;
      parsed.truncated_ = true;
    } else {
      entries.push_back({address, cid, entries.size()});
    }
  }

  // By address; then drop repeated lines, and every line of an address given two CIDs.
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.address != b.address ? a.address < b.address : a.order < b.order;
  });
  std::vector<Entry> kept;
  kept.reserve(entries.size());
  for (size_t i = 0; i < entries.size();) {
    size_t end = i + 1;
    bool conflict = false;
    while (end < entries.size() && entries[end].address == entries[i].address) {
      conflict = conflict || entries[end].cid != entries[i].cid;
      end++;
    }
    if (conflict) {
      parsed.ignored_lines_ += end - i;
    } else {
      kept.push_back(entries[i]);  // the first line of this address
    }
    i = end;
  }

  parsed.by_address_.reserve(kept.size());
  for (const Entry& entry : kept) parsed.by_address_.emplace_back(entry.address, entry.cid);
  // 2^bits >= 8 * entries, at least one word.
  unsigned bits = 6;
  while ((size_t{1} << bits) < 8 * kept.size()) bits++;
  parsed.filter_.assign((size_t{1} << bits) / 64, 0);
  parsed.filter_shift_ = 64 - bits;
  for (const Entry& entry : kept) {
    const uint64_t bit = entry.address.Hash() >> parsed.filter_shift_;
    parsed.filter_[bit / 64] |= uint64_t{1} << (bit % 64);
  }

  // By CID; within a CID, IPv4 before IPv6, then file order: the first of each CID wins.
  std::sort(kept.begin(), kept.end(), [](const Entry& a, const Entry& b) {
    if (a.cid != b.cid) return a.cid < b.cid;
    if (a.address.is_v4() != b.address.is_v4()) return a.address.is_v4();
    return a.order < b.order;
  });
  for (const Entry& entry : kept) {
    if (parsed.by_cid_.empty() || parsed.by_cid_.back().first != entry.cid) {
      parsed.by_cid_.emplace_back(entry.cid, entry.address);
    }
  }

  *table = std::move(parsed);
  return true;
}

uint32_t ViewTable::Search(const IpAddress& address) const {
  const auto found =
      std::lower_bound(by_address_.begin(), by_address_.end(), address,
                       [](const std::pair<IpAddress, uint32_t>& entry, const IpAddress& key) {
                         return entry.first < key;
                       });
  if (found == by_address_.end() || found->first != address) return 0;
  return found->second;
}

bool ViewTable::AddressOfCid(uint32_t cid, IpAddress* address) const {
  const auto found =
      std::lower_bound(by_cid_.begin(), by_cid_.end(), cid,
                       [](const std::pair<uint32_t, IpAddress>& entry, uint32_t key) {
                         return entry.first < key;
                       });
  if (found == by_cid_.end() || found->first != cid) return false;
  *address = found->second;
  return true;
}

}  // namespace preload
}  // namespace yasmin
