// The register's table and its statements, written once: the same SQL runs on SQLite and
// PostgreSQL through store::Sql (store/sql.hpp).
#include "modules/lostfound/lostfound.hpp"

#include "store/sql_where.hpp"

namespace zhidu::lostfound {

std::vector<store::Migration> Migrations() {
  return {{1, R"sql(
CREATE TABLE lost_items(
  id {{id}},
  site_id BIGINT NOT NULL REFERENCES sites(id),
  place TEXT NOT NULL,
  description TEXT NOT NULL,
  photo TEXT NOT NULL DEFAULT '',
  found_at BIGINT NOT NULL,
  found_by TEXT NOT NULL DEFAULT '',
  registered_by BIGINT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('found','handed_in','returned','disposed')),
  handed_to TEXT NOT NULL DEFAULT '',
  handed_by BIGINT,
  handed_at BIGINT,
  owner_name TEXT NOT NULL DEFAULT '',
  owner_phone TEXT NOT NULL DEFAULT '',
  closed_by BIGINT,
  closed_at BIGINT,
  note TEXT NOT NULL DEFAULT '');
CREATE INDEX lost_items_site_state ON lost_items(site_id, state, id)
)sql"}};
}

namespace db {
namespace {

constexpr const char* kColumns =
    "SELECT id, site_id, place, description, photo, found_at, found_by, registered_by, state, "
    "handed_to, handed_by, handed_at, owner_name, owner_phone, closed_by, closed_at, note "
    "FROM lost_items ";

Item Map(const store::SqlRow& r) {
  Item v;
  v.id = r.Int(0);
  v.site_id = r.Int(1);
  v.place = r.Text(2);
  v.description = r.Text(3);
  v.photo = r.Text(4);
  v.found_at = r.Time(5);
  v.found_by = r.Text(6);
  v.registered_by = r.Int(7);
  v.state = ParseState(r.Text(8)).value_or(State::kFound);  // the CHECK admits no other name
  v.handed_to = r.Text(9);
  v.handed_by = r.Int(10);
  v.handed_at = r.Time(11);
  v.owner_name = r.Text(12);
  v.owner_phone = r.Text(13);
  v.closed_by = r.Int(14);
  v.closed_at = r.Time(15);
  v.note = r.Text(16);
  return v;
}

std::string Name(State s) { return std::string(StateName(s)); }

}  // namespace

Result<store::Id> Insert(store::Sql& sql, const Item& v) {
  return sql.Insert("insert lost item",
                    "INSERT INTO lost_items(site_id, place, description, photo, found_at, "
                    "found_by, registered_by, state) VALUES(?,?,?,?,?,?,?,?) RETURNING id",
                    {v.site_id, v.place, v.description, v.photo, store::SqlTime(v.found_at),
                     v.found_by, v.registered_by, Name(v.state)});
}

Result<Item> Get(store::Sql& sql, store::Id id) {
  return sql.One<Item>("get lost item", std::string(kColumns) + "WHERE id=?", {id}, Map,
                       "lost item " + std::to_string(id) + " does not exist");
}

Result<void> Update(store::Sql& sql, const Item& v, State from) {
  ZHIDU_TRY(
      auto changed,
      sql.Exec("update lost item",
               "UPDATE lost_items SET state=?, handed_to=?, handed_by=?, handed_at=?, "
               "owner_name=?, owner_phone=?, closed_by=?, closed_at=?, note=? "
               "WHERE id=? AND state=?",
               {Name(v.state), v.handed_to, store::SqlRef(v.handed_by), store::SqlTime(v.handed_at),
                v.owner_name, v.owner_phone, store::SqlRef(v.closed_by),
                store::SqlTime(v.closed_at), v.note, v.id, Name(from)}));
  if (changed == 1) return Ok();
  ZHIDU_TRY(Item now, Get(sql, v.id));
  return Fail(Errc::kFailedPrecondition, "lost item " + std::to_string(v.id) + " is already " +
                                             std::string(StateName(now.state)));
}

Result<std::vector<Item>> List(store::Sql& sql, const Filter& f, store::PageRequest page) {
  store::SqlWhere where;
  where.And("id > ?", page.after_id).AndIf(f.site_id != 0, "site_id = ?", f.site_id);
  if (f.state) where.And("state = ?", Name(*f.state));
  return sql.Many<Item>("list lost items", kColumns + where.text() + " ORDER BY id LIMIT ?",
                        where.Params({store::SqlLimit(page.limit)}), Map);
}

}  // namespace db
}  // namespace zhidu::lostfound
