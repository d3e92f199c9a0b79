// Site events (现场事件): the one entry point through which anything that happens at a site — a
// fire alarm, a SCADA alarm, an order received, an employee leaving — reaches the policy runtime.
// A module raises one by emitting it on the event bus, in its own write transaction:
//
//   runtime::SiteEvent e{site_id, "scada_alarm", "1#泵站 通讯中断", "alarm-778", data};
//   ZHIDU_TRY_VOID(bus.Emit(tx, e));   // kernel/runtime/bus.hpp: Procedures subscribes
//
// Raising an event, in the caller's write transaction (docs/procedures.md):
//  1. journals site.event;
//  2. starts an instance of every pack procedure whose `trigger` is the event;
//  3. stops the open deadlines of every service level whose `stop` is the event, matched by site
//     and `ref` (or by `subject` when the event carries no ref);
//  4. starts a deadline for every service level whose `start` is the event;
//  5. when the event carries a ref, moves every open procedure instance of the site with that ref
//     whose current state has a transition `on` the event that names no roles (or, for an event a
//     module raises from a person's record, names a role that person's account holds at the site;
//     one not held refuses the record, 403) and whose guard, if any, holds over the event's data
//     (the procedure's declared inputs; e.g. r02-scada-fault observing -> cleared when the alarm
//     returns to normal; r06-complaint following -> closed on satisfaction_recorded with
//     customer.satisfied). Its deadlines are this event's (3, 4): the move does not start them
//     again;
//  6. creates an instance of every pack duty whose schedule is `on` the event, for the site's posts
//     named like the duty's post (R16 §二4 maintenance_due, R02 §一4 visitors_left;
//     docs/runtime.md).
// Either all of it commits with the caller's transaction or none of it does.
#pragma once

#include <string>
#include <vector>

#include "base/result.hpp"
#include "kernel/policy/expr.hpp"
#include "store/types.hpp"
#include "store/writer.hpp"

namespace zhidu::runtime {

struct SiteEvent {
  store::Id site_id = 0;
  std::string event;    // pack event name ("fire_alarm")
  std::string subject;  // what it is about, free text
  std::string ref;      // the raiser's reference (alarm id, order number); matches stop events
  // Typed data: person_id (the person concerned), a service level's due_from field ("deadline":
  // an ISO time or a duration such as "3wd"), "at" (the time a `before` deadline counts back from).
  policy::Context data;
  store::Id actor = 0;  // the account raising it; 0: the system
};

struct EventOutcome {
  std::int64_t journal_seq = 0;
  std::vector<store::Id> procedures_started;
  std::vector<store::Id> deadlines_started;
  std::vector<store::Id> deadlines_stopped;
  std::vector<store::Id> procedures_moved;  // invariant 5
  std::vector<store::Id> duties_started;    // invariant 6
};

class Events {
 public:
  virtual ~Events() = default;
  // In the caller's write transaction; `actor` is the account raising it, 0 for the system.
  virtual Result<EventOutcome> Raise(store::Tx& tx, const SiteEvent& event, store::Id actor) = 0;
};

}  // namespace zhidu::runtime
