// Lateness and absence from attendance against the published roster (attendance.hpp).
#include "modules/people/attendance.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "base/canonical_json.hpp"
#include "kernel/runtime/ledger.hpp"
#include "kernel/runtime/site_parameters.hpp"
#include "kernel/scheduler/subject.hpp"
#include "modules/roster/leave_requests.hpp"
#include "modules/roster/roster.hpp"
#include "store/sql_where.hpp"

namespace zhidu::people {

std::string_view FindingKindName(FindingKind kind) {
  return kind == FindingKind::kLate ? "late" : "absent";
}

std::vector<store::Migration> AttendanceMigrations() {
  return {{2, R"sql(
CREATE TABLE attendance_findings(
  id {{id}},
  site_id BIGINT NOT NULL REFERENCES sites(id),
  person_id BIGINT NOT NULL,
  post_id BIGINT NOT NULL,
  assignment_id BIGINT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('late','absent')),
  shift_start BIGINT NOT NULL,
  shift_end BIGINT NOT NULL,
  arrived_at BIGINT,
  minutes_late BIGINT NOT NULL DEFAULT 0 CHECK (minutes_late >= 0),
  violation_id BIGINT REFERENCES violations(id),
  note TEXT NOT NULL DEFAULT '',
  found_at BIGINT NOT NULL);
CREATE INDEX attendance_findings_site ON attendance_findings(site_id, id);
CREATE INDEX attendance_findings_person ON attendance_findings(person_id, id)
)sql"}};
}

std::vector<store::Migration> WithdrawalMigrations() {
  return {{5, R"sql(
ALTER TABLE attendance_findings ADD COLUMN withdrawn_request BIGINT REFERENCES approval_requests(id);
ALTER TABLE attendance_findings ADD COLUMN withdrawn_at BIGINT NOT NULL DEFAULT 0
)sql"}};
}

namespace {

constexpr const char* kFindingColumns =
    "SELECT id, site_id, person_id, post_id, assignment_id, kind, shift_start, shift_end, "
    "arrived_at, minutes_late, violation_id, note, found_at, withdrawn_request, withdrawn_at "
    "FROM attendance_findings ";

Finding MapFinding(const store::SqlRow& r) {
  Finding f;
  f.id = r.Int(0);
  f.site_id = r.Int(1);
  f.person_id = r.Int(2);
  f.post_id = r.Int(3);
  f.assignment_id = r.Int(4);
  f.kind = r.Text(5) == "late" ? FindingKind::kLate : FindingKind::kAbsent;  // CHECK admits two
  f.shift_start = r.Time(6);
  f.shift_end = r.Time(7);
  f.arrived_at = r.Time(8);
  f.minutes_late = r.Int(9);
  f.violation_id = r.Int(10);
  f.note = r.Text(11);
  f.found_at = r.Time(12);
  f.withdrawn_request = r.Int(13);
  f.withdrawn_at = r.Time(14);
  return f;
}

Result<bool> Judged(store::Sql& sql, Id assignment_id) {
  bool found = false;
  ZHIDU_TRY_VOID(sql.Query("finding of assignment",
                           "SELECT 1 FROM attendance_findings WHERE assignment_id=?",
                           {assignment_id}, [&](const store::SqlRow&) { found = true; }));
  return found;
}

// When the person first was on the post during [start, end): the start of the first stint that
// overlaps it, or nullopt when none does.
Result<std::optional<TimePoint>> FirstOnPost(store::Sql& sql, Id post_id, Id person_id,
                                             TimePoint start, TimePoint end) {
  std::optional<TimePoint> out;
  ZHIDU_TRY_VOID(sql.Query(
      "first stint on post",
      "SELECT started_at FROM attendance WHERE post_id=? AND person_id=? AND started_at<? "
      "AND (ended_at=0 OR ended_at>?) ORDER BY started_at LIMIT 1",
      {post_id, person_id, store::SqlTime(end), store::SqlTime(start)},
      [&](const store::SqlRow& r) { out = r.Time(0); }));
  return out;
}

// The penalty a site charges findings of `kind` under: nullopt with the reason when none.
std::pair<std::string, std::string> CodeFor(const runtime::SiteSettings& settings,
                                            const policy::Pack& pack, FindingKind kind) {
  std::string_view param = kind == FindingKind::kLate ? kLateCodeParam : kAbsentCodeParam;
  auto value = settings.Value(param);
  if (!value)
    return std::pair<std::string, std::string>{
        "", "本单位参数 " + std::string(param) + " 未设置：只记录，不计入违规台账"};
  auto items = policy::ParamListItems(*value);
  if (items.size() != 1 || !pack.FindPenalty(items[0]))
    return std::pair<std::string, std::string>{
        "", "本单位参数 " + std::string(param) + " 的值 \"" + *value +
                "\" 不是制度包中的一个处罚代码：只记录，不计入违规台账"};
  return std::pair<std::string, std::string>{items[0], ""};
}

Micros LateAfter(const runtime::SiteSettings& settings) {
  auto value = settings.Value(kLateAfterParam);
  if (!value) return Micros{0};  // unset: late is after the shift's start, as the rules say
  auto d = policy::ParseDuration(*value);
  if (!d || d->months || d->working_days) return Micros{0};  // validated when set
  return std::chrono::duration_cast<Micros>(d->fixed);
}

// What a site's parameters say of attendance: read once per site in a run, not per assignment.
struct SiteRules {
  Micros grace{0};
  std::pair<std::string, std::string> late, absent;  // the code charged, or why none is
  std::set<Id> not_staffed;  // posts the site marked not staffed: nobody there is judged
};

Result<SiteRules> RulesOf(store::UnitOfWork& unit, const policy::Pack& pack, Id site_id) {
  SiteRules r;
  // The site's parameters read once (they were read four times, once per value).
  ZHIDU_TRY(auto settings, runtime::SiteSettings::Read(unit, site_id));
  r.grace = LateAfter(settings);
  r.late = CodeFor(settings, pack, FindingKind::kLate);
  r.absent = CodeFor(settings, pack, FindingKind::kAbsent);
  for (const auto& p : settings.NotStaffedPosts()) r.not_staffed.insert(p.post_id);
  return r;
}

// The zh-CN line a finding is shown by (the violation's note, the notification's title).
std::string Title(const Finding& f) {
  if (f.kind == FindingKind::kLate)
    return "迟到 " + std::to_string(f.minutes_late) + " 分钟（依排班表与到岗记录）";
  return "缺勤：排班的班次内未到岗（依排班表与到岗记录）";
}

std::string CanonicalFinding(const Finding& f) {
  CanonicalObject o;
  o.Add("id", f.id)
      .Add("site_id", f.site_id)
      .Add("person_id", f.person_id)
      .Add("post_id", f.post_id)
      .Add("assignment_id", f.assignment_id)
      .Add("kind", FindingKindName(f.kind))
      .Add("shift_start", FormatIso8601Utc(f.shift_start))
      .Add("minutes_late", f.minutes_late)
      .Add("violation_id", f.violation_id);
  if (f.arrived_at != TimePoint{}) o.Add("arrived_at", FormatIso8601Utc(f.arrived_at));
  if (!f.note.empty()) o.Add("note", f.note);
  if (f.withdrawn_request) o.Add("withdrawn_request", f.withdrawn_request);
  o.Add("title", f.withdrawn_request ? "已撤销（请假申请 #" + std::to_string(f.withdrawn_request) +
                                           " 已批准）：" + Title(f)
                                     : Title(f));
  return o.Str();
}

// The check's one timer; its subject carries where the next run starts ("attendance/1/FROM_US").
store::Timer SweepTimer(TimePoint due, TimePoint from) {
  store::Timer t;
  t.kind = std::string(kAttendanceTimer);
  t.subject =
      scheduler::TimerSubject{"attendance", 1, {std::to_string(from.time_since_epoch().count())}}
          .Str();
  t.payload = "{}";
  t.due_at = due;
  return t;
}

}  // namespace

AttendanceCheck::AttendanceCheck(store::Store& store, store::Writer& writer,
                                 scheduler::Scheduler& scheduler, const policy::ActivePack& pack,
                                 const org::RoleCatalogue& roles, const Clock& clock)
    : store_(store),
      writer_(writer),
      scheduler_(scheduler),
      pack_(pack),
      roles_(roles),
      clock_(clock) {}

std::vector<policy::ParamDecl> AttendanceCheck::Parameters(const policy::Pack& pack) {
  // The clauses that count attendance: the assessments' indicators whose source is the roster.
  std::vector<std::string> clauses;
  for (const auto& a : pack.assessments())
    for (const auto& i : a.indicators)
      if (i.source == "roster" || i.source.starts_with("roster."))  // assessment.hpp's catalogue
        clauses.insert(clauses.end(), a.clauses.begin(), a.clauses.end());
  const std::string rule = "people: lateness and absence from attendance against the roster";
  return {
      {std::string(kLateAfterParam), policy::ParamKind::kDuration,
       rule + " — how long after a shift starts one is late (unset: at the start)", clauses},
      {std::string(kLateCodeParam), policy::ParamKind::kList,
       rule + " — the penalty code a late arrival is recorded under (unset: not charged)", clauses},
      {std::string(kAbsentCodeParam), policy::ParamKind::kList,
       rule + " — the penalty code an absence is recorded under (unset: not charged)", clauses}};
}

Result<void> AttendanceCheck::Start() {
  scheduler_.Register(std::string(kAttendanceTimer),
                      [this](store::Tx& tx, const store::Timer& t) { return OnTimer(tx, t); });
  TimePoint due = clock_.Now() + kEvery;
  ZHIDU_TRY(bool scheduled, writer_.Run<bool>([&](store::Tx& tx) -> Result<bool> {
    store::TimerFilter f;
    f.kind = std::string(kAttendanceTimer);
    f.state = store::TimerState::kPending;
    ZHIDU_TRY(auto pending, tx.unit().ListTimers(f, {0, 1}));
    if (!pending.empty()) return false;
    ZHIDU_TRY(auto id, scheduler::Scheduler::Schedule(tx, SweepTimer(due, tx.now())));
    (void)id;
    return true;
  }));
  if (scheduled) scheduler_.Wake(due);
  return Ok();
}

namespace {

Result<TimePoint> FromOf(const store::Timer& t) {
  ZHIDU_TRY(auto subject, scheduler::SubjectOf(t, "attendance", 1));
  return TimePoint{Micros(std::strtoll(subject.tail[0].c_str(), nullptr, 10))};
}

}  // namespace

Result<TimePoint> AttendanceCheck::NextFrom(store::Tx& tx) {
  store::TimerFilter f;
  f.kind = std::string(kAttendanceTimer);
  f.state = store::TimerState::kPending;
  ZHIDU_TRY(auto pending, tx.unit().ListTimers(f, {0, 1}));
  if (pending.empty()) return tx.now();  // not started: nothing to judge yet
  return FromOf(pending.front());
}

Result<void> AttendanceCheck::OnTimer(store::Tx& tx, const store::Timer& t) {
  ZHIDU_TRY(TimePoint from, FromOf(t));
  ZHIDU_TRY(auto judged, Judge(tx, from, 0));
  // The next run starts at the earliest shift not judged yet, or now; it is due in kEvery while a
  // shift waits for its verdict, else when the next shift starts (no sooner than kEvery, no later
  // than kIdle): nothing can be late before a shift starts. (Every five minutes around the clock
  // was 288 runs a day, most of a month scenario's test-clock time.)
  TimePoint next_from = judged.second.value_or(tx.now());
  TimePoint due = tx.now() + kEvery;
  if (!judged.second) {
    ZHIDU_TRY(auto upcoming,
              roster::PublishedAssignments(tx.unit(), tx.now() + Micros(1), tx.now() + kIdle));
    due = upcoming.empty() ? tx.now() + kIdle : std::max(due, upcoming.front().starts_at);
  }
  ZHIDU_TRY(auto id, scheduler::Scheduler::Schedule(tx, SweepTimer(due, next_from)));
  (void)id;
  scheduler_.Wake(due);  // a hint; the loop rereads the store after this commit either way
  return Ok();
}

Result<std::pair<std::vector<Finding>, std::optional<TimePoint>>> AttendanceCheck::Judge(
    store::Tx& tx, TimePoint from, Id only_site) {
  auto& unit = tx.unit();
  auto& sql = unit.sql();
  auto pack = pack_.Current();
  const TimePoint now = tx.now();
  std::vector<Finding> made;
  std::optional<TimePoint> undecided;
  std::map<Id, SiteRules> by_site;
  ZHIDU_TRY(auto assignments, roster::PublishedAssignments(unit, from, now + Micros(1)));
  for (const auto& a : assignments) {
    if (only_site && a.site_id != only_site) continue;
    if (a.person_id == 0) continue;
    ZHIDU_TRY(bool judged, Judged(sql, a.id));
    if (judged) continue;
    auto rules = by_site.find(a.site_id);
    if (rules == by_site.end()) {
      ZHIDU_TRY(SiteRules read, RulesOf(unit, *pack, a.site_id));
      rules = by_site.emplace(a.site_id, std::move(read)).first;
    }
    // A post the site does not staff cannot be taken (409), so nobody rostered there is late or
    // absent (docs/runtime.md "Posts not staffed").
    if (rules->second.not_staffed.contains(a.post_id)) continue;
    const Micros grace = rules->second.grace;
    if (now < a.starts_at + grace) {  // not late yet, whatever happens
      if (!undecided) undecided = a.starts_at;
      continue;
    }
    ZHIDU_TRY(auto arrived, FirstOnPost(sql, a.post_id, a.person_id, a.starts_at, a.ends_at));
    Finding f;
    f.site_id = a.site_id;
    f.person_id = a.person_id;
    f.post_id = a.post_id;
    f.assignment_id = a.id;
    f.shift_start = a.starts_at;
    f.shift_end = a.ends_at;
    f.found_at = now;
    if (arrived && *arrived <= a.starts_at + grace) continue;  // on time
    if (arrived) {
      f.kind = FindingKind::kLate;
      f.arrived_at = *arrived;
      auto late = std::chrono::duration_cast<std::chrono::seconds>(*arrived - a.starts_at).count();
      f.minutes_late = (late + 59) / 60;
    } else if (now >= a.ends_at) {
      f.kind = FindingKind::kAbsent;
    } else {  // late so far: judged when they arrive or the shift ends
      if (!undecided) undecided = a.starts_at;
      continue;
    }
    auto code = f.kind == FindingKind::kLate ? rules->second.late : rules->second.absent;
    f.note = code.second;
    if (!code.first.empty()) {
      // The ledger refuses a person of another site; a roster may outlive a transfer. Say so
      // instead of failing the whole run (its timer would stop after its retries).
      ZHIDU_TRY(store::Person person, unit.GetPerson(a.person_id));
      if (person.site_id != a.site_id) {
        code.first.clear();
        f.note = "此人已不属于本单位：只记录，不计入违规台账";
      }
    }
    if (!code.first.empty()) {
      runtime::NewViolation v;
      v.site_id = a.site_id;
      v.person_id = a.person_id;
      v.post_id = a.post_id;
      v.code = code.first;
      v.subject = "roster_assignment/" + std::to_string(a.id);
      v.occurred_at = f.kind == FindingKind::kLate ? f.arrived_at : a.starts_at;
      v.note = Title(f);
      ZHIDU_TRY(auto violation, runtime::Ledger::Raise(tx, *pack, v, 0, "auto"));
      f.violation_id = violation.id;
    }
    ZHIDU_TRY(f.id,
              sql.Insert("insert attendance finding",
                         "INSERT INTO attendance_findings(site_id, person_id, post_id, "
                         "assignment_id, kind, shift_start, shift_end, arrived_at, "
                         "minutes_late, violation_id, note, found_at) "
                         "VALUES(?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
                         {f.site_id, f.person_id, f.post_id, f.assignment_id,
                          std::string(FindingKindName(f.kind)), store::SqlTime(f.shift_start),
                          store::SqlTime(f.shift_end), store::SqlTime(f.arrived_at), f.minutes_late,
                          store::SqlRef(f.violation_id), f.note, store::SqlTime(f.found_at)}));
    ZHIDU_TRY(auto seq,
              tx.Journal("attendance.finding." + std::string(FindingKindName(f.kind)), 0,
                         "attendance_finding/" + std::to_string(f.id), CanonicalFinding(f)));
    (void)seq;
    made.push_back(std::move(f));
  }
  return std::pair{std::move(made), undecided};
}

Result<void> WithdrawForLeave(store::Tx& tx, const runtime::RequestApproved& e) {
  if (!roster::IsLeaveRequest(e.type)) return Ok();
  auto& sql = tx.unit().sql();
  ZHIDU_TRY(auto span, roster::LeaveSpanOf(tx.unit(), e.request, e.inputs));
  ZHIDU_TRY(auto found,
            sql.Many<Finding>(
                "findings on leave",
                kFindingColumns + std::string("WHERE site_id=? AND person_id=? AND shift_start>=? "
                                              "AND shift_start<? AND withdrawn_at=0 ORDER BY id"),
                {e.request.site_id, e.request.applicant_person, store::SqlTime(span.from),
                 store::SqlTime(span.before)},
                MapFinding));
  const std::string why = "请假申请 #" + std::to_string(e.request.id) + " 已批准（" + e.type.title +
                          "，批准晚于该班次）";
  for (auto& f : found) {
    f.withdrawn_request = e.request.id;
    f.withdrawn_at = tx.now();
    ZHIDU_TRY_VOID(sql.Exec("withdraw attendance finding",
                            "UPDATE attendance_findings SET withdrawn_request=?, withdrawn_at=? "
                            "WHERE id=?",
                            {e.request.id, store::SqlTime(f.withdrawn_at), f.id}));
    if (f.violation_id) {
      ZHIDU_TRY(auto v,
                runtime::Ledger::Withdraw(tx, f.violation_id, e.approver, why + "：" + Title(f),
                                          e.type.clauses, e.request.id));
      (void)v;
    }
    CanonicalObject payload;
    payload.AddRaw("finding", CanonicalFinding(f));
    payload.Add("site_id", f.site_id).Add("person_id", f.person_id);
    payload.Add("request_id", e.request.id).Add("violation_id", f.violation_id);
    payload.AddRaw("clauses", JsonStringArray(e.type.clauses));
    payload.Add("title", "考勤记录已撤销：" + why);
    ZHIDU_TRY(auto seq, tx.Journal("attendance.finding.withdrawn", e.approver,
                                   "attendance_finding/" + std::to_string(f.id), payload.Str()));
    (void)seq;
  }
  return Ok();
}

Result<std::vector<Finding>> AttendanceCheck::CheckNow(const org::Principal& who, Id site_id) {
  if (site_id <= 0) return Fail(Errc::kInvalidArgument, "site_id is required", "site_id");
  if (!roles_.Allows(who, runtime::perm::kLedgerRead, {site_id, 0}))
    return Fail(Errc::kPermissionDenied,
                "checking attendance needs the ledger.read permission at the site");
  return writer_.Run<std::vector<Finding>>([&](store::Tx& tx) -> Result<std::vector<Finding>> {
    // What the next run would judge, now: the shifts since the pending timer's start.
    ZHIDU_TRY(TimePoint from, NextFrom(tx));
    ZHIDU_TRY(auto judged, Judge(tx, from, site_id));
    return std::move(judged.first);
  });
}

Result<std::vector<Finding>> AttendanceCheck::List(const org::Principal& who,
                                                   const FindingFilter& in,
                                                   store::PageRequest page) {
  if (in.site_id <= 0) return Fail(Errc::kInvalidArgument, "site_id is required", "site_id");
  FindingFilter f = in;
  if (!roles_.Allows(who, runtime::perm::kLedgerRead, {f.site_id, 0})) {
    if (who.person_id == 0)
      return Fail(Errc::kPermissionDenied, "reading attendance findings needs ledger.read");
    f.person_id = who.person_id;  // one's own
  }
  store::SqlWhere where;
  where.And("id > ?", page.after_id).And("site_id = ?", f.site_id);
  where.AndIf(f.person_id != 0, "person_id = ?", f.person_id);
  ZHIDU_TRY(auto unit, store_.BeginRead());
  return unit->sql().Many<Finding>("list attendance findings",
                                   kFindingColumns + where.text() + " ORDER BY id LIMIT ?",
                                   where.Params({std::int64_t{page.limit}}), MapFinding);
}

}  // namespace zhidu::people
