#include "xenstore_connection.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "xenstore_acl.h"

namespace yasmin {
namespace {

// libxenstore hands back malloc()ed memory; this frees it on every path.
template <typename T>
using Malloced = std::unique_ptr<T, decltype(&std::free)>;

// Turns the errno of a failed libxenstore call into a status, and a message for kFailed.
XsStatus StatusFromErrno(int error_number, const char* what, const std::string& path,
                         std::string* error) {
  if (error_number == ENOENT) return XsStatus::kNotFound;
  if (error_number == EAGAIN) return XsStatus::kConflict;
  *error = std::string(what) + " " + path + ": " + std::strerror(error_number);
  return XsStatus::kFailed;
}

class Transaction : public XsTransaction {
 public:
  Transaction(struct xs_handle* handle, xs_transaction_t id) : handle_(handle), id_(id) {}
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction() override {
    if (!ended_) xs_transaction_end(handle_, id_, /*abort=*/true);
  }

  XsStatus Directory(const std::string& path, std::vector<std::string>* children,
                     std::string* error) override {
    unsigned int count = 0;
    // One allocation holds the array and the strings it points to.
    const Malloced<char*> names(xs_directory(handle_, id_, path.c_str(), &count), &std::free);
    if (names == nullptr) return StatusFromErrno(errno, "cannot list", path, error);
    children->assign(names.get(), names.get() + count);
    return XsStatus::kOk;
  }

  XsStatus Read(const std::string& path, std::string* value, std::string* error) override {
    unsigned int length = 0;
    const Malloced<void> data(xs_read(handle_, id_, path.c_str(), &length), &std::free);
    if (data == nullptr) return StatusFromErrno(errno, "cannot read", path, error);
    value->assign(static_cast<const char*>(data.get()), length);
    return XsStatus::kOk;
  }

  XsStatus GetAcl(const std::string& path, XsAcl* acl, std::string* error) override {
    unsigned int count = 0;
    const Malloced<struct xs_permissions> perms(
        xs_get_permissions(handle_, id_, path.c_str(), &count), &std::free);
    if (perms == nullptr) return StatusFromErrno(errno, "cannot get the ACL of", path, error);
    *acl = AclFromXs(perms.get(), count);
    return XsStatus::kOk;
  }

  XsStatus Apply(const XsOperation& operation, std::string* error) override {
    const char* path = operation.path.c_str();
    bool ok = false;
    switch (operation.kind) {
      case XsOperation::Kind::kRemove:
        ok = xs_rm(handle_, id_, path);
        break;
      case XsOperation::Kind::kMkdir:
        ok = xs_mkdir(handle_, id_, path);
        break;
      case XsOperation::Kind::kWrite:
        ok = xs_write(handle_, id_, path, operation.value.data(),
                      static_cast<unsigned int>(operation.value.size()));
        break;
      case XsOperation::Kind::kSetPerms: {
        std::vector<struct xs_permissions> perms = AclToXs(operation.acl);
        ok = xs_set_permissions(handle_, id_, path, perms.data(),
                                static_cast<unsigned int>(perms.size()));
        break;
      }
    }
    return ok ? XsStatus::kOk : StatusFromErrno(errno, "cannot change", operation.path, error);
  }

  XsStatus Commit(std::string* error) override {
    ended_ = true;  // whatever the outcome, the transaction id is spent
    if (xs_transaction_end(handle_, id_, /*abort=*/false)) return XsStatus::kOk;
    if (errno == EAGAIN) return XsStatus::kConflict;
    *error = std::string("cannot commit the XenStore transaction: ") + std::strerror(errno);
    return XsStatus::kFailed;
  }

 private:
  struct xs_handle* const handle_;
  const xs_transaction_t id_;
  bool ended_ = false;
};

}  // namespace

std::unique_ptr<XenStoreConnection> XenStoreConnection::Open(std::string* error) {
  struct xs_handle* handle = xs_open(0);
  if (handle == nullptr) {
    *error = std::string("cannot open XenStore (") + std::strerror(errno) +
             "); yasmind must run as root in dom0 with xenstored up";
    return nullptr;
  }
  return std::unique_ptr<XenStoreConnection>(new XenStoreConnection(handle));
}

XenStoreConnection::XenStoreConnection(struct xs_handle* handle) : handle_(handle) {}

XenStoreConnection::~XenStoreConnection() { xs_close(handle_); }

bool XenStoreConnection::Watch(const std::string& path, const std::string& token,
                               std::string* error) {
  if (xs_watch(handle_, path.c_str(), token.c_str())) return true;
  *error = "cannot watch " + path + ": " + std::strerror(errno);
  return false;
}

bool XenStoreConnection::Unwatch(const std::string& path, const std::string& token) {
  return xs_unwatch(handle_, path.c_str(), token.c_str());
}

int XenStoreConnection::watch_fd() const { return xs_fileno(handle_); }

void XenStoreConnection::TakeWatchEvents(std::vector<WatchEvent>* events) {
  // xenstore.h: after the fd became readable, call xs_check_watch() until it returns NULL.
  for (;;) {
    const Malloced<char*> event(xs_check_watch(handle_), &std::free);
    if (event == nullptr) return;
    events->push_back({event.get()[XS_WATCH_PATH], event.get()[XS_WATCH_TOKEN]});
  }
}

std::unique_ptr<XsTransaction> XenStoreConnection::Begin(std::string* error) {
  const xs_transaction_t id = xs_transaction_start(handle_);
  if (id == XBT_NULL) {
    *error = std::string("cannot start a XenStore transaction: ") + std::strerror(errno);
    return nullptr;
  }
  return std::make_unique<Transaction>(handle_, id);
}

}  // namespace yasmin
