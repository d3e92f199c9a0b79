// Routes of alarm points and alarms (报警, /api/v1/alarm-points, /api/v1/alarms): configuration,
// ingest, the ISA-18.2 actions and KPIs. Handlers translate JSON; the rules live in modules/alarms.
#include "modules/alarms/routes.hpp"

#include "api/api.hpp"
#include "api/api_internal.hpp"
#include "api/json_body.hpp"

namespace zhidu::api {

namespace {

using nlohmann::json;
using store::Id;

constexpr size_t kMaxEvents = 10000;

json PointJson(const alarms::AlarmPoint& p) {
  bool shelved = p.shelved_until != TimePoint{};
  return {{"id", p.id},
          {"site_id", p.site_id},
          {"post_id", IdOrNull(p.post_id)},
          {"source", p.source},
          {"point", p.tag},
          {"title", p.title},
          {"kind", p.kind},
          {"priority", p.priority},
          {"state", std::string(AlarmStateName(p.state))},
          {"active_since", TimeOrNull(p.active_since)},
          {"changed_at", TimeOrNull(p.changed_at)},
          {"shelved", shelved},
          {"shelved_until", TimeOrNull(p.shelved_until)},
          {"shelve_reason", shelved ? json(p.shelve_reason) : json(nullptr)},
          {"shelved_by", IdOrNull(p.shelved_by)},
          {"suppressed", p.suppressed},
          {"suppress_reason", p.suppressed ? json(p.suppress_reason) : json(nullptr)},
          {"log_entry_id", IdOrNull(p.log_entry_id)},
          {"activations", p.activations},
          {"operated_at_post", !p.operating_clauses.empty()},
          {"operating_clauses", p.operating_clauses},
          {"created_at", TimeOrNull(p.created_at)}};
}

HttpResponse Unavailable() {
  return ErrorResponse({Errc::kUnavailable, "alarms are not running in this process", ""});
}

Result<TimePoint> BodyTime(JsonBody& body, const std::string& key) {
  ZHIDU_TRY(auto text, body.RequiredString(key));
  auto t = ParseIso8601(text);
  if (!t)
    return Fail(Errc::kInvalidArgument, key + " must be an ISO 8601 time with an offset", key);
  return *t;
}

}  // namespace

Result<std::vector<alarms::Event>> ParseAlarmEvents(const json& body,
                                                    const std::string& default_source) {
  const json* items = &body;
  json single;
  if (body.is_object() && body.contains("events")) {
    items = &body["events"];
    if (body.size() != 1)
      return Fail(Errc::kInvalidArgument, "the body has fields other than events", "events");
  } else if (body.is_object()) {
    single = json::array({body});
    items = &single;
  }
  if (!items->is_array())
    return Fail(Errc::kInvalidArgument, "events must be an array of alarm events", "events");
  if (items->empty()) return Fail(Errc::kInvalidArgument, "events is empty", "events");
  if (items->size() > kMaxEvents)
    return Fail(Errc::kInvalidArgument, "at most 10000 events per batch", "events");
  std::vector<alarms::Event> out;
  for (size_t i = 0; i < items->size(); ++i) {
    const auto& it = (*items)[i];
    std::string field = "events[" + std::to_string(i) + "]";
    if (!it.is_object()) return Fail(Errc::kInvalidArgument, field + " must be an object", field);
    alarms::Event e;
    for (const auto& [key, v] : it.items()) {
      std::string f = field + "." + key;
      if (key == "source" || key == "point" || key == "state" || key == "at") {
        if (!v.is_string()) return Fail(Errc::kInvalidArgument, f + " must be text", f);
        const auto s = v.get<std::string>();
        if (key == "source") e.source = s;
        if (key == "point") e.point = s;
        if (key == "state") e.state = s;
        if (key == "at") {
          auto t = ParseIso8601(s);
          if (!t)
            return Fail(Errc::kInvalidArgument, f + " must be an ISO 8601 time with an offset", f);
          e.at = *t;
        }
      } else if (key == "value") {
        if (v.is_string())
          e.value = v.get<std::string>();
        else if (v.is_number() || v.is_boolean())
          e.value = v.dump();
        else if (!v.is_null())
          return Fail(Errc::kInvalidArgument, f + " must be a number, text or true/false", f);
        if (e.value.size() > 200)
          return Fail(Errc::kInvalidArgument, f + " is longer than 200 bytes", f);
      } else {
        return Fail(Errc::kInvalidArgument, "unknown field " + f, f);
      }
    }
    if (e.source.empty()) e.source = default_source;
    if (e.source.empty())
      return Fail(Errc::kInvalidArgument, kRequired, field + ".source is required",
                  field + ".source");
    if (e.point.empty())
      return Fail(Errc::kInvalidArgument, kRequired, field + ".point is required",
                  field + ".point");
    if (e.state != "active" && e.state != "normal")
      return Fail(Errc::kInvalidArgument, field + ".state must be active or normal",
                  field + ".state");
    out.push_back(std::move(e));
  }
  return out;
}

void AddAlarmRoutes(Router& r, alarms::Alarms* svc) {
  // ---- alarm points and alarms (报警)
  r.Add("POST", "/api/v1/alarm-points", Access::kSignedIn, [svc](HttpRequest& req) {
    if (!svc) return Unavailable();
    ZHIDU_OR_ERROR(auto body, JsonBody::Parse(req.body));
    alarms::NewPoint in;
    ZHIDU_OR_ERROR(in.site_id, body.RequiredId("site_id"));
    ZHIDU_OR_ERROR(in.post_id, body.OptionalId("post_id"));
    ZHIDU_OR_ERROR(in.source, body.RequiredString("source"));
    ZHIDU_OR_ERROR(in.tag, body.RequiredString("point"));
    ZHIDU_OR_ERROR(in.title, body.RequiredString("title"));
    ZHIDU_OR_ERROR(in.kind, body.RequiredString("kind"));
    ZHIDU_OR_ERROR(auto priority, body.OptionalId("priority"));
    if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
    in.priority = priority ? static_cast<int>(std::min<Id>(priority, 99)) : 3;
    ZHIDU_OR_ERROR(auto p, svc->CreatePoint(PrincipalOf(req), in));
    return JsonResponse(201, PointJson(p));
  });
  auto list = [svc](HttpRequest& req, bool default_live) {
    if (!svc) return Unavailable();
    ZHIDU_OR_ERROR(auto page, PageOf(req));
    ZHIDU_OR_ERROR(auto site_id, QueryId(req, "site_id"));
    bool live = default_live;
    if (auto v = QueryString(req, "live"); !v.empty()) {
      if (v != "true" && v != "false")
        return ErrorResponse({Errc::kInvalidArgument, "live must be true or false", "live"});
      live = v == "true";
    }
    ZHIDU_OR_ERROR(auto rows, svc->List(PrincipalOf(req), site_id, live, page));
    return List(rows, page, PointJson, [](const alarms::AlarmPoint& p) { return p.id; });
  };
  r.Add("GET", "/api/v1/alarm-points", Access::kSignedIn,
        [list](HttpRequest& req) { return list(req, false); });
  r.Add("GET", "/api/v1/alarms", Access::kSignedIn,
        [list](HttpRequest& req) { return list(req, true); });
  r.Add("POST", "/api/v1/alarms:ingest", Access::kSignedIn, [svc](HttpRequest& req) {
    if (!svc) return Unavailable();
    ZHIDU_OR_ERROR(json body, ParseJson(req.body));
    ZHIDU_OR_ERROR(auto events, ParseAlarmEvents(body));
    ZHIDU_OR_ERROR(auto out, svc->Ingest(PrincipalOf(req), events));
    return JsonResponse(200, {{"received", out.received},
                              {"activations", out.activations},
                              {"returned", out.returned},
                              {"unchanged", out.unchanged}});
  });
  r.Add("GET", "/api/v1/alarms/kpi", Access::kSignedIn, [svc](HttpRequest& req) {
    if (!svc) return Unavailable();
    ZHIDU_OR_ERROR(auto site_id, QueryId(req, "site_id"));
    ZHIDU_OR_ERROR(auto post_id, QueryId(req, "post_id"));
    ZHIDU_OR_ERROR(auto from, RequiredQueryTime(req, "from"));
    ZHIDU_OR_ERROR(auto to, RequiredQueryTime(req, "to"));
    ZHIDU_OR_ERROR(auto k, svc->ComputeKpi(PrincipalOf(req), site_id, post_id, from, to));
    json chattering = json::array();
    for (const auto& c : k.chattering)
      chattering.push_back({{"alarm_id", c.point_id}, {"max_in_60s", c.max_in_60s}});
    json stale = json::array();
    for (const auto& p : k.stale) stale.push_back(PointJson(p));
    return JsonResponse(200, {{"site_id", site_id},
                              {"post_id", IdOrNull(post_id)},
                              {"from", TimeOrNull(k.from)},
                              {"to", TimeOrNull(k.to)},
                              {"windows", k.windows},
                              {"activations", k.activations},
                              {"alarms_per_10min", k.per_10min},
                              {"peak_10min", k.peak_10min},
                              {"flood_windows", k.flood_windows},
                              {"flood_percent", k.flood_percent},
                              {"chattering", chattering},
                              {"stale", stale},
                              {"shelved", k.shelved},
                              {"suppressed", k.suppressed}});
  });
  r.Add("GET", "/api/v1/alarms/{id}", Access::kSignedIn, [svc](HttpRequest& req) {
    if (!svc) return Unavailable();
    ZHIDU_OR_ERROR(auto id, PathId(req));
    ZHIDU_OR_ERROR(auto p, svc->Get(PrincipalOf(req), id));
    return JsonResponse(200, PointJson(p));
  });
  r.Add("POST", "/api/v1/alarms/{id}/ack", Access::kSignedIn, [svc](HttpRequest& req) {
    if (!svc) return Unavailable();
    ZHIDU_OR_ERROR(auto id, PathId(req));
    std::vector<std::string> cited;
    auto p = svc->Acknowledge(PrincipalOf(req), id, &cited);
    if (!p) return CitingError(p.error(), cited);
    return JsonResponse(200, PointJson(*p));
  });
  r.Add("POST", "/api/v1/alarms/{id}/shelve", Access::kSignedIn, [svc](HttpRequest& req) {
    if (!svc) return Unavailable();
    ZHIDU_OR_ERROR(auto id, PathId(req));
    ZHIDU_OR_ERROR(auto body, JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto until, BodyTime(body, "until"));
    ZHIDU_OR_ERROR(auto reason, body.RequiredString("reason"));
    if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto p, svc->Shelve(PrincipalOf(req), id, until, reason));
    return JsonResponse(200, PointJson(p));
  });
  r.Add("POST", "/api/v1/alarms/{id}/unshelve", Access::kSignedIn, [svc](HttpRequest& req) {
    if (!svc) return Unavailable();
    ZHIDU_OR_ERROR(auto id, PathId(req));
    ZHIDU_OR_ERROR(auto p, svc->Unshelve(PrincipalOf(req), id));
    return JsonResponse(200, PointJson(p));
  });
  r.Add("POST", "/api/v1/alarms/{id}/suppress", Access::kSignedIn, [svc](HttpRequest& req) {
    if (!svc) return Unavailable();
    ZHIDU_OR_ERROR(auto id, PathId(req));
    ZHIDU_OR_ERROR(auto body, JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto reason, body.RequiredString("reason"));
    if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto p, svc->Suppress(PrincipalOf(req), id, reason));
    return JsonResponse(200, PointJson(p));
  });
  r.Add("POST", "/api/v1/alarms/{id}/unsuppress", Access::kSignedIn, [svc](HttpRequest& req) {
    if (!svc) return Unavailable();
    ZHIDU_OR_ERROR(auto id, PathId(req));
    ZHIDU_OR_ERROR(auto p, svc->Unsuppress(PrincipalOf(req), id));
    return JsonResponse(200, PointJson(p));
  });
}

}  // namespace zhidu::api
