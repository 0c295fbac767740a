#include "xenstore_domain_facts.h"

#include <algorithm>
#include <set>
#include <sstream>

namespace yasmin {
namespace {

constexpr char kDomainsDir[] = "/local/domain";
constexpr char kVifBackends[] = "/local/domain/0/backend/vif/";

// kNotFound is no error here: the vif (or all of them) went away, or never was.
bool IsFailure(XsStatus status) { return status != XsStatus::kOk && status != XsStatus::kNotFound; }

// Index order: numbers by value ("2" before "10"), whatever order XenStore lists them in, so
// that which values a bound keeps does not change from one pass to the next.
void SortIndexes(std::vector<std::string>* names) {
  std::sort(names->begin(), names->end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
  });
}

// Appends what the domain wrote below attr/vif/<device>/ipv4 and ipv6, unchecked.
XsStatus ReadAnnouncedValues(XsTransaction* transaction, const std::string& device,
                             Announcement* announcement, std::string* error) {
  const std::string vif = std::string(kDomainsDir) + "/" +
                          std::to_string(announcement->domid) + "/attr/vif/" + device;
  int read = 0;
  for (const IpFamily family : {IpFamily::kIpv4, IpFamily::kIpv6}) {
    const std::string dir = vif + (family == IpFamily::kIpv4 ? "/ipv4" : "/ipv6");
    std::vector<std::string> indexes;
    XsStatus status = transaction->Directory(dir, &indexes, error);
    if (IsFailure(status)) return status;
    if (status == XsStatus::kNotFound) continue;
    SortIndexes(&indexes);
    for (const std::string& index : indexes) {
      // The guest decides how many there are: the bound is on what is read, not only on what
      // is used.
      if (read == kMaxAnnouncedPerVif) {
        announcement->unread++;
        continue;
      }
      std::string value;
      status = transaction->Read(dir + "/" + index, &value, error);
      if (IsFailure(status)) return status;
      if (status == XsStatus::kNotFound) continue;
      announcement->values.push_back({device, family, value});
      read++;
    }
  }
  return XsStatus::kOk;
}

// announcement: null when the domain may not announce addresses.
XsStatus ReadVifs(XsTransaction* transaction, DomainInfo* info, Announcement* announcement,
                  std::string* error) {
  const std::string backends = kVifBackends + std::to_string(info->domain.domid);
  std::vector<std::string> devices;
  XsStatus status = transaction->Directory(backends, &devices, error);
  if (status == XsStatus::kNotFound) return XsStatus::kOk;
  if (status != XsStatus::kOk) return status;
  SortIndexes(&devices);
  for (const std::string& device : devices) {
    std::string value;
    status = transaction->Read(backends + "/" + device + "/ip", &value, error);
    if (IsFailure(status)) return status;
    if (status == XsStatus::kOk) {
      std::istringstream words(value);
      std::string address;
      while (words >> address) info->addresses.push_back(address);
    }
    if (announcement != nullptr) {
      status = ReadAnnouncedValues(transaction, device, announcement, error);
      if (status != XsStatus::kOk) return status;
    }
  }
  return XsStatus::kOk;
}

}  // namespace

XsStatus ReadDomainFacts(XsTransaction* transaction, const Policy& policy,
                         std::vector<DomainInfo>* domains,
                         std::vector<Announcement>* announcements, std::string* error) {
  std::vector<std::string> names;
  XsStatus status = transaction->Directory(kDomainsDir, &names, error);
  if (status == XsStatus::kNotFound) {
    *error = std::string("XenStore has no ") + kDomainsDir;
    return XsStatus::kFailed;
  }
  if (status != XsStatus::kOk) return status;
  const std::set<std::string> homes(names.begin(), names.end());

  std::vector<DomainInfo> alive;
  std::vector<Announcement> announced;
  for (DomainInfo& info : *domains) {
    if (homes.count(std::to_string(info.domain.domid)) == 0) continue;
    Announcement announcement;
    announcement.domid = info.domain.domid;
    const bool announces = policy.MayAnnounceAddresses(info);
    status = ReadVifs(transaction, &info, announces ? &announcement : nullptr, error);
    if (status != XsStatus::kOk) return status;
    if (announces) announced.push_back(std::move(announcement));
    alive.push_back(std::move(info));
  }
  domains->swap(alive);
  announcements->swap(announced);
  return XsStatus::kOk;
}

}  // namespace yasmin
