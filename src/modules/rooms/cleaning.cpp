// The 值日表's cleaning duty reaches the day's person (R04 §二1 舍长负责本房间卫生…排出值日表).
//
// The pack's duty that fills the 值日表 record (the duty whose record is RuleNamed kRotaRecord,
// cn-default r04-room-cleaning 按值日表打扫房间, R04 §二1、§二4) is planned by the kernel per site
// post; it cannot say which occupant of which room cleans on a day. The saved 值日表 does: each
// saved day of today or later gets a durable timer (kCleaningTimer) at the start of that site-local
// day; firing, it journals rooms.cleaning.due naming the person the rota gives that day (person_id:
// their account sees it live, docs/notifications.md), once per room and day (room_rota.told_at),
// while the person is still an occupant of the room.
#include <algorithm>

#include "base/canonical_json.hpp"
#include "kernel/policy/rule_names.hpp"
#include "kernel/scheduler/subject.hpp"
#include "modules/rooms/rooms.hpp"

namespace zhidu::rooms {
namespace {

// The timer's subject: room-rota/ROOM/YYYY-MM-DD.
constexpr std::string_view kRotaSubject = "room-rota";

Result<TimeZone> ZoneOfSite(store::UnitOfWork& unit, Id site_id) {
  ZHIDU_TRY(auto site, unit.GetSite(site_id));
  return TimeZone::Find(site.time_zone.empty() ? kDefaultTimeZone : site.time_zone);
}

}  // namespace

const policy::Duty* CleaningDuty(const policy::Pack& pack) {
  for (const auto& d : pack.duties())
    if (policy::RuleNamed(d.checklist, kRotaRecord)) return &d;
  return nullptr;
}

void Rooms::RegisterHandlers(scheduler::Scheduler& scheduler) {
  scheduler_ = &scheduler;
  scheduler.Register(std::string(kCleaningTimer), [this](store::Tx& tx, const store::Timer& t) {
    return OnCleaningTimer(tx, t);
  });
}

Result<std::optional<TimePoint>> Rooms::ScheduleCleaning(store::Tx& tx, const Room& r,
                                                         const std::vector<std::string>& days) {
  std::optional<TimePoint> first;
  if (!scheduler_) return first;
  ZHIDU_TRY(TimeZone zone, ZoneOfSite(tx.unit(), r.site_id));
  auto today = std::chrono::floor<std::chrono::days>(zone.ToLocal(tx.now()));
  for (const auto& day : days) {
    ZHIDU_TRY(auto ymd, ParseDay(day, "date"));
    std::chrono::local_days local{std::chrono::sys_days{ymd}.time_since_epoch()};
    if (local < today) continue;  // a day gone by is not told
    store::Timer t;
    t.site_id = r.site_id;
    t.kind = std::string(kCleaningTimer);
    t.subject = scheduler::TimerSubject{std::string(kRotaSubject), r.id, {day}}.Str();
    t.payload = "{}";
    t.due_at = std::max(zone.FromLocal(std::chrono::local_time<Micros>{local}), tx.now());
    ZHIDU_TRY(auto id, scheduler::Scheduler::Schedule(tx, t));
    (void)id;
    if (!first || t.due_at < *first) first = t.due_at;
  }
  return first;
}

Result<void> Rooms::OnCleaningTimer(store::Tx& tx, const store::Timer& t) {
  auto subject = scheduler::ParseTimerSubject(t.subject, kRotaSubject, 1);
  if (!subject) return Ok();  // not ours: nothing to tell
  const Id room_id = subject->id;
  const std::string& day = subject->tail[0];
  auto& sql = tx.unit().sql();
  ZHIDU_TRY(auto row, db::RotaDayOf(sql, room_id, day));
  if (!row || row->told) return Ok();  // re-saved (another timer tells) or told already
  ZHIDU_TRY(Room r, db::GetRoom(sql, room_id));
  ZHIDU_TRY(auto beds, db::BedsOf(sql, room_id));
  auto bed = std::find_if(beds.begin(), beds.end(),
                          [&](const Bed& b) { return b.person_id == row->person_id; });
  if (bed == beds.end()) return Ok();  // moved out since: the rota falls back to the proposal
  auto pack = pack_.Current();
  const policy::Duty* duty = pack ? CleaningDuty(*pack) : nullptr;
  auto clauses = duty ? duty->clauses : Clauses(kRotaRecord);
  std::string what = duty ? duty->title : "打扫房间";
  CanonicalObject o;
  o.Add("site_id", r.site_id)
      .Add("room_id", r.id)
      .Add("room", r.name)
      .Add("date", day)
      .Add("person_id", row->person_id)
      .Add("duty", duty ? duty->id : "")
      .Add("title", "今日值日：" + r.name + " " + what + "（" + bed->person_name + "，" + day +
                        "）" + Cited(clauses))
      .AddRaw("clauses", JsonStringArray(clauses));
  ZHIDU_TRY(auto seq, tx.Journal("rooms.cleaning.due", 0, "room/" + std::to_string(r.id), o.Str()));
  (void)seq;
  return db::MarkRotaTold(sql, room_id, day, tx.now());
}

}  // namespace zhidu::rooms
