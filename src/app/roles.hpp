// The role catalogue until the policy pack supplies it: the built-in administrator plus the roles
// the regulations name (R02-R20), with the permissions the foundation knows.
#pragma once

#include "kernel/org/principal.hpp"

namespace zhidu::app {

void DefineBuiltInRoles(org::RoleCatalogue& roles);

}  // namespace zhidu::app
