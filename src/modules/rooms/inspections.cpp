// Inspections of rooms (办公室定期检查, R04 §检查 "如发现违反相关规定人员，限期整改或处以罚款，
// 情节严重者，取消其休息资格"). Before this module nothing raised the event the pack's
// rectification deadline starts on (cn-default r04-rectify: start inspection_failed): a duty's
// checklist answered flag/fail only journals duty.flagged, so a failed inspection started nothing.
// Here a flagged item raises kInspectionFailed in the inspection's transaction with the deadline
// the inspector sets (the pack's `due_from` field) and the room leader as the person answering;
// a passing re-inspection raises kRectified with the same ref and stops it. The breach — the fine
// of the pack's violation (R04-VIOLATION: the site parameter r04_fine_yuan) — is the kernel's.
#include "base/canonical_json.hpp"
#include "base/text_limits.hpp"
#include "kernel/photos/photos.hpp"
#include "kernel/photos/stored.hpp"
#include "kernel/policy/rule_names.hpp"
#include "modules/repairs/repairs.hpp"
#include "modules/rooms/rooms.hpp"

namespace zhidu::rooms {

const policy::Checklist* InspectionChecklist(const policy::Pack& pack) {
  for (const auto& c : pack.checklists())
    if (policy::RuleNamed(c.id, kInspectionChecklist)) return &c;
  return nullptr;
}

namespace {

std::string RectificationRef(Id inspection_id) {
  return "room-inspection/" + std::to_string(inspection_id);
}

// The data field the pack's rectification takes its due time from ("r04-inspection.deadline" ->
// "deadline"), or "" when no service level started by kInspectionFailed reads one.
std::string DeadlineField(const policy::Pack& pack) {
  for (const auto& sl : pack.service_levels())
    if (sl.start_event == kInspectionFailed && !sl.due_from.empty())
      return sl.due_from.substr(sl.due_from.rfind('.') + 1);
  return "";
}

}  // namespace

Result<Inspection> Rooms::Inspect(const org::Principal& who, Id room_id,
                                  const std::map<std::string, std::string>& answers,
                                  const std::string& deadline, const std::string& note,
                                  const std::vector<std::string>& photos) {
  auto pack = pack_.Current();
  if (!pack) return Fail(Errc::kUnavailable, "no policy pack is in force");
  const policy::Checklist* list = InspectionChecklist(*pack);
  if (!list)
    return Fail(Errc::kFailedPrecondition, Reason{"rooms.no_inspection_checklist"},
                "the pack in force has no inspection checklist");
  ZHIDU_TRY_VOID(CheckText(note, "note", false, kMaxNote));
  ZHIDU_TRY_VOID(CheckText(deadline, "deadline", false, kMaxText));
  if (photos.size() > kMaxPhotos)
    return Fail(Errc::kInvalidArgument, kInvalid,
                "an inspection takes at most " + std::to_string(kMaxPhotos) + " photos", "photos");
  for (const auto& hash : photos)
    if (!photos::IsSha256Hex(hash))
      return Fail(Errc::kInvalidArgument, kInvalid,
                  "photos are the SHA-256 of uploaded photos (POST /api/v1/photos)", "photos");
  CanonicalObject stored;
  std::vector<std::string> flagged;
  size_t used = 0;
  for (const auto& item : list->items) {
    if (item.kind != policy::ItemKind::kPassFlagFail) continue;
    auto it = answers.find(item.id);
    std::string field = "answers." + item.id;
    if (it == answers.end())
      return Fail(Errc::kInvalidArgument, kRequired, "「" + item.label + "」is required", field);
    if (it->second != "pass" && it->second != "flag" && it->second != "fail")
      return Fail(Errc::kInvalidArgument, kInvalid,
                  "「" + item.label + "」takes pass, flag or fail", field);
    ++used;
    stored.Add(item.id, it->second);
    if (it->second != "pass") flagged.push_back(item.label);
  }
  if (used != answers.size())
    return Fail(Errc::kInvalidArgument, Reason{"rooms.unknown_item"},
                "an answer names no pass/flag/fail item of 「" + list->title + "」", "answers");
  std::string deadline_field = DeadlineField(*pack);
  auto clauses = list->clauses;
  return writer_.Run<Inspection>([&](store::Tx& tx) -> Result<Inspection> {
    auto& sql = tx.unit().sql();
    ZHIDU_TRY(Room r, LoadToManage(sql, room_id, who));
    for (const auto& hash : photos)  // the evidence was uploaded first (kernel/photos)
      ZHIDU_TRY_VOID(photos::MustBeStored(tx.unit(), hash, "photos"));
    ZHIDU_TRY(auto earlier, db::InspectionsOf(sql, r.id));
    const Inspection* open = nullptr;
    for (const auto& e : earlier)
      if (e.open) open = &e;
    Inspection v;
    v.room_id = r.id;
    v.site_id = r.site_id;
    v.answers = stored.Str();
    v.flagged = flagged;
    v.note = note;
    v.photos = photos;
    v.inspected_by = who.account_id;
    v.inspected_at = tx.now();
    v.person_id = r.leader_person_id;  // 舍长负责本房间卫生等方面管理 (R04 §二1)
    v.reinspects = open ? open->id : 0;
    v.open = !open && !flagged.empty();
    if (v.open) {
      if (!deadline_field.empty() && deadline.empty())
        return Fail(
            Errc::kInvalidArgument, Reason{"rooms.deadline_required"},
            "a flagged inspection sets the rectification deadline (限期整改" + Cited(clauses) + ")",
            "deadline");
      v.deadline = deadline;
    } else if (!deadline.empty()) {
      return Fail(Errc::kInvalidArgument, Reason{"rooms.deadline_not_taken"},
                  open ? "a re-inspection keeps the deadline already set"
                       : "an inspection with nothing flagged sets no deadline",
                  "deadline");
    }
    ZHIDU_TRY(v.id, db::InsertInspection(sql, v));
    if (v.open) {
      runtime::SiteEvent e{r.site_id,
                           std::string(kInspectionFailed),
                           r.name + "：" + Join(flagged, "、"),
                           RectificationRef(v.id),
                           {},
                           who.account_id};
      if (!deadline_field.empty()) e.data[deadline_field] = deadline;
      if (v.person_id != 0) e.data["person_id"] = static_cast<double>(v.person_id);
      ZHIDU_TRY_VOID(bus_.Emit(tx, e));
    } else if (open && flagged.empty()) {
      ZHIDU_TRY_VOID(db::CloseInspection(sql, open->id, v.id));
      ZHIDU_TRY_VOID(bus_.Emit(tx, runtime::SiteEvent{r.site_id,
                                                      std::string(kRectified),
                                                      r.name + "：复查合格",
                                                      RectificationRef(open->id),
                                                      {},
                                                      who.account_id}));
    }
    CanonicalObject payload;
    payload.Add("room_id", r.id)
        .Add("site_id", r.site_id)
        .Add("room", r.name)
        .AddRaw("answers", v.answers)
        .AddRaw("flagged", JsonStringArray(flagged))
        .AddRaw("photos", JsonStringArray(photos))
        .Add("deadline", v.deadline)
        .Add("person_id", v.person_id)
        .Add("reinspects", v.reinspects)
        .Add("rectified", open != nullptr && flagged.empty())
        .Add("note", note)
        .AddRaw("clauses", JsonStringArray(clauses));
    ZHIDU_TRY(auto seq, tx.Journal("rooms.inspection.recorded", who.account_id,
                                   RectificationRef(v.id), payload.Str()));
    (void)seq;
    return v;
  });
}

Result<Damage> Rooms::ReportDamage(const org::Principal& who, Id room_id, const std::string& item,
                                   Id person_id, const std::string& note) {
  ZHIDU_TRY_VOID(CheckText(item, "item", true, kMaxText));
  ZHIDU_TRY_VOID(CheckText(note, "note", false, kMaxNote));
  return writer_.Run<Damage>([&](store::Tx& tx) -> Result<Damage> {
    ZHIDU_TRY(Room r, Load(tx.unit().sql(), room_id, who));
    std::string person_name;
    if (person_id != 0) {
      auto p = tx.unit().GetPerson(person_id);
      if (!p && p.error().code != Errc::kNotFound) return Fail(p.error());
      if (!p || p->site_id != r.site_id)
        return Fail(Errc::kInvalidArgument, Reason{"rooms.unknown_person"},
                    "person " + std::to_string(person_id) + " is not a person of the room's site",
                    "person_id");
      person_name = p->name;
    }
    CanonicalObject payload;
    payload.Add("room_id", r.id)
        .Add("site_id", r.site_id)
        .Add("room", r.name)
        .Add("place", r.place)
        .Add("item", item)
        .Add("person_id", person_id)
        .Add("note", note);
    ZHIDU_TRY(auto seq, tx.Journal("rooms.damage.reported", who.account_id,
                                   "room/" + std::to_string(r.id), payload.Str()));
    Damage d;
    d.site_id = r.site_id;
    d.room_id = r.id;
    d.room_name = r.name;
    d.item = item;
    d.person_id = person_id;
    d.person_name = person_name;
    d.note = note;
    d.ref = "room-damage/" + std::to_string(seq);
    d.reported_by = who.account_id;
    d.reported_at = tx.now();
    ZHIDU_TRY(d.id, db::InsertDamage(tx.unit().sql(), d));
    runtime::SiteEvent e{r.site_id,     std::string(kDamageFound), r.name + "：" + item, d.ref, {},
                         who.account_id};
    e.data["place"] = r.place;
    e.data["item"] = item;
    if (person_id != 0) e.data["person_id"] = static_cast<double>(person_id);
    ZHIDU_TRY_VOID(bus_.Emit(tx, e));
    return d;
  });
}

Result<std::vector<Damage>> Rooms::DamageOf(const org::Principal& who, Id room_id) {
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(Room r, Load(unit->sql(), room_id, who));
  return db::DamageOf(unit->sql(), r.id);
}

Result<Damage> Rooms::SettleDamage(const org::Principal& who, Id damage_id, bool repair,
                                   std::int64_t compensation_fen, const std::string& note) {
  ZHIDU_TRY_VOID(CheckText(note, "note", false, kMaxNote));
  if (!repair && compensation_fen == 0)
    return Fail(Errc::kInvalidArgument, kRequired,
                "settling damage opens a repair, sets a compensation or both", "compensation_fen");
  if (compensation_fen < 0 || compensation_fen > kMaxCompensationFen)
    return Fail(Errc::kInvalidArgument, kInvalid,
                "compensation_fen must be a positive whole number of fen (分)", "compensation_fen");
  auto pack = pack_.Current();
  return writer_.Run<Damage>([&](store::Tx& tx) -> Result<Damage> {
    auto& sql = tx.unit().sql();
    auto d = db::GetDamage(sql, damage_id);
    if (!d) return Fail(d.error());
    ZHIDU_TRY(Room r, LoadToManage(sql, d->room_id, who));
    // 若有损坏照价赔偿，并追究责任 (R04 §二3): the clauses of the pack's penalty ending in DAMAGE
    // written in the same regulation file as the room's place (the link NotRevoked uses too).
    std::vector<std::string> clauses;
    if (pack)
      for (const auto& place : pack->places())
        if (place.id == r.place)
          for (const auto& p : pack->penalties())
            if (clauses.empty() && p.code.ends_with(kDamagePenalty) &&
                p.source.file == place.source.file)
              clauses = p.clauses;
    if (repair && d->repair_id != 0)
      return Fail(Errc::kConflict, Reason{"rooms.repair_opened"},
                  "a repair order is open for this damage already", "repair");
    if (compensation_fen > 0) {
      if (d->compensation_fen > 0)
        return Fail(Errc::kConflict, Reason{"rooms.compensation_set"},
                    "the compensation of this damage is set already", "compensation_fen");
      if (d->person_id == 0)
        return Fail(Errc::kFailedPrecondition, Reason{"rooms.no_person_liable"},
                    "the damage names nobody responsible to pay the compensation" + Cited(clauses),
                    "compensation_fen");
      d->compensation_fen = compensation_fen;
    }
    if (repair) {
      repairs::NewRepair in;
      in.site_id = d->site_id;
      in.what = r.name + "：" + d->item;
      in.description = d->note.empty() ? d->item : d->note;
      in.clauses = clauses;
      ZHIDU_TRY(auto opened, repairs::Repairs::Open(tx, in, who.account_id, who.person_id));
      d->repair_id = opened.id;
    }
    d->settle_note = note;
    d->settled_by = who.account_id;
    d->settled_at = tx.now();
    ZHIDU_TRY_VOID(db::UpdateDamage(sql, *d));
    CanonicalObject payload;
    payload.Add("damage_id", d->id)
        .Add("room_id", r.id)
        .Add("site_id", r.site_id)
        .Add("item", d->item)
        .Add("person_id", d->person_id)
        .Add("repair_id", d->repair_id)
        .Add("compensation_fen", d->compensation_fen)
        .Add("note", note)
        .AddRaw("clauses", JsonStringArray(clauses));
    ZHIDU_TRY(auto seq, tx.Journal("rooms.damage.settled", who.account_id, d->ref, payload.Str()));
    (void)seq;
    return *d;
  });
}

Result<std::vector<Inspection>> Rooms::Inspections(const org::Principal& who, Id room_id) {
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(Room r, Load(unit->sql(), room_id, who));
  return db::InspectionsOf(unit->sql(), r.id);
}

}  // namespace zhidu::rooms
