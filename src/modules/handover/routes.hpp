// Routes of handover (交接班, 五交五不接) under /api/v1/handovers (docs/handover.md).
#pragma once

#include "api/router.hpp"
#include "modules/handover/handover.hpp"

namespace zhidu::api {

void AddHandoverRoutes(Router& router, handover::Handovers* handovers);  // null: 503

}  // namespace zhidu::api
