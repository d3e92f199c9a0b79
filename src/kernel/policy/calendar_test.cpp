#include "kernel/policy/calendar.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace zhidu::policy {
namespace {

using namespace std::chrono;

BusinessCalendar Shipped() {
  std::ifstream in(std::string(ZHIDU_SOURCE_DIR) +
                   "/policies/cn-default/calendars/cn-public-holidays.yaml");
  std::stringstream ss;
  ss << in.rdbuf();
  auto cal = BusinessCalendar::FromYaml(ss.str());
  EXPECT_TRUE(cal.has_value());
  return *cal;
}

TEST(CalendarTest, HolidaysAndAdjustedWorkingDays) {
  BusinessCalendar cal = Shipped();
  EXPECT_EQ(cal.years(), (std::set<int>{2025, 2026}));
  EXPECT_FALSE(*cal.IsWorkingDay(2026y / October / 1));    // 国庆节
  EXPECT_TRUE(*cal.IsWorkingDay(2026y / October / 10));    // Saturday, 调休上班
  EXPECT_TRUE(*cal.IsWorkingDay(2026y / February / 14));   // Saturday, 调休上班 before 春节
  EXPECT_FALSE(*cal.IsWorkingDay(2026y / February / 17));  // 春节
  EXPECT_FALSE(*cal.IsWorkingDay(2026y / March / 7));      // ordinary Saturday
  EXPECT_TRUE(*cal.IsWorkingDay(2026y / March / 9));       // ordinary Monday
  EXPECT_EQ(cal.HolidayName(2026y / February / 17), "春节");
}

TEST(CalendarTest, AddWorkingDays) {
  BusinessCalendar cal = Shipped();
  // Friday 2026-02-13 + 1 working day: Saturday 02-14 is an adjusted working day.
  EXPECT_EQ(*cal.AddWorkingDays(2026y / February / 13, 1), 2026y / February / 14);
  // Saturday 02-14 + 1: 02-15..23 are 春节 off, 02-24 (Tue) works.
  EXPECT_EQ(*cal.AddWorkingDays(2026y / February / 14, 1), 2026y / February / 24);
  // n == 0 on a holiday rolls forward to the next working day.
  EXPECT_EQ(*cal.AddWorkingDays(2026y / October / 3, 0), 2026y / October / 8);
  // Across a year boundary within the data: 2025-12-31 + 1 -> 2026-01-04 (Sunday, 调休上班).
  EXPECT_EQ(*cal.AddWorkingDays(2025y / December / 31, 1), 2026y / January / 4);
}

TEST(CalendarTest, UnpublishedYearIsAnErrorNotAGuess) {
  BusinessCalendar cal = Shipped();
  auto r = cal.IsWorkingDay(2027y / January / 4);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::kFailedPrecondition);
  EXPECT_FALSE(cal.AddWorkingDays(2026y / December / 31, 1).has_value());
}

TEST(CalendarTest, AdministratorAddsAYearAsData) {
  auto cal = BusinessCalendar::FromYaml(
      "years:\n  2030:\n    holidays:\n      - {name: 元旦, off: [2030-01-01], work: []}\n");
  ASSERT_TRUE(cal.has_value());
  EXPECT_FALSE(*cal->IsWorkingDay(2030y / January / 1));
  EXPECT_TRUE(*cal->IsWorkingDay(2030y / January / 2));
  EXPECT_FALSE(
      BusinessCalendar::FromYaml("years:\n  2030:\n    holidays:\n      - {off: [2030-02-30]}\n")
          .has_value());
}

}  // namespace
}  // namespace zhidu::policy
