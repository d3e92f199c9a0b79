// Handover over HTTP: open, answer the 五交 checklist, acknowledge the previous shift's abnormal
// entries, refuse (五不接), sign; read one with its frozen report and the print data of the
// 交接班记录. Every rule is in kernel/handover.
#include "modules/handover/routes.hpp"

#include <nlohmann/json.hpp>

#include "api/api.hpp"
#include "api/api_internal.hpp"
#include "api/json_body.hpp"
#include "api/routes_runtime.hpp"
#include "base/time.hpp"

namespace zhidu::api {

namespace {

using nlohmann::json;
using store::Id;

json Parsed(const std::string& canonical, json fallback) {
  if (canonical.empty()) return fallback;
  json v = json::parse(canonical, nullptr, false);
  return v.is_discarded() ? fallback : v;
}

json SummaryJson(const handover::Handover& h) {
  return {{"id", h.id},
          {"site_id", h.site_id},
          {"post_id", h.post_id},
          {"state", std::string(handover::HandoverStateName(h.state))},
          {"shift_change", TimeOrNull(h.shift_change)},
          {"outgoing_person_id", h.outgoing_person},
          {"incoming_person_id", h.incoming_person},
          {"opened_at", TimeOrNull(h.opened_at)},
          {"closed_at", TimeOrNull(h.closed_at)},
          {"report_sha256", h.report_sha256},
          {"seal_sha256", h.seal_sha256.empty() ? json(nullptr) : json(h.seal_sha256)}};
}

json ViewJson(const handover::HandoverView& v) {
  const auto& h = v.handover;
  const auto& rule = v.rule;
  json out = SummaryJson(h);
  json items = json::array();
  for (const auto& i : rule.items) items.push_back(ChecklistItemJson(i));
  json refuse = json::array();
  for (const auto& r : rule.refuse_if)
    refuse.push_back({{"id", r.id}, {"label", r.label}, {"clauses", r.clauses}});
  out["post"] = v.post_name;
  out["title"] = rule.title;
  out["checklists"] = rule.checklists;
  out["clauses"] = rule.clauses;
  out["window"] = {{"arrive_before_minutes", rule.arrive_before.count() / 60},
                   {"arrive_at_least_minutes", rule.arrive_at_least.count() / 60},
                   {"arrive_before_parameter", rule.arrive_before_param},
                   {"clauses", rule.window_clauses}};
  out["face_to_face"] = rule.face_to_face;
  out["items"] = items;
  out["refuse_if"] = refuse;
  out["signature_order"] = rule.signatures;
  out["report_from"] = TimeOrNull(h.report_from);
  out["report"] = Parsed(h.report, json::object());
  out["report_canonical"] = h.report;  // the exact bytes report_sha256 is over
  out["answers"] = Parsed(h.answers, json::object());
  out["acknowledgements"] = Parsed(h.acknowledgements, json::array());
  out["unacknowledged"] = v.unacknowledged;
  out["signatures"] = Parsed(h.signatures, json::array());
  out["signed_by"] = v.signed_by;
  out["refusal"] = Parsed(h.refusal, json(nullptr));
  out["roster_check"] = v.roster_check;
  out["notify_roles"] = rule.notify_roles;
  if (!h.seal_sha256.empty())
    out["seal"] = {{"sha256", h.seal_sha256},
                   {"over", "report_canonical \\n answers \\n acknowledgements \\n signatures"},
                   {"sealed", {h.report, h.answers, h.acknowledgements, h.signatures}},
                   {"responsible_person_id",
                    rule.issues_after_belong_to_incoming ? json(h.incoming_person) : json(nullptr)},
                   {"responsibility_clauses", rule.issues_clauses}};
  return out;
}

// The "at" of each element of `items` (stored in UTC) with the site's offset.
json AtInZone(json items, const TimeZone& zone) {
  if (!items.is_array()) return items;
  for (auto& i : items)
    if (i.is_object() && i.contains("at") && i["at"].is_string())
      if (auto t = ParseIso8601(i["at"].get<std::string>())) i["at"] = FormatIso8601(*t, zone);
  return items;
}

// The 交接班记录 as printed: labels beside answers, who signed when, the seal. Times carry the
// site's offset and `time_zone` names the site's zone, in which the console prints them.
json PrintJson(const handover::HandoverView& v) {
  const auto& h = v.handover;
  auto found = TimeZone::Find(v.time_zone);
  const TimeZone zone = found ? *found : TimeZone::Default();
  json answers = Parsed(h.answers, json::object());
  json rows = json::array();
  for (const auto& i : v.rule.items)
    rows.push_back({{"label", i.label},
                    {"clauses", i.clauses},
                    {"answer", answers.contains(i.id) ? answers[i.id] : json(nullptr)}});
  json report = Parsed(h.report, json::object());
  return {
      {"title", "交接班记录"},
      {"subtitle", v.rule.title},
      {"post", v.post_name},
      {"outgoing_shift", report.value("outgoing_shift", "")},
      {"incoming_shift", report.value("incoming_shift", "")},
      {"time_zone", std::string(zone.name())},
      {"shift_change",
       h.shift_change == TimePoint{} ? json(nullptr) : json(FormatIso8601(h.shift_change, zone))},
      {"outgoing_person_id", h.outgoing_person},
      {"incoming_person_id", h.incoming_person},
      {"rows", rows},
      {"abnormal", report.value("abnormal", json::array())},
      {"acknowledgements", AtInZone(Parsed(h.acknowledgements, json::array()), zone)},
      {"signatures", AtInZone(Parsed(h.signatures, json::array()), zone)},
      {"refusal", Parsed(h.refusal, json(nullptr))},
      {"state", std::string(handover::HandoverStateName(h.state))},
      {"seal_sha256", h.seal_sha256.empty() ? json(nullptr) : json(h.seal_sha256)},
      {"clauses", v.rule.clauses}};
}

HttpResponse Unavailable() {
  return ErrorResponse({Errc::kUnavailable, "handover is not served by this process", ""});
}

}  // namespace

void AddHandoverRoutes(Router& r, handover::Handovers* handovers) {
  // The incoming person opens the handover of a post: {"post_id", "outgoing_person_id"?}.
  r.Add("POST", "/api/v1/handovers", Access::kSignedIn, [handovers](HttpRequest& req) {
    if (!handovers) return Unavailable();
    ZHIDU_OR_ERROR(auto body, JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(Id post_id, body.RequiredId("post_id"));
    ZHIDU_OR_ERROR(Id outgoing, body.OptionalId("outgoing_person_id"));
    if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto v, handovers->Open(PrincipalOf(req), post_id, outgoing));
    return JsonResponse(201, ViewJson(v));
  });

  // ?post_id=&site_id=&state=open|refused|completed&limit=&cursor=
  r.Add("GET", "/api/v1/handovers", Access::kSignedIn, [handovers](HttpRequest& req) {
    if (!handovers) return Unavailable();
    ZHIDU_OR_ERROR(auto page, PageOf(req));
    handover::HandoverFilter f;
    ZHIDU_OR_ERROR(f.post_id, QueryId(req, "post_id"));
    ZHIDU_OR_ERROR(f.site_id, QueryId(req, "site_id"));
    if (auto it = req.query.find("state"); it != req.query.end() && !it->second.empty()) {
      f.state = handover::ParseHandoverState(it->second);
      if (!f.state)
        return ErrorResponse(
            {Errc::kInvalidArgument, "state must be open, refused or completed", "state"});
    }
    ZHIDU_OR_ERROR(auto rows, handovers->List(f, page));
    return List(rows, page, SummaryJson, [](const handover::Handover& h) { return h.id; });
  });

  r.Add("GET", "/api/v1/handovers/{id}", Access::kSignedIn, [handovers](HttpRequest& req) {
    if (!handovers) return Unavailable();
    ZHIDU_OR_ERROR(auto id, PathId(req));
    ZHIDU_OR_ERROR(auto v, handovers->Get(id));
    return JsonResponse(200, ViewJson(v));
  });

  r.Add("GET", "/api/v1/handovers/{id}/print", Access::kSignedIn, [handovers](HttpRequest& req) {
    if (!handovers) return Unavailable();
    ZHIDU_OR_ERROR(auto id, PathId(req));
    ZHIDU_OR_ERROR(auto v, handovers->Get(id));
    return JsonResponse(200, PrintJson(v));
  });

  // The 五交 checklist: {"answers": {item: value}}.
  r.Add("POST", "/api/v1/handovers/{id}/answers", Access::kSignedIn, [handovers](HttpRequest& req) {
    if (!handovers) return Unavailable();
    ZHIDU_OR_ERROR(auto id, PathId(req));
    ZHIDU_OR_ERROR(auto body, JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto object, body.OptionalObject("answers"));
    if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
    if (!object)
      return ErrorResponse({Errc::kInvalidArgument, "answers is required", "answers", "required"});
    ZHIDU_OR_ERROR(auto answers, ReadAnswers(object));
    ZHIDU_OR_ERROR(auto v, handovers->Answer(PrincipalOf(req), id, answers));
    return JsonResponse(200, ViewJson(v));
  });

  // The incoming acknowledges abnormal entries of the frozen report: {"items": ["duty/12", …]}.
  r.Add(
      "POST", "/api/v1/handovers/{id}/acknowledge", Access::kSignedIn,
      [handovers](HttpRequest& req) {
        if (!handovers) return Unavailable();
        ZHIDU_OR_ERROR(auto id, PathId(req));
        ZHIDU_OR_ERROR(auto body, JsonBody::Parse(req.body));
        ZHIDU_OR_ERROR(auto items, body.OptionalArray("items"));
        if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
        std::vector<std::string> refs;
        for (const auto& i : items ? *items : json::array()) {
          if (!i.is_string())
            return ErrorResponse({Errc::kInvalidArgument,
                                  "items must be a list of report refs like \"duty/12\"", "items"});
          refs.push_back(i.get<std::string>());
        }
        ZHIDU_OR_ERROR(auto v, handovers->Acknowledge(PrincipalOf(req), id, refs));
        return JsonResponse(200, ViewJson(v));
      });

  // 五不接: {"reason": one of the pack's refuse_if ids, "note"?}.
  r.Add("POST", "/api/v1/handovers/{id}/refuse", Access::kSignedIn, [handovers](HttpRequest& req) {
    if (!handovers) return Unavailable();
    ZHIDU_OR_ERROR(auto id, PathId(req));
    ZHIDU_OR_ERROR(auto body, JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto reason, body.RequiredString("reason"));
    ZHIDU_OR_ERROR(auto note, body.OptionalString("note"));
    if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto v, handovers->Refuse(PrincipalOf(req), id, reason, note));
    return JsonResponse(200, ViewJson(v));
  });

  // A signature re-confirms the password: {"password"}.
  r.Add("POST", "/api/v1/handovers/{id}/sign", Access::kSignedIn, [handovers](HttpRequest& req) {
    if (!handovers) return Unavailable();
    ZHIDU_OR_ERROR(auto id, PathId(req));
    ZHIDU_OR_ERROR(auto body, JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto password, body.RequiredString("password"));
    if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto v, handovers->Sign(PrincipalOf(req), id, password));
    return JsonResponse(200, ViewJson(v));
  });
}

}  // namespace zhidu::api
