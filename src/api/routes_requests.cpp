// Requests and approvals (申请与审批) over HTTP: filing, deciding, withdrawing, reading, and the
// pack's request types for the console. JSON inputs become typed inputs here (by their JSON type);
// the service checks them against the type's declared schema and holds every rule
// (kernel/runtime/requests.hpp).
#include "api/routes_requests.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "api/api.hpp"
#include "api/api_internal.hpp"
#include "api/json_body.hpp"
#include "base/crypto.hpp"

namespace zhidu::api {

namespace {

using nlohmann::json;
using store::Id;

json RefOrNull(Id id) { return id == 0 ? json(nullptr) : json(id); }

json ConditionJson(const policy::Condition& c) {
  return {{"clauses", c.clauses}, {"message", c.message}, {"expr", c.expr.source()}};
}

// An approval step as the pack declares it (roles as written, "$superior" included) or as a
// request resolves it.
json StepJson(const std::string& id, const std::vector<std::string>& roles,
              const std::vector<std::string>& after, bool signature, bool names_escort) {
  return {{"id", id},
          {"roles", roles},
          {"after", after},
          {"signature", signature},
          {"names_escort", names_escort}};
}

// The places whose access rule asks for this request (an entry request: 进入中控室), so the console
// can register the visit at the right place.
json EntryPlacesJson(const policy::Pack& pack, const std::string& request_id) {
  json out = json::array();
  for (const auto& place : pack.places())
    for (const auto& rule : place.access)
      if (rule.effect == policy::AccessEffect::kRequest && rule.request == request_id)
        out.push_back({{"place", place.id},
                       {"title", place.title},
                       {"clauses", rule.clauses},
                       {"register", rule.register_visit},
                       {"escort", rule.escort}});
  return out;
}

json RequestTypeJson(const policy::Request& r) {
  json inputs = json::object();
  for (const auto& [name, type] : r.inputs)
    inputs[name] = std::string(runtime::ValueTypeName(type));
  json steps = json::array();
  for (const auto& s : r.approvals)
    steps.push_back(StepJson(s.id, s.roles, s.after, s.signature, s.names_escort));
  json pre = json::array(), pro = json::array();
  for (const auto& c : r.preconditions) pre.push_back(ConditionJson(c));
  for (const auto& c : r.prohibitions) pro.push_back(ConditionJson(c));
  return {{"id", r.id},
          {"title", r.title},
          {"subject", r.subject},
          {"clauses", r.clauses},
          {"applicants", r.applicants},
          {"inputs", inputs},
          {"steps", steps},
          {"preconditions", pre},
          {"prohibitions", pro},
          {"record", r.record.empty() ? json(nullptr) : json(r.record)}};
}

json DecisionJson(const store::ApprovalDecision& d) {
  return {{"id", d.id},
          {"step", d.step},
          {"account_id", d.account_id},
          {"approve", d.approve},
          {"signature", d.signed_},
          {"escort_person_id", RefOrNull(d.escort_person)},
          {"note", d.note},
          {"at", Timestamp(d.at)}};
}

json RequestJson(const runtime::RequestView& v) {
  const auto& r = v.request;
  json inputs = json::parse(r.inputs, nullptr, false);
  json steps = json::array();
  for (const auto& s : v.steps) {
    json step = StepJson(s.id, s.roles, s.after, s.signature, s.names_escort);
    step["state"] = std::string(runtime::StepStateName(s.state));
    step["you_may_decide"] = s.viewer_may_decide;
    steps.push_back(std::move(step));
  }
  json decisions = json::array();
  for (const auto& d : v.decisions) decisions.push_back(DecisionJson(d));
  return {{"id", r.id},
          {"site_id", r.site_id},
          {"type", r.type},
          {"title", v.title},
          {"clauses", v.clauses},
          {"applicant", r.applicant},
          {"applicant_person_id", RefOrNull(r.applicant_person)},
          {"inputs", inputs.is_discarded() ? json::object() : inputs},
          {"reason", r.reason},
          {"state", std::string(store::RequestStateName(r.state))},
          {"steps", steps},
          {"decisions", decisions},
          {"created_at", Timestamp(r.created_at)},
          {"updated_at", Timestamp(r.updated_at)}};
}

HttpResponse Unavailable() {
  return ErrorResponse({Errc::kUnavailable, "requests are not served by this process", ""});
}

Result<bool> QueryBool(const HttpRequest& r, const std::string& key) {
  auto it = r.query.find(key);
  if (it == r.query.end() || it->second.empty() || it->second == "false" || it->second == "0")
    return false;
  if (it->second == "true" || it->second == "1") return true;
  return Fail(Errc::kInvalidArgument, key + " must be true or false", key);
}

#define ZHIDU_ROUTE_TRY(decl, expr)                                                          \
  auto ZHIDU_CONCAT(r_, __LINE__) = (expr);                                                  \
  if (!ZHIDU_CONCAT(r_, __LINE__)) return ErrorResponse(ZHIDU_CONCAT(r_, __LINE__).error()); \
  decl = std::move(*ZHIDU_CONCAT(r_, __LINE__))

}  // namespace

// JSON inputs -> typed inputs by their JSON type; the service checks them against the request
// type's schema (unknown names, wrong types and missing inputs are 400s naming "inputs.<name>").
Result<policy::Context> TypedInputs(const json& in) {
  policy::Context out;
  for (const auto& [name, value] : in.items()) {
    if (value.is_boolean()) {
      out.emplace(name, value.get<bool>());
    } else if (value.is_number()) {
      out.emplace(name, value.get<double>());
    } else if (value.is_string()) {
      out.emplace(name, value.get<std::string>());
    } else if (value.is_array() && std::all_of(value.begin(), value.end(),
                                               [](const json& e) { return e.is_string(); })) {
      out.emplace(name, value.get<std::vector<std::string>>());
    } else {
      return Fail(Errc::kInvalidArgument,
                  "input \"" + name + "\" must be a bool, number, string or list of strings, got " +
                      std::string(value.type_name()),
                  "inputs." + name);
    }
  }
  return out;
}

// A refusal or unmet condition carries the clause ids it cites: {"error": {…, "clause",
// "clauses"}} (docs/runtime_requests.md).
HttpResponse CitingError(const Error& e, const std::vector<std::string>& clauses) {
  HttpResponse res = ErrorResponse(e);
  if (clauses.empty()) return res;
  json body = json::parse(res.body, nullptr, false);
  if (body.is_discarded()) return res;
  body["error"]["clause"] = clauses.front();
  body["error"]["clauses"] = clauses;
  return JsonResponse(res.status, body);
}

void AddRequestRoutes(Router& r, RequestRouteDeps deps) {
  auto* requests = deps.requests;
  auto* active = deps.policy;

  // The pack's request types, with steps, inputs and the clauses they cite (for the console).
  r.Add("GET", "/api/v1/request-types", Access::kSignedIn, [active](HttpRequest&) {
    if (!active) return Unavailable();
    json items = json::array();
    auto pack = active->Current();
    for (const auto& t : pack->requests()) {
      json item = RequestTypeJson(t);
      item["entry_places"] = EntryPlacesJson(*pack, t.id);
      items.push_back(std::move(item));
    }
    return JsonResponse(200, {{"items", std::move(items)}});
  });

  // File a request: {"site_id", "type", "inputs"?: {name: value}, "reason"?}.
  r.Add("POST", "/api/v1/requests", Access::kSignedIn, [requests](HttpRequest& req) {
    if (!requests) return Unavailable();
    ZHIDU_ROUTE_TRY(auto body, JsonBody::Parse(req.body));
    runtime::NewRequest in;
    ZHIDU_ROUTE_TRY(in.site_id, body.RequiredId("site_id"));
    ZHIDU_ROUTE_TRY(in.type, body.RequiredString("type"));
    ZHIDU_ROUTE_TRY(auto inputs, body.OptionalObject("inputs"));
    ZHIDU_ROUTE_TRY(in.reason, body.OptionalString("reason"));
    if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
    ZHIDU_ROUTE_TRY(in.inputs, TypedInputs(inputs ? *inputs : json::object()));
    std::vector<std::string> cited;
    auto created = requests->Create(PrincipalOf(req), in, &cited);
    if (!created) return CitingError(created.error(), cited);
    return JsonResponse(201, RequestJson(*created));
  });

  // ?site_id=&type=&state=&mine=true&waiting_for_me=true&limit=&cursor=
  r.Add("GET", "/api/v1/requests", Access::kSignedIn, [requests](HttpRequest& req) {
    if (!requests) return Unavailable();
    ZHIDU_ROUTE_TRY(auto page, PageOf(req));
    runtime::RequestQuery q;
    ZHIDU_ROUTE_TRY(q.site_id, QueryIdOf(req, "site_id"));
    if (auto it = req.query.find("type"); it != req.query.end()) q.type = it->second;
    if (auto it = req.query.find("state"); it != req.query.end() && !it->second.empty()) {
      q.state = store::ParseRequestState(it->second);
      if (!q.state)
        return ErrorResponse({Errc::kInvalidArgument,
                              "state must be pending, approved, rejected or withdrawn", "state"});
    }
    ZHIDU_ROUTE_TRY(q.mine, QueryBool(req, "mine"));
    ZHIDU_ROUTE_TRY(q.waiting_for_me, QueryBool(req, "waiting_for_me"));
    ZHIDU_ROUTE_TRY(auto rows, requests->List(PrincipalOf(req), q, page));
    json items = json::array();
    for (const auto& v : rows.items) items.push_back(RequestJson(v));
    json next = nullptr;
    if (rows.next_after_id != 0)
      next = Base64UrlEncode("after:" + std::to_string(rows.next_after_id));
    return JsonResponse(200, {{"items", std::move(items)}, {"next_cursor", next}});
  });

  r.Add("GET", "/api/v1/requests/{id}", Access::kSignedIn, [requests](HttpRequest& req) {
    if (!requests) return Unavailable();
    ZHIDU_ROUTE_TRY(auto id, PathIdOf(req));
    ZHIDU_ROUTE_TRY(auto v, requests->Get(PrincipalOf(req), id));
    return JsonResponse(200, RequestJson(v));
  });

  // Decide a step: {"step"?, "approve", "password"?, "escort_person_id"?, "note"?}.
  r.Add("POST", "/api/v1/requests/{id}/decisions", Access::kSignedIn, [requests](HttpRequest& req) {
    if (!requests) return Unavailable();
    ZHIDU_ROUTE_TRY(auto id, PathIdOf(req));
    ZHIDU_ROUTE_TRY(auto body, JsonBody::Parse(req.body));
    runtime::DecisionInput in;
    ZHIDU_ROUTE_TRY(in.step, body.OptionalString("step"));
    if (!body.json().contains("approve") || body.json()["approve"].is_null())
      return ErrorResponse(
          {Errc::kInvalidArgument, "approve is required: true or false", "approve", "required"});
    ZHIDU_ROUTE_TRY(in.approve, body.OptionalBool("approve", false));
    if (body.json().contains("password") && !body.json()["password"].is_null()) {
      ZHIDU_ROUTE_TRY(auto password, body.RequiredString("password"));
      in.password = std::move(password);
    } else {
      ZHIDU_ROUTE_TRY(auto ignored, body.OptionalString("password"));
      (void)ignored;
    }
    ZHIDU_ROUTE_TRY(in.escort_person_id, body.OptionalId("escort_person_id"));
    ZHIDU_ROUTE_TRY(in.note, body.OptionalString("note"));
    if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
    ZHIDU_ROUTE_TRY(auto v, requests->Decide(PrincipalOf(req), id, in));
    return JsonResponse(201, RequestJson(v));
  });

  // The applicant withdraws a pending request: {"note"?}.
  r.Add("POST", "/api/v1/requests/{id}/withdraw", Access::kSignedIn, [requests](HttpRequest& req) {
    if (!requests) return Unavailable();
    ZHIDU_ROUTE_TRY(auto id, PathIdOf(req));
    std::string note;
    if (!req.body.empty()) {
      ZHIDU_ROUTE_TRY(auto body, JsonBody::Parse(req.body));
      ZHIDU_ROUTE_TRY(note, body.OptionalString("note"));
      if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
    }
    ZHIDU_ROUTE_TRY(auto v, requests->Withdraw(PrincipalOf(req), id, note));
    return JsonResponse(200, RequestJson(v));
  });
}

}  // namespace zhidu::api
