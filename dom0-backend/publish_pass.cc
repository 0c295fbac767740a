#include "publish_pass.h"

#include <memory>

#include "desired_state.h"
#include "guest_addresses.h"
#include "xenstore_domain_facts.h"
#include "xenstore_publish.h"

namespace yasmin {

bool RunPublishPass(DomainSource* source, XsStore* store, const Policy& policy, bool dry_run,
                    XenStoreTree* known, PassResult* result, std::string* error) {
  PassResult pass;
  if (!source->ListDomains(&pass.domains, error)) return false;
  // A read-only transaction of its own, abandoned: the facts need not be read in the
  // publishing transaction, whose retries would only read them again.  (That one checks
  // again that each home exists: xenstore_publish.h.)
  const std::unique_ptr<XsTransaction> transaction = store->Begin(error);
  if (transaction == nullptr) return false;
  std::vector<Announcement> announcements;
  const XsStatus status =
      ReadDomainFacts(transaction.get(), policy, &pass.domains, &announcements, error);
  if (status == XsStatus::kConflict) *error = "XenStore busy while reading the domains";
  if (status != XsStatus::kOk) return false;
  pass.rejected_addresses = MergeGuestAddresses(announcements, policy, &pass.domains);
  const XenStoreTree desired = ComputeDesiredState(pass.domains, policy);
  if (!Publish(store, desired, dry_run, kPublishAttempts, known, &pass.operations, error)) {
    return false;
  }
  *result = std::move(pass);
  return true;
}

}  // namespace yasmin
