#include "libxl_connection.h"

#include <cstdio>
#include <cstdlib>
#include <sstream>

extern "C" {
#include <libxl_utils.h>
}

#include "yasmin/contract.h"

namespace yasmin {
namespace {

// The stdio logger starts with the generic logger it implements; libxl only takes the
// generic one, and xl converts the same way.
xentoollog_logger* AsGenericLogger(xentoollog_logger_stdiostream* logger) {
  return reinterpret_cast<xentoollog_logger*>(logger);
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

// Owns a libxl_domain_config, so that every path disposes of it.
class DomainConfig {
 public:
  DomainConfig() { libxl_domain_config_init(&config_); }
  DomainConfig(const DomainConfig&) = delete;
  DomainConfig& operator=(const DomainConfig&) = delete;
  ~DomainConfig() { libxl_domain_config_dispose(&config_); }

  libxl_domain_config* get() { return &config_; }

 private:
  libxl_domain_config config_;
};

}  // namespace

std::unique_ptr<LibxlConnection> LibxlConnection::Open(xentoollog_level log_level,
                                                       std::string* error) {
  xentoollog_logger_stdiostream* logger = xtl_createlogger_stdiostream(stderr, log_level, 0);
  if (logger == nullptr) {
    *error = "cannot create a logger for libxl";
    return nullptr;
  }
  libxl_ctx* ctx = nullptr;
  if (libxl_ctx_alloc(&ctx, LIBXL_VERSION, 0, AsGenericLogger(logger)) != 0) {
    xtl_logger_destroy(AsGenericLogger(logger));
    *error = "cannot open libxl; yasmind must run as root in dom0 with the Xen toolstack up";
    return nullptr;
  }
  return std::unique_ptr<LibxlConnection>(new LibxlConnection(logger, ctx));
}

LibxlConnection::LibxlConnection(xentoollog_logger_stdiostream* logger, libxl_ctx* ctx)
    : logger_(logger), ctx_(ctx) {}

LibxlConnection::~LibxlConnection() {
  // The context logs through the logger until it is gone, so it goes first.
  libxl_ctx_free(ctx_);
  xtl_logger_destroy(AsGenericLogger(logger_));
}

void LibxlConnection::AppendVifAddresses(uint32_t domid, std::vector<std::string>* addresses) {
  DomainConfig config;
  if (libxl_retrieve_domain_configuration(ctx_, domid, config.get(), nullptr) != 0) return;
  const libxl_domain_config& c = *config.get();
  for (int i = 0; i < c.num_nics; i++) {
    if (c.nics[i].ip == nullptr) continue;
    // xl-network-configuration(5): "ip=" may list several addresses, separated by spaces.
    std::istringstream words(c.nics[i].ip);
    std::string address;
    while (words >> address) addresses->push_back(address);
  }
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
    DomainInfo domain;
    domain.domain.domid = info.domid;
    domain.domain.name = DomainName(ctx_, info.domid);
    domain.domain.cid = yasmin_cid_from_domid(static_cast<yasmin_u16>(info.domid));
    domain.uuid = UuidText(info.uuid);
    // dom0 was not built by libxl and has no stored configuration; asking would only make
    // libxl log an error.
    if (info.domid != 0) AppendVifAddresses(info.domid, &domain.addresses);
    result.push_back(domain);
  }
  domains->swap(result);
  return true;
}

}  // namespace yasmin
