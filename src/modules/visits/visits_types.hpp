// The records of the visits module (来访, 录像) as its store hands them to its rules. Plain values,
// no behaviour. They live here, not in store/types.hpp, so a change to them rebuilds this module
// and what uses it, not the whole server.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/time.hpp"
#include "store/types.hpp"

namespace zhidu::visits {

using store::Id;

// 来访 — one visit to a controlled place (中控室), under an approved entry request.
// state: registered -> entered -> exited.
struct Visit {
  Id id = 0;
  Id site_id = 0;
  std::string place;         // pack place id ("中控室")
  Id request_id = 0;         // the approved entry request (at most one visit each)
  std::string request_type;  // pack request id ("r12-control-room-entry")
  std::string visitor_name;
  std::string company;
  std::string reason;
  Id escort_person = 0;  // named by the approver, or at registration when the approval names none
  Id approver = 0;       // account that approved the request's last step
  std::string record = "{}";  // canonical JSON of the register's fields (the request's `record`)
  std::string state = "registered";
  Id registered_by = 0;
  TimePoint registered_at;
  Id entered_by = 0;
  TimePoint entered_at;  // epoch: not yet
  Id exited_by = 0;
  TimePoint exited_at;  // epoch: not yet
};

struct VisitFilter {  // 0 / empty: any
  Id site_id = 0;
  std::string state;
};

// 录像 — one recorded segment of a camera (channel); deletion is soft (deleted_at set).
struct FootageSegment {
  Id id = 0;
  Id site_id = 0;
  std::string camera;
  TimePoint starts_at;
  TimePoint ends_at;
  std::string storage_ref;
  std::string tape;  // 盘带编号 (R16 §二9), may be empty
  Id registered_by = 0;
  TimePoint registered_at;
  Id deleted_by = 0;
  TimePoint deleted_at;  // epoch: kept
};

struct FootageFilter {  // 0 / empty: any
  Id site_id = 0;
  std::string camera;
  bool include_deleted = false;
};

}  // namespace zhidu::visits
