#include "kernel/runtime/runtime_util.hpp"

#include <charconv>
#include <chrono>

namespace zhidu::runtime {

namespace {
using namespace std::chrono;

local_time<Micros> AddMonthsLocal(local_time<Micros> t, int months) {
  auto day = floor<days>(t);
  auto tod = t - day;
  year_month_day ymd{day};
  year_month ym = year_month{ymd.year(), ymd.month()} + std::chrono::months(months);
  auto last = year_month_day_last{ym.year(), month_day_last{ym.month()}}.day();
  auto d = ymd.day() > last ? last : ymd.day();
  return local_days{year_month_day{ym.year(), ym.month(), d}} + tod;
}
}  // namespace

std::string FormatDuration(const policy::Duration& d) {
  if (d.months) return std::to_string(d.months) + "mo";
  if (d.working_days) return std::to_string(d.working_days) + "wd";
  auto s = d.fixed.count();
  if (s % 86400 == 0 && s) return std::to_string(s / 86400) + "d";
  std::string out;
  if (s >= 3600) out += std::to_string(s / 3600) + "h", s %= 3600;
  if (s >= 60) out += std::to_string(s / 60) + "m", s %= 60;
  if (s || out.empty()) out += std::to_string(s) + "s";
  return out;
}

TimePoint SubtractDuration(TimePoint t, const policy::Duration& d, const TimeZone& zone) {
  TimePoint out = t - duration_cast<Micros>(d.fixed) - duration_cast<Micros>(days(d.working_days));
  if (d.months) out = zone.FromLocal(AddMonthsLocal(zone.ToLocal(out), -d.months));
  return out;
}

TimePoint AddFixedDuration(TimePoint t, const policy::Duration& d, const TimeZone& zone) {
  TimePoint out = t + duration_cast<Micros>(d.fixed);
  if (d.months) out = zone.FromLocal(AddMonthsLocal(zone.ToLocal(out), d.months));
  return out;
}

TimePoint LocalDayStart(TimePoint t, const TimeZone& zone) {
  return zone.FromLocal(floor<days>(zone.ToLocal(t)));
}

Result<std::pair<TimePoint, TimePoint>> LocalMonthRange(std::string_view month,
                                                        const TimeZone& zone) {
  int y = 0, m = 0;
  bool ok = month.size() == 7 && month[4] == '-' &&
            std::from_chars(month.data(), month.data() + 4, y).ec == std::errc() &&
            std::from_chars(month.data() + 5, month.data() + 7, m).ec == std::errc() && m >= 1 &&
            m <= 12 && y >= 1970;
  if (!ok)
    return Fail(Errc::kInvalidArgument,
                "month must look like 2026-12, not \"" + std::string(month) + "\"", "month");
  year_month ym{year{y}, std::chrono::month{static_cast<unsigned>(m)}};
  local_days first{ym / 1};
  local_days next{(ym + std::chrono::months(1)) / 1};
  return std::pair{zone.FromLocal(local_time<Micros>(first)),
                   zone.FromLocal(local_time<Micros>(next))};
}

std::vector<scheduler::LocalPeriod> LocalPeriods(const std::vector<policy::TimeRange>& ranges) {
  std::vector<scheduler::LocalPeriod> out;
  for (const auto& r : ranges)
    out.push_back({std::chrono::minutes(r.start.minutes), std::chrono::minutes(r.end.minutes)});
  return out;
}

}  // namespace zhidu::runtime
