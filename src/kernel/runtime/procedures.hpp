// Procedures (流程) and deadlines (时限): instances of the pack's `procedures:` state machines and
// `service_levels:`, started by site events (events.hpp), moved by people and by durable timers.
//
// Invariants:
//  1. Every change is journaled in the transaction that makes it: procedure.started,
//     procedure.transition, procedure.assigned, procedure.task_done, procedure.notified,
//     procedure.timer_not_armed, procedure.understaffed, deadline.started, deadline.stopped,
//     deadline.warning, deadline.breached. Payloads carry site_id and, where someone must act,
//     notify_roles (docs/notifications.md).
//  2. A transition is fired only from the instance's current state (compare-and-set in the store),
//     by a holder of one of its `roles` (403 citing the clause), when its guard holds over the
//     caller's inputs (409 citing the clause). An unknown event is refused listing the allowed
//     ones; so is one a module raises from its records (SetModuleEvents): that transition moves
//     only with the module's event, its guard read over the event's data.
//  3. Entering a state arms its timers as durable timers; leaving it cancels them. A timer whose
//     figure is a site parameter the site has not set is not armed, and the instance says so in
//     its notes: no figure is invented.
//  4. Assignments of one state go to distinct people (a unique index): R20 §四2's one operator on
//     site and one at the console are two persons. Too few people on the post when a state with
//     assignments is entered is flagged (note + journal), never a refusal: an alarm is handled
//     with the people there are.
//  5. A deadline's due time comes from the pack (the first of its targets the event's data matches,
//     else within; before, cutoff, due_from) and the event's data, in the site's time zone and,
//     for working days, the pack's calendar; a restart event starts another only once the ref's
//     last one has stopped. A breach fires once (durable timer) and runs on_breach: alert/escalate
//     notify roles, violation raises through the ledger against the person named in the event (or
//     nobody, noted).
//  6. At most one open instance per procedure and ref is started by events: an event whose ref
//     already has an open instance of a procedure it triggers is a repeat (journaled repeat_of)
//     and starts neither instances nor deadlines. Transitions and confirmed steps are events too
//     (named as the transition's `on` / the step), stopping and starting deadlines with the
//     instance's ref and the data that moved it (a person's inputs, a site event's data: R15's
//     boarding reminder counts back from the departure the check-in carries as data.at).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "kernel/org/principal.hpp"
#include "kernel/policy/active_pack.hpp"
#include "kernel/runtime/actions.hpp"
#include "kernel/runtime/bus.hpp"
#include "kernel/runtime/duties.hpp"
#include "kernel/runtime/events.hpp"
#include "kernel/scheduler/scheduler.hpp"
#include "store/store.hpp"
#include "store/writer.hpp"

namespace zhidu::runtime {

inline constexpr std::string_view kProcedureTimer = "procedure.timer";
inline constexpr std::string_view kDeadlineDueTimer = "deadline.due";
inline constexpr std::string_view kDeadlineWarnTimer = "deadline.warn";

struct AllowedEvent {
  std::string event;
  std::string to;
  std::string to_title;            // the target state's title in the pack (shown on the button)
  std::vector<std::string> roles;  // empty: anyone acting at the site
  std::vector<std::string> clauses;
  std::string guard;  // expression source, empty when none
  bool viewer_may = false;
};

struct ArmedTimer {
  std::string event;
  store::Id timer_id = 0;
  TimePoint due_at;
  std::string state;  // the timer's state (pending, fired, cancelled)
};

struct ProcedureView {
  store::ProcedureInstance instance;
  std::string title;
  std::vector<std::string> clauses;
  std::string state_title;
  std::vector<std::string> state_clauses;
  std::vector<std::pair<std::string, std::string>> state_titles;  // every state: id, title
  bool terminal = false;
  std::vector<AllowedEvent> allowed;
  std::vector<store::ProcedureTransition> history;
  std::vector<store::ProcedureTask> tasks;
  std::vector<ArmedTimer> timers;
};

class Procedures final : public Events {
 public:
  // `actions` performs a state's action words other than notify/call/violation (`repair:ROLE`).
  Procedures(store::Store& store, store::Writer& writer, scheduler::Scheduler& scheduler,
             const policy::ActivePack& pack, const org::RoleCatalogue& roles,
             const Actions& actions);

  // Registers the timer handlers (before scheduler.Start()).
  void RegisterHandlers();
  // The duties a raised event starts (on: <event>), created in the event's transaction; wired by
  // the composition root to Duties::StartForEvent so this module does not depend on duties.
  using EventDuties = std::function<Result<std::vector<store::Id>>(
      store::Tx& tx, const SiteEvent& event, std::int64_t key)>;
  void SetEventDuties(EventDuties f) { event_duties_ = std::move(f); }
  // Site events a module raises from what it records (api::Module::RaisedEvents), each with the
  // module's name: people neither raise them (RaiseAs) nor fire a transition on them (Fire) — the
  // record is the only way in (issue 18 §5: the 客户反馈表 closes on the customer's satisfaction
  // as recorded, not as an agent says). Call once at start.
  using ModuleEvents = std::map<std::string, std::string, std::less<>>;
  void SetModuleEvents(ModuleEvents events) { module_events_ = std::move(events); }

  Result<EventOutcome> Raise(store::Tx& tx, const SiteEvent& event, store::Id actor) override;
  // Every SiteEvent emitted on `bus` is raised here (actor: event.actor), in the emitter's
  // transaction. Call once at start.
  void SubscribeTo(EventBus& bus);

  // An account raises a site event (needs a role at the site).
  Result<EventOutcome> RaiseAs(const org::Principal& who, const SiteEvent& event);
  // Starts `procedure` directly (not through its trigger).
  Result<ProcedureView> Start(const org::Principal& who, const std::string& procedure,
                              const SiteEvent& event);
  Result<ProcedureView> Get(const org::Principal& who, store::Id id);
  Result<std::vector<store::ProcedureInstance>> List(const org::Principal& who,
                                                     const store::ProcedureFilter& filter,
                                                     store::PageRequest page);
  // Fires `event`. On refusal `*cited` gets the clauses the refusal cites.
  Result<ProcedureView> Fire(const org::Principal& who, store::Id id, const std::string& event,
                             const std::string& note, const policy::Context& inputs,
                             std::vector<std::string>* cited);
  // Assigns `person_id` to the first free slot of `task` in the current state.
  Result<ProcedureView> Assign(const org::Principal& who, store::Id id, const std::string& task,
                               store::Id person_id, std::vector<std::string>* cited);
  // Confirms a task of the current state (an action such as "call:119", or an assignment done).
  // A `record:ID` step is the pack record ID filled in: `answers` (validated against its fields,
  // kept as the step's note in canonical JSON) is required there and refused elsewhere. The step
  // done is an event of the site too (named as the task, with the instance's ref), so a service
  // level may stop on it (R20: the 119 call, the 报警处理记录).
  Result<ProcedureView> CompleteTask(const org::Principal& who, store::Id id, store::Id task_id,
                                     const std::string& note,
                                     const std::optional<Answers>& answers = std::nullopt);

  Result<store::Deadline> GetDeadline(const org::Principal& who, store::Id id);
  Result<std::vector<store::Deadline>> ListDeadlines(const org::Principal& who,
                                                     const store::DeadlineFilter& filter,
                                                     store::PageRequest page);

 private:
  struct Impl;
  Result<ProcedureView> View(const org::Principal& who, store::Id id);
  Result<void> MayActAt(const org::Principal& who, store::Id site_id) const;
  // The instance, or kNotFound when it is missing or `who` may not see it.
  Result<store::ProcedureInstance> LoadInstance(store::UnitOfWork& unit, const org::Principal& who,
                                                store::Id id) const;
  void WakeAll(const std::vector<TimePoint>& due);

  store::Store& store_;
  store::Writer& writer_;
  scheduler::Scheduler& scheduler_;
  const policy::ActivePack& pack_;
  const org::RoleCatalogue& roles_;
  const Actions& actions_;
  EventDuties event_duties_;
  ModuleEvents module_events_;
};

}  // namespace zhidu::runtime
