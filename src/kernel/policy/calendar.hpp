// Business calendar: which civil days are working days at a site. Public holidays (放假) and
// adjusted working days (调休上班) are data, loaded from the pack's calendar file, one year at a
// time; a year with no data is not guessed: asking about it is an error, and an administrator adds
// the year to the YAML file when the State Council publishes it.
#pragma once

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace zhidu::policy {

class BusinessCalendar {
 public:
  // Parses the cn-public-holidays.yaml format: years: {YYYY: {holidays: [{name, off, work}]}}.
  static Result<BusinessCalendar> FromYaml(std::string_view yaml_text);

  bool HasYear(int year) const { return years_.contains(year); }
  const std::set<int>& years() const { return years_; }
  // Working day: a weekday not listed as off, or a weekend day listed as work.
  // Fails with kFailedPrecondition for a year without data.
  Result<bool> IsWorkingDay(std::chrono::year_month_day day) const;
  // The n-th working day after `day` (n >= 0; n == 0 returns `day` if it works, else the next
  // working day). Fails when it runs into a year without data.
  Result<std::chrono::year_month_day> AddWorkingDays(std::chrono::year_month_day day, int n) const;
  // Holiday name for an off day ("春节"), empty otherwise.
  std::string HolidayName(std::chrono::year_month_day day) const;

 private:
  std::set<int> years_;
  std::map<std::chrono::sys_days, std::string> off_;  // day -> holiday name
  std::set<std::chrono::sys_days> work_;
};

}  // namespace zhidu::policy
