#include "kernel/org/grants.hpp"

#include "base/canonical_json.hpp"

namespace zhidu::org {

Result<void> ValidateGrants(store::UnitOfWork& unit, const RoleCatalogue& roles,
                            const std::vector<store::RoleGrant>& grants) {
  for (const auto& g : grants) {
    if (!roles.Knows(g.role))
      return Fail(Errc::kInvalidArgument, "unknown role \"" + g.role + "\"", "roles");
    if (g.scope_kind == "site") {
      if (auto s = unit.GetSite(g.scope_id); !s)
        return Fail(Errc::kInvalidArgument, s.error().message, "roles");
    } else if (g.scope_kind == "department") {
      if (auto d = unit.GetDepartment(g.scope_id); !d)
        return Fail(Errc::kInvalidArgument, d.error().message, "roles");
    } else if (g.scope_kind != "global") {
      return Fail(Errc::kInvalidArgument, "scope_kind must be global, site or department", "roles");
    }
  }
  return Ok();
}

std::string GrantsJson(const std::vector<store::RoleGrant>& grants) {
  std::string out = "[";
  for (size_t i = 0; i < grants.size(); ++i) {
    if (i) out += ",";
    out += CanonicalObject()
               .Add("role", grants[i].role)
               .Add("scope_kind", grants[i].scope_kind)
               .Add("scope_id", grants[i].scope_id)
               .Str();
  }
  return out + "]";
}

Result<std::string> InsertGrants(store::UnitOfWork& unit, Id account_id,
                                 const std::vector<store::RoleGrant>& grants) {
  std::vector<store::RoleGrant> stored;
  for (auto g : grants) {
    g.account_id = account_id;
    if (g.scope_kind != "site" && g.scope_kind != "department") g.scope_id = 0;
    auto granted = unit.InsertRoleGrant(g);
    if (!granted && granted.error().code != Errc::kConflict) return Fail(granted.error());
    stored.push_back(g);
  }
  return GrantsJson(stored);
}

}  // namespace zhidu::org
