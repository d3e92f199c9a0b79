// The permission catalogue: every permission a role may hold, with what it lets a holder do.
// A pack's roles name their permissions (`permissions:` on a role, docs/policy_format.md §3); the
// loader refuses a name that is not in the catalogue, so a typo never silently grants nothing.
// The catalogue is the kernel's permissions (below) plus those each domain module declares
// (api::Module::Permissions); the app joins them (app/roles.hpp).
#pragma once

#include <string>
#include <vector>

namespace zhidu::org {

struct PermissionInfo {
  std::string id;     // dotted name, "ledger.record"; "*" = every permission
  std::string title;  // zh-CN, for the console and `zhidu policy permissions`
  std::string what;   // what a holder may do (English, for docs and the CLI)
};

// The kernel's permissions (org, accounts, journal, ledger, duties, requests, scheduler, policy,
// notifications), in catalogue order.
const std::vector<PermissionInfo>& KernelPermissions();

}  // namespace zhidu::org
