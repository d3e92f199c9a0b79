// The PostgreSQL backend.
//
// Invariants:
//  1. No pqxx (or other) exception leaves this file: every statement runs inside Run(), which
//     converts it to an Error (23505 -> kConflict, other 23xxx -> kFailedPrecondition, lost
//     connection -> kUnavailable, ...).
//  2. A verb that fails has no effect and leaves the unit usable, as in SQLite: in a write unit
//     every mutating verb runs inside its own savepoint (zhidu_stmt), because PostgreSQL would
//     otherwise abort the whole transaction on the first error. The savepoint of a verb that
//     succeeded is released lazily, in the same round trip as the next statement that needs it
//     gone ("RELEASE SAVEPOINT zhidu_stmt; SAVEPOINT zhidu_stmt" or "...; SAVEPOINT job"), or by
//     COMMIT / RELEASE / ROLLBACK TO of the enclosing job savepoint: two round trips per mutating
//     verb instead of three (docs/performance.md, Profiles (session 6): W7). At most one
//     zhidu_stmt savepoint is open at any time, always the innermost one.
//  3. A write unit holds pg_advisory_xact_lock(kJournalLockKey) from BEGIN to COMMIT/ROLLBACK and
//     runs in READ COMMITTED, so every statement after the lock sees what the previous holder
//     committed: writers in different processes take turns and extend one hash chain.
//  4. Read units are REPEATABLE READ READ ONLY: one snapshot for the whole unit.
//  5. A connection that reported a connection-level error is never reused; the next BeginRead or
//     BeginWrite opens a new one, and a BEGIN that fails on a broken connection is retried once
//     on a fresh connection.
//  6. Journal records (AppendJournal) of a write unit are kept and sent as one multi-row INSERT
//     (64/16/4/1 rows per statement) before the unit's next statement, savepoint or commit —
//     before anything could read them, in the same transaction and job savepoint as without
//     the wait: one or two round trips for a job's records instead of two per record
//     (docs/performance.md, W7). A failed send marks the transaction aborted (only a rollback to
//     the job's savepoint, which drops what was kept since, or of the unit is left), so no record
//     after a lost one can commit. A record with seq < 1 is sent at once (the server refuses it).
//
// Connection life: idle (pool or writer slot) -> checked out by a unit -> BEGIN -> statements ->
// COMMIT or ROLLBACK -> returned (or discarded when broken).
#include "store/postgres/postgres_store.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <limits>
#include <mutex>
#include <pqxx/pqxx>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "base/crypto.hpp"
#include "store/postgres/migrations.hpp"
#include "store/sql_batch.hpp"
#include "store/sql_where.hpp"
#include "store/text_search.hpp"

namespace zhidu::store {
namespace {

// pg_advisory_xact_lock keys ("zhidu" + tag). Advisory locks are per database.
constexpr std::int64_t kJournalLockKey = 0x7a68696475'4a4eLL;    // "zhiduJN": the journal chain
constexpr std::int64_t kMigrationLockKey = 0x7a68696475'4d47LL;  // "zhiduMG": schema migrations
constexpr std::int64_t kScanPageRows = 10'000;
constexpr auto kPoolWait = std::chrono::seconds(5);

// ---------------------------------------------------------------- errors

// The first line of a server message without its "ERROR:  " prefix.
std::string CleanMessage(std::string_view text) {
  if (text.starts_with("ERROR:")) text.remove_prefix(6);
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  if (auto nl = text.find('\n'); nl != std::string_view::npos) text = text.substr(0, nl);
  return std::string(text);
}

// Converts the exception in flight. Sets `broken` when the connection must not be reused and
// `*server` (if given) when the server reported it, which leaves its transaction aborted.
Error ConvertException(std::string_view what, bool& broken, bool* server = nullptr) {
  std::string prefix = std::string(what) + ": ";
  if (server) *server = false;
  try {
    try {
      throw;
    } catch (const pqxx::sql_error&) {
      if (server) *server = true;
      throw;
    }
  } catch (const pqxx::broken_connection& e) {
    broken = true;
    return {Errc::kUnavailable,
            prefix + "lost the connection to PostgreSQL: " + CleanMessage(e.what()), ""};
  } catch (const pqxx::in_doubt_error& e) {
    broken = true;
    return {Errc::kUnavailable,
            prefix +
                "the outcome is unknown (connection lost during commit): " + CleanMessage(e.what()),
            ""};
  } catch (const pqxx::sql_error& e) {
    const std::string& state = e.sqlstate();
    std::string msg = prefix + CleanMessage(e.what());
    auto is_class = [&](std::string_view c) { return state.starts_with(c); };
    if (state == "23505") return {Errc::kConflict, msg, ""};
    if (is_class("23")) return {Errc::kFailedPrecondition, msg, ""};
    if (is_class("08") || state == "57P01" || state == "57P02" || state == "57P03") {
      broken = true;
      return {Errc::kUnavailable, msg, ""};
    }
    // serialization failure, deadlock, lock timeout, out of resources, cancelled: worth a retry
    if (is_class("40") || is_class("53") || state == "55P03" || state == "57014")
      return {Errc::kUnavailable, msg, ""};
    if (is_class("25")) return {Errc::kFailedPrecondition, msg, ""};
    if (is_class("22")) return {Errc::kInvalidArgument, msg, ""};
    if (state == "XX001" || state == "XX002") return {Errc::kCorruption, msg, ""};  // data, index
    return {Errc::kInternal, msg, ""};
  } catch (const std::exception& e) {
    return {Errc::kInternal, prefix + e.what(), ""};
  } catch (...) {
    return {Errc::kInternal, prefix + "unknown error", ""};
  }
}

// ---------------------------------------------------------------- statements

struct Statement {
  const char* name;
  const char* sql;
};

#define ZHIDU_PERSON_SELECT                                                    \
  "SELECT id, site_id, coalesce(department_id,0), coalesce(team_id,0), name, " \
  "coalesce(employee_no,''), phone, created_at, birth_date, education FROM people"
#define ZHIDU_ACCOUNT_SELECT \
  "SELECT id, username, password_hash, coalesce(person_id,0), disabled, created_at FROM accounts"
#define ZHIDU_JOURNAL_SELECT \
  "SELECT seq, at, kind, actor, subject, payload, prev_hash, hash FROM journal"

#define ZHIDU_TIMER_COLUMNS_T                                                                    \
  "t.id, coalesce(t.site_id,0), t.kind, t.subject, t.payload, t.due_at, t.state, t.claimed_by, " \
  "t.lease_until, t.fired_at, t.late, t.attempts, t.created_at"
#define ZHIDU_TIMER_SELECT "SELECT " ZHIDU_TIMER_COLUMNS_T " FROM timers t"

#define ZHIDU_DUTY_SELECT                                                                      \
  "SELECT id, site_id, post_id, duty, target, key, due_at, window_end, miss_at, required, "    \
  "completions, state, started_by, started_at, completed_by, completed_person, completed_at, " \
  "answers, created_at FROM duty_instances"
#define ZHIDU_ATTENDANCE_COLUMNS \
  "id, site_id, post_id, person_id, started_at, ended_at, relieved_by"
#define ZHIDU_VIOLATION_COLUMNS                                                        \
  "id, site_id, person_id, department_id, post_id, code, clauses, source, subject, "   \
  "occurred_at, recorded_by, note, occurrence, consequence, fine_fen, state, appeal, " \
  "appealed_at, decided_by, decided_at, decision_note, created_at, party"
#define ZHIDU_PROCEDURE_COLUMNS                                                                   \
  "id, site_id, procedure, state, subject, ref, data, notes, person_id, started_by, started_at, " \
  "updated_at, closed_at"
#define ZHIDU_DEADLINE_COLUMNS                                                                   \
  "id, site_id, service_level, subject, ref, person_id, state, data, note, started_at, due_at, " \
  "stopped_at, breached_at, started_by, stopped_by, paused_at, working_hours"
#define ZHIDU_REQUEST_COLUMNS \
  "id, site_id, type, applicant, applicant_person, inputs, reason, state, created_at, updated_at"
#define ZHIDU_DECISION_COLUMNS \
  "id, request_id, step, account_id, approve, signed, escort_person, note, at"
#define ZHIDU_WEBHOOK_SELECT                                                                    \
  "SELECT id, name, format, url, kinds, coalesce(site_id,0), created_by, created_at, disabled " \
  "FROM webhook_channels"

// Registered on every connection; prepared by the server on first use.
constexpr Statement kStatements[] = {
    {"insert_site", "INSERT INTO sites(name, time_zone, created_at) VALUES($1,$2,$3) RETURNING id"},
    {"get_site", "SELECT id, name, time_zone, created_at FROM sites WHERE id=$1"},
    {"list_sites",
     "SELECT id, name, time_zone, created_at FROM sites WHERE id>$1 ORDER BY id LIMIT $2"},
    {"insert_department", "INSERT INTO departments(site_id, name) VALUES($1,$2) RETURNING id"},
    {"get_department", "SELECT id, site_id, name FROM departments WHERE id=$1"},
    {"list_departments",
     "SELECT id, site_id, name FROM departments WHERE ($1::bigint=0 OR site_id=$1) AND id>$2 "
     "ORDER BY id LIMIT $3"},
    {"insert_team",
     "INSERT INTO teams(site_id, department_id, name) VALUES($1,NULLIF($2::bigint,0),$3) "
     "RETURNING id"},
    {"get_team", "SELECT id, site_id, coalesce(department_id,0), name FROM teams WHERE id=$1"},
    {"list_teams",
     "SELECT id, site_id, coalesce(department_id,0), name FROM teams "
     "WHERE ($1::bigint=0 OR site_id=$1) AND id>$2 ORDER BY id LIMIT $3"},
    {"insert_post",
     "INSERT INTO posts(site_id, department_id, name) VALUES($1,NULLIF($2::bigint,0),$3) "
     "RETURNING id"},
    {"get_post", "SELECT id, site_id, coalesce(department_id,0), name FROM posts WHERE id=$1"},
    {"list_posts",
     "SELECT id, site_id, coalesce(department_id,0), name FROM posts "
     "WHERE ($1::bigint=0 OR site_id=$1) AND id>$2 ORDER BY id LIMIT $3"},
    {"insert_person",
     "INSERT INTO people(site_id, department_id, team_id, name, employee_no, phone, created_at, "
     "birth_date, education) "
     "VALUES($1,NULLIF($2::bigint,0),NULLIF($3::bigint,0),$4,NULLIF($5::text,''),$6,$7,$8,$9) "
     "RETURNING id"},
    {"update_person_profile",
     "UPDATE people SET birth_date=$2, education=$3 WHERE id=$1 RETURNING id"},
    {"get_person", ZHIDU_PERSON_SELECT " WHERE id=$1"},
    {"list_people",
     ZHIDU_PERSON_SELECT " WHERE ($1::bigint=0 OR site_id=$1) AND id>$2 ORDER BY id LIMIT $3"},
    {"insert_certification",
     "INSERT INTO certifications(person_id, kind, number, expires_on) VALUES($1,$2,$3,$4) "
     "RETURNING id"},
    {"list_certifications",
     "SELECT id, person_id, kind, number, expires_on FROM certifications WHERE person_id=$1 "
     "ORDER BY id"},
    {"insert_account",
     "INSERT INTO accounts(username, password_hash, person_id, disabled, created_at) "
     "VALUES($1,$2,NULLIF($3::bigint,0),$4,$5) RETURNING id"},
    {"get_account", ZHIDU_ACCOUNT_SELECT " WHERE id=$1"},
    {"get_account_by_username", ZHIDU_ACCOUNT_SELECT " WHERE lower(username)=lower($1)"},
    {"list_accounts", ZHIDU_ACCOUNT_SELECT " WHERE id>$1 ORDER BY id LIMIT $2"},
    {"insert_role_grant",
     "INSERT INTO role_grants(account_id, role, scope_kind, scope_id) VALUES($1,$2,$3,$4) "
     "RETURNING id"},
    {"list_role_grants",
     "SELECT id, account_id, role, scope_kind, scope_id FROM role_grants WHERE account_id=$1 "
     "ORDER BY id"},
    {"insert_session",
     "INSERT INTO sessions(token_hash, account_id, csrf_token, created_at, expires_at) "
     "VALUES($1,$2,$3,$4,$5)"},
    {"get_session",
     "SELECT token_hash, account_id, csrf_token, created_at, expires_at FROM sessions "
     "WHERE token_hash=$1"},
    {"delete_session", "DELETE FROM sessions WHERE token_hash=$1"},
    {"insert_api_token",
     "INSERT INTO api_tokens(account_id, name, token_hash, created_at, revoked) "
     "VALUES($1,$2,$3,$4,$5) RETURNING id"},
    {"get_api_token_by_hash",
     "SELECT id, account_id, name, token_hash, created_at, revoked FROM api_tokens "
     "WHERE token_hash=$1"},
    {"get_idempotent_response",
     "SELECT account_id, key, request_hash, status, body, created_at FROM idempotency "
     "WHERE account_id=$1 AND key=$2"},
    {"insert_idempotent_response",
     "INSERT INTO idempotency(account_id, key, request_hash, status, body, created_at) "
     "VALUES($1,$2,$3,$4,$5,$6)"},
    {"complete_idempotent_response",
     "UPDATE idempotency SET status=$3, body=$4 WHERE account_id=$1 AND key=$2"},
    {"insert_timer",
     "INSERT INTO timers(site_id, kind, subject, payload, due_at, created_at) "
     "VALUES(NULLIF($1::bigint,0),$2,$3,$4,$5,$6) RETURNING id"},
    {"get_timer", ZHIDU_TIMER_SELECT " WHERE id=$1"},
    {"cancel_timer",
     "UPDATE timers SET state='cancelled', fired_at=$2 WHERE id=$1 AND state IN "
     "('pending','claimed') RETURNING id"},
    // Expired leases first, then pending timers by due time; SKIP LOCKED: rows another claimer
    // holds are passed over, never waited for or returned twice.
    {"claim_due_timers",
     "WITH expired AS (SELECT id FROM timers WHERE state='claimed' AND lease_until<=$3 "
     "ORDER BY lease_until LIMIT $4 FOR UPDATE SKIP LOCKED), "
     "due AS (SELECT id FROM timers WHERE state='pending' AND due_at<=$3 "
     "ORDER BY due_at LIMIT $4 FOR UPDATE SKIP LOCKED), "
     "picked AS (SELECT id FROM (SELECT id FROM expired UNION ALL SELECT id FROM due) p LIMIT $4) "
     "UPDATE timers t SET state='claimed', claimed_by=$1, lease_until=$2, "
     "attempts=t.attempts+1 FROM picked WHERE t.id=picked.id RETURNING " ZHIDU_TIMER_COLUMNS_T},
    {"mark_timer_fired",
     "UPDATE timers SET state='fired', fired_at=$3, late=$4 WHERE id=$1 AND state='claimed' "
     "AND claimed_by=$2 RETURNING id"},
    {"mark_timer_failed",
     "UPDATE timers SET state='failed', fired_at=$3 WHERE id=$1 AND state='claimed' "
     "AND claimed_by=$2 RETURNING id"},
    {"next_due_timer",
     "SELECT least((SELECT min(due_at) FROM timers WHERE state='pending'), "
     "(SELECT min(lease_until) FROM timers WHERE state='claimed'))"},
    {"count_timers", "SELECT count(*) FROM timers WHERE ($1::text='' OR state=$1)"},
    {"list_timers", ZHIDU_TIMER_SELECT
     " WHERE ($1::text='' OR kind=$1) AND ($2::text='' OR subject=$2) AND "
     "($3::text='' OR state=$3) AND ($4::bigint=0 OR site_id=$4) AND id>$5 ORDER BY id LIMIT $6"},
    // runtime: duty instances, attendance, violations, approvals
    {"insert_duty_instance",
     "INSERT INTO duty_instances(site_id, post_id, duty, target, key, due_at, window_end, "
     "miss_at, required, completions, state, answers, created_at) "
     "VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) ON CONFLICT(key) DO NOTHING RETURNING id"},
    {"get_duty_instance", ZHIDU_DUTY_SELECT " WHERE id=$1"},
    {"update_duty_instance",
     "UPDATE duty_instances SET state=$2, started_by=$3, started_at=$4, completions=$5, "
     "completed_by=$6, completed_person=$7, completed_at=$8, answers=$9 WHERE id=$1 RETURNING id"},
    {"list_duty_instances", ZHIDU_DUTY_SELECT
     " WHERE ($1::bigint=0 OR site_id=$1) AND ($2::bigint=0 OR post_id=$2) AND "
     "($3::text='' OR duty=$3) AND ($4::text='' OR state=$4) AND due_at>=$5 AND due_at<$6 AND "
     "id>$7 ORDER BY id LIMIT $8"},
    {"insert_attendance",
     "INSERT INTO attendance(site_id, post_id, person_id, started_at, ended_at, relieved_by) "
     "VALUES($1,$2,$3,$4,$5,$6) RETURNING id"},
    {"end_attendance",
     "UPDATE attendance SET ended_at=$2, relieved_by=$3 WHERE id=$1 AND ended_at=0 RETURNING id"},
    {"get_attendance_id", "SELECT id FROM attendance WHERE id=$1"},
    {"list_attendance_at",
     "SELECT " ZHIDU_ATTENDANCE_COLUMNS
     " FROM attendance WHERE ($1::bigint=0 OR post_id=$1) AND ($2::bigint=0 OR person_id=$2) AND "
     "started_at<=$3 AND (ended_at=0 OR ended_at>$3) ORDER BY id"},
    {"insert_violation",
     "INSERT INTO violations(site_id, person_id, department_id, post_id, code, clauses, source, "
     "subject, occurred_at, recorded_by, note, occurrence, consequence, fine_fen, state, "
     "created_at, party) VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17) "
     "RETURNING id"},
    {"get_violation", "SELECT " ZHIDU_VIOLATION_COLUMNS " FROM violations WHERE id=$1"},
    {"update_violation",
     "UPDATE violations SET state=$2, appeal=$3, appealed_at=$4, decided_by=$5, decided_at=$6, "
     "decision_note=$7 WHERE id=$1 RETURNING id"},
    {"list_violations",
     "SELECT " ZHIDU_VIOLATION_COLUMNS
     " FROM violations WHERE ($1::bigint=0 OR site_id=$1) AND ($2::bigint=0 OR person_id=$2) AND "
     "($3::bigint=0 OR department_id=$3) AND ($4::text='' OR code=$4) AND "
     "($5::text='' OR state=$5) AND occurred_at>=$6 AND occurred_at<$7 AND id>$8 AND "
     "($10::text='' OR party=$10) ORDER BY id LIMIT $9"},
    {"count_violations",
     "SELECT count(*) FROM violations WHERE person_id=$1 AND code=$2 AND occurred_at>=$3 AND "
     "occurred_at<$4 AND state<>'overturned'"},
    {"insert_approval_request",
     "INSERT INTO approval_requests(site_id, type, applicant, applicant_person, inputs, reason, "
     "state, created_at, updated_at) VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id"},
    {"get_approval_request", "SELECT " ZHIDU_REQUEST_COLUMNS " FROM approval_requests WHERE id=$1"},
    {"decide_approval_request",
     "UPDATE approval_requests SET state=$2, updated_at=$3 WHERE id=$1 AND state='pending' "
     "RETURNING id"},
    {"list_approval_requests",
     "SELECT " ZHIDU_REQUEST_COLUMNS
     " FROM approval_requests WHERE ($1::bigint=0 OR site_id=$1) AND ($2::text='' OR type=$2) AND "
     "($3::bigint=0 OR applicant=$3) AND ($4::text='' OR state=$4) AND id>$5 ORDER BY id LIMIT $6"},
    {"insert_approval_decision",
     "INSERT INTO approval_decisions(request_id, step, account_id, approve, signed, "
     "escort_person, note, at) VALUES($1,$2,$3,$4,$5,$6,$7,$8) RETURNING id"},
    {"list_approval_decisions",
     "SELECT " ZHIDU_DECISION_COLUMNS " FROM approval_decisions WHERE request_id=$1 ORDER BY id"},
    {"insert_procedure_instance",
     "INSERT INTO procedure_instances(site_id, procedure, state, subject, ref, data, notes, "
     "person_id, started_by, started_at, updated_at, closed_at) "
     "VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) RETURNING id"},
    {"get_procedure_instance",
     "SELECT " ZHIDU_PROCEDURE_COLUMNS " FROM procedure_instances WHERE id=$1"},
    {"update_procedure_instance",
     "UPDATE procedure_instances SET state=$2, notes=$3, updated_at=$4, closed_at=$5 "
     "WHERE id=$1 AND state=$6 RETURNING id"},
    {"list_procedure_instances",
     "SELECT " ZHIDU_PROCEDURE_COLUMNS
     " FROM procedure_instances WHERE ($1::bigint=0 OR site_id=$1) AND ($2::text='' OR "
     "procedure=$2) AND ($3::text='' OR state=$3) AND ($4::text='' OR ref=$4) AND ($5::int<0 OR "
     "(closed_at=0)=($5=1)) AND id>$6 ORDER BY id LIMIT $7"},
    // A site and a ref: the (site_id, ref) index (sqlite_store.cpp, ListProcedureInstances).
    {"list_procedure_instances_by_ref",
     "SELECT " ZHIDU_PROCEDURE_COLUMNS
     " FROM procedure_instances WHERE site_id=$1 AND ($2::text='' OR procedure=$2) AND "
     "($3::text='' OR state=$3) AND ref=$4 AND ($5::int<0 OR (closed_at=0)=($5=1)) AND id>$6 "
     "ORDER BY id LIMIT $7"},
    {"insert_procedure_transition",
     "INSERT INTO procedure_transitions(instance_id, from_state, to_state, event, account_id, "
     "person_id, note, inputs, at) VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id"},
    {"list_procedure_transitions",
     "SELECT id, instance_id, from_state, to_state, event, account_id, person_id, note, inputs, at "
     "FROM procedure_transitions WHERE instance_id=$1 ORDER BY id"},
    {"insert_procedure_task",
     "INSERT INTO procedure_tasks(instance_id, state, kind, task, role, slot, person_id, "
     "assigned_by, assigned_at, done_by, done_at, note) "
     "VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) RETURNING id"},
    {"update_procedure_task",
     "UPDATE procedure_tasks SET person_id=$2, assigned_by=$3, assigned_at=$4, done_by=$5, "
     "done_at=$6, note=$7 WHERE id=$1 RETURNING id"},
    {"list_procedure_tasks",
     "SELECT id, instance_id, state, kind, task, role, slot, person_id, assigned_by, assigned_at, "
     "done_by, done_at, note FROM procedure_tasks WHERE instance_id=$1 ORDER BY id"},
    {"insert_deadline",
     "INSERT INTO deadlines(site_id, service_level, subject, ref, person_id, state, data, note, "
     "started_at, due_at, stopped_at, breached_at, started_by, stopped_by, paused_at, "
     "working_hours) VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16) RETURNING id"},
    {"get_deadline", "SELECT " ZHIDU_DEADLINE_COLUMNS " FROM deadlines WHERE id=$1"},
    {"update_deadline",
     "UPDATE deadlines SET state=$2, stopped_at=$3, breached_at=$4, stopped_by=$5, note=$6, "
     "due_at=$8, paused_at=$9, data=$10, working_hours=$11 WHERE id=$1 AND state=$7 RETURNING id"},
    {"list_deadlines",
     "SELECT " ZHIDU_DEADLINE_COLUMNS
     " FROM deadlines WHERE ($1::bigint=0 OR site_id=$1) AND ($2::text='' OR service_level=$2) "
     "AND ($3::text='' OR state=$3) AND ($4::text='' OR ref=$4) AND id>$5 ORDER BY id LIMIT $6"},
    {"list_deadlines_by_ref",
     "SELECT " ZHIDU_DEADLINE_COLUMNS
     " FROM deadlines WHERE site_id=$1 AND ($2::text='' OR service_level=$2) "
     "AND ($3::text='' OR state=$3) AND ref=$4 AND id>$5 ORDER BY id LIMIT $6"},
    {"insert_photo",
     "INSERT INTO photos(sha256, content_type, size_bytes, data, stored_by, created_at) "
     "VALUES($1,$2,$3,$4,$5,$6) ON CONFLICT(sha256) DO NOTHING RETURNING sha256"},
    {"get_photo",
     "SELECT sha256, content_type, size_bytes, CASE WHEN $2::boolean THEN data ELSE ''::bytea "
     "END, stored_by, created_at FROM photos WHERE sha256=$1"},
    {"put_site_parameter",
     "INSERT INTO site_parameters(site_id, name, value, updated_by, updated_at) "
     "VALUES($1,$2,$3,$4,$5) ON CONFLICT(site_id, name) DO UPDATE SET value=excluded.value, "
     "updated_by=excluded.updated_by, updated_at=excluded.updated_at"},
    {"list_site_parameters",
     "SELECT site_id, name, value, updated_by, updated_at FROM site_parameters WHERE site_id=$1 "
     "ORDER BY name"},
    // ---- duty log and alarms
    {"insert_duty_log",
     "INSERT INTO duty_log(site_id, post_id, kind, text, author, author_person, at, corrects, ref, "
     "repeat_count, last_at, terms) VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12::text[]) "
     "RETURNING id"},
    {"read_journal_head", "SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1"},
    {"append_journal",
     "INSERT INTO journal(seq, at, kind, actor, subject, payload, prev_hash, hash) "
     "VALUES($1,$2,$3,$4,$5,$6,$7,$8)"},
    {"read_journal", ZHIDU_JOURNAL_SELECT " WHERE seq>$1 ORDER BY seq LIMIT $2"},
    {"scan_journal_range",
     ZHIDU_JOURNAL_SELECT " WHERE (seq>$1 OR ($3 AND seq=$1)) AND seq<=$2 ORDER BY seq LIMIT $4"},
    // ---- webhook channels
    {"insert_webhook_channel",
     "INSERT INTO webhook_channels(name, format, url, kinds, site_id, created_by, created_at, "
     "disabled) VALUES($1,$2,$3,$4,NULLIF($5::bigint,0),$6,$7,$8) RETURNING id"},
    {"get_webhook_channel", ZHIDU_WEBHOOK_SELECT " WHERE id=$1"},
    {"list_webhook_channels", ZHIDU_WEBHOOK_SELECT " WHERE $1 OR NOT disabled ORDER BY id"},
    {"disable_webhook_channel",
     "UPDATE webhook_channels SET disabled=true WHERE id=$1 AND NOT disabled RETURNING id"},
};

// ---------------------------------------------------------------- connections

using Connection = std::unique_ptr<pqxx::connection>;

// Opens a connection to `url`; the write connection also gets durable commits and a lock timeout.
Result<Connection> Connect(const std::string& url, bool writer) {
  bool broken = false;
  try {
    auto c = std::make_unique<pqxx::connection>(url);
    {
      pqxx::nontransaction tx(*c);
      tx.exec(writer ? "SET client_encoding = 'UTF8'; SET application_name = 'zhidu writer'; "
                       "SET synchronous_commit = on; SET lock_timeout = '30s'"
                     : "SET client_encoding = 'UTF8'; SET application_name = 'zhidu'");
      tx.commit();
    }
    for (const auto& s : kStatements) c->prepare(s.name, s.sql);
    return c;
  } catch (...) {
    return Fail(ConvertException("connect to PostgreSQL", broken));
  }
}

// True when an idle connection has something to read: a healthy idle session is sent nothing
// (zhidu never LISTENs), so this is the server's goodbye (terminated, restarted) or EOF. Checked
// before reuse so that a dead pooled connection is replaced without a failed BEGIN.
bool IdleConnectionIsDead(pqxx::connection& c) {
  int fd = c.sock();
  if (fd < 0) return true;
  pollfd p{fd, POLLIN, 0};
  return poll(&p, 1, 0) != 0;
}

std::int64_t Micros64(TimePoint t) { return t.time_since_epoch().count(); }
TimePoint Time(const pqxx::field& f) { return TimePoint(Micros(f.as<std::int64_t>())); }
std::int64_t Limit(int limit) {  // SQLite treats a negative LIMIT as none
  return limit < 0 ? std::numeric_limits<std::int64_t>::max() : limit;
}
Sha256Digest Digest(const pqxx::field& f) {
  Sha256Digest d{};
  pqxx::binarystring bytes(f);
  if (bytes.size() == d.size()) std::memcpy(d.data(), bytes.data(), d.size());
  return d;
}
pqxx::binarystring Bytes(const Sha256Digest& d) { return pqxx::binarystring(d.data(), d.size()); }

// ---------------------------------------------------------------- row mapping

Site MapSite(const pqxx::row& r) {
  return {r[0].as<Id>(), r[1].as<std::string>(), r[2].as<std::string>(), Time(r[3])};
}
Department MapDepartment(const pqxx::row& r) {
  return {r[0].as<Id>(), r[1].as<Id>(), r[2].as<std::string>()};
}
Team MapTeam(const pqxx::row& r) {
  return {r[0].as<Id>(), r[1].as<Id>(), r[2].as<Id>(), r[3].as<std::string>()};
}
Post MapPost(const pqxx::row& r) {
  return {r[0].as<Id>(), r[1].as<Id>(), r[2].as<Id>(), r[3].as<std::string>()};
}
Person MapPerson(const pqxx::row& r) {
  return {r[0].as<Id>(),          r[1].as<Id>(),          r[2].as<Id>(),          r[3].as<Id>(),
          r[4].as<std::string>(), r[5].as<std::string>(), r[6].as<std::string>(), Time(r[7]),
          r[8].as<std::string>(), r[9].as<std::string>()};
}
Certification MapCertification(const pqxx::row& r) {
  return {r[0].as<Id>(), r[1].as<Id>(), r[2].as<std::string>(), r[3].as<std::string>(),
          r[4].as<std::string>()};
}
Account MapAccount(const pqxx::row& r) {
  return {r[0].as<Id>(), r[1].as<std::string>(), r[2].as<std::string>(),
          r[3].as<Id>(), r[4].as<bool>(),        Time(r[5])};
}
RoleGrant MapRoleGrant(const pqxx::row& r) {
  return {r[0].as<Id>(), r[1].as<Id>(), r[2].as<std::string>(), r[3].as<std::string>(),
          r[4].as<Id>()};
}
Session MapSession(const pqxx::row& r) {
  return {r[0].as<std::string>(), r[1].as<Id>(), r[2].as<std::string>(), Time(r[3]), Time(r[4])};
}
ApiToken MapApiToken(const pqxx::row& r) {
  return {r[0].as<Id>(),          r[1].as<Id>(), r[2].as<std::string>(),
          r[3].as<std::string>(), Time(r[4]),    r[5].as<bool>()};
}
JournalRecord MapJournal(const pqxx::row& r) {
  JournalRecord j;
  j.seq = r[0].as<std::int64_t>();
  j.at = Time(r[1]);
  j.kind = r[2].as<std::string>();
  j.actor = r[3].as<Id>();
  j.subject = r[4].as<std::string>();
  j.payload = r[5].as<std::string>();
  j.prev_hash = Digest(r[6]);
  j.hash = Digest(r[7]);
  return j;
}

DutyInstance MapDuty(const pqxx::row& r) {
  DutyInstance d;
  d.id = r[0].as<Id>();
  d.site_id = r[1].as<Id>();
  d.post_id = r[2].as<Id>();
  d.duty = r[3].as<std::string>();
  d.target = r[4].as<std::string>();
  d.key = r[5].as<std::string>();
  d.due_at = Time(r[6]);
  d.window_end = Time(r[7]);
  d.miss_at = Time(r[8]);
  d.required = r[9].as<int>();
  d.completions = r[10].as<int>();
  d.state = ParseDutyState(r[11].as<std::string>()).value_or(DutyState::kScheduled);
  d.started_by = r[12].as<Id>();
  d.started_at = Time(r[13]);
  d.completed_by = r[14].as<Id>();
  d.completed_person = r[15].as<Id>();
  d.completed_at = Time(r[16]);
  d.answers = r[17].as<std::string>();
  d.created_at = Time(r[18]);
  return d;
}
Attendance MapAttendance(const pqxx::row& r) {
  return {r[0].as<Id>(), r[1].as<Id>(), r[2].as<Id>(), r[3].as<Id>(),
          Time(r[4]),    Time(r[5]),    r[6].as<Id>()};
}
Violation MapViolation(const pqxx::row& r) {
  Violation v;
  v.id = r[0].as<Id>();
  v.site_id = r[1].as<Id>();
  v.person_id = r[2].as<Id>();
  v.department_id = r[3].as<Id>();
  v.post_id = r[4].as<Id>();
  v.code = r[5].as<std::string>();
  v.clauses = r[6].as<std::string>();
  v.source = r[7].as<std::string>();
  v.subject = r[8].as<std::string>();
  v.occurred_at = Time(r[9]);
  v.recorded_by = r[10].as<Id>();
  v.note = r[11].as<std::string>();
  v.occurrence = r[12].as<int>();
  v.consequence = r[13].as<std::string>();
  v.fine_fen = r[14].as<std::int64_t>();
  v.state = ParseViolationState(r[15].as<std::string>()).value_or(ViolationState::kRecorded);
  v.appeal = r[16].as<std::string>();
  v.appealed_at = Time(r[17]);
  v.decided_by = r[18].as<Id>();
  v.decided_at = Time(r[19]);
  v.decision_note = r[20].as<std::string>();
  v.created_at = Time(r[21]);
  v.party = r[22].as<std::string>();
  return v;
}
ProcedureInstance MapProcedure(const pqxx::row& r) {
  return {r[0].as<Id>(),
          r[1].as<Id>(),
          r[2].as<std::string>(),
          r[3].as<std::string>(),
          r[4].as<std::string>(),
          r[5].as<std::string>(),
          r[6].as<std::string>(),
          r[7].as<std::string>(),
          r[8].as<Id>(),
          r[9].as<Id>(),
          Time(r[10]),
          Time(r[11]),
          Time(r[12])};
}
Deadline MapDeadline(const pqxx::row& r) {
  return {r[0].as<Id>(),
          r[1].as<Id>(),
          r[2].as<std::string>(),
          r[3].as<std::string>(),
          r[4].as<std::string>(),
          r[5].as<Id>(),
          r[6].as<std::string>(),
          r[7].as<std::string>(),
          r[8].as<std::string>(),
          Time(r[9]),
          Time(r[10]),
          Time(r[11]),
          Time(r[12]),
          r[13].as<Id>(),
          r[14].as<Id>(),
          Time(r[15]),
          r[16].as<bool>()};
}
Photo MapPhoto(const pqxx::row& r) {
  pqxx::binarystring data(r[3]);
  return {r[0].as<std::string>(),  r[1].as<std::string>(),
          r[2].as<std::int64_t>(), data.str(),
          r[4].as<Id>(),           Time(r[5])};
}
ApprovalRequest MapRequest(const pqxx::row& r) {
  return {r[0].as<Id>(),
          r[1].as<Id>(),
          r[2].as<std::string>(),
          r[3].as<Id>(),
          r[4].as<Id>(),
          r[5].as<std::string>(),
          r[6].as<std::string>(),
          ParseRequestState(r[7].as<std::string>()).value_or(RequestState::kPending),
          Time(r[8]),
          Time(r[9])};
}
ApprovalDecision MapDecision(const pqxx::row& r) {
  return {r[0].as<Id>(),   r[1].as<Id>(), r[2].as<std::string>(), r[3].as<Id>(), r[4].as<bool>(),
          r[5].as<bool>(), r[6].as<Id>(), r[7].as<std::string>(), Time(r[8])};
}
WebhookChannel MapWebhookChannel(const pqxx::row& r) {
  return {r[0].as<Id>(),          r[1].as<std::string>(),
          r[2].as<std::string>(), r[3].as<std::string>(),
          r[4].as<std::string>(), r[5].as<Id>(),
          r[6].as<Id>(),          Time(r[7]),
          r[8].as<bool>()};
}

Timer MapTimer(const pqxx::row& r) {
  Timer t;
  t.id = r[0].as<Id>();
  t.site_id = r[1].as<Id>();
  t.kind = r[2].as<std::string>();
  t.subject = r[3].as<std::string>();
  t.payload = r[4].as<std::string>();
  t.due_at = Time(r[5]);
  t.state = ParseTimerState(r[6].as<std::string>()).value_or(TimerState::kPending);
  t.claimed_by = r[7].as<std::string>();
  t.lease_until = Time(r[8]);
  t.fired_at = Time(r[9]);
  t.late = r[10].as<bool>();
  t.attempts = r[11].as<int>();
  t.created_at = Time(r[12]);
  return t;
}

template <typename T, typename Map>
std::vector<T> Collect(const pqxx::result& rows, Map map) {
  std::vector<T> out;
  out.reserve(rows.size());
  for (const auto& row : rows) out.push_back(map(row));
  return out;
}

// ---------------------------------------------------------------- unit of work

enum class Mode { kRead, kWrite, kMigrate };

// The portable dialect's `?` placeholders as PostgreSQL's $1, $2 … (not inside '…' literals).
std::string NumberedPlaceholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  bool quoted = false;
  for (char c : sql) {
    if (c == '\'') quoted = !quoted;
    if (c == '?' && !quoted) {
      out += '$';
      out += std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

class PgUnit final : public UnitOfWork {
 public:
  // `release(connection, broken)` hands the connection back to its owner (pool or writer slot);
  // called once, when the unit finishes (commit or destruction).
  using Release = std::function<void(Connection, bool)>;
  PgUnit(Connection conn, Mode mode, Release release)
      : conn_(std::move(conn)), mode_(mode), release_(std::move(release)), sql_(*this) {}
  ~PgUnit() override {
    if (tx_ && !broken_) {
      try {
        tx_->exec("ROLLBACK");
      } catch (...) {
        broken_ = true;
      }
    }
    Finish();
  }
  PgUnit(const PgUnit&) = delete;
  PgUnit& operator=(const PgUnit&) = delete;

  bool broken() const { return broken_; }

  // Opens the transaction. After a failure with broken(), the caller may Reconnect() and retry.
  Result<void> Begin() {
    const char* sql = nullptr;
    switch (mode_) {
      case Mode::kRead:
        sql = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
        break;
      case Mode::kWrite:
        sql = "BEGIN ISOLATION LEVEL READ COMMITTED";
        break;
      case Mode::kMigrate:
        sql = "BEGIN ISOLATION LEVEL READ COMMITTED";
        break;
    }
    try {
      if (!conn_) throw pqxx::broken_connection("no connection");
      tx_ = std::make_unique<pqxx::nontransaction>(*conn_);
      tx_->exec(sql);
      if (mode_ != Mode::kRead) {
        // Taken in its own statement, before any read: READ COMMITTED gives every later statement
        // a snapshot that includes what the previous lock holder committed.
        tx_->exec_params("SELECT pg_advisory_xact_lock($1)",
                         mode_ == Mode::kWrite ? kJournalLockKey : kMigrationLockKey);
      }
      return Ok();
    } catch (...) {
      Error e = ConvertException("begin transaction", broken_);
      if (tx_ && !broken_) {
        try {
          tx_->exec("ROLLBACK");
        } catch (...) {
          broken_ = true;
        }
      }
      EndTx();
      return Fail(std::move(e));
    }
  }

  // Replaces a broken connection before a retried Begin().
  void Reconnect(Connection fresh) {
    EndTx();
    conn_ = std::move(fresh);
    broken_ = false;
  }

  // Runs `f(tx)` and converts exceptions (invariant 1). `mutates`: in a write unit, wrap it in a
  // statement savepoint so that a failure undoes only this verb (invariant 2).
  template <typename F>
  auto Run(std::string_view what, bool mutates, F&& f)
      -> Result<std::invoke_result_t<F, pqxx::transaction_base&>> {
    using T = std::invoke_result_t<F, pqxx::transaction_base&>;
    if (!tx_)
      return Fail(Errc::kFailedPrecondition,
                  std::string(what) + ": the unit of work has already finished");
    if (aborted_)
      return Fail(Errc::kFailedPrecondition,
                  std::string(what) + ": an earlier statement failed and this transaction can " +
                      "only be rolled back (" + first_error_ + ")");
    if (!journal_.empty() && !sending_journal_) {  // invariant 6
      if (auto sent = SendJournal(); !sent) return Fail(sent.error());
    }
    const bool guarded = mutates && mode_ != Mode::kRead;
    try {
      if (guarded) {
        // The previous verb's savepoint, still open, is released in the same round trip.
        tx_->exec(stmt_savepoint_ ? "RELEASE SAVEPOINT zhidu_stmt; SAVEPOINT zhidu_stmt"
                                  : "SAVEPOINT zhidu_stmt");
        stmt_savepoint_ = true;
      }
      if constexpr (std::is_void_v<T>) {
        f(*tx_);
        return Ok();
      } else {
        return f(*tx_);
      }
    } catch (...) {
      bool server = false;
      Error e = ConvertException(what, broken_, &server);
      if (!broken_) {
        bool recovered = !server;  // a client-side error (conversion) leaves the transaction alone
        if (guarded) {             // undo the statement, or just drop its savepoint
          try {
            tx_->exec("ROLLBACK TO SAVEPOINT zhidu_stmt; RELEASE SAVEPOINT zhidu_stmt");
            recovered = true;
          } catch (...) {
            recovered = false;
            (void)ConvertException("undo failed statement", broken_);
          }
          stmt_savepoint_ = false;
        }
        if (!recovered) MarkAborted(e);
      }
      return Fail(std::move(e));
    }
  }

  // ---- transaction control
  Result<void> Commit() override {
    if (!tx_)
      return Fail(Errc::kFailedPrecondition, "commit: the unit of work has already finished");
    if (aborted_ || broken_) {
      Error e = broken_
                    ? Error{Errc::kUnavailable,
                            "commit: the connection to PostgreSQL was lost; nothing was saved", ""}
                    : Error{Errc::kFailedPrecondition,
                            "commit: an earlier statement failed, so the transaction was "
                            "rolled back (" +
                                first_error_ + ")",
                            ""};
      if (!broken_) {
        try {
          tx_->exec("ROLLBACK");
        } catch (...) {
          broken_ = true;
        }
      }
      Finish();
      return Fail(std::move(e));
    }
    if (auto sent = SendJournal(); !sent) {  // invariant 6: nothing kept may be lost
      try {
        tx_->exec("ROLLBACK");
      } catch (...) {
        broken_ = true;
      }
      Finish();
      return Fail(Error{sent.error().code, "commit: " + sent.error().message, ""});
    }
    Result<void> result = Ok();
    try {
      tx_->exec("COMMIT");
    } catch (...) {
      Error e = ConvertException("commit", broken_);
      if (broken_) e.message += " (the outcome of the commit is unknown)";
      result = Fail(std::move(e));
    }
    Finish();
    return result;
  }
  Result<void> Savepoint() override {
    // Records kept before the job belong outside it (invariant 6).
    ZHIDU_TRY_VOID(SendJournal());
    // A zhidu_stmt savepoint still open must not enclose the job's: released first.
    const bool release = stmt_savepoint_;
    auto r = Run("savepoint", false, [release](pqxx::transaction_base& tx) {
      tx.exec(release ? "RELEASE SAVEPOINT zhidu_stmt; SAVEPOINT job" : "SAVEPOINT job");
    });
    if (r) stmt_savepoint_ = false;
    return r;
  }
  Result<void> RollbackToSavepoint() override {
    if (!tx_ || broken_)
      return Fail(Errc::kUnavailable, "rollback to savepoint: the transaction is gone");
    try {
      tx_->exec("ROLLBACK TO SAVEPOINT job; RELEASE SAVEPOINT job");  // ends zhidu_stmt too
      journal_.clear();  // kept since the job's savepoint (Savepoint sent the earlier ones)
      stmt_savepoint_ = false;
      aborted_ = false;  // a savepoint exists only if it was made while the transaction was healthy
      first_error_.clear();
      return Ok();
    } catch (...) {
      Error e = ConvertException("rollback to savepoint", broken_);
      if (!broken_) MarkAborted(e);
      return Fail(std::move(e));
    }
  }
  Result<void> ReleaseSavepoint() override {
    auto r = Run("release savepoint", false,
                 [](pqxx::transaction_base& tx) { tx.exec("RELEASE SAVEPOINT job"); });
    if (r) stmt_savepoint_ = false;  // it was inside the job's
    return r;
  }
  Sql& sql() override { return sql_; }

  // ---- organisation
  Result<Id> InsertSite(const Site& v) override {
    return InsertReturningId("insert site", "insert_site", v.name, v.time_zone,
                             Micros64(v.created_at));
  }
  Result<Site> GetSite(Id id) override {
    return One<Site>("get site", "site " + std::to_string(id) + " does not exist", MapSite,
                     "get_site", id);
  }
  Result<std::vector<Site>> ListSites(PageRequest p) override {
    return Many<Site>("list sites", MapSite, "list_sites", p.after_id, Limit(p.limit));
  }
  Result<Id> InsertDepartment(const Department& v) override {
    return InsertReturningId("insert department", "insert_department", v.site_id, v.name);
  }
  Result<Department> GetDepartment(Id id) override {
    return One<Department>("get department", "department " + std::to_string(id) + " does not exist",
                           MapDepartment, "get_department", id);
  }
  Result<std::vector<Department>> ListDepartments(Id site_id, PageRequest p) override {
    return Many<Department>("list departments", MapDepartment, "list_departments", site_id,
                            p.after_id, Limit(p.limit));
  }
  Result<Id> InsertTeam(const Team& v) override {
    return InsertReturningId("insert team", "insert_team", v.site_id, v.department_id, v.name);
  }
  Result<Team> GetTeam(Id id) override {
    return One<Team>("get team", "team " + std::to_string(id) + " does not exist", MapTeam,
                     "get_team", id);
  }
  Result<std::vector<Team>> ListTeams(Id site_id, PageRequest p) override {
    return Many<Team>("list teams", MapTeam, "list_teams", site_id, p.after_id, Limit(p.limit));
  }
  Result<Id> InsertPost(const Post& v) override {
    return InsertReturningId("insert post", "insert_post", v.site_id, v.department_id, v.name);
  }
  Result<Post> GetPost(Id id) override {
    return One<Post>("get post", "post " + std::to_string(id) + " does not exist", MapPost,
                     "get_post", id);
  }
  Result<std::vector<Post>> ListPosts(Id site_id, PageRequest p) override {
    return Many<Post>("list posts", MapPost, "list_posts", site_id, p.after_id, Limit(p.limit));
  }
  Result<Id> InsertPerson(const Person& v) override {
    return InsertReturningId("insert person", "insert_person", v.site_id, v.department_id,
                             v.team_id, v.name, v.employee_no, v.phone, Micros64(v.created_at),
                             v.birth_date, v.education);
  }
  Result<void> UpdatePersonProfile(Id id, const std::string& birth_date,
                                   const std::string& education) override {
    ZHIDU_TRY(bool changed,
              Changed("update person profile", "update_person_profile", id, birth_date, education));
    return Found(changed, "person", id);
  }
  Result<Person> GetPerson(Id id) override {
    return One<Person>("get person", "person " + std::to_string(id) + " does not exist", MapPerson,
                       "get_person", id);
  }
  Result<std::vector<Person>> ListPeople(Id site_id, PageRequest p) override {
    return Many<Person>("list people", MapPerson, "list_people", site_id, p.after_id,
                        Limit(p.limit));
  }
  Result<Id> InsertCertification(const Certification& v) override {
    return InsertReturningId("insert certification", "insert_certification", v.person_id, v.kind,
                             v.number, v.expires_on);
  }
  Result<std::vector<Certification>> ListCertifications(Id person_id) override {
    return Many<Certification>("list certifications", MapCertification, "list_certifications",
                               person_id);
  }

  // ---- accounts
  Result<Id> InsertAccount(const Account& v) override {
    return InsertReturningId("insert account", "insert_account", v.username, v.password_hash,
                             v.person_id, v.disabled, Micros64(v.created_at));
  }
  Result<Account> GetAccount(Id id) override {
    return One<Account>("get account", "account " + std::to_string(id) + " does not exist",
                        MapAccount, "get_account", id);
  }
  Result<Account> GetAccountByUsername(const std::string& username) override {
    return One<Account>("get account", "no account named \"" + username + "\"", MapAccount,
                        "get_account_by_username", username);
  }
  Result<std::vector<Account>> ListAccounts(PageRequest p) override {
    return Many<Account>("list accounts", MapAccount, "list_accounts", p.after_id, Limit(p.limit));
  }
  Result<Id> InsertRoleGrant(const RoleGrant& v) override {
    return InsertReturningId("insert role grant", "insert_role_grant", v.account_id, v.role,
                             v.scope_kind, v.scope_id);
  }
  Result<std::vector<RoleGrant>> ListRoleGrants(Id account_id) override {
    return Many<RoleGrant>("list role grants", MapRoleGrant, "list_role_grants", account_id);
  }
  Result<void> InsertSession(const Session& v) override {
    return Exec("insert session", "insert_session", v.token_hash, v.account_id, v.csrf_token,
                Micros64(v.created_at), Micros64(v.expires_at));
  }
  Result<Session> GetSession(const std::string& token_hash) override {
    return One<Session>("get session", "no such session", MapSession, "get_session", token_hash);
  }
  Result<void> DeleteSession(const std::string& token_hash) override {
    return Exec("delete session", "delete_session", token_hash);
  }
  Result<Id> InsertApiToken(const ApiToken& v) override {
    return InsertReturningId("insert api token", "insert_api_token", v.account_id, v.name,
                             v.token_hash, Micros64(v.created_at), v.revoked);
  }
  Result<ApiToken> GetApiTokenByHash(const std::string& token_hash) override {
    return One<ApiToken>("get api token", "no such api token", MapApiToken, "get_api_token_by_hash",
                         token_hash);
  }

  // ---- idempotency
  Result<std::optional<IdempotentResponse>> GetIdempotentResponse(Id account_id,
                                                                  const std::string& key) override {
    return Run("get idempotent response", false,
               [&](pqxx::transaction_base& tx) -> std::optional<IdempotentResponse> {
                 auto rows = tx.exec_prepared("get_idempotent_response", account_id, key);
                 if (rows.empty()) return std::nullopt;
                 const auto& r = rows[0];
                 return IdempotentResponse{r[0].as<Id>(),          r[1].as<std::string>(),
                                           r[2].as<std::string>(), r[3].as<int>(),
                                           r[4].as<std::string>(), Time(r[5])};
               });
  }
  Result<void> InsertIdempotentResponse(const IdempotentResponse& v) override {
    return Exec("insert idempotent response", "insert_idempotent_response", v.account_id, v.key,
                v.request_hash, v.status, v.body, Micros64(v.created_at));
  }
  Result<void> CompleteIdempotentResponse(Id account_id, const std::string& key, int status,
                                          const std::string& body) override {
    return Exec("complete idempotent response", "complete_idempotent_response", account_id, key,
                status, body);
  }

  // ---- durable timers
  Result<Id> InsertTimer(const Timer& v) override {
    return InsertReturningId("insert timer", "insert_timer", v.site_id, v.kind, v.subject,
                             v.payload, Micros64(v.due_at), Micros64(v.created_at));
  }
  // Multi-row INSERTs of kInsertChunk rows with quoted literals: one round trip per chunk
  // instead of three per row (statement savepoint, insert, release).
  Result<std::vector<Id>> InsertTimers(const std::vector<Timer>& timers) override {
    constexpr size_t kInsertChunk = 1000;
    std::vector<Id> ids;
    ids.reserve(timers.size());
    for (size_t start = 0; start < timers.size(); start += kInsertChunk) {
      size_t end = std::min(timers.size(), start + kInsertChunk);
      ZHIDU_TRY(auto chunk, Run("insert timers", true, [&](pqxx::transaction_base& tx) {
                  std::string sql =
                      "INSERT INTO timers(site_id, kind, subject, payload, due_at, created_at) "
                      "VALUES ";
                  for (size_t i = start; i < end; ++i) {
                    const Timer& t = timers[i];
                    if (i > start) sql += ",";
                    sql += "(" +
                           (t.site_id == 0 ? std::string("NULL") : std::to_string(t.site_id)) +
                           "," + tx.quote(t.kind) + "," + tx.quote(t.subject) + "," +
                           tx.quote(t.payload) + "," + std::to_string(Micros64(t.due_at)) + "," +
                           std::to_string(Micros64(t.created_at)) + ")";
                  }
                  sql += " RETURNING id";
                  std::vector<Id> out;
                  for (const auto& row : tx.exec(sql)) out.push_back(row[0].as<Id>());
                  return out;
                }));
      // Identity values are drawn in VALUES order, so ascending ids are the input order.
      std::sort(chunk.begin(), chunk.end());
      ids.insert(ids.end(), chunk.begin(), chunk.end());
    }
    return ids;
  }
  Result<Timer> GetTimer(Id id) override {
    return One<Timer>("get timer", "timer " + std::to_string(id) + " does not exist", MapTimer,
                      "get_timer", id);
  }
  Result<void> CancelTimer(Id id, TimePoint at) override {
    ZHIDU_TRY(bool changed, Changed("cancel timer", "cancel_timer", id, Micros64(at)));
    if (changed) return Ok();
    ZHIDU_TRY(Timer t, GetTimer(id));
    return Fail(Errc::kFailedPrecondition, "timer " + std::to_string(id) + " is already " +
                                               std::string(TimerStateName(t.state)));
  }
  Result<std::vector<Timer>> ClaimDueTimers(TimePoint now, const std::string& node_id, Micros lease,
                                            int limit) override {
    ZHIDU_TRY(auto rows, Run("claim due timers", true, [&](pqxx::transaction_base& tx) {
                return Collect<Timer>(
                    tx.exec_prepared("claim_due_timers", node_id, Micros64(now + lease),
                                     Micros64(now), Limit(limit)),
                    MapTimer);
              }));
    std::sort(rows.begin(), rows.end(), [](const Timer& a, const Timer& b) {
      return a.due_at != b.due_at ? a.due_at < b.due_at : a.id < b.id;
    });
    return rows;
  }
  Result<void> MarkTimerFired(Id id, const std::string& node_id, TimePoint fired_at,
                              bool late) override {
    ZHIDU_TRY(bool changed, Changed("mark timer fired", "mark_timer_fired", id, node_id,
                                    Micros64(fired_at), late));
    return changed ? Ok() : NotClaimed("mark timer fired", id, node_id);
  }
  Result<void> MarkTimerFailed(Id id, const std::string& node_id, TimePoint at) override {
    ZHIDU_TRY(bool changed,
              Changed("mark timer failed", "mark_timer_failed", id, node_id, Micros64(at)));
    return changed ? Ok() : NotClaimed("mark timer failed", id, node_id);
  }
  Result<std::optional<TimePoint>> NextDueAt() override {
    return Run("next due timer", false, [](pqxx::transaction_base& tx) {
      auto row = tx.exec_prepared1("next_due_timer");
      if (row[0].is_null()) return std::optional<TimePoint>();
      return std::optional<TimePoint>(Time(row[0]));
    });
  }
  Result<std::int64_t> CountTimers(std::optional<TimerState> state) override {
    std::string name = state ? std::string(TimerStateName(*state)) : std::string();
    return Run("count timers", false, [&](pqxx::transaction_base& tx) {
      return tx.exec_prepared1("count_timers", name)[0].as<std::int64_t>();
    });
  }
  Result<std::vector<Timer>> ListTimers(const TimerFilter& f, PageRequest p) override {
    std::string state = f.state ? std::string(TimerStateName(*f.state)) : std::string();
    return Many<Timer>("list timers", MapTimer, "list_timers", f.kind, f.subject, state, f.site_id,
                       p.after_id, Limit(p.limit));
  }

  // ---- runtime: duty instances
  Result<std::optional<Id>> InsertDutyInstance(const DutyInstance& v) override {
    return Run("insert duty instance", true, [&](pqxx::transaction_base& tx) {
      auto rows = tx.exec_prepared(
          "insert_duty_instance", v.site_id, v.post_id, v.duty, v.target, v.key, Micros64(v.due_at),
          Micros64(v.window_end), Micros64(v.miss_at), v.required, v.completions,
          std::string(DutyStateName(v.state)), v.answers, Micros64(v.created_at));
      return rows.empty() ? std::optional<Id>() : std::optional<Id>(rows[0][0].as<Id>());
    });
  }
  Result<DutyInstance> GetDutyInstance(Id id) override {
    return One<DutyInstance>("get duty instance",
                             "duty instance " + std::to_string(id) + " does not exist", MapDuty,
                             "get_duty_instance", id);
  }
  Result<void> UpdateDutyInstance(const DutyInstance& v) override {
    ZHIDU_TRY(bool changed, Changed("update duty instance", "update_duty_instance", v.id,
                                    std::string(DutyStateName(v.state)), v.started_by,
                                    Micros64(v.started_at), v.completions, v.completed_by,
                                    v.completed_person, Micros64(v.completed_at), v.answers));
    return Found(changed, "duty instance", v.id);
  }
  Result<std::vector<DutyInstance>> ListDutyInstances(const DutyFilter& f, PageRequest p) override {
    std::string state = f.state ? std::string(DutyStateName(*f.state)) : std::string();
    return Many<DutyInstance>(
        "list duty instances", MapDuty, "list_duty_instances", f.site_id, f.post_id, f.duty, state,
        Micros64(f.due_from.value_or(TimePoint::min())),
        Micros64(f.due_before.value_or(TimePoint::max())), p.after_id, Limit(p.limit));
  }

  // ---- runtime: attendance
  Result<Id> InsertAttendance(const Attendance& v) override {
    return InsertReturningId("insert attendance", "insert_attendance", v.site_id, v.post_id,
                             v.person_id, Micros64(v.started_at), Micros64(v.ended_at),
                             v.relieved_by);
  }
  Result<void> EndAttendance(Id id, TimePoint at, Id relieved_by) override {
    ZHIDU_TRY(bool changed,
              Changed("end attendance", "end_attendance", id, Micros64(at), relieved_by));
    if (changed) return Ok();
    ZHIDU_TRY(auto rows, Many<Id>(
                             "get attendance", [](const pqxx::row& r) { return r[0].as<Id>(); },
                             "get_attendance_id", id));
    if (rows.empty())
      return Fail(Errc::kNotFound, "attendance " + std::to_string(id) + " does not exist");
    return Fail(Errc::kFailedPrecondition,
                "attendance " + std::to_string(id) + " has already ended");
  }
  Result<std::vector<Attendance>> ListAttendanceAt(Id post_id, Id person_id,
                                                   TimePoint at) override {
    return Many<Attendance>("list attendance", MapAttendance, "list_attendance_at", post_id,
                            person_id, Micros64(at));
  }

  // ---- runtime: violations
  Result<Id> InsertViolation(const Violation& v) override {
    return InsertReturningId("insert violation", "insert_violation", v.site_id, v.person_id,
                             v.department_id, v.post_id, v.code, v.clauses, v.source, v.subject,
                             Micros64(v.occurred_at), v.recorded_by, v.note, v.occurrence,
                             v.consequence, v.fine_fen, std::string(ViolationStateName(v.state)),
                             Micros64(v.created_at), v.party);
  }
  Result<Violation> GetViolation(Id id) override {
    return One<Violation>("get violation", "violation " + std::to_string(id) + " does not exist",
                          MapViolation, "get_violation", id);
  }
  Result<void> UpdateViolation(const Violation& v) override {
    ZHIDU_TRY(bool changed,
              Changed("update violation", "update_violation", v.id,
                      std::string(ViolationStateName(v.state)), v.appeal, Micros64(v.appealed_at),
                      v.decided_by, Micros64(v.decided_at), v.decision_note));
    return Found(changed, "violation", v.id);
  }
  Result<std::vector<Violation>> ListViolations(const ViolationFilter& f, PageRequest p) override {
    std::string state = f.state ? std::string(ViolationStateName(*f.state)) : std::string();
    return Many<Violation>(
        "list violations", MapViolation, "list_violations", f.site_id, f.person_id, f.department_id,
        f.code, state, Micros64(f.from.value_or(TimePoint::min())),
        Micros64(f.before.value_or(TimePoint::max())), p.after_id, Limit(p.limit), f.party);
  }
  Result<std::int64_t> CountViolations(Id person_id, const std::string& code, TimePoint from,
                                       TimePoint before) override {
    return Run("count violations", false, [&](pqxx::transaction_base& tx) {
      return tx
          .exec_prepared1("count_violations", person_id, code, Micros64(from), Micros64(before))[0]
          .as<std::int64_t>();
    });
  }

  // ---- runtime: requests and approvals
  Result<Id> InsertApprovalRequest(const ApprovalRequest& v) override {
    return InsertReturningId("insert approval request", "insert_approval_request", v.site_id,
                             v.type, v.applicant, v.applicant_person, v.inputs, v.reason,
                             std::string(RequestStateName(v.state)), Micros64(v.created_at),
                             Micros64(v.updated_at));
  }
  Result<ApprovalRequest> GetApprovalRequest(Id id) override {
    return One<ApprovalRequest>("get approval request",
                                "request " + std::to_string(id) + " does not exist", MapRequest,
                                "get_approval_request", id);
  }
  Result<void> DecideApprovalRequest(Id id, RequestState state, TimePoint at) override {
    ZHIDU_TRY(bool changed, Changed("decide approval request", "decide_approval_request", id,
                                    std::string(RequestStateName(state)), Micros64(at)));
    if (changed) return Ok();
    ZHIDU_TRY(ApprovalRequest r, GetApprovalRequest(id));
    return Fail(Errc::kFailedPrecondition, "request " + std::to_string(id) + " is already " +
                                               std::string(RequestStateName(r.state)));
  }
  Result<std::vector<ApprovalRequest>> ListApprovalRequests(const RequestFilter& f,
                                                            PageRequest p) override {
    std::string state = f.state ? std::string(RequestStateName(*f.state)) : std::string();
    return Many<ApprovalRequest>("list approval requests", MapRequest, "list_approval_requests",
                                 f.site_id, f.type, f.applicant, state, p.after_id, Limit(p.limit));
  }
  Result<Id> InsertApprovalDecision(const ApprovalDecision& v) override {
    return InsertReturningId("insert approval decision", "insert_approval_decision", v.request_id,
                             v.step, v.account_id, v.approve, v.signed_, v.escort_person, v.note,
                             Micros64(v.at));
  }
  Result<std::vector<ApprovalDecision>> ListApprovalDecisions(Id request_id) override {
    return Many<ApprovalDecision>("list approval decisions", MapDecision, "list_approval_decisions",
                                  request_id);
  }

  // ---- site parameters
  Result<void> PutSiteParameter(const SiteParameter& v) override {
    return Exec("put site parameter", "put_site_parameter", v.site_id, v.name, v.value,
                v.updated_by, Micros64(v.updated_at));
  }
  Result<std::vector<SiteParameter>> ListSiteParameters(Id site_id) override {
    return Many<SiteParameter>(
        "list site parameters",
        [](const pqxx::row& r) {
          return SiteParameter{r[0].as<Id>(), r[1].as<std::string>(), r[2].as<std::string>(),
                               r[3].as<Id>(), Time(r[4])};
        },
        "list_site_parameters", site_id);
  }

  // ---- procedures and deadlines
  Result<Id> InsertProcedureInstance(const ProcedureInstance& v) override {
    return InsertReturningId("insert procedure instance", "insert_procedure_instance", v.site_id,
                             v.procedure, v.state, v.subject, v.ref, v.data, v.notes, v.person_id,
                             v.started_by, Micros64(v.started_at), Micros64(v.updated_at),
                             Micros64(v.closed_at));
  }
  Result<ProcedureInstance> GetProcedureInstance(Id id) override {
    return One<ProcedureInstance>("get procedure instance",
                                  "procedure instance " + std::to_string(id) + " does not exist",
                                  MapProcedure, "get_procedure_instance", id);
  }
  Result<void> UpdateProcedureInstance(const ProcedureInstance& v,
                                       const std::string& from) override {
    ZHIDU_TRY(bool changed,
              Changed("update procedure instance", "update_procedure_instance", v.id, v.state,
                      v.notes, Micros64(v.updated_at), Micros64(v.closed_at), from));
    if (changed) return Ok();
    ZHIDU_TRY(ProcedureInstance cur, GetProcedureInstance(v.id));
    return Fail(Errc::kFailedPrecondition, "procedure instance " + std::to_string(v.id) +
                                               " is in state " + cur.state + ", not " + from);
  }
  Result<std::vector<ProcedureInstance>> ListProcedureInstances(const ProcedureFilter& f,
                                                                PageRequest p) override {
    int open = f.open ? (*f.open ? 1 : 0) : -1;
    const bool by_ref = f.site_id != 0 && !f.ref.empty();
    return Many<ProcedureInstance>(
        "list procedure instances", MapProcedure,
        by_ref ? "list_procedure_instances_by_ref" : "list_procedure_instances", f.site_id,
        f.procedure, f.state, f.ref, open, p.after_id, Limit(p.limit));
  }
  Result<Id> InsertProcedureTransition(const ProcedureTransition& v) override {
    return InsertReturningId("insert procedure transition", "insert_procedure_transition",
                             v.instance_id, v.from_state, v.to_state, v.event, v.account_id,
                             v.person_id, v.note, v.inputs, Micros64(v.at));
  }
  Result<std::vector<ProcedureTransition>> ListProcedureTransitions(Id instance_id) override {
    return Many<ProcedureTransition>(
        "list procedure transitions",
        [](const pqxx::row& r) {
          return ProcedureTransition{
              r[0].as<Id>(),          r[1].as<Id>(), r[2].as<std::string>(), r[3].as<std::string>(),
              r[4].as<std::string>(), r[5].as<Id>(), r[6].as<Id>(),          r[7].as<std::string>(),
              r[8].as<std::string>(), Time(r[9])};
        },
        "list_procedure_transitions", instance_id);
  }
  Result<Id> InsertProcedureTask(const ProcedureTask& v) override {
    return InsertReturningId("insert procedure task", "insert_procedure_task", v.instance_id,
                             v.state, v.kind, v.task, v.role, v.slot, v.person_id, v.assigned_by,
                             Micros64(v.assigned_at), v.done_by, Micros64(v.done_at), v.note);
  }
  Result<void> UpdateProcedureTask(const ProcedureTask& v) override {
    ZHIDU_TRY(bool changed, Changed("update procedure task", "update_procedure_task", v.id,
                                    v.person_id, v.assigned_by, Micros64(v.assigned_at), v.done_by,
                                    Micros64(v.done_at), v.note));
    return Found(changed, "procedure task", v.id);
  }
  Result<std::vector<ProcedureTask>> ListProcedureTasks(Id instance_id) override {
    return Many<ProcedureTask>(
        "list procedure tasks",
        [](const pqxx::row& r) {
          return ProcedureTask{r[0].as<Id>(),          r[1].as<Id>(),
                               r[2].as<std::string>(), r[3].as<std::string>(),
                               r[4].as<std::string>(), r[5].as<std::string>(),
                               r[6].as<int>(),         r[7].as<Id>(),
                               r[8].as<Id>(),          Time(r[9]),
                               r[10].as<Id>(),         Time(r[11]),
                               r[12].as<std::string>()};
        },
        "list_procedure_tasks", instance_id);
  }
  Result<Id> InsertDeadline(const Deadline& v) override {
    return InsertReturningId("insert deadline", "insert_deadline", v.site_id, v.service_level,
                             v.subject, v.ref, v.person_id, v.state, v.data, v.note,
                             Micros64(v.started_at), Micros64(v.due_at), Micros64(v.stopped_at),
                             Micros64(v.breached_at), v.started_by, v.stopped_by,
                             Micros64(v.paused_at), v.working_hours);
  }
  Result<Deadline> GetDeadline(Id id) override {
    return One<Deadline>("get deadline", "deadline " + std::to_string(id) + " does not exist",
                         MapDeadline, "get_deadline", id);
  }
  Result<void> UpdateDeadline(const Deadline& v, const std::string& from) override {
    ZHIDU_TRY(bool changed,
              Changed("update deadline", "update_deadline", v.id, v.state, Micros64(v.stopped_at),
                      Micros64(v.breached_at), v.stopped_by, v.note, from, Micros64(v.due_at),
                      Micros64(v.paused_at), v.data, v.working_hours));
    if (changed) return Ok();
    ZHIDU_TRY(Deadline cur, GetDeadline(v.id));
    return Fail(Errc::kFailedPrecondition,
                "deadline " + std::to_string(v.id) + " is " + cur.state + ", not " + from);
  }
  Result<std::vector<Deadline>> ListDeadlines(const DeadlineFilter& f, PageRequest p) override {
    const bool by_ref = f.site_id != 0 && !f.ref.empty();
    return Many<Deadline>("list deadlines", MapDeadline,
                          by_ref ? "list_deadlines_by_ref" : "list_deadlines", f.site_id,
                          f.service_level, f.state, f.ref, p.after_id, Limit(p.limit));
  }

  // ---- duty log: only the insert, for bench/gen_store.cpp (store.hpp)
  Result<Id> InsertDutyLogEntry(const DutyLogEntry& v) override {
    auto terms = ArrayTermsOf(TextTerms{v.index_bigrams, v.index_tokens});
    return InsertReturningId("insert duty log entry", "insert_duty_log", v.site_id, v.post_id,
                             v.kind, v.text, v.author, v.author_person, Micros64(v.at), v.corrects,
                             v.ref, v.repeat_count, Micros64(v.last_at), SqlTextArray(terms));
  }
  // ---- photos
  Result<bool> InsertPhoto(const Photo& v) override {
    return Changed("insert photo", "insert_photo", v.sha256, v.content_type, v.size_bytes,
                   pqxx::binarystring(v.data.data(), v.data.size()), v.stored_by,
                   Micros64(v.created_at));
  }
  Result<Photo> GetPhoto(const std::string& sha256, bool with_data) override {
    return One<Photo>("get photo", "photo " + sha256 + " does not exist", MapPhoto, "get_photo",
                      sha256, with_data);
  }

  // ---- journal
  // In a write unit the advisory lock taken at BEGIN stands in for FOR UPDATE (invariant 3).
  Result<JournalHead> ReadJournalHead() override {
    return Run("read journal head", false, [](pqxx::transaction_base& tx) {
      auto rows = tx.exec_prepared("read_journal_head");
      if (rows.empty()) return JournalHead{};
      return JournalHead{rows[0][0].as<std::int64_t>(), Digest(rows[0][1])};
    });
  }
  Result<JournalAudit> ReadJournalAudit() override {
    return Run("read journal audit", false, [](pqxx::transaction_base& tx) {
      JournalAudit out;
      out.keeps_head = tx.exec1("SELECT to_regclass('journal_head') IS NOT NULL")[0].as<bool>();
      if (out.keeps_head) {
        auto rows = tx.exec("SELECT seq, hash FROM journal_head WHERE id = 1");
        if (!rows.empty())
          out.recorded_head = JournalHead{rows[0][0].as<std::int64_t>(), Digest(rows[0][1])};
      }
      out.data_rows =
          tx.exec1("SELECT (SELECT count(*) FROM accounts) + (SELECT count(*) FROM sites)")[0]
              .as<std::int64_t>();
      return out;
    });
  }
  Result<void> AppendJournal(const JournalRecord& r) override {
    if (mode_ == Mode::kRead || r.seq < 1)
      return Exec("append journal record", "append_journal", r.seq, Micros64(r.at), r.kind, r.actor,
                  r.subject, r.payload, Bytes(r.prev_hash), Bytes(r.hash));
    if (!tx_)
      return Fail(Errc::kFailedPrecondition,
                  "append journal record: the unit of work has already finished");
    journal_.push_back(r);  // invariant 6
    return Ok();
  }
  Result<std::vector<JournalRecord>> ReadJournal(std::int64_t after_seq, int limit) override {
    return Many<JournalRecord>("read journal", MapJournal, "read_journal", after_seq, Limit(limit));
  }
  // Keyset pages of kScanPageRows in seq order (the primary key), inside this unit's snapshot:
  // memory stays bounded however long the journal is.
  Result<void> ScanJournalRange(std::int64_t first_seq, std::int64_t last_seq,
                                const std::function<bool(const JournalRecord&)>& visit) override {
    if (first_seq > last_seq) return Ok();
    // Keyset pages start after `after`; the first page must include first_seq itself.
    std::int64_t after =
        first_seq == std::numeric_limits<std::int64_t>::min() ? first_seq : first_seq - 1;
    bool include_min = first_seq == std::numeric_limits<std::int64_t>::min();
    for (;;) {
      ZHIDU_TRY(auto page, Many<JournalRecord>("scan journal", MapJournal, "scan_journal_range",
                                               after, last_seq, include_min, kScanPageRows));
      include_min = false;
      for (const auto& record : page)
        if (!visit(record)) return Ok();
      if (static_cast<std::int64_t>(page.size()) < kScanPageRows) return Ok();
      after = page.back().seq;
    }
  }

  // ---- webhook channels
  Result<Id> InsertWebhookChannel(const WebhookChannel& v) override {
    return InsertReturningId("insert webhook channel", "insert_webhook_channel", v.name, v.format,
                             v.url, v.kinds, v.site_id, v.created_by, Micros64(v.created_at),
                             v.disabled);
  }
  Result<WebhookChannel> GetWebhookChannel(Id id) override {
    return One<WebhookChannel>("get webhook channel",
                               "webhook channel " + std::to_string(id) + " does not exist",
                               MapWebhookChannel, "get_webhook_channel", id);
  }
  Result<std::vector<WebhookChannel>> ListWebhookChannels(bool include_disabled) override {
    return Many<WebhookChannel>("list webhook channels", MapWebhookChannel, "list_webhook_channels",
                                include_disabled);
  }
  Result<void> DisableWebhookChannel(Id id) override {
    ZHIDU_TRY(bool changed, Changed("disable webhook channel", "disable_webhook_channel", id));
    if (changed) return Ok();
    ZHIDU_TRY(auto channel, GetWebhookChannel(id));
    (void)channel;
    return Fail(Errc::kFailedPrecondition,
                "webhook channel " + std::to_string(id) + " is already deleted");
  }

 private:
  // Sends the kept journal records (invariant 6) in statements of 64, 16, 4 and 1 rows.
  Result<void> SendJournal() {
    if (journal_.empty()) return Ok();
    std::vector<JournalRecord> records = std::move(journal_);
    journal_.clear();
    static const SqlRows kRows(
        "INSERT INTO journal(seq, at, kind, actor, subject, payload, "
        "prev_hash, hash) VALUES ",
        "(?,?,?,?,?,?,?,?)", "");
    sending_journal_ = true;
    std::vector<std::string> text;
    std::vector<const char*> values;
    Result<void> sent = kRows.ForChunks(
        records.size(), [&](const std::string& sql, size_t first, size_t rows) -> Result<void> {
          text.clear();
          for (size_t i = first; i < first + rows; ++i) {
            const JournalRecord& r = records[i];
            text.insert(text.end(), {std::to_string(r.seq), std::to_string(Micros64(r.at)), r.kind,
                                     std::to_string(r.actor), r.subject, r.payload,
                                     "\\x" + ToHex(r.prev_hash), "\\x" + ToHex(r.hash)});
          }
          values.clear();
          for (const auto& t : text) values.push_back(t.c_str());
          const std::string name = "append_journal_" + std::to_string(rows);
          return Run("append journal record", true, [&](pqxx::transaction_base& tx) {
            tx.conn().prepare(name, NumberedPlaceholders(sql));
            tx.exec_prepared(name, pqxx::prepare::make_dynamic_params(values));
          });
        });
    sending_journal_ = false;
    if (!sent) MarkAborted(sent.error());
    return sent;
  }

  void MarkAborted(const Error& e) {
    if (!aborted_) first_error_ = e.message;
    aborted_ = true;
  }

  // Ends the pqxx transaction object (the server side was ended with COMMIT/ROLLBACK).
  void EndTx() {
    stmt_savepoint_ = false;
    if (!tx_) return;
    try {
      tx_->commit();
    } catch (...) {
    }
    tx_.reset();
  }

  // The unit is over: the connection goes back to its owner.
  void Finish() {
    EndTx();
    if (release_) {
      auto release = std::move(release_);
      release_ = nullptr;
      release(std::move(conn_), broken_);
    }
  }

  // Runs a mutating statement; true when it changed (returned) a row.
  template <typename... Args>
  Result<bool> Changed(std::string_view what, const char* statement, Args&&... args) {
    return Run(what, true, [&](pqxx::transaction_base& tx) {
      return !tx.exec_prepared(statement, std::forward<Args>(args)...).empty();
    });
  }
  static Result<void> Found(bool changed, std::string_view noun, Id id) {
    if (changed) return Ok();
    return Fail(Errc::kNotFound, std::string(noun) + " " + std::to_string(id) + " does not exist");
  }
  Result<void> NotClaimed(std::string_view what, Id id, const std::string& node_id) {
    ZHIDU_TRY(Timer t, GetTimer(id));
    return Fail(Errc::kConflict, std::string(what) + ": timer " + std::to_string(id) + " is " +
                                     std::string(TimerStateName(t.state)) + " by \"" +
                                     t.claimed_by + "\", not claimed by \"" + node_id + "\"");
  }

  template <typename... Args>
  Result<Id> InsertReturningId(std::string_view what, const char* statement, Args&&... args) {
    return Run(what, true, [&](pqxx::transaction_base& tx) {
      return tx.exec_prepared1(statement, std::forward<Args>(args)...)[0].template as<Id>();
    });
  }
  template <typename... Args>
  Result<void> Exec(std::string_view what, const char* statement, Args&&... args) {
    return Run(what, true, [&](pqxx::transaction_base& tx) {
      tx.exec_prepared(statement, std::forward<Args>(args)...);
    });
  }
  template <typename T, typename Map, typename... Args>
  Result<T> One(std::string_view what, std::string not_found, Map map, const char* statement,
                Args&&... args) {
    ZHIDU_TRY(std::optional<T> row, Run(what, false, [&](pqxx::transaction_base& tx) {
                auto rows = tx.exec_prepared(statement, std::forward<Args>(args)...);
                return rows.empty() ? std::optional<T>() : std::optional<T>(map(rows[0]));
              }));
    if (!row) return Fail(Errc::kNotFound, std::move(not_found));
    return std::move(*row);
  }
  template <typename T, typename Map, typename... Args>
  Result<std::vector<T>> Many(std::string_view what, Map map, const char* statement,
                              Args&&... args) {
    return Run(what, false, [&](pqxx::transaction_base& tx) {
      return Collect<T>(tx.exec_prepared(statement, std::forward<Args>(args)...), map);
    });
  }

  // The portable statements of modules (store/sql.hpp), through Run (invariants 1 and 2).
  class PgSql final : public Sql {
   public:
    explicit PgSql(PgUnit& unit) : unit_(unit) {}
    Dialect dialect() const override { return Dialect::kPostgres; }
    Result<std::int64_t> Exec(std::string_view what, std::string_view sql,
                              const SqlParams& params) override {
      return unit_.Run(what, true, [&](pqxx::transaction_base& tx) {
        return static_cast<std::int64_t>(Send(tx, sql, params).affected_rows());
      });
    }
    Result<void> Query(std::string_view what, std::string_view sql, const SqlParams& params,
                       const std::function<void(const SqlRow&)>& row) override {
      // A SELECT needs no savepoint; a change with RETURNING does.
      bool mutates = !sql.starts_with("SELECT") && !sql.starts_with("WITH");
      ZHIDU_TRY(pqxx::result rows, unit_.Run(what, mutates, [&](pqxx::transaction_base& tx) {
        return Send(tx, sql, params);
      }));
      for (const auto& r : rows) row(Row(r));
      return Ok();
    }

   private:
    class Row final : public SqlRow {
     public:
      explicit Row(const pqxx::row& r) : r_(r) {}
      bool IsNull(int col) const override { return r_[col].is_null(); }
      std::int64_t Int(int col) const override {
        return r_[col].is_null() ? 0 : r_[col].as<std::int64_t>();
      }
      std::string Text(int col) const override {
        return r_[col].is_null() ? std::string() : std::string(r_[col].c_str(), r_[col].size());
      }

     private:
      const pqxx::row& r_;
    };
    static pqxx::result Send(pqxx::transaction_base& tx, std::string_view sql,
                             const SqlParams& params) {
      std::vector<std::string> text(params.size());
      std::vector<const char*> values(params.size(), nullptr);
      for (size_t i = 0; i < params.size(); ++i) {
        if (const auto* n = std::get_if<std::int64_t>(&params[i]))
          text[i] = std::to_string(*n);
        else if (const auto* t = std::get_if<std::string>(&params[i]))
          text[i] = *t;
        else
          continue;  // NULL
        values[i] = text[i].c_str();
      }
      const PreparedText& p = PreparedFor(sql);
      // Registers the name on this connection unless it is already (libpqxx prepares it on the
      // server at its first execution on the connection, and compares the text on later calls).
      tx.conn().prepare(p.name, p.numbered);
      return tx.exec_prepared(p.name, pqxx::prepare::make_dynamic_params(values));
    }
    // One statement name per distinct SQL text, shared by every connection of the process.
    struct PreparedText {
      std::string name;      // "zhidu_sql_N"
      std::string numbered;  // the text with $1, $2 … (NumberedPlaceholders)
    };
    static const PreparedText& PreparedFor(std::string_view sql) {
      static std::mutex mu;
      // Node-based: a reference to an element stays valid while others are inserted.
      static std::unordered_map<std::string, PreparedText> texts;
      std::lock_guard lock(mu);
      auto it = texts.find(std::string(sql));
      if (it == texts.end()) {
        PreparedText p{"zhidu_sql_" + std::to_string(texts.size() + 1), NumberedPlaceholders(sql)};
        it = texts.emplace(std::string(sql), std::move(p)).first;
      }
      return it->second;
    }
    PgUnit& unit_;
  };

  Connection conn_;
  Mode mode_;
  Release release_;
  std::unique_ptr<pqxx::nontransaction> tx_;  // set between Begin() and Commit()/rollback
  bool broken_ = false;                       // the connection must not be reused
  bool aborted_ = false;                      // the server transaction is in the failed state
  bool stmt_savepoint_ = false;               // a succeeded verb's zhidu_stmt is not released yet
  std::string first_error_;
  std::vector<JournalRecord> journal_;  // appended, not sent yet (invariant 6)
  bool sending_journal_ = false;
  PgSql sql_;
};

// ---------------------------------------------------------------- store

class PgStore final : public Store {
 public:
  PgStore(std::string url, Connection writer, int pool_size)
      : url_(std::move(url)), writer_(std::move(writer)), pool_size_(std::max(1, pool_size)) {}

  std::string_view backend() const override { return "postgresql"; }

  Result<void> Migrate() override {
    ZHIDU_TRY(auto unit, StartWrite(Mode::kMigrate));
    ZHIDU_TRY_VOID(unit->Run("create schema_migrations", false, [](pqxx::transaction_base& tx) {
      // applied_at: seconds since the epoch, as in the SQLite backend.
      tx.exec(
          "CREATE TABLE IF NOT EXISTS schema_migrations(version INTEGER PRIMARY KEY, "
          "applied_at BIGINT NOT NULL)");
    }));
    ZHIDU_TRY(int current, unit->Run("read schema version", false, [](pqxx::transaction_base& tx) {
      return tx.exec1("SELECT coalesce(max(version),0) FROM schema_migrations")[0].as<int>();
    }));
    const auto& migrations = PostgresMigrations();
    for (int v = current + 1; v <= static_cast<int>(migrations.size()); ++v) {
      ZHIDU_TRY_VOID(
          unit->Run("migration " + std::to_string(v), false, [&](pqxx::transaction_base& tx) {
            tx.exec(migrations[v - 1]);
            tx.exec_params(
                "INSERT INTO schema_migrations(version, applied_at) "
                "VALUES($1, extract(epoch from now())::bigint)",
                v);
          }));
    }
    return unit->Commit();
  }

  Result<void> MigrateModule(std::string_view module,
                             const std::vector<Migration>& migrations) override {
    ZHIDU_TRY(auto unit, StartWrite(Mode::kMigrate));
    std::string name(module);
    ZHIDU_TRY_VOID(unit->Run("create module_migrations", false, [](pqxx::transaction_base& tx) {
      tx.exec(
          "CREATE TABLE IF NOT EXISTS module_migrations(module TEXT NOT NULL, "
          "version INTEGER NOT NULL, applied_at BIGINT NOT NULL, PRIMARY KEY(module, version))");
    }));
    ZHIDU_TRY(int current,
              unit->Run("read module schema version", false, [&](pqxx::transaction_base& tx) {
                return tx
                    .exec_params1(
                        "SELECT coalesce(max(version),0) FROM module_migrations WHERE module=$1",
                        name)[0]
                    .as<int>();
              }));
    for (const auto& m : migrations) {
      if (m.version <= current) continue;
      std::string ddl = DialectSql(m.sql, Dialect::kPostgres);
      ZHIDU_TRY_VOID(unit->Run(name + " migration " + std::to_string(m.version), false,
                               [&](pqxx::transaction_base& tx) {
                                 tx.exec(ddl);
                                 tx.exec_params(
                                     "INSERT INTO module_migrations(module, version, applied_at) "
                                     "VALUES($1, $2, extract(epoch from now())::bigint)",
                                     name, m.version);
                               }));
    }
    return unit->Commit();
  }

  Result<int> SchemaVersion() override {
    ZHIDU_TRY(auto unit, StartRead());
    return unit->Run("read schema version", false, [](pqxx::transaction_base& tx) {
      if (tx.exec1("SELECT to_regclass('schema_migrations') IS NULL")[0].as<bool>()) return 0;
      return tx.exec1("SELECT coalesce(max(version),0) FROM schema_migrations")[0].as<int>();
    });
  }

  Result<std::unique_ptr<UnitOfWork>> BeginWrite() override {
    ZHIDU_TRY(auto unit, StartWrite(Mode::kWrite));
    return std::unique_ptr<UnitOfWork>(std::move(unit));
  }

  Result<std::unique_ptr<UnitOfWork>> BeginRead() override {
    ZHIDU_TRY(auto unit, StartRead());
    return std::unique_ptr<UnitOfWork>(std::move(unit));
  }

 private:
  // Opens the transaction; on a broken connection, once more on a fresh one (invariant 5).
  Result<std::unique_ptr<PgUnit>> Start(std::unique_ptr<PgUnit> unit, bool writer) {
    auto begun = unit->Begin();
    if (!begun && unit->broken()) {
      ZHIDU_TRY(Connection fresh, Connect(url_, writer));
      unit->Reconnect(std::move(fresh));
      begun = unit->Begin();
    }
    if (!begun) return Fail(begun.error());
    return unit;
  }

  Result<std::unique_ptr<PgUnit>> StartWrite(Mode mode) {
    Connection conn;
    {
      std::lock_guard lock(writer_mu_);
      if (writer_out_)
        return Fail(Errc::kFailedPrecondition,
                    "begin write: a write unit is already open (only the writer writes, one "
                    "transaction at a time)");
      writer_out_ = true;
      conn = std::move(writer_);
    }
    if (conn && IdleConnectionIsDead(*conn)) conn.reset();
    auto unit = std::make_unique<PgUnit>(std::move(conn), mode, [this](Connection c, bool broken) {
      std::lock_guard lock(writer_mu_);
      if (!broken) writer_ = std::move(c);
      writer_out_ = false;
    });
    return Start(std::move(unit), true);
  }

  Result<std::unique_ptr<PgUnit>> StartRead() {
    Connection conn;
    {
      std::unique_lock lock(pool_mu_);
      if (!pool_cv_.wait_for(lock, kPoolWait,
                             [&] { return !idle_.empty() || open_readers_ < pool_size_; }))
        return Fail(Errc::kUnavailable, "begin read: all " + std::to_string(pool_size_) +
                                            " PostgreSQL read connections stayed busy for " +
                                            std::to_string(kPoolWait.count()) + " s");
      if (!idle_.empty()) {
        conn = std::move(idle_.back());
        idle_.pop_back();
      } else {
        ++open_readers_;  // a slot for the connection opened below
      }
    }
    if (conn && IdleConnectionIsDead(*conn)) conn.reset();
    auto unit = std::make_unique<PgUnit>(
        std::move(conn), Mode::kRead,
        [this](Connection c, bool broken) { Return(std::move(c), broken); });
    return Start(std::move(unit), false);
  }

  // Takes back a read connection (or its slot, when it broke or never opened).
  void Return(Connection conn, bool broken) {
    {
      std::lock_guard lock(pool_mu_);
      if (conn && !broken) {
        idle_.push_back(std::move(conn));
      } else {
        --open_readers_;
      }
    }
    pool_cv_.notify_one();
  }

  const std::string url_;
  std::mutex writer_mu_;
  Connection writer_;  // null while a write unit holds it or after it broke
  bool writer_out_ = false;
  const int pool_size_;
  std::mutex pool_mu_;
  std::condition_variable pool_cv_;
  std::vector<Connection> idle_;
  int open_readers_ = 0;  // idle + checked out (+ being opened)
};

// `url` with its database replaced by `dbname`, as a key=value connection string.
Result<std::string> WithDatabase(const std::string& url, const std::string& dbname) {
  char* err = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &err);
  if (!options) {
    std::string msg = err ? CleanMessage(err) : "out of memory";
    PQfreemem(err);
    return Fail(Errc::kInvalidArgument, "invalid PostgreSQL URL: " + msg);
  }
  auto quote = [](std::string_view v) {
    std::string out = "'";
    for (char c : v) {
      if (c == '\'' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    return out + "'";
  };
  std::string out;
  for (auto* o = options; o->keyword; ++o) {
    std::string_view key = o->keyword;
    if (key == "dbname" || !o->val) continue;
    out += std::string(key) + "=" + quote(o->val) + " ";
  }
  PQconninfoFree(options);
  return out + "dbname=" + quote(dbname);
}

}  // namespace

Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url, int pool_size) {
  ZHIDU_TRY(Connection writer, Connect(url, true));
  return std::unique_ptr<Store>(std::make_unique<PgStore>(url, std::move(writer), pool_size));
}

Result<std::string> CreatePostgresTestDatabase(const std::string& url) {
  std::string name = "zhidu_test_" + RandomHex(8);
  ZHIDU_TRY(std::string target, WithDatabase(url, name));
  ZHIDU_TRY(Connection admin, Connect(url, false));
  bool broken = false;
  try {
    pqxx::nontransaction tx(*admin);
    tx.exec("CREATE DATABASE " + name + " TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' " +
            "LC_CTYPE 'C'");
    tx.commit();
  } catch (...) {
    return Fail(ConvertException("create database " + name, broken));
  }
  return target;
}

Result<void> TerminatePostgresSessionsForTest(const std::string& url) {
  ZHIDU_TRY(Connection admin, Connect(url, false));
  bool broken = false;
  try {
    pqxx::nontransaction tx(*admin);
    tx.exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()");
    // pg_terminate_backend only signals: wait until the sessions have really gone.
    for (int i = 0; i < 500; ++i) {
      auto left = tx.exec1(
          "SELECT count(*) FROM pg_stat_activity "
          "WHERE datname = current_database() AND pid <> pg_backend_pid()")[0];
      if (left.as<std::int64_t>() == 0) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    tx.commit();
    return Ok();
  } catch (...) {
    return Fail(ConvertException("terminate sessions", broken));
  }
}

Result<std::unique_ptr<Store>> OpenFreshPostgresStoreForTest(const std::string& url) {
  ZHIDU_TRY(std::string target, CreatePostgresTestDatabase(url));
  return OpenPostgresStore(target);
}

}  // namespace zhidu::store
