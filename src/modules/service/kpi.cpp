// What customer service gives the assessment (issue 20 "satisfaction → KPI"): quality reviews of an
// agent's ticket by a supervisor of its queue (R11 §3.1 服务态度 in cn-default's scheme), R14's
// daily statistics computed from the tickets (R14 §1.1.1, issue 18 §8: computed, not typed in),
// and the indicator sources the people module's assessment runs read through
// api::IndicatorSources (surveys, tickets, quality_review, daily_stats, shipments), each a count, a
// mean or a rate of this module's records for one agent and month.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <map>

#include "api/indicator_sources.hpp"
#include "base/canonical_json.hpp"
#include "base/text_limits.hpp"
#include "kernel/policy/rule_names.hpp"
#include "kernel/runtime/site_parameters.hpp"
#include "modules/service/service.hpp"

namespace zhidu::service {

namespace {

std::string Shortest(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  return std::string(buf, end);
}

double Parsed(const std::string& text) {
  double v = 0;
  std::from_chars(text.data(), text.data() + text.size(), v);
  return v;
}

const std::string kReviewColumns =
    "SELECT id, site_id, ticket_id, agent, score, scale_min, scale_max, comment, reviewer, "
    "reviewed_at FROM service_quality_reviews ";

QualityReview MapReview(const store::SqlRow& r) {
  QualityReview v;
  v.id = r.Int(0);
  v.site_id = r.Int(1);
  v.ticket_id = r.Int(2);
  v.agent = r.Int(3);
  v.score = Parsed(r.Text(4));
  v.scale_min = Parsed(r.Text(5));
  v.scale_max = Parsed(r.Text(6));
  v.comment = r.Text(7);
  v.reviewer = r.Int(8);
  v.reviewed_at = r.Time(9);
  return v;
}

using Pairs = std::vector<std::pair<store::Id, store::Id>>;

Result<Pairs> PairsOf(store::Sql& sql, std::string_view what, std::string q, store::Id site_id,
                      store::Id person_id, TimePoint from, TimePoint to,
                      std::string_view person_column) {
  store::SqlParams params{site_id, store::SqlTime(from), store::SqlTime(to)};
  if (person_id) {
    q += " AND " + std::string(person_column) + " = ?";
    params.push_back(person_id);
  }
  return sql.Many<std::pair<store::Id, store::Id>>(what, q + " ORDER BY 1, 2", params,
                                                   [](const store::SqlRow& r) {
                                                     return std::pair{r.Int(0), r.Int(1)};
                                                   });
}

// The site's review scale "MIN,MAX"; 409 service.review_scale_unset when unset or not two numbers
// with MIN below MAX.
Result<std::pair<double, double>> ReviewScale(store::UnitOfWork& unit, store::Id site_id) {
  ZHIDU_TRY(auto param, runtime::SiteParameters::Lookup(unit, site_id, kReviewScaleParam));
  std::vector<double> ends;
  if (param)
    for (const auto& item : policy::ParamListItems(*param)) {
      double v = 0;
      auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
      if (ec == std::errc() && end == item.data() + item.size() && std::isfinite(v))
        ends.push_back(v);
    }
  if (ends.size() != 2 || !(ends[0] < ends[1]))
    return Fail(Errc::kFailedPrecondition, Reason{"service.review_scale_unset"},
                "the site parameter " + std::string(kReviewScaleParam) +
                    " (the quality review's scale, \"MIN,MAX\") is " +
                    (param ? "\"" + *param + "\", not two numbers with MIN below MAX"
                           : std::string("not set; the regulations give none")));
  return std::pair{ends[0], ends[1]};
}

// The clauses of the pack's assessment indicators that read `source` (each indicator's own, else
// its scheme's), in pack order.
std::vector<std::string> ClausesReading(const policy::Pack& pack, std::string_view source) {
  std::vector<std::string> out;
  for (const auto& a : pack.assessments())
    for (const auto& i : a.indicators)
      if (i.source == source)
        for (const auto& c : i.clauses.empty() ? a.clauses : i.clauses)
          if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  return out;
}

std::vector<store::Id> Seconds(const Pairs& pairs) {
  std::vector<store::Id> out;
  for (const auto& p : pairs) out.push_back(p.second);
  return out;
}

}  // namespace

namespace db {

Result<store::Id> InsertReview(store::Sql& sql, const QualityReview& v) {
  return sql.Insert("insert quality review",
                    "INSERT INTO service_quality_reviews(site_id, ticket_id, agent, score, "
                    "scale_min, scale_max, comment, reviewer, reviewed_at) "
                    "VALUES(?,?,?,?,?,?,?,?,?) RETURNING id",
                    {v.site_id, v.ticket_id, v.agent, Shortest(v.score), Shortest(v.scale_min),
                     Shortest(v.scale_max), v.comment, v.reviewer, store::SqlTime(v.reviewed_at)});
}

Result<std::vector<QualityReview>> ReviewsOf(store::Sql& sql, store::Id ticket_id) {
  return sql.Many<QualityReview>("quality reviews of a ticket",
                                 kReviewColumns + "WHERE ticket_id = ? ORDER BY id", {ticket_id},
                                 MapReview);
}

Result<std::vector<QualityReview>> ReviewsOfAgent(store::Sql& sql, store::Id site_id,
                                                  store::Id agent, TimePoint from, TimePoint to) {
  return sql.Many<QualityReview>(
      "quality reviews of an agent",
      kReviewColumns +
          "WHERE site_id = ? AND agent = ? AND reviewed_at >= ? AND reviewed_at < ? ORDER BY id",
      {site_id, agent, store::SqlTime(from), store::SqlTime(to)}, MapReview);
}

Result<Pairs> Received(store::Sql& sql, store::Id site_id, store::Id person_id, TimePoint from,
                       TimePoint to) {
  return PairsOf(sql, "tickets received",
                 "SELECT DISTINCT e.person_id, e.ticket_id FROM service_ticket_entries e "
                 "JOIN service_tickets t ON t.id = e.ticket_id WHERE t.site_id = ? AND "
                 "e.kind = 'assign' AND e.person_id IS NOT NULL AND e.written_at >= ? AND "
                 "e.written_at < ?",
                 site_id, person_id, from, to, "e.person_id");
}

Result<Pairs> Resolved(store::Sql& sql, store::Id site_id, store::Id person_id, TimePoint from,
                       TimePoint to) {
  return PairsOf(sql, "tickets resolved",
                 "SELECT assignee, id FROM service_tickets WHERE site_id = ? AND "
                 "state IN ('resolved','closed') AND assignee IS NOT NULL AND resolved_at >= ? AND "
                 "resolved_at < ?",
                 site_id, person_id, from, to, "assignee");
}

Result<Pairs> Reopened(store::Sql& sql, store::Id site_id, store::Id person_id, TimePoint from,
                       TimePoint to) {
  return PairsOf(sql, "tickets reopened",
                 "SELECT t.assignee, e.ticket_id FROM service_ticket_entries e "
                 "JOIN service_tickets t ON t.id = e.ticket_id WHERE t.site_id = ? AND "
                 "e.kind = 'state' AND e.to_state = 'open' AND e.from_state IN "
                 "('resolved','closed') AND t.assignee IS NOT NULL AND e.written_at >= ? AND "
                 "e.written_at < ?",
                 site_id, person_id, from, to, "t.assignee");
}

Result<std::vector<std::pair<store::Id, bool>>> AnsweredOf(store::Sql& sql, store::Id site_id,
                                                           store::Id agent, TimePoint from,
                                                           TimePoint to) {
  // The same surveys GET /service/satisfaction counts: answered links (an agent's own
  // return-visit records are not counted).
  return sql.Many<std::pair<store::Id, bool>>(
      "answered surveys of an agent",
      "SELECT id, satisfied FROM service_surveys WHERE site_id = ? AND agent = ? AND "
      "state = 'answered' AND channel = 'link' AND answered_at >= ? AND answered_at < ? "
      "ORDER BY id",
      {site_id, agent, store::SqlTime(from), store::SqlTime(to)}, [](const store::SqlRow& r) {
        return std::pair{r.Int(0), r.Flag(1)};
      });
}

}  // namespace db

std::vector<policy::ParamDecl> Service::ReviewParameters(const policy::Pack& pack) {
  return {{std::string(kReviewScaleParam), policy::ParamKind::kList,
           "service: a supervisor's quality review of an agent's ticket — the scale \"MIN,MAX\" "
           "(e.g. \"0,100\"); unset: no review is taken",
           ClausesReading(pack, kSourceQualityReview)}};
}

Result<QualityReview> Service::ReviewTicket(const org::Principal& who, store::Id ticket_id,
                                            double score, const std::string& comment) {
  ZHIDU_TRY_VOID(CheckText(comment, "comment", false, kMaxBody));
  auto pack = pack_.Current();
  std::vector<std::string> clauses =
      pack ? ClausesReading(*pack, kSourceQualityReview) : std::vector<std::string>{};
  return writer_.Run<QualityReview>([&](store::Tx& tx) -> Result<QualityReview> {
    auto& unit = tx.unit();
    auto& sql = unit.sql();
    ZHIDU_TRY(Ticket t, TicketFor(sql, who, ticket_id));
    if (!Supervises(who, t.site_id, t.queue))
      return Fail(Errc::kPermissionDenied, Reason{"service.not_supervisor"},
                  "only a supervisor of the queue " + t.queue + " reviews its tickets");
    if (t.assignee == 0)
      return Fail(
          Errc::kFailedPrecondition, Reason{"service.review_no_agent"},
          "ticket " + std::to_string(ticket_id) + " is assigned to nobody: no one to review");
    if (who.person_id != 0 && who.person_id == t.assignee)
      return Fail(Errc::kPermissionDenied, Reason{"service.review_own"},
                  "a supervisor does not review a ticket they hold themselves");
    ZHIDU_TRY(auto scale, ReviewScale(unit, t.site_id));
    if (!std::isfinite(score) || score < scale.first || score > scale.second)
      return Fail(Errc::kInvalidArgument, Reason{"service.review_score_out_of_scale"},
                  "the score must be between " + Shortest(scale.first) + " and " +
                      Shortest(scale.second) + " (the site's " + std::string(kReviewScaleParam) +
                      ")",
                  "score");
    ZHIDU_TRY(auto earlier, db::ReviewsOf(sql, t.id));
    for (const auto& e : earlier)
      if (e.agent == t.assignee)
        return Fail(Errc::kConflict, Reason{"service.review_exists"},
                    "ticket " + std::to_string(ticket_id) + " was reviewed for person " +
                        std::to_string(t.assignee) + " already (review " + std::to_string(e.id) +
                        ")");
    QualityReview v;
    v.site_id = t.site_id;
    v.ticket_id = t.id;
    v.agent = t.assignee;
    v.score = score;
    v.scale_min = scale.first;
    v.scale_max = scale.second;
    v.comment = comment;
    v.reviewer = who.account_id;
    v.reviewed_at = tx.now();
    ZHIDU_TRY(v.id, db::InsertReview(sql, v));
    CanonicalObject o;
    o.Add("site_id", t.site_id)
        .Add("ticket_id", t.id)
        .Add("review_id", v.id)
        .Add("person_id", v.agent)
        .Add("queue", t.queue)
        .Add("score", Shortest(score))
        .Add("scale", Shortest(scale.first) + "," + Shortest(scale.second))
        .Add("comment", comment)
        .Add("reviewer", who.username)
        .AddRaw("clauses", JsonStringArray(clauses))
        .Add("title", "质检评分：" + t.subject);
    ZHIDU_TRY(auto seq, tx.Journal("service.quality_review.recorded", who.account_id,
                                   "ticket/" + std::to_string(t.id), o.Str()));
    (void)seq;
    return v;
  });
}

// R14's figures per agent for [from, to) (the daily statistics' rows; the reports call it per day).
Result<std::vector<DailyStatsRow>> DailyStatsRows(store::UnitOfWork& unit, store::Id site_id,
                                                  TimePoint from, TimePoint to) {
  auto& sql = unit.sql();
  ZHIDU_TRY(auto received, db::Received(sql, site_id, 0, from, to));
  ZHIDU_TRY(auto resolved, db::Resolved(sql, site_id, 0, from, to));
  std::map<store::Id, DailyStatsRow> rows;
  for (const auto& [person, ticket] : received) rows[person].received.push_back(ticket);
  for (const auto& [person, ticket] : resolved) rows[person].resolved.push_back(ticket);
  ZHIDU_TRY(auto reopened, db::Reopened(sql, site_id, 0, from, to));
  for (const auto& [person, ticket] : reopened) rows[person].reopened.push_back(ticket);
  // 成交订单数: the orders the agent took that day (orders.cpp).
  ZHIDU_TRY(auto orders, db::OrdersTaken(sql, site_id, 0, from, to));
  for (const auto& [person, order] : orders) rows[person].orders.push_back(order);
  std::vector<DailyStatsRow> out;
  for (auto& [person, row] : rows) {
    row.person_id = person;
    if (auto p = unit.GetPerson(person)) row.name = p->name;
    out.push_back(std::move(row));
  }
  return out;
}

Result<DailyStats> Service::DailyStatsOf(const org::Principal& who, store::Id site_id,
                                         const std::string& day) {
  ZHIDU_TRY_VOID(MayWorkAt(who, site_id, "reading the daily statistics"));
  using namespace std::chrono;
  ZHIDU_TRY(year_month_day ymd, ParseDay(day, "day"));
  ZHIDU_TRY(auto unit, store_.BeginRead());
  auto site = unit->GetSite(site_id);
  if (!site) return Fail(site.error());
  ZHIDU_TRY(TimeZone zone, TimeZone::Find(site->time_zone.empty() ? std::string(kDefaultTimeZone)
                                                                  : site->time_zone));
  DailyStats out;
  out.site_id = site_id;
  out.day = day;
  out.from = zone.FromLocal(local_time<Micros>(local_days{ymd}));
  out.to = zone.FromLocal(local_time<Micros>(local_days{ymd} + days{1}));
  if (auto pack = pack_.Current())
    out.clauses = policy::ClausesOfRule(pack->records(), kDailyStatsRecord);
  ZHIDU_TRY(out.rows, DailyStatsRows(*unit, site_id, out.from, out.to));
  return out;
}

// ---- the indicator sources (api/indicator_sources.hpp)

std::vector<std::string> IndicatorSourceNames() {
  return {std::string(kSourceSurveys), std::string(kSourceTickets),
          std::string(kSourceQualityReview), std::string(kSourceShipments),
          std::string(kSourceDailyStats)};
}

Result<void> AddIndicatorSources(api::IndicatorSources& sources, const policy::ActivePack& pack) {
  using api::IndicatorQuery;
  using api::IndicatorReading;
  auto add = [&](std::string_view name, std::string title, auto compute) {
    return sources.Add({std::string(name), std::move(title), "service", compute});
  };
  // Satisfied answers over answered survey links, in percent; none answered: not computed.
  ZHIDU_TRY_VOID(add(
      kSourceSurveys, "客户满意度：本月已答复的满意度调查中满意的比例（百分数）",
      [&pack](store::UnitOfWork& unit, const IndicatorQuery& q) -> Result<IndicatorReading> {
        ZHIDU_TRY(auto answered, db::AnsweredOf(unit.sql(), q.site_id, q.person_id, q.from, q.to));
        IndicatorReading out;
        out.record_kind = "survey";
        int satisfied = 0;
        for (const auto& [id, yes] : answered) {
          out.records.push_back(id);
          satisfied += yes ? 1 : 0;
        }
        if (auto p = pack.Current())
          out.clauses = policy::ClausesOfRule(p->duties(), kSatisfactionSurvey);
        if (answered.empty()) {
          out.note = "本月无已答复的满意度调查：不计算";
          return out;
        }
        out.value = 100.0 * satisfied / static_cast<double>(answered.size());
        out.note = "满意 " + std::to_string(satisfied) + " / 已答复 " +
                   std::to_string(answered.size()) + "（调查链接的答复；回访记录不计），百分数";
        return out;
      }));
  ZHIDU_TRY_VOID(add(
      kSourceTickets, "本月解决的工单数（解决时由本人负责）",
      [](store::UnitOfWork& unit, const IndicatorQuery& q) -> Result<IndicatorReading> {
        ZHIDU_TRY(auto resolved, db::Resolved(unit.sql(), q.site_id, q.person_id, q.from, q.to));
        IndicatorReading out;
        out.record_kind = "ticket";
        out.records = Seconds(resolved);
        out.value = static_cast<double>(out.records.size());
        out.note = "本月解决的工单 " + std::to_string(out.records.size()) + " 张";
        return out;
      }));
  ZHIDU_TRY_VOID(
      add(kSourceQualityReview, "服务态度：主管质检评分的平均分",
          [&pack](store::UnitOfWork& unit, const IndicatorQuery& q) -> Result<IndicatorReading> {
            ZHIDU_TRY(auto reviews,
                      db::ReviewsOfAgent(unit.sql(), q.site_id, q.person_id, q.from, q.to));
            IndicatorReading out;
            out.record_kind = "quality_review";
            if (auto p = pack.Current()) out.clauses = ClausesReading(*p, kSourceQualityReview);
            if (reviews.empty()) {
              out.note = "本月无质检评分：不计算";
              return out;
            }
            double sum = 0;
            std::string scales;
            for (const auto& r : reviews) {
              out.records.push_back(r.id);
              sum += r.score;
              std::string scale = Shortest(r.scale_min) + "–" + Shortest(r.scale_max);
              if (scales.find(scale) == std::string::npos)
                scales += (scales.empty() ? "" : "、") + scale;
            }
            out.value = sum / static_cast<double>(reviews.size());
            out.note =
                "质检评分 " + std::to_string(reviews.size()) + " 次的平均分（量表 " + scales + "）";
            return out;
          }));
  // R06 §四(一)5 发货及时率: orders shipped in the month by the cut-off deadline, in percent.
  ZHIDU_TRY_VOID(
      add(kSourceShipments, "发货及时率：本月发货的订单中按截单时限发出的比例（百分数）",
          [&pack](store::UnitOfWork& unit, const IndicatorQuery& q) -> Result<IndicatorReading> {
            IndicatorReading out;
            out.record_kind = "order";
            auto p = pack.Current();
            if (!p) return out;
            int on_time = 0;
            ZHIDU_TRY(out.value, OnTimeRate(unit, *p, q.site_id, q.person_id, q.from, q.to,
                                            &out.records, &on_time));
            for (const auto& level : CutoffLevels(*p))
              for (const auto& c : policy::ClausesOfRule(p->service_levels(), level))
                out.clauses.push_back(c);
            if (!out.value) {
              out.note = "本月无已发货且有截单时限的订单：不计算";
              return out;
            }
            out.note = "按时发货 " + std::to_string(on_time) + " / 已发货 " +
                       std::to_string(out.records.size()) + "（截单时限内发出为按时），百分数";
            return out;
          }));
  return add(
      kSourceDailyStats, "日常工作统计：接待量（本月分派给本人的工单数）",
      [&pack](store::UnitOfWork& unit, const IndicatorQuery& q) -> Result<IndicatorReading> {
        ZHIDU_TRY(auto received, db::Received(unit.sql(), q.site_id, q.person_id, q.from, q.to));
        IndicatorReading out;
        out.record_kind = "ticket";
        out.records = Seconds(received);
        out.value = static_cast<double>(out.records.size());
        if (auto p = pack.Current())
          out.clauses = policy::ClausesOfRule(p->records(), kDailyStatsRecord);
        ZHIDU_TRY(auto orders, db::OrdersTaken(unit.sql(), q.site_id, q.person_id, q.from, q.to));
        out.note = "接待量：本月分派给本人的工单 " + std::to_string(out.records.size()) +
                   " 张（成交订单 " + std::to_string(orders.size()) + " 张另计，不计入此值）";
        return out;
      });
}

}  // namespace zhidu::service
