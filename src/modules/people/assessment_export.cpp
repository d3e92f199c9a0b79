// A closed month's pay as an XLSX workbook for payroll (issue 20 §2). libxlsxwriter writes files
// only, so the workbook goes to a private temporary file that is read back and removed (as the
// duty log's export does).
#include <unistd.h>
#include <xlsxwriter.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "modules/people/assessment.hpp"

namespace zhidu::people {

Result<std::string> PayXlsx(const PaySheet& sheet) {
  char path[] = "/tmp/zhidu-pay-XXXXXX.xlsx";
  int fd = mkstemps(path, 5);
  if (fd < 0) return Fail(Errc::kInternal, "cannot create a temporary file for the workbook");
  close(fd);
  struct Remove {
    const char* p;
    ~Remove() { std::remove(p); }
  } remove{path};
  lxw_workbook* wb = workbook_new(path);
  if (!wb) return Fail(Errc::kInternal, "libxlsxwriter cannot open the workbook");
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
  if (workbook_close(wb) != LXW_NO_ERROR)
    return Fail(Errc::kInternal, "libxlsxwriter could not write the workbook");
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

}  // namespace zhidu::people
