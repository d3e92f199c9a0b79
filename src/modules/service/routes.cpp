// Customer service over HTTP (/api/v1/service/…). Handlers translate JSON; the rules are in
// service.cpp.
#include <algorithm>

#include <nlohmann/json.hpp>

#include "api/api.hpp"
#include "api/api_internal.hpp"
#include "api/json_body.hpp"
#include "modules/service/module.hpp"
#include "modules/service/route_json.hpp"

namespace zhidu::service {

using api::ErrorResponse;
using api::HttpRequest;
using api::HttpResponse;
using nlohmann::json;

namespace {

json CustomerJson(const Customer& v, bool full) {
  return {{"id", v.id},
          {"site_id", v.site_id},
          {"kind", KindName(v.kind)},
          {"name", v.name},
          {"phones", v.phones},
          {"id_number", v.id_number},
          {"grade", v.grade},
          {"notes", v.notes},
          {"masked", !full},
          {"created_by", v.created_by},
          {"created_at", api::TimeOrNull(v.created_at)},
          {"updated_at", api::TimeOrNull(v.updated_at)}};
}

json ContactJson(const Contact& v, bool full) {
  return {{"id", v.id},
          {"site_id", v.site_id},
          {"customer_id", api::IdOrNull(v.customer_id)},
          {"channel", ChannelName(v.channel)},
          {"name", v.name},
          {"company", v.company},
          {"phone", v.phone},
          {"need", v.need},
          {"at", api::TimeOrNull(v.at)},
          {"agent", v.agent},
          {"masked", !full}};
}

json TicketJson(const Ticket& t) {
  json next = json::array();
  if (!t.merged_into)  // a merged ticket moves no more (merge.cpp)
    for (auto s : NextStates(t.state)) next.push_back(StateName(s));
  return {{"id", t.id},
          {"site_id", t.site_id},
          {"queue_post_id", t.queue_post_id},
          {"queue", t.queue},
          {"customer_id", api::IdOrNull(t.customer_id)},
          {"contact_id", api::IdOrNull(t.contact_id)},
          {"subject", t.subject},
          {"category", t.category},
          {"priority", PriorityName(t.priority)},
          {"complaint", t.complaint},
          {"state", StateName(t.state)},
          {"pauses_sla", PausesSla(t.state)},
          {"next_states", next},
          {"assignee", api::IdOrNull(t.assignee)},
          {"created_by", t.created_by},
          {"created_at", api::TimeOrNull(t.created_at)},
          {"updated_at", api::TimeOrNull(t.updated_at)},
          {"first_reply_at", api::TimeOrNull(t.first_reply_at)},
          {"resolved_at", api::TimeOrNull(t.resolved_at)},
          {"closed_at", api::TimeOrNull(t.closed_at)},
          {"merged_into", api::IdOrNull(t.merged_into)}};
}

json SurveyJson(const Survey& v) {
  json scale = v.scale.empty() ? json::array() : json(policy::ParamListItems(v.scale));
  return {{"id", v.id},
          {"channel", SurveyChannelName(v.channel)},
          {"state", SurveyStateName(v.state)},
          {"note", v.note},
          {"agent", api::IdOrNull(v.agent)},
          {"queue_post_id", v.queue_post_id},
          {"due_at", api::TimeOrNull(v.due_at)},
          {"issued_at", api::TimeOrNull(v.issued_at)},
          {"expires_at", api::TimeOrNull(v.expires_at)},
          {"answered_at", api::TimeOrNull(v.answered_at)},
          {"scale", scale},
          {"score", v.score ? json(v.score) : json(nullptr)},
          {"satisfied", v.state == SurveyState::kAnswered ? json(v.satisfied) : json(nullptr)},
          {"reason", v.reason},
          {"recorded_by", api::IdOrNull(v.recorded_by)}};
}

json ReviewJson(const QualityReview& v) {
  return {{"id", v.id},
          {"ticket_id", v.ticket_id},
          {"person_id", v.agent},
          {"score", v.score},
          {"scale", {v.scale_min, v.scale_max}},
          {"comment", v.comment},
          {"reviewer", v.reviewer},
          {"at", api::TimeOrNull(v.reviewed_at)}};
}

json ViewJson(const TicketView& v) {
  json out = TicketJson(v.ticket);
  json thread = json::array();
  for (const auto& e : v.thread)
    thread.push_back({{"id", e.id},
                      {"kind", EntryKindName(e.kind)},
                      {"body", e.body},
                      {"from_state", e.from_state},
                      {"to_state", e.to_state},
                      {"person_id", api::IdOrNull(e.person_id)},
                      {"author", e.author},
                      {"at", api::TimeOrNull(e.at)},
                      {"merged_from", api::IdOrNull(e.merged_from)},
                      {"copied_from", api::IdOrNull(e.copied_from)},
                      {"attachments", e.attachments}});
  out["thread"] = std::move(thread);
  // How often it was reopened (resolved or closed → open), from the thread.
  out["reopened"] = std::ranges::count_if(v.thread, [](const Entry& e) {
    return e.kind == EntryKind::kState && e.to_state == StateName(TicketState::kOpen) &&
           (e.from_state == StateName(TicketState::kResolved) ||
            e.from_state == StateName(TicketState::kClosed));
  });
  out["deadlines"] = DeadlinesJson(v.deadlines);
  for (size_t i = 0; i < v.clocks.size() && i < out["deadlines"].size(); ++i) {
    out["deadlines"][i]["clock"] = SlaClockName(v.clocks[i].first);
    out["deadlines"][i]["title"] = v.clocks[i].second;
  }
  json surveys = json::array();
  for (const auto& sv : v.surveys) surveys.push_back(SurveyJson(sv));
  out["surveys"] = std::move(surveys);
  json reviews = json::array();
  for (const auto& q : v.reviews) reviews.push_back(ReviewJson(q));
  out["quality_reviews"] = std::move(reviews);
  out["viewer_may_review"] = v.viewer_may_review;
  // The last survey and the last satisfaction recorded, for the desk.
  out["survey"] = v.surveys.empty() ? json(nullptr) : out["surveys"].back();
  out["satisfaction"] = nullptr;
  for (const auto& sv : v.surveys)
    if (sv.state == SurveyState::kAnswered)
      out["satisfaction"] = {{"satisfied", sv.satisfied},
                             {"score", sv.score ? json(sv.score) : json(nullptr)},
                             {"scale_size", sv.scale_size ? json(sv.scale_size) : json(nullptr)},
                             {"channel", SurveyChannelName(sv.channel)},
                             {"at", api::TimeOrNull(sv.answered_at)}};
  out["procedures"] = ProceduresJson(v.procedures);
  // Opened by the customer through a public web form: who they said they are, the phone masked.
  out["web_form"] = nullptr;
  if (v.web)
    out["web_form"] = {{"form_id", v.web->form_id},
                       {"name", v.web->name},
                       {"company", v.web->company},
                       {"phone", Mask(v.web->phone)},
                       {"at", api::TimeOrNull(v.web->at)}};
  return out;
}

// "true"/"1" -> true, absent/"false"/"0" -> false; anything else a 400 naming `key`.
Result<bool> QueryFlag(const HttpRequest& req, const std::string& key) {
  auto v = api::QueryString(req, key);
  if (v.empty() || v == "false" || v == "0") return false;
  if (v == "true" || v == "1") return true;
  return Fail(Errc::kInvalidArgument, key + " must be true or false", key);
}

Result<NewCustomer> CustomerBody(api::JsonBody& body, bool with_site) {
  NewCustomer in;
  if (with_site) {
    ZHIDU_TRY(in.site_id, body.RequiredId("site_id"));
  }
  ZHIDU_TRY(auto kind, body.RequiredString("kind"));
  ZHIDU_TRY(in.kind, ParseKind(kind));
  ZHIDU_TRY(in.name, body.RequiredString("name"));
  ZHIDU_TRY(auto phones, body.OptionalArray("phones"));
  if (!phones || !phones->is_array())
    return Fail(Errc::kInvalidArgument, "phones must be an array of phone numbers", "phones");
  for (const auto& p : *phones) {
    if (!p.is_string())
      return Fail(Errc::kInvalidArgument, "phones must be an array of phone numbers", "phones");
    in.phones.push_back(p.get<std::string>());
  }
  ZHIDU_TRY(in.id_number, body.OptionalString("id_number"));
  ZHIDU_TRY(in.grade, body.OptionalString("grade"));
  ZHIDU_TRY(in.notes, body.OptionalString("notes"));
  ZHIDU_TRY_VOID(body.NoOtherFields());
  return in;
}

// "attachments": [SHA-256, …] of uploaded images (absent: none); the rules in attachments.cpp.
Result<std::vector<std::string>> AttachmentsOf(api::JsonBody& body) {
  ZHIDU_TRY(auto list, body.OptionalArray("attachments"));
  std::vector<std::string> out;
  if (!list) return out;
  for (const auto& h : *list) {
    if (!list->is_array() || !h.is_string())
      return Fail(Errc::kInvalidArgument, kInvalid,
                  "attachments must be an array of image hashes (POST /api/v1/photos)",
                  "attachments");
    out.push_back(h.get<std::string>());
  }
  return out;
}

// A ticket as POST /service/tickets (and each item of :batch) takes it.
Result<NewTicket> NewTicketOf(api::JsonBody& body) {
  NewTicket in;
  ZHIDU_TRY(in.site_id, body.RequiredId("site_id"));
  ZHIDU_TRY(in.queue_post_id, body.RequiredId("queue_post_id"));
  ZHIDU_TRY(in.subject, body.RequiredString("subject"));
  ZHIDU_TRY(in.category, body.OptionalString("category"));
  ZHIDU_TRY(auto priority, body.OptionalString("priority", "normal"));
  ZHIDU_TRY(in.priority, ParsePriority(priority));
  ZHIDU_TRY(in.complaint, body.OptionalBool("complaint", false));
  ZHIDU_TRY(in.customer_id, body.OptionalId("customer_id"));
  ZHIDU_TRY(in.contact_id, body.OptionalId("contact_id"));
  ZHIDU_TRY(in.body, body.OptionalString("body"));
  ZHIDU_TRY(in.attachments, AttachmentsOf(body));
  ZHIDU_TRY_VOID(body.NoOtherFields());
  return in;
}

// 409 for a phone another customer holds carries that customer's id (invariant 1).
HttpResponse CustomerError(const Error& e, store::Id existing) {
  if (e.code != Errc::kConflict || existing == 0) return api::ErrorResponse(e);
  json error = api::ErrorBody(e);
  error["field"] = e.field;
  error["existing_id"] = existing;
  return api::JsonResponse(409, {{"error", std::move(error)}});
}

}  // namespace

void AddRoutes(api::Router& r, Service* s) {
  using api::Access;
  // ---- customers
  r.Add("POST", "/api/v1/service/customers", Access::kSignedIn, [s](HttpRequest& req) {
    if (!s) return Unavailable();
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto in, CustomerBody(body, true));
    store::Id existing = 0;
    auto v = s->CreateCustomer(api::PrincipalOf(req), in, &existing);
    if (!v) return CustomerError(v.error(), existing);
    // The creator typed the numbers; the answer is masked like every other read.
    auto masked = s->GetCustomer(api::PrincipalOf(req), v->id, false);
    if (!masked) return api::ErrorResponse(masked.error());
    return api::JsonResponse(201, CustomerJson(*masked, false));
  });
  // ?site_id=&q= (a name part or phone digits)&limit=&cursor=
  r.Add("GET", "/api/v1/service/customers", Access::kSignedIn, [s](HttpRequest& req) {
    if (!s) return Unavailable();
    ZHIDU_OR_ERROR(auto page, api::PageOf(req));
    ZHIDU_OR_ERROR(auto site_id, api::QueryId(req, "site_id"));
    ZHIDU_OR_ERROR(auto rows, s->ListCustomers(api::PrincipalOf(req), site_id,
                                               api::QueryString(req, "q"), page));
    return api::List(
        rows, page, [](const Customer& v) { return CustomerJson(v, false); },
        [](const Customer& v) { return v.id; });
  });
  // ?full=true: unmasked, needs the customer-data right, journaled.
  r.Add("GET", "/api/v1/service/customers/{id}", Access::kSignedIn, [s](HttpRequest& req) {
    if (!s) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto full, QueryFlag(req, "full"));
    ZHIDU_OR_ERROR(auto v, s->GetCustomer(api::PrincipalOf(req), id, full));
    return api::JsonResponse(200, CustomerJson(v, full));
  });
  r.Add("PUT", "/api/v1/service/customers/{id}", Access::kSignedIn, [s](HttpRequest& req) {
    if (!s) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto in, CustomerBody(body, false));
    store::Id existing = 0;
    auto v = s->UpdateCustomer(api::PrincipalOf(req), id, in, &existing);
    if (!v) return CustomerError(v.error(), existing);
    ZHIDU_OR_ERROR(auto masked, s->GetCustomer(api::PrincipalOf(req), id, false));
    return api::JsonResponse(200, CustomerJson(masked, false));
  });

  // ---- contacts: {"site_id", "channel", "name", "need", "company"?, "phone"?, "customer_id"?,
  // "at"?}
  r.Add("POST", "/api/v1/service/contacts", Access::kSignedIn, [s](HttpRequest& req) {
    if (!s) return Unavailable();
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    Contact in;
    ZHIDU_OR_ERROR(in.site_id, body.RequiredId("site_id"));
    ZHIDU_OR_ERROR(auto channel, body.RequiredString("channel"));
    ZHIDU_OR_ERROR(in.channel, ParseChannel(channel));
    ZHIDU_OR_ERROR(in.name, body.RequiredString("name"));
    ZHIDU_OR_ERROR(in.need, body.RequiredString("need"));
    ZHIDU_OR_ERROR(in.company, body.OptionalString("company"));
    ZHIDU_OR_ERROR(in.phone, body.OptionalString("phone"));
    ZHIDU_OR_ERROR(in.customer_id, body.OptionalId("customer_id"));
    ZHIDU_OR_ERROR(auto at, body.OptionalString("at"));
    if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
    if (!at.empty()) {
      auto t = ParseIso8601(at);
      if (!t)
        return api::ErrorResponse(
            {Errc::kInvalidArgument, "at must be an ISO 8601 time with an offset", "at"});
      in.at = *t;
    }
    ZHIDU_OR_ERROR(auto v, s->RecordContact(api::PrincipalOf(req), in));
    v.phone = Mask(v.phone);
    return api::JsonResponse(201, ContactJson(v, false));
  });
  // ?site_id=&customer_id=&full=&limit=&cursor=
  r.Add("GET", "/api/v1/service/contacts", Access::kSignedIn, [s](HttpRequest& req) {
    if (!s) return Unavailable();
    ZHIDU_OR_ERROR(auto page, api::PageOf(req));
    ZHIDU_OR_ERROR(auto site_id, api::QueryId(req, "site_id"));
    ZHIDU_OR_ERROR(auto customer_id, api::QueryId(req, "customer_id"));
    ZHIDU_OR_ERROR(auto full, QueryFlag(req, "full"));
    ZHIDU_OR_ERROR(auto rows,
                   s->ListContacts(api::PrincipalOf(req), site_id, customer_id, full, page));
    return api::List(
        rows, page, [full](const Contact& v) { return ContactJson(v, full); },
        [](const Contact& v) { return v.id; });
  });

  // ---- tickets: {"site_id", "queue_post_id", "subject", "category"?, "priority"?,
  // "complaint"?, "customer_id"?, "contact_id"?, "body"?}
  r.Add("POST", "/api/v1/service/tickets", Access::kSignedIn, [s](HttpRequest& req) {
    if (!s) return Unavailable();
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto in, NewTicketOf(body));
    ZHIDU_OR_ERROR(auto v, s->CreateTicket(api::PrincipalOf(req), in));
    return api::JsonResponse(201, ViewJson(v));
  });
  // {"tickets": [ticket, …]}: each as POST /service/tickets takes it, at most kMaxTicketBatch,
  // all in one transaction or none (README.md, "Importing tickets").
  r.Add("POST", "/api/v1/service/tickets:batch", Access::kSignedIn, [s](HttpRequest& req) {
    if (!s) return Unavailable();
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto list, body.OptionalArray("tickets"));
    if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
    if (!list || !list->is_array())
      return api::ErrorResponse(Error{Errc::kInvalidArgument, "tickets must be an array of tickets",
                                      "tickets",
                                      std::string(list ? kInvalid.name : kRequired.name)});
    if (list->size() > kMaxTicketBatch)  // before reading any: the whole batch is refused
      return api::ErrorResponse(
          Error{Errc::kInvalidArgument,
                "at most " + std::to_string(kMaxTicketBatch) + " tickets per batch", "tickets",
                std::string(kInvalid.name)});
    std::vector<NewTicket> tickets;
    tickets.reserve(list->size());
    for (size_t i = 0; i < list->size(); ++i) {
      // Each item is read by the one-ticket reader, so both take the same fields the same way.
      auto item = (*list)[i].is_object()
                      ? api::JsonBody::Parse((*list)[i].dump())
                      : Result<api::JsonBody>(Fail(Errc::kInvalidArgument, kInvalid,
                                                   "must be an object (a ticket)", ""));
      auto in = item ? NewTicketOf(*item) : Result<NewTicket>(Fail(item.error()));
      if (!in) return api::ErrorResponse(OfTicketBatchItem(in.error(), i));
      tickets.push_back(std::move(*in));
    }
    ZHIDU_OR_ERROR(auto ids, s->CreateTickets(api::PrincipalOf(req), tickets));
    return api::JsonResponse(201, {{"ids", ids}, {"count", ids.size()}});
  });
  // ?site_id=&queue_post_id=&state=&assignee=&customer_id=&q=&limit=&cursor= (q: words of the
  // subject, Chinese 2-character words too; store/text_search.hpp)
  r.Add("GET", "/api/v1/service/tickets", Access::kSignedIn, [s](HttpRequest& req) {
    if (!s) return Unavailable();
    ZHIDU_OR_ERROR(auto page, api::PageOf(req));
    TicketFilter f;
    ZHIDU_OR_ERROR(f.site_id, api::QueryId(req, "site_id"));
    ZHIDU_OR_ERROR(f.queue_post_id, api::QueryId(req, "queue_post_id"));
    ZHIDU_OR_ERROR(f.assignee, api::QueryId(req, "assignee"));
    ZHIDU_OR_ERROR(f.customer_id, api::QueryId(req, "customer_id"));
    if (auto state = api::QueryString(req, "state"); !state.empty()) {
      ZHIDU_OR_ERROR(f.state, ParseState(state));
    }
    if (auto q = api::QueryString(req, "q"); !q.empty()) {
      ZHIDU_OR_ERROR(f.query, store::ParseTextQuery(q));
    }
    ZHIDU_OR_ERROR(auto rows, s->ListTickets(api::PrincipalOf(req), f, page));
    return api::List(rows, page, TicketJson, [](const Ticket& t) { return t.id; });
  });
  r.Add("GET", "/api/v1/service/tickets/{id}", Access::kSignedIn, [s](HttpRequest& req) {
    if (!s) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto v, s->GetTicket(api::PrincipalOf(req), id));
    return api::JsonResponse(200, ViewJson(v));
  });
  // {"body"}: a public reply (the first stops the first-response deadline) or an internal note.
  for (auto [path, kind] : {std::pair{"/api/v1/service/tickets/{id}/replies", EntryKind::kReply},
                            std::pair{"/api/v1/service/tickets/{id}/notes", EntryKind::kNote}}) {
    r.Add("POST", path, Access::kSignedIn, [s, kind](HttpRequest& req) {
      if (!s) return Unavailable();
      ZHIDU_OR_ERROR(auto id, api::PathId(req));
      ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
      ZHIDU_OR_ERROR(auto text, body.RequiredString("body"));
      ZHIDU_OR_ERROR(auto images, AttachmentsOf(body));
      if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
      ZHIDU_OR_ERROR(auto v, s->AddEntry(api::PrincipalOf(req), id, kind, text, images));
      return api::JsonResponse(201, ViewJson(v));
    });
  }
  // {"body"}: the customer's message as the agent records it (issue 18 §3's next response).
  r.Add("POST", "/api/v1/service/tickets/{id}/messages", Access::kSignedIn, [s](HttpRequest& req) {
    if (!s) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto text, body.RequiredString("body"));
    ZHIDU_OR_ERROR(auto images, AttachmentsOf(body));
    if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto v, s->AddCustomerMessage(api::PrincipalOf(req), id, text, images));
    return api::JsonResponse(201, ViewJson(v));
  });
  // {"reason", "by"?: "agent|customer"}: a resolved or closed ticket reopened (issue 18 §7).
  r.Add("POST", "/api/v1/service/tickets/{id}/reopen", Access::kSignedIn, [s](HttpRequest& req) {
    if (!s) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto reason, body.RequiredString("reason"));
    ZHIDU_OR_ERROR(auto by, body.OptionalString("by", "agent"));
    if (by != "agent" && by != "customer")
      return api::ErrorResponse(
          {Errc::kInvalidArgument, "by must be agent or customer", "by", "invalid"});
    if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto v, s->Reopen(api::PrincipalOf(req), id, by == "customer", reason));
    return api::JsonResponse(200, ViewJson(v));
  });
  // {"to": "open|pending|resolved|closed", "note"?}
  r.Add("POST", "/api/v1/service/tickets/{id}/state", Access::kSignedIn, [s](HttpRequest& req) {
    if (!s) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto to, body.RequiredString("to"));
    ZHIDU_OR_ERROR(auto state, ParseState(to, "to"));
    ZHIDU_OR_ERROR(auto note, body.OptionalString("note"));
    if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto v, s->Move(api::PrincipalOf(req), id, state, note));
    return api::JsonResponse(200, ViewJson(v));
  });
  // {"priority": "low|normal|high|urgent", "note"?}: the SLA deadlines re-matched (issue 18 §3)
  r.Add("POST", "/api/v1/service/tickets/{id}/priority", Access::kSignedIn, [s](HttpRequest& req) {
    if (!s) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto name, body.RequiredString("priority"));
    ZHIDU_OR_ERROR(auto priority, ParsePriority(name, "priority"));
    ZHIDU_OR_ERROR(auto note, body.OptionalString("note"));
    if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto v, s->SetPriority(api::PrincipalOf(req), id, priority, note));
    return api::JsonResponse(200, ViewJson(v));
  });
  // ---- canned replies (常用回复, issue 18 §2; canned.cpp)
  auto canned_json = [](const CannedReply& c) {
    return json{{"id", c.id},
                {"site_id", c.site_id},
                {"queue_post_id", api::IdOrNull(c.queue_post_id)},
                {"queue", c.queue},
                {"title", c.title},
                {"body", c.body},
                {"updated_by", c.updated_by},
                {"updated_at", api::TimeOrNull(c.updated_at)}};
  };
  // ?site_id=&queue_post_id= — the site's and that queue's, by title.
  r.Add("GET", "/api/v1/service/canned-replies", Access::kSignedIn,
        [s, canned_json](HttpRequest& req) {
          if (!s) return Unavailable();
          ZHIDU_OR_ERROR(auto site_id, api::QueryId(req, "site_id"));
          ZHIDU_OR_ERROR(auto queue, api::QueryId(req, "queue_post_id"));
          ZHIDU_OR_ERROR(auto rows, s->ListCannedReplies(api::PrincipalOf(req), site_id, queue));
          json items = json::array();
          for (const auto& c : rows) items.push_back(canned_json(c));
          return api::JsonResponse(200, {{"items", std::move(items)}});
        });
  // {"site_id","queue_post_id"?,"title","body"} (POST) / {"title","body"} (PUT)
  for (const char* method : {"POST", "PUT"}) {
    bool create = std::string_view(method) == "POST";
    r.Add(method, create ? "/api/v1/service/canned-replies" : "/api/v1/service/canned-replies/{id}",
          Access::kSignedIn, [s, canned_json, create](HttpRequest& req) {
            if (!s) return Unavailable();
            CannedReply in;
            if (!create) {
              ZHIDU_OR_ERROR(in.id, api::PathId(req));
            }
            ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
            if (create) {
              ZHIDU_OR_ERROR(in.site_id, body.RequiredId("site_id"));
              ZHIDU_OR_ERROR(in.queue_post_id, body.OptionalId("queue_post_id"));
            }
            ZHIDU_OR_ERROR(in.title, body.RequiredString("title"));
            ZHIDU_OR_ERROR(in.body, body.RequiredString("body"));
            if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
            ZHIDU_OR_ERROR(auto v, s->SaveCannedReply(api::PrincipalOf(req), in));
            return api::JsonResponse(create ? 201 : 200, canned_json(v));
          });
  }
  r.Add("DELETE", "/api/v1/service/canned-replies/{id}", Access::kSignedIn, [s](HttpRequest& req) {
    if (!s) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    if (auto done = s->DeleteCannedReply(api::PrincipalOf(req), id); !done)
      return ErrorResponse(done.error());
    return HttpResponse{204, "", "", {}};
  });
  // ---- surveys (issue 18 §7): a link for the due survey, shown once; only its hash is kept.
  r.Add("POST", "/api/v1/service/tickets/{id}/survey-link", Access::kSignedIn,
        [s](HttpRequest& req) {
          if (!s) return Unavailable();
          ZHIDU_OR_ERROR(auto id, api::PathId(req));
          if (!req.body.empty()) {
            ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
            if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
          }
          TimePoint expires;
          ZHIDU_OR_ERROR(auto token, s->IssueSurveyLink(api::PrincipalOf(req), id, &expires));
          return api::JsonResponse(201, {{"ticket_id", id},
                                         {"token", token},
                                         {"url", "/#/survey/" + token},
                                         {"expires_at", api::TimeOrNull(expires)}});
        });
  // {"satisfied", "note"}: the customer's satisfaction as an agent records it after a return visit.
  r.Add("POST", "/api/v1/service/tickets/{id}/satisfaction", Access::kSignedIn,
        [s](HttpRequest& req) {
          if (!s) return Unavailable();
          ZHIDU_OR_ERROR(auto id, api::PathId(req));
          ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
          ZHIDU_OR_ERROR(auto satisfied, body.RequiredBool("satisfied"));
          ZHIDU_OR_ERROR(auto note, body.RequiredString("note"));
          if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
          ZHIDU_OR_ERROR(auto v, s->RecordSatisfaction(api::PrincipalOf(req), id, satisfied, note));
          return api::JsonResponse(201, ViewJson(v));
        });
  // ?site_id=&by=agent|queue&from=&to=: answered link surveys credited per agent or per queue.
  r.Add("GET", "/api/v1/service/satisfaction", Access::kSignedIn, [s](HttpRequest& req) {
    if (!s) return Unavailable();
    ZHIDU_OR_ERROR(auto site_id, api::QueryId(req, "site_id"));
    std::string by = api::QueryString(req, "by");
    if (by.empty()) by = "agent";
    if (by != "agent" && by != "queue")
      return api::ErrorResponse({Errc::kInvalidArgument, "by must be agent or queue", "by"});
    ZHIDU_OR_ERROR(auto from, api::QueryTime(req, "from"));
    ZHIDU_OR_ERROR(auto to, api::QueryTime(req, "to"));
    ZHIDU_OR_ERROR(auto rows,
                   s->Satisfaction(api::PrincipalOf(req), site_id, by == "queue",
                                   from.value_or(TimePoint{}), to.value_or(TimePoint{})));
    json items = json::array();
    for (const auto& row : rows)
      items.push_back({{by == "queue" ? "queue_post_id" : "person_id", row.id},
                       {"name", row.name},
                       {"answered", row.answered},
                       {"satisfied", row.satisfied},
                       {"low", row.low},
                       {"satisfaction_rate",
                        row.answered ? static_cast<double>(row.satisfied) / row.answered : 0.0},
                       {"average_score", row.average_score}});
    return api::JsonResponse(200, {{"site_id", site_id}, {"by", by}, {"items", std::move(items)}});
  });
  // The public side, no sign-in: the survey behind a link, and its one answer {"score","reason"?}.
  r.Add("GET", "/api/v1/service/surveys/{token}", Access::kPublic, [s](HttpRequest& req) {
    if (!s) return Unavailable();
    ZHIDU_OR_ERROR(auto page, s->SurveyByToken(req.params["token"]));
    const Survey& v = page.survey;
    return api::JsonResponse(200, {{"subject", page.subject},
                                   {"site", page.site},
                                   {"scale", page.scale},
                                   {"low_below", (v.scale_size + 1) / 2.0},
                                   {"expires_at", api::TimeOrNull(v.expires_at)}});
  });
  r.Add("POST", "/api/v1/service/surveys/{token}", Access::kPublic, [s](HttpRequest& req) {
    if (!s) return Unavailable();
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto score, body.RequiredInt("score"));
    ZHIDU_OR_ERROR(auto reason, body.OptionalString("reason"));
    if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto v, s->AnswerSurvey(req.params["token"], static_cast<int>(score), reason));
    return api::JsonResponse(
        201, {{"state", SurveyStateName(v.state)}, {"score", v.score}, {"satisfied", v.satisfied}});
  });
  // {"score", "comment"?}: a supervisor of the queue scores the ticket's agent (质检评分).
  r.Add(
      "POST", "/api/v1/service/tickets/{id}/quality-review", Access::kSignedIn,
      [s](HttpRequest& req) {
        if (!s) return Unavailable();
        ZHIDU_OR_ERROR(auto id, api::PathId(req));
        ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
        auto score = body.json().find("score");
        if (score == body.json().end() || score->is_null())
          return ErrorResponse({Errc::kInvalidArgument, "score is required", "score", "required"});
        if (!score->is_number())
          return ErrorResponse(
              {Errc::kInvalidArgument, "score must be a number", "score", "invalid"});
        ZHIDU_OR_ERROR(auto comment, body.OptionalString("comment"));
        for (auto it = body.json().begin(); it != body.json().end(); ++it)
          if (it.key() != "score" && it.key() != "comment")
            return ErrorResponse(
                {Errc::kInvalidArgument, "unknown field \"" + it.key() + "\"", it.key()});
        ZHIDU_OR_ERROR(auto v,
                       s->ReviewTicket(api::PrincipalOf(req), id, score->get<double>(), comment));
        return api::JsonResponse(201, ReviewJson(v));
      });
  // ?site_id=&day=YYYY-MM-DD: R14's daily statistics per agent, computed from the tickets.
  r.Add("GET", "/api/v1/service/daily-stats", Access::kSignedIn, [s](HttpRequest& req) {
    if (!s) return Unavailable();
    ZHIDU_OR_ERROR(auto site_id, api::QueryId(req, "site_id"));
    std::string day = api::QueryString(req, "day");
    if (day.empty())
      return ErrorResponse({Errc::kInvalidArgument, "day is required", "day", "required"});
    ZHIDU_OR_ERROR(auto stats, s->DailyStatsOf(api::PrincipalOf(req), site_id, day));
    json items = json::array();
    for (const auto& row : stats.rows)
      items.push_back({{"person_id", row.person_id},
                       {"name", row.name},
                       {"received", row.received.size()},
                       {"resolved", row.resolved.size()},
                       {"received_ticket_ids", row.received},
                       {"resolved_ticket_ids", row.resolved},
                       {"orders", row.orders.size()},
                       {"order_ids", row.orders},
                       {"reopened", row.reopened.size()},
                       {"reopened_ticket_ids", row.reopened}});
    return api::JsonResponse(200, {{"site_id", site_id},
                                   {"day", stats.day},
                                   {"from", api::TimeOrNull(stats.from)},
                                   {"to", api::TimeOrNull(stats.to)},
                                   {"clauses", stats.clauses},
                                   {"items", std::move(items)}});
  });
  // {"person_id", "note"?}
  r.Add("POST", "/api/v1/service/tickets/{id}/assign", Access::kSignedIn, [s](HttpRequest& req) {
    if (!s) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto person_id, body.RequiredId("person_id"));
    ZHIDU_OR_ERROR(auto note, body.OptionalString("note"));
    if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto v, s->Assign(api::PrincipalOf(req), id, person_id, note));
    return api::JsonResponse(200, ViewJson(v));
  });
  // {"into", "note"?}: the duplicate {id} merged into the ticket `into` (merge.cpp)
  r.Add("POST", "/api/v1/service/tickets/{id}/merge", Access::kSignedIn, [s](HttpRequest& req) {
    if (!s) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto into, body.RequiredId("into"));
    ZHIDU_OR_ERROR(auto note, body.OptionalString("note"));
    if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto v, s->Merge(api::PrincipalOf(req), id, into, note));
    return api::JsonResponse(200, ViewJson(v));
  });
}

}  // namespace zhidu::service
