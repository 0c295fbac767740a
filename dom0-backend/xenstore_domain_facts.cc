#include "xenstore_domain_facts.h"

#include <set>
#include <sstream>

namespace yasmin {
namespace {

constexpr char kDomainsDir[] = "/local/domain";
constexpr char kVifBackends[] = "/local/domain/0/backend/vif/";

// kNotFound is no error here: the vif (or all of them) went away, or never was.
bool IsFailure(XsStatus status) { return status != XsStatus::kOk && status != XsStatus::kNotFound; }

XsStatus AppendVifAddresses(XsTransaction* transaction, DomainInfo* info, std::string* error) {
  const std::string backends = kVifBackends + std::to_string(info->domain.domid);
  std::vector<std::string> devices;
  XsStatus status = transaction->Directory(backends, &devices, error);
  if (status == XsStatus::kNotFound) return XsStatus::kOk;
  if (status != XsStatus::kOk) return status;
  for (const std::string& device : devices) {
    std::string value;
    status = transaction->Read(backends + "/" + device + "/ip", &value, error);
    if (IsFailure(status)) return status;
    if (status == XsStatus::kNotFound) continue;
    std::istringstream words(value);
    std::string address;
    while (words >> address) info->addresses.push_back(address);
  }
  return XsStatus::kOk;
}

}  // namespace

XsStatus ReadDomainFacts(XsTransaction* transaction, std::vector<DomainInfo>* domains,
                         std::string* error) {
  std::vector<std::string> names;
  XsStatus status = transaction->Directory(kDomainsDir, &names, error);
  if (status == XsStatus::kNotFound) {
    *error = std::string("XenStore has no ") + kDomainsDir;
    return XsStatus::kFailed;
  }
  if (status != XsStatus::kOk) return status;
  const std::set<std::string> homes(names.begin(), names.end());

  std::vector<DomainInfo> alive;
  for (DomainInfo& info : *domains) {
    if (homes.count(std::to_string(info.domain.domid)) == 0) continue;
    status = AppendVifAddresses(transaction, &info, error);
    if (status != XsStatus::kOk) return status;
    alive.push_back(std::move(info));
  }
  domains->swap(alive);
  return XsStatus::kOk;
}

}  // namespace yasmin
