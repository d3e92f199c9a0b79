// A closed month's pay as an XLSX workbook for payroll (issue 20 §2), through base/xlsx.hpp.
#include <xlsxwriter.h>

#include "base/xlsx.hpp"
#include "modules/people/assessment.hpp"

namespace zhidu::people {

namespace {

void FillPay(lxw_workbook* wb, const PaySheet& sheet) {
  lxw_worksheet* ws = workbook_add_worksheet(wb, "绩效工资");
  lxw_format* bold = workbook_add_format(wb);
  format_set_bold(bold);
  std::string clauses;
  for (const auto& c : sheet.clauses) clauses += (clauses.empty() ? "" : "、") + c;
  worksheet_write_string(ws, 0, 0, (sheet.title + " " + sheet.period).c_str(), bold);
  worksheet_write_string(ws, 1, 0, ("依据：" + clauses).c_str(), nullptr);
  worksheet_write_string(ws, 2, 0, ("工资公式：" + sheet.formula + "（金额单位：分）").c_str(),
                         nullptr);
  int c = 0;
  for (const char* h : {"工号", "姓名", "考核得分"}) worksheet_write_string(ws, 4, c++, h, bold);
  for (const auto& name : sheet.inputs)
    worksheet_write_string(ws, 4, c++, (name + "（分）").c_str(), bold);
  worksheet_write_string(ws, 4, c++, "应发绩效工资（分）", bold);
  worksheet_write_string(ws, 4, c, "说明", bold);
  int r = 5;
  for (const auto& row : sheet.rows) {
    c = 0;
    worksheet_write_string(ws, r, c++, row.employee_no.c_str(), nullptr);
    worksheet_write_string(ws, r, c++, row.name.c_str(), nullptr);
    if (row.line.score) worksheet_write_number(ws, r, c, *row.line.score, nullptr);
    ++c;
    for (const auto& name : sheet.inputs) {
      for (const auto& [n, fen] : row.line.inputs)
        if (n == name) worksheet_write_number(ws, r, c, static_cast<double>(fen), nullptr);
      ++c;
    }
    if (row.line.pay_fen)
      worksheet_write_number(ws, r, c, static_cast<double>(*row.line.pay_fen), nullptr);
    ++c;
    worksheet_write_string(ws, r, c, row.line.note.c_str(), nullptr);
    ++r;
  }
  worksheet_set_column(ws, 0, 1, 14, nullptr);
}

}  // namespace

Result<std::string> PayXlsx(const PaySheet& sheet) {
  return XlsxBytes("pay", [&](lxw_workbook* wb) { FillPay(wb, sheet); });
}

}  // namespace zhidu::people
