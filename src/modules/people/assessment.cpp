// Assessment runs, manager scores, performance pay and the month close (assessment.hpp).
#include "modules/people/assessment.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <set>

#include "base/canonical_json.hpp"
#include "kernel/runtime/ledger.hpp"
#include "kernel/runtime/runtime_util.hpp"
#include "kernel/runtime/site_parameters.hpp"

namespace zhidu::people {

namespace {

// The catalogue. Each count source counts its records of the person in the period (invariant 2).
const std::vector<SourceInfo> kSources = {
    {"roster", "考勤：迟到与缺勤记录（排班表对照到岗记录；已撤销、申诉撤销的不计）"},
    {"roster.late", "迟到记录（排班表对照到岗记录；已撤销、申诉撤销的不计）"},
    {"roster.absent", "缺勤记录（排班表对照到岗记录；已撤销、申诉撤销的不计）"},
    {"violations", "违规台账：期内违规（申诉撤销的不计）"},
    {"duties.done", "本人完成的岗位任务"},
    {"duties.missed", "计入本人的未完成岗位任务"},
    {"manager", "主管评分（附评语）"},
};

constexpr std::string_view kManagerSource = "manager";

std::string Num(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  return std::string(buf, end);
}

const policy::Assessment* FindScheme(const policy::Pack& pack, std::string_view id) {
  for (const auto& a : pack.assessments())
    if (a.id == id) return &a;
  return nullptr;
}

Result<const policy::Assessment*> SchemeOf(const policy::Pack& pack, const std::string& id) {
  if (id.empty())
    return Fail(Errc::kInvalidArgument, kRequired, "assessment is required", "assessment");
  const auto* a = FindScheme(pack, id);
  if (!a)
    return Fail(Errc::kInvalidArgument, Reason{"assessment.unknown_scheme"},
                "the pack in force has no assessment scheme \"" + id + "\"", "assessment");
  // A scheme's period: a month unless the pack names another, which is not supported yet.
  if (!a->period.empty() && a->period != "month" && a->period != "1mo")
    return Fail(Errc::kFailedPrecondition, Reason{"assessment.period_unsupported"},
                "assessment " + id + " names the period \"" + a->period +
                    "\"; only monthly periods are run",
                "assessment");
  return a;
}

// The period's bounds in the site's zone; 400 naming `period` when it is not "YYYY-MM".
Result<std::pair<TimePoint, TimePoint>> PeriodOf(store::UnitOfWork& unit, Id site_id,
                                                 const std::string& period) {
  if (site_id <= 0)
    return Fail(Errc::kInvalidArgument, kRequired, "site_id is required", "site_id");
  if (period.empty())
    return Fail(Errc::kInvalidArgument, kRequired, "period is required", "period");
  auto site = unit.GetSite(site_id);
  if (!site) {
    if (site.error().code == Errc::kNotFound)
      return Fail(Errc::kInvalidArgument, kInvalid, "no such site", "site_id");
    return Fail(site.error());
  }
  ZHIDU_TRY(TimeZone zone, TimeZone::Find(site->time_zone.empty() ? std::string(kDefaultTimeZone)
                                                                  : site->time_zone));
  auto range = runtime::LocalMonthRange(period, zone);
  if (!range || period.size() != 7)
    return Fail(Errc::kInvalidArgument, kInvalid, "period must be a month, e.g. \"2027-01\"",
                "period");
  return *range;
}

// The clauses of an indicator: its own, else its scheme's.
std::vector<std::string> ClausesOf(const policy::Assessment& a, const policy::Indicator& i) {
  return i.clauses.empty() ? a.clauses : i.clauses;
}

// People of the site holding one of `roles` (an enabled account's grant covering the site or the
// person's department), in id order.
Result<std::vector<Id>> Subjects(store::Sql& sql, Id site_id,
                                 const std::vector<std::string>& roles) {
  if (roles.empty()) return std::vector<Id>{};
  std::string in;
  store::SqlParams params{site_id};
  for (const auto& r : roles) {
    in += in.empty() ? "?" : ",?";
    params.push_back(r);
  }
  std::vector<Id> out;
  ZHIDU_TRY_VOID(sql.Query(
      "assessment subjects",
      "SELECT DISTINCT p.id FROM people p JOIN accounts a ON a.person_id = p.id "
      "JOIN role_grants g ON g.account_id = a.id WHERE p.site_id = ? AND NOT a.disabled AND "
      "g.role IN (" +
          in +
          ") AND (g.scope_kind = 'global' OR "
          "(g.scope_kind = 'site' AND g.scope_id = p.site_id) OR "
          "(g.scope_kind = 'department' AND g.scope_id = p.department_id)) ORDER BY p.id",
      params, [&](const store::SqlRow& r) { out.push_back(r.Int(0)); }));
  return out;
}

Result<bool> IsSubject(store::Sql& sql, Id site_id, const policy::Assessment& a, Id person_id) {
  ZHIDU_TRY(auto all, Subjects(sql, site_id, a.subjects));
  return std::find(all.begin(), all.end(), person_id) != all.end();
}

Result<std::vector<Id>> Ids(store::Sql& sql, std::string_view what, std::string_view q,
                            const store::SqlParams& params) {
  std::vector<Id> out;
  ZHIDU_TRY_VOID(
      sql.Query(what, q, params, [&](const store::SqlRow& r) { out.push_back(r.Int(0)); }));
  return out;
}

// The records a count source counts for one person in [from, to).
Result<std::pair<std::string, std::vector<Id>>> CountRecords(store::Sql& sql,
                                                             std::string_view source, Id site_id,
                                                             Id person_id, TimePoint from,
                                                             TimePoint to) {
  const store::SqlParams p{site_id, person_id, store::SqlTime(from), store::SqlTime(to)};
  if (source == "roster" || source == "roster.late" || source == "roster.absent") {
    std::string q =
        "SELECT id FROM attendance_findings WHERE site_id=? AND person_id=? AND shift_start>=? "
        "AND shift_start<? AND withdrawn_at=0 AND (violation_id IS NULL OR violation_id NOT IN "
        "(SELECT id FROM violations WHERE state='overturned'))";
    if (source == "roster.late") q += " AND kind='late'";
    if (source == "roster.absent") q += " AND kind='absent'";
    ZHIDU_TRY(auto ids, Ids(sql, "attendance findings counted", q + " ORDER BY id", p));
    return std::pair{std::string("attendance_finding"), std::move(ids)};
  }
  if (source == "violations") {
    ZHIDU_TRY(auto ids, Ids(sql, "violations counted",
                            "SELECT id FROM violations WHERE site_id=? AND person_id=? AND "
                            "occurred_at>=? AND occurred_at<? AND state<>'overturned' ORDER BY id",
                            p));
    return std::pair{std::string("violation"), std::move(ids)};
  }
  if (source == "duties.done") {
    ZHIDU_TRY(auto ids, Ids(sql, "duties done counted",
                            "SELECT id FROM duty_instances WHERE site_id=? AND completed_person=? "
                            "AND completed_at>=? AND completed_at<? AND state IN ('done','late') "
                            "ORDER BY id",
                            p));
    return std::pair{std::string("duty"), std::move(ids)};
  }
  // duties.missed: the violations a missed duty charged to the person (runtime/duties: subject
  // duty/ID), not overturned.
  ZHIDU_TRY(auto ids, Ids(sql, "duties missed counted",
                          "SELECT v.id FROM violations v JOIN duty_instances d ON v.subject = "
                          "'duty/' || CAST(d.id AS TEXT) WHERE v.site_id=? AND v.person_id=? AND "
                          "d.window_end>=? AND d.window_end<? AND d.state='missed' AND "
                          "v.state<>'overturned' ORDER BY v.id",
                          p));
  return std::pair{std::string("violation"), std::move(ids)};
}

// Refuses a run, an entry or a close in a closed period.
Result<void> NotClosed(store::Sql& sql, Id site_id, const std::string& assessment,
                       const std::string& period) {
  ZHIDU_TRY(auto close, adb::OpenClose(sql, site_id, assessment, period));
  if (close)
    return Fail(Errc::kFailedPrecondition, Reason{"assessment.period_closed"},
                "the month " + period + " of assessment " + assessment +
                    " is closed: re-open it with an approved request first");
  return Ok();
}

// What an entry for a person's month needs: a valid month, not closed, and a subject of the scheme.
Result<void> OpenForEntry(store::UnitOfWork& unit, Id site_id, const policy::Assessment& a,
                          const std::string& period, Id person_id) {
  ZHIDU_TRY(auto range, PeriodOf(unit, site_id, period));
  (void)range;
  ZHIDU_TRY_VOID(NotClosed(unit.sql(), site_id, a.id, period));
  ZHIDU_TRY(bool subject, IsSubject(unit.sql(), site_id, a, person_id));
  if (!subject)
    return Fail(Errc::kInvalidArgument, Reason{"assessment.not_subject"},
                "the person holds none of the roles assessment " + a.id + " assesses here",
                "person_id");
  return Ok();
}

// "MIN,MAX" of the site's manager scale; 409 when unset or malformed.
Result<std::pair<double, double>> ScaleOf(store::UnitOfWork& unit, Id site_id) {
  ZHIDU_TRY(auto value, runtime::SiteParameters::Lookup(unit, site_id, kManagerScaleParam));
  if (!value)
    return Fail(Errc::kFailedPrecondition, Reason{"assessment.scale_unset"},
                "the site parameter " + std::string(kManagerScaleParam) +
                    " (the manager's score scale, \"MIN,MAX\") is not set; the regulations give "
                    "none");
  auto items = policy::ParamListItems(*value);
  double lo = 0, hi = 0;
  auto num = [](const std::string& t, double& v) {
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    return ec == std::errc() && p == t.data() + t.size() && std::isfinite(v);
  };
  if (items.size() != 2 || !num(items[0], lo) || !num(items[1], hi) || !(lo < hi))
    return Fail(Errc::kFailedPrecondition, Reason{"assessment.scale_unset"},
                "the site parameter " + std::string(kManagerScaleParam) + " is \"" + *value +
                    "\", not \"MIN,MAX\" with MIN below MAX");
  return std::pair{lo, hi};
}

bool MayManage(const org::RoleCatalogue& roles, const org::Principal& who, Id site_id) {
  return roles.Allows(who, kAssessPermission, {site_id, 0});
}

Result<void> NeedManage(const org::RoleCatalogue& roles, const org::Principal& who, Id site_id,
                        std::string_view what) {
  if (!MayManage(roles, who, site_id))
    return Fail(Errc::kPermissionDenied, std::string(what) + " needs the " +
                                             std::string(kAssessPermission) +
                                             " permission at the site");
  return Ok();
}

// The scheme `assessment` of the pack for a verb on a site's month that only a manager takes: the
// scheme known, the site given, then the permission (in that order, as the refusals say).
Result<const policy::Assessment*> ManagedScheme(const policy::Pack& pack,
                                                const org::RoleCatalogue& roles,
                                                const org::Principal& who, Id site_id,
                                                const std::string& assessment, const char* what) {
  ZHIDU_TRY(const policy::Assessment* a, SchemeOf(pack, assessment));
  if (site_id <= 0)
    return Fail(Errc::kInvalidArgument, kRequired, "site_id is required", "site_id");
  ZHIDU_TRY_VOID(NeedManage(roles, who, site_id, what));
  return a;
}

// The number after `key` in a request's canonical inputs.
std::optional<double> InputNumber(std::string_view inputs, std::string_view key) {
  std::string k = "\"" + std::string(key) + "\":";
  auto at = inputs.find(k);
  if (at == std::string_view::npos) return std::nullopt;
  std::string rest(inputs.substr(at + k.size()));
  char* end = nullptr;
  double v = std::strtod(rest.c_str(), &end);
  if (end == rest.c_str()) return std::nullopt;
  return v;
}

std::string CloseJournal(const Close& c, const std::string& title, Id request_id) {
  CanonicalObject o;
  o.Add("site_id", c.site_id)
      .Add("assessment", c.assessment)
      .Add("period", c.period)
      .Add("close_id", c.id)
      .Add("title", title);
  if (request_id) o.Add("request_id", request_id);
  return o.Str();
}

}  // namespace

const std::vector<SourceInfo>& AssessmentSources() { return kSources; }

const SourceInfo* FindSource(std::string_view name) {
  for (const auto& s : kSources)
    if (s.name == name) return &s;
  return nullptr;
}

Assessments::Assessments(store::Store& store, store::Writer& writer, const policy::ActivePack& pack,
                         const org::RoleCatalogue& roles, const api::IndicatorSources* contributed)
    : store_(store), writer_(writer), pack_(pack), roles_(roles), contributed_(contributed) {}

std::vector<std::pair<std::string, std::string>> Assessments::Catalogue() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& s : kSources) out.emplace_back(s.name, s.title);
  if (contributed_)
    for (const auto& s : contributed_->all()) out.emplace_back(s.name, s.title_zh);
  return out;
}

const api::IndicatorSource* Assessments::Contributed(std::string_view name) const {
  return FindSource(name) || !contributed_ ? nullptr : contributed_->Find(name);
}

std::string Assessments::SourceTitle(std::string_view name) const {
  if (const auto* own = FindSource(name)) return std::string(own->title);
  if (const auto* other = Contributed(name)) return other->title_zh;
  return {};
}

std::vector<policy::ParamDecl> Assessments::Parameters(const policy::Pack& pack) {
  std::vector<std::string> clauses;
  for (const auto& a : pack.assessments())
    for (const auto& i : a.indicators)
      if (i.source == kManagerSource)
        for (const auto& c : ClausesOf(a, i))
          if (std::find(clauses.begin(), clauses.end(), c) == clauses.end()) clauses.push_back(c);
  std::vector<policy::ParamDecl> out;
  if (!clauses.empty())
    out.push_back({std::string(kManagerScaleParam), policy::ParamKind::kList,
                   "people: assessments — the manager's score scale \"MIN,MAX\" (e.g. \"0,100\"); "
                   "unset: no manager score is taken",
                   clauses});
  // R11 §2 names the stages an assessment covers (正式员工, 实习, 见习, 转岗, 晋升, 降职) in prose:
  // a site lists its own.
  if (!pack.assessments().empty())
    out.push_back({std::string(kStagesParam),
                   policy::ParamKind::kList,
                   "people: employment stages a person is recorded in (R11 §2); unset: none is "
                   "recorded",
                   {"R11 §2"}});
  return out;
}

Result<Run> Assessments::Start(const org::Principal& who, Id site_id, const std::string& assessment,
                               const std::string& period) {
  auto pack = pack_.Current();
  ZHIDU_TRY(const policy::Assessment* a,
            ManagedScheme(*pack, roles_, who, site_id, assessment, "running an assessment"));
  if (!a->formula)
    return Fail(Errc::kFailedPrecondition, Reason{"assessment.no_formula"},
                "assessment " + a->id + " has no formula");
  // Invariant 1: every indicator's source is one the catalogue computes.
  std::vector<std::string> refused;
  for (const auto& i : a->indicators)
    if (!FindSource(i.source) && !Contributed(i.source))
      refused.push_back(
          i.id + "（" + (i.title.empty() ? i.id : i.title) + "，来源 " + i.source +
          "）: no declared source computes it — a record nothing aggregates or data of another "
          "module with no declared interface to read it");
  if (!refused.empty()) {
    std::string msg = "assessment " + a->id + " cannot be computed:";
    for (const auto& r : refused) msg += " " + r + ";";
    return Fail(Errc::kFailedPrecondition, Reason{"assessment.source_not_computed"}, msg,
                "assessment");
  }
  return writer_.Run<Run>([&](store::Tx& tx) -> Result<Run> {
    auto& unit = tx.unit();
    auto& sql = unit.sql();
    ZHIDU_TRY(auto range, PeriodOf(unit, site_id, period));
    ZHIDU_TRY_VOID(NotClosed(sql, site_id, a->id, period));
    // Invariant 3: weights.
    std::map<std::string, double> weights;
    std::vector<std::string> unset;
    for (const auto& i : a->indicators) {
      if (i.weight.value) {
        weights[i.id] = *i.weight.value;
      } else if (!i.weight.name.empty()) {
        ZHIDU_TRY(auto v, runtime::SiteParameters::Lookup(unit, site_id, i.weight.name));
        double w = 0;
        if (v) {
          auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), w);
          if (ec != std::errc() || p != v->data() + v->size()) v.reset();
        }
        if (!v)
          unset.push_back(i.weight.name);
        else
          weights[i.id] = w;
      }
    }
    if (!unset.empty()) {
      std::string names;
      for (const auto& n : unset) names += (names.empty() ? "" : ", ") + n;
      return Fail(Errc::kFailedPrecondition, Reason{"assessment.weight_unset"},
                  "the weights of assessment " + a->id +
                      " are site parameters the site has not "
                      "set (the regulation gives none): " +
                      names);
    }
    ZHIDU_TRY(auto subjects, Subjects(sql, site_id, a->subjects));
    ZHIDU_TRY(auto manager, adb::ManagerScores(sql, site_id, a->id, period));
    Run run;
    run.site_id = site_id;
    run.assessment = a->id;
    run.period = period;
    run.formula = a->formula->source();
    run.run_by = who.account_id;
    run.run_at = tx.now();
    ZHIDU_TRY(run.id, adb::InsertRun(sql, run));
    int scored = 0;
    for (Id person : subjects) {
      PersonScore ps;
      ps.run_id = run.id;
      ps.person_id = person;
      policy::Context ctx;
      bool complete = true;
      for (const auto& i : a->indicators) {
        IndicatorValue v;
        v.indicator = i.id;
        v.source = i.source;
        v.clauses = ClausesOf(*a, i);
        if (auto w = weights.find(i.id); w != weights.end()) {
          v.weight = w->second;
          ctx["w." + i.id] = w->second;
        }
        if (i.source == kManagerSource) {
          auto m = std::find_if(manager.begin(), manager.end(), [&](const adb::ManagerScore& s) {
            return s.person_id == person && s.indicator == i.id;
          });
          if (m == manager.end()) {
            v.note = "未录入主管评分：不计算";
          } else {
            v.value = m->score;
            v.record_kind = "manager_score";
            v.records = {m->id};
            v.note = m->comment;
          }
        } else if (const api::IndicatorSource* other = Contributed(i.source)) {
          // A source another module contributes, computed in this run's transaction.
          ZHIDU_TRY(api::IndicatorReading got,
                    other->compute(unit, {site_id, person, range.first, range.second, period}));
          v.value = got.value;
          v.record_kind = std::move(got.record_kind);
          v.records = std::move(got.records);
          v.note = std::move(got.note);
          for (auto& c : got.clauses)
            if (std::find(v.clauses.begin(), v.clauses.end(), c) == v.clauses.end())
              v.clauses.push_back(std::move(c));
        } else {
          ZHIDU_TRY(auto counted,
                    CountRecords(sql, i.source, site_id, person, range.first, range.second));
          v.record_kind = counted.first;
          v.records = std::move(counted.second);
          v.value = static_cast<double>(v.records.size());
        }
        if (v.value)
          ctx[i.id] = *v.value;
        else
          complete = false;
        ps.values.push_back(std::move(v));
      }
      if (complete) {
        auto score = a->formula->EvalNumber(ctx);
        if (!score || !std::isfinite(*score))
          return Fail(Errc::kFailedPrecondition, Reason{"assessment.formula_failed"},
                      "the formula of assessment " + a->id + " failed for person " +
                          std::to_string(person) + ": " +
                          (score ? std::string("not a finite number") : score.error().message));
        ps.score = *score;
        ++scored;
      }
      ZHIDU_TRY_VOID(adb::InsertScore(sql, ps));
      run.scores.push_back(std::move(ps));
    }
    CanonicalObject o;
    o.Add("site_id", site_id)
        .Add("run_id", run.id)
        .Add("assessment", a->id)
        .Add("period", period)
        .Add("people", static_cast<std::int64_t>(subjects.size()))
        .Add("scored", scored)
        .AddRaw("clauses", JsonStringArray(a->clauses))
        .Add("title", "考核：" + (a->title.empty() ? a->id : a->title) + " " + period);
    ZHIDU_TRY(run.journal_seq, tx.Journal("assessment.run", who.account_id,
                                          "assessment_run/" + std::to_string(run.id), o.Str()));
    ZHIDU_TRY_VOID(adb::SetRunSeq(sql, run.id, run.journal_seq));
    return run;
  });
}

Result<Run> Assessments::Get(const org::Principal& who, Id id) {
  ZHIDU_TRY(auto unit, store_.BeginRead());
  auto& sql = unit->sql();
  ZHIDU_TRY(auto run, adb::GetRun(sql, id));
  if (!run) return Fail(Errc::kNotFound, "no such assessment run");
  Id only = 0;
  if (!roles_.Allows(who, runtime::perm::kLedgerRead, {run->site_id, 0}) &&
      !MayManage(roles_, who, run->site_id)) {
    if (who.person_id == 0)
      return Fail(Errc::kPermissionDenied, "reading others' scores needs ledger.read");
    only = who.person_id;  // one's own
  }
  ZHIDU_TRY(run->scores, adb::ScoresOfRun(sql, id, only));
  return std::move(*run);
}

Result<std::vector<Run>> Assessments::List(const org::Principal& who, Id site_id,
                                           store::PageRequest page) {
  if (site_id <= 0)
    return Fail(Errc::kInvalidArgument, kRequired, "site_id is required", "site_id");
  if (!roles_.Allows(who, runtime::perm::kLedgerRead, {site_id, 0}) &&
      !MayManage(roles_, who, site_id) && who.person_id == 0)
    return Fail(Errc::kPermissionDenied, "listing assessment runs needs ledger.read");
  ZHIDU_TRY(auto unit, store_.BeginRead());
  return adb::ListRuns(unit->sql(), site_id, page);
}

Result<std::vector<PersonScore>> Assessments::ScoresOf(const org::Principal& who, Id site_id,
                                                       Id person_id, store::PageRequest page) {
  if (site_id <= 0)
    return Fail(Errc::kInvalidArgument, kRequired, "site_id is required", "site_id");
  if (person_id == 0) person_id = who.person_id;
  if (person_id == 0)
    return Fail(Errc::kInvalidArgument, kRequired, "person_id is required", "person_id");
  if (person_id != who.person_id && !roles_.Allows(who, runtime::perm::kLedgerRead, {site_id, 0}) &&
      !MayManage(roles_, who, site_id))
    return Fail(Errc::kPermissionDenied, "reading others' scores needs ledger.read");
  ZHIDU_TRY(auto unit, store_.BeginRead());
  return adb::ScoresOfPerson(unit->sql(), site_id, person_id, page);
}

Result<void> Assessments::EnterManagerScore(const org::Principal& who, Id site_id,
                                            const std::string& assessment,
                                            const std::string& period, Id person_id,
                                            const std::string& indicator, double score,
                                            const std::string& comment) {
  auto pack = pack_.Current();
  ZHIDU_TRY(const policy::Assessment* a, SchemeOf(*pack, assessment));
  const policy::Indicator* ind = nullptr;
  for (const auto& i : a->indicators)
    if (i.id == indicator) ind = &i;
  if (!ind)
    return Fail(Errc::kInvalidArgument, Reason{"assessment.unknown_indicator"},
                "assessment " + a->id + " has no indicator \"" + indicator + "\"", "indicator");
  if (ind->source != kManagerSource)
    return Fail(
        Errc::kInvalidArgument, Reason{"assessment.not_manager_scored"},
        "indicator " + indicator + " is computed from " + ind->source + ", not scored by a manager",
        "indicator");
  if (site_id <= 0)
    return Fail(Errc::kInvalidArgument, kRequired, "site_id is required", "site_id");
  ZHIDU_TRY_VOID(NeedManage(roles_, who, site_id, "entering a manager's score"));
  if (comment.size() > 4000)
    return Fail(Errc::kInvalidArgument, Reason{"too_long"}, "comment is too long", "comment");
  auto done = writer_.Run<bool>([&](store::Tx& tx) -> Result<bool> {
    auto& unit = tx.unit();
    auto& sql = unit.sql();
    ZHIDU_TRY(auto scale, ScaleOf(unit, site_id));
    if (!std::isfinite(score) || score < scale.first || score > scale.second)
      return Fail(Errc::kInvalidArgument, Reason{"assessment.score_out_of_scale"},
                  "the score must be between " + Num(scale.first) + " and " + Num(scale.second) +
                      " (the site's " + std::string(kManagerScaleParam) + ")",
                  "score");
    ZHIDU_TRY_VOID(OpenForEntry(unit, site_id, *a, period, person_id));
    adb::ManagerScore m;
    m.person_id = person_id;
    m.indicator = indicator;
    m.score = score;
    m.comment = comment;
    ZHIDU_TRY_VOID(adb::PutManagerScore(sql, site_id, a->id, period, m, who.account_id, tx.now()));
    CanonicalObject o;
    o.Add("site_id", site_id)
        .Add("person_id", person_id)
        .Add("assessment", a->id)
        .Add("period", period)
        .Add("indicator", indicator)
        .Add("score", Num(score))
        .Add("comment", comment)
        .AddRaw("clauses", JsonStringArray(ClausesOf(*a, *ind)));
    ZHIDU_TRY(auto seq, tx.Journal("assessment.manager_score", who.account_id,
                                   "person/" + std::to_string(person_id), o.Str()));
    (void)seq;
    return true;
  });
  if (!done) return Fail(done.error());
  return Ok();
}

Result<void> Assessments::EnterPay(const org::Principal& who, Id site_id,
                                   const std::string& assessment, const std::string& period,
                                   Id person_id, const std::vector<PayInput>& inputs) {
  auto pack = pack_.Current();
  ZHIDU_TRY(const policy::Assessment* a, SchemeOf(*pack, assessment));
  if (!a->pay)
    return Fail(Errc::kFailedPrecondition, Reason{"assessment.no_pay"},
                "assessment " + a->id + " has no pay formula", "assessment");
  if (inputs.empty())
    return Fail(Errc::kInvalidArgument, kRequired, "inputs is required", "inputs");
  for (const auto& in : inputs)
    if (std::find(a->inputs.begin(), a->inputs.end(), in.name) == a->inputs.end())
      return Fail(Errc::kInvalidArgument, Reason{"assessment.unknown_input"},
                  "assessment " + a->id + " has no pay input \"" + in.name + "\"", "inputs");
  if (site_id <= 0)
    return Fail(Errc::kInvalidArgument, kRequired, "site_id is required", "site_id");
  ZHIDU_TRY_VOID(NeedManage(roles_, who, site_id, "entering pay"));
  auto done = writer_.Run<bool>([&](store::Tx& tx) -> Result<bool> {
    auto& unit = tx.unit();
    auto& sql = unit.sql();
    ZHIDU_TRY_VOID(OpenForEntry(unit, site_id, *a, period, person_id));
    CanonicalObject amounts;
    for (const auto& in : inputs) {
      ZHIDU_TRY_VOID(
          adb::PutPayInput(sql, site_id, a->id, period, person_id, in, who.account_id, tx.now()));
      amounts.Add(in.name, in.fen);
    }
    CanonicalObject o;
    o.Add("site_id", site_id)
        .Add("person_id", person_id)
        .Add("assessment", a->id)
        .Add("period", period)
        .AddRaw("inputs_fen", amounts.Str())
        .AddRaw("clauses", JsonStringArray(a->clauses));
    ZHIDU_TRY(auto seq, tx.Journal("assessment.pay_input", who.account_id,
                                   "person/" + std::to_string(person_id), o.Str()));
    (void)seq;
    return true;
  });
  if (!done) return Fail(done.error());
  return Ok();
}

Result<std::vector<PayLine>> Assessments::Pay(const org::Principal& who, Id site_id,
                                              const std::string& assessment,
                                              const std::string& period) {
  auto pack = pack_.Current();
  ZHIDU_TRY(const policy::Assessment* a, SchemeOf(*pack, assessment));
  if (!a->pay)
    return Fail(Errc::kFailedPrecondition, Reason{"assessment.no_pay"},
                "assessment " + a->id + " has no pay formula", "assessment");
  if (site_id <= 0)
    return Fail(Errc::kInvalidArgument, kRequired, "site_id is required", "site_id");
  Id only = 0;
  if (!MayManage(roles_, who, site_id)) {
    if (who.person_id == 0)
      return Fail(Errc::kPermissionDenied, "reading pay needs assessment.manage");
    only = who.person_id;  // one's own pay slip
  }
  ZHIDU_TRY(auto unit, store_.BeginRead());
  auto& sql = unit->sql();
  ZHIDU_TRY(auto range, PeriodOf(*unit, site_id, period));
  (void)range;
  ZHIDU_TRY(auto run, adb::LatestRun(sql, site_id, a->id, period));
  std::vector<PersonScore> scores;
  if (run) {
    ZHIDU_TRY(scores, adb::ScoresOfRun(sql, *run, only));
  }
  ZHIDU_TRY(auto inputs, adb::PayInputs(sql, site_id, a->id, period));
  std::set<Id> people;
  for (const auto& s : scores) people.insert(s.person_id);
  for (const auto& [p, in] : inputs)
    if (!only || p == only) people.insert(p);
  std::vector<PayLine> out;
  for (Id person : people) {
    PayLine line;
    line.person_id = person;
    std::map<std::string, std::int64_t> given;
    for (const auto& [p, in] : inputs)
      if (p == person) given[in.name] = in.fen;
    for (const auto& name : a->inputs)
      if (auto g = given.find(name); g != given.end()) line.inputs.emplace_back(name, g->second);
    auto s = std::find_if(scores.begin(), scores.end(),
                          [&](const PersonScore& x) { return x.person_id == person; });
    if (s != scores.end()) {
      line.run_id = s->run_id;
      line.score = s->score;
    }
    std::vector<std::string> missing;
    for (const auto& name : a->inputs)
      if (!given.contains(name)) missing.push_back(name);
    if (!run || s == scores.end()) {
      line.note = "本月尚无此人的考核结果：不计算";
    } else if (!line.score) {
      line.note = "考核得分未计算（有指标未计算）：不计算";
    } else if (!missing.empty()) {
      line.note = "未录入";
      for (const auto& m : missing) line.note += " " + m;
      line.note += "：不计算";
    } else {
      policy::Context ctx;
      ctx["score"] = *line.score;
      for (const auto& [name, fen] : line.inputs) ctx[name] = static_cast<double>(fen);
      auto pay = a->pay->EvalNumber(ctx);
      if (!pay || !std::isfinite(*pay))
        return Fail(Errc::kFailedPrecondition, Reason{"assessment.formula_failed"},
                    "the pay formula of assessment " + a->id + " failed for person " +
                        std::to_string(person) + ": " +
                        (pay ? std::string("not a finite number") : pay.error().message));
      line.pay_fen = std::llround(*pay);  // whole fen, halves away from zero
    }
    out.push_back(std::move(line));
  }
  return out;
}

Result<PaySheet> Assessments::PaySheetOf(const org::Principal& who, Id site_id,
                                         const std::string& assessment, const std::string& period) {
  auto pack = pack_.Current();
  ZHIDU_TRY(const policy::Assessment* a,
            ManagedScheme(*pack, roles_, who, site_id, assessment, "exporting pay"));
  {
    ZHIDU_TRY(auto unit, store_.BeginRead());
    ZHIDU_TRY(auto range, PeriodOf(*unit, site_id, period));
    (void)range;
    ZHIDU_TRY(auto close, adb::OpenClose(unit->sql(), site_id, a->id, period));
    if (!close)
      return Fail(Errc::kFailedPrecondition, Reason{"assessment.not_closed"},
                  "the month " + period + " of assessment " + a->id +
                      " is not closed: payroll reads a closed month only");
  }
  ZHIDU_TRY(auto lines, Pay(who, site_id, assessment, period));
  PaySheet sheet;
  sheet.title = a->title.empty() ? a->id : a->title;
  sheet.period = period;
  sheet.formula = a->pay ? a->pay->source() : "";
  sheet.clauses = a->clauses;
  sheet.inputs = a->inputs;
  ZHIDU_TRY(auto unit, store_.BeginRead());
  for (auto& l : lines) {
    PaySheet::Row row;
    if (auto p = unit->GetPerson(l.person_id)) {
      row.employee_no = p->employee_no;
      row.name = p->name;
    }
    row.line = std::move(l);
    sheet.rows.push_back(std::move(row));
  }
  return sheet;
}

Result<Close> Assessments::ClosePeriod(const org::Principal& who, Id site_id,
                                       const std::string& assessment, const std::string& period) {
  auto pack = pack_.Current();
  ZHIDU_TRY(const policy::Assessment* a,
            ManagedScheme(*pack, roles_, who, site_id, assessment, "closing a month"));
  if (a->reopen.empty())
    return Fail(Errc::kFailedPrecondition, Reason{"assessment.no_reopen"},
                "assessment " + a->id +
                    " names no request type to re-open a month (reopen:), so "
                    "a closed month could never be corrected; the pack must name one first",
                "assessment");
  return writer_.Run<Close>([&](store::Tx& tx) -> Result<Close> {
    auto& unit = tx.unit();
    auto& sql = unit.sql();
    ZHIDU_TRY(auto range, PeriodOf(unit, site_id, period));
    (void)range;
    ZHIDU_TRY(auto open, adb::OpenClose(sql, site_id, a->id, period));
    if (open)
      return Fail(Errc::kConflict, Reason{"assessment.already_closed"},
                  "the month " + period + " of assessment " + a->id + " is closed already");
    Close c;
    c.site_id = site_id;
    c.assessment = a->id;
    c.period = period;
    c.closed_by = who.account_id;
    c.closed_at = tx.now();
    ZHIDU_TRY(c.id, adb::InsertClose(sql, c));
    ZHIDU_TRY(
        auto seq,
        tx.Journal(
            "assessment.period.closed", who.account_id, "assessment_close/" + std::to_string(c.id),
            CloseJournal(c, "考核月度结算：" + (a->title.empty() ? a->id : a->title) + " " + period,
                         0)));
    (void)seq;
    return c;
  });
}

Result<Close> Assessments::Reopen(const org::Principal& who, Id site_id,
                                  const std::string& assessment, const std::string& period,
                                  Id request_id) {
  auto pack = pack_.Current();
  ZHIDU_TRY(const policy::Assessment* a,
            ManagedScheme(*pack, roles_, who, site_id, assessment, "re-opening a month"));
  if (request_id <= 0)
    return Fail(Errc::kInvalidArgument, kRequired,
                "request_id is required: an approved " + a->reopen + " request naming the close",
                "request_id");
  return writer_.Run<Close>([&](store::Tx& tx) -> Result<Close> {
    auto& unit = tx.unit();
    auto& sql = unit.sql();
    ZHIDU_TRY(auto range, PeriodOf(unit, site_id, period));
    (void)range;
    ZHIDU_TRY(auto open, adb::OpenClose(sql, site_id, a->id, period));
    if (!open)
      return Fail(Errc::kFailedPrecondition, Reason{"assessment.not_closed"},
                  "the month " + period + " of assessment " + a->id + " is not closed");
    auto request = unit.GetApprovalRequest(request_id);
    if (!request && request.error().code != Errc::kNotFound) return Fail(request.error());
    if (!request || a->reopen.empty() || request->site_id != site_id ||
        request->type != a->reopen ||
        InputNumber(request->inputs, policy::kMonthCloseInput) != static_cast<double>(open->id))
      return Fail(Errc::kFailedPrecondition, Reason{"assessment.wrong_request"},
                  "request " + std::to_string(request_id) + " is not a " + a->reopen +
                      " request whose " + std::string(policy::kMonthCloseInput) + " is " +
                      std::to_string(open->id),
                  "request_id");
    if (request->state != store::RequestState::kApproved)
      return Fail(Errc::kFailedPrecondition, Reason{"assessment.not_approved"},
                  "request " + std::to_string(request_id) + " is " +
                      std::string(store::RequestStateName(request->state)) + ", not approved",
                  "request_id");
    ZHIDU_TRY_VOID(adb::MarkReopened(sql, open->id, who.account_id, tx.now(), request_id));
    Close c = *open;
    c.reopened_by = who.account_id;
    c.reopened_at = tx.now();
    c.request_id = request_id;
    ZHIDU_TRY(auto seq,
              tx.Journal("assessment.period.reopened", who.account_id,
                         "assessment_close/" + std::to_string(c.id),
                         CloseJournal(c,
                                      "考核月度结算重开：" + (a->title.empty() ? a->id : a->title) +
                                          " " + period,
                                      request_id)));
    (void)seq;
    return c;
  });
}

}  // namespace zhidu::people
