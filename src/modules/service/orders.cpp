// Orders (orders.hpp): their rules and their statements, written once for SQLite and PostgreSQL.
#include <algorithm>
#include <charconv>

#include "base/canonical_json.hpp"
#include "base/crypto.hpp"
#include "base/text_limits.hpp"
#include "kernel/policy/rule_names.hpp"
#include "kernel/runtime/request_events.hpp"
#include "modules/service/desk.hpp"
#include "modules/service/service.hpp"

namespace zhidu::service {

namespace {

constexpr std::string_view kOrderKindNames[] = {"retail", "bulk"};
constexpr std::string_view kOrderStateNames[] = {"reviewing", "notice", "shipped"};
constexpr std::string_view kReturnKindNames[] = {"return", "exchange"};

std::string OrderRef(store::Id id) { return "order/" + std::to_string(id); }

// The pack's order review: the request declaring the order's pieces as an input (orders.hpp).
const policy::Request* ReviewType(const policy::Pack& pack) {
  for (const auto& r : pack.requests())
    if (r.inputs.contains(kOrderPiecesInput)) return &r;
  return nullptr;
}

// The review's inputs from the order; kConflict order.review_inputs for one the module cannot fill.
Result<policy::Context> ReviewInputs(const policy::Request& type, const Order& o) {
  policy::Context in;
  for (const auto& [name, kind] : type.inputs) {
    if (name == kOrderPiecesInput && kind == policy::ValueType::kNumber)
      in[name] = static_cast<double>(o.pieces);
    else if (name == kOrderSpecialInput && kind == policy::ValueType::kBool)
      in[name] = !o.special_requirements.empty();
    else if (name == kOrderBulkInput && kind == policy::ValueType::kBool)
      in[name] = o.kind == OrderKind::kBulk;
    else if (name == kOrderUrgentInput && kind == policy::ValueType::kBool)
      in[name] = o.urgent;
    else
      return Fail(Errc::kConflict, Reason{"order.review_inputs"},
                  "the pack's order review " + type.id + " asks for the input " + name +
                      ", which an order does not give");
  }
  return in;
}

CanonicalObject OrderPayload(const Order& o) {
  CanonicalObject p;
  p.Add("id", o.id)
      .Add("site_id", o.site_id)
      .Add("no", o.no)
      .Add("customer_id", o.customer_id)
      .Add("kind", OrderKindName(o.kind))
      .Add("pieces", o.pieces)
      .Add("special_requirements", o.special_requirements)
      .Add("urgent", o.urgent)
      .Add("state", OrderStateName(o.state));
  if (o.agent) p.Add("person_id", o.agent);
  if (!o.promised_date.empty()) p.Add("promised_date", o.promised_date);
  if (o.review_request_id) p.Add("review_request_id", o.review_request_id);
  return p;
}

}  // namespace

Result<std::chrono::year_month_day> ParseDay(const std::string& day, const char* field) {
  using namespace std::chrono;
  int y = 0;
  unsigned m = 0, d = 0;
  bool shaped = day.size() == 10 && day[4] == '-' && day[7] == '-' &&
                std::from_chars(day.data(), day.data() + 4, y).ec == std::errc() &&
                std::from_chars(day.data() + 5, day.data() + 7, m).ec == std::errc() &&
                std::from_chars(day.data() + 8, day.data() + 10, d).ec == std::errc();
  year_month_day ymd{year{y}, month{m}, std::chrono::day{d}};
  if (!shaped || !ymd.ok() || y < 1970)
    return Fail(Errc::kInvalidArgument, kInvalid,
                std::string(field) + " must be a date, e.g. \"2027-01-31\"", field);
  return ymd;
}

std::string_view OrderKindName(OrderKind v) { return kOrderKindNames[static_cast<int>(v)]; }
std::string_view OrderStateName(OrderState v) { return kOrderStateNames[static_cast<int>(v)]; }
std::string_view ReturnKindName(ReturnKind v) { return kReturnKindNames[static_cast<int>(v)]; }
Result<OrderKind> ParseOrderKind(std::string_view name, const char* field) {
  return ParseEnum<OrderKind>(kOrderKindNames, name, field);
}
Result<OrderState> ParseOrderState(std::string_view name, const char* field) {
  return ParseEnum<OrderState>(kOrderStateNames, name, field);
}
Result<ReturnKind> ParseReturnKind(std::string_view name, const char* field) {
  return ParseEnum<ReturnKind>(kReturnKindNames, name, field);
}

// The pack's cut-off service levels started by an order's confirmation (cn-default:
// r06-ship-cutoff).
std::vector<std::string> CutoffLevels(const policy::Pack& pack) {
  std::vector<std::string> levels;
  for (const auto& sl : pack.service_levels())
    if (sl.cutoff && sl.start_event == kOrderReceived) levels.push_back(sl.id);
  return levels;
}

// ---- statements

namespace db {
namespace {

constexpr const char* kOrderColumns =
    "SELECT o.id, o.site_id, o.order_no, o.customer_id, c.name, o.agent, o.kind, o.pieces, "
    "o.special_requirements, o.remarks, o.urgent, o.promised_date, o.state, "
    "o.review_request_id, o.notice_record, o.notice_at, o.shipped_at, o.stock_out_at, "
    "o.agreed_at, o.stock_out_note, o.created_by, o.created_at, o.updated_at "
    "FROM service_orders o JOIN service_customers c ON c.id = o.customer_id ";

Order MapOrder(const store::SqlRow& r) {
  Order v;
  v.id = r.Int(0);
  v.site_id = r.Int(1);
  v.no = r.Text(2);
  v.customer_id = r.Int(3);
  v.customer = r.Text(4);
  v.agent = r.Int(5);
  v.kind = ParseOrderKind(r.Text(6), "kind").value_or(OrderKind::kRetail);  // CHECKed
  v.pieces = r.Int(7);
  v.special_requirements = r.Text(8);
  v.remarks = r.Text(9);
  v.urgent = r.Flag(10);
  v.promised_date = r.Text(11);
  v.state = ParseOrderState(r.Text(12), "state").value_or(OrderState::kReviewing);
  v.review_request_id = r.Int(13);
  v.notice_record = r.Text(14);
  v.notice_at = r.Time(15);
  v.shipped_at = r.Time(16);
  v.stock_out_at = r.Time(17);
  v.agreed_at = r.Time(18);
  v.stock_out_note = r.Text(19);
  v.created_by = r.Int(20);
  v.created_at = r.Time(21);
  v.updated_at = r.Time(22);
  return v;
}

Result<void> LoadItems(store::Sql& sql, Order& v) {
  ZHIDU_TRY(v.items, sql.Many<OrderItem>(
                         "list order items",
                         "SELECT name, sku, quantity FROM service_order_items WHERE order_id=? "
                         "ORDER BY seq_no",
                         {v.id}, [](const store::SqlRow& r) {
                           return OrderItem{r.Text(0), r.Text(1), r.Int(2)};
                         }));
  return Ok();
}

Result<Order> OneOrder(store::Sql& sql, const std::string& where, store::SqlValue key,
                       const std::string& what) {
  std::optional<Order> found;
  ZHIDU_TRY_VOID(sql.Query("get order", kOrderColumns + where, {key},
                           [&](const store::SqlRow& r) { found = MapOrder(r); }));
  if (!found) return Fail(Errc::kNotFound, what + " does not exist");
  ZHIDU_TRY_VOID(LoadItems(sql, *found));
  return *found;
}

}  // namespace

Result<store::Id> InsertOrder(store::Sql& sql, const Order& v) {
  ZHIDU_TRY(store::Id id,
            sql.Insert("insert order",
                       "INSERT INTO service_orders(site_id, order_no, customer_id, agent, kind, "
                       "pieces, special_requirements, remarks, urgent, promised_date, state, "
                       "review_request_id, notice_record, notice_at, created_by, created_at, "
                       "updated_at) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
                       {v.site_id, v.no, v.customer_id, store::SqlRef(v.agent),
                        std::string(OrderKindName(v.kind)), v.pieces, v.special_requirements,
                        v.remarks, std::int64_t{v.urgent ? 1 : 0}, v.promised_date,
                        std::string(OrderStateName(v.state)), store::SqlRef(v.review_request_id),
                        v.notice_record, store::SqlTime(v.notice_at), v.created_by,
                        store::SqlTime(v.created_at), store::SqlTime(v.updated_at)}));
  for (size_t i = 0; i < v.items.size(); ++i)
    ZHIDU_TRY_VOID(sql.Exec(
        "insert order item",
        "INSERT INTO service_order_items(order_id, seq_no, name, sku, quantity) "
        "VALUES(?,?,?,?,?)",
        {id, static_cast<std::int64_t>(i), v.items[i].name, v.items[i].sku, v.items[i].quantity}));
  return id;
}

Result<Order> GetOrder(store::Sql& sql, store::Id id) {
  return OneOrder(sql, "WHERE o.id = ?", id, "order " + std::to_string(id));
}

Result<Order> OrderOfReview(store::Sql& sql, store::Id request_id) {
  return OneOrder(sql, "WHERE o.review_request_id = ?", request_id,
                  "an order reviewed by request " + std::to_string(request_id));
}

Result<void> UpdateOrder(store::Sql& sql, const Order& v, OrderState from) {
  ZHIDU_TRY(auto changed,
            sql.Exec("update order",
                     "UPDATE service_orders SET state=?, notice_at=?, shipped_at=?, "
                     "stock_out_at=?, agreed_at=?, stock_out_note=?, updated_at=? "
                     "WHERE id=? AND state=?",
                     {std::string(OrderStateName(v.state)), store::SqlTime(v.notice_at),
                      store::SqlTime(v.shipped_at), store::SqlTime(v.stock_out_at),
                      store::SqlTime(v.agreed_at), v.stock_out_note, store::SqlTime(v.updated_at),
                      v.id, std::string(OrderStateName(from))}));
  if (changed == 1) return Ok();
  return Fail(Errc::kFailedPrecondition, "order " + std::to_string(v.id) + " moved meanwhile");
}

Result<std::vector<Order>> ListOrders(store::Sql& sql, const OrderFilter& f,
                                      store::PageRequest page) {
  std::string where = "WHERE o.site_id = ?";
  store::SqlParams params{f.site_id};
  if (page.after_id) {
    where += " AND o.id < ?";
    params.push_back(page.after_id);
  }
  if (f.customer_id) {
    where += " AND o.customer_id = ?";
    params.push_back(f.customer_id);
  }
  if (f.state) {
    where += " AND o.state = ?";
    params.push_back(std::string(OrderStateName(*f.state)));
  }
  if (f.kind) {
    where += " AND o.kind = ?";
    params.push_back(std::string(OrderKindName(*f.kind)));
  }
  params.push_back(std::int64_t{page.limit});
  return sql.Many<Order>("list orders", kOrderColumns + where + " ORDER BY o.id DESC LIMIT ?",
                         params, MapOrder);
}

Result<store::Id> InsertReturn(store::Sql& sql, const OrderReturn& v) {
  return sql.Insert("insert order return",
                    "INSERT INTO service_order_returns(order_id, kind, reason, created_by, "
                    "created_at) VALUES(?,?,?,?,?) RETURNING id",
                    {v.order_id, std::string(ReturnKindName(v.kind)), v.reason, v.created_by,
                     store::SqlTime(v.created_at)});
}

Result<std::vector<OrderReturn>> ReturnsOf(store::Sql& sql, store::Id order_id) {
  return sql.Many<OrderReturn>(
      "list order returns",
      "SELECT id, order_id, kind, reason, created_by, created_at FROM service_order_returns "
      "WHERE order_id=? ORDER BY id",
      {order_id}, [](const store::SqlRow& r) {
        return OrderReturn{
            r.Int(0),  r.Int(1), ParseReturnKind(r.Text(2), "kind").value_or(ReturnKind::kReturn),
            r.Text(3), r.Int(4), r.Time(5)};
      });
}

Result<std::vector<std::pair<store::Id, store::Id>>> OrdersTaken(store::Sql& sql, store::Id site_id,
                                                                 store::Id agent, TimePoint from,
                                                                 TimePoint to) {
  std::string q =
      "SELECT agent, id FROM service_orders WHERE site_id=? AND agent IS NOT NULL AND "
      "created_at >= ? AND created_at < ?";
  store::SqlParams params{site_id, store::SqlTime(from), store::SqlTime(to)};
  if (agent) {
    q += " AND agent = ?";
    params.push_back(agent);
  }
  return sql.Many<std::pair<store::Id, store::Id>>("list orders taken", q + " ORDER BY agent, id",
                                                   params, [](const store::SqlRow& r) {
                                                     return std::pair{r.Int(0), r.Int(1)};
                                                   });
}

Result<std::vector<store::Id>> OrdersShipped(store::Sql& sql, store::Id site_id, store::Id agent,
                                             TimePoint from, TimePoint to) {
  return sql.Many<store::Id>(
      "list orders shipped",
      "SELECT id FROM service_orders WHERE site_id=? AND agent=? AND shipped_at >= ? AND "
      "shipped_at < ? ORDER BY id",
      {site_id, agent, store::SqlTime(from), store::SqlTime(to)},
      [](const store::SqlRow& r) { return r.Int(0); });
}

}  // namespace db

// ---- rules

void Service::SubscribeOrderEvents(runtime::EventBus& bus) {
  // The review filed with its order (CreateOrder): the order is written in the request's
  // transaction (invariant 1). A review of this type filed by hand, without an order, is refused.
  bus.Subscribe<runtime::RequestFiled>(
      "service", [this](store::Tx& tx, const runtime::RequestFiled& e) -> Result<void> {
        if (!e.type.inputs.contains(kOrderPiecesInput)) return Ok();
        std::shared_ptr<PendingOrder> pending;
        {
          std::lock_guard lock(pending_mu_);
          for (const auto& [no, p] : pending_)
            if (p->order.site_id == e.request.site_id &&
                e.request.reason.find(no) != std::string::npos &&
                p->who.account_id == e.request.applicant)
              pending = p;
        }
        if (!pending)
          return Fail(Errc::kConflict, Reason{"order.review_by_order"},
                      "an order review is filed with its order (POST /api/v1/service/orders)");
        Order o = pending->order;
        o.review_request_id = e.request.id;
        ZHIDU_TRY(pending->id, WriteOrder(tx, pending->who, o));
        return Ok();
      });
  // The review approved (every step): the shipping notice (R06 §四(二)5 在订单评审后，及时编制
  // 发货通知单).
  bus.Subscribe<runtime::RequestApproved>(
      "service", [this](store::Tx& tx, const runtime::RequestApproved& e) -> Result<void> {
        if (!e.type.inputs.contains(kOrderPiecesInput)) return Ok();
        auto o = db::OrderOfReview(tx.unit().sql(), e.request.id);
        if (!o) return o.error().code == Errc::kNotFound ? Ok() : Result<void>(Fail(o.error()));
        return ProduceNotice(tx, *o, e.approver);
      });
}

Result<void> Service::EmitOrderEvent(store::Tx& tx, const Order& o, std::string_view event,
                                     store::Id actor, policy::Context data) {
  if (o.agent) data["person_id"] = static_cast<double>(o.agent);
  runtime::SiteEvent e{
      o.site_id,      std::string(event), "订单 " + o.no + "（" + o.customer + "）",
      OrderRef(o.id), std::move(data),    actor};
  return bus_.Emit(tx, e);
}

Result<void> Service::ProduceNotice(store::Tx& tx, Order& o, store::Id actor) {
  OrderState from = o.state;
  o.state = OrderState::kNotice;
  o.notice_at = o.updated_at = tx.now();
  ZHIDU_TRY_VOID(db::UpdateOrder(tx.unit().sql(), o, from));
  CanonicalObject p = OrderPayload(o);
  p.Add("record", o.notice_record);
  // The remarks travel on the notice (the pack's order-remark record: 备注, so the warehouse does
  // not ship the wrong goods) with that record's clauses beside the notice's.
  p.Add("remarks", o.remarks);
  if (auto pack = pack_.Current()) {
    auto clauses = policy::ClausesOfRule(pack->records(), o.notice_record);
    if (!o.remarks.empty())
      for (auto& c : policy::ClausesOfRule(pack->records(), kOrderRemarkRecord))
        if (std::find(clauses.begin(), clauses.end(), c) == clauses.end()) clauses.push_back(c);
    p.AddRaw("clauses", JsonStringArray(clauses));
  }
  ZHIDU_TRY(auto seq, tx.Journal("service.order.notice", actor, OrderRef(o.id), p.Str()));
  (void)seq;
  // The order is confirmed: the pack's cut-off starts here (R06 §四(二)5).
  return EmitOrderEvent(tx, o, kOrderReceived, actor);
}

Result<store::Id> Service::WriteOrder(store::Tx& tx, const org::Principal& who, Order o) {
  auto& sql = tx.unit().sql();
  o.created_at = o.updated_at = tx.now();
  bool direct = o.review_request_id == 0;
  if (direct) o.state = OrderState::kNotice;  // its notice comes with it, below
  ZHIDU_TRY(o.id, db::InsertOrder(sql, o));
  ZHIDU_TRY(auto seq, tx.Journal("service.order.created", who.account_id, OrderRef(o.id),
                                 OrderPayload(o).Add("remarks", o.remarks).Str()));
  (void)seq;
  if (o.urgent) ZHIDU_TRY_VOID(EmitOrderEvent(tx, o, kUrgentOrder, who.account_id));
  if (direct) ZHIDU_TRY_VOID(ProduceNotice(tx, o, who.account_id));
  return o.id;
}

Result<OrderView> Service::CreateOrder(const org::Principal& who, const NewOrder& in) {
  ZHIDU_TRY_VOID(MayWorkAt(who, in.site_id, "taking an order"));
  if (in.customer_id == 0)
    return Fail(Errc::kInvalidArgument, kRequired, "customer_id is required", "customer_id");
  if (in.items.empty())
    return Fail(Errc::kInvalidArgument, Reason{"order.items_required"},
                "an order needs at least one item", "items");
  if (in.items.size() > kMaxOrderItems)
    return Fail(Errc::kInvalidArgument, kInvalid,
                "an order has at most " + std::to_string(kMaxOrderItems) + " items", "items");
  Order o;
  o.site_id = in.site_id;
  o.customer_id = in.customer_id;
  o.agent = who.person_id;
  o.kind = in.kind;
  o.urgent = in.urgent;
  o.created_by = who.account_id;
  for (size_t i = 0; i < in.items.size(); ++i) {
    const auto& item = in.items[i];
    std::string at = "items[" + std::to_string(i) + "].";
    ZHIDU_TRY_VOID(CheckText(item.name, (at + "name").c_str(), true, kMaxText));
    ZHIDU_TRY_VOID(CheckText(item.sku, (at + "sku").c_str(), false, kMaxSku));
    if (item.quantity <= 0 || item.quantity > kMaxQuantity)
      return Fail(Errc::kInvalidArgument, Reason{"order.quantity_invalid"},
                  "a quantity is a whole number from 1 to " + std::to_string(kMaxQuantity),
                  at + "quantity");
    o.pieces += item.quantity;
    o.items.push_back(item);
  }
  ZHIDU_TRY_VOID(CheckText(in.special_requirements, "special_requirements", false, kMaxBody));
  ZHIDU_TRY_VOID(CheckText(in.remarks, "remarks", false, kMaxBody));
  o.special_requirements = in.special_requirements;
  o.remarks = in.remarks;
  auto pack = pack_.Current();
  if (!pack) return Fail(Errc::kUnavailable, "no policy pack is in force");
  if (!in.promised_date.empty()) {
    ZHIDU_TRY(auto day, ParseDay(in.promised_date, "promised_date"));
    auto works = pack->calendar().IsWorkingDay(day);
    if (!works)
      return Fail(Errc::kConflict, Reason{"order.calendar_year_unknown"},
                  "the business calendar has no data for " + in.promised_date.substr(0, 4),
                  "promised_date");
    if (!*works)
      return Fail(Errc::kConflict, Reason{"order.promised_date_not_working"},
                  in.promised_date + " is not a working day of the business calendar" +
                      (pack->calendar().HolidayName(day).empty()
                           ? std::string()
                           : "（" + pack->calendar().HolidayName(day) + "）"),
                  "promised_date");
    o.promised_date = in.promised_date;
  }
  {
    ZHIDU_TRY(auto unit, store_.BeginRead());
    auto c = db::GetCustomer(unit->sql(), in.customer_id);
    if (!c && c.error().code != Errc::kNotFound) return Fail(c.error());
    if (!c || c->site_id != in.site_id)
      return Fail(Errc::kNotFound, Reason{"order.unknown_customer"},
                  "customer " + std::to_string(in.customer_id) + " is not a customer of the site",
                  "customer_id");
    o.customer = c->name;
    auto site = unit->GetSite(in.site_id);
    if (!site) return Fail(site.error());
    ZHIDU_TRY(TimeZone zone, TimeZone::Find(site->time_zone.empty() ? std::string(kDefaultTimeZone)
                                                                    : site->time_zone));
    std::string day = FormatIso8601(clock_.Now(), zone).substr(0, 10);
    day.erase(std::remove(day.begin(), day.end(), '-'), day.end());
    o.no = "SO" + day + "-" + RandomHex(4);
  }
  // Review or not: the pack's review type and its preconditions (R06 §四(二)4).
  const policy::Request* type = ReviewType(*pack);
  bool review = false;
  if (type) {
    o.notice_record = type->record;
    ZHIDU_TRY(auto inputs, ReviewInputs(*type, o));
    review = true;
    for (const auto& c : type->preconditions) {
      ZHIDU_TRY(bool holds, c.expr.EvalBool(inputs));
      review = review && holds;
    }
    if (review) {
      if (!requests_)
        return Fail(Errc::kUnavailable, "the kernel's requests are not available to orders");
      auto pending = std::make_shared<PendingOrder>(PendingOrder{o, who, 0});
      {
        std::lock_guard lock(pending_mu_);
        pending_[o.no] = pending;
      }
      runtime::NewRequest req{o.site_id, type->id, inputs,
                              "订单 " + o.no + " 评审：" + o.customer + "，" +
                                  std::to_string(o.pieces) + " 件" +
                                  (o.special_requirements.empty() ? "" : "，有特殊要求")};
      auto filed = requests_->Create(who, req);
      {
        std::lock_guard lock(pending_mu_);
        pending_.erase(o.no);
      }
      if (!filed) return Fail(filed.error());
      if (pending->id == 0) return Fail(Errc::kInternal, "the order's review was filed alone");
      return GetOrder(who, pending->id);
    }
  } else if (o.kind == OrderKind::kBulk || !o.special_requirements.empty()) {
    return Fail(Errc::kConflict, Reason{"order.no_review"},
                "the pack declares no order review (a request with the input " +
                    std::string(kOrderPiecesInput) + "): a bulk or special order cannot be taken");
  }
  auto id = writer_.Run<store::Id>(
      [&](store::Tx& tx) -> Result<store::Id> { return WriteOrder(tx, who, o); });
  if (!id) return Fail(id.error());
  return GetOrder(who, *id);
}

Result<OrderView> Service::OrderViewOf(store::UnitOfWork& unit, const Order& o) {
  OrderView v;
  v.order = o;
  ZHIDU_TRY_VOID(OnRef(unit, o.site_id, OrderRef(o.id), &v.deadlines, &v.procedures));
  ZHIDU_TRY(v.returns, db::ReturnsOf(unit.sql(), o.id));
  auto pack = pack_.Current();
  if (pack) {
    auto levels = CutoffLevels(*pack);
    for (const auto& d : v.deadlines)
      if (std::ranges::find(levels, d.service_level) != levels.end()) {
        v.ship_by = d.due_at;
        if (o.state == OrderState::kShipped) v.shipped_on_time = d.state == "met";
      }
  }
  if (o.review_request_id) {
    ZHIDU_TRY(auto request, unit.GetApprovalRequest(o.review_request_id));
    v.review_state = std::string(store::RequestStateName(request.state));
    ZHIDU_TRY(auto decisions, unit.ListApprovalDecisions(o.review_request_id));
    const policy::Request* type = nullptr;
    if (pack)
      for (const auto& r : pack->requests())
        if (r.id == request.type) type = &r;
    if (type)
      for (const auto& step : type->approvals) {
        OrderReview r{step.id, step.roles, "", 0, {}};
        for (const auto& d : decisions)
          if (d.step == step.id) {
            r.decision = d.approve ? "approved" : "rejected";
            r.account_id = d.account_id;
            r.at = d.at;
          }
        v.reviews.push_back(std::move(r));
      }
  }
  return v;
}

Result<OrderView> Service::GetOrder(const org::Principal& who, store::Id id) {
  ZHIDU_TRY(auto unit, store_.BeginRead());
  auto o = db::GetOrder(unit->sql(), id);
  if (!o || !org::HoldsRoleAt(who, {o->site_id, 0})) {
    if (!o && o.error().code != Errc::kNotFound) return Fail(o.error());
    return Fail(Errc::kNotFound, "order " + std::to_string(id) + " does not exist");
  }
  return OrderViewOf(*unit, *o);
}

Result<std::vector<Order>> Service::ListOrders(const org::Principal& who, const OrderFilter& f,
                                               store::PageRequest page) {
  ZHIDU_TRY_VOID(MayWorkAt(who, f.site_id, "reading the orders"));
  ZHIDU_TRY(auto unit, store_.BeginRead());
  return db::ListOrders(unit->sql(), f, page);
}

namespace {
// The order `id` as `who` may change it (kNotFound for another site's).
Result<Order> OrderAt(store::Tx& tx, const org::Principal& who, store::Id id) {
  auto o = db::GetOrder(tx.unit().sql(), id);
  if (!o && o.error().code != Errc::kNotFound) return Fail(o.error());
  if (!o || !org::HoldsRoleAt(who, {o->site_id, 0}))
    return Fail(Errc::kNotFound, "order " + std::to_string(id) + " does not exist");
  return *o;
}
}  // namespace

Result<OrderView> Service::ChangeOrder(
    const org::Principal& who, store::Id id,
    const std::function<Result<void>(store::Tx&, Order&)>& change) {
  auto done = writer_.Run<bool>([&](store::Tx& tx) -> Result<bool> {
    ZHIDU_TRY(Order o, OrderAt(tx, who, id));
    ZHIDU_TRY_VOID(change(tx, o));
    return true;
  });
  if (!done) return Fail(done.error());
  return GetOrder(who, id);
}

Result<OrderView> Service::ShipOrder(const org::Principal& who, store::Id id,
                                     const std::string& note) {
  ZHIDU_TRY_VOID(CheckText(note, "note", false, kMaxText));
  return ChangeOrder(who, id, [&](store::Tx& tx, Order& o) -> Result<void> {
    if (o.state == OrderState::kShipped)
      return Fail(Errc::kConflict, Reason{"order.shipped"}, "the order is shipped already");
    if (o.state != OrderState::kNotice)
      return Fail(Errc::kConflict, Reason{"order.not_confirmed"},
                  "the order has no shipping notice yet (its review is not approved)");
    o.state = OrderState::kShipped;
    o.shipped_at = o.updated_at = tx.now();
    ZHIDU_TRY_VOID(db::UpdateOrder(tx.unit().sql(), o, OrderState::kNotice));
    ZHIDU_TRY(auto seq, tx.Journal("service.order.shipped", who.account_id, OrderRef(o.id),
                                   OrderPayload(o).Add("note", note).Str()));
    (void)seq;
    // Stops the cut-off (met, or met late) and an agreed delivery's deadline.
    return EmitOrderEvent(tx, o, kOrderShipped, who.account_id);
  });
}

Result<OrderView> Service::StockOut(const org::Principal& who, store::Id id, TimePoint agreed_at,
                                    const std::string& note) {
  ZHIDU_TRY_VOID(CheckText(note, "note", false, kMaxText));
  return ChangeOrder(who, id, [&](store::Tx& tx, Order& o) -> Result<void> {
    if (o.state == OrderState::kShipped)
      return Fail(Errc::kConflict, Reason{"order.shipped"}, "the order is shipped already");
    if (o.stock_out_at != TimePoint{})
      return Fail(Errc::kConflict, Reason{"order.stock_out_recorded"},
                  "the order's stock-out and agreed delivery are recorded already");
    if (agreed_at <= tx.now())
      return Fail(Errc::kInvalidArgument, Reason{"order.agreed_in_past"},
                  "the agreed delivery time must be later than now", "agreed_at");
    OrderState from = o.state;
    o.stock_out_at = o.updated_at = tx.now();
    o.agreed_at = agreed_at;
    o.stock_out_note = note;
    ZHIDU_TRY_VOID(db::UpdateOrder(tx.unit().sql(), o, from));
    std::string iso = FormatIso8601Utc(agreed_at);
    ZHIDU_TRY(auto seq, tx.Journal("service.order.stock_out", who.account_id, OrderRef(o.id),
                                   OrderPayload(o).Add("agreed_at", iso).Add("note", note).Str()));
    (void)seq;
    // R06 §四(二)6: the pack's stock-out procedure starts, and the date agreed with the customer
    // moves it and starts the deadline the pack keeps on it.
    ZHIDU_TRY_VOID(EmitOrderEvent(tx, o, kStockOut, who.account_id));
    policy::Context data;
    data["deadline"] = iso;
    return EmitOrderEvent(tx, o, kDeliveryDateAgreed, who.account_id, std::move(data));
  });
}

Result<OrderView> Service::AddReturn(const org::Principal& who, store::Id id, ReturnKind kind,
                                     const std::string& reason) {
  ZHIDU_TRY_VOID(CheckText(reason, "reason", true, kMaxText));
  return ChangeOrder(who, id, [&](store::Tx& tx, Order& o) -> Result<void> {
    if (o.state != OrderState::kShipped)
      return Fail(Errc::kConflict, Reason{"order.not_shipped"},
                  "a return or an exchange is of a shipped order");
    OrderReturn r{0, o.id, kind, reason, who.account_id, tx.now()};
    ZHIDU_TRY(r.id, db::InsertReturn(tx.unit().sql(), r));
    ZHIDU_TRY(auto seq, tx.Journal("service.order.return", who.account_id, OrderRef(o.id),
                                   OrderPayload(o)
                                       .Add("return_id", r.id)
                                       .Add("return_kind", ReturnKindName(kind))
                                       .Add("reason", reason)
                                       .Str()));
    (void)seq;
    // R06 §四(一)9: the pack's return procedure (品质部换货或补货) starts on the order.
    return EmitOrderEvent(tx, o, kReturnRequested, who.account_id);
  });
}

Result<std::optional<double>> OnTimeRate(store::UnitOfWork& unit, const policy::Pack& pack,
                                         store::Id site_id, store::Id agent, TimePoint from,
                                         TimePoint to, std::vector<store::Id>* counted,
                                         int* on_time) {
  std::vector<std::string> levels = CutoffLevels(pack);
  ZHIDU_TRY(auto shipped, db::OrdersShipped(unit.sql(), site_id, agent, from, to));
  *on_time = 0;
  for (store::Id id : shipped) {
    store::DeadlineFilter f;
    f.site_id = site_id;
    f.ref = OrderRef(id);
    ZHIDU_TRY(auto deadlines, unit.ListDeadlines(f, {0, 100}));
    for (const auto& d : deadlines)
      if (std::ranges::find(levels, d.service_level) != levels.end()) {
        counted->push_back(id);
        *on_time += d.state == "met" ? 1 : 0;
        break;
      }
  }
  if (counted->empty()) return std::optional<double>{};
  return std::optional<double>{100.0 * *on_time / static_cast<double>(counted->size())};
}

}  // namespace zhidu::service
