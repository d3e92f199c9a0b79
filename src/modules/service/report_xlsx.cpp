// The customer-service reports as an XLSX workbook (issue 18 §10), through base/xlsx.hpp: one sheet
// per report, Chinese headers, the same figures the JSON answer gives.
#include <xlsxwriter.h>

#include <initializer_list>
#include <optional>
#include <string>

#include "base/xlsx.hpp"
#include "modules/service/reports.hpp"

namespace zhidu::service {

namespace {

// Writes a row of cells (a string, a number, or nothing for a figure not computed).
struct Sheet {
  lxw_worksheet* ws;
  lxw_format* bold;
  int r = 0;

  void Title(const std::string& text) { worksheet_write_string(ws, r++, 0, text.c_str(), bold); }
  void Header(std::initializer_list<const char*> cells) {
    int c = 0;
    for (const char* h : cells) worksheet_write_string(ws, r, c++, h, bold);
    ++r;
  }
  Sheet& S(int c, const std::string& v) {
    worksheet_write_string(ws, r, c, v.c_str(), nullptr);
    return *this;
  }
  Sheet& N(int c, double v) {
    worksheet_write_number(ws, r, c, v, nullptr);
    return *this;
  }
  Sheet& N(int c, std::optional<double> v) {
    if (v) worksheet_write_number(ws, r, c, *v, nullptr);
    return *this;
  }
  void Next() { ++r; }
};

std::optional<double> Percent(int part, int whole) {
  if (whole == 0) return std::nullopt;
  return 100.0 * part / whole;
}

// The ticket states as the console says them.
std::string StateText(const std::string& state) {
  for (auto [k, v] : {std::pair{"new", "新建"}, std::pair{"open", "处理中"},
                      std::pair{"pending", "待客户回复"}, std::pair{"resolved", "已解决"},
                      std::pair{"closed", "已关闭"}})
    if (state == k) return v;
  return state;
}

std::string Name(const std::string& name, store::Id id) {
  return name.empty() ? "人员 " + std::to_string(id) : name;
}

void Fill(lxw_workbook* wb, const ServiceReport& rep) {
  lxw_format* bold = workbook_add_format(wb);
  format_set_bold(bold);
  std::string period = rep.site_name + " " + rep.from + " 至 " + rep.to + "（" + rep.zone + "）";

  Sheet a{workbook_add_worksheet(wb, "客服日报"), bold};
  a.Title("客服日报（每人每日） " + period);
  a.Header({"日期", "客服", "接待量", "解决", "重新打开", "成交订单", "首次回复", "首次回复中位时长（分钟）",
            "时限内首次回复", "有时限的首次回复", "时限内占比（%）", "调查答复", "满意",
            "满意率（%）", "发货（有截单时限）", "按时发货", "发货及时率（%）"});
  for (const auto& x : rep.agents) {
    a.S(0, x.day).S(1, Name(x.name, x.person_id)).N(2, x.received).N(3, x.resolved);
    a.N(4, x.reopened).N(5, x.orders).N(6, x.first_responses);
    a.N(7, x.first_response_median_minutes).N(8, x.first_response_met);
    a.N(9, x.first_response_timed).N(10, Percent(x.first_response_met, x.first_response_timed));
    a.N(11, x.surveys_answered).N(12, x.surveys_satisfied);
    a.N(13, Percent(x.surveys_satisfied, x.surveys_answered));
    a.N(14, x.shipped).N(15, x.shipped_on_time).N(16, Percent(x.shipped_on_time, x.shipped));
    a.Next();
  }
  worksheet_set_column(a.ws, 0, 1, 14, nullptr);

  Sheet b{workbook_add_worksheet(wb, "SLA达成"), bold};
  b.Title("SLA 达成情况（按队列、服务时限；期间内开始计时的时限） " + period);
  b.Header({"队列", "服务时限", "时限代号", "按时", "超时后完成", "已超时未完成", "计时中",
            "未设目标", "达成率（%）"});
  for (const auto& x : rep.sla) {
    b.S(0, x.queue).S(1, x.title).S(2, x.service_level).N(3, x.met).N(4, x.met_late);
    b.N(5, x.breached).N(6, x.open).N(7, x.not_started);
    b.N(8, Percent(x.met, x.met + x.met_late + x.breached));
    b.Next();
  }
  worksheet_set_column(b.ws, 0, 2, 18, nullptr);

  const auto& c = rep.complaints;
  Sheet s{workbook_add_worksheet(wb, "投诉分析"), bold};
  s.Title("投诉分析（期间内受理的投诉工单） " + period);
  s.Header({"投诉总数", "客户已满意", "至客户满意中位时长（小时）"});
  s.N(0, c.total).N(1, c.satisfied).N(2, c.median_hours_to_satisfied);
  s.Next();
  s.Next();
  s.Header({"按类别", "数量"});
  for (const auto& x : c.by_category) s.S(0, x.key.empty() ? "（未分类）" : x.key).N(1, x.count).Next();
  s.Next();
  s.Header({"按工单状态", "数量"});
  for (const auto& x : c.by_state) s.S(0, StateText(x.key)).N(1, x.count).Next();
  s.Next();
  s.Header({"按客户反馈表状态", "数量"});
  for (const auto& x : c.by_form_state) s.S(0, x.title.empty() ? x.key : x.title).N(1, x.count).Next();
  worksheet_set_column(s.ws, 0, 0, 22, nullptr);

  Sheet d{workbook_add_worksheet(wb, "发货及时率"), bold};
  d.Title("发货及时率（期间内发货、有截单时限的订单） " + period);
  d.Header({"客服", "发货", "按时", "延迟", "及时率（%）"});
  int shipped = 0, on_time = 0;
  for (const auto& x : rep.shipping) {
    d.S(0, Name(x.name, x.person_id)).N(1, x.shipped).N(2, x.on_time);
    d.N(3, x.shipped - x.on_time).N(4, Percent(x.on_time, x.shipped));
    d.Next();
    shipped += x.shipped;
    on_time += x.on_time;
  }
  d.S(0, "合计").N(1, shipped).N(2, on_time).N(3, shipped - on_time).N(4, Percent(on_time, shipped));
  d.Next();
  worksheet_set_column(d.ws, 0, 0, 14, nullptr);
}

}  // namespace

Result<std::string> ReportXlsx(const ServiceReport& report) {
  return XlsxBytes("service-report", [&](lxw_workbook* wb) { Fill(wb, report); });
}

}  // namespace zhidu::service
