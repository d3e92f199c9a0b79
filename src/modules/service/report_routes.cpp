// The customer-service reports over HTTP (issue 18 §10): the JSON answer and the same as XLSX.
// The rules are in reports.cpp.
#include <nlohmann/json.hpp>

#include "api/api.hpp"
#include "api/api_internal.hpp"
#include "modules/service/module.hpp"
#include "modules/service/reports.hpp"
#include "modules/service/route_json.hpp"

namespace zhidu::service {

using api::ErrorResponse;
using api::HttpRequest;
using api::HttpResponse;
using nlohmann::json;

namespace {

json OrNull(std::optional<double> v) { return v ? json(*v) : json(nullptr); }

json Percent(int part, int whole) {
  return whole ? json(100.0 * part / whole) : json(nullptr);
}

json ReportJson(const ServiceReport& r) {
  json agents = json::array();
  for (const auto& x : r.agents)
    agents.push_back({{"day", x.day},
                      {"person_id", x.person_id},
                      {"name", x.name},
                      {"received", x.received},
                      {"resolved", x.resolved},
                      {"reopened", x.reopened},
                      {"orders", x.orders},
                      {"first_responses", x.first_responses},
                      {"first_response_median_minutes", OrNull(x.first_response_median_minutes)},
                      {"first_response_met", x.first_response_met},
                      {"first_response_timed", x.first_response_timed},
                      {"first_response_met_percent",
                       Percent(x.first_response_met, x.first_response_timed)},
                      {"surveys_answered", x.surveys_answered},
                      {"surveys_satisfied", x.surveys_satisfied},
                      {"satisfaction_percent", Percent(x.surveys_satisfied, x.surveys_answered)},
                      {"shipped", x.shipped},
                      {"shipped_on_time", x.shipped_on_time},
                      {"on_time_percent", Percent(x.shipped_on_time, x.shipped)}});
  json sla = json::array();
  for (const auto& x : r.sla)
    sla.push_back({{"queue_post_id", x.queue_post_id},
                   {"queue", x.queue},
                   {"service_level", x.service_level},
                   {"title", x.title},
                   {"clock", x.clock},
                   {"met", x.met},
                   {"met_late", x.met_late},
                   {"breached", x.breached},
                   {"open", x.open},
                   {"not_started", x.not_started},
                   {"met_percent", Percent(x.met, x.met + x.met_late + x.breached)}});
  auto counts = [](const std::vector<CountRow>& rows, const char* key) {
    json out = json::array();
    for (const auto& x : rows) {
      json o = {{key, x.key}, {"count", x.count}};
      if (!x.title.empty()) o["title"] = x.title;
      out.push_back(std::move(o));
    }
    return out;
  };
  const auto& c = r.complaints;
  json shipping = json::array();
  int shipped = 0, on_time = 0;
  for (const auto& x : r.shipping) {
    shipping.push_back({{"person_id", x.person_id},
                        {"name", x.name},
                        {"shipped", x.shipped},
                        {"on_time", x.on_time},
                        {"late", x.shipped - x.on_time},
                        {"on_time_percent", Percent(x.on_time, x.shipped)},
                        {"order_ids", x.order_ids}});
    shipped += x.shipped;
    on_time += x.on_time;
  }
  return {{"site_id", r.site_id},
          {"site", r.site_name},
          {"zone", r.zone},
          {"from", r.from},
          {"to", r.to},
          {"from_at", api::TimeOrNull(r.from_at)},
          {"to_at", api::TimeOrNull(r.to_at)},
          {"clauses", r.clauses},
          {"agents", std::move(agents)},
          {"sla", std::move(sla)},
          {"complaints",
           {{"total", c.total},
            {"satisfied", c.satisfied},
            {"median_hours_to_satisfied", OrNull(c.median_hours_to_satisfied)},
            {"by_category", counts(c.by_category, "category")},
            {"by_state", counts(c.by_state, "state")},
            {"by_form_state", counts(c.by_form_state, "form_state")},
            {"ticket_ids", c.ticket_ids}}},
          {"shipping",
           {{"shipped", shipped},
            {"on_time", on_time},
            {"late", shipped - on_time},
            {"on_time_percent", Percent(on_time, shipped)},
            {"by_agent", std::move(shipping)}}}};
}

Result<ServiceReport> ReportOf(const Reports& reports, const HttpRequest& req) {
  ZHIDU_TRY(auto site_id, api::QueryId(req, "site_id"));
  return reports.Of(api::PrincipalOf(req), site_id, api::QueryString(req, "from"),
                    api::QueryString(req, "to"));
}

}  // namespace

void AddReportRoutes(api::Router& r, const Reports* reports) {
  using api::Access;
  // ?site_id=&from=YYYY-MM-DD&to=YYYY-MM-DD (local days, inclusive, at most kMaxReportDays)
  r.Add("GET", "/api/v1/service/reports", Access::kSignedIn, [reports](HttpRequest& req) {
    if (!reports) return Unavailable();
    ZHIDU_OR_ERROR(auto report, ReportOf(*reports, req));
    return api::JsonResponse(200, ReportJson(report));
  });
  r.Add("GET", "/api/v1/service/reports/export.xlsx", Access::kSignedIn,
        [reports](HttpRequest& req) {
          if (!reports) return Unavailable();
          ZHIDU_OR_ERROR(auto report, ReportOf(*reports, req));
          ZHIDU_OR_ERROR(auto bytes, ReportXlsx(report));
          HttpResponse res;
          res.status = 200;
          res.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
          res.body = std::move(bytes);
          res.headers.emplace_back("Content-Disposition",
                                   "attachment; filename=\"service-report-" +
                                       std::to_string(report.site_id) + "-" + report.from + "-" +
                                       report.to + ".xlsx\"");
          return res;
        });
}

}  // namespace zhidu::service
