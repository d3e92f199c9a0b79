#include "modules/roster/routes.hpp"

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>

#include "api/api.hpp"
#include "api/api_internal.hpp"
#include "api/json_body.hpp"
#include "kernel/runtime/runtime_util.hpp"
#include "modules/roster/roster_store.hpp"

namespace zhidu::api {

namespace {

using nlohmann::json;
using store::Id;

json AssignmentJson(const roster::Rosters& rosters, const std::string& pattern,
                    const roster::RosterAssignment& a) {
  return {{"id", a.id},
          {"roster_id", a.roster_id},
          {"site_id", a.site_id},
          {"post_id", a.post_id},
          {"person_id", a.person_id},
          {"team_id", a.team_id ? json(a.team_id) : json(nullptr)},
          {"shift", a.shift},
          {"shift_name", pattern.empty() ? a.shift : rosters.ShiftName(pattern, a.shift)},
          {"starts_at", TimeOrNull(a.starts_at)},
          {"ends_at", TimeOrNull(a.ends_at)},
          {"state", a.state},
          {"origin", a.origin},
          {"replaces", a.replaces ? json(a.replaces) : json(nullptr)},
          {"note", a.note}};
}

json ProblemJson(const roster::Problem& p) {
  return {{"kind", p.kind},
          {"rule", p.rule},
          {"clauses", p.clauses},
          {"message", p.message},
          {"person_id", p.person_id ? json(p.person_id) : json(nullptr)},
          {"shift", p.shift.empty() ? json(nullptr) : json(p.shift)},
          {"starts_at", TimeOrNull(p.starts_at)}};
}

json SwapJson(const roster::RosterSwap& s) {
  return {{"id", s.id},
          {"roster_id", s.roster_id},
          {"site_id", s.site_id},
          {"person_id", s.requester_person},
          {"assignment_id", s.requester_assignment},
          {"colleague_person_id", s.colleague_person},
          {"colleague_assignment_id",
           s.colleague_assignment ? json(s.colleague_assignment) : json(nullptr)},
          {"reason", s.reason},
          {"state", s.state},
          {"requested_by", s.requested_by},
          {"created_at", TimeOrNull(s.created_at)},
          {"decided_by", s.decided_by ? json(s.decided_by) : json(nullptr)},
          {"decided_at", TimeOrNull(s.decided_at)},
          {"decision_note", s.decision_note}};
}

json RosterJson(const roster::Roster& r) {
  json teams = json::array();
  size_t start = 0;
  while (start < r.team_ids.size()) {
    size_t end = r.team_ids.find(',', start);
    if (end == std::string::npos) end = r.team_ids.size();
    teams.push_back(std::stoll(r.team_ids.substr(start, end - start)));
    start = end + 1;
  }
  return {{"id", r.id},
          {"site_id", r.site_id},
          {"post_id", r.post_id},
          {"pattern", r.pattern},
          {"team_ids", teams},
          {"first_day", r.first_day},
          {"last_day", r.last_day},
          {"state", r.state},
          {"created_by", r.created_by},
          {"created_at", TimeOrNull(r.created_at)},
          {"published_by", r.published_by ? json(r.published_by) : json(nullptr)},
          {"published_at", TimeOrNull(r.published_at)}};
}

json ViewJson(const roster::Rosters& rosters, const roster::RosterView& v) {
  json out = RosterJson(v.roster);
  json assignments = json::array(), warnings = json::array(), advice = json::array(),
       swaps = json::array();
  for (const auto& a : v.assignments)
    assignments.push_back(AssignmentJson(rosters, v.roster.pattern, a));
  for (const auto& p : v.warnings) warnings.push_back(ProblemJson(p));
  for (const auto& p : v.advice) advice.push_back(ProblemJson(p));
  for (const auto& s : v.swaps) swaps.push_back(SwapJson(s));
  out["assignments"] = std::move(assignments);
  out["warnings"] = std::move(warnings);
  out["advice"] = std::move(advice);
  out["swaps"] = std::move(swaps);
  return out;
}

HttpResponse Unavailable() {
  return ErrorResponse({Errc::kUnavailable, "rosters are not running in this process", ""});
}

Result<std::string> TextOrEmpty(JsonBody& body, const std::string& key) {
  ZHIDU_TRY(auto s, body.OptionalString(key));
  if (s.size() > 4000) return Fail(Errc::kInvalidArgument, key + " is longer than 4000 bytes", key);
  return s;
}

}  // namespace

void AddRosterRoutes(Router& r, RosterRouteDeps deps) {
  auto* rosters = deps.rosters;
  auto* store = deps.store;

  r.Add("POST", "/api/v1/rosters", Access::kSignedIn, [rosters](HttpRequest& req) {
    if (!rosters) return Unavailable();
    ZHIDU_OR_ERROR(auto body, JsonBody::Parse(req.body));
    roster::GenerateRequest g;
    ZHIDU_OR_ERROR(g.site_id, body.RequiredId("site_id"));
    ZHIDU_OR_ERROR(g.post_id, body.RequiredId("post_id"));
    ZHIDU_OR_ERROR(g.pattern, body.RequiredString("pattern"));
    ZHIDU_OR_ERROR(g.first_day, body.RequiredString("first_day"));
    ZHIDU_OR_ERROR(g.last_day, body.RequiredString("last_day"));
    ZHIDU_OR_ERROR(g.cycle_start, body.OptionalString("cycle_start"));
    ZHIDU_OR_ERROR(auto teams, body.OptionalArray("team_ids"));
    if (!teams)
      return ErrorResponse(
          {Errc::kInvalidArgument, "team_ids is required", "team_ids", "required"});
    for (const auto& t : *teams) {
      if (!t.is_number_integer() || t.get<std::int64_t>() <= 0)
        return ErrorResponse(
            {Errc::kInvalidArgument, "team_ids must be positive team ids", "team_ids"});
      g.team_ids.push_back(t.get<std::int64_t>());
    }
    if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto view, rosters->Generate(PrincipalOf(req), g));
    return JsonResponse(201, ViewJson(*rosters, view));
  });
  r.Add("GET", "/api/v1/rosters", Access::kSignedIn, [rosters](HttpRequest& req) {
    if (!rosters) return Unavailable();
    ZHIDU_OR_ERROR(auto page, PageOf(req));
    ZHIDU_OR_ERROR(auto site_id, QueryId(req, "site_id"));
    ZHIDU_OR_ERROR(auto post_id, QueryId(req, "post_id"));
    ZHIDU_OR_ERROR(auto rows, rosters->List(PrincipalOf(req), site_id, post_id, page));
    return List(rows, page, RosterJson, [](const roster::Roster& x) { return x.id; });
  });
  r.Add("GET", "/api/v1/rosters/{id}", Access::kSignedIn, [rosters](HttpRequest& req) {
    if (!rosters) return Unavailable();
    ZHIDU_OR_ERROR(auto id, PathId(req));
    ZHIDU_OR_ERROR(auto view, rosters->Get(PrincipalOf(req), id));
    return JsonResponse(200, ViewJson(*rosters, view));
  });
  r.Add("POST", "/api/v1/rosters/{id}/publish", Access::kSignedIn, [rosters](HttpRequest& req) {
    if (!rosters) return Unavailable();
    ZHIDU_OR_ERROR(auto id, PathId(req));
    ZHIDU_OR_ERROR(auto out, rosters->Publish(PrincipalOf(req), id));
    if (out.published) return JsonResponse(200, ViewJson(*rosters, out.view));
    json problems = json::array();
    for (const auto& p : out.problems) problems.push_back(ProblemJson(p));
    json error = ErrorBody({Errc::kConflict,
                            "roster " + std::to_string(id) + " breaks " +
                                std::to_string(out.problems.size()) +
                                " staffing rule(s); it stays a draft (see problems)",
                            "", "roster.staffing_rules"});
    error["field"] = "";
    error["problems"] = std::move(problems);
    return JsonResponse(409, {{"error", std::move(error)}});
  });
  r.Add("POST", "/api/v1/rosters/{id}/assignments", Access::kSignedIn, [rosters](HttpRequest& req) {
    if (!rosters) return Unavailable();
    ZHIDU_OR_ERROR(auto id, PathId(req));
    ZHIDU_OR_ERROR(auto body, JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto person, body.RequiredId("person_id"));
    ZHIDU_OR_ERROR(auto shift, body.RequiredString("shift"));
    ZHIDU_OR_ERROR(auto day, body.RequiredString("day"));
    if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto view, rosters->AddAssignment(PrincipalOf(req), id, person, shift, day));
    return JsonResponse(201, ViewJson(*rosters, view));
  });
  r.Add("GET", "/api/v1/rosters/{id}/export.xlsx", Access::kSignedIn,
        [rosters, store](HttpRequest& req) {
          if (!rosters || !store) return Unavailable();
          ZHIDU_OR_ERROR(auto id, PathId(req));
          ZHIDU_OR_ERROR(auto view, rosters->Get(PrincipalOf(req), id));
          std::string month = QueryString(req, "month");
          if (month.empty()) month = view.roster.first_day.substr(0, 7);
          ZHIDU_OR_ERROR(auto unit, store->BeginRead());
          ZHIDU_OR_ERROR(auto site, unit->GetSite(view.roster.site_id));
          ZHIDU_OR_ERROR(auto post, unit->GetPost(view.roster.post_id));
          auto zone = TimeZone::Find(site.time_zone).value_or(TimeZone::Default());
          ZHIDU_OR_ERROR(auto range, runtime::LocalMonthRange(month, zone));
          using namespace std::chrono;
          auto first = floor<days>(zone.ToLocal(range.first));
          auto ndays = (floor<days>(zone.ToLocal(range.second)) - first).count();
          roster::XlsxSheet sheet;
          sheet.title = post.name + " " + month.substr(0, 4) + "年" + month.substr(5, 2) +
                        "月 排班表（" + view.roster.pattern + "）";
          for (long d = 1; d <= ndays; ++d) sheet.day_headers.push_back(std::to_string(d));
          std::map<Id, size_t> row_of;
          for (const auto& a : view.assignments) {
            if (a.state != "active" || a.starts_at < range.first || a.starts_at >= range.second)
              continue;
            if (!row_of.contains(a.person_id)) {
              ZHIDU_OR_ERROR(auto p, unit->GetPerson(a.person_id));
              row_of[a.person_id] = sheet.row_names.size();
              sheet.row_names.push_back(p.name);
              sheet.cells.emplace_back(ndays);
            }
            auto day = (floor<days>(zone.ToLocal(a.starts_at)) - first).count();
            auto& cell = sheet.cells[row_of[a.person_id]][day];
            cell += (cell.empty() ? "" : "/") + rosters->ShiftName(view.roster.pattern, a.shift);
          }
          ZHIDU_OR_ERROR(auto bytes, roster::RenderXlsx(sheet));
          return HttpResponse{
              200,
              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
              std::move(bytes),
              {{"Content-Disposition",
                "attachment; filename=\"roster-" + std::to_string(id) + "-" + month + ".xlsx\""}}};
        });
  r.Add("GET", "/api/v1/shifts", Access::kSignedIn, [rosters](HttpRequest& req) {
    if (!rosters) return Unavailable();
    ZHIDU_OR_ERROR(auto site_id, QueryId(req, "site_id"));
    if (!site_id)
      return ErrorResponse({Errc::kInvalidArgument, "site_id is required", "site_id", "required"});
    ZHIDU_OR_ERROR(auto from, QueryTime(req, "from"));
    ZHIDU_OR_ERROR(auto to, QueryTime(req, "to"));
    if (!from || !to)
      return ErrorResponse(
          {Errc::kInvalidArgument, "from and to are required", from ? "to" : "from", "required"});
    ZHIDU_OR_ERROR(auto rows, rosters->Shifts(PrincipalOf(req), site_id, *from, *to));
    json items = json::array();
    std::map<Id, std::string> pattern_of;  // roster id -> pattern, to name the shifts (晚班)
    for (const auto& a : rows) {
      if (!pattern_of.contains(a.roster_id)) {
        ZHIDU_OR_ERROR(pattern_of[a.roster_id], rosters->PatternOf(a.roster_id));
      }
      items.push_back(AssignmentJson(*rosters, pattern_of[a.roster_id], a));
    }
    return JsonResponse(200, {{"items", std::move(items)}});
  });

  // ---- swaps (换班), leave (请假), substitutions (代班)
  r.Add("POST", "/api/v1/roster-assignments/{id}/swap", Access::kSignedIn,
        [rosters](HttpRequest& req) {
          if (!rosters) return Unavailable();
          ZHIDU_OR_ERROR(auto id, PathId(req));
          ZHIDU_OR_ERROR(auto body, JsonBody::Parse(req.body));
          ZHIDU_OR_ERROR(auto colleague, body.RequiredId("colleague_person_id"));
          ZHIDU_OR_ERROR(auto theirs, body.OptionalId("colleague_assignment_id"));
          ZHIDU_OR_ERROR(auto reason, TextOrEmpty(body, "reason"));
          if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
          ZHIDU_OR_ERROR(auto s,
                         rosters->RequestSwap(PrincipalOf(req), id, colleague, theirs, reason));
          return JsonResponse(201, SwapJson(s));
        });
  r.Add("POST", "/api/v1/roster-swaps/{id}/decision", Access::kSignedIn,
        [rosters](HttpRequest& req) {
          if (!rosters) return Unavailable();
          ZHIDU_OR_ERROR(auto id, PathId(req));
          ZHIDU_OR_ERROR(auto body, JsonBody::Parse(req.body));
          ZHIDU_OR_ERROR(auto decision, body.RequiredString("decision"));
          ZHIDU_OR_ERROR(auto note, TextOrEmpty(body, "note"));
          if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
          if (decision != "approve" && decision != "reject")
            return ErrorResponse(
                {Errc::kInvalidArgument, "decision must be approve or reject", "decision"});
          ZHIDU_OR_ERROR(auto s,
                         rosters->DecideSwap(PrincipalOf(req), id, decision == "approve", note));
          return JsonResponse(200, SwapJson(s));
        });
  r.Add("POST", "/api/v1/roster-assignments/{id}/leave", Access::kSignedIn,
        [rosters](HttpRequest& req) {
          if (!rosters) return Unavailable();
          ZHIDU_OR_ERROR(auto id, PathId(req));
          ZHIDU_OR_ERROR(auto body, JsonBody::Parse(req.body.empty() ? "{}" : req.body));
          ZHIDU_OR_ERROR(auto reason, TextOrEmpty(body, "reason"));
          if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
          ZHIDU_OR_ERROR(auto view, rosters->Leave(PrincipalOf(req), id, reason));
          return JsonResponse(200, ViewJson(*rosters, view));
        });
  r.Add("POST", "/api/v1/roster-assignments/{id}/substitute", Access::kSignedIn,
        [rosters](HttpRequest& req) {
          if (!rosters) return Unavailable();
          ZHIDU_OR_ERROR(auto id, PathId(req));
          ZHIDU_OR_ERROR(auto body, JsonBody::Parse(req.body));
          ZHIDU_OR_ERROR(auto who, body.RequiredId("substitute_person_id"));
          ZHIDU_OR_ERROR(auto note, TextOrEmpty(body, "note"));
          if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
          ZHIDU_OR_ERROR(auto view, rosters->Substitute(PrincipalOf(req), id, who, note));
          return JsonResponse(200, ViewJson(*rosters, view));
        });

  // ---- the calendar feed (RFC 5545) at a secret URL
  r.Add("POST", "/api/v1/people/{id}/ical-token", Access::kSignedIn, [rosters](HttpRequest& req) {
    if (!rosters) return Unavailable();
    ZHIDU_OR_ERROR(auto id, PathId(req));
    ZHIDU_OR_ERROR(auto token, rosters->CreateIcalToken(PrincipalOf(req), id));
    return JsonResponse(201,
                        {{"person_id", id}, {"token", token}, {"url", "/ical/" + token + ".ics"}});
  });
  r.Add("DELETE", "/api/v1/people/{id}/ical-token", Access::kSignedIn, [rosters](HttpRequest& req) {
    if (!rosters) return Unavailable();
    ZHIDU_OR_ERROR(auto id, PathId(req));
    ZHIDU_OR_ERROR(auto n, rosters->RevokeIcalTokens(PrincipalOf(req), id));
    return JsonResponse(200, {{"person_id", id}, {"revoked", n}});
  });
  r.Add("GET", "/ical/{token}.ics", Access::kPublic,
        [rosters, store, clock = deps.clock](HttpRequest& req) {
          if (!rosters || !store || !clock) return Unavailable();
          ZHIDU_OR_ERROR(auto person_id, rosters->PersonOfIcalToken(req.params["token"]));
          ZHIDU_OR_ERROR(auto unit, store->BeginRead());
          ZHIDU_OR_ERROR(auto person, unit->GetPerson(person_id));
          ZHIDU_OR_ERROR(auto site, unit->GetSite(person.site_id));
          auto zone = TimeZone::Find(site.time_zone).value_or(TimeZone::Default());
          using namespace std::chrono;
          TimePoint now = clock->Now();
          ZHIDU_OR_ERROR(auto shifts,
                         rosters->PersonShifts(person_id, now - days(31), now + days(92)));
          std::map<Id, std::string> post_names;
          for (const auto& a : shifts)
            if (!post_names.contains(a.post_id)) {
              ZHIDU_OR_ERROR(auto post, unit->GetPost(a.post_id));
              post_names[a.post_id] = post.name;
            }
          std::map<Id, std::string> patterns;
          for (const auto& a : shifts)
            if (!patterns.contains(a.roster_id)) {
              ZHIDU_OR_ERROR(auto ro, roster::db::GetRoster(unit->sql(), a.roster_id));
              patterns[a.roster_id] = ro.pattern;
            }
          auto body =
              roster::RenderIcal(person, shifts, zone, now, [&](const roster::RosterAssignment& a) {
                return rosters->ShiftName(patterns[a.roster_id], a.shift) + " " +
                       post_names[a.post_id];
              });
          return HttpResponse{200,
                              "text/calendar; charset=utf-8",
                              std::move(body),
                              {{"Cache-Control", "private, max-age=300"}}};
        });
}

}  // namespace zhidu::api
