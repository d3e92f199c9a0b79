// The demo company of `zhidu serve --demo`: clearly fictitious people and accounts, so a newcomer
// can sign in and look around. Seeds only into an empty store (no sites yet); idempotent.
#pragma once

#include <filesystem>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "kernel/org/auth_service.hpp"
#include "kernel/org/org_service.hpp"
#include "modules/roster/roster.hpp"
#include "modules/visits/visits.hpp"
#include "store/store.hpp"

namespace zhidu::app {

// Creates the demo organisation and accounts, prints the credentials to stdout and writes them
// to DATA/demo-credentials.txt (one "username password role" line each, mode 0600).
Result<void> SeedDemo(store::Store& store, org::AuthService& auth, org::OrgService& org,
                      const std::filesystem::path& data_dir);
// Publishes a roster of the current month (四班三运转) for the demo's 中控室 and 消防控制室, once;
// does nothing when the demo site is absent or already has rosters.
Result<void> SeedDemoRosters(store::Store& store, roster::Rosters& rosters, const Clock& clock);
// Registers the last three hours of footage of one camera of the demo site, once. (No demo visit:
// its duty-log entries would change the demo's duty log, which tests count.)
Result<void> SeedDemoFootage(store::Store& store, visits::Visits& visits, const Clock& clock);

}  // namespace zhidu::app
