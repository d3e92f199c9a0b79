// The domain modules this server runs, in start order (a module that needs another's interface
// comes after it). Adding a module is one line in modules.cpp (docs/architecture.md).
#pragma once

#include <memory>
#include <vector>

#include "api/api.hpp"
#include "api/module.hpp"

namespace zhidu::app {

std::vector<std::unique_ptr<api::Module>> AllModules();
// Adds every module's routes and OpenAPI paths to `api` (after Start, or alone for `zhidu routes`).
Result<void> MountModules(std::vector<std::unique_ptr<api::Module>>& modules, api::Api& api);

}  // namespace zhidu::app
