// yasmind's door to XenStore: xenstore_access.h over libxenstore.  Owns the xs_handle; each
// transaction owns its xs_transaction_t.  Nothing here decides anything: reading the tree and
// retrying live in xenstore_publish.h, where the unit tests reach them.

#ifndef YASMIN_DOM0_BACKEND_XENSTORE_CONNECTION_H_
#define YASMIN_DOM0_BACKEND_XENSTORE_CONNECTION_H_

#include <memory>
#include <string>
#include <vector>

// The Xen headers have no extern "C" guards of their own.
extern "C" {
#include <xenstore.h>
}

#include "xenstore_access.h"

namespace yasmin {

class XenStoreConnection : public XsStore {
 public:
  // Returns nullptr and sets *error when XenStore cannot be reached, typically because we
  // are not root in dom0 or xenstored is not running.
  static std::unique_ptr<XenStoreConnection> Open(std::string* error);

  XenStoreConnection(const XenStoreConnection&) = delete;
  XenStoreConnection& operator=(const XenStoreConnection&) = delete;
  ~XenStoreConnection() override;

  std::unique_ptr<XsTransaction> Begin(std::string* error) override;

  // Watches: XenStore reports path (and, for a path, every node below it) with the token
  // whenever it changes, and once when the watch is set.  Special paths like
  // "@introduceDomain" work too.  False and *error when xenstored refuses.
  bool Watch(const std::string& path, const std::string& token, std::string* error);
  bool Unwatch(const std::string& path, const std::string& token);

  // Readable when watch events wait; then call TakeWatchEvents().
  int watch_fd() const;

  struct WatchEvent {
    std::string path;
    std::string token;
  };
  // Moves every event that arrived so far into *events (appending); none may have.
  void TakeWatchEvents(std::vector<WatchEvent>* events);

 private:
  explicit XenStoreConnection(struct xs_handle* handle);

  struct xs_handle* const handle_;
};

}  // namespace yasmin

#endif  // YASMIN_DOM0_BACKEND_XENSTORE_CONNECTION_H_
