// What modules hear of a handover (交接班, modules/handover): events on the in-transaction bus
// (bus.hpp). A module that keeps work per post and person — the service module's open tickets on
// a queue's post — lists that work in the handover when it opens and passes it to the incoming
// when it completes, without the handover module knowing that module and without that module
// reading the handover's tables (issue 18 §9: R17 §一2 交接要详细、明确, R08 §二6 严格交接班手续).
//
//   // the handover module's face:  handovers->SetBus(&k.bus);
//   // in a module's Start:         k.bus.Subscribe<runtime::HandoverOpening>("service", handler);
//
// Invariants:
//  1. HandoverOpening is emitted in the write job that opens the handover, before the report is
//     frozen; a subscriber appends what the outgoing hands over to `carried` and writes nothing.
//     The items join the frozen report (`carried`), so the report's hash covers them.
//  2. HandoverCompleted is emitted in the write job of the last signature, after attendance has
//     switched and before handover.completed is journaled; a subscriber passes the outgoing's work
//     to the incoming (its own writes and journal records) and appends what it passed to
//     `carried`, which handover.completed lists. A subscriber's error refuses the signature:
//     nothing is written, the handover stays open.
//  3. Neither event names a module or a pack's post: a subscriber picks what is its own by the
//     post's id (a ticket's queue is a post).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "store/types.hpp"

namespace zhidu::runtime {

// One thing the outgoing hands over: `item` its record ("ticket/12"), `what` a line a person reads.
struct CarriedItem {
  std::string item;
  std::string what;
  std::string module;  // who keeps it ("service")
};

struct HandoverOpening {
  store::Id site_id = 0;
  store::Id post_id = 0;
  std::string_view post;  // the post's name
  store::Id outgoing_person = 0;
  store::Id incoming_person = 0;
  std::vector<CarriedItem>* carried = nullptr;  // subscribers append
};

struct HandoverCompleted {
  store::Id handover_id = 0;
  store::Id site_id = 0;
  store::Id post_id = 0;
  std::string_view post;
  store::Id outgoing_person = 0;
  store::Id incoming_person = 0;
  store::Id actor = 0;                          // the account whose signature completed it
  std::vector<std::string> clauses;             // the pack's handover checklists' clauses, to cite
  std::vector<CarriedItem>* carried = nullptr;  // subscribers append what they passed
};

}  // namespace zhidu::runtime
