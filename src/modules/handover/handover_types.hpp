// The records of the handover module (交接班) as its store hands them to its rules. Plain values,
// no behaviour. They live here, not in store/types.hpp, so a change to them rebuilds this module
// and what uses it, not the whole server.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/time.hpp"
#include "store/types.hpp"

namespace zhidu::handover {

using store::Id;

// 交接班 — one handover of a post at a shift change . The report is frozen when
// it opens; answers, acknowledgements and signatures accumulate while open; it ends refused or
// completed (both signed, sealed). JSON fields are canonical JSON text.
enum class HandoverState { kOpen, kRefused, kCompleted };
std::string_view HandoverStateName(HandoverState state);
std::optional<HandoverState> ParseHandoverState(std::string_view name);

struct Handover {
  Id id = 0;
  Id site_id = 0;
  Id post_id = 0;
  std::string checklists;  // the pack's handover checklist ids, joined by '\n'
  TimePoint shift_change;  // when the incoming shift starts
  TimePoint report_from;   // the frozen report covers [report_from, opened_at)
  Id outgoing_person = 0;
  Id incoming_person = 0;
  Id opened_by = 0;  // account of the incoming person
  HandoverState state = HandoverState::kOpen;
  TimePoint opened_at;
  std::string report = "{}";  // frozen at opening
  std::string report_sha256;  // hex SHA-256 of `report`
  std::string answers = "{}";
  std::string acknowledgements = "[]";
  std::string signatures = "[]";
  std::string refusal;      // JSON when refused, else empty
  std::string seal_sha256;  // when completed
  TimePoint closed_at;      // refused or completed; epoch while open
};

struct HandoverFilter {  // 0 / nullopt: any
  Id site_id = 0;
  Id post_id = 0;
  std::optional<HandoverState> state;
};

}  // namespace zhidu::handover
