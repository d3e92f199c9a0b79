// The lost-and-found register over HTTP (/api/v1/lost-items). Handlers translate JSON; the rules
// are in lostfound.cpp.
#include <nlohmann/json.hpp>

#include "api/api.hpp"
#include "api/api_internal.hpp"
#include "api/json_body.hpp"
#include "modules/lostfound/module.hpp"

namespace zhidu::lostfound {

using api::ErrorResponse;
using api::HttpRequest;
using api::HttpResponse;
using nlohmann::json;

namespace {

json ItemJson(const Item& v, const std::vector<std::string>& clauses) {
  return {{"id", v.id},
          {"site_id", v.site_id},
          {"place", v.place},
          {"description", v.description},
          {"photo", v.photo.empty() ? json(nullptr) : json(v.photo)},
          {"found_at", api::TimeOrNull(v.found_at)},
          {"found_by", v.found_by},
          {"registered_by", v.registered_by},
          {"state", StateName(v.state)},
          {"open", v.state == State::kFound || v.state == State::kHandedIn},
          {"handed_to", v.handed_to},
          {"handed_by", api::IdOrNull(v.handed_by)},
          {"handed_at", api::TimeOrNull(v.handed_at)},
          {"owner_name", v.owner_name},
          {"owner_phone", v.owner_phone},
          {"closed_by", api::IdOrNull(v.closed_by)},
          {"closed_at", api::TimeOrNull(v.closed_at)},
          {"note", v.note},
          {"clauses", clauses}};
}

HttpResponse Unavailable() {
  return api::ErrorResponse({Errc::kUnavailable, "the lost-and-found register is not running", ""});
}

}  // namespace

void AddRoutes(api::Router& r, LostAndFound* lf) {
  using api::Access;
  // {"site_id", "place", "description", "found_by"?, "found_at"?, "photo"?}
  r.Add("POST", "/api/v1/lost-items", Access::kSignedIn, [lf](HttpRequest& req) {
    if (!lf) return Unavailable();
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    NewItem in;
    ZHIDU_OR_ERROR(in.site_id, body.RequiredId("site_id"));
    ZHIDU_OR_ERROR(in.place, body.RequiredString("place"));
    ZHIDU_OR_ERROR(in.description, body.RequiredString("description"));
    ZHIDU_OR_ERROR(in.found_by, body.OptionalString("found_by"));
    ZHIDU_OR_ERROR(in.photo, body.OptionalString("photo"));
    ZHIDU_OR_ERROR(auto found_at, body.OptionalString("found_at"));
    if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
    if (!found_at.empty()) {
      auto t = ParseIso8601(found_at);
      if (!t)
        return api::ErrorResponse({Errc::kInvalidArgument,
                                   "found_at must be an ISO 8601 time with an offset", "found_at"});
      in.found_at = *t;
    }
    ZHIDU_OR_ERROR(auto v, lf->Register(api::PrincipalOf(req), in));
    return api::JsonResponse(201, ItemJson(v, lf->Clauses()));
  });
  // ?site_id=&state=found|handed_in|returned|disposed&limit=&cursor=
  r.Add("GET", "/api/v1/lost-items", Access::kSignedIn, [lf](HttpRequest& req) {
    if (!lf) return Unavailable();
    ZHIDU_OR_ERROR(auto page, api::PageOf(req));
    Filter f;
    ZHIDU_OR_ERROR(f.site_id, api::QueryId(req, "site_id"));
    if (auto state = api::QueryString(req, "state"); !state.empty()) {
      ZHIDU_OR_ERROR(f.state, ParseState(state));
    }
    ZHIDU_OR_ERROR(auto rows, lf->List(api::PrincipalOf(req), f, page));
    auto clauses = lf->Clauses();
    return api::List(
        rows, page, [&](const Item& v) { return ItemJson(v, clauses); },
        [](const Item& v) { return v.id; });
  });
  r.Add("GET", "/api/v1/lost-items/{id}", Access::kSignedIn, [lf](HttpRequest& req) {
    if (!lf) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto v, lf->Get(api::PrincipalOf(req), id));
    return api::JsonResponse(200, ItemJson(v, lf->Clauses()));
  });
  // The three steps: {"to"} · {"owner_name", "owner_phone", "note"?} · {"note"}
  r.Add("POST", "/api/v1/lost-items/{id}/hand-in", Access::kSignedIn, [lf](HttpRequest& req) {
    if (!lf) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto to, body.RequiredString("to"));
    if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto v, lf->HandIn(api::PrincipalOf(req), id, to));
    return api::JsonResponse(200, ItemJson(v, lf->Clauses()));
  });
  r.Add("POST", "/api/v1/lost-items/{id}/return", Access::kSignedIn, [lf](HttpRequest& req) {
    if (!lf) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto owner_name, body.RequiredString("owner_name"));
    ZHIDU_OR_ERROR(auto owner_phone, body.RequiredString("owner_phone"));
    ZHIDU_OR_ERROR(auto note, body.OptionalString("note"));
    if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto v, lf->Return(api::PrincipalOf(req), id, owner_name, owner_phone, note));
    return api::JsonResponse(200, ItemJson(v, lf->Clauses()));
  });
  r.Add("POST", "/api/v1/lost-items/{id}/dispose", Access::kSignedIn, [lf](HttpRequest& req) {
    if (!lf) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto note, body.RequiredString("note"));
    if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto v, lf->Dispose(api::PrincipalOf(req), id, note));
    return api::JsonResponse(200, ItemJson(v, lf->Clauses()));
  });
}

}  // namespace zhidu::lostfound
