// 在线提交 over HTTP (issue 18 §2; web_forms.cpp): a supervisor's forms, and the public page and
// submission by the link's token with no sign-in.
#include <nlohmann/json.hpp>

#include "api/api.hpp"
#include "api/api_internal.hpp"
#include "api/json_body.hpp"
#include "modules/service/module.hpp"
#include "modules/service/route_json.hpp"

namespace zhidu::service {

using api::ErrorResponse;
using api::HttpRequest;
using nlohmann::json;

namespace {

json FormJson(const WebForm& v) {
  return {{"id", v.id},
          {"site_id", v.site_id},
          {"queue_post_id", v.queue_post_id},
          {"queue", v.queue},
          {"title", v.title},
          {"category", v.category},
          {"created_by", v.created_by},
          {"created_at", api::TimeOrNull(v.created_at)},
          {"revoked", v.revoked_at != TimePoint{}},
          {"revoked_at", api::TimeOrNull(v.revoked_at)},
          {"submissions", v.submissions}};
}

}  // namespace

void AddWebFormRoutes(api::Router& r, Service* s) {
  using api::Access;
  // {"site_id","queue_post_id","title","category"?} → the form and its link, shown this once.
  r.Add("POST", "/api/v1/service/web-forms", Access::kSignedIn, [s](HttpRequest& req) {
    if (!s) return Unavailable();
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    WebForm in;
    ZHIDU_OR_ERROR(in.site_id, body.RequiredId("site_id"));
    ZHIDU_OR_ERROR(in.queue_post_id, body.RequiredId("queue_post_id"));
    ZHIDU_OR_ERROR(in.title, body.RequiredString("title"));
    ZHIDU_OR_ERROR(in.category, body.OptionalString("category"));
    if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
    std::string token;
    ZHIDU_OR_ERROR(auto v, s->CreateWebForm(api::PrincipalOf(req), in, &token));
    json out = FormJson(v);
    out["token"] = token;
    out["url"] = "/#/form/" + token;
    return api::JsonResponse(201, out);
  });
  r.Add("GET", "/api/v1/service/web-forms", Access::kSignedIn, [s](HttpRequest& req) {
    if (!s) return Unavailable();
    ZHIDU_OR_ERROR(auto site_id, api::QueryId(req, "site_id"));
    ZHIDU_OR_ERROR(auto rows, s->ListWebForms(api::PrincipalOf(req), site_id));
    json items = json::array();
    for (const auto& v : rows) items.push_back(FormJson(v));
    return api::JsonResponse(200, {{"items", std::move(items)}});
  });
  // Withdrawn, not deleted: its link then answers 404 service.web_form_revoked.
  r.Add("POST", "/api/v1/service/web-forms/{id}/revoke", Access::kSignedIn, [s](HttpRequest& req) {
    if (!s) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto v, s->RevokeWebForm(api::PrincipalOf(req), id));
    return api::JsonResponse(200, FormJson(v));
  });
  // The public side, no sign-in.
  r.Add("GET", "/api/v1/service/web-forms/{token}", Access::kPublic, [s](HttpRequest& req) {
    if (!s) return Unavailable();
    ZHIDU_OR_ERROR(auto page, s->WebFormByToken(req.params["token"]));
    return api::JsonResponse(
        200, {{"site", page.site}, {"title", page.title}, {"categories", page.categories}});
  });
  // {"name","phone","company"?,"subject","body","category"?} → 201 the ticket's number to quote.
  r.Add("POST", "/api/v1/service/web-forms/{token}", Access::kPublic, [s](HttpRequest& req) {
    if (!s) return Unavailable();
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    WebSubmission in;
    ZHIDU_OR_ERROR(in.name, body.OptionalString("name"));
    ZHIDU_OR_ERROR(in.phone, body.OptionalString("phone"));
    ZHIDU_OR_ERROR(in.company, body.OptionalString("company"));
    ZHIDU_OR_ERROR(in.subject, body.OptionalString("subject"));
    ZHIDU_OR_ERROR(in.body, body.OptionalString("body"));
    ZHIDU_OR_ERROR(in.category, body.OptionalString("category"));
    if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto v, s->SubmitWebForm(req.params["token"], in));
    return api::JsonResponse(
        201, {{"reference", std::to_string(v.ticket_id)}, {"submitted_at", api::TimeOrNull(v.at)}});
  });
}

}  // namespace zhidu::service
