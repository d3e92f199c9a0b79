// Devices (门禁 access control, 录像机 CCTV recorders) that report events over signed webhooks.
// docs/operations.md ("Access control and CCTV webhooks") has the wire format.
//
// A source is one device gateway an administrator registered: its name (the {source} of the
// URL), its kind (doors or recorders), its site, the account its events act as (the visits and
// footage rules check that account's permissions, and the journal names it), its points (doors:
// door id -> pack place; recorders: camera id -> the camera name the footage register keeps), for
// doors its rooms (door id -> the room of the rooms module the door opens, for presence check-ins)
// and the tolerance of its clock. Each source has a secret, generated here, shown once at creation
// and at each rotation, and kept (the HMAC needs it: whoever reads the database can sign).
//
// Invariants:
//  1. Sources are managed with devices.manage only; each change is journaled without the secret.
//  2. An event id is handled at most once per source (UNIQUE(source_id, event_id)): a claim row is
//     written before the event acts, completed with the answer after, and removed when the event
//     is refused, so a refused event writes nothing and a repeated event gets the first answer.
//  3. A door event moves a visit only through visits::Visits (its rules, its journal, its
//     visitors_left when the last visitor leaves); a recorder event registers footage only through
//     visits::Visits::AddFootage (its retention rules).
//  5. A card number names one person at a site (the card register, devices.manage): a door
//     event may name the card instead of the person, and a card the register does not hold is
//     refused (422) with nothing written.
//  4. A person's entry through a door mapped to a room is a check-in through
//     rooms::Rooms::CheckIn — the console's code path, its working-hours flag and late-stay
//     excuse (R04 §二12) — in the same transaction as the event's claim and answer: the check-in
//     and the claim commit together or not at all.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "base/time.hpp"
#include "kernel/org/principal.hpp"
#include "modules/rooms/rooms.hpp"
#include "modules/visits/visits.hpp"
#include "store/sql.hpp"
#include "store/store.hpp"
#include "store/writer.hpp"

namespace zhidu::devices {

using store::Id;

inline constexpr std::string_view kPermManage = "devices.manage";
inline constexpr std::string_view kDoors = "doors";
inline constexpr std::string_view kRecorders = "recorders";

struct Source {
  Id id = 0;
  std::string name;  // [a-z0-9-]{1,64}
  std::string kind;  // "doors" or "recorders"
  Id site_id = 0;
  Id account_id = 0;
  std::map<std::string, std::string> points;  // door -> place, or camera -> camera name
  std::map<std::string, Id> rooms;            // doors only: door (one of points) -> room id
  int tolerance_s = 0;                        // accepted clock difference, seconds
  std::string secret;                         // never leaves the server after Create/Rotate
  Id created_by = 0;
  TimePoint created_at;
  TimePoint rotated_at;  // epoch: never rotated
  bool disabled = false;
};

struct NewSource {
  std::string name, kind;
  Id site_id = 0;
  Id account_id = 0;
  std::map<std::string, std::string> points;
  std::map<std::string, Id> rooms;
  int tolerance_s = 0;
};

// The stored answer of an event handled before.
struct Answer {
  int status = 0;  // 0: still being handled
  std::string body;
};

std::vector<store::Migration> Migrations();
namespace db {
Result<Id> InsertSource(store::Sql& sql, const Source& s);
Result<Source> GetSource(store::Sql& sql, Id id);
// kNotFound when no enabled source has this kind and name.
Result<Source> FindSource(store::Sql& sql, std::string_view kind, std::string_view name);
Result<std::vector<Source>> ListSources(store::Sql& sql);
Result<void> UpdateSecret(store::Sql& sql, Id id, const std::string& secret, TimePoint at);
Result<void> Disable(store::Sql& sql, Id id);
// kConflict when the event id is claimed already.
Result<void> ClaimEvent(store::Sql& sql, Id source_id, const std::string& event_id, TimePoint at);
Result<Answer> GetAnswer(store::Sql& sql, Id source_id, const std::string& event_id);
Result<void> Complete(store::Sql& sql, Id source_id, const std::string& event_id, int status,
                      const std::string& body);
Result<void> Unclaim(store::Sql& sql, Id source_id, const std::string& event_id);
}  // namespace db

// Field limits.
inline constexpr size_t kMaxPoints = 500;
inline constexpr size_t kMaxEventId = 128;
inline constexpr int kMaxTolerance = 3600;

struct DoorEvent {
  std::string event_id;
  std::string door;
  bool entering = true;
  Id visit_id = 0;      // a visitor's temporary card: the visit moves
  Id person_id = 0;     // a person's card: a check-in in the door's room (entering only)
  std::string card_no;  // instead of person_id: the card as the reader read it (the register)
};

// A card of the site's register: the number the readers send, and whose it is.
struct Card {
  Id site_id = 0;
  std::string card_no;  // 1-64 of A-Z a-z 0-9 - _ (as the readers send it)
  Id person_id = 0;
  Id issued_by = 0;
  TimePoint issued_at;
  bool issued_now = false;  // IssueCard: false when the card was the person's already
};

namespace db {  // the card register's statements
Result<std::optional<Card>> FindCard(store::Sql& sql, Id site_id, const std::string& card_no);
Result<void> InsertCard(store::Sql& sql, const Card& c);
Result<bool> DeleteCard(store::Sql& sql, Id site_id, const std::string& card_no);
Result<std::vector<Card>> ListCards(store::Sql& sql, Id site_id);
}  // namespace db

// A person's door event as handled: `before` when the event id was handled before (its stored
// answer), else the check-in (none for an exit) and the answer stored for it.
struct CheckedIn {
  std::optional<Answer> before;
  std::optional<rooms::Presence> presence;
  std::string body;
};

struct RecorderEvent {
  std::string event_id;
  std::string camera;
  TimePoint starts_at, ends_at;
  std::string storage_ref, tape;
};

// Thread-safe; every reference must outlive it.
class Devices {
 public:
  Devices(store::Store& store, store::Writer& writer, const org::RoleCatalogue& roles,
          visits::Visits& visits, rooms::Rooms& rooms)
      : store_(store), writer_(writer), roles_(roles), visits_(visits), rooms_(rooms) {}

  // Administration (devices.manage). Create and Rotate return the secret in `secret`.
  Result<Source> Create(const org::Principal& who, const NewSource& in);
  Result<Source> Rotate(const org::Principal& who, Id id);
  Result<Source> Delete(const org::Principal& who, Id id);
  Result<std::vector<Source>> List(const org::Principal& who);
  Result<Source> Get(const org::Principal& who, Id id);

  // Inbound: the enabled source of `kind` called `name` (kNotFound, reason device.unknown_source).
  Result<Source> Find(std::string_view kind, std::string_view name);
  // Claims the event id; an Answer when it was handled (or is being handled) before.
  Result<std::optional<Answer>> Claim(const Source& s, const std::string& event_id);
  // Stores the answer of a claimed event (2xx) or drops the claim (refusals).
  Result<void> Settle(const Source& s, const std::string& event_id, int status,
                      const std::string& body);
  // The event's action as the source's account. Refusals: device.unknown_door /
  // device.unknown_camera (kInvalidArgument, field door/camera), device.visit_elsewhere, and the
  // visits module's own.
  Result<visits::VisitView> Door(const Source& s, const DoorEvent& e);
  Result<visits::FootageView> Recorder(const Source& s, const RecorderEvent& e);
  // A person's event (e.person_id): claims the event id, checks the person in to the door's room
  // (entering; an exit records nothing) and stores the answer `render` makes, in one transaction
  // (invariant 4). Refusals, which write nothing: device.unknown_door, device.door_not_room (the
  // door has no room), device.unknown_room (no such room at a site the account has a role at;
  // kInvalidArgument, field door), and the rooms module's own (rooms.unknown_person, the
  // account's missing rooms.manage).
  Result<CheckedIn> CheckIn(const Source& s, const DoorEvent& e,
                            const std::function<std::string(const rooms::Presence*)>& render);

  // The card register (devices.manage; journaled device.card.issued / device.card.revoked).
  // Issue: 400 device.bad_card (field card_no), 400 device.unknown_person (field person_id),
  // 409 device.card_taken when the card is another person's; issuing it again to its holder
  // changes nothing. Revoke: 404 device.unknown_card.
  Result<Card> IssueCard(const org::Principal& who, Id site_id, const std::string& card_no,
                         Id person_id);
  Result<void> RevokeCard(const org::Principal& who, Id site_id, const std::string& card_no);
  Result<std::vector<Card>> Cards(const org::Principal& who, Id site_id);

 private:
  Result<org::Principal> Acting(const Source& s);
  // A new source's rooms: doors of its points, each a room of its site, as its account sees it,
  // in the place its door leads to (400, field rooms: device.unknown_room, device.room_elsewhere).
  Result<void> CheckRooms(const NewSource& in);

  store::Store& store_;
  store::Writer& writer_;
  const org::RoleCatalogue& roles_;
  visits::Visits& visits_;
  rooms::Rooms& rooms_;
};

}  // namespace zhidu::devices
