#include "api/routes_accounts.hpp"

#include <memory>

#include "api/api.hpp"
#include "api/api_internal.hpp"
#include "api/json_body.hpp"
#include "kernel/org/credentials.hpp"

namespace zhidu::api {

using nlohmann::json;
using store::Id;

json GrantJson(const store::RoleGrant& g) {
  return {{"role", g.role}, {"scope_kind", g.scope_kind}, {"scope_id", g.scope_id}};
}

namespace {

json AccountRowJson(const store::Account& a, const std::vector<store::RoleGrant>& grants) {
  json roles = json::array();
  for (const auto& g : grants) roles.push_back(GrantJson(g));
  return {{"id", a.id},
          {"username", a.username},
          {"person_id", IdOrNull(a.person_id)},
          {"disabled", a.disabled},
          {"roles", roles},
          {"created_at", Timestamp(a.created_at)}};
}

json TokenJson(const org::ApiTokenRow& t) {
  return {{"id", t.id},
          {"account_id", t.account_id},
          {"username", t.username},
          {"name", t.name},
          {"created_at", Timestamp(t.created_at)},
          {"revoked", t.revoked}};
}

// "roles": [{"role", "scope_kind"?, "scope_id"?}…] of a request body; absent: none.
Result<std::vector<store::RoleGrant>> ReadGrants(JsonBody& body) {
  ZHIDU_TRY(auto roles, body.OptionalArray("roles"));
  std::vector<store::RoleGrant> out;
  if (!roles) return out;
  for (const auto& g : *roles) {
    if (!g.is_object() || !g.contains("role") || !g["role"].is_string())
      return Fail(Errc::kInvalidArgument, "each role must be an object with a \"role\" string",
                  "roles");
    for (const auto& [k, _] : g.items())
      if (k != "role" && k != "scope_kind" && k != "scope_id")
        return Fail(Errc::kInvalidArgument, "unknown field \"" + k + "\" in a role", "roles");
    store::RoleGrant grant;
    grant.role = g["role"].get<std::string>();
    if (g.contains("scope_kind")) {
      if (!g["scope_kind"].is_string())
        return Fail(Errc::kInvalidArgument, "scope_kind must be a string", "roles");
      grant.scope_kind = g["scope_kind"].get<std::string>();
    }
    if (g.contains("scope_id") && !g["scope_id"].is_null()) {
      if (!g["scope_id"].is_number_integer())
        return Fail(Errc::kInvalidArgument, "scope_id must be an integer", "roles");
      grant.scope_id = g["scope_id"].get<Id>();
    }
    out.push_back(grant);
  }
  return out;
}

HttpResponse NotRunning() {
  return ErrorResponse({Errc::kUnavailable, "accounts are not served by this process", ""});
}

}  // namespace

void AddAccountRoutes(Router& r, const AccountRouteDeps& deps) {
  auto* auth = deps.auth;
  std::shared_ptr<org::Credentials> credentials;
  if (deps.auth && deps.store && deps.writer && deps.roles)
    credentials =
        std::make_shared<org::Credentials>(*deps.store, *deps.writer, *deps.roles, *deps.auth);
  auto row = [auth](const store::Account& a) {
    auto grants = auth->RolesOf(a.id);
    return AccountRowJson(a, grants ? *grants : std::vector<store::RoleGrant>{});
  };

  r.Add("GET", "/api/v1/accounts", Access::kSignedIn, [auth, row](HttpRequest& req) {
    if (!auth) return NotRunning();
    ZHIDU_OR_ERROR(auto page, PageOf(req));
    ZHIDU_OR_ERROR(auto rows, auth->ListAccounts(PrincipalOf(req), page));
    return List(rows, page, row, [](const auto& x) { return x.id; });
  });
  r.Add("POST", "/api/v1/accounts", Access::kSignedIn, [auth](HttpRequest& req) {
    if (!auth) return NotRunning();
    ZHIDU_OR_ERROR(auto body, JsonBody::Parse(req.body));
    org::NewAccount in;
    ZHIDU_OR_ERROR(in.username, body.RequiredString("username"));
    ZHIDU_OR_ERROR(in.password, body.RequiredString("password"));
    ZHIDU_OR_ERROR(in.person_id, body.OptionalId("person_id"));
    ZHIDU_OR_ERROR(in.roles, ReadGrants(body));
    if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto account, auth->CreateAccount(&PrincipalOf(req), in));
    return JsonResponse(201, AccountRowJson(account, in.roles));
  });
  for (bool disable : {true, false}) {
    r.Add("POST", disable ? "/api/v1/accounts/{id}/disable" : "/api/v1/accounts/{id}/enable",
          Access::kSignedIn, [credentials, row, disable](HttpRequest& req) {
            if (!credentials) return NotRunning();
            ZHIDU_OR_ERROR(auto id, PathIdOf(req, "id"));
            ZHIDU_OR_ERROR(auto account, credentials->SetDisabled(PrincipalOf(req), id, disable));
            return JsonResponse(200, row(account));
          });
  }
  r.Add("PUT", "/api/v1/accounts/{id}/roles", Access::kSignedIn,
        [credentials, row](HttpRequest& req) {
          if (!credentials) return NotRunning();
          ZHIDU_OR_ERROR(auto id, PathIdOf(req, "id"));
          ZHIDU_OR_ERROR(auto body, JsonBody::Parse(req.body));
          if (!body.json().contains("roles"))
            return ErrorResponse({Errc::kInvalidArgument,
                                  "roles is required (an empty list removes every grant)", "roles",
                                  "required"});
          ZHIDU_OR_ERROR(auto grants, ReadGrants(body));
          if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
          ZHIDU_OR_ERROR(auto account, credentials->SetRoles(PrincipalOf(req), id, grants));
          return JsonResponse(200, row(account));
        });
  r.Add("POST", "/api/v1/accounts/{id}/password", Access::kSignedIn,
        [credentials](HttpRequest& req) {
          if (!credentials) return NotRunning();
          ZHIDU_OR_ERROR(auto id, PathIdOf(req, "id"));
          ZHIDU_OR_ERROR(auto body, JsonBody::Parse(req.body));
          ZHIDU_OR_ERROR(auto password, body.RequiredString("new_password"));
          if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
          if (auto done = credentials->ResetPassword(PrincipalOf(req), id, password); !done)
            return ErrorResponse(done.error());
          return HttpResponse{204, "", "", {}};
        });
  r.Add("POST", "/api/v1/me/password", Access::kSignedIn,
        [credentials, cookie = deps.session_cookie](HttpRequest& req) {
          if (!credentials) return NotRunning();
          ZHIDU_OR_ERROR(auto body, JsonBody::Parse(req.body));
          ZHIDU_OR_ERROR(auto current, body.RequiredString("current_password"));
          ZHIDU_OR_ERROR(auto next, body.RequiredString("new_password"));
          if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
          const std::string session =
              PrincipalOf(req).via_session ? req.Cookie(cookie) : std::string();
          if (auto done = credentials->ChangeOwnPassword(PrincipalOf(req), current, next, session);
              !done)
            return ErrorResponse(done.error());
          return HttpResponse{204, "", "", {}};
        });

  r.Add("POST", "/api/v1/api-tokens", Access::kSignedIn, [auth](HttpRequest& req) {
    if (!auth) return NotRunning();
    ZHIDU_OR_ERROR(auto body, JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto name, body.RequiredString("name"));
    if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto token, auth->CreateApiToken(PrincipalOf(req), name));
    return JsonResponse(201, {{"name", name}, {"token", token}});
  });
  r.Add("GET", "/api/v1/api-tokens", Access::kSignedIn, [credentials](HttpRequest& req) {
    if (!credentials) return NotRunning();
    ZHIDU_OR_ERROR(auto page, PageOf(req));
    ZHIDU_OR_ERROR(auto account_id, QueryIdOf(req, "account_id"));
    ZHIDU_OR_ERROR(auto rows, credentials->ListApiTokens(PrincipalOf(req), account_id, page));
    return List(rows, page, TokenJson, [](const auto& x) { return x.id; });
  });
  r.Add("DELETE", "/api/v1/api-tokens/{id}", Access::kSignedIn, [credentials](HttpRequest& req) {
    if (!credentials) return NotRunning();
    ZHIDU_OR_ERROR(auto id, PathIdOf(req, "id"));
    ZHIDU_OR_ERROR(auto token, credentials->RevokeApiToken(PrincipalOf(req), id));
    return JsonResponse(200, TokenJson(token));
  });
}

}  // namespace zhidu::api
