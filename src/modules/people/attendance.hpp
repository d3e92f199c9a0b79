// Lateness and absence (迟到、缺勤) computed from post attendance against the published roster
// (issue 20 §4): a person rostered on a post's shift who takes the post after the shift started is
// late; one who never takes it during the shift is absent. Each finding is kept once per roster
// assignment and, when the site names the penalty it is charged under, recorded in the ledger as a
// violation the person can appeal (runtime::Ledger). The regulations give no grace period and no
// penalty code for every site, so both are site parameters with no default (docs/people.md).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "kernel/org/principal.hpp"
#include "kernel/policy/active_pack.hpp"
#include "kernel/policy/parameters.hpp"
#include "kernel/runtime/request_events.hpp"
#include "kernel/scheduler/scheduler.hpp"
#include "store/sql.hpp"
#include "store/store.hpp"
#include "store/writer.hpp"

namespace zhidu::people {

using store::Id;

// Site parameters (declared by the module, no defaults).
inline constexpr std::string_view kLateAfterParam = "attendance_late_after";
inline constexpr std::string_view kLateCodeParam = "attendance_late_code";
inline constexpr std::string_view kAbsentCodeParam = "attendance_absent_code";
inline constexpr std::string_view kAttendanceTimer = "people.attendance";

enum class FindingKind { kLate, kAbsent };
std::string_view FindingKindName(FindingKind kind);  // "late" | "absent"

// One late arrival or absence: a roster assignment and what the attendance showed.
struct Finding {
  Id id = 0;
  Id site_id = 0;
  Id person_id = 0;
  Id post_id = 0;
  Id assignment_id = 0;
  FindingKind kind = FindingKind::kLate;
  TimePoint shift_start, shift_end;
  TimePoint arrived_at;           // epoch when absent
  std::int64_t minutes_late = 0;  // whole minutes, rounded up; 0 when absent
  Id violation_id = 0;            // 0: not charged (no code set, or the code is not the pack's)
  std::string note;               // why it was not charged, in zh-CN
  TimePoint found_at;
  // Withdrawn (撤销): the shift was covered by leave approved after it was judged; the approved
  // request and when. 0 / epoch: in force.
  Id withdrawn_request = 0;
  TimePoint withdrawn_at;
};

struct FindingFilter {
  Id site_id = 0;
  Id person_id = 0;
};

std::vector<store::Migration> AttendanceMigrations();  // appended to the module's migrations
std::vector<store::Migration> WithdrawalMigrations();  // 5: findings withdrawn by late leave

// 请假 approved after the day (a leave request of the pack, modules/roster/leave_requests.hpp,
// filed beforehand and decided once some of its shifts were over): every finding of the applicant
// at the request's site whose shift starts in the leave's period, still in force, is withdrawn in
// the approval's transaction — marked with the request, journaled attendance.finding.withdrawn
// citing the request type's clauses, and its violation withdrawn in the ledger
// (runtime::Ledger::Withdraw) — so the person is not charged for a shift they were excused from.
// Runs after the roster's own handler (module order), which has retired those shifts as leave.
Result<void> WithdrawForLeave(store::Tx& tx, const runtime::RequestApproved& e);

class AttendanceCheck {
 public:
  // How often the check runs while a shift waits for its verdict (someone late so far): how fresh
  // the findings are, not a rule of the regulations.
  static constexpr Micros kEvery = std::chrono::minutes(5);
  // With no shift waiting, the next run is when the next published shift starts, and at the
  // latest this long after the last (a roster published meanwhile is judged by then, or at once
  // by POST /attendance-findings:check).
  static constexpr Micros kIdle = std::chrono::hours(1);

  AttendanceCheck(store::Store& store, store::Writer& writer, scheduler::Scheduler& scheduler,
                  const policy::ActivePack& pack, const org::RoleCatalogue& roles,
                  const Clock& clock);

  static std::vector<policy::ParamDecl> Parameters(const policy::Pack& pack);
  // Registers the timer handler and, when none is pending, schedules the first check (it looks at
  // shifts starting from now on: nothing before the module first ran is judged).
  Result<void> Start();
  // Runs the next run's check now for one site (POST /api/v1/attendance-findings:check): the
  // shifts since the pending timer's start. Answers the findings it made.
  Result<std::vector<Finding>> CheckNow(const org::Principal& who, Id site_id);
  // Findings at a site: everyone's with ledger.read there, otherwise one's own.
  Result<std::vector<Finding>> List(const org::Principal& who, const FindingFilter& f,
                                    store::PageRequest page);

 private:
  Result<void> OnTimer(store::Tx& tx, const store::Timer& t);
  // Where the next run starts: the pending timer's subject.
  Result<TimePoint> NextFrom(store::Tx& tx);
  // Judges the published assignments that started in [from, now]; answers the findings made and
  // the start of the earliest shift it could not judge yet (nullopt: none).
  Result<std::pair<std::vector<Finding>, std::optional<TimePoint>>> Judge(store::Tx& tx,
                                                                          TimePoint from,
                                                                          Id only_site);

  store::Store& store_;
  store::Writer& writer_;
  scheduler::Scheduler& scheduler_;
  const policy::ActivePack& pack_;
  const org::RoleCatalogue& roles_;
  const Clock& clock_;
};

}  // namespace zhidu::people
