// The lounge shelf (休息室货架) module as the server runs it (api/module.hpp).
#pragma once

#include <memory>

#include "api/module.hpp"
#include "modules/shelf/shelf.hpp"

namespace zhidu::shelf {

std::unique_ptr<api::Module> MakeModule();
// Its routes under /api/v1/shelf; `shelf` null: they answer 503.
void AddRoutes(api::Router& router, Shelf* shelf);

}  // namespace zhidu::shelf
