// What `yasminctl status` reports: every domain's home in XenStore with its name and, when it
// has one, its yasmin view (include/yasmin/contract.h): the generation, the peers it lists
// with their CIDs and addresses, and which rendezvous directories exist with how many keys
// each holds.  Which pairs of domains can reach each other follows from the views.
//
// Everything is read in one transaction that is then abandoned, so looking never changes
// XenStore.  The values are treated as untrusted bytes: what does not fit the contract is
// kept out of the report's numbers and listed as a problem instead.  The report is plain data;
// status_table.h and status_json.h print it.

#ifndef YASMIN_DOM0_BACKEND_STATUS_REPORT_H_
#define YASMIN_DOM0_BACKEND_STATUS_REPORT_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "xenstore_access.h"

namespace yasmin {

// yasmin/peers/<P> in a view.
struct ViewPeer {
  uint32_t domid = 0;           // P
  std::optional<uint32_t> cid;  // yasmin/peers/<P>/cid; nullopt when missing or not a CID
  // yasmin/peers/<P>/ip split at spaces; nullopt when the node is missing.
  std::optional<std::vector<std::string>> addresses;
};

// yasmin/rendezvous/<P> in a domain's home: the half of the control channel the domain offers
// P.  Only how many keys it holds is reported; the values are the guest's business.
struct RendezvousDir {
  uint32_t peer = 0;  // P
  size_t keys = 0;
};

struct View {
  std::optional<uint64_t> generation;     // nullopt when missing or not a generation counter
  std::vector<ViewPeer> peers;            // by domid
  std::vector<RendezvousDir> rendezvous;  // by peer
};

struct DomainStatus {
  uint32_t domid = 0;
  uint32_t cid = 0;                 // yasmin_cid_from_domid(domid)
  std::optional<std::string> name;  // the name node, byte for byte; nullopt when missing
  std::optional<View> view;         // nullopt when there is no /local/domain/<domid>/yasmin
};

// Two domains at least one of whose views lists the other: a can reach b once both list each
// other (each needs the other's rendezvous directory).  a < b.
struct DomainPair {
  uint32_t a = 0;
  uint32_t b = 0;
  bool a_lists_b = false;
  bool b_lists_a = false;

  bool one_sided() const { return a_lists_b != b_lists_a; }
};

// Something in XenStore that does not fit the contract.
struct StatusProblem {
  std::string path;                  // the node it concerns
  std::string what;                  // e.g. "not a valid CID"
  std::optional<std::string> value;  // the node's value, byte for byte, when it matters
};

struct StatusReport {
  std::vector<DomainStatus> domains;    // by domid
  std::vector<DomainPair> pairs;        // by (a, b)
  std::vector<StatusProblem> problems;  // in the order they were found
};

// Reads the report from store.  Children of /local/domain whose names are not decimal are not
// domains and are skipped; a decimal name that is not a valid domid is a problem.  Returns
// false and sets *error when no transaction can be started or XenStore fails a request (a node
// that is simply absent is not a failure).
bool ReadStatusReport(XsStore* store, StatusReport* report, std::string* error);

// The report's domain with that domid, or nullptr: a view may list a domain that is gone.
const DomainStatus* FindDomain(const StatusReport& report, uint32_t domid);

}  // namespace yasmin

#endif  // YASMIN_DOM0_BACKEND_STATUS_REPORT_H_
