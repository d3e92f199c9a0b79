// R17's registers over HTTP (/api/v1/service/feedback…, /api/v1/service/callbacks…; desk.hpp).
// Handlers translate JSON; the rules are in feedback.cpp and callbacks.cpp.
#include <nlohmann/json.hpp>

#include "api/api.hpp"
#include "api/api_internal.hpp"
#include "api/json_body.hpp"
#include "modules/service/module.hpp"
#include "modules/service/route_json.hpp"

namespace zhidu::service {

using api::ErrorResponse;
using api::HttpRequest;
using api::HttpResponse;
using nlohmann::json;

namespace {

json FeedbackJson(const Feedback& f) {
  return {{"id", f.id},
          {"site_id", f.site_id},
          {"category", f.category},
          {"detail", f.detail},
          {"customer_id", api::IdOrNull(f.customer_id)},
          {"agent", api::IdOrNull(f.agent)},
          {"created_by", f.created_by},
          {"created_at", api::TimeOrNull(f.created_at)}};
}

json FeedbackViewJson(const FeedbackView& v) {
  json out = FeedbackJson(v.feedback);
  out["category_label"] = v.category_label;
  out["clauses"] = v.clauses;
  out["routed_to"] = v.routed_to;
  out["procedures"] = ProceduresJson(v.procedures);
  out["deadlines"] = DeadlinesJson(v.deadlines);
  return out;
}

// The phone leaves masked (R19 §二5), desk.hpp invariant 3).
json CallbackJson(const Callback& b) {
  return {{"id", b.id},
          {"site_id", b.site_id},
          {"customer_id", b.customer_id},
          {"customer", b.customer},
          {"phone", Mask(b.phone)},
          {"reason", b.reason},
          {"promised_at", api::TimeOrNull(b.promised_at)},
          {"agent", api::IdOrNull(b.agent)},
          {"created_by", b.created_by},
          {"created_at", api::TimeOrNull(b.created_at)},
          {"done", b.done_at != TimePoint{}},
          {"done_at", api::TimeOrNull(b.done_at)},
          {"done_by", api::IdOrNull(b.done_by)},
          {"outcome", b.outcome}};
}

json CallbackViewJson(const CallbackView& v) {
  json out = CallbackJson(v.callback);
  out["deadlines"] = DeadlinesJson(v.deadlines);
  return out;
}

}  // namespace

void AddDeskRoutes(api::Router& r, Desk* d) {
  using api::Access;
  r.Add("GET", "/api/v1/service/feedback-categories", Access::kSignedIn, [d](HttpRequest&) {
    if (!d) return Unavailable();
    json items = json::array();
    for (const auto& c : d->Categories())
      items.push_back({{"id", c.id}, {"label", c.label}, {"clauses", c.clauses}});
    return api::JsonResponse(200, {{"items", std::move(items)}});
  });
  // {"site_id","category","detail","customer_id"?}
  r.Add("POST", "/api/v1/service/feedback", Access::kSignedIn, [d](HttpRequest& req) {
    if (!d) return Unavailable();
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    Feedback in;
    ZHIDU_OR_ERROR(in.site_id, body.RequiredId("site_id"));
    ZHIDU_OR_ERROR(in.category, body.RequiredString("category"));
    ZHIDU_OR_ERROR(in.detail, body.RequiredString("detail"));
    ZHIDU_OR_ERROR(in.customer_id, body.OptionalId("customer_id"));
    if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto v, d->RecordFeedback(api::PrincipalOf(req), in));
    return api::JsonResponse(201, FeedbackViewJson(v));
  });
  // ?site_id=&category=&limit=&cursor= — newest first.
  r.Add("GET", "/api/v1/service/feedback", Access::kSignedIn, [d](HttpRequest& req) {
    if (!d) return Unavailable();
    ZHIDU_OR_ERROR(auto page, api::PageOf(req));
    ZHIDU_OR_ERROR(auto site_id, api::QueryId(req, "site_id"));
    ZHIDU_OR_ERROR(auto rows, d->ListFeedback(api::PrincipalOf(req), site_id,
                                              api::QueryString(req, "category"), page));
    return api::List(rows, page, FeedbackJson, [](const Feedback& f) { return f.id; });
  });
  r.Add("GET", "/api/v1/service/feedback/{id}", Access::kSignedIn, [d](HttpRequest& req) {
    if (!d) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto v, d->GetFeedback(api::PrincipalOf(req), id));
    return api::JsonResponse(200, FeedbackViewJson(v));
  });
  // {"site_id","customer_id","phone","reason","promised_at": ISO time with its offset}
  r.Add("POST", "/api/v1/service/callbacks", Access::kSignedIn, [d](HttpRequest& req) {
    if (!d) return Unavailable();
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    Callback in;
    ZHIDU_OR_ERROR(in.site_id, body.RequiredId("site_id"));
    ZHIDU_OR_ERROR(in.customer_id, body.RequiredId("customer_id"));
    ZHIDU_OR_ERROR(in.phone, body.RequiredString("phone"));
    ZHIDU_OR_ERROR(in.reason, body.RequiredString("reason"));
    ZHIDU_OR_ERROR(auto text, body.RequiredString("promised_at"));
    auto promised = ParseIso8601(text);
    if (!promised)
      return ErrorResponse({Errc::kInvalidArgument,
                            "promised_at must be an ISO 8601 time with its offset", "promised_at",
                            "invalid"});
    in.promised_at = *promised;
    if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto v, d->RecordCallback(api::PrincipalOf(req), in));
    return api::JsonResponse(201, CallbackViewJson(v));
  });
  // ?site_id=&open=true&limit=&cursor= — newest first; open: not yet called back.
  r.Add("GET", "/api/v1/service/callbacks", Access::kSignedIn, [d](HttpRequest& req) {
    if (!d) return Unavailable();
    ZHIDU_OR_ERROR(auto page, api::PageOf(req));
    ZHIDU_OR_ERROR(auto site_id, api::QueryId(req, "site_id"));
    bool open = api::QueryString(req, "open") == "true";
    ZHIDU_OR_ERROR(auto rows, d->ListCallbacks(api::PrincipalOf(req), site_id, open, page));
    return api::List(rows, page, CallbackJson, [](const Callback& b) { return b.id; });
  });
  r.Add("GET", "/api/v1/service/callbacks/{id}", Access::kSignedIn, [d](HttpRequest& req) {
    if (!d) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto v, d->GetCallback(api::PrincipalOf(req), id));
    return api::JsonResponse(200, CallbackViewJson(v));
  });
  // {"outcome"?}: called back now; stops the promised time's deadline (met or met late).
  r.Add("POST", "/api/v1/service/callbacks/{id}/done", Access::kSignedIn, [d](HttpRequest& req) {
    if (!d) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body.empty() ? "{}" : req.body));
    ZHIDU_OR_ERROR(auto outcome, body.OptionalString("outcome"));
    if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto v, d->CallbackDone(api::PrincipalOf(req), id, outcome));
    return api::JsonResponse(200, CallbackViewJson(v));
  });
}

}  // namespace zhidu::service
