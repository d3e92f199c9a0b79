#include "modules/devices/devices.hpp"

#include <algorithm>

#include "base/canonical_json.hpp"
#include "base/crypto.hpp"

namespace zhidu::devices {
namespace {

std::string SourceRef(Id id) { return "device_source/" + std::to_string(id); }

bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return true;
}

Result<void> MayManage(const org::RoleCatalogue& roles, const org::Principal& who) {
  if (!roles.Allows(who, kPermManage))
    return Fail(Errc::kPermissionDenied, "managing device sources needs devices.manage");
  return Ok();
}

std::string SourcePayload(const Source& s) {
  return CanonicalObject()
      .Add("name", s.name)
      .Add("kind", s.kind)
      .Add("site_id", s.site_id)
      .Add("account_id", s.account_id)
      .Add("points", static_cast<std::int64_t>(s.points.size()))
      .Add("rooms", static_cast<std::int64_t>(s.rooms.size()))
      .Str();
}

}  // namespace

Result<Source> Devices::Create(const org::Principal& who, const NewSource& in) {
  ZHIDU_TRY_VOID(MayManage(roles_, who));
  if (!ValidName(in.name))
    return Fail(Errc::kInvalidArgument, "name: 1-64 characters of a-z, 0-9 and -", "name");
  if (in.kind != kDoors && in.kind != kRecorders)
    return Fail(Errc::kInvalidArgument, "kind must be doors or recorders", "kind");
  if (in.points.empty() || in.points.size() > kMaxPoints)
    return Fail(Errc::kInvalidArgument, "points: 1 to 500 doors or cameras", "points");
  for (const auto& [id, target] : in.points)
    if (id.empty() || id.size() > 128 || target.empty() || target.size() > 200)
      return Fail(Errc::kInvalidArgument, "points: ids of 1-128 and names of 1-200 bytes",
                  "points");
  if (in.tolerance_s < 1 || in.tolerance_s > kMaxTolerance)
    return Fail(Errc::kInvalidArgument, "tolerance_s must be 1 to 3600 seconds", "tolerance_s");
  ZHIDU_TRY_VOID(CheckRooms(in));
  Source s;
  s.name = in.name;
  s.kind = in.kind;
  s.site_id = in.site_id;
  s.account_id = in.account_id;
  s.points = in.points;
  s.rooms = in.rooms;
  s.tolerance_s = in.tolerance_s;
  s.secret = RandomHex(32);
  s.created_by = who.account_id;
  return writer_.Run<Source>([&](store::Tx& tx) -> Result<Source> {
    auto site = tx.unit().GetSite(s.site_id);
    if (!site && site.error().code == Errc::kNotFound)
      return Fail(Errc::kInvalidArgument, "there is no site " + std::to_string(s.site_id),
                  "site_id");
    ZHIDU_TRY_VOID(site);
    auto account = tx.unit().GetAccount(s.account_id);
    if (!account && account.error().code == Errc::kNotFound)
      return Fail(Errc::kInvalidArgument, "there is no account " + std::to_string(s.account_id),
                  "account_id");
    ZHIDU_TRY_VOID(account);
    if (account->disabled)
      return Fail(Errc::kInvalidArgument, "account " + account->username + " is disabled",
                  "account_id");
    if (auto same = db::FindSource(tx.unit().sql(), s.kind, s.name); same)
      return Fail(Errc::kConflict, Reason{"device.source_exists"},
                  "there is already a " + s.kind + " source " + s.name, "name");
    s.created_at = tx.now();
    ZHIDU_TRY(s.id, db::InsertSource(tx.unit().sql(), s));
    ZHIDU_TRY(auto seq, tx.Journal("devices.source.created", who.account_id, SourceRef(s.id),
                                   SourcePayload(s)));
    (void)seq;
    return s;
  });
}

Result<void> Devices::CheckRooms(const NewSource& in) {
  if (in.rooms.empty()) return Ok();
  if (in.kind != kDoors)
    return Fail(Errc::kInvalidArgument, "rooms: only a doors source has rooms", "rooms");
  for (const auto& [door, room_id] : in.rooms)
    if (!in.points.contains(door) || room_id <= 0)
      return Fail(Errc::kInvalidArgument,
                  "rooms: each door of rooms is one of points and maps to a room id", "rooms");
  // The rooms as the source's account will see them when its events check people in.
  Source probe;
  probe.name = in.name;
  probe.account_id = in.account_id;
  auto who = Acting(probe);
  if (!who &&
      (who.error().code == Errc::kNotFound || who.error().reason == "device.account_disabled"))
    return Fail(Errc::kInvalidArgument, who.error().message, "account_id");
  ZHIDU_TRY_VOID(who);
  for (const auto& [door, room_id] : in.rooms) {
    auto room = rooms_.Get(*who, room_id);
    if (!room && room.error().code != Errc::kNotFound) return Fail(room.error());
    if (!room || room->site_id != in.site_id)
      return Fail(Errc::kInvalidArgument, Reason{"device.unknown_room"},
                  "rooms: room " + std::to_string(room_id) +
                      " is not a room of the source's site that its account may see",
                  "rooms");
    if (room->place != in.points.at(door))
      return Fail(Errc::kInvalidArgument, Reason{"device.room_elsewhere"},
                  "rooms: room " + room->name + " is in " + room->place + ", but door " + door +
                      " leads to " + in.points.at(door),
                  "rooms");
  }
  return Ok();
}

Result<Source> Devices::Rotate(const org::Principal& who, Id id) {
  ZHIDU_TRY_VOID(MayManage(roles_, who));
  const std::string secret = RandomHex(32);
  return writer_.Run<Source>([&](store::Tx& tx) -> Result<Source> {
    ZHIDU_TRY_VOID(db::GetSource(tx.unit().sql(), id));
    ZHIDU_TRY_VOID(db::UpdateSecret(tx.unit().sql(), id, secret, tx.now()));
    ZHIDU_TRY(auto s, db::GetSource(tx.unit().sql(), id));
    ZHIDU_TRY(auto seq, tx.Journal("devices.source.rotated", who.account_id, SourceRef(id),
                                   SourcePayload(s)));
    (void)seq;
    return s;
  });
}

Result<Source> Devices::Delete(const org::Principal& who, Id id) {
  ZHIDU_TRY_VOID(MayManage(roles_, who));
  return writer_.Run<Source>([&](store::Tx& tx) -> Result<Source> {
    ZHIDU_TRY_VOID(db::GetSource(tx.unit().sql(), id));
    ZHIDU_TRY_VOID(db::Disable(tx.unit().sql(), id));
    ZHIDU_TRY(auto s, db::GetSource(tx.unit().sql(), id));
    ZHIDU_TRY(auto seq, tx.Journal("devices.source.deleted", who.account_id, SourceRef(id),
                                   SourcePayload(s)));
    (void)seq;
    return s;
  });
}

Result<std::vector<Source>> Devices::List(const org::Principal& who) {
  ZHIDU_TRY_VOID(MayManage(roles_, who));
  ZHIDU_TRY(auto unit, store_.BeginRead());
  return db::ListSources(unit->sql());
}

Result<Source> Devices::Get(const org::Principal& who, Id id) {
  ZHIDU_TRY_VOID(MayManage(roles_, who));
  ZHIDU_TRY(auto unit, store_.BeginRead());
  return db::GetSource(unit->sql(), id);
}

Result<Source> Devices::Find(std::string_view kind, std::string_view name) {
  ZHIDU_TRY(auto unit, store_.BeginRead());
  auto found = db::FindSource(unit->sql(), kind, name);
  if (!found && found.error().code == Errc::kNotFound)
    return Fail(Errc::kNotFound, Reason{"device.unknown_source"}, found.error().message);
  return found;
}

Result<std::optional<Answer>> Devices::Claim(const Source& s, const std::string& event_id) {
  return writer_.Run<std::optional<Answer>>([&](store::Tx& tx) -> Result<std::optional<Answer>> {
    auto claimed = db::ClaimEvent(tx.unit().sql(), s.id, event_id, tx.now());
    if (claimed) return std::optional<Answer>();
    if (claimed.error().code != Errc::kConflict) return Fail(claimed.error());
    ZHIDU_TRY(auto answer, db::GetAnswer(tx.unit().sql(), s.id, event_id));
    return std::optional<Answer>(std::move(answer));
  });
}

Result<void> Devices::Settle(const Source& s, const std::string& event_id, int status,
                             const std::string& body) {
  ZHIDU_TRY_VOID(writer_.Run<bool>([&](store::Tx& tx) -> Result<bool> {
    if (status >= 200 && status <= 299)
      ZHIDU_TRY_VOID(db::Complete(tx.unit().sql(), s.id, event_id, status, body));
    else
      ZHIDU_TRY_VOID(db::Unclaim(tx.unit().sql(), s.id, event_id));
    return true;
  }));
  return Ok();
}

Result<org::Principal> Devices::Acting(const Source& s) {
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(auto account, unit->GetAccount(s.account_id));
  if (account.disabled)
    return Fail(Errc::kFailedPrecondition, Reason{"device.account_disabled"},
                "the account " + account.username + " of source " + s.name + " is disabled");
  org::Principal who;
  who.account_id = account.id;
  who.username = account.username;
  who.person_id = account.person_id;
  ZHIDU_TRY(who.roles, unit->ListRoleGrants(account.id));
  return who;
}

Result<visits::VisitView> Devices::Door(const Source& s, const DoorEvent& e) {
  auto point = s.points.find(e.door);
  if (point == s.points.end())
    return Fail(Errc::kInvalidArgument, Reason{"device.unknown_door"},
                "source " + s.name + " has no door " + e.door, "door");
  ZHIDU_TRY(auto who, Acting(s));
  ZHIDU_TRY(auto visit, visits_.Get(who, e.visit_id));
  if (visit.visit.site_id != s.site_id || visit.visit.place != point->second)
    return Fail(Errc::kFailedPrecondition, Reason{"device.visit_elsewhere"},
                "visit " + std::to_string(e.visit_id) + " is to " + visit.visit.place +
                    ", not to " + point->second + " behind door " + e.door,
                "visit_id");
  return e.entering ? visits_.Enter(who, e.visit_id) : visits_.Exit(who, e.visit_id);
}

Result<visits::FootageView> Devices::Recorder(const Source& s, const RecorderEvent& e) {
  auto point = s.points.find(e.camera);
  if (point == s.points.end())
    return Fail(Errc::kInvalidArgument, Reason{"device.unknown_camera"},
                "source " + s.name + " has no camera " + e.camera, "camera");
  ZHIDU_TRY(auto who, Acting(s));
  visits::NewFootage in;
  in.site_id = s.site_id;
  in.camera = point->second;
  in.starts_at = e.starts_at;
  in.ends_at = e.ends_at;
  in.storage_ref = e.storage_ref;
  in.tape = e.tape;
  return visits_.AddFootage(who, in);
}

Result<CheckedIn> Devices::CheckIn(
    const Source& s, const DoorEvent& e,
    const std::function<std::string(const rooms::Presence*)>& render) {
  auto point = s.points.find(e.door);
  if (point == s.points.end())
    return Fail(Errc::kInvalidArgument, Reason{"device.unknown_door"},
                "source " + s.name + " has no door " + e.door, "door");
  auto room = s.rooms.find(e.door);
  if (room == s.rooms.end())
    return Fail(Errc::kInvalidArgument, Reason{"device.door_not_room"},
                "door " + e.door + " of source " + s.name +
                    " opens no room: map it in the source's rooms to record presence",
                "door");
  ZHIDU_TRY(auto who, Acting(s));
  return writer_.Run<CheckedIn>([&](store::Tx& tx) -> Result<CheckedIn> {
    auto& sql = tx.unit().sql();
    CheckedIn out;
    if (auto claimed = db::ClaimEvent(sql, s.id, e.event_id, tx.now()); !claimed) {
      if (claimed.error().code != Errc::kConflict) return Fail(claimed.error());
      ZHIDU_TRY(out.before, db::GetAnswer(sql, s.id, e.event_id));
      return out;
    }
    Id person_id = e.person_id;
    if (!e.card_no.empty()) {  // invariant 5: the register names the person
      ZHIDU_TRY(auto card, db::FindCard(sql, s.site_id, e.card_no));
      if (!card)
        return Fail(Errc::kInvalidArgument, Reason{"device.unknown_card"},
                    "card " + e.card_no + " is not in the site's card register", "card_no");
      person_id = card->person_id;
    }
    if (e.entering) {
      auto checked = rooms_.CheckIn(tx, who, room->second, person_id);
      if (!checked && checked.error().code == Errc::kNotFound)
        return Fail(Errc::kInvalidArgument, Reason{"device.unknown_room"},
                    "room " + std::to_string(room->second) + " behind door " + e.door +
                        " is not a room the source's account may see",
                    "door");
      ZHIDU_TRY(out.presence, std::move(checked));
    }
    out.body = render(out.presence ? &*out.presence : nullptr);
    ZHIDU_TRY_VOID(db::Complete(sql, s.id, e.event_id, 200, out.body));
    return out;
  });
}

namespace {

bool ValidCardNo(const std::string& s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' ||
           c == '_';
  });
}

std::string CardPayload(const Card& c) {
  return CanonicalObject()
      .Add("site_id", c.site_id)
      .Add("card_no", c.card_no)
      .Add("person_id", c.person_id)
      .Str();
}

}  // namespace

Result<Card> Devices::IssueCard(const org::Principal& who, Id site_id, const std::string& card_no,
                                Id person_id) {
  ZHIDU_TRY_VOID(MayManage(roles_, who));
  if (!ValidCardNo(card_no))
    return Fail(Errc::kInvalidArgument, Reason{"device.bad_card"},
                "card_no: 1-64 characters of A-Z, a-z, 0-9, - and _ (as the readers send it)",
                "card_no");
  return writer_.Run<Card>([&](store::Tx& tx) -> Result<Card> {
    auto& unit = tx.unit();
    auto site = unit.GetSite(site_id);
    if (!site && site.error().code == Errc::kNotFound)
      return Fail(Errc::kInvalidArgument, "there is no site " + std::to_string(site_id), "site_id");
    ZHIDU_TRY_VOID(site);
    auto person = unit.GetPerson(person_id);
    if (!person && person.error().code == Errc::kNotFound)
      return Fail(Errc::kInvalidArgument, Reason{"device.unknown_person"},
                  "there is no person " + std::to_string(person_id), "person_id");
    ZHIDU_TRY_VOID(person);
    ZHIDU_TRY(auto held, db::FindCard(unit.sql(), site_id, card_no));
    if (held && held->person_id == person_id) return *held;  // issued already: nothing changes
    if (held)
      return Fail(Errc::kConflict, Reason{"device.card_taken"},
                  "card " + card_no + " is another person's: revoke it first", "card_no");
    Card c{site_id, card_no, person_id, who.account_id, tx.now(), true};
    ZHIDU_TRY_VOID(db::InsertCard(unit.sql(), c));
    ZHIDU_TRY(auto seq, tx.Journal("devices.card.issued", who.account_id,
                                   "person/" + std::to_string(person_id), CardPayload(c)));
    (void)seq;
    return c;
  });
}

Result<void> Devices::RevokeCard(const org::Principal& who, Id site_id,
                                 const std::string& card_no) {
  ZHIDU_TRY_VOID(MayManage(roles_, who));
  auto done = writer_.Run<bool>([&](store::Tx& tx) -> Result<bool> {
    auto& sql = tx.unit().sql();
    ZHIDU_TRY(auto held, db::FindCard(sql, site_id, card_no));
    if (!held)
      return Fail(Errc::kNotFound, Reason{"device.unknown_card"},
                  "card " + card_no + " is not in the site's card register", "card_no");
    ZHIDU_TRY(auto removed, db::DeleteCard(sql, site_id, card_no));
    (void)removed;
    ZHIDU_TRY(auto seq,
              tx.Journal("devices.card.revoked", who.account_id,
                         "person/" + std::to_string(held->person_id), CardPayload(*held)));
    (void)seq;
    return true;
  });
  if (!done) return Fail(done.error());
  return Ok();
}

Result<std::vector<Card>> Devices::Cards(const org::Principal& who, Id site_id) {
  ZHIDU_TRY_VOID(MayManage(roles_, who));
  ZHIDU_TRY(auto unit, store_.BeginRead());
  return db::ListCards(unit->sql(), site_id);
}

}  // namespace zhidu::devices
