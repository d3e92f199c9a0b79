// Rosters (排班): who works which shift of a post, generated from the pack's shift patterns
// (三班二运转, 四班三运转) for the site's teams (班组) and a date range, checked against the pack's
// staffing rules, published, then changed only by swaps (换班), leave (请假) and substitutions
// (代班). Also the query other modules use: who is on post P at instant T, the shift covering T.
//
// Invariants:
//  1. Shift instants are computed in the site's time zone from the pattern's local times; a shift
//     whose end is not after its start (夜班 17:00-08:00) ends on the next local day, and "24:00"
//     is the next local midnight.
//  2. A person never has two overlapping active assignments among this roster and the published
//     rosters (any post): generating, adding, swapping or substituting into an overlap is refused
//     naming both assignments, and nothing is written.
//  3. A draft carries its staffing problems as warnings; publishing with any problem is refused
//     listing every problem with its rule and clauses. Published rosters are immutable except by
//     swap, leave and substitution, each retiring the assignment it replaces (kept for history)
//     in the transaction that journals it.
//  4. A person whose certificate for the post has expired by the end of a shift counts as no one
//     on that shift where the rule is certified_only (持证上岗).
//  5. Every change is journaled: roster.generated, roster.assignment.added, roster.published,
//     roster.swap.requested, roster.swap.decided, roster.leave, roster.substituted,
//     person.ical_token.created, person.ical_token.revoked.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "base/time.hpp"
#include "kernel/org/principal.hpp"
#include "kernel/policy/active_pack.hpp"
#include "kernel/policy/pack.hpp"
#include "modules/roster/roster_types.hpp"
#include "store/store.hpp"
#include "store/writer.hpp"

namespace zhidu::roster {

using store::Id;

namespace perm {
// Generate, edit and publish rosters, record leave and substitutions, decide swaps (值班长 …).
inline constexpr std::string_view kRosterManage = "roster.manage";
}  // namespace perm

// One staffing problem of a roster, with the rule and the clauses it breaks.
struct Problem {
  std::string kind;  // understaffed | alarm_staffing | unattended | uncertified | continuous |
                     // role_missing | certificate_missing
  std::string rule;  // staffing rule id
  std::vector<std::string> clauses;
  std::string message;  // zh-CN, names the shift / person
  Id person_id = 0;
  std::string shift;
  TimePoint starts_at;
};

struct RosterView {
  Roster roster;
  std::vector<RosterAssignment> assignments;  // active and retired, by start
  std::vector<Problem> warnings;              // block publishing
  std::vector<Problem> advice;  // 宜 and what cannot be checked: shown, never blocking
  std::vector<RosterSwap> swaps;
};

struct GenerateRequest {
  Id site_id = 0;
  Id post_id = 0;
  std::string pattern;       // pack shift pattern id
  std::vector<Id> team_ids;  // site team for each pattern team, in pattern order
  std::string first_day;     // "YYYY-MM-DD"
  std::string last_day;      // inclusive
  std::string cycle_start;   // the day the cycle's day 0 falls on; empty: first_day
};

struct PublishOutcome {
  bool published = false;
  std::vector<Problem> problems;  // why not
  RosterView view;
};

// A shift slot of a post: one occurrence of a pattern shift, with who is on it.
struct ShiftSlot {
  Id roster_id = 0;
  Id post_id = 0;
  std::string shift;
  std::string shift_name;
  TimePoint starts_at;
  TimePoint ends_at;
  std::vector<Id> person_ids;
};

// The narrow read interface other modules use (duty planning, handover, alarms). Thread-safe.
class ShiftSource {
 public:
  virtual ~ShiftSource() = default;
  // Published shift slots of `post_id` starting in [from, to), by start.
  virtual Result<std::vector<ShiftSlot>> ShiftStarts(Id post_id, TimePoint from, TimePoint to) = 0;
  // The published slot of `post_id` covering `at`, if any.
  virtual Result<std::optional<ShiftSlot>> ShiftCovering(Id post_id, TimePoint at) = 0;
  // People rostered (published, active) on `post_id` at `at`.
  virtual Result<std::vector<Id>> OnPostAt(Id post_id, TimePoint at) = 0;
};

// Published slots of `post_id` starting in [from, to) as `unit` sees them, so a caller can read
// them inside its own transaction (duty planning); shift_name is left empty.
Result<std::vector<ShiftSlot>> PublishedShiftStarts(store::UnitOfWork& unit, Id post_id,
                                                    TimePoint from, TimePoint to);

// Active assignments of published rosters starting in [from, to), ordered by start, as `unit` sees
// them (the people module judges attendance against them inside its own transaction).
Result<std::vector<RosterAssignment>> PublishedAssignments(store::UnitOfWork& unit, TimePoint from,
                                                           TimePoint to);

class Rosters final : public ShiftSource {
 public:
  Rosters(store::Store& store, store::Writer& writer, const policy::ActivePack& pack,
          const org::RoleCatalogue& roles);

  Result<RosterView> Generate(const org::Principal& who, const GenerateRequest& req);
  Result<RosterView> Get(const org::Principal& who, Id id);
  Result<std::vector<Roster>> List(const org::Principal& who, Id site_id, Id post_id,
                                   store::PageRequest page);
  Result<PublishOutcome> Publish(const org::Principal& who, Id id);
  // Adds a person to a shift of a draft (`day` "YYYY-MM-DD", the shift's start day).
  Result<RosterView> AddAssignment(const org::Principal& who, Id roster_id, Id person_id,
                                   const std::string& shift, const std::string& day);

  // 换班: the person of `assignment_id` asks `colleague_person` to take it, in exchange for
  // `colleague_assignment` (0: no exchange).
  Result<RosterSwap> RequestSwap(const org::Principal& who, Id assignment_id, Id colleague_person,
                                 Id colleague_assignment, std::string reason);
  // The shift lead approves or rejects; an approval that would break a staffing rule or overlap
  // is refused (kConflict) and the swap stays pending.
  Result<RosterSwap> DecideSwap(const org::Principal& who, Id swap_id, bool approve,
                                std::string note);
  // 请假: removes the person from the assignment; the roster's warnings show the result.
  Result<RosterView> Leave(const org::Principal& who, Id assignment_id, std::string reason);
  // 代班: `substitute` works the assignment instead.
  Result<RosterView> Substitute(const org::Principal& who, Id assignment_id, Id substitute,
                                std::string note);

  // Published assignments of a site (0: all the principal may read) overlapping [from, to).
  Result<std::vector<RosterAssignment>> Shifts(const org::Principal& who, Id site_id,
                                               TimePoint from, TimePoint to);
  // Active assignments of a person (published rosters), for the calendar feed.
  Result<std::vector<RosterAssignment>> PersonShifts(Id person_id, TimePoint from, TimePoint to);

  // Calendar feed tokens: the token is returned once; only its hash is stored.
  Result<std::string> CreateIcalToken(const org::Principal& who, Id person_id);
  Result<std::int64_t> RevokeIcalTokens(const org::Principal& who, Id person_id);
  // The person of a live token; kNotFound otherwise (revoked or unknown).
  Result<Id> PersonOfIcalToken(const std::string& token);

  // The shift pattern a roster was generated from (to name its shifts).
  Result<std::string> PatternOf(Id roster_id);
  // Shift display name ("夜班") of a pattern shift id, or the id.
  std::string ShiftName(const std::string& pattern, const std::string& shift) const;

  // ShiftSource
  Result<std::vector<ShiftSlot>> ShiftStarts(Id post_id, TimePoint from, TimePoint to) override;
  Result<std::optional<ShiftSlot>> ShiftCovering(Id post_id, TimePoint at) override;
  Result<std::vector<Id>> OnPostAt(Id post_id, TimePoint at) override;

 private:
  Result<RosterView> Load(store::UnitOfWork& unit, Id id);
  Result<RosterView> Mutate(
      const org::Principal& who, Id assignment_id,
      const std::function<Result<void>(store::Tx&, const policy::Pack&, const Roster&,
                                       const RosterAssignment&)>& f);

  store::Store& store_;
  store::Writer& writer_;
  const policy::ActivePack& pack_;
  const org::RoleCatalogue& roles_;
};

// Pure: the instants of shift `s` starting on local day `d` in `zone` (invariant 1).
std::pair<TimePoint, TimePoint> SlotTimes(const policy::ShiftDef& s, std::chrono::local_days d,
                                          const TimeZone& zone);

// Pure: the staffing problems of a roster's active assignments under `pack`. `others` are the
// same people's active assignments in other published rosters (for continuous hours); `certs`
// their certifications; `roles_of(person)` the roles their accounts hold. `site_pattern`: the
// roster's pattern with the site's hours filled in (policy::WithSiteHours), for a pattern whose
// hours are the site's; without it such a pattern's slots are only those people are on.
std::vector<Problem> CheckStaffing(
    const policy::Pack& pack, const Roster& roster, const store::Post& post, const TimeZone& zone,
    const std::vector<RosterAssignment>& mine, const std::vector<RosterAssignment>& others,
    const std::function<std::vector<store::Certification>(Id)>& certs,
    const std::function<std::vector<std::string>(Id)>& roles_of,
    const policy::ShiftPattern* site_pattern = nullptr);

// What a post asks of its holders beyond roles and certificates (R20 §二1: 应具有高中以上的文化程度
// — 应 (shall): a person below the level is a problem, which blocks publishing; 年龄宜在18至45周岁
// — 宜 (should): advice). What cannot be checked is advice too: no birth date or education
// recorded, or no order of education levels at the site. `levels` is the site parameter
// education_levels, lowest first, each item a level or equivalents joined by "/" (e.g.
// "初中,高中/中专/技校,大专,本科"); nullopt when the site has not set it. A requirement "X以上"
// means X or any later level. Ages are 周岁 on the local day a shift starts; one finding per
// person and kind, at their first shift that breaks it.
struct Qualifications {
  std::vector<Problem> problems;
  std::vector<Problem> advice;
};
Qualifications CheckQualifications(const policy::Pack& pack, const policy::Post& post,
                                   const TimeZone& zone, const std::vector<RosterAssignment>& mine,
                                   const std::function<const store::Person*(Id)>& person_of,
                                   const std::optional<std::vector<std::string>>& levels);
// 周岁 on local day `on` of someone born on `birth_date` ("YYYY-MM-DD"; a 29 February birthday
// falls on 1 March in other years); nullopt when the date does not parse.
std::optional<int> AgeOn(std::string_view birth_date, std::chrono::local_days on);

// RFC 5545 calendar of `shifts` for `person` (CRLF, folded at 75 octets, VTIMEZONE
// Asia/Shanghai-style for `zone`). `describe(a)` gives the event's summary.
std::string RenderIcal(const store::Person& person, const std::vector<RosterAssignment>& a,
                       const TimeZone& zone, TimePoint now,
                       const std::function<std::string(const RosterAssignment&)>& summary);

// The month's 排班表 as an .xlsx (people as rows, days as columns, shift names in cells).
struct XlsxSheet {
  std::string title;                            // 中控值班岗 2026年12月 排班表
  std::vector<std::string> day_headers;         // "1", "2", …
  std::vector<std::string> row_names;           // people
  std::vector<std::vector<std::string>> cells;  // [row][day]
};
Result<std::string> RenderXlsx(const XlsxSheet& sheet);

}  // namespace zhidu::roster
