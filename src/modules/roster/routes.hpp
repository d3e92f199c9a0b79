// Routes of rosters (排班): /api/v1/rosters, /api/v1/shifts, swaps, leave and substitutions
// (/api/v1/roster-assignments/{id}/…, /api/v1/roster-swaps/{id}/decision), calendar tokens
// (/api/v1/people/{id}/ical-token) and the public calendar feed /ical/{token}.ics.
#pragma once

#include "api/router.hpp"
#include "base/clock.hpp"
#include "modules/roster/roster.hpp"
#include "store/store.hpp"

namespace zhidu::api {

struct RosterRouteDeps {
  roster::Rosters* rosters = nullptr;  // null (e.g. `zhidu routes`): routes answer 503
  store::Store* store = nullptr;
  const Clock* clock = nullptr;  // DTSTAMP and the feed's window
};

void AddRosterRoutes(Router& router, RosterRouteDeps deps);

}  // namespace zhidu::api
