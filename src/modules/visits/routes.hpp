// Routes of visitors (来访) and footage (录像) under /api/v1/visits and /api/v1/footage
// (docs/visitors.md).
#pragma once

#include "api/router.hpp"
#include "modules/visits/visits.hpp"

namespace zhidu::api {

void AddVisitRoutes(Router& router, visits::Visits* visits);  // null: 503

}  // namespace zhidu::api
