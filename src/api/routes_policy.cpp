// The policy browser's API: the pack in force, its regulations and clauses, what implements each
// clause, and reload.
#include <nlohmann/json.hpp>

#include <filesystem>

#include "api/api.hpp"
#include "api/api_internal.hpp"
#include "api/routes_runtime.hpp"
#include "kernel/policy/coverage.hpp"

namespace zhidu::api {

using nlohmann::json;

namespace {

// `source` is the rule's file inside the pack and its line ("R20.yaml:152"): never the server's
// path to the pack (pack files sit at the top of its directory).
json RuleJson(const policy::Pack::RuleRef& r) {
  return {{"kind", r.kind},
          {"id", r.id},
          {"title", r.title},
          {"executable", r.executable},
          {"status", std::string(policy::CitationStatus(r))},
          {"source", std::filesystem::path(r.source.file).filename().string() + ":" +
                         std::to_string(r.source.line)}};
}

json InfoJson(const policy::Pack& pack) {
  const auto& i = pack.info();
  auto cov = policy::ComputeCoverage(pack);
  return {{"name", i.name},
          {"version", i.version},
          {"effective", i.effective},
          {"time_zone", i.time_zone},
          {"content_hash", i.content_hash},
          {"counts",
           {{"roles", pack.roles().size()},
            {"posts", pack.posts().size()},
            {"shift_patterns", pack.shift_patterns().size()},
            {"checklists", pack.checklists().size()},
            {"duties", pack.duties().size()},
            {"procedures", pack.procedures().size()},
            {"requests", pack.requests().size()},
            {"service_levels", pack.service_levels().size()},
            {"penalties", pack.penalties().size()},
            {"assessments", pack.assessments().size()},
            {"conduct_rules", pack.conduct().size()}}},
          {"coverage",
           {{"clauses", cov.total},
            {"executable", cov.executable},
            {"recorded", cov.recorded},
            {"citable_only", cov.citable_only},
            {"missing", cov.missing}}}};
}

HttpResponse Unavailable() {
  return ErrorResponse({Errc::kUnavailable, "no policy pack is loaded", ""});
}

}  // namespace

void AddPolicyRoutes(Router& r, const ApiDeps& deps) {
  auto* active = deps.policy;
  r.Add("GET", "/api/v1/policy", Access::kSignedIn, [active](HttpRequest&) {
    if (!active) return Unavailable();
    return JsonResponse(200, InfoJson(*active->Current()));
  });
  // The roles an administrator may grant: the built-in admin, then the pack's (their permissions
  // are the pack's, docs/policy_format.md §3).
  r.Add("GET", "/api/v1/policy/roles", Access::kSignedIn, [active](HttpRequest&) {
    if (!active) return Unavailable();
    auto pack = active->Current();
    json items = json::array();
    items.push_back({{"id", "admin"},
                     {"title", "内置管理员"},
                     {"reports_to", nullptr},
                     {"builtin", true},
                     {"permissions", {"*"}},
                     {"clauses", json::array()}});
    for (const auto& role : pack->roles())
      items.push_back(
          {{"id", role.id},
           {"title", role.title},
           {"reports_to", role.reports_to.empty() ? json(nullptr) : json(role.reports_to)},
           {"builtin", false},
           {"permissions", role.permissions},
           {"clauses", role.clauses}});
    return JsonResponse(200, {{"items", std::move(items)}, {"next_cursor", nullptr}});
  });
  // The pack's titles by id, for a console that must never show a raw id (issue 17 §7): every
  // rule ("r09-four-team-three-shift" → its title), each procedure's states and the events of
  // its transitions (an event is called by the state it leads to).
  r.Add("GET", "/api/v1/policy/titles", Access::kSignedIn, [active](HttpRequest&) {
    if (!active) return Unavailable();
    auto pack = active->Current();
    json rules = json::object();
    auto add = [&rules](const auto& list) {
      for (const auto& rule : list)
        if (!rule.title.empty() && !rules.contains(rule.id)) rules[rule.id] = rule.title;
    };
    add(pack->roles());
    add(pack->posts());
    add(pack->places());
    add(pack->shift_patterns());
    add(pack->staffing());
    add(pack->checklists());
    add(pack->records());
    add(pack->duties());
    add(pack->procedures());
    add(pack->requests());
    add(pack->service_levels());
    add(pack->penalties());
    add(pack->discipline());
    add(pack->assessments());
    add(pack->retention());
    add(pack->conduct());
    json states = json::object();
    json events = json::object();
    for (const auto& p : pack->procedures()) {
      json s = json::object();
      for (const auto& st : p.states) s[st.id] = st.title.empty() ? st.id : st.title;
      json e = json::object();
      for (const auto& t : p.transitions)
        if (!e.contains(t.on) && s.contains(t.to)) e[t.on] = s[t.to];
      states[p.id] = std::move(s);
      events[p.id] = std::move(e);
    }
    return JsonResponse(200, {{"rules", std::move(rules)},
                              {"states", std::move(states)},
                              {"events", std::move(events)}});
  });
  // The site events people report by hand (the pack's `events:`, docs/policy_format.md §11a), each
  // with what it starts — the console's 上报事件 lists them (POST /api/v1/sites/{id}/events).
  r.Add("GET", "/api/v1/policy/events", Access::kSignedIn, [active](HttpRequest&) {
    if (!active) return Unavailable();
    auto pack = active->Current();
    json items = json::array();
    for (const auto& e : pack->events()) {
      json starts = json::array();
      auto start = [&](const char* kind, const std::string& id, const std::string& title) {
        starts.push_back({{"kind", kind}, {"id", id}, {"title", title}});
      };
      for (const auto& p : pack->procedures())
        if (p.trigger == e.id) start("procedure", p.id, p.title);
      for (const auto& sl : pack->service_levels())
        if (sl.start_event == e.id) start("service_level", sl.id, sl.title);
      for (const auto& d : pack->duties())
        if (d.schedule.kind == policy::ScheduleKind::kOn && d.schedule.on == e.id)
          start("duty", d.id, d.title);
      items.push_back({{"id", e.id},
                       {"title", e.title.empty() ? e.id : e.title},
                       {"clauses", e.clauses},
                       {"starts", std::move(starts)}});
    }
    return JsonResponse(200, {{"items", std::move(items)}});
  });
  // A pack record's form (its fields in order, labels, kinds, required), for the console's form of
  // a procedure's `record:ID` step (R20's 报警处理记录, issue 17 §2): the same items as a duty's
  // checklist, so the console renders both alike.
  r.Add("GET", "/api/v1/policy/records/{id}", Access::kSignedIn, [active](HttpRequest& req) {
    if (!active) return Unavailable();
    auto pack = active->Current();
    const auto& id = req.params.at("id");
    for (const auto& rec : pack->records()) {
      if (rec.id != id) continue;
      json fields = json::array();
      for (const auto& f : rec.fields) fields.push_back(ChecklistItemJson(f));
      return JsonResponse(200, {{"id", rec.id},
                                {"title", rec.title},
                                {"clauses", rec.clauses},
                                {"fields", std::move(fields)}});
    }
    return ErrorResponse({Errc::kNotFound, "the pack has no record " + id.substr(0, 100), ""});
  });
  r.Add("GET", "/api/v1/policy/regulations", Access::kSignedIn, [active](HttpRequest&) {
    if (!active) return Unavailable();
    auto cov = policy::ComputeCoverage(*active->Current());
    json items = json::array();
    for (const auto& reg : cov.regulations)
      items.push_back({{"code", reg.code},
                       {"title", reg.title},
                       {"clauses", reg.total},
                       {"executable", reg.executable},
                       {"recorded", reg.recorded},
                       {"citable_only", reg.citable_only},
                       {"missing", reg.missing},
                       {"recorded_clauses", reg.recorded_ids}});
    return JsonResponse(200, {{"items", std::move(items)}, {"next_cursor", nullptr}});
  });
  r.Add("GET", "/api/v1/policy/regulations/{code}", Access::kSignedIn, [active](HttpRequest& req) {
    if (!active) return Unavailable();
    auto pack = active->Current();
    const auto& code = req.params.at("code");
    const auto* doc = pack->clauses().FindRegulation(code);
    if (!doc)
      return ErrorResponse(
          {Errc::kNotFound, "the pack has no regulation " + code.substr(0, 20), ""});
    json clauses = json::array();
    for (const auto& id : doc->clause_ids) {
      const auto* c = pack->clauses().Find(id);
      if (!c) continue;
      json rules = json::array();
      for (const auto& rule : pack->RulesCiting(id)) rules.push_back(RuleJson(rule));
      clauses.push_back({{"id", c->id},
                         {"text", c->text},
                         {"parent", c->parent.empty() ? json(nullptr) : json(c->parent)},
                         {"leaf", c->leaf()},
                         {"rules", rules}});
    }
    return JsonResponse(200, {{"code", doc->code}, {"title", doc->title}, {"clauses", clauses}});
  });
  r.Add("GET", "/api/v1/policy/clauses/{id}", Access::kSignedIn, [active](HttpRequest& req) {
    if (!active) return Unavailable();
    auto pack = active->Current();
    ZHIDU_OR_ERROR(auto e, policy::Explain(*pack, req.params.at("id")));
    json children = json::array();
    for (const auto& c : e.children) children.push_back({{"id", c.id}, {"text", c.text}});
    json rules = json::array();
    for (const auto& rule : e.rules) rules.push_back(RuleJson(rule));
    return JsonResponse(200, {{"id", e.clause.id},
                              {"regulation", e.clause.regulation},
                              {"regulation_title", e.regulation_title},
                              {"text", e.clause.text},
                              {"children", children},
                              {"rules", rules}});
  });
  r.Add("POST", "/api/v1/policy/reload", Access::kSignedIn, [deps](HttpRequest& req) {
    if (!deps.policy || !deps.reload_policy) return Unavailable();
    const auto& who = PrincipalOf(req);
    if (!deps.roles || !deps.roles->Allows(who, "policy.reload"))
      return ErrorResponse(
          {Errc::kPermissionDenied, "only an administrator may reload the policy pack", ""});
    policy::LoadReport report;
    if (auto reloaded = deps.reload_policy(who.account_id, &report); !reloaded) {
      json diagnostics = json::array();
      for (const auto& d : report.diagnostics) diagnostics.push_back(d.ToString());
      return JsonResponse(
          400, {{"error",
                 {{"code", "invalid_argument"},
                  {"reason", "policy.pack_invalid"},
                  {"message", "the pack has " + std::to_string(report.diagnostics.size()) +
                                  " error(s); the previous pack stays in force"},
                  {"diagnostics", diagnostics}}}});
    }
    return JsonResponse(200, InfoJson(*deps.policy->Current()));
  });
}

}  // namespace zhidu::api
