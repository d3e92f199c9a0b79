#include "base/time.hpp"

#include <date/date.h>
#include <date/tz.h>

#include <charconv>
#include <cstdio>

namespace zhidu {

Result<TimeZone> TimeZone::Find(std::string_view name) {
  try {
    return TimeZone(date::locate_zone(std::string(name)));
  } catch (const std::exception&) {
    return Fail(
        Errc::kInvalidArgument,
        "unknown time zone \"" + std::string(name) + "\" (use an IANA name such as Asia/Shanghai)",
        "time_zone");
  }
}

TimeZone TimeZone::Default() {
  static const date::time_zone* zone = date::locate_zone(std::string(kDefaultTimeZone));
  return TimeZone(zone);
}

std::string_view TimeZone::name() const { return zone_->name(); }

std::chrono::minutes TimeZone::OffsetAt(TimePoint t) const {
  auto info = zone_->get_info(date::sys_time<Micros>(t.time_since_epoch()));
  return std::chrono::duration_cast<std::chrono::minutes>(info.offset);
}

std::chrono::local_time<Micros> TimeZone::ToLocal(TimePoint t) const {
  return std::chrono::local_time<Micros>(t.time_since_epoch() + OffsetAt(t));
}

TimePoint TimeZone::FromLocal(std::chrono::local_time<Micros> local) const {
  auto lt = date::local_time<Micros>(local.time_since_epoch());
  auto info = zone_->get_info(lt);
  auto offset = info.first.offset;
  if (info.result == date::local_info::nonexistent) offset = info.second.offset;
  return TimePoint(local.time_since_epoch() - std::chrono::duration_cast<Micros>(offset));
}

namespace {

std::string FormatWithOffset(TimePoint t, std::chrono::minutes offset) {
  using namespace std::chrono;
  auto local = t.time_since_epoch() + offset;
  auto days = floor<std::chrono::days>(local);
  year_month_day ymd{sys_days(days)};
  auto rest = local - days;
  auto h = duration_cast<hours>(rest);
  auto m = duration_cast<minutes>(rest - h);
  auto s = duration_cast<seconds>(rest - h - m);
  auto us = (rest - h - m - s).count();
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02lld", int(ymd.year()),
                        unsigned(ymd.month()), unsigned(ymd.day()), int(h.count()), int(m.count()),
                        static_cast<long long>(s.count()));
  std::string out(buf, n);
  if (us != 0) {
    n = std::snprintf(buf, sizeof buf, ".%06lld", static_cast<long long>(us));
    out.append(buf, n);
  }
  auto off = offset.count();
  char sign = off < 0 ? '-' : '+';
  if (off < 0) off = -off;
  n = std::snprintf(buf, sizeof buf, "%c%02d:%02d", sign, int(off / 60), int(off % 60));
  out.append(buf, n);
  return out;
}

bool ReadInt(std::string_view s, size_t pos, size_t len, int& out) {
  if (pos + len > s.size()) return false;
  for (size_t i = pos; i < pos + len; ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  std::from_chars(s.data() + pos, s.data() + pos + len, out);
  return true;
}

}  // namespace

std::string FormatIso8601(TimePoint t, const TimeZone& zone) {
  return FormatWithOffset(t, zone.OffsetAt(t));
}

std::string FormatIso8601Utc(TimePoint t) {
  std::string s = FormatWithOffset(t, std::chrono::minutes(0));
  s.resize(s.size() - 6);
  return s + "Z";
}

Result<TimePoint> ParseIso8601(std::string_view s) {
  auto bad = [&] {
    return Fail(Errc::kInvalidArgument, "\"" + std::string(s.substr(0, 64)) +
                                            "\" is not an ISO 8601 timestamp with an offset "
                                            "(expected e.g. 2026-11-27T08:00:00+08:00)");
  };
  int y, mo, d, h, mi, se;
  if (!ReadInt(s, 0, 4, y) || s.size() < 19 || s[4] != '-' || !ReadInt(s, 5, 2, mo) ||
      s[7] != '-' || !ReadInt(s, 8, 2, d) || (s[10] != 'T' && s[10] != ' ') ||
      !ReadInt(s, 11, 2, h) || s[13] != ':' || !ReadInt(s, 14, 2, mi) || s[16] != ':' ||
      !ReadInt(s, 17, 2, se))
    return bad();
  using namespace std::chrono;
  year_month_day ymd{year(y), month(unsigned(mo)), day(unsigned(d))};
  if (!ymd.ok() || h > 23 || mi > 59 || se > 60) return bad();
  size_t pos = 19;
  long long frac_us = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 6) frac_us = frac_us * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return bad();
    for (int i = digits; i < 6; ++i) frac_us *= 10;
  }
  int offset_min = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!ReadInt(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !ReadInt(s, pos + 4, 2, om) || oh > 23 || om > 59)
      return bad();
    offset_min = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return bad();
  }
  if (pos != s.size()) return bad();
  auto t = sys_days(ymd) + hours(h) + minutes(mi) + seconds(se) + microseconds(frac_us) -
           minutes(offset_min);
  return TimePoint(duration_cast<Micros>(t.time_since_epoch()));
}

}  // namespace zhidu
