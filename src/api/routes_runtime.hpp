// Routes of the policy runtime: duty instances (/api/v1/duties), attendance on posts
// (/api/v1/posts/{id}/attendance), the violation ledger (/api/v1/violations, statements) and, when
// the server runs on a test clock, /api/v1/test/clock.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>

#include "api/router.hpp"
#include "base/result.hpp"
#include "kernel/runtime/duties.hpp"
#include "kernel/runtime/ledger.hpp"
#include "kernel/runtime/site_parameters.hpp"

namespace zhidu::api {

struct RuntimeRouteDeps {
  runtime::Duties* duties = nullptr;  // null (e.g. `zhidu routes`): routes answer 503
  runtime::Ledger* ledger = nullptr;
  runtime::SiteParameters* parameters = nullptr;
  // Test clock (zhidu serve --test-clock): moves time to `to` and fires everything due on the way;
  // returns the new time. Null: the route is still listed but answers 404.
  std::function<Result<TimePoint>(TimePoint to)> advance_clock;
  std::function<TimePoint()> now;
};

void AddRuntimeRoutes(Router& router, RuntimeRouteDeps deps);

// Checklist answers from a JSON object (bool, number or text per item); 400 naming the item.
Result<runtime::Answers> ReadAnswers(const std::optional<nlohmann::json>& object);
// A checklist item as the console renders it.
nlohmann::json ChecklistItemJson(const policy::ChecklistItem& item);

}  // namespace zhidu::api
