// The VIP lounge (贵宾厅) module as the server runs it (api/module.hpp).
#pragma once

#include <memory>

#include "api/module.hpp"
#include "modules/lounge/lounge.hpp"

namespace zhidu::lounge {

std::unique_ptr<api::Module> MakeModule();
// Its routes under /api/v1/lounge/…; `l` null: they answer 503.
void AddRoutes(api::Router& router, Lounge* l);
// The SMS relay adapter (sms_http.cpp): POSTs {"to","text","ref"} as JSON to `url` (http:// only).
std::unique_ptr<SmsSender> MakeHttpSmsSender(std::string url);

}  // namespace zhidu::lounge
