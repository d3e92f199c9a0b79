#include <array>

#include "store/types.hpp"

namespace zhidu::store {

namespace {
constexpr std::array<std::pair<TimerState, std::string_view>, 5> kTimerStates = {{
    {TimerState::kPending, "pending"},
    {TimerState::kClaimed, "claimed"},
    {TimerState::kFired, "fired"},
    {TimerState::kCancelled, "cancelled"},
    {TimerState::kFailed, "failed"},
}};
}  // namespace

std::string_view TimerStateName(TimerState state) {
  for (const auto& [s, name] : kTimerStates)
    if (s == state) return name;
  return "pending";
}

std::optional<TimerState> ParseTimerState(std::string_view name) {
  for (const auto& [s, n] : kTimerStates)
    if (n == name) return s;
  return std::nullopt;
}

}  // namespace zhidu::store
