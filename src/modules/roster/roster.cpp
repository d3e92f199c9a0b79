#include "modules/roster/roster.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <map>
#include <set>

#include "base/canonical_json.hpp"
#include "base/crypto.hpp"
#include "kernel/policy/parameters.hpp"
#include "kernel/policy/post_rules.hpp"
#include "modules/roster/leave_requests.hpp"
#include "modules/roster/roster_store.hpp"

namespace zhidu::roster {

namespace {

using namespace std::chrono;

constexpr int kMaxDays = 366;     // one roster covers at most a year (a request-size limit)
constexpr int kMaxRows = 100000;  // assignments read at once

Result<local_days> ParseDay(std::string_view text, std::string_view field) {
  int y = 0, m = 0, d = 0;
  bool ok = text.size() == 10 && text[4] == '-' && text[7] == '-' &&
            std::from_chars(text.data(), text.data() + 4, y).ec == std::errc() &&
            std::from_chars(text.data() + 5, text.data() + 7, m).ec == std::errc() &&
            std::from_chars(text.data() + 8, text.data() + 10, d).ec == std::errc();
  year_month_day ymd{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
  if (!ok || !ymd.ok() || y < 1970)
    return Fail(
        Errc::kInvalidArgument,
        std::string(field) + " must be a date like 2026-12-01, not \"" + std::string(text) + "\"",
        std::string(field));
  return local_days{ymd};
}

std::string FormatDay(local_days d) {
  year_month_day ymd{d};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

const policy::ShiftPattern* FindPattern(const policy::Pack& pack, std::string_view id) {
  for (const auto& p : pack.shift_patterns())
    if (p.id == id) return &p;
  return nullptr;
}

// `p` with the site's hours for shifts whose hours the pack leaves to the site (`hours: {param}`,
// R19's 排班表: the regulations give no times); 409 policy.shift_hours_unset while one is unset.
Result<policy::ShiftPattern> SitePattern(store::UnitOfWork& unit, Id site_id,
                                         const policy::ShiftPattern& p) {
  if (!policy::HasSiteHours(p)) return p;
  ZHIDU_TRY(auto rows, unit.ListSiteParameters(site_id));
  return policy::WithSiteHours(p, [&](std::string_view name) -> std::optional<std::string> {
    for (const auto& r : rows)
      if (r.name == name && !r.value.empty()) return r.value;
    return std::nullopt;
  });
}

const policy::ShiftDef* FindShift(const policy::ShiftPattern& p, std::string_view id) {
  for (const auto& s : p.shifts)
    if (s.id == id) return &s;
  return nullptr;
}

std::string LocalText(TimePoint t, const TimeZone& zone) {
  auto s = FormatIso8601(t, zone);  // 2026-12-01T08:00:00+08:00
  return s.substr(0, 10) + " " + s.substr(11, 5);
}

// The rule's clauses whose text mentions one of `words`; all of them when none does.
std::vector<std::string> ClausesAbout(const policy::Pack& pack, const policy::StaffingRule& rule,
                                      std::initializer_list<std::string_view> words) {
  auto out = policy::ClausesMentioning(pack, rule.clauses, words);
  return out.empty() ? rule.clauses : out;
}

Result<TimeZone> ZoneOf(const store::Site& site) {
  auto z = TimeZone::Find(site.time_zone.empty() ? "Asia/Shanghai" : site.time_zone);
  if (!z) return TimeZone::Default();
  return *z;
}

std::string AssignmentRef(const RosterAssignment& a, const TimeZone& zone) {
  return "assignment " + std::to_string(a.id) + " (roster " + std::to_string(a.roster_id) + ", " +
         a.shift + " " + LocalText(a.starts_at, zone) + "–" + LocalText(a.ends_at, zone) + ")";
}

// kConflict naming the first active assignment of `person` (this roster or a published one,
// except `ignore`) that overlaps [start, end).
Result<void> CheckNoOverlap(store::UnitOfWork& unit, Id roster_id, Id person_id, TimePoint start,
                            TimePoint end, const std::set<Id>& ignore, const TimeZone& zone,
                            const std::string& person_name) {
  for (bool published : {false, true}) {
    AssignmentFilter f;
    f.person_id = person_id;
    f.roster_id = published ? 0 : roster_id;
    f.published_only = published;
    f.from = start;
    f.before = end;
    ZHIDU_TRY(auto rows, db::ListRosterAssignments(unit.sql(), f, 10));
    for (const auto& a : rows) {
      if (ignore.contains(a.id)) continue;
      return Fail(Errc::kConflict, Reason{"roster.overlap"},
                  person_name + " (person " + std::to_string(person_id) + ") would work " +
                      LocalText(start, zone) + "–" + LocalText(end, zone) + ", which overlaps " +
                      AssignmentRef(a, zone),
                  "person_id");
    }
  }
  return Ok();
}

}  // namespace

std::pair<TimePoint, TimePoint> SlotTimes(const policy::ShiftDef& s, std::chrono::local_days d,
                                          const TimeZone& zone) {
  auto start = local_time<Micros>(d) + minutes(s.start.minutes);
  auto end_day = s.end.minutes > s.start.minutes ? d : d + days(1);
  auto end = local_time<Micros>(end_day) + minutes(s.end.minutes);
  return {zone.FromLocal(start), zone.FromLocal(end)};
}

std::vector<Problem> CheckStaffing(
    const policy::Pack& pack, const Roster& roster, const store::Post& post, const TimeZone& zone,
    const std::vector<RosterAssignment>& mine, const std::vector<RosterAssignment>& others,
    const std::function<std::vector<store::Certification>(Id)>& certs,
    const std::function<std::vector<std::string>(Id)>& roles_of,
    const policy::ShiftPattern* site_pattern) {
  std::vector<Problem> out;
  const auto* pattern = site_pattern ? site_pattern : FindPattern(pack, roster.pattern);
  // A pattern whose hours are the site's, not filled in: its slots are the assignments'.
  if (pattern && policy::HasSiteHours(*pattern) && !site_pattern) pattern = nullptr;
  const auto* pack_post = pack.FindPost(post.name);
  std::vector<const policy::StaffingRule*> rules;
  for (const auto& r : pack.staffing())
    if (r.post == post.name) rules.push_back(&r);
  if (rules.empty()) return out;

  // Slots: every shift the pattern puts on a team in the range, plus any with people on them.
  // `shift` views the pattern's shift id or an assignment's (both outlive the check); the people of
  // a slot are people[first, first + count), in the order of `mine`.
  struct Slot {
    std::string_view shift;
    TimePoint start, end;
    size_t first = 0, count = 0;
  };
  // A vector sorted by (start, shift), searched by binary search: a year is ~1,100 slots and
  // ~3,300 assignments, and a std::map node per slot was most of the check (docs/performance.md,
  // Profiles: W6). The same slots in the same order as keying a map by (start, shift). The people
  // are one array for all slots (a counting sort), not a vector per slot: those vectors' growth
  // was the check's largest remaining cost (malloc/free, Profiles: W6, session 7).
  std::vector<Slot> slots;
  auto before = [](const Slot& x, const Slot& y) {
    return x.start != y.start ? x.start < y.start : x.shift < y.shift;
  };
  if (pattern) {
    auto first = ParseDay(roster.first_day, "first_day");
    auto last = ParseDay(roster.last_day, "last_day");
    if (first && last) {
      slots.reserve(static_cast<size_t>((*last - *first).count() + 1) * pattern->shifts.size());
      for (local_days d = *first; d <= *last; d += days(1)) {
        for (const auto& s : pattern->shifts) {
          auto [a, b] = SlotTimes(s, d, zone);
          slots.push_back(Slot{s.id, a, b});
        }
      }
    }
  }
  // Days in order and a pattern's shifts by start give sorted, distinct keys already; otherwise
  // sort, and a key generated twice keeps its last occurrence, as assigning into the map did.
  auto not_after = [&](const Slot& x, const Slot& y) { return !before(x, y); };
  if (std::adjacent_find(slots.begin(), slots.end(), not_after) != slots.end()) {
    std::stable_sort(slots.begin(), slots.end(), before);
    std::vector<Slot> unique;
    unique.reserve(slots.size());
    for (auto& slot : slots) {
      if (!unique.empty() && !before(unique.back(), slot))
        unique.back() = std::move(slot);
      else
        unique.push_back(std::move(slot));
    }
    slots = std::move(unique);
  }
  auto slot_before = [](const Slot& x, const RosterAssignment& a) {
    return x.start != a.starts_at ? x.start < a.starts_at : x.shift < a.shift;
  };
  auto is_slot_of = [](const Slot& x, const RosterAssignment& a) {
    return x.start == a.starts_at && x.shift == a.shift;
  };
  // The slot of each active assignment (kNone: inactive), found in the sorted slots.
  constexpr size_t kNone = static_cast<size_t>(-1);
  std::vector<size_t> slot_of(mine.size(), kNone);
  bool off_pattern = false;  // someone on a slot the pattern did not generate
  auto place_all = [&] {
    size_t last = kNone;  // assignments come in runs of one slot (a team's people)
    for (size_t i = 0; i < mine.size(); ++i) {
      const auto& a = mine[i];
      if (a.state != "active") continue;
      if (last == kNone || !is_slot_of(slots[last], a)) {
        auto it = std::lower_bound(slots.begin(), slots.end(), a, slot_before);
        last = it != slots.end() && is_slot_of(*it, a) ? static_cast<size_t>(it - slots.begin())
                                                       : kNone;
      }
      slot_of[i] = last;
      if (last == kNone) off_pattern = true;
    }
  };
  place_all();
  if (off_pattern) {
    // One slot per distinct (start, shift) of those people, with the first one's end; then the
    // slots in order again and every assignment placed anew.
    const size_t generated = slots.size();
    for (size_t i = 0; i < mine.size(); ++i) {
      if (mine[i].state != "active" || slot_of[i] != kNone) continue;
      const auto& a = mine[i];
      Slot key{a.shift, a.starts_at, a.ends_at};
      auto extra = std::find_if(slots.begin() + static_cast<std::ptrdiff_t>(generated), slots.end(),
                                [&](const Slot& x) { return !before(x, key) && !before(key, x); });
      if (extra == slots.end()) slots.push_back(key);
    }
    std::stable_sort(slots.begin(), slots.end(), before);
    place_all();
  }
  // Counting sort: sizes, then each slot's start, then fill (count doubles as the fill cursor).
  std::vector<const RosterAssignment*> people;
  for (size_t k : slot_of)
    if (k != kNone) ++slots[k].count;
  for (auto& slot : slots) {
    slot.first = people.size();
    people.resize(people.size() + slot.count);
    slot.count = 0;
  }
  for (size_t i = 0; i < mine.size(); ++i)
    if (size_t k = slot_of[i]; k != kNone) people[slots[k].first + slots[k].count++] = &mine[i];

  // Certification of a person at the end of a shift (invariant 4).
  std::map<Id, std::vector<store::Certification>> cert_cache;
  // Whether `person` holds `kind` valid on the shift's last day (`end` its end).
  auto holds = [&](Id person, const std::string& kind, TimePoint end) {
    auto it = cert_cache.find(person);
    if (it == cert_cache.end()) it = cert_cache.emplace(person, certs(person)).first;
    std::string last_day = FormatDay(floor<days>(zone.ToLocal(end - Micros(1))));
    for (const auto& c : it->second)
      if (c.kind == kind && (c.expires_on.empty() || c.expires_on >= last_day)) return true;
    return false;
  };
  auto certified = [&](Id person, TimePoint end) {
    if (!pack_post) return true;
    for (const auto& kind : pack_post->certifications)
      if (!holds(person, kind, end)) return false;
    return true;
  };
  auto shift_label = [&](const Slot& s) {
    return std::string(s.shift) + " " + LocalText(s.start, zone) + "–" + LocalText(s.end, zone);
  };

  for (const auto* rule : rules) {
    // Uncertified people: one problem per person with the first shift and how many.
    std::map<Id, std::pair<const RosterAssignment*, int>> uncertified;
    for (auto& slot : slots) {
      int count = 0;
      std::set<std::string> roles_on;
      for (size_t k = slot.first; k < slot.first + slot.count; ++k) {
        const RosterAssignment* a = people[k];
        bool ok = !rule->certified_only || certified(a->person_id, a->ends_at);
        if (ok) ++count;
        if (!ok) {
          auto& u = uncertified[a->person_id];
          if (!u.first) u.first = a;
          ++u.second;
        }
        if (!rule->at_least_one_of.empty())
          for (auto& r : roles_of(a->person_id)) roles_on.insert(r);
      }
      auto add = [&](std::string kind, std::vector<std::string> clauses, std::string message) {
        out.push_back({std::move(kind), rule->id, std::move(clauses), std::move(message), 0,
                       std::string(slot.shift), slot.start});
      };
      std::string counted = rule->certified_only ? "持证在岗" : "在岗";
      if (rule->min_per_shift && count < *rule->min_per_shift) {
        add("understaffed", ClausesAbout(pack, *rule, {"每班", "无人值守", "值班"}),
            shift_label(slot) + "：" + counted + std::to_string(count) + "人，每班不少于" +
                std::to_string(*rule->min_per_shift) + "人");
      }
      if (rule->min_during_alarm && count < *rule->min_during_alarm) {
        add("alarm_staffing", ClausesAbout(pack, *rule, {"出现报警信号后"}),
            shift_label(slot) + "：" + counted + std::to_string(count) +
                "人，出现报警时须一人现场确认、一人在控制室执机（" +
                std::to_string(*rule->min_during_alarm) + "人）");
      }
      if (rule->around_the_clock && count == 0 && !rule->min_per_shift) {
        add("unattended", ClausesAbout(pack, *rule, {"24小时", "二十四小时", "无人值守", "24"}),
            shift_label(slot) + "：无人值守");
      }
      // 每班至少一人持证: each certificate held by someone of the shift.
      for (const auto& kind : rule->at_least_one_certified) {
        bool any = false;
        for (size_t k = slot.first; k < slot.first + slot.count && !any; ++k)
          any = holds(people[k]->person_id, kind, people[k]->ends_at);
        if (!any)
          add("certificate_missing", ClausesAbout(pack, *rule, {"持证", "证"}),
              shift_label(slot) + "：没有持有效" + kind + "的人员");
      }
      if (!rule->at_least_one_of.empty()) {
        bool any = false;
        for (const auto& r : rule->at_least_one_of) any = any || roles_on.contains(r);
        if (!any) {
          std::string names;
          for (const auto& r : rule->at_least_one_of) names += (names.empty() ? "" : "/") + r;
          add("role_missing", rule->clauses, shift_label(slot) + "：没有" + names);
        }
      }
    }
    for (const auto& [person, u] : uncertified) {
      std::string kinds;
      for (const auto& k : pack_post->certifications) kinds += (kinds.empty() ? "" : "、") + k;
      out.push_back({"uncertified", rule->id, ClausesAbout(pack, *rule, {"持证", "培训"}),
                     "人员" + std::to_string(person) + "没有有效的" + kinds + "（" +
                         std::to_string(u.second) + "个班次，自" +
                         LocalText(u.first->starts_at, zone) + "起），不计入在岗人数",
                     person, u.first->shift, u.first->starts_at});
    }
    // Continuous hours across adjacent shifts, per person.
    if (rule->max_continuous) {
      auto limit = duration_cast<Micros>(rule->max_continuous->fixed);
      std::map<Id, std::vector<std::pair<TimePoint, TimePoint>>> by_person;
      for (const auto* list : {&mine, &others})
        for (const auto& a : *list)
          if (a.state == "active") by_person[a.person_id].push_back({a.starts_at, a.ends_at});
      for (auto& [person, spans] : by_person) {
        std::sort(spans.begin(), spans.end());
        spans.erase(std::unique(spans.begin(), spans.end()), spans.end());
        for (size_t i = 0; i < spans.size();) {
          auto start = spans[i].first, end = spans[i].second;
          size_t j = i + 1;
          while (j < spans.size() && spans[j].first <= end) end = std::max(end, spans[j++].second);
          if (end - start > limit) {
            auto hours = duration_cast<minutes>(end - start).count();
            out.push_back({"continuous", rule->id, ClausesAbout(pack, *rule, {"连续工作"}),
                           "人员" + std::to_string(person) + "自" + LocalText(start, zone) +
                               "起连续工作" + std::to_string(hours / 60) + "小时" +
                               (hours % 60 ? std::to_string(hours % 60) + "分" : "") + "，超过" +
                               std::to_string(limit.count() / 3600000000LL) + "小时",
                           person, "", start});
          }
          i = j;
        }
      }
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Problem& a, const Problem& b) { return a.starts_at < b.starts_at; });
  return out;
}

std::optional<int> AgeOn(std::string_view birth_date, local_days on) {
  int y = 0;
  unsigned m = 0, d = 0;
  auto num = [&](size_t at, size_t n, auto& out) {
    return std::from_chars(birth_date.data() + at, birth_date.data() + at + n, out).ec ==
           std::errc();
  };
  if (birth_date.size() != 10 || birth_date[4] != '-' || birth_date[7] != '-' || !num(0, 4, y) ||
      !num(5, 2, m) || !num(8, 2, d))
    return std::nullopt;
  year_month_day born{year{y}, month{m}, day{d}};
  if (!born.ok()) return std::nullopt;
  year_month_day today{on};
  int age = static_cast<int>(today.year()) - y;
  auto md = std::pair{static_cast<unsigned>(today.month()), static_cast<unsigned>(today.day())};
  if (md < std::pair{m, d}) --age;  // 29 Feb: reached on 1 Mar in other years
  return age;
}

Qualifications CheckQualifications(const policy::Pack& pack, const policy::Post& post,
                                   const TimeZone& zone, const std::vector<RosterAssignment>& mine,
                                   const std::function<const store::Person*(Id)>& person_of,
                                   const std::optional<std::vector<std::string>>& levels) {
  Qualifications out;
  const bool ages = post.min_age || post.max_age;
  if (!ages && post.education.empty()) return out;
  auto clauses = policy::ClausesMentioning(pack, post.clauses, {"文化程度", "学历", "年龄"});
  if (clauses.empty()) clauses = post.clauses;
  std::vector<const RosterAssignment*> active;
  for (const auto& a : mine)
    if (a.state == "active") active.push_back(&a);
  if (active.empty()) return out;
  std::stable_sort(active.begin(), active.end(),
                   [](const auto* x, const auto* y) { return x->starts_at < y->starts_at; });
  auto finding = [&](std::vector<Problem>& to, std::string kind, std::string message,
                     const RosterAssignment* a, Id person) {
    to.push_back({std::move(kind), post.id, clauses, std::move(message), person, a ? a->shift : "",
                  a ? a->starts_at : TimePoint{}});
  };

  // The rank of an education level in the site's order.
  auto rank_of = [&](std::string_view name) -> std::optional<size_t> {
    if (!levels) return std::nullopt;
    for (size_t i = 0; i < levels->size(); ++i) {
      std::string_view item = (*levels)[i];
      for (size_t start = 0; start <= item.size();) {
        size_t slash = item.find('/', start);
        if (slash == std::string_view::npos) slash = item.size();
        std::string_view alt = item.substr(start, slash - start);
        while (!alt.empty() && alt.front() == ' ') alt.remove_prefix(1);
        while (!alt.empty() && alt.back() == ' ') alt.remove_suffix(1);
        if (alt == name) return i;
        start = slash + 1;
      }
    }
    return std::nullopt;
  };
  std::optional<size_t> required_rank;
  if (!post.education.empty()) {
    std::string_view required = post.education;
    if (required.ends_with("以上")) required.remove_suffix(std::string_view("以上").size());
    if (!levels)
      finding(out.advice, "education_levels_unset",
              "本单位未设置学历层次（站点参数 education_levels，由低到高），无法核对“" +
                  post.education + "”",
              active.front(), 0);
    else if (!(required_rank = rank_of(required)))
      finding(out.advice, "education_levels_unset",
              "本单位学历层次（站点参数 education_levels）中没有“" + std::string(required) +
                  "”，无法核对“" + post.education + "”",
              active.front(), 0);
  }
  std::string range;
  if (post.min_age && post.max_age)
    range = "年龄宜在" + std::to_string(*post.min_age) + "至" + std::to_string(*post.max_age) +
            "周岁之间";
  else if (post.min_age)
    range = "年龄宜不小于" + std::to_string(*post.min_age) + "周岁";
  else if (post.max_age)
    range = "年龄宜不大于" + std::to_string(*post.max_age) + "周岁";

  std::set<Id> education_done, age_done;
  for (const auto* a : active) {
    const store::Person* p = person_of(a->person_id);
    if (!p) continue;
    const std::string who = "人员" + std::to_string(p->id) + "（" + p->name + "）";
    if (required_rank && education_done.insert(p->id).second) {
      if (p->education.empty()) {
        finding(out.advice, "education_unknown",
                who + "未登记学历，无法核对“" + post.education + "”", a, p->id);
      } else if (auto r = rank_of(p->education); !r) {
        finding(out.advice, "education_unknown",
                who + "的学历“" + p->education + "”不在本单位学历层次中，无法核对“" +
                    post.education + "”",
                a, p->id);
      } else if (*r < *required_rank) {
        finding(out.problems, "education",
                who + "学历为“" + p->education + "”，不满足“" + post.education + "”（自" +
                    LocalText(a->starts_at, zone) + "起）",
                a, p->id);
      }
    }
    if (ages && !age_done.contains(p->id)) {
      if (p->birth_date.empty()) {
        age_done.insert(p->id);
        finding(out.advice, "age_unknown", who + "未登记出生日期，无法核对" + range, a, p->id);
        continue;
      }
      auto day = floor<days>(zone.ToLocal(a->starts_at));
      auto age = AgeOn(p->birth_date, day);
      if (!age) continue;
      if ((post.min_age && *age < *post.min_age) || (post.max_age && *age > *post.max_age)) {
        age_done.insert(p->id);
        finding(out.advice, "age",
                who + "在" + LocalText(a->starts_at, zone) + "的班次时" + std::to_string(*age) +
                    "周岁；" + range,
                a, p->id);
      }
    }
  }
  return out;
}

Rosters::Rosters(store::Store& store, store::Writer& writer, const policy::ActivePack& pack,
                 const org::RoleCatalogue& roles)
    : store_(store), writer_(writer), pack_(pack), roles_(roles) {}

namespace {

// CheckQualifications for roster `r`'s active assignments, with the people and the site's
// education levels read from `unit`.
Result<Qualifications> QualificationsOf(store::UnitOfWork& unit, const policy::Pack& pack,
                                        const Roster& r,
                                        const std::vector<RosterAssignment>& mine) {
  ZHIDU_TRY(auto post, unit.GetPost(r.post_id));
  const auto* pack_post = pack.FindPost(post.name);
  if (!pack_post || (!pack_post->min_age && !pack_post->max_age && pack_post->education.empty()))
    return Qualifications{};
  ZHIDU_TRY(auto site, unit.GetSite(r.site_id));
  ZHIDU_TRY(auto zone, ZoneOf(site));
  std::map<Id, store::Person> people;
  for (const auto& a : mine) {
    if (a.state != "active" || people.contains(a.person_id)) continue;
    ZHIDU_TRY(auto p, unit.GetPerson(a.person_id));
    people.emplace(a.person_id, std::move(p));
  }
  std::optional<std::vector<std::string>> levels;
  ZHIDU_TRY(auto params, unit.ListSiteParameters(r.site_id));
  for (const auto& p : params)
    if (p.name == policy::kEducationLevelsParameter && !p.value.empty())
      levels = policy::ParamListItems(p.value);  // empty: cleared
  return CheckQualifications(
      pack, *pack_post, zone, mine,
      [&](Id id) -> const store::Person* {
        auto it = people.find(id);
        return it == people.end() ? nullptr : &it->second;
      },
      levels);
}

// The staffing problems of roster `r` as stored in `unit`; `advice` (if given) receives the
// qualification advice read on the way (CheckQualifications), so a view reads people once.
Result<std::vector<Problem>> Problems(store::UnitOfWork& unit, const policy::Pack& pack,
                                      const Roster& r, const std::vector<RosterAssignment>& mine,
                                      std::vector<Problem>* advice = nullptr) {
  ZHIDU_TRY(auto site, unit.GetSite(r.site_id));
  ZHIDU_TRY(auto zone, ZoneOf(site));
  ZHIDU_TRY(auto post, unit.GetPost(r.post_id));
  std::set<Id> people;
  TimePoint from = TimePoint::max(), to = TimePoint::min();
  for (const auto& a : mine) {
    if (a.state != "active") continue;
    people.insert(a.person_id);
    from = std::min(from, a.starts_at);
    to = std::max(to, a.ends_at);
  }
  std::vector<RosterAssignment> others;
  for (Id p : people) {
    AssignmentFilter f;
    f.person_id = p;
    f.published_only = true;
    f.from = from - hours(24);
    f.before = to + hours(24);
    ZHIDU_TRY(auto rows, db::ListRosterAssignments(unit.sql(), f, kMaxRows));
    for (auto& a : rows)
      if (a.roster_id != r.id) others.push_back(std::move(a));
  }
  std::map<Id, std::vector<std::string>> roles_by_person;
  bool need_roles = false;
  for (const auto& rule : pack.staffing())
    need_roles = need_roles || (rule.post == post.name && !rule.at_least_one_of.empty());
  if (need_roles) {
    store::PageRequest page{0, 500};
    for (int guard = 0; guard < 1000; ++guard) {
      ZHIDU_TRY(auto accounts, unit.ListAccounts(page));
      for (const auto& acc : accounts) {
        if (!acc.person_id || acc.disabled) continue;
        ZHIDU_TRY(auto grants, unit.ListRoleGrants(acc.id));
        for (const auto& g : grants)
          if (org::GrantCovers(g, {r.site_id, 0})) roles_by_person[acc.person_id].push_back(g.role);
      }
      if (static_cast<int>(accounts.size()) < page.limit) break;
      page.after_id = accounts.back().id;
    }
  }
  std::map<Id, std::vector<store::Certification>> certs;
  for (Id p : people) {
    ZHIDU_TRY(auto c, unit.ListCertifications(p));
    certs[p] = std::move(c);
  }
  // The site's hours of a pattern that leaves them to the site; unset: the assignments' slots.
  std::optional<policy::ShiftPattern> site_pattern;
  if (const auto* pp = FindPattern(pack, r.pattern); pp && policy::HasSiteHours(*pp))
    if (auto sp = SitePattern(unit, r.site_id, *pp)) site_pattern = std::move(*sp);
  auto out = CheckStaffing(
      pack, r, post, zone, mine, others, [&](Id p) { return certs[p]; },
      [&](Id p) { return roles_by_person[p]; }, site_pattern ? &*site_pattern : nullptr);
  ZHIDU_TRY(auto q, QualificationsOf(unit, pack, r, mine));
  if (advice) *advice = std::move(q.advice);
  if (!q.problems.empty()) {
    for (auto& p : q.problems) out.push_back(std::move(p));
    std::stable_sort(out.begin(), out.end(),
                     [](const Problem& a, const Problem& b) { return a.starts_at < b.starts_at; });
  }
  return out;
}

}  // namespace

Result<RosterView> Rosters::Load(store::UnitOfWork& unit, Id id) {
  RosterView v;
  ZHIDU_TRY(v.roster, db::GetRoster(unit.sql(), id));
  AssignmentFilter f;
  f.roster_id = id;
  f.active_only = false;
  ZHIDU_TRY(v.assignments, db::ListRosterAssignments(unit.sql(), f, kMaxRows));
  std::vector<RosterAssignment> active;
  for (const auto& a : v.assignments)
    if (a.state == "active") active.push_back(a);
  auto pack = pack_.Current();
  ZHIDU_TRY(v.warnings, Problems(unit, *pack, v.roster, active, &v.advice));
  ZHIDU_TRY(v.swaps, db::ListRosterSwaps(unit.sql(), id));
  return v;
}

Result<RosterView> Rosters::Generate(const org::Principal& who, const GenerateRequest& req) {
  if (!roles_.Allows(who, perm::kRosterManage, {req.site_id, 0}))
    return Fail(Errc::kPermissionDenied, "generating a roster needs roster.manage at the site");
  auto pack = pack_.Current();
  const auto* pack_pattern = FindPattern(*pack, req.pattern);
  if (!pack_pattern)
    return Fail(Errc::kInvalidArgument,
                "the policy pack has no shift pattern \"" + req.pattern + "\"", "pattern");
  const auto* pattern = pack_pattern;
  if (req.team_ids.size() != pattern->teams.size())
    return Fail(Errc::kInvalidArgument,
                pattern->title + " rotates " + std::to_string(pattern->teams.size()) +
                    " teams; team_ids names " + std::to_string(req.team_ids.size()),
                "team_ids");
  ZHIDU_TRY(auto first, ParseDay(req.first_day, "first_day"));
  ZHIDU_TRY(auto last, ParseDay(req.last_day, "last_day"));
  ZHIDU_TRY(auto epoch,
            ParseDay(req.cycle_start.empty() ? req.first_day : req.cycle_start, "cycle_start"));
  if (last < first) return Fail(Errc::kInvalidArgument, "last_day is before first_day", "last_day");
  if ((last - first).count() >= kMaxDays)
    return Fail(Errc::kInvalidArgument, "a roster covers at most 366 days", "last_day");
  std::set<Id> distinct(req.team_ids.begin(), req.team_ids.end());
  if (distinct.size() != req.team_ids.size())
    return Fail(Errc::kInvalidArgument, "team_ids names a team twice", "team_ids");

  return writer_.Run<RosterView>([&](store::Tx& tx) -> Result<RosterView> {
    auto& unit = tx.unit();
    auto site = unit.GetSite(req.site_id);
    if (!site) return Fail(Errc::kInvalidArgument, site.error().message, "site_id");
    ZHIDU_TRY(auto zone, ZoneOf(*site));
    ZHIDU_TRY(const policy::ShiftPattern site_pattern,
              SitePattern(unit, req.site_id, *pack_pattern));
    pattern = &site_pattern;
    auto post = unit.GetPost(req.post_id);
    if (!post) return Fail(Errc::kInvalidArgument, post.error().message, "post_id");
    if (post->site_id != req.site_id)
      return Fail(Errc::kInvalidArgument,
                  "post " + std::to_string(req.post_id) + " belongs to another site", "post_id");
    // Members of each team (班组): people of the site whose team_id is that team.
    std::map<Id, std::vector<store::Person>> members;
    {
      store::PageRequest page{0, 500};
      for (int guard = 0; guard < 10000; ++guard) {
        ZHIDU_TRY(auto people, unit.ListPeople(req.site_id, page));
        for (auto& p : people)
          if (distinct.contains(p.team_id)) members[p.team_id].push_back(p);
        if (static_cast<int>(people.size()) < page.limit) break;
        page.after_id = people.back().id;
      }
    }
    for (Id t : req.team_ids) {
      auto team = unit.GetTeam(t);
      if (!team) return Fail(Errc::kInvalidArgument, team.error().message, "team_ids");
      if (team->site_id != req.site_id)
        return Fail(Errc::kInvalidArgument,
                    "team " + std::to_string(t) + " belongs to another site", "team_ids");
    }
    Roster r;
    r.site_id = req.site_id;
    r.post_id = req.post_id;
    r.pattern = pattern->id;
    for (size_t i = 0; i < req.team_ids.size(); ++i)
      r.team_ids += (i ? "," : "") + std::to_string(req.team_ids[i]);
    r.first_day = FormatDay(first);
    r.last_day = FormatDay(last);
    r.created_by = who.account_id;
    r.created_at = tx.now();
    ZHIDU_TRY(r.id, db::InsertRoster(unit.sql(), r));
    int count = 0;
    for (local_days d = first; d <= last; d += days(1)) {
      long day_index = (d - epoch).count();
      for (size_t t = 0; t < req.team_ids.size(); ++t) {
        const auto& shift_id = pattern->ShiftOn(t, day_index);
        const auto* shift = FindShift(*pattern, shift_id);
        if (!shift) continue;  // off
        auto [start, end] = SlotTimes(*shift, d, zone);
        for (const auto& p : members[req.team_ids[t]]) {
          ZHIDU_TRY_VOID(CheckNoOverlap(unit, r.id, p.id, start, end, {}, zone, p.name));
          RosterAssignment a{0,         r.id,  r.site_id, r.post_id, p.id,        req.team_ids[t],
                             shift->id, start, end,       "active",  "generated", 0,
                             ""};
          ZHIDU_TRY_VOID(db::InsertRosterAssignment(unit.sql(), a));
          ++count;
        }
      }
    }
    CanonicalObject payload;
    payload.Add("site_id", r.site_id).Add("post_id", r.post_id).Add("pattern", r.pattern);
    payload.Add("team_ids", r.team_ids).Add("first_day", r.first_day).Add("last_day", r.last_day);
    payload.Add("assignments", count)
        .Add("title", "排班草稿：" + post->name + " " + r.first_day + "至" + r.last_day);
    ZHIDU_TRY(auto seq, tx.Journal("roster.generated", who.account_id,
                                   "roster/" + std::to_string(r.id), payload.Str()));
    (void)seq;
    return Load(unit, r.id);
  });
}

Result<RosterView> Rosters::Get(const org::Principal& who, Id id) {
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(auto r, db::GetRoster(unit->sql(), id));
  if (!roles_.Allows(who, org::perm::kOrgRead, {r.site_id, 0}))
    return Fail(Errc::kPermissionDenied, "reading rosters needs org.read at the site");
  return Load(*unit, id);
}

Result<std::vector<Roster>> Rosters::List(const org::Principal& who, Id site_id, Id post_id,
                                          store::PageRequest page) {
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(auto rows, db::ListRosters(unit->sql(), site_id, post_id, page));
  std::vector<Roster> out;
  for (auto& r : rows)
    if (roles_.Allows(who, org::perm::kOrgRead, {r.site_id, 0})) out.push_back(std::move(r));
  return out;
}

Result<PublishOutcome> Rosters::Publish(const org::Principal& who, Id id) {
  return writer_.Run<PublishOutcome>([&](store::Tx& tx) -> Result<PublishOutcome> {
    auto& unit = tx.unit();
    ZHIDU_TRY(auto r, db::GetRoster(unit.sql(), id));
    if (!roles_.Allows(who, perm::kRosterManage, {r.site_id, 0}))
      return Fail(Errc::kPermissionDenied, "publishing a roster needs roster.manage at the site");
    if (r.state != "draft")
      return Fail(Errc::kFailedPrecondition, Reason{"roster.already_published"},
                  "roster " + std::to_string(id) + " is already " + r.state);
    PublishOutcome out;
    ZHIDU_TRY(out.view, Load(unit, id));
    if (!out.view.warnings.empty()) {
      out.problems = out.view.warnings;
      return out;  // nothing written
    }
    ZHIDU_TRY_VOID(db::PublishRoster(unit.sql(), id, who.account_id, tx.now()));
    ZHIDU_TRY(auto post, unit.GetPost(r.post_id));
    CanonicalObject payload;
    payload.Add("site_id", r.site_id).Add("post_id", r.post_id).Add("pattern", r.pattern);
    payload.Add("first_day", r.first_day).Add("last_day", r.last_day);
    payload.Add("title", "排班已发布：" + post.name + " " + r.first_day + "至" + r.last_day);
    ZHIDU_TRY(auto seq, tx.Journal("roster.published", who.account_id,
                                   "roster/" + std::to_string(id), payload.Str()));
    (void)seq;
    out.published = true;
    ZHIDU_TRY(out.view, Load(unit, id));
    return out;
  });
}

Result<RosterView> Rosters::AddAssignment(const org::Principal& who, Id roster_id, Id person_id,
                                          const std::string& shift_id, const std::string& day) {
  ZHIDU_TRY(auto d, ParseDay(day, "day"));
  return writer_.Run<RosterView>([&](store::Tx& tx) -> Result<RosterView> {
    auto& unit = tx.unit();
    ZHIDU_TRY(auto r, db::GetRoster(unit.sql(), roster_id));
    if (!roles_.Allows(who, perm::kRosterManage, {r.site_id, 0}))
      return Fail(Errc::kPermissionDenied, "editing a roster needs roster.manage at the site");
    if (r.state != "draft")
      return Fail(Errc::kFailedPrecondition, Reason{"roster.published_locked"},
                  "roster " + std::to_string(roster_id) +
                      " is published: it changes only by swap, leave or substitution");
    const auto* pack_pattern = FindPattern(*pack_.Current(), r.pattern);
    std::optional<policy::ShiftPattern> pattern;
    if (pack_pattern) {
      ZHIDU_TRY(pattern, SitePattern(unit, r.site_id, *pack_pattern));
    }
    const auto* shift = pattern ? FindShift(*pattern, shift_id) : nullptr;
    if (!shift)
      return Fail(Errc::kInvalidArgument,
                  "shift pattern " + r.pattern + " has no shift \"" + shift_id + "\"", "shift");
    if (day < r.first_day || day > r.last_day)
      return Fail(
          Errc::kInvalidArgument,
          "day " + day + " is outside the roster (" + r.first_day + " to " + r.last_day + ")",
          "day");
    auto person = unit.GetPerson(person_id);
    if (!person) return Fail(Errc::kInvalidArgument, person.error().message, "person_id");
    if (person->site_id != r.site_id)
      return Fail(Errc::kInvalidArgument,
                  "person " + std::to_string(person_id) + " belongs to another site", "person_id");
    ZHIDU_TRY(auto site, unit.GetSite(r.site_id));
    ZHIDU_TRY(auto zone, ZoneOf(site));
    auto [start, end] = SlotTimes(*shift, d, zone);
    ZHIDU_TRY_VOID(CheckNoOverlap(unit, r.id, person_id, start, end, {}, zone, person->name));
    RosterAssignment a{0,     r.id, r.site_id, r.post_id, person_id, 0, shift->id,
                       start, end,  "active",  "added",   0,         ""};
    ZHIDU_TRY(a.id, db::InsertRosterAssignment(unit.sql(), a));
    CanonicalObject payload;
    payload.Add("site_id", r.site_id).Add("roster_id", r.id).Add("assignment_id", a.id);
    payload.Add("person_id", person_id).Add("shift", shift->id).Add("day", day);
    ZHIDU_TRY(auto seq, tx.Journal("roster.assignment.added", who.account_id,
                                   "roster/" + std::to_string(r.id), payload.Str()));
    (void)seq;
    return Load(unit, r.id);
  });
}

Result<RosterView> Rosters::Mutate(
    const org::Principal& who, Id assignment_id,
    const std::function<Result<void>(store::Tx&, const policy::Pack&, const Roster&,
                                     const RosterAssignment&)>& f) {
  auto pack = pack_.Current();
  return writer_.Run<RosterView>([&](store::Tx& tx) -> Result<RosterView> {
    auto& unit = tx.unit();
    ZHIDU_TRY(auto a, db::GetRosterAssignment(unit.sql(), assignment_id));
    ZHIDU_TRY(auto r, db::GetRoster(unit.sql(), a.roster_id));
    if (!roles_.Allows(who, perm::kRosterManage, {r.site_id, 0}))
      return Fail(Errc::kPermissionDenied,
                  "leave and substitutions are recorded by a holder of roster.manage at the site");
    if (a.state != "active")
      return Fail(Errc::kFailedPrecondition, Reason{"roster.assignment_inactive"},
                  "assignment " + std::to_string(a.id) + " is no longer active (" + a.state + ")");
    ZHIDU_TRY_VOID(f(tx, *pack, r, a));
    return Load(unit, r.id);
  });
}

namespace {
// Problems of `r` after a change that concern `people` (so a change is refused only for what it
// breaks, not for problems the roster already had).
Result<std::vector<Problem>> NewProblemsFor(store::UnitOfWork& unit, const policy::Pack& pack,
                                            const Roster& r, const std::set<Id>& people) {
  AssignmentFilter f;
  f.roster_id = r.id;
  ZHIDU_TRY(auto active, db::ListRosterAssignments(unit.sql(), f, kMaxRows));
  ZHIDU_TRY(auto all, Problems(unit, pack, r, active));
  std::vector<Problem> out;
  for (auto& p : all)
    if (p.person_id && people.contains(p.person_id)) out.push_back(std::move(p));
  return out;
}

Error Refusal(const std::vector<Problem>& problems) {
  std::string msg = "the change would break staffing rules:";
  for (const auto& p : problems) {
    std::string clauses;
    for (const auto& c : p.clauses) clauses += (clauses.empty() ? "" : ", ") + c;
    msg += " " + p.message + " (" + clauses + ");";
  }
  return Error{Errc::kConflict, msg, "", "roster.staffing_rules"};
}
}  // namespace

Result<RosterView> Rosters::Leave(const org::Principal& who, Id assignment_id, std::string reason) {
  if (reason.size() > 4000)
    return Fail(Errc::kInvalidArgument, Reason{"too_long"}, "reason is longer than 4000 bytes",
                "reason");
  return Mutate(
      who, assignment_id,
      [&](store::Tx& tx, const policy::Pack& pack, const Roster& r,
          const RosterAssignment& a) -> Result<void> {
        ZHIDU_TRY_VOID(db::RetireRosterAssignment(tx.unit().sql(), a.id, "leave", reason));
        CanonicalObject payload;
        payload.Add("site_id", r.site_id).Add("roster_id", r.id);
        payload.Add("assignment_id", a.id).Add("person_id", a.person_id);
        payload.Add("shift", a.shift).Add("reason", reason);
        // whoever the pack lets manage rosters (roster.manage)
        payload.AddRaw("notify_roles",
                       JsonStringArray(pack.RolesWithPermission(perm::kRosterManage)));
        payload.Add("title", "请假：" + a.shift);
        ZHIDU_TRY(auto seq, tx.Journal("roster.leave", who.account_id,
                                       "roster/" + std::to_string(r.id), payload.Str()));
        (void)seq;
        return Ok();
      });
}

Result<RosterView> Rosters::Substitute(const org::Principal& who, Id assignment_id, Id substitute,
                                       std::string note) {
  if (note.size() > 4000)
    return Fail(Errc::kInvalidArgument, Reason{"too_long"}, "note is longer than 4000 bytes",
                "note");
  return Mutate(
      who, assignment_id,
      [&](store::Tx& tx, const policy::Pack& pack, const Roster& r,
          const RosterAssignment& a) -> Result<void> {
        auto& unit = tx.unit();
        auto person = unit.GetPerson(substitute);
        if (!person)
          return Fail(Errc::kInvalidArgument, person.error().message, "substitute_person_id");
        if (person->site_id != r.site_id || substitute == a.person_id)
          return Fail(Errc::kInvalidArgument,
                      "the substitute must be another person of the same site",
                      "substitute_person_id");
        ZHIDU_TRY(auto site, unit.GetSite(r.site_id));
        ZHIDU_TRY(auto zone, ZoneOf(site));
        ZHIDU_TRY_VOID(
            CheckNoOverlap(unit, r.id, substitute, a.starts_at, a.ends_at, {}, zone, person->name));
        ZHIDU_TRY_VOID(db::RetireRosterAssignment(unit.sql(), a.id, "substituted", note));
        RosterAssignment n = a;
        n.id = 0;
        n.person_id = substitute;
        n.team_id = person->team_id;
        n.origin = "substitution";
        n.replaces = a.id;
        n.note = note;
        ZHIDU_TRY(n.id, db::InsertRosterAssignment(unit.sql(), n));
        ZHIDU_TRY(auto problems, NewProblemsFor(unit, pack, r, {substitute}));
        if (!problems.empty()) return Fail(Refusal(problems));
        CanonicalObject payload;
        payload.Add("site_id", r.site_id).Add("roster_id", r.id).Add("assignment_id", n.id);
        payload.Add("replaces", a.id).Add("person_id", a.person_id);
        payload.Add("substitute_person_id", substitute).Add("shift", a.shift).Add("note", note);
        ZHIDU_TRY(auto seq, tx.Journal("roster.substituted", who.account_id,
                                       "roster/" + std::to_string(r.id), payload.Str()));
        (void)seq;
        return Ok();
      });
}

namespace {

// The period of a leave request: its inputs' first and last local day, inclusive.
struct LeavePeriod {
  local_days first, last;
};

std::string InputField(std::string_view name) { return "inputs." + std::string(name); }

Result<LeavePeriod> PeriodOf(const policy::Context& inputs) {
  auto day = [&](std::string_view name) -> Result<local_days> {
    auto it = inputs.find(name);
    const auto* text = it == inputs.end() ? nullptr : std::get_if<std::string>(&it->second);
    if (!text)
      return Fail(Errc::kInvalidArgument, kRequired,
                  "input \"" + std::string(name) + "\" (a date like 2026-12-01) is required",
                  InputField(name));
    return ParseDay(*text, InputField(name));
  };
  LeavePeriod p;
  ZHIDU_TRY(p.first, day(kLeaveFromInput));
  ZHIDU_TRY(p.last, day(kLeaveToInput));
  if (p.last < p.first)
    return Fail(Errc::kInvalidArgument, Reason{"roster.leave_period"},
                "请假的结束日期早于开始日期 (" + std::string(kLeaveToInput) + " is before " +
                    std::string(kLeaveFromInput) + ")",
                InputField(kLeaveToInput));
  if ((p.last - p.first).count() >= kMaxDays)
    return Fail(Errc::kInvalidArgument, Reason{"roster.leave_period"},
                "一次请假至多 " + std::to_string(kMaxDays) + " 天 (a leave covers at most " +
                    std::to_string(kMaxDays) + " days)",
                InputField(kLeaveToInput));
  return p;
}

bool Overlaps(const LeavePeriod& a, const LeavePeriod& b) {
  return a.first <= b.last && b.first <= a.last;
}

// A leave request's period, the site's zone and the applicant's active assignments of published
// rosters at the request's site that start within the period.
struct LeaveShifts {
  LeavePeriod period;
  TimeZone zone;
  std::vector<RosterAssignment> shifts;
};

LeaveSpan SpanOf(const LeavePeriod& p, const TimeZone& zone) {
  return {zone.FromLocal(local_time<Micros>(p.first)),
          zone.FromLocal(local_time<Micros>(p.last + days(1)))};
}

Result<LeaveShifts> ShiftsOnLeave(store::UnitOfWork& unit, const store::ApprovalRequest& request,
                                  const policy::Context& inputs) {
  ZHIDU_TRY(auto p, PeriodOf(inputs));
  ZHIDU_TRY(auto site, unit.GetSite(request.site_id));
  ZHIDU_TRY(auto zone, ZoneOf(site));
  AssignmentFilter f;
  f.person_id = request.applicant_person;
  f.site_id = request.site_id;
  f.published_only = true;
  const auto [from, before] = SpanOf(p, zone);
  f.from = from;
  f.before = before;
  ZHIDU_TRY(auto rows, db::ListRosterAssignments(unit.sql(), f, kMaxRows));
  LeaveShifts out{p, zone, {}};
  for (auto& a : rows)
    if (a.starts_at >= from && a.starts_at < before) out.shifts.push_back(std::move(a));
  return out;
}

Result<void> NoShift(const LeavePeriod& p) {
  return Fail(
      Errc::kFailedPrecondition, Reason{"roster.leave_no_shift"},
      "请假期间 " + FormatDay(p.first) + " 至 " + FormatDay(p.last) +
          " 没有您在已发布排班表中的班次 (no published shift of yours starts in the period)",
      InputField(kLeaveFromInput));
}

}  // namespace

Result<LeaveSpan> LeaveSpanOf(store::UnitOfWork& unit, const store::ApprovalRequest& request,
                              const policy::Context& inputs) {
  ZHIDU_TRY(auto p, PeriodOf(inputs));
  ZHIDU_TRY(auto site, unit.GetSite(request.site_id));
  ZHIDU_TRY(auto zone, ZoneOf(site));
  return SpanOf(p, zone);
}

bool IsLeaveRequest(const policy::Request& type) {
  for (auto name : {kLeaveFromInput, kLeaveToInput}) {
    auto it = type.inputs.find(name);
    if (it == type.inputs.end() || it->second != policy::ValueType::kString) return false;
  }
  return true;
}

Result<void> OnLeaveFiled(store::Tx& tx, const policy::Pack& pack, const runtime::RequestFiled& e) {
  if (!IsLeaveRequest(e.type)) return Ok();
  auto& unit = tx.unit();
  if (e.request.applicant_person == 0)
    return Fail(Errc::kFailedPrecondition, Reason{"roster.leave_no_person"},
                "请假由排班表上的本人申请：您的账号未关联人员 (your account is not a person of "
                "the site)");
  ZHIDU_TRY(auto leave, ShiftsOnLeave(unit, e.request, e.inputs));
  const LeavePeriod& period = leave.period;
  if (leave.shifts.empty()) return NoShift(period);
  // Asked beforehand: a shift of the period that has begun is refused, citing the request type's
  // clauses (cn-default: 事前陈述, 提前说明).
  for (const auto& a : leave.shifts)
    if (a.starts_at <= tx.now())
      return Fail(Errc::kFailedPrecondition, Reason{"roster.leave_not_in_advance"},
                  "请假须事前提出（" + Join(e.type.clauses, "、") + "）：" +
                      LocalText(a.starts_at, leave.zone) +
                      " 的班次已开始 (a shift of the period has begun)",
                  InputField(kLeaveFromInput));
  // Another leave of this person, pending or approved, over any of these days (any leave type).
  for (const auto& type : pack.requests()) {
    if (!IsLeaveRequest(type)) continue;
    for (auto state : {store::RequestState::kPending, store::RequestState::kApproved}) {
      store::RequestFilter f;
      f.site_id = e.request.site_id;
      f.type = type.id;
      f.applicant = e.request.applicant;
      f.state = state;
      store::PageRequest page{0, 500};
      for (int guard = 0; guard < 1000; ++guard) {
        ZHIDU_TRY(auto rows, unit.ListApprovalRequests(f, page));
        for (const auto& r : rows) {
          if (r.id == e.request.id || r.applicant_person != e.request.applicant_person) continue;
          ZHIDU_TRY(auto inputs, runtime::InputsOf(type, r.inputs));
          auto other = PeriodOf(inputs);
          if (!other || !Overlaps(*other, period)) continue;
          return Fail(Errc::kConflict, Reason{"roster.leave_overlap"},
                      "请假期间与您的另一请假申请重叠：申请 #" + std::to_string(r.id) + "（" +
                          FormatDay(other->first) + " 至 " + FormatDay(other->last) +
                          "）(overlaps another leave request of yours)",
                      InputField(kLeaveFromInput));
        }
        if (static_cast<int>(rows.size()) < page.limit) break;
        page.after_id = rows.back().id;
      }
    }
  }
  return Ok();
}

Result<void> OnLeaveApproved(store::Tx& tx, const policy::Pack& pack,
                             const runtime::RequestApproved& e) {
  if (!IsLeaveRequest(e.type)) return Ok();
  auto& unit = tx.unit();
  ZHIDU_TRY(auto leave, ShiftsOnLeave(unit, e.request, e.inputs));
  const auto& [period, zone, shifts] = leave;
  // Swapped or substituted away since the filing: nothing is left to mark, so the approval would
  // record a leave of nothing. Refused; the approver can reject instead.
  if (shifts.empty()) return NoShift(period);
  ZHIDU_TRY(auto person, unit.GetPerson(e.request.applicant_person));
  const std::string reason = "请假（申请 #" + std::to_string(e.request.id) + "）";
  std::map<Id, std::vector<RosterAssignment>> by_roster;
  for (const auto& a : shifts) {
    ZHIDU_TRY_VOID(db::RetireRosterAssignment(unit.sql(), a.id, "leave", reason));
    by_roster[a.roster_id].push_back(a);
  }
  for (const auto& [roster_id, retired] : by_roster) {
    ZHIDU_TRY(auto r, db::GetRoster(unit.sql(), roster_id));
    AssignmentFilter f;
    f.roster_id = r.id;
    ZHIDU_TRY(auto active, db::ListRosterAssignments(unit.sql(), f, kMaxRows));
    ZHIDU_TRY(auto problems, Problems(unit, pack, r, active));
    for (const auto& a : retired) {
      // What this shift now lacks (a post left short): the shift lead substitutes (代班).
      std::vector<std::string> lacks;
      std::vector<std::string> clauses = e.type.clauses;
      for (const auto& p : problems) {
        if (p.starts_at != a.starts_at || p.shift != a.shift) continue;
        lacks.push_back(p.message);
        for (const auto& c : p.clauses)
          if (std::find(clauses.begin(), clauses.end(), c) == clauses.end()) clauses.push_back(c);
      }
      CanonicalObject payload;
      payload.Add("site_id", r.site_id).Add("roster_id", r.id);
      payload.Add("assignment_id", a.id).Add("person_id", a.person_id);
      payload.Add("shift", a.shift).Add("reason", reason).Add("request_id", e.request.id);
      payload.Add("starts_at", FormatIso8601Utc(a.starts_at));
      payload.AddRaw("clauses", JsonStringArray(clauses));
      payload.AddRaw("problems", JsonStringArray(lacks));
      payload.AddRaw("notify_roles",
                     JsonStringArray(pack.RolesWithPermission(perm::kRosterManage)));
      payload.Add("title", "请假：" + person.name + " " + LocalText(a.starts_at, zone) +
                               (lacks.empty() ? "" : "，班次缺员，需安排代班"));
      ZHIDU_TRY(auto seq, tx.Journal("roster.leave", e.approver, "roster/" + std::to_string(r.id),
                                     payload.Str()));
      (void)seq;
    }
  }
  return Ok();
}

Result<RosterSwap> Rosters::RequestSwap(const org::Principal& who, Id assignment_id,
                                        Id colleague_person, Id colleague_assignment,
                                        std::string reason) {
  if (reason.size() > 4000)
    return Fail(Errc::kInvalidArgument, Reason{"too_long"}, "reason is longer than 4000 bytes",
                "reason");
  return writer_.Run<RosterSwap>([&](store::Tx& tx) -> Result<RosterSwap> {
    auto& unit = tx.unit();
    auto a = db::GetRosterAssignment(unit.sql(), assignment_id);
    if (!a) return Fail(Errc::kInvalidArgument, a.error().message, "assignment_id");
    ZHIDU_TRY(auto r, db::GetRoster(unit.sql(), a->roster_id));
    if (who.person_id != a->person_id && !roles_.Allows(who, perm::kRosterManage, {r.site_id, 0}))
      return Fail(Errc::kPermissionDenied, Reason{"roster.not_your_shift"},
                  "only the person on the shift asks to swap it");
    if (a->state != "active")
      return Fail(Errc::kFailedPrecondition, Reason{"roster.assignment_inactive"},
                  "assignment " + std::to_string(a->id) + " is no longer active");
    auto colleague = unit.GetPerson(colleague_person);
    if (!colleague)
      return Fail(Errc::kInvalidArgument, colleague.error().message, "colleague_person_id");
    if (colleague->site_id != r.site_id || colleague_person == a->person_id)
      return Fail(Errc::kInvalidArgument, kInvalid,
                  "the colleague must be another person of the same site", "colleague_person_id");
    if (colleague_assignment) {
      auto b = db::GetRosterAssignment(unit.sql(), colleague_assignment);
      if (!b) return Fail(Errc::kInvalidArgument, b.error().message, "colleague_assignment_id");
      if (b->person_id != colleague_person || b->state != "active" || b->post_id != a->post_id)
        return Fail(Errc::kInvalidArgument,
                    "colleague_assignment_id must be an active shift of the colleague on the "
                    "same post",
                    "colleague_assignment_id");
    }
    RosterSwap s;
    s.roster_id = r.id;
    s.site_id = r.site_id;
    s.requester_person = a->person_id;
    s.requester_assignment = a->id;
    s.colleague_person = colleague_person;
    s.colleague_assignment = colleague_assignment;
    s.reason = reason;
    s.requested_by = who.account_id;
    s.created_at = tx.now();
    ZHIDU_TRY(s.id, db::InsertRosterSwap(unit.sql(), s));
    CanonicalObject payload;
    payload.Add("site_id", r.site_id).Add("roster_id", r.id).Add("swap_id", s.id);
    payload.Add("person_id", s.requester_person).Add("colleague_person_id", colleague_person);
    payload.Add("assignment_id", a->id).Add("colleague_assignment_id", colleague_assignment);
    payload.Add("reason", reason)
        .AddRaw("notify_roles",
                JsonStringArray(pack_.Current()->RolesWithPermission(perm::kRosterManage)));
    payload.Add("title", "换班申请待审批");
    ZHIDU_TRY(auto seq, tx.Journal("roster.swap.requested", who.account_id,
                                   "roster/" + std::to_string(r.id), payload.Str()));
    (void)seq;
    return s;
  });
}

Result<RosterSwap> Rosters::DecideSwap(const org::Principal& who, Id swap_id, bool approve,
                                       std::string note) {
  if (note.size() > 4000)
    return Fail(Errc::kInvalidArgument, "note is longer than 4000 bytes", "note");
  auto pack = pack_.Current();
  return writer_.Run<RosterSwap>([&](store::Tx& tx) -> Result<RosterSwap> {
    auto& unit = tx.unit();
    ZHIDU_TRY(auto s, db::GetRosterSwap(unit.sql(), swap_id));
    if (!roles_.Allows(who, perm::kRosterManage, {s.site_id, 0}))
      return Fail(Errc::kPermissionDenied,
                  "swaps are approved by a holder of roster.manage at the site");
    if (who.person_id &&
        (who.person_id == s.requester_person || who.person_id == s.colleague_person))
      return Fail(Errc::kPermissionDenied, Reason{"roster.own_swap"},
                  "a person in the swap cannot approve it");
    if (s.state != "pending")
      return Fail(Errc::kFailedPrecondition, Reason{"roster.swap_decided"},
                  "swap " + std::to_string(swap_id) + " is already " + s.state);
    ZHIDU_TRY(auto r, db::GetRoster(unit.sql(), s.roster_id));
    if (approve) {
      ZHIDU_TRY(auto site, unit.GetSite(r.site_id));
      ZHIDU_TRY(auto zone, ZoneOf(site));
      ZHIDU_TRY(auto a, db::GetRosterAssignment(unit.sql(), s.requester_assignment));
      std::optional<RosterAssignment> b;
      if (s.colleague_assignment) {
        ZHIDU_TRY(auto got, db::GetRosterAssignment(unit.sql(), s.colleague_assignment));
        b = got;
      }
      ZHIDU_TRY_VOID(
          db::RetireRosterAssignment(unit.sql(), a.id, "swapped", "swap " + std::to_string(s.id)));
      if (b)
        ZHIDU_TRY_VOID(db::RetireRosterAssignment(unit.sql(), b->id, "swapped",
                                                  "swap " + std::to_string(s.id)));
      auto put = [&](const RosterAssignment& from, Id person) -> Result<void> {
        ZHIDU_TRY(auto p, unit.GetPerson(person));
        ZHIDU_TRY_VOID(
            CheckNoOverlap(unit, r.id, person, from.starts_at, from.ends_at, {}, zone, p.name));
        RosterAssignment n = from;
        n.id = 0;
        n.person_id = person;
        n.team_id = p.team_id;
        n.origin = "swap";
        n.replaces = from.id;
        n.note = "swap " + std::to_string(s.id);
        ZHIDU_TRY(n.id, db::InsertRosterAssignment(unit.sql(), n));
        return Ok();
      };
      ZHIDU_TRY_VOID(put(a, s.colleague_person));
      if (b) ZHIDU_TRY_VOID(put(*b, s.requester_person));
      ZHIDU_TRY(auto problems,
                NewProblemsFor(unit, *pack, r, {s.requester_person, s.colleague_person}));
      if (!problems.empty()) return Fail(Refusal(problems));
    }
    const std::string state = approve ? "approved" : "rejected";
    ZHIDU_TRY_VOID(db::DecideRosterSwap(unit.sql(), s.id, state, who.account_id, tx.now(), note));
    CanonicalObject payload;
    payload.Add("site_id", s.site_id).Add("roster_id", s.roster_id).Add("swap_id", s.id);
    payload.Add("person_id", s.requester_person).Add("colleague_person_id", s.colleague_person);
    payload.Add("decision", state).Add("note", note);
    payload.Add("title", approve ? "换班已批准" : "换班未批准");
    ZHIDU_TRY(auto seq, tx.Journal("roster.swap.decided", who.account_id,
                                   "roster/" + std::to_string(s.roster_id), payload.Str()));
    (void)seq;
    return db::GetRosterSwap(unit.sql(), s.id);
  });
}

Result<std::vector<RosterAssignment>> Rosters::Shifts(const org::Principal& who, Id site_id,
                                                      TimePoint from, TimePoint to) {
  if (!roles_.Allows(who, org::perm::kOrgRead, {site_id, 0}))
    return Fail(Errc::kPermissionDenied, "reading shifts needs org.read at the site");
  if (to <= from) return Fail(Errc::kInvalidArgument, "to must be after from", "to");
  if (to - from > days(62))
    return Fail(Errc::kInvalidArgument, "ask for at most 62 days at once", "to");
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(auto site, unit->GetSite(site_id));
  (void)site;
  AssignmentFilter f;
  f.site_id = site_id;
  f.published_only = true;
  f.from = from;
  f.before = to;
  return db::ListRosterAssignments(unit->sql(), f, kMaxRows);
}

Result<std::vector<RosterAssignment>> Rosters::PersonShifts(Id person_id, TimePoint from,
                                                            TimePoint to) {
  ZHIDU_TRY(auto unit, store_.BeginRead());
  AssignmentFilter f;
  f.person_id = person_id;
  f.published_only = true;
  f.from = from;
  f.before = to;
  return db::ListRosterAssignments(unit->sql(), f, kMaxRows);
}

Result<std::string> Rosters::CreateIcalToken(const org::Principal& who, Id person_id) {
  return writer_.Run<std::string>([&](store::Tx& tx) -> Result<std::string> {
    ZHIDU_TRY(auto person, tx.unit().GetPerson(person_id));
    if (who.person_id != person_id &&
        !roles_.Allows(who, org::perm::kOrgWrite, {person.site_id, person.department_id}))
      return Fail(Errc::kPermissionDenied,
                  "a calendar link is created by the person or by org.write at the site");
    std::string token = RandomHex(24);
    IcalToken t{0, person_id, ToHex(Sha256Of(token)), who.account_id, tx.now(), false};
    ZHIDU_TRY(t.id, db::InsertIcalToken(tx.unit().sql(), t));
    CanonicalObject payload;
    payload.Add("site_id", person.site_id).Add("person_id", person_id).Add("token_id", t.id);
    ZHIDU_TRY(auto seq, tx.Journal("person.ical_token.created", who.account_id,
                                   "person/" + std::to_string(person_id), payload.Str()));
    (void)seq;
    return token;
  });
}

Result<std::int64_t> Rosters::RevokeIcalTokens(const org::Principal& who, Id person_id) {
  return writer_.Run<std::int64_t>([&](store::Tx& tx) -> Result<std::int64_t> {
    ZHIDU_TRY(auto person, tx.unit().GetPerson(person_id));
    if (who.person_id != person_id &&
        !roles_.Allows(who, org::perm::kOrgWrite, {person.site_id, person.department_id}))
      return Fail(Errc::kPermissionDenied,
                  "a calendar link is revoked by the person or by org.write at the site");
    ZHIDU_TRY(auto n, db::RevokeIcalTokens(tx.unit().sql(), person_id));
    CanonicalObject payload;
    payload.Add("site_id", person.site_id).Add("person_id", person_id).Add("revoked", n);
    ZHIDU_TRY(auto seq, tx.Journal("person.ical_token.revoked", who.account_id,
                                   "person/" + std::to_string(person_id), payload.Str()));
    (void)seq;
    return n;
  });
}

Result<Id> Rosters::PersonOfIcalToken(const std::string& token) {
  if (token.size() != 48) return Fail(Errc::kNotFound, "no such calendar");
  ZHIDU_TRY(auto unit, store_.BeginRead());
  auto t = db::GetIcalTokenByHash(unit->sql(), ToHex(Sha256Of(token)));
  if (!t || t->revoked) return Fail(Errc::kNotFound, "no such calendar");
  return t->person_id;
}

Result<std::string> Rosters::PatternOf(Id roster_id) {
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(auto r, db::GetRoster(unit->sql(), roster_id));
  return r.pattern;
}

std::string Rosters::ShiftName(const std::string& pattern, const std::string& shift) const {
  auto pack = pack_.Current();
  const auto* p = FindPattern(*pack, pattern);
  const auto* s = p ? FindShift(*p, shift) : nullptr;
  return s ? s->name : shift;
}

Result<std::vector<ShiftSlot>> PublishedShiftStarts(store::UnitOfWork& unit, Id post_id,
                                                    TimePoint from, TimePoint to) {
  AssignmentFilter f;
  f.post_id = post_id;
  f.published_only = true;
  f.from = from;
  f.before = to;
  ZHIDU_TRY(auto rows, db::ListRosterAssignments(unit.sql(), f, kMaxRows));
  std::map<std::pair<TimePoint, std::string>, ShiftSlot> slots;
  for (const auto& a : rows) {
    if (a.starts_at < from || a.starts_at >= to) continue;
    auto& s = slots[{a.starts_at, a.shift}];
    if (s.shift.empty())
      s = ShiftSlot{a.roster_id, a.post_id, a.shift, "", a.starts_at, a.ends_at, {}};
    s.person_ids.push_back(a.person_id);
  }
  std::vector<ShiftSlot> out;
  for (auto& [k, s] : slots) out.push_back(std::move(s));
  return out;
}

Result<std::vector<RosterAssignment>> PublishedAssignments(store::UnitOfWork& unit, TimePoint from,
                                                           TimePoint to) {
  AssignmentFilter f;
  f.published_only = true;
  f.from = from;
  f.before = to;
  ZHIDU_TRY(auto rows, db::ListRosterAssignments(unit.sql(), f, kMaxRows));
  std::erase_if(rows, [&](const RosterAssignment& a) { return a.starts_at < from; });
  return rows;
}

Result<std::vector<ShiftSlot>> Rosters::ShiftStarts(Id post_id, TimePoint from, TimePoint to) {
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(auto slots, PublishedShiftStarts(*unit, post_id, from, to));
  std::map<Id, std::string> pattern_of;
  for (auto& s : slots) {
    if (!pattern_of.contains(s.roster_id)) {
      ZHIDU_TRY(auto r, db::GetRoster(unit->sql(), s.roster_id));
      pattern_of[s.roster_id] = r.pattern;
    }
    s.shift_name = ShiftName(pattern_of[s.roster_id], s.shift);
  }
  return slots;
}

Result<std::optional<ShiftSlot>> Rosters::ShiftCovering(Id post_id, TimePoint at) {
  ZHIDU_TRY(auto slots, ShiftStarts(post_id, at - hours(48), at + Micros(1)));
  std::optional<ShiftSlot> out;
  for (auto& s : slots)
    if (s.starts_at <= at && at < s.ends_at) out = std::move(s);
  return out;
}

Result<std::vector<Id>> Rosters::OnPostAt(Id post_id, TimePoint at) {
  ZHIDU_TRY(auto unit, store_.BeginRead());
  AssignmentFilter f;
  f.post_id = post_id;
  f.published_only = true;
  f.from = at;
  f.before = at + Micros(1);
  ZHIDU_TRY(auto rows, db::ListRosterAssignments(unit->sql(), f, kMaxRows));
  std::vector<Id> out;
  for (const auto& a : rows) out.push_back(a.person_id);
  return out;
}

}  // namespace zhidu::roster
