// The alarm points' and activations' statements (alarms_store.cpp), written once for both
// backends on store::Sql. The tables (alarm_points, alarm_activations) are the store's migration
// 8: they predate the module kit and stay there (docs/architecture.md, Storage).
#pragma once

#include <string>
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
// Activations at `site_id` (and `post_id` unless 0) with at in [from, before), ordered by at.
Result<std::vector<AlarmActivation>> ListAlarmActivations(store::Sql& sql, store::Id site_id,
                                                          store::Id post_id, TimePoint from,
                                                          TimePoint before);

}  // namespace zhidu::alarms::db
