// Site-local time arithmetic for the scheduler: the next occurrence of a recurring rule and
// business-time deadlines on a business calendar (工作日, with 调休 working weekends).
//
// Contracts:
//  1. Every function takes and returns UTC instants (TimePoint); rules are read in the site's
//     TimeZone (default Asia/Shanghai), so "08:00 every day" is 08:00 local.
//  2. "Next" means strictly after `after`: feeding an occurrence back gives the following one.
//  3. Business-time functions fail with kFailedPrecondition for a year the calendar has no data
//     for (a year is data an administrator adds, never a guess); they never fall back to
//     weekends-only.
//  4. Pure functions: no clock, no store; thread-safe.
#pragma once

#include <chrono>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "base/time.hpp"
#include "kernel/policy/calendar.hpp"

namespace zhidu::scheduler {

using LocalTimeOfDay = std::chrono::minutes;  // minutes after local midnight, 0 … 1439

// Every `every` minutes on the grid anchored at `anchor` (e.g. the shift start, so a 15-minute
// video patrol lands on 08:00, 08:15 … whatever the current time): the first grid point > after.
// Fails for a non-positive interval.
Result<TimePoint> NextEvery(TimePoint after, TimePoint anchor, std::chrono::minutes every);

// At fixed local times of day ("08:00 and 20:00"): the first one > after. Fails for an empty list
// or a time outside 0 … 23:59.
Result<TimePoint> NextAtLocalTimes(TimePoint after, const TimeZone& zone,
                                   const std::vector<LocalTimeOfDay>& times);

// N times per local day, evenly spaced over the window [window_start, window_end) (e.g. 4 times
// between 08:00 and 20:00 -> 08:00, 11:00, 14:00, 17:00). window_end <= window_start means the
// window runs past midnight into the next day.
Result<TimePoint> NextTimesPerDay(TimePoint after, const TimeZone& zone, int n,
                                  LocalTimeOfDay window_start, LocalTimeOfDay window_end);

// On the given local weekdays at one local time ("Monday and Thursday at 09:30": twice a week).
Result<TimePoint> NextOnWeekdays(TimePoint after, const TimeZone& zone,
                                 const std::vector<std::chrono::weekday>& days, LocalTimeOfDay at);

// "n working days after `from`": the same local time of day on the n-th working day after the
// local date of `from` (n >= 1). Friday 10:00 + 1 -> Monday 10:00; 2026-09-30 + 1 -> 2026-10-08
// (国庆); 2026-10-09 + 1 -> Saturday 2026-10-10 (调休上班).
Result<TimePoint> AddWorkingDays(const policy::BusinessCalendar& calendar, const TimeZone& zone,
                                 TimePoint from, int n);

// The next local working-day cut-off at or after `from` ("ship by 17:30"): today's cut-off if
// today works and it is not past yet, else the cut-off of the next working day.
Result<TimePoint> NextWorkingCutoff(const policy::BusinessCalendar& calendar, const TimeZone& zone,
                                    TimePoint from, LocalTimeOfDay cutoff);

// 工作时间: the periods of a working day in local time, ascending, not overlapping, each within
// one day (policy::CheckWorkPeriods); the gaps are breaks (午休).
struct LocalPeriod {
  LocalTimeOfDay start;
  LocalTimeOfDay end;
};
struct WorkPeriod {  // one period on one date, as UTC instants
  TimePoint start;
  TimePoint end;
};

// The periods of the local date of `t` when that date is a working day, else none (a day off).
Result<std::vector<WorkPeriod>> WorkPeriodsOn(const policy::BusinessCalendar& calendar,
                                              const TimeZone& zone,
                                              const std::vector<LocalPeriod>& periods, TimePoint t);

// `from` + `amount` of working time: only time inside the periods of working days counts
// (breaks, nights, weekends and holidays do not; 调休 working weekends do). From outside working
// time the count starts at the next period; a zero amount gives that start. Friday 16:00 + 2h
// with 08:00-11:30, 13:30-17:00 -> Monday 09:00. Fails for an empty period list, and when the
// count runs into a year without calendar data or past 400 days.
Result<TimePoint> AddWorkingTime(const policy::BusinessCalendar& calendar, const TimeZone& zone,
                                 const std::vector<LocalPeriod>& periods, TimePoint from,
                                 Micros amount);

// The working time between `from` and `to` (zero when `to` <= `from`): the inverse of
// AddWorkingTime, AddWorkingTime(from, WorkingTimeBetween(from, to)) is `to` when `to` lies in
// working time. A paused business-hours deadline keeps what was left of it. Fails as
// AddWorkingTime does.
Result<Micros> WorkingTimeBetween(const policy::BusinessCalendar& calendar, const TimeZone& zone,
                                  const std::vector<LocalPeriod>& periods, TimePoint from,
                                  TimePoint to);

// Whether the local date of `t` is a working day at the site.
Result<bool> IsWorkingTime(const policy::BusinessCalendar& calendar, const TimeZone& zone,
                           TimePoint t);

}  // namespace zhidu::scheduler
