// Orders over HTTP (/api/v1/service/orders…, issue 18 §6). Handlers translate JSON; the rules are
// in orders.cpp.
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

json OrderJson(const Order& o) {
  json items = json::array();
  for (const auto& i : o.items)
    items.push_back({{"name", i.name}, {"sku", i.sku}, {"quantity", i.quantity}});
  return {{"id", o.id},
          {"site_id", o.site_id},
          {"no", o.no},
          {"customer_id", o.customer_id},
          {"customer", o.customer},
          {"agent", api::IdOrNull(o.agent)},
          {"kind", OrderKindName(o.kind)},
          {"items", std::move(items)},
          {"pieces", o.pieces},
          {"special_requirements", o.special_requirements},
          {"remarks", o.remarks},
          {"urgent", o.urgent},
          {"promised_date", o.promised_date.empty() ? json(nullptr) : json(o.promised_date)},
          {"state", OrderStateName(o.state)},
          {"review_request_id", api::IdOrNull(o.review_request_id)},
          {"notice_record", o.notice_record},
          {"notice_at", api::TimeOrNull(o.notice_at)},
          {"shipped_at", api::TimeOrNull(o.shipped_at)},
          {"stock_out_at", api::TimeOrNull(o.stock_out_at)},
          {"agreed_at", api::TimeOrNull(o.agreed_at)},
          {"stock_out_note", o.stock_out_note},
          {"created_by", o.created_by},
          {"created_at", api::TimeOrNull(o.created_at)},
          {"updated_at", api::TimeOrNull(o.updated_at)}};
}

json OrderViewJson(const OrderView& v) {
  json out = OrderJson(v.order);
  json reviews = json::array();
  for (const auto& r : v.reviews)
    reviews.push_back({{"step", r.step},
                       {"roles", r.roles},
                       {"decision", r.decision.empty() ? json(nullptr) : json(r.decision)},
                       {"account_id", api::IdOrNull(r.account_id)},
                       {"at", api::TimeOrNull(r.at)}});
  json returns = json::array();
  for (const auto& r : v.returns)
    returns.push_back({{"id", r.id},
                       {"kind", ReturnKindName(r.kind)},
                       {"reason", r.reason},
                       {"created_by", r.created_by},
                       {"at", api::TimeOrNull(r.created_at)}});
  out["review_state"] = v.review_state.empty() ? json(nullptr) : json(v.review_state);
  out["reviews"] = std::move(reviews);
  out["deadlines"] = DeadlinesJson(v.deadlines);
  out["procedures"] = ProceduresJson(v.procedures);
  out["returns"] = std::move(returns);
  // The ship-by time: the due time of the pack's cut-off deadline on the order (orders.hpp).
  out["ship_by"] = api::TimeOrNull(v.ship_by);
  out["shipped_on_time"] = v.shipped_on_time ? json(*v.shipped_on_time) : json(nullptr);
  return out;
}

Result<std::vector<OrderItem>> Items(api::JsonBody& body) {
  ZHIDU_TRY(auto items, body.OptionalArray("items"));
  if (!items) return std::vector<OrderItem>{};
  if (!items->is_array())
    return Fail(Errc::kInvalidArgument, kInvalid, "items must be an array of items", "items");
  std::vector<OrderItem> out;
  for (size_t i = 0; i < items->size(); ++i) {
    const json& item = (*items)[i];
    std::string at = "items[" + std::to_string(i) + "]";
    if (!item.is_object())
      return Fail(Errc::kInvalidArgument, kInvalid, at + " must be an object", at);
    OrderItem v;
    for (auto it = item.begin(); it != item.end(); ++it) {
      const std::string& key = it.key();
      if (key == "name" || key == "sku") {
        if (!it->is_string())
          return Fail(Errc::kInvalidArgument, kInvalid, at + "." + key + " must be text",
                      at + "." + key);
        (key == "name" ? v.name : v.sku) = it->get<std::string>();
      } else if (key == "quantity") {
        if (!it->is_number_integer())
          return Fail(Errc::kInvalidArgument, Reason{"order.quantity_invalid"},
                      "a quantity is a whole number of pieces", at + ".quantity");
        v.quantity = it->get<std::int64_t>();
      } else {
        return Fail(Errc::kInvalidArgument, kInvalid, "unknown field \"" + key + "\"",
                    at + "." + key);
      }
    }
    if (!item.contains("quantity"))
      return Fail(Errc::kInvalidArgument, kRequired, at + ".quantity is required",
                  at + ".quantity");
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace

void AddOrderRoutes(api::Router& r, Service* s) {
  using api::Access;
  // {"site_id","customer_id","kind":"retail|bulk","items":[{"name","sku"?,"quantity"}],
  //  "special_requirements"?,"remarks"?,"urgent"?,"promised_date"?:"YYYY-MM-DD"}
  r.Add("POST", "/api/v1/service/orders", Access::kSignedIn, [s](HttpRequest& req) {
    if (!s) return Unavailable();
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    NewOrder in;
    ZHIDU_OR_ERROR(in.site_id, body.RequiredId("site_id"));
    ZHIDU_OR_ERROR(in.customer_id, body.RequiredId("customer_id"));
    ZHIDU_OR_ERROR(auto kind, body.RequiredString("kind"));
    ZHIDU_OR_ERROR(in.kind, ParseOrderKind(kind, "kind"));
    ZHIDU_OR_ERROR(in.items, Items(body));
    ZHIDU_OR_ERROR(in.special_requirements, body.OptionalString("special_requirements"));
    ZHIDU_OR_ERROR(in.remarks, body.OptionalString("remarks"));
    ZHIDU_OR_ERROR(in.urgent, body.OptionalBool("urgent", false));
    ZHIDU_OR_ERROR(in.promised_date, body.OptionalString("promised_date"));
    if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto v, s->CreateOrder(api::PrincipalOf(req), in));
    return api::JsonResponse(201, OrderViewJson(v));
  });
  // ?site_id=&state=&kind=&customer_id=&limit=&cursor= — newest first.
  r.Add("GET", "/api/v1/service/orders", Access::kSignedIn, [s](HttpRequest& req) {
    if (!s) return Unavailable();
    ZHIDU_OR_ERROR(auto page, api::PageOf(req));
    OrderFilter f;
    ZHIDU_OR_ERROR(f.site_id, api::QueryId(req, "site_id"));
    ZHIDU_OR_ERROR(f.customer_id, api::QueryId(req, "customer_id"));
    if (auto state = api::QueryString(req, "state"); !state.empty()) {
      ZHIDU_OR_ERROR(f.state, ParseOrderState(state, "state"));
    }
    if (auto kind = api::QueryString(req, "kind"); !kind.empty()) {
      ZHIDU_OR_ERROR(f.kind, ParseOrderKind(kind, "kind"));
    }
    ZHIDU_OR_ERROR(auto rows, s->ListOrders(api::PrincipalOf(req), f, page));
    return api::List(rows, page, OrderJson, [](const Order& o) { return o.id; });
  });
  r.Add("GET", "/api/v1/service/orders/{id}", Access::kSignedIn, [s](HttpRequest& req) {
    if (!s) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto v, s->GetOrder(api::PrincipalOf(req), id));
    return api::JsonResponse(200, OrderViewJson(v));
  });
  // {"note"?}: shipped now; stops the cut-off deadline (on time or late).
  r.Add("POST", "/api/v1/service/orders/{id}/ship", Access::kSignedIn, [s](HttpRequest& req) {
    if (!s) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body.empty() ? "{}" : req.body));
    ZHIDU_OR_ERROR(auto note, body.OptionalString("note"));
    if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto v, s->ShipOrder(api::PrincipalOf(req), id, note));
    return api::JsonResponse(200, OrderViewJson(v));
  });
  // {"agreed_at": ISO time, "note"?}: out of stock, the delivery time agreed with the customer.
  r.Add("POST", "/api/v1/service/orders/{id}/stock-out", Access::kSignedIn, [s](HttpRequest& req) {
    if (!s) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto text, body.RequiredString("agreed_at"));
    auto agreed = ParseIso8601(text);
    if (!agreed)
      return ErrorResponse({Errc::kInvalidArgument,
                            "agreed_at must be an ISO 8601 time with its offset", "agreed_at",
                            "invalid"});
    ZHIDU_OR_ERROR(auto note, body.OptionalString("note"));
    if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto v, s->StockOut(api::PrincipalOf(req), id, *agreed, note));
    return api::JsonResponse(200, OrderViewJson(v));
  });
  // {"kind":"return|exchange","reason"}
  r.Add("POST", "/api/v1/service/orders/{id}/returns", Access::kSignedIn, [s](HttpRequest& req) {
    if (!s) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto kind, body.RequiredString("kind"));
    ZHIDU_OR_ERROR(auto k, ParseReturnKind(kind, "kind"));
    ZHIDU_OR_ERROR(auto reason, body.RequiredString("reason"));
    if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto v, s->AddReturn(api::PrincipalOf(req), id, k, reason));
    return api::JsonResponse(201, OrderViewJson(v));
  });
}

}  // namespace zhidu::service
