// Leaving employment and moving out (R04 §二13 离职人员必须在离职一周之内搬离休息室，由管理人员收回
// 钥匙). The week is the pack's (cn-default r04-move-out: within 1w, start employee_left, stop
// moved_out); this file raises its two events from the module's records.
#include "base/canonical_json.hpp"
#include "base/text_limits.hpp"
#include "modules/rooms/rooms.hpp"

namespace zhidu::rooms {

namespace {

std::string LeaverRef(Id person_id) { return "room-leaver/" + std::to_string(person_id); }

}  // namespace

Result<db::Leaver> Rooms::RecordLeaving(const org::Principal& who, Id person_id,
                                        const std::string& note) {
  ZHIDU_TRY_VOID(CheckText(note, "note", false, kMaxNote));
  if (person_id <= 0)
    return Fail(Errc::kInvalidArgument, kRequired, "person_id is required", "person_id");
  auto clauses = Clauses(kKeyRecord);
  return writer_.Run<db::Leaver>([&](store::Tx& tx) -> Result<db::Leaver> {
    auto& sql = tx.unit().sql();
    auto person = tx.unit().GetPerson(person_id);
    if (!person && person.error().code == Errc::kNotFound)
      return Fail(Errc::kInvalidArgument, Reason{"rooms.unknown_person"},
                  "there is no person " + std::to_string(person_id), "person_id");
    if (!person) return Fail(person.error());
    ZHIDU_TRY_VOID(MayManage(who, person->site_id));
    ZHIDU_TRY(auto bed, db::BedOfPerson(sql, person_id));
    ZHIDU_TRY(auto keys, db::KeysHeld(sql, person_id));
    if (!bed && keys == 0)
      return Fail(Errc::kConflict, Reason{"rooms.not_resident"},
                  person->name + " holds no bed and no key: there is nothing to move out of",
                  "person_id");
    db::Leaver v{person_id, person->site_id, tx.now(), {}, who.account_id, note};
    ZHIDU_TRY_VOID(db::InsertLeaver(sql, v));
    runtime::SiteEvent e{person->site_id,
                         std::string(kEmployeeLeft),
                         person->name + " 离职",
                         LeaverRef(person_id),
                         {},
                         who.account_id};
    e.data["person_id"] = static_cast<double>(person_id);
    ZHIDU_TRY_VOID(bus_.Emit(tx, e));
    CanonicalObject payload;
    payload.Add("person_id", person_id)
        .Add("site_id", person->site_id)
        .Add("has_bed", bed.has_value())
        .Add("keys_held", keys)
        .Add("note", note)
        .AddRaw("clauses", JsonStringArray(clauses));
    ZHIDU_TRY(auto seq, tx.Journal("rooms.leaver.recorded", who.account_id, LeaverRef(person_id),
                                   payload.Str()));
    (void)seq;
    return v;
  });
}

Result<std::vector<LeaverView>> Rooms::Leavers(const org::Principal& who, Id site_id) {
  if (site_id <= 0)
    return Fail(Errc::kInvalidArgument, kRequired, "site_id is required", "site_id");
  ZHIDU_TRY_VOID(MayManage(who, site_id));
  ZHIDU_TRY(auto unit, store_.BeginRead());
  return db::LeaversOf(unit->sql(), site_id);
}

Result<void> Rooms::MaybeMovedOut(store::Tx& tx, Id person_id, Id actor) {
  auto& sql = tx.unit().sql();
  ZHIDU_TRY(auto leaver, db::GetLeaver(sql, person_id));
  if (!leaver || leaver->moved_out_at != TimePoint{}) return Ok();
  ZHIDU_TRY(auto bed, db::BedOfPerson(sql, person_id));
  ZHIDU_TRY(auto keys, db::KeysHeld(sql, person_id));
  if (bed || keys > 0) return Ok();
  ZHIDU_TRY(auto lost, db::KeysHeld(sql, person_id, "lost"));
  ZHIDU_TRY_VOID(db::MarkMovedOut(sql, person_id, tx.now()));
  ZHIDU_TRY_VOID(
      bus_.Emit(tx, runtime::SiteEvent{leaver->site_id,
                                       std::string(kMovedOut),
                                       lost ? "搬离休息室，钥匙登记遗失" : "搬离休息室并交回钥匙",
                                       LeaverRef(person_id),
                                       {},
                                       actor}));
  CanonicalObject payload;
  payload.Add("person_id", person_id)
      .Add("site_id", leaver->site_id)
      .Add("keys_lost", lost)
      .AddRaw("clauses", JsonStringArray(Clauses(kKeyRecord)));
  ZHIDU_TRY(auto seq,
            tx.Journal("rooms.leaver.moved_out", actor, LeaverRef(person_id), payload.Str()));
  (void)seq;
  return Ok();
}

}  // namespace zhidu::rooms
