// The role catalogue: the roles of the policy pack in force (中控员, 值班长, 部长 …, and the system
// role 管理员), plus the built-in `admin`, with the permissions the kernel knows so far.
#pragma once

#include "kernel/org/principal.hpp"
#include "kernel/policy/pack.hpp"

namespace zhidu::app {

// Defines every role of `pack` (may be null: built-in roles only). Called again on reload;
// roles are only added or updated, so accounts holding a role the new pack dropped keep working
// until an administrator changes them.
void DefineRoles(org::RoleCatalogue& roles, const policy::Pack* pack);

}  // namespace zhidu::app
