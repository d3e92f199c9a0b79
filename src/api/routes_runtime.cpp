#include "api/routes_runtime.hpp"

#include <map>
#include <nlohmann/json.hpp>

#include "api/api.hpp"
#include "api/api_internal.hpp"
#include "api/json_body.hpp"
#include "kernel/policy/pack.hpp"
#include "kernel/policy/parameters.hpp"

namespace zhidu::api {

namespace {

using nlohmann::json;
using store::Id;

json Parsed(const std::string& canonical) {
  json v = json::parse(canonical, nullptr, false);
  return v.is_discarded() ? json(nullptr) : v;
}

json DutyJson(const store::DutyInstance& d) {
  return {{"id", d.id},
          {"site_id", d.site_id},
          {"post_id", d.post_id},
          {"duty", d.duty},
          {"target", d.target},
          {"due_at", TimeOrNull(d.due_at)},
          {"window_end", TimeOrNull(d.window_end)},
          {"miss_at", TimeOrNull(d.miss_at)},
          {"required", d.required},
          {"completions", d.completions},
          {"state", std::string(store::DutyStateName(d.state))},
          {"started_by", d.started_by ? json(d.started_by) : json(nullptr)},
          {"started_at", TimeOrNull(d.started_at)},
          {"completed_by", d.completed_by ? json(d.completed_by) : json(nullptr)},
          {"completed_person", d.completed_person ? json(d.completed_person) : json(nullptr)},
          {"completed_at", TimeOrNull(d.completed_at)},
          {"answers", Parsed(d.answers)}};
}

std::string_view ItemKindName(policy::ItemKind k) {
  switch (k) {
    case policy::ItemKind::kCheck:
      return "check";
    case policy::ItemKind::kPassFlagFail:
      return "pass_flag_fail";
    case policy::ItemKind::kNumber:
      return "number";
    case policy::ItemKind::kText:
      return "text";
    case policy::ItemKind::kPhoto:
      return "photo";
    case policy::ItemKind::kSignature:
      return "signature";
  }
  return "check";
}

// What the pack says about a duty: title, clauses and form items (members of a duty's JSON).
json DescriptionJson(const runtime::DutyInfo& info) {
  json items = json::array();
  for (const auto& item : info.items) items.push_back(ChecklistItemJson(item));
  return {{"title", info.title},
          {"clauses", info.clauses},
          {"form", {{"id", info.form}, {"kind", info.form_kind}, {"items", std::move(items)}}},
          {"period", info.period.empty() ? json(nullptr) : json(info.period)},
          {"follow_up", info.follow_up ? json{{"kind", info.follow_up->kind},
                                              {"assign_to", info.follow_up->assign_to},
                                              {"clauses", info.follow_up->clauses}}
                                       : json(nullptr)}};
}

// The duty instance with what the pack says about its duty: title, clauses and form items.
json DescribedDutyJson(const runtime::Duties& duties, const store::DutyInstance& d) {
  json out = DutyJson(d);
  auto info = duties.Describe(d.duty);
  if (!info) return out;
  json described = DescriptionJson(*info);
  for (auto& [key, value] : described.items()) out[key] = std::move(value);
  return out;
}

std::string Dumped(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// A page of duty instances, each described, as GET /duties/{id} gives one. A board page holds
// ~100 instances of a dozen duties: each duty's description (its form is most of the bytes) is
// built and serialized once per response and spliced into its instances' text, instead of a json
// tree per instance (docs/performance.md, Profiles: W2). Same members as DescribedDutyJson.
HttpResponse DescribedDutyPage(const runtime::Duties& duties,
                               const std::vector<store::DutyInstance>& rows,
                               const store::PageRequest& page) {
  std::map<std::string, std::string, std::less<>> described;  // duty id -> `,"clauses":…` or ""
  std::string body = "{\"items\":[";
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& d = rows[i];
    auto it = described.find(d.duty);
    if (it == described.end()) {
      std::string members;
      if (auto info = duties.Describe(d.duty)) {
        members = Dumped(DescriptionJson(*info));  // {"clauses":…,"form":…,"title":…}
        members.front() = ',';
        members.pop_back();
      }
      it = described.emplace(d.duty, std::move(members)).first;
    }
    if (i) body += ',';
    std::string item = Dumped(DutyJson(d));
    item.pop_back();  // the closing brace
    body += item;
    body += it->second;
    body += '}';
  }
  body += "],\"next_cursor\":";
  body += Dumped(NextCursor(rows.size(), page, rows.empty() ? 0 : rows.back().id));
  body += '}';
  return HttpResponse{200, "application/json", std::move(body), {}};
}

json AttendanceJson(const store::Attendance& a) {
  return {{"id", a.id},
          {"site_id", a.site_id},
          {"post_id", a.post_id},
          {"person_id", a.person_id},
          {"started_at", TimeOrNull(a.started_at)},
          {"ended_at", TimeOrNull(a.ended_at)},
          {"relieved_by", a.relieved_by ? json(a.relieved_by) : json(nullptr)}};
}

// An outside party (外来人员: a visitor, a contractor) fined without a person record:
// {"name", "company"?}, kept as "姓名（单位）" (issue 16 §6).
Result<std::string> ReadParty(const json& party) {
  auto text = [&](const char* key, size_t max, bool required) -> Result<std::string> {
    auto it = party.find(key);
    std::string field = std::string("party.") + key;
    if (it == party.end() || it->is_null()) {
      if (!required) return std::string();
      return Fail(Errc::kInvalidArgument, kRequired, field + " is required", "party");
    }
    if (!it->is_string())
      return Fail(Errc::kInvalidArgument, kInvalid, field + " must be a string", "party");
    std::string out = it->get<std::string>();
    auto first = out.find_first_not_of(" \t\n");
    out = first == std::string::npos ? ""
                                     : out.substr(first, out.find_last_not_of(" \t\n") - first + 1);
    if (required && out.empty())
      return Fail(Errc::kInvalidArgument, kRequired, field + " is required", "party");
    if (out.size() > max)
      return Fail(Errc::kInvalidArgument, Reason{"too_long"},
                  field + " is longer than " + std::to_string(max) + " bytes", "party");
    return out;
  };
  for (const auto& [key, value] : party.items())
    if (key != "name" && key != "company")
      return Fail(Errc::kInvalidArgument, kInvalid,
                  "party takes name and company, not " + key.substr(0, 40), "party");
  ZHIDU_TRY(auto name, text("name", 100, true));
  ZHIDU_TRY(auto company, text("company", 200, false));
  return company.empty() ? name : name + "（" + company + "）";
}

json ViolationJson(const store::Violation& v) {
  json clauses = json::array();
  size_t start = 0;
  while (start <= v.clauses.size() && !v.clauses.empty()) {
    size_t end = v.clauses.find('\n', start);
    clauses.push_back(v.clauses.substr(start, end == std::string::npos ? end : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return {{"id", v.id},
          {"site_id", v.site_id},
          {"person_id", v.person_id ? json(v.person_id) : json(nullptr)},
          {"party", v.party.empty() ? json(nullptr) : json(v.party)},
          {"department_id", v.department_id ? json(v.department_id) : json(nullptr)},
          {"post_id", v.post_id ? json(v.post_id) : json(nullptr)},
          {"code", v.code},
          {"clauses", clauses},
          {"source", v.source},
          {"subject", v.subject},
          {"occurred_at", TimeOrNull(v.occurred_at)},
          {"recorded_by", v.recorded_by ? json(v.recorded_by) : json(nullptr)},
          {"note", v.note},
          {"occurrence", v.occurrence},
          {"consequence", Parsed(v.consequence)},
          {"fine_yuan", static_cast<double>(v.fine_fen) / 100.0},
          {"state", std::string(store::ViolationStateName(v.state))},
          {"appeal", v.appeal.empty() ? json(nullptr) : json(v.appeal)},
          {"appealed_at", TimeOrNull(v.appealed_at)},
          {"decided_by", v.decided_by ? json(v.decided_by) : json(nullptr)},
          {"decided_at", TimeOrNull(v.decided_at)},
          {"decision_note", v.decision_note},
          {"created_at", TimeOrNull(v.created_at)}};
}

HttpResponse Unavailable() {
  return ErrorResponse({Errc::kUnavailable, "the runtime is not running in this process", ""});
}

}  // namespace

Result<runtime::Answers> ReadAnswers(const std::optional<json>& object) {
  runtime::Answers out;
  if (!object) return out;
  for (const auto& [key, v] : object->items()) {
    std::string field = "answers." + key;
    if (v.is_boolean())
      out.emplace(key, v.get<bool>());
    else if (v.is_number())
      out.emplace(key, v.get<double>());
    else if (v.is_string())
      out.emplace(key, v.get<std::string>());
    else
      return Fail(Errc::kInvalidArgument, field + " must be true/false, a number or text", field);
  }
  return out;
}

nlohmann::json ChecklistItemJson(const policy::ChecklistItem& item) {
  json i = {{"id", item.id},
            {"label", item.label},
            {"kind", ItemKindName(item.kind)},
            {"required", item.required},
            {"clauses", item.clauses}};
  if (item.min) i["min"] = *item.min;
  if (item.max) i["max"] = *item.max;
  if (item.limit_min || item.limit_max) {  // what can be entered at all; min/max: the normal range
    json limit = json::object();
    if (item.limit_min) limit["min"] = *item.limit_min;
    if (item.limit_max) limit["max"] = *item.limit_max;
    i["limit"] = std::move(limit);
  }
  if (!item.unit.empty()) i["unit"] = item.unit;
  return i;
}

void AddRuntimeRoutes(Router& r, RuntimeRouteDeps deps) {
  auto* duties = deps.duties;
  auto* ledger = deps.ledger;

  // ---- duty instances
  r.Add("GET", "/api/v1/duties", Access::kSignedIn, [duties](HttpRequest& req) {
    if (!duties) return Unavailable();
    ZHIDU_OR_ERROR(auto page, PageOf(req));
    store::DutyFilter f;
    ZHIDU_OR_ERROR(f.site_id, QueryId(req, "site_id"));
    ZHIDU_OR_ERROR(f.post_id, QueryId(req, "post_id"));
    f.duty = QueryString(req, "duty");
    if (auto s = QueryString(req, "state"); !s.empty()) {
      f.state = store::ParseDutyState(s);
      if (!f.state)
        return ErrorResponse({Errc::kInvalidArgument,
                              "state must be one of scheduled, due, in_progress, done, late, "
                              "missed, cancelled",
                              "state"});
    }
    ZHIDU_OR_ERROR(f.due_from, QueryTime(req, "due_from"));
    ZHIDU_OR_ERROR(f.due_before, QueryTime(req, "due_before"));
    ZHIDU_OR_ERROR(auto rows, duties->List(PrincipalOf(req), f, page));
    return DescribedDutyPage(*duties, rows, page);
  });
  r.Add("GET", "/api/v1/duties/{id}", Access::kSignedIn, [duties](HttpRequest& req) {
    if (!duties) return Unavailable();
    ZHIDU_OR_ERROR(auto id, PathId(req));
    ZHIDU_OR_ERROR(auto d, duties->Get(PrincipalOf(req), id));
    return JsonResponse(200, DescribedDutyJson(*duties, d));
  });
  r.Add("POST", "/api/v1/duties/{id}/start", Access::kSignedIn, [duties](HttpRequest& req) {
    if (!duties) return Unavailable();
    ZHIDU_OR_ERROR(auto id, PathId(req));
    ZHIDU_OR_ERROR(auto d, duties->Start(PrincipalOf(req), id));
    return JsonResponse(200, DutyJson(d));
  });
  r.Add("POST", "/api/v1/duties/{id}/complete", Access::kSignedIn, [duties](HttpRequest& req) {
    if (!duties) return Unavailable();
    ZHIDU_OR_ERROR(auto id, PathId(req));
    ZHIDU_OR_ERROR(auto body, JsonBody::Parse(req.body.empty() ? "{}" : req.body));
    ZHIDU_OR_ERROR(auto object, body.OptionalObject("answers"));
    if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto answers, ReadAnswers(object));
    std::vector<store::Id> repairs;
    ZHIDU_OR_ERROR(auto d, duties->Complete(PrincipalOf(req), id, answers, &repairs));
    json out = DutyJson(d);
    out["repairs_opened"] = repairs;  // follow-up repairs (报修) opened by abnormal answers
    return JsonResponse(200, out);
  });
  r.Add("POST", "/api/v1/duties:plan", Access::kSignedIn, [duties](HttpRequest& req) {
    if (!duties) return Unavailable();
    ZHIDU_OR_ERROR(int created, duties->PlanNow(PrincipalOf(req)));
    return JsonResponse(200, {{"created", created}});
  });
  r.Add("GET", "/api/v1/duties:plan-report", Access::kSignedIn, [duties](HttpRequest&) {
    if (!duties) return Unavailable();
    json items = json::array();
    for (const auto& e : duties->PlanReport()) {
      json item = {{"duty", e.duty},
                   {"post", e.post},
                   {"planned", e.planned},
                   {"posts_matched", e.posts_matched},
                   {"reason", e.reason}};
      json skipped = json::array();  // matched posts marked not staffed, with the site's reason
      for (const auto& n : e.not_staffed)
        skipped.push_back({{"site_id", n.site_id}, {"post_id", n.post_id}, {"reason", n.reason}});
      item["not_staffed"] = std::move(skipped);
      // What the pack says of the duty, so the console can list e.g. the equipment tests.
      if (auto info = duties->Describe(e.duty)) {
        item["title"] = info->title;
        item["clauses"] = info->clauses;
        item["form_kind"] = info->form_kind;
        item["period"] = info->period.empty() ? json(nullptr) : json(info->period);
      }
      items.push_back(std::move(item));
    }
    return JsonResponse(200, {{"items", std::move(items)}});
  });

  // ---- attendance (在岗)
  r.Add("GET", "/api/v1/posts/{id}/attendance", Access::kSignedIn, [duties](HttpRequest& req) {
    if (!duties) return Unavailable();
    ZHIDU_OR_ERROR(auto id, PathId(req));
    ZHIDU_OR_ERROR(auto rows, duties->OnPost(id));
    json items = json::array();
    for (const auto& a : rows) items.push_back(AttendanceJson(a));
    return JsonResponse(200, {{"items", std::move(items)}});
  });
  // The relief checklist of a post (R12 §四(二)2(5)), for the 离岗 dialog: what attendance:leave's
  // `answers` must hold when a colleague takes over. Empty lists: no relief checklist applies.
  r.Add("GET", "/api/v1/posts/{id}/relief", Access::kSignedIn, [duties](HttpRequest& req) {
    if (!duties) return Unavailable();
    ZHIDU_OR_ERROR(auto id, PathId(req));
    ZHIDU_OR_ERROR(auto form, duties->ReliefOf(PrincipalOf(req), id));
    json items = json::array();
    for (const auto& item : form.items) items.push_back(ChecklistItemJson(item));
    return JsonResponse(200, {{"post_id", id},
                              {"checklists", form.checklists},
                              {"clauses", form.clauses},
                              {"notify_roles", form.notify_roles},
                              {"items", std::move(items)}});
  });
  r.Add("POST", "/api/v1/posts/{id}/attendance", Access::kSignedIn, [duties](HttpRequest& req) {
    if (!duties) return Unavailable();
    ZHIDU_OR_ERROR(auto id, PathId(req));
    std::vector<std::string> cited;
    std::vector<runtime::TakeoverWarning> warnings;
    auto a = duties->TakePost(PrincipalOf(req), id, &cited, &warnings);
    if (!a) return CitingError(a.error(), cited);
    json out = AttendanceJson(*a);
    // Duties closing within the site's late_takeover_grace: the taker is not charged if missed.
    out["warnings"] = json::array();
    for (const auto& w : warnings)
      out["warnings"].push_back({{"code", "duty_closing"},
                                 {"duty_id", w.duty_id},
                                 {"duty", w.duty},
                                 {"title", w.title},
                                 {"window_end", Timestamp(w.window_end)},
                                 {"message", w.message}});
    return JsonResponse(201, out);
  });
  // Posts not staffed (不设岗): their duties do not fall due (docs/runtime.md).
  auto staffing_json = [](const runtime::PostNotStaffed& n) {
    return json{{"post_id", n.post_id},
                {"staffed", n.reason.empty()},
                {"reason", n.reason.empty() ? json(nullptr) : json(n.reason)},
                {"updated_by", IdOrNull(n.updated_by)},
                {"updated_at", TimeOrNull(n.updated_at)}};
  };
  r.Add("PUT", "/api/v1/posts/{id}/staffing", Access::kSignedIn,
        [duties, staffing_json](HttpRequest& req) {
          if (!duties) return Unavailable();
          ZHIDU_OR_ERROR(auto id, PathId(req));
          ZHIDU_OR_ERROR(auto body, JsonBody::Parse(req.body));
          if (!body.json().contains("staffed"))
            return ErrorResponse({Errc::kInvalidArgument, "staffed is required", "staffed"});
          ZHIDU_OR_ERROR(bool staffed, body.OptionalBool("staffed", true));
          ZHIDU_OR_ERROR(auto reason, body.OptionalString("reason"));
          if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
          int planned = 0;
          ZHIDU_OR_ERROR(auto n,
                         duties->SetStaffing(PrincipalOf(req), id, staffed, reason, &planned));
          json out = staffing_json(n);
          out["planned"] = planned;
          return JsonResponse(200, out);
        });
  r.Add("GET", "/api/v1/sites/{id}/staffing", Access::kSignedIn,
        [duties, staffing_json](HttpRequest& req) {
          if (!duties) return Unavailable();
          ZHIDU_OR_ERROR(auto id, PathId(req));
          ZHIDU_OR_ERROR(auto rows, duties->NotStaffed(PrincipalOf(req), id));
          json items = json::array();
          for (const auto& n : rows) items.push_back(staffing_json(n));
          return JsonResponse(200, {{"not_staffed", std::move(items)}});
        });
  r.Add("POST", "/api/v1/posts/{id}/attendance:leave", Access::kSignedIn,
        [duties](HttpRequest& req) {
          if (!duties) return Unavailable();
          ZHIDU_OR_ERROR(auto id, PathId(req));
          ZHIDU_OR_ERROR(auto body, JsonBody::Parse(req.body.empty() ? "{}" : req.body));
          ZHIDU_OR_ERROR(auto relief, body.OptionalId("relief_person_id"));
          ZHIDU_OR_ERROR(auto object, body.OptionalObject("answers"));
          if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
          std::optional<runtime::Answers> answers;
          if (object) {
            ZHIDU_OR_ERROR(answers, ReadAnswers(object));
          }
          runtime::LeaveRelief applied;
          std::vector<std::string> cited;
          auto a = duties->LeavePost(PrincipalOf(req), id, relief, answers ? &*answers : nullptr,
                                     &applied, &cited);
          if (!a) return CitingError(a.error(), cited);
          json out = AttendanceJson(*a);
          if (answers)  // the relief checklist answered (R12 §四(二)2(5))
            out["relief"] = {{"checklists", applied.checklists},
                             {"clauses", applied.clauses},
                             {"answers", Parsed(applied.answers)},
                             {"notify_roles", applied.notify_roles}};
          return JsonResponse(200, out);
        });

  // ---- ledger (违规台账)
  r.Add("GET", "/api/v1/violations", Access::kSignedIn, [ledger](HttpRequest& req) {
    if (!ledger) return Unavailable();
    ZHIDU_OR_ERROR(auto page, PageOf(req));
    store::ViolationFilter f;
    ZHIDU_OR_ERROR(f.site_id, QueryId(req, "site_id"));
    ZHIDU_OR_ERROR(f.person_id, QueryId(req, "person_id"));
    ZHIDU_OR_ERROR(f.department_id, QueryId(req, "department_id"));
    f.code = QueryString(req, "code");
    if (auto s = QueryString(req, "state"); !s.empty()) {
      f.state = store::ParseViolationState(s);
      if (!f.state)
        return ErrorResponse({Errc::kInvalidArgument,
                              "state must be one of recorded, appealed, upheld, overturned",
                              "state"});
    }
    ZHIDU_OR_ERROR(f.from, QueryTime(req, "from"));
    ZHIDU_OR_ERROR(f.before, QueryTime(req, "before"));
    ZHIDU_OR_ERROR(auto rows, ledger->List(PrincipalOf(req), f, page));
    return List(rows, page, ViolationJson, [](const store::Violation& v) { return v.id; });
  });
  r.Add("POST", "/api/v1/violations", Access::kSignedIn, [ledger](HttpRequest& req) {
    if (!ledger) return Unavailable();
    ZHIDU_OR_ERROR(auto body, JsonBody::Parse(req.body));
    runtime::NewViolation v;
    ZHIDU_OR_ERROR(v.site_id, body.RequiredId("site_id"));
    // Absent or null: nobody could be identified; the person is assigned later (…/assign).
    ZHIDU_OR_ERROR(v.person_id, body.OptionalId("person_id"));
    ZHIDU_OR_ERROR(v.post_id, body.OptionalId("post_id"));
    // An outside party (外来人员: a visitor, a contractor) fined without a person record:
    // {"name", "company"?}, kept as "姓名（单位）" (issue 16 §6).
    ZHIDU_OR_ERROR(auto party, body.OptionalObject("party"));
    if (party) {
      ZHIDU_OR_ERROR(v.party, ReadParty(*party));
    }
    // code, clauses or both (docs/runtime.md); "" or blanks are no code (the ledger refuses
    // neither with a 400 naming code).
    ZHIDU_OR_ERROR(v.code, body.OptionalString("code"));
    if (v.code.find_first_not_of(" \t") == std::string::npos) v.code.clear();
    ZHIDU_OR_ERROR(auto clauses, body.OptionalArray("clauses"));
    if (clauses) {
      for (const auto& c : *clauses) {
        if (!c.is_string())
          return ErrorResponse(
              {Errc::kInvalidArgument, "clauses must be clause ids like \"R18 §四2\"", "clauses"});
        v.clauses.push_back(c.get<std::string>());
      }
    }
    ZHIDU_OR_ERROR(auto occurred, body.RequiredString("occurred_at"));
    auto t = ParseIso8601(occurred);
    if (!t)
      return ErrorResponse({Errc::kInvalidArgument,
                            "occurred_at must be an ISO 8601 time with an offset", "occurred_at"});
    v.occurred_at = *t;
    ZHIDU_OR_ERROR(v.note, body.OptionalString("note"));
    if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
    if (v.note.size() > 4000)
      return ErrorResponse({Errc::kInvalidArgument, "note is longer than 4000 bytes", "note"});
    if (v.person_id) v.subject = "person/" + std::to_string(v.person_id);
    if (!v.party.empty()) v.subject = "party/" + v.party;
    ZHIDU_OR_ERROR(auto created, ledger->Record(PrincipalOf(req), v));
    return JsonResponse(201, ViolationJson(created));
  });
  r.Add("GET", "/api/v1/violations/{id}", Access::kSignedIn, [ledger](HttpRequest& req) {
    if (!ledger) return Unavailable();
    ZHIDU_OR_ERROR(auto id, PathId(req));
    ZHIDU_OR_ERROR(auto v, ledger->Get(PrincipalOf(req), id));
    return JsonResponse(200, ViolationJson(v));
  });
  // 指定当事人: {"person_id", "note"?} — a violation recorded against nobody gets its person.
  r.Add("POST", "/api/v1/violations/{id}/assign", Access::kSignedIn, [ledger](HttpRequest& req) {
    if (!ledger) return Unavailable();
    ZHIDU_OR_ERROR(auto id, PathId(req));
    ZHIDU_OR_ERROR(auto body, JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto person_id, body.RequiredId("person_id"));
    ZHIDU_OR_ERROR(auto note, body.OptionalString("note"));
    if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto v, ledger->Assign(PrincipalOf(req), id, person_id, note));
    return JsonResponse(200, ViolationJson(v));
  });
  r.Add("POST", "/api/v1/violations/{id}/appeal", Access::kSignedIn, [ledger](HttpRequest& req) {
    if (!ledger) return Unavailable();
    ZHIDU_OR_ERROR(auto id, PathId(req));
    ZHIDU_OR_ERROR(auto body, JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto text, body.RequiredString("appeal"));
    if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto v, ledger->Appeal(PrincipalOf(req), id, text));
    return JsonResponse(200, ViolationJson(v));
  });
  r.Add("POST", "/api/v1/violations/{id}/decision", Access::kSignedIn, [ledger](HttpRequest& req) {
    if (!ledger) return Unavailable();
    ZHIDU_OR_ERROR(auto id, PathId(req));
    ZHIDU_OR_ERROR(auto body, JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto decision, body.RequiredString("decision"));
    ZHIDU_OR_ERROR(auto note, body.OptionalString("note"));
    if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
    if (decision != "uphold" && decision != "overturn")
      return ErrorResponse(
          {Errc::kInvalidArgument, "decision must be \"uphold\" or \"overturn\"", "decision"});
    ZHIDU_OR_ERROR(auto v, ledger->Decide(PrincipalOf(req), id, decision == "uphold", note));
    return JsonResponse(200, ViolationJson(v));
  });
  r.Add("GET", "/api/v1/ledger/statements", Access::kSignedIn, [ledger](HttpRequest& req) {
    if (!ledger) return Unavailable();
    ZHIDU_OR_ERROR(auto site_id, QueryId(req, "site_id"));
    ZHIDU_OR_ERROR(auto person_id, QueryId(req, "person_id"));
    ZHIDU_OR_ERROR(auto department_id, QueryId(req, "department_id"));
    if (site_id == 0)
      return ErrorResponse({Errc::kInvalidArgument, "site_id is required", "site_id", "required"});
    ZHIDU_OR_ERROR(auto st,
                   ledger->MonthlyStatement(PrincipalOf(req), site_id, QueryString(req, "month"),
                                            person_id, department_id));
    json items = json::array();
    for (const auto& v : st.violations) items.push_back(ViolationJson(v));
    return JsonResponse(
        200, {{"site_id", st.site_id},
              {"person_id", st.person_id ? json(st.person_id) : json(nullptr)},
              {"department_id", st.department_id ? json(st.department_id) : json(nullptr)},
              {"month", st.month},
              {"counted", st.counted},
              {"warnings", st.warnings},
              {"fine_yuan", static_cast<double>(st.fine_fen) / 100.0},
              {"unpriced", st.unpriced},
              {"violations", items}});
  });

  // ---- site parameters (本单位参数)
  auto* parameters = deps.parameters;
  auto entry_json = [](const runtime::SiteParameterEntry& e) {
    return json{{"name", e.decl.name},
                {"kind", std::string(policy::ParamKindName(e.decl.kind))},
                {"rule", e.decl.rule},
                {"clauses", e.decl.clauses},
                {"value", e.value ? json(*e.value) : json(nullptr)},
                {"updated_by", e.updated_by ? json(e.updated_by) : json(nullptr)},
                {"updated_at", TimeOrNull(e.updated_at)}};
  };
  r.Add("GET", "/api/v1/sites/{id}/parameters", Access::kSignedIn,
        [parameters, entry_json](HttpRequest& req) {
          if (!parameters) return Unavailable();
          ZHIDU_OR_ERROR(auto id, PathId(req));
          ZHIDU_OR_ERROR(auto rows, parameters->List(PrincipalOf(req), id));
          json items = json::array();
          for (const auto& e : rows) items.push_back(entry_json(e));
          return JsonResponse(200, {{"items", std::move(items)}});
        });
  r.Add("PUT", "/api/v1/sites/{id}/parameters/{name}", Access::kSignedIn,
        [parameters, entry_json](HttpRequest& req) {
          if (!parameters) return Unavailable();
          ZHIDU_OR_ERROR(auto id, PathId(req));
          ZHIDU_OR_ERROR(auto body, JsonBody::Parse(req.body));
          ZHIDU_OR_ERROR(auto value, body.RequiredString("value"));
          if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
          ZHIDU_OR_ERROR(auto e,
                         parameters->Set(PrincipalOf(req), id, req.params.at("name"), value));
          return JsonResponse(200, entry_json(e));
        });
  r.Add("DELETE", "/api/v1/sites/{id}/parameters/{name}", Access::kSignedIn,
        [parameters, entry_json](HttpRequest& req) {
          if (!parameters) return Unavailable();
          ZHIDU_OR_ERROR(auto id, PathId(req));
          ZHIDU_OR_ERROR(auto e, parameters->Unset(PrincipalOf(req), id, req.params.at("name")));
          return JsonResponse(200, entry_json(e));
        });

  // ---- working hours (工作时间) of a site and its departments
  auto hours_entry_json = [](const runtime::WorkingHoursEntry& e) {
    json hours = json::array();
    for (const auto& p : e.periods) hours.push_back(policy::FormatTimeRange(p));
    return json{{"hours", std::move(hours)},
                {"from", e.from.empty() ? json(nullptr) : json(e.from)},
                {"clauses", e.clauses},
                {"updated_by", e.updated_by ? json(e.updated_by) : json(nullptr)},
                {"updated_at", TimeOrNull(e.updated_at)}};
  };
  auto hours_json = [hours_entry_json](const runtime::SiteWorkingHours& w) {
    json departments = json::array();
    for (const auto& [id, e] : w.departments) {
      json d = hours_entry_json(e);
      d["department_id"] = id;
      departments.push_back(std::move(d));
    }
    return json{{"site", hours_entry_json(w.site)}, {"departments", std::move(departments)}};
  };
  r.Add("GET", "/api/v1/sites/{id}/working-hours", Access::kSignedIn,
        [parameters, hours_json](HttpRequest& req) {
          if (!parameters) return Unavailable();
          ZHIDU_OR_ERROR(auto id, PathId(req));
          ZHIDU_OR_ERROR(auto w, parameters->WorkingHours(PrincipalOf(req), id));
          return JsonResponse(200, hours_json(w));
        });
  r.Add("PUT", "/api/v1/sites/{id}/working-hours", Access::kSignedIn,
        [parameters, hours_json](HttpRequest& req) {
          if (!parameters) return Unavailable();
          ZHIDU_OR_ERROR(auto id, PathId(req));
          ZHIDU_OR_ERROR(auto body, JsonBody::Parse(req.body));
          ZHIDU_OR_ERROR(auto department_id, body.OptionalId("department_id"));
          ZHIDU_OR_ERROR(auto items, body.OptionalArray("hours"));
          if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
          const Error bad{Errc::kInvalidArgument,
                          "hours must be a list of \"HH:MM-HH:MM\" periods (an empty list clears)",
                          "hours"};
          if (!items || !items->is_array()) return ErrorResponse(bad);
          std::vector<policy::TimeRange> periods;
          for (const auto& item : *items) {
            if (!item.is_string()) return ErrorResponse(bad);
            auto range = policy::ParseTimeRange(item.get<std::string>());
            if (!range)
              return ErrorResponse({Errc::kInvalidArgument, range.error().message, "hours"});
            periods.push_back(*range);
          }
          ZHIDU_OR_ERROR(auto w,
                         parameters->SetWorkingHours(PrincipalOf(req), id, department_id, periods));
          return JsonResponse(200, hours_json(w));
        });

  // ---- test clock
  r.Add("GET", "/api/v1/test/clock", Access::kSignedIn, [deps](HttpRequest&) {
    if (!deps.advance_clock)
      return ErrorResponse({Errc::kNotFound, "this server does not run on a test clock", ""});
    return JsonResponse(200, {{"now", Timestamp(deps.now())}});
  });
  r.Add("POST", "/api/v1/test/clock", Access::kSignedIn, [deps](HttpRequest& req) {
    if (!deps.advance_clock)
      return ErrorResponse({Errc::kNotFound,
                            "this server does not run on a test clock (zhidu serve --test-clock)",
                            ""});
    ZHIDU_OR_ERROR(auto body, JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto to_text, body.OptionalString("to"));
    ZHIDU_OR_ERROR(auto by_text, body.OptionalString("advance"));
    if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
    TimePoint to = deps.now();
    if (!to_text.empty()) {
      auto t = ParseIso8601(to_text);
      if (!t) return ErrorResponse({Errc::kInvalidArgument, "to must be ISO 8601", "to"});
      to = *t;
    } else {
      auto d = policy::ParseDuration(by_text);
      if (!d || d->months || d->working_days)
        return ErrorResponse({Errc::kInvalidArgument,
                              "advance must be a duration like \"15m\" or \"1d\"", "advance"});
      to += std::chrono::duration_cast<Micros>(d->fixed);
    }
    if (to < deps.now())
      return ErrorResponse({Errc::kInvalidArgument, "the test clock never goes back", "to"});
    ZHIDU_OR_ERROR(auto now, deps.advance_clock(to));
    return JsonResponse(200, {{"now", Timestamp(now)}});
  });
}

}  // namespace zhidu::api
