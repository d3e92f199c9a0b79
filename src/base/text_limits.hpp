// The one check of a free-text field the domain modules share: required or not, and at most
// `max` bytes of UTF-8, failing with kInvalidArgument naming the field.
#pragma once

#include <cstddef>
#include <string>

#include "base/result.hpp"

namespace zhidu {

inline Result<void> CheckText(const std::string& value, const char* field, bool required,
                              size_t max) {
  if (required && value.empty())
    return Fail(Errc::kInvalidArgument, kRequired, std::string(field) + " is required", field);
  if (value.size() > max)
    return Fail(Errc::kInvalidArgument, Reason{"too_long"},
                std::string(field) + " is longer than " + std::to_string(max) + " bytes", field);
  return Ok();
}

}  // namespace zhidu
