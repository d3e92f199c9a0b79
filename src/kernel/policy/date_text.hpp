// A calendar date written YYYY-MM-DD, as packs write them (holidays, the demo's expiry dates).
#pragma once

#include <chrono>
#include <string>

#include "base/result.hpp"

namespace zhidu::policy {

// The day `text` names; kInvalidArgument for another shape or a day that does not exist.
Result<std::chrono::year_month_day> ParseDate(const std::string& text);

}  // namespace zhidu::policy
