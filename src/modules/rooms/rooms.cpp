#include "modules/rooms/rooms.hpp"

#include <chrono>
#include <cstdio>
#include <set>

#include "base/canonical_json.hpp"
#include "base/text_limits.hpp"
#include "kernel/policy/rule_names.hpp"

namespace zhidu::rooms {

namespace {

constexpr std::string_view kKeyStates[] = {"kept", "issued", "lost"};

std::string RoomRef(Id id) { return "room/" + std::to_string(id); }
std::string KeyRef(Id id) { return "room-key/" + std::to_string(id); }
std::string LockerRef(Id id) { return "room-locker/" + std::to_string(id); }

CanonicalObject RoomPayload(const Room& r, const std::vector<std::string>& clauses) {
  CanonicalObject o;
  o.Add("room_id", r.id)
      .Add("site_id", r.site_id)
      .Add("room", r.name)
      .Add("place", r.place)
      .AddRaw("clauses", JsonStringArray(clauses));
  return o;
}

// The person, who must be of the room's site (rooms.unknown_person otherwise).
Result<store::Person> PersonAt(store::UnitOfWork& unit, Id person_id, Id site_id) {
  if (person_id <= 0)
    return Fail(Errc::kInvalidArgument, kRequired, "person_id is required", "person_id");
  auto p = unit.GetPerson(person_id);
  if (!p && p.error().code != Errc::kNotFound) return Fail(p.error());
  if (!p || p->site_id != site_id)
    return Fail(Errc::kInvalidArgument, Reason{"rooms.unknown_person"},
                "person " + std::to_string(person_id) + " is not a person of the room's site",
                "person_id");
  return *p;
}

// "YYYY-MM-DD".
std::string DateText(std::chrono::sys_days day) {
  std::chrono::year_month_day ymd{day};
  char date[16];
  std::snprintf(date, sizeof date, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return date;
}

// The bed as it is once its occupant leaves it: no person, no locker, no allocation.
Bed Freed(Bed b) {
  b.person_id = 0;
  b.person_name.clear();
  b.locker.clear();
  b.allocated_at = {};
  b.allocated_by = 0;
  return b;
}

}  // namespace

Result<std::chrono::year_month_day> ParseDay(const std::string& text, const std::string& field) {
  int y = 0;
  unsigned m = 0, d = 0;
  char tail = 0;
  std::chrono::year_month_day day{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
  if (text.size() == 10 && std::sscanf(text.c_str(), "%4d-%2u-%2u%c", &y, &m, &d, &tail) == 3)
    day = {std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
  if (!day.ok())
    return Fail(Errc::kInvalidArgument, kInvalid, field + " must be a date YYYY-MM-DD", field);
  return day;
}

std::string Cited(const std::vector<std::string>& clauses) {
  return clauses.empty() ? std::string() : "（" + Join(clauses, "、") + "）";
}

std::string_view KeyStateName(KeyState s) { return kKeyStates[static_cast<int>(s)]; }

Result<KeyState> ParseKeyState(std::string_view name) {
  for (int i = 0; i < 3; ++i)
    if (kKeyStates[i] == name) return static_cast<KeyState>(i);
  return Fail(Errc::kInvalidArgument, kInvalid,
              "state must be kept, issued or lost, not \"" + std::string(name) + "\"", "state");
}

std::vector<std::string> Rooms::Clauses(std::string_view record) const {
  auto pack = pack_.Current();
  return pack ? policy::ClausesOfRule(pack->records(), record) : std::vector<std::string>{};
}

std::pair<std::string, std::vector<std::string>> Rooms::KeyCopyRule() const {
  auto pack = pack_.Current();
  if (!pack) return {};
  for (const auto& p : pack->penalties())
    if (p.code.ends_with(kKeyCopyPenalty)) return {p.title, p.clauses};
  return {};
}

std::vector<std::pair<std::string, std::string>> Rooms::Places() const {
  std::vector<std::pair<std::string, std::string>> out;
  if (auto pack = pack_.Current())
    for (const auto& p : pack->places()) out.emplace_back(p.id, p.title);
  return out;
}

Result<void> Rooms::MayManage(const org::Principal& who, Id site_id) const {
  if (roles_.Allows(who, kManagePermission, {site_id, 0})) return Ok();
  return Fail(Errc::kPermissionDenied, Reason{"rooms.manage_denied"},
              "managing rooms needs the rooms.manage permission at site " +
                  std::to_string(site_id) + " (办公室统一安排" +
                  Join(Clauses(kAllocationRecord), "、") + ")");
}

Result<Room> Rooms::Load(store::Sql& sql, Id id, const org::Principal& who) const {
  auto r = db::GetRoom(sql, id);
  if (!r) return Fail(r.error());
  if (!org::HoldsRoleAt(who, {r->site_id, 0}))
    return Fail(Errc::kNotFound, "room " + std::to_string(id) + " does not exist");
  ZHIDU_TRY(r->beds, db::BedsOf(sql, id));
  ZHIDU_TRY(r->keys, db::KeysOf(sql, id));
  ZHIDU_TRY(r->lockers, db::LockersOf(sql, id));
  return *r;
}

Result<Room> Rooms::LoadToManage(store::Sql& sql, Id id, const org::Principal& who) const {
  ZHIDU_TRY(Room r, Load(sql, id, who));
  ZHIDU_TRY_VOID(MayManage(who, r.site_id));
  return r;
}

Result<Room> Rooms::Create(const org::Principal& who, const NewRoom& in) {
  if (in.site_id <= 0)
    return Fail(Errc::kInvalidArgument, kRequired, "site_id is required", "site_id");
  ZHIDU_TRY_VOID(MayManage(who, in.site_id));
  ZHIDU_TRY_VOID(CheckText(in.name, "name", true, kMaxText));
  ZHIDU_TRY_VOID(CheckText(in.place, "place", true, kMaxText));
  ZHIDU_TRY_VOID(CheckText(in.note, "note", false, kMaxNote));
  if (in.beds < 1 || in.beds > kMaxBeds)
    return Fail(Errc::kInvalidArgument, kInvalid, "beds must be 1 to " + std::to_string(kMaxBeds),
                "beds");
  if (in.lockers < 0 || in.lockers > kMaxBeds)
    return Fail(Errc::kInvalidArgument, kInvalid,
                "lockers must be 0 to " + std::to_string(kMaxBeds), "lockers");
  bool known = false;
  for (const auto& [id, title] : Places()) known = known || id == in.place;
  if (!known)
    return Fail(Errc::kInvalidArgument, Reason{"rooms.unknown_place"},
                "place \"" + in.place + "\" is not a place of the pack in force", "place");
  auto clauses = Clauses(kAllocationRecord);
  return writer_.Run<Room>([&](store::Tx& tx) -> Result<Room> {
    auto& sql = tx.unit().sql();
    ZHIDU_TRY(auto site, tx.unit().GetSite(in.site_id));
    (void)site;
    Room r;
    r.site_id = in.site_id;
    r.name = in.name;
    r.place = in.place;
    r.bed_count = static_cast<int>(in.beds);
    r.note = in.note;
    r.created_by = who.account_id;
    r.created_at = tx.now();
    auto id = db::InsertRoom(sql, r);
    if (!id && id.error().code == Errc::kConflict)
      return Fail(Errc::kConflict, Reason{"rooms.name_taken"},
                  "the site has a room named \"" + in.name + "\" already", "name");
    if (!id) return Fail(id.error());
    r.id = *id;
    for (int i = 1; i <= in.beds; ++i) {
      Bed b;
      b.room_id = r.id;
      b.label = std::to_string(i);
      ZHIDU_TRY(b.id, db::InsertBed(sql, b));
      r.beds.push_back(b);
    }
    for (std::int64_t i = 1; i <= in.lockers; ++i) {
      Locker l;
      l.room_id = r.id;
      l.label = std::to_string(i);
      ZHIDU_TRY(l.id, db::InsertLocker(sql, l));
      r.lockers.push_back(l);
    }
    ZHIDU_TRY(
        auto seq,
        tx.Journal(
            "rooms.room.created", who.account_id, RoomRef(r.id),
            RoomPayload(r, clauses).Add("beds", r.bed_count).Add("lockers", in.lockers).Str()));
    (void)seq;
    return r;
  });
}

Result<Room> Rooms::Get(const org::Principal& who, Id id) {
  ZHIDU_TRY(auto unit, store_.BeginRead());
  return Load(unit->sql(), id, who);
}

Result<std::vector<Room>> Rooms::List(const org::Principal& who, Id site_id,
                                      store::PageRequest page) {
  if (site_id <= 0)
    return Fail(Errc::kInvalidArgument, kRequired, "site_id is required", "site_id");
  if (!org::HoldsRoleAt(who, {site_id, 0}))
    return Fail(Errc::kPermissionDenied,
                "reading the rooms needs a role at site " + std::to_string(site_id));
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(auto rooms, db::ListRooms(unit->sql(), site_id, page));
  for (auto& r : rooms) {
    ZHIDU_TRY(r.beds, db::BedsOf(unit->sql(), r.id));
    ZHIDU_TRY(r.lockers, db::LockersOf(unit->sql(), r.id));
  }
  return rooms;
}

Result<Room> Rooms::Allocate(const org::Principal& who, Id room_id, const Allocation& in) {
  ZHIDU_TRY_VOID(CheckText(in.locker, "locker", false, kMaxText));
  auto clauses = Clauses(kAllocationRecord);
  return writer_.Run<Room>([&](store::Tx& tx) -> Result<Room> {
    auto& sql = tx.unit().sql();
    ZHIDU_TRY(Room r, LoadToManage(sql, room_id, who));
    ZHIDU_TRY(auto person, PersonAt(tx.unit(), in.person_id, r.site_id));
    bool swap = false;  // an approved 调换房间: the person moves from their bed
    if (in.request_id != 0) {
      ZHIDU_TRY(swap, CheckApplication(tx.unit(), in.request_id, person.id, r.site_id));
    } else if (auto pack = pack_.Current()) {  // the office's own arrangement: revocation holds
      for (const auto& type : pack->requests())
        if (policy::RuleNamed(type.record, kAllocationRecord))
          ZHIDU_TRY_VOID(NotRevoked(tx.unit(), *pack, type, person.id));
    }
    ZHIDU_TRY(auto leaver, db::GetLeaver(sql, person.id));
    if (leaver)
      return Fail(
          Errc::kConflict, Reason{"rooms.person_left"},
          person.name + " left employment (离职人员须搬离" + Cited(Clauses(kKeyRecord)) + ")",
          "person_id");
    ZHIDU_TRY(auto housed, db::BedOfPerson(sql, in.person_id));
    if (swap && !housed)
      return Fail(Errc::kConflict, Reason{"rooms.nothing_to_swap"},
                  person.name + " has no bed to move from: a swap moves a housed person",
                  "person_id");
    if (housed && !swap)
      return Fail(Errc::kConflict, Reason{"rooms.person_housed"},
                  person.name + " already has bed " + housed->label + " of room " +
                      std::to_string(housed->room_id) +
                      ": release it first, or allocate under an approved swap (不允许私自调换" +
                      Cited(clauses) + ")",
                  "person_id");
    Bed* bed = nullptr;
    if (in.bed_id != 0) {
      for (auto& b : r.beds)
        if (b.id == in.bed_id) bed = &b;
      if (!bed)
        return Fail(Errc::kInvalidArgument, Reason{"rooms.unknown_bed"},
                    "bed " + std::to_string(in.bed_id) + " is not a bed of room " + r.name,
                    "bed_id");
      if (bed->person_id != 0)
        return Fail(Errc::kConflict, Reason{"rooms.bed_occupied"},
                    "bed " + bed->label + " of room " + r.name + " is taken by " + bed->person_name,
                    "bed_id");
    } else {
      for (auto& b : r.beds)
        if (!bed && b.person_id == 0) bed = &b;
      if (!bed)
        return Fail(Errc::kConflict, Reason{"rooms.room_full"},
                    "room " + r.name + " is full (" + std::to_string(r.bed_count) + " beds)");
    }
    // 一人一柜 (R04 §二2, R01 §三): the locker named, else the room's first free one, if any.
    Locker* locker = nullptr;
    if (in.locker_id != 0 || !in.locker.empty()) {
      for (auto& l : r.lockers)
        if (in.locker_id != 0 ? l.id == in.locker_id : l.label == in.locker) locker = &l;
      std::string named =
          in.locker_id != 0 ? std::to_string(in.locker_id) : "\"" + in.locker + "\"";
      if (!locker)
        return Fail(
            Errc::kConflict, Reason{"rooms.unknown_locker"},
            "room " + r.name + " has no locker " + named + ": add it to the room's lockers first",
            in.locker_id != 0 ? "locker_id" : "locker");
      if (locker->person_id != 0 && locker->person_id != person.id)
        return Fail(Errc::kConflict, Reason{"rooms.locker_taken"},
                    "locker " + locker->label + " of room " + r.name + " is held by " +
                        locker->person_name + " (一人一柜" + Cited(clauses) + ")",
                    in.locker_id != 0 ? "locker_id" : "locker");
    } else {
      for (auto& l : r.lockers)
        if (!locker && l.person_id == 0) locker = &l;
    }
    if (swap) {  // release the old bed first (UNIQUE(person_id)), in this transaction
      Bed freed = Freed(*housed);
      ZHIDU_TRY_VOID(db::SetOccupant(sql, freed, person.id));
      ZHIDU_TRY(Room from, db::GetRoom(sql, housed->room_id));
      bool was_leader = from.leader_person_id == person.id && from.id != r.id;
      if (was_leader) ZHIDU_TRY_VOID(db::SetLeader(sql, from.id, 0));  // invariant 2
      for (auto& b : r.beds)
        if (b.id == freed.id) b = freed;
      ZHIDU_TRY(auto old_locker, db::FreeLockerOf(sql, person.id));  // its locker goes with it
      for (auto& l : r.lockers)
        if (l.person_id == person.id) l.person_id = 0, l.person_name.clear();
      (void)old_locker;
      ZHIDU_TRY_VOID(db::InsertSwap(sql, in.request_id, person.id, housed->id, bed->id,
                                    who.account_id, tx.now()));
      ZHIDU_TRY(auto released, tx.Journal("rooms.bed.released", who.account_id, RoomRef(from.id),
                                          RoomPayload(from, clauses)
                                              .Add("bed", housed->label)
                                              .Add("person_id", person.id)
                                              .Add("was_leader", was_leader)
                                              .Add("request_id", in.request_id)
                                              .Add("note", "调换房间")
                                              .Str()));
      (void)released;
    }
    bed->person_id = person.id;
    bed->person_name = person.name;
    bed->locker.clear();
    bed->allocated_at = tx.now();
    bed->allocated_by = who.account_id;
    ZHIDU_TRY_VOID(db::SetOccupant(sql, *bed, 0));
    if (locker) {
      ZHIDU_TRY_VOID(db::TakeLocker(sql, locker->id, person.id, who.account_id, tx.now()));
      locker->person_id = person.id;
      locker->person_name = person.name;
      locker->allocated_at = tx.now();
      bed->locker = locker->label;
    }
    ZHIDU_TRY(auto seq, tx.Journal("rooms.bed.allocated", who.account_id, RoomRef(r.id),
                                   RoomPayload(r, clauses)
                                       .Add("bed", bed->label)
                                       .Add("locker", bed->locker)
                                       .Add("person_id", person.id)
                                       .Add("request_id", in.request_id)
                                       .Str()));
    (void)seq;
    return r;
  });
}

Result<Room> Rooms::Release(const org::Principal& who, Id room_id, Id person_id,
                            const std::string& note) {
  ZHIDU_TRY_VOID(CheckText(note, "note", false, kMaxNote));
  auto clauses = Clauses(kAllocationRecord);
  return writer_.Run<Room>([&](store::Tx& tx) -> Result<Room> {
    auto& sql = tx.unit().sql();
    ZHIDU_TRY(Room r, LoadToManage(sql, room_id, who));
    ZHIDU_TRY(auto person, PersonAt(tx.unit(), person_id, r.site_id));
    Bed* bed = nullptr;
    for (auto& b : r.beds)
      if (b.person_id == person_id) bed = &b;
    if (!bed)
      return Fail(Errc::kConflict, Reason{"rooms.not_housed"},
                  person.name + " has no bed in room " + r.name, "person_id");
    Bed freed = Freed(*bed);
    ZHIDU_TRY_VOID(db::SetOccupant(sql, freed, person_id));
    ZHIDU_TRY(auto locker, db::FreeLockerOf(sql, person_id));  // 一人一柜: freed with the bed
    for (auto& l : r.lockers)
      if (l.person_id == person_id) l.person_id = 0, l.person_name.clear();
    bool was_leader = r.leader_person_id == person_id;
    if (was_leader) {  // invariant 2
      ZHIDU_TRY_VOID(db::SetLeader(sql, r.id, 0));
      r.leader_person_id = 0;
    }
    ZHIDU_TRY(auto seq, tx.Journal("rooms.bed.released", who.account_id, RoomRef(r.id),
                                   RoomPayload(r, clauses)
                                       .Add("bed", bed->label)
                                       .Add("locker", locker)
                                       .Add("person_id", person_id)
                                       .Add("was_leader", was_leader)
                                       .Add("note", note)
                                       .Str()));
    (void)seq;
    ZHIDU_TRY_VOID(MaybeMovedOut(tx, person_id, who.account_id));
    *bed = freed;
    return r;
  });
}

Result<Room> Rooms::SetLeader(const org::Principal& who, Id room_id, Id person_id) {
  auto clauses = Clauses(kAllocationRecord);
  return writer_.Run<Room>([&](store::Tx& tx) -> Result<Room> {
    auto& sql = tx.unit().sql();
    ZHIDU_TRY(Room r, LoadToManage(sql, room_id, who));
    ZHIDU_TRY(auto person, PersonAt(tx.unit(), person_id, r.site_id));
    bool occupant = false;
    for (const auto& b : r.beds) occupant = occupant || b.person_id == person_id;
    if (!occupant)  // invariant 2
      return Fail(Errc::kConflict, Reason{"rooms.leader_not_occupant"},
                  person.name + " has no bed in room " + r.name +
                      ": the leader is chosen among the room's occupants (每个休息室选出一名舍长" +
                      Cited(clauses) + ")",
                  "person_id");
    ZHIDU_TRY_VOID(db::SetLeader(sql, r.id, person_id));
    Id previous = r.leader_person_id;
    r.leader_person_id = person_id;
    ZHIDU_TRY(auto seq, tx.Journal("rooms.leader.set", who.account_id, RoomRef(r.id),
                                   RoomPayload(r, clauses)
                                       .Add("person_id", person_id)
                                       .Add("previous_person_id", previous)
                                       .Str()));
    (void)seq;
    return r;
  });
}

Result<std::vector<Rooms::RotaDay>> Rooms::Rota(const org::Principal& who, Id room_id,
                                                const std::string& from, std::int64_t days) {
  ZHIDU_TRY(auto first, ParseDay(from, "from"));
  if (days < 1 || days > 31)
    return Fail(Errc::kInvalidArgument, kInvalid, "days must be 1 to 31", "days");
  ZHIDU_TRY(Room r, Get(who, room_id));
  std::vector<const Bed*> occupants;
  for (const auto& b : r.beds)
    if (b.person_id != 0) occupants.push_back(&b);
  if (occupants.empty())
    return Fail(Errc::kFailedPrecondition, Reason{"rooms.room_empty"},
                "room " + r.name + " has no occupants to draw a rota among");
  std::vector<RotaDay> out;
  std::chrono::sys_days start{first};
  for (std::int64_t i = 0; i < days; ++i) {
    std::chrono::sys_days day = start + std::chrono::days{i};
    auto n = static_cast<std::int64_t>(occupants.size());
    auto at = ((day.time_since_epoch().count() % n) + n) % n;
    out.push_back({DateText(day), occupants[at]->person_id, occupants[at]->person_name, false});
  }
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(auto stored, db::RotaOf(unit->sql(), r.id, out.front().date, out.back().date));
  for (auto& d : out) {  // a saved day holds while its person is still an occupant
    auto it = stored.find(d.date);
    if (it == stored.end()) continue;
    for (const Bed* b : occupants)
      if (b->person_id == it->second) d = {d.date, b->person_id, b->person_name, true};
  }
  return out;
}

Result<std::vector<Rooms::RotaDay>> Rooms::SaveRota(const org::Principal& who, Id room_id,
                                                    const std::vector<RotaDay>& days) {
  if (days.empty() || days.size() > 31)
    return Fail(Errc::kInvalidArgument, kInvalid, "a 值日表 is saved for 1 to 31 days", "days");
  std::set<std::string> dates;
  for (size_t i = 0; i < days.size(); ++i) {
    std::string field = "days[" + std::to_string(i) + "]";
    ZHIDU_TRY(auto ymd, ParseDay(days[i].date, field + ".date"));
    if (!dates.insert(DateText(std::chrono::sys_days{ymd})).second)
      return Fail(Errc::kInvalidArgument, kInvalid, days[i].date + " is given twice",
                  field + ".date");
  }
  auto clauses = Clauses(kRotaRecord);
  std::optional<TimePoint> wake;
  ZHIDU_TRY_VOID(writer_.Run<bool>([&](store::Tx& tx) -> Result<bool> {
    auto& sql = tx.unit().sql();
    ZHIDU_TRY(Room r, Load(sql, room_id, who));
    bool leader = who.person_id != 0 && who.person_id == r.leader_person_id;
    if (!leader && !roles_.Allows(who, kManagePermission, {r.site_id, 0}))
      return Fail(Errc::kPermissionDenied, Reason{"rooms.rota_denied"},
                  "the room's 舍长 draws up its 值日表 (舍长负责本房间卫生…排出值日表" +
                      Cited(clauses) + ")");
    std::string saved = "[";
    for (size_t i = 0; i < days.size(); ++i) {
      bool occupant = false;
      for (const auto& b : r.beds) occupant = occupant || b.person_id == days[i].person_id;
      if (!occupant)
        return Fail(Errc::kConflict, Reason{"rooms.rota_not_occupant"},
                    "person " + std::to_string(days[i].person_id) + " has no bed in room " +
                        r.name + ": the 值日表 rotates among the room's occupants",
                    "days[" + std::to_string(i) + "].person_id");
      ZHIDU_TRY_VOID(
          db::PutRotaDay(sql, r.id, days[i].date, days[i].person_id, who.account_id, tx.now()));
      CanonicalObject day;
      day.Add("date", days[i].date).Add("person_id", days[i].person_id);
      saved += (i ? "," : "") + day.Str();
    }
    saved += "]";
    std::vector<std::string> saved_days;
    for (const auto& d : days) saved_days.push_back(d.date);
    ZHIDU_TRY(wake, ScheduleCleaning(tx, r, saved_days));
    ZHIDU_TRY(auto seq, tx.Journal("rooms.rota.saved", who.account_id, RoomRef(r.id),
                                   RoomPayload(r, clauses).AddRaw("days", saved).Str()));
    (void)seq;
    return true;
  }));
  if (wake && scheduler_) scheduler_->Wake(*wake);
  std::vector<RotaDay> out;
  ZHIDU_TRY(auto room, Get(who, room_id));
  for (const auto& d : days)
    for (const auto& b : room.beds)
      if (b.person_id == d.person_id) out.push_back({d.date, d.person_id, b.person_name, true});
  return out;
}

Result<Key> Rooms::AddKey(const org::Principal& who, Id room_id, const std::string& label) {
  ZHIDU_TRY_VOID(CheckText(label, "label", true, kMaxText));
  auto clauses = Clauses(kKeyRecord);
  return writer_.Run<Key>([&](store::Tx& tx) -> Result<Key> {
    auto& sql = tx.unit().sql();
    ZHIDU_TRY(Room r, LoadToManage(sql, room_id, who));
    Key k;
    k.room_id = r.id;
    k.label = label;
    k.state = KeyState::kKept;
    k.changed_at = tx.now();
    auto id = db::InsertKey(sql, k);
    if (!id && id.error().code == Errc::kConflict)
      return Fail(Errc::kConflict, Reason{"rooms.key_label_taken"},
                  "room " + r.name + " has a key labelled \"" + label + "\" already", "label");
    if (!id) return Fail(id.error());
    k.id = *id;
    ZHIDU_TRY(auto seq, tx.Journal("rooms.key.added", who.account_id, KeyRef(k.id),
                                   RoomPayload(r, clauses).Add("key", k.label).Str()));
    (void)seq;
    return k;
  });
}

Result<Locker> Rooms::AddLocker(const org::Principal& who, Id room_id, const std::string& label) {
  ZHIDU_TRY_VOID(CheckText(label, "label", true, kMaxText));
  auto clauses = Clauses(kAllocationRecord);
  return writer_.Run<Locker>([&](store::Tx& tx) -> Result<Locker> {
    auto& sql = tx.unit().sql();
    ZHIDU_TRY(Room r, LoadToManage(sql, room_id, who));
    Locker l;
    l.room_id = r.id;
    l.label = label;
    auto id = db::InsertLocker(sql, l);
    if (!id && id.error().code == Errc::kConflict)
      return Fail(Errc::kConflict, Reason{"rooms.locker_label_taken"},
                  "room " + r.name + " has a locker labelled \"" + label + "\" already", "label");
    if (!id) return Fail(id.error());
    l.id = *id;
    ZHIDU_TRY(auto seq, tx.Journal("rooms.locker.added", who.account_id, LockerRef(l.id),
                                   RoomPayload(r, clauses).Add("locker", l.label).Str()));
    (void)seq;
    return l;
  });
}

// The locker's room, loaded for the office (rooms.manage); another site's locker is unknown.
Result<Room> Rooms::LockerRoom(store::Sql& sql, const Locker& l, const org::Principal& who) const {
  auto room = Load(sql, l.room_id, who);
  if (!room && room.error().code == Errc::kNotFound)
    return Fail(Errc::kNotFound, "locker " + std::to_string(l.id) + " does not exist");
  if (!room) return Fail(room.error());
  ZHIDU_TRY_VOID(MayManage(who, room->site_id));
  return room;
}

Result<Locker> Rooms::GiveLocker(const org::Principal& who, Id locker_id, Id person_id) {
  auto clauses = Clauses(kAllocationRecord);
  return writer_.Run<Locker>([&](store::Tx& tx) -> Result<Locker> {
    auto& sql = tx.unit().sql();
    ZHIDU_TRY(Locker l, db::GetLocker(sql, locker_id));
    ZHIDU_TRY(Room r, LockerRoom(sql, l, who));
    ZHIDU_TRY(auto person, PersonAt(tx.unit(), person_id, r.site_id));
    bool housed = false;
    for (const auto& b : r.beds) housed = housed || b.person_id == person.id;
    if (!housed)
      return Fail(Errc::kConflict, Reason{"rooms.not_housed"},
                  person.name + " has no bed in room " + r.name +
                      ": a locker goes to an occupant of its room",
                  "person_id");
    if (l.person_id == person.id) return l;  // holds it already: nothing changes
    if (l.person_id != 0)
      return Fail(Errc::kConflict, Reason{"rooms.locker_taken"},
                  "locker " + l.label + " of room " + r.name + " is held by " + l.person_name +
                      " (一人一柜" + Cited(clauses) + ")",
                  "locker_id");
    ZHIDU_TRY(auto from, db::FreeLockerOf(sql, person.id));  // 一人一柜: the old one is freed
    ZHIDU_TRY_VOID(db::TakeLocker(sql, l.id, person.id, who.account_id, tx.now()));
    l.person_id = person.id;
    l.person_name = person.name;
    l.allocated_at = tx.now();
    ZHIDU_TRY(auto seq, tx.Journal("rooms.locker.given", who.account_id, LockerRef(l.id),
                                   RoomPayload(r, clauses)
                                       .Add("locker", l.label)
                                       .Add("from_locker", from)
                                       .Add("person_id", person.id)
                                       .Str()));
    (void)seq;
    return l;
  });
}

Result<Locker> Rooms::TakeLockerBack(const org::Principal& who, Id locker_id,
                                     const std::string& note) {
  ZHIDU_TRY_VOID(CheckText(note, "note", false, kMaxNote));
  auto clauses = Clauses(kAllocationRecord);
  return writer_.Run<Locker>([&](store::Tx& tx) -> Result<Locker> {
    auto& sql = tx.unit().sql();
    ZHIDU_TRY(Locker l, db::GetLocker(sql, locker_id));
    ZHIDU_TRY(Room r, LockerRoom(sql, l, who));
    if (l.person_id == 0)
      return Fail(Errc::kConflict, Reason{"rooms.locker_free"},
                  "locker " + l.label + " of room " + r.name + " is not held by anyone");
    Id person_id = l.person_id;
    ZHIDU_TRY(auto freed, db::FreeLockerOf(sql, person_id));
    (void)freed;
    ZHIDU_TRY(auto seq, tx.Journal("rooms.locker.taken_back", who.account_id, LockerRef(l.id),
                                   RoomPayload(r, clauses)
                                       .Add("locker", l.label)
                                       .Add("person_id", person_id)
                                       .Add("note", note)
                                       .Str()));
    (void)seq;
    l.person_id = 0;
    l.person_name.clear();
    l.allocated_at = {};
    return l;
  });
}

Result<Key> Rooms::MoveKey(const org::Principal& who, Id key_id, KeyState to,
                           const char* journal_kind, Id holder, const std::string& note) {
  ZHIDU_TRY_VOID(CheckText(note, "note", to == KeyState::kLost, kMaxNote));
  auto clauses = Clauses(kKeyRecord);
  return writer_.Run<Key>([&](store::Tx& tx) -> Result<Key> {
    auto& sql = tx.unit().sql();
    ZHIDU_TRY(Key k, db::GetKey(sql, key_id));
    auto room = Load(sql, k.room_id, who);
    if (!room && room.error().code == Errc::kNotFound)
      return Fail(Errc::kNotFound, "key " + std::to_string(key_id) + " does not exist");
    if (!room) return Fail(room.error());
    ZHIDU_TRY_VOID(MayManage(who, room->site_id));
    if (k.state == KeyState::kLost)  // invariant 3
      return Fail(Errc::kConflict, Reason{"rooms.key_lost"},
                  "key " + k.label + " of room " + room->name + " was recorded lost");
    KeyState from = k.state;
    Id previous_holder = k.holder_person_id;  // who returns or lost it
    store::Person person;
    switch (to) {
      case KeyState::kIssued: {
        if (from == KeyState::kIssued)
          return Fail(Errc::kConflict, Reason{"rooms.key_issued"},
                      "key " + k.label + " is issued to " + k.holder_name + ": return it first");
        ZHIDU_TRY(person, PersonAt(tx.unit(), holder, room->site_id));
        k.holder_person_id = person.id;
        k.holder_name = person.name;
        k.issued_at = tx.now();
        break;
      }
      case KeyState::kKept:  // returned
        if (from != KeyState::kIssued)
          return Fail(Errc::kConflict, Reason{"rooms.key_not_issued"},
                      "key " + k.label + " of room " + room->name +
                          " is not issued: there is nothing to return");
        k.holder_person_id = 0;
        k.holder_name.clear();
        k.issued_at = {};
        break;
      case KeyState::kLost:
        break;  // from kept or issued; the holder stays on record
    }
    k.state = to;
    k.changed_at = tx.now();
    k.note = note;
    ZHIDU_TRY_VOID(db::UpdateKey(sql, k, from));
    ZHIDU_TRY(auto seq,
              tx.Journal(journal_kind, who.account_id, KeyRef(k.id),
                         RoomPayload(*room, clauses)
                             .Add("key", k.label)
                             .Add("from", KeyStateName(from))
                             .Add("holder_person_id",
                                  to == KeyState::kIssued ? k.holder_person_id : previous_holder)
                             .Add("note", note)
                             .Str()));
    (void)seq;
    // A leaver's key returned, or lost (the register keeps the loss; nobody can return it): the
    // move-out may be complete (R04 §二13).
    if (to != KeyState::kIssued && previous_holder)
      ZHIDU_TRY_VOID(MaybeMovedOut(tx, previous_holder, who.account_id));
    return k;
  });
}

Result<Key> Rooms::IssueKey(const org::Principal& who, Id key_id, Id person_id) {
  return MoveKey(who, key_id, KeyState::kIssued, "rooms.key.issued", person_id, "");
}

Result<Key> Rooms::ReturnKey(const org::Principal& who, Id key_id, const std::string& note) {
  return MoveKey(who, key_id, KeyState::kKept, "rooms.key.returned", 0, note);
}

Result<Key> Rooms::LoseKey(const org::Principal& who, Id key_id, const std::string& note) {
  return MoveKey(who, key_id, KeyState::kLost, "rooms.key.lost", 0, note);
}

}  // namespace zhidu::rooms
