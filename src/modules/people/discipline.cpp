#include "modules/people/discipline.hpp"

#include <algorithm>
#include <cstdlib>
#include <set>

#include "base/canonical_json.hpp"
#include "base/text_limits.hpp"
#include "kernel/runtime/ledger.hpp"
#include "kernel/runtime/runtime_util.hpp"
#include "kernel/runtime/site_parameters.hpp"
#include "kernel/scheduler/business_time.hpp"

namespace zhidu::people {

namespace {

constexpr std::string_view kStateNames[] = {"open", "correcting", "closed"};
constexpr std::string_view kEventNames[] = {"opened", "step",         "corrected", "refused",
                                            "missed", "compensation", "closed"};
constexpr std::string_view kSubjectPrefix = "discipline-case/";

std::string Ref(Id id) { return std::string(kSubjectPrefix) + std::to_string(id); }

std::string CaseName(Id id) { return "discipline case " + std::to_string(id); }

// `from` + `d` on the site's clock and, for working days, the pack's calendar (as the
// procedures' timers count).
Result<TimePoint> AddDuration(const policy::Pack& pack, const TimeZone& zone, TimePoint from,
                              const policy::Duration& d) {
  if (d.working_days > 0) {
    ZHIDU_TRY(TimePoint t, scheduler::AddWorkingDays(pack.calendar(), zone, from, d.working_days));
    return t + std::chrono::duration_cast<Micros>(d.fixed);
  }
  return runtime::AddFixedDuration(from, d, zone);
}

Result<TimeZone> SiteZone(store::UnitOfWork& unit, Id site_id) {
  ZHIDU_TRY(store::Site site, unit.GetSite(site_id));
  return TimeZone::Find(site.time_zone.empty() ? std::string(kDefaultTimeZone) : site.time_zone);
}

const policy::DisciplineStep* StepAnywhere(const policy::Pack& pack, std::string_view id) {
  for (const auto& l : pack.discipline())
    if (const auto* s = FindStep(l, id)) return s;
  return nullptr;
}

std::string StepTitle(const policy::DisciplineStep* s, std::string_view id) {
  return s && !s->title.empty() ? s->title : std::string(id);
}

bool Contains(const std::vector<std::string>& v, std::string_view x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

Result<void> Note(const std::string& note) { return CheckText(note, "note", false, kMaxNote); }

// The journal payload every discipline.case.* record carries (notification convention:
// site_id, person_id, notify_roles, title).
CanonicalObject Payload(const Case& c, const std::vector<std::string>& clauses,
                        const std::vector<std::string>& notify, const std::string& title) {
  CanonicalObject o;
  o.Add("id", c.id)
      .Add("site_id", c.site_id)
      .Add("person_id", c.person_id)
      .Add("department_id", c.department_id)
      .Add("ladder", c.ladder)
      .Add("step", c.step)
      .Add("state", CaseStateName(c.state))
      .AddRaw("clauses", JsonStringArray(clauses));
  if (c.correction_due != TimePoint{}) o.Add("correction_due", FormatIso8601Utc(c.correction_due));
  if (!notify.empty()) o.AddRaw("notify_roles", JsonStringArray(notify));
  o.Add("title", title);
  return o;
}

// Journals `kind` and writes the case's history row with the record's seq.
Result<void> Record(store::Tx& tx, const Case& c, EventKind kind, Id actor, std::string note,
                    const std::vector<std::string>& clauses, CanonicalObject payload,
                    Id request_id = 0) {
  if (!note.empty()) payload.Add("note", note);
  ZHIDU_TRY(auto seq, tx.Journal("discipline.case." + std::string(EventKindName(kind)), actor,
                                 Ref(c.id), payload.Str()));
  CaseEvent e;
  e.case_id = c.id;
  e.kind = kind;
  e.step = c.step;
  e.actor = actor;
  e.at = tx.now();
  e.note = std::move(note);
  if (kind == EventKind::kOpened || kind == EventKind::kStep) e.correction_due = c.correction_due;
  e.request_id = request_id;
  e.clauses = clauses;
  e.journal_seq = seq;
  ZHIDU_TRY(auto id, db::InsertEvent(tx.unit().sql(), e));
  (void)id;
  return Ok();
}

// The number after "case.id": in a request's canonical inputs, or nullopt.
std::optional<double> CaseInput(std::string_view inputs) {
  std::string key = "\"" + std::string(policy::kDisciplineCaseInput) + "\":";
  auto at = inputs.find(key);
  if (at == std::string_view::npos) return std::nullopt;
  std::string rest(inputs.substr(at + key.size()));
  char* end = nullptr;
  double v = std::strtod(rest.c_str(), &end);
  if (end == rest.c_str()) return std::nullopt;
  return v;
}

}  // namespace

std::string_view CaseStateName(CaseState s) { return kStateNames[static_cast<int>(s)]; }

Result<CaseState> ParseCaseState(std::string_view name) {
  for (int i = 0; i < 3; ++i)
    if (kStateNames[i] == name) return static_cast<CaseState>(i);
  return Fail(Errc::kInvalidArgument, kInvalid,
              "state must be open, correcting or closed, not \"" + std::string(name) + "\"",
              "state");
}

std::string_view EventKindName(EventKind k) { return kEventNames[static_cast<int>(k)]; }

const policy::DisciplineLadder* FindLadder(const policy::Pack& pack, std::string_view id) {
  for (const auto& l : pack.discipline())
    if (l.id == id) return &l;
  return nullptr;
}

const policy::DisciplineStep* FindStep(const policy::DisciplineLadder& ladder,
                                       std::string_view id) {
  for (const auto& s : ladder.steps)
    if (s.id == id) return &s;
  return nullptr;
}

std::vector<std::string> StepClauses(const policy::DisciplineLadder& ladder,
                                     const policy::DisciplineStep& step) {
  return step.clauses.empty() ? ladder.clauses : step.clauses;
}

std::string ConsequenceStep(std::string_view consequence) {
  constexpr std::string_view key = "\"discipline\":\"";
  auto at = consequence.find(key);
  if (at == std::string_view::npos) return "";
  auto start = at + key.size();
  auto end = consequence.find('"', start);
  if (end == std::string_view::npos) return "";
  return std::string(consequence.substr(start, end - start));
}

bool ConsequenceCompensates(std::string_view consequence) {
  return consequence.find("\"compensation_at_cost\":true") != std::string_view::npos;
}

Discipline::Discipline(store::Store& store, store::Writer& writer, scheduler::Scheduler& scheduler,
                       const policy::ActivePack& pack, const org::RoleCatalogue& roles)
    : store_(store), writer_(writer), scheduler_(scheduler), pack_(pack), roles_(roles) {}

void Discipline::RegisterHandlers() {
  scheduler_.Register(std::string(kCorrectionTimer), [this](store::Tx& tx, const store::Timer& t) {
    return OnCorrectionDue(tx, t);
  });
}

bool Discipline::MayTake(const org::Principal& who, const policy::Pack& pack, Id site_id,
                         Id department_id, std::string_view step_id) const {
  if (roles_.Allows(who, kManagePermission, {site_id, department_id})) return true;
  const policy::DisciplineStep* step = StepAnywhere(pack, step_id);
  if (!step) return false;
  // The step's role and every role above it (reports_to; the loader refuses cycles).
  std::set<std::string, std::less<>> able;
  for (std::string role = step->by; !role.empty() && able.insert(role).second;) {
    std::string above;
    for (const auto& r : pack.roles())
      if (r.id == role) above = r.reports_to;
    role = above;
  }
  for (const auto& g : who.roles)
    if (able.contains(g.role) && org::GrantCovers(g, {site_id, department_id})) return true;
  return false;
}

Result<Case> Discipline::Load(store::Sql& sql, Id id, const org::Principal* who) {
  auto c = db::GetCase(sql, id);
  if (!c) return Fail(c.error());
  if (who) {
    bool own = who->person_id != 0 && who->person_id == c->person_id;
    if (!own && !roles_.Allows(*who, runtime::perm::kLedgerRead, {c->site_id, c->department_id}) &&
        !MayTake(*who, *pack_.Current(), c->site_id, c->department_id, c->step))
      return Fail(Errc::kNotFound, CaseName(id) + " does not exist");
  }
  return std::move(*c);
}

Result<Case> Discipline::LoadOpen(store::Sql& sql, Id id, const org::Principal& who) {
  ZHIDU_TRY(Case c, Load(sql, id, &who));
  if (c.state == CaseState::kClosed)
    return Fail(Errc::kFailedPrecondition, Reason{"discipline.case_closed"},
                CaseName(c.id) + " is closed");
  return c;
}

namespace {

// The case with its violations, history and compensations.
Result<Case> Full(store::Sql& sql, Case c) {
  ZHIDU_TRY(c.violations, db::ViolationsOf(sql, c.id));
  ZHIDU_TRY(c.events, db::EventsOf(sql, c.id));
  ZHIDU_TRY(c.compensations, db::CompensationsOf(sql, c.id));
  return c;
}

// Invariant 2 for `ids`, all of `person_id` at `site_id`; returns them in order.
Result<std::vector<store::Violation>> CheckViolations(store::UnitOfWork& unit,
                                                      const std::vector<Id>& ids, Id site_id,
                                                      Id person_id) {
  std::vector<store::Violation> out;
  std::set<Id> seen;
  for (Id id : ids) {
    if (!seen.insert(id).second)
      return Fail(Errc::kInvalidArgument, kInvalid,
                  "violation " + std::to_string(id) + " is listed twice", "violation_ids");
    auto v = unit.GetViolation(id);
    if ((!v && v.error().code == Errc::kNotFound) || (v && v->site_id != site_id))
      return Fail(
          Errc::kInvalidArgument, Reason{"discipline.unknown_violation"},
          "there is no violation " + std::to_string(id) + " at site " + std::to_string(site_id),
          "violation_ids");
    if (!v) return Fail(v.error());
    if (v->person_id == 0)
      return Fail(Errc::kFailedPrecondition, Reason{"discipline.violation_unassigned"},
                  "violation " + std::to_string(id) +
                      " is recorded against nobody: assign it to the person first "
                      "(POST /api/v1/violations/" +
                      std::to_string(id) + "/assign)",
                  "violation_ids");
    if (v->person_id != person_id)
      return Fail(Errc::kInvalidArgument, Reason{"discipline.violation_other_person"},
                  "violation " + std::to_string(id) + " is recorded against person " +
                      std::to_string(v->person_id) + ", not " + std::to_string(person_id),
                  "violation_ids");
    if (v->state == store::ViolationState::kOverturned)
      return Fail(Errc::kFailedPrecondition, Reason{"discipline.violation_overturned"},
                  "violation " + std::to_string(id) + " was overturned on appeal", "violation_ids");
    ZHIDU_TRY(auto in_case, db::CaseOfViolation(unit.sql(), id));
    if (in_case)
      return Fail(Errc::kConflict, Reason{"discipline.violation_in_case"},
                  "violation " + std::to_string(id) + " is in " + CaseName(*in_case) + " already",
                  "violation_ids");
    out.push_back(std::move(*v));
  }
  return out;
}

// The deadline of the correction `step` orders, taken at `now` (invariant 3): the regulation's
// period, else the site's parameter, else the `correct_by` the taker gives — never a guess.
Result<TimePoint> CorrectionDue(store::UnitOfWork& unit, const policy::Pack& pack, Id site_id,
                                const policy::DisciplineStep& step, TimePoint now,
                                TimePoint correct_by) {
  ZHIDU_TRY(TimeZone zone, SiteZone(unit, site_id));
  std::optional<policy::Duration> within = step.correct_within;
  std::string source = "the regulation";
  if (!within && !step.correct_within_param.empty()) {
    ZHIDU_TRY(auto value,
              runtime::SiteParameters::Lookup(unit, site_id, step.correct_within_param));
    if (value) {
      auto d = policy::ParseDuration(*value);
      if (!d)
        return Fail(
            Errc::kFailedPrecondition, Reason{"discipline.deadline_unset"},
            "the site's " + step.correct_within_param + " (" + *value + ") is not a duration");
      within = *d;
      source = "the site's " + step.correct_within_param;
    }
  }
  if (within) {
    if (correct_by != TimePoint{})
      return Fail(Errc::kInvalidArgument, Reason{"discipline.deadline_fixed"},
                  "the correction period is fixed by " + source + "; do not give correct_by",
                  "correct_by");
    return AddDuration(pack, zone, now, *within);
  }
  if (correct_by == TimePoint{})
    return Fail(Errc::kInvalidArgument, Reason{"discipline.deadline_required"},
                "the regulation gives no correction period and the site has not set " +
                    step.correct_within_param + ": give the deadline (correct_by)",
                "correct_by");
  if (correct_by <= now)
    return Fail(Errc::kInvalidArgument, kInvalid, "correct_by must be in the future", "correct_by");
  return correct_by;
}

}  // namespace

Result<Case> Discipline::Open(const org::Principal& who, const NewCase& in) {
  if (in.site_id <= 0)
    return Fail(Errc::kInvalidArgument, kRequired, "site_id is required", "site_id");
  if (in.person_id <= 0)
    return Fail(Errc::kInvalidArgument, kRequired, "person_id is required", "person_id");
  if (in.violation_ids.empty())
    return Fail(Errc::kInvalidArgument, kRequired,
                "a case opens from at least one violation (violation_ids)", "violation_ids");
  if (in.violation_ids.size() > kMaxViolations)
    return Fail(Errc::kInvalidArgument, kInvalid,
                "at most " + std::to_string(kMaxViolations) + " violations", "violation_ids");
  ZHIDU_TRY_VOID(Note(in.note));
  auto pack = pack_.Current();
  auto opened = writer_.Run<Case>([&](store::Tx& tx) -> Result<Case> {
    auto& unit = tx.unit();
    auto site = unit.GetSite(in.site_id);
    if (!site && site.error().code == Errc::kNotFound)
      return Fail(Errc::kInvalidArgument, kInvalid,
                  "there is no site " + std::to_string(in.site_id), "site_id");
    if (!site) return Fail(site.error());
    if (!org::HoldsRoleAt(who, {in.site_id, 0}) &&
        !roles_.Allows(who, kManagePermission, {in.site_id, 0}))
      return Fail(Errc::kPermissionDenied,
                  "opening a discipline case needs a role at site " + std::to_string(in.site_id));
    auto person = unit.GetPerson(in.person_id);
    if ((!person && person.error().code == Errc::kNotFound) ||
        (person && person->site_id != in.site_id))
      return Fail(Errc::kInvalidArgument, Reason{"discipline.unknown_person"},
                  "there is no person " + std::to_string(in.person_id) + " at site " +
                      std::to_string(in.site_id),
                  "person_id");
    if (!person) return Fail(person.error());
    ZHIDU_TRY(auto violations, CheckViolations(unit, in.violation_ids, in.site_id, in.person_id));

    // Invariant 1: the ladder and step the violations' consequences name, the latest in order.
    const policy::DisciplineLadder* ladder = nullptr;
    const policy::DisciplineStep* step = nullptr;
    size_t step_index = 0;
    for (const auto& v : violations) {
      std::string named = ConsequenceStep(v.consequence);
      if (named.empty()) continue;
      const policy::DisciplineLadder* l = nullptr;
      for (const auto& cand : pack->discipline())
        if (FindStep(cand, named)) l = &cand;
      if (!l) continue;  // a step of a pack no longer in force
      if (ladder && ladder != l)
        return Fail(Errc::kInvalidArgument, Reason{"discipline.ladders_differ"},
                    "the violations name steps of two discipline ladders (" + ladder->id + ", " +
                        l->id + "): open one case per ladder",
                    "violation_ids");
      ladder = l;
      for (size_t i = 0; i < l->steps.size(); ++i)
        if (l->steps[i].id == named && (!step || i > step_index)) {
          step = &l->steps[i];
          step_index = i;
        }
    }
    if (!in.ladder.empty()) {
      const policy::DisciplineLadder* asked = FindLadder(*pack, in.ladder);
      if (!asked)
        return Fail(Errc::kInvalidArgument, Reason{"discipline.unknown_ladder"},
                    "there is no discipline ladder \"" + in.ladder + "\" in the pack", "ladder");
      if (ladder && ladder != asked)
        return Fail(Errc::kInvalidArgument, Reason{"discipline.ladders_differ"},
                    "the violations' consequences name ladder " + ladder->id + ", not " + in.ladder,
                    "ladder");
      ladder = asked;
    }
    if (!ladder) {
      if (pack->discipline().size() != 1)
        return Fail(Errc::kInvalidArgument,
                    pack->discipline().empty() ? Reason{"discipline.no_ladder"} : kRequired,
                    pack->discipline().empty()
                        ? "the policy pack in force has no discipline ladder"
                        : "no violation names a discipline step: name the ladder",
                    "ladder");
      ladder = &pack->discipline().front();
    }
    if (ladder->steps.empty())
      return Fail(Errc::kFailedPrecondition, Reason{"discipline.no_ladder"},
                  "discipline ladder " + ladder->id + " has no steps");
    if (!step) step = &ladder->steps.front();
    if (!MayTake(who, *pack, in.site_id, person->department_id, step->id))
      return Fail(Errc::kPermissionDenied, "the step \"" + StepTitle(step, step->id) +
                                               "\" is taken by " + step->by +
                                               " (or a role above it)");

    Case c;
    c.site_id = in.site_id;
    c.person_id = in.person_id;
    c.department_id = person->department_id;
    c.ladder = ladder->id;
    c.step = step->id;
    c.state = CaseState::kOpen;
    c.opened_by = who.account_id;
    c.opened_at = tx.now();
    if (step->correction) {
      ZHIDU_TRY(c.correction_due,
                CorrectionDue(unit, *pack, in.site_id, *step, tx.now(), in.correct_by));
      c.state = CaseState::kCorrecting;
    } else if (in.correct_by != TimePoint{}) {
      return Fail(Errc::kInvalidArgument, kInvalid,
                  "the step \"" + StepTitle(step, step->id) + "\" orders no correction",
                  "correct_by");
    }
    if (step->closes) {
      c.state = CaseState::kClosed;
      c.outcome = "ended";
      c.closed_by = who.account_id;
      c.closed_at = tx.now();
    }
    if (!step->approval.empty())
      return Fail(Errc::kFailedPrecondition, Reason{"discipline.approval_required"},
                  "the step \"" + StepTitle(step, step->id) +
                      "\" needs an approved request naming the case; open the case first");
    ZHIDU_TRY(c.id, db::InsertCase(unit.sql(), c));
    if (c.state == CaseState::kCorrecting) {
      store::Timer t;
      t.site_id = c.site_id;
      t.kind = std::string(kCorrectionTimer);
      t.subject = Ref(c.id);
      t.payload = CanonicalObject().Add("case_id", c.id).Add("step", c.step).Str();
      t.due_at = c.correction_due;
      ZHIDU_TRY(c.correction_timer, scheduler::Scheduler::Schedule(tx, t));
      ZHIDU_TRY_VOID(db::UpdateCase(unit.sql(), c));
    }
    for (const auto& v : violations)
      ZHIDU_TRY_VOID(db::AddViolation(unit.sql(), c.id, v.id, tx.now()));
    auto clauses = StepClauses(*ladder, *step);
    std::vector<Id> ids;
    for (const auto& v : violations) ids.push_back(v.id);
    std::string ids_json = "[";
    for (size_t i = 0; i < ids.size(); ++i) ids_json += (i ? "," : "") + std::to_string(ids[i]);
    ids_json += "]";
    auto payload = Payload(c, clauses, {step->by}, "纪律处分：" + StepTitle(step, step->id));
    payload.AddRaw("violation_ids", ids_json).Add("step_title", StepTitle(step, step->id));
    ZHIDU_TRY_VOID(Record(tx, c, EventKind::kOpened, who.account_id, in.note, clauses, payload));
    return Full(unit.sql(), c);
  });
  if (opened && opened->state == CaseState::kCorrecting) scheduler_.Wake(opened->correction_due);
  return opened;
}

namespace {

// Moves `c` onto `target` (its step row and journal record included). `cause`: "" for a step
// taken by hand, "refused" or "missed" when a correction moved it on by itself.
Result<void> MoveTo(store::Tx& tx, const policy::DisciplineLadder& ladder, Case& c,
                    const policy::DisciplineStep& target, Id actor, const std::string& cause,
                    std::string note, Id request_id) {
  c.step = target.id;
  if (target.closes) {
    c.state = CaseState::kClosed;
    c.outcome = "ended";
    c.closed_by = actor;
    c.closed_at = tx.now();
  }
  ZHIDU_TRY_VOID(db::UpdateCase(tx.unit().sql(), c));
  auto clauses = StepClauses(ladder, target);
  std::string title = "纪律处分：" + StepTitle(&target, target.id);
  if (cause == "refused") title += "（拒不整改）";
  if (cause == "missed") title += "（逾期未整改）";
  auto payload = Payload(c, clauses, {target.by}, title);
  payload.Add("step_title", StepTitle(&target, target.id));
  if (!cause.empty()) payload.Add("cause", cause);
  if (request_id) payload.Add("request_id", request_id);
  return Record(tx, c, EventKind::kStep, actor, std::move(note), clauses, payload, request_id);
}

Result<void> CancelCorrection(store::Tx& tx, Case& c) {
  if (c.correction_timer) {
    auto cancelled = tx.unit().CancelTimer(c.correction_timer, tx.now());
    // Already fired (this very firing) or cancelled: nothing left to cancel.
    if (!cancelled && cancelled.error().code != Errc::kFailedPrecondition &&
        cancelled.error().code != Errc::kNotFound)
      return Fail(cancelled.error());
  }
  c.correction_timer = 0;
  c.correction_due = TimePoint{};
  c.state = CaseState::kOpen;
  return Ok();
}

}  // namespace

Result<Case> Discipline::Take(const org::Principal& who, Id case_id, const StepInput& in) {
  if (in.step.empty()) return Fail(Errc::kInvalidArgument, kRequired, "step is required", "step");
  if (in.violation_ids.size() > kMaxViolations)
    return Fail(Errc::kInvalidArgument, kInvalid,
                "at most " + std::to_string(kMaxViolations) + " violations", "violation_ids");
  ZHIDU_TRY_VOID(Note(in.note));
  auto pack = pack_.Current();
  auto taken = writer_.Run<Case>([&](store::Tx& tx) -> Result<Case> {
    auto& unit = tx.unit();
    ZHIDU_TRY(Case c, LoadOpen(unit.sql(), case_id, who));
    const policy::DisciplineLadder* ladder = FindLadder(*pack, c.ladder);
    if (!ladder)
      return Fail(Errc::kFailedPrecondition, Reason{"discipline.ladder_gone"},
                  "discipline ladder " + c.ladder + " is no longer in the policy pack");
    const policy::DisciplineStep* current = FindStep(*ladder, c.step);
    const policy::DisciplineStep* target = FindStep(*ladder, in.step);
    if (!target)
      return Fail(Errc::kInvalidArgument, Reason{"discipline.unknown_step"},
                  "\"" + in.step + "\" is not a step of discipline ladder " + ladder->id, "step");
    // Invariant 1: only a step the current one lists in `next`.
    if (!current || !Contains(current->next, target->id)) {
      std::string why = "from \"" + StepTitle(current, c.step) + "\" ";
      why += current && !current->next.empty() ? "the case moves on to " + Join(current->next, ", ")
                                               : "no step is taken by hand";
      if (current && current->correction && current->on_refusal == target->id)
        why += "; \"" + StepTitle(target, target->id) +
               "\" follows a refused or missed correction (POST …/correction)";
      return Fail(Errc::kFailedPrecondition, Reason{"discipline.step_out_of_order"},
                  "\"" + StepTitle(target, target->id) + "\" cannot be taken now: " + why, "step");
    }
    if (!MayTake(who, *pack, c.site_id, c.department_id, target->id))
      return Fail(Errc::kPermissionDenied, "the step \"" + StepTitle(target, target->id) +
                                               "\" is taken by " + target->by +
                                               " (or a role above it)");
    // Invariant 4: the approval.
    if (!target->approval.empty()) {
      if (in.request_id == 0)
        return Fail(Errc::kFailedPrecondition, Reason{"discipline.approval_required"},
                    "the step \"" + StepTitle(target, target->id) + "\" needs an approved " +
                        target->approval + " request whose " +
                        std::string(policy::kDisciplineCaseInput) + " is " + std::to_string(c.id),
                    "request_id");
      auto request = unit.GetApprovalRequest(in.request_id);
      if (!request && request.error().code != Errc::kNotFound) return Fail(request.error());
      if (!request || request->site_id != c.site_id || request->type != target->approval ||
          CaseInput(request->inputs) != static_cast<double>(c.id))
        return Fail(Errc::kFailedPrecondition, Reason{"discipline.wrong_request"},
                    "request " + std::to_string(in.request_id) + " is not a " + target->approval +
                        " request for " + CaseName(c.id),
                    "request_id");
      if (request->state != store::RequestState::kApproved)
        return Fail(Errc::kFailedPrecondition, Reason{"discipline.not_approved"},
                    "request " + std::to_string(in.request_id) + " is " +
                        std::string(store::RequestStateName(request->state)) + ", not approved",
                    "request_id");
    } else if (in.request_id != 0) {
      return Fail(Errc::kInvalidArgument, kInvalid,
                  "the step \"" + StepTitle(target, target->id) + "\" needs no approval",
                  "request_id");
    }
    ZHIDU_TRY(auto more, CheckViolations(unit, in.violation_ids, c.site_id, c.person_id));
    // A correction still running is superseded by the step (再犯 before it was done).
    if (c.state == CaseState::kCorrecting) ZHIDU_TRY_VOID(CancelCorrection(tx, c));
    if (target->correction) {
      ZHIDU_TRY(c.correction_due,
                CorrectionDue(unit, *pack, c.site_id, *target, tx.now(), in.correct_by));
      store::Timer t;
      t.site_id = c.site_id;
      t.kind = std::string(kCorrectionTimer);
      t.subject = Ref(c.id);
      t.payload = CanonicalObject().Add("case_id", c.id).Add("step", target->id).Str();
      t.due_at = c.correction_due;
      ZHIDU_TRY(c.correction_timer, scheduler::Scheduler::Schedule(tx, t));
      c.state = CaseState::kCorrecting;
    } else if (in.correct_by != TimePoint{}) {
      return Fail(Errc::kInvalidArgument, kInvalid,
                  "the step \"" + StepTitle(target, target->id) + "\" orders no correction",
                  "correct_by");
    }
    for (const auto& v : more) ZHIDU_TRY_VOID(db::AddViolation(unit.sql(), c.id, v.id, tx.now()));
    ZHIDU_TRY_VOID(MoveTo(tx, *ladder, c, *target, who.account_id, "", in.note, in.request_id));
    return Full(unit.sql(), c);
  });
  if (taken && taken->state == CaseState::kCorrecting) scheduler_.Wake(taken->correction_due);
  return taken;
}

Result<Case> Discipline::Correction(const org::Principal& who, Id case_id, bool corrected,
                                    const std::string& note) {
  ZHIDU_TRY_VOID(Note(note));
  auto pack = pack_.Current();
  return writer_.Run<Case>([&](store::Tx& tx) -> Result<Case> {
    auto& unit = tx.unit();
    ZHIDU_TRY(Case c, LoadOpen(unit.sql(), case_id, who));
    if (c.state != CaseState::kCorrecting)
      return Fail(Errc::kFailedPrecondition, Reason{"discipline.no_correction"},
                  CaseName(c.id) + " has no correction order outstanding");
    const policy::DisciplineLadder* ladder = FindLadder(*pack, c.ladder);
    const policy::DisciplineStep* current = ladder ? FindStep(*ladder, c.step) : nullptr;
    if (!current)
      return Fail(Errc::kFailedPrecondition, Reason{"discipline.ladder_gone"},
                  "step " + c.step + " of " + c.ladder + " is no longer in the policy pack");
    if (!MayTake(who, *pack, c.site_id, c.department_id, c.step))
      return Fail(Errc::kPermissionDenied, "the outcome of \"" + StepTitle(current, c.step) +
                                               "\" is recorded by " + current->by +
                                               " (or a role above it)");
    TimePoint due = c.correction_due;
    ZHIDU_TRY_VOID(CancelCorrection(tx, c));
    ZHIDU_TRY_VOID(db::UpdateCase(unit.sql(), c));
    auto clauses = StepClauses(*ladder, *current);
    auto payload = Payload(c, clauses, {},
                           corrected ? "已整改：" + StepTitle(current, c.step)
                                     : "拒不整改：" + StepTitle(current, c.step));
    payload.Add("due", FormatIso8601Utc(due));
    ZHIDU_TRY_VOID(Record(tx, c, corrected ? EventKind::kCorrected : EventKind::kRefused,
                          who.account_id, note, clauses, payload));
    if (!corrected) {
      const policy::DisciplineStep* next = FindStep(*ladder, current->on_refusal);
      if (!next)
        return Fail(Errc::kFailedPrecondition, Reason{"discipline.ladder_gone"},
                    "step " + current->on_refusal + " is no longer in the policy pack");
      ZHIDU_TRY_VOID(MoveTo(tx, *ladder, c, *next, who.account_id, "refused", "", 0));
    }
    return Full(unit.sql(), c);
  });
}

Result<void> Discipline::OnCorrectionDue(store::Tx& tx, const store::Timer& timer) {
  if (!timer.subject.starts_with(kSubjectPrefix)) return Ok();
  Id id = std::atoll(timer.subject.c_str() + kSubjectPrefix.size());
  auto& sql = tx.unit().sql();
  auto found = db::GetCase(sql, id);
  if (!found && found.error().code == Errc::kNotFound) return Ok();
  if (!found) return Fail(found.error());
  Case c = std::move(*found);
  // Invariant 3: only the correction this timer was set for, still outstanding.
  if (c.state != CaseState::kCorrecting || c.correction_timer != timer.id) return Ok();
  auto pack = pack_.Current();
  const policy::DisciplineLadder* ladder = FindLadder(*pack, c.ladder);
  const policy::DisciplineStep* current = ladder ? FindStep(*ladder, c.step) : nullptr;
  TimePoint due = c.correction_due;
  c.correction_timer = 0;  // this timer is firing: nothing to cancel
  c.correction_due = TimePoint{};
  c.state = CaseState::kOpen;
  ZHIDU_TRY_VOID(db::UpdateCase(sql, c));
  std::vector<std::string> clauses =
      current ? StepClauses(*ladder, *current) : std::vector<std::string>{};
  auto payload = Payload(
      c, clauses, current ? std::vector<std::string>{current->by} : std::vector<std::string>{},
      "逾期未整改：" + StepTitle(current, c.step));
  payload.Add("due", FormatIso8601Utc(due));
  ZHIDU_TRY_VOID(Record(tx, c, EventKind::kMissed, 0, "", clauses, payload));
  if (!current) return Ok();  // the pack no longer has the step: the miss is recorded, no move
  const policy::DisciplineStep* next = FindStep(*ladder, current->on_refusal);
  if (!next) return Ok();
  return MoveTo(tx, *ladder, c, *next, 0, "missed", "", 0);
}

Result<Case> Discipline::Compensate(const org::Principal& who, Id case_id, Id violation_id,
                                    std::int64_t amount_fen, const std::string& note) {
  if (violation_id <= 0)
    return Fail(Errc::kInvalidArgument, kRequired, "violation_id is required", "violation_id");
  if (amount_fen <= 0)
    return Fail(Errc::kInvalidArgument, Reason{"discipline.amount_not_positive"},
                "amount_fen must be a positive whole number of fen (分)", "amount_fen");
  ZHIDU_TRY_VOID(Note(note));
  return writer_.Run<Case>([&](store::Tx& tx) -> Result<Case> {
    auto& unit = tx.unit();
    ZHIDU_TRY(Case c, LoadOpen(unit.sql(), case_id, who));
    if (!roles_.Allows(who, runtime::perm::kLedgerRecord, {c.site_id, c.department_id}))
      return Fail(Errc::kPermissionDenied,
                  "recording a compensation needs the ledger.record permission");
    ZHIDU_TRY(auto in_case, db::ViolationsOf(unit.sql(), c.id));
    if (std::find(in_case.begin(), in_case.end(), violation_id) == in_case.end())
      return Fail(Errc::kInvalidArgument, Reason{"discipline.violation_not_in_case"},
                  "violation " + std::to_string(violation_id) + " is not in " + CaseName(c.id),
                  "violation_id");
    ZHIDU_TRY(store::Violation v, unit.GetViolation(violation_id));
    if (v.state == store::ViolationState::kOverturned)
      return Fail(Errc::kFailedPrecondition, Reason{"discipline.violation_overturned"},
                  "violation " + std::to_string(violation_id) + " was overturned on appeal",
                  "violation_id");
    if (!ConsequenceCompensates(v.consequence))
      return Fail(Errc::kFailedPrecondition, Reason{"discipline.no_compensation"},
                  "the penalty of violation " + std::to_string(violation_id) +
                      " asks for no compensation (照价赔偿)",
                  "violation_id");
    Compensation k;
    k.case_id = c.id;
    k.violation_id = violation_id;
    k.amount_fen = amount_fen;
    k.note = note;
    k.recorded_by = who.account_id;
    k.recorded_at = tx.now();
    ZHIDU_TRY(k.id, db::InsertCompensation(unit.sql(), k));
    std::vector<std::string> clauses;
    for (size_t start = 0; start < v.clauses.size();) {
      size_t end = std::min(v.clauses.find('\n', start), v.clauses.size());
      clauses.push_back(v.clauses.substr(start, end - start));
      start = end + 1;
    }
    std::string yuan = std::to_string(amount_fen / 100) + "." + (amount_fen % 100 < 10 ? "0" : "") +
                       std::to_string(amount_fen % 100);
    auto payload = Payload(c, clauses, {}, "赔偿：" + yuan + "元");
    payload.Add("violation_id", violation_id).Add("amount_fen", amount_fen);
    ZHIDU_TRY_VOID(Record(tx, c, EventKind::kCompensation, who.account_id, note, clauses, payload));
    return Full(unit.sql(), c);
  });
}

Result<Case> Discipline::Close(const org::Principal& who, Id case_id, const std::string& note) {
  ZHIDU_TRY_VOID(Note(note));
  auto pack = pack_.Current();
  return writer_.Run<Case>([&](store::Tx& tx) -> Result<Case> {
    auto& unit = tx.unit();
    ZHIDU_TRY(Case c, LoadOpen(unit.sql(), case_id, who));
    if (c.state == CaseState::kCorrecting)
      return Fail(Errc::kFailedPrecondition, Reason{"discipline.correction_outstanding"},
                  CaseName(c.id) + " has a correction order outstanding (due " +
                      FormatIso8601Utc(c.correction_due) + "): record its outcome first");
    const policy::DisciplineLadder* ladder = FindLadder(*pack, c.ladder);
    const policy::DisciplineStep* current = ladder ? FindStep(*ladder, c.step) : nullptr;
    if (!MayTake(who, *pack, c.site_id, c.department_id, c.step))
      return Fail(Errc::kPermissionDenied,
                  "closing the case at \"" + StepTitle(current, c.step) + "\" is for " +
                      (current ? current->by : std::string("discipline.manage")));
    c.state = CaseState::kClosed;
    c.outcome = "resolved";
    c.closed_by = who.account_id;
    c.closed_at = tx.now();
    ZHIDU_TRY_VOID(db::UpdateCase(unit.sql(), c));
    auto clauses = current ? StepClauses(*ladder, *current) : std::vector<std::string>{};
    auto payload = Payload(c, clauses, {}, "纪律处分结案：" + StepTitle(current, c.step));
    payload.Add("outcome", c.outcome);
    ZHIDU_TRY_VOID(Record(tx, c, EventKind::kClosed, who.account_id, note, clauses, payload));
    return Full(unit.sql(), c);
  });
}

Result<Case> Discipline::Get(const org::Principal& who, Id case_id) {
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(Case c, Load(unit->sql(), case_id, &who));
  return Full(unit->sql(), std::move(c));
}

Result<std::vector<Case>> Discipline::List(const org::Principal& who, const CaseFilter& in,
                                           store::PageRequest page) {
  if (in.site_id <= 0)
    return Fail(Errc::kInvalidArgument, kRequired, "site_id is required", "site_id");
  CaseFilter f = in;
  // Without ledger.read at the site one sees one's own cases only.
  if (!roles_.Allows(who, runtime::perm::kLedgerRead, {f.site_id, 0}) &&
      !roles_.Allows(who, kManagePermission, {f.site_id, 0})) {
    if (who.person_id == 0)
      return Fail(Errc::kPermissionDenied,
                  "reading discipline cases needs the ledger.read permission");
    f.person_id = who.person_id;
  }
  ZHIDU_TRY(auto unit, store_.BeginRead());
  return db::ListCases(unit->sql(), f, page);
}

}  // namespace zhidu::people
