// The devices module over HTTP. The inbound routes are public: a request is authenticated by its
// HMAC-SHA256 signature with the source's secret (docs/operations.md), not by a session.
#include <charconv>
#include <nlohmann/json.hpp>
#include <variant>

#include "api/api.hpp"
#include "api/api_internal.hpp"
#include "api/json_body.hpp"
#include "api/signing.hpp"
#include "modules/devices/module.hpp"

namespace zhidu::devices {

using api::ErrorResponse;
using api::HttpRequest;
using api::HttpResponse;
using nlohmann::json;

namespace {

constexpr const char* kTimestampHeader = "x-zhidu-timestamp";
constexpr const char* kSignatureHeader = "x-zhidu-signature";

json SourceJson(const Source& s, bool with_secret) {
  json out = {{"id", s.id},
              {"name", s.name},
              {"kind", s.kind},
              {"site_id", s.site_id},
              {"account_id", s.account_id},
              {"points", s.points},
              {"rooms", s.rooms},
              {"tolerance_s", s.tolerance_s},
              {"created_by", s.created_by},
              {"created_at", api::TimeOrNull(s.created_at)},
              {"rotated_at", api::TimeOrNull(s.rotated_at)},
              {"deleted", s.disabled}};
  if (with_secret) out["secret"] = s.secret;
  return out;
}

// A check-in a door event recorded (rooms::Presence), as the gateway's answer carries it.
json PresenceJson(const rooms::Presence& v) {
  return {{"id", v.id},
          {"room_id", v.room_id},
          {"person_id", v.person_id},
          {"at", api::TimeOrNull(v.at)},
          {"flagged", v.flagged},
          {"window", v.window},
          {"late_stay_request", api::IdOrNull(v.late_stay_request)},
          {"clauses", v.clauses}};
}

json CardJson(const Card& c) {
  return {{"site_id", c.site_id},
          {"card_no", c.card_no},
          {"person_id", c.person_id},
          {"issued_by", c.issued_by},
          {"issued_at", api::TimeOrNull(c.issued_at)}};
}

HttpResponse Unavailable() {
  return ErrorResponse({Errc::kUnavailable, "device integrations are not running", ""});
}

// The signature: X-Zhidu-Signature "sha256=" + hex HMAC-SHA256(secret, timestamp + "." + body),
// X-Zhidu-Timestamp in Unix seconds within the source's tolerance of `now`.
Result<void> Verify(const Source& s, const HttpRequest& req, TimePoint now) {
  const std::string& ts = req.Header(kTimestampHeader);
  const std::string& sig = req.Header(kSignatureHeader);
  if (ts.empty() || sig.empty())
    return Fail(Errc::kUnauthenticated, Reason{"device.signature_missing"},
                "X-Zhidu-Timestamp and X-Zhidu-Signature are required");
  std::int64_t seconds = 0;
  auto [end, ec] = std::from_chars(ts.data(), ts.data() + ts.size(), seconds);
  if (ec != std::errc() || end != ts.data() + ts.size())
    return Fail(Errc::kUnauthenticated, Reason{"device.bad_timestamp"},
                "X-Zhidu-Timestamp must be Unix seconds");
  const std::string expected =
      "sha256=" + api::HexOf(api::HmacSha256(s.secret, ts + "." + req.body));
  if (!api::SameSecret(sig, expected))
    return Fail(Errc::kUnauthenticated, Reason{"device.bad_signature"},
                "the signature does not match the body and the source's secret");
  const std::int64_t now_s =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  if (seconds < now_s - s.tolerance_s || seconds > now_s + s.tolerance_s)
    return Fail(Errc::kUnauthenticated, Reason{"device.stale_timestamp"},
                "X-Zhidu-Timestamp is more than " + std::to_string(s.tolerance_s) +
                    " s from the server's clock (replayed or a wrong clock)");
  return Ok();
}

// A refusal of a well-formed, authenticated event about something the source does not know, or
// that does not fit (unknown door or camera, a visit to another place): 422.
HttpResponse Refusal(const Error& e) {
  auto r = ErrorResponse(e);
  if (e.reason == "device.unknown_door" || e.reason == "device.unknown_camera" ||
      e.reason == "device.visit_elsewhere" || e.reason == "device.door_not_room" ||
      e.reason == "device.unknown_room" || e.reason == "rooms.unknown_person" ||
      e.reason == "device.unknown_card")
    r.status = 422;
  return r;
}

using Act = std::function<Result<json>(const Source&)>;
// An event whose claim, action and answer commit in one transaction (Devices::CheckIn): the
// stored answer and whether it was handled before.
struct Whole {
  json answer;
  bool before = false;
};
using WholeAct = std::function<Result<Whole>(const Source&)>;
using Action = std::variant<Act, WholeAct>;

// Source, signature, body (parsed by `read`, which sets the event id), then either claim, act,
// settle, or the whole event in one transaction.
HttpResponse Inbound(Devices* d, const Clock* clock, std::string_view kind, HttpRequest& req,
                     const std::function<Result<Action>(api::JsonBody&, std::string&)>& read) {
  if (!d || !clock) return Unavailable();
  ZHIDU_OR_ERROR(auto source, d->Find(kind, req.params["source"]));
  if (auto ok = Verify(source, req, clock->Now()); !ok) return ErrorResponse(ok.error());
  ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
  std::string event_id;
  ZHIDU_OR_ERROR(auto action, read(body, event_id));
  if (event_id.size() > kMaxEventId)
    return ErrorResponse({Errc::kInvalidArgument, "event_id: at most 128 bytes", "event_id"});
  if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
  if (auto* whole = std::get_if<WholeAct>(&action)) {
    auto done = (*whole)(source);
    if (!done) return Refusal(done.error());
    done->answer["duplicate"] = done->before;
    return api::JsonResponse(200, done->answer);
  }
  const Act& act = std::get<Act>(action);
  ZHIDU_OR_ERROR(auto before, d->Claim(source, event_id));
  if (before) {
    if (before->status == 0)
      return ErrorResponse({Errc::kConflict,
                            "event " + event_id + " is being handled by another request", "",
                            "device.event_in_progress"});
    json answer = json::parse(before->body, nullptr, false);
    if (!answer.is_object()) answer = json::object();
    answer["duplicate"] = true;
    return api::JsonResponse(before->status, answer);
  }
  auto done = act(source);
  if (!done) {
    if (auto dropped = d->Settle(source, event_id, 400, ""); !dropped)
      return ErrorResponse(dropped.error());
    return Refusal(done.error());
  }
  (*done)["event_id"] = event_id;
  (*done)["duplicate"] = false;
  if (auto kept = d->Settle(source, event_id, 200, done->dump()); !kept)
    return ErrorResponse(kept.error());
  return api::JsonResponse(200, *done);
}

Result<TimePoint> TimeField(api::JsonBody& body, const std::string& key) {
  ZHIDU_TRY(auto text, body.RequiredString(key));
  auto t = ParseIso8601(text);
  if (!t)
    return Fail(Errc::kInvalidArgument, key + " must be an ISO 8601 time with an offset", key);
  return *t;
}

}  // namespace

void AddRoutes(api::Router& r, Devices* d, const Clock* clock) {
  using api::Access;
  // {"event_id", "door", "direction": "in"|"out", "visit_id"} (a visitor's card), or
  // {"event_id", "door", "direction", "person_id"} (a person's card: a check-in in the door's
  // room), or {"event_id", "door", "direction", "card_no"} (a card of the site's register: its
  // person's)
  r.Add(
      "POST", "/api/v1/integrations/doors/{source}/events", Access::kPublic,
      [d, clock](HttpRequest& req) {
        return Inbound(
            d, clock, kDoors, req,
            [d](api::JsonBody& body, std::string& event_id) -> Result<Action> {
              DoorEvent e;
              ZHIDU_TRY(e.event_id, body.RequiredString("event_id"));
              event_id = e.event_id;
              ZHIDU_TRY(e.door, body.RequiredString("door"));
              ZHIDU_TRY(auto direction, body.RequiredString("direction"));
              if (direction != "in" && direction != "out")
                return Fail(Errc::kInvalidArgument, "direction must be in or out", "direction");
              e.entering = direction == "in";
              ZHIDU_TRY(e.person_id, body.OptionalId("person_id"));
              ZHIDU_TRY(e.card_no, body.OptionalString("card_no"));
              if (e.person_id != 0 && !e.card_no.empty())
                return Fail(Errc::kInvalidArgument,
                            "an event names a person_id or a card_no, not both", "card_no");
              if (e.person_id != 0 || !e.card_no.empty()) {
                if (body.json().contains("visit_id"))
                  return Fail(
                      Errc::kInvalidArgument,
                      "an event names a visit_id or a person (person_id, card_no), not both",
                      "visit_id");
                return Action(
                    std::in_place_type<WholeAct>, [d, e](const Source& s) -> Result<Whole> {
                      ZHIDU_TRY(auto done, d->CheckIn(s, e, [&e](const rooms::Presence* p) {
                        return json{{"event_id", e.event_id},
                                    {"presence", p ? PresenceJson(*p) : json(nullptr)}}
                            .dump();
                      }));
                      if (done.before && done.before->status == 0)
                        return Fail(Errc::kConflict, Reason{"device.event_in_progress"},
                                    "event " + e.event_id + " is being handled by another request");
                      Whole out;
                      out.before = done.before.has_value();
                      out.answer =
                          json::parse(done.before ? done.before->body : done.body, nullptr, false);
                      if (!out.answer.is_object()) out.answer = json::object();
                      return out;
                    });
              }
              ZHIDU_TRY(e.visit_id, body.RequiredId("visit_id"));
              return Action(std::in_place_type<Act>, [d, e](const Source& s) -> Result<json> {
                ZHIDU_TRY(auto v, d->Door(s, e));
                return json{
                    {"visit",
                     {{"id", v.visit.id}, {"place", v.visit.place}, {"state", v.visit.state}}}};
              });
            });
      });
  // {"event_id", "camera", "starts_at", "ends_at", "storage_ref", "tape"?}
  r.Add("POST", "/api/v1/integrations/recorders/{source}/events", Access::kPublic,
        [d, clock](HttpRequest& req) {
          return Inbound(d, clock, kRecorders, req,
                         [d](api::JsonBody& body, std::string& event_id) -> Result<Action> {
                           RecorderEvent e;
                           ZHIDU_TRY(e.event_id, body.RequiredString("event_id"));
                           event_id = e.event_id;
                           ZHIDU_TRY(e.camera, body.RequiredString("camera"));
                           ZHIDU_TRY(e.starts_at, TimeField(body, "starts_at"));
                           ZHIDU_TRY(e.ends_at, TimeField(body, "ends_at"));
                           ZHIDU_TRY(e.storage_ref, body.RequiredString("storage_ref"));
                           ZHIDU_TRY(e.tape, body.OptionalString("tape"));
                           return Action(
                               std::in_place_type<Act>, [d, e](const Source& s) -> Result<json> {
                                 ZHIDU_TRY(auto f, d->Recorder(s, e));
                                 return json{{"footage",
                                              {{"id", f.segment.id},
                                               {"camera", f.segment.camera},
                                               {"keep_until", api::TimeOrNull(f.keep_until)}}}};
                               });
                         });
        });

  // The card register (门禁卡, devices.manage): {"site_id", "card_no", "person_id"} → 201, or 200
  // when the card is the person's already; ?site_id= lists; DELETE ?site_id=&card_no= revokes.
  r.Add("POST", "/api/v1/integrations/cards", Access::kSignedIn, [d](HttpRequest& req) {
    if (!d) return Unavailable();
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto site_id, body.RequiredId("site_id"));
    ZHIDU_OR_ERROR(auto card_no, body.RequiredString("card_no"));
    ZHIDU_OR_ERROR(auto person_id, body.RequiredId("person_id"));
    if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto c, d->IssueCard(api::PrincipalOf(req), site_id, card_no, person_id));
    return api::JsonResponse(c.issued_now ? 201 : 200, CardJson(c));
  });
  r.Add("GET", "/api/v1/integrations/cards", Access::kSignedIn, [d](HttpRequest& req) {
    if (!d) return Unavailable();
    ZHIDU_OR_ERROR(auto site_id, api::QueryId(req, "site_id"));
    ZHIDU_OR_ERROR(auto rows, d->Cards(api::PrincipalOf(req), site_id));
    json items = json::array();
    for (const auto& c : rows) items.push_back(CardJson(c));
    return api::JsonResponse(200, {{"items", std::move(items)}, {"next_cursor", nullptr}});
  });
  r.Add("DELETE", "/api/v1/integrations/cards", Access::kSignedIn, [d](HttpRequest& req) {
    if (!d) return Unavailable();
    ZHIDU_OR_ERROR(auto site_id, api::QueryId(req, "site_id"));
    const std::string card_no = api::QueryString(req, "card_no");
    if (auto done = d->RevokeCard(api::PrincipalOf(req), site_id, card_no); !done)
      return ErrorResponse(done.error());
    return HttpResponse{204, "", "", {}};
  });

  // Administration (devices.manage).
  // {"name", "kind", "site_id", "account_id", "points": {id: place-or-camera}, "tolerance_s",
  //  "rooms"?: {door: room id}}
  r.Add("POST", "/api/v1/integrations/sources", Access::kSignedIn, [d](HttpRequest& req) {
    if (!d) return Unavailable();
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    NewSource in;
    ZHIDU_OR_ERROR(in.name, body.RequiredString("name"));
    ZHIDU_OR_ERROR(in.kind, body.RequiredString("kind"));
    ZHIDU_OR_ERROR(in.site_id, body.RequiredId("site_id"));
    ZHIDU_OR_ERROR(in.account_id, body.RequiredId("account_id"));
    ZHIDU_OR_ERROR(auto tolerance, body.RequiredInt("tolerance_s"));
    ZHIDU_OR_ERROR(auto points, body.OptionalObject("points"));
    ZHIDU_OR_ERROR(auto rooms, body.OptionalObject("rooms"));
    if (auto extra = body.NoOtherFields(); !extra) return ErrorResponse(extra.error());
    if (tolerance < 1 || tolerance > kMaxTolerance)
      return ErrorResponse(
          {Errc::kInvalidArgument, "tolerance_s must be 1 to 3600 seconds", "tolerance_s"});
    in.tolerance_s = static_cast<int>(tolerance);
    if (points)
      for (const auto& [k, v] : points->items()) {
        if (!v.is_string())
          return ErrorResponse({Errc::kInvalidArgument,
                                "points maps each door or camera id to a name (a string)",
                                "points"});
        in.points[k] = v.get<std::string>();
      }
    if (rooms)
      for (const auto& [k, v] : rooms->items()) {
        if (!v.is_number_integer())
          return ErrorResponse(
              {Errc::kInvalidArgument, "rooms maps each door id to a room id (a number)", "rooms"});
        in.rooms[k] = v.get<Id>();
      }
    ZHIDU_OR_ERROR(auto s, d->Create(api::PrincipalOf(req), in));
    return api::JsonResponse(201, SourceJson(s, true));
  });
  r.Add("GET", "/api/v1/integrations/sources", Access::kSignedIn, [d](HttpRequest& req) {
    if (!d) return Unavailable();
    ZHIDU_OR_ERROR(auto rows, d->List(api::PrincipalOf(req)));
    json items = json::array();
    for (const auto& s : rows) items.push_back(SourceJson(s, false));
    return api::JsonResponse(200, {{"items", std::move(items)}, {"next_cursor", nullptr}});
  });
  r.Add("GET", "/api/v1/integrations/sources/{id}", Access::kSignedIn, [d](HttpRequest& req) {
    if (!d) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto s, d->Get(api::PrincipalOf(req), id));
    return api::JsonResponse(200, SourceJson(s, false));
  });
  r.Add("POST", "/api/v1/integrations/sources/{id}/rotate", Access::kSignedIn,
        [d](HttpRequest& req) {
          if (!d) return Unavailable();
          ZHIDU_OR_ERROR(auto id, api::PathId(req));
          ZHIDU_OR_ERROR(auto s, d->Rotate(api::PrincipalOf(req), id));
          return api::JsonResponse(200, SourceJson(s, true));
        });
  r.Add("DELETE", "/api/v1/integrations/sources/{id}", Access::kSignedIn, [d](HttpRequest& req) {
    if (!d) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto s, d->Delete(api::PrincipalOf(req), id));
    (void)s;
    return HttpResponse{204, "", "", {}};
  });
}

}  // namespace zhidu::devices
