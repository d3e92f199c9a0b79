// The alarms module as the server runs it (api/module.hpp); listed once in src/app/modules.cpp.
#pragma once

#include <memory>

#include "api/module.hpp"

namespace zhidu::alarms {

std::unique_ptr<api::Module> MakeModule();

}  // namespace zhidu::alarms
