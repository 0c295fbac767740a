// The table printed by `yasmind --once` (dom0-backend/domain_table.h).

#include "domain_table.h"

#include <sstream>
#include <vector>

#include "gtest/gtest.h"

namespace yasmin {
namespace {

std::string Print(const std::vector<Domain>& domains) {
  std::ostringstream out;
  PrintDomainTable(domains, out);
  return out.str();
}

TEST(DomainTableTest, NoDomainsPrintsOnlyTheHeader) {
  EXPECT_EQ("domid name cid\n", Print({}));
}

TEST(DomainTableTest, OneLinePerDomainWithAlignedColumns) {
  const std::vector<Domain> domains = {{0, "Domain-0", 2}, {7, "guest", 9}, {32751, "last", 32753}};
  EXPECT_EQ(
      "domid name     cid\n"
      "0     Domain-0 2\n"
      "7     guest    9\n"
      "32751 last     32753\n",
      Print(domains));
}

TEST(DomainTableTest, MissingNameIsPrintedAsADash) {
  EXPECT_EQ(
      "domid name cid\n"
      "3     -    5\n",
      Print({{3, "", 5}}));
}

}  // namespace
}  // namespace yasmin
