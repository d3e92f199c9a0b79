// The records of the roster module (排班) as its store hands them to its rules. Plain values,
// no behaviour. They live here, not in store/types.hpp, so a change to them rebuilds this module
// and what uses it, not the whole server.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/time.hpp"
#include "store/types.hpp"

namespace zhidu::roster {

using store::Id;

// ---- rosters (排班): shift assignments generated from a pack shift pattern.
// A roster is a draft until published; a published roster changes only through swaps, leave and
// substitutions, each of which retires the assignment it replaces (state) and inserts the new one.
struct Roster {
  Id id = 0;
  Id site_id = 0;
  Id post_id = 0;
  std::string pattern;    // pack shift pattern id ("r09-four-team-three-shift")
  std::string team_ids;   // the site team of each pattern team, in pattern order, joined by ','
  std::string first_day;  // "YYYY-MM-DD", local to the site
  std::string last_day;   // inclusive
  std::string state = "draft";  // "draft" | "published"
  Id created_by = 0;            // account
  TimePoint created_at;
  Id published_by = 0;
  TimePoint published_at;
};

// One person on one shift of a post. state: "active" counts; "swapped", "leave", "substituted"
// and "removed" are retired (kept for history).
struct RosterAssignment {
  Id id = 0;
  Id roster_id = 0;
  Id site_id = 0;
  Id post_id = 0;
  Id person_id = 0;
  Id team_id = 0;     // 0 when added by hand
  std::string shift;  // pack shift id ("night")
  TimePoint starts_at;
  TimePoint ends_at;
  std::string state = "active";
  std::string origin = "generated";  // "generated" | "added" | "swap" | "substitution"
  Id replaces = 0;                   // the retired assignment this one replaces
  std::string note;
};

struct AssignmentFilter {  // 0 / empty / nullopt: any
  Id roster_id = 0;
  Id site_id = 0;
  Id post_id = 0;
  Id person_id = 0;
  bool active_only = true;
  bool published_only = false;            // only assignments of published rosters
  std::optional<TimePoint> from, before;  // overlapping [from, before)
};

// 换班 — a person asks to trade one of their shifts with a colleague's; the shift lead decides.
struct RosterSwap {
  Id id = 0;
  Id roster_id = 0;
  Id site_id = 0;
  Id requester_person = 0;
  Id requester_assignment = 0;
  Id colleague_person = 0;
  Id colleague_assignment = 0;  // 0: the colleague just takes the requester's shift
  std::string reason;
  std::string state = "pending";  // "pending" | "approved" | "rejected"
  Id requested_by = 0;            // account
  TimePoint created_at;
  Id decided_by = 0;
  TimePoint decided_at;
  std::string decision_note;
};

// A secret calendar feed URL of one person (the token itself is never stored).
struct IcalToken {
  Id id = 0;
  Id person_id = 0;
  std::string token_hash;  // hex SHA-256
  Id created_by = 0;
  TimePoint created_at;
  bool revoked = false;
};

}  // namespace zhidu::roster
