// The duty log's print view as an XLSX workbook, through base/xlsx.hpp.
#include <xlsxwriter.h>

#include "base/xlsx.hpp"
#include "modules/dutylog/dutylog.hpp"

namespace zhidu::dutylog {

namespace {
std::string Local(TimePoint t, const TimeZone& zone) {
  auto s = FormatIso8601(t, zone);  // 2026-12-07T08:00:00+08:00 -> 2026-12-07 08:00:00
  if (s.size() >= 19) s = s.substr(0, 10) + " " + s.substr(11, 8);
  return s;
}

void FillLog(lxw_workbook* wb, const PrintView& view, const TimeZone& zone) {
  lxw_worksheet* ws = workbook_add_worksheet(wb, "值班记录");
  lxw_format* bold = workbook_add_format(wb);
  format_set_bold(bold);
  lxw_format* wrap = workbook_add_format(wb);
  format_set_text_wrap(wrap);
  std::string clauses;
  for (const auto& c : view.clauses) clauses += (clauses.empty() ? "" : "、") + c;
  worksheet_write_string(ws, 0, 0, view.title.c_str(), bold);
  worksheet_write_string(ws, 1, 0, ("单位：" + view.site.name).c_str(), nullptr);
  worksheet_write_string(ws, 1, 3, ("依据：" + clauses).c_str(), nullptr);
  worksheet_write_string(
      ws, 2, 0, ("时段：" + Local(view.from, zone) + " 至 " + Local(view.to, zone)).c_str(),
      nullptr);
  const char* headers[] = {"编号", "时间", "岗位", "类别", "内容", "记录人", "次数", "更正"};
  for (int c = 0; c < 8; ++c) worksheet_write_string(ws, 4, c, headers[c], bold);
  int r = 5;
  for (const auto& row : view.rows) {
    const auto& e = row.entry;
    worksheet_write_number(ws, r, 0, static_cast<double>(e.id), nullptr);
    worksheet_write_string(ws, r, 1, Local(e.at, zone).c_str(), nullptr);
    worksheet_write_string(ws, r, 2, row.post_name.c_str(), nullptr);
    worksheet_write_string(ws, r, 3, KindLabel(e.kind).c_str(), nullptr);
    worksheet_write_string(ws, r, 4, e.text.c_str(), wrap);
    worksheet_write_string(ws, r, 5, row.author_name.c_str(), nullptr);
    worksheet_write_number(ws, r, 6, e.repeat_count, nullptr);
    if (e.corrects) worksheet_write_number(ws, r, 7, static_cast<double>(e.corrects), nullptr);
    ++r;
  }
  worksheet_write_string(
      ws, r + 1, 0,
      ("异常 " + std::to_string(view.abnormal) + " 条；报警 " + std::to_string(view.alarms) +
       " 次；更正 " + std::to_string(view.corrections) + " 条")
          .c_str(),
      nullptr);
  worksheet_set_column(ws, 1, 1, 20, nullptr);
  worksheet_set_column(ws, 4, 4, 60, nullptr);
}

}  // namespace

Result<std::string> ExportXlsx(const PrintView& view, const TimeZone& zone) {
  return XlsxBytes("dutylog", [&](lxw_workbook* wb) { FillLog(wb, view, zone); });
}

}  // namespace zhidu::dutylog
