#include "desired_state.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "ip_address.h"
#include "yasmin/contract.h"

namespace yasmin {
namespace {

// Expands one of contract.h's path formats; they take domids as unsigned int.
template <typename... Domids>
std::string Path(const char* format, Domids... domids) {
  char path[YASMIN_XS_PATH_MAX];
  snprintf(path, sizeof(path), format, static_cast<unsigned int>(domids)...);
  return path;
}

// The ACL lab_yasmin_prepare sets: owner, then reader unless it is the owner.  Nobody else
// gets anything.
XsAcl OwnedReadableBy(uint32_t owner, uint32_t reader) {
  XsAcl acl = {{owner, XsPermission::Access::kNone}};
  if (reader != owner) acl.push_back({reader, XsPermission::Access::kRead});
  return acl;
}

// The value of a peer's ip node: its valid addresses, sorted, without duplicates.  Only
// addresses: the values come from domain configurations (and, when the policy allows it, from
// the guests themselves) and must not smuggle spaces or junk into the view.
std::string AddressList(const DomainInfo& info) {
  std::set<std::string> addresses;
  for (const std::string& address : info.addresses) {
    const std::string canonical = CanonicalAddress(address);
    if (!canonical.empty()) addresses.insert(canonical);
  }
  std::string list;
  for (const std::string& address : addresses) {
    if (!list.empty()) list += ' ';
    list += address;
  }
  return list;
}

void AddView(const DomainInfo& self, const std::vector<const DomainInfo*>& peers,
             XenStoreTree* tree) {
  const uint32_t g = self.domain.domid;
  const XsAcl view_acl = OwnedReadableBy(0, g);
  const std::string home = Path(YASMIN_XS_HOME_FMT, g);

  (*tree)[Path(YASMIN_XS_DIR_FMT, g)] = {"", view_acl};
  // What a new view starts with; xenstore_diff.h counts on from what it finds.
  (*tree)[home + "/" YASMIN_XS_GENERATION_NODE] = {"1", view_acl, XsNode::Kind::kGeneration};
  (*tree)[home + "/" YASMIN_XS_PEERS_DIR] = {"", view_acl};
  (*tree)[home + "/" YASMIN_XS_RENDEZVOUS_DIR] = {"", view_acl};
  for (const DomainInfo* peer : peers) {
    const uint32_t p = peer->domain.domid;
    const std::string peer_dir = Path(YASMIN_XS_PEER_FMT, g, p);
    (*tree)[peer_dir] = {"", view_acl};
    (*tree)[peer_dir + "/" YASMIN_XS_PEER_CID] = {
        std::to_string(yasmin_cid_from_domid(static_cast<yasmin_u16>(p))), view_acl};
    (*tree)[peer_dir + "/" YASMIN_XS_PEER_IP] = {AddressList(*peer), view_acl};
    (*tree)[Path(YASMIN_XS_RENDEZVOUS_FMT, g, p)] = {"", OwnedReadableBy(g, p),
                                                     XsNode::Kind::kOwnerWritten};
  }
}

}  // namespace

XenStoreTree ComputeDesiredState(const std::vector<DomainInfo>& domains, const Policy& policy) {
  // By domid, so that the snapshot's order does not matter.
  std::map<uint32_t, const DomainInfo*> by_domid;
  for (const DomainInfo& info : domains) {
    const uint32_t domid = info.domain.domid;
    if (yasmin_domid_is_valid(domid)) by_domid.emplace(domid, &info);
  }

  XenStoreTree tree;
  for (const auto& [domid, self] : by_domid) {
    std::vector<const DomainInfo*> peers;
    for (const auto& [peer_domid, peer] : by_domid) {
      if (policy.MayReach(*self, *peer)) peers.push_back(peer);
    }
    AddView(*self, peers, &tree);
  }
  return tree;
}

}  // namespace yasmin
