#include "kernel/scheduler/business_time.hpp"

#include <algorithm>

namespace zhidu::scheduler {

namespace {

using std::chrono::days;
using std::chrono::local_days;
using std::chrono::minutes;
using LocalMicros = std::chrono::local_time<Micros>;

constexpr minutes kDay{24 * 60};

Result<void> CheckTimeOfDay(LocalTimeOfDay t, const char* field) {
  if (t < minutes(0) || t >= kDay)
    return Fail(Errc::kInvalidArgument, "a time of day must be from 00:00 to 23:59", field);
  return Ok();
}

local_days LocalDay(const TimeZone& zone, TimePoint t) {
  return std::chrono::floor<days>(zone.ToLocal(t));
}

TimePoint At(const TimeZone& zone, local_days day, LocalTimeOfDay time) {
  return zone.FromLocal(LocalMicros(day) + time);
}

}  // namespace

Result<TimePoint> NextEvery(TimePoint after, TimePoint anchor, minutes every) {
  if (every <= minutes(0))
    return Fail(Errc::kInvalidArgument, "the interval must be at least one minute", "every");
  const Micros step = every;
  Micros since = after - anchor;
  // floor division, also for `after` before the anchor
  auto k =
      since.count() >= 0 ? since / step : -((-since.count() + step.count() - 1) / step.count());
  TimePoint next = anchor + step * (k + 1);
  return next;
}

Result<TimePoint> NextAtLocalTimes(TimePoint after, const TimeZone& zone,
                                   const std::vector<LocalTimeOfDay>& times) {
  if (times.empty()) return Fail(Errc::kInvalidArgument, "no times of day given", "times");
  for (auto t : times) ZHIDU_TRY_VOID(CheckTimeOfDay(t, "times"));
  std::vector<LocalTimeOfDay> sorted = times;
  std::sort(sorted.begin(), sorted.end());
  // Yesterday covers a zone whose offset moved `after` across midnight; two days ahead always
  // holds the next one.
  for (local_days day = LocalDay(zone, after) - days(1);; day += days(1)) {
    for (auto t : sorted) {
      TimePoint candidate = At(zone, day, t);
      if (candidate > after) return candidate;
    }
  }
}

Result<TimePoint> NextTimesPerDay(TimePoint after, const TimeZone& zone, int n,
                                  LocalTimeOfDay window_start, LocalTimeOfDay window_end) {
  if (n < 1 || n > 24 * 60)
    return Fail(Errc::kInvalidArgument, "times per day must be from 1 to 1440", "n");
  ZHIDU_TRY_VOID(CheckTimeOfDay(window_start, "window_start"));
  ZHIDU_TRY_VOID(CheckTimeOfDay(window_end, "window_end"));
  minutes length =
      window_end > window_start ? window_end - window_start : kDay - (window_start - window_end);
  const Micros spacing = Micros(length) / n;
  for (local_days day = LocalDay(zone, after) - days(1);; day += days(1)) {
    for (int i = 0; i < n; ++i) {
      TimePoint candidate = zone.FromLocal(LocalMicros(day) + window_start + spacing * i);
      if (candidate > after) return candidate;
    }
  }
}

Result<TimePoint> NextOnWeekdays(TimePoint after, const TimeZone& zone,
                                 const std::vector<std::chrono::weekday>& weekdays,
                                 LocalTimeOfDay at) {
  if (weekdays.empty()) return Fail(Errc::kInvalidArgument, "no weekdays given", "weekdays");
  ZHIDU_TRY_VOID(CheckTimeOfDay(at, "at"));
  for (local_days day = LocalDay(zone, after) - days(1);; day += days(1)) {
    if (std::find(weekdays.begin(), weekdays.end(), std::chrono::weekday(day)) == weekdays.end())
      continue;
    TimePoint candidate = At(zone, day, at);
    if (candidate > after) return candidate;
  }
}

Result<TimePoint> AddWorkingDays(const policy::BusinessCalendar& calendar, const TimeZone& zone,
                                 TimePoint from, int n) {
  if (n < 1) return Fail(Errc::kInvalidArgument, "working days must be at least 1", "n");
  LocalMicros local = zone.ToLocal(from);
  local_days day = std::chrono::floor<days>(local);
  Micros time_of_day = local - LocalMicros(day);
  ZHIDU_TRY(auto target,
            calendar.AddWorkingDays(
                std::chrono::year_month_day(std::chrono::sys_days(day.time_since_epoch())), n));
  local_days target_day(std::chrono::sys_days(target).time_since_epoch());
  return zone.FromLocal(LocalMicros(target_day) + time_of_day);
}

Result<TimePoint> NextWorkingCutoff(const policy::BusinessCalendar& calendar, const TimeZone& zone,
                                    TimePoint from, LocalTimeOfDay cutoff) {
  ZHIDU_TRY_VOID(CheckTimeOfDay(cutoff, "cutoff"));
  local_days day = LocalDay(zone, from);
  for (int guard = 0; guard < 400; ++guard, day += days(1)) {
    std::chrono::year_month_day ymd(std::chrono::sys_days(day.time_since_epoch()));
    ZHIDU_TRY(bool works, calendar.IsWorkingDay(ymd));
    if (!works) continue;
    TimePoint candidate = At(zone, day, cutoff);
    if (candidate >= from) return candidate;
  }
  return Fail(Errc::kFailedPrecondition, "no working day within 400 days");
}

Result<bool> IsWorkingTime(const policy::BusinessCalendar& calendar, const TimeZone& zone,
                           TimePoint t) {
  local_days day = LocalDay(zone, t);
  return calendar.IsWorkingDay(
      std::chrono::year_month_day(std::chrono::sys_days(day.time_since_epoch())));
}

Result<std::vector<WorkPeriod>> WorkPeriodsOn(const policy::BusinessCalendar& calendar,
                                              const TimeZone& zone,
                                              const std::vector<LocalPeriod>& periods,
                                              TimePoint t) {
  local_days day = LocalDay(zone, t);
  ZHIDU_TRY(bool works, calendar.IsWorkingDay(std::chrono::year_month_day(
                            std::chrono::sys_days(day.time_since_epoch()))));
  std::vector<WorkPeriod> out;
  if (!works) return out;
  for (const auto& p : periods) out.push_back({At(zone, day, p.start), At(zone, day, p.end)});
  return out;
}

Result<TimePoint> AddWorkingTime(const policy::BusinessCalendar& calendar, const TimeZone& zone,
                                 const std::vector<LocalPeriod>& periods, TimePoint from,
                                 Micros amount) {
  if (periods.empty())
    return Fail(Errc::kFailedPrecondition, "no working hours to count working time in");
  if (amount < Micros(0))
    return Fail(Errc::kInvalidArgument, "working time must not be negative", "amount");
  TimePoint day = from;
  for (int guard = 0; guard < 400; ++guard) {
    ZHIDU_TRY(auto today, WorkPeriodsOn(calendar, zone, periods, day));
    for (const auto& p : today) {
      if (p.end <= from) continue;
      TimePoint start = std::max(p.start, from);
      if (amount <= p.end - start) return start + amount;
      amount -= p.end - start;
    }
    day = At(zone, LocalDay(zone, day) + days(1), minutes(0));
  }
  return Fail(Errc::kFailedPrecondition, "working time runs past 400 days");
}

Result<Micros> WorkingTimeBetween(const policy::BusinessCalendar& calendar, const TimeZone& zone,
                                  const std::vector<LocalPeriod>& periods, TimePoint from,
                                  TimePoint to) {
  if (periods.empty())
    return Fail(Errc::kFailedPrecondition, "no working hours to count working time in");
  Micros total{0};
  TimePoint day = from;
  for (int guard = 0; guard < 400 && day < to; ++guard) {
    ZHIDU_TRY(auto today, WorkPeriodsOn(calendar, zone, periods, day));
    for (const auto& p : today) {
      TimePoint start = std::max(p.start, from), end = std::min(p.end, to);
      if (end > start) total += end - start;
    }
    day = At(zone, LocalDay(zone, day) + days(1), minutes(0));
  }
  if (day < to) return Fail(Errc::kFailedPrecondition, "working time runs past 400 days");
  return total;
}

}  // namespace zhidu::scheduler
