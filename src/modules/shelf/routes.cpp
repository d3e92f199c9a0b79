// The lounge shelf over HTTP (/api/v1/shelf/…). Handlers translate JSON; the rules are in
// shelf.cpp.
#include <nlohmann/json.hpp>

#include "api/api.hpp"
#include "api/api_internal.hpp"
#include "api/json_body.hpp"
#include "modules/shelf/module.hpp"

namespace zhidu::shelf {

using api::ErrorResponse;
using api::HttpRequest;
using api::HttpResponse;
using nlohmann::json;

namespace {

HttpResponse Unavailable() {
  return api::ErrorResponse({Errc::kUnavailable, "the shelf is not running", ""});
}

json GoodsJson(const Goods& g) {
  return {{"id", g.id},
          {"site_id", g.site_id},
          {"post_id", g.post_id},
          {"name", g.name},
          {"unit_price_fen", g.unit_price_fen},
          {"stock", g.stock},
          {"created_at", api::TimeOrNull(g.created_at)}};
}

json MoveJson(const Move& m) {
  return {{"id", m.id},
          {"goods_id", m.goods_id},
          {"post_id", m.post_id},
          {"kind", MoveKindName(m.kind)},
          {"quantity", m.quantity},
          {"amount_fen", m.amount_fen},
          {"reconciliation_id", api::IdOrNull(m.reconciliation_id)},
          {"note", m.note},
          {"by", m.by},
          {"at", api::TimeOrNull(m.at)}};
}

json LinesJson(const std::vector<Line>& lines) {
  json out = json::array();
  for (const auto& l : lines)
    out.push_back({{"goods_id", l.goods_id},
                   {"name", l.name},
                   {"expected", l.expected},
                   {"counted", l.counted},
                   {"variance", l.variance},
                   {"variance_fen", l.variance_fen}});
  return out;
}

json StocktakeJson(const Stocktake& s, const std::vector<std::string>& clauses) {
  return {{"id", s.id},
          {"site_id", s.site_id},
          {"post_id", s.post_id},
          {"day", s.day},
          {"slot", SlotName(s.slot)},
          {"counted_by", s.counted_by},
          {"person_id", api::IdOrNull(s.person_id)},
          {"at", api::TimeOrNull(s.at)},
          {"duty_id", api::IdOrNull(s.duty_id)},
          {"variance", Pieces(s.lines)},
          {"lines", LinesJson(s.lines)},
          {"clauses", clauses}};
}

json ReconciliationJson(const Reconciliation& r, const std::vector<std::string>& clauses) {
  return {{"id", r.id},
          {"site_id", r.site_id},
          {"post_id", r.post_id},
          {"week", r.week},
          {"sales_fen", r.sales_fen},
          {"cash_fen", r.cash_fen},
          {"takings_variance_fen", r.takings_variance_fen},
          {"stock_variance_fen", r.stock_variance_fen},
          {"request_id", api::IdOrNull(r.request_id)},
          {"duty_id", api::IdOrNull(r.duty_id)},
          {"state", r.state},
          {"recorded_by", r.recorded_by},
          {"person_id", api::IdOrNull(r.person_id)},
          {"at", api::TimeOrNull(r.at)},
          {"note", r.note},
          {"lines", LinesJson(r.lines)},
          {"clauses", clauses}};
}

json LossJson(const Loss& l, const std::vector<std::string>& clauses) {
  return {{"id", l.id},
          {"site_id", l.site_id},
          {"post_id", l.post_id},
          {"person_id", l.person_id},
          {"reconciliation_id", api::IdOrNull(l.reconciliation_id)},
          {"compensation_fen", l.compensation_fen},
          {"violation_id", api::IdOrNull(l.violation_id)},
          {"note", l.note},
          {"recorded_by", l.recorded_by},
          {"at", api::TimeOrNull(l.at)},
          {"clauses", clauses}};
}

// [{"goods_id", "counted"}…] (required, an array of objects with integer fields).
Result<std::vector<Counted>> CountsOf(api::JsonBody& body) {
  ZHIDU_TRY(auto raw, body.OptionalArray("counts"));
  if (!raw || !raw->is_array())
    return Fail(Errc::kInvalidArgument, kRequired,
                "counts is required: [{\"goods_id\", \"counted\"}…]", "counts");
  std::vector<Counted> out;
  for (size_t i = 0; i < raw->size(); ++i) {
    const auto& c = (*raw)[i];
    std::string field = "counts[" + std::to_string(i) + "]";
    if (!c.is_object() || !c.contains("goods_id") || !c["goods_id"].is_number_integer())
      return Fail(Errc::kInvalidArgument, kInvalid, field + ".goods_id must be an id",
                  field + ".goods_id");
    if (!c.contains("counted") || !c["counted"].is_number_integer())
      return Fail(Errc::kInvalidArgument, Reason{"shelf.bad_quantity"},
                  field + ".counted must be a whole number >= 0", field + ".counted");
    if (c.size() != 2)
      return Fail(Errc::kInvalidArgument, kInvalid,
                  field +
                      " has fields other than goods_id and "
                      "counted",
                  field);
    out.push_back({c["goods_id"].get<std::int64_t>(), c["counted"].get<std::int64_t>()});
  }
  return out;
}

}  // namespace

void AddRoutes(api::Router& r, Shelf* shelf) {
  using api::Access;
  // ?site_id= : the site's shelves (posts with a stocktake duty in the pack).
  r.Add("GET", "/api/v1/shelf/posts", Access::kSignedIn, [shelf](HttpRequest& req) {
    if (!shelf) return Unavailable();
    ZHIDU_OR_ERROR(auto site_id, api::QueryId(req, "site_id"));
    ZHIDU_OR_ERROR(auto posts, shelf->Shelves(api::PrincipalOf(req), site_id));
    json items = json::array();
    for (const auto& p : posts) items.push_back({{"id", p.id}, {"name", p.name}});
    return api::JsonResponse(200, {{"items", items}, {"clauses", shelf->Clauses()}});
  });
  // {"post_id", "name", "unit_price_fen"}
  r.Add("POST", "/api/v1/shelf/goods", Access::kSignedIn, [shelf](HttpRequest& req) {
    if (!shelf) return Unavailable();
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto post_id, body.RequiredId("post_id"));
    ZHIDU_OR_ERROR(auto name, body.RequiredString("name"));
    ZHIDU_OR_ERROR(auto price, body.RequiredInt("unit_price_fen"));
    if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto g, shelf->AddGoods(api::PrincipalOf(req), post_id, name, price));
    return api::JsonResponse(201, GoodsJson(g));
  });
  // ?post_id= : the shelf's goods with their book stock.
  r.Add("GET", "/api/v1/shelf/goods", Access::kSignedIn, [shelf](HttpRequest& req) {
    if (!shelf) return Unavailable();
    ZHIDU_OR_ERROR(auto post_id, api::QueryId(req, "post_id"));
    ZHIDU_OR_ERROR(auto rows, shelf->ListGoods(api::PrincipalOf(req), post_id));
    json items = json::array();
    for (const auto& g : rows) items.push_back(GoodsJson(g));
    return api::JsonResponse(200, {{"items", items}, {"clauses", shelf->Clauses()}});
  });
  // {"quantity", "note"?}
  r.Add("POST", "/api/v1/shelf/goods/{id}/receipts", Access::kSignedIn, [shelf](HttpRequest& req) {
    if (!shelf) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto quantity, body.RequiredInt("quantity"));
    ZHIDU_OR_ERROR(auto note, body.OptionalString("note"));
    if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto m, shelf->Receive(api::PrincipalOf(req), id, quantity, note));
    return api::JsonResponse(201, MoveJson(m));
  });
  // {"quantity"}: amount = unit price × quantity.
  r.Add("POST", "/api/v1/shelf/goods/{id}/sales", Access::kSignedIn, [shelf](HttpRequest& req) {
    if (!shelf) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto quantity, body.RequiredInt("quantity"));
    if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto m, shelf->Sell(api::PrincipalOf(req), id, quantity));
    return api::JsonResponse(201, MoveJson(m));
  });
  // ?post_id=&kind=receipt|sale|adjust&limit=&cursor=
  r.Add("GET", "/api/v1/shelf/moves", Access::kSignedIn, [shelf](HttpRequest& req) {
    if (!shelf) return Unavailable();
    ZHIDU_OR_ERROR(auto page, api::PageOf(req));
    ZHIDU_OR_ERROR(auto post_id, api::QueryId(req, "post_id"));
    std::optional<MoveKind> kind;
    if (auto k = api::QueryString(req, "kind"); !k.empty()) {
      if (k == "receipt")
        kind = MoveKind::kReceipt;
      else if (k == "sale")
        kind = MoveKind::kSale;
      else if (k == "adjust")
        kind = MoveKind::kAdjust;
      else
        return api::ErrorResponse(
            {Errc::kInvalidArgument, "kind must be receipt, sale or adjust", "kind"});
    }
    ZHIDU_OR_ERROR(auto rows, shelf->Moves(api::PrincipalOf(req), post_id, kind, page));
    return api::List(rows, page, MoveJson, [](const Move& m) { return m.id; });
  });
  // {"post_id", "slot": "open"|"close", "day"?, "counts": [{"goods_id", "counted"}…]}
  r.Add("POST", "/api/v1/shelf/stocktakes", Access::kSignedIn, [shelf](HttpRequest& req) {
    if (!shelf) return Unavailable();
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto post_id, body.RequiredId("post_id"));
    ZHIDU_OR_ERROR(auto slot_name, body.RequiredString("slot"));
    ZHIDU_OR_ERROR(auto day, body.OptionalString("day"));
    ZHIDU_OR_ERROR(auto counts, CountsOf(body));
    if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto slot, ParseSlot(slot_name));
    ZHIDU_OR_ERROR(auto s, shelf->TakeStock(api::PrincipalOf(req), post_id, slot, day, counts));
    return api::JsonResponse(201, StocktakeJson(s, shelf->Clauses()));
  });
  r.Add("GET", "/api/v1/shelf/stocktakes", Access::kSignedIn, [shelf](HttpRequest& req) {
    if (!shelf) return Unavailable();
    ZHIDU_OR_ERROR(auto page, api::PageOf(req));
    ZHIDU_OR_ERROR(auto post_id, api::QueryId(req, "post_id"));
    ZHIDU_OR_ERROR(auto rows, shelf->Stocktakes(api::PrincipalOf(req), post_id, page));
    auto clauses = shelf->Clauses();
    return api::List(
        rows, page, [&](const Stocktake& s) { return StocktakeJson(s, clauses); },
        [](const Stocktake& s) { return s.id; });
  });
  // {"post_id", "week"?, "cash_fen", "counts": […], "note"?}
  r.Add("POST", "/api/v1/shelf/reconciliations", Access::kSignedIn, [shelf](HttpRequest& req) {
    if (!shelf) return Unavailable();
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto post_id, body.RequiredId("post_id"));
    ZHIDU_OR_ERROR(auto week, body.OptionalString("week"));
    ZHIDU_OR_ERROR(auto cash, body.RequiredInt("cash_fen"));
    ZHIDU_OR_ERROR(auto note, body.OptionalString("note"));
    ZHIDU_OR_ERROR(auto counts, CountsOf(body));
    if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto v,
                   shelf->Reconcile(api::PrincipalOf(req), post_id, week, cash, counts, note));
    return api::JsonResponse(201, ReconciliationJson(v, shelf->Clauses()));
  });
  r.Add("GET", "/api/v1/shelf/reconciliations", Access::kSignedIn, [shelf](HttpRequest& req) {
    if (!shelf) return Unavailable();
    ZHIDU_OR_ERROR(auto page, api::PageOf(req));
    ZHIDU_OR_ERROR(auto post_id, api::QueryId(req, "post_id"));
    ZHIDU_OR_ERROR(auto rows, shelf->Reconciliations(api::PrincipalOf(req), post_id, page));
    auto clauses = shelf->Clauses();
    return api::List(
        rows, page, [&](const Reconciliation& v) { return ReconciliationJson(v, clauses); },
        [](const Reconciliation& v) { return v.id; });
  });
  r.Add("GET", "/api/v1/shelf/reconciliations/{id}", Access::kSignedIn, [shelf](HttpRequest& req) {
    if (!shelf) return Unavailable();
    ZHIDU_OR_ERROR(auto id, api::PathId(req));
    ZHIDU_OR_ERROR(auto v, shelf->GetReconciliation(api::PrincipalOf(req), id));
    return api::JsonResponse(200, ReconciliationJson(v, shelf->Clauses()));
  });
  // {"post_id", "person_id", "compensation_fen", "reconciliation_id"?, "note"}
  r.Add("POST", "/api/v1/shelf/losses", Access::kSignedIn, [shelf](HttpRequest& req) {
    if (!shelf) return Unavailable();
    ZHIDU_OR_ERROR(auto body, api::JsonBody::Parse(req.body));
    ZHIDU_OR_ERROR(auto post_id, body.RequiredId("post_id"));
    ZHIDU_OR_ERROR(auto person_id, body.RequiredId("person_id"));
    ZHIDU_OR_ERROR(auto amount, body.RequiredInt("compensation_fen"));
    ZHIDU_OR_ERROR(auto rec, body.OptionalId("reconciliation_id"));
    ZHIDU_OR_ERROR(auto note, body.RequiredString("note"));
    if (auto extra = body.NoOtherFields(); !extra) return api::ErrorResponse(extra.error());
    ZHIDU_OR_ERROR(auto l,
                   shelf->RecordLoss(api::PrincipalOf(req), post_id, person_id, amount, rec, note));
    return api::JsonResponse(201, LossJson(l, shelf->Clauses()));
  });
  r.Add("GET", "/api/v1/shelf/losses", Access::kSignedIn, [shelf](HttpRequest& req) {
    if (!shelf) return Unavailable();
    ZHIDU_OR_ERROR(auto page, api::PageOf(req));
    ZHIDU_OR_ERROR(auto post_id, api::QueryId(req, "post_id"));
    ZHIDU_OR_ERROR(auto rows, shelf->Losses(api::PrincipalOf(req), post_id, page));
    auto clauses = shelf->Clauses();
    return api::List(
        rows, page, [&](const Loss& l) { return LossJson(l, clauses); },
        [](const Loss& l) { return l.id; });
  });
}

}  // namespace zhidu::shelf
