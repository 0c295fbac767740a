// The files under dom0-backend/service/ that an administrator edits or copies: they must say
// what yasmind actually accepts.

#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "policy.h"
#include "policy_file.h"

namespace yasmin {
namespace {

const std::string kServiceDir = YASMIN_SOURCE_DIR "/dom0-backend/service/";

std::string ReadFile(const std::string& path) {
  std::ifstream file(path);
  EXPECT_TRUE(file.good()) << path;
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

// Installed as /etc/yasmin/yasmind.conf.example, meant to be copied: as it is, it must be a
// valid configuration that leaves the default policy alone.
TEST(ServiceFilesTest, TheExampleConfigurationIsValidAndAllComments) {
  const std::string path = kServiceDir + "yasmind.conf";
  Policy policy;
  std::string error;
  ASSERT_TRUE(LoadPolicyFile(path, /*required=*/true, &policy, &error)) << error;
  std::istringstream lines(ReadFile(path));
  for (std::string line; std::getline(lines, line);) {
    EXPECT_TRUE(line.empty() || line[0] == '#') << line;
  }
}

// Its example, uncommented, is what an administrator starts from: the indented lines after
// "# Example".
TEST(ServiceFilesTest, TheExampleInTheConfigurationParses) {
  std::istringstream lines(ReadFile(kServiceDir + "yasmind.conf"));
  std::string example;
  bool in_example = false;
  const std::string indent = "#   ";
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("# Example", 0) == 0) in_example = true;
    if (in_example && line.rfind(indent, 0) == 0) example += line.substr(indent.size()) + "\n";
  }
  ASSERT_FALSE(example.empty());
  const ParsedPolicy parsed = ParsePolicy(example);
  EXPECT_TRUE(parsed.ok()) << parsed.ErrorText("example") << example;
}

// Sourced by sh and read by systemd's EnvironmentFile=: only comments and NAME="value".
TEST(ServiceFilesTest, TheDefaultFileIsReadableByShAndSystemd) {
  std::istringstream lines(ReadFile(kServiceDir + "yasmind.default"));
  const std::regex assignment("^[A-Z_]+=\"[^\"$`\\\\]*\"$");
  int assignments = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    EXPECT_TRUE(std::regex_match(line, assignment)) << line;
    assignments++;
  }
  EXPECT_EQ(1, assignments);
}

}  // namespace
}  // namespace yasmin
