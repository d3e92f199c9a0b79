// The discipline cases' tables and statements, written once: the same SQL runs on SQLite and
// PostgreSQL through store::Sql (store/sql.hpp).
#include "base/canonical_json.hpp"
#include "modules/people/discipline.hpp"

namespace zhidu::people {

std::vector<store::Migration> Migrations() {
  return {{1, R"sql(
CREATE TABLE discipline_cases(
  id {{id}},
  site_id BIGINT NOT NULL REFERENCES sites(id),
  person_id BIGINT NOT NULL,
  department_id BIGINT NOT NULL DEFAULT 0,
  ladder TEXT NOT NULL,
  step TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('open','correcting','closed')),
  correction_due BIGINT,
  correction_timer BIGINT,
  outcome TEXT NOT NULL DEFAULT '' CHECK (outcome IN ('','resolved','ended')),
  opened_by BIGINT NOT NULL,
  opened_at BIGINT NOT NULL,
  closed_by BIGINT,
  closed_at BIGINT,
  version BIGINT NOT NULL DEFAULT 0);
CREATE INDEX discipline_cases_site ON discipline_cases(site_id, state, id);
CREATE INDEX discipline_cases_person ON discipline_cases(person_id, id);
CREATE TABLE discipline_case_violations(
  violation_id BIGINT PRIMARY KEY REFERENCES violations(id),
  case_id BIGINT NOT NULL REFERENCES discipline_cases(id),
  added_at BIGINT NOT NULL);
CREATE INDEX discipline_case_violations_case ON discipline_case_violations(case_id);
CREATE TABLE discipline_case_events(
  id {{id}},
  case_id BIGINT NOT NULL REFERENCES discipline_cases(id),
  kind TEXT NOT NULL CHECK (kind IN ('opened','step','corrected','refused','missed',
                                     'compensation','closed')),
  step TEXT NOT NULL,
  actor BIGINT NOT NULL DEFAULT 0,
  happened_at BIGINT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  correction_due BIGINT,
  request_id BIGINT,
  clauses TEXT NOT NULL DEFAULT '',
  journal_seq BIGINT NOT NULL DEFAULT 0);
CREATE INDEX discipline_case_events_case ON discipline_case_events(case_id, id);
CREATE TABLE discipline_compensations(
  id {{id}},
  case_id BIGINT NOT NULL REFERENCES discipline_cases(id),
  violation_id BIGINT NOT NULL UNIQUE REFERENCES violations(id),
  amount_fen BIGINT NOT NULL CHECK (amount_fen > 0),
  note TEXT NOT NULL DEFAULT '',
  recorded_by BIGINT NOT NULL,
  recorded_at BIGINT NOT NULL);
CREATE INDEX discipline_compensations_case ON discipline_compensations(case_id)
)sql"}};
}

namespace db {
namespace {

constexpr const char* kCaseColumns =
    "SELECT id, site_id, person_id, department_id, ladder, step, state, correction_due, "
    "correction_timer, outcome, opened_by, opened_at, closed_by, closed_at, version "
    "FROM discipline_cases ";

Case MapCase(const store::SqlRow& r) {
  Case c;
  c.id = r.Int(0);
  c.site_id = r.Int(1);
  c.person_id = r.Int(2);
  c.department_id = r.Int(3);
  c.ladder = r.Text(4);
  c.step = r.Text(5);
  c.state = ParseCaseState(r.Text(6)).value_or(CaseState::kOpen);  // the CHECK admits no other
  c.correction_due = r.Time(7);
  c.correction_timer = r.Int(8);
  c.outcome = r.Text(9);
  c.opened_by = r.Int(10);
  c.opened_at = r.Time(11);
  c.closed_by = r.Int(12);
  c.closed_at = r.Time(13);
  c.version = r.Int(14);
  return c;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  for (size_t start = 0; start < text.size();) {
    size_t end = std::min(text.find('\n', start), text.size());
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string Name(CaseState s) { return std::string(CaseStateName(s)); }

}  // namespace

Result<Id> InsertCase(store::Sql& sql, const Case& c) {
  return sql.Insert(
      "insert discipline case",
      "INSERT INTO discipline_cases(site_id, person_id, department_id, ladder, step, state, "
      "correction_due, correction_timer, outcome, opened_by, opened_at) "
      "VALUES(?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
      {c.site_id, c.person_id, c.department_id, c.ladder, c.step, Name(c.state),
       store::SqlTime(c.correction_due), store::SqlRef(c.correction_timer), c.outcome, c.opened_by,
       store::SqlTime(c.opened_at)});
}

Result<Case> GetCase(store::Sql& sql, Id id) {
  return sql.One<Case>("get discipline case", std::string(kCaseColumns) + "WHERE id=?", {id},
                       MapCase, "discipline case " + std::to_string(id) + " does not exist");
}

Result<void> UpdateCase(store::Sql& sql, Case& c) {
  ZHIDU_TRY(auto changed,
            sql.Exec("update discipline case",
                     "UPDATE discipline_cases SET step=?, state=?, correction_due=?, "
                     "correction_timer=?, outcome=?, closed_by=?, closed_at=?, version=? "
                     "WHERE id=? AND version=?",
                     {c.step, Name(c.state), store::SqlTime(c.correction_due),
                      store::SqlRef(c.correction_timer), c.outcome, store::SqlRef(c.closed_by),
                      store::SqlTime(c.closed_at), c.version + 1, c.id, c.version}));
  if (changed != 1)
    return Fail(Errc::kConflict, Reason{"discipline.case_changed"},
                "discipline case " + std::to_string(c.id) + " was changed meanwhile; reload it");
  ++c.version;
  return Ok();
}

Result<std::vector<Case>> ListCases(store::Sql& sql, const CaseFilter& f, store::PageRequest page) {
  std::string where = "WHERE id > ?";
  store::SqlParams params{page.after_id};
  if (f.site_id) {
    where += " AND site_id = ?";
    params.push_back(f.site_id);
  }
  if (f.person_id) {
    where += " AND person_id = ?";
    params.push_back(f.person_id);
  }
  if (f.state) {
    where += " AND state = ?";
    params.push_back(Name(*f.state));
  }
  params.push_back(std::int64_t{page.limit});
  return sql.Many<Case>("list discipline cases", kCaseColumns + where + " ORDER BY id LIMIT ?",
                        params, MapCase);
}

Result<void> AddViolation(store::Sql& sql, Id case_id, Id violation_id, TimePoint at) {
  auto added = sql.Exec("add violation to discipline case",
                        "INSERT INTO discipline_case_violations(violation_id, case_id, added_at) "
                        "VALUES(?,?,?)",
                        {violation_id, case_id, store::SqlTime(at)});
  if (!added && added.error().code == Errc::kConflict)
    return Fail(Errc::kConflict, Reason{"discipline.violation_in_case"},
                "violation " + std::to_string(violation_id) + " is in another case already",
                "violation_ids");
  if (!added) return Fail(added.error());
  return Ok();
}

Result<std::optional<Id>> CaseOfViolation(store::Sql& sql, Id violation_id) {
  std::optional<Id> out;
  ZHIDU_TRY_VOID(sql.Query("case of violation",
                           "SELECT case_id FROM discipline_case_violations WHERE violation_id=?",
                           {violation_id}, [&](const store::SqlRow& r) { out = r.Int(0); }));
  return out;
}

Result<std::vector<Id>> ViolationsOf(store::Sql& sql, Id case_id) {
  return sql.Many<Id>(
      "violations of discipline case",
      "SELECT violation_id FROM discipline_case_violations WHERE case_id=? ORDER BY violation_id",
      {case_id}, [](const store::SqlRow& r) { return r.Int(0); });
}

Result<Id> InsertEvent(store::Sql& sql, const CaseEvent& e) {
  return sql.Insert(
      "insert discipline case event",
      "INSERT INTO discipline_case_events(case_id, kind, step, actor, happened_at, note, "
      "correction_due, request_id, clauses, journal_seq) VALUES(?,?,?,?,?,?,?,?,?,?) RETURNING id",
      {e.case_id, std::string(EventKindName(e.kind)), e.step, e.actor, store::SqlTime(e.at), e.note,
       store::SqlTime(e.correction_due), store::SqlRef(e.request_id), Join(e.clauses, "\n"),
       e.journal_seq});
}

Result<std::vector<CaseEvent>> EventsOf(store::Sql& sql, Id case_id) {
  return sql.Many<CaseEvent>(
      "events of discipline case",
      "SELECT id, case_id, kind, step, actor, happened_at, note, correction_due, request_id, "
      "clauses, journal_seq FROM discipline_case_events WHERE case_id=? ORDER BY id",
      {case_id}, [](const store::SqlRow& r) {
        CaseEvent e;
        e.id = r.Int(0);
        e.case_id = r.Int(1);
        for (int k = 0; k <= static_cast<int>(EventKind::kClosed); ++k)
          if (EventKindName(static_cast<EventKind>(k)) == r.Text(2))
            e.kind = static_cast<EventKind>(k);
        e.step = r.Text(3);
        e.actor = r.Int(4);
        e.at = r.Time(5);
        e.note = r.Text(6);
        e.correction_due = r.Time(7);
        e.request_id = r.Int(8);
        e.clauses = Lines(r.Text(9));
        e.journal_seq = r.Int(10);
        return e;
      });
}

Result<Id> InsertCompensation(store::Sql& sql, const Compensation& c) {
  auto id =
      sql.Insert("insert compensation",
                 "INSERT INTO discipline_compensations(case_id, violation_id, amount_fen, note, "
                 "recorded_by, recorded_at) VALUES(?,?,?,?,?,?) RETURNING id",
                 {c.case_id, c.violation_id, c.amount_fen, c.note, c.recorded_by,
                  store::SqlTime(c.recorded_at)});
  if (!id && id.error().code == Errc::kConflict)
    return Fail(
        Errc::kConflict, Reason{"discipline.compensation_recorded"},
        "the compensation for violation " + std::to_string(c.violation_id) + " is recorded already",
        "violation_id");
  return id;
}

Result<std::vector<Compensation>> CompensationsOf(store::Sql& sql, Id case_id) {
  return sql.Many<Compensation>(
      "compensations of discipline case",
      "SELECT id, case_id, violation_id, amount_fen, note, recorded_by, recorded_at "
      "FROM discipline_compensations WHERE case_id=? ORDER BY id",
      {case_id}, [](const store::SqlRow& r) {
        Compensation c;
        c.id = r.Int(0);
        c.case_id = r.Int(1);
        c.violation_id = r.Int(2);
        c.amount_fen = r.Int(3);
        c.note = r.Text(4);
        c.recorded_by = r.Int(5);
        c.recorded_at = r.Time(6);
        return c;
      });
}

}  // namespace db
}  // namespace zhidu::people
