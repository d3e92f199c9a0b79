// The devices module (门禁, 录像机 over signed webhooks) as the server runs it (api/module.hpp).
#pragma once

#include <memory>

#include "api/module.hpp"
#include "base/clock.hpp"
#include "modules/devices/devices.hpp"

namespace zhidu::devices {

std::unique_ptr<api::Module> MakeModule();
// The administration routes (/api/v1/integrations/sources) and the inbound event routes
// (/api/v1/integrations/{doors,recorders}/{source}/events); `d` null: they answer 503.
void AddRoutes(api::Router& router, Devices* d, const Clock* clock);

}  // namespace zhidu::devices
