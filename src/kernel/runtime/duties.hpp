// Duties (例行职责): recurring duty instances materialised from the pack's duties per site post,
// their completion with checklist answers, and what a miss brings; attendance on posts (在岗),
// which says who was responsible when a duty was missed.
//
// Invariants:
//  1. Instances are planned ahead (options.horizon) by one durable timer "duty.plan" that re-arms
//     itself every options.plan_every; planning is idempotent (an instance's key is duty, post and
//     due time), so re-planning, restarts and several nodes never duplicate an instance.
//  2. Each instance has two durable timers: "duty.due" at due_at (scheduled -> due, journaled
//     duty.due) and "duty.close" at miss_at (not completed -> missed, journaled duty.missed, plus
//     the pack's on_miss: notify roles, and a violation against each person who held the post
//     during the window except late takers (WhoAnswersForMiss) — or, when nobody answers, one
//     against nobody). A timer fires exactly once (kernel/scheduler), so a miss is raised once.
//  3. Completion: only while the instance is open (due_at <= now < miss_at); by a person on the
//  post
//     at that moment, or an account holding duty.manage at the site; answers are validated against
//     the duty's checklist or record (required items, kinds, numeric ranges). On time when
//     completed by window_end, else late. Completion, its answers and who did it are journaled.
//  4. A post with a staffing rule `substitute_before_leaving` (离岗须有人代岗) cannot be left
//     without naming a relief, who takes over the post in the same transaction; with
//     `leave_request` (离岗须经批准) its last person may leave without a relief only with an
//     approval of that request type filed by them and approved since they went on the post
//     (attendance.leave_not_approved otherwise).
//  5. Shift duties (on: shift_start | shift_end; N per shift) follow the published roster's shifts
//     of the post, read through the ShiftCalendar the composition root wires; without a published
//     roster a post gets none. Schedules that need events (on: work_start, <event>) are not planned
//     here; PlanReport lists them (docs/runtime.md).
//  6. Going on a post of the pack (TakePost, or named as the relief by LeavePost) needs one of the
//     post's roles at its site and each of its certifications valid on the site's local day
//     (持证上岗; R12 §四(二之2)1 经培训后方可上机操作, R20 §二3, R16 §二5 消防中控员): refused with
//     kPermissionDenied citing the clauses (policy::CheckPostWorker), nothing written.
//  7. Event duties (on: <event>, e.g. maintenance_due, visitors_left) are created when the site
//     event is raised (StartForEvent, in the event's transaction): due at once, their window the
//     duty's fixed window, else the event's data "deadline", else the post's published shift under
//     way — never an invented figure; with none of these the event is refused.
//  8. Leaving a post to a named colleague may carry the answers of the post's relief checklist
//     (kind: relief, R12 §四(二)2(5) 接班人员未到…需及时反映情况): validated like a duty's form and
//     journaled with post.left, which notifies the superiors of the post's roles.
//  9. A post marked not staffed at its site (SetStaffing) is not planned, raises no event duties
//     and cannot be taken; marking needs nobody on it and cancels its open and planned instances
//     in the same transaction (their timers then fire as no-ops), so none falls due or is missed.
//     Marked staffed again, those not yet due are scheduled again and the site is planned.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/result.hpp"
#include "kernel/org/principal.hpp"
#include "kernel/policy/active_pack.hpp"
#include "kernel/policy/post_rules.hpp"
#include "kernel/runtime/actions.hpp"
#include "kernel/runtime/bus.hpp"
#include "kernel/runtime/events.hpp"
#include "kernel/runtime/site_parameters.hpp"
#include "kernel/scheduler/scheduler.hpp"
#include "store/store.hpp"
#include "store/writer.hpp"

namespace zhidu::runtime {

namespace perm {
inline constexpr std::string_view kDutyManage = "duty.manage";
}  // namespace perm

inline constexpr std::string_view kDutyPlanTimer = "duty.plan";
inline constexpr std::string_view kDutyDueTimer = "duty.due";
inline constexpr std::string_view kDutyCloseTimer = "duty.close";

using AnswerValue = std::variant<bool, double, std::string>;
using Answers = std::map<std::string, AnswerValue, std::less<>>;

struct DutyOptions {
  std::chrono::hours horizon{26};       // how far ahead instances exist
  std::chrono::minutes plan_every{60};  // how often planning runs
  std::chrono::minutes grace{0};        // after window_end before missed; regulations give none
};

// A published shift of a post.
struct ShiftWindow {
  TimePoint starts_at;
  TimePoint ends_at;
};
// Published shifts of `post_id` starting in [from, to), read with the planner's unit of work (the
// roster module's view; wired in src/app/server.cpp so runtime does not depend on it).
using ShiftCalendar = std::function<Result<std::vector<ShiftWindow>>(
    store::UnitOfWork& unit, store::Id post_id, TimePoint from, TimePoint to)>;

// A site post named like a duty's post but marked not staffed (invariant 9).
struct PlanReportSkip {
  store::Id site_id = 0;
  store::Id post_id = 0;
  std::string reason;  // the site's reason for not staffing it
};

// What planning can and cannot materialise, per pack duty.
struct PlanReportEntry {
  std::string duty;
  std::string post;
  bool planned = false;
  int posts_matched = 0;                    // site posts named like the duty's post
  std::string reason;                       // why not planned
  std::vector<PlanReportSkip> not_staffed;  // matched posts not planned: marked not staffed
};

// A duty of a post whose window closes within the site's late_takeover_grace as someone takes the
// post: they are not charged if it is missed (WhoAnswersForMiss), and the console says so.
struct TakeoverWarning {
  store::Id duty_id = 0;  // the instance
  std::string duty;       // the pack duty
  std::string title;
  TimePoint window_end;
  std::string message;  // zh-CN, names the duty and its end
};

// Who answers for a missed duty whose window is [window_start, window_end) (docs/runtime.md "Who
// answers for a miss"), from the post's stints overlapping it (any order).
struct MissCharge {
  std::vector<store::Id> charged;  // people who held the post in the window, once each
  std::vector<store::Id> spared;   // people whose every stint there was a late takeover
};
// Whether a stint that began at `started_at` is a late takeover of the window: it began after the
// window opened and within `grace` of its end. Without a grace (nullopt: the site has not set
// late_takeover_grace) nothing is late. Pure.
bool LateTakeover(TimePoint started_at, TimePoint window_start, TimePoint window_end,
                  std::optional<Micros> grace);
// Each person whose stint overlaps the window answers, except one all of whose overlapping stints
// are late takeovers. Pure.
MissCharge WhoAnswersForMiss(const std::vector<store::Attendance>& stints, TimePoint window_start,
                             TimePoint window_end, std::optional<Micros> grace);

// The relief checklist (顶班, kind: relief) answered when leaving a post to a named colleague.
struct LeaveRelief {
  std::vector<std::string> checklists;  // the relief checklists that apply to the post
  std::vector<std::string> clauses;
  std::string answers;                    // canonical JSON of the validated answers
  std::vector<std::string> notify_roles;  // superiors of the post's roles (反映情况)
};

// What the pack says about a duty, for the console: its title, clauses and form.
struct DutyInfo {
  std::string title;
  std::vector<std::string> clauses;
  std::string form;  // checklist or record id, empty when none
  std::vector<policy::ChecklistItem> items;
  std::string form_kind;  // the checklist's kind ("test", "form" …), "record"
  std::string period;     // times/per schedules: day | week | month | half_year …
  std::optional<policy::FollowUp> follow_up;  // what an abnormal answer starts
};

class Duties {
 public:
  // `actions` performs a duty's follow_up action (e.g. `repair`, registered by the repairs
  // module); `bus` carries a follow_up's site event to the procedures (kernel/runtime/bus.hpp).
  Duties(store::Store& store, store::Writer& writer, scheduler::Scheduler& scheduler,
         const policy::ActivePack& pack, const org::RoleCatalogue& roles, const Actions& actions,
         const EventBus& bus, DutyOptions options = {});

  // Registers the three timer handlers (before scheduler.Start()).
  void RegisterHandlers();
  // Enables shift duties; set before the scheduler starts.
  void SetShiftCalendar(ShiftCalendar calendar) { shift_calendar_ = std::move(calendar); }
  // Makes sure a pending duty.plan timer exists (at most one is created per call) so planning
  // starts; call once at startup after the writer runs.
  Result<void> EnsurePlanning();
  // Plans [now, now + horizon) for every site now; returns how many instances were created.
  Result<int> PlanNow(const org::Principal& who);
  std::vector<PlanReportEntry> PlanReport() const;
  // The pack's duty `duty_id` in the pack in force; nullopt when the pack no longer has it.
  std::optional<DutyInfo> Describe(std::string_view duty_id) const;

  Result<store::DutyInstance> Get(const org::Principal& who, store::Id id);
  // Reading needs a role at the duty's site (or a company-wide one): see MayRead.
  Result<std::vector<store::DutyInstance>> List(const org::Principal& who, store::DutyFilter filter,
                                                store::PageRequest page);
  Result<store::DutyInstance> Start(const org::Principal& who, store::Id id);
  // Completes with `answers`; where the duty has a follow_up, each abnormal answer runs its action
  // (e.g. opens a repair, 报修) in the same transaction; the ids opened go to `repairs_opened`.
  Result<store::DutyInstance> Complete(const org::Principal& who, store::Id id,
                                       const Answers& answers,
                                       std::vector<store::Id>* repairs_opened = nullptr);

  // Attendance (在岗). Taking a post of the pack needs one of its roles at the site and its
  // certificates valid today (invariant 6); `cited` (if given) receives a refusal's clauses.
  // A post marked not staffed cannot be taken (kFailedPrecondition). `warnings` (if given)
  // receives the post's open duties whose window closes within the site's late_takeover_grace;
  // they are journaled with post.taken.
  Result<store::Attendance> TakePost(const org::Principal& who, store::Id post_id,
                                     std::vector<std::string>* cited = nullptr,
                                     std::vector<TakeoverWarning>* warnings = nullptr);
  // Leaves the post; `relief_person_id` takes it over (required where the pack says so), and must
  // be allowed on the post as by TakePost. With `relief_answers` (only with a relief) the post's
  // relief checklist is answered (invariant 8); what applied goes to `relief_out` when given.
  Result<store::Attendance> LeavePost(const org::Principal& who, store::Id post_id,
                                      store::Id relief_person_id,
                                      const Answers* relief_answers = nullptr,
                                      LeaveRelief* relief_out = nullptr,
                                      std::vector<std::string>* cited = nullptr);
  // Invariant 7: the instances of the duties `event` raises at its site, inside the caller's
  // transaction; `key` makes them distinct from another raise at the same instant (the event's
  // journal sequence). kInvalidArgument naming data.deadline when a window cannot be set.
  Result<std::vector<store::Id>> StartForEvent(store::Tx& tx, const SiteEvent& event,
                                               std::int64_t key);
  Result<std::vector<store::Attendance>> OnPost(store::Id post_id);

  // Marks a post not staffed at its site, with the site's `reason` (required), or staffed again
  // (invariant 9); needs org.write at the post's site. Marking needs nobody on the post
  // (kFailedPrecondition). Journaled post.staffing.set with the previous reason. Staffed again,
  // the site is planned at once: `planned` (if given) receives how many instances were created.
  Result<PostNotStaffed> SetStaffing(const org::Principal& who, store::Id post_id, bool staffed,
                                     const std::string& reason, int* planned = nullptr);
  // The site's posts marked not staffed; needs a role at the site.
  Result<std::vector<PostNotStaffed>> NotStaffed(const org::Principal& who, store::Id site_id);
  // What leaving `post_id` to a colleague asks: its relief checklists' items, clauses and the roles
  // told (policy::ReliefFormOf); needs a role at the post's site.
  Result<policy::ReliefForm> ReliefOf(const org::Principal& who, store::Id post_id);

  // Validates `answers` against `items`; kInvalidArgument naming the first bad item. Returns the
  // canonical JSON of the answers. Public for tests.
  static Result<std::string> ValidateAnswers(const std::vector<policy::ChecklistItem>& items,
                                             const Answers& answers);

 private:
  bool MayRead(const org::Principal& who, store::Id site_id) const;
  static Result<void> MayWork(store::UnitOfWork& unit, const policy::Pack& pack,
                              const store::Post& post, const store::Person& person,
                              const std::vector<std::string>& roles, TimePoint now,
                              std::vector<std::string>* cited);
  Result<int> PlanAll(store::Tx& tx, const policy::Pack& pack, TimePoint from, TimePoint to);
  Result<int> PlanSite(store::Tx& tx, const policy::Pack& pack, const store::Site& site,
                       TimePoint from, TimePoint to);

  Result<void> OnPlanTimer(store::Tx& tx, const store::Timer& timer);
  Result<void> OnDueTimer(store::Tx& tx, const store::Timer& timer);
  Result<void> OnCloseTimer(store::Tx& tx, const store::Timer& timer);
  Result<store::DutyInstance> Mutate(
      const org::Principal& who, store::Id id,
      const std::function<Result<void>(store::Tx&, const policy::Pack&, store::DutyInstance&)>& f);

  store::Store& store_;
  store::Writer& writer_;
  scheduler::Scheduler& scheduler_;
  const policy::ActivePack& pack_;
  const org::RoleCatalogue& roles_;
  const Actions& actions_;
  const EventBus& bus_;
  DutyOptions options_;
  ShiftCalendar shift_calendar_;
};

}  // namespace zhidu::runtime
