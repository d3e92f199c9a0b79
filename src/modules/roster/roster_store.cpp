// Rosters (排班), their assignments, swaps (换班) and calendar tokens: their statements, written
// once — the same SQL runs on SQLite and PostgreSQL through store::Sql. Times are microseconds,
// 0 for "not yet" (NOT NULL DEFAULT 0 columns). ical_tokens.revoked is BOOLEAN on PostgreSQL and
// 0/1 on SQLite: it is compared with a parameter and read through CASE, which both accept.
#include "modules/roster/roster_store.hpp"

#include "store/sql_where.hpp"

namespace zhidu::roster::db {
namespace {

using store::Id;
using store::SqlMicros;
using store::SqlRow;

constexpr const char* kRosterSelect =
    "SELECT id, site_id, post_id, pattern, team_ids, first_day, last_day, state, created_by, "
    "created_at, published_by, published_at FROM rosters";
Roster MapRoster(const SqlRow& s) {
  return {s.Int(0),  s.Int(1),  s.Int(2), s.Text(3), s.Text(4), s.Text(5),
          s.Text(6), s.Text(7), s.Int(8), s.Time(9), s.Int(10), s.Time(11)};
}

constexpr const char* kAssignmentSelect =
    "SELECT a.id, a.roster_id, a.site_id, a.post_id, a.person_id, a.team_id, a.shift, "
    "a.starts_at, a.ends_at, a.state, a.origin, a.replaces, a.note FROM roster_assignments a";
RosterAssignment MapAssignment(const SqlRow& s) {
  return {s.Int(0),  s.Int(1),  s.Int(2),  s.Int(3),   s.Int(4),  s.Int(5),  s.Text(6),
          s.Time(7), s.Time(8), s.Text(9), s.Text(10), s.Int(11), s.Text(12)};
}

constexpr const char* kSwapSelect =
    "SELECT id, roster_id, site_id, requester_person, requester_assignment, colleague_person, "
    "colleague_assignment, reason, state, requested_by, created_at, decided_by, decided_at, "
    "decision_note FROM roster_swaps";
RosterSwap MapSwap(const SqlRow& s) {
  return {s.Int(0),  s.Int(1),  s.Int(2), s.Int(3),   s.Int(4),  s.Int(5),   s.Int(6),
          s.Text(7), s.Text(8), s.Int(9), s.Time(10), s.Int(11), s.Time(12), s.Text(13)};
}

}  // namespace

// ---- rosters

Result<Id> InsertRoster(store::Sql& sql, const Roster& v) {
  return sql.Insert("insert roster",
                    "INSERT INTO rosters(site_id, post_id, pattern, team_ids, first_day, last_day, "
                    "state, created_by, created_at) VALUES(?,?,?,?,?,?,?,?,?) RETURNING id",
                    {v.site_id, v.post_id, v.pattern, v.team_ids, v.first_day, v.last_day, v.state,
                     v.created_by, SqlMicros(v.created_at)});
}

Result<Roster> GetRoster(store::Sql& sql, Id id) {
  return sql.One<Roster>("get roster", std::string(kRosterSelect) + " WHERE id=?", {id}, MapRoster,
                         "roster " + std::to_string(id) + " does not exist");
}

Result<std::vector<Roster>> ListRosters(store::Sql& sql, Id site_id, Id post_id,
                                        store::PageRequest page) {
  store::SqlWhere where;
  where.AndIf(site_id != 0, "site_id=?", site_id)
      .AndIf(post_id != 0, "post_id=?", post_id)
      .And("id>?", page.after_id);
  return sql.Many<Roster>("list rosters", kRosterSelect + where.text() + " ORDER BY id LIMIT ?",
                          where.Params({store::SqlLimit(page.limit)}), MapRoster);
}

Result<void> PublishRoster(store::Sql& sql, Id id, Id by, TimePoint at) {
  ZHIDU_TRY(auto changed, sql.Exec("publish roster",
                                   "UPDATE rosters SET state='published', published_by=?, "
                                   "published_at=? WHERE id=? AND state='draft'",
                                   {by, SqlMicros(at), id}));
  if (changed == 1) return Ok();
  ZHIDU_TRY(Roster r, GetRoster(sql, id));
  return Fail(Errc::kFailedPrecondition, "roster " + std::to_string(id) + " is already " + r.state);
}

// ---- assignments

Result<Id> InsertRosterAssignment(store::Sql& sql, const RosterAssignment& v) {
  return sql.Insert(
      "insert roster assignment",
      "INSERT INTO roster_assignments(roster_id, site_id, post_id, person_id, team_id, shift, "
      "starts_at, ends_at, state, origin, replaces, note) VALUES(?,?,?,?,?,?,?,?,?,?,?,?) "
      "RETURNING id",
      {v.roster_id, v.site_id, v.post_id, v.person_id, v.team_id, v.shift, SqlMicros(v.starts_at),
       SqlMicros(v.ends_at), v.state, v.origin, v.replaces, v.note});
}

Result<RosterAssignment> GetRosterAssignment(store::Sql& sql, Id id) {
  return sql.One<RosterAssignment>(
      "get roster assignment", std::string(kAssignmentSelect) + " WHERE a.id=?", {id},
      MapAssignment, "assignment " + std::to_string(id) + " does not exist");
}

Result<void> RetireRosterAssignment(store::Sql& sql, Id id, const std::string& state,
                                    const std::string& note) {
  ZHIDU_TRY(auto changed,
            sql.Exec("retire roster assignment",
                     "UPDATE roster_assignments SET state=?, note=? WHERE id=? AND state='active'",
                     {state, note, id}));
  if (changed == 1) return Ok();
  ZHIDU_TRY(RosterAssignment a, GetRosterAssignment(sql, id));
  return Fail(Errc::kFailedPrecondition,
              "assignment " + std::to_string(id) + " is already " + a.state);
}

Result<std::vector<RosterAssignment>> ListRosterAssignments(store::Sql& sql,
                                                            const AssignmentFilter& f, int limit) {
  store::SqlWhere where;
  where.AndIf(f.roster_id != 0, "a.roster_id=?", f.roster_id)
      .AndIf(f.site_id != 0, "a.site_id=?", f.site_id)
      .AndIf(f.post_id != 0, "a.post_id=?", f.post_id)
      .AndIf(f.person_id != 0, "a.person_id=?", f.person_id);
  if (f.active_only) where.And("a.state='active'");
  if (f.published_only) where.And("r.state='published'");
  where.AndIf(f.from.has_value(), "a.ends_at>?", SqlMicros(f.from.value_or(TimePoint{})))
      .AndIf(f.before.has_value(), "a.starts_at<?", SqlMicros(f.before.value_or(TimePoint{})));
  return sql.Many<RosterAssignment>("list roster assignments",
                                    kAssignmentSelect +
                                        std::string(" JOIN rosters r ON r.id=a.roster_id") +
                                        where.text() + " ORDER BY a.starts_at, a.id LIMIT ?",
                                    where.Params({store::SqlLimit(limit)}), MapAssignment);
}

// ---- swaps

Result<Id> InsertRosterSwap(store::Sql& sql, const RosterSwap& v) {
  return sql.Insert(
      "insert roster swap",
      "INSERT INTO roster_swaps(roster_id, site_id, requester_person, requester_assignment, "
      "colleague_person, colleague_assignment, reason, state, requested_by, created_at) "
      "VALUES(?,?,?,?,?,?,?,?,?,?) RETURNING id",
      {v.roster_id, v.site_id, v.requester_person, v.requester_assignment, v.colleague_person,
       v.colleague_assignment, v.reason, v.state, v.requested_by, SqlMicros(v.created_at)});
}

Result<RosterSwap> GetRosterSwap(store::Sql& sql, Id id) {
  return sql.One<RosterSwap>("get roster swap", std::string(kSwapSelect) + " WHERE id=?", {id},
                             MapSwap, "swap " + std::to_string(id) + " does not exist");
}

Result<void> DecideRosterSwap(store::Sql& sql, Id id, const std::string& state, Id by, TimePoint at,
                              const std::string& note) {
  ZHIDU_TRY(auto changed, sql.Exec("decide roster swap",
                                   "UPDATE roster_swaps SET state=?, decided_by=?, decided_at=?, "
                                   "decision_note=? WHERE id=? AND state='pending'",
                                   {state, by, SqlMicros(at), note, id}));
  if (changed == 1) return Ok();
  ZHIDU_TRY(RosterSwap w, GetRosterSwap(sql, id));
  return Fail(Errc::kFailedPrecondition, "swap " + std::to_string(id) + " is already " + w.state);
}

Result<std::vector<RosterSwap>> ListRosterSwaps(store::Sql& sql, Id roster_id) {
  store::SqlWhere where;
  where.AndIf(roster_id != 0, "roster_id=?", roster_id);
  return sql.Many<RosterSwap>("list roster swaps", kSwapSelect + where.text() + " ORDER BY id",
                              where.Params(), MapSwap);
}

// ---- calendar tokens

Result<Id> InsertIcalToken(store::Sql& sql, const IcalToken& v) {
  return sql.Insert("insert ical token",
                    "INSERT INTO ical_tokens(person_id, token_hash, created_by, created_at) "
                    "VALUES(?,?,?,?) RETURNING id",
                    {v.person_id, v.token_hash, v.created_by, SqlMicros(v.created_at)});
}

Result<IcalToken> GetIcalTokenByHash(store::Sql& sql, const std::string& token_hash) {
  return sql.One<IcalToken>(
      "get ical token",
      "SELECT id, person_id, token_hash, created_by, created_at, "
      "CASE WHEN revoked THEN 1 ELSE 0 END FROM ical_tokens WHERE token_hash=?",
      {token_hash},
      [](const SqlRow& s) {
        return IcalToken{s.Int(0), s.Int(1), s.Text(2), s.Int(3), s.Time(4), s.Flag(5)};
      },
      "no such calendar token");
}

Result<std::int64_t> RevokeIcalTokens(store::Sql& sql, Id person_id) {
  return sql.Exec("revoke ical tokens",
                  "UPDATE ical_tokens SET revoked=? WHERE person_id=? AND revoked=?",
                  {store::SqlFlag(true), person_id, store::SqlFlag(false)});
}

}  // namespace zhidu::roster::db
