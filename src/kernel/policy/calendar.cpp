#include "kernel/policy/calendar.hpp"

#include "kernel/policy/date_text.hpp"

#include <yaml-cpp/yaml.h>

namespace zhidu::policy {

using std::chrono::sys_days;
using std::chrono::year_month_day;

Result<year_month_day> ParseDate(const std::string& text) {
  int y = 0, m = 0, d = 0;
  char dash1 = 0, dash2 = 0;
  if (text.size() != 10 ||
      std::sscanf(text.c_str(), "%4d%c%2d%c%2d", &y, &dash1, &m, &dash2, &d) != 5 || dash1 != '-' ||
      dash2 != '-') {
    return Fail(Errc::kInvalidArgument, "bad date \"" + text + "\" (want YYYY-MM-DD)");
  }
  year_month_day ymd{std::chrono::year(y), std::chrono::month(static_cast<unsigned>(m)),
                     std::chrono::day(static_cast<unsigned>(d))};
  if (!ymd.ok()) return Fail(Errc::kInvalidArgument, "no such date \"" + text + "\"");
  return ymd;
}

Result<BusinessCalendar> BusinessCalendar::FromYaml(std::string_view yaml_text) {
  BusinessCalendar cal;
  try {
    YAML::Node root = YAML::Load(std::string(yaml_text));
    YAML::Node years = root["years"];
    if (!years || !years.IsMap())
      return Fail(Errc::kInvalidArgument, "calendar: missing `years` map");
    for (const auto& entry : years) {
      int year = entry.first.as<int>();
      cal.years_.insert(year);
      for (const auto& holiday : entry.second["holidays"]) {
        std::string name = holiday["name"] ? holiday["name"].as<std::string>() : "";
        for (const auto& d : holiday["off"]) {
          ZHIDU_TRY(year_month_day day, ParseDate(d.as<std::string>()));
          cal.off_[sys_days(day)] = name;
        }
        for (const auto& d : holiday["work"]) {
          ZHIDU_TRY(year_month_day day, ParseDate(d.as<std::string>()));
          cal.work_.insert(sys_days(day));
        }
      }
    }
  } catch (const YAML::Exception& e) {
    return Fail(Errc::kInvalidArgument, std::string("calendar: ") + e.what());
  }
  return cal;
}

Result<bool> BusinessCalendar::IsWorkingDay(year_month_day day) const {
  int year = static_cast<int>(day.year());
  if (!years_.contains(year)) {
    return Fail(Errc::kFailedPrecondition,
                "no holiday data for " + std::to_string(year) +
                    "; add the year to the pack's calendar file once it is published");
  }
  sys_days d(day);
  if (off_.contains(d)) return false;
  if (work_.contains(d)) return true;
  std::chrono::weekday wd(d);
  return wd != std::chrono::Saturday && wd != std::chrono::Sunday;
}

Result<year_month_day> BusinessCalendar::AddWorkingDays(year_month_day day, int n) const {
  if (n < 0) return Fail(Errc::kInvalidArgument, "negative working-day count");
  sys_days d(day);
  ZHIDU_TRY(bool works, IsWorkingDay(day));
  if (n == 0) {
    while (!works) {
      d += std::chrono::days(1);
      ZHIDU_TRY(works, IsWorkingDay(year_month_day(d)));
    }
    return year_month_day(d);
  }
  while (n > 0) {
    d += std::chrono::days(1);
    ZHIDU_TRY(bool w, IsWorkingDay(year_month_day(d)));
    if (w) --n;
  }
  return year_month_day(d);
}

std::string BusinessCalendar::HolidayName(year_month_day day) const {
  auto it = off_.find(sys_days(day));
  return it == off_.end() ? std::string() : it->second;
}

}  // namespace zhidu::policy
