// The alarm points' and activations' statements (alarms_store.cpp), written once for both
// backends on store::Sql. The tables (alarm_points, alarm_activations) are the store's migration
// 8: they predate the module kit and stay there (docs/architecture.md, Storage).
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "base/result.hpp"
#include "modules/alarms/alarms_types.hpp"
#include "store/sql.hpp"
#include "store/types.hpp"

namespace zhidu::alarms::db {

// kConflict when (source, tag) exists.
Result<store::Id> InsertAlarmPoint(store::Sql& sql, const AlarmPoint& v);
Result<AlarmPoint> GetAlarmPoint(store::Sql& sql, store::Id id);
// kNotFound when no point has that source and tag.
Result<AlarmPoint> FindAlarmPoint(store::Sql& sql, const std::string& source,
                                  const std::string& tag);
// Ascending id; site 0: all; only_live: state not normal or shelved or suppressed.
Result<std::vector<AlarmPoint>> ListAlarmPoints(store::Sql& sql, store::Id site_id, bool only_live,
                                                store::PageRequest page);
// Writes the state fields (state … activations); kNotFound when missing.
Result<void> UpdateAlarmPoint(store::Sql& sql, const AlarmPoint& v);
Result<store::Id> InsertAlarmActivation(store::Sql& sql, const AlarmActivation& v);

// Ingest (W1): a few statements per request instead of several per event (store/sql_batch.hpp).
// `found` sees each point whose (source, tag) is in `keys`; a pair with no point is not seen.
Result<void> FindAlarmPoints(store::Sql& sql,
                             const std::vector<std::pair<std::string, std::string>>& keys,
                             const std::function<void(AlarmPoint)>& found);
// UpdateAlarmPoint for every point (distinct ids); kNotFound when one is missing (the others of
// its statement are written: the caller's job fails as a whole).
Result<void> UpdateAlarmPoints(store::Sql& sql, const std::vector<const AlarmPoint*>& points);
// InsertAlarmActivation for every activation, without their ids.
Result<void> InsertAlarmActivations(store::Sql& sql, const std::vector<AlarmActivation>& v);
// Activations at `site_id` (and `post_id` unless 0) with at in [from, before), ordered by at.
Result<std::vector<AlarmActivation>> ListAlarmActivations(store::Sql& sql, store::Id site_id,
                                                          store::Id post_id, TimePoint from,
                                                          TimePoint before);

}  // namespace zhidu::alarms::db
