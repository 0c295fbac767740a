#include "guest_addresses.h"

#include <algorithm>
#include <set>

namespace yasmin {
namespace {

// Whether a guest can have this address on one of its interfaces, so that connections to it
// are meant for that guest and for no one else.
bool IsOwnable(const IpAddress& address) {
  const auto& b = address.bytes;
  if (address.family == IpFamily::kIpv4) {
    // 0/8 "this network", 127/8 loopback, 224/4 multicast, 240/4 reserved and broadcast.
    return b[0] != 0 && b[0] != 127 && b[0] < 224;
  }
  // ff00::/8 multicast; ::/80 holds the unspecified and loopback addresses and the
  // IPv4-compatible (::a.b.c.d) and IPv4-mapped (::ffff:a.b.c.d) forms.
  if (b[0] == 0xff) return false;
  return !std::all_of(b.begin(), b.begin() + 10, [](uint8_t byte) { return byte == 0; });
}

// The canonical text of a value, or an empty string when it cannot be used.
std::string UsableAddress(const AnnouncedValue& announced) {
  if (announced.value.size() > kMaxAnnouncedLength) return "";
  IpAddress address;
  if (!ParseIpAddress(announced.value, &address)) return "";
  if (address.family != announced.family || !IsOwnable(address)) return "";
  return ToString(address);
}

}  // namespace

std::map<uint32_t, RejectedAddresses> MergeGuestAddresses(
    const std::vector<Announcement>& announcements, const Policy& policy,
    std::vector<DomainInfo>* domains) {
  // Who has which address from dom0, by canonical text so that spellings do not matter.
  std::map<uint32_t, DomainInfo*> by_domid;
  std::map<std::string, std::set<uint32_t>> configured;
  for (DomainInfo& info : *domains) {
    by_domid.emplace(info.domain.domid, &info);
    for (const std::string& address : info.addresses) {
      const std::string canonical = CanonicalAddress(address);
      if (!canonical.empty()) configured[canonical].insert(info.domain.domid);
    }
  }

  // The usable addresses each allowed domain announces, and who announces each.
  std::map<uint32_t, RejectedAddresses> rejected;
  std::map<uint32_t, std::set<std::string>> announced;
  std::map<std::string, std::set<uint32_t>> announcers;
  std::map<uint32_t, int> per_domain;
  for (const Announcement& announcement : announcements) {
    const uint32_t domid = announcement.domid;
    const auto found = by_domid.find(domid);
    if (found == by_domid.end() || !policy.MayAnnounceAddresses(*found->second)) continue;
    RejectedAddresses& counts = rejected[domid];
    counts.invalid += announcement.unread;
    std::map<std::string, int> per_vif;
    for (const AnnouncedValue& value : announcement.values) {
      // Counted before checking: garbage uses up a domain's allowance too.
      const bool within_bounds = ++per_vif[value.devid] <= kMaxAnnouncedPerVif &&
                                 ++per_domain[domid] <= kMaxAnnouncedPerDomain;
      const std::string address = within_bounds ? UsableAddress(value) : "";
      if (address.empty()) {
        counts.invalid++;
        continue;
      }
      announced[domid].insert(address);
      announcers[address].insert(domid);
    }
  }

  for (const auto& [domid, addresses] : announced) {
    for (const std::string& address : addresses) {
      const auto owners = configured.find(address);
      if (owners != configured.end()) {
        // dom0 gave it to this domain already: nothing to add, and no conflict with whoever
        // else announces it (that one loses against dom0).  Anyone else's: dom0 wins.
        if (owners->second.count(domid) == 0) rejected[domid].claimed++;
        continue;
      }
      if (announcers[address].size() > 1) {
        rejected[domid].claimed++;
        continue;
      }
      by_domid[domid]->addresses.push_back(address);
    }
  }

  for (auto it = rejected.begin(); it != rejected.end();) {
    it = it->second == RejectedAddresses() ? rejected.erase(it) : std::next(it);
  }
  return rejected;
}

}  // namespace yasmin
