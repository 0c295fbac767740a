#include "xenstore_diff.h"

#include <cctype>
#include <cstdint>

#include "yasmin/contract.h"

namespace yasmin {
namespace {

using Kind = XsOperation::Kind;

constexpr char kDomainsPrefix[] = "/local/domain/";

// Whether path is /local/domain/<decimal>/yasmin or below it: the only part of XenStore
// yasmind ever changes, whatever the trees it is given hold.
bool InScope(const std::string& path) {
  const std::string prefix = kDomainsPrefix;
  if (path.compare(0, prefix.size(), prefix) != 0) return false;
  size_t pos = prefix.size();
  const size_t digits_begin = pos;
  while (pos < path.size() && std::isdigit(static_cast<unsigned char>(path[pos]))) pos++;
  if (pos == digits_begin) return false;
  return IsAtOrBelow(path.substr(pos), "/" YASMIN_XS_DIR);
}

std::string Parent(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

// Whether a proper ancestor of path is a node whose owner writes below it.
bool BelowOwnerWritten(const XenStoreTree& desired, const std::string& path) {
  for (std::string ancestor = Parent(path); ancestor != "/"; ancestor = Parent(ancestor)) {
    const auto it = desired.find(ancestor);
    if (it != desired.end() && it->second.kind == XsNode::Kind::kOwnerWritten) return true;
  }
  return false;
}

// A generation counter as yasmind writes it: decimal, no sign, no leading zero, not 0.
bool ParseGeneration(const std::string& text, uint64_t* value) {
  if (text.empty() || text.size() > 20 || text[0] == '0') return false;
  uint64_t result = 0;
  for (unsigned char c : text) {
    if (!std::isdigit(c)) return false;
    const uint64_t digit = c - '0';
    if (result > (UINT64_MAX - digit) / 10) return false;
    result = result * 10 + digit;
  }
  *value = result;
  return true;
}

// Creates path with the given node's value and ACL.
void AddCreation(const std::string& path, const XsNode& node, std::vector<XsOperation>* ops) {
  if (node.value.empty()) {
    ops->push_back({Kind::kMkdir, path, "", {}});
  } else {
    ops->push_back({Kind::kWrite, path, node.value, {}});
  }
  ops->push_back({Kind::kSetPerms, path, "", node.acl});
}

// Whether an operation changes what a reader of the view at view_dir sees.
bool ChangesView(const XsOperation& op, const std::string& view_dir) {
  return op.kind != Kind::kSetPerms && IsAtOrBelow(op.path, view_dir);
}

}  // namespace

bool XsOperation::operator==(const XsOperation& other) const {
  return kind == other.kind && path == other.path && value == other.value && acl == other.acl;
}

std::string ToString(const XsOperation& operation) {
  switch (operation.kind) {
    case Kind::kRemove:
      return "rm " + operation.path;
    case Kind::kMkdir:
      return "mkdir " + operation.path;
    case Kind::kWrite:
      return "write " + operation.path + " " + operation.value;
    case Kind::kSetPerms:
      return "chmod " + operation.path + " " + AclToString(operation.acl);
  }
  return "?";  // unreachable: every Kind is handled above
}

std::vector<XsOperation> Diff(const XenStoreTree& current, const XenStoreTree& desired) {
  std::vector<XsOperation> ops;

  // 1. Removals.  PathLess puts a subtree right after its root, so remembering the last
  // removed root is enough to skip what its removal takes along.
  std::string removed_root;
  for (const auto& [path, node] : current) {
    if (!InScope(path)) continue;
    if (!removed_root.empty() && IsAtOrBelow(path, removed_root)) continue;
    if (desired.count(path) != 0 || BelowOwnerWritten(desired, path)) continue;
    ops.push_back({Kind::kRemove, path, "", {}});
    removed_root = path;
  }

  // 2. Creations and updates, parents first.
  for (const auto& [path, node] : desired) {
    if (!InScope(path) || node.kind == XsNode::Kind::kGeneration) continue;
    const auto found = current.find(path);
    if (found == current.end()) {
      AddCreation(path, node, &ops);
      continue;
    }
    if (node.kind == XsNode::Kind::kPlain && found->second.value != node.value) {
      ops.push_back({Kind::kWrite, path, node.value, {}});
    }
    if (found->second.acl != node.acl) ops.push_back({Kind::kSetPerms, path, "", node.acl});
  }

  // 3. Generation counters, last, so that a reader who sees a new one finds its view complete
  // even if the operations are ever applied outside one transaction.
  const size_t changes = ops.size();
  for (const auto& [path, node] : desired) {
    if (!InScope(path) || node.kind != XsNode::Kind::kGeneration) continue;
    const std::string view_dir = Parent(path);
    const auto found = current.find(path);
    uint64_t generation = 0;
    if (found == current.end() || !ParseGeneration(found->second.value, &generation)) {
      generation = 0;  // missing or not ours: start again
    } else {
      bool changed = false;
      for (size_t i = 0; i < changes && !changed; i++) changed = ChangesView(ops[i], view_dir);
      if (!changed) {
        if (found->second.acl != node.acl) ops.push_back({Kind::kSetPerms, path, "", node.acl});
        continue;
      }
    }
    // Wraps to 1, never 0, after 2^64 - 1 changes: only equality matters to readers.
    generation = generation == UINT64_MAX ? 1 : generation + 1;
    XsNode next = node;
    next.value = std::to_string(generation);
    if (found == current.end()) {
      AddCreation(path, next, &ops);
    } else {
      ops.push_back({Kind::kWrite, path, next.value, {}});
      if (found->second.acl != node.acl) ops.push_back({Kind::kSetPerms, path, "", node.acl});
    }
  }
  return ops;
}

void ApplyOperations(const std::vector<XsOperation>& operations, XenStoreTree* tree) {
  for (const XsOperation& operation : operations) {
    switch (operation.kind) {
      case XsOperation::Kind::kRemove:
        for (auto it = tree->lower_bound(operation.path);
             it != tree->end() && IsAtOrBelow(it->first, operation.path);) {
          it = tree->erase(it);
        }
        break;
      case XsOperation::Kind::kMkdir:
        (*tree)[operation.path];  // an existing node keeps its value, as with xs_mkdir
        break;
      case XsOperation::Kind::kWrite:
        (*tree)[operation.path].value = operation.value;
        break;
      case XsOperation::Kind::kSetPerms:
        (*tree)[operation.path].acl = operation.acl;
        break;
    }
  }
}

}  // namespace yasmin
