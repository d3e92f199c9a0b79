// The lounge over HTTP (/api/v1/lounge/…). Handlers translate JSON; the rules are in lounge.cpp.
#include <cstdio>

#include <nlohmann/json.hpp>

#include "api/api.hpp"
#include "api/api_internal.hpp"
#include "api/json_body.hpp"
#include "modules/lounge/module.hpp"

namespace zhidu::lounge {

using api::ErrorResponse;
using api::HttpRequest;
using api::HttpResponse;
using nlohmann::json;

namespace {

json GuestJson(const GuestView& v) {
  const Guest& g = v.guest;
  return {{"id", g.id},
          {"site_id", g.site_id},
          {"name", g.name},
          {"phone", g.phone},
          {"state", StateName(g.state)},
          {"arrived_at", api::TimeOrNull(g.arrived_at)},
          {"checkin_due_at", api::TimeOrNull(v.checkin_due_at)},
          {"checkin_state", v.checkin_state.empty() ? json(nullptr) : json(v.checkin_state)},
          {"train_no", g.train_no},
          {"departure_at", api::TimeOrNull(g.departure_at)},
          {"carriage", g.carriage},
          {"seat", g.seat},
          {"card_kind", g.card_kind},
          {"card_no", g.card_no},
          {"checked_in_at", api::TimeOrNull(g.checked_in_at)},
          {"checked_in_by", api::IdOrNull(g.checked_in_by)},
          {"attendant_person_id", api::IdOrNull(g.attendant)},
          {"reminder_at", api::TimeOrNull(g.reminder_at)},
          {"reminder_state", v.reminder_state.empty() ? json(nullptr) : json(v.reminder_state)},
          {"notice_at", api::TimeOrNull(g.notice_at)},
          {"notice_note", g.notice_note},
          {"reminded_at", api::TimeOrNull(g.reminded_at)},
          {"escorted_at", api::TimeOrNull(g.escorted_at)},
          {"missed_at", api::TimeOrNull(g.missed_at)},
          {"sms_at", api::TimeOrNull(g.sms_at)},
          {"sms_id", g.sms_id},
          {"violation_code", v.violation_code.empty() ? json(nullptr) : json(v.violation_code)},
          {"note", g.note},
          {"sms_state",
           v.sms.state == SmsState::kNone ? json(nullptr) : json(SmsStateName(v.sms.state))},
          {"sms_attempts", v.sms.attempts},
          {"sms_error", v.sms.error}};
}

json MissedJson(const MissedReminder& m) {
  return {{"deadline_id", m.deadline_id},
          {"state", m.state},
          {"due_at", api::TimeOrNull(m.due_at)},
          {"breached_at", api::TimeOrNull(m.breached_at)},
          {"stopped_at", api::TimeOrNull(m.stopped_at)},
          {"escalated_to", m.escalated_to},
          {"attendant_name", m.attendant_name},
          {"guest", GuestJson(m.view)}};
}

HttpResponse Unavailable() {
  return api::ErrorResponse({Errc::kUnavailable, "the lounge is not running", ""});
}

}  // namespace

void AddRoutes(api::Router& r, Lounge* l) {
  using api::Access;
  // {"site_id", "name"?, "phone"?}
  r.Add("POST", "/api/v1/lounge/guests", Access::kSignedIn, [l](HttpRequest& req) {
    if (!l) return Unavailable();
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    NewGuest in;
    ZHIDU_OR_ERROR(in.site_id, body.RequiredId("site_id"));
    ZHIDU_OR_ERROR(in.name, body.OptionalString("name"));
    ZHIDU_OR_ERROR(in.phone, body.OptionalString("phone"));
    if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto v, l->Arrive(api::PrincipalOf(req), in));
    return api::JsonResponse(201, GuestJson(v));
  });
  // ?site_id=&state=arrived|seated|reminded|escorted|missed&limit=&cursor=
  r.Add("GET", "/api/v1/lounge/guests", Access::kSignedIn, [l](HttpRequest& req) {
    if (!l) return Unavailable();
    ZHIDU_OR_ERROR(auto page, api::PageOf(req));
    Filter f;
    ZHIDU_OR_ERROR(f.site_id, api::QueryId(req, "site_id"));
    if (auto state = api::QueryString(req, "state"); !state.empty()) {
      ZHIDU_OR_ERROR(f.state, ParseState(state));
    }
    ZHIDU_OR_ERROR(auto rows, l->List(api::PrincipalOf(req), f, page));
    return api::List(rows, page, GuestJson, [](const GuestView& v) { return v.guest.id; });
  });
  r.Add("GET", "/api/v1/lounge/guests/{id}", Access::kSignedIn, [l](HttpRequest& req) {
    if (!l) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto v, l->Get(api::PrincipalOf(req), id));
    return api::JsonResponse(200, GuestJson(v));
  });
  // {"train_no", "card_no", "departure_at"?, "card_kind"?, "carriage"?, "seat"?}
  r.Add("POST", "/api/v1/lounge/guests/{id}/check-in", Access::kSignedIn, [l](HttpRequest& req) {
    if (!l) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    CheckIn in;
    ZHIDU_OR_ERROR(in.train_no, body.RequiredString("train_no"));
    ZHIDU_OR_ERROR(in.card_no, body.RequiredString("card_no"));
    ZHIDU_OR_ERROR(in.card_kind, body.OptionalString("card_kind"));
    ZHIDU_OR_ERROR(in.carriage, body.OptionalString("carriage"));
    ZHIDU_OR_ERROR(in.seat, body.OptionalString("seat"));
    ZHIDU_OR_ERROR(auto departure, body.OptionalString("departure_at"));
    if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
    if (!departure.empty()) {
      auto t = ParseIso8601(departure);
      if (!t)
        return api::ErrorResponse({Errc::kInvalidArgument,
                                   "departure_at must be an ISO 8601 time with an offset",
                                   "departure_at", "invalid"});
      in.departure_at = *t;
    }
    ZHIDU_OR_ERROR(auto v, l->CheckInGuest(api::PrincipalOf(req), id, in));
    return api::JsonResponse(200, GuestJson(v));
  });
  r.Add("POST", "/api/v1/lounge/guests/{id}/remind", Access::kSignedIn, [l](HttpRequest& req) {
    if (!l) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto v, l->Remind(api::PrincipalOf(req), id));
    return api::JsonResponse(200, GuestJson(v));
  });
  r.Add("POST", "/api/v1/lounge/guests/{id}/escort", Access::kSignedIn, [l](HttpRequest& req) {
    if (!l) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto v, l->Escort(api::PrincipalOf(req), id));
    return api::JsonResponse(200, GuestJson(v));
  });
  // {"note"?}
  r.Add("POST", "/api/v1/lounge/guests/{id}/missed-train", Access::kSignedIn,
        [l](HttpRequest& req) {
          if (!l) return Unavailable();
          ZHIDU_OR_ERROR(auto id, api::PathId(req));
          ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body.empty() ? "{}" : req.body));
          ZHIDU_OR_ERROR(auto note, body.OptionalString("note"));
          if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
          ZHIDU_OR_ERROR(auto v, l->MissedTrain(api::PrincipalOf(req), id, note));
          return api::JsonResponse(200, GuestJson(v));
        });
  // {"text"}: the follow-up SMS through the configured relay (escorted -> done).
  r.Add("POST", "/api/v1/lounge/guests/{id}/sms", Access::kSignedIn, [l](HttpRequest& req) {
    if (!l) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto text, body.RequiredString("text"));
    if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto v, l->SendSms(api::PrincipalOf(req), id, text));
    return api::JsonResponse(200, GuestJson(v));
  });
  // ?site_id=&limit=&cursor=: the boarding reminders breached or met late (the manager's view).
  r.Add("GET", "/api/v1/lounge/missed-reminders", Access::kSignedIn, [l](HttpRequest& req) {
    if (!l) return Unavailable();
    ZHIDU_OR_ERROR(auto page, api::PageOf(req));
    ZHIDU_OR_ERROR(auto site_id, api::QueryId(req, "site_id"));
    ZHIDU_OR_ERROR(auto rows, l->MissedReminders(api::PrincipalOf(req), site_id, page));
    return api::List(rows, page, MissedJson, [](const MissedReminder& m) { return m.deadline_id; });
  });
  // {"site_id", "csv"}: replaces the site's timetable; a bad line imports nothing.
  r.Add("POST", "/api/v1/lounge/timetable", Access::kSignedIn, [l](HttpRequest& req) {
    if (!l) return Unavailable();
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto site_id, body.RequiredId("site_id"));
    ZHIDU_OR_ERROR(auto csv, body.RequiredString("csv"));
    if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto n, l->ImportTimetable(api::PrincipalOf(req), site_id, csv));
    return api::JsonResponse(200, {{"site_id", site_id}, {"imported", n}});
  });
  r.Add("GET", "/api/v1/lounge/timetable", Access::kSignedIn, [l](HttpRequest& req) {
    if (!l) return Unavailable();
    ZHIDU_OR_ERROR(auto site_id, api::QueryId(req, "site_id"));
    ZHIDU_OR_ERROR(auto rows, l->Timetable(api::PrincipalOf(req), site_id));
    json items = json::array();
    for (const auto& t : rows) {
      char hhmm[16];  // "HH:MM"; room for any int so the compiler sees no truncation
      std::snprintf(hhmm, sizeof hhmm, "%02d:%02d", t.departs / 60, t.departs % 60);
      items.push_back({{"train_no", t.train_no}, {"departs", hhmm}});
    }
    return api::JsonResponse(200, {{"items", items}});
  });
}

}  // namespace zhidu::lounge
