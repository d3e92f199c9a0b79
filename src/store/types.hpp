// The records zhidu keeps, as the store hands them to the kernel. Plain values, no behaviour.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.hpp"
#include "base/crypto.hpp"

namespace zhidu::store {

using Id = std::int64_t;  // 0 means "none" in optional references

struct Site {
  Id id = 0;
  std::string name;
  std::string time_zone;  // IANA name, default Asia/Shanghai
  TimePoint created_at;
};

struct Department {  // 部门
  Id id = 0;
  Id site_id = 0;
  std::string name;
};

struct Team {  // 班组, the unit a shift pattern rotates
  Id id = 0;
  Id site_id = 0;
  Id department_id = 0;
  std::string name;
};

struct Post {  // 岗位
  Id id = 0;
  Id site_id = 0;
  Id department_id = 0;
  std::string name;
};

struct Person {  // 人员
  Id id = 0;
  Id site_id = 0;
  Id department_id = 0;
  Id team_id = 0;
  std::string name;
  std::string employee_no;  // unique when not empty
  std::string phone;
  TimePoint created_at;
  // What a post may require of its holder (R20 §二1: 高中以上的文化程度, 年龄宜在18至45周岁之间).
  std::string birth_date;  // "YYYY-MM-DD" or empty: not recorded
  std::string education;   // one of the site's education levels (参数 education_levels) or empty
};

struct Certification {  // 证书, e.g. 消防设施操作员
  Id id = 0;
  Id person_id = 0;
  std::string kind;
  std::string number;
  std::string expires_on;  // "YYYY-MM-DD" or empty for no expiry
};

struct Account {
  Id id = 0;
  std::string username;
  std::string password_hash;  // argon2id string (libsodium crypto_pwhash_str)
  Id person_id = 0;
  bool disabled = false;
  TimePoint created_at;
};

// A role held by an account within a scope. scope_kind is "global", "site" or "department".
struct RoleGrant {
  Id id = 0;
  Id account_id = 0;
  std::string role;
  std::string scope_kind = "global";
  Id scope_id = 0;
};

struct Session {
  std::string token_hash;  // hex SHA-256 of the cookie value; the value itself is never stored
  Id account_id = 0;
  std::string csrf_token;
  TimePoint created_at;
  TimePoint expires_at;
};

struct ApiToken {
  Id id = 0;
  Id account_id = 0;
  std::string name;
  std::string token_hash;  // hex SHA-256 of the bearer token
  TimePoint created_at;
  bool revoked = false;
};

// The first response to a POST carrying an Idempotency-Key, replayed for retries.
struct IdempotentResponse {
  Id account_id = 0;
  std::string key;
  std::string request_hash;  // hex SHA-256 of method, path and body: a different request reusing a
                             // key is a conflict
  int status = 0;
  std::string body;
  TimePoint created_at;
};

// One journal record; see docs/journal_format.md for the canonical bytes and the hash.
struct JournalRecord {
  std::int64_t seq = 0;  // 1, 2, 3 … without gaps
  TimePoint at;
  std::string kind;     // "auth.login", "org.site.created", …
  Id actor = 0;         // account id, 0 for the system
  std::string subject;  // what the record is about: "site/3", "account/7"
  std::string payload;  // canonical JSON text
  Sha256Digest prev_hash{};
  Sha256Digest hash{};
};

struct JournalHead {
  std::int64_t seq = 0;  // 0 when empty
  Sha256Digest hash{};   // all zero when empty
};

// What verify checks beside the chain (UnitOfWork::ReadJournalAudit).
struct JournalAudit {
  // The head the store keeps beside the journal, moved by a trigger in the same transaction as
  // every append (schema 14 on). keeps_head false: an older schema without it.
  bool keeps_head = false;
  std::optional<JournalHead> recorded_head;   // nullopt while keeps_head: its row was deleted
  std::int64_t data_rows = 0;                 // accounts and sites: written only with a journal
  std::vector<std::string> storage_problems;  // SQLite's quick_check findings; empty when sound
};

// ---- durable timers (定时器); see kernel/scheduler/scheduler.hpp for the life of a timer.
enum class TimerState {
  kPending,    // waiting for due_at
  kClaimed,    // a node holds a lease (claimed_by, lease_until) and is firing it
  kFired,      // its handler committed with the state change; final
  kCancelled,  // cancelled before it fired; final
  kFailed,     // its handler failed on every attempt; final (dead letter)
};
// "pending", "claimed", "fired", "cancelled", "failed".
std::string_view TimerStateName(TimerState state);
// The state named `name`, or nullopt.
std::optional<TimerState> ParseTimerState(std::string_view name);

struct Timer {
  Id id = 0;
  Id site_id = 0;       // 0: not tied to a site
  std::string kind;     // handler key: "reminder", "duty.due", …
  std::string subject;  // what it is about: "account/7", "duty/12"
  std::string payload;  // handler-defined text (canonical JSON by convention)
  TimePoint due_at;     // UTC, microseconds
  TimerState state = TimerState::kPending;
  std::string claimed_by;  // node id of the last claim; empty before the first
  TimePoint lease_until;   // end of the last claim's lease; epoch when never claimed
  TimePoint fired_at;      // when it fired (or failed/was cancelled); epoch otherwise
  bool late = false;       // fired more than the scheduler's tolerance after due_at
  int attempts = 0;        // claims so far
  TimePoint created_at;
};

// Filters of ListTimers; empty / nullopt / 0 match everything.
struct TimerFilter {
  std::string kind;
  std::string subject;
  std::optional<TimerState> state;
  Id site_id = 0;
};

// ---- runtime (kernel/runtime): duty instances, attendance on posts, violations, approvals.

// 例行职责实例 — one due occurrence of a policy duty at one post. Life: scheduled -> due ->
// (in_progress) -> done | late | missed; cancelled when the site withdraws it.
enum class DutyState { kScheduled, kDue, kInProgress, kDone, kLate, kMissed, kCancelled };
std::string_view DutyStateName(DutyState state);
std::optional<DutyState> ParseDutyState(std::string_view name);

struct DutyInstance {
  Id id = 0;
  Id site_id = 0;
  Id post_id = 0;
  std::string duty;    // pack duty id ("r12-video-patrol")
  std::string target;  // the rotated target ("3F"), empty when the duty has none
  std::string key;     // unique: planning the same occurrence twice inserts it once
  TimePoint due_at;
  TimePoint window_end;  // completion on or before this is on time
  TimePoint miss_at;     // not completed by then: missed (window_end + the site's grace)
  int required = 1;      // completions needed ("at least N times per day")
  int completions = 0;
  DutyState state = DutyState::kScheduled;
  Id started_by = 0;  // account
  TimePoint started_at;
  Id completed_by = 0;         // account of the last completion
  Id completed_person = 0;     // its person
  TimePoint completed_at;      // epoch while not completed
  std::string answers = "{}";  // canonical JSON: the checklist answers of the last completion
  TimePoint created_at;
};

struct DutyFilter {  // 0 / nullopt: any
  Id site_id = 0;
  Id post_id = 0;
  std::string duty;
  std::optional<DutyState> state;
  std::optional<TimePoint> due_from, due_before;  // [from, before)
};

// 在岗 — a person's stint on a post, from taking it over to being relieved.
struct Attendance {
  Id id = 0;
  Id site_id = 0;
  Id post_id = 0;
  Id person_id = 0;
  TimePoint started_at;
  TimePoint ended_at;  // epoch while on post
  Id relieved_by = 0;  // person who took over, 0 when none (or still on post)
};

// 违规记录 — one violation in the ledger, with the consequence computed when it was recorded.
enum class ViolationState { kRecorded, kAppealed, kUpheld, kOverturned };
std::string_view ViolationStateName(ViolationState state);
std::optional<ViolationState> ParseViolationState(std::string_view name);

struct Violation {
  Id id = 0;
  Id site_id = 0;
  Id person_id = 0;  // 0: nobody could be identified (e.g. a post nobody was on)
  Id department_id = 0;
  Id post_id = 0;
  // An outside party fined without a person record (a visitor, a contractor: "姓名（单位）");
  // empty for the company's own people. Never set together with person_id.
  std::string party;
  std::string code;     // penalty code ("R12-PATROL-MISSED") or a conduct rule's code
  std::string clauses;  // cited clause ids joined by '\n'
  std::string source;   // "auto" (raised by the runtime) or "inspector"
  std::string subject;  // what it is about: "duty/12"
  TimePoint occurred_at;
  Id recorded_by = 0;  // account, 0 for the system
  std::string note;
  int occurrence = 1;         // n-th of this code for this person in the look-back window
  std::string consequence;    // canonical JSON (kernel/runtime/ledger.hpp)
  std::int64_t fine_fen = 0;  // fine in 分 (0.01 yuan) when the figure is known
  ViolationState state = ViolationState::kRecorded;
  std::string appeal;  // 申诉 text
  TimePoint appealed_at;
  Id decided_by = 0;
  TimePoint decided_at;
  std::string decision_note;
  TimePoint created_at;
};

struct ViolationFilter {  // 0 / empty / nullopt: any
  Id site_id = 0;
  Id person_id = 0;
  Id department_id = 0;
  std::string code;
  std::optional<ViolationState> state;
  std::optional<TimePoint> from, before;  // occurred_at in [from, before)
  std::string party;                      // an outside party's violations
};

// 申请 — an instance of a policy request (approval chain).
enum class RequestState { kPending, kApproved, kRejected, kWithdrawn };
std::string_view RequestStateName(RequestState state);
std::optional<RequestState> ParseRequestState(std::string_view name);

struct ApprovalRequest {
  Id id = 0;
  Id site_id = 0;
  std::string type;  // pack request id ("r16-footage-view")
  Id applicant = 0;  // account
  Id applicant_person = 0;
  std::string inputs = "{}";  // canonical JSON of the applicant's inputs
  std::string reason;
  RequestState state = RequestState::kPending;
  TimePoint created_at;
  TimePoint updated_at;
};

struct ApprovalDecision {
  Id id = 0;
  Id request_id = 0;
  std::string step;  // approval step id
  Id account_id = 0;
  bool approve = true;
  bool signed_ = false;  // the approver re-confirmed the password at that moment
  Id escort_person = 0;  // named by the approver when the step names an escort
  std::string note;
  TimePoint at;
};

struct RequestFilter {
  Id site_id = 0;
  std::string type;
  Id applicant = 0;
  std::optional<RequestState> state;
};

// 本单位参数 — a figure the regulation leaves to the site, set by an administrator.
struct SiteParameter {
  Id site_id = 0;
  std::string name;
  std::string value;  // text as validated by kernel/policy/parameters.hpp
  Id updated_by = 0;  // account
  TimePoint updated_at;
};

// ---- webhook channels: group robots notified of journal records (kernel/notify/webhooks.hpp).
struct WebhookChannel {
  Id id = 0;
  std::string name;    // unique among enabled channels
  std::string format;  // "wecom", "dingtalk" or "feishu"
  std::string url;     // the robot's webhook URL (holds its secret key: never journaled)
  std::string kinds;   // journal kind prefixes, one per line ("duty.\nviolation."); empty: all
  Id site_id = 0;      // 0: records of every site
  Id created_by = 0;   // account id
  TimePoint created_at;
  bool disabled = false;  // deleted by an administrator; final
};

// ---- procedures (流程) and deadlines (时限), kernel/runtime/procedures.hpp.

// One running instance of a pack procedure (a state machine) at a site.
struct ProcedureInstance {
  Id id = 0;
  Id site_id = 0;
  std::string procedure;     // pack procedure id ("r20-fire-alarm")
  std::string state;         // current state id
  std::string subject;       // what it is about ("3F 烟感 #12")
  std::string ref;           // external reference given by the raiser ("alarm-778"), may be empty
  std::string data = "{}";   // canonical JSON: the starting event's data
  std::string notes = "[]";  // canonical JSON: what could not be done (timers not armed, staffing)
  Id person_id = 0;          // the person concerned, when the event names one
  Id started_by = 0;         // account; 0: the system
  TimePoint started_at;
  TimePoint updated_at;  // entering the current state
  TimePoint closed_at;   // epoch while open (not in a terminal state)
};

struct ProcedureFilter {  // 0 / empty / nullopt: any
  Id site_id = 0;
  std::string procedure;
  std::string state;
  std::string ref;
  std::optional<bool> open;
};

// One transition of an instance (its history), including the start (from_state empty).
struct ProcedureTransition {
  Id id = 0;
  Id instance_id = 0;
  std::string from_state;
  std::string to_state;
  std::string event;
  Id account_id = 0;  // 0: the system (a timer, an event)
  Id person_id = 0;
  std::string note;
  std::string inputs = "{}";  // canonical JSON: the inputs the guard read
  TimePoint at;
};

// A task inside a state: a parallel assignment (kind "assignment": task and role, one row per
// person needed) or a state action to confirm (kind "action": "call:119"), or done automatically
// ("notify:部长").
struct ProcedureTask {
  Id id = 0;
  Id instance_id = 0;
  std::string state;
  std::string kind;  // "assignment" | "action"
  std::string task;  // assignment task, or the action text
  std::string role;  // assignment role; empty for actions
  int slot = 0;      // 0 … count-1 within (state, task)
  Id person_id = 0;  // assigned person (assignment), 0 while unassigned
  Id assigned_by = 0;
  TimePoint assigned_at;
  Id done_by = 0;  // account; 0 with done_at set: done by the system
  TimePoint done_at;
  std::string note;
};

// One deadline (时限) instance of a pack service level.
struct Deadline {
  Id id = 0;
  Id site_id = 0;
  std::string service_level;  // pack id ("r04-rectify")
  std::string subject;
  std::string ref;
  Id person_id = 0;   // who answers for it (from the start event's data), 0: nobody named
  std::string state;  // open | paused | met | met_late | breached | not_started
  std::string data = "{}";
  std::string note;  // how the due time was computed, or why there is none
  TimePoint started_at;
  TimePoint due_at;      // epoch when none could be computed (state not_started)
  TimePoint stopped_at;  // epoch while not stopped
  TimePoint breached_at;
  Id started_by = 0;
  Id stopped_by = 0;
  TimePoint paused_at;         // state paused: since when; epoch otherwise
  bool working_hours = false;  // due_at counts working hours (a resume walks them again)
};

struct DeadlineFilter {  // 0 / empty: any
  Id site_id = 0;
  std::string service_level;
  std::string state;
  std::string ref;
};

// ---- duty log (值班记录, kernel/dutylog): append-only entries; a correction is a new entry.
struct DutyLogEntry {
  Id id = 0;
  Id site_id = 0;
  Id post_id = 0;    // 0: the site as a whole
  std::string kind;  // routine, abnormal, instruction, equipment, visitor, alarm, call, correction
  std::string text;
  Id author = 0;          // account; 0 for the system (alarm entries)
  Id author_person = 0;   // the author's person, 0 when none
  TimePoint at;           // when it was written (alarm entries: the first activation merged)
  Id corrects = 0;        // the entry a correction corrects, 0 otherwise
  std::string ref;        // what it is about: "alarm/7", "" when nothing
  int repeat_count = 1;   // alarm entries: activations merged into this entry
  TimePoint last_at;      // the last merged activation (= at for other entries)
  TimePoint occurred_at;  // when what it records happened, as its writer says (epoch: not given)
  // Search index terms, written with the entry and never read back (modules/dutylog/search.hpp):
  // overlapping character bigrams of each CJK run, runs separated by an empty string, and the
  // single CJK characters and lower-case Latin words.
  std::vector<std::string> index_bigrams;
  std::vector<std::string> index_tokens;
};

// A parsed full-text query: every phrase (consecutive bigrams) and every token must occur; on
// backends whose index does not keep positions, every term (lower-case) must occur as a substring.
struct DutyLogQuery {
  std::vector<std::vector<std::string>> phrases;
  std::vector<std::string> tokens;
  std::vector<std::string> terms;
  bool empty() const { return phrases.empty() && tokens.empty(); }
};

struct DutyLogFilter {  // 0 / empty / nullopt: any
  Id site_id = 0;
  Id post_id = 0;
  std::string kind;
  std::optional<TimePoint> from, before;  // at in [from, before)
  DutyLogQuery query;
};

// A stored photo, addressed by the SHA-256 of its bytes.
struct Photo {
  std::string sha256;  // lower-case hex
  std::string content_type;
  std::int64_t size_bytes = 0;
  std::string data;  // the bytes (empty when read without them)
  Id stored_by = 0;
  TimePoint created_at;
};

// Keyset pagination: rows with id > after_id, at most `limit`.
struct PageRequest {
  Id after_id = 0;
  int limit = 50;
};

}  // namespace zhidu::store
