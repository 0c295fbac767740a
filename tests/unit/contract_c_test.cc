// The contract header compiled as C (contract_c.c) must behave exactly as it does in C++:
// the guest module sees the C version, yasmind the C++ one.

#include "contract_c.h"

#include <cstdint>

#include "gtest/gtest.h"
#include "yasmin/contract.h"

namespace {

TEST(ContractCTest, CAndCppAgreeOnEveryDomid) {
  for (uint32_t domid = 0; domid <= UINT16_MAX; domid++) {
    ASSERT_EQ(yasmin_domid_is_valid(domid), contract_c_domid_is_valid(domid)) << domid;
    if (!yasmin_domid_is_valid(domid)) continue;
    const uint16_t valid_domid = static_cast<uint16_t>(domid);
    ASSERT_EQ(yasmin_cid_from_domid(valid_domid), contract_c_cid_from_domid(valid_domid))
        << domid;
  }
}

TEST(ContractCTest, CAndCppAgreeOnEveryCid) {
  for (uint32_t cid = 0; cid <= UINT16_MAX + YASMIN_CID_OFFSET + 1; cid++) {
    ASSERT_EQ(yasmin_cid_is_valid(cid), contract_c_cid_is_valid(cid)) << cid;
    if (!yasmin_cid_is_valid(cid)) continue;
    ASSERT_EQ(yasmin_domid_from_cid(cid), contract_c_domid_from_cid(cid)) << cid;
  }
}

TEST(ContractCTest, CFormatsTheRendezvousPath) {
  char path[YASMIN_XS_PATH_MAX];
  const int length = contract_c_format_rendezvous_path(path, sizeof(path), 3, 12);
  EXPECT_STREQ("/local/domain/3/yasmin/rendezvous/12", path);
  EXPECT_EQ(36, length);
}

}  // namespace
