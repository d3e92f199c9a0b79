// Store and UnitOfWork: the storage interface of zhidu, in domain verbs.
//
// Contracts:
//  1. A UnitOfWork is one transaction. Nothing it wrote is visible to others before Commit();
//     destroying it without Commit() rolls back.
//  2. Write units are used only by the single writer (store/writer.hpp); read units by anyone.
//  3. Verbs never throw; driver errors come back as Error: unique violations as kConflict,
//     missing rows as kNotFound, lost connections as kUnavailable.
//  4. SQL dialects live only in the backends (store/sqlite, store/postgres).
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "store/migration.hpp"
#include "store/sql.hpp"
#include "store/types.hpp"

namespace zhidu::store {

class UnitOfWork {
 public:
  virtual ~UnitOfWork() = default;

  // ---- transaction control
  virtual Result<void> Commit() = 0;
  // Savepoints let the writer batch many requests in one transaction and undo one of them.
  virtual Result<void> Savepoint() = 0;
  virtual Result<void> RollbackToSavepoint() = 0;
  virtual Result<void> ReleaseSavepoint() = 0;

  // Statements written once for both backends: how modules reach their own tables
  // (store/sql.hpp). New domain storage goes there, not into more verbs here.
  virtual Sql& sql() = 0;

  // ---- organisation (组织)
  virtual Result<Id> InsertSite(const Site& site) = 0;
  virtual Result<Site> GetSite(Id id) = 0;
  virtual Result<std::vector<Site>> ListSites(PageRequest page) = 0;
  virtual Result<Id> InsertDepartment(const Department& department) = 0;
  virtual Result<Department> GetDepartment(Id id) = 0;
  virtual Result<std::vector<Department>> ListDepartments(Id site_id, PageRequest page) = 0;
  virtual Result<Id> InsertTeam(const Team& team) = 0;
  virtual Result<Team> GetTeam(Id id) = 0;
  virtual Result<std::vector<Team>> ListTeams(Id site_id, PageRequest page) = 0;
  virtual Result<Id> InsertPost(const Post& post) = 0;
  virtual Result<Post> GetPost(Id id) = 0;
  virtual Result<std::vector<Post>> ListPosts(Id site_id, PageRequest page) = 0;
  virtual Result<Id> InsertPerson(const Person& person) = 0;
  virtual Result<Person> GetPerson(Id id) = 0;
  // Sets a person's birth date and education (either may be empty: not recorded).
  virtual Result<void> UpdatePersonProfile(Id id, const std::string& birth_date,
                                           const std::string& education) = 0;
  // site_id 0: every site.
  virtual Result<std::vector<Person>> ListPeople(Id site_id, PageRequest page) = 0;
  virtual Result<Id> InsertCertification(const Certification& certification) = 0;
  virtual Result<std::vector<Certification>> ListCertifications(Id person_id) = 0;

  // ---- accounts and authentication
  virtual Result<Id> InsertAccount(const Account& account) = 0;
  virtual Result<Account> GetAccount(Id id) = 0;
  virtual Result<Account> GetAccountByUsername(const std::string& username) = 0;
  virtual Result<std::vector<Account>> ListAccounts(PageRequest page) = 0;
  virtual Result<Id> InsertRoleGrant(const RoleGrant& grant) = 0;
  virtual Result<std::vector<RoleGrant>> ListRoleGrants(Id account_id) = 0;
  virtual Result<void> InsertSession(const Session& session) = 0;
  virtual Result<Session> GetSession(const std::string& token_hash) = 0;
  virtual Result<void> DeleteSession(const std::string& token_hash) = 0;
  virtual Result<Id> InsertApiToken(const ApiToken& token) = 0;
  virtual Result<ApiToken> GetApiTokenByHash(const std::string& token_hash) = 0;

  // ---- idempotent requests
  virtual Result<std::optional<IdempotentResponse>> GetIdempotentResponse(
      Id account_id, const std::string& key) = 0;
  virtual Result<void> InsertIdempotentResponse(const IdempotentResponse& response) = 0;
  // Records the response of a claimed key (inserted with status 0 in the write's transaction).
  virtual Result<void> CompleteIdempotentResponse(Id account_id, const std::string& key, int status,
                                                  const std::string& body) = 0;

  // ---- durable timers (定时器). State changes are conditional, so a verb that finds the timer in
  // another state changes nothing and says so.
  // Inserts a pending timer (state, claim and fire fields of `timer` are ignored); returns its id.
  virtual Result<Id> InsertTimer(const Timer& timer) = 0;
  // Inserts many pending timers in one statement per chunk; ids in the order of `timers`.
  virtual Result<std::vector<Id>> InsertTimers(const std::vector<Timer>& timers) = 0;
  virtual Result<Timer> GetTimer(Id id) = 0;
  // pending|claimed -> cancelled (fired_at = at). kNotFound if missing; kFailedPrecondition if
  // it already fired, failed or was cancelled.
  virtual Result<void> CancelTimer(Id id, TimePoint at) = 0;
  // Claims at most `limit` timers: pending ones with due_at <= now (earliest first) and claimed
  // ones whose lease ended (lease_until <= now). Each becomes claimed by `node_id` until
  // now + lease, attempts + 1. Returned ordered by (due_at, id). PostgreSQL locks the rows with
  // FOR UPDATE SKIP LOCKED, so concurrent claimers never get the same timer.
  virtual Result<std::vector<Timer>> ClaimDueTimers(TimePoint now, const std::string& node_id,
                                                    Micros lease, int limit) = 0;
  // claimed by `node_id` -> fired. kConflict when the timer is not (any longer) claimed by
  // `node_id` (its lease was taken over, it was cancelled or it fired): the caller must not run
  // the effect of the firing.
  virtual Result<void> MarkTimerFired(Id id, const std::string& node_id, TimePoint fired_at,
                                      bool late) = 0;
  // claimed by `node_id` -> failed (dead letter). kConflict as for MarkTimerFired.
  virtual Result<void> MarkTimerFailed(Id id, const std::string& node_id, TimePoint at) = 0;
  // The earliest instant at which ClaimDueTimers could return something: the earliest due_at of
  // a pending timer or lease_until of a claimed one; nullopt when there is none.
  virtual Result<std::optional<TimePoint>> NextDueAt() = 0;
  // Timers in `state` (nullopt: all).
  virtual Result<std::int64_t> CountTimers(std::optional<TimerState> state) = 0;
  // Keyset page by id, ascending.
  virtual Result<std::vector<Timer>> ListTimers(const TimerFilter& filter, PageRequest page) = 0;

  // ---- runtime: duty instances (例行职责实例)
  // Inserts unless an instance with the same key exists: the new id, or nullopt when the key is
  // taken (so planning the same occurrence twice is harmless).
  virtual Result<std::optional<Id>> InsertDutyInstance(const DutyInstance& v) = 0;
  virtual Result<DutyInstance> GetDutyInstance(Id id) = 0;
  // Writes the mutable fields: state, started_*, completions, completed_*, answers.
  virtual Result<void> UpdateDutyInstance(const DutyInstance& v) = 0;
  // Keyset page by id, ascending.
  virtual Result<std::vector<DutyInstance>> ListDutyInstances(const DutyFilter& filter,
                                                              PageRequest page) = 0;

  // ---- runtime: attendance on posts (在岗)
  virtual Result<Id> InsertAttendance(const Attendance& v) = 0;
  // Ends an open stint; kFailedPrecondition when it already ended, kNotFound when missing.
  virtual Result<void> EndAttendance(Id id, TimePoint at, Id relieved_by) = 0;
  // Stints on `post_id` (0: any) of `person_id` (0: anyone) that cover instant `at` (started_at
  // <= at and not ended by then); ordered by id.
  virtual Result<std::vector<Attendance>> ListAttendanceAt(Id post_id, Id person_id,
                                                           TimePoint at) = 0;

  // ---- runtime: violations (违规台账)
  virtual Result<Id> InsertViolation(const Violation& v) = 0;
  virtual Result<Violation> GetViolation(Id id) = 0;
  // Writes the appeal fields: state, appeal, appealed_at, decided_by, decided_at, decision_note.
  virtual Result<void> UpdateViolation(const Violation& v) = 0;
  virtual Result<std::vector<Violation>> ListViolations(const ViolationFilter& filter,
                                                        PageRequest page) = 0;
  // How many violations of `code` by `person_id` occurred in [from, before), not overturned.
  virtual Result<std::int64_t> CountViolations(Id person_id, const std::string& code,
                                               TimePoint from, TimePoint before) = 0;

  // ---- runtime: requests and approvals (申请与审批)
  virtual Result<Id> InsertApprovalRequest(const ApprovalRequest& v) = 0;
  virtual Result<ApprovalRequest> GetApprovalRequest(Id id) = 0;
  // pending -> `state`; kFailedPrecondition when the request is no longer pending.
  virtual Result<void> DecideApprovalRequest(Id id, RequestState state, TimePoint at) = 0;
  virtual Result<std::vector<ApprovalRequest>> ListApprovalRequests(const RequestFilter& filter,
                                                                    PageRequest page) = 0;
  virtual Result<Id> InsertApprovalDecision(const ApprovalDecision& v) = 0;
  // Ordered by id.
  virtual Result<std::vector<ApprovalDecision>> ListApprovalDecisions(Id request_id) = 0;

  // ---- site parameters (本单位参数)
  // Inserts or replaces the value of (site_id, name).
  virtual Result<void> PutSiteParameter(const SiteParameter& v) = 0;
  // Ordered by name.
  virtual Result<std::vector<SiteParameter>> ListSiteParameters(Id site_id) = 0;

  // ---- runtime: procedures (流程实例) and deadlines (时限)
  virtual Result<Id> InsertProcedureInstance(const ProcedureInstance& v) = 0;
  virtual Result<ProcedureInstance> GetProcedureInstance(Id id) = 0;
  // Moves an instance from state `from` (compare-and-set) and writes state, notes, updated_at,
  // closed_at. kFailedPrecondition when its state is no longer `from`; kNotFound when missing.
  virtual Result<void> UpdateProcedureInstance(const ProcedureInstance& v,
                                               const std::string& from) = 0;
  // Keyset page by id, ascending.
  virtual Result<std::vector<ProcedureInstance>> ListProcedureInstances(const ProcedureFilter& f,
                                                                        PageRequest page) = 0;
  virtual Result<Id> InsertProcedureTransition(const ProcedureTransition& v) = 0;
  // Ordered by id.
  virtual Result<std::vector<ProcedureTransition>> ListProcedureTransitions(Id instance_id) = 0;
  // kConflict when (instance, state, kind, task, slot) exists.
  virtual Result<Id> InsertProcedureTask(const ProcedureTask& v) = 0;
  // Writes person_id, assigned_by, assigned_at, done_by, done_at, note. kConflict when the person
  // already holds another assignment of the same instance and state (two people means two people).
  virtual Result<void> UpdateProcedureTask(const ProcedureTask& v) = 0;
  // Ordered by id.
  virtual Result<std::vector<ProcedureTask>> ListProcedureTasks(Id instance_id) = 0;
  virtual Result<Id> InsertDeadline(const Deadline& v) = 0;
  virtual Result<Deadline> GetDeadline(Id id) = 0;
  // Moves a deadline from state `from` (compare-and-set) and writes state, stopped_at,
  // breached_at, stopped_by, note. kFailedPrecondition when its state is no longer `from`.
  virtual Result<void> UpdateDeadline(const Deadline& v, const std::string& from) = 0;
  // Keyset page by id, ascending.
  virtual Result<std::vector<Deadline>> ListDeadlines(const DeadlineFilter& f,
                                                      PageRequest page) = 0;
  // ---- duty log (值班记录): modules/dutylog/dutylog_store.cpp writes and reads it. This one
  // verb stays for bench/gen_store.cpp, the W4 data generator (its source is part of the W4
  // data set's cache key, so it is not edited); the module does not call it, and
  // tests/store_dutylog_test.cpp proves the module finds what it inserts.
  // Inserts the entry and its index terms in the same transaction.
  virtual Result<Id> InsertDutyLogEntry(const DutyLogEntry& v) = 0;

  // ---- photos (kernel/photos)
  // Stores the photo unless its hash is stored already: true when inserted, false when it was
  // there (the bytes are the same by construction of the key).
  virtual Result<bool> InsertPhoto(const Photo& v) = 0;
  // kNotFound when no photo has this hash. `with_data` false leaves data empty.
  virtual Result<Photo> GetPhoto(const std::string& sha256, bool with_data) = 0;
  // ---- journal (append-only; there is deliberately no update or delete verb)
  // In a write unit the head is read under the writer's lock (PostgreSQL: FOR UPDATE), so that
  // several processes appending to one database extend one chain.
  virtual Result<JournalHead> ReadJournalHead() = 0;
  virtual Result<void> AppendJournal(const JournalRecord& record) = 0;
  // Records with seq > after_seq, ascending, at most `limit`.
  virtual Result<std::vector<JournalRecord>> ReadJournal(std::int64_t after_seq, int limit) = 0;
  // Streams the records with first_seq <= seq <= last_seq in seq order to `visit` (stops early when
  // it returns false). For verify: does not materialise the journal in memory.
  virtual Result<void> ScanJournalRange(std::int64_t first_seq, std::int64_t last_seq,
                                        const std::function<bool(const JournalRecord&)>& visit) = 0;
  // The journal's surroundings for verify: the recorded head, the rows that imply a journal, the
  // file's own soundness (SQLite: PRAGMA quick_check, which reads the whole file).
  virtual Result<JournalAudit> ReadJournalAudit() = 0;
  // Every record: ScanJournalRange over the whole seq space.
  Result<void> ScanJournal(const std::function<bool(const JournalRecord&)>& visit) {
    return ScanJournalRange(std::numeric_limits<std::int64_t>::min(),
                            std::numeric_limits<std::int64_t>::max(), visit);
  }

  // ---- webhook channels (kernel/notify). Rows are never deleted: disabling is final.
  // kConflict when an enabled channel has the same name.
  virtual Result<Id> InsertWebhookChannel(const WebhookChannel& channel) = 0;
  virtual Result<WebhookChannel> GetWebhookChannel(Id id) = 0;
  // Ascending id; disabled channels only when `include_disabled`.
  virtual Result<std::vector<WebhookChannel>> ListWebhookChannels(bool include_disabled) = 0;
  // kNotFound when missing, kFailedPrecondition when already disabled.
  virtual Result<void> DisableWebhookChannel(Id id) = 0;
};

class Store {
 public:
  virtual ~Store() = default;
  // "sqlite" or "postgresql".
  virtual std::string_view backend() const = 0;
  // Applies pending versioned migrations; idempotent.
  virtual Result<void> Migrate() = 0;
  // Applies `module`'s pending migrations (version above the highest applied), in order, each
  // in its own transaction with its (module, version) row; idempotent. After Migrate().
  virtual Result<void> MigrateModule(std::string_view module,
                                     const std::vector<Migration>& migrations) = 0;
  // The schema version after Migrate().
  virtual Result<int> SchemaVersion() = 0;
  // A transaction that may write. Only the writer calls this.
  virtual Result<std::unique_ptr<UnitOfWork>> BeginWrite() = 0;
  // A read-only snapshot. Thread-safe; may be called from any thread.
  virtual Result<std::unique_ptr<UnitOfWork>> BeginRead() = 0;
};

struct StoreOptions {
  std::string sqlite_path;   // used when database_url is empty
  std::string database_url;  // postgresql://… selects the PostgreSQL backend
  int read_connections = 8;
};

}  // namespace zhidu::store
