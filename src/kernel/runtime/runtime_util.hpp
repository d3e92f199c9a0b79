// Small time helpers of the runtime, in the site's time zone. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "base/time.hpp"
#include "kernel/policy/pack.hpp"
#include "kernel/scheduler/business_time.hpp"

namespace zhidu::runtime {

// "15m", "1h30m", "1mo", "3wd" (the loader's syntax, so it parses back).
std::string FormatDuration(const policy::Duration& d);
// `t` minus `d`: fixed seconds as such; months on the local calendar (the day clamped to the
// month's last day); working days counted as calendar days (a look-back is never in working days
// in the shipped packs; documented).
TimePoint SubtractDuration(TimePoint t, const policy::Duration& d, const TimeZone& zone);
// `t` plus `d`, fixed seconds and months only (working days need the calendar: AddWorkingDays).
TimePoint AddFixedDuration(TimePoint t, const policy::Duration& d, const TimeZone& zone);
// Local midnight starting the local day of `t`.
TimePoint LocalDayStart(TimePoint t, const TimeZone& zone);
// [first instant, first instant of the next month) of "YYYY-MM" in `zone`.
Result<std::pair<TimePoint, TimePoint>> LocalMonthRange(std::string_view month,
                                                        const TimeZone& zone);

// The pack's working periods ("08:00-11:30") as the scheduler's local times of day.
std::vector<scheduler::LocalPeriod> LocalPeriods(const std::vector<policy::TimeRange>& ranges);

}  // namespace zhidu::runtime
