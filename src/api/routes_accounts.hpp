// Routes of accounts and their credentials: accounts listed, created, disabled and enabled, their
// role grants replaced and passwords reset by an administrator; API tokens created, listed and
// revoked; one's own password changed (docs/security.md §Credentials).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "api/router.hpp"
#include "kernel/org/auth_service.hpp"
#include "store/store.hpp"
#include "store/writer.hpp"

namespace zhidu::api {

struct AccountRouteDeps {
  org::AuthService* auth = nullptr;  // null (e.g. `zhidu routes`): the routes answer 503
  store::Store* store = nullptr;
  store::Writer* writer = nullptr;
  const org::RoleCatalogue* roles = nullptr;
  std::string session_cookie;  // its name: a password change keeps the session making it
};

void AddAccountRoutes(Router& router, const AccountRouteDeps& deps);

// {"role", "scope_kind", "scope_id"}: a grant as accounts and /me show it.
nlohmann::json GrantJson(const store::RoleGrant& g);

}  // namespace zhidu::api
