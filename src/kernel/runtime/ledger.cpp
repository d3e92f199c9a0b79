#include "kernel/runtime/ledger.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>

#include "base/canonical_json.hpp"
#include "base/time.hpp"
#include "kernel/runtime/runtime_util.hpp"
#include "kernel/runtime/site_parameters.hpp"

namespace zhidu::runtime {

namespace {

const policy::LadderStep* StepFor(const policy::Penalty& p, int n) {
  for (const auto& s : p.ladder)
    if (n >= s.from && (!s.to || n <= *s.to)) return &s;
  return nullptr;
}

const policy::DisciplineStep* FindDisciplineStep(const policy::Pack& pack, std::string_view id) {
  for (const auto& ladder : pack.discipline())
    for (const auto& s : ladder.steps)
      if (s.id == id) return &s;
  return nullptr;
}

}  // namespace

Consequence ComputeConsequence(const policy::Pack& pack, std::string_view code, int occurrence) {
  Consequence c;
  c.code = std::string(code);
  c.occurrence = occurrence;
  const policy::Penalty* p = pack.FindPenalty(code);
  if (!p) return c;
  c.scheduled = true;
  c.title = p->title;
  if (p->look_back) c.look_back = FormatDuration(*p->look_back);
  const policy::LadderStep* s = StepFor(*p, occurrence);
  if (!s) return c;
  c.warning = s->warning;
  if (s->fine_yuan) {
    if (s->fine_yuan->value)
      c.fine_fen = static_cast<std::int64_t>(std::llround(*s->fine_yuan->value * 100));
    else
      c.fine_param = s->fine_yuan->name;
  }
  c.compensation_at_cost = s->compensation_at_cost;
  c.discipline = s->discipline;
  if (const auto* d = FindDisciplineStep(pack, s->discipline)) {
    c.discipline_title = d->title;
    c.discipline_by = d->by;
  }
  c.revoke = s->revoke;
  c.liability = s->liability;
  c.note = s->note;
  return c;
}

std::string ConsequenceJson(const Consequence& c) {
  CanonicalObject o;
  o.Add("code", c.code).Add("scheduled", c.scheduled).Add("occurrence", c.occurrence);
  o.Add("title", c.title).Add("warning", c.warning);
  if (c.fine_fen) o.Add("fine_fen", *c.fine_fen);
  if (!c.fine_param.empty()) o.Add("fine_param", c.fine_param);
  if (c.fine_set_by_site) o.Add("fine_set_by_site", true);
  o.Add("compensation_at_cost", c.compensation_at_cost).Add("liability", c.liability);
  if (!c.discipline.empty()) {
    o.Add("discipline", c.discipline)
        .Add("discipline_title", c.discipline_title)
        .Add("discipline_by", c.discipline_by);
  }
  if (!c.revoke.empty()) o.AddRaw("revoke", JsonStringArray(c.revoke));
  if (!c.note.empty()) o.Add("note", c.note);
  if (!c.look_back.empty()) o.Add("look_back", c.look_back);
  o.Add("summary", DescribeConsequence(c));
  return o.Str();
}

std::string DescribeConsequence(const Consequence& c) {
  std::vector<std::string> parts;
  if (c.warning) parts.push_back("口头警告");
  if (c.fine_fen) {
    std::int64_t yuan = *c.fine_fen / 100, fen = *c.fine_fen % 100;
    parts.push_back("罚款" + std::to_string(yuan) +
                    (fen ? "." + std::string(fen < 10 ? "0" : "") + std::to_string(fen) : "") +
                    "元");
  }
  if (!c.fine_param.empty() && !c.fine_fen)
    parts.push_back("罚款（金额由本单位设定，参数 " + c.fine_param + " 尚未设置）");
  if (c.compensation_at_cost) parts.push_back("照价赔偿");
  if (!c.discipline_title.empty()) parts.push_back(c.discipline_title);
  if (!c.revoke.empty()) parts.push_back("取消" + Join(c.revoke, "、"));
  if (c.liability) parts.push_back("承担相应责任");
  if (!c.note.empty()) parts.push_back(c.note);
  if (!c.scheduled) parts.push_back("记录在案（该条款无处罚标准）");
  std::string head = "第" + std::to_string(c.occurrence) + "次";
  return parts.empty() ? head : head + "：" + Join(parts, "；");
}

namespace {

// How many violations matching `f` satisfy `counts` (read a page at a time).
template <class Pred>
Result<int> CountMatching(store::UnitOfWork& unit, const store::ViolationFilter& f, Pred counts) {
  int n = 0;
  store::PageRequest page{0, 500};
  for (;;) {
    ZHIDU_TRY(auto rows, unit.ListViolations(f, page));
    for (const auto& v : rows) {
      page.after_id = v.id;
      n += counts(v) ? 1 : 0;
    }
    if (static_cast<int>(rows.size()) < page.limit) return n;
  }
}

// Without a code, the n-th occurrence counts the person's earlier code-less violations citing the
// same clauses (in any order), not overturned, that occurred before `before`.
Result<int> CountUncoded(store::UnitOfWork& unit, store::Id person_id,
                         const std::vector<std::string>& clauses, TimePoint before) {
  std::set<std::string> want(clauses.begin(), clauses.end());
  store::ViolationFilter f;
  f.person_id = person_id;
  f.before = before;
  return CountMatching(unit, f, [&](const store::Violation& v) {
    if (!v.code.empty() || v.state == store::ViolationState::kOverturned) return false;
    std::set<std::string> cited;  // stored one clause id a line
    for (size_t start = 0; start < v.clauses.size();) {
      size_t end = std::min(v.clauses.find('\n', start), v.clauses.size());
      cited.insert(v.clauses.substr(start, end - start));
      start = end + 1;
    }
    return cited == want;
  });
}

// An outside party's earlier violations of `code` in [from, before), not overturned: the party is
// known only by its name, so its ladder counts the violations recorded under the same name.
Result<int> CountParty(store::UnitOfWork& unit, store::Id site_id, const std::string& party,
                       const std::string& code, TimePoint from, TimePoint before) {
  store::ViolationFilter f;
  f.site_id = site_id;
  f.party = party;
  f.code = code;
  f.from = from;
  f.before = before;
  return CountMatching(unit, f, [](const store::Violation& v) {
    return v.state != store::ViolationState::kOverturned;
  });
}

// The consequence of a violation of `code` (or, without one, citing `clauses`) by `person_id`
// (0: nobody, the first occurrence) or an outside `party` that occurred at `occurred_at`: the
// occurrence counts their earlier ones in the penalty's look-back window (invariant 1), the amount
// a site parameter when the rule leaves it open (invariant 2).
Result<Consequence> ConsequenceOf(store::UnitOfWork& unit, const policy::Pack& pack,
                                  const store::Site& site, store::Id person_id,
                                  const std::string& party, const std::string& code,
                                  const std::vector<std::string>& clauses, TimePoint occurred_at) {
  const policy::Penalty* penalty = code.empty() ? nullptr : pack.FindPenalty(code);
  // The penalty's look-back window, shared by a person's and a party's count.
  TimePoint from = TimePoint::min();
  if ((person_id || !party.empty()) && penalty && penalty->look_back) {
    ZHIDU_TRY(TimeZone zone, TimeZone::Find(site.time_zone));
    from = SubtractDuration(occurred_at, *penalty->look_back, zone);
  }
  const TimePoint before = occurred_at + Micros(1);
  int previous = 0;
  if (!party.empty() && !code.empty()) {
    ZHIDU_TRY(previous, CountParty(unit, site.id, party, code, from, before));
  } else if (person_id && !code.empty()) {
    ZHIDU_TRY(std::int64_t n, unit.CountViolations(person_id, code, from, before));
    previous = static_cast<int>(n);
  } else if (person_id) {
    ZHIDU_TRY(previous, CountUncoded(unit, person_id, clauses, before));
  }
  Consequence c = ComputeConsequence(pack, code, previous + 1);
  if (!c.fine_param.empty()) {  // the amount the site has set for the figure the rule leaves open
    ZHIDU_TRY(auto amount, SiteParameters::Lookup(unit, site.id, c.fine_param));
    if (amount) {
      c.fine_fen = static_cast<std::int64_t>(std::llround(std::stod(*amount) * 100));
      c.fine_set_by_site = true;
    }
  }
  return c;
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> out;
  for (size_t start = 0; start < text.size();) {
    size_t end = std::min(text.find('\n', start), text.size());
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace

Ledger::Ledger(store::Store& store, store::Writer& writer, const policy::ActivePack& pack,
               const org::RoleCatalogue& roles)
    : store_(store), writer_(writer), pack_(pack), roles_(roles) {}

Result<store::Violation> Ledger::Raise(store::Tx& tx, const policy::Pack& pack, NewViolation in,
                                       store::Id actor, std::string_view source) {
  auto& unit = tx.unit();
  // A violation cites a code, clauses, or both (docs/runtime.md); an empty code is no code.
  if (in.code.empty() && in.clauses.empty())
    return Fail(Errc::kInvalidArgument, Reason{"violation.code_or_clause"},
                "name the penalty or conduct code broken (code) or cite the clauses broken "
                "(clauses, e.g. [\"R18 §四2\"])",
                "code");
  ZHIDU_TRY(store::Site site, unit.GetSite(in.site_id));
  const policy::Penalty* penalty = in.code.empty() ? nullptr : pack.FindPenalty(in.code);
  std::vector<std::string> clauses = in.clauses;
  if (clauses.empty() && penalty) clauses = penalty->clauses;
  if (clauses.empty()) {
    for (const auto& rule : pack.conduct())
      if (rule.code == in.code) clauses = rule.clauses;
  }
  if (clauses.empty())
    return Fail(Errc::kInvalidArgument, Reason{"violation.unknown_code"},
                "violation code \"" + in.code +
                    "\" is neither a penalty nor a conduct code of the pack; cite a clause",
                "code");
  for (auto& c : clauses) {
    c = policy::NormalizeClauseId(c);
    if (!pack.clauses().Find(c))
      return Fail(Errc::kInvalidArgument, Reason{"violation.unknown_clause"},
                  "clause \"" + c + "\" is not in the policy pack", "clauses");
  }

  if (!in.party.empty() && in.person_id)
    return Fail(Errc::kInvalidArgument, Reason{"violation.person_or_party"},
                "a violation is charged to a person of the company (person_id) or to an outside "
                "party (party), not both",
                "party");
  store::Violation v;
  v.site_id = in.site_id;
  v.person_id = in.person_id;
  v.party = in.party;
  v.post_id = in.post_id;
  if (in.person_id) {
    ZHIDU_TRY(store::Person person, unit.GetPerson(in.person_id));
    if (person.site_id != in.site_id)
      return Fail(Errc::kInvalidArgument, kInvalid,
                  "person " + std::to_string(in.person_id) + " does not belong to site " +
                      std::to_string(in.site_id),
                  "person_id");
    v.department_id = person.department_id;
  }
  v.code = in.code;
  v.clauses = Join(clauses, "\n");
  v.source = std::string(source);
  v.subject = in.subject;
  v.occurred_at = in.occurred_at;
  v.recorded_by = actor;
  v.note = in.note;

  ZHIDU_TRY(Consequence c, ConsequenceOf(unit, pack, site, in.person_id, in.party, in.code, clauses,
                                         in.occurred_at));
  v.occurrence = c.occurrence;
  v.consequence = ConsequenceJson(c);
  v.fine_fen = c.fine_fen.value_or(0);
  v.state = store::ViolationState::kRecorded;
  v.created_at = tx.now();
  ZHIDU_TRY(v.id, unit.InsertViolation(v));
  CanonicalObject payload;
  payload.Add("id", v.id)
      .Add("site_id", v.site_id)
      .Add("person_id", v.person_id)
      .Add("post_id", v.post_id)
      .Add("code", v.code)
      .AddRaw("clauses", JsonStringArray(clauses))
      .Add("source", v.source)
      .Add("subject", v.subject)
      .Add("occurred_at", FormatIso8601Utc(v.occurred_at))
      .Add("occurrence", v.occurrence)
      .AddRaw("consequence", v.consequence)
      .Add("title", "违规：" +
                        (!c.title.empty()  ? c.title
                         : !v.code.empty() ? v.code
                                           : Join(clauses, "、")) +
                        "（" + DescribeConsequence(c) + "）");
  if (!in.notify_roles.empty()) payload.AddRaw("notify_roles", JsonStringArray(in.notify_roles));
  if (!v.note.empty()) payload.Add("note", v.note);
  if (!v.party.empty()) payload.Add("party", v.party);
  ZHIDU_TRY(auto seq, tx.Journal("violation.recorded", actor, "violation/" + std::to_string(v.id),
                                 payload.Str()));
  (void)seq;
  return v;
}

Result<store::Violation> Ledger::Record(const org::Principal& who, NewViolation v) {
  if (!roles_.Allows(who, perm::kLedgerRecord, {v.site_id, 0}))
    return Fail(Errc::kPermissionDenied,
                "recording a violation needs the ledger.record permission");
  if (v.occurred_at == TimePoint{})
    return Fail(Errc::kInvalidArgument, kRequired, "occurred_at is required", "occurred_at");
  auto pack = pack_.Current();
  return writer_.Run<store::Violation>([&](store::Tx& tx) -> Result<store::Violation> {
    if (v.occurred_at > tx.now() + std::chrono::minutes(5))
      return Fail(Errc::kInvalidArgument, Reason{"violation.in_future"},
                  "occurred_at is in the future", "occurred_at");
    return Raise(tx, *pack, v, who.account_id, "inspector");
  });
}

Result<store::Violation> Ledger::Assign(const org::Principal& who, store::Id id,
                                        store::Id person_id, std::string note) {
  if (person_id <= 0)
    return Fail(Errc::kInvalidArgument, kRequired, "person_id is required", "person_id");
  if (note.size() > 4000)
    return Fail(Errc::kInvalidArgument, Reason{"too_long"}, "note is longer than 4000 bytes",
                "note");
  auto pack = pack_.Current();
  return writer_.Run<store::Violation>([&](store::Tx& tx) -> Result<store::Violation> {
    auto& unit = tx.unit();
    ZHIDU_TRY(store::Violation v, unit.GetViolation(id));
    if (!roles_.Allows(who, perm::kLedgerRecord, {v.site_id, 0}))
      return Fail(Errc::kPermissionDenied,
                  "assigning a violation to a person needs the ledger.record permission");
    if (v.person_id != 0)
      return Fail(Errc::kFailedPrecondition, Reason{"violation.already_assigned"},
                  "violation " + std::to_string(id) + " is recorded against person " +
                      std::to_string(v.person_id) +
                      " already; only a violation against nobody is assigned");
    if (!v.party.empty())
      return Fail(Errc::kFailedPrecondition, Reason{"violation.party_charged"},
                  "violation " + std::to_string(id) + " is charged to the outside party " +
                      v.party + "; it is not assigned to a person");
    auto person = unit.GetPerson(person_id);
    if (!person && person.error().code == Errc::kNotFound)
      return Fail(Errc::kInvalidArgument, kInvalid,
                  "there is no person " + std::to_string(person_id), "person_id");
    if (!person) return Fail(person.error());
    if (person->site_id != v.site_id)
      return Fail(Errc::kInvalidArgument, kInvalid,
                  "person " + std::to_string(person_id) + " does not belong to site " +
                      std::to_string(v.site_id),
                  "person_id");
    ZHIDU_TRY(store::Site site, unit.GetSite(v.site_id));
    std::vector<std::string> clauses = SplitLines(v.clauses);
    ZHIDU_TRY(Consequence c,
              ConsequenceOf(unit, *pack, site, person_id, "", v.code, clauses, v.occurred_at));
    std::string previous = v.consequence;
    v.person_id = person_id;
    v.department_id = person->department_id;
    v.occurrence = c.occurrence;
    v.consequence = ConsequenceJson(c);
    v.fine_fen = c.fine_fen.value_or(0);
    ZHIDU_TRY(auto changed,
              unit.sql().Exec("assign violation",
                              "UPDATE violations SET person_id=?, department_id=?, occurrence=?, "
                              "consequence=?, fine_fen=? WHERE id=? AND person_id=0",
                              {v.person_id, v.department_id, std::int64_t{v.occurrence},
                               v.consequence, v.fine_fen, v.id}));
    if (changed != 1)
      return Fail(Errc::kConflict, Reason{"violation.already_assigned"},
                  "violation " + std::to_string(id) + " was assigned meanwhile");
    CanonicalObject payload;
    payload.Add("id", v.id)
        .Add("site_id", v.site_id)
        .Add("person_id", v.person_id)
        .Add("code", v.code)
        .AddRaw("clauses", JsonStringArray(clauses))
        .Add("occurrence", v.occurrence)
        .AddRaw("previous_consequence", previous)
        .AddRaw("consequence", v.consequence)
        .Add("title", "违规已指定当事人（" + DescribeConsequence(c) + "）");
    if (!note.empty()) payload.Add("note", note);
    ZHIDU_TRY(auto seq, tx.Journal("violation.assigned", who.account_id,
                                   "violation/" + std::to_string(v.id), payload.Str()));
    (void)seq;
    return v;
  });
}

Result<store::Violation> Ledger::Appeal(const org::Principal& who, store::Id id, std::string text) {
  if (text.empty() || text.size() > 4000)
    return Fail(Errc::kInvalidArgument, kRequired, "an appeal needs a reason of 1 … 4000 bytes",
                "appeal");
  return writer_.Run<store::Violation>([&](store::Tx& tx) -> Result<store::Violation> {
    ZHIDU_TRY(store::Violation v, tx.unit().GetViolation(id));
    if (v.person_id == 0 || v.person_id != who.person_id)
      return Fail(Errc::kPermissionDenied, Reason{"violation.not_yours"},
                  "only the person a violation is recorded against may "
                  "appeal it");
    if (v.state != store::ViolationState::kRecorded)
      return Fail(Errc::kFailedPrecondition, Reason{"violation.not_appealable"},
                  "violation " + std::to_string(id) + " is " +
                      std::string(store::ViolationStateName(v.state)) +
                      "; only a recorded violation can be appealed, once");
    v.state = store::ViolationState::kAppealed;
    v.appeal = std::move(text);
    v.appealed_at = tx.now();
    ZHIDU_TRY_VOID(tx.unit().UpdateViolation(v));
    ZHIDU_TRY(
        auto seq,
        tx.Journal("violation.appealed", who.account_id, "violation/" + std::to_string(v.id),
                   CanonicalObject()
                       .Add("id", v.id)
                       .Add("site_id", v.site_id)
                       .Add("person_id", v.person_id)
                       .Add("appeal", v.appeal)
                       // whoever the pack lets decide appeals (ledger.decide)
                       .AddRaw("notify_roles", JsonStringArray(pack_.Current()->RolesWithPermission(
                                                   perm::kLedgerDecide)))
                       .Add("title", "违规申诉待处理")
                       .Str()));
    (void)seq;
    return v;
  });
}

Result<store::Violation> Ledger::Decide(const org::Principal& who, store::Id id, bool uphold,
                                        std::string note) {
  if (note.size() > 4000)
    return Fail(Errc::kInvalidArgument, Reason{"too_long"},
                "the decision note is longer than 4000 bytes", "note");
  return writer_.Run<store::Violation>([&](store::Tx& tx) -> Result<store::Violation> {
    ZHIDU_TRY(store::Violation v, tx.unit().GetViolation(id));
    if (!roles_.Allows(who, perm::kLedgerDecide, {v.site_id, v.department_id}))
      return Fail(Errc::kPermissionDenied, "deciding an appeal needs the ledger.decide permission");
    if (v.person_id == who.person_id && who.person_id != 0)
      return Fail(Errc::kPermissionDenied, Reason{"violation.own_appeal"},
                  "nobody decides the appeal of their own violation");
    if (v.state != store::ViolationState::kAppealed)
      return Fail(Errc::kFailedPrecondition, Reason{"violation.not_appealed"},
                  "violation " + std::to_string(id) + " is " +
                      std::string(store::ViolationStateName(v.state)) +
                      "; only an appealed violation can be decided");
    v.state = uphold ? store::ViolationState::kUpheld : store::ViolationState::kOverturned;
    v.decided_by = who.account_id;
    v.decided_at = tx.now();
    v.decision_note = std::move(note);
    ZHIDU_TRY_VOID(tx.unit().UpdateViolation(v));
    ZHIDU_TRY(auto seq,
              tx.Journal("violation.decided", who.account_id, "violation/" + std::to_string(v.id),
                         CanonicalObject()
                             .Add("id", v.id)
                             .Add("site_id", v.site_id)
                             .Add("person_id", v.person_id)
                             .Add("decision", uphold ? "upheld" : "overturned")
                             .Add("note", v.decision_note)
                             .Add("title", uphold ? "申诉已驳回，维持处理" : "申诉成立，撤销违规")
                             .Str()));
    (void)seq;
    return v;
  });
}

Result<store::Violation> Ledger::Withdraw(store::Tx& tx, store::Id id, store::Id actor,
                                          std::string note, const std::vector<std::string>& clauses,
                                          store::Id request_id) {
  ZHIDU_TRY(store::Violation v, tx.unit().GetViolation(id));
  if (v.state == store::ViolationState::kOverturned) return v;
  v.state = store::ViolationState::kOverturned;
  v.decided_by = actor;
  v.decided_at = tx.now();
  v.decision_note = std::move(note);
  ZHIDU_TRY_VOID(tx.unit().UpdateViolation(v));
  ZHIDU_TRY(auto seq, tx.Journal("violation.withdrawn", actor, "violation/" + std::to_string(v.id),
                                 CanonicalObject()
                                     .Add("id", v.id)
                                     .Add("site_id", v.site_id)
                                     .Add("person_id", v.person_id)
                                     .Add("request_id", request_id)
                                     .AddRaw("clauses", JsonStringArray(clauses))
                                     .Add("note", v.decision_note)
                                     .Add("title", "违规已撤销：" + v.decision_note)
                                     .Str()));
  (void)seq;
  return v;
}

bool Ledger::MayRead(const org::Principal& who, const store::Violation& v) const {
  if (v.person_id != 0 && v.person_id == who.person_id) return true;
  return roles_.Allows(who, perm::kLedgerRead, {v.site_id, v.department_id});
}

Result<store::Violation> Ledger::Get(const org::Principal& who, store::Id id) {
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(store::Violation v, unit->GetViolation(id));
  if (!MayRead(who, v))
    return Fail(Errc::kPermissionDenied, "violation " + std::to_string(id) +
                                             " is neither yours nor in a scope you may read");
  return v;
}

Result<std::vector<store::Violation>> Ledger::List(const org::Principal& who,
                                                   store::ViolationFilter filter,
                                                   store::PageRequest page) {
  // Without ledger.read in the asked scope one sees only one's own record.
  if (!roles_.Allows(who, perm::kLedgerRead, {filter.site_id, filter.department_id})) {
    if (who.person_id == 0)
      return Fail(Errc::kPermissionDenied, "reading the ledger needs the ledger.read permission");
    filter.person_id = who.person_id;
  }
  ZHIDU_TRY(auto unit, store_.BeginRead());
  return unit->ListViolations(filter, page);
}

Result<Statement> Ledger::MonthlyStatement(const org::Principal& who, store::Id site_id,
                                           std::string_view month, store::Id person_id,
                                           store::Id department_id) {
  if ((person_id == 0) == (department_id == 0))
    return Fail(Errc::kInvalidArgument, kInvalid,
                "give exactly one of person_id and department_id");
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(store::Site site, unit->GetSite(site_id));
  ZHIDU_TRY(TimeZone zone, TimeZone::Find(site.time_zone));
  ZHIDU_TRY(auto range, LocalMonthRange(month, zone));
  bool own = person_id != 0 && person_id == who.person_id;
  if (!own && !roles_.Allows(who, perm::kLedgerRead, {site_id, department_id}))
    return Fail(Errc::kPermissionDenied, "statements of others need the ledger.read permission");
  Statement st;
  st.site_id = site_id;
  st.person_id = person_id;
  st.department_id = department_id;
  st.month = std::string(month);
  store::ViolationFilter f;
  f.site_id = site_id;
  f.person_id = person_id;
  f.department_id = department_id;
  f.from = range.first;
  f.before = range.second;
  store::PageRequest page{0, 500};
  for (;;) {
    ZHIDU_TRY(auto rows, unit->ListViolations(f, page));
    for (auto& v : rows) {
      if (v.state != store::ViolationState::kOverturned) {
        ++st.counted;
        st.fine_fen += v.fine_fen;
        if (v.consequence.find("\"warning\":true") != std::string::npos) ++st.warnings;
        if (v.consequence.find("\"fine_param\":") != std::string::npos && v.fine_fen == 0)
          ++st.unpriced;
      }
      page.after_id = v.id;
      st.violations.push_back(std::move(v));
    }
    if (static_cast<int>(rows.size()) < page.limit) break;
  }
  return st;
}

}  // namespace zhidu::runtime
