#include "app/roles.hpp"

namespace zhidu::app {

namespace {
// Permissions of the foundation by role. Everything else a role may do comes from the pack's
// rules (who approves a request, who fires a transition), checked by the runtime.
std::set<std::string, std::less<>> PermissionsOf(std::string_view role, bool system) {
  if (role == "admin" || role == "管理员" || system) return {"*"};
  if (role == "部长") return {"journal.read"};
  return {};
}
}  // namespace

void DefineRoles(org::RoleCatalogue& roles, const policy::Pack* pack) {
  roles.Define("admin", {"*"});
  if (!pack) return;
  for (const auto& role : pack->roles()) roles.Define(role.id, PermissionsOf(role.id, role.system));
}

}  // namespace zhidu::app
