// The lounge's tables and statements, written once: the same SQL runs on SQLite and PostgreSQL
// through store::Sql (store/sql.hpp).
#include "modules/lounge/lounge.hpp"

#include "store/sql_where.hpp"

namespace zhidu::lounge {

std::vector<store::Migration> Migrations() {
  return {{1, R"sql(
CREATE TABLE lounge_guests(
  id {{id}},
  site_id BIGINT NOT NULL REFERENCES sites(id),
  name TEXT NOT NULL DEFAULT '',
  phone TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL CHECK (state IN ('arrived','seated','reminded','escorted','missed','done')),
  arrived_at BIGINT NOT NULL,
  arrived_by BIGINT NOT NULL,
  train_no TEXT NOT NULL DEFAULT '',
  departure_at BIGINT,
  carriage TEXT NOT NULL DEFAULT '',
  seat TEXT NOT NULL DEFAULT '',
  card_kind TEXT NOT NULL DEFAULT '',
  card_no TEXT NOT NULL DEFAULT '',
  checked_in_at BIGINT,
  checked_in_by BIGINT,
  attendant BIGINT,
  reminder_at BIGINT,
  notice_at BIGINT,
  notice_note TEXT NOT NULL DEFAULT '',
  reminded_at BIGINT,
  reminded_by BIGINT,
  escorted_at BIGINT,
  escorted_by BIGINT,
  missed_at BIGINT,
  missed_by BIGINT,
  sms_at BIGINT,
  sms_by BIGINT,
  sms_id TEXT NOT NULL DEFAULT '',
  note TEXT NOT NULL DEFAULT '');
CREATE INDEX lounge_guests_site_state ON lounge_guests(site_id, state, id);
CREATE TABLE lounge_trains(
  site_id BIGINT NOT NULL REFERENCES sites(id),
  train_no TEXT NOT NULL,
  departs INTEGER NOT NULL,
  PRIMARY KEY(site_id, train_no))
)sql"},
          // The follow-up SMS's claim and delivery record: one row a guest (the primary key), so
          // two attendants sending at once cannot both claim it.
          {2, R"sql(
CREATE TABLE lounge_sms(
  guest_id BIGINT PRIMARY KEY REFERENCES lounge_guests(id),
  state TEXT NOT NULL CHECK (state IN ('sending','sent','failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  claimed_by BIGINT NOT NULL,
  claimed_at BIGINT NOT NULL,
  finished_at BIGINT,
  provider_id TEXT NOT NULL DEFAULT '',
  error TEXT NOT NULL DEFAULT '')
)sql"}};
}

namespace db {
namespace {

constexpr const char* kColumns =
    "SELECT id, site_id, name, phone, state, arrived_at, arrived_by, train_no, departure_at, "
    "carriage, seat, card_kind, card_no, checked_in_at, checked_in_by, attendant, reminder_at, "
    "notice_at, notice_note, reminded_at, reminded_by, escorted_at, escorted_by, missed_at, "
    "missed_by, sms_at, sms_by, sms_id, note FROM lounge_guests ";

Guest Map(const store::SqlRow& r) {
  Guest g;
  g.id = r.Int(0);
  g.site_id = r.Int(1);
  g.name = r.Text(2);
  g.phone = r.Text(3);
  g.state = ParseState(r.Text(4)).value_or(State::kArrived);  // the CHECK admits no other
  g.arrived_at = r.Time(5);
  g.arrived_by = r.Int(6);
  g.train_no = r.Text(7);
  g.departure_at = r.Time(8);
  g.carriage = r.Text(9);
  g.seat = r.Text(10);
  g.card_kind = r.Text(11);
  g.card_no = r.Text(12);
  g.checked_in_at = r.Time(13);
  g.checked_in_by = r.Int(14);
  g.attendant = r.Int(15);
  g.reminder_at = r.Time(16);
  g.notice_at = r.Time(17);
  g.notice_note = r.Text(18);
  g.reminded_at = r.Time(19);
  g.reminded_by = r.Int(20);
  g.escorted_at = r.Time(21);
  g.escorted_by = r.Int(22);
  g.missed_at = r.Time(23);
  g.missed_by = r.Int(24);
  g.sms_at = r.Time(25);
  g.sms_by = r.Int(26);
  g.sms_id = r.Text(27);
  g.note = r.Text(28);
  return g;
}

std::string Name(State s) { return std::string(StateName(s)); }
std::string Name(SmsState s) { return std::string(SmsStateName(s)); }

SmsRecord MapSms(const store::SqlRow& r) {
  SmsRecord s;
  s.guest_id = r.Int(0);
  auto state = r.Text(1);
  s.state = state == "sent"     ? SmsState::kSent
            : state == "failed" ? SmsState::kFailed
                                : SmsState::kSending;  // the CHECK admits no other
  s.attempts = static_cast<int>(r.Int(2));
  s.claimed_by = r.Int(3);
  s.claimed_at = r.Time(4);
  s.finished_at = r.Time(5);
  s.provider_id = r.Text(6);
  s.error = r.Text(7);
  return s;
}

}  // namespace

Result<store::Id> Insert(store::Sql& sql, const Guest& g) {
  return sql.Insert(
      "insert lounge guest",
      "INSERT INTO lounge_guests(site_id, name, phone, state, arrived_at, "
      "arrived_by) VALUES(?,?,?,?,?,?) RETURNING id",
      {g.site_id, g.name, g.phone, Name(g.state), store::SqlTime(g.arrived_at), g.arrived_by});
}

Result<Guest> Get(store::Sql& sql, store::Id id) {
  return sql.One<Guest>("get lounge guest", std::string(kColumns) + "WHERE id=?", {id}, Map,
                        "guest " + std::to_string(id) + " does not exist");
}

Result<void> Update(store::Sql& sql, const Guest& g, State from) {
  ZHIDU_TRY(auto changed,
            sql.Exec("update lounge guest",
                     "UPDATE lounge_guests SET state=?, train_no=?, departure_at=?, carriage=?, "
                     "seat=?, card_kind=?, card_no=?, checked_in_at=?, checked_in_by=?, "
                     "attendant=?, reminder_at=?, notice_at=?, notice_note=?, reminded_at=?, "
                     "reminded_by=?, escorted_at=?, escorted_by=?, missed_at=?, missed_by=?, "
                     "sms_at=?, sms_by=?, sms_id=?, note=? WHERE id=? AND state=?",
                     {Name(g.state),
                      g.train_no,
                      store::SqlTime(g.departure_at),
                      g.carriage,
                      g.seat,
                      g.card_kind,
                      g.card_no,
                      store::SqlTime(g.checked_in_at),
                      store::SqlRef(g.checked_in_by),
                      store::SqlRef(g.attendant),
                      store::SqlTime(g.reminder_at),
                      store::SqlTime(g.notice_at),
                      g.notice_note,
                      store::SqlTime(g.reminded_at),
                      store::SqlRef(g.reminded_by),
                      store::SqlTime(g.escorted_at),
                      store::SqlRef(g.escorted_by),
                      store::SqlTime(g.missed_at),
                      store::SqlRef(g.missed_by),
                      store::SqlTime(g.sms_at),
                      store::SqlRef(g.sms_by),
                      g.sms_id,
                      g.note,
                      g.id,
                      Name(from)}));
  if (changed == 1) return Ok();
  return Fail(Errc::kFailedPrecondition, "guest " + std::to_string(g.id) + " moved meanwhile");
}

Result<std::vector<Guest>> List(store::Sql& sql, const Filter& f, store::PageRequest page) {
  store::SqlWhere where;
  where.And("id > ?", page.after_id).AndIf(f.site_id != 0, "site_id = ?", f.site_id);
  if (f.state) where.And("state = ?", Name(*f.state));
  return sql.Many<Guest>("list lounge guests", kColumns + where.text() + " ORDER BY id LIMIT ?",
                         where.Params({store::SqlLimit(page.limit)}), Map);
}

Result<void> ReplaceTimetable(store::Sql& sql, store::Id site_id, const std::vector<Train>& rows) {
  ZHIDU_TRY(auto gone, sql.Exec("clear lounge timetable",
                                "DELETE FROM lounge_trains WHERE site_id=?", {site_id}));
  (void)gone;
  for (const auto& t : rows) {
    ZHIDU_TRY(auto n, sql.Exec("insert lounge train",
                               "INSERT INTO lounge_trains(site_id, train_no, departs) "
                               "VALUES(?,?,?)",
                               {site_id, t.train_no, static_cast<std::int64_t>(t.departs)}));
    (void)n;
  }
  return Ok();
}

Result<std::vector<Train>> Timetable(store::Sql& sql, store::Id site_id) {
  return sql.Many<Train>(
      "lounge timetable",
      "SELECT train_no, departs FROM lounge_trains WHERE site_id=? ORDER BY departs, train_no",
      {site_id}, [](const store::SqlRow& r) {
        return Train{r.Text(0), static_cast<int>(r.Int(1))};
      });
}

Result<std::optional<SmsRecord>> GetSms(store::Sql& sql, store::Id guest_id) {
  ZHIDU_TRY(auto rows, sql.Many<SmsRecord>("get lounge sms",
                                           "SELECT guest_id, state, attempts, claimed_by, "
                                           "claimed_at, finished_at, provider_id, error FROM "
                                           "lounge_sms WHERE guest_id=?",
                                           {guest_id}, MapSms));
  if (rows.empty()) return std::optional<SmsRecord>();
  return std::optional<SmsRecord>(rows.front());
}

Result<void> InsertSms(store::Sql& sql, const SmsRecord& r) {
  ZHIDU_TRY(auto n, sql.Exec("insert lounge sms",
                             "INSERT INTO lounge_sms(guest_id, state, attempts, claimed_by, "
                             "claimed_at) VALUES(?,?,?,?,?)",
                             {r.guest_id, Name(r.state), static_cast<std::int64_t>(r.attempts),
                              r.claimed_by, store::SqlTime(r.claimed_at)}));
  (void)n;
  return Ok();
}

Result<void> UpdateSms(store::Sql& sql, const SmsRecord& r, SmsState from, TimePoint from_claimed) {
  ZHIDU_TRY(auto changed,
            sql.Exec("update lounge sms",
                     "UPDATE lounge_sms SET state=?, attempts=?, claimed_by=?, claimed_at=?, "
                     "finished_at=?, provider_id=?, error=? WHERE guest_id=? AND state=? AND "
                     "claimed_at=?",
                     {Name(r.state), static_cast<std::int64_t>(r.attempts), r.claimed_by,
                      store::SqlTime(r.claimed_at), store::SqlTime(r.finished_at), r.provider_id,
                      r.error, r.guest_id, Name(from), store::SqlTime(from_claimed)}));
  if (changed == 1) return Ok();
  return Fail(Errc::kFailedPrecondition, Reason{"lounge.sms_in_progress"},
              "the follow-up SMS of guest " + std::to_string(r.guest_id) +
                  " was claimed by another send meanwhile");
}

}  // namespace db
}  // namespace zhidu::lounge
