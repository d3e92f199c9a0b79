// Recurrence and business-time arithmetic on real 2026 dates of the shipped calendar.
#include "kernel/scheduler/business_time.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace zhidu::scheduler {
namespace {

using namespace std::chrono;
using std::chrono::minutes;

const TimeZone kShanghai = TimeZone::Default();

// "2026-10-09T10:00:00+08:00" -> instant
TimePoint T(std::string_view iso) { return ParseIso8601(iso).value(); }
std::string S(TimePoint t) { return FormatIso8601(t, kShanghai); }
std::string S(const Result<TimePoint>& t) { return t ? S(*t) : "error: " + t.error().message; }

const policy::BusinessCalendar& Calendar() {
  static const policy::BusinessCalendar calendar = [] {
    std::ifstream in(std::string(ZHIDU_SOURCE_DIR) +
                     "/policies/cn-default/calendars/cn-public-holidays.yaml");
    std::stringstream text;
    text << in.rdbuf();
    return policy::BusinessCalendar::FromYaml(text.str()).value();
  }();
  return calendar;
}

TEST(NextEvery, AlignsToTheShiftStart) {
  TimePoint shift = T("2026-03-02T08:00:00+08:00");
  EXPECT_EQ(S(NextEvery(T("2026-03-02T09:07:12+08:00"), shift, minutes(15))),
            "2026-03-02T09:15:00+08:00");
  EXPECT_EQ(S(NextEvery(T("2026-03-02T09:15:00+08:00"), shift, minutes(15))),
            "2026-03-02T09:30:00+08:00");  // strictly after
  EXPECT_EQ(S(NextEvery(T("2026-03-02T07:59:00+08:00"), shift, minutes(15))),
            "2026-03-02T08:00:00+08:00");  // before the anchor
  EXPECT_EQ(S(NextEvery(T("2026-03-02T06:00:00+08:00"), shift, minutes(15))),
            "2026-03-02T06:15:00+08:00");
  EXPECT_FALSE(NextEvery(shift, shift, minutes(0)));
}

TEST(NextAtLocalTimes, FixedLocalTimesRollToTomorrow) {
  std::vector<LocalTimeOfDay> shifts = {hours(20), hours(8)};  // 08:00 and 20:00, any order
  EXPECT_EQ(S(NextAtLocalTimes(T("2026-03-02T07:00:00+08:00"), kShanghai, shifts)),
            "2026-03-02T08:00:00+08:00");
  EXPECT_EQ(S(NextAtLocalTimes(T("2026-03-02T08:00:00+08:00"), kShanghai, shifts)),
            "2026-03-02T20:00:00+08:00");
  EXPECT_EQ(S(NextAtLocalTimes(T("2026-03-02T21:00:00+08:00"), kShanghai, shifts)),
            "2026-03-03T08:00:00+08:00");
  // Given in UTC, answered in Shanghai local time: 2026-03-02T23:30Z is 07:30 on the 3rd.
  EXPECT_EQ(S(NextAtLocalTimes(T("2026-03-02T23:30:00Z"), kShanghai, shifts)),
            "2026-03-03T08:00:00+08:00");
  EXPECT_FALSE(NextAtLocalTimes(T("2026-03-02T07:00:00+08:00"), kShanghai, {}));
  EXPECT_FALSE(NextAtLocalTimes(T("2026-03-02T07:00:00+08:00"), kShanghai, {hours(24)}));
}

TEST(NextAtLocalTimes, OtherZonesAndDaylightSaving) {
  auto berlin = TimeZone::Find("Europe/Berlin").value();
  // 2026-03-29 02:00 does not exist in Berlin: resolved to the earliest valid instant.
  TimePoint t = NextAtLocalTimes(T("2026-03-28T12:00:00+01:00"), berlin, {hours(9)}).value();
  EXPECT_EQ(FormatIso8601(t, berlin), "2026-03-29T09:00:00+02:00");
}

TEST(NextTimesPerDay, EvenlySpacedInTheWindow) {
  // 4 times between 08:00 and 20:00: 08:00 11:00 14:00 17:00.
  TimePoint after = T("2026-03-02T11:00:00+08:00");
  EXPECT_EQ(S(NextTimesPerDay(after, kShanghai, 4, hours(8), hours(20))),
            "2026-03-02T14:00:00+08:00");
  EXPECT_EQ(S(NextTimesPerDay(T("2026-03-02T17:00:00+08:00"), kShanghai, 4, hours(8), hours(20))),
            "2026-03-03T08:00:00+08:00");
  // A night window across midnight: 3 times 22:00–04:00 -> 22:00, 00:00, 02:00.
  EXPECT_EQ(S(NextTimesPerDay(T("2026-03-02T22:30:00+08:00"), kShanghai, 3, hours(22), hours(4))),
            "2026-03-03T00:00:00+08:00");
  EXPECT_FALSE(NextTimesPerDay(after, kShanghai, 0, hours(8), hours(20)));
}

TEST(NextOnWeekdays, TwiceAWeek) {
  std::vector<weekday> days = {Monday, Thursday};
  // 2026-03-02 is a Monday.
  EXPECT_EQ(
      S(NextOnWeekdays(T("2026-03-02T10:00:00+08:00"), kShanghai, days, minutes(9 * 60 + 30))),
      "2026-03-05T09:30:00+08:00");
  EXPECT_EQ(
      S(NextOnWeekdays(T("2026-03-05T09:30:00+08:00"), kShanghai, days, minutes(9 * 60 + 30))),
      "2026-03-09T09:30:00+08:00");
}

TEST(AddWorkingDays, AcrossAWeekend) {
  // Friday 2026-03-06 10:00 + 1 working day = Monday 2026-03-09 10:00.
  EXPECT_EQ(S(AddWorkingDays(Calendar(), kShanghai, T("2026-03-06T10:00:00+08:00"), 1)),
            "2026-03-09T10:00:00+08:00");
  // Friday evening after 16:00 UTC is already Saturday in Shanghai.
  EXPECT_EQ(S(AddWorkingDays(Calendar(), kShanghai, T("2026-03-06T17:00:00Z"), 1)),
            "2026-03-09T01:00:00+08:00");
}

TEST(AddWorkingDays, AcrossNationalDay) {
  // 国庆 2026: 10-01 … 10-07 off. Wednesday 09-30 + 1 working day = Thursday 10-08.
  EXPECT_EQ(S(AddWorkingDays(Calendar(), kShanghai, T("2026-09-30T15:00:00+08:00"), 1)),
            "2026-10-08T15:00:00+08:00");
  // Asked during the holiday, the count starts after the holiday.
  EXPECT_EQ(S(AddWorkingDays(Calendar(), kShanghai, T("2026-10-03T09:00:00+08:00"), 1)),
            "2026-10-08T09:00:00+08:00");
}

TEST(AddWorkingDays, AdjustedSaturdaysAndSundaysWork) {
  // 调休: Saturday 2026-10-10 is a working day, so Friday 10-09 + 1 = Saturday 10-10.
  EXPECT_EQ(S(AddWorkingDays(Calendar(), kShanghai, T("2026-10-09T10:00:00+08:00"), 1)),
            "2026-10-10T10:00:00+08:00");
  // Sunday 2026-09-20 works too: Friday 09-18 + 1 = Sunday 09-20.
  EXPECT_EQ(S(AddWorkingDays(Calendar(), kShanghai, T("2026-09-18T10:00:00+08:00"), 1)),
            "2026-09-20T10:00:00+08:00");
  // 春节 2026: 02-15 … 02-23 off, Saturday 02-14 works. Friday 02-13 + 2 = Tuesday 02-24.
  EXPECT_EQ(S(AddWorkingDays(Calendar(), kShanghai, T("2026-02-13T10:00:00+08:00"), 2)),
            "2026-02-24T10:00:00+08:00");
  // 劳动节: Friday 05-08 + 1 = Saturday 05-09 (调休上班).
  EXPECT_EQ(S(AddWorkingDays(Calendar(), kShanghai, T("2026-05-08T10:00:00+08:00"), 1)),
            "2026-05-09T10:00:00+08:00");
}

TEST(AddWorkingDays, UnpublishedYearIsAnErrorNotAGuess) {
  // 2027's notice is not out: the first working day of 2027 is unknown.
  auto r = AddWorkingDays(Calendar(), kShanghai, T("2026-12-31T10:00:00+08:00"), 1);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kFailedPrecondition);
  EXPECT_FALSE(AddWorkingDays(Calendar(), kShanghai, T("2027-03-01T10:00:00+08:00"), 1));
  EXPECT_FALSE(IsWorkingTime(Calendar(), kShanghai, T("2027-01-04T10:00:00+08:00")));
  EXPECT_FALSE(AddWorkingDays(Calendar(), kShanghai, T("2026-03-06T10:00:00+08:00"), 0));
}

TEST(NextWorkingCutoff, ShipByHalfPastFive) {
  LocalTimeOfDay cutoff = minutes(17 * 60 + 30);
  EXPECT_EQ(S(NextWorkingCutoff(Calendar(), kShanghai, T("2026-09-30T09:00:00+08:00"), cutoff)),
            "2026-09-30T17:30:00+08:00");
  EXPECT_EQ(S(NextWorkingCutoff(Calendar(), kShanghai, T("2026-09-30T18:00:00+08:00"), cutoff)),
            "2026-10-08T17:30:00+08:00");
  EXPECT_EQ(S(NextWorkingCutoff(Calendar(), kShanghai, T("2026-10-10T08:00:00+08:00"), cutoff)),
            "2026-10-10T17:30:00+08:00");
  EXPECT_TRUE(*IsWorkingTime(Calendar(), kShanghai, T("2026-10-10T08:00:00+08:00")));
  EXPECT_FALSE(*IsWorkingTime(Calendar(), kShanghai, T("2026-10-11T08:00:00+08:00")));
}

// 工作时间 08:00-11:30, 13:30-17:00 (R04 §二12's figures).
const std::vector<LocalPeriod> kWorkDay = {{hours(8), hours(11) + minutes(30)},
                                           {hours(13) + minutes(30), hours(17)}};

std::string Add(std::string_view from, Micros amount) {
  return S(AddWorkingTime(Calendar(), kShanghai, kWorkDay, T(from), amount));
}

TEST(AddWorkingTime, SkipsTheLunchBreakNightsAndWeekends) {
  EXPECT_EQ(Add("2026-03-02T11:00:00+08:00", hours(1)), "2026-03-02T14:00:00+08:00");
  EXPECT_EQ(Add("2026-03-02T09:00:00+08:00", hours(2)), "2026-03-02T11:00:00+08:00");
  EXPECT_EQ(Add("2026-03-06T16:00:00+08:00", hours(2)), "2026-03-09T09:00:00+08:00");  // Fri
  EXPECT_EQ(Add("2026-03-02T07:00:00+08:00", Micros(0)), "2026-03-02T08:00:00+08:00");
  EXPECT_EQ(Add("2026-03-02T12:00:00+08:00", minutes(30)), "2026-03-02T14:00:00+08:00");
  // A whole working day is 7 h: Monday 08:00 + 14 h ends Tuesday 17:00.
  EXPECT_EQ(Add("2026-03-02T08:00:00+08:00", hours(14)), "2026-03-03T17:00:00+08:00");
}

TEST(AddWorkingTime, FollowsHolidaysAndAdjustedWorkingDays) {
  // 国庆: 2026-10-01..07 off; 2026-10-10 (Saturday) 调休上班.
  EXPECT_EQ(Add("2026-09-30T16:30:00+08:00", hours(1)), "2026-10-08T08:30:00+08:00");
  EXPECT_EQ(Add("2026-10-09T16:00:00+08:00", hours(2)), "2026-10-10T09:00:00+08:00");
}

TEST(AddWorkingTime, RefusesWhatItCannotCount) {
  EXPECT_FALSE(AddWorkingTime(Calendar(), kShanghai, {}, T("2026-03-02T08:00:00+08:00"), hours(1)));
  auto beyond =
      AddWorkingTime(Calendar(), kShanghai, kWorkDay, T("2026-12-31T16:00:00+08:00"), hours(2));
  ASSERT_FALSE(beyond);  // 2027 has no published holiday notice in the shipped calendar
  EXPECT_EQ(beyond.error().code, Errc::kFailedPrecondition);
}

TEST(AddWorkingTime, StartsOutsideWorkingHours) {
  // An evening, a Saturday, a holiday: the count starts at the next period.
  EXPECT_EQ(Add("2026-03-03T20:00:00+08:00", minutes(30)), "2026-03-04T08:30:00+08:00");
  EXPECT_EQ(Add("2026-03-07T10:00:00+08:00", hours(1)), "2026-03-09T09:00:00+08:00");  // Sat
  EXPECT_EQ(Add("2026-10-03T10:00:00+08:00", hours(4)), "2026-10-08T14:00:00+08:00");  // 国庆
  // Lunch ends exactly a count: 11:30 is the end, not 13:30.
  EXPECT_EQ(Add("2026-03-02T10:30:00+08:00", hours(1)), "2026-03-02T11:30:00+08:00");
}

std::string Between(std::string_view from, std::string_view to) {
  auto d = WorkingTimeBetween(Calendar(), kShanghai, kWorkDay, T(from), T(to));
  return d ? std::to_string(duration_cast<minutes>(*d).count()) + "min"
           : "error: " + d.error().message;
}

TEST(WorkingTimeBetween, CountsOnlyWorkingPeriods) {
  EXPECT_EQ(Between("2026-03-02T11:00:00+08:00", "2026-03-02T14:00:00+08:00"), "60min");   // lunch
  EXPECT_EQ(Between("2026-03-06T16:00:00+08:00", "2026-03-09T09:00:00+08:00"), "120min");  // w/e
  EXPECT_EQ(Between("2026-09-30T16:30:00+08:00", "2026-10-08T08:30:00+08:00"), "60min");   // 国庆
  EXPECT_EQ(Between("2026-10-09T16:00:00+08:00", "2026-10-10T09:00:00+08:00"), "120min");  // 调休
  EXPECT_EQ(Between("2026-03-07T09:00:00+08:00", "2026-03-08T18:00:00+08:00"), "0min");
  EXPECT_EQ(Between("2026-03-02T14:00:00+08:00", "2026-03-02T10:00:00+08:00"), "0min");
  EXPECT_FALSE(WorkingTimeBetween(Calendar(), kShanghai, {}, T("2026-03-02T08:00:00+08:00"),
                                  T("2026-03-02T09:00:00+08:00")));
  EXPECT_FALSE(WorkingTimeBetween(Calendar(), kShanghai, kWorkDay, T("2026-12-31T08:00:00+08:00"),
                                  T("2027-01-04T09:00:00+08:00")));
}

// A paused business-hours deadline (issue 18 §3): 4 working hours from Friday 15:00 is due Monday
// 10:00; paused Friday 16:00 with 3 h left (16:00-17:00, Monday 08:00-10:00) and resumed Tuesday
// 09:00 after a holiday-free weekend, it is due Tuesday 13:30 + 30 min = 14:00 (lunch skipped).
TEST(WorkingTimeBetween, APauseKeepsWhatWasLeft) {
  TimePoint due =
      *AddWorkingTime(Calendar(), kShanghai, kWorkDay, T("2026-03-06T15:00:00+08:00"), hours(4));
  EXPECT_EQ(S(due), "2026-03-09T10:00:00+08:00");
  auto left =
      WorkingTimeBetween(Calendar(), kShanghai, kWorkDay, T("2026-03-06T16:00:00+08:00"), due);
  ASSERT_TRUE(left);
  EXPECT_EQ(*left, hours(3));
  EXPECT_EQ(Add("2026-03-10T09:00:00+08:00", *left), "2026-03-10T14:00:00+08:00");
}

TEST(WorkPeriodsOn, AWeekendHasNone) {
  auto sat = WorkPeriodsOn(Calendar(), kShanghai, kWorkDay, T("2026-03-07T10:00:00+08:00"));
  ASSERT_TRUE(sat);
  EXPECT_TRUE(sat->empty());
  auto mon = WorkPeriodsOn(Calendar(), kShanghai, kWorkDay, T("2026-03-02T23:00:00+08:00"));
  ASSERT_TRUE(mon);
  ASSERT_EQ(mon->size(), 2u);
  EXPECT_EQ(S((*mon)[1].end), "2026-03-02T17:00:00+08:00");
}

}  // namespace
}  // namespace zhidu::scheduler
