#include "status_table.h"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "text_escape.h"

namespace yasmin {
namespace {

// In a cell: the node is not there.  "?": it is there but holds something that is not valid
// (the problems section says what).  Either keeps every line's fields countable for awk & co.
constexpr char kAbsent[] = "-";
constexpr char kInvalid[] = "?";

using Row = std::vector<std::string>;

// Left-aligned columns, one space apart; the last column is not padded.
void PrintColumns(const std::vector<Row>& rows, std::ostream& out) {
  std::vector<size_t> widths;
  for (const Row& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); i++) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const Row& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); i++) {
      if (i > 0) line += ' ';
      line += row[i];
      if (i + 1 < row.size()) line.append(widths[i] - row[i].size(), ' ');
    }
    out << line << '\n';
  }
}

std::string Join(const std::vector<std::string>& words, const char* separator) {
  std::string joined;
  for (const std::string& word : words) {
    if (!joined.empty()) joined += separator;
    joined += word;
  }
  return joined;
}

std::string NameCell(const DomainStatus& domain) {
  return domain.name ? EscapeForTerminal(*domain.name) : kAbsent;
}

// "guest-a (1)"; "? (7)" for a domain that a view lists but that has no home in XenStore.
std::string DomainLabel(const StatusReport& report, uint32_t domid) {
  const DomainStatus* domain = FindDomain(report, domid);
  const std::string name = domain == nullptr ? kInvalid : NameCell(*domain);
  return name + " (" + std::to_string(domid) + ")";
}

void PrintDomains(const StatusReport& report, std::ostream& out) {
  std::vector<Row> rows = {{"DOMID", "NAME", "CID", "GENERATION", "PEERS"}};
  for (const DomainStatus& domain : report.domains) {
    std::string generation = kAbsent;
    std::vector<std::string> peers;
    if (domain.view) {
      generation = domain.view->generation ? std::to_string(*domain.view->generation) : kInvalid;
      for (const ViewPeer& peer : domain.view->peers) peers.push_back(std::to_string(peer.domid));
    }
    rows.push_back({std::to_string(domain.domid), NameCell(domain), std::to_string(domain.cid),
                    generation, peers.empty() ? kAbsent : Join(peers, ",")});
  }
  PrintColumns(rows, out);
}

// One line per peer that a view lists or that has a rendezvous directory, since the two should
// go together and a line with a "-" shows where they do not.
void PrintViews(const StatusReport& report, std::ostream& out) {
  std::vector<Row> rows = {{"DOMID", "PEER", "CID", "RENDEZVOUS", "IP"}};
  for (const DomainStatus& domain : report.domains) {
    if (!domain.view) continue;
    const View& view = *domain.view;
    std::set<uint32_t> peers;
    for (const ViewPeer& peer : view.peers) peers.insert(peer.domid);
    for (const RendezvousDir& dir : view.rendezvous) peers.insert(dir.peer);
    for (const uint32_t peer_domid : peers) {
      std::string cid = kAbsent;
      std::string addresses = kAbsent;
      const auto peer =
          std::find_if(view.peers.begin(), view.peers.end(),
                       [peer_domid](const ViewPeer& p) { return p.domid == peer_domid; });
      if (peer != view.peers.end()) {
        cid = peer->cid ? std::to_string(*peer->cid) : kInvalid;
        if (peer->addresses && !peer->addresses->empty()) {
          std::vector<std::string> escaped;
          for (const std::string& address : *peer->addresses) {
            escaped.push_back(EscapeForTerminal(address));
          }
          addresses = Join(escaped, ",");
        }
      }
      std::string keys = kAbsent;
      for (const RendezvousDir& dir : view.rendezvous) {
        if (dir.peer == peer_domid) keys = std::to_string(dir.keys);
      }
      rows.push_back({std::to_string(domain.domid), std::to_string(peer_domid), cid, keys,
                      addresses});
    }
  }
  if (rows.size() == 1) return;  // no view lists anything: no table to show
  out << '\n';
  PrintColumns(rows, out);
}

void PrintPairs(const StatusReport& report, std::ostream& out) {
  out << "\npairs:\n";
  if (report.pairs.empty()) out << "  none\n";
  for (const DomainPair& pair : report.pairs) {
    const std::string a = DomainLabel(report, pair.a);
    const std::string b = DomainLabel(report, pair.b);
    out << "  " << a << " <-> " << b;
    if (pair.one_sided()) {
      out << "  one-sided: only " << (pair.a_lists_b ? a : b) << " lists "
          << (pair.a_lists_b ? b : a);
    }
    out << '\n';
  }
}

void PrintProblems(const StatusReport& report, std::ostream& out) {
  if (report.problems.empty()) return;
  out << "\nproblems:\n";
  for (const StatusProblem& problem : report.problems) {
    out << "  " << EscapeForTerminal(problem.path) << ": " << problem.what;
    if (problem.value) out << ": \"" << EscapeForTerminal(*problem.value) << '"';
    out << '\n';
  }
}

}  // namespace

void PrintStatusTable(const StatusReport& report, std::ostream& out) {
  PrintDomains(report, out);
  PrintViews(report, out);
  PrintPairs(report, out);
  PrintProblems(report, out);
}

}  // namespace yasmin
