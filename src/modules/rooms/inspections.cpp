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
#include "kernel/policy/rule_names.hpp"
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
                                  const std::string& deadline, const std::string& note) {
  auto pack = pack_.Current();
  if (!pack) return Fail(Errc::kUnavailable, "no policy pack is in force");
  const policy::Checklist* list = InspectionChecklist(*pack);
  if (!list)
    return Fail(Errc::kFailedPrecondition, Reason{"rooms.no_inspection_checklist"},
                "the pack in force has no inspection checklist");
  ZHIDU_TRY_VOID(CheckText(note, "note", false, kMaxNote));
  ZHIDU_TRY_VOID(CheckText(deadline, "deadline", false, kMaxText));
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

Result<std::string> Rooms::ReportDamage(const org::Principal& who, Id room_id,
                                        const std::string& item, Id person_id,
                                        const std::string& note) {
  ZHIDU_TRY_VOID(CheckText(item, "item", true, kMaxText));
  ZHIDU_TRY_VOID(CheckText(note, "note", false, kMaxNote));
  return writer_.Run<std::string>([&](store::Tx& tx) -> Result<std::string> {
    ZHIDU_TRY(Room r, Load(tx.unit().sql(), room_id, who));
    if (person_id != 0) {
      auto p = tx.unit().GetPerson(person_id);
      if (!p && p.error().code != Errc::kNotFound) return Fail(p.error());
      if (!p || p->site_id != r.site_id)
        return Fail(Errc::kInvalidArgument, Reason{"rooms.unknown_person"},
                    "person " + std::to_string(person_id) + " is not a person of the room's site",
                    "person_id");
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
    std::string ref = "room-damage/" + std::to_string(seq);
    runtime::SiteEvent e{r.site_id,     std::string(kDamageFound), r.name + "：" + item, ref, {},
                         who.account_id};
    e.data["place"] = r.place;
    e.data["item"] = item;
    if (person_id != 0) e.data["person_id"] = static_cast<double>(person_id);
    ZHIDU_TRY_VOID(bus_.Emit(tx, e));
    return ref;
  });
}

Result<std::vector<Inspection>> Rooms::Inspections(const org::Principal& who, Id room_id) {
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(Room r, Load(unit->sql(), room_id, who));
  return db::InspectionsOf(unit->sql(), r.id);
}

}  // namespace zhidu::rooms
