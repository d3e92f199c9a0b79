// The handovers' statements (handover_store.cpp), written once for both backends on store::Sql.
// The table (handovers) is the store's migration 10: it predates the module kit and stays there
// (docs/architecture.md, Storage).
#pragma once

#include <optional>
#include <vector>

#include "base/result.hpp"
#include "modules/handover/handover_types.hpp"
#include "store/sql.hpp"
#include "store/types.hpp"

namespace zhidu::handover::db {

// kConflict when the post already has an open handover.
Result<store::Id> InsertHandover(store::Sql& sql, const Handover& v);
Result<Handover> GetHandover(store::Sql& sql, store::Id id);
// Writes the mutable fields (state, answers, acknowledgements, signatures, refusal,
// seal_sha256, closed_at) of an open handover; kFailedPrecondition when it is no longer open.
Result<void> UpdateHandover(store::Sql& sql, const Handover& v);
// Keyset page by id, ascending.
Result<std::vector<Handover>> ListHandovers(store::Sql& sql, const HandoverFilter& filter,
                                            store::PageRequest page);
// The post's most recent handover in `state` (highest id), nullopt when none.
Result<std::optional<Handover>> LatestHandover(store::Sql& sql, store::Id post_id,
                                               HandoverState state);

}  // namespace zhidu::handover::db
