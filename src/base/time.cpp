#include "base/time.hpp"

#include <date/date.h>
#include <date/tz.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>

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

namespace {

// The zone interval (sys_info: offset constant in [begin, end)) the thread looked up last.
// date::time_zone::get_info searches the zone's transitions and returns a sys_info holding a
// std::string (the abbreviation) on every call; formatting a list of timestamps or expanding a
// year of shifts asks for the same interval thousands of times (docs/performance.md, Profiles).
struct ZoneInterval {
  const date::time_zone* zone = nullptr;
  std::chrono::seconds begin{0}, end{0};  // since the epoch; whole seconds, so no overflow
  std::chrono::seconds offset{0};
};
thread_local ZoneInterval t_interval;

std::chrono::seconds SysOffset(const date::time_zone* zone, TimePoint t) {
  using namespace std::chrono;
  const seconds s = floor<seconds>(t.time_since_epoch());
  ZoneInterval& c = t_interval;
  if (c.zone == zone && s >= c.begin && s < c.end) return c.offset;
  auto info = zone->get_info(date::sys_time<Micros>(t.time_since_epoch()));
  c = {zone, info.begin.time_since_epoch(), info.end.time_since_epoch(), info.offset};
  return info.offset;
}

}  // namespace

std::chrono::minutes TimeZone::OffsetAt(TimePoint t) const {
  return std::chrono::duration_cast<std::chrono::minutes>(SysOffset(zone_, t));
}

std::chrono::local_time<Micros> TimeZone::ToLocal(TimePoint t) const {
  return std::chrono::local_time<Micros>(t.time_since_epoch() + OffsetAt(t));
}

TimePoint TimeZone::FromLocal(std::chrono::local_time<Micros> local) const {
  // Fast path: the local time read with the cached interval's offset falls well inside that
  // interval (two days from either end: more than any offset change), so no other interval maps
  // to it and it is unique — what get_info(local_time) would answer.
  {
    using namespace std::chrono;
    const ZoneInterval& c = t_interval;
    const seconds s = floor<seconds>(local.time_since_epoch()) - c.offset;
    if (c.zone == zone_ && c.begin < c.end - days(4) && s >= c.begin + days(2) &&
        s < c.end - days(2))
      return TimePoint(local.time_since_epoch() - duration_cast<Micros>(c.offset));
  }
  auto lt = date::local_time<Micros>(local.time_since_epoch());
  auto info = zone_->get_info(lt);
  auto offset = info.first.offset;
  if (info.result == date::local_info::nonexistent) offset = info.second.offset;
  TimePoint out(local.time_since_epoch() - std::chrono::duration_cast<Micros>(offset));
  SysOffset(zone_, out);  // remember the interval for the next call
  return out;
}

namespace {

// Writes `v` as exactly `width` decimal digits at `out` (v is in range: callers bound it).
void PutDigits(char* out, long long v, int width) {
  for (int i = width - 1; i >= 0; --i, v /= 10) out[i] = static_cast<char>('0' + v % 10);
}

// By hand rather than with snprintf: every timestamp of every JSON list goes through here, and
// three snprintf calls were ~5 % of a duty board's CPU (docs/performance.md, Profiles: W2).
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
  int year = int(ymd.year());
  if (year < 0 || year > 9999) {  // outside ISO 8601's four digits: the old, general path
    char buf[64];
    int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02lld", year,
                          unsigned(ymd.month()), unsigned(ymd.day()), int(h.count()),
                          int(m.count()), static_cast<long long>(s.count()));
    std::string out(buf, n);
    if (us != 0) {
      n = std::snprintf(buf, sizeof buf, ".%06lld", static_cast<long long>(us));
      out.append(buf, n);
    }
    auto off = offset.count();
    n = std::snprintf(buf, sizeof buf, "%c%02d:%02d", off < 0 ? '-' : '+', int(std::abs(off) / 60),
                      int(std::abs(off) % 60));
    return out.append(buf, n);
  }
  char buf[32] = "0000-00-00T00:00:00";
  PutDigits(buf, year, 4);
  PutDigits(buf + 5, unsigned(ymd.month()), 2);
  PutDigits(buf + 8, unsigned(ymd.day()), 2);
  PutDigits(buf + 11, h.count(), 2);
  PutDigits(buf + 14, m.count(), 2);
  PutDigits(buf + 17, s.count(), 2);
  size_t n = 19;
  if (us != 0) {
    buf[n] = '.';
    PutDigits(buf + n + 1, us, 6);
    n += 7;
  }
  auto off = offset.count();
  buf[n] = off < 0 ? '-' : '+';
  if (off < 0) off = -off;
  PutDigits(buf + n + 1, off / 60, 2);
  buf[n + 3] = ':';
  PutDigits(buf + n + 4, off % 60, 2);
  return std::string(buf, n + 6);
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
