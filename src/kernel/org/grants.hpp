// Role grants as accounts hold them: checked against the role catalogue and the organisation,
// and written to the journal in one canonical form (account creation and role changes).
#pragma once

#include <string>
#include <vector>

#include "base/result.hpp"
#include "kernel/org/principal.hpp"
#include "store/store.hpp"

namespace zhidu::org {

// Every role known to `roles`, every scope global, or an existing site or department;
// kInvalidArgument naming "roles" otherwise.
Result<void> ValidateGrants(store::UnitOfWork& unit, const RoleCatalogue& roles,
                            const std::vector<store::RoleGrant>& grants);
// Inserts `grants` for `account_id` (scope_id 0 unless scoped; duplicates once) and returns their
// canonical JSON array [{"role","scope_kind","scope_id"}…] for the journal.
Result<std::string> InsertGrants(store::UnitOfWork& unit, Id account_id,
                                 const std::vector<store::RoleGrant>& grants);
// The canonical JSON array of grants already stored.
std::string GrantsJson(const std::vector<store::RoleGrant>& grants);

}  // namespace zhidu::org
