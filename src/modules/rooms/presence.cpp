// Presence in the rest building during working hours (R04 §二12 所有休息人员在工作时间（上午
// 8:00-11:30，下午1:30-5:00，其中部分人员由于工作安排可适当延后，需由部长批准）不允许在休息楼内出现).
// The windows are the pack's: the access rules of the room's place with effect `deny` and a
// `during` (cn-default 职工休息楼: 08:00-11:30, 13:30-17:00), read in the site's time zone; the
// excuse is an approved request of the type the place's `request` rule names (cn-default
// r04-late-stay, approved by 部长). A check-in is recorded by the person in the console or by the
// office for a person it saw; a door event of the devices module calls the same CheckIn inside its
// own transaction (the event's claim commits with the check-in).
//
// Known limits (docs/rooms.md §Presence): the rule's roles are not narrowed (the kernel has no
// person → roles lookup and cn-default's 员工 is everyone); R04 gives the approval no period, so an
// approved late stay excuses until it is withdrawn — 由于工作安排 reads as a standing arrangement.
#include <algorithm>

#include "base/canonical_json.hpp"
#include "modules/rooms/rooms.hpp"

namespace zhidu::rooms {

namespace {

bool InWindow(const policy::TimeRange& r, int minute) {
  if (r.start.minutes <= r.end.minutes) return minute >= r.start.minutes && minute < r.end.minutes;
  return minute >= r.start.minutes || minute < r.end.minutes;  // crosses midnight
}

// A deny window inside one of the pack's working-hour periods is working time (工作时间, R04 §二12
// 所有休息人员在工作时间…不允许在休息楼内出现): it holds on the business calendar's working days
// only, as the duties planned through the working hours do. Any other window holds every day.
bool IsWorkingTimeWindow(const policy::Pack& pack, const policy::TimeRange& w) {
  if (!pack.working_hours() || w.start.minutes > w.end.minutes) return false;
  for (const auto& p : pack.working_hours()->periods)
    if (p.start.minutes <= w.start.minutes && w.end.minutes <= p.end.minutes) return true;
  return false;
}

}  // namespace

Result<Presence> Rooms::CheckIn(const org::Principal& who, Id room_id, Id person_id) {
  return writer_.Run<Presence>(
      [&](store::Tx& tx) -> Result<Presence> { return CheckIn(tx, who, room_id, person_id); });
}

Result<Presence> Rooms::CheckIn(store::Tx& tx, const org::Principal& who, Id room_id,
                                Id person_id) {
  auto pack = pack_.Current();
  if (!pack) return Fail(Errc::kUnavailable, "no policy pack is in force");
  if (person_id == 0) person_id = who.person_id;
  if (person_id == 0)
    return Fail(Errc::kFailedPrecondition, Reason{"rooms.no_person"},
                "the signed-in account is not a person: name the person checking in", "person_id");
  auto& sql = tx.unit().sql();
  ZHIDU_TRY(Room r, Load(sql, room_id, who));
  if (person_id != who.person_id) ZHIDU_TRY_VOID(MayManage(who, r.site_id));
  auto person = tx.unit().GetPerson(person_id);
  if (!person && person.error().code != Errc::kNotFound) return Fail(person.error());
  if (!person || person->site_id != r.site_id)
    return Fail(Errc::kInvalidArgument, Reason{"rooms.unknown_person"},
                "person " + std::to_string(person_id) + " is not a person of the room's site",
                "person_id");
  ZHIDU_TRY(auto site, tx.unit().GetSite(r.site_id));
  auto zone = TimeZone::Find(site.time_zone.empty() ? "Asia/Shanghai" : site.time_zone);
  if (!zone) return Fail(zone.error());
  Presence v;
  v.site_id = r.site_id;
  v.room_id = r.id;
  v.person_id = person_id;
  v.person_name = person->name;
  v.at = tx.now();
  v.recorded_by = who.account_id;
  auto local = zone->ToLocal(v.at);
  int minute = static_cast<int>(std::chrono::duration_cast<std::chrono::minutes>(
                                    local - std::chrono::floor<std::chrono::days>(local))
                                    .count());
  // A year the calendar has no data for is not guessed off: the windows hold (the office decides).
  auto working_day = pack->calendar().IsWorkingDay(
      std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(local)});
  bool works = !working_day || *working_day;
  std::string excuse_type;
  for (const auto& place : pack->places()) {
    if (place.id != r.place) continue;
    for (const auto& rule : place.access) {
      if (rule.effect == policy::AccessEffect::kRequest && !rule.request.empty())
        excuse_type = rule.request;
      if (rule.effect != policy::AccessEffect::kDeny || !v.window.empty()) continue;
      for (const auto& w : rule.during)
        if (v.window.empty() && InWindow(w, minute) && (works || !IsWorkingTimeWindow(*pack, w))) {
          v.window = policy::FormatTimeRange(w);
          v.clauses = rule.clauses;
        }
    }
  }
  if (!v.window.empty() && !excuse_type.empty()) {
    store::RequestFilter f;
    f.site_id = r.site_id;
    f.type = excuse_type;
    f.state = store::RequestState::kApproved;
    ZHIDU_TRY(auto approved, tx.unit().ListApprovalRequests(f, store::PageRequest{0, 1000}));
    for (const auto& a : approved)
      if (a.applicant_person == person_id && v.late_stay_request == 0) v.late_stay_request = a.id;
  }
  v.flagged = !v.window.empty() && v.late_stay_request == 0;
  ZHIDU_TRY(v.id, db::InsertPresence(sql, v));
  CanonicalObject payload;
  payload.Add("room_id", r.id)
      .Add("site_id", r.site_id)
      .Add("room", r.name)
      .Add("place", r.place)
      .Add("person_id", person_id)
      .Add("flagged", v.flagged)
      .Add("window", v.window)
      .Add("late_stay_request", v.late_stay_request)
      .AddRaw("clauses", JsonStringArray(v.clauses));
  if (v.flagged) payload.Add("title", person->name + " 工作时间在休息楼（" + v.window + "）");
  ZHIDU_TRY(auto seq, tx.Journal("rooms.presence.recorded", who.account_id,
                                 "room/" + std::to_string(r.id), payload.Str()));
  (void)seq;
  return v;
}

Result<std::vector<Presence>> Rooms::PresenceOn(const org::Principal& who, Id room_id,
                                                const std::string& date) {
  ZHIDU_TRY(auto day, ParseDay(date, "date"));
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(Room r, Load(unit->sql(), room_id, who));
  ZHIDU_TRY(auto site, unit->GetSite(r.site_id));
  auto zone = TimeZone::Find(site.time_zone.empty() ? "Asia/Shanghai" : site.time_zone);
  if (!zone) return Fail(zone.error());
  std::chrono::local_days start{std::chrono::sys_days{day}.time_since_epoch()};
  TimePoint from = zone->FromLocal(std::chrono::local_time<Micros>{start});
  TimePoint before = zone->FromLocal(std::chrono::local_time<Micros>{start + std::chrono::days{1}});
  return db::PresenceOf(unit->sql(), r.id, from, before);
}

}  // namespace zhidu::rooms
