// The text names of the store's state enums, as written in the database and the API.
#include "base/name_table.hpp"
#include "store/types.hpp"

namespace zhidu::store {

namespace {

constexpr NameTable<TimerState, 5> kTimerStates = {{
    {TimerState::kPending, "pending"},
    {TimerState::kClaimed, "claimed"},
    {TimerState::kFired, "fired"},
    {TimerState::kCancelled, "cancelled"},
    {TimerState::kFailed, "failed"},
}};

constexpr NameTable<DutyState, 7> kDutyStates = {{
    {DutyState::kScheduled, "scheduled"},
    {DutyState::kDue, "due"},
    {DutyState::kInProgress, "in_progress"},
    {DutyState::kDone, "done"},
    {DutyState::kLate, "late"},
    {DutyState::kMissed, "missed"},
    {DutyState::kCancelled, "cancelled"},
}};

constexpr NameTable<ViolationState, 4> kViolationStates = {{
    {ViolationState::kRecorded, "recorded"},
    {ViolationState::kAppealed, "appealed"},
    {ViolationState::kUpheld, "upheld"},
    {ViolationState::kOverturned, "overturned"},
}};

constexpr NameTable<RequestState, 4> kRequestStates = {{
    {RequestState::kPending, "pending"},
    {RequestState::kApproved, "approved"},
    {RequestState::kRejected, "rejected"},
    {RequestState::kWithdrawn, "withdrawn"},
}};

}  // namespace

std::string_view TimerStateName(TimerState s) { return NameIn(kTimerStates, s); }
std::optional<TimerState> ParseTimerState(std::string_view n) { return ParseIn(kTimerStates, n); }
std::string_view DutyStateName(DutyState s) { return NameIn(kDutyStates, s); }
std::optional<DutyState> ParseDutyState(std::string_view n) { return ParseIn(kDutyStates, n); }
std::string_view ViolationStateName(ViolationState s) { return NameIn(kViolationStates, s); }
std::optional<ViolationState> ParseViolationState(std::string_view n) {
  return ParseIn(kViolationStates, n);
}
std::string_view RequestStateName(RequestState s) { return NameIn(kRequestStates, s); }
std::optional<RequestState> ParseRequestState(std::string_view n) {
  return ParseIn(kRequestStates, n);
}

}  // namespace zhidu::store
