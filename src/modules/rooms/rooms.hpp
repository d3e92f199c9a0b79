// Rooms and the dormitory (休息室/宿舍, R01, R04, R18): rooms of a site, their beds and lockers,
// the office's allocation of a person to a bed (R04 §二1 服从办公室统一安排房间, 不允许私自调换),
// release, a room leader (舍长, R04 §二1 每个休息室选出一名舍长) and the key register (R04 §二1
// 房间钥匙由舍长保管, §二8 不得私配, §二13 离职…由管理人员收回钥匙).
//
// The pack's part: a room's `place` is one of the pack's places (cn-default: 职工休息楼,
// 员工休息室, 实验室休息室); the clauses each step cites are those of the pack's records named
// `allocation` and `key-register` (policy::RuleNamed: r04-allocation, r04-key-register) and the
// key's copying notice is the pack's penalty whose code ends in `KEY-COPY` (R04-KEY-COPY). No role,
// place or record id of cn-default is written here.
//
// Invariants:
//  1. A bed holds at most one person and a person holds at most one bed in the whole store
//     (UNIQUE(person_id)); an allocation to a full room, an occupied bed or of a person already
//     housed is refused and writes nothing.
//  2. A room's leader is one of its occupants; releasing the leader clears the room's leader.
//  3. A key moves kept -> issued -> kept (returned) | lost, or kept -> lost; a lost key never
//     changes again. Returning a key that is not issued is refused (returned twice included).
//  4. Every change is journaled in the transaction that makes it (rooms.*), citing its clauses.
//  5. Changes need the module's rooms.manage permission at the room's site; reading needs a role
//     at the site.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "base/time.hpp"
#include "kernel/org/principal.hpp"
#include "kernel/policy/active_pack.hpp"
#include "kernel/runtime/bus.hpp"
#include "kernel/runtime/events.hpp"
#include "kernel/runtime/requests.hpp"
#include "kernel/scheduler/scheduler.hpp"
#include "store/migration.hpp"
#include "store/sql.hpp"
#include "store/store.hpp"
#include "store/writer.hpp"

namespace zhidu::rooms {

using store::Id;

// Managing rooms, beds, leaders and keys (the office: R04 §二1 办公室统一安排).
inline constexpr std::string_view kManagePermission = "rooms.manage";
// The pack records whose clauses the steps cite (policy::RuleNamed).
inline constexpr std::string_view kAllocationRecord = "allocation";
inline constexpr std::string_view kKeyRecord = "key-register";
// The pack record the 值日表 cites (RuleNamed: cn-default r04-duty-roster, R04 §二1).
inline constexpr std::string_view kRotaRecord = "duty-roster";
// The timer that tells the day's person of the 值日表 their room's cleaning (cleaning.cpp).
inline constexpr std::string_view kCleaningTimer = "rooms.cleaning";
// The pack penalty (code ending in it) that forbids copying a key.
inline constexpr std::string_view kKeyCopyPenalty = "KEY-COPY";
// The pack's request type (RuleNamed) for a swap of rooms (cn-default r04-room-swap, R04 §二1
// 未经办公室负责人员同意，不允许私自调换): an allocation under an approved one moves the housed
// person from their bed (release and allocation in one transaction), once per request.
inline constexpr std::string_view kSwapRequest = "room-swap";
// The pack penalty (code ending in it) for damaging a room's fittings (R04-DAMAGE, R04 §二3): its
// clauses are what a damage settlement cites.
inline constexpr std::string_view kDamagePenalty = "DAMAGE";

// A calendar date "YYYY-MM-DD" (400 naming `field` otherwise).
Result<std::chrono::year_month_day> ParseDay(const std::string& text, const std::string& field);

// "（R04 §二1、R04 §二2）" — clauses as a message cites them; "" for none.
std::string Cited(const std::vector<std::string>& clauses);

struct Bed {
  Id id = 0;
  Id room_id = 0;
  std::string label;        // "1", "2", …
  std::string locker;       // the label of the locker its occupant holds in the room, or empty
  Id person_id = 0;         // 0: free
  std::string person_name;  // filled by reads
  TimePoint allocated_at;
  Id allocated_by = 0;
};

// A locker of a room (一人一柜: R04 §二2 个人物品必须在分配得柜子内摆放整齐, R01 §三 自己的储物柜):
// held by at most one person, and a person holds at most one (UNIQUE(person_id)); allocated with
// a bed of its room and freed when the bed is left.
struct Locker {
  Id id = 0;
  Id room_id = 0;
  std::string label;
  Id person_id = 0;         // 0: free
  std::string person_name;  // filled by reads
  TimePoint allocated_at;
};

enum class KeyState { kKept, kIssued, kLost };
std::string_view KeyStateName(KeyState s);
Result<KeyState> ParseKeyState(std::string_view name);

struct Key {
  Id id = 0;
  Id room_id = 0;
  std::string label;
  KeyState state = KeyState::kKept;
  Id holder_person_id = 0;  // while issued
  std::string holder_name;  // filled by reads
  TimePoint issued_at;
  TimePoint changed_at;
  std::string note;
};

struct Room {
  Id id = 0;
  Id site_id = 0;
  std::string name;   // 房间号/名称, unique per site
  std::string place;  // the pack's place id (职工休息楼 …)
  int bed_count = 0;
  Id leader_person_id = 0;
  std::string note;
  Id created_by = 0;
  TimePoint created_at;
  // Filled by Get and the verbs.
  std::vector<Bed> beds;
  std::vector<Key> keys;
  std::vector<Locker> lockers;
};

struct NewRoom {
  Id site_id = 0;
  std::string name, place, note;
  std::int64_t beds = 0;     // 1..kMaxBeds
  std::int64_t lockers = 0;  // 0..kMaxBeds lockers labelled "1"…, more can be added later
};

struct Allocation {
  Id person_id = 0;
  Id bed_id = 0;  // 0: the first free bed
  // The locker of the room, by id or by label (both empty: the room's first free locker, or none
  // when all are taken or the room has none): unknown rooms.unknown_locker, held
  // rooms.locker_taken.
  Id locker_id = 0;
  std::string locker;
  Id request_id = 0;  // the person's approved application, or 0 (the office's own arrangement);
                      // an approved swap (kSwapRequest) moves the person from their bed
};

// A fact of a person the eligibility rules read (住宿资格信息), recorded by the office from the
// personnel file — never stated by the applicant. `name` is an `applicant.*` input of one of the
// pack's application types (cn-default: applicant.married, applicant.manual_worker …).
struct Fact {
  std::string name;
  policy::Value value;
  Id recorded_by = 0;
  TimePoint recorded_at;
};

// The site events the module raises from its inspections: a flagged
// inspection starts the pack's rectification (限期整改, R04 §检查); a re-inspection that passes
// stops it. A pack's service level starts/stops on them (cn-default: r04-rectify).
inline constexpr std::string_view kInspectionFailed = "inspection_failed";
inline constexpr std::string_view kRectified = "rectified";
// A resident's employment ended (离职): starts the pack's move-out deadline (cn-default
// r04-move-out, R04 §二13 离职人员必须在离职一周之内搬离休息室，由管理人员收回钥匙); kMovedOut
// stops it once the person holds no bed and no issued key.
inline constexpr std::string_view kEmployeeLeft = "employee_left";
// Damage found in a room (R01 §二, R04 §二3, R18 §三3): raised with data.place = the room's place,
// so only the pack's procedures of that place start (a procedure's `place`).
inline constexpr std::string_view kDamageFound = "damage_found";
inline constexpr std::string_view kMovedOut = "moved_out";
// The pack checklist the office inspects rooms with (policy::RuleNamed: r04-inspection).
inline constexpr std::string_view kInspectionChecklist = "inspection";
// The pack's duty that fills the 值日表 (its record RuleNamed kRotaRecord, cn-default
// r04-room-cleaning), or nullptr.
const policy::Duty* CleaningDuty(const policy::Pack& pack);
// The pack's room inspection checklist (the checklist RuleNamed kInspectionChecklist), or nullptr.
const policy::Checklist* InspectionChecklist(const policy::Pack& pack);

// An inspection of a room (办公室定期检查, R04 §检查).
struct Inspection {
  Id id = 0;
  Id room_id = 0;
  Id site_id = 0;
  std::string answers;               // canonical JSON {item: "pass"|"flag"|"fail"}
  std::vector<std::string> flagged;  // the labels answered flag or fail
  std::string deadline;              // 限期: as given (ISO time or duration), flagged only
  Id person_id = 0;                  // who answers for the rectification (the room leader), or 0
  Id reinspects = 0;                 // the flagged inspection this one re-inspects, or 0
  bool open = false;                 // flagged and not yet closed by a passing re-inspection
  Id closed_by = 0;                  // the passing re-inspection
  std::vector<std::string> photos;   // SHA-256 of stored photos (kernel/photos), in order
  std::string note;
  Id inspected_by = 0;
  TimePoint inspected_at;
};

// Damage found in a room (R01 §二 及时上报, R04 §二3 若有损坏照价赔偿): the report, the repair
// order opened for it (repairs module, in the same transaction) and the compensation the office
// sets.
struct Damage {
  Id id = 0;
  Id site_id = 0;
  Id room_id = 0;
  std::string room_name;  // filled by reads
  std::string item;
  Id person_id = 0;         // the person responsible, or 0
  std::string person_name;  // filled by reads
  std::string note;
  std::string ref;  // room-damage/SEQ, the ref of the damage_found event
  Id reported_by = 0;
  TimePoint reported_at;
  Id repair_id = 0;                   // 0: no repair order opened yet
  std::int64_t compensation_fen = 0;  // 0: none set
  std::string settle_note;
  Id settled_by = 0;
  TimePoint settled_at;
};

// A check-in in a room (presence in the rest building, R04 §二12), evaluated against the access
// rules of the room's place that deny during working hours (`deny` with `during`): flagged when the
// time falls in one of their windows and the person holds no approved request of the place's
// `request` rule for the same windows (cn-default r04-late-stay, 需由部长批准).
struct Presence {
  Id id = 0;
  Id site_id = 0;
  Id room_id = 0;
  Id person_id = 0;
  std::string person_name;  // filled by reads
  TimePoint at;
  bool flagged = false;
  std::string window;                // the deny window it fell in ("08:00-11:30"), or ""
  Id late_stay_request = 0;          // the approved request that excused it, or 0
  std::vector<std::string> clauses;  // the deny rule's clauses when in a window
  Id recorded_by = 0;
};

// A leaver as the office's list shows it (R04 §二13).
struct LeaverView {
  Id person_id = 0;
  std::string person_name;
  TimePoint left_at;
  TimePoint moved_out_at;  // epoch: not yet
  bool has_bed = false;
  std::int64_t keys_held = 0;
  std::string note;
};

// Limits.
inline constexpr size_t kMaxText = 200;
inline constexpr size_t kMaxPhotos = 10;  // photos on one inspection: a field limit
// The largest compensation: 1 000 000 元 in fen, a field limit (R04 gives no amount: 照价).
inline constexpr std::int64_t kMaxCompensationFen = 100000000;
inline constexpr size_t kMaxNote = 2000;
inline constexpr int kMaxBeds = 100;  // a field limit, not a regulation's figure

// The module's tables (rooms_store.cpp), written once for both backends.
std::vector<store::Migration> Migrations();
namespace db {
Result<Id> InsertRoom(store::Sql& sql, const Room& r);
Result<Room> GetRoom(store::Sql& sql, Id id);  // without beds and keys
Result<std::vector<Room>> ListRooms(store::Sql& sql, Id site_id, store::PageRequest page);
Result<Id> InsertBed(store::Sql& sql, const Bed& b);
Result<std::vector<Bed>> BedsOf(store::Sql& sql, Id room_id);
Result<std::optional<Bed>> BedOfPerson(store::Sql& sql, Id person_id);
// Sets the bed's occupant (0: frees it) if it is still `from_person` (compare-and-set);
// kConflict when it changed meanwhile or the person holds another bed (UNIQUE).
Result<void> SetOccupant(store::Sql& sql, const Bed& b, Id from_person);
Result<void> SetLeader(store::Sql& sql, Id room_id, Id person_id);
Result<Id> InsertKey(store::Sql& sql, const Key& k);
Result<Key> GetKey(store::Sql& sql, Id id);
Result<std::vector<Key>> KeysOf(store::Sql& sql, Id room_id);
// kConflict when the room has a locker of that label.
Result<Id> InsertLocker(store::Sql& sql, const Locker& l);
Result<std::vector<Locker>> LockersOf(store::Sql& sql, Id room_id);
Result<Locker> GetLocker(store::Sql& sql, Id id);  // kNotFound when unknown
// Gives the free locker to the person (compare-and-set on free): kConflict when it was taken
// meanwhile or the person holds another (UNIQUE).
Result<void> TakeLocker(store::Sql& sql, Id locker_id, Id person_id, Id by, TimePoint at);
// Frees the locker the person holds, if any; returns its label ("" when none).
Result<std::string> FreeLockerOf(store::Sql& sql, Id person_id);
// Writes the key's state fields if it is still in `from` (compare-and-set).
Result<void> UpdateKey(store::Sql& sql, const Key& k, KeyState from);
// Facts are stored as text ("true", "3", "…") and typed again by the pack's schema on reading.
Result<void> PutFact(store::Sql& sql, Id person_id, const std::string& name,
                     const std::string& text, Id by, TimePoint at);
struct StoredFact {
  std::string name, text;
  Id recorded_by = 0;
  TimePoint recorded_at;
};
Result<std::vector<StoredFact>> FactsOf(store::Sql& sql, Id person_id);
Result<Id> InsertInspection(store::Sql& sql, const Inspection& v);
Result<std::vector<Inspection>> InspectionsOf(store::Sql& sql, Id room_id);
// Closes the open inspection `id` with `by` (compare-and-set on open).
Result<void> CloseInspection(store::Sql& sql, Id id, Id by);
struct Leaver {
  Id person_id = 0;
  Id site_id = 0;
  TimePoint left_at;
  TimePoint moved_out_at;  // epoch: not yet
  Id recorded_by = 0;
  std::string note;
};
// kConflict (rooms.already_left) when the person's leaving is recorded already.
Result<void> InsertLeaver(store::Sql& sql, const Leaver& v);
Result<std::optional<Leaver>> GetLeaver(store::Sql& sql, Id person_id);
// The stored 值日表: one person a day ("YYYY-MM-DD") of the room, replacing what was stored.
Result<void> PutRotaDay(store::Sql& sql, Id room_id, const std::string& day, Id person_id, Id by,
                        TimePoint at);
// The stored day's person and whether they were told (MarkRotaTold); nullopt when not stored.
struct RotaDayRow {
  Id person_id = 0;
  bool told = false;
};
Result<std::optional<RotaDayRow>> RotaDayOf(store::Sql& sql, Id room_id, const std::string& day);
Result<void> MarkRotaTold(store::Sql& sql, Id room_id, const std::string& day, TimePoint at);
// The room's stored days in [from, to] (inclusive, "YYYY-MM-DD") -> person.
Result<std::map<std::string, Id>> RotaOf(store::Sql& sql, Id room_id, const std::string& from,
                                         const std::string& to);
// Records that the swap approved by `request_id` moved the person; kConflict (rooms.swap_done)
// when that request moved someone already.
Result<void> InsertSwap(store::Sql& sql, Id request_id, Id person_id, Id from_bed, Id to_bed, Id by,
                        TimePoint at);
Result<void> MarkMovedOut(store::Sql& sql, Id person_id, TimePoint at);
// How many keys are issued to the person.
// Keys of the register in `state` whose holder (or, lost, last holder) is `person_id`.
Result<std::int64_t> KeysHeld(store::Sql& sql, Id person_id, std::string_view state = "issued");
Result<std::vector<LeaverView>> LeaversOf(store::Sql& sql, Id site_id);
Result<Id> InsertDamage(store::Sql& sql, const Damage& d);
Result<Damage> GetDamage(store::Sql& sql, Id id);
Result<std::vector<Damage>> DamageOf(store::Sql& sql, Id room_id);
// Writes repair_id, compensation and the settle fields (the caller read the row in this tx).
Result<void> UpdateDamage(store::Sql& sql, const Damage& d);
Result<Id> InsertPresence(store::Sql& sql, const Presence& v);
// The room's check-ins in [from, before), oldest first.
Result<std::vector<Presence>> PresenceOf(store::Sql& sql, Id room_id, TimePoint from,
                                         TimePoint before);
}  // namespace db

// Application types: the pack's requests whose `record` is the allocation record (cn-default:
// r04-rest-room, r04-dormitory). Their `applicant.*` inputs are filled from the person's facts.
inline constexpr std::string_view kApplicantPrefix = "applicant.";

class Rooms {
 public:
  Rooms(store::Store& store, store::Writer& writer, const policy::ActivePack& pack,
        const org::RoleCatalogue& roles, runtime::Requests& requests, runtime::EventBus& bus)
      : store_(store),
        writer_(writer),
        pack_(pack),
        roles_(roles),
        requests_(requests),
        bus_(bus) {}

  // Registers the 值日表's cleaning timer (cleaning.cpp) before the scheduler starts; without it
  // a saved rota tells nobody.
  void RegisterHandlers(scheduler::Scheduler& scheduler);

  Result<Room> Create(const org::Principal& who, const NewRoom& in);
  Result<Room> Get(const org::Principal& who, Id id);
  Result<std::vector<Room>> List(const org::Principal& who, Id site_id, store::PageRequest page);
  Result<Room> Allocate(const org::Principal& who, Id room_id, const Allocation& in);
  Result<Room> Release(const org::Principal& who, Id room_id, Id person_id,
                       const std::string& note);
  Result<Room> SetLeader(const org::Principal& who, Id room_id, Id person_id);
  // A 值日表 proposal (R04 §二1 舍长…排出值日表): `days` dates from `from` ("YYYY-MM-DD", 1..31
  // days), each given to the room's occupants in bed order, rotating by calendar day (the same
  // date always falls to the same occupant while the occupants stay). Needs a role at the site.
  // A day saved by the 舍长 (SaveRota) replaces the proposal's while its person is an occupant;
  // `stored` says which it is.
  struct RotaDay {
    std::string date;
    Id person_id = 0;
    std::string person_name;
    bool stored = false;
  };
  Result<std::vector<RotaDay>> Rota(const org::Principal& who, Id room_id, const std::string& from,
                                    std::int64_t days);
  // The room's 舍长 (or the office, rooms.manage) saves the 值日表 (R04 §二1 舍长…排出值日表):
  // 1..31 days, each date once, each person an occupant of the room (rooms.rota_not_occupant);
  // anyone else is refused (rooms.rota_denied). Journaled rooms.rota.saved; returns the saved days.
  Result<std::vector<RotaDay>> SaveRota(const org::Principal& who, Id room_id,
                                        const std::vector<RotaDay>& days);
  Result<Key> AddKey(const org::Principal& who, Id room_id, const std::string& label);
  // A locker enters the room's inventory (rooms.manage; rooms.locker_label_taken when the room has
  // that label already).
  Result<Locker> AddLocker(const org::Principal& who, Id room_id, const std::string& label);
  // The office gives a locker to an occupant of its room apart from the bed (rooms.manage): the
  // person must hold a bed in the room (rooms.not_housed); a locker someone else holds is refused
  // (rooms.locker_taken); the locker the person held before is freed (一人一柜). Journaled
  // rooms.locker.given with `from_locker`; giving a person the locker they hold changes nothing.
  Result<Locker> GiveLocker(const org::Principal& who, Id locker_id, Id person_id);
  // The office takes a held locker back (rooms.locker_free when nobody holds it); the person keeps
  // the bed. Journaled rooms.locker.taken_back with the note.
  Result<Locker> TakeLockerBack(const org::Principal& who, Id locker_id, const std::string& note);
  Result<Key> IssueKey(const org::Principal& who, Id key_id, Id person_id);
  Result<Key> ReturnKey(const org::Principal& who, Id key_id, const std::string& note);
  Result<Key> LoseKey(const org::Principal& who, Id key_id, const std::string& note);

  // The office records facts of a person of the site (rooms.manage), each an applicant input of
  // an application type with its declared type (rooms.unknown_fact otherwise).
  Result<std::vector<Fact>> SetFacts(const org::Principal& who, Id person_id,
                                     const policy::Context& facts);
  // Needs rooms.manage, or being the person.
  Result<std::vector<Fact>> Facts(const org::Principal& who, Id person_id);
  // `who` applies (R04 §一): the request of `type` is filed through the pack's request chain
  // with its applicant inputs taken from `who`'s recorded facts (rooms.fact_missing naming the
  // first missing one); refused while a standing revocation of the type's regulation holds
  // (rooms.eligibility_revoked). The pack's preconditions decide eligibility.
  Result<runtime::RequestView> Apply(const org::Principal& who, Id site_id, const std::string& type,
                                     const std::string& reason);
  // The office inspects a room with the pack's inspection checklist (every pass_flag_fail item
  // answered). With no rectification open, a flag or fail raises kInspectionFailed with the
  // deadline (限期, required when the pack's rectification takes it from the inspection) and the
  // room leader as the person answering; with one open, this is the re-inspection: all passed
  // closes it (kRectified), a flag again leaves it open to its deadline, whose breach the pack
  // turns into its violation and fine.
  // `photos` are SHA-256 of photos uploaded before (POST /api/v1/photos), at most kMaxPhotos;
  // an unknown one is photo.not_uploaded.
  Result<Inspection> Inspect(const org::Principal& who, Id room_id,
                             const std::map<std::string, std::string>& answers,
                             const std::string& deadline, const std::string& note,
                             const std::vector<std::string>& photos = {});
  Result<std::vector<Inspection>> Inspections(const org::Principal& who, Id room_id);
  // The office records that a resident (a bed or an issued key) left employment: raises
  // kEmployeeLeft (the person named), starting the pack's move-out deadline; the person is not
  // allocated again. Releasing the bed and getting the keys back raise kMovedOut.
  // Reports damage found in the room: raises kDamageFound (ref room-damage/SEQ, data place, item,
  // person_id when the person responsible is known) and journals rooms.damage.reported. Returns
  // the ref. Needs a role at the site (设备设施损坏应及时上报, R01 §二).
  Result<Damage> ReportDamage(const org::Principal& who, Id room_id, const std::string& item,
                              Id person_id, const std::string& note);
  // The room's damage reports, newest last. Needs a role at the site.
  Result<std::vector<Damage>> DamageOf(const org::Principal& who, Id room_id);
  // The office (rooms.manage) settles a damage report: `repair` opens a repair order for it
  // (once: rooms.repair_opened when one is open already), `compensation_fen` > 0 sets the amount
  // the person responsible pays (照价赔偿, R04 §二3; once: rooms.compensation_set), which needs
  // the person (rooms.no_person_liable). Nothing asked: 400.
  Result<Damage> SettleDamage(const org::Principal& who, Id damage_id, bool repair,
                              std::int64_t compensation_fen, const std::string& note);
  // A check-in of `person_id` (0: `who`'s own person) in the room now: by the person, or by the
  // office (rooms.manage) for a person it saw; evaluated as Presence says, journaled
  // rooms.presence.recorded (flagged or not). R04 §二12.
  Result<Presence> CheckIn(const org::Principal& who, Id room_id, Id person_id);
  // The same check-in inside the caller's transaction (a door event of the devices module, whose
  // claim of the event id commits or rolls back with it); its time is tx.now().
  Result<Presence> CheckIn(store::Tx& tx, const org::Principal& who, Id room_id, Id person_id);
  // The room's check-ins of the site-local day `date` (YYYY-MM-DD). Needs a role at the site.
  Result<std::vector<Presence>> PresenceOn(const org::Principal& who, Id room_id,
                                           const std::string& date);
  // The site's leavers (rooms.manage), moved out or not, oldest first.
  Result<std::vector<LeaverView>> Leavers(const org::Principal& who, Id site_id);
  Result<db::Leaver> RecordLeaving(const org::Principal& who, Id person_id,
                                   const std::string& note);
  // The pack's inspection checklist (nullptr: none).
  std::shared_ptr<const policy::Pack> pack() const { return pack_.Current(); }

  // The pack's application types (id, title).
  std::vector<std::pair<std::string, std::string>> ApplicationTypes() const;
  // The pack's penalties whose ladder revokes (取消其休息资格, R04 §检查) and that come from the
  // regulation file of an application type: what NotRevoked reads, for the office's console.
  std::vector<const policy::Penalty*> RevokingPenalties(const policy::Pack& pack) const;

  // The clauses of the pack's record RuleNamed `name` (empty without one).
  std::vector<std::string> Clauses(std::string_view record) const;
  // The pack's key-copying rule as text with its clauses ("私配房间钥匙（…）", ["R04 §二8"]), or
  // empty when the pack has none.
  std::pair<std::string, std::vector<std::string>> KeyCopyRule() const;
  // The pack's places a room may be (ids and titles).
  std::vector<std::pair<std::string, std::string>> Places() const;

 private:
  Result<void> MayManage(const org::Principal& who, Id site_id) const;
  // The room with its beds and keys; kNotFound when `who` holds no role at its site.
  Result<Room> Load(store::Sql& sql, Id id, const org::Principal& who) const;
  // Load, refusing (403) whoever lacks rooms.manage at the room's site: what every change needs.
  Result<Room> LoadToManage(store::Sql& sql, Id id, const org::Principal& who) const;
  // The locker's room, for whoever has rooms.manage there; kNotFound (of the locker) otherwise.
  Result<Room> LockerRoom(store::Sql& sql, const Locker& l, const org::Principal& who) const;
  // Moves a key to `to` (invariant 3), issuing it to `holder` when `to` is kIssued.
  Result<Key> MoveKey(const org::Principal& who, Id key_id, KeyState to, const char* journal_kind,
                      Id holder, const std::string& note);

  // Schedules the cleaning timer of each of `days` (YYYY-MM-DD) of the room from today on, at the
  // start of the site-local day (now for today); returns the earliest due time to wake for.
  Result<std::optional<TimePoint>> ScheduleCleaning(store::Tx& tx, const Room& r,
                                                    const std::vector<std::string>& days);
  Result<void> OnCleaningTimer(store::Tx& tx, const store::Timer& t);
  // In a change that freed a bed or a key of `person_id`: when the person is a leaver not yet
  // moved out and now holds neither, marks the move-out and raises kMovedOut.
  Result<void> MaybeMovedOut(store::Tx& tx, Id person_id, Id actor);
  // The applicant inputs of `type` from the person's facts; rooms.fact_missing naming the first
  // one not recorded.
  Result<policy::Context> ApplicantInputs(store::Sql& sql, const policy::Request& type,
                                          Id person_id) const;
  // kFailedPrecondition (rooms.eligibility_revoked, citing the violation's clauses) when the
  // person has a violation, not overturned, whose penalty revokes something and comes from the
  // same regulation file as `type`.
  Result<void> NotRevoked(store::UnitOfWork& unit, const policy::Pack& pack,
                          const policy::Request& type, Id person_id) const;
  // The approved application `request_id` of `person_id` at `site_id`, its inputs still equal to
  // the recorded facts (an application stating its own facts is refused). True when it is a swap
  // (its type RuleNamed kSwapRequest).
  Result<bool> CheckApplication(store::UnitOfWork& unit, Id request_id, Id person_id,
                                Id site_id) const;

  store::Store& store_;
  store::Writer& writer_;
  const policy::ActivePack& pack_;
  const org::RoleCatalogue& roles_;
  runtime::Requests& requests_;
  runtime::EventBus& bus_;
  scheduler::Scheduler* scheduler_ = nullptr;  // set by RegisterHandlers
};

}  // namespace zhidu::rooms
