// The lounge shelf (休息室货架, R07 §二3
// "对货架上销售商品进行妥善保管和销售，每天上班前、下班后都要
// 进行盘点。每周对一周的销售及库存结余进行一次盘点。保证帐款相符，避免丢失现象发生。因工作人员自身
// 监管不严造成公司财物损失的，责任人自行负责赔偿并处以20元/次罚款"): the goods of a shelf with a
// unit price, stock receipts, sales, the stocktake before and after work, the weekly
// reconciliation of sales takings and stock, and losses charged to the person answerable.
//
// A shelf is a post of the site whose pack duties include a stocktake (a duty whose checklist is
// RuleNamed `stocktake`, cn-default: r07-stocktake-open/-close on 客户休息室岗): the post is the
// lounge, and the planner already schedules its stocktakes by working hours. The pack's part, found
// by name (policy::RuleNamed) and never by cn-default's ids:
//  - the record `shelf-goods` (r07-shelf-goods): the clauses every step cites;
//  - the duties whose checklist is `stocktake` scheduled on work_start (the slot "open") and
//    after_work or work_end ("close"): a stocktake record completes the day's open instance of
//    its slot's duty (the planner keeps the schedule and the miss, as for every duty);
//  - the request type whose `record` is `shelf-reconciliation` (r07-shelf-variance): a
//    reconciliation with a variance files it, and its approval chain approves the variance;
//  - the penalty whose code is RuleNamed `LOSS` (R07-LOSS, 20 元/次, compensation at cost): a loss
//    records it through the kernel ledger, with the compensation amount kept here.
//
// Invariants:
//  1. Money is integer fen; quantities are whole, > 0 for receipts and sales, >= 0 counted. The
//  book
//     stock of a goods item = receipts - sales + reconciliation adjustments, never below zero (a
//     sale beyond it is refused).
//  2. A stocktake counts every active goods item of the shelf once; variance = expected (the book
//     stock at that moment) - counted, computed here. One stocktake per shelf, local day and slot
//     (UNIQUE): a second is refused (shelf.stocktake_done) and writes nothing.
//  3. One reconciliation per shelf and week (Monday-based, site zone). Expected takings are the
//     week's sales; its stock variance sets the book to the counted stock (an adjustment move) so
//     the next week starts from what is on the shelf; a variance files the pack's request.
//  4. Every change and its journal record (shelf.*) commit in one writer job; refused input writes
//     nothing.
//  5. Changing goods, receipts and losses needs shelf.manage at the site; sales, stocktakes and
//     reconciliations need shelf.sell; reading needs a role at the site.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "base/time.hpp"
#include "kernel/org/principal.hpp"
#include "kernel/policy/active_pack.hpp"
#include "kernel/runtime/duties.hpp"
#include "kernel/runtime/requests.hpp"
#include "store/migration.hpp"
#include "store/sql.hpp"
#include "store/store.hpp"
#include "store/writer.hpp"

namespace zhidu::shelf {

using store::Id;

inline constexpr std::string_view kManagePermission = "shelf.manage";
inline constexpr std::string_view kSellPermission = "shelf.sell";
// Pack names (policy::RuleNamed).
inline constexpr std::string_view kGoodsRecord = "shelf-goods";
inline constexpr std::string_view kReconciliationRecord = "shelf-reconciliation";
inline constexpr std::string_view kStocktakeChecklist = "stocktake";
inline constexpr std::string_view kLossPenalty = "LOSS";

inline constexpr size_t kMaxText = 200;
inline constexpr std::int64_t kMaxQuantity = 1'000'000;    // a field limit
inline constexpr std::int64_t kMaxPriceFen = 100'000'000;  // a field limit (100万元)

struct Goods {
  Id id = 0;
  Id site_id = 0;
  Id post_id = 0;
  std::string name;
  std::int64_t unit_price_fen = 0;
  std::int64_t stock = 0;  // the book stock (filled by reads)
  Id created_by = 0;
  TimePoint created_at;
};

enum class MoveKind { kReceipt, kSale, kAdjust };
std::string_view MoveKindName(MoveKind k);

struct Move {
  Id id = 0;
  Id goods_id = 0;
  Id site_id = 0;
  Id post_id = 0;
  MoveKind kind = MoveKind::kSale;
  std::int64_t quantity = 0;    // signed: receipts +, sales -, adjustments either
  std::int64_t amount_fen = 0;  // sales: unit price × quantity
  Id reconciliation_id = 0;
  std::string note;
  Id by = 0;
  TimePoint at;
};

struct Line {  // one goods item counted
  Id goods_id = 0;
  std::string name;  // filled by reads
  std::int64_t expected = 0, counted = 0, variance = 0;
  std::int64_t variance_fen = 0;  // variance × unit price
};

// The variance of `lines` in pieces, short and over alike (Σ |variance|).
std::int64_t Pieces(const std::vector<Line>& lines);

// 上班前 / 下班后: the stocktake's slot of the day (wire and storage: "open", "close").
enum class Slot { kOpen, kClose };
std::string_view SlotName(Slot s);
// kInvalidArgument (shelf.bad_slot) for another name.
Result<Slot> ParseSlot(std::string_view name);

struct Stocktake {
  Id id = 0;
  Id site_id = 0;
  Id post_id = 0;
  std::string day;  // local YYYY-MM-DD
  Slot slot = Slot::kOpen;
  Id counted_by = 0;
  Id person_id = 0;
  TimePoint at;
  Id duty_id = 0;  // the duty instance this record completed, or 0
  std::vector<Line> lines;
};

struct Reconciliation {
  Id id = 0;
  Id site_id = 0;
  Id post_id = 0;
  std::string week;                       // the Monday, YYYY-MM-DD
  std::int64_t sales_fen = 0;             // expected takings: the week's sales
  std::int64_t cash_fen = 0;              // counted
  std::int64_t takings_variance_fen = 0;  // sales - cash
  std::int64_t stock_variance_fen = 0;    // Σ line variance_fen
  Id request_id = 0;
  Id duty_id = 0;     // the weekly duty instance this record completed, or 0
  std::string state;  // filled by reads: balanced | pending | approved | rejected | withdrawn |
                      // unapproved (a variance and no request type in the pack)
  Id recorded_by = 0;
  Id person_id = 0;
  TimePoint at;
  std::string note;
  std::vector<Line> lines;
};

struct Loss {
  Id id = 0;
  Id site_id = 0;
  Id post_id = 0;
  Id person_id = 0;
  Id reconciliation_id = 0;
  std::int64_t compensation_fen = 0;
  Id violation_id = 0;  // 0: the pack has no loss penalty
  std::string note;
  Id recorded_by = 0;
  TimePoint at;
};

struct Counted {
  Id goods_id = 0;
  std::int64_t counted = 0;
};

std::vector<store::Migration> Migrations();
namespace db {
Result<Id> InsertGoods(store::Sql& sql, const Goods& g);
Result<Goods> GetGoods(store::Sql& sql, Id id);
Result<std::vector<Goods>> GoodsOf(store::Sql& sql, Id post_id);
Result<Id> InsertMove(store::Sql& sql, const Move& m);
Result<std::vector<Move>> MovesOf(store::Sql& sql, Id post_id, std::optional<MoveKind> kind,
                                  TimePoint from, TimePoint to, store::PageRequest page);
Result<std::int64_t> SalesFen(store::Sql& sql, Id post_id, TimePoint from, TimePoint to);
// kConflict (shelf.stocktake_done) for a second stocktake of the same shelf, day and slot.
Result<Id> InsertStocktake(store::Sql& sql, const Stocktake& s);
// The duty instance a stocktake or reconciliation (`table`) completed.
Result<void> SetDuty(store::Sql& sql, std::string_view table, Id id, Id duty_id);
Result<std::vector<Stocktake>> StocktakesOf(store::Sql& sql, Id post_id, store::PageRequest page);
Result<Id> InsertReconciliation(store::Sql& sql, const Reconciliation& r);
Result<Reconciliation> GetReconciliation(store::Sql& sql, Id id);
Result<std::vector<Reconciliation>> ReconciliationsOf(store::Sql& sql, Id post_id,
                                                      store::PageRequest page);
Result<void> InsertLines(store::Sql& sql, std::string_view table, Id owner,
                         const std::vector<Line>& lines);
Result<std::vector<Line>> LinesOf(store::Sql& sql, std::string_view table, Id owner);
Result<Id> InsertLoss(store::Sql& sql, const Loss& l);
Result<std::vector<Loss>> LossesOf(store::Sql& sql, Id post_id, store::PageRequest page);
}  // namespace db

class Shelf {
 public:
  Shelf(store::Store& store, store::Writer& writer, const Clock& clock,
        const policy::ActivePack& pack, const org::RoleCatalogue& roles, runtime::Duties& duties,
        runtime::Requests& requests)
      : store_(store),
        writer_(writer),
        clock_(clock),
        pack_(pack),
        roles_(roles),
        duties_(duties),
        requests_(requests) {}

  // The site's shelves: posts with a stocktake duty in the pack (id, name).
  Result<std::vector<store::Post>> Shelves(const org::Principal& who, Id site_id);
  Result<Goods> AddGoods(const org::Principal& who, Id post_id, const std::string& name,
                         std::int64_t unit_price_fen);
  Result<std::vector<Goods>> ListGoods(const org::Principal& who, Id post_id);
  Result<Move> Receive(const org::Principal& who, Id goods_id, std::int64_t quantity,
                       const std::string& note);
  Result<Move> Sell(const org::Principal& who, Id goods_id, std::int64_t quantity);
  Result<std::vector<Move>> Moves(const org::Principal& who, Id post_id,
                                  std::optional<MoveKind> kind, store::PageRequest page);
  // `day` empty: today in the site's zone.
  Result<Stocktake> TakeStock(const org::Principal& who, Id post_id, Slot slot,
                              const std::string& day, const std::vector<Counted>& counts);
  Result<std::vector<Stocktake>> Stocktakes(const org::Principal& who, Id post_id,
                                            store::PageRequest page);
  // `week` empty: this week; any date of the week otherwise.
  Result<Reconciliation> Reconcile(const org::Principal& who, Id post_id, const std::string& week,
                                   std::int64_t cash_fen, const std::vector<Counted>& counts,
                                   const std::string& note);
  Result<Reconciliation> GetReconciliation(const org::Principal& who, Id id);
  Result<std::vector<Reconciliation>> Reconciliations(const org::Principal& who, Id post_id,
                                                      store::PageRequest page);
  Result<Loss> RecordLoss(const org::Principal& who, Id post_id, Id person_id,
                          std::int64_t compensation_fen, Id reconciliation_id,
                          const std::string& note);
  Result<std::vector<Loss>> Losses(const org::Principal& who, Id post_id, store::PageRequest page);

  std::vector<std::string> Clauses() const;

 private:
  // The post as a shelf of the pack in force; kNotFound (shelf.unknown_shelf) when it is no post
  // `who` holds a role at, or the pack gives it no stocktake.
  Result<store::Post> LoadShelf(store::UnitOfWork& unit, Id post_id,
                                const org::Principal& who) const;
  Result<void> May(const org::Principal& who, std::string_view permission, Id site_id) const;
  // The lines of `counts` against the shelf's goods: every active item once, known, >= 0.
  Result<std::vector<Line>> Lines(store::Sql& sql, Id post_id,
                                  const std::vector<Counted>& counts) const;
  // Lines and state (the approval request's when one was filed).
  Result<void> Fill(store::UnitOfWork& unit, Reconciliation& r) const;
  // Completes the first open instance of `duties` on the post due in [from, to) with the record's
  // answers (best effort: 0 when none could be completed, the record stands).
  Id CompleteDuty(const org::Principal& who, const store::Post& post,
                  const std::vector<const policy::Duty*>& duties, TimePoint from, TimePoint to,
                  const std::function<double(const policy::ChecklistItem&)>& number, bool balanced,
                  const std::string& ref);

  store::Store& store_;
  store::Writer& writer_;
  const Clock& clock_;
  const policy::ActivePack& pack_;
  const org::RoleCatalogue& roles_;
  runtime::Duties& duties_;
  runtime::Requests& requests_;
};

}  // namespace zhidu::shelf
