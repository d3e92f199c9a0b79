// The text names of the store's state enums, as written in the database and the API.
#include <array>
#include <utility>

#include "store/types.hpp"

namespace zhidu::store {

namespace {

template <typename E, size_t N>
using NameTable = std::array<std::pair<E, std::string_view>, N>;

template <typename E, size_t N>
std::string_view NameIn(const NameTable<E, N>& table, E value) {
  for (const auto& [v, name] : table)
    if (v == value) return name;
  return table[0].second;
}

template <typename E, size_t N>
std::optional<E> ParseIn(const NameTable<E, N>& table, std::string_view name) {
  for (const auto& [v, n] : table)
    if (n == name) return v;
  return std::nullopt;
}

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

constexpr NameTable<HandoverState, 3> kHandoverStates = {{
    {HandoverState::kOpen, "open"},
    {HandoverState::kRefused, "refused"},
    {HandoverState::kCompleted, "completed"},
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

std::string_view HandoverStateName(HandoverState s) { return NameIn(kHandoverStates, s); }
std::optional<HandoverState> ParseHandoverState(std::string_view n) {
  return ParseIn(kHandoverStates, n);
}

}  // namespace zhidu::store
