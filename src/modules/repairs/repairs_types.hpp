// The records of the repairs module (报修) as its store hands them to its rules. Plain values,
// no behaviour. They live here, not in store/types.hpp, so a change to them rebuilds this module
// and what uses it, not the whole server.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/time.hpp"
#include "store/types.hpp"

namespace zhidu::repairs {

using store::Id;

// 报修 — a repair order at a site. States: open, assigned, in_progress, fixed,
// closed, cancelled (docs/repairs.md).
struct Repair {
  Id id = 0;
  Id site_id = 0;
  std::string what;            // the equipment, point or place
  std::string description;     // what is wrong
  std::string source_kind;     // checklist | procedure | alarm | manual
  Id source_id = 0;            // duty instance, procedure instance or alarm point; 0 for manual
  std::string source_item;     // checklist item id (source_kind checklist)
  std::string clauses = "[]";  // JSON array of the clause ids cited
  Id reported_by = 0;          // account
  Id reporter_person = 0;
  Id reporter_post = 0;  // the post the reporter reported from; 0 when none
  std::string assignee_role;  // role or team named to repair (工程维修人员, 弱电班); may be empty
  Id assignee_person = 0;
  std::string state = "open";
  std::string note;  // the latest transition's note (fix, cancel reason, reopen reason)
  std::string history =
      "[]";  // JSON array of transitions {action, from, to, by, person_id, at, note}
  TimePoint created_at;
  TimePoint fixed_at;   // epoch until fixed
  TimePoint closed_at;  // closed or cancelled; epoch while open
  TimePoint updated_at;
};

struct RepairFilter {  // 0 / empty: any
  Id site_id = 0;
  std::string state;
  bool only_open = false;  // not closed or cancelled
};

}  // namespace zhidu::repairs
