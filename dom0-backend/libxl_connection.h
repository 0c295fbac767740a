// yasmind's door to the Xen toolstack: a thin wrapper over libxl that owns a libxl context
// and its logger, and turns libxl's data into yasmin's own types.  libxl's messages go to
// yasmind's log (logger.h).

#ifndef YASMIN_DOM0_BACKEND_LIBXL_CONNECTION_H_
#define YASMIN_DOM0_BACKEND_LIBXL_CONNECTION_H_

#include <memory>
#include <string>
#include <vector>

// The Xen headers have no extern "C" guards of their own.
extern "C" {
#include <libxl.h>
#include <xentoollog.h>
}

#include "domain.h"
#include "domain_source.h"

namespace yasmin {

class LibxlConnection : public DomainSource {
 public:
  // Returns nullptr and sets *error when libxl cannot be opened, typically because we are not
  // root in dom0.  libxl's own messages go to the log: errors and warnings as such, the rest
  // (libxl is chatty about its internals) only at LogLevel::kDebug.
  static std::unique_ptr<LibxlConnection> Open(std::string* error);

  LibxlConnection(const LibxlConnection&) = delete;
  LibxlConnection& operator=(const LibxlConnection&) = delete;
  ~LibxlConnection() override;

  // Replaces *domains with the domains that exist right now and are not dying (destroyed,
  // waiting only for the last mappings of their pages to go), dom0 included, with their names
  // and UUIDs.  Addresses come from XenStore (xenstore_domain_facts.h); labels stay empty: libxl has
  // no such setting, and where dom0 keeps them is not decided yet.  Returns false and sets
  // *error on failure.
  bool ListDomains(std::vector<DomainInfo>* domains, std::string* error) override;

 private:
  struct Logger;  // a xentoollog_logger that writes to yasmind's log

  LibxlConnection(Logger* logger, libxl_ctx* ctx);

  Logger* const logger_;
  libxl_ctx* const ctx_;
};

}  // namespace yasmin

#endif  // YASMIN_DOM0_BACKEND_LIBXL_CONNECTION_H_
