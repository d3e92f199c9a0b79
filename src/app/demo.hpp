// The demo company of `zhidu serve --demo`: clearly fictitious people and accounts, so a newcomer
// can sign in and look around. Its names come from the pack (pack.yaml `demo:`, docs/
// policy_format.md §24), or, for a pack without one, are derived from the pack's posts and roles;
// nothing here knows a role or post name. Seeds only into an empty store (no sites yet);
// idempotent.
#pragma once

#include <filesystem>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "kernel/org/auth_service.hpp"
#include "kernel/org/org_service.hpp"
#include "kernel/policy/pack.hpp"
#include "modules/roster/roster.hpp"
#include "modules/visits/visits.hpp"
#include "store/store.hpp"

namespace zhidu::app {

// The pack's demo company, or one derived from it: a site "<pack name>（演示）", one department
// 演示部门 holding every post of the pack, and one person with an account (demo1, demo2 …) per
// role a regulation names, holding that role at the site and the certifications the first post
// needing the role asks for.
policy::DemoCompany DemoOf(const policy::Pack& pack);

// Creates the demo organisation and accounts, prints the credentials to stdout and writes them
// to DATA/demo-credentials.txt (one "username password role" line each, mode 0600).
Result<void> SeedDemo(store::Store& store, org::AuthService& auth, org::OrgService& org,
                      const std::filesystem::path& data_dir, const policy::DemoCompany& demo);
// Publishes the demo's rosters for the current month, once; does nothing when the demo site is
// absent or already has rosters.
Result<void> SeedDemoRosters(store::Store& store, roster::Rosters& rosters, const Clock& clock,
                             const policy::DemoCompany& demo);
// Registers the last three hours of footage of the demo's camera, once. (No demo visit: its
// duty-log entries would change the demo's duty log, which tests count.)
Result<void> SeedDemoFootage(store::Store& store, visits::Visits& visits, const Clock& clock,
                             const policy::DemoCompany& demo);

}  // namespace zhidu::app
