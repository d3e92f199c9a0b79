#include "kernel/scheduler/subject.hpp"

#include <cassert>
#include <charconv>

namespace zhidu::scheduler {

std::string TimerSubject::Str() const {
  assert(id > 0 && kind.find('/') == std::string::npos);
  std::string out = kind + "/" + std::to_string(id);
  for (const auto& segment : tail) {
    assert(segment.find('/') == std::string::npos);
    out += "/" + segment;
  }
  return out;
}

std::optional<TimerSubject> ParseTimerSubject(std::string_view text, std::string_view kind,
                                              size_t tail_segments) {
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    size_t slash = text.find('/', start);
    parts.push_back(text.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (parts.size() != 2 + tail_segments || parts[0] != kind) return std::nullopt;
  store::Id id = 0;
  const char* end = parts[1].data() + parts[1].size();
  auto [p, ec] = std::from_chars(parts[1].data(), end, id);
  if (ec != std::errc() || p != end || id <= 0) return std::nullopt;
  TimerSubject out{std::string(kind), id, {}};
  for (size_t i = 2; i < parts.size(); ++i) out.tail.emplace_back(parts[i]);
  return out;
}

Result<TimerSubject> SubjectOf(const store::Timer& timer, std::string_view kind,
                               size_t tail_segments) {
  if (auto subject = ParseTimerSubject(timer.subject, kind, tail_segments)) return *subject;
  return Fail(Errc::kInternal, "timer " + std::to_string(timer.id) + " (" + timer.kind +
                                   ") has subject \"" + timer.subject.substr(0, 80) +
                                   "\", not one of " + std::string(kind) + "/ID");
}

}  // namespace zhidu::scheduler
