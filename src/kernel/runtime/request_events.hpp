// What modules hear when the kernel's requests (requests.hpp) are filed and approved: events on
// the in-transaction bus (bus.hpp), so a module can carry out what a request type of the pack asks
// for on approval (modules/roster: 请假 marks the applicant's shifts) and refuse a filing it could
// never carry out — in the request's own write job, committing or rolling back with it.
//
//   // the app gives Requests the bus:  runtime::Requests requests(…, active_pack, &bus);
//   // in a module's Start:  k.bus.Subscribe<runtime::RequestApproved>("roster", handler);
//
// Invariants:
//  1. RequestFiled is emitted in the write job that inserts the request, after the insert and
//     before request.created is journaled; a subscriber's error is the filing's (nothing written).
//  2. RequestApproved is emitted in the write job that approves the request (the last step's
//     decision, or the filing of a type without steps), after request.approved is journaled; a
//     subscriber's error refuses the decision (nothing written, the request stays pending).
//  3. Every request of every type is emitted; a subscriber picks the types it acts on from what the
//     pack declares of them (their inputs), never by a pack's request id.
#pragma once

#include <string>

#include "base/result.hpp"
#include "kernel/policy/pack.hpp"
#include "kernel/runtime/bus.hpp"
#include "store/types.hpp"

namespace zhidu::runtime {

struct RequestFiled {
  const policy::Request& type;
  const store::ApprovalRequest& request;  // with its id; pending
  const policy::Context& inputs;
};

struct RequestApproved {
  const policy::Request& type;
  const store::ApprovalRequest& request;  // with its id; approved
  const policy::Context& inputs;
  store::Id approver = 0;  // the account whose decision approved it (the applicant without steps)
};

// The typed inputs of a stored request (its canonical JSON) per the type's schema; names the type
// no longer declares are dropped.
Result<policy::Context> InputsOf(const policy::Request& type, const std::string& inputs_json);

}  // namespace zhidu::runtime
