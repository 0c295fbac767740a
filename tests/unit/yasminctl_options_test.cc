// yasminctl's command-line parsing (dom0-backend/yasminctl_options.h).

#include "yasminctl_options.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace yasmin {
namespace {

// Parses the given words as if they followed "yasminctl" on the command line.
ParsedCtlCommandLine Parse(std::vector<const char*> words) {
  words.insert(words.begin(), "yasminctl");
  return ParseCtlCommandLine(static_cast<int>(words.size()), words.data());
}

TEST(YasminctlOptionsTest, StatusPrintsTablesByDefault) {
  const ParsedCtlCommandLine parsed = Parse({"status"});
  ASSERT_TRUE(parsed.ok()) << parsed.error;
  EXPECT_EQ(CtlCommand::kStatus, parsed.options.command);
  EXPECT_FALSE(parsed.options.json);
  EXPECT_FALSE(parsed.options.show_help);
}

TEST(YasminctlOptionsTest, StatusJson) {
  const ParsedCtlCommandLine parsed = Parse({"status", "--json"});
  ASSERT_TRUE(parsed.ok()) << parsed.error;
  EXPECT_EQ(CtlCommand::kStatus, parsed.options.command);
  EXPECT_TRUE(parsed.options.json);
}

TEST(YasminctlOptionsTest, HelpAndVersion) {
  EXPECT_TRUE(Parse({"--help"}).options.show_help);
  EXPECT_TRUE(Parse({"--version"}).options.show_version);
  EXPECT_TRUE(Parse({"status", "--help"}).options.show_help);
  EXPECT_TRUE(Parse({"--help"}).ok());
}

TEST(YasminctlOptionsTest, ACommandIsRequired) {
  EXPECT_EQ("no command given", Parse({}).error);
  EXPECT_EQ("no command given", Parse({"--"}).error);
}

TEST(YasminctlOptionsTest, UnknownCommandsAndFlagsAreNamed) {
  EXPECT_NE(std::string::npos, Parse({"stats"}).error.find("unknown command 'stats'"));
  EXPECT_NE(std::string::npos, Parse({"--bogus"}).error.find("--bogus"));
  EXPECT_NE(std::string::npos, Parse({"status", "--bogus"}).error.find("--bogus"));
  // --json belongs to status, and the command comes first.
  EXPECT_NE(std::string::npos, Parse({"--json", "status"}).error.find("--json"));
  EXPECT_NE(std::string::npos, Parse({"--help", "status"}).error.find("'status'"));
}

TEST(YasminctlOptionsTest, StatusTakesNoArguments) {
  const ParsedCtlCommandLine parsed = Parse({"status", "guest-a"});
  EXPECT_NE(std::string::npos, parsed.error.find("unexpected argument 'guest-a'")) << parsed.error;
}

// A flag that becomes ambiguous when another is added must not break scripts silently.
TEST(YasminctlOptionsTest, AbbreviationsAreRefused) {
  EXPECT_FALSE(Parse({"status", "--js"}).ok());
  EXPECT_FALSE(Parse({"--vers"}).ok());
}

TEST(YasminctlOptionsTest, UsageNamesEveryCommandAndFlag) {
  const std::string usage = CtlUsageText();
  EXPECT_EQ(0u, usage.find("Usage: yasminctl status [--json]\n"));
  for (const char* word : {"status", "--json", "--help", "--version", "Exit status"}) {
    EXPECT_NE(std::string::npos, usage.find(word)) << word;
  }
  EXPECT_EQ('\n', usage.back());
}

}  // namespace
}  // namespace yasmin
