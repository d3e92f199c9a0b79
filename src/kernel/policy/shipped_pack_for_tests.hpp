// For unit tests only: the shipped pack (policies/cn-default of the source tree), loaded once.
// The test target defines ZHIDU_SOURCE_DIR; a pack that fails to load fails the test that asks.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <utility>

#include "kernel/policy/loader.hpp"

namespace zhidu::policy::testing {

inline const Pack& ShippedPack() {
  static Pack pack = [] {
    auto loaded = LoadPack(std::filesystem::path(ZHIDU_SOURCE_DIR) / "policies/cn-default");
    EXPECT_TRUE(loaded.has_value()) << (loaded ? "" : loaded.error().message);
    return loaded ? std::move(*loaded) : Pack{};
  }();
  return pack;
}

}  // namespace zhidu::policy::testing
