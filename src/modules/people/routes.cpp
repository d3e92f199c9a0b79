// Discipline cases over HTTP (/api/v1/discipline-cases). Handlers translate JSON; the rules are in
// discipline.cpp.
#include <limits>

#include <nlohmann/json.hpp>

#include "api/api.hpp"
#include "api/api_internal.hpp"
#include "api/json_body.hpp"
#include "kernel/runtime/runtime_util.hpp"
#include "modules/people/module.hpp"

namespace zhidu::people {

using api::ErrorResponse;
using api::HttpRequest;
using api::HttpResponse;
using nlohmann::json;

namespace {

HttpResponse Unavailable() {
  return ErrorResponse({Errc::kUnavailable, "the discipline cases are not running", ""});
}

json StepJson(const policy::DisciplineStep& s) {
  json correction = nullptr;
  if (s.correction)
    correction = {
        {"within",
         s.correct_within ? json(runtime::FormatDuration(*s.correct_within)) : json(nullptr)},
        {"param", s.correct_within_param.empty() ? json(nullptr) : json(s.correct_within_param)},
        {"on_refusal", s.on_refusal}};
  return {{"id", s.id},
          {"title", s.title.empty() ? s.id : s.title},
          {"by", s.by},
          {"correction", correction},
          {"approval", s.approval.empty() ? json(nullptr) : json(s.approval)},
          {"closes", s.closes}};
}

json CaseJson(const Case& c, const Discipline& d, const org::Principal& viewer) {
  auto pack = d.pack();
  const policy::DisciplineLadder* ladder = FindLadder(*pack, c.ladder);
  const policy::DisciplineStep* step = ladder ? FindStep(*ladder, c.step) : nullptr;
  json next = json::array();
  bool open = c.state != CaseState::kClosed;
  if (open && step)
    for (const auto& id : step->next)
      if (const auto* s = FindStep(*ladder, id)) {
        json j = StepJson(*s);
        j["viewer_may_take"] = d.MayTake(viewer, *pack, c.site_id, c.department_id, s->id);
        next.push_back(std::move(j));
      }
  json on_refusal = nullptr;
  if (c.state == CaseState::kCorrecting && step)
    if (const auto* s = FindStep(*ladder, step->on_refusal)) on_refusal = StepJson(*s);
  json events = json::array();
  for (const auto& e : c.events) {
    const policy::DisciplineStep* es = ladder ? FindStep(*ladder, e.step) : nullptr;
    events.push_back({{"id", e.id},
                      {"kind", EventKindName(e.kind)},
                      {"step", e.step},
                      {"step_title", es && !es->title.empty() ? es->title : e.step},
                      {"actor", api::IdOrNull(e.actor)},
                      {"at", api::TimeOrNull(e.at)},
                      {"note", e.note},
                      {"correction_due", api::TimeOrNull(e.correction_due)},
                      {"request_id", api::IdOrNull(e.request_id)},
                      {"clauses", e.clauses},
                      {"journal_seq", e.journal_seq}});
  }
  json compensations = json::array();
  std::int64_t total = 0;
  for (const auto& k : c.compensations) {
    total += k.amount_fen;
    compensations.push_back({{"id", k.id},
                             {"violation_id", k.violation_id},
                             {"amount_fen", k.amount_fen},
                             {"note", k.note},
                             {"recorded_by", k.recorded_by},
                             {"recorded_at", api::TimeOrNull(k.recorded_at)}});
  }
  return {{"id", c.id},
          {"site_id", c.site_id},
          {"person_id", c.person_id},
          {"department_id", api::IdOrNull(c.department_id)},
          {"ladder", c.ladder},
          {"ladder_title", ladder && !ladder->title.empty() ? ladder->title : c.ladder},
          {"step", c.step},
          {"step_title", step && !step->title.empty() ? step->title : c.step},
          {"step_by", step ? json(step->by) : json(nullptr)},
          {"clauses", ladder && step ? StepClauses(*ladder, *step) : std::vector<std::string>{}},
          {"state", CaseStateName(c.state)},
          {"open", open},
          {"correction_due", api::TimeOrNull(c.correction_due)},
          {"on_refusal", on_refusal},
          {"next_steps", std::move(next)},
          {"viewer_may_act", open && d.MayTake(viewer, *pack, c.site_id, c.department_id, c.step)},
          {"outcome", c.outcome.empty() ? json(nullptr) : json(c.outcome)},
          {"opened_by", c.opened_by},
          {"opened_at", api::TimeOrNull(c.opened_at)},
          {"closed_by", api::IdOrNull(c.closed_by)},
          {"closed_at", api::TimeOrNull(c.closed_at)},
          {"violation_ids", c.violations},
          {"events", std::move(events)},
          {"compensations", std::move(compensations)},
          {"compensation_fen", total}};
}

Result<std::vector<Id>> ReadIds(api::JsonBody& body, const std::string& key, bool required) {
  ZHIDU_TRY(auto list, body.OptionalArray(key));
  std::vector<Id> out;
  if (!list) {
    if (required) return Fail(Errc::kInvalidArgument, kRequired, key + " is required", key);
    return out;
  }
  for (const auto& v : *list) {
    if (!v.is_number_integer() || v.get<std::int64_t>() <= 0)
      return Fail(Errc::kInvalidArgument, kInvalid, key + " must be violation ids", key);
    out.push_back(v.get<std::int64_t>());
  }
  if (required && out.empty())
    return Fail(Errc::kInvalidArgument, kRequired, key + " is required", key);
  return out;
}

Result<TimePoint> ReadTime(api::JsonBody& body, const std::string& key) {
  ZHIDU_TRY(auto text, body.OptionalString(key));
  if (text.empty()) return TimePoint{};
  auto t = ParseIso8601(text);
  if (!t)
    return Fail(Errc::kInvalidArgument, kInvalid, key + " must be an ISO 8601 time with an offset",
                key);
  return *t;
}

// amount_fen: a JSON integer (never a fraction: money is whole fen), > 0.
Result<std::int64_t> ReadAmount(api::JsonBody& body) {
  const json& j = body.json();
  auto it = j.find("amount_fen");
  if (it == j.end() || it->is_null())
    return Fail(Errc::kInvalidArgument, kRequired, "amount_fen is required", "amount_fen");
  if (!it->is_number_integer() ||
      (it->is_number_unsigned() &&
       it->get<std::uint64_t>() >
           static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())))
    return Fail(Errc::kInvalidArgument, Reason{"discipline.amount_not_integer"},
                "amount_fen must be a whole number of fen (分), e.g. 1250 for 12.50 yuan",
                "amount_fen");
  std::int64_t v = it->get<std::int64_t>();
  if (v <= 0)
    return Fail(Errc::kInvalidArgument, Reason{"discipline.amount_not_positive"},
                "amount_fen must be more than 0", "amount_fen");
  ZHIDU_TRY(auto seen, body.OptionalId("amount_fen"));  // marks the field read
  return seen;
}

}  // namespace

void AddRoutes(api::Router& r, Discipline* d) {
  using api::Access;
  // {"site_id", "person_id", "violation_ids": [..], "ladder"?, "note"?, "correct_by"?}
  r.Add("POST", "/api/v1/discipline-cases", Access::kSignedIn, [d](HttpRequest& req) {
    if (!d) return Unavailable();
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    NewCase in;
    ZHIDU_OR_ERROR(in.site_id, body.RequiredId("site_id"));
    ZHIDU_OR_ERROR(in.person_id, body.RequiredId("person_id"));
    ZHIDU_OR_ERROR(in.violation_ids, ReadIds(body, "violation_ids", true));
    ZHIDU_OR_ERROR(in.ladder, body.OptionalString("ladder"));
    ZHIDU_OR_ERROR(in.note, body.OptionalString("note"));
    ZHIDU_OR_ERROR(in.correct_by, ReadTime(body, "correct_by"));
    if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto c, d->Open(api::PrincipalOf(req), in));
    return api::JsonResponse(201, CaseJson(c, *d, api::PrincipalOf(req)));
  });
  // ?site_id=&person_id=&state=open|correcting|closed&limit=&cursor=
  r.Add("GET", "/api/v1/discipline-cases", Access::kSignedIn, [d](HttpRequest& req) {
    if (!d) return Unavailable();
    ZHIDU_OR_ERROR(auto page, api::PageOf(req));
    CaseFilter f;
    ZHIDU_OR_ERROR(f.site_id, api::QueryId(req, "site_id"));
    ZHIDU_OR_ERROR(f.person_id, api::QueryId(req, "person_id"));
    if (auto state = api::QueryString(req, "state"); !state.empty()) {
      ZHIDU_OR_ERROR(f.state, ParseCaseState(state));
    }
    ZHIDU_OR_ERROR(auto rows, d->List(api::PrincipalOf(req), f, page));
    const auto& viewer = api::PrincipalOf(req);
    return api::List(
        rows, page, [&](const Case& c) { return CaseJson(c, *d, viewer); },
        [](const Case& c) { return c.id; });
  });
  r.Add("GET", "/api/v1/discipline-cases/{id}", Access::kSignedIn, [d](HttpRequest& req) {
    if (!d) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto c, d->Get(api::PrincipalOf(req), id));
    return api::JsonResponse(200, CaseJson(c, *d, api::PrincipalOf(req)));
  });
  // {"step", "note"?, "correct_by"?, "request_id"?, "violation_ids"?}
  r.Add("POST", "/api/v1/discipline-cases/{id}/steps", Access::kSignedIn, [d](HttpRequest& req) {
    if (!d) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    StepInput in;
    ZHIDU_OR_ERROR(in.step, body.RequiredString("step"));
    ZHIDU_OR_ERROR(in.note, body.OptionalString("note"));
    ZHIDU_OR_ERROR(in.correct_by, ReadTime(body, "correct_by"));
    ZHIDU_OR_ERROR(in.request_id, body.OptionalId("request_id"));
    ZHIDU_OR_ERROR(in.violation_ids, ReadIds(body, "violation_ids", false));
    if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto c, d->Take(api::PrincipalOf(req), id, in));
    return api::JsonResponse(200, CaseJson(c, *d, api::PrincipalOf(req)));
  });
  // {"outcome": "corrected" | "refused", "note"?}
  r.Add(
      "POST", "/api/v1/discipline-cases/{id}/correction", Access::kSignedIn, [d](HttpRequest& req) {
        if (!d) return Unavailable();
        ZHIDU_OR_ERROR(auto id, api::PathId(req));
        ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
        ZHIDU_OR_ERROR(auto outcome, body.RequiredString("outcome"));
        ZHIDU_OR_ERROR(auto note, body.OptionalString("note"));
        if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
        if (outcome != "corrected" && outcome != "refused")
          return ErrorResponse(
              {Errc::kInvalidArgument, "outcome must be \"corrected\" or \"refused\"", "outcome"});
        ZHIDU_OR_ERROR(auto c,
                       d->Correction(api::PrincipalOf(req), id, outcome == "corrected", note));
        return api::JsonResponse(200, CaseJson(c, *d, api::PrincipalOf(req)));
      });
  // {"violation_id", "amount_fen", "note"?}
  r.Add("POST", "/api/v1/discipline-cases/{id}/compensations", Access::kSignedIn,
        [d](HttpRequest& req) {
          if (!d) return Unavailable();
          ZHIDU_OR_ERROR(auto id, api::PathId(req));
          ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
          ZHIDU_OR_ERROR(auto violation_id, body.RequiredId("violation_id"));
          ZHIDU_OR_ERROR(auto amount, ReadAmount(body));
          ZHIDU_OR_ERROR(auto note, body.OptionalString("note"));
          if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
          ZHIDU_OR_ERROR(auto c,
                         d->Compensate(api::PrincipalOf(req), id, violation_id, amount, note));
          return api::JsonResponse(201, CaseJson(c, *d, api::PrincipalOf(req)));
        });
  // {"note"?}
  r.Add("POST", "/api/v1/discipline-cases/{id}/close", Access::kSignedIn, [d](HttpRequest& req) {
    if (!d) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body.empty() ? "{}" : req.body));
    ZHIDU_OR_ERROR(auto note, body.OptionalString("note"));
    if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto c, d->Close(api::PrincipalOf(req), id, note));
    return api::JsonResponse(200, CaseJson(c, *d, api::PrincipalOf(req)));
  });
  // The pack's discipline ladders, for the console.
  r.Add("GET", "/api/v1/discipline-ladders", Access::kSignedIn, [d](HttpRequest&) {
    if (!d) return Unavailable();
    auto pack = d->pack();
    json items = json::array();
    for (const auto& l : pack->discipline()) {
      json steps = json::array();
      for (const auto& s : l.steps) {
        json j = StepJson(s);
        j["next"] = s.next;
        j["clauses"] = StepClauses(l, s);
        steps.push_back(std::move(j));
      }
      items.push_back({{"id", l.id},
                       {"title", l.title.empty() ? l.id : l.title},
                       {"clauses", l.clauses},
                       {"steps", std::move(steps)}});
    }
    return api::JsonResponse(200, {{"items", std::move(items)}});
  });
}

}  // namespace zhidu::people

namespace zhidu::people {
namespace {

json FindingJson(const Finding& f) {
  return {{"id", f.id},
          {"site_id", f.site_id},
          {"person_id", f.person_id},
          {"post_id", f.post_id},
          {"assignment_id", f.assignment_id},
          {"kind", FindingKindName(f.kind)},
          {"shift_start", api::Timestamp(f.shift_start)},
          {"shift_end", api::Timestamp(f.shift_end)},
          {"arrived_at", api::TimeOrNull(f.arrived_at)},
          {"minutes_late", f.minutes_late},
          {"violation_id", f.violation_id ? json(f.violation_id) : json(nullptr)},
          {"note", f.note},
          {"found_at", api::Timestamp(f.found_at)},
          {"withdrawn_request", f.withdrawn_request ? json(f.withdrawn_request) : json(nullptr)},
          {"withdrawn_at", api::TimeOrNull(f.withdrawn_at)}};
}

}  // namespace

void AddAttendanceRoutes(api::Router& r, AttendanceCheck* a) {
  using api::Access;
  auto unavailable = [] {
    return ErrorResponse({Errc::kUnavailable, "the attendance check is not running", ""});
  };
  // ?site_id=&person_id=&limit=&cursor=
  r.Add("GET", "/api/v1/attendance-findings", Access::kSignedIn,
        [a, unavailable](HttpRequest& req) {
          if (!a) return unavailable();
          ZHIDU_OR_ERROR(auto page, api::PageOf(req));
          FindingFilter f;
          ZHIDU_OR_ERROR(f.site_id, api::QueryId(req, "site_id"));
          ZHIDU_OR_ERROR(f.person_id, api::QueryId(req, "person_id"));
          ZHIDU_OR_ERROR(auto rows, a->List(api::PrincipalOf(req), f, page));
          return api::List(rows, page, FindingJson, [](const Finding& x) { return x.id; });
        });
  // {"site_id"}: judges the site's shifts since the last run now, instead of at the next run.
  r.Add("POST", "/api/v1/attendance-findings:check", Access::kSignedIn,
        [a, unavailable](HttpRequest& req) {
          if (!a) return unavailable();
          ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
          ZHIDU_OR_ERROR(auto site_id, body.RequiredId("site_id"));
          if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
          ZHIDU_OR_ERROR(auto made, a->CheckNow(api::PrincipalOf(req), site_id));
          json items = json::array();
          for (const auto& f : made) items.push_back(FindingJson(f));
          return api::JsonResponse(200, {{"items", std::move(items)}});
        });
}

}  // namespace zhidu::people
