// The IP addresses a guest announces about itself, and the rules under which yasmind uses
// them: only for the domains that policy.h's "guest-addresses" lines name, never by default.
//
// Where guests write them is the convention of the XenServer / XCP-ng guest agent
// (xe-guest-utilities: guestmetric/guestmetric_linux.go, CollectNetworkAddr), which Xen
// documents in docs/misc/xenstore-paths.markdown:
//
//   /local/domain/<domid>/attr/vif/<devid>/ipv4/<index> = IPV4_ADDRESS   (guest-writable)
//   /local/domain/<domid>/attr/vif/<devid>/ipv6/<index> = IPV6_ADDRESS
//
// <devid> is the vif's device number (the agent takes it from the frontend's nodename,
// device/vif/<devid>) and <index> is arbitrary (the agent counts from 0).  Xen's document
// says these values are "primarily for display purposes and must not be used for packet
// filtering or routing purposes": the guest writes whatever it likes, and publishing them in
// the views is routing by them (the preload sends a connection to a listed address over
// vsock to the domain that lists it).  A guest that claims an address that is not its own
// attracts, from every peer that may reach it, the connections meant for that address.  So:
//
// - dom0's addresses (the vifs' `ip=`, xenstore_domain_facts.h) always win: an announced
//   address that another domain has from dom0 is dropped (one the domain itself has from dom0
//   changes nothing).
// - An address that two or more domains announce is dropped for all of them: yasmind cannot
//   tell which one says the truth.  (So one allowed guest can deny another's announced
//   address the fast path; connections to it then go over TCP as before.)
// - A value is used only if it is at most kMaxAnnouncedLength bytes, parses strictly as an
//   address of its node's family (ipv4/ or ipv6/) and is one a guest can have for itself:
//   not unspecified, loopback, multicast, broadcast or reserved (240/4), and no IPv6 address
//   in ::/80, where the IPv4-mapped and -compatible forms would spell an IPv4 address past
//   the two rules above.
// - At most kMaxAnnouncedPerVif values per vif and kMaxAnnouncedPerDomain per domain, in
//   index order; the rest are rejected.  Only the vifs dom0 gave the domain are read.
//
// What no rule can catch: an address nobody else has from dom0, such as dom0's own (dom0 has
// no vif) or a host outside this machine.  Hence only trusted guests belong in those groups.

#ifndef YASMIN_DOM0_BACKEND_GUEST_ADDRESSES_H_
#define YASMIN_DOM0_BACKEND_GUEST_ADDRESSES_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "domain.h"
#include "ip_address.h"
#include "policy.h"

namespace yasmin {

constexpr int kMaxAnnouncedPerVif = 16;
constexpr int kMaxAnnouncedPerDomain = 64;
// The longest text of an address: INET6_ADDRSTRLEN less its NUL ("ffff:...:255.255.255.255").
constexpr size_t kMaxAnnouncedLength = 45;

// One value as a guest wrote it, unchecked.
struct AnnouncedValue {
  std::string devid;  // the vif, as named below attr/vif
  IpFamily family;    // of the node it is in: ipv4/ or ipv6/
  std::string value;  // bytes
};

// What one domain announced, in index order (xenstore_domain_facts.h reads it).
struct Announcement {
  uint32_t domid = 0;
  std::vector<AnnouncedValue> values;
  int unread = 0;  // values beyond kMaxAnnouncedPerVif that were not even read
};

// Why a domain's announced values were not used, counted for the daemon's log.
struct RejectedAddresses {
  int invalid = 0;  // not a usable address of its node's family, too long, over the bounds
  int claimed = 0;  // another domain has it from dom0, or announces it too

  bool operator==(const RejectedAddresses& other) const {
    return invalid == other.invalid && claimed == other.claimed;
  }
  bool operator!=(const RejectedAddresses& other) const { return !(*this == other); }
};

// Appends to each domain's addresses, canonically written, the announced ones that pass the
// rules above, when the policy lets that domain announce; announcements of other domains, or
// of domains that are not in *domains, are ignored.  Returns, for each domain with something
// rejected, what was.  Pure: reading and logging are the callers'.
std::map<uint32_t, RejectedAddresses> MergeGuestAddresses(
    const std::vector<Announcement>& announcements, const Policy& policy,
    std::vector<DomainInfo>* domains);

}  // namespace yasmin

#endif  // YASMIN_DOM0_BACKEND_GUEST_ADDRESSES_H_
