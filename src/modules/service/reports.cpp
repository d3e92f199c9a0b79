// Customer-service reports (reports.hpp): one read, the daily statistics' and the sources'
// computations reused, the deadline engine's records as the SLA log.
#include "modules/service/reports.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <set>

#include "kernel/policy/rule_names.hpp"

namespace zhidu::service {

namespace {

using namespace std::chrono;

std::string DayText(year_month_day d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return buf;
}

std::string LocalDay(const TimeZone& zone, TimePoint t) {
  return DayText(year_month_day{floor<days>(zone.ToLocal(t))});
}

std::optional<double> Median(std::vector<double> v) {
  if (v.empty()) return std::nullopt;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double Minutes(TimePoint from, TimePoint to) {
  return duration_cast<duration<double, std::ratio<60>>>(to - from).count();
}

void Count(std::vector<CountRow>& rows, const std::string& key, const std::string& title = {}) {
  for (auto& r : rows)
    if (r.key == key) {
      ++r.count;
      return;
    }
  rows.push_back({key, title, 1});
}

void AddClauses(std::vector<std::string>& out, const std::vector<std::string>& more) {
  for (const auto& c : more)
    if (std::ranges::find(out, c) == out.end()) out.push_back(c);
}

// A ticket's deadline (the SLA log), with the ticket's queue and holder.
struct TicketDeadline {
  store::Id ticket_id = 0, queue_post_id = 0, assignee = 0;
  std::string queue, level, state;
  TimePoint started_at, stopped_at;
};

// The deadlines of the site's tickets started or stopped in [from, to) — but not the clocks a merge
// stopped (a duplicate closed into another ticket at closed_at takes no more work, so what stopped
// at or after it is the merge's: that work counts on the target); a duplicate's clock stopped
// before its merge (its first reply) counts.
Result<std::vector<TicketDeadline>> TicketDeadlines(store::Sql& sql, store::Id site_id,
                                                    TimePoint from, TimePoint to) {
  return sql.Many<TicketDeadline>(
      "ticket deadlines for the reports",
      "SELECT t.id, t.queue_post_id, p.name, t.assignee, d.service_level, d.state, d.started_at, "
      "d.stopped_at FROM deadlines d JOIN service_tickets t ON t.site_id = d.site_id AND "
      "d.ref = 'ticket/' || CAST(t.id AS TEXT) JOIN posts p ON p.id = t.queue_post_id "
      "WHERE d.site_id = ? AND (t.merged_into IS NULL OR d.stopped_at IS NULL OR "
      "d.stopped_at < t.closed_at) AND ((d.started_at >= ? AND d.started_at < ?) OR "
      "(d.stopped_at >= ? AND d.stopped_at < ?)) ORDER BY d.id",
      {site_id, store::SqlTime(from), store::SqlTime(to), store::SqlTime(from), store::SqlTime(to)},
      [](const store::SqlRow& r) {
        return TicketDeadline{r.Int(0),  r.Int(1),  r.Int(3),  r.Text(2),
                              r.Text(4), r.Text(5), r.Time(6), r.Time(7)};
      });
}

struct Complaint {
  store::Id id = 0;
  std::string category, state;
  TimePoint created_at, satisfied_at;  // satisfied_at: the first satisfied answer, epoch: none
};

Result<std::vector<Complaint>> Complaints(store::Sql& sql, store::Id site_id, TimePoint from,
                                          TimePoint to) {
  return sql.Many<Complaint>(
      "complaints for the reports",
      "SELECT t.id, t.category, t.state, t.created_at, (SELECT MIN(s.answered_at) FROM "
      "service_surveys s WHERE s.ticket_id = t.id AND s.state = 'answered' AND s.satisfied = 1) "
      "FROM service_tickets t WHERE t.site_id = ? AND t.complaint = 1 AND t.created_at >= ? AND "
      "t.created_at < ? ORDER BY t.id",
      {site_id, store::SqlTime(from), store::SqlTime(to)}, [](const store::SqlRow& r) {
        return Complaint{r.Int(0), r.Text(1), r.Text(2), r.Time(3), r.Time(4)};
      });
}

// (agent, shipped_at) of the orders of the site shipped in [from, to).
Result<std::vector<std::pair<store::Id, TimePoint>>> Shipments(store::Sql& sql, store::Id site_id,
                                                               TimePoint from, TimePoint to) {
  return sql.Many<std::pair<store::Id, TimePoint>>(
      "shipments for the reports",
      "SELECT agent, shipped_at FROM service_orders WHERE site_id = ? AND agent IS NOT NULL AND "
      "shipped_at >= ? AND shipped_at < ? ORDER BY agent, id",
      {site_id, store::SqlTime(from), store::SqlTime(to)}, [](const store::SqlRow& r) {
        return std::pair{r.Int(0), r.Time(1)};
      });
}

Result<std::vector<std::string>> QueueNames(store::Sql& sql, store::Id site_id) {
  return sql.Many<std::string>(
      "queues of the site's tickets",
      "SELECT DISTINCT p.name FROM service_tickets t JOIN posts p ON p.id = t.queue_post_id "
      "WHERE t.site_id = ? ORDER BY 1",
      {site_id}, [](const store::SqlRow& r) { return r.Text(0); });
}

}  // namespace

Result<store::Site> ReportedSite(store::UnitOfWork& unit, store::Id site_id) {
  auto site = unit.GetSite(site_id);
  if (site || site.error().code != Errc::kNotFound) return site;
  return Fail(Errc::kNotFound, Reason{"service.unknown_site"},
              "site " + std::to_string(site_id) + " does not exist");
}

Result<ServiceReport> Reports::Of(const org::Principal& who, store::Id site_id,
                                  const std::string& from, const std::string& to) const {
  if (site_id == 0)
    return Fail(Errc::kInvalidArgument, kRequired, "site_id is required", "site_id");
  if (from.empty()) return Fail(Errc::kInvalidArgument, kRequired, "from is required", "from");
  if (to.empty()) return Fail(Errc::kInvalidArgument, kRequired, "to is required", "to");
  ZHIDU_TRY(year_month_day first, ParseDay(from, "from"));
  ZHIDU_TRY(year_month_day last, ParseDay(to, "to"));
  int span = static_cast<int>((local_days{last} - local_days{first}).count()) + 1;
  if (span < 1 || span > kMaxReportDays)
    return Fail(Errc::kInvalidArgument, Reason{"service.report_range"},
                "to must be on or after from, and the range at most " +
                    std::to_string(kMaxReportDays) + " days (it is " + std::to_string(span) + ")",
                "to");

  ZHIDU_TRY(auto unit, store_.BeginRead());
  auto& sql = unit->sql();
  ZHIDU_TRY(auto site, ReportedSite(*unit, site_id));
  // A supervisor of one of the site's queues (the queues its tickets are in), or service.supervise.
  ZHIDU_TRY(auto queues, QueueNames(sql, site_id));
  bool allowed = service_.Supervises(who, site_id, "");
  for (const auto& q : queues) allowed = allowed || service_.Supervises(who, site_id, q);
  if (!allowed)
    return Fail(Errc::kPermissionDenied, Reason{"service.reports_denied"},
                "the customer-service reports are for a supervisor of the site's queues");

  ZHIDU_TRY(TimeZone zone, TimeZone::Find(site.time_zone.empty() ? std::string(kDefaultTimeZone)
                                                                 : site.time_zone));
  auto day_start = [&](local_days d) { return zone.FromLocal(local_time<Micros>(d)); };
  ServiceReport out;
  out.site_id = site_id;
  out.site_name = site.name;
  out.zone = std::string(zone.name());
  out.from = from;
  out.to = to;
  out.from_at = day_start(local_days{first});
  out.to_at = day_start(local_days{last} + days{1});
  auto pack = pack_.Current();

  // (a) per agent per day: the daily statistics of each day and the answered links of that day.
  std::map<std::pair<std::string, store::Id>, AgentDayRow> rows;
  auto row = [&](const std::string& day, store::Id person) -> AgentDayRow& {
    auto& r = rows[{day, person}];
    r.day = day;
    r.person_id = person;
    return r;
  };
  for (local_days d = local_days{first}; d <= local_days{last}; d += days{1}) {
    std::string day = DayText(year_month_day{d});
    TimePoint a = day_start(d), b = day_start(d + days{1});
    ZHIDU_TRY(auto stats, DailyStatsRows(*unit, site_id, a, b));
    for (const auto& s : stats) {
      auto& r = row(day, s.person_id);
      r.received = static_cast<int>(s.received.size());
      r.resolved = static_cast<int>(s.resolved.size());
      r.reopened = static_cast<int>(s.reopened.size());
      r.orders = static_cast<int>(s.orders.size());
    }
    ZHIDU_TRY(auto answered, db::Satisfaction(sql, site_id, false, a, b));
    for (const auto& s : answered) {
      auto& r = row(day, s.id);
      r.surveys_answered = s.answered;
      r.surveys_satisfied = s.satisfied;
    }
  }

  // First responses and SLA compliance, from the deadlines of the site's tickets.
  std::map<std::string, std::pair<SlaClock, std::string>> levels;  // level → clock, title
  if (pack)
    for (const auto& sl : pack->service_levels()) levels[sl.id] = {ClockOf(sl), sl.title};
  auto clock_of = [&](const std::string& level) {
    auto it = levels.find(level);
    return it == levels.end() ? std::pair{SlaClock::kOther, level} : it->second;
  };
  ZHIDU_TRY(auto deadlines, TicketDeadlines(sql, site_id, out.from_at, out.to_at));
  std::map<std::pair<std::string, store::Id>, std::vector<double>> elapsed;
  std::map<std::pair<store::Id, std::string>, SlaRow> sla;
  for (const auto& d : deadlines) {
    auto [clock, title] = clock_of(d.level);
    if (clock == SlaClock::kFirstResponse && d.stopped_at != TimePoint{} && d.assignee != 0 &&
        d.stopped_at >= out.from_at && d.stopped_at < out.to_at) {
      std::string day = LocalDay(zone, d.stopped_at);
      auto& r = row(day, d.assignee);
      ++r.first_responses;
      if (d.state == "met" || d.state == "met_late") ++r.first_response_timed;
      if (d.state == "met") ++r.first_response_met;
      elapsed[{day, d.assignee}].push_back(Minutes(d.started_at, d.stopped_at));
    }
    if (d.started_at < out.from_at || d.started_at >= out.to_at) continue;
    auto& s = sla[{d.queue_post_id, d.level}];
    s.queue_post_id = d.queue_post_id;
    s.queue = d.queue;
    s.service_level = d.level;
    s.title = title;
    s.clock = std::string(SlaClockName(clock));
    if (d.state == "met")
      ++s.met;
    else if (d.state == "met_late")
      ++s.met_late;
    else if (d.state == "breached")
      ++s.breached;
    else if (d.state == "not_started")
      ++s.not_started;
    else
      ++s.open;  // open or paused
    if (pack) AddClauses(out.clauses, policy::ClausesOfRule(pack->service_levels(), d.level));
  }
  for (auto& [key, minutes] : elapsed) rows[key].first_response_median_minutes = Median(minutes);
  for (auto& [key, s] : sla) out.sla.push_back(std::move(s));

  // (d) on-time shipping: R06's rate per agent and day, as the shipments source computes it.
  std::map<store::Id, ShippingRow> shipping;
  if (pack) {
    ZHIDU_TRY(auto shipments, Shipments(sql, site_id, out.from_at, out.to_at));
    std::set<std::pair<std::string, store::Id>> done;
    for (const auto& [agent, at] : shipments) {
      std::string day = LocalDay(zone, at);
      if (!done.insert({day, agent}).second) continue;
      auto ymd = year_month_day{floor<days>(zone.ToLocal(at))};
      std::vector<store::Id> counted;
      int on_time = 0;
      ZHIDU_TRY(auto rate, OnTimeRate(*unit, *pack, site_id, agent, day_start(local_days{ymd}),
                                      day_start(local_days{ymd} + days{1}), &counted, &on_time));
      (void)rate;
      if (counted.empty()) continue;
      auto& r = row(day, agent);
      r.shipped = static_cast<int>(counted.size());
      r.shipped_on_time = on_time;
      auto& s = shipping[agent];
      s.person_id = agent;
      s.shipped += r.shipped;
      s.on_time += on_time;
      s.order_ids.insert(s.order_ids.end(), counted.begin(), counted.end());
    }
    for (const auto& level : CutoffLevels(*pack))
      AddClauses(out.clauses, policy::ClausesOfRule(pack->service_levels(), level));
  }

  // (c) complaints opened in the range: category, state, the pack's 客户反馈表 state, satisfied.
  std::vector<const policy::Procedure*> forms;
  if (pack)
    for (const auto& p : pack->procedures())
      if (p.trigger == kComplaintReceived) {
        forms.push_back(&p);
        AddClauses(out.clauses, p.clauses);
      }
  ZHIDU_TRY(auto complaints, Complaints(sql, site_id, out.from_at, out.to_at));
  std::vector<double> hours;
  for (const auto& c : complaints) {
    auto& cr = out.complaints;
    ++cr.total;
    cr.ticket_ids.push_back(c.id);
    Count(cr.by_category, c.category);
    Count(cr.by_state, c.state);
    if (c.satisfied_at != TimePoint{}) {
      ++cr.satisfied;
      hours.push_back(Minutes(c.created_at, c.satisfied_at) / 60);
    }
    store::ProcedureFilter f;
    f.site_id = site_id;
    f.ref = "ticket/" + std::to_string(c.id);
    ZHIDU_TRY(auto instances, unit->ListProcedureInstances(f, {0, 100}));
    for (const auto& i : instances)
      for (const auto* p : forms)
        if (p->id == i.procedure) {
          std::string title = i.state;
          for (const auto& st : p->states)
            if (st.id == i.state && !st.title.empty()) title = st.title;
          Count(cr.by_form_state, i.procedure + "/" + i.state, title);
        }
  }
  out.complaints.median_hours_to_satisfied = Median(hours);
  if (pack) AddClauses(out.clauses, policy::ClausesOfRule(pack->records(), kDailyStatsRecord));

  for (auto& [key, r] : rows) {
    if (auto p = unit->GetPerson(r.person_id)) r.name = p->name;
    out.agents.push_back(std::move(r));
  }
  for (auto& [person, s] : shipping) {
    if (auto p = unit->GetPerson(person)) s.name = p->name;
    out.shipping.push_back(std::move(s));
  }
  return out;
}

}  // namespace zhidu::service
