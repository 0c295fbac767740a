// The preload's environment variables (preload/env_config.h) and its debug log
// (preload/debug_log.h).

#include "env_config.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "debug_log.h"
#include "gtest/gtest.h"
#include "yasmin/contract.h"

namespace yasmin {
namespace preload {
namespace {

EnvConfig Parse(const std::map<std::string, std::string>& environment) {
  return ParseEnvConfig([&environment](const char* name) -> const char* {
    const auto found = environment.find(name);
    return found == environment.end() ? nullptr : found->second.c_str();
  });
}

TEST(EnvConfigTest, Defaults) {
  const EnvConfig config = Parse({});
  EXPECT_FALSE(config.disabled);
  EXPECT_FALSE(config.debug);
  EXPECT_EQ("", config.debug_file);
  EXPECT_EQ(1000u, config.view_max_age_ms);
  EXPECT_EQ(YASMIN_VIEW_PROC_PATH, config.view_file);
  EXPECT_TRUE(config.warnings.empty());
}

TEST(EnvConfigTest, Booleans) {
  for (const char* yes : {"1", "true", "TRUE", "yes", "Yes", "on", "ON"}) {
    const EnvConfig config = Parse({{"YASMIN_DISABLE", yes}, {"YASMIN_DEBUG", yes}});
    EXPECT_TRUE(config.disabled) << yes;
    EXPECT_TRUE(config.debug) << yes;
    EXPECT_TRUE(config.warnings.empty()) << yes;
  }
  for (const char* no : {"", "0", "false", "False", "no", "NO", "off"}) {
    const EnvConfig config = Parse({{"YASMIN_DISABLE", no}, {"YASMIN_DEBUG", no}});
    EXPECT_FALSE(config.disabled) << no;
    EXPECT_FALSE(config.debug) << no;
    EXPECT_TRUE(config.warnings.empty()) << no;
  }
}

TEST(EnvConfigTest, AnUnknownBooleanCountsAsSetWithAWarning) {
  const EnvConfig config = Parse({{"YASMIN_DISABLE", "y"}, {"YASMIN_DEBUG", "2"}});
  EXPECT_TRUE(config.disabled);
  EXPECT_TRUE(config.debug);
  ASSERT_EQ(2u, config.warnings.size());
  EXPECT_NE(std::string::npos, config.warnings[0].find("YASMIN_DISABLE=\"y\""));
  EXPECT_NE(std::string::npos, config.warnings[1].find("YASMIN_DEBUG=\"2\""));
}

TEST(EnvConfigTest, MaxAge) {
  EXPECT_EQ(0u, Parse({{"YASMIN_VIEW_MAX_AGE_MS", "0"}}).view_max_age_ms);
  EXPECT_EQ(250u, Parse({{"YASMIN_VIEW_MAX_AGE_MS", "250"}}).view_max_age_ms);
  EXPECT_EQ(3600000u, Parse({{"YASMIN_VIEW_MAX_AGE_MS", "3600000"}}).view_max_age_ms);
  EXPECT_EQ(1000u, Parse({{"YASMIN_VIEW_MAX_AGE_MS", ""}}).view_max_age_ms);
  for (const char* bad : {"-1", "1.5", "1s", " 5", "3600001", "99999999999999999999999", "x"}) {
    const EnvConfig config = Parse({{"YASMIN_VIEW_MAX_AGE_MS", bad}});
    EXPECT_EQ(1000u, config.view_max_age_ms) << bad;
    ASSERT_EQ(1u, config.warnings.size()) << bad;
    EXPECT_NE(std::string::npos, config.warnings[0].find("YASMIN_VIEW_MAX_AGE_MS"));
    EXPECT_EQ(std::string::npos, config.warnings[0].find('\n'));
  }
}

TEST(EnvConfigTest, Paths) {
  const EnvConfig config =
      Parse({{"YASMIN_VIEW_FILE", "/tmp/view"}, {"YASMIN_DEBUG_FILE", "/tmp/yasmin.log"}});
  EXPECT_EQ("/tmp/view", config.view_file);
  EXPECT_EQ("/tmp/yasmin.log", config.debug_file);
  EXPECT_TRUE(config.warnings.empty());

  const EnvConfig relative =
      Parse({{"YASMIN_VIEW_FILE", "view"}, {"YASMIN_DEBUG_FILE", "yasmin.log"}});
  EXPECT_EQ(YASMIN_VIEW_PROC_PATH, relative.view_file);
  EXPECT_EQ("", relative.debug_file);
  EXPECT_EQ(2u, relative.warnings.size());

  EXPECT_EQ(YASMIN_VIEW_PROC_PATH, Parse({{"YASMIN_VIEW_FILE", ""}}).view_file);
}

TEST(EnvConfigTest, LoadReadsTheProcessEnvironment) {
  setenv("YASMIN_VIEW_MAX_AGE_MS", "17", 1);
  const EnvConfig config = LoadEnvConfig();
  unsetenv("YASMIN_VIEW_MAX_AGE_MS");
  EXPECT_EQ(17u, config.view_max_age_ms);
}

class DebugLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/yasmin-debug-log-test.XXXXXX";
    ASSERT_NE(nullptr, mkdtemp(pattern));
    dir_ = pattern;
    file_ = dir_ + "/debug.log";
  }
  void TearDown() override {
    std::remove(file_.c_str());
    rmdir(dir_.c_str());
  }

  std::string Contents() const {
    std::ifstream in(file_);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  std::string dir_;
  std::string file_;
};

TEST_F(DebugLogTest, OffWritesNothing) {
  const DebugLog log(false, file_);
  log.Printf("hello %d", 1);
  EXPECT_EQ(nullptr, std::fopen(file_.c_str(), "r"));
}

TEST_F(DebugLogTest, AppendsPrefixedLinesAndKeepsErrno) {
  const DebugLog log(true, file_);
  errno = EAGAIN;
  log.Printf("connect to %s: %s", "10.0.0.12", "vsock");
  EXPECT_EQ(EAGAIN, errno);
  log.Printf("second");
  const std::string prefix = "yasmin[" + std::to_string(getpid()) + "]: ";
  EXPECT_EQ(prefix + "connect to 10.0.0.12: vsock\n" + prefix + "second\n", Contents());
}

TEST_F(DebugLogTest, ALongLineIsCutButEnded) {
  const DebugLog log(true, file_);
  log.Printf("%s", std::string(2000, 'x').c_str());
  const std::string text = Contents();
  EXPECT_EQ(DebugLog::kMaxLineBytes, text.size());
  EXPECT_EQ('\n', text.back());
}

}  // namespace
}  // namespace preload
}  // namespace yasmin
