#include "kernel/org/validate.hpp"

#include <chrono>

namespace zhidu::org {

size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

Result<void> RequireName(std::string_view value, std::string_view field, size_t max_chars) {
  auto first = value.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos)
    return Fail(Errc::kInvalidArgument, kRequired, std::string(field) + " must not be empty",
                std::string(field));
  if (Utf8Length(value) > max_chars)
    return Fail(Errc::kInvalidArgument,
                std::string(field) + " is longer than " + std::to_string(max_chars) + " characters",
                std::string(field));
  return Ok();
}

Result<void> RequireDate(std::string_view v, std::string_view field) {
  auto bad = [&] {
    return Fail(Errc::kInvalidArgument,
                std::string(field) + " must be a date written YYYY-MM-DD, got \"" +
                    std::string(v.substr(0, 32)) + "\"",
                std::string(field));
  };
  if (v.size() != 10 || v[4] != '-' || v[7] != '-') return bad();
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (v[i] < '0' || v[i] > '9') return bad();
  int y = std::stoi(std::string(v.substr(0, 4)));
  unsigned m = std::stoul(std::string(v.substr(5, 2)));
  unsigned d = std::stoul(std::string(v.substr(8, 2)));
  if (!std::chrono::year_month_day{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)}
           .ok())
    return bad();
  return Ok();
}

}  // namespace zhidu::org
