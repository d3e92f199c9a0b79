// 请假 through the pack's request chain (issue 20 §5): a request type of the pack whose inputs
// declare kLeaveFromInput and kLeaveToInput (strings: local days "YYYY-MM-DD", inclusive) is a
// leave request — that declaration is the pack's link to this effect; no request id is named here.
// The applicant is the person on leave. Both run in the request's own write job
// (kernel/runtime/request_events.hpp):
//
//  - filing is refused, nothing written, when the period is malformed (400 roster.leave_period),
//    the applicant's account is no person (409 roster.leave_no_person), the period holds none of
//    the person's active shifts of published rosters at the request's site (409
//    roster.leave_no_shift), one of those shifts has begun (409 roster.leave_not_in_advance, citing
//    the type's clauses: leave is asked beforehand), or it overlaps another pending or approved
//    leave request of theirs (409 roster.leave_overlap);
//  - approval retires each of those shifts as "leave" (note 请假（申请 #ID）), journals
//    roster.leave per shift with the request, the clauses and what the shift then lacks (its
//    staffing problems, notifying roster.manage to substitute — 代班); attendance judges only
//    active shifts, so a shift on leave is never late or absent. None left to mark (swapped away
//    since): 409 roster.leave_no_shift, the approval is refused and the request stays pending.
//    Approval may come after some of those shifts (filed beforehand, decided late): they are
//    retired all the same, and modules/people withdraws what attendance found on them
//    (LeaveSpanOf gives it the period's instants).
#pragma once

#include <string_view>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "kernel/policy/pack.hpp"
#include "kernel/runtime/request_events.hpp"
#include "store/writer.hpp"

namespace zhidu::roster {

inline constexpr std::string_view kLeaveFromInput = "roster_leave.from";
inline constexpr std::string_view kLeaveToInput = "roster_leave.to";

// Whether the pack's request type is a leave request (declares both inputs as strings).
bool IsLeaveRequest(const policy::Request& type);

// The instants a leave request's period covers, [from, before): its first local day's midnight to
// the midnight after its last, in the zone of the request's site.
struct LeaveSpan {
  TimePoint from, before;
};
Result<LeaveSpan> LeaveSpanOf(store::UnitOfWork& unit, const store::ApprovalRequest& request,
                              const policy::Context& inputs);

Result<void> OnLeaveFiled(store::Tx& tx, const policy::Pack& pack, const runtime::RequestFiled& e);
Result<void> OnLeaveApproved(store::Tx& tx, const policy::Pack& pack,
                             const runtime::RequestApproved& e);

}  // namespace zhidu::roster
