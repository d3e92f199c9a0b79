// Orders (订单, issue 18 §6; R06 §四(一)5/6/8/9, §四(二)4/5/6/8/9; R14 §1.1.1 成交订单数): what a
// customer orders, the pack's review for bulk and special orders, the shipping notice, the ship
// date from the pack's cut-off, shipping, stock-outs with the date agreed with the customer, and
// returns and exchanges. The rules are Service's (orders.cpp); these are the records.
//
// The pack's part (nothing here names a cn-default request, record, event list or figure):
//  - the order review is the pack's request whose inputs declare kOrderPiecesInput (cn-default's
//    r06-order-review, five parallel approvals); an order needs it when the request's
//    preconditions hold over the order's inputs (cn-default: "order.bulk or order.pieces >= 5 or
//    order.special_requirements" — R06 §四(二)4's 零售订单(小于5件)且无特殊要求 skips it); the
//    shipping notice is that request's `record:` (cn-default's r06-shipping-notice);
//  - the ship date is the deadline of the pack's service level started by kOrderReceived
//  (cn-default:
//    r06-ship-cutoff, 17:30 on the business calendar); the agreed delivery after a stock-out is the
//    deadline of the service level started by kDeliveryDateAgreed (its due time from the event's
//    data `deadline`); shipping (kOrderShipped) stops both;
//  - stock-outs, returns and urgent orders raise kStockOut, kReturnRequested and kUrgentOrder on
//    which the pack's procedures start (r06-stock-out, r06-return-exchange, r06-urgent-order).
//
// Invariants:
//  1. An order is written whole (its items, its journal record and its events, and for a reviewed
//     order the review request) in one transaction, or not at all.
//  2. An order moves reviewing → notice → shipped, never back; a shipped order takes no stock-out,
//     an unshipped one no return.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "base/time.hpp"
#include "store/types.hpp"

namespace zhidu::service {

// The site events orders raise (the pack's service levels and procedures name them).
inline constexpr std::string_view kOrderReceived = "order_received";  // confirmed: the notice
inline constexpr std::string_view kOrderShipped = "shipped";
inline constexpr std::string_view kUrgentOrder = "urgent_order";
inline constexpr std::string_view kStockOut = "stock_out";
inline constexpr std::string_view kDeliveryDateAgreed = "delivery_date_agreed";
inline constexpr std::string_view kReturnRequested = "return_requested";
// The inputs of the pack's order review the module fills (the type is the request declaring the
// first): the order's pieces, whether it has special requirements, whether it is a bulk order,
// whether it is urgent. A review type declaring another input cannot be filed by an order.
inline constexpr std::string_view kOrderPiecesInput = "order.pieces";
inline constexpr std::string_view kOrderSpecialInput = "order.special_requirements";
inline constexpr std::string_view kOrderBulkInput = "order.bulk";
inline constexpr std::string_view kOrderUrgentInput = "order.urgent";
// The assessment source (api::IndicatorSources): the on-time shipping rate in percent.
inline constexpr std::string_view kSourceShipments = "shipments";

inline constexpr size_t kMaxOrderItems = 100;
inline constexpr std::int64_t kMaxQuantity = 1'000'000;
inline constexpr size_t kMaxSku = 100;

enum class OrderKind { kRetail, kBulk };
enum class OrderState { kReviewing, kNotice, kShipped };
enum class ReturnKind { kReturn, kExchange };

std::string_view OrderKindName(OrderKind v);
std::string_view OrderStateName(OrderState v);
std::string_view ReturnKindName(ReturnKind v);
// kInvalidArgument (reason invalid) naming `field` for an unknown name.
Result<OrderKind> ParseOrderKind(std::string_view name, const char* field);
Result<OrderState> ParseOrderState(std::string_view name, const char* field);
Result<ReturnKind> ParseReturnKind(std::string_view name, const char* field);

struct OrderItem {
  std::string name;
  std::string sku;
  std::int64_t quantity = 0;
};

struct Order {
  store::Id id = 0;
  store::Id site_id = 0;
  std::string no;  // "SO20261005-1a2b3c": the order's number, unique per site
  store::Id customer_id = 0;
  std::string customer;  // the customer's name (read)
  store::Id agent = 0;   // the person who took it (成交订单数, on-time shipping are theirs)
  OrderKind kind = OrderKind::kRetail;
  std::vector<OrderItem> items;
  std::int64_t pieces = 0;  // the items' quantities summed
  std::string special_requirements, remarks;
  bool urgent = false;
  std::string promised_date;  // "YYYY-MM-DD", optional: a working day of the business calendar
  OrderState state = OrderState::kReviewing;
  store::Id review_request_id = 0;  // the pack's review, when the order needed one
  std::string notice_record;        // the pack's record the notice is (the review's `record:`)
  TimePoint notice_at, shipped_at, stock_out_at, agreed_at;
  std::string stock_out_note;
  store::Id created_by = 0;
  TimePoint created_at, updated_at;
};

struct OrderReturn {
  store::Id id = 0;
  store::Id order_id = 0;
  ReturnKind kind = ReturnKind::kReturn;
  std::string reason;
  store::Id created_by = 0;
  TimePoint created_at;
};

struct NewOrder {
  store::Id site_id = 0;
  store::Id customer_id = 0;
  OrderKind kind = OrderKind::kRetail;
  std::vector<OrderItem> items;
  std::string special_requirements, remarks;
  bool urgent = false;
  std::string promised_date;
};

struct OrderFilter {
  store::Id site_id = 0;
  store::Id customer_id = 0;
  std::optional<OrderState> state;
  std::optional<OrderKind> kind;
};

// One approval step of the order's review as the pack declares it, with its decision.
struct OrderReview {
  std::string step;
  std::vector<std::string> roles;
  std::string decision;  // "approved" | "rejected" | "" (not decided)
  store::Id account_id = 0;
  TimePoint at;
};

struct OrderView {
  Order order;
  std::string review_state;  // the request's: pending | approved | rejected | withdrawn; "" none
  std::vector<OrderReview> reviews;
  std::vector<store::Deadline> deadlines;            // the pack's service levels on it (ref)
  std::vector<store::ProcedureInstance> procedures;  // the pack's procedures on it (ref)
  std::vector<OrderReturn> returns;
  // From the pack's cut-off deadline on the order: ship by its due time; on time when it was met.
  TimePoint ship_by;                    // epoch: no cut-off deadline (not yet confirmed)
  std::optional<bool> shipped_on_time;  // once shipped
};

}  // namespace zhidu::service
