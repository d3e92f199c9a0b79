// Visitors and footage over HTTP: register a visit under an approved entry request, record entry
// and exit; register footage segments, delete (after retention), copy (always refused), view
// (under an approved request). Every rule is in kernel/visits.
#include "modules/visits/routes.hpp"

#include <nlohmann/json.hpp>

#include "api/api.hpp"
#include "api/api_internal.hpp"
#include "api/json_body.hpp"

namespace zhidu::api {

namespace {

using nlohmann::json;
using store::Id;

json VisitJson(const visits::VisitView& view) {
  const auto& v = view.visit;
  json record = json::parse(v.record, nullptr, false);
  return {{"id", v.id},
          {"site_id", v.site_id},
          {"place", v.place},
          {"request_id", v.request_id},
          {"request_type", v.request_type},
          {"clauses", view.clauses},
          {"name", v.visitor_name},
          {"company", v.company},
          {"reason", v.reason},
          {"escort_person_id", v.escort_person ? json(v.escort_person) : json(nullptr)},
          {"escort_name", view.escort_name},
          {"approver_account_id", v.approver ? json(v.approver) : json(nullptr)},
          {"approver_name", view.approver_name},
          {"record", record.is_discarded() ? json::object() : record},
          {"state", v.state},
          {"open", v.state == "entered"},
          {"registered_by", v.registered_by},
          {"registered_at", TimeOrNull(v.registered_at)},
          {"entered_by", v.entered_by ? json(v.entered_by) : json(nullptr)},
          {"entered_at", TimeOrNull(v.entered_at)},
          {"exited_by", v.exited_by ? json(v.exited_by) : json(nullptr)},
          {"exited_at", TimeOrNull(v.exited_at)}};
}

json FootageJson(const visits::FootageView& view) {
  const auto& s = view.segment;
  return {{"id", s.id},
          {"site_id", s.site_id},
          {"camera", s.camera},
          {"starts_at", TimeOrNull(s.starts_at)},
          {"ends_at", TimeOrNull(s.ends_at)},
          {"storage_ref", s.storage_ref},
          {"tape", s.tape},
          {"registered_by", s.registered_by},
          {"registered_at", TimeOrNull(s.registered_at)},
          {"retention", view.retention},
          {"keep_until", TimeOrNull(view.keep_until)},
          {"deleted", s.deleted_at != TimePoint{}},
          {"deleted_by", s.deleted_by ? json(s.deleted_by) : json(nullptr)},
          {"deleted_at", TimeOrNull(s.deleted_at)}};
}

HttpResponse Unavailable() {
  return ErrorResponse({Errc::kUnavailable, "visits are not served by this process", ""});
}

Result<TimePoint> RequiredTime(JsonBody& body, const std::string& key) {
  ZHIDU_TRY(auto text, body.RequiredString(key));
  auto t = ParseIso8601(text);
  if (!t)
    return Fail(Errc::kInvalidArgument,
                key + " must be an ISO 8601 time with an offset, e.g. 2026-12-01T08:00:00+08:00",
                key);
  return *t;
}

Result<bool> QueryBool(const HttpRequest& req, const std::string& key) {
  std::string v = QueryString(req, key);
  if (v.empty() || v == "false") return false;
  if (v == "true") return true;
  return Fail(Errc::kInvalidArgument, key + " must be true or false", key);
}

}  // namespace

void AddVisitRoutes(Router& r, visits::Visits* visits) {
  // {"site_id", "place", "request_id", "name", "company"?, "reason"?, "escort_person_id"?,
  //  "visitor_signed"?, "fields"?: {record field: text}}
  r.Add("POST", "/api/v1/visits", Access::kSignedIn, [visits](HttpRequest& req) {
    if (!visits) return Unavailable();
    ZHIDU_OR_ERROR(auto body, JsonBody::Parse(req.body));
    visits::NewVisit in;
    ZHIDU_OR_ERROR(in.site_id, body.RequiredId("site_id"));
    ZHIDU_OR_ERROR(in.place, body.RequiredString("place"));
    ZHIDU_OR_ERROR(in.request_id, body.RequiredId("request_id"));
    ZHIDU_OR_ERROR(in.name, body.RequiredString("name"));
    ZHIDU_OR_ERROR(in.company, body.OptionalString("company"));
    ZHIDU_OR_ERROR(in.reason, body.OptionalString("reason"));
    ZHIDU_OR_ERROR(in.escort_person_id, body.OptionalId("escort_person_id"));
    ZHIDU_OR_ERROR(in.visitor_signed, body.OptionalBool("visitor_signed", false));
    ZHIDU_OR_ERROR(auto fields, body.OptionalObject("fields"));
    if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
    if (fields) {
      if (!fields->is_object())
        return ErrorResponse({Errc::kInvalidArgument, "fields must be an object", "fields"});
      for (const auto& [k, v] : fields->items()) {
        if (!v.is_string())
          return ErrorResponse(
              {Errc::kInvalidArgument, "fields." + k + " must be a string", "fields." + k});
        in.fields.emplace_back(k, v.get<std::string>());
      }
    }
    visits::Cited cited;
    auto v = visits->Register(PrincipalOf(req), in, &cited);
    if (!v) return CitingError(v.error(), cited.clauses);
    return JsonResponse(201, VisitJson(*v));
  });

  // ?site_id=&state=registered|entered|exited&open=true&limit=&cursor= (open: entered, not exited)
  r.Add("GET", "/api/v1/visits", Access::kSignedIn, [visits](HttpRequest& req) {
    if (!visits) return Unavailable();
    ZHIDU_OR_ERROR(auto page, PageOf(req));
    visits::VisitFilter f;
    ZHIDU_OR_ERROR(f.site_id, QueryId(req, "site_id"));
    f.state = QueryString(req, "state");
    if (!f.state.empty() && f.state != "registered" && f.state != "entered" && f.state != "exited")
      return ErrorResponse(
          {Errc::kInvalidArgument, "state must be registered, entered or exited", "state"});
    ZHIDU_OR_ERROR(bool open, QueryBool(req, "open"));
    if (open) {
      if (!f.state.empty() && f.state != "entered")
        return ErrorResponse(
            {Errc::kInvalidArgument, "open=true lists entered visits: drop state", "open"});
      f.state = "entered";
    }
    ZHIDU_OR_ERROR(auto rows, visits->List(PrincipalOf(req), f, page));
    return List(rows, page, VisitJson, [](const visits::VisitView& v) { return v.visit.id; });
  });

  r.Add("GET", "/api/v1/visits/{id}", Access::kSignedIn, [visits](HttpRequest& req) {
    if (!visits) return Unavailable();
    ZHIDU_OR_ERROR(auto id, PathId(req));
    ZHIDU_OR_ERROR(auto v, visits->Get(PrincipalOf(req), id));
    return JsonResponse(200, VisitJson(v));
  });

  // Entry and exit take no body (an empty object at most); the time is the server's clock.
  using Move = Result<visits::VisitView> (visits::Visits::*)(const org::Principal&, Id);
  for (auto [path, move] :
       {std::pair<const char*, Move>{"/api/v1/visits/{id}/entry", &visits::Visits::Enter},
        std::pair<const char*, Move>{"/api/v1/visits/{id}/exit", &visits::Visits::Exit}}) {
    r.Add("POST", path, Access::kSignedIn, [visits, move](HttpRequest& req) {
      if (!visits) return Unavailable();
      ZHIDU_OR_ERROR(auto id, PathId(req));
      ZHIDU_OR_ERROR(auto body, JsonBody::Parse(req.body.empty() ? "{}" : req.body));
      if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
      ZHIDU_OR_ERROR(auto v, (visits->*move)(PrincipalOf(req), id));
      return JsonResponse(200, VisitJson(v));
    });
  }

  // {"site_id", "camera", "starts_at", "ends_at", "storage_ref", "tape"?}
  r.Add("POST", "/api/v1/footage", Access::kSignedIn, [visits](HttpRequest& req) {
    if (!visits) return Unavailable();
    ZHIDU_OR_ERROR(auto body, JsonBody::Parse(req.body));
    visits::NewFootage in;
    ZHIDU_OR_ERROR(in.site_id, body.RequiredId("site_id"));
    ZHIDU_OR_ERROR(in.camera, body.RequiredString("camera"));
    ZHIDU_OR_ERROR(in.starts_at, RequiredTime(body, "starts_at"));
    ZHIDU_OR_ERROR(in.ends_at, RequiredTime(body, "ends_at"));
    ZHIDU_OR_ERROR(in.storage_ref, body.RequiredString("storage_ref"));
    ZHIDU_OR_ERROR(in.tape, body.OptionalString("tape"));
    if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto v, visits->AddFootage(PrincipalOf(req), in));
    return JsonResponse(201, FootageJson(v));
  });

  // ?site_id=&camera=&include_deleted=true&limit=&cursor=
  r.Add("GET", "/api/v1/footage", Access::kSignedIn, [visits](HttpRequest& req) {
    if (!visits) return Unavailable();
    ZHIDU_OR_ERROR(auto page, PageOf(req));
    visits::FootageFilter f;
    ZHIDU_OR_ERROR(f.site_id, QueryId(req, "site_id"));
    f.camera = QueryString(req, "camera");
    ZHIDU_OR_ERROR(f.include_deleted, QueryBool(req, "include_deleted"));
    ZHIDU_OR_ERROR(auto rows, visits->ListFootage(PrincipalOf(req), f, page));
    return List(rows, page, FootageJson, [](const visits::FootageView& v) { return v.segment.id; });
  });

  r.Add("GET", "/api/v1/footage/{id}", Access::kSignedIn, [visits](HttpRequest& req) {
    if (!visits) return Unavailable();
    ZHIDU_OR_ERROR(auto id, PathId(req));
    ZHIDU_OR_ERROR(auto v, visits->GetFootage(PrincipalOf(req), id));
    return JsonResponse(200, FootageJson(v));
  });

  // Soft delete, refused while the segment is within its retention period (R16 §二3).
  r.Add("DELETE", "/api/v1/footage/{id}", Access::kSignedIn, [visits](HttpRequest& req) {
    if (!visits) return Unavailable();
    ZHIDU_OR_ERROR(auto id, PathId(req));
    visits::Cited cited;
    auto v = visits->DeleteFootage(PrincipalOf(req), id, &cited);
    if (!v) return CitingError(v.error(), cited.clauses);
    return JsonResponse(200, FootageJson(*v));
  });

  // Always 403 (R16 §一6); the refusal is journaled.
  r.Add("POST", "/api/v1/footage/{id}/copies", Access::kSignedIn, [visits](HttpRequest& req) {
    if (!visits) return Unavailable();
    ZHIDU_OR_ERROR(auto id, PathId(req));
    visits::Cited cited;
    auto done = visits->CopyFootage(PrincipalOf(req), id, &cited);
    return CitingError(done ? Error{Errc::kInternal, "copy was not refused", ""} : done.error(),
                       cited.clauses);
  });

  // {"request_id"}: an approved footage-view request of the caller.
  r.Add("POST", "/api/v1/footage/{id}/views", Access::kSignedIn, [visits](HttpRequest& req) {
    if (!visits) return Unavailable();
    ZHIDU_OR_ERROR(auto id, PathId(req));
    ZHIDU_OR_ERROR(auto body, JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(Id request_id, body.OptionalId("request_id"));
    if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
    visits::Cited cited;
    auto v = visits->ViewFootage(PrincipalOf(req), id, request_id, &cited);
    if (!v) return CitingError(v.error(), cited.clauses);
    json out = FootageJson(*v);
    out["viewed_with_request"] = request_id;
    return JsonResponse(201, out);
  });
}

}  // namespace zhidu::api
