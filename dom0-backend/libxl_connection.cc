#include "libxl_connection.h"

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>

extern "C" {
#include <libxl_utils.h>
}

#include "logger.h"
#include "yasmin/contract.h"

namespace yasmin {
namespace {

// libxl's levels, mapped onto ours; below `min` nothing is formatted at all.
bool ToLogLevel(xentoollog_level level, LogLevel* ours) {
  if (level >= XTL_ERROR) {
    *ours = LogLevel::kError;
  } else if (level >= XTL_WARN) {
    *ours = LogLevel::kWarn;
  } else {
    *ours = LogLevel::kDebug;  // libxl's "info" and below describe its own internals
  }
  return LogEnabled(*ours);
}

// Owns what libxl_list_domain() returns, so that every path out of ListDomains frees it.
class DominfoList {
 public:
  DominfoList(libxl_dominfo* list, int count) : list_(list), count_(count) {}
  DominfoList(const DominfoList&) = delete;
  DominfoList& operator=(const DominfoList&) = delete;
  ~DominfoList() {
    if (list_ != nullptr) libxl_dominfo_list_free(list_, count_);
  }

  const libxl_dominfo* begin() const { return list_; }
  const libxl_dominfo* end() const { return list_ + count_; }

 private:
  libxl_dominfo* const list_;
  const int count_;
};

// libxl_domid_to_name() hands back a malloc()ed string, or NULL when XenStore holds no name
// for the domain (it may have died since the list was taken): that is not an error.
std::string DomainName(libxl_ctx* ctx, uint32_t domid) {
  std::unique_ptr<char, decltype(&std::free)> name(libxl_domid_to_name(ctx, domid), &std::free);
  return name ? std::string(name.get()) : std::string();
}

// The UUID as libxl and xl print it: lower-case hex, 8-4-4-4-12.
std::string UuidText(const libxl_uuid& uuid) {
  char text[LIBXL_UUID_FMTLEN + 1];
  snprintf(text, sizeof(text), LIBXL_UUID_FMT, LIBXL_UUID_BYTES(uuid));
  return text;
}

}  // namespace

// xentoollog's interface: a struct of function pointers that libxl calls.  It comes first, so
// that a pointer to it is a pointer to the whole (xentoollog's own loggers work the same way).
struct LibxlConnection::Logger {
  xentoollog_logger vtable;

  Logger() {
    vtable.vmessage = &Message;
    vtable.progress = nullptr;  // libxl reports progress only for save/restore/migrate
    vtable.destroy = &Destroy;
  }

  static void Message(xentoollog_logger* /*logger*/, xentoollog_level level, int errnoval,
                      const char* context, const char* format, va_list args) {
    LogLevel ours;
    if (!ToLogLevel(level, &ours)) return;
    char text[1024];
    vsnprintf(text, sizeof(text), format, args);
    std::string message = std::string(context != nullptr ? context : "libxl") + ": " + text;
    if (errnoval >= 0) message += std::string(": ") + std::strerror(errnoval);
    Log(ours, message);
  }

  static void Destroy(xentoollog_logger* /*logger*/) {}  // owned by LibxlConnection
};

std::unique_ptr<LibxlConnection> LibxlConnection::Open(std::string* error) {
  auto logger = std::make_unique<Logger>();
  libxl_ctx* ctx = nullptr;
  if (libxl_ctx_alloc(&ctx, LIBXL_VERSION, 0, &logger->vtable) != 0) {
    *error = "cannot open libxl; yasmind must run as root in dom0 with the Xen toolstack up";
    return nullptr;
  }
  return std::unique_ptr<LibxlConnection>(new LibxlConnection(logger.release(), ctx));
}

LibxlConnection::LibxlConnection(Logger* logger, libxl_ctx* ctx) : logger_(logger), ctx_(ctx) {}

LibxlConnection::~LibxlConnection() {
  // The context logs through the logger until it is gone, so it goes first.
  libxl_ctx_free(ctx_);
  delete logger_;
}

bool LibxlConnection::ListDomains(std::vector<DomainInfo>* domains, std::string* error) {
  int count = 0;
  libxl_dominfo* list = libxl_list_domain(ctx_, &count);
  if (list == nullptr) {
    *error = "libxl cannot list the domains";
    return false;
  }
  const DominfoList infos(list, count);

  std::vector<DomainInfo> result;
  for (const libxl_dominfo& info : infos) {
    // Xen never reports a reserved domid for a real domain; if it ever does, the CID
    // arithmetic below would be wrong, so refuse rather than print nonsense.
    if (!yasmin_domid_is_valid(info.domid)) {
      *error = "libxl reported domid " + std::to_string(info.domid) +
               ", outside the valid range";
      return false;
    }
    // Destroyed, and only waiting for the last mappings of its pages to go: it will never
    // run again, so it leaves the views now rather than when Xen finally frees it.
    if (info.dying) continue;
    DomainInfo domain;
    domain.domain.domid = info.domid;
    domain.domain.name = DomainName(ctx_, info.domid);
    domain.domain.cid = yasmin_cid_from_domid(static_cast<yasmin_u16>(info.domid));
    domain.uuid = UuidText(info.uuid);
    result.push_back(domain);
  }
  domains->swap(result);
  return true;
}

}  // namespace yasmin
