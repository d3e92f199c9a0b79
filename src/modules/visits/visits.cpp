#include "modules/visits/visits.hpp"

#include <algorithm>
#include <map>

#include "base/canonical_json.hpp"
#include "kernel/runtime/runtime_util.hpp"
#include "modules/dutylog/dutylog.hpp"
#include "modules/visits/visits_store.hpp"

namespace zhidu::visits {

namespace {

// A place as a reader says it: its title in the pack (中控室), else its id.
std::string PlaceName(const policy::Place& place) {
  return place.title.empty() ? place.id : place.title;
}

constexpr size_t kMaxText = 1000;  // bytes of a name, company, reason, reference or field

std::string VisitRef(Id id) { return "visit/" + std::to_string(id); }
std::string FootageRef(Id id) { return "footage/" + std::to_string(id); }

void Cite(Cited* cited, std::vector<std::string> clauses) {
  if (cited) cited->clauses = std::move(clauses);
}

// "R16 §一2、R16 §一3：" or "" — the clause prefix of a refusal message.
std::string Prefix(const std::vector<std::string>& clauses) {
  return clauses.empty() ? std::string() : Join(clauses, "、") + "：";
}

// `site_id` given and `perm` held at the site; `what` names the action in the refusal.
Result<void> MayManage(const org::RoleCatalogue& roles, const org::Principal& who, Id site_id,
                       std::string_view perm, std::string_view what) {
  if (site_id == 0)
    return Fail(Errc::kInvalidArgument, kRequired, "site_id is required", "site_id");
  if (!roles.Allows(who, perm, {site_id, 0}))
    return Fail(Errc::kPermissionDenied,
                std::string(what) + " needs " + std::string(perm) + " at the site");
  return Ok();
}

Result<void> CheckText(const std::string& value, const std::string& field, bool required) {
  if (required && value.empty())
    return Fail(Errc::kInvalidArgument, kRequired, field + " is required", field);
  if (value.size() > kMaxText)
    return Fail(Errc::kInvalidArgument,
                field + " is longer than " + std::to_string(kMaxText) + " bytes", field);
  return Ok();
}

// The access rules of `place` that admit by request.
std::vector<const policy::AccessRule*> RequestRules(const policy::Place& place) {
  std::vector<const policy::AccessRule*> out;
  for (const auto& a : place.access)
    if (a.effect == policy::AccessEffect::kRequest && !a.request.empty()) out.push_back(&a);
  return out;
}

// The access rules of `place` that turn everyone else away (R20 §一5/§三7 严禁无关人员进入消控中心,
// R16 §一1 严禁闲杂人员逗留).
// `clauses` followed by those of these rules not already in it.
std::vector<std::string> WithDenyClauses(std::vector<std::string> clauses,
                                         const policy::Place& place) {
  for (const auto& a : place.access)
    if (a.effect == policy::AccessEffect::kDeny)
      for (const auto& c : a.clauses)
        if (std::find(clauses.begin(), clauses.end(), c) == clauses.end()) clauses.push_back(c);
  return clauses;
}

std::vector<std::string> ClausesOf(const std::vector<const policy::AccessRule*>& rules) {
  std::vector<std::string> out;
  for (const auto* r : rules)
    for (const auto& c : r->clauses)
      if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  return out;
}

std::string NameOfPerson(store::UnitOfWork& unit, Id person_id) {
  if (person_id == 0) return {};
  auto p = unit.GetPerson(person_id);
  return p ? p->name : std::string();
}

std::string NameOfAccount(store::UnitOfWork& unit, Id account_id) {
  if (account_id == 0) return {};
  auto a = unit.GetAccount(account_id);
  if (!a) return {};
  std::string name = NameOfPerson(unit, a->person_id);
  return name.empty() ? a->username : name;
}

CanonicalObject VisitPayload(const Visit& v) {
  CanonicalObject p;
  p.Add("visit_id", v.id).Add("site_id", v.site_id).Add("place", v.place);
  p.Add("request_id", v.request_id).Add("request_type", v.request_type);
  p.Add("visitor", v.visitor_name).Add("company", v.company);
  p.Add("escort_person", v.escort_person).Add("approver", v.approver);
  return p;
}

CanonicalObject SegmentPayload(const FootageSegment& s) {
  CanonicalObject p;
  p.Add("footage_id", s.id).Add("site_id", s.site_id).Add("camera", s.camera);
  p.Add("starts_at", FormatIso8601Utc(s.starts_at)).Add("ends_at", FormatIso8601Utc(s.ends_at));
  return p;
}

}  // namespace

Visits::Visits(store::Store& store, store::Writer& writer, const org::RoleCatalogue& roles,
               const policy::ActivePack& pack, FootageRules footage)
    : store_(store), writer_(writer), roles_(roles), pack_(pack), footage_(std::move(footage)) {}

Result<TimeZone> Visits::ZoneOf(store::UnitOfWork& unit, Id site_id) const {
  ZHIDU_TRY(auto site, unit.GetSite(site_id));
  return TimeZone::Find(site.time_zone);
}

Result<VisitView> Visits::ViewOf(store::UnitOfWork& unit, Visit v) const {
  VisitView out;
  out.escort_name = NameOfPerson(unit, v.escort_person);
  out.approver_name = NameOfAccount(unit, v.approver);
  auto pack = pack_.Current();
  for (const auto& place : pack->places())
    if (place.id == v.place)
      for (const auto* r : RequestRules(place))
        if (r->request == v.request_type) out.clauses = r->clauses;
  out.visit = std::move(v);
  return out;
}

// ---- visits

Result<VisitView> Visits::Register(const org::Principal& who, const NewVisit& in, Cited* cited) {
  ZHIDU_TRY_VOID(MayManage(roles_, who, in.site_id, kPermVisitsManage, "registering visitors"));
  ZHIDU_TRY_VOID(CheckText(in.name, "name", true));
  ZHIDU_TRY_VOID(CheckText(in.company, "company", false));
  ZHIDU_TRY_VOID(CheckText(in.reason, "reason", false));
  auto pack = pack_.Current();
  const policy::Place* place = nullptr;
  for (const auto& p : pack->places())
    if (p.id == in.place) place = &p;
  if (!place) return Fail(Errc::kInvalidArgument, "there is no place '" + in.place + "'", "place");
  auto rules = RequestRules(*place);
  // A refusal cites the request rules' clauses, then those turning everyone else away.
  const auto place_clauses = WithDenyClauses(ClausesOf(rules), *place);
  if (rules.empty()) {
    if (place_clauses.empty())
      return Fail(Errc::kInvalidArgument, kInvalid,
                  "place '" + in.place + "' admits nobody by request", "place");
    Cite(cited, place_clauses);
    return Fail(Errc::kPermissionDenied, Reason{"visit.no_entry"},
                Prefix(place_clauses) + "严禁无关人员进入" + PlaceName(*place) + " — " + place->id +
                    " admits no visitor, with or without a request",
                "place");
  }

  ZHIDU_TRY(auto unit, store_.BeginRead());
  if (!unit->GetSite(in.site_id))
    return Fail(Errc::kInvalidArgument, "there is no site " + std::to_string(in.site_id),
                "site_id");
  // Invariant 1: the request must exist at this site, be of a type this place names, approved.
  auto request = unit->GetApprovalRequest(in.request_id);
  if (!request || request->site_id != in.site_id) {
    Cite(cited, place_clauses);
    return Fail(Errc::kFailedPrecondition, Reason{"visit.not_approved"},
                Prefix(place_clauses) + "未经批准不得进入" + PlaceName(*place) +
                    " — there is no request " + std::to_string(in.request_id) + " at this site",
                "request_id");
  }
  const policy::AccessRule* rule = nullptr;
  for (const auto* r : rules)
    if (r->request == request->type) rule = r;
  if (!rule) {
    Cite(cited, place_clauses);
    return Fail(Errc::kFailedPrecondition, Reason{"visit.wrong_request"},
                Prefix(place_clauses) + "request " + std::to_string(request->id) + " (" +
                    request->type + ") is not an entry request of " + place->id,
                "request_id");
  }
  if (request->state != store::RequestState::kApproved) {
    const auto clauses = WithDenyClauses(rule->clauses, *place);
    Cite(cited, clauses);
    return Fail(Errc::kFailedPrecondition, Reason{"visit.not_approved"},
                Prefix(clauses) + "未经批准不得进入" + PlaceName(*place) + " — request " +
                    std::to_string(request->id) + " is " +
                    std::string(store::RequestStateName(request->state)),
                "request_id");
  }
  const policy::Request* type = pack->FindRequest(request->type);

  // Invariant 2: the escort the approver named; the approver is the last approving signer.
  ZHIDU_TRY(auto decisions, unit->ListApprovalDecisions(request->id));
  Id escort = 0, approver = 0;
  for (const auto& d : decisions) {
    if (!d.approve) continue;
    approver = d.account_id;
    if (d.escort_person) escort = d.escort_person;
  }
  if (escort && in.escort_person_id && in.escort_person_id != escort)
    return Fail(Errc::kInvalidArgument,
                Prefix(type ? type->clauses : rule->clauses) +
                    "陪同人员由批准人指定 — the approver named person " + std::to_string(escort),
                "escort_person_id");
  if (!escort && in.escort_person_id) {
    auto person = unit->GetPerson(in.escort_person_id);
    if (!person || person->site_id != in.site_id)
      return Fail(Errc::kInvalidArgument,
                  "there is no person " + std::to_string(in.escort_person_id) + " at this site",
                  "escort_person_id");
    escort = in.escort_person_id;
  }

  Visit v;
  v.site_id = in.site_id;
  v.place = place->id;
  v.request_id = request->id;
  v.request_type = request->type;
  v.visitor_name = in.name;
  v.company = in.company;
  v.reason = in.reason.empty() ? request->reason : in.reason;
  v.escort_person = escort;
  v.approver = approver;
  v.registered_by = who.account_id;

  // The register's fields (the request's `record`), filled from the visit and the approval.
  std::string escort_name = NameOfPerson(*unit, escort);
  std::string approver_name = NameOfAccount(*unit, approver);
  CanonicalObject record;
  std::map<std::string, std::string> extra(in.fields.begin(), in.fields.end());
  const policy::Record* rec = nullptr;
  if (type && !type->record.empty())
    for (const auto& r : pack->records())
      if (r.id == type->record) rec = &r;
  if (rec) {
    for (const auto& f : rec->fields) {
      if (f.kind == policy::ItemKind::kSignature) {
        if (!in.visitor_signed)
          return Fail(Errc::kInvalidArgument,
                      Prefix(rec->clauses) + rec->title +
                          "须由来访者签名确认 — send visitor_signed: " + "true",
                      "visitor_signed");
        record.Add(f.id, true);
        continue;
      }
      std::string value;
      if (f.id == "name")
        value = v.visitor_name;
      else if (f.id == "company")
        value = v.company;
      else if (f.id == "reason")
        value = v.reason;
      else if (f.id == "approver")
        value = approver_name;
      else if (f.id == "escort")
        value = escort_name.empty() ? approver_name : escort_name;
      else if (auto it = extra.find(f.id); it != extra.end()) {
        value = it->second;
        extra.erase(it);
      }
      if (f.required && value.empty()) {
        std::string field =
            f.id == "name" || f.id == "company" || f.id == "reason" ? f.id : "fields." + f.id;
        return Fail(Errc::kInvalidArgument,
                    Prefix(rec->clauses) + rec->title + "须填写" + f.label + " (" + f.id + ")",
                    field);
      }
      ZHIDU_TRY_VOID(CheckText(value, "fields." + f.id, false));
      record.Add(f.id, value);
    }
  }
  if (!extra.empty())
    return Fail(Errc::kInvalidArgument, "the register has no field '" + extra.begin()->first + "'",
                "fields." + extra.begin()->first);
  v.record = record.Str();
  unit.reset();

  return writer_.Run<VisitView>([&](store::Tx& tx) -> Result<VisitView> {
    v.registered_at = tx.now();
    auto id = db::InsertVisit(tx.unit().sql(), v);
    if (!id && id.error().code == Errc::kConflict)
      return Fail(Errc::kConflict, Reason{"visit.request_used"},
                  "request " + std::to_string(v.request_id) + " already has a visit", "request_id");
    if (!id) return Fail(id.error());
    v.id = *id;
    auto payload = VisitPayload(v);
    payload.AddRaw("clauses", JsonStringArray(rule->clauses));
    payload.AddRaw("record", v.record).Add("reason", v.reason);
    payload.Add("at", FormatIso8601Utc(v.registered_at));
    ZHIDU_TRY(auto seq,
              tx.Journal("visit.registered", who.account_id, VisitRef(v.id), payload.Str()));
    (void)seq;
    return ViewOf(tx.unit(), v);
  });
}

Result<VisitView> Visits::Move(const org::Principal& who, Id visit_id, bool entering) {
  return writer_.Run<VisitView>([&](store::Tx& tx) -> Result<VisitView> {
    ZHIDU_TRY(auto v, db::GetVisit(tx.unit().sql(), visit_id));
    if (!roles_.Allows(who, kPermVisitsManage, {v.site_id, 0}))
      return Fail(Errc::kPermissionDenied, "recording visits needs visits.manage at the site");
    const std::string from = v.state;
    const TimePoint now = tx.now();
    if (entering) {
      if (v.state != "registered")
        return Fail(Errc::kConflict, Reason{"visit.already_entered"},
                    "visit " + std::to_string(v.id) + " has already entered (" + v.state + ")");
      v.state = "entered";
      v.entered_by = who.account_id;
      v.entered_at = now;
    } else {
      if (v.state == "registered")
        return Fail(Errc::kFailedPrecondition, Reason{"visit.not_entered"},
                    "visit " + std::to_string(v.id) +
                        " has not entered: 未登记进入，不能登记离开 (record the entry first)");
      if (v.state == "exited")
        return Fail(Errc::kConflict, Reason{"visit.already_exited"},
                    "visit " + std::to_string(v.id) + " has already exited");
      v.state = "exited";
      v.exited_by = who.account_id;
      v.exited_at = now;
    }
    auto moved = db::UpdateVisit(tx.unit().sql(), v, from);
    if (!moved && moved.error().code == Errc::kFailedPrecondition)
      return Fail(Errc::kConflict, moved.error().message);
    ZHIDU_TRY_VOID(moved);

    // The duty log of the site records who came and went (kind visitor).
    const std::string escort = NameOfPerson(tx.unit(), v.escort_person);
    store::DutyLogEntry entry;
    entry.site_id = v.site_id;
    entry.kind = "visitor";
    entry.text = v.visitor_name + (v.company.empty() ? "" : "（" + v.company + "）") +
                 (entering ? "进入" : "离开") + v.place +
                 (escort.empty() ? "" : "，陪同人员" + escort) + "，申请 " +
                 std::to_string(v.request_id);
    entry.author = who.account_id;
    entry.author_person = who.person_id;
    entry.at = now;
    entry.ref = VisitRef(v.id);
    ZHIDU_TRY(auto logged, dutylog::DutyLog::AppendInTx(tx, std::move(entry)));

    auto payload = VisitPayload(v);
    payload.Add("at", FormatIso8601Utc(now)).Add("log_entry", logged.id);
    ZHIDU_TRY(auto seq, tx.Journal(entering ? "visit.entered" : "visit.exited", who.account_id,
                                   VisitRef(v.id), payload.Str()));
    (void)seq;
    if (!entering && bus_) ZHIDU_TRY_VOID(RaiseIfPlaceEmpty(tx, who, v));
    return ViewOf(tx.unit(), v);
  });
}

// Invariant 4: the last visit inside `v.place` has just exited.
Result<void> Visits::RaiseIfPlaceEmpty(store::Tx& tx, const org::Principal& who, const Visit& v) {
  VisitFilter f;
  f.site_id = v.site_id;
  f.state = "entered";
  store::PageRequest page{0, 500};
  for (int guard = 0; guard < 100; ++guard) {
    ZHIDU_TRY(auto open, db::ListVisits(tx.unit().sql(), f, page));
    for (const auto& o : open)
      if (o.place == v.place) return Ok();  // someone is still inside
    if (static_cast<int>(open.size()) < page.limit) break;
    page.after_id = open.back().id;
  }
  runtime::SiteEvent e;
  e.site_id = v.site_id;
  e.event = std::string(kVisitorsLeft);
  e.subject = "参观人员已全部离开" + v.place;
  e.ref = VisitRef(v.id);
  e.data["place"] = v.place;
  e.data["if_staffed"] = true;  // nobody on shift: nothing falls due, the exit still stands
  e.actor = who.account_id;
  return bus_->Emit(tx, e);
}

Result<VisitView> Visits::Enter(const org::Principal& who, Id visit_id) {
  return Move(who, visit_id, true);
}

Result<VisitView> Visits::Exit(const org::Principal& who, Id visit_id) {
  return Move(who, visit_id, false);
}

Result<VisitView> Visits::Get(const org::Principal& who, Id visit_id) {
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(auto v, db::GetVisit(unit->sql(), visit_id));
  if (!roles_.Allows(who, org::perm::kOrgRead, {v.site_id, 0}))
    return Fail(Errc::kNotFound, "visit " + std::to_string(visit_id) + " does not exist");
  return ViewOf(*unit, std::move(v));
}

Result<std::vector<VisitView>> Visits::List(const org::Principal& who, VisitFilter filter,
                                            store::PageRequest page) {
  if (!roles_.Allows(who, org::perm::kOrgRead, {filter.site_id, 0}))
    return Fail(Errc::kPermissionDenied,
                filter.site_id ? "reading this site's visits needs a role at the site"
                               : "listing visits without site_id needs a company-wide role");
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(auto rows, db::ListVisits(unit->sql(), filter, page));
  std::vector<VisitView> out;
  for (auto& v : rows) {
    ZHIDU_TRY(auto view, ViewOf(*unit, std::move(v)));
    out.push_back(std::move(view));
  }
  return out;
}

// ---- footage

FootageView Visits::FootageOf(const policy::Pack& pack, const FootageSegment& s,
                              const TimeZone& zone) const {
  FootageView out;
  out.segment = s;
  for (const auto& r : pack.retention()) {
    if (r.record != footage_.record) continue;
    out.retention.push_back(r.id);
    TimePoint until = runtime::AddFixedDuration(s.ends_at, r.min, zone);
    if (r.at_least)
      until = std::max(until, runtime::AddFixedDuration(s.ends_at, *r.at_least, zone));
    out.keep_until = std::max(out.keep_until, until);
  }
  return out;
}

Result<FootageView> Visits::AddFootage(const org::Principal& who, const NewFootage& in) {
  ZHIDU_TRY_VOID(MayManage(roles_, who, in.site_id, kPermFootageManage, "registering footage"));
  ZHIDU_TRY_VOID(CheckText(in.camera, "camera", true));
  ZHIDU_TRY_VOID(CheckText(in.storage_ref, "storage_ref", true));
  ZHIDU_TRY_VOID(CheckText(in.tape, "tape", false));
  if (in.ends_at <= in.starts_at)
    return Fail(Errc::kInvalidArgument, "ends_at must be after starts_at", "ends_at");
  auto pack = pack_.Current();
  ZHIDU_TRY(auto unit, store_.BeginRead());
  auto zone = ZoneOf(*unit, in.site_id);
  if (!zone && zone.error().code == Errc::kNotFound)
    return Fail(Errc::kInvalidArgument, "there is no site " + std::to_string(in.site_id),
                "site_id");
  if (!zone) return Fail(zone.error());
  unit.reset();
  FootageSegment s{
      0,  in.site_id, in.camera, in.starts_at, in.ends_at, in.storage_ref, in.tape, who.account_id,
      {}, 0,          {}};
  return writer_.Run<FootageView>([&](store::Tx& tx) -> Result<FootageView> {
    s.registered_at = tx.now();
    if (s.ends_at > s.registered_at)
      return Fail(Errc::kInvalidArgument, Reason{"footage.in_future"},
                  "ends_at is in the future: register recorded footage", "ends_at");
    ZHIDU_TRY(s.id, db::InsertFootage(tx.unit().sql(), s));
    auto payload = SegmentPayload(s);
    payload.Add("storage_ref", s.storage_ref).Add("tape", s.tape);
    ZHIDU_TRY(auto seq,
              tx.Journal("footage.registered", who.account_id, FootageRef(s.id), payload.Str()));
    (void)seq;
    return FootageOf(*pack, s, *zone);
  });
}

Result<FootageView> Visits::GetFootage(const org::Principal& who, Id id) {
  auto pack = pack_.Current();
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(auto s, db::GetFootage(unit->sql(), id));
  if (!roles_.Allows(who, org::perm::kOrgRead, {s.site_id, 0}))
    return Fail(Errc::kNotFound, "footage segment " + std::to_string(id) + " does not exist");
  ZHIDU_TRY(auto zone, ZoneOf(*unit, s.site_id));
  return FootageOf(*pack, s, zone);
}

Result<std::vector<FootageView>> Visits::ListFootage(const org::Principal& who,
                                                     FootageFilter filter,
                                                     store::PageRequest page) {
  if (!roles_.Allows(who, org::perm::kOrgRead, {filter.site_id, 0}))
    return Fail(Errc::kPermissionDenied,
                filter.site_id ? "reading this site's footage register needs a role at the site"
                               : "listing footage without site_id needs a company-wide role");
  auto pack = pack_.Current();
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(auto rows, db::ListFootage(unit->sql(), filter, page));
  std::vector<FootageView> out;
  for (const auto& s : rows) {
    ZHIDU_TRY(auto zone, ZoneOf(*unit, s.site_id));
    out.push_back(FootageOf(*pack, s, zone));
  }
  return out;
}

Result<FootageView> Visits::DeleteFootage(const org::Principal& who, Id id, Cited* cited) {
  auto pack = pack_.Current();
  std::vector<std::string> clauses;
  for (const auto& r : pack->retention())
    if (r.record == footage_.record)
      for (const auto& c : r.clauses)
        if (std::find(clauses.begin(), clauses.end(), c) == clauses.end()) clauses.push_back(c);
  return writer_.Run<FootageView>([&](store::Tx& tx) -> Result<FootageView> {
    ZHIDU_TRY(auto s, db::GetFootage(tx.unit().sql(), id));
    if (!roles_.Allows(who, kPermFootageManage, {s.site_id, 0}))
      return Fail(Errc::kPermissionDenied, "deleting footage needs footage.manage at the site");
    if (s.deleted_at != TimePoint{})
      return Fail(Errc::kConflict, Reason{"footage.deleted"},
                  "footage segment " + std::to_string(id) + " is already deleted");
    ZHIDU_TRY(auto zone, ZoneOf(tx.unit(), s.site_id));
    auto view = FootageOf(*pack, s, zone);
    const TimePoint now = tx.now();
    if (now < view.keep_until) {
      Cite(cited, clauses);
      return Fail(Errc::kConflict, Reason{"footage.retention"},
                  Prefix(clauses) + "录像保存不少于保存期限（" + Join(view.retention, "、") +
                      "），" + FormatIso8601(view.keep_until, zone) + " 之前不得删除 — footage " +
                      "segment " + std::to_string(id) + " is within its retention period");
    }
    ZHIDU_TRY_VOID(db::DeleteFootage(tx.unit().sql(), id, who.account_id, now));
    s.deleted_by = who.account_id;
    s.deleted_at = now;
    auto payload = SegmentPayload(s);
    payload.AddRaw("retention", JsonStringArray(view.retention));
    payload.Add("keep_until", FormatIso8601Utc(view.keep_until));
    payload.Add("at", FormatIso8601Utc(now));
    ZHIDU_TRY(auto seq,
              tx.Journal("footage.deleted", who.account_id, FootageRef(id), payload.Str()));
    (void)seq;
    view.segment = s;
    return view;
  });
}

Result<void> Visits::CopyFootage(const org::Principal& who, Id id, Cited* cited) {
  auto pack = pack_.Current();
  // The copy prohibitions of the view requests (R16 §一6, §二11), then copy_forbidden retention.
  std::vector<std::string> clauses, messages;
  auto add = [&](const std::vector<std::string>& cs, const std::string& message) {
    bool added = false;
    for (const auto& c : cs)
      if (std::find(clauses.begin(), clauses.end(), c) == clauses.end()) {
        clauses.push_back(c);
        added = true;
      }
    if (added && !message.empty()) messages.push_back(Prefix(cs) + message);
  };
  for (const auto& type_id : footage_.view_requests)
    if (const auto* type = pack->FindRequest(type_id))
      for (const auto& p : type->prohibitions) add(p.clauses, p.message);
  if (clauses.empty())
    for (const auto& r : pack->retention())
      if (r.record == footage_.record && r.copy_forbidden) add(r.clauses, r.title);
  const std::string message =
      "禁止拷贝录像：" +
      (messages.empty() ? std::string("copying footage is forbidden") : Join(messages, "；"));
  ZHIDU_TRY(auto seq, writer_.Run<std::int64_t>([&](store::Tx& tx) -> Result<std::int64_t> {
    ZHIDU_TRY(auto s, db::GetFootage(tx.unit().sql(), id));
    if (!roles_.Allows(who, org::perm::kOrgRead, {s.site_id, 0}))
      return Fail(Errc::kNotFound, "footage segment " + std::to_string(id) + " does not exist");
    auto payload = SegmentPayload(s);
    payload.AddRaw("clauses", JsonStringArray(clauses)).Add("message", message);
    payload.Add("account_id", who.account_id);
    return tx.Journal("footage.copy_refused", who.account_id, FootageRef(id), payload.Str());
  }));
  (void)seq;
  Cite(cited, clauses);
  return Fail(Errc::kPermissionDenied, Reason{"footage.copy_forbidden"}, message);
}

Result<FootageView> Visits::ViewFootage(const org::Principal& who, Id id, Id request_id,
                                        Cited* cited) {
  auto pack = pack_.Current();
  std::vector<std::string> clauses;
  for (const auto& type_id : footage_.view_requests)
    if (const auto* type = pack->FindRequest(type_id))
      for (const auto& c : type->clauses)
        if (std::find(clauses.begin(), clauses.end(), c) == clauses.end()) clauses.push_back(c);
  auto refuse = [&](const std::string& why) -> Result<FootageView> {
    Cite(cited, clauses);
    return Fail(Errc::kPermissionDenied, Reason{"footage.view_needs_approval"},
                Prefix(clauses) + "查看录像须经批准 — " + why, "request_id");
  };
  return writer_.Run<FootageView>([&](store::Tx& tx) -> Result<FootageView> {
    ZHIDU_TRY(auto s, db::GetFootage(tx.unit().sql(), id));
    if (!roles_.Allows(who, org::perm::kOrgRead, {s.site_id, 0}))
      return Fail(Errc::kNotFound, "footage segment " + std::to_string(id) + " does not exist");
    if (s.deleted_at != TimePoint{})
      return Fail(Errc::kFailedPrecondition, Reason{"footage.deleted"},
                  "footage segment " + std::to_string(id) + " has been deleted");
    if (request_id == 0) return refuse("send request_id, an approved footage-view request");
    auto request = tx.unit().GetApprovalRequest(request_id);
    if (!request || request->site_id != s.site_id)
      return refuse("there is no request " + std::to_string(request_id) + " at this site");
    if (std::find(footage_.view_requests.begin(), footage_.view_requests.end(), request->type) ==
        footage_.view_requests.end())
      return refuse("request " + std::to_string(request_id) + " (" + request->type +
                    ") is not a footage-view request (" + Join(footage_.view_requests, ", ") + ")");
    if (request->applicant != who.account_id)
      return refuse("request " + std::to_string(request_id) + " was filed by someone else");
    if (request->state != store::RequestState::kApproved)
      return refuse("request " + std::to_string(request_id) + " is " +
                    std::string(store::RequestStateName(request->state)));
    ZHIDU_TRY(auto zone, ZoneOf(tx.unit(), s.site_id));
    auto payload = SegmentPayload(s);
    payload.Add("request_id", request_id).Add("request_type", request->type);
    payload.Add("account_id", who.account_id).Add("person_id", who.person_id);
    payload.Add("at", FormatIso8601Utc(tx.now()));
    ZHIDU_TRY(auto seq,
              tx.Journal("footage.viewed", who.account_id, FootageRef(id), payload.Str()));
    (void)seq;
    return FootageOf(*pack, s, zone);
  });
}

}  // namespace zhidu::visits
