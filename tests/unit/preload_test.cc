// libyasmin.so is loaded with dlopen(), as the dynamic loader will load it through
// LD_PRELOAD, rather than linked: that also proves it has no unresolved symbols.

#include "yasmin_preload.h"

#include <dlfcn.h>

#include <string>

#include "gtest/gtest.h"

namespace {

class PreloadTest : public testing::Test {
 protected:
  void SetUp() override {
    library_ = dlopen(YASMIN_PRELOAD_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(nullptr, library_) << dlerror();
  }

  void TearDown() override {
    if (library_ != nullptr) dlclose(library_);
  }

  void* library_ = nullptr;
};

TEST_F(PreloadTest, ReportsTheProjectVersion) {
  using VersionFunction = decltype(&yasmin_preload_version);
  auto version = reinterpret_cast<VersionFunction>(dlsym(library_, "yasmin_preload_version"));
  ASSERT_NE(nullptr, version) << dlerror();
  EXPECT_EQ(std::string(YASMIN_VERSION), version());
}

}  // namespace
