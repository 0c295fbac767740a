// yasmind's command-line parsing (dom0-backend/options.h).

#include "options.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace yasmin {
namespace {

// Parses the given flags as if they followed "yasmind" on the command line.
ParsedCommandLine Parse(std::vector<const char*> flags) {
  flags.insert(flags.begin(), "yasmind");
  return ParseCommandLine(static_cast<int>(flags.size()), flags.data());
}

TEST(OptionsTest, NoFlagsGiveTheDefaults) {
  const ParsedCommandLine parsed = Parse({});
  ASSERT_TRUE(parsed.ok()) << parsed.error;
  EXPECT_EQ("/etc/yasmin/yasmind.conf", parsed.options.config_path);
  EXPECT_FALSE(parsed.options.config_given);
  EXPECT_FALSE(parsed.options.foreground);
  EXPECT_EQ(LogLevel::kInfo, parsed.options.log_level);
  EXPECT_FALSE(parsed.options.once);
  EXPECT_FALSE(parsed.options.dry_run);
  EXPECT_FALSE(parsed.options.show_help);
  EXPECT_FALSE(parsed.options.show_version);
  EXPECT_EQ("/run/yasmind.pid", parsed.options.pid_file);
  EXPECT_FALSE(parsed.options.pid_file_given);
}

TEST(OptionsTest, EveryFlagIsParsed) {
  const ParsedCommandLine parsed = Parse({"--config", "/tmp/test.conf", "--foreground",
                                          "--log-level", "debug", "--once", "--dry-run"});
  ASSERT_TRUE(parsed.ok()) << parsed.error;
  EXPECT_EQ("/tmp/test.conf", parsed.options.config_path);
  EXPECT_TRUE(parsed.options.foreground);
  EXPECT_EQ(LogLevel::kDebug, parsed.options.log_level);
  EXPECT_TRUE(parsed.options.once);
  EXPECT_TRUE(parsed.options.dry_run);
  EXPECT_FALSE(parsed.options.show_help);
}

// A missing file is an error only when --config named it (policy_file.h), so the options
// tell a given path from the default, even when the two are the same.
TEST(OptionsTest, AGivenConfigIsToldFromTheDefault) {
  const ParsedCommandLine given = Parse({"--config", "/tmp/test.conf"});
  ASSERT_TRUE(given.ok()) << given.error;
  EXPECT_TRUE(given.options.config_given);

  const ParsedCommandLine same_as_default = Parse({"--config=/etc/yasmin/yasmind.conf"});
  ASSERT_TRUE(same_as_default.ok()) << same_as_default.error;
  EXPECT_TRUE(same_as_default.options.config_given);

  const ParsedCommandLine other_flags = Parse({"--once", "--dry-run"});
  ASSERT_TRUE(other_flags.ok()) << other_flags.error;
  EXPECT_FALSE(other_flags.options.config_given);
}

// With --foreground a pid file is written only when asked for, so the options tell a given
// one from the default.
TEST(OptionsTest, AGivenPidFileIsToldFromTheDefault) {
  const ParsedCommandLine given = Parse({"--foreground", "--pidfile", "/tmp/y.pid"});
  ASSERT_TRUE(given.ok()) << given.error;
  EXPECT_EQ("/tmp/y.pid", given.options.pid_file);
  EXPECT_TRUE(given.options.pid_file_given);
}

TEST(OptionsTest, EmptyPidFileIsRejected) {
  const ParsedCommandLine parsed = Parse({"--pidfile="});
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(std::string::npos, parsed.error.find("--pidfile")) << parsed.error;
}

TEST(OptionsTest, ValuesMayBeJoinedWithEquals) {
  const ParsedCommandLine parsed = Parse({"--config=/tmp/other.conf", "--log-level=warn"});
  ASSERT_TRUE(parsed.ok()) << parsed.error;
  EXPECT_EQ("/tmp/other.conf", parsed.options.config_path);
  EXPECT_EQ(LogLevel::kWarn, parsed.options.log_level);
}

TEST(OptionsTest, EveryLogLevelIsAccepted) {
  const struct {
    const char* name;
    LogLevel level;
  } cases[] = {{"error", LogLevel::kError},
               {"warn", LogLevel::kWarn},
               {"info", LogLevel::kInfo},
               {"debug", LogLevel::kDebug}};
  for (const auto& c : cases) {
    const ParsedCommandLine parsed = Parse({"--log-level", c.name});
    ASSERT_TRUE(parsed.ok()) << c.name << ": " << parsed.error;
    EXPECT_EQ(c.level, parsed.options.log_level) << c.name;
  }
}

TEST(OptionsTest, UnknownFlagIsRejectedByName) {
  const ParsedCommandLine parsed = Parse({"--once", "--bogus"});
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(std::string::npos, parsed.error.find("--bogus")) << parsed.error;
}

TEST(OptionsTest, BadLogLevelIsRejectedWithTheValidOnes) {
  const ParsedCommandLine parsed = Parse({"--log-level", "loud"});
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(std::string::npos, parsed.error.find("'loud'")) << parsed.error;
  EXPECT_NE(std::string::npos, parsed.error.find("error, warn, info or debug")) << parsed.error;
}

TEST(OptionsTest, LogLevelIsCaseSensitive) {
  EXPECT_FALSE(Parse({"--log-level", "DEBUG"}).ok());
}

TEST(OptionsTest, MissingValueIsRejected) {
  const ParsedCommandLine parsed = Parse({"--config"});
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(std::string::npos, parsed.error.find("config")) << parsed.error;
}

TEST(OptionsTest, AbbreviatedFlagIsRejected) {
  EXPECT_FALSE(Parse({"--fore"}).ok());
}

TEST(OptionsTest, StrayArgumentIsRejectedByName) {
  const ParsedCommandLine parsed = Parse({"--once", "stray"});
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(std::string::npos, parsed.error.find("'stray'")) << parsed.error;
}

TEST(OptionsTest, SwitchTakesNoValue) {
  EXPECT_FALSE(Parse({"--once=yes"}).ok());
}

TEST(OptionsTest, HelpIsRecognised) {
  const ParsedCommandLine parsed = Parse({"--help"});
  ASSERT_TRUE(parsed.ok()) << parsed.error;
  EXPECT_TRUE(parsed.options.show_help);
  EXPECT_FALSE(parsed.options.show_version);
}

TEST(OptionsTest, VersionIsRecognised) {
  const ParsedCommandLine parsed = Parse({"--version"});
  ASSERT_TRUE(parsed.ok()) << parsed.error;
  EXPECT_TRUE(parsed.options.show_version);
  EXPECT_FALSE(parsed.options.show_help);
}

TEST(OptionsTest, UsageTextNamesEveryFlagAndTheDefaults) {
  const std::string usage = UsageText();
  for (const char* flag : {"--config", "--foreground", "--pidfile", "--log-level", "--once",
                           "--dry-run", "--help", "--version"}) {
    EXPECT_NE(std::string::npos, usage.find(flag)) << flag << " missing from:\n" << usage;
  }
  EXPECT_NE(std::string::npos, usage.find("/etc/yasmin/yasmind.conf")) << usage;
  EXPECT_NE(std::string::npos, usage.find("(=info)")) << usage;
  EXPECT_NE(std::string::npos, usage.find("/run/yasmind.pid")) << usage;
}

}  // namespace
}  // namespace yasmin
