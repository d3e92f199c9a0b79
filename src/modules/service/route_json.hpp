// What the service module's two route files (routes.cpp, order_routes.cpp) answer alike: a record's
// deadlines and the pack's procedures on it, and the 503 while the module is not running.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "api/api.hpp"
#include "api/api_internal.hpp"
#include "store/types.hpp"

namespace zhidu::service {

inline nlohmann::json DeadlinesJson(const std::vector<store::Deadline>& deadlines) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& d : deadlines)
    out.push_back({{"id", d.id},
                   {"service_level", d.service_level},
                   {"state", d.state},
                   {"due_at", api::TimeOrNull(d.due_at)},
                   {"stopped_at", api::TimeOrNull(d.stopped_at)},
                   {"breached_at", api::TimeOrNull(d.breached_at)},
                   {"paused_at", api::TimeOrNull(d.paused_at)},
                   {"working_hours", d.working_hours},
                   {"note", d.note}});
  return out;
}

inline nlohmann::json ProceduresJson(const std::vector<store::ProcedureInstance>& procedures) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& p : procedures)
    out.push_back({{"id", p.id},
                   {"procedure", p.procedure},
                   {"state", p.state},
                   {"open", p.closed_at == TimePoint{}}});
  return out;
}

inline api::HttpResponse Unavailable() {
  return api::ErrorResponse({Errc::kUnavailable, "the customer-service module is not running", ""});
}

}  // namespace zhidu::service
