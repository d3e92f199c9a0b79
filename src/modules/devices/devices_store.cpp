// The sources and event ids of the devices module, written once for both backends (store::Sql).
#include <nlohmann/json.hpp>

#include "modules/devices/devices.hpp"

namespace zhidu::devices {

std::vector<store::Migration> Migrations() {
  return {{1, R"sql(
CREATE TABLE device_sources(
  id {{id}},
  name TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('doors','recorders')),
  site_id BIGINT NOT NULL REFERENCES sites(id),
  account_id BIGINT NOT NULL REFERENCES accounts(id),
  points TEXT NOT NULL,
  tolerance_s BIGINT NOT NULL,
  secret TEXT NOT NULL,
  created_by BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  rotated_at BIGINT,
  disabled INTEGER NOT NULL DEFAULT 0);
CREATE INDEX device_sources_name ON device_sources(kind, name, disabled);
CREATE TABLE device_events(
  source_id BIGINT NOT NULL REFERENCES device_sources(id),
  event_id TEXT NOT NULL,
  received_at BIGINT NOT NULL,
  status BIGINT NOT NULL DEFAULT 0,
  answer TEXT NOT NULL DEFAULT '',
  PRIMARY KEY(source_id, event_id))
)sql"},
          // A doors source's rooms (door -> room id, JSON): a person's entry is a check-in there.
          {2, R"sql(
ALTER TABLE device_sources ADD COLUMN rooms TEXT NOT NULL DEFAULT '{}'
)sql"},
          // The card register: a door event may name the card instead of the person.
          {3, R"sql(
CREATE TABLE device_cards(
  site_id BIGINT NOT NULL REFERENCES sites(id),
  card_no TEXT NOT NULL,
  person_id BIGINT NOT NULL REFERENCES people(id),
  issued_by BIGINT NOT NULL,
  issued_at BIGINT NOT NULL,
  PRIMARY KEY(site_id, card_no))
)sql"}};
}

namespace db {
namespace {

constexpr const char* kColumns =
    "SELECT id, name, kind, site_id, account_id, points, tolerance_s, secret, created_by, "
    "created_at, rotated_at, disabled, rooms FROM device_sources ";

Source Map(const store::SqlRow& r) {
  Source s;
  s.id = r.Int(0);
  s.name = r.Text(1);
  s.kind = r.Text(2);
  s.site_id = r.Int(3);
  s.account_id = r.Int(4);
  auto points = nlohmann::json::parse(r.Text(5), nullptr, false);
  if (points.is_object())
    for (const auto& [k, v] : points.items())
      if (v.is_string()) s.points[k] = v.get<std::string>();
  s.tolerance_s = static_cast<int>(r.Int(6));
  s.secret = r.Text(7);
  s.created_by = r.Int(8);
  s.created_at = r.Time(9);
  s.rotated_at = r.Time(10);
  s.disabled = r.Flag(11);
  auto rooms = nlohmann::json::parse(r.Text(12), nullptr, false);
  if (rooms.is_object())
    for (const auto& [k, v] : rooms.items())
      if (v.is_number_integer()) s.rooms[k] = v.get<Id>();
  return s;
}

}  // namespace

Result<Id> InsertSource(store::Sql& sql, const Source& s) {
  nlohmann::json points(s.points);
  nlohmann::json rooms(s.rooms);
  return sql.Insert(
      "insert device source",
      "INSERT INTO device_sources(name, kind, site_id, account_id, points, "
      "tolerance_s, secret, created_by, created_at, rooms) VALUES(?,?,?,?,?,?,?,?,?,?) "
      "RETURNING id",
      {s.name, s.kind, s.site_id, s.account_id, points.dump(), std::int64_t{s.tolerance_s},
       s.secret, s.created_by, store::SqlTime(s.created_at), rooms.dump()});
}

Result<Source> GetSource(store::Sql& sql, Id id) {
  return sql.One<Source>("get device source", std::string(kColumns) + "WHERE id=?", {id}, Map,
                         "device source " + std::to_string(id) + " does not exist");
}

Result<Source> FindSource(store::Sql& sql, std::string_view kind, std::string_view name) {
  return sql.One<Source>("find device source",
                         std::string(kColumns) + "WHERE kind=? AND name=? AND disabled=0",
                         {std::string(kind), std::string(name)}, Map,
                         "there is no " + std::string(kind) + " source " + std::string(name));
}

Result<std::vector<Source>> ListSources(store::Sql& sql) {
  return sql.Many<Source>("list device sources", std::string(kColumns) + "ORDER BY id", {}, Map);
}

Result<void> UpdateSecret(store::Sql& sql, Id id, const std::string& secret, TimePoint at) {
  ZHIDU_TRY(auto n, sql.Exec("rotate device secret",
                             "UPDATE device_sources SET secret=?, rotated_at=? "
                             "WHERE id=? AND disabled=0",
                             {secret, store::SqlTime(at), id}));
  if (n != 1)
    return Fail(Errc::kConflict, Reason{"device.source_deleted"},
                "device source " + std::to_string(id) + " is deleted");
  return Ok();
}

Result<void> Disable(store::Sql& sql, Id id) {
  ZHIDU_TRY(auto n,
            sql.Exec("delete device source",
                     "UPDATE device_sources SET disabled=1 WHERE id=? AND disabled=0", {id}));
  if (n != 1)
    return Fail(Errc::kConflict, Reason{"device.source_deleted"},
                "device source " + std::to_string(id) + " is deleted");
  return Ok();
}

Result<void> ClaimEvent(store::Sql& sql, Id source_id, const std::string& event_id, TimePoint at) {
  ZHIDU_TRY(auto n, sql.Exec("claim device event",
                             "INSERT INTO device_events(source_id, event_id, received_at) "
                             "VALUES(?,?,?)",
                             {source_id, event_id, store::SqlTime(at)}));
  (void)n;
  return Ok();
}

Result<Answer> GetAnswer(store::Sql& sql, Id source_id, const std::string& event_id) {
  return sql.One<Answer>(
      "get device event",
      "SELECT status, answer FROM device_events WHERE source_id=? AND event_id=?",
      {source_id, event_id},
      [](const store::SqlRow& r) {
        return Answer{static_cast<int>(r.Int(0)), r.Text(1)};
      },
      "event " + event_id + " was not received");
}

Result<void> Complete(store::Sql& sql, Id source_id, const std::string& event_id, int status,
                      const std::string& body) {
  ZHIDU_TRY(auto n, sql.Exec("complete device event",
                             "UPDATE device_events SET status=?, answer=? "
                             "WHERE source_id=? AND event_id=?",
                             {std::int64_t{status}, body, source_id, event_id}));
  (void)n;
  return Ok();
}

Result<void> Unclaim(store::Sql& sql, Id source_id, const std::string& event_id) {
  ZHIDU_TRY(auto n,
            sql.Exec("drop device event claim",
                     "DELETE FROM device_events WHERE source_id=? AND event_id=? AND status=0",
                     {source_id, event_id}));
  (void)n;
  return Ok();
}

Card MapCard(const store::SqlRow& r) {
  Card c;
  c.site_id = r.Int(0);
  c.card_no = r.Text(1);
  c.person_id = r.Int(2);
  c.issued_by = r.Int(3);
  c.issued_at = r.Time(4);
  return c;
}

constexpr const char* kCardColumns =
    "SELECT site_id, card_no, person_id, issued_by, issued_at FROM device_cards ";

Result<std::optional<Card>> FindCard(store::Sql& sql, Id site_id, const std::string& card_no) {
  ZHIDU_TRY(auto rows,
            sql.Many<Card>("find card", std::string(kCardColumns) + "WHERE site_id=? AND card_no=?",
                           {site_id, card_no}, MapCard));
  if (rows.empty()) return std::optional<Card>{};
  return std::optional<Card>{rows.front()};
}

Result<void> InsertCard(store::Sql& sql, const Card& c) {
  ZHIDU_TRY(auto added, sql.Exec("insert card",
                                 "INSERT INTO device_cards(site_id, card_no, person_id, issued_by, "
                                 "issued_at) VALUES(?,?,?,?,?)",
                                 {c.site_id, c.card_no, c.person_id, c.issued_by,
                                  store::SqlTime(c.issued_at)}));
  (void)added;
  return Ok();
}

Result<bool> DeleteCard(store::Sql& sql, Id site_id, const std::string& card_no) {
  ZHIDU_TRY(auto removed,
            sql.Exec("delete card", "DELETE FROM device_cards WHERE site_id=? AND card_no=?",
                     {site_id, card_no}));
  return removed == 1;
}

Result<std::vector<Card>> ListCards(store::Sql& sql, Id site_id) {
  return sql.Many<Card>("list cards",
                        std::string(kCardColumns) + "WHERE site_id=? ORDER BY card_no", {site_id},
                        MapCard);
}

}  // namespace db
}  // namespace zhidu::devices
