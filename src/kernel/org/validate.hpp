// Input checks shared by the kernel services. Each returns kInvalidArgument naming the field.
#pragma once

#include <string>
#include <string_view>

#include "base/result.hpp"

namespace zhidu::org {

// Number of Unicode code points in valid UTF-8 `s`.
size_t Utf8Length(std::string_view s);
// Non-empty after trimming ASCII whitespace, at most `max_chars` characters.
Result<void> RequireName(std::string_view value, std::string_view field, size_t max_chars = 100);
// "YYYY-MM-DD", a real calendar date.
Result<void> RequireDate(std::string_view value, std::string_view field);

}  // namespace zhidu::org
