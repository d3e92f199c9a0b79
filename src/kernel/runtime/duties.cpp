#include "kernel/runtime/duties.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>

#include "base/canonical_json.hpp"
#include "base/time.hpp"
#include "kernel/photos/photos.hpp"
#include "kernel/photos/stored.hpp"
#include "kernel/policy/parameters.hpp"
#include "kernel/policy/post_rules.hpp"
#include "kernel/runtime/ledger.hpp"
#include "kernel/runtime/runtime_util.hpp"
#include "kernel/runtime/site_parameters.hpp"
#include "kernel/scheduler/business_time.hpp"
#include "kernel/scheduler/subject.hpp"
#include "store/sql.hpp"

namespace zhidu::runtime {

namespace {

// "R02" of "R02 §一4": the regulation a clause id belongs to.
std::string_view RegulationOf(std::string_view clause) {
  return clause.substr(0, clause.find(' '));
}

using namespace std::chrono;

std::string Ref(std::string_view kind, store::Id id) {
  return std::string(kind) + "/" + std::to_string(id);
}

std::string JsonStrings(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + JsonQuote(items[i]);
  return out + "]";
}

const policy::Duty* FindDuty(const policy::Pack& pack, std::string_view id) {
  for (const auto& d : pack.duties())
    if (d.id == id) return &d;
  return nullptr;
}

// The form a duty fills: a checklist's items or a record's fields; nullptr when none.
const std::vector<policy::ChecklistItem>* FormOf(const policy::Pack& pack,
                                                 const policy::Duty& duty) {
  if (duty.checklist.empty()) return nullptr;
  for (const auto& c : pack.checklists())
    if (c.id == duty.checklist) return &c.items;
  for (const auto& r : pack.records())
    if (r.id == duty.checklist) return &r.fields;
  return nullptr;
}

// One planned occurrence.
struct Occurrence {
  TimePoint due_at;
  TimePoint window_end;
  int required = 1;
  std::string target;  // the rotated target ("3F"), empty when the duty rotates through nothing
};

// Which item of a rotated set is due at `t`: one per local day (rotate: day), or per week counted
// from Monday (rotate: week); every site starts its cycle on the same days, so a restart or another
// node picks the same item.
size_t RotationIndex(std::string_view per, TimePoint t, const TimeZone& zone) {
  auto day = floor<days>(zone.ToLocal(t)).time_since_epoch().count();  // 1970-01-01 a Thursday
  if (per == "week") return static_cast<size_t>((day + 3) / 7);
  return static_cast<size_t>(day);
}

bool InActive(const policy::Schedule& s, TimePoint t, const TimeZone& zone) {
  if (!s.active) return true;
  auto local = zone.ToLocal(t);
  int minute = static_cast<int>(duration_cast<minutes>(local - floor<days>(local)).count());
  int a = s.active->start.minutes, b = s.active->end.minutes;
  return a <= b ? (minute >= a && minute < b) : (minute >= a || minute < b);
}

// Whether `s` is started by a site event (on: <event>), not by the roster or working hours.
bool RaisedByEvent(const policy::Schedule& s) {
  return s.kind == policy::ScheduleKind::kOn && s.on != "shift_start" && s.on != "shift_end" &&
         s.on != "work_start" && s.on != "work_end" && s.on != "after_work";
}

// A duty's completion window at one site: its fixed `window`, or the site's value of its
// `window: {param: NAME}`. `unset` when the pack names a parameter the site has not set: the
// regulation gives no figure, so the duty is not planned there (docs/runtime.md).
struct SiteWindow {
  std::optional<policy::Duration> window;
  bool unset = false;
};

SiteWindow WindowAt(const SiteSettings& site, const policy::Duty& duty) {
  if (duty.window_param.empty()) return SiteWindow{duty.window, false};
  auto value = site.Value(duty.window_param);
  if (!value) return SiteWindow{std::nullopt, true};
  auto d = policy::ParseDuration(*value);
  if (!d || d->fixed.count() <= 0) return SiteWindow{std::nullopt, true};
  return SiteWindow{*d, false};
}

// The window as a fixed length, when there is one.
std::optional<Micros> FixedWindow(const std::optional<policy::Duration>& window) {
  if (window && window->fixed.count() > 0) return duration_cast<Micros>(window->fixed);
  return std::nullopt;
}

// Occurrences of `duty` whose window ends after `from` and that are due before `to`, or a reason
// why the schedule cannot be planned without a roster or an event. `window` is the duty's window
// at the site (WindowAt).
Result<std::vector<Occurrence>> Occurrences(const policy::Duty& duty,
                                            const std::optional<policy::Duration>& window,
                                            const TimeZone& zone, TimePoint from, TimePoint to) {
  const auto& s = duty.schedule;
  std::vector<Occurrence> out;
  const std::optional<Micros> fixed = FixedWindow(window);
  auto window_or = [&](Micros fallback) { return fixed ? *fixed : fallback; };
  // Walk local days from the day before `from` (a window may reach into `from`).
  TimePoint day = LocalDayStart(from - hours(24), zone);
  auto next_day = [&](TimePoint d) { return LocalDayStart(d + hours(36), zone); };
  switch (s.kind) {
    case policy::ScheduleKind::kEvery: {
      if (s.every.months > 0 && s.every.fixed.count() == 0 && s.every.working_days == 0) {
        // every: Nmo — one occurrence per N calendar months, from the first of a month whose
        // number since January 1970 is a multiple of N (every site plans the same months), due
        // over the whole period unless the duty gives a window.
        const int n = s.every.months;
        day = LocalDayStart(from - hours(24 * 31 * n), zone);
        for (; day < to; day = next_day(day)) {
          year_month_day ymd{floor<days>(zone.ToLocal(day))};
          if (ymd.day() != std::chrono::day{1}) continue;
          int index = (static_cast<int>(ymd.year()) - 1970) * 12 +
                      static_cast<int>(static_cast<unsigned>(ymd.month())) - 1;
          if (index % n != 0) continue;
          TimePoint end = AddFixedDuration(day, policy::Duration{seconds(0), n, 0}, zone);
          TimePoint window_end = day + window_or(duration_cast<Micros>(end - day));
          if (window_end <= from) continue;
          out.push_back({day, window_end, 1});
        }
        return out;
      }
      if (s.every.months || s.every.working_days || s.every.fixed.count() <= 0)
        return Fail(Errc::kFailedPrecondition, "a working-day or mixed interval");
      Micros step = duration_cast<Micros>(s.every.fixed);
      if (step < minutes(1)) return Fail(Errc::kFailedPrecondition, "an interval under a minute");
      Micros window = window_or(step);
      for (; day < to; day = next_day(day)) {
        TimePoint end = next_day(day);
        for (TimePoint t = day; t < end && t < to; t += step) {
          if (t + window <= from || !InActive(s, t, zone)) continue;
          out.push_back({t, t + window, 1});
        }
      }
      return out;
    }
    case policy::ScheduleKind::kAt: {
      for (; day < to; day = next_day(day)) {
        auto local_day = floor<days>(zone.ToLocal(day));
        for (size_t i = 0; i < s.at.size(); ++i) {
          TimePoint t = zone.FromLocal(local_day + minutes(s.at[i].minutes));
          Micros until_next = hours(24);
          if (s.at.size() > 1)
            until_next =
                minutes((s.at[(i + 1) % s.at.size()].minutes - s.at[i].minutes + 1440) % 1440);
          Micros window = window_or(until_next);
          if (t + window <= from || t >= to) continue;
          out.push_back({t, t + window, 1});
        }
      }
      return out;
    }
    case policy::ScheduleKind::kTimesPer: {
      // Calendar periods: months per period (0 for day and week).
      const int span = s.per == "month"       ? 1
                       : s.per == "quarter"   ? 3
                       : s.per == "half_year" ? 6
                       : s.per == "year"      ? 12
                                              : 0;
      if (s.per != "day" && s.per != "week" && span == 0)
        return Fail(Errc::kFailedPrecondition,
                    s.per == "workday" ? "the working hours (the pack's or the site's)"
                                       : "a per-" + s.per + " count (needs the roster)");
      // Start from the earliest period that can still be open at `from`.
      int back = s.per == "day" ? 1 : s.per == "week" ? 7 : 31 * span + 1;
      day = LocalDayStart(from - hours(24 * back), zone);
      for (; day < to; day = next_day(day)) {
        auto local = floor<days>(zone.ToLocal(day));
        year_month_day ymd{local};
        TimePoint period_end;
        if (s.per == "day") {
          period_end = next_day(day);
          if (s.active) {  // the day's period is its active window (end <= start: past midnight)
            TimePoint start =
                zone.FromLocal(local_time<Micros>(local + minutes(s.active->start.minutes)));
            int end_minutes = s.active->end.minutes +
                              (s.active->end.minutes <= s.active->start.minutes ? 1440 : 0);
            period_end = zone.FromLocal(local_time<Micros>(local + minutes(end_minutes)));
            if (period_end <= from || start >= to) continue;
            out.push_back({start, period_end, std::max(1, s.times)});
            continue;
          }
        } else if (s.per == "week") {
          if (weekday{local} != Monday) continue;
          period_end = zone.FromLocal(local_time<Micros>(local + days(7)));
        } else {
          // Periods start on the first of January, and of every `span`-th month after it.
          if (ymd.day() != std::chrono::day{1}) continue;
          if ((static_cast<unsigned>(ymd.month()) - 1) % static_cast<unsigned>(span) != 0) continue;
          period_end = AddFixedDuration(day, policy::Duration{seconds(0), span, 0}, zone);
        }
        if (period_end <= from || day >= to) continue;
        out.push_back({day, period_end, std::max(1, s.times)});
      }
      return out;
    }
    case policy::ScheduleKind::kOn:
      if (s.on == "work_start" || s.on == "work_end" || s.on == "after_work")
        return Fail(Errc::kFailedPrecondition, "the working hours (the pack's or the site's)");
      if (RaisedByEvent(s))
        return Fail(
            Errc::kFailedPrecondition,
            "the site event " + s.on + ": created when someone or a module raises it at the site");
      return Fail(Errc::kFailedPrecondition,
                  "an event (" + s.on + ") that the roster or a procedure raises");
  }
  return out;
}

// Whether `s` follows the roster's shifts: on: shift_start | shift_end, or times per shift.
bool FollowsShifts(const policy::Schedule& s) {
  return (s.kind == policy::ScheduleKind::kOn && (s.on == "shift_start" || s.on == "shift_end")) ||
         (s.kind == policy::ScheduleKind::kTimesPer && s.per == "shift");
}

// Occurrences of a duty that follows spans of work — the published shifts of a post, or the
// working days of its working hours — for `spans`, window ending after `from` and due before `to`
// (docs/runtime.md "Shift duties", "Working-hours duties"):
//   shift_start / work_start  due at the start; window the duty's fixed window, else the span;
//   shift_end / work_end      due so that its fixed window ends with the span, else the span;
//   after_work (下班后)        due when the span ends; window its fixed one, else until the next
//                             span starts (a span without a known next one is not planned yet);
//   N per shift / workday     due at the start, N completions by the end.
std::vector<Occurrence> SpanOccurrences(const policy::Duty& duty,
                                        const std::optional<policy::Duration>& window,
                                        const std::vector<ShiftWindow>& spans, TimePoint from,
                                        TimePoint to) {
  const auto& s = duty.schedule;
  const std::optional<Micros> fixed = FixedWindow(window);
  std::vector<Occurrence> out;
  for (size_t i = 0; i < spans.size(); ++i) {
    const auto& span = spans[i];
    Occurrence o{span.starts_at, span.ends_at, 1};
    if (s.kind == policy::ScheduleKind::kTimesPer) {
      o.required = std::max(1, s.times);
    } else if ((s.on == "shift_start" || s.on == "work_start") && fixed) {
      o.window_end = span.starts_at + *fixed;
    } else if ((s.on == "shift_end" || s.on == "work_end") && fixed) {
      o.due_at = std::max(span.starts_at, span.ends_at - *fixed);
    } else if (s.on == "after_work") {
      o.due_at = span.ends_at;
      if (fixed)
        o.window_end = span.ends_at + *fixed;
      else if (i + 1 < spans.size())
        o.window_end = spans[i + 1].starts_at;
      else
        continue;
    }
    if (o.window_end <= from || o.due_at >= to) continue;
    out.push_back(o);
  }
  return out;
}

// Whether `s` follows the working hours: on: work_start | work_end | after_work, or times per
// workday.
bool FollowsWorkingHours(const policy::Schedule& s) {
  return (s.kind == policy::ScheduleKind::kOn &&
          (s.on == "work_start" || s.on == "work_end" || s.on == "after_work")) ||
         (s.kind == policy::ScheduleKind::kTimesPer && s.per == "workday");
}

// The working days between a day before `from` and `to`, each from its first period's start to
// its last period's end. A day the calendar has no data for ends the list there (an
// administrator adds the year).
std::vector<ShiftWindow> WorkingDays(const policy::BusinessCalendar& calendar, const TimeZone& zone,
                                     const std::vector<scheduler::LocalPeriod>& periods,
                                     TimePoint from, TimePoint to) {
  std::vector<ShiftWindow> out;
  for (TimePoint day = LocalDayStart(from - hours(24), zone); day < to;
       day = LocalDayStart(day + hours(36), zone)) {
    auto today = scheduler::WorkPeriodsOn(calendar, zone, periods, day);
    if (!today) break;
    if (!today->empty()) out.push_back({today->front().start, today->back().end});
  }
  return out;
}

// The fields every duty.* journal record carries (docs/notifications.md convention: site_id).
CanonicalObject DutyPayload(const store::DutyInstance& d, std::string title) {
  CanonicalObject o;
  o.Add("id", d.id)
      .Add("site_id", d.site_id)
      .Add("post_id", d.post_id)
      .Add("duty", d.duty)
      .Add("title", std::move(title))
      .Add("due_at", FormatIso8601Utc(d.due_at))
      .Add("window_end", FormatIso8601Utc(d.window_end));
  return o;
}

std::string DutyKey(const std::string& duty, store::Id post_id, TimePoint due) {
  return duty + "|" + std::to_string(post_id) + "|" +
         std::to_string(due.time_since_epoch().count());
}

// Inserts one instance with its due and close timers; false when it was planned before.
Result<bool> InsertInstance(store::Tx& tx, store::Id site_id, store::Id post_id,
                            const std::string& duty, const Occurrence& o, Micros grace,
                            std::optional<store::Id>* inserted_id = nullptr,
                            std::string_view key_suffix = {}) {
  store::DutyInstance d;
  d.site_id = site_id;
  d.post_id = post_id;
  d.duty = duty;
  d.target = o.target;
  d.key = DutyKey(duty, post_id, o.due_at) + std::string(key_suffix);
  d.due_at = o.due_at;
  d.window_end = o.window_end;
  d.miss_at = o.window_end + grace;
  d.required = o.required;
  d.state = store::DutyState::kScheduled;
  d.created_at = tx.now();
  ZHIDU_TRY(std::optional<store::Id> id, tx.unit().InsertDutyInstance(d));
  if (inserted_id) *inserted_id = id;
  if (!id) return false;  // planned before
  for (auto [kind, at] :
       {std::pair{kDutyDueTimer, d.due_at}, std::pair{kDutyCloseTimer, d.miss_at}}) {
    store::Timer t;
    t.site_id = site_id;
    t.kind = std::string(kind);
    t.subject = scheduler::TimerSubject{"duty", *id, {}}.Str();
    t.payload = "{}";
    t.due_at = at;
    ZHIDU_TRY(auto timer_id, scheduler::Scheduler::Schedule(tx, t));
    (void)timer_id;
  }
  return true;
}

// Lists every page of a keyset-paged verb.
template <typename T, typename F>
Result<std::vector<T>> All(F&& page_fn) {
  std::vector<T> out;
  store::PageRequest page{0, 500};
  for (;;) {
    ZHIDU_TRY(std::vector<T> rows, page_fn(page));
    for (auto& r : rows) {
      page.after_id = r.id;
      out.push_back(std::move(r));
    }
    if (static_cast<int>(rows.size()) < page.limit) return out;
  }
}

std::string AnswerJson(const AnswerValue& v) {
  if (auto b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  if (auto d = std::get_if<double>(&v)) {
    if (std::floor(*d) == *d && std::fabs(*d) < 1e15)
      return std::to_string(static_cast<long long>(*d));
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", *d);
    return buf;
  }
  return JsonQuote(std::get<std::string>(v));
}

std::string NumberWithRange(const policy::ChecklistItem& item, double v) {
  std::string range = item.min && item.max ? AnswerJson(*item.min) + "–" + AnswerJson(*item.max)
                      : item.min           ? "≥ " + AnswerJson(*item.min)
                      : item.max           ? "≤ " + AnswerJson(*item.max)
                                           : "";
  return AnswerJson(v) + item.unit + (range.empty() ? "" : "（正常 " + range + item.unit + "）");
}

}  // namespace

Duties::Duties(store::Store& store, store::Writer& writer, scheduler::Scheduler& scheduler,
               const policy::ActivePack& pack, const org::RoleCatalogue& roles,
               const Actions& actions, const EventBus& bus, DutyOptions options)
    : store_(store),
      writer_(writer),
      scheduler_(scheduler),
      pack_(pack),
      roles_(roles),
      actions_(actions),
      bus_(bus),
      options_(options) {}

void Duties::RegisterHandlers() {
  scheduler_.Register(std::string(kDutyPlanTimer),
                      [this](store::Tx& tx, const store::Timer& t) { return OnPlanTimer(tx, t); });
  scheduler_.Register(std::string(kDutyDueTimer),
                      [this](store::Tx& tx, const store::Timer& t) { return OnDueTimer(tx, t); });
  scheduler_.Register(std::string(kDutyCloseTimer),
                      [this](store::Tx& tx, const store::Timer& t) { return OnCloseTimer(tx, t); });
}

Result<void> Duties::EnsurePlanning() {
  auto due = writer_.Run<TimePoint>([&](store::Tx& tx) -> Result<TimePoint> {
    store::TimerFilter f;
    f.kind = std::string(kDutyPlanTimer);
    for (auto state : {store::TimerState::kPending, store::TimerState::kClaimed}) {
      f.state = state;
      ZHIDU_TRY(auto rows, tx.unit().ListTimers(f, {0, 1}));
      if (!rows.empty()) return rows[0].due_at;
    }
    store::Timer t;
    t.kind = std::string(kDutyPlanTimer);
    t.subject = "duties";
    t.payload = "{}";
    t.due_at = tx.now();
    ZHIDU_TRY(auto id, scheduler::Scheduler::Schedule(tx, t));
    (void)id;
    return t.due_at;
  });
  if (!due) return Fail(due.error());
  scheduler_.Wake(*due);
  return Ok();
}

Result<int> Duties::PlanAll(store::Tx& tx, const policy::Pack& pack, TimePoint from, TimePoint to) {
  auto& unit = tx.unit();
  ZHIDU_TRY(auto sites, All<store::Site>([&](store::PageRequest p) { return unit.ListSites(p); }));
  int created = 0;
  for (const auto& site : sites) {
    ZHIDU_TRY(int n, PlanSite(tx, pack, site, from, to));
    created += n;
  }
  return created;
}

// One site's plan. Its parameters (windows, rotated sets, working hours, posts not staffed) are
// read once here, not per duty and post.
Result<int> Duties::PlanSite(store::Tx& tx, const policy::Pack& pack, const store::Site& site,
                             TimePoint from, TimePoint to) {
  auto& unit = tx.unit();
  int created = 0;
  ZHIDU_TRY(TimeZone zone, TimeZone::Find(site.time_zone));
  ZHIDU_TRY(auto posts,
            All<store::Post>([&](store::PageRequest p) { return unit.ListPosts(site.id, p); }));
  ZHIDU_TRY(SiteSettings settings, SiteSettings::Read(unit, site.id));
  for (const auto& duty : pack.duties()) {
    const bool by_shift = FollowsShifts(duty.schedule);
    const bool by_hours = FollowsWorkingHours(duty.schedule);
    if (by_shift && !shift_calendar_) continue;  // reported by PlanReport
    SiteWindow window = WindowAt(settings, duty);
    if (window.unset) continue;  // the site has not set the window the regulation leaves open
    Result<std::vector<Occurrence>> occurrences = std::vector<Occurrence>{};
    if (!by_shift && !by_hours) occurrences = Occurrences(duty, window.window, zone, from, to);
    if (!occurrences) continue;        // reported by PlanReport
    std::vector<std::string> targets;  // the site's set the duty rotates through
    if (!duty.target_set.empty()) {
      auto set = settings.Value(duty.target_set);
      if (!set) continue;  // the site has not named its floors: nothing to rotate through
      targets = policy::ParamListItems(*set);
    }
    for (const auto& post : posts) {
      if (post.name != duty.post) continue;
      if (settings.NotStaffed(post.id)) continue;  // invariant 9; reported by PlanReport
      if (by_shift) {
        // A shift that started up to two days before `from` may still be open.
        ZHIDU_TRY(auto shifts, shift_calendar_(unit, post.id, from - hours(48), to));
        occurrences = SpanOccurrences(duty, window.window, shifts, from, to);
      } else if (by_hours) {
        // The post's department's working hours, else the site's, else the pack's; none: the
        // duty cannot fall due here (PlanReport says so).
        // A 下班后 duty's window runs to the next working day's start, which may lie past a
        // holiday: the working days are listed 16 days ahead (the longest break in the shipped
        // calendar is 2026's nine-day 春节; a longer one is planned once the plan reaches it).
        auto hours = settings.WorkingHoursFor(pack, post.department_id);
        TimePoint days_to = duty.schedule.on == "after_work" ? to + days(16) : to;
        occurrences = SpanOccurrences(
            duty, window.window,
            WorkingDays(pack.calendar(), zone, LocalPeriods(hours.periods), from, days_to), from,
            to);
      }
      for (auto& o : *occurrences) {
        if (duty.schedule.by) {  // due by HH:MM: the window ends at the next local HH:MM
          auto by = scheduler::NextAtLocalTimes(o.due_at, zone,
                                                {minutes(duty.schedule.by->minutes % 1440)});
          if (by) o.window_end = *by;
        }
        if (!targets.empty())
          o.target = targets[RotationIndex(duty.rotate_per, o.due_at, zone) % targets.size()];
        ZHIDU_TRY(bool inserted, InsertInstance(tx, site.id, post.id, duty.id, o,
                                                duration_cast<Micros>(options_.grace)));
        created += inserted;
      }
    }
  }
  return created;
}

Result<std::vector<store::Id>> Duties::StartForEvent(store::Tx& tx, const SiteEvent& event,
                                                     std::int64_t key) {
  auto pack = pack_.Current();
  std::vector<store::Id> out;
  // Most events start no duty (an alarm's fire_alarm): then the site's settings are not read.
  if (std::ranges::none_of(pack->duties(), [&](const policy::Duty& d) {
        return RaisedByEvent(d.schedule) && d.schedule.on == event.event;
      }))
    return out;
  auto& unit = tx.unit();
  const TimePoint now = tx.now();
  std::vector<store::Post> posts;
  bool posts_read = false;
  // data.place (a pack place, e.g. raised by a visit's exit): only the duties of the regulations
  // that govern that place — R02's SCADA中控室 is cleaned by R02's duty, not by R12's post.
  std::set<std::string, std::less<>> place_regulations;
  if (auto it = event.data.find("place"); it != event.data.end()) {
    if (const auto* name = std::get_if<std::string>(&it->second))
      for (const auto& place : pack->places())
        if (place.id == *name)
          for (const auto& c : place.clauses) place_regulations.emplace(RegulationOf(c));
  }
  ZHIDU_TRY(SiteSettings settings, SiteSettings::Read(unit, event.site_id));
  // data.if_staffed: a post with no window (no shift under way) is skipped, not an error.
  bool if_staffed = false;
  if (auto it = event.data.find("if_staffed"); it != event.data.end())
    if (const auto* b = std::get_if<bool>(&it->second)) if_staffed = *b;
  for (const auto& duty : pack->duties()) {
    if (!RaisedByEvent(duty.schedule) || duty.schedule.on != event.event) continue;
    if (!place_regulations.empty() &&
        std::none_of(duty.clauses.begin(), duty.clauses.end(), [&](const std::string& c) {
          return place_regulations.contains(RegulationOf(c));
        }))
      continue;
    if (!posts_read) {
      ZHIDU_TRY(posts, All<store::Post>(
                           [&](store::PageRequest p) { return unit.ListPosts(event.site_id, p); }));
      posts_read = true;
    }
    for (const auto& post : posts) {
      if (post.name != duty.post || settings.NotStaffed(post.id)) continue;  // invariant 9
      // The window: the duty's own, else the event's deadline, else the shift under way.
      std::optional<TimePoint> end;
      std::string why;
      SiteWindow window = WindowAt(settings, duty);
      if (auto fixed = FixedWindow(window.window)) {
        end = now + *fixed;
        why = duty.window_param.empty() ? "the duty's window"
                                        : "the site parameter " + duty.window_param;
      } else if (auto it = event.data.find("deadline"); it != event.data.end()) {
        const auto* text = std::get_if<std::string>(&it->second);
        auto bad = [] {
          return Fail(Errc::kInvalidArgument, kInvalid,
                      "data.deadline must be an ISO 8601 time with an offset or a duration such "
                      "as 2h or 3d",
                      "data.deadline");
        };
        if (!text) return bad();
        if (auto at = ParseIso8601(*text)) {
          end = *at;
        } else {
          auto d = policy::ParseDuration(*text);
          if (!d || d->working_days != 0) return bad();
          ZHIDU_TRY(store::Site site, unit.GetSite(event.site_id));
          ZHIDU_TRY(TimeZone zone, TimeZone::Find(site.time_zone));
          end = AddFixedDuration(now, *d, zone);
        }
        why = "the event's deadline";
      } else if (shift_calendar_) {
        ZHIDU_TRY(auto shifts, shift_calendar_(unit, post.id, now - hours(48), now + Micros(1)));
        for (const auto& sh : shifts)
          if (sh.starts_at <= now && now < sh.ends_at) end = sh.ends_at;
        why = "the end of the shift under way";
      }
      if ((!end || *end <= now) && if_staffed) continue;
      if (!end || *end <= now)
        return Fail(Errc::kInvalidArgument, Reason{"duty.deadline_needed"},
                    "duty " + duty.id + " (" + duty.clauses.front() + "：" + duty.title +
                        ") raised by " + event.event + " needs a deadline: the regulation gives " +
                        "no figure and post " + post.name + " has no published shift under way " +
                        "— send data.deadline (an ISO time or a duration)",
                    "data.deadline");
      Occurrence o{now, *end, 1};
      std::optional<store::Id> id;
      ZHIDU_TRY(bool inserted, InsertInstance(tx, event.site_id, post.id, duty.id, o,
                                              duration_cast<Micros>(options_.grace), &id,
                                              "|event/" + std::to_string(key)));
      if (!inserted || !id) continue;
      ZHIDU_TRY(store::DutyInstance d, unit.GetDutyInstance(*id));
      ZHIDU_TRY(auto seq, tx.Journal("duty.raised", 0, Ref("duty", d.id),
                                     DutyPayload(d, duty.title)
                                         .AddRaw("clauses", JsonStrings(duty.clauses))
                                         .Add("event", event.event)
                                         .Add("ref", event.ref)
                                         .Add("window_from", why)
                                         .Str()));
      (void)seq;
      out.push_back(*id);
    }
  }
  return out;
}

std::vector<PlanReportEntry> Duties::PlanReport() const {
  auto pack = pack_.Current();
  std::vector<PlanReportEntry> out;
  auto unit = store_.BeginRead();
  std::vector<store::Post> posts;
  std::map<store::Id, std::string> not_staffed;  // post id -> the site's reason (invariant 9)
  if (unit) {
    if (auto sites = (*unit)->ListSites({0, 1000}))
      for (const auto& s : *sites) {
        if (auto ps = (*unit)->ListPosts(s.id, {0, 1000}))
          posts.insert(posts.end(), ps->begin(), ps->end());
        if (auto settings = SiteSettings::Read(**unit, s.id))
          for (auto& p : settings->NotStaffedPosts()) not_staffed[p.post_id] = std::move(p.reason);
      }
  }
  for (const auto& duty : pack->duties()) {
    PlanReportEntry e{duty.id, duty.post, false, 0, "", {}};
    for (const auto& p : posts) {
      if (p.name != duty.post) continue;
      ++e.posts_matched;
      if (auto it = not_staffed.find(p.id); it != not_staffed.end())
        e.not_staffed.push_back({p.site_id, p.id, it->second});
    }
    auto occ =
        Occurrences(duty, duty.window, TimeZone::Default(), TimePoint{}, TimePoint{} + hours(1));
    if (FollowsWorkingHours(duty.schedule)) {
      occ = std::vector<Occurrence>{};
      if (!pack->working_hours())
        e.reason = "the pack states no working_hours: planned only at sites that set theirs";
    } else if (FollowsShifts(duty.schedule)) {
      if (shift_calendar_)
        occ = std::vector<Occurrence>{};
      else
        occ = Fail(Errc::kFailedPrecondition, "the roster's shifts (no shift calendar wired)");
    }
    if (!duty.target_set.empty())
      e.reason = "rotates through the site parameter \"" + duty.target_set +
                 "\": planned only at sites that have set it";
    if (!duty.window_param.empty())
      e.reason = "its window is the site parameter \"" + duty.window_param +
                 "\" (the regulation gives no figure): planned only at sites that have set it";
    if (!occ) {
      e.reason = "not planned: the schedule needs " + occ.error().message;
    } else if (e.posts_matched == 0) {
      e.reason = "no site post is named \"" + duty.post + "\"";
    } else if (e.not_staffed.size() == static_cast<size_t>(e.posts_matched)) {
      e.reason =
          "post \"" + duty.post + "\" is marked not staffed: " + e.not_staffed.front().reason;
    } else {
      e.planned = true;
    }
    out.push_back(std::move(e));
  }
  return out;
}

std::optional<DutyInfo> Duties::Describe(std::string_view duty_id) const {
  auto pack = pack_.Current();
  const policy::Duty* duty = FindDuty(*pack, duty_id);
  if (!duty) return std::nullopt;
  DutyInfo info{duty->title, duty->clauses,      duty->checklist, {},
                {},          duty->schedule.per, duty->follow_up};
  if (const auto* form = FormOf(*pack, *duty)) info.items = *form;
  for (const auto& c : pack->checklists())
    if (c.id == duty->checklist) info.form_kind = c.kind;
  if (info.form_kind.empty() && !info.items.empty()) info.form_kind = "record";
  return info;
}

Result<void> Duties::OnPlanTimer(store::Tx& tx, const store::Timer& timer) {
  auto pack = pack_.Current();
  TimePoint now = tx.now();
  ZHIDU_TRY(int created, PlanAll(tx, *pack, now, now + duration_cast<Micros>(options_.horizon)));
  store::Timer next;
  next.kind = std::string(kDutyPlanTimer);
  next.subject = "duties";
  next.payload = "{}";
  next.due_at = now + duration_cast<Micros>(options_.plan_every);
  ZHIDU_TRY(auto id, scheduler::Scheduler::Schedule(tx, next));
  (void)id;
  ZHIDU_TRY(
      auto seq,
      tx.Journal("duty.planned", 0, "duties",
                 CanonicalObject()
                     .Add("created", created)
                     .Add("until", FormatIso8601Utc(now + duration_cast<Micros>(options_.horizon)))
                     .Str()));
  (void)seq;
  return Ok();
}

Result<void> Duties::OnDueTimer(store::Tx& tx, const store::Timer& timer) {
  ZHIDU_TRY(auto subject, scheduler::SubjectOf(timer, "duty"));
  const store::Id id = subject.id;
  ZHIDU_TRY(store::DutyInstance d, tx.unit().GetDutyInstance(id));
  if (d.state != store::DutyState::kScheduled) return Ok();
  d.state = store::DutyState::kDue;
  ZHIDU_TRY_VOID(tx.unit().UpdateDutyInstance(d));
  auto pack = pack_.Current();
  const policy::Duty* duty = FindDuty(*pack, d.duty);
  const policy::Post* post = duty ? pack->FindPost(duty->post) : nullptr;
  ZHIDU_TRY(auto seq,
            tx.Journal("duty.due", 0, Ref("duty", d.id),
                       DutyPayload(d, duty ? duty->title : d.duty)
                           .AddRaw("notify_roles",
                                   JsonStrings(post ? post->roles : std::vector<std::string>{}))
                           .Str()));
  (void)seq;
  return Ok();
}

namespace {

// The stints on `post_id` overlapping [from, to): begun before `to`, not ended by `from`.
Result<std::vector<store::Attendance>> AttendanceDuring(store::UnitOfWork& unit, store::Id post_id,
                                                        TimePoint from, TimePoint to) {
  return unit.sql().Many<store::Attendance>(
      "list attendance during a window",
      "SELECT id, site_id, post_id, person_id, started_at, ended_at, relieved_by FROM attendance "
      "WHERE post_id=? AND started_at<? AND (ended_at=0 OR ended_at>?) ORDER BY started_at, id",
      {store::SqlValue(post_id), store::SqlValue(std::int64_t{to.time_since_epoch().count()}),
       store::SqlValue(std::int64_t{from.time_since_epoch().count()})},
      [](const store::SqlRow& r) {
        return store::Attendance{r.Int(0),  r.Int(1),  r.Int(2), r.Int(3),
                                 r.Time(4), r.Time(5), r.Int(6)};
      });
}

// The site's late_takeover_grace (`value`, as set); nullopt when it has not set one (nobody is
// spared).
std::optional<Micros> LateTakeoverGrace(const std::optional<std::string>& value) {
  if (!value) return std::nullopt;
  auto d = policy::ParseDuration(*value);
  if (!d || d->fixed.count() <= 0) return std::nullopt;
  return duration_cast<Micros>(d->fixed);
}

// Raises `v` against each of `people` with `note`, or — when nobody answers — once against nobody
// with `nobody_note`: a missed duty (Duties::OnCloseTimer) and an abnormal answer's violation
// follow-up (OpenFollowUps) charge the post this way.
Result<void> RaiseAgainstPost(store::Tx& tx, const policy::Pack& pack, NewViolation v,
                              const std::vector<store::Id>& people, const std::string& note,
                              const std::string& nobody_note, store::Id recorded_by) {
  if (people.empty()) {
    v.note = nobody_note;
    ZHIDU_TRY(auto r, Ledger::Raise(tx, pack, v, recorded_by));
    (void)r;
  }
  for (store::Id person : people) {
    v.person_id = person;
    v.note = note;
    ZHIDU_TRY(auto r, Ledger::Raise(tx, pack, v, recorded_by));
    (void)r;
  }
  return Ok();
}

std::string JsonIds(const std::vector<store::Id>& ids) {
  std::string out = "[";
  for (size_t i = 0; i < ids.size(); ++i) out += (i ? "," : "") + std::to_string(ids[i]);
  return out + "]";
}

}  // namespace

bool LateTakeover(TimePoint started_at, TimePoint window_start, TimePoint window_end,
                  std::optional<Micros> grace) {
  return grace && started_at > window_start && started_at >= window_end - *grace &&
         started_at < window_end;
}

MissCharge WhoAnswersForMiss(const std::vector<store::Attendance>& stints, TimePoint window_start,
                             TimePoint window_end, std::optional<Micros> grace) {
  std::vector<const store::Attendance*> held;
  for (const auto& a : stints)
    if (a.started_at < window_end && (a.ended_at == TimePoint{} || a.ended_at > window_start))
      held.push_back(&a);
  std::stable_sort(held.begin(), held.end(),
                   [](const auto* a, const auto* b) { return a->started_at < b->started_at; });
  MissCharge out;
  auto has = [](const std::vector<store::Id>& ids, store::Id id) {
    return std::find(ids.begin(), ids.end(), id) != ids.end();
  };
  for (const auto* a : held)
    if (!LateTakeover(a->started_at, window_start, window_end, grace) &&
        !has(out.charged, a->person_id))
      out.charged.push_back(a->person_id);
  for (const auto* a : held)
    if (!has(out.charged, a->person_id) && !has(out.spared, a->person_id))
      out.spared.push_back(a->person_id);
  return out;
}

Result<void> Duties::OnCloseTimer(store::Tx& tx, const store::Timer& timer) {
  ZHIDU_TRY(auto subject, scheduler::SubjectOf(timer, "duty"));
  const store::Id id = subject.id;
  auto& unit = tx.unit();
  ZHIDU_TRY(store::DutyInstance d, unit.GetDutyInstance(id));
  if (d.state != store::DutyState::kScheduled && d.state != store::DutyState::kDue &&
      d.state != store::DutyState::kInProgress)
    return Ok();
  auto pack = pack_.Current();
  const policy::Duty* duty = FindDuty(*pack, d.duty);
  const std::string title = duty ? duty->title : d.duty;
  d.state = store::DutyState::kMissed;
  ZHIDU_TRY_VOID(unit.UpdateDutyInstance(d));
  std::vector<std::string> notify = duty ? duty->on_miss.notify : std::vector<std::string>{};
  ZHIDU_TRY(auto stints, AttendanceDuring(unit, d.post_id, d.due_at, d.window_end));
  std::optional<std::string> grace_value;  // read only when someone held the post
  if (!stints.empty()) {
    ZHIDU_TRY(grace_value,
              SiteParameters::Lookup(unit, d.site_id, policy::kLateTakeoverGraceParameter));
  }
  const std::optional<Micros> grace = LateTakeoverGrace(grace_value);
  MissCharge charge = WhoAnswersForMiss(stints, d.due_at, d.window_end, grace);
  CanonicalObject missed = DutyPayload(d, "未完成：" + title);
  missed.AddRaw("on_post", JsonIds(charge.charged))
      .AddRaw("spared", JsonIds(charge.spared))
      .AddRaw("clauses", JsonStrings(duty ? duty->clauses : std::vector<std::string>{}))
      .AddRaw("notify_roles", JsonStrings(notify));
  ZHIDU_TRY(auto seq, tx.Journal("duty.missed", 0, Ref("duty", d.id), missed.Str()));
  (void)seq;
  if (!duty || duty->on_miss.violation.empty()) return Ok();
  NewViolation v;
  v.site_id = d.site_id;
  v.post_id = d.post_id;
  v.code = duty->on_miss.violation;
  // The miss cites the penalty's clauses and the duty's own (R07 §卫生罚则 and §一3 for a short
  // magazine-rack round), not the penalty's alone: the record says which rule was missed.
  if (const auto* penalty = pack->FindPenalty(v.code)) v.clauses = penalty->clauses;
  for (const auto& c : duty->clauses)
    if (std::find(v.clauses.begin(), v.clauses.end(), c) == v.clauses.end()) v.clauses.push_back(c);
  v.subject = Ref("duty", d.id);
  v.occurred_at = d.window_end;
  v.notify_roles = notify;
  // Nobody held the post in the window, or only late takers (who are not charged): the miss is
  // the post's, against nobody.
  std::string nobody = charge.spared.empty()
                           ? "岗位无人在岗：" + title + " 未完成"
                           : "岗位在时限内无人负责：" + title + " 未完成（" +
                                 std::to_string(charge.spared.size()) + "人在时限最后" +
                                 grace_value.value_or("") + "内接岗，不予追责）";
  return RaiseAgainstPost(tx, *pack, v, charge.charged, title + " 未在时限内完成", nobody, 0);
}

Result<int> Duties::PlanNow(const org::Principal& who) {
  if (!roles_.Allows(who, perm::kDutyManage))
    return Fail(Errc::kPermissionDenied, "planning duties needs the duty.manage permission");
  auto pack = pack_.Current();
  auto created = writer_.Run<int>([&](store::Tx& tx) -> Result<int> {
    TimePoint now = tx.now();
    return PlanAll(tx, *pack, now, now + duration_cast<Micros>(options_.horizon));
  });
  if (created) scheduler_.Wake(TimePoint::min());
  return created;
}

// Duties are the site's working plan: anyone with a role at the site (or company-wide) reads them;
// nobody reads another site's.
bool Duties::MayRead(const org::Principal& who, store::Id site_id) const {
  if (org::HoldsRoleAt(who, {site_id, 0})) return true;
  return roles_.Allows(who, perm::kDutyManage, {site_id, 0});
}

Result<store::DutyInstance> Duties::Get(const org::Principal& who, store::Id id) {
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(store::DutyInstance d, unit->GetDutyInstance(id));
  if (!MayRead(who, d.site_id))
    return Fail(Errc::kPermissionDenied,
                "duty " + std::to_string(id) + " belongs to a site where you hold no role");
  return d;
}

Result<std::vector<store::DutyInstance>> Duties::List(const org::Principal& who,
                                                      store::DutyFilter filter,
                                                      store::PageRequest page) {
  ZHIDU_TRY(auto unit, store_.BeginRead());
  if (filter.site_id == 0 && filter.post_id != 0) {
    ZHIDU_TRY(store::Post post, unit->GetPost(filter.post_id));
    filter.site_id = post.site_id;
  }
  if (filter.site_id == 0) {
    if (!MayRead(who, 0))
      return Fail(Errc::kPermissionDenied,
                  "give site_id or post_id: you hold no company-wide role");
  } else if (!MayRead(who, filter.site_id)) {
    return Fail(Errc::kPermissionDenied,
                "you hold no role at site " + std::to_string(filter.site_id));
  }
  return unit->ListDutyInstances(filter, page);
}

Result<store::DutyInstance> Duties::Mutate(
    const org::Principal& who, store::Id id,
    const std::function<Result<void>(store::Tx&, const policy::Pack&, store::DutyInstance&)>& f) {
  auto pack = pack_.Current();
  return writer_.Run<store::DutyInstance>([&](store::Tx& tx) -> Result<store::DutyInstance> {
    ZHIDU_TRY(store::DutyInstance d, tx.unit().GetDutyInstance(id));
    TimePoint now = tx.now();
    if (now < d.due_at) {  // said in the site's own time, as the board shows it
      ZHIDU_TRY(store::Site site, tx.unit().GetSite(d.site_id));
      auto zone = TimeZone::Find(site.time_zone).value_or(TimeZone::Default());
      return Fail(
          Errc::kFailedPrecondition, Reason{"duty.not_due"},
          "duty " + std::to_string(id) + " is not due until " + FormatIso8601(d.due_at, zone));
    }
    bool open = d.state == store::DutyState::kScheduled || d.state == store::DutyState::kDue ||
                d.state == store::DutyState::kInProgress;
    if (!open || now >= d.miss_at)
      return Fail(
          Errc::kFailedPrecondition,
          "duty " + std::to_string(id) + " is closed (" +
              std::string(store::DutyStateName(open ? store::DutyState::kMissed : d.state)) +
              "); record what happened in the duty log instead");
    bool manager = roles_.Allows(who, perm::kDutyManage, {d.site_id, 0});
    if (!manager) {
      if (who.person_id == 0)
        return Fail(Errc::kPermissionDenied, Reason{"duty.not_on_post"},
                    "only a person on the post can do this duty");
      ZHIDU_TRY(auto on, tx.unit().ListAttendanceAt(d.post_id, who.person_id, now));
      if (on.empty())
        return Fail(Errc::kPermissionDenied, Reason{"duty.not_on_post"},
                    "you are not on this post: take the post (在岗) first, or ask a person on it");
    }
    ZHIDU_TRY_VOID(f(tx, *pack, d));
    ZHIDU_TRY_VOID(tx.unit().UpdateDutyInstance(d));
    return d;
  });
}

Result<store::DutyInstance> Duties::Start(const org::Principal& who, store::Id id) {
  return Mutate(who, id,
                [&](store::Tx& tx, const policy::Pack&, store::DutyInstance& d) -> Result<void> {
                  if (d.state == store::DutyState::kInProgress)
                    return Fail(Errc::kFailedPrecondition, Reason{"duty.in_progress"},
                                "duty " + std::to_string(id) + " is already in progress");
                  d.state = store::DutyState::kInProgress;
                  d.started_by = who.account_id;
                  d.started_at = tx.now();
                  ZHIDU_TRY(auto seq, tx.Journal("duty.started", who.account_id, Ref("duty", d.id),
                                                 CanonicalObject()
                                                     .Add("id", d.id)
                                                     .Add("site_id", d.site_id)
                                                     .Add("person_id", who.person_id)
                                                     .Str()));
                  (void)seq;
                  return Ok();
                });
}

namespace {

// The record's flag_field when the duty fills a record, else empty.
std::string FlagFieldOf(const policy::Pack& pack, const policy::Duty& duty) {
  for (const auto& r : pack.records())
    if (r.id == duty.checklist) return r.flag_field;
  return {};
}

// Whether a number lies outside an item's normal range (min/max).
bool OutOfNormalRange(const policy::ChecklistItem& item, double v) {
  return (item.min && v < *item.min) || (item.max && v > *item.max);
}

// "3（正常 0–2）": an abnormal number as people read it.
std::string NumberWithRange(const policy::ChecklistItem& item, double v);

// The items of `form` answered abnormally: pass_flag_fail answered flag or fail, a number outside
// its normal range, and the record's flag_field (`flag_field`, may be empty) set.
std::vector<const policy::ChecklistItem*> AbnormalItems(
    const std::vector<policy::ChecklistItem>& form, const std::string& flag_field,
    const Answers& answers) {
  std::vector<const policy::ChecklistItem*> out;
  for (const auto& item : form) {
    auto it = answers.find(item.id);
    if (it == answers.end()) continue;
    if (item.kind == policy::ItemKind::kPassFlagFail && std::get<std::string>(it->second) != "pass")
      out.push_back(&item);
    else if (item.kind == policy::ItemKind::kNumber &&
             OutOfNormalRange(item, std::get<double>(it->second)))
      out.push_back(&item);
    else if (item.id == flag_field && !flag_field.empty() && it->second != AnswerValue(false) &&
             it->second != AnswerValue(std::string()))
      out.push_back(&item);
  }
  return out;
}

// What an abnormal item reads as in a description: "flag", "3（正常 0–2）", "异常".
std::string AbnormalText(const policy::ChecklistItem& item, const AnswerValue& v) {
  if (auto d = std::get_if<double>(&v)) return NumberWithRange(item, *d);
  if (auto text = std::get_if<std::string>(&v)) return *text;
  return "异常";
}

// The duty's follow_up for each abnormal item, in the completion's transaction: an action (e.g. a
// 报修 repair, kernel/runtime/actions.hpp) whose record ids are returned, a site event emitted on
// the bus (starting the pack's procedures, deadlines and event duties), or a violation charged to
// each person on the post now (nobody on it: one against nobody, noting so).
Result<std::vector<store::Id>> OpenFollowUps(store::Tx& tx, const Actions& actions,
                                             const EventBus& bus, const policy::Pack& pack,
                                             const policy::Duty& duty, const store::DutyInstance& d,
                                             const std::vector<const policy::ChecklistItem*>& items,
                                             const Answers& answers, const org::Principal& who) {
  std::vector<store::Id> ids;
  if (!duty.follow_up) return ids;
  const policy::FollowUp& fu = *duty.follow_up;
  for (const auto* item : items) {
    const auto& v = answers.find(item->id)->second;
    const std::string description =
        duty.title + "：「" + item->label + "」" + AbnormalText(*item, v);
    if (fu.kind == "event") {
      SiteEvent e{d.site_id, fu.event,      description, Ref("duty", d.id) + "/" + item->id,
                  {},        who.account_id};
      e.data["duty"] = duty.id;
      e.data["item"] = item->id;
      e.data["post_id"] = static_cast<double>(d.post_id);
      if (auto n = std::get_if<double>(&v)) e.data["value"] = *n;
      ZHIDU_TRY_VOID(bus.Emit(tx, e));
      continue;
    }
    if (fu.kind == "violation") {
      NewViolation nv;
      nv.site_id = d.site_id;
      nv.post_id = d.post_id;
      nv.code = fu.violation;
      nv.clauses = fu.clauses;
      nv.subject = Ref("duty", d.id);
      nv.occurred_at = tx.now();
      nv.notify_roles = duty.on_miss.notify;
      ZHIDU_TRY(auto on_post, tx.unit().ListAttendanceAt(d.post_id, 0, tx.now()));
      std::vector<store::Id> people;
      for (const auto& a : on_post) people.push_back(a.person_id);
      ZHIDU_TRY_VOID(RaiseAgainstPost(tx, pack, nv, people, description,
                                      "岗位无人在岗：" + description, who.account_id));
      continue;
    }
    ActionRequest r;
    r.site_id = d.site_id;
    r.post_id = d.post_id;
    r.what = item->label;
    r.description = description;
    r.source_kind = "checklist";
    r.source_id = d.id;
    r.source_item = item->id;
    r.clauses = fu.clauses;
    r.assign_to = fu.assign_to;
    r.actor = who.account_id;
    r.person = who.person_id;
    ZHIDU_TRY(store::Id opened, actions.Run(tx, fu.kind, r));
    ids.push_back(opened);
  }
  return ids;
}

// Every photo answer must name a stored photo (kernel/photos/photos.hpp).
Result<void> CheckPhotos(store::UnitOfWork& unit, const std::vector<policy::ChecklistItem>& form,
                         const Answers& answers) {
  for (const auto& item : form) {
    auto it = answers.find(item.id);
    if (item.kind != policy::ItemKind::kPhoto || it == answers.end()) continue;
    const auto& hash = std::get<std::string>(it->second);
    if (hash.empty()) continue;
    ZHIDU_TRY_VOID(photos::MustBeStored(unit, hash, "answers." + item.id,
                                        "「" + item.label + "」names photo "));
  }
  return Ok();
}

}  // namespace

Result<store::DutyInstance> Duties::Complete(const org::Principal& who, store::Id id,
                                             const Answers& answers,
                                             std::vector<store::Id>* repairs_opened) {
  return Mutate(
      who, id,
      [&](store::Tx& tx, const policy::Pack& pack, store::DutyInstance& d) -> Result<void> {
        const policy::Duty* duty = FindDuty(pack, d.duty);
        std::string answers_json = "{}";
        std::vector<std::string> flagged;
        std::vector<const policy::ChecklistItem*> abnormal;
        if (duty) {
          if (const auto* form = FormOf(pack, *duty)) {
            ZHIDU_TRY(answers_json, ValidateAnswers(*form, answers));
            ZHIDU_TRY_VOID(CheckPhotos(tx.unit(), *form, answers));
            abnormal = AbnormalItems(*form, FlagFieldOf(pack, *duty), answers);
            for (const auto* item : abnormal) {
              if (item->kind == policy::ItemKind::kPassFlagFail) flagged.push_back(item->label);
              if (item->kind == policy::ItemKind::kNumber)
                flagged.push_back(item->label + " " +
                                  AbnormalText(*item, answers.find(item->id)->second));
            }
          } else if (!answers.empty()) {
            return Fail(Errc::kInvalidArgument, kInvalid, "this duty has no form; send no answers",
                        "answers");
          }
        }
        TimePoint now = tx.now();
        d.completions += 1;
        d.completed_by = who.account_id;
        d.completed_person = who.person_id;
        d.completed_at = now;
        d.answers = answers_json;
        bool on_time = now <= d.window_end;
        if (d.completions >= d.required)
          d.state = on_time ? store::DutyState::kDone : store::DutyState::kLate;
        else
          d.state = store::DutyState::kInProgress;
        ZHIDU_TRY(auto seq, tx.Journal("duty.completed", who.account_id, Ref("duty", d.id),
                                       CanonicalObject()
                                           .Add("id", d.id)
                                           .Add("site_id", d.site_id)
                                           .Add("post_id", d.post_id)
                                           .Add("duty", d.duty)
                                           .Add("person_id", who.person_id)
                                           .Add("on_time", on_time)
                                           .Add("completions", d.completions)
                                           .Add("required", d.required)
                                           .Add("state", std::string(store::DutyStateName(d.state)))
                                           .AddRaw("answers", answers_json)
                                           .Str()));
        (void)seq;
        if (!flagged.empty()) {
          ZHIDU_TRY(auto s2, tx.Journal("duty.flagged", who.account_id, Ref("duty", d.id),
                                        CanonicalObject()
                                            .Add("id", d.id)
                                            .Add("site_id", d.site_id)
                                            .Add("post_id", d.post_id)
                                            .Add("title", "检查异常：" + flagged.front())
                                            .AddRaw("items", JsonStrings(flagged))
                                            .AddRaw("notify_roles",
                                                    JsonStrings(duty ? duty->on_miss.notify
                                                                     : std::vector<std::string>{}))
                                            .Str()));
          (void)s2;
        }
        if (duty) {
          ZHIDU_TRY(auto opened,
                    OpenFollowUps(tx, actions_, bus_, pack, *duty, d, abnormal, answers, who));
          if (repairs_opened) *repairs_opened = std::move(opened);
        }
        return Ok();
      });
}

Result<std::string> Duties::ValidateAnswers(const std::vector<policy::ChecklistItem>& items,
                                            const Answers& answers) {
  CanonicalObject out;
  for (const auto& [key, value] : answers) {
    bool known = false;
    for (const auto& item : items) known = known || item.id == key;
    if (!known)
      return Fail(Errc::kInvalidArgument, kInvalid, "\"" + key + "\" is not an item of this form",
                  "answers." + key);
  }
  for (const auto& item : items) {
    std::string field = "answers." + item.id;
    auto it = answers.find(item.id);
    if (it == answers.end()) {
      if (item.required && item.kind != policy::ItemKind::kPhoto)
        return Fail(Errc::kInvalidArgument, kRequired, "「" + item.label + "」is required", field);
      continue;
    }
    const AnswerValue& v = it->second;
    switch (item.kind) {
      case policy::ItemKind::kCheck:
      case policy::ItemKind::kSignature:
        if (!std::holds_alternative<bool>(v))
          return Fail(Errc::kInvalidArgument, kInvalid, "「" + item.label + "」takes true or false",
                      field);
        if (item.required && !std::get<bool>(v))
          return Fail(Errc::kInvalidArgument, Reason{"form.must_check"},
                      "「" + item.label + "」must be checked", field);
        break;
      case policy::ItemKind::kPassFlagFail: {
        auto s = std::get_if<std::string>(&v);
        if (!s || (*s != "pass" && *s != "flag" && *s != "fail"))
          return Fail(Errc::kInvalidArgument, kInvalid,
                      "「" + item.label + "」takes pass, flag or fail", field);
        break;
      }
      case policy::ItemKind::kNumber: {
        auto d = std::get_if<double>(&v);
        if (!d)
          return Fail(Errc::kInvalidArgument, kInvalid, "「" + item.label + "」takes a number",
                      field);
        // Outside the normal range is abnormal, not invalid (AbnormalItems); only the hard limit
        // refuses.
        if ((item.limit_min && *d < *item.limit_min) || (item.limit_max && *d > *item.limit_max))
          return Fail(Errc::kInvalidArgument, Reason{"form.hard_limit"},
                      "「" + item.label + "」cannot be" +
                          (item.limit_min ? " below " + AnswerJson(*item.limit_min) : "") +
                          (item.limit_min && item.limit_max ? " or" : "") +
                          (item.limit_max ? " above " + AnswerJson(*item.limit_max) : ""),
                      field);
        break;
      }
      case policy::ItemKind::kText:
      case policy::ItemKind::kPhoto: {
        auto s = std::get_if<std::string>(&v);
        if (!s)
          return Fail(Errc::kInvalidArgument, kInvalid, "「" + item.label + "」takes text", field);
        if (s->size() > 4000)
          return Fail(Errc::kInvalidArgument, Reason{"too_long"},
                      "「" + item.label + "」is longer than 4000 bytes", field);
        if (item.required && s->empty())
          return Fail(Errc::kInvalidArgument, kRequired, "「" + item.label + "」is required",
                      field);
        if (item.kind == policy::ItemKind::kPhoto && !s->empty() && !photos::IsSha256Hex(*s))
          return Fail(Errc::kInvalidArgument, kInvalid,
                      "「" + item.label + "」takes the SHA-256 id of an uploaded photo", field);
        break;
      }
    }
    out.AddRaw(item.id, AnswerJson(v));
  }
  return out.Str();
}

namespace {

constexpr int kMaxAccountPages = 1000;  // 500 accounts a page: a bound on reading every account

// Role ids the accounts of `person_id` hold at `site_id` (a person may have several accounts).
Result<std::vector<std::string>> RolesOfPerson(store::UnitOfWork& unit, store::Id person_id,
                                               store::Id site_id) {
  std::vector<std::string> out;
  store::PageRequest page{0, 500};
  for (int i = 0; i < kMaxAccountPages; ++i) {
    ZHIDU_TRY(auto accounts, unit.ListAccounts(page));
    for (const auto& acc : accounts) {
      if (acc.person_id != person_id || acc.disabled) continue;
      ZHIDU_TRY(auto grants, unit.ListRoleGrants(acc.id));
      for (const auto& g : grants)
        if (org::GrantCovers(g, {site_id, 0})) out.push_back(g.role);
    }
    if (static_cast<int>(accounts.size()) < page.limit) break;
    page.after_id = accounts.back().id;
  }
  return out;
}

void Cite(std::vector<std::string>* cited, std::vector<std::string> clauses) {
  if (cited) *cited = std::move(clauses);
}

}  // namespace

// Whether `person` (holding `roles` at the post's site) may go on `post` now: the pack post's
// roles and certifications (policy::CheckPostWorker); kPermissionDenied citing the clauses.
Result<void> Duties::MayWork(store::UnitOfWork& unit, const policy::Pack& pack,
                             const store::Post& post, const store::Person& person,
                             const std::vector<std::string>& roles, TimePoint now,
                             std::vector<std::string>* cited) {
  if (!pack.FindPost(post.name)) return Ok();
  ZHIDU_TRY(auto site, unit.GetSite(post.site_id));
  auto zone = TimeZone::Find(site.time_zone).value_or(TimeZone::Default());
  ZHIDU_TRY(auto certs, unit.ListCertifications(person.id));
  std::vector<policy::HeldCertificate> held;
  for (const auto& c : certs) held.push_back({c.kind, c.expires_on});
  auto refusal =
      policy::CheckPostWorker(pack, post.name, roles, held, FormatIso8601(now, zone).substr(0, 10));
  if (!refusal) return Ok();
  Cite(cited, refusal->clauses);
  return Fail(Errc::kPermissionDenied, Reason{"post.not_qualified"},
              person.name + "：" + refusal->message);
}

namespace {

// The open duties of `post_id` whose window closes within `grace` of `now`: whoever takes the post
// now is a late taker of them (LateTakeover), so is warned. None without a grace.
Result<std::vector<TakeoverWarning>> ClosingDuties(store::UnitOfWork& unit,
                                                   const policy::Pack& pack,
                                                   const store::Post& post, TimePoint now,
                                                   std::optional<Micros> grace) {
  std::vector<TakeoverWarning> out;
  if (!grace) return out;
  ZHIDU_TRY(auto site, unit.GetSite(post.site_id));
  auto zone = TimeZone::Find(site.time_zone).value_or(TimeZone::Default());
  for (auto state :
       {store::DutyState::kScheduled, store::DutyState::kDue, store::DutyState::kInProgress}) {
    store::DutyFilter f;
    f.post_id = post.id;
    f.state = state;
    f.due_before = now + Micros(1);
    ZHIDU_TRY(auto rows, All<store::DutyInstance>(
                             [&](store::PageRequest p) { return unit.ListDutyInstances(f, p); }));
    for (const auto& d : rows) {
      if (!LateTakeover(now, d.due_at, d.window_end, grace)) continue;
      const policy::Duty* duty = FindDuty(pack, d.duty);
      std::string title = duty ? duty->title : d.duty;
      std::string message = "「" + title + "」将于 " +
                            FormatIso8601(d.window_end, zone).substr(11, 5) +
                            " 截止，已在接岗宽限内：请尽快完成；若未完成，不追究接岗人的责任";
      out.push_back({d.id, d.duty, std::move(title), d.window_end, std::move(message)});
    }
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.window_end < b.window_end; });
  return out;
}

}  // namespace

Result<store::Attendance> Duties::TakePost(const org::Principal& who, store::Id post_id,
                                           std::vector<std::string>* cited,
                                           std::vector<TakeoverWarning>* warnings) {
  if (who.person_id == 0)
    return Fail(Errc::kPermissionDenied, Reason{"account.no_person"},
                "your account is not linked to a person, so it cannot "
                "be on a post");
  auto pack = pack_.Current();
  return writer_.Run<store::Attendance>([&](store::Tx& tx) -> Result<store::Attendance> {
    ZHIDU_TRY(store::Post post, tx.unit().GetPost(post_id));
    ZHIDU_TRY(store::Person person, tx.unit().GetPerson(who.person_id));
    if (person.site_id != post.site_id)
      return Fail(Errc::kPermissionDenied,
                  "post " + std::to_string(post_id) + " is at another site");
    ZHIDU_TRY(SiteSettings settings, SiteSettings::Read(tx.unit(), post.site_id));
    if (auto why = settings.NotStaffed(post_id))
      return Fail(Errc::kFailedPrecondition, Reason{"post.not_staffed"},
                  "post " + post.name + " is marked not staffed at this site (" + *why +
                      "): an administrator marks it staffed first");
    TimePoint now = tx.now();
    ZHIDU_TRY(auto on, tx.unit().ListAttendanceAt(post_id, who.person_id, now));
    if (!on.empty())
      return Fail(Errc::kConflict, Reason{"attendance.already_on_post"},
                  "you are already on post " + post.name);
    std::vector<std::string> roles;
    for (const auto& g : who.roles)
      if (org::GrantCovers(g, {post.site_id, 0})) roles.push_back(g.role);
    ZHIDU_TRY_VOID(MayWork(tx.unit(), *pack, post, person, roles, now, cited));
    store::Attendance a{0, post.site_id, post_id, who.person_id, now, TimePoint{}, 0};
    ZHIDU_TRY(a.id, tx.unit().InsertAttendance(a));
    ZHIDU_TRY(
        auto late,
        ClosingDuties(tx.unit(), *pack, post, now,
                      LateTakeoverGrace(settings.Value(policy::kLateTakeoverGraceParameter))));
    CanonicalObject taken;
    taken.Add("site_id", post.site_id)
        .Add("post_id", post_id)
        .Add("post", post.name)
        .Add("person_id", who.person_id);
    if (!late.empty()) {
      std::string items = "[";
      for (size_t i = 0; i < late.size(); ++i)
        items += (i ? "," : "") + CanonicalObject()
                                      .Add("duty_id", late[i].duty_id)
                                      .Add("duty", late[i].duty)
                                      .Add("title", late[i].title)
                                      .Add("window_end", FormatIso8601Utc(late[i].window_end))
                                      .Str();
      taken.AddRaw("warnings", items + "]");
    }
    ZHIDU_TRY(auto seq,
              tx.Journal("post.taken", who.account_id, Ref("post", post_id), taken.Str()));
    (void)seq;
    if (warnings) *warnings = std::move(late);
    return a;
  });
}

Result<PostNotStaffed> Duties::SetStaffing(const org::Principal& who, store::Id post_id,
                                           bool staffed, const std::string& reason, int* planned) {
  if (!staffed && reason.find_first_not_of(" \t") == std::string::npos)
    return Fail(Errc::kInvalidArgument, "say why the post is not staffed (reason)", "reason");
  if (reason.size() > 500)
    return Fail(Errc::kInvalidArgument, "reason is longer than 500 bytes", "reason");
  auto pack = pack_.Current();
  auto result = writer_.Run<PostNotStaffed>([&](store::Tx& tx) -> Result<PostNotStaffed> {
    auto& unit = tx.unit();
    ZHIDU_TRY(store::Post post, unit.GetPost(post_id));
    if (!roles_.Allows(who, org::perm::kOrgWrite, {post.site_id, 0}))
      return Fail(Errc::kPermissionDenied, "marking a post not staffed needs org.write");
    const TimePoint now = tx.now();
    if (!staffed) {
      ZHIDU_TRY(auto on, unit.ListAttendanceAt(post_id, 0, now));
      if (!on.empty())
        return Fail(Errc::kFailedPrecondition, Reason{"post.staffed_now"},
                    std::to_string(on.size()) + " person(s) are on post " + post.name +
                        ": they leave it before it is marked not staffed");
    }
    // Invariant 9: marked, the post's open and planned instances are cancelled; staffed again,
    // those cancelled that are not yet due are scheduled again (their timers are still pending).
    std::vector<store::Id> changed;
    for (auto state : staffed ? std::vector<store::DutyState>{store::DutyState::kCancelled}
                              : std::vector<store::DutyState>{store::DutyState::kScheduled,
                                                              store::DutyState::kDue,
                                                              store::DutyState::kInProgress}) {
      store::DutyFilter f;
      f.post_id = post_id;
      f.state = state;
      if (staffed) f.due_from = now + Micros(1);
      ZHIDU_TRY(auto rows, All<store::DutyInstance>(
                               [&](store::PageRequest p) { return unit.ListDutyInstances(f, p); }));
      for (auto& d : rows) {
        d.state = staffed ? store::DutyState::kScheduled : store::DutyState::kCancelled;
        ZHIDU_TRY_VOID(unit.UpdateDutyInstance(d));
        changed.push_back(d.id);
      }
    }
    const std::string key = SiteParameters::NotStaffedKey(post_id);
    ZHIDU_TRY(auto old, SiteParameters::Lookup(unit, post.site_id, key));
    store::SiteParameter p{post.site_id, key, staffed ? std::string() : reason, who.account_id,
                           now};
    ZHIDU_TRY_VOID(unit.PutSiteParameter(p));
    CanonicalObject payload;
    payload.Add("site_id", post.site_id)
        .Add("post_id", post_id)
        .Add("post", post.name)
        .Add("staffed", staffed)
        .Add("reason", p.value)
        .AddRaw(staffed ? "rescheduled" : "cancelled", JsonIds(changed));
    if (old && !old->empty()) payload.Add("previous", *old);
    ZHIDU_TRY(auto seq,
              tx.Journal("post.staffing.set", who.account_id, Ref("post", post_id), payload.Str()));
    (void)seq;
    if (staffed) {  // planned again at once, not at the next hourly plan
      ZHIDU_TRY(auto site, unit.GetSite(post.site_id));
      ZHIDU_TRY(int created,
                PlanSite(tx, *pack, site, now, now + duration_cast<Micros>(options_.horizon)));
      if (planned) *planned = created;
    }
    return PostNotStaffed{post_id, p.value, who.account_id, now};
  });
  if (result && staffed) scheduler_.Wake(TimePoint::min());
  return result;
}

Result<std::vector<PostNotStaffed>> Duties::NotStaffed(const org::Principal& who,
                                                       store::Id site_id) {
  if (!MayRead(who, site_id))
    return Fail(Errc::kPermissionDenied, "you hold no role at site " + std::to_string(site_id));
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(auto site, unit->GetSite(site_id));
  (void)site;
  ZHIDU_TRY(SiteSettings settings, SiteSettings::Read(*unit, site_id));
  return settings.NotStaffedPosts();
}

// The relief checklists of the post (policy::ReliefFormOf), as LeavePost records them.
static LeaveRelief ReliefRule(const policy::Pack& pack, std::string_view post_name,
                              std::vector<policy::ChecklistItem>& items) {
  auto form = policy::ReliefFormOf(pack, post_name);
  items = std::move(form.items);
  LeaveRelief rule;
  rule.checklists = std::move(form.checklists);
  rule.clauses = std::move(form.clauses);
  rule.notify_roles = std::move(form.notify_roles);
  return rule;
}

Result<policy::ReliefForm> Duties::ReliefOf(const org::Principal& who, store::Id post_id) {
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(store::Post post, unit->GetPost(post_id));
  if (!MayRead(who, post.site_id))
    return Fail(Errc::kPermissionDenied,
                "you hold no role at site " + std::to_string(post.site_id));
  return policy::ReliefFormOf(*pack_.Current(), post.name);
}

Result<store::Attendance> Duties::LeavePost(const org::Principal& who, store::Id post_id,
                                            store::Id relief_person_id,
                                            const Answers* relief_answers, LeaveRelief* relief_out,
                                            std::vector<std::string>* cited) {
  auto pack = pack_.Current();
  if (relief_answers && relief_person_id == 0)
    return Fail(Errc::kInvalidArgument, kRequired,
                "answers are the relief checklist's: name the colleague who takes over "
                "(relief_person_id)",
                "relief_person_id");
  return writer_.Run<store::Attendance>([&](store::Tx& tx) -> Result<store::Attendance> {
    auto& unit = tx.unit();
    ZHIDU_TRY(store::Post post, unit.GetPost(post_id));
    TimePoint now = tx.now();
    ZHIDU_TRY(auto mine, unit.ListAttendanceAt(post_id, who.person_id, now));
    if (who.person_id == 0 || mine.empty())
      return Fail(Errc::kFailedPrecondition, Reason{"attendance.not_on_post"},
                  "you are not on post " + post.name);
    const policy::StaffingRule* rule = nullptr;
    for (const auto& s : pack->staffing())
      if (s.post == post.name && (s.substitute_before_leaving || !s.leave_request.empty()))
        rule = &s;
    ZHIDU_TRY(auto everyone, unit.ListAttendanceAt(post_id, 0, now));
    // 离岗须经批准 (R08 §二5 未经值班经理批准不得擅离职守): the last one on the post leaves it
    // without a relief only with an approval of the rule's request, filed by them and approved
    // since they went on the post — one approval, one departure (the next stint starts after it).
    store::Id leave_request_id = 0;
    if (rule && !rule->leave_request.empty() && relief_person_id == 0 && everyone.size() <= 1) {
      store::RequestFilter filter{post.site_id, rule->leave_request, who.account_id,
                                  store::RequestState::kApproved};
      store::PageRequest page{0, 200};
      for (;;) {
        ZHIDU_TRY(auto approved, unit.ListApprovalRequests(filter, page));
        for (const auto& r : approved)
          if (r.updated_at >= mine.front().started_at) leave_request_id = r.id;
        if (approved.size() < static_cast<size_t>(page.limit)) break;
        page.after_id = approved.back().id;
      }
      if (leave_request_id == 0) {
        auto clauses = policy::ClausesMentioning(*pack, rule->clauses,
                                                 {"批准", "擅离", "离岗", "坚守", "在岗"});
        if (clauses.empty()) clauses = {rule->clauses.front()};
        Cite(cited, clauses);
        std::string title = rule->leave_request;
        for (const auto& t : pack->requests())
          if (t.id == rule->leave_request) title = t.title;
        return Fail(Errc::kFailedPrecondition, Reason{"attendance.leave_not_approved"},
                    policy::ClausePrefix(clauses) + rule->title + " — leaving post " + post.name +
                        " needs an approved request (" + title +
                        ") filed since you went on the post" +
                        (rule->substitute_before_leaving
                             ? ", or the colleague who takes over (relief_person_id)"
                             : ""),
                    "relief_person_id");
      }
    }
    if (rule && rule->substitute_before_leaving && leave_request_id == 0 && relief_person_id == 0 &&
        everyone.size() <= 1) {
      // The rule's clauses about leaving (R16 §二13 and §二15 say it twice; R12's rule also
      // carries 经培训方可上机, which leaving does not break).
      auto clauses =
          policy::ClausesMentioning(*pack, rule->clauses, {"离岗", "离开", "脱岗", "代值", "代替"});
      if (clauses.empty()) clauses = {rule->clauses.front()};
      Cite(cited, clauses);
      return Fail(Errc::kFailedPrecondition, Reason{"attendance.relief_required"},
                  policy::ClausePrefix(clauses) + rule->title +
                      " — name the colleague who takes "
                      "over (relief_person_id)",
                  "relief_person_id");
    }
    if (relief_person_id == who.person_id)
      return Fail(Errc::kInvalidArgument, kInvalid, "you cannot relieve yourself",
                  "relief_person_id");
    if (relief_person_id) {
      ZHIDU_TRY(store::Person relief, unit.GetPerson(relief_person_id));
      if (relief.site_id != post.site_id)
        return Fail(Errc::kInvalidArgument, kInvalid, "the relief works at another site",
                    "relief_person_id");
      ZHIDU_TRY(auto on, unit.ListAttendanceAt(post_id, relief_person_id, now));
      if (on.empty()) {
        // The relief goes on the post: the same roles and certificates as taking it.
        ZHIDU_TRY(auto roles, RolesOfPerson(unit, relief_person_id, post.site_id));
        ZHIDU_TRY_VOID(MayWork(unit, *pack, post, relief, roles, now, cited));
        store::Attendance r{0, post.site_id, post_id, relief_person_id, now, TimePoint{}, 0};
        ZHIDU_TRY(r.id, unit.InsertAttendance(r));
      }
    }
    LeaveRelief relief;
    if (relief_answers) {
      std::vector<policy::ChecklistItem> items;
      relief = ReliefRule(*pack, post.name, items);
      if (relief.checklists.empty())
        return Fail(
            Errc::kInvalidArgument,
            "no relief checklist (kind: relief) applies to post " + post.name + ": send no answers",
            "answers");
      ZHIDU_TRY(relief.answers, ValidateAnswers(items, *relief_answers));
    }
    store::Attendance a = mine.front();
    ZHIDU_TRY_VOID(unit.EndAttendance(a.id, now, relief_person_id));
    a.ended_at = now;
    a.relieved_by = relief_person_id;
    CanonicalObject left;
    left.Add("site_id", post.site_id)
        .Add("post_id", post_id)
        .Add("post", post.name)
        .Add("person_id", who.person_id)
        .Add("relief_person_id", relief_person_id);
    if (leave_request_id != 0) left.Add("leave_request_id", leave_request_id);
    if (relief_answers)  // R12 §四(二)2(5): the situation reported to the post's superiors
      left.AddRaw("relief_checklists", JsonStrings(relief.checklists))
          .AddRaw("clauses", JsonStrings(relief.clauses))
          .AddRaw("answers", relief.answers)
          .AddRaw("notify_roles", JsonStrings(relief.notify_roles));
    ZHIDU_TRY(auto seq, tx.Journal("post.left", who.account_id, Ref("post", post_id), left.Str()));
    (void)seq;
    if (relief_out) *relief_out = std::move(relief);
    return a;
  });
}

Result<std::vector<store::Attendance>> Duties::OnPost(store::Id post_id) {
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(store::Post post, unit->GetPost(post_id));
  (void)post;
  return unit->ListAttendanceAt(post_id, 0, TimePoint::max() - Micros(1));
}

}  // namespace zhidu::runtime
