// The mapping between libxenstore's permission arrays and XsAcl (dom0-backend/xenstore_acl.h).

#include "xenstore_acl.h"

#include <vector>

#include "gtest/gtest.h"

namespace yasmin {
namespace {

using Access = XsPermission::Access;

TEST(XenStoreAclTest, EveryAccessMapsFromItsBits) {
  const struct xs_permissions perms[] = {{5, XS_PERM_NONE},
                                         {6, XS_PERM_READ},
                                         {7, XS_PERM_WRITE},
                                         {8, XS_PERM_READ | XS_PERM_WRITE}};
  const XsAcl expected = {
      {5, Access::kNone}, {6, Access::kRead}, {7, Access::kWrite}, {8, Access::kBoth}};
  EXPECT_EQ(expected, AclFromXs(perms, 4));
}

// XS_PERM_OWNER, XS_PERM_ENOENT_OK and XS_PERM_IGNORE are xenstored's own bookkeeping.
TEST(XenStoreAclTest, InternalFlagsDoNotMeanAccess) {
  const struct xs_permissions perms[] = {
      {0, XS_PERM_OWNER | XS_PERM_ENOENT_OK | XS_PERM_IGNORE},
      {3, XS_PERM_READ | XS_PERM_OWNER}};
  const XsAcl expected = {{0, Access::kNone}, {3, Access::kRead}};
  EXPECT_EQ(expected, AclFromXs(perms, 2));
}

TEST(XenStoreAclTest, AnEmptyArrayIsAnEmptyAcl) {
  EXPECT_TRUE(AclFromXs(nullptr, 0).empty());
}

TEST(XenStoreAclTest, OrderAndDomidsSurviveTheRoundTrip) {
  const XsAcl acl = {{7, Access::kNone}, {0, Access::kBoth}, {32751, Access::kRead},
                     {3, Access::kWrite}};
  const std::vector<struct xs_permissions> perms = AclToXs(acl);
  ASSERT_EQ(4u, perms.size());
  EXPECT_EQ(7u, perms[0].id);
  EXPECT_EQ(static_cast<unsigned int>(XS_PERM_NONE), perms[0].perms);
  EXPECT_EQ(static_cast<unsigned int>(XS_PERM_READ | XS_PERM_WRITE), perms[1].perms);
  EXPECT_EQ(32751u, perms[2].id);
  EXPECT_EQ(static_cast<unsigned int>(XS_PERM_READ), perms[2].perms);
  EXPECT_EQ(static_cast<unsigned int>(XS_PERM_WRITE), perms[3].perms);
  EXPECT_EQ(acl, AclFromXs(perms.data(), static_cast<unsigned int>(perms.size())));
}

}  // namespace
}  // namespace yasmin
