// Rooms, beds and keys over HTTP (/api/v1/rooms, /api/v1/room-keys). Handlers translate JSON; the
// rules are in rooms.cpp.
#include <charconv>

#include <nlohmann/json.hpp>

#include "api/api.hpp"
#include "api/api_internal.hpp"
#include "api/json_body.hpp"
#include "modules/rooms/module.hpp"

namespace zhidu::rooms {

using api::ErrorResponse;
using api::HttpRequest;
using api::HttpResponse;
using nlohmann::json;

namespace {

json BedJson(const Bed& b) {
  return {{"id", b.id},
          {"label", b.label},
          {"locker", b.locker},
          {"person_id", api::IdOrNull(b.person_id)},
          {"person_name", b.person_name},
          {"allocated_at", api::TimeOrNull(b.allocated_at)}};
}

json LockerJson(const Locker& l) {
  return {{"id", l.id},
          {"room_id", l.room_id},
          {"label", l.label},
          {"person_id", api::IdOrNull(l.person_id)},
          {"person_name", l.person_name},
          {"allocated_at", api::TimeOrNull(l.allocated_at)}};
}

json KeyJson(const Key& k, const Rooms& rooms) {
  auto [copy_rule, copy_clauses] = rooms.KeyCopyRule();
  return {{"id", k.id},
          {"room_id", k.room_id},
          {"label", k.label},
          {"state", KeyStateName(k.state)},
          {"holder_person_id", api::IdOrNull(k.holder_person_id)},
          {"holder_name", k.holder_name},
          {"issued_at", api::TimeOrNull(k.issued_at)},
          {"changed_at", api::TimeOrNull(k.changed_at)},
          {"note", k.note},
          // R04 §二8 房间钥匙不得私配: nothing to enforce, the register says it on every key.
          {"copy_rule", copy_rule},
          {"copy_rule_clauses", copy_clauses},
          {"clauses", rooms.Clauses(kKeyRecord)}};
}

json RoomJson(const Room& r, const Rooms& rooms, bool detail) {
  json beds = json::array();
  int occupied = 0;
  for (const auto& b : r.beds) {
    beds.push_back(BedJson(b));
    occupied += b.person_id != 0;
  }
  json lockers = json::array();
  for (const auto& l : r.lockers) lockers.push_back(LockerJson(l));
  std::string leader_name;
  for (const auto& b : r.beds)
    if (b.person_id != 0 && b.person_id == r.leader_person_id) leader_name = b.person_name;
  json out = {{"id", r.id},
              {"site_id", r.site_id},
              {"name", r.name},
              {"place", r.place},
              {"bed_count", r.bed_count},
              {"occupied", occupied},
              {"leader_person_id", api::IdOrNull(r.leader_person_id)},
              {"leader_name", leader_name},
              {"note", r.note},
              {"created_at", api::TimeOrNull(r.created_at)},
              {"beds", beds},
              {"lockers", lockers},
              {"clauses", rooms.Clauses(kAllocationRecord)}};
  if (detail) {
    json keys = json::array();
    for (const auto& k : r.keys) keys.push_back(KeyJson(k, rooms));
    out["keys"] = keys;
  }
  return out;
}

json RotaJson(const std::vector<Rooms::RotaDay>& rows, const Rooms& rooms) {
  json items = json::array();
  for (const auto& d : rows)
    items.push_back({{"date", d.date},
                     {"person_id", d.person_id},
                     {"person_name", d.person_name},
                     {"stored", d.stored}});
  return {{"items", items}, {"clauses", rooms.Clauses(kRotaRecord)}};
}

json ValueJson(const policy::Value& v) {
  if (auto* b = std::get_if<bool>(&v)) return *b;
  if (auto* d = std::get_if<double>(&v)) return *d;
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  return nullptr;
}

json FactsJson(Id person_id, const std::vector<Fact>& facts) {
  json items = json::array();
  for (const auto& f : facts)
    items.push_back({{"name", f.name},
                     {"value", ValueJson(f.value)},
                     {"recorded_by", f.recorded_by},
                     {"recorded_at", api::TimeOrNull(f.recorded_at)}});
  return {{"person_id", person_id}, {"items", items}};
}

json InspectionJson(const Inspection& v) {
  return {{"id", v.id},
          {"room_id", v.room_id},
          {"site_id", v.site_id},
          {"answers", json::parse(v.answers)},
          {"flagged", v.flagged},
          {"deadline", v.deadline},
          {"person_id", api::IdOrNull(v.person_id)},
          {"reinspects", api::IdOrNull(v.reinspects)},
          {"open", v.open},
          {"closed_by", api::IdOrNull(v.closed_by)},
          {"note", v.note},
          {"photos", v.photos},
          {"inspected_by", v.inspected_by},
          {"inspected_at", api::TimeOrNull(v.inspected_at)}};
}

json DamageJson(const Damage& d) {
  return {{"id", d.id},
          {"site_id", d.site_id},
          {"room_id", d.room_id},
          {"room_name", d.room_name},
          {"item", d.item},
          {"person_id", api::IdOrNull(d.person_id)},
          {"person_name", d.person_name},
          {"note", d.note},
          {"ref", d.ref},
          {"reported_by", d.reported_by},
          {"reported_at", api::TimeOrNull(d.reported_at)},
          {"repair_id", api::IdOrNull(d.repair_id)},
          {"compensation_fen", d.compensation_fen},
          {"settle_note", d.settle_note},
          {"settled_at", api::TimeOrNull(d.settled_at)}};
}

json PresenceJson(const Presence& v) {
  return {{"id", v.id},
          {"site_id", v.site_id},
          {"room_id", v.room_id},
          {"person_id", v.person_id},
          {"person_name", v.person_name},
          {"at", api::TimeOrNull(v.at)},
          {"flagged", v.flagged},
          {"window", v.window},
          {"late_stay_request", api::IdOrNull(v.late_stay_request)},
          {"clauses", v.clauses}};
}

HttpResponse Unavailable() {
  return api::ErrorResponse({Errc::kUnavailable, "the rooms module is not running", ""});
}

}  // namespace

void AddRoutes(api::Router& r, Rooms* rooms) {
  using api::Access;
  // {"site_id", "name", "place", "beds", "lockers"?, "note"?}
  r.Add("POST", "/api/v1/rooms", Access::kSignedIn, [rooms](HttpRequest& req) {
    if (!rooms) return Unavailable();
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    NewRoom in;
    ZHIDU_OR_ERROR(in.site_id, body.RequiredId("site_id"));
    ZHIDU_OR_ERROR(in.name, body.RequiredString("name"));
    ZHIDU_OR_ERROR(in.place, body.RequiredString("place"));
    ZHIDU_OR_ERROR(in.beds, body.RequiredInt("beds"));
    if (body.json().contains("lockers")) {
      ZHIDU_OR_ERROR(in.lockers, body.RequiredInt("lockers"));
    }
    ZHIDU_OR_ERROR(in.note, body.OptionalString("note"));
    if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto v, rooms->Create(api::PrincipalOf(req), in));
    return api::JsonResponse(201, RoomJson(v, *rooms, true));
  });
  // ?site_id=&limit=&cursor=
  r.Add("GET", "/api/v1/rooms", Access::kSignedIn, [rooms](HttpRequest& req) {
    if (!rooms) return Unavailable();
    ZHIDU_OR_ERROR(auto page, api::PageOf(req));
    ZHIDU_OR_ERROR(auto site_id, api::QueryId(req, "site_id"));
    ZHIDU_OR_ERROR(auto rows, rooms->List(api::PrincipalOf(req), site_id, page));
    return api::List(
        rows, page, [&](const Room& v) { return RoomJson(v, *rooms, false); },
        [](const Room& v) { return v.id; });
  });
  // The facts the eligibility rules read, recorded by the office: {"facts": {"applicant.x": v}}.
  r.Add("PUT", "/api/v1/room-facts/{id}", Access::kSignedIn, [rooms](HttpRequest& req) {
    if (!rooms) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto facts, body.OptionalObject("facts"));
    if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
    if (!facts)
      return api::ErrorResponse({Errc::kInvalidArgument, "facts is required", "facts", "required"});
    policy::Context in;
    for (const auto& [name, value] : facts->items()) {
      if (value.is_boolean()) {
        in[name] = value.get<bool>();
      } else if (value.is_number()) {
        in[name] = value.get<double>();
      } else if (value.is_string()) {
        in[name] = value.get<std::string>();
      } else {
        return api::ErrorResponse({Errc::kInvalidArgument,
                                   name + " must be a boolean, a number or a text", "facts",
                                   "invalid"});
      }
    }
    ZHIDU_OR_ERROR(auto v, rooms->SetFacts(api::PrincipalOf(req), id, in));
    return api::JsonResponse(200, FactsJson(id, v));
  });
  r.Add("GET", "/api/v1/room-facts/{id}", Access::kSignedIn, [rooms](HttpRequest& req) {
    if (!rooms) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto v, rooms->Facts(api::PrincipalOf(req), id));
    return api::JsonResponse(200, FactsJson(id, v));
  });
  // {"site_id", "type", "reason"?}: the signed-in person applies; the inputs come from the facts.
  r.Add("POST", "/api/v1/room-applications", Access::kSignedIn, [rooms](HttpRequest& req) {
    if (!rooms) return Unavailable();
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto site_id, body.RequiredId("site_id"));
    ZHIDU_OR_ERROR(auto type, body.RequiredString("type"));
    ZHIDU_OR_ERROR(auto reason, body.OptionalString("reason"));
    if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto v, rooms->Apply(api::PrincipalOf(req), site_id, type, reason));
    return api::JsonResponse(201, {{"id", v.request.id},
                                   {"type", v.request.type},
                                   {"title", v.title},
                                   {"state", store::RequestStateName(v.request.state)},
                                   {"inputs", json::parse(v.request.inputs)},
                                   {"clauses", v.clauses}});
  });
  // The application types, and the penalties whose recording revokes the eligibility (the office
  // records one through POST /api/v1/violations; R04 §检查 情节严重者，取消其休息资格).
  r.Add("GET", "/api/v1/room-application-types", Access::kSignedIn, [rooms](HttpRequest&) {
    if (!rooms) return Unavailable();
    json items = json::array();
    for (const auto& [id, title] : rooms->ApplicationTypes())
      items.push_back({{"id", id}, {"title", title}});
    json revoking = json::array();
    if (auto pack = rooms->pack())
      for (const auto* p : rooms->RevokingPenalties(*pack))
        revoking.push_back({{"code", p->code}, {"title", p->title}, {"clauses", p->clauses}});
    return api::JsonResponse(200, {{"items", items}, {"revoking_penalties", revoking}});
  });
  // {"answers": {item: "pass"|"flag"|"fail"}, "deadline"?, "note"?}: an inspection (R04 §检查).
  r.Add("POST", "/api/v1/rooms/{id}/inspections", Access::kSignedIn, [rooms](HttpRequest& req) {
    if (!rooms) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto answers_json, body.OptionalObject("answers"));
    ZHIDU_OR_ERROR(auto deadline, body.OptionalString("deadline"));
    ZHIDU_OR_ERROR(auto note, body.OptionalString("note"));
    ZHIDU_OR_ERROR(auto photos_json, body.OptionalArray("photos"));
    if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
    std::vector<std::string> photos;
    if (photos_json) {
      if (!photos_json->is_array())
        return api::ErrorResponse(
            {Errc::kInvalidArgument, "photos is a list of photo hashes", "photos", "invalid"});
      for (const auto& p : *photos_json) {
        if (!p.is_string())
          return api::ErrorResponse(
              {Errc::kInvalidArgument, "photos is a list of photo hashes", "photos", "invalid"});
        photos.push_back(p.get<std::string>());
      }
    }
    if (!answers_json)
      return api::ErrorResponse(
          {Errc::kInvalidArgument, "answers is required", "answers", "required"});
    std::map<std::string, std::string> answers;
    for (const auto& [item, value] : answers_json->items()) {
      if (!value.is_string())
        return api::ErrorResponse({Errc::kInvalidArgument, item + " takes pass, flag or fail",
                                   "answers." + item, "invalid"});
      answers[item] = value.get<std::string>();
    }
    ZHIDU_OR_ERROR(auto v,
                   rooms->Inspect(api::PrincipalOf(req), id, answers, deadline, note, photos));
    return api::JsonResponse(201, InspectionJson(v));
  });
  // The pack's inspection form: the items an inspection answers (pass, flag or fail), in order.
  r.Add("GET", "/api/v1/room-inspection-form", Access::kSignedIn, [rooms](HttpRequest&) {
    if (!rooms) return Unavailable();
    auto pack = rooms->pack();
    const policy::Checklist* list = pack ? InspectionChecklist(*pack) : nullptr;
    if (!list)
      return api::ErrorResponse({Errc::kFailedPrecondition,
                                 "the pack in force has no inspection checklist", "",
                                 "rooms.no_inspection_checklist"});
    json items = json::array();
    for (const auto& item : list->items)
      if (item.kind == policy::ItemKind::kPassFlagFail)
        items.push_back({{"id", item.id},
                         {"label", item.label.empty() ? item.id : item.label},
                         {"clauses", item.clauses}});
    return api::JsonResponse(200, {{"id", list->id},
                                   {"title", list->title},
                                   {"clauses", list->clauses},
                                   {"items", std::move(items)}});
  });
  r.Add("GET", "/api/v1/rooms/{id}/inspections", Access::kSignedIn, [rooms](HttpRequest& req) {
    if (!rooms) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto rows, rooms->Inspections(api::PrincipalOf(req), id));
    json items = json::array();
    for (const auto& v : rows) items.push_back(InspectionJson(v));
    return api::JsonResponse(200, {{"items", items}});
  });
  // {"person_id", "note"?}: a resident left employment (离职); starts the move-out (R04 §二13).
  r.Add("POST", "/api/v1/room-leavers", Access::kSignedIn, [rooms](HttpRequest& req) {
    if (!rooms) return Unavailable();
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto person_id, body.RequiredId("person_id"));
    ZHIDU_OR_ERROR(auto note, body.OptionalString("note"));
    if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto v, rooms->RecordLeaving(api::PrincipalOf(req), person_id, note));
    return api::JsonResponse(201, {{"person_id", v.person_id},
                                   {"site_id", v.site_id},
                                   {"left_at", api::TimeOrNull(v.left_at)},
                                   {"moved_out_at", api::TimeOrNull(v.moved_out_at)},
                                   {"note", v.note}});
  });
  // {"item", "person_id"?, "note"?}: damage found in the room; starts the procedure of its place.
  r.Add("POST", "/api/v1/rooms/{id}/damage", Access::kSignedIn, [rooms](HttpRequest& req) {
    if (!rooms) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto item, body.RequiredString("item"));
    ZHIDU_OR_ERROR(auto person_id, body.OptionalId("person_id"));
    ZHIDU_OR_ERROR(auto note, body.OptionalString("note"));
    if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto v, rooms->ReportDamage(api::PrincipalOf(req), id, item, person_id, note));
    return api::JsonResponse(201, DamageJson(v));
  });
  r.Add("GET", "/api/v1/rooms/{id}/damage", Access::kSignedIn, [rooms](HttpRequest& req) {
    if (!rooms) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto rows, rooms->DamageOf(api::PrincipalOf(req), id));
    json items = json::array();
    for (const auto& v : rows) items.push_back(DamageJson(v));
    return api::JsonResponse(200, {{"items", items}});
  });
  // {"repair"?: bool, "compensation_fen"?, "note"?}: the office opens the repair order and/or sets
  // the compensation (照价赔偿, R04 §二3).
  r.Add("POST", "/api/v1/room-damage/{id}/settle", Access::kSignedIn, [rooms](HttpRequest& req) {
    if (!rooms) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto repair, body.OptionalBool("repair", false));
    std::int64_t fen = 0;
    if (body.json().contains("compensation_fen")) {
      ZHIDU_OR_ERROR(fen, body.RequiredInt("compensation_fen"));
      if (fen <= 0)
        return api::ErrorResponse({Errc::kInvalidArgument,
                                   "compensation_fen must be a positive whole number of fen (分)",
                                   "compensation_fen", "invalid"});
    }
    ZHIDU_OR_ERROR(auto note, body.OptionalString("note"));
    if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto v, rooms->SettleDamage(api::PrincipalOf(req), id, repair, fen, note));
    return api::JsonResponse(200, DamageJson(v));
  });
  // {"person_id"?}: a check-in in the room now (R04 §二12 工作时间不允许在休息楼内出现).
  r.Add("POST", "/api/v1/rooms/{id}/presence", Access::kSignedIn, [rooms](HttpRequest& req) {
    if (!rooms) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body.empty() ? "{}" : req.body));
    ZHIDU_OR_ERROR(auto person_id, body.OptionalId("person_id"));
    if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto v, rooms->CheckIn(api::PrincipalOf(req), id, person_id));
    return api::JsonResponse(201, PresenceJson(v));
  });
  // ?date=YYYY-MM-DD: the room's check-ins of that site-local day.
  r.Add("GET", "/api/v1/rooms/{id}/presence", Access::kSignedIn, [rooms](HttpRequest& req) {
    if (!rooms) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto rows,
                   rooms->PresenceOn(api::PrincipalOf(req), id, api::QueryString(req, "date")));
    json items = json::array();
    for (const auto& v : rows) items.push_back(PresenceJson(v));
    return api::JsonResponse(200, {{"items", items}});
  });
  // ?site_id=: the site's leavers and whether they moved out (R04 §二13).
  r.Add("GET", "/api/v1/room-leavers", Access::kSignedIn, [rooms](HttpRequest& req) {
    if (!rooms) return Unavailable();
    ZHIDU_OR_ERROR(auto site_id, api::QueryId(req, "site_id"));
    ZHIDU_OR_ERROR(auto rows, rooms->Leavers(api::PrincipalOf(req), site_id));
    json items = json::array();
    for (const auto& v : rows)
      items.push_back({{"person_id", v.person_id},
                       {"person_name", v.person_name},
                       {"left_at", api::TimeOrNull(v.left_at)},
                       {"moved_out_at", api::TimeOrNull(v.moved_out_at)},
                       {"has_bed", v.has_bed},
                       {"keys_held", v.keys_held},
                       {"ref", "room-leaver/" + std::to_string(v.person_id)},
                       {"note", v.note}});
    return api::JsonResponse(200, {{"items", items}});
  });
  // ?from=YYYY-MM-DD&days=N: a 值日表 proposal rotating among the occupants (R04 §二1).
  r.Add("GET", "/api/v1/rooms/{id}/rota", Access::kSignedIn, [rooms](HttpRequest& req) {
    if (!rooms) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    std::string days_text = api::QueryString(req, "days");
    std::int64_t days = 7;
    if (!days_text.empty()) {
      auto [end, ec] = std::from_chars(days_text.data(), days_text.data() + days_text.size(), days);
      if (ec != std::errc() || end != days_text.data() + days_text.size())
        return api::ErrorResponse(
            {Errc::kInvalidArgument, "days must be 1 to 31", "days", "invalid"});
    }
    ZHIDU_OR_ERROR(auto rows,
                   rooms->Rota(api::PrincipalOf(req), id, api::QueryString(req, "from"), days));
    return api::JsonResponse(200, RotaJson(rows, *rooms));
  });
  // {"days": [{"date", "person_id"}…]}: the 舍长 saves the 值日表 (R04 §二1).
  r.Add("PUT", "/api/v1/rooms/{id}/rota", Access::kSignedIn, [rooms](HttpRequest& req) {
    if (!rooms) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto raw, body.OptionalArray("days"));
    if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
    if (!raw || !raw->is_array())
      return api::ErrorResponse({Errc::kInvalidArgument,
                                 "days is required: [{\"date\", \"person_id\"}…]", "days",
                                 "required"});
    std::vector<Rooms::RotaDay> days;
    for (size_t i = 0; i < raw->size(); ++i) {
      const auto& d = (*raw)[i];
      std::string field = "days[" + std::to_string(i) + "]";
      if (!d.is_object() || d.size() != 2 || !d.contains("date") || !d["date"].is_string() ||
          !d.contains("person_id") || !d["person_id"].is_number_integer())
        return api::ErrorResponse({Errc::kInvalidArgument,
                                   field + " must be {\"date\": \"YYYY-MM-DD\", \"person_id\"}",
                                   field, "invalid"});
      days.push_back({d["date"].get<std::string>(), d["person_id"].get<Id>(), "", false});
    }
    ZHIDU_OR_ERROR(auto rows, rooms->SaveRota(api::PrincipalOf(req), id, days));
    return api::JsonResponse(200, RotaJson(rows, *rooms));
  });
  // The places of the pack a room may be.
  r.Add("GET", "/api/v1/room-places", Access::kSignedIn, [rooms](HttpRequest&) {
    if (!rooms) return Unavailable();
    json items = json::array();
    for (const auto& [id, title] : rooms->Places()) items.push_back({{"id", id}, {"title", title}});
    return api::JsonResponse(200, {{"items", items}});
  });
  r.Add("GET", "/api/v1/rooms/{id}", Access::kSignedIn, [rooms](HttpRequest& req) {
    if (!rooms) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto v, rooms->Get(api::PrincipalOf(req), id));
    return api::JsonResponse(200, RoomJson(v, *rooms, true));
  });
  // {"person_id", "bed_id"?, "locker_id"? | "locker"? (a label), "request_id"?}
  r.Add("POST", "/api/v1/rooms/{id}/allocations", Access::kSignedIn, [rooms](HttpRequest& req) {
    if (!rooms) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    Allocation in;
    ZHIDU_OR_ERROR(in.person_id, body.RequiredId("person_id"));
    ZHIDU_OR_ERROR(in.bed_id, body.OptionalId("bed_id"));
    ZHIDU_OR_ERROR(in.locker_id, body.OptionalId("locker_id"));
    ZHIDU_OR_ERROR(in.locker, body.OptionalString("locker"));
    ZHIDU_OR_ERROR(in.request_id, body.OptionalId("request_id"));
    if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto v, rooms->Allocate(api::PrincipalOf(req), id, in));
    return api::JsonResponse(201, RoomJson(v, *rooms, true));
  });
  // {"person_id", "note"?}
  r.Add("POST", "/api/v1/rooms/{id}/release", Access::kSignedIn, [rooms](HttpRequest& req) {
    if (!rooms) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto person_id, body.RequiredId("person_id"));
    ZHIDU_OR_ERROR(auto note, body.OptionalString("note"));
    if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto v, rooms->Release(api::PrincipalOf(req), id, person_id, note));
    return api::JsonResponse(200, RoomJson(v, *rooms, true));
  });
  // {"person_id"}: the room leader (舍长), one of its occupants.
  r.Add("PUT", "/api/v1/rooms/{id}/leader", Access::kSignedIn, [rooms](HttpRequest& req) {
    if (!rooms) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto person_id, body.RequiredId("person_id"));
    if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto v, rooms->SetLeader(api::PrincipalOf(req), id, person_id));
    return api::JsonResponse(200, RoomJson(v, *rooms, true));
  });
  // {"label"}: a key of the room enters the register (kept by the office).
  r.Add("POST", "/api/v1/rooms/{id}/keys", Access::kSignedIn, [rooms](HttpRequest& req) {
    if (!rooms) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto label, body.RequiredString("label"));
    if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto v, rooms->AddKey(api::PrincipalOf(req), id, label));
    return api::JsonResponse(201, KeyJson(v, *rooms));
  });
  // {"label"}: a locker enters the room's inventory (一人一柜, R04 §二2).
  r.Add("POST", "/api/v1/rooms/{id}/lockers", Access::kSignedIn, [rooms](HttpRequest& req) {
    if (!rooms) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto label, body.RequiredString("label"));
    if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto v, rooms->AddLocker(api::PrincipalOf(req), id, label));
    return api::JsonResponse(201, LockerJson(v));
  });
  // A locker given to an occupant of its room apart from the bed {"person_id"}, or taken back
  // {"note"?} (一人一柜, R04 §二2).
  r.Add("POST", "/api/v1/room-lockers/{id}/give", Access::kSignedIn, [rooms](HttpRequest& req) {
    if (!rooms) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto person_id, body.RequiredId("person_id"));
    if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto v, rooms->GiveLocker(api::PrincipalOf(req), id, person_id));
    return api::JsonResponse(200, LockerJson(v));
  });
  r.Add("POST", "/api/v1/room-lockers/{id}/take-back", Access::kSignedIn,
        [rooms](HttpRequest& req) {
          if (!rooms) return Unavailable();
          ZHIDU_OR_ERROR(auto id, api::PathId(req));
          ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
          ZHIDU_OR_ERROR(auto note, body.OptionalString("note"));
          if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
          ZHIDU_OR_ERROR(auto v, rooms->TakeLockerBack(api::PrincipalOf(req), id, note));
          return api::JsonResponse(200, LockerJson(v));
        });
  // The key's three moves: {"person_id"} · {"note"?} · {"note"}
  r.Add("POST", "/api/v1/room-keys/{id}/issue", Access::kSignedIn, [rooms](HttpRequest& req) {
    if (!rooms) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto person_id, body.RequiredId("person_id"));
    if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto v, rooms->IssueKey(api::PrincipalOf(req), id, person_id));
    return api::JsonResponse(200, KeyJson(v, *rooms));
  });
  r.Add("POST", "/api/v1/room-keys/{id}/return", Access::kSignedIn, [rooms](HttpRequest& req) {
    if (!rooms) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto note, body.OptionalString("note"));
    if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto v, rooms->ReturnKey(api::PrincipalOf(req), id, note));
    return api::JsonResponse(200, KeyJson(v, *rooms));
  });
  r.Add("POST", "/api/v1/room-keys/{id}/lost", Access::kSignedIn, [rooms](HttpRequest& req) {
    if (!rooms) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto note, body.RequiredString("note"));
    if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto v, rooms->LoseKey(api::PrincipalOf(req), id, note));
    return api::JsonResponse(200, KeyJson(v, *rooms));
  });
}

}  // namespace zhidu::rooms
