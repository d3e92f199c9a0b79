// The visits' and footage segments' statements (visits_store.cpp), written once for both backends
// on store::Sql. The tables (visits, footage_segments) are the store's migration 11: they predate
// the module kit and stay there (docs/architecture.md, Storage).
#pragma once

#include <vector>

#include "base/result.hpp"
#include "modules/visits/visits_types.hpp"
#include "store/sql.hpp"
#include "store/types.hpp"

namespace zhidu::visits::db {

// kConflict when the request already has a visit.
Result<store::Id> InsertVisit(store::Sql& sql, const Visit& v);
Result<Visit> GetVisit(store::Sql& sql, store::Id id);
// Moves a visit from state `from` (compare-and-set) and writes state, entered_*, exited_*.
// kFailedPrecondition when its state is no longer `from`; kNotFound when missing.
Result<void> UpdateVisit(store::Sql& sql, const Visit& v, const std::string& from);
// Keyset page by id, ascending.
Result<std::vector<Visit>> ListVisits(store::Sql& sql, const VisitFilter& f,
                                      store::PageRequest page);

Result<store::Id> InsertFootage(store::Sql& sql, const FootageSegment& v);
Result<FootageSegment> GetFootage(store::Sql& sql, store::Id id);
// Soft delete: sets deleted_by/deleted_at. kFailedPrecondition when already deleted.
Result<void> DeleteFootage(store::Sql& sql, store::Id id, store::Id by, TimePoint at);
// Keyset page by id, ascending.
Result<std::vector<FootageSegment>> ListFootage(store::Sql& sql, const FootageFilter& f,
                                                store::PageRequest page);

}  // namespace zhidu::visits::db
