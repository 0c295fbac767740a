// Which domains may reach which over yasmin: the policy part of yasmind's configuration.
//
// The format is line-based; '#' starts a comment that runs to the end of the line, and words
// are separated by spaces or tabs.  Blank lines are ignored.  Four kinds of line:
//
//   group NAME MEMBER...   defines group NAME (letters, digits, '-', '_'); each MEMBER is
//                            name:GLOB     the domain name matches GLOB (fnmatch(3): * ? [...])
//                            uuid:UUID     the domain's UUID (any case)
//                            label:VALUE   the domain carries label VALUE
//                          A domain is in the group if it matches any member.
//   allow GROUP GROUP      every member of the first group and every member of the second may
//                          reach each other (both ways: a vsock connection needs a rendezvous
//                          in each domain's home); "allow G G" lets G's members reach each
//                          other.  Groups must be defined on an earlier line.
//   default all|none       "all": every domain may reach every other one (allow lines then
//                          add nothing); "none": only the pairs allow lines grant.  At most
//                          one default line.
//   guest-addresses GROUP...
//                          the members of these groups may announce their own IP addresses
//                          (attr/vif/..., guest_addresses.h): the views then list them too.
//                          Off for every domain without such a line: a guest could claim
//                          addresses that are not its own and attract connections meant for
//                          them, so only groups of trusted guests belong here.  Groups must be
//                          defined on an earlier line; the line may be repeated.
//
// Without a default line, the policy is "all" if it has no allow line (no configuration file,
// an empty one, only comments or groups) and "none" as soon as it has one.  The open default
// matches what guests on one Xen host already have: Debian's Xen puts every guest on the same
// bridge as dom0, so they can reach each other and dom0 over TCP anyway; yasmin only offers a
// faster path between them, and a guest still needs a listening socket to be reached.  A host
// that separates its guests says so with allow lines or "default none".
//
// A domain never reaches itself.  dom0 is a domain like any other (its name is "Domain-0").
//
// Example:
//   group web   name:web-*
//   group db    name:db-* label:database
//   group host  name:Domain-0
//   allow web db
//   allow web host

#ifndef YASMIN_DOM0_BACKEND_POLICY_H_
#define YASMIN_DOM0_BACKEND_POLICY_H_

#include <string>
#include <utility>
#include <vector>

#include "domain.h"

namespace yasmin {

// One member of a group: a pattern over one property of a domain.
struct PolicyMember {
  enum class Kind { kName, kUuid, kLabel };
  Kind kind;
  std::string pattern;  // a glob for kName; lower case for kUuid

  bool Matches(const DomainInfo& info) const;
};

class Policy {
 public:
  // The policy without a configuration file: every domain may reach every other one.
  Policy() = default;

  // Whether a and b may reach each other.  Symmetric; false when they are the same domain.
  bool MayReach(const DomainInfo& a, const DomainInfo& b) const;

  // Whether the addresses info's domain writes about itself may be used.  Never by default.
  bool MayAnnounceAddresses(const DomainInfo& info) const;

 private:
  friend class PolicyParser;

  struct Group {
    std::string name;
    std::vector<PolicyMember> members;

    bool Contains(const DomainInfo& info) const;
  };

  bool allow_all_ = true;
  std::vector<Group> groups_;
  std::vector<std::pair<size_t, size_t>> allowed_;  // indexes into groups_
  std::vector<size_t> announcing_;                   // indexes into groups_
};

struct PolicyError {
  int line;  // 1-based
  std::string message;
};

// The parsed policy or, when errors is not empty, every line that was rejected and why; the
// policy is then unusable.  Never throws, never prints: reporting is the caller's job.
struct ParsedPolicy {
  Policy policy;
  std::vector<PolicyError> errors;

  bool ok() const { return errors.empty(); }

  // One "SOURCE:LINE: message" line per error, as compilers print them.
  std::string ErrorText(const std::string& source) const;
};

ParsedPolicy ParsePolicy(const std::string& text);

}  // namespace yasmin

#endif  // YASMIN_DOM0_BACKEND_POLICY_H_
