#include "kernel/org/principal.hpp"

#include <mutex>

namespace zhidu::org {

bool GrantCovers(const store::RoleGrant& grant, Scope scope) {
  return grant.scope_kind == "global" ||
         (grant.scope_kind == "site" && scope.site_id != 0 && grant.scope_id == scope.site_id) ||
         (grant.scope_kind == "department" && scope.department_id != 0 &&
          grant.scope_id == scope.department_id);
}

bool HoldsRoleAt(const Principal& who, Scope scope) {
  for (const auto& grant : who.roles)
    if (GrantCovers(grant, scope)) return true;
  return false;
}

RoleCatalogue::RoleCatalogue() { roles_["admin"] = {"*"}; }

bool RoleCatalogue::Knows(std::string_view role) const {
  std::shared_lock lock(mu_);
  return roles_.find(role) != roles_.end();
}

std::vector<std::string> RoleCatalogue::Roles() const {
  std::shared_lock lock(mu_);
  std::vector<std::string> out;
  for (const auto& [name, _] : roles_) out.push_back(name);
  return out;
}

void RoleCatalogue::Define(std::string role, std::set<std::string, std::less<>> permissions) {
  std::unique_lock lock(mu_);
  roles_[std::move(role)] = std::move(permissions);
}

bool RoleCatalogue::Allows(const Principal& who, std::string_view permission, Scope scope) const {
  if (who.account_id == 0) return false;
  if (permission == perm::kOrgRead) return true;  // every signed-in person may see the organisation
  std::shared_lock lock(mu_);
  for (const auto& grant : who.roles) {
    if (!GrantCovers(grant, scope)) continue;
    auto it = roles_.find(grant.role);
    if (it == roles_.end()) continue;
    if (it->second.contains("*") || it->second.contains(permission)) return true;
  }
  return false;
}

std::set<std::string, std::less<>> RoleCatalogue::PermissionsOf(const Principal& who) const {
  std::set<std::string, std::less<>> out;
  if (who.account_id == 0) return out;
  out.insert(std::string(perm::kOrgRead));
  std::shared_lock lock(mu_);
  for (const auto& grant : who.roles) {
    auto it = roles_.find(grant.role);
    if (it != roles_.end()) out.insert(it->second.begin(), it->second.end());
  }
  return out;
}

}  // namespace zhidu::org
