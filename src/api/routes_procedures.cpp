#include "api/routes_procedures.hpp"

#include <nlohmann/json.hpp>

#include "api/api.hpp"
#include "api/api_internal.hpp"
#include "api/json_body.hpp"
#include "api/routes_runtime.hpp"

namespace zhidu::api {

namespace {

using nlohmann::json;
using store::Id;

json IdOrNull(Id id) { return id ? json(id) : json(nullptr); }
json Parsed(const std::string& canonical) {
  json v = json::parse(canonical, nullptr, false);
  return v.is_discarded() ? json(nullptr) : v;
}

HttpResponse Unavailable() {
  return ErrorResponse({Errc::kUnavailable, "procedures are not served by this process", ""});
}

json InstanceJson(const store::ProcedureInstance& in) {
  return {{"id", in.id},
          {"site_id", in.site_id},
          {"procedure", in.procedure},
          {"state", in.state},
          {"subject", in.subject},
          {"ref", in.ref},
          {"data", Parsed(in.data)},
          {"notes", Parsed(in.notes)},
          {"person_id", IdOrNull(in.person_id)},
          {"started_by", IdOrNull(in.started_by)},
          {"started_at", TimeOrNull(in.started_at)},
          {"updated_at", TimeOrNull(in.updated_at)},
          {"closed_at", TimeOrNull(in.closed_at)},
          {"open", in.closed_at == TimePoint{}}};
}

json ViewJson(const runtime::ProcedureView& v) {
  json out = InstanceJson(v.instance);
  out["title"] = v.title;
  out["clauses"] = v.clauses;
  out["state_title"] = v.state_title;
  out["state_clauses"] = v.state_clauses;
  json titles = json::object();
  for (const auto& [id, title] : v.state_titles) titles[id] = title;
  out["state_titles"] = titles;
  out["terminal"] = v.terminal;
  json allowed = json::array();
  for (const auto& a : v.allowed)
    allowed.push_back({{"event", a.event},
                       {"to", a.to},
                       {"to_title", a.to_title},
                       {"roles", a.roles},
                       {"clauses", a.clauses},
                       {"guard", a.guard.empty() ? json(nullptr) : json(a.guard)},
                       {"viewer_may", a.viewer_may}});
  out["allowed"] = allowed;
  // History with the time spent in each state: a step lasts until the next one (or now).
  json history = json::array();
  for (size_t i = 0; i < v.history.size(); ++i) {
    const auto& t = v.history[i];
    json h = {{"id", t.id},
              {"from", t.from_state.empty() ? json(nullptr) : json(t.from_state)},
              {"to", t.to_state},
              {"event", t.event},
              {"account_id", IdOrNull(t.account_id)},
              {"person_id", IdOrNull(t.person_id)},
              {"note", t.note},
              {"inputs", Parsed(t.inputs)},
              {"at", TimeOrNull(t.at)}};
    if (i > 0)
      h["seconds_in_previous_state"] =
          std::chrono::duration_cast<std::chrono::seconds>(t.at - v.history[i - 1].at).count();
    history.push_back(std::move(h));
  }
  out["history"] = history;
  json tasks = json::array();
  for (const auto& t : v.tasks)
    tasks.push_back(
        {{"id", t.id},
         {"state", t.state},
         {"kind", t.kind},
         {"task", t.task},
         {"role", t.role.empty() ? json(nullptr) : json(t.role)},
         {"slot", t.slot},
         {"person_id", IdOrNull(t.person_id)},
         {"assigned_by", IdOrNull(t.assigned_by)},
         {"assigned_at", TimeOrNull(t.assigned_at)},
         {"done", t.done_at != TimePoint{}},
         {"done_by", IdOrNull(t.done_by)},
         {"done_at", TimeOrNull(t.done_at)},
         // A record step's note is the record's answers (canonical JSON).
         {"note", t.task.starts_with("record:") ? std::string() : t.note},
         {"answers",
          t.task.starts_with("record:") && !t.note.empty() ? Parsed(t.note) : json(nullptr)}});
  out["tasks"] = tasks;
  json timers = json::array();
  for (const auto& t : v.timers)
    timers.push_back({{"event", t.event},
                      {"timer_id", t.timer_id},
                      {"due_at", TimeOrNull(t.due_at)},
                      {"state", t.state}});
  out["timers"] = timers;
  return out;
}

json DeadlineJson(const store::Deadline& d) {
  return {{"id", d.id},
          {"site_id", d.site_id},
          {"service_level", d.service_level},
          {"subject", d.subject},
          {"ref", d.ref},
          {"person_id", IdOrNull(d.person_id)},
          {"state", d.state},
          {"data", Parsed(d.data)},
          {"note", d.note},
          {"started_at", TimeOrNull(d.started_at)},
          {"due_at", TimeOrNull(d.due_at)},
          {"stopped_at", TimeOrNull(d.stopped_at)},
          {"breached_at", TimeOrNull(d.breached_at)},
          {"started_by", IdOrNull(d.started_by)},
          {"stopped_by", IdOrNull(d.stopped_by)},
          {"paused_at", TimeOrNull(d.paused_at)},
          {"working_hours", d.working_hours}};
}

// An event name as the pack writes them: at most kMaxEventNameBytes (docs/security.md, Sizes).
constexpr size_t kMaxEventNameBytes = 100;
Result<void> RequireEventName(const std::string& event, bool required) {
  if (required && event.empty())
    return Fail(Errc::kInvalidArgument, kRequired, "event is required", "event");
  if (event.size() > kMaxEventNameBytes)
    return Fail(Errc::kInvalidArgument,
                "event is longer than " + std::to_string(kMaxEventNameBytes) +
                    " bytes: no policy pack names one so long",
                "event");
  return Ok();
}

// Reads {"event"?, "subject", "ref", "data"} of a site event into `e`.
Result<void> ReadEvent(JsonBody& body, runtime::SiteEvent& e, bool event_required) {
  if (event_required) {
    ZHIDU_TRY(e.event, body.RequiredString("event"));
  }
  ZHIDU_TRY_VOID(RequireEventName(e.event, event_required));
  ZHIDU_TRY(e.subject, body.OptionalString("subject"));
  ZHIDU_TRY(e.ref, body.OptionalString("ref"));
  if (e.subject.size() > 1000 || e.ref.size() > 200)
    return Fail(Errc::kInvalidArgument, "subject (1000) or ref (200) is too long",
                e.ref.size() > 200 ? "ref" : "subject");
  ZHIDU_TRY(auto data, body.OptionalObject("data"));
  if (data) {
    auto typed = TypedInputs(*data);
    if (!typed) {
      Error err = typed.error();
      if (err.field.rfind("inputs.", 0) == 0) err.field = "data." + err.field.substr(7);
      return Fail(err);
    }
    e.data = std::move(*typed);
    auto person = e.data.find("person_id");
    if (person != e.data.end() && !std::holds_alternative<double>(person->second))
      return Fail(Errc::kInvalidArgument, "data.person_id must be a person id", "data.person_id");
  }
  return body.NoOtherFields();
}

}  // namespace

void AddProcedureRoutes(Router& r, runtime::Procedures* procedures) {
  r.Add("POST", "/api/v1/sites/{id}/events", Access::kSignedIn, [procedures](HttpRequest& req) {
    if (!procedures) return Unavailable();
    ZHIDU_OR_ERROR(auto site, PathId(req));
    ZHIDU_OR_ERROR(auto body, JsonBody::Parse(req.body));
    runtime::SiteEvent e;
    e.site_id = site;
    if (auto read = ReadEvent(body, e, true); !read) return ErrorResponse(read.error());
    ZHIDU_OR_ERROR(auto out, procedures->RaiseAs(PrincipalOf(req), e));
    return JsonResponse(201, {{"journal_seq", out.journal_seq},
                              {"procedures_started", out.procedures_started},
                              {"procedures_moved", out.procedures_moved},
                              {"deadlines_started", out.deadlines_started},
                              {"deadlines_stopped", out.deadlines_stopped},
                              {"duties_started", out.duties_started}});
  });

  r.Add("POST", "/api/v1/procedures", Access::kSignedIn, [procedures](HttpRequest& req) {
    if (!procedures) return Unavailable();
    ZHIDU_OR_ERROR(auto body, JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto procedure, body.RequiredString("procedure"));
    runtime::SiteEvent e;
    ZHIDU_OR_ERROR(e.site_id, body.RequiredId("site_id"));
    if (auto read = ReadEvent(body, e, false); !read) return ErrorResponse(read.error());
    ZHIDU_OR_ERROR(auto v, procedures->Start(PrincipalOf(req), procedure, e));
    return JsonResponse(201, ViewJson(v));
  });
  r.Add("GET", "/api/v1/procedures", Access::kSignedIn, [procedures](HttpRequest& req) {
    if (!procedures) return Unavailable();
    ZHIDU_OR_ERROR(auto page, PageOf(req));
    store::ProcedureFilter f;
    ZHIDU_OR_ERROR(f.site_id, QueryId(req, "site_id"));
    f.procedure = QueryString(req, "procedure");
    f.state = QueryString(req, "state");
    f.ref = QueryString(req, "ref");
    if (auto open = QueryString(req, "open"); !open.empty()) {
      if (open != "true" && open != "false")
        return ErrorResponse({Errc::kInvalidArgument, "open must be true or false", "open"});
      f.open = open == "true";
    }
    ZHIDU_OR_ERROR(auto rows, procedures->List(PrincipalOf(req), f, page));
    return List(rows, page, InstanceJson, [](const store::ProcedureInstance& in) { return in.id; });
  });
  r.Add("GET", "/api/v1/procedures/{id}", Access::kSignedIn, [procedures](HttpRequest& req) {
    if (!procedures) return Unavailable();
    ZHIDU_OR_ERROR(auto id, PathId(req));
    ZHIDU_OR_ERROR(auto v, procedures->Get(PrincipalOf(req), id));
    return JsonResponse(200, ViewJson(v));
  });
  r.Add("POST", "/api/v1/procedures/{id}/events", Access::kSignedIn,
        [procedures](HttpRequest& req) {
          if (!procedures) return Unavailable();
          ZHIDU_OR_ERROR(auto id, PathId(req));
          ZHIDU_OR_ERROR(auto body, JsonBody::Parse(req.body));
          ZHIDU_OR_ERROR(auto event, body.RequiredString("event"));
          if (auto name = RequireEventName(event, true); !name) return ErrorResponse(name.error());
          ZHIDU_OR_ERROR(auto note, body.OptionalString("note"));
          ZHIDU_OR_ERROR(auto inputs, body.OptionalObject("inputs"));
          if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
          ZHIDU_OR_ERROR(auto typed, TypedInputs(inputs ? *inputs : json::object()));
          std::vector<std::string> cited;
          auto v = procedures->Fire(PrincipalOf(req), id, event, note, typed, &cited);
          if (!v) return CitingError(v.error(), cited);
          return JsonResponse(200, ViewJson(*v));
        });
  r.Add("POST", "/api/v1/procedures/{id}/assignments", Access::kSignedIn,
        [procedures](HttpRequest& req) {
          if (!procedures) return Unavailable();
          ZHIDU_OR_ERROR(auto id, PathId(req));
          ZHIDU_OR_ERROR(auto body, JsonBody::Parse(req.body));
          ZHIDU_OR_ERROR(auto task, body.RequiredString("task"));
          ZHIDU_OR_ERROR(auto person, body.RequiredId("person_id"));
          if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
          std::vector<std::string> cited;
          auto v = procedures->Assign(PrincipalOf(req), id, task, person, &cited);
          if (!v) return CitingError(v.error(), cited);
          return JsonResponse(200, ViewJson(*v));
        });
  r.Add("POST", "/api/v1/procedures/{id}/tasks/{task_id}/done", Access::kSignedIn,
        [procedures](HttpRequest& req) {
          if (!procedures) return Unavailable();
          ZHIDU_OR_ERROR(auto id, PathId(req));
          ZHIDU_OR_ERROR(auto task, PathId(req, "task_id"));
          ZHIDU_OR_ERROR(auto body, JsonBody::Parse(req.body.empty() ? "{}" : req.body));
          ZHIDU_OR_ERROR(auto note, body.OptionalString("note"));
          ZHIDU_OR_ERROR(auto object, body.OptionalObject("answers"));
          if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
          std::optional<runtime::Answers> answers;
          if (object) {
            ZHIDU_OR_ERROR(answers, ReadAnswers(object));
          }
          ZHIDU_OR_ERROR(auto v,
                         procedures->CompleteTask(PrincipalOf(req), id, task, note, answers));
          return JsonResponse(200, ViewJson(v));
        });

  r.Add("GET", "/api/v1/deadlines", Access::kSignedIn, [procedures](HttpRequest& req) {
    if (!procedures) return Unavailable();
    ZHIDU_OR_ERROR(auto page, PageOf(req));
    store::DeadlineFilter f;
    ZHIDU_OR_ERROR(f.site_id, QueryId(req, "site_id"));
    f.service_level = QueryString(req, "service_level");
    f.state = QueryString(req, "state");
    f.ref = QueryString(req, "ref");
    ZHIDU_OR_ERROR(auto rows, procedures->ListDeadlines(PrincipalOf(req), f, page));
    return List(rows, page, DeadlineJson, [](const store::Deadline& d) { return d.id; });
  });
  r.Add("GET", "/api/v1/deadlines/{id}", Access::kSignedIn, [procedures](HttpRequest& req) {
    if (!procedures) return Unavailable();
    ZHIDU_OR_ERROR(auto id, PathId(req));
    ZHIDU_OR_ERROR(auto d, procedures->GetDeadline(PrincipalOf(req), id));
    return JsonResponse(200, DeadlineJson(d));
  });
}

}  // namespace zhidu::api
