// Open tickets carried over at a handover (issue 18 §9): the service module's side of the
// kernel's handover events (kernel/runtime/handover_events.hpp). The handover module never reads
// a ticket; this module never reads a handover.
#pragma once

#include "kernel/runtime/bus.hpp"

namespace zhidu::service {

// On HandoverOpening of a post that is a ticket queue: the outgoing's tickets of that queue not
// yet resolved (new, open, pending) are listed in the handover. On HandoverCompleted: each of them
// still held by the outgoing and not resolved passes to the incoming — reassigned, a thread entry
// and `service.ticket.assigned` (carried_over, handover_id, the handover's clauses) journaled in
// the signature's transaction; no ticket event is raised, so the SLA clocks run on untouched.
// 409 service.carry_not_agent (the signature refused) when the incoming is not an agent of the site.
void SubscribeHandoverCarry(runtime::EventBus& bus);

}  // namespace zhidu::service
