// What yasmind needs of XenStore, as an interface: transactions that read nodes and apply
// xenstore_diff.h's operations.  xenstore_connection.h implements it over libxenstore; the
// unit tests implement it in memory, so that publishing (xenstore_publish.h) is tested
// without Xen.

#ifndef YASMIN_DOM0_BACKEND_XENSTORE_ACCESS_H_
#define YASMIN_DOM0_BACKEND_XENSTORE_ACCESS_H_

#include <memory>
#include <string>
#include <vector>

#include "xenstore_diff.h"
#include "xenstore_tree.h"

namespace yasmin {

// What one XenStore request came to.
enum class XsStatus {
  kOk,
  kNotFound,  // ENOENT: the node does not exist
  kConflict,  // EAGAIN: the transaction collided with another writer; start it again
  kFailed,    // anything else; the error text says what
};

// One XenStore transaction.  Destroying it without a successful Commit() abandons it, so an
// early return never leaves half of a change in XenStore.
class XsTransaction {
 public:
  virtual ~XsTransaction() = default;

  // The names (not paths) of path's children.
  virtual XsStatus Directory(const std::string& path, std::vector<std::string>* children,
                             std::string* error) = 0;
  // path's value, byte for byte: it may hold anything a domain wrote.
  virtual XsStatus Read(const std::string& path, std::string* value, std::string* error) = 0;
  virtual XsStatus GetAcl(const std::string& path, XsAcl* acl, std::string* error) = 0;
  virtual XsStatus Apply(const XsOperation& operation, std::string* error) = 0;
  // kConflict: nothing was applied and the caller should start again.
  virtual XsStatus Commit(std::string* error) = 0;
};

class XsStore {
 public:
  virtual ~XsStore() = default;

  // Returns nullptr and sets *error when no transaction can be started.
  virtual std::unique_ptr<XsTransaction> Begin(std::string* error) = 0;
};

}  // namespace yasmin

#endif  // YASMIN_DOM0_BACKEND_XENSTORE_ACCESS_H_
