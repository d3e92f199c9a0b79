#include "api/routes_scheduler.hpp"

#include <charconv>
#include <nlohmann/json.hpp>

#include "api/api.hpp"
#include "api/api_internal.hpp"
#include "api/json_body.hpp"
#include "base/crypto.hpp"
#include "base/time.hpp"

namespace zhidu::api {

namespace {

using nlohmann::json;
using store::Id;

HttpResponse Json(int status, const json& body) {
  return HttpResponse{
      status, "application/json", body.dump(-1, ' ', false, json::error_handler_t::replace), {}};
}

std::string Ts(TimePoint t) { return FormatIso8601(t, TimeZone::Default()); }

json ReminderJson(const store::Timer& t) {
  json payload = json::parse(t.payload, nullptr, false);
  std::string message;
  if (payload.is_object() && payload.contains("message") && payload["message"].is_string())
    message = payload["message"].get<std::string>();
  const bool fired = t.state == store::TimerState::kFired;
  return {{"id", t.id},
          {"due_at", Ts(t.due_at)},
          {"message", message},
          {"site_id", t.site_id == 0 ? json(nullptr) : json(t.site_id)},
          {"state", std::string(store::TimerStateName(t.state))},
          {"fired_at", fired ? json(Ts(t.fired_at)) : json(nullptr)},
          {"late", fired ? json(t.late) : json(nullptr)},
          {"attempts", t.attempts},
          {"created_at", Ts(t.created_at)}};
}

// One reminder object of a request: {"due_at", "message", "site_id"?}.
Result<scheduler::NewReminder> ReadReminder(JsonBody& body) {
  scheduler::NewReminder in;
  ZHIDU_TRY(auto due, body.RequiredString("due_at"));
  auto parsed = ParseIso8601(due);
  if (!parsed)
    return Fail(Errc::kInvalidArgument,
                "due_at must be an ISO 8601 time with an offset, e.g. 2026-11-27T12:00:00+08:00",
                "due_at");
  in.due_at = *parsed;
  ZHIDU_TRY(in.message, body.RequiredString("message"));
  ZHIDU_TRY(in.site_id, body.OptionalId("site_id"));
  ZHIDU_TRY_VOID(body.NoOtherFields());
  return in;
}

HttpResponse Unavailable() {
  return ErrorResponse({Errc::kUnavailable, "the scheduler is not running in this process", ""});
}

#define ZHIDU_ROUTE_TRY(decl, expr)                                                          \
  auto ZHIDU_CONCAT(r_, __LINE__) = (expr);                                                  \
  if (!ZHIDU_CONCAT(r_, __LINE__)) return ErrorResponse(ZHIDU_CONCAT(r_, __LINE__).error()); \
  decl = std::move(*ZHIDU_CONCAT(r_, __LINE__))

}  // namespace

void AddSchedulerRoutes(Router& r, SchedulerRouteDeps deps) {
  auto* reminders = deps.reminders;

  r.Add("POST", "/api/v1/reminders", Access::kSignedIn, [reminders](HttpRequest& req) {
    if (!reminders) return Unavailable();
    ZHIDU_ROUTE_TRY(auto body, JsonBody::Parse(req.body));
    ZHIDU_ROUTE_TRY(auto in, ReadReminder(body));
    ZHIDU_ROUTE_TRY(auto created, reminders->Create(PrincipalOf(req), in));
    return Json(201, ReminderJson(created));
  });

  // Bulk creation for load tests and imports (scheduler.admin): {"reminders": [{…}, …]}.
  r.Add("POST", "/api/v1/reminders:batch", Access::kSignedIn, [reminders](HttpRequest& req) {
    if (!reminders) return Unavailable();
    ZHIDU_ROUTE_TRY(auto body, JsonBody::Parse(req.body));
    ZHIDU_ROUTE_TRY(auto items, body.OptionalArray("reminders"));
    if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
    if (!items || !items->is_array())
      return ErrorResponse({Errc::kInvalidArgument, "reminders must be an array", "reminders"});
    std::vector<scheduler::NewReminder> inputs;
    inputs.reserve(items->size());
    for (size_t i = 0; i < items->size(); ++i) {
      auto item = JsonBody::Parse((*items)[i].dump());
      if (!item) {
        return ErrorResponse({Errc::kInvalidArgument,
                              "reminders[" + std::to_string(i) + "] must be an object",
                              "reminders"});
      }
      auto in = ReadReminder(*item);
      if (!in) {
        Error e = in.error();
        e.message = "reminders[" + std::to_string(i) + "]: " + e.message;
        return ErrorResponse(e);
      }
      inputs.push_back(std::move(*in));
    }
    ZHIDU_ROUTE_TRY(auto ids, reminders->CreateBatch(PrincipalOf(req), inputs));
    return Json(201, {{"count", ids.size()}, {"first_id", ids.front()}, {"last_id", ids.back()}});
  });

  r.Add("GET", "/api/v1/reminders", Access::kSignedIn, [reminders](HttpRequest& req) {
    if (!reminders) return Unavailable();
    ZHIDU_ROUTE_TRY(auto page, PageOf(req));
    std::optional<store::TimerState> state;
    if (auto it = req.query.find("state"); it != req.query.end() && !it->second.empty()) {
      state = store::ParseTimerState(it->second);
      if (!state)
        return ErrorResponse({Errc::kInvalidArgument,
                              "state must be pending, claimed, fired, cancelled or failed",
                              "state"});
    }
    ZHIDU_ROUTE_TRY(auto rows, reminders->ListMine(PrincipalOf(req), state, page));
    json items = json::array();
    for (const auto& t : rows) items.push_back(ReminderJson(t));
    json next = nullptr;
    if (static_cast<int>(rows.size()) == page.limit && !rows.empty())
      next = Base64UrlEncode("after:" + std::to_string(rows.back().id));
    return Json(200, {{"items", std::move(items)}, {"next_cursor", next}});
  });

  r.Add("GET", "/api/v1/reminders/{id}", Access::kSignedIn, [reminders](HttpRequest& req) {
    if (!reminders) return Unavailable();
    ZHIDU_ROUTE_TRY(auto id, PathId(req));
    ZHIDU_ROUTE_TRY(auto t, reminders->Get(PrincipalOf(req), id));
    return Json(200, ReminderJson(t));
  });

  r.Add("POST", "/api/v1/reminders/{id}/cancel", Access::kSignedIn, [reminders](HttpRequest& req) {
    if (!reminders) return Unavailable();
    ZHIDU_ROUTE_TRY(auto id, PathId(req));
    ZHIDU_ROUTE_TRY(auto t, reminders->Cancel(PrincipalOf(req), id));
    return Json(200, ReminderJson(t));
  });

  // Timer counts by state and this node's firing statistics (scheduler.admin).
  r.Add("GET", "/api/v1/scheduler/status", Access::kSignedIn, [deps](HttpRequest& req) {
    if (!deps.scheduler || !deps.store || !deps.roles) return Unavailable();
    if (!deps.roles->Allows(PrincipalOf(req), scheduler::kPermSchedulerAdmin))
      return ErrorResponse({Errc::kPermissionDenied,
                            "the scheduler status needs the scheduler.admin permission", ""});
    ZHIDU_ROUTE_TRY(auto unit, deps.store->BeginRead());
    json timers = json::object();
    for (auto state :
         {store::TimerState::kPending, store::TimerState::kClaimed, store::TimerState::kFired,
          store::TimerState::kCancelled, store::TimerState::kFailed}) {
      ZHIDU_ROUTE_TRY(auto n, unit->CountTimers(state));
      timers[std::string(store::TimerStateName(state))] = n;
    }
    ZHIDU_ROUTE_TRY(auto next, unit->NextDueAt());
    auto stats = deps.scheduler->stats();
    return Json(200, {{"node_id", deps.scheduler->node_id()},
                      {"timers", timers},
                      {"next_due_at", next ? json(Ts(*next)) : json(nullptr)},
                      {"this_node",
                       {{"claimed", stats.claimed},
                        {"fired", stats.fired},
                        {"late", stats.late},
                        {"failed", stats.failed},
                        {"lost", stats.lost},
                        {"dead", stats.dead}}}});
  });
}

}  // namespace zhidu::api
