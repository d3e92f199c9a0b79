// The shelf's tables and statements, written once for SQLite and PostgreSQL (store/sql.hpp).
#include "modules/shelf/shelf.hpp"

#include "store/sql_where.hpp"

namespace zhidu::shelf {

std::vector<store::Migration> Migrations() {
  return {{1, R"sql(
CREATE TABLE shelf_goods(
  id {{id}},
  site_id BIGINT NOT NULL REFERENCES sites(id),
  post_id BIGINT NOT NULL REFERENCES posts(id),
  name TEXT NOT NULL,
  unit_price_fen BIGINT NOT NULL CHECK (unit_price_fen >= 0),
  created_by BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE(post_id, name));
CREATE TABLE shelf_moves(
  id {{id}},
  goods_id BIGINT NOT NULL REFERENCES shelf_goods(id),
  site_id BIGINT NOT NULL,
  post_id BIGINT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('receipt','sale','adjust')),
  quantity BIGINT NOT NULL,
  amount_fen BIGINT NOT NULL DEFAULT 0,
  reconciliation_id BIGINT,
  note TEXT NOT NULL DEFAULT '',
  by_account BIGINT NOT NULL,
  at BIGINT NOT NULL);
CREATE INDEX shelf_moves_post ON shelf_moves(post_id, at);
CREATE INDEX shelf_moves_goods ON shelf_moves(goods_id);
CREATE TABLE shelf_stocktakes(
  id {{id}},
  site_id BIGINT NOT NULL,
  post_id BIGINT NOT NULL REFERENCES posts(id),
  day TEXT NOT NULL,
  slot TEXT NOT NULL CHECK (slot IN ('open','close')),
  counted_by BIGINT NOT NULL,
  person_id BIGINT,
  at BIGINT NOT NULL,
  duty_id BIGINT,
  UNIQUE(post_id, day, slot));
CREATE TABLE shelf_stocktake_lines(
  owner_id BIGINT NOT NULL REFERENCES shelf_stocktakes(id),
  goods_id BIGINT NOT NULL REFERENCES shelf_goods(id),
  expected BIGINT NOT NULL,
  counted BIGINT NOT NULL CHECK (counted >= 0),
  variance BIGINT NOT NULL,
  variance_fen BIGINT NOT NULL,
  PRIMARY KEY(owner_id, goods_id));
CREATE TABLE shelf_reconciliations(
  id {{id}},
  site_id BIGINT NOT NULL,
  post_id BIGINT NOT NULL REFERENCES posts(id),
  week TEXT NOT NULL,
  sales_fen BIGINT NOT NULL,
  cash_fen BIGINT NOT NULL CHECK (cash_fen >= 0),
  takings_variance_fen BIGINT NOT NULL,
  stock_variance_fen BIGINT NOT NULL,
  request_id BIGINT,
  recorded_by BIGINT NOT NULL,
  person_id BIGINT,
  at BIGINT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  duty_id BIGINT,
  UNIQUE(post_id, week));
CREATE TABLE shelf_reconciliation_lines(
  owner_id BIGINT NOT NULL REFERENCES shelf_reconciliations(id),
  goods_id BIGINT NOT NULL REFERENCES shelf_goods(id),
  expected BIGINT NOT NULL,
  counted BIGINT NOT NULL CHECK (counted >= 0),
  variance BIGINT NOT NULL,
  variance_fen BIGINT NOT NULL,
  PRIMARY KEY(owner_id, goods_id));
CREATE TABLE shelf_losses(
  id {{id}},
  site_id BIGINT NOT NULL,
  post_id BIGINT NOT NULL REFERENCES posts(id),
  person_id BIGINT NOT NULL,
  reconciliation_id BIGINT REFERENCES shelf_reconciliations(id),
  compensation_fen BIGINT NOT NULL CHECK (compensation_fen > 0),
  violation_id BIGINT,
  note TEXT NOT NULL DEFAULT '',
  recorded_by BIGINT NOT NULL,
  at BIGINT NOT NULL);
CREATE INDEX shelf_losses_post ON shelf_losses(post_id, id)
)sql"}};
}

namespace {
constexpr std::string_view kKinds[] = {"receipt", "sale", "adjust"};
}

std::string_view MoveKindName(MoveKind k) { return kKinds[static_cast<int>(k)]; }

namespace db {
namespace {

constexpr const char* kGoods =
    "SELECT g.id, g.site_id, g.post_id, g.name, g.unit_price_fen, g.created_by, g.created_at, "
    "(SELECT COALESCE(SUM(m.quantity), 0) FROM shelf_moves m WHERE m.goods_id = g.id) "
    "FROM shelf_goods g ";

Goods MapGoods(const store::SqlRow& r) {
  Goods g;
  g.id = r.Int(0);
  g.site_id = r.Int(1);
  g.post_id = r.Int(2);
  g.name = r.Text(3);
  g.unit_price_fen = r.Int(4);
  g.created_by = r.Int(5);
  g.created_at = r.Time(6);
  g.stock = r.Int(7);
  return g;
}

constexpr const char* kMoves =
    "SELECT id, goods_id, site_id, post_id, kind, quantity, amount_fen, reconciliation_id, note, "
    "by_account, at FROM shelf_moves ";

Move MapMove(const store::SqlRow& r) {
  Move m;
  m.id = r.Int(0);
  m.goods_id = r.Int(1);
  m.site_id = r.Int(2);
  m.post_id = r.Int(3);
  auto kind = r.Text(4);
  m.kind = kind == "receipt" ? MoveKind::kReceipt
           : kind == "sale"  ? MoveKind::kSale
                             : MoveKind::kAdjust;
  m.quantity = r.Int(5);
  m.amount_fen = r.Int(6);
  m.reconciliation_id = r.Int(7);
  m.note = r.Text(8);
  m.by = r.Int(9);
  m.at = r.Time(10);
  return m;
}

constexpr const char* kStocktakes =
    "SELECT id, site_id, post_id, day, slot, counted_by, person_id, at, duty_id "
    "FROM shelf_stocktakes ";

Stocktake MapStocktake(const store::SqlRow& r) {
  Stocktake s;
  s.id = r.Int(0);
  s.site_id = r.Int(1);
  s.post_id = r.Int(2);
  s.day = r.Text(3);
  s.slot = ParseSlot(r.Text(4)).value_or(Slot::kOpen);  // the CHECK admits no other name
  s.counted_by = r.Int(5);
  s.person_id = r.Int(6);
  s.at = r.Time(7);
  s.duty_id = r.Int(8);
  return s;
}

constexpr const char* kReconciliations =
    "SELECT id, site_id, post_id, week, sales_fen, cash_fen, takings_variance_fen, "
    "stock_variance_fen, request_id, recorded_by, person_id, at, note, duty_id "
    "FROM shelf_reconciliations ";

Reconciliation MapReconciliation(const store::SqlRow& r) {
  Reconciliation v;
  v.id = r.Int(0);
  v.site_id = r.Int(1);
  v.post_id = r.Int(2);
  v.week = r.Text(3);
  v.sales_fen = r.Int(4);
  v.cash_fen = r.Int(5);
  v.takings_variance_fen = r.Int(6);
  v.stock_variance_fen = r.Int(7);
  v.request_id = r.Int(8);
  v.recorded_by = r.Int(9);
  v.person_id = r.Int(10);
  v.at = r.Time(11);
  v.note = r.Text(12);
  v.duty_id = r.Int(13);
  return v;
}

}  // namespace

Result<Id> InsertGoods(store::Sql& sql, const Goods& g) {
  auto id = sql.Insert(
      "insert shelf goods",
      "INSERT INTO shelf_goods(site_id, post_id, name, unit_price_fen, "
      "created_by, created_at) VALUES(?,?,?,?,?,?) RETURNING id",
      {g.site_id, g.post_id, g.name, g.unit_price_fen, g.created_by, store::SqlTime(g.created_at)});
  if (!id && id.error().code == Errc::kConflict)
    return Fail(Errc::kConflict, Reason{"shelf.goods_exists"},
                "the shelf has goods named \"" + g.name + "\" already", "name");
  return id;
}

Result<Goods> GetGoods(store::Sql& sql, Id id) {
  auto g = sql.One<Goods>("get shelf goods", std::string(kGoods) + "WHERE g.id=?", {id}, MapGoods,
                          "goods " + std::to_string(id) + " do not exist");
  if (!g && g.error().code == Errc::kNotFound)
    return Fail(Errc::kNotFound, Reason{"shelf.unknown_goods"}, g.error().message, "goods_id");
  return g;
}

Result<std::vector<Goods>> GoodsOf(store::Sql& sql, Id post_id) {
  return sql.Many<Goods>("list shelf goods",
                         std::string(kGoods) + "WHERE g.post_id=? ORDER BY g.id", {post_id},
                         MapGoods);
}

Result<Id> InsertMove(store::Sql& sql, const Move& m) {
  return sql.Insert(
      "insert shelf move",
      "INSERT INTO shelf_moves(goods_id, site_id, post_id, kind, quantity, "
      "amount_fen, reconciliation_id, note, by_account, at) "
      "VALUES(?,?,?,?,?,?,?,?,?,?) RETURNING id",
      {m.goods_id, m.site_id, m.post_id, std::string(MoveKindName(m.kind)), m.quantity,
       m.amount_fen, store::SqlRef(m.reconciliation_id), m.note, m.by, store::SqlTime(m.at)});
}

Result<std::vector<Move>> MovesOf(store::Sql& sql, Id post_id, std::optional<MoveKind> kind,
                                  TimePoint from, TimePoint to, store::PageRequest page) {
  store::SqlWhere where;
  where.And("id > ?", page.after_id).And("post_id = ?", post_id);
  if (kind) where.And("kind = ?", std::string(MoveKindName(*kind)));
  if (from != TimePoint{}) where.And("at >= ?", store::SqlTime(from));
  if (to != TimePoint{}) where.And("at < ?", store::SqlTime(to));
  return sql.Many<Move>("list shelf moves", kMoves + where.text() + " ORDER BY id LIMIT ?",
                        where.Params({store::SqlLimit(page.limit)}), MapMove);
}

Result<std::int64_t> SalesFen(store::Sql& sql, Id post_id, TimePoint from, TimePoint to) {
  std::int64_t sum = 0;
  ZHIDU_TRY_VOID(sql.Query("sum shelf sales",
                           "SELECT COALESCE(SUM(amount_fen), 0) FROM shelf_moves WHERE post_id=? "
                           "AND kind='sale' AND at >= ? AND at < ?",
                           {post_id, store::SqlTime(from), store::SqlTime(to)},
                           [&](const store::SqlRow& r) { sum = r.Int(0); }));
  return sum;
}

Result<Id> InsertStocktake(store::Sql& sql, const Stocktake& s) {
  auto id = sql.Insert("insert stocktake",
                       "INSERT INTO shelf_stocktakes(site_id, post_id, day, slot, counted_by, "
                       "person_id, at) VALUES(?,?,?,?,?,?,?) RETURNING id",
                       {s.site_id, s.post_id, s.day, std::string(SlotName(s.slot)), s.counted_by,
                        store::SqlRef(s.person_id), store::SqlTime(s.at)});
  if (!id && id.error().code == Errc::kConflict)
    return Fail(
        Errc::kConflict, Reason{"shelf.stocktake_done"},
        "the " + std::string(SlotName(s.slot)) + " stocktake of " + s.day + " is recorded already",
        "slot");
  return id;
}

Result<void> SetDuty(store::Sql& sql, std::string_view table, Id id, Id duty_id) {
  ZHIDU_TRY(auto n, sql.Exec("set completed duty",
                             "UPDATE " + std::string(table) + " SET duty_id=? WHERE id=?",
                             {store::SqlRef(duty_id), id}));
  (void)n;
  return Ok();
}

Result<std::vector<Stocktake>> StocktakesOf(store::Sql& sql, Id post_id, store::PageRequest page) {
  return sql.Many<Stocktake>(
      "list stocktakes",
      std::string(kStocktakes) + "WHERE post_id=? AND id > ? ORDER BY id LIMIT ?",
      {post_id, page.after_id, store::SqlLimit(page.limit)}, MapStocktake);
}

Result<Id> InsertReconciliation(store::Sql& sql, const Reconciliation& r) {
  auto id = sql.Insert(
      "insert reconciliation",
      "INSERT INTO shelf_reconciliations(site_id, post_id, week, sales_fen, cash_fen, "
      "takings_variance_fen, stock_variance_fen, request_id, recorded_by, person_id, at, note) "
      "VALUES(?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
      {r.site_id, r.post_id, r.week, r.sales_fen, r.cash_fen, r.takings_variance_fen,
       r.stock_variance_fen, store::SqlRef(r.request_id), r.recorded_by, store::SqlRef(r.person_id),
       store::SqlTime(r.at), r.note});
  if (!id && id.error().code == Errc::kConflict)
    return Fail(Errc::kConflict, Reason{"shelf.reconciliation_done"},
                "the reconciliation of the week of " + r.week + " is recorded already", "week");
  return id;
}

Result<Reconciliation> GetReconciliation(store::Sql& sql, Id id) {
  auto r = sql.One<Reconciliation>(
      "get reconciliation", std::string(kReconciliations) + "WHERE id=?", {id}, MapReconciliation,
      "reconciliation " + std::to_string(id) + " does not exist");
  if (!r && r.error().code == Errc::kNotFound)
    return Fail(Errc::kNotFound, Reason{"shelf.unknown_reconciliation"}, r.error().message,
                "reconciliation_id");
  return r;
}

Result<std::vector<Reconciliation>> ReconciliationsOf(store::Sql& sql, Id post_id,
                                                      store::PageRequest page) {
  return sql.Many<Reconciliation>(
      "list reconciliations",
      std::string(kReconciliations) + "WHERE post_id=? AND id > ? ORDER BY id LIMIT ?",
      {post_id, page.after_id, store::SqlLimit(page.limit)}, MapReconciliation);
}

Result<void> InsertLines(store::Sql& sql, std::string_view table, Id owner,
                         const std::vector<Line>& lines) {
  std::string text = "INSERT INTO " + std::string(table) +
                     "(owner_id, goods_id, expected, counted, variance, variance_fen) "
                     "VALUES(?,?,?,?,?,?)";
  for (const auto& l : lines) {
    ZHIDU_TRY(auto n,
              sql.Exec("insert count line", text,
                       {owner, l.goods_id, l.expected, l.counted, l.variance, l.variance_fen}));
    (void)n;
  }
  return Ok();
}

Result<std::vector<Line>> LinesOf(store::Sql& sql, std::string_view table, Id owner) {
  return sql.Many<Line>(
      "count lines",
      "SELECT l.goods_id, g.name, l.expected, l.counted, l.variance, l.variance_fen FROM " +
          std::string(table) +
          " l JOIN shelf_goods g ON g.id = l.goods_id WHERE l.owner_id=? ORDER BY l.goods_id",
      {owner}, [](const store::SqlRow& r) {
        Line l;
        l.goods_id = r.Int(0);
        l.name = r.Text(1);
        l.expected = r.Int(2);
        l.counted = r.Int(3);
        l.variance = r.Int(4);
        l.variance_fen = r.Int(5);
        return l;
      });
}

Result<Id> InsertLoss(store::Sql& sql, const Loss& l) {
  return sql.Insert(
      "insert shelf loss",
      "INSERT INTO shelf_losses(site_id, post_id, person_id, reconciliation_id, "
      "compensation_fen, violation_id, note, recorded_by, at) "
      "VALUES(?,?,?,?,?,?,?,?,?) RETURNING id",
      {l.site_id, l.post_id, l.person_id, store::SqlRef(l.reconciliation_id), l.compensation_fen,
       store::SqlRef(l.violation_id), l.note, l.recorded_by, store::SqlTime(l.at)});
}

Result<std::vector<Loss>> LossesOf(store::Sql& sql, Id post_id, store::PageRequest page) {
  return sql.Many<Loss>(
      "list shelf losses",
      "SELECT id, site_id, post_id, person_id, reconciliation_id, compensation_fen, violation_id, "
      "note, recorded_by, at FROM shelf_losses WHERE post_id=? AND id > ? ORDER BY id LIMIT ?",
      {post_id, page.after_id, store::SqlLimit(page.limit)}, [](const store::SqlRow& r) {
        Loss l;
        l.id = r.Int(0);
        l.site_id = r.Int(1);
        l.post_id = r.Int(2);
        l.person_id = r.Int(3);
        l.reconciliation_id = r.Int(4);
        l.compensation_fen = r.Int(5);
        l.violation_id = r.Int(6);
        l.note = r.Text(7);
        l.recorded_by = r.Int(8);
        l.at = r.Time(9);
        return l;
      });
}

}  // namespace db
}  // namespace zhidu::shelf
