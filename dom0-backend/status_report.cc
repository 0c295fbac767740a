#include "status_report.h"

#include <algorithm>
#include <map>
#include <memory>
#include <utility>

#include "yasmin/contract.h"

namespace yasmin {
namespace {

constexpr char kDomainsDir[] = "/local/domain";

bool IsAllDigits(const std::string& text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A number as yasmind writes one: decimal digits only, no sign, no leading zero, at most max.
// Anything else, "07" included, is not what the contract calls a decimal value.
bool ParseDecimal(const std::string& text, uint64_t max, uint64_t* value) {
  if (!IsAllDigits(text) || (text[0] == '0' && text.size() > 1)) return false;
  uint64_t result = 0;
  for (const char c : text) {
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (result > (max - digit) / 10) return false;
    result = result * 10 + digit;
  }
  *value = result;
  return true;
}

bool ParseDomid(const std::string& text, uint32_t* domid) {
  uint64_t value = 0;
  if (!ParseDecimal(text, YASMIN_DOMID_MAX, &value)) return false;
  *domid = static_cast<uint32_t>(value);
  return true;
}

bool ParseCid(const std::string& text, uint32_t* cid) {
  uint64_t value = 0;
  if (!ParseDecimal(text, YASMIN_CID_MAX, &value) ||
      !yasmin_cid_is_valid(static_cast<uint32_t>(value))) {
    return false;
  }
  *cid = static_cast<uint32_t>(value);
  return true;
}

// The generation counter starts at 1 (contract.h), so 0 is as wrong as "banana".
bool ParseGeneration(const std::string& text, uint64_t* generation) {
  return ParseDecimal(text, UINT64_MAX, generation) && *generation != 0;
}

std::vector<std::string> SplitAtSpaces(const std::string& text) {
  std::vector<std::string> words;
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = text.find(' ', begin);
    if (end == std::string::npos) end = text.size();
    if (end > begin) words.push_back(text.substr(begin, end - begin));
    begin = end + 1;
  }
  return words;
}

// Walks XenStore in one transaction and collects the report.  Requests that fail stop the walk:
// error_ says why.  Absent nodes are normal (a domain without a view, a node removed while we
// read) and never a failure.
class StatusReader {
 public:
  explicit StatusReader(XsTransaction* transaction) : transaction_(transaction) {}

  bool Read(StatusReport* report, std::string* error) {
    std::optional<std::vector<std::string>> names;
    if (!List(kDomainsDir, &names)) return Failed(error);
    if (!names) {
      *error = std::string("XenStore has no ") + kDomainsDir;
      return false;
    }

    StatusReport result;
    for (const std::string& name : *names) {
      if (!IsAllDigits(name)) continue;  // not a domain's home
      const std::string home = std::string(kDomainsDir) + "/" + name;
      DomainStatus domain;
      if (!ParseDomid(name, &domain.domid)) {
        Problem(home, "not a valid domid");
        continue;
      }
      domain.cid = yasmin_cid_from_domid(static_cast<yasmin_u16>(domain.domid));
      if (!ReadNode(home + "/name", &domain.name)) return Failed(error);
      if (!ReadView(home, domain.domid, &domain.view)) return Failed(error);
      result.domains.push_back(std::move(domain));
    }
    std::sort(result.domains.begin(), result.domains.end(),
              [](const DomainStatus& a, const DomainStatus& b) { return a.domid < b.domid; });
    result.pairs = Pairs(result.domains);
    result.problems = std::move(problems_);
    *report = std::move(result);
    return true;
  }

 private:
  // *view stays nullopt when the domain has no yasmin directory.
  bool ReadView(const std::string& home, uint32_t domid, std::optional<View>* view) {
    const std::string view_dir = home + "/" YASMIN_XS_DIR;
    std::optional<std::vector<std::string>> top;
    if (!List(view_dir, &top)) return false;
    if (!top) return true;
    View result;

    const std::string generation_path = home + "/" YASMIN_XS_GENERATION_NODE;
    std::optional<std::string> generation;
    if (!ReadNode(generation_path, &generation)) return false;
    uint64_t generation_value = 0;
    if (!generation) {
      Problem(generation_path, "missing");
    } else if (ParseGeneration(*generation, &generation_value)) {
      result.generation = generation_value;
    } else {
      Problem(generation_path, "not a generation counter", *generation);
    }

    if (!ReadPeers(home, domid, &result.peers)) return false;
    if (!ReadRendezvous(home, &result.rendezvous)) return false;
    CheckPeersMatchRendezvous(home, result);
    *view = std::move(result);
    return true;
  }

  bool ReadPeers(const std::string& home, uint32_t domid, std::vector<ViewPeer>* peers) {
    const std::string peers_dir = home + "/" YASMIN_XS_PEERS_DIR;
    std::optional<std::vector<std::string>> names;
    if (!List(peers_dir, &names)) return false;
    if (!names) {
      Problem(peers_dir, "missing");
      return true;
    }
    for (const std::string& name : *names) {
      const std::string peer_dir = peers_dir + "/" + name;
      ViewPeer peer;
      if (!ParseDomid(name, &peer.domid)) {
        Problem(peer_dir, "not a valid domid");
        continue;
      }
      if (peer.domid == domid) Problem(peer_dir, "a domain never reaches itself");

      const std::string cid_path = peer_dir + "/" YASMIN_XS_PEER_CID;
      std::optional<std::string> cid;
      if (!ReadNode(cid_path, &cid)) return false;
      uint32_t cid_value = 0;
      if (!cid) {
        Problem(cid_path, "missing");
      } else if (!ParseCid(*cid, &cid_value)) {
        Problem(cid_path, "not a valid CID", *cid);
      } else {
        peer.cid = cid_value;
        const uint32_t expected = yasmin_cid_from_domid(static_cast<yasmin_u16>(peer.domid));
        if (cid_value != expected) {
          Problem(cid_path, "not the CID of domain " + name + ", " + std::to_string(expected),
                  *cid);
        }
      }

      const std::string ip_path = peer_dir + "/" YASMIN_XS_PEER_IP;
      std::optional<std::string> ip;
      if (!ReadNode(ip_path, &ip)) return false;
      if (ip) {
        peer.addresses = SplitAtSpaces(*ip);
      } else {
        Problem(ip_path, "missing");
      }
      peers->push_back(std::move(peer));
    }
    std::sort(peers->begin(), peers->end(),
              [](const ViewPeer& a, const ViewPeer& b) { return a.domid < b.domid; });
    return true;
  }

  bool ReadRendezvous(const std::string& home, std::vector<RendezvousDir>* rendezvous) {
    const std::string rendezvous_dir = home + "/" YASMIN_XS_RENDEZVOUS_DIR;
    std::optional<std::vector<std::string>> names;
    if (!List(rendezvous_dir, &names)) return false;
    if (!names) {
      Problem(rendezvous_dir, "missing");
      return true;
    }
    for (const std::string& name : *names) {
      const std::string peer_dir = rendezvous_dir + "/" + name;
      RendezvousDir dir;
      if (!ParseDomid(name, &dir.peer)) {
        Problem(peer_dir, "not a valid domid");
        continue;
      }
      std::optional<std::vector<std::string>> keys;
      if (!List(peer_dir, &keys)) return false;
      if (!keys) continue;  // removed while we looked
      dir.keys = keys->size();
      rendezvous->push_back(dir);
    }
    std::sort(rendezvous->begin(), rendezvous->end(),
              [](const RendezvousDir& a, const RendezvousDir& b) { return a.peer < b.peer; });
    return true;
  }

  // The contract pairs them: G lists P exactly when G has a rendezvous directory for P.
  void CheckPeersMatchRendezvous(const std::string& home, const View& view) {
    const std::string rendezvous_dir = home + "/" YASMIN_XS_RENDEZVOUS_DIR;
    for (const ViewPeer& peer : view.peers) {
      const bool has_dir = std::any_of(
          view.rendezvous.begin(), view.rendezvous.end(),
          [&peer](const RendezvousDir& dir) { return dir.peer == peer.domid; });
      if (!has_dir) {
        Problem(rendezvous_dir + "/" + std::to_string(peer.domid),
                "missing, but the view lists the peer");
      }
    }
    for (const RendezvousDir& dir : view.rendezvous) {
      const bool listed =
          std::any_of(view.peers.begin(), view.peers.end(),
                      [&dir](const ViewPeer& peer) { return peer.domid == dir.peer; });
      if (!listed) {
        Problem(rendezvous_dir + "/" + std::to_string(dir.peer), "the view does not list the peer");
      }
    }
  }

  static std::vector<DomainPair> Pairs(const std::vector<DomainStatus>& domains) {
    std::map<std::pair<uint32_t, uint32_t>, DomainPair> pairs;
    for (const DomainStatus& domain : domains) {
      if (!domain.view) continue;
      for (const ViewPeer& peer : domain.view->peers) {
        if (peer.domid == domain.domid) continue;  // a problem, not a pair
        const uint32_t a = std::min(domain.domid, peer.domid);
        const uint32_t b = std::max(domain.domid, peer.domid);
        DomainPair& pair = pairs[{a, b}];
        pair.a = a;
        pair.b = b;
        (domain.domid == a ? pair.a_lists_b : pair.b_lists_a) = true;
      }
    }
    std::vector<DomainPair> result;
    for (const auto& [ends, pair] : pairs) result.push_back(pair);
    return result;
  }

  bool ReadNode(const std::string& path, std::optional<std::string>* value) {
    std::string text;
    const XsStatus status = transaction_->Read(path, &text, &error_);
    if (status == XsStatus::kNotFound) {
      value->reset();
      return true;
    }
    if (status != XsStatus::kOk) return Failure(status, "read", path);
    *value = std::move(text);
    return true;
  }

  bool List(const std::string& path, std::optional<std::vector<std::string>>* children) {
    std::vector<std::string> names;
    const XsStatus status = transaction_->Directory(path, &names, &error_);
    if (status == XsStatus::kNotFound) {
      children->reset();
      return true;
    }
    if (status != XsStatus::kOk) return Failure(status, "list", path);
    *children = std::move(names);
    return true;
  }

  // Makes sure error_ says what failed, whatever the transaction wrote there.
  bool Failure(XsStatus status, const char* what, const std::string& path) {
    if (error_.empty()) {
      error_ = std::string("cannot ") + what + " " + path +
               (status == XsStatus::kConflict ? ": XenStore is busy" : "");
    }
    return false;
  }

  bool Failed(std::string* error) {
    *error = error_;
    return false;
  }

  void Problem(const std::string& path, const std::string& what,
               std::optional<std::string> value = std::nullopt) {
    problems_.push_back({path, what, std::move(value)});
  }

  XsTransaction* const transaction_;
  std::vector<StatusProblem> problems_;
  std::string error_;
};

}  // namespace

bool ReadStatusReport(XsStore* store, StatusReport* report, std::string* error) {
  // Only read, never committed: destroying the transaction abandons it, so even a bug here
  // could not change XenStore.
  const std::unique_ptr<XsTransaction> transaction = store->Begin(error);
  if (transaction == nullptr) return false;
  return StatusReader(transaction.get()).Read(report, error);
}

const DomainStatus* FindDomain(const StatusReport& report, uint32_t domid) {
  for (const DomainStatus& domain : report.domains) {
    if (domain.domid == domid) return &domain;
  }
  return nullptr;
}

}  // namespace yasmin
