#include "domain_table.h"

#include <algorithm>
#include <string>

namespace yasmin {
namespace {

// Written in place of a missing name so that every line keeps three fields for awk & co.
constexpr char kNoName[] = "-";

constexpr std::string::size_type kDomidWidth = 5;  // "domid", and the widest domid: 32751

// Padding by hand rather than with std::setw leaves the caller's stream flags alone.
std::string PadRight(std::string text, std::string::size_type width) {
  if (text.size() < width) text.resize(width, ' ');
  return text;
}

}  // namespace

void PrintDomainTable(const std::vector<Domain>& domains, std::ostream& out) {
  // The name column is as wide as the longest name, so the CIDs line up.
  std::string::size_type name_width = std::string("name").size();
  for (const Domain& domain : domains) {
    name_width = std::max(name_width, domain.name.size());
  }

  out << PadRight("domid", kDomidWidth) << ' ' << PadRight("name", name_width) << " cid\n";
  for (const Domain& domain : domains) {
    const std::string name = domain.name.empty() ? kNoName : domain.name;
    out << PadRight(std::to_string(domain.domid), kDomidWidth) << ' '
        << PadRight(name, name_width) << ' ' << domain.cid << '\n';
  }
}

}  // namespace yasmin
