// The rooms (休息室/宿舍) module as the server runs it (api/module.hpp).
#pragma once

#include <memory>

#include "api/module.hpp"
#include "modules/rooms/rooms.hpp"

namespace zhidu::rooms {

std::unique_ptr<api::Module> MakeModule();
// Its routes under /api/v1/rooms and /api/v1/room-keys; `rooms` null: they answer 503.
void AddRoutes(api::Router& router, Rooms* rooms);

}  // namespace zhidu::rooms
