// Typed policy pack: what a regulation compiles to. Built by LoadPack (loader.hpp) from YAML;
// nothing downstream sees YAML. Immutable after loading; safe to share across threads (the
// expression engine serialises evaluation internally).
//
// Every rule carries `clause` (one or more clause ids, "R12 §四(二)2") resolvable in clauses().
// Numbers a regulation does not give are not invented: such values are a `Param` with a name and
// no value, set per site (docs/policy_format.md §Parameters).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kernel/policy/calendar.hpp"
#include "kernel/policy/clause_index.hpp"
#include "kernel/policy/expr.hpp"

namespace zhidu::policy {

// A length of time: fixed seconds, calendar months, or working days (business calendar).
struct Duration {
  std::chrono::seconds fixed{0};
  int months = 0;        // "1mo", "6mo"
  int working_days = 0;  // "3wd"
  bool operator==(const Duration&) const = default;
};
// "15m", "2m", "1h30m", "12h", "1d", "1w", "1mo", "6mo", "3wd", "90s".
Result<Duration> ParseDuration(std::string_view text);

// Minutes after local midnight; "24:00" is 1440 (the end of a day).
struct TimeOfDay {
  int minutes = 0;
  bool operator==(const TimeOfDay&) const = default;
};
Result<TimeOfDay> ParseTimeOfDay(std::string_view text);  // "HH:MM"

struct TimeRange {  // a daily window; end < start crosses midnight ("22:00"-"08:00")
  TimeOfDay start;
  TimeOfDay end;
  bool operator==(const TimeRange&) const = default;
};
Result<TimeRange> ParseTimeRange(std::string_view text);  // "HH:MM-HH:MM"
std::string FormatTimeRange(const TimeRange& r);          // "08:00-11:30"

// Working-hour periods (WorkingHours below): at least one, each ending after it starts on the same
// day, ascending, not overlapping. kInvalidArgument saying which period is wrong otherwise.
Result<void> CheckWorkPeriods(const std::vector<TimeRange>& periods);

// A number given by the regulation, or a named site parameter without a default.
struct Param {
  std::optional<double> value;
  std::string name;  // set when the regulation leaves the figure to the site
};

struct Source {  // where a rule came from, for diagnostics and explain
  std::string file;
  int line = 0;
  int column = 0;
};

struct RuleBase {
  std::string id;
  std::vector<std::string> clauses;  // normalised clause ids
  std::string title;
  Source source;
};

// 角色 — a role in the organisation; the RBAC catalogue.
struct Role : RuleBase {
  std::string reports_to;  // superior role id, may be empty
  bool system = false;     // declared in pack.yaml: a product role no regulation names
  // What a holder may do beyond the pack's own rules (who approves, who fires a transition):
  // ids from the permission catalogue (org/permissions.hpp, api::Module::Permissions), "*" = all.
  std::vector<std::string> permissions;
};

// 岗位 — a post people are assigned to, with what it requires.
struct Post : RuleBase {
  std::vector<std::string> roles;           // role ids a holder must have
  std::vector<std::string> certifications;  // 持证上岗
  bool training_required = false;           // 经培训后方可上岗
  std::optional<int> min_age, max_age;
  std::string education;  // "高中以上"
};

enum class AccessEffect { kAllow, kDeny, kRequest };

struct AccessRule {
  std::vector<std::string> clauses;
  std::vector<std::string> roles;  // empty with `everyone`
  std::string who;                 // a named group: "everyone", "non_company", "other_department"
  AccessEffect effect = AccessEffect::kAllow;
  std::string request;  // request id when effect is kRequest
  bool register_visit = false;
  bool escort = false;
  std::vector<TimeRange> during;  // empty = always
};

// 场所 — a room or area with access rules.
struct Place : RuleBase {
  std::vector<AccessRule> access;
  std::vector<std::string> forbidden;  // activities, e.g. "明火"
  bool never_unattended = false;       // 不得无人值守
};

struct ShiftDef {
  std::string id;
  std::string name;
  TimeOfDay start;
  TimeOfDay end;  // end <= start: crosses midnight
  // `hours: {param: NAME}`: the regulation gives the shift but not its hours (R08/R17/R19 say
  // 值班, 交接班 and 排班表 and name no time), so they are the site's "HH:MM-HH:MM" NAME, without a
  // default; start and end are then filled per site (policy::WithSiteHours, parameters.hpp).
  std::string hours_param;
  std::chrono::minutes Length() const;
};

// 轮班 — an N-day cycle per team: cycle[day] names a shift id or "off".
struct ShiftPattern : RuleBase {
  std::string post;
  std::vector<ShiftDef> shifts;
  std::vector<std::string> teams;
  std::vector<std::string> cycle;
  std::vector<int> team_offsets;  // day offset of each team into the cycle
  bool order_is_site_choice = false;
  // Shift id worked by `team` (index) on day `day_index` since the cycle epoch; "off" when none.
  const std::string& ShiftOn(size_t team, long day_index) const;
};

// 人员配备 — staffing constraints per shift of a post.
struct StaffingRule : RuleBase {
  std::string post;
  std::optional<int> min_per_shift;
  std::optional<int> min_during_alarm;
  std::optional<Duration> max_continuous;
  bool certified_only = false;
  std::vector<std::string> at_least_one_of;  // role ids
  // Each certificate here is held (valid at the shift's end) by at least one person of every
  // shift: "每班至少一人持X证" (the post's `certifications` ask it of everyone counted instead).
  std::vector<std::string> at_least_one_certified;
  bool around_the_clock = false;           // 24 小时有人值守
  bool substitute_before_leaving = false;  // 离岗须有人代岗
  // 离岗须经批准: a request type of the pack; the last one on the post leaves it without a relief
  // (LeavePost) only with an approval of it, filed by them and approved since they went on the
  // post (one approval, one departure).
  std::string leave_request;
  bool stable_staffing = false;  // 保持相对稳定
};

enum class ItemKind { kCheck, kPassFlagFail, kNumber, kText, kPhoto, kSignature };

struct ChecklistItem {
  std::string id;
  std::vector<std::string> clauses;
  std::string label;
  ItemKind kind = ItemKind::kCheck;
  // kNumber: the normal range (正常范围): an answer outside it is accepted and abnormal — flagged
  // and followed up like a `flag` (docs/runtime.md). `limit_*`: what can be entered at all
  // (`limit: {min, max}`): an answer outside is refused.
  std::optional<double> min, max;
  std::optional<double> limit_min, limit_max;
  std::string unit;
  bool required = true;
};

struct RefusalCondition {  // 五不接: the incoming side refuses to take over when this holds
  std::string id;
  std::vector<std::string> clauses;
  std::string label;
};

// 检查表 — handover, opening/closing, cleaning, inspection, form.
struct Checklist : RuleBase {
  std::string kind;  // handover | relief | opening | closing | cleaning | inspection | stocktake |
                     // form | test
  std::vector<ChecklistItem> items;
  std::vector<RefusalCondition> refuse_if;
  std::vector<std::string> signatures;        // "outgoing", "incoming", or role ids
  std::optional<Duration> arrive_before;      // early-arrival window before the shift
  std::optional<Duration> arrive_before_max;  // upper bound of a range ("10-15 分钟")
  // `arrive_before: {param: NAME}`: the regulation says the incoming arrives early but gives no
  // figure (R20 §四8 按时交接班), so the window is the site's duration NAME, without a default.
  std::string arrive_before_param;
  bool outgoing_waits_for_relief = false;
  bool face_to_face = false;
  bool issues_after_belong_to_incoming = false;
  // handover/relief: posts it applies to besides those of its own file (post_rules.hpp): R08's
  // handover is the 客服组's, a post R19 declares.
  std::vector<std::string> posts;
};

// 台账/记录 — an append-only register (log, visitor book, fault record).
struct Record : RuleBase {
  std::vector<ChecklistItem> fields;
  bool append_only = true;
  std::vector<std::string> signatures;
  std::string flag_field;  // a field marking an abnormal entry the next shift must read
};

enum class ScheduleKind { kEvery, kTimesPer, kAt, kOn };

struct Schedule {
  ScheduleKind kind = ScheduleKind::kEvery;
  Duration every;             // kEvery
  int times = 0;              // kTimesPer: at least `times` per `per`
  std::string per;            // shift | workday | day | week | month | quarter | half_year | year
  std::vector<TimeOfDay> at;  // kAt
  std::string on;  // kOn: shift_start | shift_end | work_start | work_end | after_work | event
  std::optional<TimeRange> active;  // only within this daily window
  std::optional<TimeOfDay> by;      // "due by HH:MM": the window ends at the next local HH:MM
};

struct OnMiss {
  bool alert = true;
  std::vector<std::string> notify;  // role ids
  std::string violation;            // penalty code, may be empty
};

// What a completed duty opens when an answer is abnormal: a pass_flag_fail item answered flag or
// fail, or the record's flag_field set. Only `repair` (报修) exists; set where a regulation says a
// fault found by this duty is reported for repair.
// What an abnormal answer of a duty's form starts (docs/policy_format.md §10): an action word a
// module performs (`repair`: a 报修 assigned to `assign_to`), a site `event` (which starts the
// pack's procedures, deadlines and event duties on it), or a `violation` of a penalty code charged
// to whoever holds the post.
struct FollowUp {
  std::string kind;                  // an action word ("repair"), "event" or "violation"
  std::string assign_to;             // repair: the role or team the regulation names; empty: site
  std::string event;                 // kind event: the site event raised
  std::string violation;             // kind violation: the penalty code
  std::vector<std::string> clauses;  // the clause that asks for it (报修, 罚款 …)
};

// 例行职责 — a recurring duty instance generator.
struct Duty : RuleBase {
  std::string post;
  Schedule schedule;
  std::optional<Duration> window;  // completion window; absent = until the next instance
  // `window: {param: NAME}`: the window is the site's duration parameter NAME (the regulation
  // says 接班时 and gives no figure); a site that has not set it gets no instance of the duty.
  std::string window_param;
  std::string target_set;         // a site-defined set rotated through ("floors")
  std::string rotate_per;         // day | shift | week
  std::string checklist;          // checklist or record id to fill
  std::vector<std::string> with;  // cooperating departments ("工程部")
  OnMiss on_miss;
  std::optional<FollowUp> follow_up;
};

struct Assignment {  // parallel assignment inside a state
  std::string task;
  std::string role;
  int count = 1;
};

struct Timer {
  std::optional<Duration> after;  // absent when the regulation gives no figure
  std::string after_param;        // then: the site parameter naming it
  std::string event;              // the event it raises
};

struct ProcState {
  std::string id;
  std::vector<std::string> clauses;
  std::string title;
  std::vector<Assignment> assignments;
  std::vector<Timer> timers;
  std::vector<std::string> actions;  // "call_119", "notify:生产调度室", "record"
  bool terminal = false;
};

struct Transition {
  std::string from, to, on;
  std::vector<std::string> clauses;
  std::vector<std::string> roles;  // who may fire it
  std::optional<Expr> guard;
};

// 流程 — an event-driven state machine.
struct Procedure : RuleBase {
  std::string trigger;  // event name that starts an instance
  // A place id, or empty: when set, the trigger starts an instance only for events whose data
  // `place` names this place (R01's and R18's damage procedures, each for its own rest room).
  std::string place;
  std::string initial;
  ContextSchema inputs;  // what a transition's caller states; the guards read these
  std::vector<ProcState> states;
  std::vector<Transition> transitions;
};

struct ApprovalStep {
  std::string id;
  std::vector<std::string> roles;  // any one of them approves; "$superior": the applicant's
  std::vector<std::string> after;  // step ids that must approve first; default: previous step
  bool signature = false;
  bool names_escort = false;         // the approver names who accompanies
  std::vector<std::string> clauses;  // the step's own clauses (R12 §四(二之2)4), may be empty
};

struct Condition {
  std::vector<std::string> clauses;
  std::string message;
  Expr expr;
};

// 申请 — an approval chain with preconditions and hard prohibitions.
struct Request : RuleBase {
  std::string subject;
  std::vector<std::string> applicants;  // role ids allowed to apply; empty = anyone
  ContextSchema inputs;                 // what the applicant states; the conditions read these
  std::vector<ApprovalStep> approvals;
  std::vector<Condition> preconditions;  // all must hold
  std::vector<Condition> prohibitions;   // none may hold; not overridable by approval
  std::string record;                    // record id written on approval
};

// One row of a service level's `targets:` (issue 18 §3: a ticket's SLA matched by its priority
// and its customer's grade). It applies when each field of `when` is, in the starting event's
// data, one of the values listed (no `when`: every event); the first row that applies gives the
// time, a duration or a site parameter.
struct SlaTarget {
  std::vector<std::pair<std::string, std::vector<std::string>>> when;  // data field -> values
  std::optional<Duration> within;
  std::string within_param;
  std::string Label() const;  // "ticket.priority=urgent customer.grade=A|B", "*" without when
};

// 时限 — a deadline in calendar or business time.
struct ServiceLevel : RuleBase {
  std::string start_event;
  // Any one starts another deadline of the level for the same ref once the last has stopped (a
  // reopened ticket re-arms its resolution time, issue 18 §7).
  std::vector<std::string> restart_events;
  std::vector<std::string> stop_events;  // any one stops it (`stop: a` or `stop: [a, b]`)
  // Any one of `pause` pauses a running deadline (its timers cancelled); any one of `resume`
  // resumes it, the due time moved on by the time paused (working time when it counts working
  // hours). A ticket waiting on the customer (R06/R14's SLAs): `pause: ticket_pending`.
  std::vector<std::string> pause_events;
  std::vector<std::string> resume_events;
  std::optional<Duration> within;
  std::string within_param;  // `within: {param: NAME}`: the site's duration (none: no timer)
  // Rows tried in order before `within` (the fallback when none applies; none: not started).
  std::vector<SlaTarget> targets;
  std::optional<Duration> before;   // "T-15": due `before` ahead of a time carried by the event
  std::optional<TimeOfDay> cutoff;  // orders before the cut-off: same day; after: next day
  std::string due_from;  // "record.field": the deadline is set per instance in that field
  bool business_time = false;
  std::vector<Duration> warn_before;
  // `warn_before: {param: NAME}`: the site's duration (unset: no warning). Counted in working
  // time back from the due time when the deadline counts working hours.
  std::string warn_before_param;
  std::vector<std::string> on_breach;  // actions: "alert:厅经理", "violation:CODE", "escalate:ROLE"
  std::string violation;
};

struct LadderStep {
  int from = 1;           // applies from the n-th occurrence in the window
  std::optional<int> to;  // through the n-th; absent = and beyond
  bool warning = false;   // 口头警告
  std::optional<Param> fine_yuan;
  bool compensation_at_cost = false;
  std::string discipline;           // a discipline-ladder step id
  std::vector<std::string> revoke;  // privileges
  bool liability = false;           // bears responsibility for the loss
  std::string note;
};

// 处罚 — one violation code with its ladder.
struct Penalty : RuleBase {
  std::string code;
  std::optional<Duration> look_back;  // absent: the whole record counts
  std::vector<LadderStep> ladder;
};

struct DisciplineStep {
  std::string id;
  std::vector<std::string> clauses;
  std::string title;
  std::string by;  // role that takes the step
  // 整改: taking the step orders a correction due `correct_within` (or the site parameter
  // `correct_within_param` when the regulation gives no period); a refused or missed correction
  // (拒不整改) moves the case to `on_refusal`. correction == false: the step orders none.
  bool correction = false;
  std::optional<Duration> correct_within;
  std::string correct_within_param;
  std::string on_refusal;
  std::vector<std::string> next;  // the steps that may be taken after this one
  std::string approval;  // a request type: taking the step needs one approved, naming the case
  bool closes = false;   // taking the step ends the case
};

// The input a discipline step's `approval` request declares (`case.id: number`): the case the
// request is about, so that an approval is for one case (docs/policy_format.md §15).
inline constexpr std::string_view kDisciplineCaseInput = "case.id";

// 纪律处分阶梯 — progressive discipline.
struct DisciplineLadder : RuleBase {
  std::vector<DisciplineStep> steps;
};

struct Indicator {
  std::string id;
  std::vector<std::string> clauses;
  std::string title;
  Param weight;
  std::string source;
};

// 考核 — assessment scheme: indicators, weights, a formula to a score, and pay.
struct Assessment : RuleBase {
  std::vector<std::string> subjects;  // role ids
  std::string period;
  std::vector<Indicator> indicators;
  std::optional<Expr> formula;      // context: one number per indicator id, and weights in `w`
  std::optional<Expr> pay;          // context: score and the inputs
  std::vector<std::string> inputs;  // the pay formula's inputs (amounts per person), by name
  // The request type whose approval re-opens a closed month of this scheme; its inputs declare
  // kMonthCloseInput (docs/policy_format.md). Empty: a month of it cannot be closed.
  std::string reopen;
};

// The input a scheme's `reopen` request declares (`month_close.id: number`): the close it undoes.
inline constexpr std::string_view kMonthCloseInput = "month_close.id";

// 保存期限
struct Retention : RuleBase {
  std::string record;
  Duration min;
  // A floor under `min` in fixed time when a calendar `min` can be shorter (1mo is 28 days in
  // February): kept until the later of the two.
  std::optional<Duration> at_least;
  bool copy_forbidden = false;
};

// `notify:@person` (a procedure's step) and `alert:@person` (a service level's breach) address the
// person the event is about — its data's person_id: the host of a visitor, the holder of a duty,
// the recipient of a parcel — instead of a role.
inline constexpr std::string_view kEventPerson = "@person";

// 事件 — a site event people report by hand (POST /api/v1/sites/{id}/events): the pack's
// procedures, deadlines and event duties listen to it and nothing else raises it (an event a module
// raises from its records needs no declaration). Declaring it lets check tell an event people
// report from a typo (a `stop` naming an event nothing raises) and gives the console its title.
struct SiteEventDecl : RuleBase {};

// 行为规范 — a citable conduct rule (or a purpose / scope statement).
struct ConductRule : RuleBase {
  std::string kind;  // conduct | duty_statement | purpose | scope | header | info
  std::string code;  // violation code when a breach is recordable
};

// The demo company `zhidu serve --demo` seeds (pack.yaml `demo: FILE`, docs/policy_format.md §24):
// sample names and people for trying a pack out, never a rule. Validated at load like the rules.
struct DemoCertification {
  std::string name;
  std::string expires;  // YYYY-MM-DD; empty: does not expire (a training record)
};
struct DemoPerson {
  std::string name;
  std::string department;
  std::string team;     // empty: in no team
  std::string account;  // username; empty: rostered without an account
  std::string role;     // the account's role at the site (a pack role, or `admin`)
  std::vector<DemoCertification> certifications;
};
struct DemoDepartment {
  std::string name;
  std::vector<std::string> teams;
  std::vector<std::string> posts;  // pack post ids, created at the site under these names
};
struct DemoRoster {  // generated and published for the current month
  std::string post;
  std::string pattern;             // a shift pattern of the pack
  std::vector<std::string> teams;  // in the pattern's team order
};
struct DemoCompany {
  std::string site;
  std::string time_zone;  // default: the pack's
  std::vector<DemoDepartment> departments;
  std::vector<DemoPerson> people;
  std::vector<DemoRoster> rosters;
  std::string footage_camera;  // sample footage segments on this camera; empty: none
};

// 工作时间 — the working day a pack states (R04 §二12: 上午8:00-11:30, 下午1:30-5:00): periods in
// local time, ascending, not overlapping, none crossing midnight; the gaps are breaks (午休). Days
// are the calendar's working days. A site, and a department of it, may set its own
// (runtime::SiteParameters::SetWorkingHours); with neither, nothing that needs them is planned.
struct WorkingHours : RuleBase {
  std::vector<TimeRange> periods;
};

struct PackInfo {
  std::string name;
  std::string version;
  std::string effective;  // YYYY-MM-DD
  std::string time_zone;
  std::string content_hash;  // SHA-256 over the pack's files, hex
};

class Pack {
 public:
  const PackInfo& info() const { return info_; }
  const ClauseIndex& clauses() const { return clauses_; }
  const BusinessCalendar& calendar() const { return calendar_; }

  const std::vector<Role>& roles() const { return roles_; }
  const std::vector<Post>& posts() const { return posts_; }
  const std::vector<Place>& places() const { return places_; }
  const std::vector<ShiftPattern>& shift_patterns() const { return shift_patterns_; }
  const std::vector<StaffingRule>& staffing() const { return staffing_; }
  const std::vector<Checklist>& checklists() const { return checklists_; }
  const std::vector<Record>& records() const { return records_; }
  const std::vector<Duty>& duties() const { return duties_; }
  const std::vector<Procedure>& procedures() const { return procedures_; }
  const std::vector<Request>& requests() const { return requests_; }
  const std::vector<ServiceLevel>& service_levels() const { return service_levels_; }
  const std::vector<Penalty>& penalties() const { return penalties_; }
  const std::vector<DisciplineLadder>& discipline() const { return discipline_; }
  const std::vector<Assessment>& assessments() const { return assessments_; }
  const std::vector<Retention>& retention() const { return retention_; }
  const std::vector<ConductRule>& conduct() const { return conduct_; }
  const std::vector<SiteEventDecl>& events() const { return events_; }
  const std::optional<WorkingHours>& working_hours() const { return working_hours_; }
  // The pack's demo company, when pack.yaml names one.
  const std::optional<DemoCompany>& demo() const { return demo_; }

  const Role* FindRole(std::string_view id) const;
  // The roles whose `permissions:` name `permission` (not those holding only "*": a notification
  // "to whoever decides" reaches the deciders, not every administrator), in pack order.
  std::vector<std::string> RolesWithPermission(std::string_view permission) const;
  const Post* FindPost(std::string_view id) const;
  const Penalty* FindPenalty(std::string_view code) const;
  const Request* FindRequest(std::string_view id) const;
  const Procedure* FindProcedure(std::string_view id) const;

  // A rule citing a clause, for explain and coverage.
  struct RuleRef {
    std::string kind;  // "duty", "request", ...
    std::string id;
    std::string title;
    Source source;
    bool executable = true;
  };
  // Every rule (and nested rule part) citing `clause_id` exactly.
  std::vector<RuleRef> RulesCiting(std::string_view clause_id) const;

 private:
  friend class PackBuilder;
  PackInfo info_;
  ClauseIndex clauses_;
  BusinessCalendar calendar_;
  std::vector<Role> roles_;
  std::vector<Post> posts_;
  std::vector<Place> places_;
  std::vector<ShiftPattern> shift_patterns_;
  std::vector<StaffingRule> staffing_;
  std::vector<Checklist> checklists_;
  std::vector<Record> records_;
  std::vector<Duty> duties_;
  std::vector<Procedure> procedures_;
  std::vector<Request> requests_;
  std::vector<ServiceLevel> service_levels_;
  std::vector<Penalty> penalties_;
  std::vector<DisciplineLadder> discipline_;
  std::vector<Assessment> assessments_;
  std::vector<Retention> retention_;
  std::vector<ConductRule> conduct_;
  std::vector<SiteEventDecl> events_;
  std::optional<WorkingHours> working_hours_;
  std::optional<DemoCompany> demo_;
  std::vector<std::pair<std::string, RuleRef>> citations_;  // clause id -> rule
};

}  // namespace zhidu::policy
