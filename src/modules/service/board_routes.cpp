// The supervisor board and a customer's overview over HTTP (issue 18 §10). The rules are in
// board.cpp and overview.cpp.
#include <nlohmann/json.hpp>

#include "api/api.hpp"
#include "api/api_internal.hpp"
#include "modules/service/board.hpp"
#include "modules/service/module.hpp"
#include "modules/service/overview.hpp"
#include "modules/service/route_json.hpp"

namespace zhidu::service {

using api::ErrorResponse;
using api::HttpRequest;
using nlohmann::json;

namespace {

json BoardTicketJson(const BoardTicket& b, TimePoint now) {
  return {{"id", b.id},
          {"subject", b.subject},
          {"state", b.state},
          {"priority", b.priority},
          {"assignee", b.assignee ? json(b.assignee) : json(nullptr)},
          {"assignee_name", b.assignee_name},
          {"created_at", api::TimeOrNull(b.created_at)},
          {"waiting_minutes",
           std::chrono::duration_cast<std::chrono::minutes>(now - b.created_at).count()},
          {"breached", b.breached},
          {"at_risk", b.at_risk}};
}

json BoardJson(const ServiceBoard& board) {
  json queues = json::array();
  for (const auto& q : board.queues) {
    json agents = json::array();
    for (const auto& a : q.agents)
      agents.push_back({{"person_id", a.person_id},
                        {"name", a.name},
                        {"on_post_since", api::TimeOrNull(a.on_post_since)},
                        {"load", a.load}});
    json tickets = json::array();
    for (const auto& b : q.tickets) tickets.push_back(BoardTicketJson(b, board.at));
    queues.push_back(
        {{"queue_post_id", q.queue_post_id},
         {"queue", q.queue},
         {"title", q.title},
         {"states", {{"new", q.new_count}, {"open", q.open_count}, {"pending", q.pending_count}}},
         {"open_total", q.new_count + q.open_count + q.pending_count},
         {"unassigned", q.unassigned},
         {"at_risk", q.at_risk},
         {"breached", q.breached},
         {"oldest", q.oldest ? BoardTicketJson(*q.oldest, board.at) : json(nullptr)},
         {"agents", std::move(agents)},
         {"tickets", std::move(tickets)}});
  }
  return {{"site_id", board.site_id},
          {"site", board.site_name},
          {"at", api::TimeOrNull(board.at)},
          {"queues", std::move(queues)}};
}

json OverviewJson(const CustomerOverview& v) {
  json surveys = json::array();
  for (const auto& s : v.surveys)
    surveys.push_back({{"ticket_id", s.ticket_id},
                       {"subject", s.subject},
                       {"channel", SurveyChannelName(s.channel)},
                       {"score", s.score ? json(s.score) : json(nullptr)},
                       {"scale_size", s.scale_size ? json(s.scale_size) : json(nullptr)},
                       {"label", s.label},
                       {"satisfied", s.satisfied},
                       {"reason", s.reason},
                       {"answered_at", api::TimeOrNull(s.answered_at)}});
  json forms = json::array();
  for (const auto& f : v.forms)
    forms.push_back({{"ticket_id", f.ticket_id},
                     {"subject", f.subject},
                     {"instance_id", f.instance_id},
                     {"procedure", f.procedure},
                     {"title", f.title},
                     {"state", f.state},
                     {"state_title", f.state_title},
                     {"open", f.open}});
  json feedback = json::array();
  for (size_t i = 0; i < v.feedback.size(); ++i) {
    const auto& f = v.feedback[i];
    feedback.push_back({{"id", f.id},
                        {"category", f.category},
                        {"category_label", v.feedback_labels[i]},
                        {"detail", f.detail},
                        {"created_at", api::TimeOrNull(f.created_at)}});
  }
  json callbacks = json::array();
  for (const auto& b : v.callbacks)
    callbacks.push_back({{"id", b.id},
                         {"phone", b.phone},
                         {"reason", b.reason},
                         {"promised_at", api::TimeOrNull(b.promised_at)},
                         {"done_at", api::TimeOrNull(b.done_at)},
                         {"outcome", b.outcome}});
  return {
      {"customer_id", v.customer.id},
      {"site_id", v.customer.site_id},
      {"name", v.customer.name},
      {"grade", v.customer.grade},
      {"counts",
       {{"contacts", v.contacts},
        {"tickets", v.tickets},
        {"open_tickets", v.open_tickets},
        {"complaints", v.complaints},
        {"orders", v.orders},
        {"surveys_answered", v.surveys_answered},
        {"surveys_satisfied", v.surveys_satisfied}}},
      {"satisfaction_percent",
       v.surveys_answered ? json(100.0 * v.surveys_satisfied / v.surveys_answered) : json(nullptr)},
      {"surveys", std::move(surveys)},
      {"forms", std::move(forms)},
      {"feedback", std::move(feedback)},
      {"callbacks", std::move(callbacks)}};
}

}  // namespace

void AddOverviewRoutes(api::Router& r, const Overview* overview) {
  r.Add("GET", "/api/v1/service/customers/{id}/overview", api::Access::kSignedIn,
        [overview](HttpRequest& req) {
          if (!overview) return Unavailable();
          ZHIDU_OR_ERROR(auto id, api::PathId(req));
          ZHIDU_OR_ERROR(auto out, overview->Of(api::PrincipalOf(req), id));
          return api::JsonResponse(200, OverviewJson(out));
        });
}

void AddBoardRoutes(api::Router& r, const Board* board) {
  // ?site_id= — the queues the reader supervises (403 service.board_denied: none)
  r.Add("GET", "/api/v1/service/board", api::Access::kSignedIn, [board](HttpRequest& req) {
    if (!board) return Unavailable();
    ZHIDU_OR_ERROR(auto site_id, api::QueryId(req, "site_id"));
    ZHIDU_OR_ERROR(auto out, board->Of(api::PrincipalOf(req), site_id));
    return api::JsonResponse(200, BoardJson(out));
  });
}

}  // namespace zhidu::service
