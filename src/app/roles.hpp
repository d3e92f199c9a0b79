// The role catalogue: the built-in `admin` plus the roles of the policy pack in force, each with
// the permissions the pack gives it (`permissions:` on a role, docs/policy_format.md §3). No
// role name is known here: a company's own pack defines its own roles.
#pragma once

#include <vector>

#include "kernel/org/permissions.hpp"
#include "kernel/org/principal.hpp"
#include "kernel/policy/loader.hpp"

namespace zhidu::app {

// Every permission a pack's role may name: the kernel's, then each module's in module order.
std::vector<org::PermissionInfo> PermissionCatalogue();

// The options every load of a pack uses (zhidu serve, reload, zhidu policy, create-user): the
// catalogue above and the modules' action words, so an unknown permission or action word is an
// error with file:line:col.
policy::LoadOptions PackLoadOptions();

// Defines every role of `pack` (may be null: built-in `admin` only) with the pack's permissions.
// Called again on reload; roles are only added or updated, so accounts holding a role the new
// pack dropped keep working until an administrator changes them.
void DefineRoles(org::RoleCatalogue& roles, const policy::Pack* pack);

}  // namespace zhidu::app
