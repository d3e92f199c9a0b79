// Alarm points and activations (报警): their statements, written once — the same SQL runs on
// SQLite and PostgreSQL through store::Sql. Times are microseconds, 0 for "not yet" (NOT NULL
// DEFAULT 0 columns). suppressed and annunciated are BOOLEAN on PostgreSQL and 0/1 on SQLite:
// they are written and compared as parameters ('0'/'1' is a valid boolean) and read through CASE.
// Alarm ingest (W1) runs FindAlarmPoint, UpdateAlarmPoint and InsertAlarmActivation per event:
// their texts are literals (no string building per call).
#include "modules/alarms/alarms_store.hpp"

#include "base/name_table.hpp"
#include "store/sql_batch.hpp"
#include "store/sql_where.hpp"

namespace zhidu::alarms::db {
namespace {

using store::Id;
using store::SqlFlag;
using store::SqlMicros;
using store::SqlRow;

#define ZHIDU_ALARM_POINT_SELECT                                                              \
  "SELECT id, site_id, post_id, source, tag, title, kind, priority, state, active_since, "    \
  "changed_at, shelved_until, shelve_reason, shelved_by, shelve_timer, "                      \
  "CASE WHEN suppressed THEN 1 ELSE 0 END, suppress_reason, log_entry_id, log_window_start, " \
  "activations, created_at FROM alarm_points"

AlarmPoint MapPoint(const SqlRow& s) {
  AlarmPoint v;
  v.id = s.Int(0);
  v.site_id = s.Int(1);
  v.post_id = s.Int(2);
  v.source = s.Text(3);
  v.tag = s.Text(4);
  v.title = s.Text(5);
  v.kind = s.Text(6);
  v.priority = static_cast<int>(s.Int(7));
  v.state = ParseAlarmState(s.Text(8)).value_or(AlarmState::kNormal);
  v.active_since = s.Time(9);
  v.changed_at = s.Time(10);
  v.shelved_until = s.Time(11);
  v.shelve_reason = s.Text(12);
  v.shelved_by = s.Int(13);
  v.shelve_timer = s.Int(14);
  v.suppressed = s.Flag(15);
  v.suppress_reason = s.Text(16);
  v.log_entry_id = s.Int(17);
  v.log_window_start = s.Time(18);
  v.activations = s.Int(19);
  v.created_at = s.Time(20);
  return v;
}

}  // namespace

Result<Id> InsertAlarmPoint(store::Sql& sql, const AlarmPoint& v) {
  return sql.Insert(
      "insert alarm point",
      "INSERT INTO alarm_points(site_id, post_id, source, tag, title, kind, "
      "priority, state, created_at) VALUES(?,?,?,?,?,?,?,?,?) RETURNING id",
      {v.site_id, v.post_id, v.source, v.tag, v.title, v.kind, std::int64_t{v.priority},
       std::string(AlarmStateName(v.state)), SqlMicros(v.created_at)});
}

Result<AlarmPoint> GetAlarmPoint(store::Sql& sql, Id id) {
  return sql.One<AlarmPoint>("get alarm point", ZHIDU_ALARM_POINT_SELECT " WHERE id=?", {id},
                             MapPoint, "alarm " + std::to_string(id) + " does not exist");
}

Result<AlarmPoint> FindAlarmPoint(store::Sql& sql, const std::string& source,
                                  const std::string& tag) {
  std::optional<AlarmPoint> out;
  ZHIDU_TRY_VOID(sql.Query("find alarm point", ZHIDU_ALARM_POINT_SELECT " WHERE source=? AND tag=?",
                           {source, tag}, [&](const SqlRow& r) { out = MapPoint(r); }));
  if (!out)
    return Fail(Errc::kNotFound, "no alarm point \"" + tag + "\" of source \"" + source + "\"");
  return std::move(*out);
}

Result<std::vector<AlarmPoint>> ListAlarmPoints(store::Sql& sql, Id site_id, bool only_live,
                                                store::PageRequest page) {
  store::SqlWhere where;
  where.AndIf(site_id != 0, "site_id=?", site_id)
      .AndIf(only_live, "(state<>'normal' OR shelved_until<>0 OR suppressed=?)", SqlFlag(true))
      .And("id>?", page.after_id);
  return sql.Many<AlarmPoint>("list alarm points",
                              ZHIDU_ALARM_POINT_SELECT + where.text() + " ORDER BY id LIMIT ?",
                              where.Params({store::SqlLimit(page.limit)}), MapPoint);
}

Result<void> UpdateAlarmPoint(store::Sql& sql, const AlarmPoint& v) {
  ZHIDU_TRY(auto changed,
            sql.Exec("update alarm point",
                     "UPDATE alarm_points SET state=?, active_since=?, changed_at=?, "
                     "shelved_until=?, shelve_reason=?, shelved_by=?, shelve_timer=?, "
                     "suppressed=?, suppress_reason=?, log_entry_id=?, log_window_start=?, "
                     "activations=? WHERE id=?",
                     {std::string(AlarmStateName(v.state)), SqlMicros(v.active_since),
                      SqlMicros(v.changed_at), SqlMicros(v.shelved_until), v.shelve_reason,
                      v.shelved_by, v.shelve_timer, SqlFlag(v.suppressed), v.suppress_reason,
                      v.log_entry_id, SqlMicros(v.log_window_start), v.activations, v.id}));
  if (changed != 0) return Ok();
  return Fail(Errc::kNotFound, "alarm " + std::to_string(v.id) + " does not exist");
}

Result<Id> InsertAlarmActivation(store::Sql& sql, const AlarmActivation& v) {
  return sql.Insert(
      "insert alarm activation",
      "INSERT INTO alarm_activations(site_id, point_id, post_id, at, value, "
      "annunciated) VALUES(?,?,?,?,?,?) RETURNING id",
      {v.site_id, v.point_id, v.post_id, SqlMicros(v.at), v.value, SqlFlag(v.annunciated)});
}

Result<void> FindAlarmPoints(store::Sql& sql,
                             const std::vector<std::pair<std::string, std::string>>& keys,
                             const std::function<void(AlarmPoint)>& found) {
  static const store::SqlRows kFind(ZHIDU_ALARM_POINT_SELECT " WHERE ", "(source=? AND tag=?)", "",
                                    " OR ");
  store::SqlParams params;
  return kFind.ForPadded(
      keys.size(),
      [&](const std::string& text, size_t first, size_t rows, size_t slots) -> Result<void> {
        params.clear();
        for (size_t i = 0; i < slots; ++i) {
          const auto& [source, tag] = keys[first + std::min(i, rows - 1)];
          params.emplace_back(source);
          params.emplace_back(tag);
        }
        return sql.Query("find alarm points", text, params,
                         [&](const SqlRow& r) { found(MapPoint(r)); });
      });
}

Result<void> UpdateAlarmPoints(store::Sql& sql, const std::vector<const AlarmPoint*>& points) {
  // PostgreSQL types a VALUES list's parameters as text: every column is cast.
  static const store::SqlRows kUpdate(
      "UPDATE alarm_points SET state=v.column2, active_since=v.column3, changed_at=v.column4, "
      "shelved_until=v.column5, shelve_reason=v.column6, shelved_by=v.column7, "
      "shelve_timer=v.column8, suppressed=v.column9, suppress_reason=v.column10, "
      "log_entry_id=v.column11, log_window_start=v.column12, activations=v.column13 FROM (VALUES ",
      "(CAST(? AS BIGINT),CAST(? AS TEXT),CAST(? AS BIGINT),CAST(? AS BIGINT),CAST(? AS BIGINT),"
      "CAST(? AS TEXT),CAST(? AS BIGINT),CAST(? AS BIGINT),CAST(? AS BOOLEAN),CAST(? AS TEXT),"
      "CAST(? AS BIGINT),CAST(? AS BIGINT),CAST(? AS BIGINT))",
      ") AS v WHERE alarm_points.id=v.column1");
  store::SqlParams params;
  return kUpdate.ForChunks(
      points.size(), [&](const std::string& text, size_t first, size_t rows) -> Result<void> {
        params.clear();
        for (size_t i = first; i < first + rows; ++i) {
          const AlarmPoint& v = *points[i];
          params.insert(params.end(),
                        {v.id, std::string(AlarmStateName(v.state)), SqlMicros(v.active_since),
                         SqlMicros(v.changed_at), SqlMicros(v.shelved_until), v.shelve_reason,
                         v.shelved_by, v.shelve_timer, SqlFlag(v.suppressed), v.suppress_reason,
                         v.log_entry_id, SqlMicros(v.log_window_start), v.activations});
        }
        ZHIDU_TRY(auto changed, sql.Exec("update alarm points", text, params));
        if (changed == static_cast<std::int64_t>(rows)) return Ok();
        return Fail(Errc::kNotFound, "an alarm point of the batch does not exist");
      });
}

Result<void> InsertAlarmActivations(store::Sql& sql, const std::vector<AlarmActivation>& acts) {
  static const store::SqlRows kInsert(
      "INSERT INTO alarm_activations(site_id, point_id, post_id, at, value, annunciated) VALUES ",
      "(?,?,?,?,?,?)", "");
  store::SqlParams params;
  return kInsert.ForChunks(
      acts.size(), [&](const std::string& text, size_t first, size_t rows) -> Result<void> {
        params.clear();
        for (size_t i = first; i < first + rows; ++i) {
          const AlarmActivation& v = acts[i];
          params.insert(params.end(), {v.site_id, v.point_id, v.post_id, SqlMicros(v.at), v.value,
                                       SqlFlag(v.annunciated)});
        }
        ZHIDU_TRY(auto changed, sql.Exec("insert alarm activations", text, params));
        (void)changed;
        return Ok();
      });
}

Result<std::vector<AlarmActivation>> ListAlarmActivations(store::Sql& sql, Id site_id, Id post_id,
                                                          TimePoint from, TimePoint before) {
  store::SqlWhere where;
  where.And("site_id=?", site_id)
      .AndIf(post_id != 0, "post_id=?", post_id)
      .And("at>=?", SqlMicros(from))
      .And("at<?", SqlMicros(before));
  return sql.Many<AlarmActivation>(
      "list alarm activations",
      "SELECT id, site_id, point_id, post_id, at, value, "
      "CASE WHEN annunciated THEN 1 ELSE 0 END FROM alarm_activations" +
          where.text() + " ORDER BY at, id",
      where.Params(), [](const SqlRow& s) {
        return AlarmActivation{s.Int(0),  s.Int(1),  s.Int(2), s.Int(3),
                               s.Time(4), s.Text(5), s.Flag(6)};
      });
}

}  // namespace zhidu::alarms::db

namespace zhidu::alarms {
namespace {
constexpr NameTable<AlarmState, 4> kAlarmStates = {{
    {AlarmState::kNormal, "normal"},
    {AlarmState::kActiveUnack, "active_unack"},
    {AlarmState::kActiveAck, "active_ack"},
    {AlarmState::kRtnUnack, "rtn_unack"},
}};
}  // namespace

std::string_view AlarmStateName(AlarmState s) { return NameIn(kAlarmStates, s); }
std::optional<AlarmState> ParseAlarmState(std::string_view n) { return ParseIn(kAlarmStates, n); }

}  // namespace zhidu::alarms
