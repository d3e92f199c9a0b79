// The rooms module's tables and statements, written once: the same SQL runs on SQLite and
// PostgreSQL through store::Sql (store/sql.hpp, docs/adr/0006-module-storage.md).
#include "modules/rooms/rooms.hpp"

#include "base/canonical_json.hpp"
#include "store/sql_where.hpp"

namespace zhidu::rooms {

std::vector<store::Migration> Migrations() {
  return {{1, R"sql(
CREATE TABLE rooms(
  id {{id}},
  site_id BIGINT NOT NULL REFERENCES sites(id),
  name TEXT NOT NULL,
  place TEXT NOT NULL,
  bed_count BIGINT NOT NULL CHECK (bed_count > 0),
  leader_person_id BIGINT REFERENCES people(id),
  note TEXT NOT NULL DEFAULT '',
  created_by BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE(site_id, name));
CREATE TABLE room_beds(
  id {{id}},
  room_id BIGINT NOT NULL REFERENCES rooms(id),
  label TEXT NOT NULL,
  locker TEXT NOT NULL DEFAULT '',
  person_id BIGINT UNIQUE REFERENCES people(id),
  allocated_at BIGINT,
  allocated_by BIGINT,
  UNIQUE(room_id, label));
CREATE TABLE room_keys(
  id {{id}},
  room_id BIGINT NOT NULL REFERENCES rooms(id),
  label TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('kept','issued','lost')),
  holder_person_id BIGINT REFERENCES people(id),
  issued_at BIGINT,
  changed_at BIGINT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  UNIQUE(room_id, label));
CREATE INDEX room_keys_holder ON room_keys(holder_person_id)
)sql"},
          {2, R"sql(
CREATE TABLE room_person_facts(
  person_id BIGINT NOT NULL REFERENCES people(id),
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  recorded_by BIGINT NOT NULL,
  recorded_at BIGINT NOT NULL,
  PRIMARY KEY(person_id, name))
)sql"},
          {3, R"sql(
CREATE TABLE room_inspections(
  id {{id}},
  room_id BIGINT NOT NULL REFERENCES rooms(id),
  site_id BIGINT NOT NULL REFERENCES sites(id),
  answers TEXT NOT NULL,
  flagged TEXT NOT NULL DEFAULT '',
  deadline TEXT NOT NULL DEFAULT '',
  person_id BIGINT REFERENCES people(id),
  reinspects BIGINT REFERENCES room_inspections(id),
  open BIGINT NOT NULL DEFAULT 0,
  closed_by BIGINT REFERENCES room_inspections(id),
  note TEXT NOT NULL DEFAULT '',
  inspected_by BIGINT NOT NULL,
  inspected_at BIGINT NOT NULL);
CREATE INDEX room_inspections_room ON room_inspections(room_id, id)
)sql"},
          {4, R"sql(
CREATE TABLE room_leavers(
  person_id BIGINT PRIMARY KEY REFERENCES people(id),
  site_id BIGINT NOT NULL REFERENCES sites(id),
  left_at BIGINT NOT NULL,
  moved_out_at BIGINT,
  recorded_by BIGINT NOT NULL,
  note TEXT NOT NULL DEFAULT '')
)sql"},
          {5, R"sql(
ALTER TABLE room_inspections ADD COLUMN photos TEXT NOT NULL DEFAULT '';
CREATE TABLE room_damage(
  id {{id}},
  site_id BIGINT NOT NULL REFERENCES sites(id),
  room_id BIGINT NOT NULL REFERENCES rooms(id),
  item TEXT NOT NULL,
  person_id BIGINT REFERENCES people(id),
  note TEXT NOT NULL DEFAULT '',
  ref TEXT NOT NULL,
  reported_by BIGINT NOT NULL,
  reported_at BIGINT NOT NULL,
  repair_id BIGINT,
  compensation_fen BIGINT NOT NULL DEFAULT 0 CHECK (compensation_fen >= 0),
  settle_note TEXT NOT NULL DEFAULT '',
  settled_by BIGINT,
  settled_at BIGINT);
CREATE INDEX room_damage_room ON room_damage(room_id, id)
)sql"},
          {6, R"sql(
CREATE TABLE room_presence(
  id {{id}},
  site_id BIGINT NOT NULL REFERENCES sites(id),
  room_id BIGINT NOT NULL REFERENCES rooms(id),
  person_id BIGINT NOT NULL REFERENCES people(id),
  at BIGINT NOT NULL,
  flagged BIGINT NOT NULL DEFAULT 0,
  time_window TEXT NOT NULL DEFAULT '',
  late_stay_request BIGINT,
  clauses TEXT NOT NULL DEFAULT '',
  recorded_by BIGINT NOT NULL);
CREATE INDEX room_presence_room ON room_presence(room_id, at)
)sql"},
          {7, R"sql(
CREATE TABLE room_swaps(
  request_id BIGINT PRIMARY KEY,
  person_id BIGINT NOT NULL REFERENCES people(id),
  from_bed_id BIGINT NOT NULL REFERENCES room_beds(id),
  to_bed_id BIGINT NOT NULL REFERENCES room_beds(id),
  swapped_by BIGINT NOT NULL,
  swapped_at BIGINT NOT NULL)
)sql"},
          {8, R"sql(
CREATE TABLE room_rota(
  room_id BIGINT NOT NULL REFERENCES rooms(id),
  day TEXT NOT NULL,
  person_id BIGINT NOT NULL REFERENCES people(id),
  set_by BIGINT NOT NULL,
  set_at BIGINT NOT NULL,
  PRIMARY KEY(room_id, day))
)sql"},
          // Lockers as records (一人一柜, R04 §二2, R01 §三): the free-text locker of an allocated
          // bed becomes a locker of its room held by the occupant (two beds naming one locker:
          // the smaller person id keeps it); the beds' column is no longer read.
          {9, R"sql(
CREATE TABLE room_lockers(
  id {{id}},
  room_id BIGINT NOT NULL REFERENCES rooms(id),
  label TEXT NOT NULL,
  person_id BIGINT UNIQUE REFERENCES people(id),
  allocated_at BIGINT,
  allocated_by BIGINT,
  UNIQUE(room_id, label));
INSERT INTO room_lockers(room_id, label, person_id, allocated_at, allocated_by)
  SELECT room_id, locker, MIN(person_id), MIN(allocated_at), MIN(allocated_by) FROM room_beds
  WHERE locker <> '' AND person_id IS NOT NULL GROUP BY room_id, locker;
UPDATE room_beds SET locker = ''
)sql"},
          // The day's person told of the room's cleaning (cleaning.cpp), once.
          {10, R"sql(
ALTER TABLE room_rota ADD COLUMN told_at BIGINT
)sql"}};
}

namespace db {
namespace {

constexpr const char* kRoomColumns =
    "SELECT id, site_id, name, place, bed_count, leader_person_id, note, created_by, created_at "
    "FROM rooms ";

Room MapRoom(const store::SqlRow& r) {
  Room v;
  v.id = r.Int(0);
  v.site_id = r.Int(1);
  v.name = r.Text(2);
  v.place = r.Text(3);
  v.bed_count = static_cast<int>(r.Int(4));
  v.leader_person_id = r.Int(5);
  v.note = r.Text(6);
  v.created_by = r.Int(7);
  v.created_at = r.Time(8);
  return v;
}

constexpr const char* kBedColumns =
    "SELECT b.id, b.room_id, b.label, COALESCE(l.label, ''), b.person_id, COALESCE(p.name, ''), "
    "b.allocated_at, b.allocated_by FROM room_beds b LEFT JOIN people p ON p.id = b.person_id "
    "LEFT JOIN room_lockers l ON l.person_id = b.person_id ";

constexpr const char* kLockerColumns =
    "SELECT l.id, l.room_id, l.label, l.person_id, COALESCE(p.name, ''), l.allocated_at "
    "FROM room_lockers l LEFT JOIN people p ON p.id = l.person_id ";

Locker MapLocker(const store::SqlRow& r) {
  Locker l;
  l.id = r.Int(0);
  l.room_id = r.Int(1);
  l.label = r.Text(2);
  l.person_id = r.Int(3);
  l.person_name = r.Text(4);
  l.allocated_at = r.Time(5);
  return l;
}

Bed MapBed(const store::SqlRow& r) {
  Bed b;
  b.id = r.Int(0);
  b.room_id = r.Int(1);
  b.label = r.Text(2);
  b.locker = r.Text(3);
  b.person_id = r.Int(4);
  b.person_name = r.Text(5);
  b.allocated_at = r.Time(6);
  b.allocated_by = r.Int(7);
  return b;
}

constexpr const char* kKeyColumns =
    "SELECT k.id, k.room_id, k.label, k.state, k.holder_person_id, COALESCE(p.name, ''), "
    "k.issued_at, k.changed_at, k.note FROM room_keys k "
    "LEFT JOIN people p ON p.id = k.holder_person_id ";

Key MapKey(const store::SqlRow& r) {
  Key k;
  k.id = r.Int(0);
  k.room_id = r.Int(1);
  k.label = r.Text(2);
  k.state = ParseKeyState(r.Text(3)).value_or(KeyState::kKept);  // the CHECK admits no other
  k.holder_person_id = r.Int(4);
  k.holder_name = r.Text(5);
  k.issued_at = r.Time(6);
  k.changed_at = r.Time(7);
  k.note = r.Text(8);
  return k;
}

std::string Name(KeyState s) { return std::string(KeyStateName(s)); }

// Texts stored one a line ("" is none).
std::vector<std::string> Lines(std::string rest) {
  std::vector<std::string> out;
  while (!rest.empty()) {
    auto nl = rest.find('\n');
    out.push_back(rest.substr(0, nl));
    rest = nl == std::string::npos ? "" : rest.substr(nl + 1);
  }
  return out;
}

constexpr const char* kDamageColumns =
    "SELECT d.id, d.site_id, d.room_id, r.name, d.item, d.person_id, COALESCE(p.name, ''), "
    "d.note, d.ref, d.reported_by, d.reported_at, d.repair_id, d.compensation_fen, "
    "d.settle_note, d.settled_by, d.settled_at FROM room_damage d "
    "JOIN rooms r ON r.id = d.room_id LEFT JOIN people p ON p.id = d.person_id ";

Damage MapDamage(const store::SqlRow& r) {
  Damage d;
  d.id = r.Int(0);
  d.site_id = r.Int(1);
  d.room_id = r.Int(2);
  d.room_name = r.Text(3);
  d.item = r.Text(4);
  d.person_id = r.Int(5);
  d.person_name = r.Text(6);
  d.note = r.Text(7);
  d.ref = r.Text(8);
  d.reported_by = r.Int(9);
  d.reported_at = r.Time(10);
  d.repair_id = r.Int(11);
  d.compensation_fen = r.Int(12);
  d.settle_note = r.Text(13);
  d.settled_by = r.Int(14);
  d.settled_at = r.Time(15);
  return d;
}

}  // namespace

Result<Id> InsertRoom(store::Sql& sql, const Room& r) {
  return sql.Insert("insert room",
                    "INSERT INTO rooms(site_id, name, place, bed_count, note, created_by, "
                    "created_at) VALUES(?,?,?,?,?,?,?) RETURNING id",
                    {r.site_id, r.name, r.place, std::int64_t{r.bed_count}, r.note, r.created_by,
                     store::SqlTime(r.created_at)});
}

Result<Room> GetRoom(store::Sql& sql, Id id) {
  return sql.One<Room>("get room", std::string(kRoomColumns) + "WHERE id=?", {id}, MapRoom,
                       "room " + std::to_string(id) + " does not exist");
}

Result<std::vector<Room>> ListRooms(store::Sql& sql, Id site_id, store::PageRequest page) {
  store::SqlWhere where;
  where.And("id > ?", page.after_id).And("site_id = ?", site_id);
  return sql.Many<Room>("list rooms", kRoomColumns + where.text() + " ORDER BY id LIMIT ?",
                        where.Params({store::SqlLimit(page.limit)}), MapRoom);
}

Result<Id> InsertBed(store::Sql& sql, const Bed& b) {
  return sql.Insert("insert bed", "INSERT INTO room_beds(room_id, label) VALUES(?,?) RETURNING id",
                    {b.room_id, b.label});
}

Result<std::vector<Bed>> BedsOf(store::Sql& sql, Id room_id) {
  return sql.Many<Bed>("list beds", std::string(kBedColumns) + "WHERE b.room_id=? ORDER BY b.id",
                       {room_id}, MapBed);
}

Result<std::optional<Bed>> BedOfPerson(store::Sql& sql, Id person_id) {
  std::optional<Bed> out;
  ZHIDU_TRY_VOID(sql.Query("bed of person", std::string(kBedColumns) + "WHERE b.person_id=?",
                           {person_id}, [&](const store::SqlRow& r) { out = MapBed(r); }));
  return out;
}

Result<void> SetOccupant(store::Sql& sql, const Bed& b, Id from_person) {
  std::string cas = from_person == 0 ? "person_id IS NULL" : "person_id = ?";
  store::SqlParams params{store::SqlRef(b.person_id), store::SqlTime(b.allocated_at),
                          store::SqlRef(b.allocated_by), b.id};
  if (from_person != 0) params.push_back(from_person);
  ZHIDU_TRY(auto changed,
            sql.Exec("set bed occupant",
                     "UPDATE room_beds SET person_id=?, allocated_at=?, allocated_by=? "
                     "WHERE id=? AND " +
                         cas,
                     params));
  if (changed == 1) return Ok();
  return Fail(Errc::kConflict, Reason{"rooms.bed_occupied"},
              "bed " + std::to_string(b.id) + " changed meanwhile");
}

Result<Id> InsertLocker(store::Sql& sql, const Locker& l) {
  return sql.Insert("insert room locker",
                    "INSERT INTO room_lockers(room_id, label) VALUES(?,?) RETURNING id",
                    {l.room_id, l.label});
}

Result<std::vector<Locker>> LockersOf(store::Sql& sql, Id room_id) {
  return sql.Many<Locker>("list lockers",
                          std::string(kLockerColumns) + "WHERE l.room_id=? ORDER BY l.id",
                          {room_id}, MapLocker);
}

Result<Locker> GetLocker(store::Sql& sql, Id id) {
  std::optional<Locker> out;
  ZHIDU_TRY_VOID(sql.Query("get locker", std::string(kLockerColumns) + "WHERE l.id=?", {id},
                           [&](const store::SqlRow& r) { out = MapLocker(r); }));
  if (!out) return Fail(Errc::kNotFound, "locker " + std::to_string(id) + " does not exist");
  return *out;
}

Result<void> TakeLocker(store::Sql& sql, Id locker_id, Id person_id, Id by, TimePoint at) {
  ZHIDU_TRY(auto changed, sql.Exec("take locker",
                                   "UPDATE room_lockers SET person_id=?, allocated_at=?, "
                                   "allocated_by=? WHERE id=? AND person_id IS NULL",
                                   {person_id, store::SqlTime(at), by, locker_id}));
  if (changed == 1) return Ok();
  return Fail(Errc::kConflict, Reason{"rooms.locker_taken"},
              "locker " + std::to_string(locker_id) + " changed meanwhile");
}

Result<std::string> FreeLockerOf(store::Sql& sql, Id person_id) {
  std::string label;
  ZHIDU_TRY_VOID(sql.Query("locker of person", "SELECT label FROM room_lockers WHERE person_id=?",
                           {person_id}, [&](const store::SqlRow& r) { label = r.Text(0); }));
  if (label.empty()) return label;
  ZHIDU_TRY(auto changed, sql.Exec("free locker",
                                   "UPDATE room_lockers SET person_id=NULL, allocated_at=NULL, "
                                   "allocated_by=NULL WHERE person_id=?",
                                   {person_id}));
  (void)changed;
  return label;
}

Result<void> SetLeader(store::Sql& sql, Id room_id, Id person_id) {
  ZHIDU_TRY(auto changed,
            sql.Exec("set room leader", "UPDATE rooms SET leader_person_id=? WHERE id=?",
                     {store::SqlRef(person_id), room_id}));
  if (changed == 1) return Ok();
  return Fail(Errc::kNotFound, "room " + std::to_string(room_id) + " does not exist");
}

Result<Id> InsertKey(store::Sql& sql, const Key& k) {
  return sql.Insert("insert room key",
                    "INSERT INTO room_keys(room_id, label, state, changed_at, note) "
                    "VALUES(?,?,?,?,?) RETURNING id",
                    {k.room_id, k.label, Name(k.state), store::SqlTime(k.changed_at), k.note});
}

Result<Key> GetKey(store::Sql& sql, Id id) {
  return sql.One<Key>("get room key", std::string(kKeyColumns) + "WHERE k.id=?", {id}, MapKey,
                      "key " + std::to_string(id) + " does not exist");
}

Result<std::vector<Key>> KeysOf(store::Sql& sql, Id room_id) {
  return sql.Many<Key>("list room keys",
                       std::string(kKeyColumns) + "WHERE k.room_id=? ORDER BY k.id", {room_id},
                       MapKey);
}

Result<void> UpdateKey(store::Sql& sql, const Key& k, KeyState from) {
  ZHIDU_TRY(auto changed,
            sql.Exec("update room key",
                     "UPDATE room_keys SET state=?, holder_person_id=?, issued_at=?, "
                     "changed_at=?, note=? WHERE id=? AND state=?",
                     {Name(k.state), store::SqlRef(k.holder_person_id), store::SqlTime(k.issued_at),
                      store::SqlTime(k.changed_at), k.note, k.id, Name(from)}));
  if (changed == 1) return Ok();
  return Fail(Errc::kConflict, Reason{"rooms.key_changed"},
              "key " + std::to_string(k.id) + " changed meanwhile");
}

Result<void> PutFact(store::Sql& sql, Id person_id, const std::string& name,
                     const std::string& text, Id by, TimePoint at) {
  ZHIDU_TRY(auto n, sql.Exec("delete person fact",
                             "DELETE FROM room_person_facts WHERE person_id=? AND name=?",
                             {person_id, name}));
  (void)n;
  ZHIDU_TRY(auto m, sql.Exec("insert person fact",
                             "INSERT INTO room_person_facts(person_id, name, value, recorded_by, "
                             "recorded_at) VALUES(?,?,?,?,?)",
                             {person_id, name, text, by, store::SqlTime(at)}));
  (void)m;
  return Ok();
}

Result<std::vector<StoredFact>> FactsOf(store::Sql& sql, Id person_id) {
  return sql.Many<StoredFact>(
      "list person facts",
      "SELECT name, value, recorded_by, recorded_at FROM room_person_facts WHERE person_id=? "
      "ORDER BY name",
      {person_id}, [](const store::SqlRow& r) {
        return StoredFact{r.Text(0), r.Text(1), r.Int(2), r.Time(3)};
      });
}

Result<Id> InsertInspection(store::Sql& sql, const Inspection& v) {
  return sql.Insert(
      "insert room inspection",
      "INSERT INTO room_inspections(room_id, site_id, answers, flagged, deadline, "
      "person_id, reinspects, open, note, inspected_by, inspected_at, photos) "
      "VALUES(?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
      {v.room_id, v.site_id, v.answers, Join(v.flagged, "\n"), v.deadline,
       store::SqlRef(v.person_id), store::SqlRef(v.reinspects), std::int64_t{v.open ? 1 : 0},
       v.note, v.inspected_by, store::SqlTime(v.inspected_at), Join(v.photos, "\n")});
}

Result<std::vector<Inspection>> InspectionsOf(store::Sql& sql, Id room_id) {
  return sql.Many<Inspection>(
      "list room inspections",
      "SELECT id, room_id, site_id, answers, flagged, deadline, person_id, reinspects, open, "
      "closed_by, note, inspected_by, inspected_at, photos FROM room_inspections "
      "WHERE room_id=? ORDER BY id",
      {room_id}, [](const store::SqlRow& r) {
        Inspection v;
        v.id = r.Int(0);
        v.room_id = r.Int(1);
        v.site_id = r.Int(2);
        v.answers = r.Text(3);
        v.flagged = Lines(r.Text(4));
        v.deadline = r.Text(5);
        v.person_id = r.Int(6);
        v.reinspects = r.Int(7);
        v.open = r.Flag(8);
        v.closed_by = r.Int(9);
        v.note = r.Text(10);
        v.inspected_by = r.Int(11);
        v.inspected_at = r.Time(12);
        v.photos = Lines(r.Text(13));
        return v;
      });
}

Result<void> CloseInspection(store::Sql& sql, Id id, Id by) {
  ZHIDU_TRY(
      auto changed,
      sql.Exec("close room inspection",
               "UPDATE room_inspections SET open=0, closed_by=? WHERE id=? AND open=1", {by, id}));
  if (changed == 1) return Ok();
  return Fail(Errc::kConflict, Reason{"rooms.inspection_changed"},
              "inspection " + std::to_string(id) + " was closed meanwhile");
}

Result<void> InsertLeaver(store::Sql& sql, const Leaver& v) {
  auto n = sql.Exec("insert leaver",
                    "INSERT INTO room_leavers(person_id, site_id, left_at, recorded_by, note) "
                    "VALUES(?,?,?,?,?)",
                    {v.person_id, v.site_id, store::SqlTime(v.left_at), v.recorded_by, v.note});
  if (!n && n.error().code == Errc::kConflict)
    return Fail(Errc::kConflict, Reason{"rooms.already_left"},
                "person " + std::to_string(v.person_id) + " is recorded as left already",
                "person_id");
  if (!n) return Fail(n.error());
  return Ok();
}

Result<void> InsertSwap(store::Sql& sql, Id request_id, Id person_id, Id from_bed, Id to_bed, Id by,
                        TimePoint at) {
  auto n = sql.Exec("insert swap",
                    "INSERT INTO room_swaps(request_id, person_id, from_bed_id, to_bed_id, "
                    "swapped_by, swapped_at) VALUES(?,?,?,?,?,?)",
                    {request_id, person_id, from_bed, to_bed, by, store::SqlTime(at)});
  if (!n && n.error().code == Errc::kConflict)
    return Fail(Errc::kConflict, Reason{"rooms.swap_done"},
                "the swap approved by request " + std::to_string(request_id) + " is done already",
                "request_id");
  if (!n) return Fail(n.error());
  return Ok();
}

Result<void> PutRotaDay(store::Sql& sql, Id room_id, const std::string& day, Id person_id, Id by,
                        TimePoint at) {
  // The same person again keeps the day (and whether they were told); another replaces it.
  ZHIDU_TRY(auto same, sql.Exec("keep rota day",
                                "UPDATE room_rota SET set_by=?, set_at=? WHERE room_id=? AND "
                                "day=? AND person_id=?",
                                {by, store::SqlTime(at), room_id, day, person_id}));
  if (same == 1) return Ok();
  ZHIDU_TRY(auto gone, sql.Exec("clear rota day", "DELETE FROM room_rota WHERE room_id=? AND day=?",
                                {room_id, day}));
  (void)gone;
  ZHIDU_TRY(auto n, sql.Exec("put rota day",
                             "INSERT INTO room_rota(room_id, day, person_id, set_by, set_at) "
                             "VALUES(?,?,?,?,?)",
                             {room_id, day, person_id, by, store::SqlTime(at)}));
  (void)n;
  return Ok();
}

Result<std::optional<RotaDayRow>> RotaDayOf(store::Sql& sql, Id room_id, const std::string& day) {
  std::optional<RotaDayRow> out;
  ZHIDU_TRY_VOID(sql.Query("rota day",
                           "SELECT person_id, told_at FROM room_rota WHERE room_id=? AND day=?",
                           {room_id, day}, [&](const store::SqlRow& r) {
                             out = RotaDayRow{r.Int(0), r.Int(1) != 0};
                           }));
  return out;
}

Result<void> MarkRotaTold(store::Sql& sql, Id room_id, const std::string& day, TimePoint at) {
  ZHIDU_TRY(auto n,
            sql.Exec("rota day told", "UPDATE room_rota SET told_at=? WHERE room_id=? AND day=?",
                     {store::SqlTime(at), room_id, day}));
  (void)n;
  return Ok();
}

Result<std::map<std::string, Id>> RotaOf(store::Sql& sql, Id room_id, const std::string& from,
                                         const std::string& to) {
  std::map<std::string, Id> out;
  ZHIDU_TRY_VOID(sql.Query("rota of room",
                           "SELECT day, person_id FROM room_rota WHERE room_id=? AND day>=? AND "
                           "day<=?",
                           {room_id, from, to},
                           [&](const store::SqlRow& r) { out[r.Text(0)] = r.Int(1); }));
  return out;
}

Result<std::optional<Leaver>> GetLeaver(store::Sql& sql, Id person_id) {
  std::optional<Leaver> out;
  ZHIDU_TRY_VOID(sql.Query(
      "get leaver",
      "SELECT person_id, site_id, left_at, moved_out_at, recorded_by, note FROM room_leavers "
      "WHERE person_id=?",
      {person_id}, [&](const store::SqlRow& r) {
        out = Leaver{r.Int(0), r.Int(1), r.Time(2), r.Time(3), r.Int(4), r.Text(5)};
      }));
  return out;
}

Result<void> MarkMovedOut(store::Sql& sql, Id person_id, TimePoint at) {
  ZHIDU_TRY(auto n, sql.Exec("mark moved out",
                             "UPDATE room_leavers SET moved_out_at=? WHERE person_id=? AND "
                             "moved_out_at IS NULL",
                             {store::SqlTime(at), person_id}));
  (void)n;
  return Ok();
}

Result<std::int64_t> KeysHeld(store::Sql& sql, Id person_id, std::string_view state) {
  std::int64_t n = 0;
  ZHIDU_TRY_VOID(sql.Query(
      "count keys held", "SELECT COUNT(*) FROM room_keys WHERE holder_person_id=? AND state=?",
      {person_id, std::string(state)}, [&](const store::SqlRow& r) { n = r.Int(0); }));
  return n;
}

Result<std::vector<LeaverView>> LeaversOf(store::Sql& sql, Id site_id) {
  return sql.Many<LeaverView>(
      "list leavers",
      "SELECT l.person_id, p.name, l.left_at, l.moved_out_at, l.note, "
      "(SELECT COUNT(*) FROM room_beds b WHERE b.person_id = l.person_id), "
      "(SELECT COUNT(*) FROM room_keys k WHERE k.holder_person_id = l.person_id AND "
      "k.state='issued') FROM room_leavers l JOIN people p ON p.id = l.person_id "
      "WHERE l.site_id=? ORDER BY l.left_at, l.person_id",
      {site_id}, [](const store::SqlRow& r) {
        LeaverView v;
        v.person_id = r.Int(0);
        v.person_name = r.Text(1);
        v.left_at = r.Time(2);
        v.moved_out_at = r.Time(3);
        v.note = r.Text(4);
        v.has_bed = r.Int(5) > 0;
        v.keys_held = r.Int(6);
        return v;
      });
}

Result<Id> InsertDamage(store::Sql& sql, const Damage& d) {
  return sql.Insert("insert room damage",
                    "INSERT INTO room_damage(site_id, room_id, item, person_id, note, ref, "
                    "reported_by, reported_at) VALUES(?,?,?,?,?,?,?,?) RETURNING id",
                    {d.site_id, d.room_id, d.item, store::SqlRef(d.person_id), d.note, d.ref,
                     d.reported_by, store::SqlTime(d.reported_at)});
}

Result<Damage> GetDamage(store::Sql& sql, Id id) {
  return sql.One<Damage>("get room damage", std::string(kDamageColumns) + "WHERE d.id=?", {id},
                         MapDamage, "damage report " + std::to_string(id) + " does not exist");
}

Result<std::vector<Damage>> DamageOf(store::Sql& sql, Id room_id) {
  return sql.Many<Damage>("list room damage",
                          std::string(kDamageColumns) + "WHERE d.room_id=? ORDER BY d.id",
                          {room_id}, MapDamage);
}

Result<void> UpdateDamage(store::Sql& sql, const Damage& d) {
  ZHIDU_TRY(auto n, sql.Exec("settle room damage",
                             "UPDATE room_damage SET repair_id=?, compensation_fen=?, "
                             "settle_note=?, settled_by=?, settled_at=? WHERE id=?",
                             {store::SqlRef(d.repair_id), d.compensation_fen, d.settle_note,
                              store::SqlRef(d.settled_by), store::SqlTime(d.settled_at), d.id}));
  if (n == 1) return Ok();
  return Fail(Errc::kNotFound, "damage report " + std::to_string(d.id) + " does not exist");
}

Result<Id> InsertPresence(store::Sql& sql, const Presence& v) {
  return sql.Insert(
      "insert room presence",
      "INSERT INTO room_presence(site_id, room_id, person_id, at, flagged, "
      "time_window, late_stay_request, clauses, recorded_by) "
      "VALUES(?,?,?,?,?,?,?,?,?) RETURNING id",
      {v.site_id, v.room_id, v.person_id, store::SqlTime(v.at), std::int64_t{v.flagged ? 1 : 0},
       v.window, store::SqlRef(v.late_stay_request), Join(v.clauses, "\n"), v.recorded_by});
}

Result<std::vector<Presence>> PresenceOf(store::Sql& sql, Id room_id, TimePoint from,
                                         TimePoint before) {
  return sql.Many<Presence>(
      "list room presence",
      "SELECT v.id, v.site_id, v.room_id, v.person_id, p.name, v.at, v.flagged, v.time_window, "
      "v.late_stay_request, v.clauses, v.recorded_by FROM room_presence v "
      "JOIN people p ON p.id = v.person_id WHERE v.room_id=? AND v.at >= ? AND v.at < ? "
      "ORDER BY v.at, v.id",
      {room_id, store::SqlTime(from), store::SqlTime(before)}, [](const store::SqlRow& r) {
        Presence v;
        v.id = r.Int(0);
        v.site_id = r.Int(1);
        v.room_id = r.Int(2);
        v.person_id = r.Int(3);
        v.person_name = r.Text(4);
        v.at = r.Time(5);
        v.flagged = r.Flag(6);
        v.window = r.Text(7);
        v.late_stay_request = r.Int(8);
        v.clauses = Lines(r.Text(9));
        v.recorded_by = r.Int(10);
        return v;
      });
}

}  // namespace db
}  // namespace zhidu::rooms
