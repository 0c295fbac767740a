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

  // Replaces *domains with the domains that exist right now, dom0 included.  Returns false
  // and sets *error on failure.
  bool ListDomains(std::vector<Domain>* domains, std::string* error);

 private:
  LibxlConnection(xentoollog_logger_stdiostream* logger, libxl_ctx* ctx);

  xentoollog_logger_stdiostream* const logger_;
  libxl_ctx* const ctx_;
};

}  // namespace yasmin

#endif  // YASMIN_DOM0_BACKEND_LIBXL_CONNECTION_H_
