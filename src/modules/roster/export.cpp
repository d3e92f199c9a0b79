// The roster's file formats: the iCalendar feed (RFC 5545) and the month's 排班表 (.xlsx).
#include <xlsxwriter.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/crypto.hpp"
#include "modules/roster/roster.hpp"

namespace zhidu::roster {

namespace {

using namespace std::chrono;

// RFC 5545 §3.3.11 TEXT escaping.
std::string EscapeText(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == ';' || c == ',')
      out += '\\', out += c;
    else if (c == '\n')
      out += "\\n";
    else if (c != '\r')
      out += c;
  }
  return out;
}

// RFC 5545 §3.1: lines longer than 75 octets are folded (CRLF + one space), never inside a UTF-8
// sequence.
void Line(std::string& out, std::string_view line) {
  size_t limit = 75;
  while (line.size() > limit) {
    size_t cut = limit;
    while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
    out.append(line.substr(0, cut));
    out += "\r\n ";
    line.remove_prefix(cut);
    limit = 74;  // the leading space counts
  }
  out.append(line);
  out += "\r\n";
}

std::string Local(TimePoint t, const TimeZone& zone) {
  auto lt = zone.ToLocal(t);
  auto d = floor<days>(lt);
  year_month_day ymd{d};
  hh_mm_ss<Micros> hms{lt - d};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d%02u%02uT%02ld%02ld%02ld", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<long>(hms.hours().count()), static_cast<long>(hms.minutes().count()),
                static_cast<long>(hms.seconds().count()));
  return buf;
}

std::string Utc(TimePoint t) {
  auto s = FormatIso8601Utc(floor<seconds>(t));  // 2026-11-27T04:00:00Z
  std::string out;
  for (char c : s)
    if (c != '-' && c != ':') out += c;
  return out;
}

std::string Offset(minutes m) {
  char buf[8];
  long v = m.count();
  std::snprintf(buf, sizeof buf, "%c%02ld%02ld", v < 0 ? '-' : '+', std::labs(v) / 60,
                std::labs(v) % 60);
  return buf;
}

}  // namespace

std::string RenderIcal(const store::Person& person, const std::vector<RosterAssignment>& shifts,
                       const TimeZone& zone, TimePoint now,
                       const std::function<std::string(const RosterAssignment&)>& summary) {
  // A zone without daylight saving (Asia/Shanghai) is described by one STANDARD component; for a
  // zone whose offset changes during the year the events are written in UTC instead.
  auto jan = zone.OffsetAt(now - days(180)), jul = zone.OffsetAt(now);
  const bool fixed = jan == jul;
  std::string out;
  Line(out, "BEGIN:VCALENDAR");
  Line(out, "VERSION:2.0");
  Line(out, "PRODID:-//zhidu//roster//ZH");
  Line(out, "CALSCALE:GREGORIAN");
  Line(out, "METHOD:PUBLISH");
  Line(out, "X-WR-CALNAME:" + EscapeText(person.name + " 排班"));
  if (fixed) Line(out, "X-WR-TIMEZONE:" + std::string(zone.name()));
  Line(out, "REFRESH-INTERVAL;VALUE=DURATION:PT1H");
  Line(out, "X-PUBLISHED-TTL:PT1H");
  if (fixed) {
    Line(out, "BEGIN:VTIMEZONE");
    Line(out, "TZID:" + std::string(zone.name()));
    Line(out, "BEGIN:STANDARD");
    Line(out, "DTSTART:19700101T000000");
    Line(out, "TZOFFSETFROM:" + Offset(jul));
    Line(out, "TZOFFSETTO:" + Offset(jul));
    Line(out, "TZNAME:" + std::string(zone.name() == "Asia/Shanghai" ? "CST" : "STD"));
    Line(out, "END:STANDARD");
    Line(out, "END:VTIMEZONE");
  }
  const std::string stamp = Utc(now);
  for (const auto& a : shifts) {
    Line(out, "BEGIN:VEVENT");
    Line(out, "UID:roster-assignment-" + std::to_string(a.id) + "@zhidu");
    Line(out, "DTSTAMP:" + stamp);
    if (fixed) {
      Line(out, "DTSTART;TZID=" + std::string(zone.name()) + ":" + Local(a.starts_at, zone));
      Line(out, "DTEND;TZID=" + std::string(zone.name()) + ":" + Local(a.ends_at, zone));
    } else {
      Line(out, "DTSTART:" + Utc(a.starts_at));
      Line(out, "DTEND:" + Utc(a.ends_at));
    }
    Line(out, "SUMMARY:" + EscapeText(summary(a)));
    Line(out, "CATEGORIES:" + EscapeText(a.shift));
    Line(out, "STATUS:CONFIRMED");
    Line(out, "TRANSP:OPAQUE");
    Line(out, "END:VEVENT");
  }
  Line(out, "END:VCALENDAR");
  return out;
}

Result<std::string> RenderXlsx(const XlsxSheet& sheet) {
  // libxlsxwriter 1.1.4 writes only to files: a private temporary file, read back and removed.
  std::error_code ec;
  auto dir = std::filesystem::temp_directory_path(ec);
  if (ec) return Fail(Errc::kInternal, "no temporary directory for the export");
  auto path = dir / ("zhidu-roster-" + RandomHex(12) + ".xlsx");
  lxw_workbook* wb = workbook_new(path.c_str());
  if (!wb) return Fail(Errc::kInternal, "cannot create the workbook");
  lxw_worksheet* ws = workbook_add_worksheet(wb, "排班表");
  lxw_format* bold = workbook_add_format(wb);
  format_set_bold(bold);
  lxw_format* center = workbook_add_format(wb);
  format_set_align(center, LXW_ALIGN_CENTER);
  format_set_border(center, LXW_BORDER_THIN);
  lxw_format* head = workbook_add_format(wb);
  format_set_bold(head);
  format_set_align(head, LXW_ALIGN_CENTER);
  format_set_border(head, LXW_BORDER_THIN);
  worksheet_write_string(ws, 0, 0, sheet.title.c_str(), bold);
  worksheet_write_string(ws, 1, 0, "姓名", head);
  worksheet_set_column(ws, 0, 0, 12, nullptr);
  for (size_t d = 0; d < sheet.day_headers.size(); ++d) {
    worksheet_write_string(ws, 1, static_cast<lxw_col_t>(d + 1), sheet.day_headers[d].c_str(),
                           head);
    worksheet_set_column(ws, static_cast<lxw_col_t>(d + 1), static_cast<lxw_col_t>(d + 1), 5,
                         nullptr);
  }
  for (size_t r = 0; r < sheet.row_names.size(); ++r) {
    auto row = static_cast<lxw_row_t>(r + 2);
    worksheet_write_string(ws, row, 0, sheet.row_names[r].c_str(), center);
    for (size_t d = 0; d < sheet.day_headers.size(); ++d) {
      const std::string& v =
          r < sheet.cells.size() && d < sheet.cells[r].size() ? sheet.cells[r][d] : std::string();
      worksheet_write_string(ws, row, static_cast<lxw_col_t>(d + 1), v.c_str(), center);
    }
  }
  worksheet_freeze_panes(ws, 2, 1);
  lxw_error err = workbook_close(wb);
  std::string bytes;
  if (err == LXW_NO_ERROR) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream buf;
    buf << in.rdbuf();
    bytes = buf.str();
  }
  std::filesystem::remove(path, ec);
  if (err != LXW_NO_ERROR || bytes.empty())
    return Fail(Errc::kInternal, std::string("writing the workbook failed: ") + lxw_strerror(err));
  return bytes;
}

}  // namespace zhidu::roster
