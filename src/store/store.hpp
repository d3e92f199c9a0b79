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

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
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

  // ---- handovers (交接班)
  // kConflict when the post already has an open handover.
  virtual Result<Id> InsertHandover(const Handover& v) = 0;
  virtual Result<Handover> GetHandover(Id id) = 0;
  // Writes the mutable fields (state, answers, acknowledgements, signatures, refusal,
  // seal_sha256, closed_at) of an open handover; kFailedPrecondition when it is no longer open.
  virtual Result<void> UpdateHandover(const Handover& v) = 0;
  // Keyset page by id, ascending.
  virtual Result<std::vector<Handover>> ListHandovers(const HandoverFilter& filter,
                                                      PageRequest page) = 0;
  // The post's most recent handover in `state` (highest id), nullopt when none.
  virtual Result<std::optional<Handover>> LatestHandover(Id post_id, HandoverState state) = 0;

  // ---- site parameters (本单位参数)
  // Inserts or replaces the value of (site_id, name).
  virtual Result<void> PutSiteParameter(const SiteParameter& v) = 0;
  // Ordered by name.
  virtual Result<std::vector<SiteParameter>> ListSiteParameters(Id site_id) = 0;

  // ---- journal (append-only; there is deliberately no update or delete verb)
  // In a write unit the head is read under the writer's lock (PostgreSQL: FOR UPDATE), so that
  // several processes appending to one database extend one chain.
  virtual Result<JournalHead> ReadJournalHead() = 0;
  virtual Result<void> AppendJournal(const JournalRecord& record) = 0;
  // Records with seq > after_seq, ascending, at most `limit`.
  virtual Result<std::vector<JournalRecord>> ReadJournal(std::int64_t after_seq, int limit) = 0;
  // Streams every record in seq order to `visit` (stops early when it returns false). For verify:
  // does not materialise the journal in memory.
  virtual Result<void> ScanJournal(const std::function<bool(const JournalRecord&)>& visit) = 0;

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
