// Loading the policy from the configuration file (dom0-backend/policy_file.h).

#include "policy_file.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "gtest/gtest.h"

namespace yasmin {
namespace {

DomainInfo Info(uint32_t domid, const std::string& name) {
  DomainInfo info;
  info.domain = {domid, name, domid + 2};
  return info;
}

// A scratch directory, removed with what the test put in it.
class PolicyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/yasmin-policy-file-test.XXXXXX";
    ASSERT_NE(nullptr, mkdtemp(pattern));
    dir_ = pattern;
  }
  void TearDown() override {
    std::remove(Path("yasmind.conf").c_str());
    rmdir(dir_.c_str());
  }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  std::string Write(const std::string& text) {
    const std::string path = Path("yasmind.conf");
    std::ofstream(path) << text;
    return path;
  }

  std::string dir_;
};

// A policy that lets nobody reach anybody: it tells a loaded file from the default.
Policy Closed() {
  ParsedPolicy parsed = ParsePolicy("default none\n");
  return parsed.policy;
}

TEST_F(PolicyFileTest, AMissingDefaultFileGivesTheOpenDefault) {
  Policy policy = Closed();
  std::string error;
  ASSERT_TRUE(LoadPolicyFile(Path("absent.conf"), /*required=*/false, &policy, &error))
      << error;
  EXPECT_TRUE(policy.MayReach(Info(1, "a"), Info(2, "b")));
}

TEST_F(PolicyFileTest, AMissingRequiredFileIsAnErrorNamingIt) {
  Policy policy;
  std::string error;
  EXPECT_FALSE(LoadPolicyFile(Path("absent.conf"), /*required=*/true, &policy, &error));
  EXPECT_NE(std::string::npos, error.find(Path("absent.conf"))) << error;
  EXPECT_NE(std::string::npos, error.find("No such file")) << error;
}

TEST_F(PolicyFileTest, TheFileIsParsed) {
  const std::string path = Write("group web name:web-*\nallow web web\n");
  Policy policy;
  std::string error;
  ASSERT_TRUE(LoadPolicyFile(path, /*required=*/true, &policy, &error)) << error;
  EXPECT_TRUE(policy.MayReach(Info(1, "web-1"), Info(2, "web-2")));
  EXPECT_FALSE(policy.MayReach(Info(1, "web-1"), Info(3, "db-1")));
}

TEST_F(PolicyFileTest, BadLinesAreReportedAsPathAndLineAndLeaveThePolicyAlone) {
  const std::string path = Write("# fine\nbogus line\ndefault maybe\n");
  Policy policy = Closed();
  std::string error;
  EXPECT_FALSE(LoadPolicyFile(path, /*required=*/false, &policy, &error));
  EXPECT_NE(std::string::npos, error.find(path + ":2: ")) << error;
  EXPECT_NE(std::string::npos, error.find(path + ":3: ")) << error;
  EXPECT_NE('\n', error.back());
  EXPECT_FALSE(policy.MayReach(Info(1, "a"), Info(2, "b")));
}

TEST_F(PolicyFileTest, ADirectoryIsNotAConfigurationFile) {
  Policy policy;
  std::string error;
  EXPECT_FALSE(LoadPolicyFile(dir_, /*required=*/false, &policy, &error));
  EXPECT_NE(std::string::npos, error.find(dir_)) << error;
}

}  // namespace
}  // namespace yasmin
