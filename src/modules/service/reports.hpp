// Customer-service reports (客服报表, issue 18 §10): for a site and a range of local days, per
// agent per day (R14 §1.1.1's daily statistics, first responses from the deadline engine's records,
// answered survey links, on-time shipping), SLA compliance per service level and queue, complaint
// analysis (客户反馈表) and on-time shipping (R06 §四(一)5). Every figure is computed from the
// records in one read transaction, through the same computations the daily statistics and the
// assessment's sources use (kpi.cpp, orders.cpp); nothing is stored.
//
// Who reads them: a supervisor of one of the site's queues (Service::Supervises: a holder of a role
// the queue's roles report to in the pack, or of service.supervise) — 403
// service.reports_denied otherwise.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "modules/service/service.hpp"

namespace zhidu::service {

// The longest range a report covers, in days (our bound, not the regulations': a quarter).
inline constexpr int kMaxReportDays = 92;

// The site a report or the board is asked for: 404 service.unknown_site when there is none.
Result<store::Site> ReportedSite(store::UnitOfWork& unit, store::Id site_id);

// One agent on one local day.
struct AgentDayRow {
  std::string day;  // YYYY-MM-DD in the site's zone
  store::Id person_id = 0;
  std::string name;
  int received = 0, resolved = 0, reopened = 0, orders = 0;  // the daily statistics
  // First responses given that day on tickets the agent holds: the first-response deadlines
  // stopped that day (elapsed = stopped_at − started_at, wall time), met within the SLA, and of
  // them how many had a target (state met or met_late; not_started has none).
  int first_responses = 0, first_response_met = 0, first_response_timed = 0;
  std::optional<double> first_response_median_minutes;
  int surveys_answered = 0, surveys_satisfied = 0;  // answered links credited (the surveys source)
  int shipped = 0, shipped_on_time = 0;             // orders shipped with a cut-off deadline
};

// The deadlines of one service level on one queue's tickets started in the range.
struct SlaRow {
  store::Id queue_post_id = 0;
  std::string queue, service_level, title, clock;
  int met = 0, met_late = 0, breached = 0, open = 0, not_started = 0;
};

struct CountRow {
  std::string key;    // category ("" none), ticket state, or "procedure/state"
  std::string title;  // the pack's state title for a form state
  int count = 0;
};

// Complaint tickets opened in the range.
struct ComplaintReport {
  int total = 0;
  int satisfied = 0;  // with a satisfied answer recorded (a survey link or a return visit)
  std::optional<double> median_hours_to_satisfied;  // opened → first satisfied answer
  std::vector<CountRow> by_category, by_state, by_form_state;
  std::vector<store::Id> ticket_ids;
};

struct ShippingRow {
  store::Id person_id = 0;
  std::string name;
  int shipped = 0, on_time = 0;
  std::vector<store::Id> order_ids;  // shipped with a cut-off deadline
};

struct ServiceReport {
  store::Id site_id = 0;
  std::string site_name, zone;
  std::string from, to;      // the first and last local day, inclusive
  TimePoint from_at, to_at;  // [from_at, to_at)
  std::vector<std::string> clauses;
  std::vector<AgentDayRow> agents;  // by day, then person
  std::vector<SlaRow> sla;          // by queue, then level
  ComplaintReport complaints;
  std::vector<ShippingRow> shipping;  // by person
};

class Reports {
 public:
  Reports(store::Store& store, const policy::ActivePack& pack, const Service& service)
      : store_(store), pack_(pack), service_(service) {}

  // 400 invalid (field from/to: not a date) / service.report_range (to before from, or more than
  // kMaxReportDays days), 404 service.unknown_site, 403 service.reports_denied.
  Result<ServiceReport> Of(const org::Principal& who, store::Id site_id, const std::string& from,
                           const std::string& to) const;

 private:
  store::Store& store_;
  const policy::ActivePack& pack_;
  const Service& service_;
};

// The report as a workbook, one sheet per report, Chinese headers (report_xlsx.cpp).
Result<std::string> ReportXlsx(const ServiceReport& report);

}  // namespace zhidu::service
