// The lost-and-found (失物招领) module as the server runs it (api/module.hpp).
#pragma once

#include <memory>

#include "api/module.hpp"
#include "modules/lostfound/lostfound.hpp"

namespace zhidu::lostfound {

std::unique_ptr<api::Module> MakeModule();
// Its routes under /api/v1/lost-items; `lf` null: they answer 503.
void AddRoutes(api::Router& router, LostAndFound* lf);

}  // namespace zhidu::lostfound
