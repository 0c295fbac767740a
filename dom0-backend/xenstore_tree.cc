#include "xenstore_tree.h"

#include <algorithm>
#include <cctype>

namespace yasmin {
namespace {

char AccessLetter(XsPermission::Access access) {
  switch (access) {
    case XsPermission::Access::kNone:
      return 'n';
    case XsPermission::Access::kRead:
      return 'r';
    case XsPermission::Access::kWrite:
      return 'w';
    case XsPermission::Access::kBoth:
      return 'b';
  }
  return '?';  // unreachable: every Access is handled above
}

bool IsDecimal(const std::string& text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) {
    return std::isdigit(c) != 0;
  });
}

// Compares two path components; decimal ones by value (a shorter one is smaller, given no
// leading zeros, and XenStore's domids have none).
int CompareComponents(const std::string& a, const std::string& b) {
  if (IsDecimal(a) && IsDecimal(b) && a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  return a.compare(b);
}

// The next component of path from *pos on, moving *pos past it and its '/'.
std::string NextComponent(const std::string& path, size_t* pos) {
  const size_t end = std::min(path.find('/', *pos), path.size());
  std::string component = path.substr(*pos, end - *pos);
  *pos = end + 1;
  return component;
}

}  // namespace

std::string AclToString(const XsAcl& acl) {
  std::string text;
  for (const XsPermission& permission : acl) {
    if (!text.empty()) text += ',';
    text += AccessLetter(permission.access);
    text += std::to_string(permission.domid);
  }
  return text;
}

bool PathLess::operator()(const std::string& a, const std::string& b) const {
  size_t pos_a = 0;
  size_t pos_b = 0;
  while (pos_a <= a.size() && pos_b <= b.size()) {
    const int order = CompareComponents(NextComponent(a, &pos_a), NextComponent(b, &pos_b));
    if (order != 0) return order < 0;
  }
  // One is a prefix of the other, component-wise: the parent comes first.
  return pos_a > a.size() && pos_b <= b.size();
}

bool IsAtOrBelow(const std::string& path, const std::string& ancestor) {
  return path.compare(0, ancestor.size(), ancestor) == 0 &&
         (path.size() == ancestor.size() || path[ancestor.size()] == '/');
}

}  // namespace yasmin
