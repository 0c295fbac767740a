// The contract header as C++ sees it: the CID scheme and the XenStore path formats.

#include "yasmin/contract.h"

#include <cstddef>
#include <cstdint>  // before xen/xen.h, which uses the fixed-width types without including them
#include <cstdio>
#include <string>

#include <linux/vm_sockets.h>
#include <xen/xen.h>

#include "gtest/gtest.h"

namespace {

// Room for any path, so that snprintf() measures the full length even when a path is too
// long for YASMIN_XS_PATH_MAX and the tests can say so.
constexpr size_t kRoomyPathSize = 256;

TEST(ContractTest, EveryValidDomidRoundTripsThroughItsCid) {
  for (uint32_t domid = 0; domid <= YASMIN_DOMID_MAX; domid++) {
    ASSERT_TRUE(yasmin_domid_is_valid(domid)) << "domid " << domid;
    const uint32_t cid = yasmin_cid_from_domid(static_cast<yasmin_u16>(domid));
    ASSERT_TRUE(yasmin_cid_is_valid(cid)) << "domid " << domid << " gave cid " << cid;
    ASSERT_EQ(domid, yasmin_domid_from_cid(cid)) << "cid " << cid;
  }
}

TEST(ContractTest, EveryValidCidRoundTripsThroughItsDomid) {
  for (uint32_t cid = YASMIN_CID_MIN; cid <= YASMIN_CID_MAX; cid++) {
    const uint16_t domid = yasmin_domid_from_cid(cid);
    ASSERT_TRUE(yasmin_domid_is_valid(domid)) << "cid " << cid << " gave domid " << domid;
    ASSERT_EQ(cid, yasmin_cid_from_domid(domid)) << "domid " << domid;
  }
}

TEST(ContractTest, Dom0IsTheVsockHost) {
  EXPECT_EQ(2u, yasmin_cid_from_domid(0));
  EXPECT_EQ(static_cast<uint32_t>(VMADDR_CID_HOST), yasmin_cid_from_domid(0));
  EXPECT_EQ(0u, yasmin_domid_from_cid(VMADDR_CID_HOST));
}

TEST(ContractTest, DomidRangeEndsBelowXensReservedDomids) {
  EXPECT_TRUE(yasmin_domid_is_valid(0));
  EXPECT_TRUE(yasmin_domid_is_valid(YASMIN_DOMID_MAX));
  EXPECT_FALSE(yasmin_domid_is_valid(YASMIN_DOMID_MAX + 1));
  EXPECT_FALSE(yasmin_domid_is_valid(DOMID_SELF));
  EXPECT_FALSE(yasmin_domid_is_valid(UINT32_MAX));
  EXPECT_EQ(static_cast<uint32_t>(DOMID_FIRST_RESERVED) - 1, YASMIN_DOMID_MAX);
}

TEST(ContractTest, CidsReservedByVsockAreInvalid) {
  EXPECT_FALSE(yasmin_cid_is_valid(0));
  EXPECT_FALSE(yasmin_cid_is_valid(1));
  EXPECT_FALSE(yasmin_cid_is_valid(VMADDR_CID_HYPERVISOR));
  EXPECT_FALSE(yasmin_cid_is_valid(VMADDR_CID_LOCAL));
  EXPECT_FALSE(yasmin_cid_is_valid(VMADDR_CID_ANY));
  EXPECT_TRUE(yasmin_cid_is_valid(2));
  EXPECT_TRUE(yasmin_cid_is_valid(YASMIN_CID_MAX));
  EXPECT_FALSE(yasmin_cid_is_valid(YASMIN_CID_MAX + 1));
  EXPECT_EQ(yasmin_cid_from_domid(YASMIN_DOMID_MAX), YASMIN_CID_MAX);
}

TEST(ContractTest, PathFormatsProduceTheDocumentedLayout) {
  char path[kRoomyPathSize];
  snprintf(path, sizeof(path), YASMIN_XS_HOME_FMT, 5u);
  EXPECT_STREQ("/local/domain/5", path);
  snprintf(path, sizeof(path), YASMIN_XS_DIR_FMT, 5u);
  EXPECT_STREQ("/local/domain/5/yasmin", path);
  snprintf(path, sizeof(path), YASMIN_XS_RENDEZVOUS_FMT, 5u, 7u);
  EXPECT_STREQ("/local/domain/5/yasmin/rendezvous/7", path);
  EXPECT_STREQ("yasmin/rendezvous", YASMIN_XS_RENDEZVOUS_DIR);
  EXPECT_STREQ("domid", YASMIN_XS_DOMID_NODE);
  snprintf(path, sizeof(path), YASMIN_XS_PEER_FMT "/" YASMIN_XS_PEER_CID, 5u, 7u);
  EXPECT_STREQ("/local/domain/5/yasmin/peers/7/cid", path);
  snprintf(path, sizeof(path), YASMIN_XS_PEER_FMT "/" YASMIN_XS_PEER_IP, 5u, 7u);
  EXPECT_STREQ("/local/domain/5/yasmin/peers/7/ip", path);
  snprintf(path, sizeof(path), YASMIN_XS_HOME_FMT "/" YASMIN_XS_GENERATION_NODE, 5u);
  EXPECT_STREQ("/local/domain/5/yasmin/generation", path);
}

// The widest valid domid has the most digits, so it gives each format's longest path.
TEST(ContractTest, LongestPathsFitInPathMax) {
  char path[kRoomyPathSize];
  const unsigned int widest = YASMIN_DOMID_MAX;

  // snprintf returns the length without the NUL, which must fit too.
  int length = snprintf(path, sizeof(path), YASMIN_XS_HOME_FMT "/" YASMIN_XS_DOMID_NODE, widest);
  EXPECT_LT(length, YASMIN_XS_PATH_MAX) << path;
  length = snprintf(path, sizeof(path), YASMIN_XS_DIR_FMT, widest);
  EXPECT_LT(length, YASMIN_XS_PATH_MAX) << path;
  length = snprintf(path, sizeof(path), YASMIN_XS_RENDEZVOUS_FMT, widest, widest);
  EXPECT_LT(length, YASMIN_XS_PATH_MAX) << path;
  EXPECT_EQ(std::string("/local/domain/32751/yasmin/rendezvous/32751"), path);
  length = snprintf(path, sizeof(path), YASMIN_XS_PEER_FMT "/" YASMIN_XS_PEER_CID, widest, widest);
  EXPECT_LT(length, YASMIN_XS_PATH_MAX) << path;
  length = snprintf(path, sizeof(path), YASMIN_XS_HOME_FMT "/" YASMIN_XS_GENERATION_NODE, widest);
  EXPECT_LT(length, YASMIN_XS_PATH_MAX) << path;
}

}  // namespace
