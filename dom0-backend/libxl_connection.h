// yasmind's door to the Xen toolstack: a thin wrapper over libxl that owns a libxl context
// and its logger, and turns libxl's data into yasmin's own types.

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

namespace yasmin {

class LibxlConnection {
 public:
  // Returns nullptr and sets *error when libxl cannot be opened, typically because we are not
  // root in dom0.  libxl's own messages at log_level and above go to stderr.
  static std::unique_ptr<LibxlConnection> Open(xentoollog_level log_level, std::string* error);

  LibxlConnection(const LibxlConnection&) = delete;
  LibxlConnection& operator=(const LibxlConnection&) = delete;
  ~LibxlConnection();

  // Replaces *domains with the domains that exist right now, dom0 included, with their UUIDs
  // and the addresses of their vifs' ip= settings (each may list several, separated by
  // spaces; they are passed on unchecked: desired_state.h drops invalid ones).  Labels stay
  // empty: libxl has no such setting, and where dom0 keeps them is not decided yet.  A domain
  // whose configuration libxl cannot retrieve (dom0, which has none, or one that died since
  // the list was taken) simply has no addresses.  Returns false and sets *error on failure.
  bool ListDomains(std::vector<DomainInfo>* domains, std::string* error);

 private:
  LibxlConnection(xentoollog_logger_stdiostream* logger, libxl_ctx* ctx);

  // Appends the addresses of domid's vifs to *addresses.
  void AppendVifAddresses(uint32_t domid, std::vector<std::string>* addresses);

  xentoollog_logger_stdiostream* const logger_;
  libxl_ctx* const ctx_;
};

}  // namespace yasmin

#endif  // YASMIN_DOM0_BACKEND_LIBXL_CONNECTION_H_
