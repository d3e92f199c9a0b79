#include "kernel/runtime/procedures.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "base/canonical_json.hpp"
#include "base/time.hpp"
#include "kernel/runtime/ledger.hpp"
#include "kernel/runtime/requests.hpp"
#include "kernel/runtime/runtime_util.hpp"
#include "kernel/runtime/site_parameters.hpp"
#include "kernel/scheduler/business_time.hpp"
#include "kernel/scheduler/subject.hpp"

namespace zhidu::runtime {

namespace {

using namespace std::chrono;
using store::Id;

std::string Strings(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + JsonQuote(v[i]);
  return out + "]";
}

std::string Listed(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

const policy::ProcState* FindState(const policy::Procedure& p, std::string_view id) {
  for (const auto& s : p.states)
    if (s.id == id) return &s;
  return nullptr;
}

const policy::ServiceLevel* FindLevel(const policy::Pack& pack, std::string_view id) {
  for (const auto& s : pack.service_levels())
    if (s.id == id) return &s;
  return nullptr;
}

// The clauses a refusal about `tr` cites: its own, else its source state's, else the procedure's.
std::vector<std::string> CiteOf(const policy::Procedure& p, const policy::Transition* tr,
                                const policy::ProcState* st) {
  if (tr && !tr->clauses.empty()) return tr->clauses;
  if (st && !st->clauses.empty()) return st->clauses;
  return p.clauses;
}

// The subject of a state's timer: procedure/<instance>/<state>/<index>.
std::string TimerSubject(Id instance, std::string_view state, size_t index) {
  return scheduler::TimerSubject{"procedure", instance, {std::string(state), std::to_string(index)}}
      .Str();
}

std::string DeadlineSubject(Id id) { return scheduler::TimerSubject{"deadline", id, {}}.Str(); }

// Cancels the pending timers of kind `kind` and subject `subject`.
Result<void> CancelTimers(store::Tx& tx, std::string_view kind, const std::string& subject) {
  store::TimerFilter f;
  f.kind = std::string(kind);
  f.subject = subject;
  f.state = store::TimerState::kPending;
  ZHIDU_TRY(auto rows, tx.unit().ListTimers(f, {0, 100}));
  for (const auto& t : rows) ZHIDU_TRY_VOID(tx.unit().CancelTimer(t.id, tx.now()));
  return Ok();
}

std::optional<std::string> DataString(const policy::Context& data, std::string_view key) {
  auto it = data.find(key);
  if (it == data.end()) return std::nullopt;
  if (auto s = std::get_if<std::string>(&it->second)) return *s;
  return std::nullopt;
}

// The string fields of a deadline's stored data (InputsJson of its starting event's data), which
// its targets matched on; other values are left out (targets match strings).
policy::Context DataStrings(const std::string& json) {
  policy::Context out;
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (!j.is_object()) return out;
  for (auto it = j.begin(); it != j.end(); ++it)
    if (it->is_string()) out[it.key()] = it->get<std::string>();
  return out;
}

// What a declared input the caller (or the event) does not state reads as in a guard.
policy::Value DefaultOf(policy::ValueType type) {
  switch (type) {
    case policy::ValueType::kBool:
      return false;
    case policy::ValueType::kNumber:
      return 0.0;
    case policy::ValueType::kString:
      return std::string();
    case policy::ValueType::kStringList:
      return std::vector<std::string>{};
  }
  return false;
}

// Whether `e` starts `p`: its trigger, and its place when the procedure has one (data.place).
bool Triggers(const policy::Procedure& p, const SiteEvent& e) {
  if (p.trigger != e.event) return false;
  return p.place.empty() || DataString(e.data, "place") == p.place;
}

Id DataPerson(const policy::Context& data) {
  auto it = data.find("person_id");
  if (it == data.end()) return 0;
  if (auto d = std::get_if<double>(&it->second)) return static_cast<Id>(*d);
  return 0;
}

// Appends one canonical JSON object to a JSON array text ("[]" -> "[{…}]").
std::string AppendNote(const std::string& notes, const std::string& object) {
  if (notes.size() <= 2) return "[" + object + "]";
  return notes.substr(0, notes.size() - 1) + "," + object + "]";
}

Result<TimeZone> SiteZone(store::UnitOfWork& unit, Id site_id) {
  auto site = unit.GetSite(site_id);
  if (!site && site.error().code == Errc::kNotFound)
    return Fail(Errc::kInvalidArgument, kInvalid, "there is no site " + std::to_string(site_id),
                "site_id");
  if (!site) return Fail(site.error());
  return TimeZone::Find(site->time_zone.empty() ? std::string(kDefaultTimeZone) : site->time_zone);
}

// `from` + `d` on the site's clock and, for working days, the pack's calendar.
Result<TimePoint> AddDuration(const policy::Pack& pack, const TimeZone& zone, TimePoint from,
                              const policy::Duration& d) {
  if (d.working_days > 0) {
    ZHIDU_TRY(TimePoint t, scheduler::AddWorkingDays(pack.calendar(), zone, from, d.working_days));
    return t + duration_cast<Micros>(d.fixed);
  }
  return AddFixedDuration(from, d, zone);
}

// The rows of sites `may` lets the caller see.
template <typename T, typename May>
std::vector<T> Visible(std::vector<T> rows, May may) {
  std::vector<T> out;
  for (auto& r : rows)
    if (may(r.site_id)) out.push_back(std::move(r));
  return out;
}

}  // namespace

// Everything that runs inside one write transaction.
struct Procedures::Impl {
  Procedures& self;
  store::Tx& tx;
  const policy::Pack& pack;
  Id actor;
  std::vector<TimePoint> wakes;

  Result<std::int64_t> Journal(const std::string& kind, const std::string& subject,
                               const CanonicalObject& payload) {
    return tx.Journal(kind, actor, subject, payload.Str());
  }

  // ---- procedures

  Result<Id> StartInstance(const policy::Procedure& p, const SiteEvent& e) {
    store::ProcedureInstance in;
    in.site_id = e.site_id;
    in.procedure = p.id;
    in.state = p.initial;
    in.subject = e.subject;
    in.ref = e.ref;
    in.data = InputsJson(e.data);
    in.person_id = DataPerson(e.data);
    in.started_by = actor;
    in.started_at = in.updated_at = tx.now();
    ZHIDU_TRY(in.id, tx.unit().InsertProcedureInstance(in));
    store::ProcedureTransition t{0,     in.id, "", p.initial, e.event.empty() ? "start" : e.event,
                                 actor, 0,     "", "{}",      tx.now()};
    ZHIDU_TRY(auto tid, tx.unit().InsertProcedureTransition(t));
    (void)tid;
    ZHIDU_TRY(auto seq, Journal("procedure.started", "procedure/" + std::to_string(in.id),
                                CanonicalObject()
                                    .Add("id", in.id)
                                    .Add("site_id", in.site_id)
                                    .Add("procedure", p.id)
                                    .Add("title", p.title)
                                    .Add("state", in.state)
                                    .Add("subject", in.subject)
                                    .Add("ref", in.ref)
                                    .Add("event", t.event)
                                    .AddRaw("clauses", Strings(p.clauses))));
    (void)seq;
    ZHIDU_TRY_VOID(Enter(p, in));
    return in.id;
  }

  // `repair:<role>` (any registered action word): the record the action opens for what brought
  // the instance here, assigned to <role>, citing the state's clauses, caused by the account that
  // moved it (the system when a timer did); kernel/runtime/actions.hpp.
  Result<Id> RunAction(const std::string& word, const policy::Procedure& p,
                       const policy::ProcState& st, const store::ProcedureInstance& in,
                       const std::string& role) {
    ActionRequest r;
    r.site_id = in.site_id;
    r.what = in.subject.empty() ? p.title : in.subject;
    r.description = p.title + "：" + st.title + (in.ref.empty() ? "" : "（" + in.ref + "）");
    r.source_kind = "procedure";
    r.source_id = in.id;
    r.source_item = st.id;
    r.clauses = CiteOf(p, nullptr, &st);
    r.assign_to = role;
    r.actor = actor;
    if (actor) {
      auto account = tx.unit().GetAccount(actor);
      if (!account) return Fail(account.error());
      r.person = account->person_id;
    }
    return self.actions_.Run(tx, word, r);
  }

  // Runs what entering `in.state` brings: tasks, actions, timers, the staffing check. Writes the
  // instance's notes and closed_at.
  Result<void> Enter(const policy::Procedure& p, store::ProcedureInstance& in) {
    const policy::ProcState* st = FindState(p, in.state);
    if (!st) return Ok();
    auto& unit = tx.unit();
    std::string before_notes = in.notes;
    std::string subject = "procedure/" + std::to_string(in.id);
    // A state entered again (R06's 跟进直至客户满意 goes back to routed) gets its tasks and steps
    // again, in the slots after its earlier visits' (the store keeps one row per instance, state,
    // task and slot).
    std::vector<store::ProcedureTask> earlier;
    if (!st->assignments.empty() || !st->actions.empty()) {
      ZHIDU_TRY(earlier, unit.ListProcedureTasks(in.id));
    }
    auto first_free = [&](std::string_view kind, const std::string& name) {
      int next = 0;
      for (const auto& t : earlier)
        if (t.state == st->id && t.kind == kind && t.task == name)
          next = std::max(next, t.slot + 1);
      return next;
    };
    for (const auto& a : st->assignments) {
      const int base = first_free("assignment", a.task);
      for (int slot = 0; slot < std::max(1, a.count); ++slot) {
        store::ProcedureTask task;
        task.instance_id = in.id;
        task.state = st->id;
        task.kind = "assignment";
        task.task = a.task;
        task.role = a.role;
        task.slot = base + slot;
        ZHIDU_TRY(auto id, unit.InsertProcedureTask(task));
        (void)id;
      }
    }
    ZHIDU_TRY_VOID(CheckStaffing(p, *st, in));
    for (size_t i = 0; i < st->actions.size(); ++i) {
      const std::string& action = st->actions[i];
      store::ProcedureTask task;
      task.instance_id = in.id;
      task.state = st->id;
      task.kind = "action";
      task.task = action;
      task.slot = std::max(static_cast<int>(i), first_free("action", action));
      auto colon = action.find(':');
      std::string verb = action.substr(0, colon);
      std::string arg = colon == std::string::npos ? "" : action.substr(colon + 1);
      if (verb == "notify" && !arg.empty()) {
        // A role's holders at the site, or the person the event is about (policy::kEventPerson).
        const bool to_person = arg == policy::kEventPerson;
        task.done_at = tx.now();
        task.note = !to_person          ? "通知" + arg
                    : in.person_id != 0 ? std::string("通知当事人")
                                        : std::string("未通知当事人：事件未给出 person_id");
        CanonicalObject payload;
        payload.Add("id", in.id)
            .Add("site_id", in.site_id)
            .Add("procedure", p.id)
            .Add("state", st->id)
            .Add("title", p.title + "：" + st->title)
            .Add("subject", in.subject)
            .AddRaw("notify_roles",
                    Strings(to_person ? std::vector<std::string>{} : std::vector<std::string>{arg}))
            .AddRaw("clauses", Strings(CiteOf(p, nullptr, st)));
        if (to_person && in.person_id) payload.Add("person_id", in.person_id);
        if (!to_person || in.person_id) {
          ZHIDU_TRY(auto seq, Journal("procedure.notified", subject, std::move(payload)));
          (void)seq;
        }
      } else if (verb == "repair" && !arg.empty()) {
        ZHIDU_TRY(Id repair, RunAction(verb, p, *st, in, arg));
        task.done_at = tx.now();
        task.note = "报修单 " + std::to_string(repair);
      } else if (verb == "violation" && !arg.empty()) {
        NewViolation v;
        v.site_id = in.site_id;
        v.person_id = in.person_id;
        v.code = arg;
        v.subject = subject;
        v.occurred_at = tx.now();
        v.note = in.person_id ? p.title + "：" + st->title
                              : "未指明责任人（事件未给出 person_id）：" + p.title;
        ZHIDU_TRY(auto r, Ledger::Raise(tx, pack, v, 0));
        task.done_at = tx.now();
        task.note = "违规记录 " + std::to_string(r.id);
      }
      ZHIDU_TRY(auto id, unit.InsertProcedureTask(task));
      (void)id;
    }
    for (size_t i = 0; i < st->timers.size(); ++i) {
      const auto& tm = st->timers[i];
      std::optional<policy::Duration> after = tm.after;
      std::string reason;
      if (!after && !tm.after_param.empty()) {
        ZHIDU_TRY(auto value, SiteParameters::Lookup(unit, in.site_id, tm.after_param));
        if (!value) {
          reason = "本单位参数 " + tm.after_param +
                   " 未设置：计时器未启动（制度未给出时限，不自行假定）";
        } else if (auto d = policy::ParseDuration(*value); d) {
          after = *d;
        } else {
          reason =
              "本单位参数 " + tm.after_param + " 的值 \"" + *value + "\" 不是时长：计时器未启动";
        }
      }
      if (!after) {
        auto note = CanonicalObject()
                        .Add("kind", "timer_not_armed")
                        .Add("state", st->id)
                        .Add("event", tm.event)
                        .Add("param", tm.after_param)
                        .Add("reason", reason)
                        .Add("at", FormatIso8601Utc(tx.now()))
                        .Str();
        in.notes = AppendNote(in.notes, note);
        ZHIDU_TRY(auto seq, Journal("procedure.timer_not_armed", subject,
                                    CanonicalObject()
                                        .Add("id", in.id)
                                        .Add("site_id", in.site_id)
                                        .Add("procedure", p.id)
                                        .Add("state", st->id)
                                        .Add("event", tm.event)
                                        .Add("param", tm.after_param)
                                        .Add("reason", reason)
                                        .AddRaw("clauses", Strings(CiteOf(p, nullptr, st)))));
        (void)seq;
        continue;
      }
      ZHIDU_TRY(TimeZone zone, SiteZone(unit, in.site_id));
      ZHIDU_TRY(TimePoint due, AddDuration(pack, zone, tx.now(), *after));
      store::Timer t;
      t.site_id = in.site_id;
      t.kind = std::string(kProcedureTimer);
      t.subject = TimerSubject(in.id, st->id, i);
      t.payload = CanonicalObject().Add("event", tm.event).Add("state", st->id).Str();
      t.due_at = due;
      ZHIDU_TRY(auto id, scheduler::Scheduler::Schedule(tx, t));
      (void)id;
      wakes.push_back(due);
    }
    if (st->terminal) in.closed_at = tx.now();
    if (in.notes != before_notes || st->terminal) {
      ZHIDU_TRY_VOID(unit.UpdateProcedureInstance(in, in.state));
    }
    return Ok();
  }

  // Flags a state entered with fewer people on the post than its assignments need (R20 §四2).
  // Roles that no pack post lists are not checked (they are not on a post: 保安员 on the floor).
  Result<void> CheckStaffing(const policy::Procedure& p, const policy::ProcState& st,
                             store::ProcedureInstance& in) {
    std::map<std::string, int> needed;
    for (const auto& a : st.assignments) needed[a.role] += std::max(1, a.count);
    auto& unit = tx.unit();
    ZHIDU_TRY(auto posts, unit.ListPosts(in.site_id, {0, 1000}));
    for (const auto& [role, count] : needed) {
      std::set<Id> people;
      bool checked = false;
      for (const auto& pp : pack.posts()) {
        if (std::find(pp.roles.begin(), pp.roles.end(), role) == pp.roles.end()) continue;
        for (const auto& post : posts) {
          if (post.name != pp.id) continue;
          checked = true;
          ZHIDU_TRY(auto on, unit.ListAttendanceAt(post.id, 0, tx.now()));
          for (const auto& a : on) people.insert(a.person_id);
        }
      }
      if (!checked || static_cast<int>(people.size()) >= count) continue;
      auto clauses = CiteOf(p, nullptr, &st);
      std::string message = st.title + "：需要 " + std::to_string(count) + " 名" + role +
                            "，在岗 " + std::to_string(people.size()) + " 名";
      in.notes = AppendNote(in.notes, CanonicalObject()
                                          .Add("kind", "understaffed")
                                          .Add("state", st.id)
                                          .Add("role", role)
                                          .Add("needed", count)
                                          .Add("on_post", static_cast<int>(people.size()))
                                          .Add("message", message)
                                          .AddRaw("clauses", Strings(clauses))
                                          .Str());
      ZHIDU_TRY(auto seq, Journal("procedure.understaffed", "procedure/" + std::to_string(in.id),
                                  CanonicalObject()
                                      .Add("id", in.id)
                                      .Add("site_id", in.site_id)
                                      .Add("procedure", p.id)
                                      .Add("state", st.id)
                                      .Add("role", role)
                                      .Add("needed", count)
                                      .Add("on_post", static_cast<int>(people.size()))
                                      .Add("message", message)
                                      .AddRaw("clauses", Strings(clauses))
                                      .AddRaw("notify_roles", Strings({role}))));
      (void)seq;
    }
    return Ok();
  }

  // Moves `in` along `tr` (already authorised and guarded). The transition is an event of the
  // site carrying `data` (a `before` deadline it starts counts back from data.at); `raised`: it
  // is moved by a site event that Raise already stopped and started deadlines for, so they are not
  // started twice.
  Result<void> Move(const policy::Procedure& p, store::ProcedureInstance& in,
                    const policy::Transition& tr, Id person, const std::string& note,
                    const std::string& inputs_json, const policy::Context& data = {},
                    bool raised = false) {
    const policy::ProcState* from = FindState(p, in.state);
    std::string from_id = in.state;
    if (from) {
      for (size_t i = 0; i < from->timers.size(); ++i)
        ZHIDU_TRY_VOID(CancelTimers(tx, kProcedureTimer, TimerSubject(in.id, from_id, i)));
    }
    in.state = tr.to;
    in.updated_at = tx.now();
    ZHIDU_TRY_VOID(tx.unit().UpdateProcedureInstance(in, from_id));
    store::ProcedureTransition t{0,     in.id,  from_id, tr.to,       tr.on,
                                 actor, person, note,    inputs_json, tx.now()};
    ZHIDU_TRY(auto tid, tx.unit().InsertProcedureTransition(t));
    (void)tid;
    const policy::ProcState* to = FindState(p, tr.to);
    CanonicalObject payload;
    payload.Add("id", in.id)
        .Add("site_id", in.site_id)
        .Add("procedure", p.id)
        .Add("from", from_id)
        .Add("to", tr.to)
        .Add("event", tr.on)
        .Add("title", p.title + "：" + (to ? to->title : tr.to))
        .Add("note", note)
        .AddRaw("inputs", inputs_json)
        .AddRaw("clauses", Strings(CiteOf(p, &tr, to)));
    if (person) payload.Add("person_id", person);  // 0 would match every account without one
    ZHIDU_TRY(auto seq,
              Journal("procedure.transition", "procedure/" + std::to_string(in.id), payload));
    (void)seq;
    ZHIDU_TRY_VOID(Enter(p, in));
    // A transition is an event of the site too: deadlines may start or stop on it (R15: the VIP
    // procedure's `vip_registered` stops the 2-minute check-in deadline and starts the boarding
    // reminder, due `before` the departure the event's data carries as `at`).
    if (raised) return Ok();
    SiteEvent e{in.site_id, tr.on, in.subject, in.ref, data};
    ZHIDU_TRY(auto stopped, StopDeadlines(e));
    ZHIDU_TRY(auto started, StartDeadlines(e));
    (void)stopped;
    (void)started;
    ZHIDU_TRY_VOID(PauseOrResume(e));
    return Retarget(e);
  }

  // ---- deadlines

  Result<std::vector<Id>> StartDeadlines(const SiteEvent& e) {
    std::vector<Id> out;
    for (const auto& sl : pack.service_levels()) {
      bool restart = std::ranges::find(sl.restart_events, e.event) != sl.restart_events.end();
      if (sl.start_event != e.event && !restart) continue;
      if (restart) {  // again only once the last one of the ref has stopped
        if (e.ref.empty()) continue;
        ZHIDU_TRY(auto running, RunningOf(sl, e));
        if (!running.empty()) continue;
      }
      ZHIDU_TRY(Id id, StartDeadline(sl, e));
      out.push_back(id);
    }
    return out;
  }

  // A due time, or none with the reason in `note`.
  struct Due {
    std::optional<TimePoint> at;
    std::string note;
    bool working_hours = false;  // counted in working hours (a resume walks them again)
  };

  // The site's working hours in force (its own, else the pack's): none when neither states any.
  Result<std::vector<scheduler::LocalPeriod>> SiteWorkPeriods(Id site_id) {
    ZHIDU_TRY(auto work, SiteParameters::EffectiveWorkingHours(tx.unit(), pack, site_id, 0));
    return LocalPeriods(work.periods);
  }

  // `within` of `sl` from now; `label` says where the figure came from. With time: business a
  // duration under a day counts working hours of the site (lunch, nights, weekends, holidays do
  // not count, 调休 working days do), and whole days of it count working days.
  // `from` is now, except when a deadline is re-timed from its start (Retarget).
  Result<Due> WithinDue(const policy::ServiceLevel& sl, const policy::Duration& d, Id site_id,
                        const TimeZone& zone, const std::string& label, TimePoint from) {
    TimePoint now = from;
    if (sl.business_time && d.working_days == 0 && d.months == 0 && d.fixed > seconds(0) &&
        d.fixed < hours(24)) {
      // Without working hours no figure is invented (docs/runtime.md "Working hours").
      ZHIDU_TRY(auto periods, SiteWorkPeriods(site_id));
      if (periods.empty()) return Due{std::nullopt, "按工作时间计时，本单位未设定工作时间：未计时"};
      ZHIDU_TRY(TimePoint t, scheduler::AddWorkingTime(pack.calendar(), zone, periods, now,
                                                       duration_cast<Micros>(d.fixed)));
      return Due{t, label + " (working hours)", true};
    }
    if (sl.business_time && d.working_days == 0 && d.fixed >= hours(24)) {
      policy::Duration wd{};
      wd.working_days = static_cast<int>(duration_cast<hours>(d.fixed).count() / 24);
      ZHIDU_TRY(TimePoint t, AddDuration(pack, zone, now, wd));
      return Due{t, label + " (working days)"};
    }
    ZHIDU_TRY(TimePoint t, AddDuration(pack, zone, now, d));
    return Due{t, label};
  }

  // A `within` (fixed, or the site's parameter `param`) from now; `prefix` starts the note.
  Result<Due> WithinOf(const policy::ServiceLevel& sl, const std::optional<policy::Duration>& fixed,
                       const std::string& param, Id site_id, const TimeZone& zone,
                       const std::string& prefix, TimePoint from) {
    if (!param.empty()) {
      ZHIDU_TRY(auto value, SiteParameters::Lookup(tx.unit(), site_id, param));
      if (!value)
        return Due{std::nullopt, prefix + "时限为本单位参数 " + param + "，本单位未设定：未计时"};
      auto d = policy::ParseDuration(*value);
      if (!d) return Due{std::nullopt, prefix + "本单位参数 " + param + " 不是时长：未计时"};
      return WithinDue(sl, *d, site_id, zone,
                       prefix + "within " + *value + "（本单位参数 " + param + "）", from);
    }
    if (!fixed) return Due{std::nullopt, prefix + "the service level gives no time"};
    return WithinDue(sl, *fixed, site_id, zone, prefix + "within " + FormatDuration(*fixed), from);
  }

  // The due time of `sl` started at `from` by the first of its targets `data` matches, else its
  // own within; none (with the reason) when neither applies.
  Result<Due> TargetDue(const policy::ServiceLevel& sl, const policy::Context& data, Id site_id,
                        const TimeZone& zone, TimePoint from) {
    for (const auto& t : sl.targets) {
      bool applies = std::ranges::all_of(t.when, [&](const auto& field) {
        auto value = DataString(data, field.first);
        return value && std::ranges::find(field.second, *value) != field.second.end();
      });
      if (applies)
        return WithinOf(sl, t.within, t.within_param, site_id, zone, "目标 " + t.Label() + "：",
                        from);
    }
    if (!sl.within_param.empty() || sl.within)
      return WithinOf(sl, sl.within, sl.within_param, site_id, zone, "", from);
    return Due{std::nullopt, "没有与本次事件相符的时限目标：未计时"};
  }

  // The due time of `sl` started now by `e`, or a reason why there is none.
  Result<Due> DueOf(const policy::ServiceLevel& sl, const SiteEvent& e, const TimeZone& zone) {
    using Out = Due;
    TimePoint now = tx.now();
    if (!sl.due_from.empty()) {
      std::string field = sl.due_from.substr(sl.due_from.rfind('.') + 1);
      auto value = DataString(e.data, field);
      if (!value) value = DataString(e.data, sl.due_from);
      if (!value)
        return Out{std::nullopt, "时限由事件数据 " + field + " 逐次给出（" + sl.due_from +
                                     "），本次事件未给出：未计时"};
      if (auto t = ParseIso8601(*value); t) return Out{*t, "限期 " + *value};
      auto d = policy::ParseDuration(*value);
      if (!d)
        return Fail(
            Errc::kInvalidArgument,
            "data." + field + " must be an ISO 8601 time with an offset or a duration such as 3wd",
            "data." + field);
      ZHIDU_TRY(TimePoint t, AddDuration(pack, zone, now, *d));
      return Out{t, "限期 " + *value + "（自 " + FormatIso8601Utc(now) + "）"};
    }
    if (sl.before) {
      auto at = DataString(e.data, "at");
      if (!at) return Out{std::nullopt, "提前时限需要事件数据 at（如开车时间）：未计时"};
      auto t = ParseIso8601(*at);
      if (!t)
        return Fail(Errc::kInvalidArgument, kInvalid,
                    "data.at must be an ISO 8601 time with an offset", "data.at");
      return Out{SubtractDuration(*t, *sl.before, zone),
                 FormatDuration(*sl.before) + " before " + *at};
    }
    // The first target row the event's data matches (a ticket's priority and customer grade),
    // else the level's own within.
    if (!sl.targets.empty() || !sl.within_param.empty() || sl.within)
      return TargetDue(sl, e.data, e.site_id, zone, now);
    if (sl.cutoff) {
      // The end of the local day of `t`: the next local midnight.
      auto day_end = [&](TimePoint t) {
        return LocalDayStart(LocalDayStart(t, zone) + hours(36), zone);
      };
      TimePoint cut = LocalDayStart(now, zone) + minutes(sl.cutoff->minutes);
      if (sl.business_time) {
        ZHIDU_TRY(TimePoint c, scheduler::NextWorkingCutoff(pack.calendar(), zone, now,
                                                            minutes(sl.cutoff->minutes)));
        if (c == cut) return Out{day_end(now), "before cut-off: same day"};
        return Out{day_end(c), "after cut-off: next working day"};
      }
      if (now < cut) return Out{day_end(now), "before cut-off: same day"};
      return Out{day_end(day_end(now)), "after cut-off: next day"};
    }
    return Out{std::nullopt, "the service level gives no time"};
  }

  Result<Id> StartDeadline(const policy::ServiceLevel& sl, const SiteEvent& e) {
    auto& unit = tx.unit();
    ZHIDU_TRY(TimeZone zone, SiteZone(unit, e.site_id));
    ZHIDU_TRY(auto due, DueOf(sl, e, zone));
    store::Deadline d;
    d.site_id = e.site_id;
    d.service_level = sl.id;
    d.subject = e.subject;
    d.ref = e.ref;
    d.person_id = DataPerson(e.data);
    d.state = due.at ? "open" : "not_started";
    d.data = InputsJson(e.data);
    d.note = due.note;
    d.started_at = tx.now();
    d.due_at = due.at.value_or(TimePoint{});
    d.started_by = actor;
    d.working_hours = due.working_hours;
    ZHIDU_TRY(d.id, unit.InsertDeadline(d));
    if (due.at) ZHIDU_TRY_VOID(ArmTimers(sl, d, zone));
    ZHIDU_TRY(auto seq, Journal("deadline.started", DeadlineSubject(d.id),
                                DeadlinePayload(sl, d).Add("event", e.event)));
    (void)seq;
    return d.id;
  }

  // The due timer of open deadline `d` and its warnings still ahead.
  Result<void> ArmTimers(const policy::ServiceLevel& sl, const store::Deadline& d,
                         const TimeZone& zone) {
    store::Timer t;
    t.site_id = d.site_id;
    t.kind = std::string(kDeadlineDueTimer);
    t.subject = DeadlineSubject(d.id);
    t.payload = "{}";
    t.due_at = d.due_at;
    ZHIDU_TRY(auto id, scheduler::Scheduler::Schedule(tx, t));
    (void)id;
    wakes.push_back(t.due_at);
    std::vector<policy::Duration> warns = sl.warn_before;
    if (!sl.warn_before_param.empty()) {  // the site's figure; unset or not a duration: no warning
      ZHIDU_TRY(auto value, SiteParameters::Lookup(tx.unit(), d.site_id, sl.warn_before_param));
      if (auto w = policy::ParseDuration(value.value_or("")); value && w) warns.push_back(*w);
    }
    std::vector<scheduler::LocalPeriod> periods;
    if (d.working_hours) {
      ZHIDU_TRY(periods, SiteWorkPeriods(d.site_id));
    }
    for (const auto& w : warns) {
      TimePoint at = SubtractDuration(d.due_at, w, zone);
      // Working time back from the due time: the instant when `w` of it is left.
      if (!periods.empty() && !w.months && !w.working_days) {
        ZHIDU_TRY(Micros left, scheduler::WorkingTimeBetween(pack.calendar(), zone, periods,
                                                             tx.now(), d.due_at));
        Micros before = duration_cast<Micros>(w.fixed);
        if (left <= before) continue;
        ZHIDU_TRY(
            at, scheduler::AddWorkingTime(pack.calendar(), zone, periods, tx.now(), left - before));
      }
      if (at <= tx.now()) continue;
      t.kind = std::string(kDeadlineWarnTimer);
      t.payload = CanonicalObject().Add("before", FormatDuration(w)).Str();
      t.due_at = at;
      ZHIDU_TRY(auto wid, scheduler::Scheduler::Schedule(tx, t));
      (void)wid;
      wakes.push_back(at);
    }
    return Ok();
  }

  // The deadlines of `sl` that `e` is about (its ref; without one, its subject), not stopped.
  Result<std::vector<store::Deadline>> RunningOf(const policy::ServiceLevel& sl,
                                                 const SiteEvent& e) {
    std::vector<store::Deadline> out;
    store::DeadlineFilter f;
    f.site_id = e.site_id;
    f.service_level = sl.id;
    f.ref = e.ref;
    ZHIDU_TRY(auto rows, tx.unit().ListDeadlines(f, {0, 1000}));
    for (auto& d : rows) {
      if (e.ref.empty() && d.subject != e.subject) continue;
      if (d.stopped_at != TimePoint{}) continue;
      out.push_back(std::move(d));
    }
    return out;
  }

  // A service level's `pause` / `resume` (a ticket waiting on the customer, issue 18 §3): an open
  // deadline pauses — its timers cancelled, so it cannot be breached or warned while paused —
  // and a paused one resumes, due later by the time paused: in working hours when it counts them
  // (what was left of it at the pause, walked again from now), else in calendar time. Journaled
  // `deadline.paused` / `deadline.resumed` with the times (the deadline's SLA log).
  Result<void> PauseOrResume(const SiteEvent& e) {
    if (e.ref.empty() && e.subject.empty()) return Ok();
    for (const auto& sl : pack.service_levels()) {
      auto named = [&](const std::vector<std::string>& v) {
        return std::find(v.begin(), v.end(), e.event) != v.end();
      };
      bool pause = named(sl.pause_events), resume = named(sl.resume_events);
      if (!pause && !resume) continue;
      ZHIDU_TRY(auto rows, RunningOf(sl, e));
      for (auto& d : rows) {
        if (pause && d.state == "open") ZHIDU_TRY_VOID(Pause(sl, d, e.event));
        if (resume && d.state == "paused") ZHIDU_TRY_VOID(Resume(sl, d, e.event));
      }
    }
    return Ok();
  }

  Result<void> Pause(const policy::ServiceLevel& sl, store::Deadline& d, const std::string& event) {
    d.state = "paused";
    d.paused_at = tx.now();
    ZHIDU_TRY_VOID(tx.unit().UpdateDeadline(d, "open"));
    ZHIDU_TRY_VOID(CancelTimers(tx, kDeadlineDueTimer, DeadlineSubject(d.id)));
    ZHIDU_TRY_VOID(CancelTimers(tx, kDeadlineWarnTimer, DeadlineSubject(d.id)));
    ZHIDU_TRY(auto seq, Journal("deadline.paused", DeadlineSubject(d.id),
                                DeadlinePayload(sl, d)
                                    .Add("event", event)
                                    .Add("paused_at", FormatIso8601Utc(d.paused_at))));
    (void)seq;
    return Ok();
  }

  Result<void> Resume(const policy::ServiceLevel& sl, store::Deadline& d,
                      const std::string& event) {
    ZHIDU_TRY(TimeZone zone, SiteZone(tx.unit(), d.site_id));
    TimePoint now = tx.now(), paused_at = d.paused_at, was_due = d.due_at;
    std::string counted = "calendar";
    std::vector<scheduler::LocalPeriod> periods;
    if (d.working_hours) {
      ZHIDU_TRY(periods, SiteWorkPeriods(d.site_id));
    }
    if (!periods.empty()) {
      // What was left at the pause, in working time, counted again from now.
      ZHIDU_TRY(Micros left,
                scheduler::WorkingTimeBetween(pack.calendar(), zone, periods, paused_at, was_due));
      ZHIDU_TRY(d.due_at, scheduler::AddWorkingTime(pack.calendar(), zone, periods, now, left));
      counted = "working_hours";
    } else {
      // Calendar time (also a working-hours deadline whose site has since cleared its hours).
      d.due_at = was_due + (now - paused_at);
    }
    d.state = "open";
    d.paused_at = TimePoint{};
    ZHIDU_TRY_VOID(tx.unit().UpdateDeadline(d, "paused"));
    ZHIDU_TRY_VOID(ArmTimers(sl, d, zone));
    ZHIDU_TRY(
        auto seq,
        Journal("deadline.resumed", DeadlineSubject(d.id),
                DeadlinePayload(sl, d)
                    .Add("event", event)
                    .Add("paused_at", FormatIso8601Utc(paused_at))
                    .Add("resumed_at", FormatIso8601Utc(now))
                    .Add("paused_seconds",
                         static_cast<std::int64_t>(duration_cast<seconds>(now - paused_at).count()))
                    .Add("was_due_at", FormatIso8601Utc(was_due))
                    .Add("counted", counted)));
    (void)seq;
    return Ok();
  }

  // Deadlines follow the data their targets match on (a ticket's priority changed, issue 18 §3):
  // an event of a ref carrying, for a field a level's `targets:` read, another value than its
  // running deadline was matched on re-matches that deadline (not yet stopped, not breached) on
  // its data updated by the event's. The time already run counts against the new target: both
  // targets are timed from the deadline's start and the due time moves by their difference (in
  // working time when both count working hours; from the pause for a paused one). A new target
  // already used up falls due now; one without a figure leaves the deadline not_started (its note
  // says why); a not_started one whose new target has a figure opens, due from its start.
  // Journaled `deadline.retimed` with the due times, notes and data before and after. One read of
  // the ref's deadlines per event that carries such a field.
  Result<void> Retarget(const SiteEvent& e) {
    if (e.ref.empty()) return Ok();
    auto reads = [&](const policy::ServiceLevel& sl) {
      for (const auto& t : sl.targets)
        for (const auto& field : t.when)
          if (e.data.contains(field.first)) return true;
      return false;
    };
    if (std::ranges::none_of(pack.service_levels(), reads)) return Ok();
    store::DeadlineFilter f;
    f.site_id = e.site_id;
    f.ref = e.ref;
    ZHIDU_TRY(auto rows, tx.unit().ListDeadlines(f, {0, 1000}));
    for (auto& d : rows) {
      if (d.state != "open" && d.state != "paused" && d.state != "not_started") continue;
      const policy::ServiceLevel* sl = FindLevel(pack, d.service_level);
      if (!sl || !reads(*sl)) continue;
      policy::Context was = DataStrings(d.data);
      bool changed = false;
      for (const auto& t : sl->targets)
        for (const auto& field : t.when)
          if (auto now = DataString(e.data, field.first);
              now && DataString(was, field.first) != now)
            changed = true;
      if (changed) ZHIDU_TRY_VOID(Retime(*sl, d, e));
    }
    return Ok();
  }

  Result<void> Retime(const policy::ServiceLevel& sl, store::Deadline& d, const SiteEvent& e) {
    ZHIDU_TRY(TimeZone zone, SiteZone(tx.unit(), d.site_id));
    policy::Context before_data = DataStrings(d.data), after_data = before_data;
    for (const auto& [key, value] : e.data) after_data[key] = value;
    ZHIDU_TRY(Due was, TargetDue(sl, before_data, d.site_id, zone, d.started_at));
    ZHIDU_TRY(Due now_due, TargetDue(sl, after_data, d.site_id, zone, d.started_at));
    if (was.note == now_due.note && was.at == now_due.at) return Ok();  // the same target
    std::string from_state = d.state;
    TimePoint now = tx.now(), was_due = d.due_at;
    if (!now_due.at) {
      d.state = "not_started";
      d.due_at = d.paused_at = TimePoint{};
    } else if (from_state == "not_started" || !was.at) {
      d.state = "open";
      d.due_at = std::max(*now_due.at, now);
    } else {
      // What is left now (or at the pause) plus the difference between the two targets.
      TimePoint base = from_state == "paused" ? d.paused_at : now;
      std::vector<scheduler::LocalPeriod> periods;
      if (d.working_hours && was.working_hours && now_due.working_hours) {
        ZHIDU_TRY(periods, SiteWorkPeriods(d.site_id));
      }
      if (!periods.empty()) {
        auto between = [&](TimePoint a, TimePoint b) -> Result<Micros> {
          if (b >= a) return scheduler::WorkingTimeBetween(pack.calendar(), zone, periods, a, b);
          ZHIDU_TRY(Micros back,
                    scheduler::WorkingTimeBetween(pack.calendar(), zone, periods, b, a));
          return -back;
        };
        ZHIDU_TRY(Micros left, between(base, d.due_at));
        ZHIDU_TRY(Micros delta, between(*was.at, *now_due.at));
        Micros after = std::max(left, Micros{0}) + delta;
        if (after <= Micros{0}) {
          d.due_at = base;
        } else {
          ZHIDU_TRY(d.due_at,
                    scheduler::AddWorkingTime(pack.calendar(), zone, periods, base, after));
        }
      } else {
        d.due_at = std::max(d.due_at + (*now_due.at - *was.at), base);
      }
    }
    d.working_hours = now_due.working_hours;
    d.note = now_due.note;
    d.data = InputsJson(after_data);
    ZHIDU_TRY_VOID(tx.unit().UpdateDeadline(d, from_state));
    ZHIDU_TRY_VOID(CancelTimers(tx, kDeadlineDueTimer, DeadlineSubject(d.id)));
    ZHIDU_TRY_VOID(CancelTimers(tx, kDeadlineWarnTimer, DeadlineSubject(d.id)));
    if (d.state == "open") ZHIDU_TRY_VOID(ArmTimers(sl, d, zone));
    CanonicalObject payload = DeadlinePayload(sl, d);
    payload.Add("event", e.event)
        .Add("from_state", from_state)
        .Add("was_note", was.note)
        .AddRaw("was_data", InputsJson(before_data));
    if (was_due != TimePoint{}) payload.Add("was_due_at", FormatIso8601Utc(was_due));
    ZHIDU_TRY(auto seq, Journal("deadline.retimed", DeadlineSubject(d.id), payload));
    (void)seq;
    return Ok();
  }

  CanonicalObject DeadlinePayload(const policy::ServiceLevel& sl, const store::Deadline& d) {
    CanonicalObject o;
    o.Add("id", d.id)
        .Add("site_id", d.site_id)
        .Add("service_level", sl.id)
        .Add("title", sl.title)
        .Add("subject", d.subject)
        .Add("ref", d.ref)
        .Add("state", d.state)
        .Add("note", d.note)
        .AddRaw("clauses", Strings(sl.clauses));
    if (d.person_id) o.Add("person_id", d.person_id);
    if (d.due_at != TimePoint{}) o.Add("due_at", FormatIso8601Utc(d.due_at));
    return o;
  }

  Result<std::vector<Id>> StopDeadlines(const SiteEvent& e) {
    std::vector<Id> out;
    if (e.ref.empty() && e.subject.empty()) return out;
    for (const auto& sl : pack.service_levels()) {
      if (std::find(sl.stop_events.begin(), sl.stop_events.end(), e.event) == sl.stop_events.end())
        continue;
      ZHIDU_TRY(auto rows, RunningOf(sl, e));
      for (auto& d : rows) {
        std::string from = d.state;
        if (from == "open" || from == "paused")  // paused: it had not fallen due
          d.state = "met";
        else if (from == "breached")
          d.state = "met_late";
        else if (from != "not_started")
          continue;
        d.stopped_at = tx.now();
        d.stopped_by = actor;
        d.paused_at = TimePoint{};
        ZHIDU_TRY_VOID(tx.unit().UpdateDeadline(d, from));
        ZHIDU_TRY_VOID(CancelTimers(tx, kDeadlineDueTimer, DeadlineSubject(d.id)));
        ZHIDU_TRY_VOID(CancelTimers(tx, kDeadlineWarnTimer, DeadlineSubject(d.id)));
        ZHIDU_TRY(auto seq, Journal("deadline.stopped", DeadlineSubject(d.id),
                                    DeadlinePayload(sl, d).Add("event", e.event)));
        (void)seq;
        out.push_back(d.id);
      }
    }
    return out;
  }

  Result<void> Breach(store::Deadline d) {
    if (d.state != "open") return Ok();
    const policy::ServiceLevel* sl = FindLevel(pack, d.service_level);
    if (!sl) return Ok();
    d.state = "breached";
    d.breached_at = tx.now();
    ZHIDU_TRY_VOID(tx.unit().UpdateDeadline(d, "open"));
    std::vector<std::string> notify, escalated, violations;
    for (const auto& action : sl->on_breach) {
      auto colon = action.find(':');
      if (colon == std::string::npos) continue;
      std::string verb = action.substr(0, colon), arg = action.substr(colon + 1);
      // @person: the deadline's person, whom its records reach anyway (payload person_id).
      if (arg == policy::kEventPerson) continue;
      if (verb == "alert" || verb == "escalate") notify.push_back(arg);
      if (verb == "escalate") escalated.push_back(arg);
      if (verb == "violation") violations.push_back(arg);
    }
    for (const auto& code : violations) {
      NewViolation v;
      v.site_id = d.site_id;
      v.person_id = d.person_id;
      v.code = code;
      v.clauses = sl->clauses;
      v.subject = DeadlineSubject(d.id);
      v.occurred_at = d.due_at;
      v.notify_roles = notify;
      v.note = d.person_id ? sl->title + "：逾期未完成"
                           : "未指明责任人（事件未给出 person_id）：" + sl->title + " 逾期未完成";
      ZHIDU_TRY(auto r, Ledger::Raise(tx, pack, v, 0));
      (void)r;
    }
    ZHIDU_TRY(auto seq, Journal("deadline.breached", DeadlineSubject(d.id),
                                DeadlinePayload(*sl, d)
                                    .AddRaw("notify_roles", Strings(notify))
                                    .AddRaw("escalated_to", Strings(escalated))
                                    .AddRaw("violations", Strings(violations))));
    (void)seq;
    return Ok();
  }

  Result<EventOutcome> Raise(const SiteEvent& e) {
    if (e.event.empty())
      return Fail(Errc::kInvalidArgument, kRequired, "event is required", "event");
    auto& unit = tx.unit();
    ZHIDU_TRY(TimeZone zone, SiteZone(unit, e.site_id));
    (void)zone;
    EventOutcome out;
    // A repeat: the event's ref already has an open instance of a procedure the event starts (a
    // detector alarming again while its fire procedure runs). It starts nothing new — neither
    // instances nor deadlines — but stops and moves as any event does.
    ZHIDU_TRY(Id repeat_of, OpenInstanceFor(e));
    CanonicalObject payload;
    payload.Add("site_id", e.site_id)
        .Add("event", e.event)
        .Add("subject", e.subject)
        .Add("ref", e.ref)
        .AddRaw("data", InputsJson(e.data));
    if (repeat_of) payload.Add("repeat_of", repeat_of);
    ZHIDU_TRY(out.journal_seq, Journal("site.event", "site/" + std::to_string(e.site_id), payload));
    for (const auto& p : pack.procedures()) {
      if (!Triggers(p, e) || repeat_of) continue;
      ZHIDU_TRY(Id id, StartInstance(p, e));
      out.procedures_started.push_back(id);
    }
    ZHIDU_TRY(out.deadlines_stopped, StopDeadlines(e));
    if (!repeat_of) {
      ZHIDU_TRY(out.deadlines_started, StartDeadlines(e));
    }
    ZHIDU_TRY_VOID(PauseOrResume(e));
    ZHIDU_TRY_VOID(Retarget(e));
    ZHIDU_TRY(out.procedures_moved, MoveWaiting(e));
    if (self.event_duties_) {
      ZHIDU_TRY(out.duties_started, self.event_duties_(tx, e, out.journal_seq));
      if (!out.duties_started.empty()) wakes.push_back(tx.now());  // their duty.due timers
    }
    return out;
  }

  // The open instance, started by `e.event`, of `e.ref` (0: none, or no ref).
  Result<Id> OpenInstanceFor(const SiteEvent& e) {
    if (e.ref.empty()) return Id{0};
    for (const auto& p : pack.procedures()) {
      if (!Triggers(p, e)) continue;
      store::ProcedureFilter f;
      f.site_id = e.site_id;
      f.procedure = p.id;
      f.ref = e.ref;
      f.open = true;
      ZHIDU_TRY(auto open, tx.unit().ListProcedureInstances(f, {0, 1}));
      if (!open.empty()) return open.front().id;
    }
    return Id{0};
  }

  // Events invariant 5: open instances with the event's ref that wait for it move on.
  Result<std::vector<Id>> MoveWaiting(const SiteEvent& e) {
    std::vector<Id> moved;
    if (e.ref.empty()) return moved;
    // No transition of the pack is `on` the event: nothing can move, so nothing is read (an
    // alarm's fire_alarm on every ingested activation; docs/performance.md, session 22).
    auto waits_for = [&](const policy::Procedure& p) {
      return std::ranges::any_of(p.transitions, [&](const auto& t) { return t.on == e.event; });
    };
    if (std::ranges::none_of(pack.procedures(), waits_for)) return moved;
    store::ProcedureFilter f;
    f.site_id = e.site_id;
    f.ref = e.ref;
    f.open = true;
    ZHIDU_TRY(auto open, tx.unit().ListProcedureInstances(f, {0, 1000}));
    for (auto& in : open) {
      const policy::Procedure* p = pack.FindProcedure(in.procedure);
      if (!p) continue;
      policy::Context inputs = InputsOf(*p, e.data);
      for (const auto& tr : p->transitions) {
        if (tr.from != in.state || tr.on != e.event) continue;
        // A transition that names roles is moved by a site event only when a module raises the
        // event from what a person records (SetModuleEvents), and only for a holder of one of
        // the roles at the site (invariant 2); anything else leaves it to a person's Fire.
        Id person = 0;
        if (!tr.roles.empty()) {
          if (!self.module_events_.contains(e.event) || actor == 0) continue;
          ZHIDU_TRY(person, ActorHolds(*p, tr, in));
        }
        if (tr.guard) {
          ZHIDU_TRY(bool holds, tr.guard->EvalBool(inputs));
          if (!holds) continue;
        }
        ZHIDU_TRY_VOID(Move(*p, in, tr, person, "现场事件：" + e.event,
                            tr.guard ? InputsJson(inputs) : std::string("{}"), e.data, true));
        moved.push_back(in.id);
        break;
      }
    }
    return moved;
  }

  // The person of the account raising a module's event, when it holds one of `tr`'s roles at the
  // instance's site; else 403 citing the clause, and the whole record is refused with it.
  Result<Id> ActorHolds(const policy::Procedure& p, const policy::Transition& tr,
                        const store::ProcedureInstance& in) {
    ZHIDU_TRY(auto account, tx.unit().GetAccount(actor));
    ZHIDU_TRY(auto grants, tx.unit().ListRoleGrants(actor));
    Id department = 0;
    if (account.person_id) {
      auto person = tx.unit().GetPerson(account.person_id);
      if (person) department = person->department_id;
    }
    if (HoldsOneOf(grants, tr.roles, in.site_id, department)) return account.person_id;
    auto cited = CiteOf(p, &tr, FindState(p, in.state));
    return Fail(Errc::kPermissionDenied, Reason{"procedure.role_refused"},
                "only " + Listed(tr.roles) + " may do \"" + tr.on + "\" in " + p.title +
                    (cited.empty() ? "" : "（" + cited.front() + "）"));
  }

  // A guard moved by a site event reads the event's data: each input the procedure declares,
  // taken from data when its type matches, else false / 0 / "" (as a caller's unstated input).
  static policy::Context InputsOf(const policy::Procedure& p, const policy::Context& data) {
    policy::Context ctx;
    for (const auto& [name, type] : p.inputs) {
      auto it = data.find(name);
      if (it != data.end() && it->second.index() == DefaultOf(type).index())
        ctx.emplace(name, it->second);
      else
        ctx.emplace(name, DefaultOf(type));
    }
    return ctx;
  }
};

Procedures::Procedures(store::Store& store, store::Writer& writer, scheduler::Scheduler& scheduler,
                       const policy::ActivePack& pack, const org::RoleCatalogue& roles,
                       const Actions& actions)
    : store_(store),
      writer_(writer),
      scheduler_(scheduler),
      pack_(pack),
      roles_(roles),
      actions_(actions) {}

void Procedures::SubscribeTo(EventBus& bus) {
  bus.Subscribe<SiteEvent>("procedures", [this](store::Tx& tx, const SiteEvent& e) -> Result<void> {
    ZHIDU_TRY(auto outcome, Raise(tx, e, e.actor));
    (void)outcome;
    return Ok();
  });
}

void Procedures::RegisterHandlers() {
  scheduler_.Register(
      std::string(kProcedureTimer), [this](store::Tx& tx, const store::Timer& t) -> Result<void> {
        ZHIDU_TRY(auto subject, scheduler::SubjectOf(t, "procedure", 2));
        auto pack = pack_.Current();
        ZHIDU_TRY(auto in, tx.unit().GetProcedureInstance(subject.id));
        const std::string& state = subject.tail[0];
        if (in.state != state || in.closed_at != TimePoint{}) return Ok();
        const policy::Procedure* p = pack->FindProcedure(in.procedure);
        if (!p) return Ok();
        const policy::ProcState* st = FindState(*p, in.state);
        size_t index = 0;
        const std::string& digits = subject.tail[1];
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
        if (ec != std::errc() || end != digits.data() + digits.size())
          return Fail(Errc::kInternal, "timer " + std::to_string(t.id) + " names timer index \"" +
                                           digits + "\" of its state");
        if (!st || index >= st->timers.size()) return Ok();
        for (const auto& tr : p->transitions) {
          if (tr.from != in.state || tr.on != st->timers[index].event) continue;
          Impl impl{*this, tx, *pack, 0, {}};
          ZHIDU_TRY_VOID(impl.Move(*p, in, tr, 0, "计时器到期（系统）", "{}"));
          WakeAll(impl.wakes);
          return Ok();
        }
        return Ok();
      });
  scheduler_.Register(std::string(kDeadlineDueTimer),
                      [this](store::Tx& tx, const store::Timer& t) -> Result<void> {
                        ZHIDU_TRY(auto subject, scheduler::SubjectOf(t, "deadline"));
                        auto pack = pack_.Current();
                        ZHIDU_TRY(auto d, tx.unit().GetDeadline(subject.id));
                        Impl impl{*this, tx, *pack, 0, {}};
                        return impl.Breach(d);
                      });
  scheduler_.Register(std::string(kDeadlineWarnTimer),
                      [this](store::Tx& tx, const store::Timer& t) -> Result<void> {
                        ZHIDU_TRY(auto subject, scheduler::SubjectOf(t, "deadline"));
                        auto pack = pack_.Current();
                        ZHIDU_TRY(auto d, tx.unit().GetDeadline(subject.id));
                        const policy::ServiceLevel* sl = FindLevel(*pack, d.service_level);
                        if (d.state != "open" || !sl) return Ok();
                        std::vector<std::string> notify;
                        for (const auto& a : sl->on_breach) {
                          auto colon = a.find(':');
                          if (colon != std::string::npos && a.substr(0, colon) != "violation")
                            notify.push_back(a.substr(colon + 1));
                        }
                        Impl impl{*this, tx, *pack, 0, {}};
                        ZHIDU_TRY(auto seq,
                                  impl.Journal("deadline.warning", DeadlineSubject(d.id),
                                               impl.DeadlinePayload(*sl, d)
                                                   .AddRaw("notify_roles", Strings(notify))
                                                   .AddRaw("warn", t.payload)));
                        (void)seq;
                        return Ok();
                      });
}

void Procedures::WakeAll(const std::vector<TimePoint>& due) {
  for (auto t : due) scheduler_.Wake(t);
}

Result<EventOutcome> Procedures::Raise(store::Tx& tx, const SiteEvent& event, Id actor) {
  auto pack = pack_.Current();
  Impl impl{*this, tx, *pack, actor, {}};
  ZHIDU_TRY(auto out, impl.Raise(event));
  WakeAll(impl.wakes);
  return out;
}

Result<void> Procedures::MayActAt(const org::Principal& who, Id site_id) const {
  for (const auto& g : who.roles)
    if (GrantCovers(g, site_id, 0)) return Ok();
  if (who.person_id != 0) {
    ZHIDU_TRY(auto unit, store_.BeginRead());
    auto person = unit->GetPerson(who.person_id);
    if (person && person->site_id == site_id) {
      for (const auto& g : who.roles)
        if (GrantCovers(g, site_id, person->department_id)) return Ok();
    }
  }
  return Fail(Errc::kPermissionDenied, Reason{"site.no_role"},
              "you hold no role at site " + std::to_string(site_id) +
                  ": only people of the site raise its events and run its procedures");
}

namespace {
// The site events a pack declares: the names its procedures' triggers and transitions (on:), its
// service levels' start, stop, pause and resume and its duties' on: use. Any other would start,
// stop and move nothing: refused from people, so that a typo is not journaled as if it were an
// event.
bool Declares(const policy::Pack& pack, std::string_view event) {
  for (const auto& p : pack.procedures()) {
    if (p.trigger == event) return true;
    for (const auto& t : p.transitions)
      if (t.on == event) return true;
  }
  auto in = [&](const std::vector<std::string>& v) {
    return std::find(v.begin(), v.end(), event) != v.end();
  };
  for (const auto& sl : pack.service_levels())
    if (sl.start_event == event || in(sl.restart_events) || in(sl.stop_events) ||
        in(sl.pause_events) || in(sl.resume_events))
      return true;
  for (const auto& d : pack.duties())
    if (d.schedule.kind == policy::ScheduleKind::kOn && d.schedule.on == event) return true;
  return false;
}
}  // namespace

Result<EventOutcome> Procedures::RaiseAs(const org::Principal& who, const SiteEvent& event) {
  ZHIDU_TRY_VOID(MayActAt(who, event.site_id));
  auto pack = pack_.Current();
  if (!event.event.empty() && !Declares(*pack, event.event))
    return Fail(Errc::kInvalidArgument, kInvalid,
                "the policy pack in force declares no site event \"" + event.event.substr(0, 100) +
                    "\" (none of its procedures, service levels or duties names it)",
                "event");
  if (auto it = module_events_.find(event.event); it != module_events_.end())
    return Fail(Errc::kFailedPrecondition, Reason{"event.raised_by_module"},
                "the site event \"" + event.event + "\" is raised by the " + it->second +
                    " module from what it records, not by hand",
                "event");
  std::vector<TimePoint> wakes;
  ZHIDU_TRY(auto out, writer_.Run<EventOutcome>([&](store::Tx& tx) -> Result<EventOutcome> {
    Impl impl{*this, tx, *pack, who.account_id, {}};
    ZHIDU_TRY(auto o, impl.Raise(event));
    wakes = impl.wakes;
    return o;
  }));
  WakeAll(wakes);
  return out;
}

Result<ProcedureView> Procedures::Start(const org::Principal& who, const std::string& procedure,
                                        const SiteEvent& event) {
  auto pack = pack_.Current();
  const policy::Procedure* p = pack->FindProcedure(procedure);
  if (!p)
    return Fail(Errc::kInvalidArgument, kInvalid,
                "there is no procedure \"" + procedure + "\" in the policy pack in force",
                "procedure");
  ZHIDU_TRY_VOID(MayActAt(who, event.site_id));
  std::vector<TimePoint> wakes;
  ZHIDU_TRY(Id id, writer_.Run<Id>([&](store::Tx& tx) -> Result<Id> {
    Impl impl{*this, tx, *pack, who.account_id, {}};
    ZHIDU_TRY(TimeZone zone, SiteZone(tx.unit(), event.site_id));
    (void)zone;
    SiteEvent e = event;
    if (e.event.empty()) e.event = p->trigger;
    ZHIDU_TRY(Id started, impl.StartInstance(*p, e));
    wakes = impl.wakes;
    return started;
  }));
  WakeAll(wakes);
  return View(who, id);
}

Result<ProcedureView> Procedures::View(const org::Principal& who, Id id) {
  auto pack = pack_.Current();
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ProcedureView v;
  ZHIDU_TRY(v.instance, unit->GetProcedureInstance(id));
  if (!MayActAt(who, v.instance.site_id))
    return Fail(Errc::kNotFound, "procedure instance " + std::to_string(id) + " does not exist");
  ZHIDU_TRY(v.history, unit->ListProcedureTransitions(id));
  ZHIDU_TRY(v.tasks, unit->ListProcedureTasks(id));
  const policy::Procedure* p = pack->FindProcedure(v.instance.procedure);
  if (!p) return v;
  v.title = p->title;
  v.clauses = p->clauses;
  for (const auto& s : p->states) v.state_titles.emplace_back(s.id, s.title);
  const policy::ProcState* st = FindState(*p, v.instance.state);
  if (st) {
    v.state_title = st->title;
    v.state_clauses = st->clauses;
    v.terminal = st->terminal;
    for (size_t i = 0; i < st->timers.size(); ++i) {
      store::TimerFilter f;
      f.kind = std::string(kProcedureTimer);
      f.subject = TimerSubject(id, st->id, i);
      ZHIDU_TRY(auto rows, unit->ListTimers(f, {0, 100}));
      for (const auto& t : rows)
        v.timers.push_back(
            {st->timers[i].event, t.id, t.due_at, std::string(store::TimerStateName(t.state))});
    }
  }
  if (v.instance.closed_at != TimePoint{}) return v;
  for (const auto& tr : p->transitions) {
    if (tr.from != v.instance.state) continue;
    const policy::ProcState* to = FindState(*p, tr.to);
    AllowedEvent a{tr.on,
                   tr.to,
                   to ? to->title : "",
                   tr.roles,
                   CiteOf(*p, &tr, st),
                   tr.guard ? tr.guard->source() : "",
                   true};
    if (!tr.roles.empty()) a.viewer_may = HoldsOneOf(who.roles, tr.roles, v.instance.site_id, 0);
    v.allowed.push_back(std::move(a));
  }
  return v;
}

Result<store::ProcedureInstance> Procedures::LoadInstance(store::UnitOfWork& unit,
                                                          const org::Principal& who, Id id) const {
  auto found = unit.GetProcedureInstance(id);
  if (!found || !MayActAt(who, found->site_id))
    return Fail(Errc::kNotFound, "procedure instance " + std::to_string(id) + " does not exist");
  return *found;
}

Result<ProcedureView> Procedures::Get(const org::Principal& who, Id id) { return View(who, id); }

Result<std::vector<store::ProcedureInstance>> Procedures::List(const org::Principal& who,
                                                               const store::ProcedureFilter& filter,
                                                               store::PageRequest page) {
  if (filter.site_id != 0) ZHIDU_TRY_VOID(MayActAt(who, filter.site_id));
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(auto rows, unit->ListProcedureInstances(filter, page));
  if (filter.site_id != 0) return rows;
  return Visible(std::move(rows), [&](Id site) { return static_cast<bool>(MayActAt(who, site)); });
}

Result<ProcedureView> Procedures::Fire(const org::Principal& who, Id id, const std::string& event,
                                       const std::string& note, const policy::Context& inputs,
                                       std::vector<std::string>* cited) {
  auto pack = pack_.Current();
  if (note.size() > 4000)
    return Fail(Errc::kInvalidArgument, Reason{"too_long"}, "note is too long", "note");
  std::vector<TimePoint> wakes;
  auto cite = [&](std::vector<std::string> c) {
    if (cited) *cited = std::move(c);
  };
  ZHIDU_TRY(auto done, writer_.Run<bool>([&](store::Tx& tx) -> Result<bool> {
    ZHIDU_TRY(store::ProcedureInstance in, LoadInstance(tx.unit(), who, id));
    const policy::Procedure* p = pack->FindProcedure(in.procedure);
    if (!p)
      return Fail(Errc::kFailedPrecondition, Reason{"procedure.not_in_pack"},
                  "the procedure " + in.procedure + " is no longer in the policy pack in force");
    if (in.closed_at != TimePoint{})
      return Fail(Errc::kFailedPrecondition, Reason{"procedure.closed"},
                  "procedure instance " + std::to_string(id) + " is closed (" + in.state + ")");
    const policy::ProcState* st = FindState(*p, in.state);
    std::vector<const policy::Transition*> matching;
    std::vector<std::string> allowed;
    for (const auto& tr : p->transitions) {
      if (tr.from != in.state) continue;
      if (std::find(allowed.begin(), allowed.end(), tr.on) == allowed.end())
        allowed.push_back(tr.on);
      if (tr.on == event) matching.push_back(&tr);
    }
    if (auto it = module_events_.find(event); it != module_events_.end() && !matching.empty()) {
      cite(CiteOf(*p, matching.front(), st));
      return Fail(Errc::kFailedPrecondition, Reason{"procedure.event_by_module"},
                  "\"" + event + "\" moves this procedure when the " + it->second +
                      " module records it; it is not fired by hand",
                  "event");
    }
    if (matching.empty()) {
      cite(CiteOf(*p, nullptr, st));
      return Fail(Errc::kFailedPrecondition, Reason{"procedure.event_not_allowed"},
                  "event \"" + event + "\" is not allowed in state " + in.state +
                      (allowed.empty() ? " (none is)" : "; allowed: " + Listed(allowed)),
                  "event");
    }
    for (const auto& [name, value] : inputs) {
      auto it = p->inputs.find(name);
      if (it == p->inputs.end())
        return Fail(Errc::kInvalidArgument, kInvalid,
                    "procedure " + p->id + " has no input \"" + name + "\"" +
                        (p->inputs.empty() ? " (it takes none)" : ""),
                    "inputs." + name);
      bool ok =
          (it->second == policy::ValueType::kBool && std::holds_alternative<bool>(value)) ||
          (it->second == policy::ValueType::kNumber && std::holds_alternative<double>(value)) ||
          (it->second == policy::ValueType::kString &&
           std::holds_alternative<std::string>(value)) ||
          (it->second == policy::ValueType::kStringList &&
           std::holds_alternative<std::vector<std::string>>(value));
      if (!ok)
        return Fail(Errc::kInvalidArgument, kInvalid,
                    "input \"" + name + "\" must be a " + std::string(ValueTypeName(it->second)),
                    "inputs." + name);
    }
    // Inputs the caller did not state read as false / 0 / "" in the guard.
    policy::Context ctx = inputs;
    for (const auto& [name, type] : p->inputs)
      if (!ctx.contains(name)) ctx.emplace(name, DefaultOf(type));
    Id department = 0;
    if (who.person_id) {
      auto person = tx.unit().GetPerson(who.person_id);
      if (person) department = person->department_id;
    }
    const policy::Transition* chosen = nullptr;
    const policy::Transition* refused = nullptr;
    const policy::Transition* unguarded = nullptr;
    for (const auto* tr : matching) {
      if (!tr->roles.empty() && !HoldsOneOf(who.roles, tr->roles, in.site_id, department)) {
        refused = tr;
        continue;
      }
      if (tr->guard) {
        ZHIDU_TRY(bool holds, tr->guard->EvalBool(ctx));
        if (!holds) {
          unguarded = tr;
          continue;
        }
      }
      chosen = tr;
      break;
    }
    if (!chosen && refused && !unguarded) {
      cite(CiteOf(*p, refused, st));
      return Fail(Errc::kPermissionDenied, Reason{"procedure.role_refused"},
                  "only " + Listed(refused->roles) + " may fire \"" + event + "\" in " + p->title +
                      "（" + CiteOf(*p, refused, st).front() + "）");
    }
    if (!chosen) {
      cite(CiteOf(*p, unguarded, st));
      return Fail(Errc::kFailedPrecondition, Reason{"procedure.guard_refused"},
                  "条件不满足：" + unguarded->guard->source() + "（" +
                      CiteOf(*p, unguarded, st).front() + "）",
                  "inputs");
    }
    Impl impl{*this, tx, *pack, who.account_id, {}};
    ZHIDU_TRY_VOID(impl.Move(*p, in, *chosen, who.person_id, note, InputsJson(inputs), inputs));
    wakes = impl.wakes;
    return true;
  }));
  (void)done;
  WakeAll(wakes);
  return View(who, id);
}

Result<ProcedureView> Procedures::Assign(const org::Principal& who, Id id, const std::string& task,
                                         Id person_id, std::vector<std::string>* cited) {
  auto pack = pack_.Current();
  ZHIDU_TRY(auto done, writer_.Run<bool>([&](store::Tx& tx) -> Result<bool> {
    auto& unit = tx.unit();
    ZHIDU_TRY(auto found, LoadInstance(unit, who, id));
    const auto& in = found;
    if (in.closed_at != TimePoint{})
      return Fail(Errc::kFailedPrecondition, Reason{"procedure.closed"},
                  "procedure instance " + std::to_string(id) + " is closed");
    auto person = unit.GetPerson(person_id);
    if (!person || person->site_id != in.site_id)
      return Fail(Errc::kInvalidArgument, kInvalid,
                  "there is no person " + std::to_string(person_id) + " at this site", "person_id");
    ZHIDU_TRY(auto tasks, unit.ListProcedureTasks(id));
    std::optional<store::ProcedureTask> slot;
    bool known = false;
    for (const auto& t : tasks) {
      if (t.kind != "assignment" || t.state != in.state || t.task != task) continue;
      known = true;
      if (t.person_id == person_id)
        return Fail(Errc::kFailedPrecondition, Reason{"procedure.already_assigned"},
                    "this person already holds " + task, "person_id");
      if (!slot && t.person_id == 0) slot = t;
    }
    if (!known)
      return Fail(Errc::kInvalidArgument, kInvalid,
                  "state " + in.state + " has no assignment \"" + task + "\"", "task");
    if (!slot)
      return Fail(Errc::kFailedPrecondition, Reason{"procedure.task_full"},
                  "every place of \"" + task + "\" is taken", "task");
    const policy::Procedure* p = pack->FindProcedure(in.procedure);
    const policy::ProcState* st = p ? FindState(*p, in.state) : nullptr;
    std::vector<std::string> clauses = p ? CiteOf(*p, nullptr, st) : std::vector<std::string>{};
    // The person must hold the task's role at the site (through an account's grants).
    bool holds = false;
    ZHIDU_TRY(auto accounts, unit.ListAccounts({0, 10000}));
    for (const auto& a : accounts) {
      if (a.person_id != person_id || a.disabled) continue;
      ZHIDU_TRY(auto grants, unit.ListRoleGrants(a.id));
      if (HoldsOneOf(grants, {slot->role}, in.site_id, person->department_id)) holds = true;
    }
    if (!holds) {
      if (cited) *cited = clauses;
      return Fail(Errc::kFailedPrecondition, Reason{"procedure.wrong_role"},
                  person->name + " is not a " + slot->role + " of this site", "person_id");
    }
    slot->person_id = person_id;
    slot->assigned_by = who.account_id;
    slot->assigned_at = tx.now();
    auto updated = unit.UpdateProcedureTask(*slot);
    if (!updated && updated.error().code == Errc::kConflict) {
      if (cited) *cited = clauses;
      return Fail(Errc::kFailedPrecondition, Reason{"procedure.already_assigned"},
                  person->name +
                      " already holds another task in this state: its tasks go to "
                      "distinct people" +
                      (clauses.empty() ? "" : "（" + clauses.front() + "）"),
                  "person_id");
    }
    if (!updated) return Fail(updated.error());
    ZHIDU_TRY(auto seq,
              tx.Journal("procedure.assigned", who.account_id, "procedure/" + std::to_string(id),
                         CanonicalObject()
                             .Add("id", id)
                             .Add("site_id", in.site_id)
                             .Add("procedure", in.procedure)
                             .Add("state", in.state)
                             .Add("task", task)
                             .Add("role", slot->role)
                             .Add("person_id", person_id)
                             .Add("title", (p ? p->title : in.procedure) + "：" + task)
                             .AddRaw("clauses", Strings(clauses))
                             .Str()));
    (void)seq;
    return true;
  }));
  (void)done;
  return View(who, id);
}

Result<ProcedureView> Procedures::CompleteTask(const org::Principal& who, Id id, Id task_id,
                                               const std::string& note,
                                               const std::optional<Answers>& answers) {
  if (note.size() > 4000)
    return Fail(Errc::kInvalidArgument, Reason{"too_long"}, "note is too long", "note");
  auto pack = pack_.Current();
  std::vector<TimePoint> wakes;
  ZHIDU_TRY(auto done, writer_.Run<bool>([&](store::Tx& tx) -> Result<bool> {
    auto& unit = tx.unit();
    ZHIDU_TRY(auto found, LoadInstance(unit, who, id));
    ZHIDU_TRY(auto tasks, unit.ListProcedureTasks(id));
    auto it = std::find_if(tasks.begin(), tasks.end(),
                           [&](const store::ProcedureTask& t) { return t.id == task_id; });
    if (it == tasks.end())
      return Fail(Errc::kNotFound, "procedure instance " + std::to_string(id) + " has no task " +
                                       std::to_string(task_id));
    store::ProcedureTask t = *it;
    if (t.state != found.state)
      return Fail(Errc::kFailedPrecondition, Reason{"procedure.task_left"},
                  "task " + std::to_string(task_id) + " belongs to state " + t.state +
                      ", which the instance has left");
    if (t.done_at != TimePoint{})
      return Fail(Errc::kFailedPrecondition, Reason{"procedure.task_done"},
                  "task " + std::to_string(task_id) + " is done");
    if (t.kind == "assignment" && t.person_id != who.person_id)
      return Fail(Errc::kPermissionDenied, Reason{"procedure.not_assignee"},
                  "only the person assigned reports this task done");
    // A record step (record:ID) is the pack's record filled in; its answers are its content.
    const policy::Record* record = nullptr;
    if (t.kind == "action" && t.task.starts_with("record:"))
      for (const auto& r : pack->records())
        if (r.id == t.task.substr(7)) record = &r;
    std::string content = note;
    if (record) {
      if (!answers)
        return Fail(Errc::kInvalidArgument, kRequired,
                    "step " + t.task + " is the record " + record->title +
                        ": fill it in (answers, one per field of the record)",
                    "answers");
      if (!note.empty())
        return Fail(Errc::kInvalidArgument, kInvalid,
                    "a record step takes its answers, not a note: write it in a field", "note");
      ZHIDU_TRY(content, Duties::ValidateAnswers(record->fields, *answers));
    } else if (answers) {
      return Fail(Errc::kInvalidArgument, kInvalid,
                  "only a record step (record:…) takes answers; task " + t.task + " is not one",
                  "answers");
    }
    t.done_by = who.account_id;
    t.done_at = tx.now();
    t.note = content;
    ZHIDU_TRY_VOID(unit.UpdateProcedureTask(t));
    ZHIDU_TRY(auto seq,
              tx.Journal("procedure.task_done", who.account_id, "procedure/" + std::to_string(id),
                         CanonicalObject()
                             .Add("id", id)
                             .Add("site_id", found.site_id)
                             .Add("procedure", found.procedure)
                             .Add("state", t.state)
                             .Add("task", t.task)
                             .Add("account_id", who.account_id)
                             .Add("note", record ? std::string() : note)
                             .AddRaw("answers", record ? content : std::string("null"))
                             .Str()));
    (void)seq;
    // The step is an event of the site: deadlines stop or start on it with the instance's ref.
    Impl impl{*this, tx, *pack, who.account_id, {}};
    SiteEvent e{found.site_id, t.task, found.subject, found.ref, {}};
    ZHIDU_TRY(auto stopped, impl.StopDeadlines(e));
    ZHIDU_TRY(auto started, impl.StartDeadlines(e));
    (void)stopped;
    (void)started;
    wakes = impl.wakes;
    return true;
  }));
  (void)done;
  WakeAll(wakes);
  return View(who, id);
}

Result<store::Deadline> Procedures::GetDeadline(const org::Principal& who, Id id) {
  ZHIDU_TRY(auto unit, store_.BeginRead());
  auto d = unit->GetDeadline(id);
  if (!d || !MayActAt(who, d->site_id))
    return Fail(Errc::kNotFound, "deadline " + std::to_string(id) + " does not exist");
  return *d;
}

Result<std::vector<store::Deadline>> Procedures::ListDeadlines(const org::Principal& who,
                                                               const store::DeadlineFilter& filter,
                                                               store::PageRequest page) {
  if (filter.site_id != 0) ZHIDU_TRY_VOID(MayActAt(who, filter.site_id));
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(auto rows, unit->ListDeadlines(filter, page));
  if (filter.site_id != 0) return rows;
  return Visible(std::move(rows), [&](Id site) { return static_cast<bool>(MayActAt(who, site)); });
}

}  // namespace zhidu::runtime
