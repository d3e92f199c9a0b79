// The records zhidu keeps, as the store hands them to the kernel. Plain values, no behaviour.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

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

// Keyset pagination: rows with id > after_id, at most `limit`.
struct PageRequest {
  Id after_id = 0;
  int limit = 50;
};

}  // namespace zhidu::store
