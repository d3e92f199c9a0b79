// Routes of repairs (报修) under /api/v1/repairs and content-addressed photos under
// /api/v1/photos (docs/repairs.md).
#pragma once

#include <cstddef>

#include "api/router.hpp"
#include "kernel/photos/photos.hpp"
#include "modules/repairs/repairs.hpp"

namespace zhidu::api {

struct RepairRouteDeps {
  repairs::Repairs* repairs = nullptr;  // null: 503
  photos::Photos* photos = nullptr;     // null: 503
  size_t photo_max_bytes = 0;           // larger uploads get 413
};

void AddRepairRoutes(Router& router, RepairRouteDeps deps);

}  // namespace zhidu::api
