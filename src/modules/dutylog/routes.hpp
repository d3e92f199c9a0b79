// Routes of the duty log (值班记录) under /api/v1/duty-log (docs/dutylog.md).
#pragma once

#include "api/router.hpp"
#include "modules/dutylog/dutylog.hpp"

namespace zhidu::api {

void AddDutyLogRoutes(Router& router, dutylog::DutyLog* log);  // null: 503

}  // namespace zhidu::api
