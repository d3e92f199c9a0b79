// Opens a fresh, empty store of a named backend for the conformance suite.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "store/store.hpp"

namespace zhidu::testing_support {

// "sqlite" always; "postgresql" too (it fails the tests when ZHIDU_TEST_PG_URL is unset and CI
// is set, and is skipped otherwise).
std::vector<std::string> Backends();
Result<std::unique_ptr<store::Store>> OpenFreshStore(const std::string& backend);

}  // namespace zhidu::testing_support
