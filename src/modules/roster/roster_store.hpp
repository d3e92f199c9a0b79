// The rosters' statements (roster_store.cpp), written once for both backends on store::Sql. The
// tables (rosters, roster_assignments, roster_swaps, ical_tokens) are the store's migration 7:
// they predate the module kit and stay there (docs/architecture.md, Storage).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "modules/roster/roster_types.hpp"
#include "store/sql.hpp"
#include "store/types.hpp"

namespace zhidu::roster::db {

Result<store::Id> InsertRoster(store::Sql& sql, const Roster& v);
Result<Roster> GetRoster(store::Sql& sql, store::Id id);
// site_id 0: every site. Keyset page by id.
Result<std::vector<Roster>> ListRosters(store::Sql& sql, store::Id site_id, store::Id post_id,
                                        store::PageRequest page);
// draft -> published; kFailedPrecondition when not a draft, kNotFound when missing.
Result<void> PublishRoster(store::Sql& sql, store::Id id, store::Id by, TimePoint at);

Result<store::Id> InsertRosterAssignment(store::Sql& sql, const RosterAssignment& v);
Result<RosterAssignment> GetRosterAssignment(store::Sql& sql, store::Id id);
// active -> `state` (with `note`); kFailedPrecondition when no longer active.
Result<void> RetireRosterAssignment(store::Sql& sql, store::Id id, const std::string& state,
                                    const std::string& note);
// Ordered by (starts_at, id); at most `limit` rows (negative: no limit).
Result<std::vector<RosterAssignment>> ListRosterAssignments(store::Sql& sql,
                                                            const AssignmentFilter& f, int limit);

Result<store::Id> InsertRosterSwap(store::Sql& sql, const RosterSwap& v);
Result<RosterSwap> GetRosterSwap(store::Sql& sql, store::Id id);
// pending -> approved|rejected; kFailedPrecondition when no longer pending.
Result<void> DecideRosterSwap(store::Sql& sql, store::Id id, const std::string& state, store::Id by,
                              TimePoint at, const std::string& note);
// roster_id 0: any; ordered by id.
Result<std::vector<RosterSwap>> ListRosterSwaps(store::Sql& sql, store::Id roster_id);

Result<store::Id> InsertIcalToken(store::Sql& sql, const IcalToken& v);
// kNotFound when no token has this hash (revoked ones are returned, with revoked set).
Result<IcalToken> GetIcalTokenByHash(store::Sql& sql, const std::string& token_hash);
// Revokes every live token of the person; returns how many.
Result<std::int64_t> RevokeIcalTokens(store::Sql& sql, store::Id person_id);

}  // namespace zhidu::roster::db
