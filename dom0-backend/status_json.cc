#include "status_json.h"

#include <nlohmann/json.hpp>

namespace yasmin {
namespace {

// Keys in the order they are written, domid first, rather than alphabetically: people read
// this too.
using json = nlohmann::ordered_json;

// Absent or invalid values are null rather than left out, so that every object of a kind has
// the same keys and a consumer need not ask whether a key exists.
template <typename T>
json OrNull(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

json PeerJson(const ViewPeer& peer) {
  return {{"domid", peer.domid}, {"cid", OrNull(peer.cid)}, {"ip", OrNull(peer.addresses)}};
}

json ViewJson(const View& view) {
  json peers = json::array();
  for (const ViewPeer& peer : view.peers) peers.push_back(PeerJson(peer));
  json rendezvous = json::array();
  for (const RendezvousDir& dir : view.rendezvous) {
    rendezvous.push_back(json{{"peer", dir.peer}, {"keys", dir.keys}});
  }
  return {{"generation", OrNull(view.generation)},
          {"peers", std::move(peers)},
          {"rendezvous", std::move(rendezvous)}};
}

json DomainJson(const DomainStatus& domain) {
  return {{"domid", domain.domid},
          {"name", OrNull(domain.name)},
          {"cid", domain.cid},
          {"view", domain.view ? ViewJson(*domain.view) : json(nullptr)}};
}

json PairJson(const DomainPair& pair) {
  json listed_by = json::array();
  if (pair.a_lists_b) listed_by.push_back(pair.a);
  if (pair.b_lists_a) listed_by.push_back(pair.b);
  return {{"domids", {pair.a, pair.b}},
          {"one_sided", pair.one_sided()},
          {"listed_by", std::move(listed_by)}};
}

json ProblemJson(const StatusProblem& problem) {
  return {{"path", problem.path}, {"problem", problem.what}, {"value", OrNull(problem.value)}};
}

}  // namespace

std::string FormatStatusJson(const StatusReport& report) {
  json domains = json::array();
  for (const DomainStatus& domain : report.domains) domains.push_back(DomainJson(domain));
  json pairs = json::array();
  for (const DomainPair& pair : report.pairs) pairs.push_back(PairJson(pair));
  json problems = json::array();
  for (const StatusProblem& problem : report.problems) problems.push_back(ProblemJson(problem));

  const json document = {{"domains", std::move(domains)},
                         {"pairs", std::move(pairs)},
                         {"problems", std::move(problems)}};
  // replace: a name or value that is not UTF-8 must not make dump() throw, nor produce output
  // that no JSON parser accepts.
  return document.dump(2, ' ', /*ensure_ascii=*/false, json::error_handler_t::replace) + "\n";
}

}  // namespace yasmin
