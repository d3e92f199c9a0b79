// Repairs (报修): their statements, written once — the same SQL runs on SQLite and PostgreSQL
// through store::Sql. Times are microseconds, 0 for "not yet" (NOT NULL DEFAULT 0 columns).
#include "modules/repairs/repairs_store.hpp"

#include "store/sql_where.hpp"

namespace zhidu::repairs::db {
namespace {

using store::Id;
using store::SqlMicros;

constexpr const char* kSelect =
    "SELECT id, site_id, what, description, source_kind, source_id, source_item, clauses, "
    "reported_by, reporter_person, reporter_post, assignee_role, assignee_person, state, "
    "note, history, created_at, fixed_at, closed_at, updated_at FROM repairs";

Repair Map(const store::SqlRow& s) {
  Repair r;
  r.id = s.Int(0);
  r.site_id = s.Int(1);
  r.what = s.Text(2);
  r.description = s.Text(3);
  r.source_kind = s.Text(4);
  r.source_id = s.Int(5);
  r.source_item = s.Text(6);
  r.clauses = s.Text(7);
  r.reported_by = s.Int(8);
  r.reporter_person = s.Int(9);
  r.reporter_post = s.Int(10);
  r.assignee_role = s.Text(11);
  r.assignee_person = s.Int(12);
  r.state = s.Text(13);
  r.note = s.Text(14);
  r.history = s.Text(15);
  r.created_at = s.Time(16);
  r.fixed_at = s.Time(17);
  r.closed_at = s.Time(18);
  r.updated_at = s.Time(19);
  return r;
}

}  // namespace

Result<Id> InsertRepair(store::Sql& sql, const Repair& v) {
  return sql.Insert(
      "insert repair",
      "INSERT INTO repairs(site_id, what, description, source_kind, source_id, source_item, "
      "clauses, reported_by, reporter_person, reporter_post, assignee_role, assignee_person, "
      "state, note, history, created_at, fixed_at, closed_at, updated_at) "
      "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
      {v.site_id, v.what, v.description, v.source_kind, v.source_id, v.source_item, v.clauses,
       v.reported_by, v.reporter_person, v.reporter_post, v.assignee_role, v.assignee_person,
       v.state, v.note, v.history, SqlMicros(v.created_at), SqlMicros(v.fixed_at),
       SqlMicros(v.closed_at), SqlMicros(v.updated_at)});
}

Result<Repair> GetRepair(store::Sql& sql, Id id) {
  return sql.One<Repair>("get repair", std::string(kSelect) + " WHERE id=?", {id}, Map,
                         "repair " + std::to_string(id) + " does not exist");
}

Result<void> UpdateRepair(store::Sql& sql, const Repair& v, const std::string& from) {
  ZHIDU_TRY(auto changed,
            sql.Exec("update repair",
                     "UPDATE repairs SET assignee_role=?, assignee_person=?, state=?, note=?, "
                     "history=?, fixed_at=?, closed_at=?, updated_at=? WHERE id=? AND state=?",
                     {v.assignee_role, v.assignee_person, v.state, v.note, v.history,
                      SqlMicros(v.fixed_at), SqlMicros(v.closed_at), SqlMicros(v.updated_at), v.id,
                      from}));
  if (changed == 1) return Ok();
  ZHIDU_TRY(Repair cur, GetRepair(sql, v.id));
  return Fail(Errc::kFailedPrecondition,
              "repair " + std::to_string(v.id) + " is " + cur.state + ", not " + from);
}

Result<std::vector<Repair>> ListRepairs(store::Sql& sql, const RepairFilter& f,
                                        store::PageRequest page) {
  store::SqlWhere where;
  where.AndIf(f.site_id != 0, "site_id=?", f.site_id).AndIf(!f.state.empty(), "state=?", f.state);
  if (f.only_open) where.And("state NOT IN ('closed','cancelled')");
  where.And("id>?", page.after_id);
  return sql.Many<Repair>("list repairs", kSelect + where.text() + " ORDER BY id LIMIT ?",
                          where.Params({store::SqlLimit(page.limit)}), Map);
}

}  // namespace zhidu::repairs::db
