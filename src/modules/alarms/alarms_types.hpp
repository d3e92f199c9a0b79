// The records of the alarms module (报警) as its store hands them to its rules. Plain values,
// no behaviour. They live here, not in store/types.hpp, so a change to them rebuilds this module
// and what uses it, not the whole server.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/time.hpp"
#include "store/types.hpp"

namespace zhidu::alarms {

using store::Id;

// ISA-18.2's states of a point. Shelving and suppression are kept beside the state, not in it.
enum class AlarmState { kNormal, kActiveUnack, kActiveAck, kRtnUnack };
// "normal", "active_unack", "active_ack", "rtn_unack": the names in the database and the API.
std::string_view AlarmStateName(AlarmState state);
std::optional<AlarmState> ParseAlarmState(std::string_view name);
inline bool IsActive(AlarmState s) {
  return s == AlarmState::kActiveUnack || s == AlarmState::kActiveAck;
}

// ---- alarms (报警): a configured point and its ISA-18.2 state.
struct AlarmPoint {
  Id id = 0;
  Id site_id = 0;
  Id post_id = 0;      // the console position that answers it; 0: the site
  std::string source;  // the system sending it ("fas-1", "scada")
  std::string tag;     // point tag within the source; (source, tag) is unique
  std::string title;
  std::string kind;  // fire, scada, intrusion, …
  int priority = 3;  // 1 (highest) … 4
  AlarmState state = AlarmState::kNormal;
  TimePoint active_since;  // epoch while not active
  TimePoint changed_at;
  TimePoint shelved_until;  // epoch: not shelved
  std::string shelve_reason;
  Id shelved_by = 0;
  Id shelve_timer = 0;
  bool suppressed = false;  // suppressed by design (out of service)
  std::string suppress_reason;
  Id log_entry_id = 0;  // the duty-log entry repeats are merged into
  TimePoint log_window_start;
  std::int64_t activations = 0;
  TimePoint created_at;
  // Read side, not stored: the pack's clauses that keep the equipment of the point's post to
  // whoever is on duty at that post (policy::OperatingClauses; empty: anyone on duty at the site,
  // or a lead). Filled by Get, List and the actions, so the console need not guess.
  std::vector<std::string> operating_clauses;
};

// One transition of a point into active.
struct AlarmActivation {
  Id id = 0;
  Id site_id = 0;
  Id point_id = 0;
  Id post_id = 0;
  TimePoint at;
  std::string value;        // canonical JSON of the value sent, "null" when none
  bool annunciated = true;  // false while shelved or suppressed
};

}  // namespace zhidu::alarms
