// Who is asking, and what they may do. Roles come from a RoleCatalogue: the built-in `admin` and
// the roles of the policy pack in force, each with the permissions the pack gives it
// (docs/policy_format.md §3; no role name is known to C++).
#pragma once

#include <map>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "store/types.hpp"

namespace zhidu::org {

using store::Id;

struct Principal {
  Id account_id = 0;
  std::string username;
  Id person_id = 0;
  std::vector<store::RoleGrant> roles;
  std::string csrf_token;  // set for cookie sessions; empty for bearer tokens
  bool via_session = false;
};

// Where a resource lives, for scoped role grants. 0 = not applicable.
struct Scope {
  Id site_id = 0;
  Id department_id = 0;
};

// True when `grant`'s scope covers `scope`: a global grant covers everything, a site or department
// grant only that site or department (never scope 0).
bool GrantCovers(const store::RoleGrant& grant, Scope scope);
// True when one of `who`'s grants covers `scope` (a role at the site, whatever the role).
bool HoldsRoleAt(const Principal& who, Scope scope);

// Permissions are dotted names ("org.write"); "*" grants everything.
namespace perm {
inline constexpr std::string_view kOrgRead = "org.read";
inline constexpr std::string_view kOrgWrite = "org.write";
inline constexpr std::string_view kAccountsRead = "accounts.read";
inline constexpr std::string_view kAccountsWrite = "accounts.write";
inline constexpr std::string_view kJournalRead = "journal.read";
inline constexpr std::string_view kTokensWrite = "tokens.write";
}  // namespace perm

// Role name -> permissions. Thread-safe: a policy reload may Define() while requests call Allows().
class RoleCatalogue {
 public:
  RoleCatalogue();  // built-in: admin -> "*"; every authenticated account -> org.read
  bool Knows(std::string_view role) const;
  std::vector<std::string> Roles() const;
  // Adds or replaces a role's permissions.
  void Define(std::string role, std::set<std::string, std::less<>> permissions);
  // True when one of the principal's grants whose scope covers `scope` holds `permission`.
  bool Allows(const Principal& who, std::string_view permission, Scope scope = {}) const;
  // Every permission any of the principal's grants holds, whatever its scope (for the console's
  // menus; checks use Allows with the resource's scope).
  std::set<std::string, std::less<>> PermissionsOf(const Principal& who) const;

 private:
  mutable std::shared_mutex mu_;
  std::map<std::string, std::set<std::string, std::less<>>, std::less<>> roles_;  // guarded by mu_
};

}  // namespace zhidu::org
