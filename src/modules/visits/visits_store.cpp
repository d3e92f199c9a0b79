// Visits (来访) and footage segments (录像): their statements, written once — the same SQL runs on
// SQLite and PostgreSQL through store::Sql. Times are microseconds, 0 for "not yet" (the columns
// are NOT NULL DEFAULT 0), so they are bound with SqlMicros.
#include "modules/visits/visits_store.hpp"

#include "store/sql_where.hpp"

namespace zhidu::visits::db {
namespace {

using store::Id;
using store::SqlMicros;
using store::SqlRow;

constexpr const char* kVisitSelect =
    "SELECT id, site_id, place, request_id, request_type, visitor_name, company, reason, "
    "escort_person, approver, record, state, registered_by, registered_at, entered_by, "
    "entered_at, exited_by, exited_at FROM visits";

Visit MapVisit(const SqlRow& r) {
  Visit v;
  v.id = r.Int(0);
  v.site_id = r.Int(1);
  v.place = r.Text(2);
  v.request_id = r.Int(3);
  v.request_type = r.Text(4);
  v.visitor_name = r.Text(5);
  v.company = r.Text(6);
  v.reason = r.Text(7);
  v.escort_person = r.Int(8);
  v.approver = r.Int(9);
  v.record = r.Text(10);
  v.state = r.Text(11);
  v.registered_by = r.Int(12);
  v.registered_at = r.Time(13);
  v.entered_by = r.Int(14);
  v.entered_at = r.Time(15);
  v.exited_by = r.Int(16);
  v.exited_at = r.Time(17);
  return v;
}

constexpr const char* kFootageSelect =
    "SELECT id, site_id, camera, starts_at, ends_at, storage_ref, tape, registered_by, "
    "registered_at, deleted_by, deleted_at FROM footage_segments";

FootageSegment MapFootage(const SqlRow& r) {
  return {r.Int(0),  r.Int(1), r.Text(2), r.Time(3), r.Time(4), r.Text(5),
          r.Text(6), r.Int(7), r.Time(8), r.Int(9),  r.Time(10)};
}

}  // namespace

Result<Id> InsertVisit(store::Sql& sql, const Visit& v) {
  return sql.Insert(
      "insert visit",
      "INSERT INTO visits(site_id, place, request_id, request_type, visitor_name, company, "
      "reason, escort_person, approver, record, state, registered_by, registered_at, "
      "entered_by, entered_at, exited_by, exited_at) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
      "RETURNING id",
      {v.site_id, v.place, v.request_id, v.request_type, v.visitor_name, v.company, v.reason,
       v.escort_person, v.approver, v.record, v.state, v.registered_by, SqlMicros(v.registered_at),
       v.entered_by, SqlMicros(v.entered_at), v.exited_by, SqlMicros(v.exited_at)});
}

Result<Visit> GetVisit(store::Sql& sql, Id id) {
  return sql.One<Visit>("get visit", std::string(kVisitSelect) + " WHERE id=?", {id}, MapVisit,
                        "visit " + std::to_string(id) + " does not exist");
}

Result<void> UpdateVisit(store::Sql& sql, const Visit& v, const std::string& from) {
  ZHIDU_TRY(auto changed,
            sql.Exec("update visit",
                     "UPDATE visits SET state=?, entered_by=?, entered_at=?, exited_by=?, "
                     "exited_at=? WHERE id=? AND state=?",
                     {v.state, v.entered_by, SqlMicros(v.entered_at), v.exited_by,
                      SqlMicros(v.exited_at), v.id, from}));
  if (changed == 1) return Ok();
  ZHIDU_TRY(Visit now, GetVisit(sql, v.id));
  return Fail(Errc::kFailedPrecondition,
              "visit " + std::to_string(v.id) + " is already " + now.state);
}

Result<std::vector<Visit>> ListVisits(store::Sql& sql, const VisitFilter& f,
                                      store::PageRequest page) {
  store::SqlWhere where;
  where.AndIf(f.site_id != 0, "site_id=?", f.site_id)
      .AndIf(!f.state.empty(), "state=?", f.state)
      .And("id>?", page.after_id);
  return sql.Many<Visit>("list visits", kVisitSelect + where.text() + " ORDER BY id LIMIT ?",
                         where.Params({store::SqlLimit(page.limit)}), MapVisit);
}

Result<Id> InsertFootage(store::Sql& sql, const FootageSegment& v) {
  return sql.Insert(
      "insert footage segment",
      "INSERT INTO footage_segments(site_id, camera, starts_at, ends_at, storage_ref, tape, "
      "registered_by, registered_at, deleted_by, deleted_at) VALUES(?,?,?,?,?,?,?,?,?,?) "
      "RETURNING id",
      {v.site_id, v.camera, SqlMicros(v.starts_at), SqlMicros(v.ends_at), v.storage_ref, v.tape,
       v.registered_by, SqlMicros(v.registered_at), v.deleted_by, SqlMicros(v.deleted_at)});
}

Result<FootageSegment> GetFootage(store::Sql& sql, Id id) {
  return sql.One<FootageSegment>("get footage segment", std::string(kFootageSelect) + " WHERE id=?",
                                 {id}, MapFootage,
                                 "footage segment " + std::to_string(id) + " does not exist");
}

Result<void> DeleteFootage(store::Sql& sql, Id id, Id by, TimePoint at) {
  ZHIDU_TRY(auto changed, sql.Exec("delete footage segment",
                                   "UPDATE footage_segments SET deleted_by=?, deleted_at=? "
                                   "WHERE id=? AND deleted_at=0",
                                   {by, SqlMicros(at), id}));
  if (changed == 1) return Ok();
  ZHIDU_TRY(auto seg, GetFootage(sql, id));
  (void)seg;
  return Fail(Errc::kFailedPrecondition,
              "footage segment " + std::to_string(id) + " is already deleted");
}

Result<std::vector<FootageSegment>> ListFootage(store::Sql& sql, const FootageFilter& f,
                                                store::PageRequest page) {
  store::SqlWhere where;
  where.AndIf(f.site_id != 0, "site_id=?", f.site_id)
      .AndIf(!f.camera.empty(), "camera=?", f.camera);
  if (!f.include_deleted) where.And("deleted_at=0");
  where.And("id>?", page.after_id);
  return sql.Many<FootageSegment>("list footage segments",
                                  kFootageSelect + where.text() + " ORDER BY id LIMIT ?",
                                  where.Params({store::SqlLimit(page.limit)}), MapFootage);
}

}  // namespace zhidu::visits::db
