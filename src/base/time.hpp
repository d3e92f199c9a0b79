// Civil time: time zones (IANA names from the system tzdata), ISO 8601 formatting and parsing.
// Every timestamp leaves zhidu as ISO 8601 with the site's UTC offset
// ("2026-11-27T12:00:00+08:00").
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "base/clock.hpp"
#include "base/result.hpp"

namespace date {
class time_zone;
}

namespace zhidu {

inline constexpr std::string_view kDefaultTimeZone = "Asia/Shanghai";

// A handle to an IANA time zone. Cheap to copy; the zone data lives for the process.
class TimeZone {
 public:
  static Result<TimeZone> Find(std::string_view name);
  static TimeZone Default();  // Asia/Shanghai

  std::string_view name() const;
  std::chrono::minutes OffsetAt(TimePoint t) const;
  // Local wall-clock time of `t` in this zone.
  std::chrono::local_time<Micros> ToLocal(TimePoint t) const;
  // The instant of a local wall-clock time; a time skipped or repeated by a DST change resolves
  // to the earliest valid instant.
  TimePoint FromLocal(std::chrono::local_time<Micros> local) const;

 private:
  explicit TimeZone(const date::time_zone* zone) : zone_(zone) {}
  const date::time_zone* zone_;
};

// "2026-11-27T12:00:00+08:00"; sub-second digits only when non-zero (".123456").
std::string FormatIso8601(TimePoint t, const TimeZone& zone);
// "2026-11-27T04:00:00Z" (UTC).
std::string FormatIso8601Utc(TimePoint t);
// Accepts "YYYY-MM-DDTHH:MM:SS[.ffffff](Z|±HH:MM)". A timestamp without an offset is rejected:
// it would be ambiguous across sites.
Result<TimePoint> ParseIso8601(std::string_view text);

}  // namespace zhidu
