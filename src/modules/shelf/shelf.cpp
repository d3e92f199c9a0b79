#include "modules/shelf/shelf.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <set>

#include "base/canonical_json.hpp"
#include "base/text_limits.hpp"
#include "kernel/policy/date_text.hpp"
#include "kernel/policy/rule_names.hpp"
#include "kernel/runtime/ledger.hpp"

namespace zhidu::shelf {

namespace {

using namespace std::chrono;

constexpr std::string_view kStocktakeLines = "shelf_stocktake_lines";
constexpr std::string_view kReconciliationLines = "shelf_reconciliation_lines";

TimeZone ZoneOf(const store::Site& site) {
  auto z = TimeZone::Find(site.time_zone);
  return z ? *z : TimeZone::Default();
}

std::string DayText(year_month_day d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return buf;
}

// The local day `text` names (empty: today in `zone`).
Result<sys_days> DayOf(const std::string& text, const TimeZone& zone, TimePoint now,
                       const char* field) {
  if (text.empty()) return sys_days(floor<days>(zone.ToLocal(now)).time_since_epoch());
  auto d = policy::ParseDate(text);
  if (!d)
    return Fail(Errc::kInvalidArgument, kInvalid, std::string(field) + " must be a date YYYY-MM-DD",
                field);
  return sys_days(*d);
}

TimePoint StartOf(sys_days d, const TimeZone& zone) {
  return zone.FromLocal(local_time<Micros>(d.time_since_epoch()));
}

std::string Yuan(std::int64_t fen) {
  std::string sign = fen < 0 ? "-" : "";
  fen = fen < 0 ? -fen : fen;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%02lld", static_cast<long long>(fen / 100),
                static_cast<long long>(fen % 100));
  return sign + buf + "元";
}

Result<void> Quantity(std::int64_t q, const char* field, bool zero_ok) {
  if (q < (zero_ok ? 0 : 1) || q > kMaxQuantity)
    return Fail(Errc::kInvalidArgument, Reason{"shelf.bad_quantity"},
                std::string(field) + " must be a whole number " + (zero_ok ? ">= 0" : "> 0") +
                    " and at most " + std::to_string(kMaxQuantity),
                field);
  return Ok();
}

std::string GoodsRef(Id id) { return "shelf-goods/" + std::to_string(id); }

std::string LinesJson(const std::vector<Line>& lines) {
  std::string out = "[";
  for (size_t i = 0; i < lines.size(); ++i) {
    CanonicalObject o;
    o.Add("goods_id", lines[i].goods_id)
        .Add("expected", lines[i].expected)
        .Add("counted", lines[i].counted)
        .Add("variance", lines[i].variance)
        .Add("variance_fen", lines[i].variance_fen);
    out += (i ? "," : "") + o.Str();
  }
  return out + "]";
}

// The pack's stocktake duties of `post_name` for a slot (nullopt: either): open = on work_start,
// close = after_work (下班后) or work_end.
std::vector<const policy::Duty*> StocktakeDuties(const policy::Pack& pack,
                                                 const std::string& post_name,
                                                 std::optional<Slot> slot) {
  std::set<std::string> checklists;
  for (const auto& c : pack.checklists())
    if (policy::RuleNamed(c.id, kStocktakeChecklist)) checklists.insert(c.id);
  std::vector<const policy::Duty*> out;
  for (const auto& d : pack.duties()) {
    if (d.post != post_name || !checklists.contains(d.checklist)) continue;
    if (d.schedule.kind != policy::ScheduleKind::kOn) continue;
    if (!slot || (*slot == Slot::kOpen && d.schedule.on == "work_start") ||
        (*slot == Slot::kClose && (d.schedule.on == "after_work" || d.schedule.on == "work_end")))
      out.push_back(&d);
  }
  return out;
}

// The pack's weekly stocktake duties of `post_name` (a duty on the post whose checklist is of kind
// stocktake and is due a number of times per week: cn-default's r07-weekly-reconciliation).
std::vector<const policy::Duty*> WeeklyDuties(const policy::Pack& pack,
                                              const std::string& post_name) {
  std::set<std::string> checklists;
  for (const auto& c : pack.checklists())
    if (c.kind == "stocktake") checklists.insert(c.id);
  std::vector<const policy::Duty*> out;
  for (const auto& d : pack.duties())
    if (d.post == post_name && checklists.contains(d.checklist) &&
        d.schedule.kind == policy::ScheduleKind::kTimesPer && d.schedule.per == "week")
      out.push_back(&d);
  return out;
}

// A move of `g` by `who` at `at`.
Move MoveOf(const Goods& g, MoveKind kind, std::int64_t quantity, Id by, TimePoint at) {
  Move m;
  m.goods_id = g.id;
  m.site_id = g.site_id;
  m.post_id = g.post_id;
  m.kind = kind;
  m.quantity = quantity;
  m.by = by;
  m.at = at;
  return m;
}

}  // namespace

std::string_view SlotName(Slot s) { return s == Slot::kOpen ? "open" : "close"; }

Result<Slot> ParseSlot(std::string_view name) {
  if (name == "open") return Slot::kOpen;
  if (name == "close") return Slot::kClose;
  return Fail(Errc::kInvalidArgument, Reason{"shelf.bad_slot"},
              "slot must be open (上班前) or close (下班后)", "slot");
}

std::int64_t Pieces(const std::vector<Line>& lines) {
  std::int64_t n = 0;
  for (const auto& l : lines) n += l.variance < 0 ? -l.variance : l.variance;
  return n;
}

std::vector<std::string> Shelf::Clauses() const {
  auto pack = pack_.Current();
  return pack ? policy::ClausesOfRule(pack->records(), kGoodsRecord) : std::vector<std::string>{};
}

Result<void> Shelf::May(const org::Principal& who, std::string_view permission, Id site_id) const {
  if (roles_.Allows(who, permission, {site_id, 0})) return Ok();
  auto clauses = Clauses();
  return Fail(
      Errc::kPermissionDenied,
      permission == kManagePermission ? Reason{"shelf.manage_denied"} : Reason{"shelf.sell_denied"},
      "this needs the " + std::string(permission) + " permission at site " +
          std::to_string(site_id) +
          (clauses.empty() ? std::string() : " (" + Join(clauses, "、") + ")"));
}

Result<store::Post> Shelf::LoadShelf(store::UnitOfWork& unit, Id post_id,
                                     const org::Principal& who) const {
  auto unknown = [&] {
    return Fail(
        Errc::kNotFound, Reason{"shelf.unknown_shelf"},
        "post " + std::to_string(post_id) + " is no shelf: the pack gives it no stocktake duty",
        "post_id");
  };
  if (post_id <= 0)
    return Fail(Errc::kInvalidArgument, kRequired, "post_id is required", "post_id");
  auto post = unit.GetPost(post_id);
  if (!post && post.error().code == Errc::kNotFound) return unknown();
  if (!post) return Fail(post.error());
  if (!org::HoldsRoleAt(who, {post->site_id, 0})) return unknown();
  auto pack = pack_.Current();
  if (!pack || StocktakeDuties(*pack, post->name, std::nullopt).empty()) return unknown();
  return *post;
}

Result<std::vector<store::Post>> Shelf::Shelves(const org::Principal& who, Id site_id) {
  if (site_id <= 0)
    return Fail(Errc::kInvalidArgument, kRequired, "site_id is required", "site_id");
  if (!org::HoldsRoleAt(who, {site_id, 0}))
    return Fail(Errc::kPermissionDenied,
                "reading the shelves needs a role at site " + std::to_string(site_id));
  auto pack = pack_.Current();
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(auto posts, unit->ListPosts(site_id, {0, 500}));
  std::vector<store::Post> out;
  for (auto& p : posts)
    if (pack && !StocktakeDuties(*pack, p.name, std::nullopt).empty()) out.push_back(p);
  return out;
}

Result<Goods> Shelf::AddGoods(const org::Principal& who, Id post_id, const std::string& name,
                              std::int64_t unit_price_fen) {
  ZHIDU_TRY_VOID(CheckText(name, "name", true, kMaxText));
  if (unit_price_fen < 0 || unit_price_fen > kMaxPriceFen)
    return Fail(Errc::kInvalidArgument, Reason{"shelf.bad_price"},
                "unit_price_fen must be a whole number of fen (分) >= 0", "unit_price_fen");
  auto clauses = Clauses();
  return writer_.Run<Goods>([&](store::Tx& tx) -> Result<Goods> {
    ZHIDU_TRY(auto post, LoadShelf(tx.unit(), post_id, who));
    ZHIDU_TRY_VOID(May(who, kManagePermission, post.site_id));
    Goods g;
    g.site_id = post.site_id;
    g.post_id = post.id;
    g.name = name;
    g.unit_price_fen = unit_price_fen;
    g.created_by = who.account_id;
    g.created_at = tx.now();
    ZHIDU_TRY(g.id, db::InsertGoods(tx.unit().sql(), g));
    CanonicalObject o;
    o.Add("id", g.id)
        .Add("site_id", g.site_id)
        .Add("post_id", g.post_id)
        .Add("name", g.name)
        .Add("unit_price_fen", g.unit_price_fen)
        .AddRaw("clauses", JsonStringArray(clauses));
    ZHIDU_TRY(auto seq, tx.Journal("shelf.goods.added", who.account_id, GoodsRef(g.id), o.Str()));
    (void)seq;
    return g;
  });
}

Result<std::vector<Goods>> Shelf::ListGoods(const org::Principal& who, Id post_id) {
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(auto post, LoadShelf(*unit, post_id, who));
  return db::GoodsOf(unit->sql(), post.id);
}

Result<Move> Shelf::Receive(const org::Principal& who, Id goods_id, std::int64_t quantity,
                            const std::string& note) {
  ZHIDU_TRY_VOID(Quantity(quantity, "quantity", false));
  ZHIDU_TRY_VOID(CheckText(note, "note", false, kMaxText));
  return writer_.Run<Move>([&](store::Tx& tx) -> Result<Move> {
    auto& sql = tx.unit().sql();
    ZHIDU_TRY(Goods g, db::GetGoods(sql, goods_id));
    ZHIDU_TRY(auto post, LoadShelf(tx.unit(), g.post_id, who));
    ZHIDU_TRY_VOID(May(who, kManagePermission, post.site_id));
    Move m = MoveOf(g, MoveKind::kReceipt, quantity, who.account_id, tx.now());
    m.note = note;
    ZHIDU_TRY(m.id, db::InsertMove(sql, m));
    CanonicalObject o;
    o.Add("id", m.id).Add("goods_id", g.id).Add("site_id", g.site_id).Add("quantity", quantity);
    ZHIDU_TRY(auto seq,
              tx.Journal("shelf.goods.received", who.account_id, GoodsRef(g.id), o.Str()));
    (void)seq;
    return m;
  });
}

Result<Move> Shelf::Sell(const org::Principal& who, Id goods_id, std::int64_t quantity) {
  ZHIDU_TRY_VOID(Quantity(quantity, "quantity", false));
  return writer_.Run<Move>([&](store::Tx& tx) -> Result<Move> {
    auto& sql = tx.unit().sql();
    ZHIDU_TRY(Goods g, db::GetGoods(sql, goods_id));
    ZHIDU_TRY(auto post, LoadShelf(tx.unit(), g.post_id, who));
    ZHIDU_TRY_VOID(May(who, kSellPermission, post.site_id));
    if (quantity > g.stock)
      return Fail(Errc::kFailedPrecondition, Reason{"shelf.insufficient_stock"},
                  "only " + std::to_string(g.stock) + " of " + g.name + " are on the book",
                  "quantity");
    Move m = MoveOf(g, MoveKind::kSale, -quantity, who.account_id, tx.now());
    m.amount_fen = g.unit_price_fen * quantity;  // invariant 1: amount = price × quantity
    ZHIDU_TRY(m.id, db::InsertMove(sql, m));
    CanonicalObject o;
    o.Add("id", m.id)
        .Add("goods_id", g.id)
        .Add("site_id", g.site_id)
        .Add("quantity", quantity)
        .Add("amount_fen", m.amount_fen);
    ZHIDU_TRY(auto seq, tx.Journal("shelf.goods.sold", who.account_id, GoodsRef(g.id), o.Str()));
    (void)seq;
    return m;
  });
}

Result<std::vector<Move>> Shelf::Moves(const org::Principal& who, Id post_id,
                                       std::optional<MoveKind> kind, store::PageRequest page) {
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(auto post, LoadShelf(*unit, post_id, who));
  return db::MovesOf(unit->sql(), post.id, kind, {}, {}, page);
}

Result<std::vector<Line>> Shelf::Lines(store::Sql& sql, Id post_id,
                                       const std::vector<Counted>& counts) const {
  ZHIDU_TRY(auto goods, db::GoodsOf(sql, post_id));
  std::map<Id, const Goods*> by_id;
  for (const auto& g : goods) by_id[g.id] = &g;
  std::map<Id, std::int64_t> counted;
  for (size_t i = 0; i < counts.size(); ++i) {
    std::string field = "counts[" + std::to_string(i) + "]";
    if (!by_id.contains(counts[i].goods_id))
      return Fail(Errc::kInvalidArgument, Reason{"shelf.unknown_goods"},
                  "goods " + std::to_string(counts[i].goods_id) + " are not on this shelf",
                  field + ".goods_id");
    ZHIDU_TRY_VOID(Quantity(counts[i].counted, (field + ".counted").c_str(), true));
    if (!counted.emplace(counts[i].goods_id, counts[i].counted).second)
      return Fail(Errc::kInvalidArgument, Reason{"shelf.goods_counted_twice"},
                  "goods " + std::to_string(counts[i].goods_id) + " are counted twice",
                  field + ".goods_id");
  }
  std::vector<Line> lines;
  for (const auto& g : goods) {
    auto it = counted.find(g.id);
    if (it == counted.end())
      return Fail(Errc::kInvalidArgument, Reason{"shelf.goods_not_counted"},
                  "every goods item of the shelf is counted: " + g.name + " is missing", "counts");
    Line l;
    l.goods_id = g.id;
    l.name = g.name;
    l.expected = g.stock;
    l.counted = it->second;
    l.variance = l.expected - l.counted;
    l.variance_fen = l.variance * g.unit_price_fen;
    lines.push_back(l);
  }
  return lines;
}

Result<Stocktake> Shelf::TakeStock(const org::Principal& who, Id post_id, Slot slot,
                                   const std::string& day, const std::vector<Counted>& counts) {
  auto clauses = Clauses();
  store::Post post;
  TimeZone zone = TimeZone::Default();
  auto made = writer_.Run<Stocktake>([&](store::Tx& tx) -> Result<Stocktake> {
    auto& unit = tx.unit();
    ZHIDU_TRY(post, LoadShelf(unit, post_id, who));
    ZHIDU_TRY_VOID(May(who, kSellPermission, post.site_id));
    ZHIDU_TRY(auto site, unit.GetSite(post.site_id));
    zone = ZoneOf(site);
    ZHIDU_TRY(auto d, DayOf(day, zone, tx.now(), "day"));
    if (StartOf(d, zone) > tx.now())
      return Fail(Errc::kInvalidArgument, Reason{"shelf.day_in_future"},
                  "day " + DayText(year_month_day(d)) + " has not begun", "day");
    Stocktake s;
    s.site_id = post.site_id;
    s.post_id = post.id;
    s.day = DayText(year_month_day(d));
    s.slot = slot;
    s.counted_by = who.account_id;
    s.person_id = who.person_id;
    s.at = tx.now();
    ZHIDU_TRY(s.lines, Lines(unit.sql(), post.id, counts));
    ZHIDU_TRY(s.id, db::InsertStocktake(unit.sql(), s));
    ZHIDU_TRY_VOID(db::InsertLines(unit.sql(), kStocktakeLines, s.id, s.lines));
    auto variance = Pieces(s.lines);
    CanonicalObject o;
    o.Add("id", s.id)
        .Add("site_id", s.site_id)
        .Add("post_id", s.post_id)
        .Add("day", s.day)
        .Add("slot", SlotName(s.slot))
        .Add("person_id", s.person_id)
        .Add("variance", variance)
        .AddRaw("lines", LinesJson(s.lines))
        .AddRaw("clauses", JsonStringArray(clauses))
        .Add("title", std::string(slot == Slot::kOpen ? "上班前" : "下班后") + "盘点：差异 " +
                          std::to_string(variance) + " 件");
    ZHIDU_TRY(auto seq, tx.Journal("shelf.stocktake.recorded", who.account_id,
                                   "shelf-stocktake/" + std::to_string(s.id), o.Str()));
    (void)seq;
    return s;
  });
  if (!made) return made;
  // The planner's stocktake duty of the slot, that day (docs/shelf.md: why the record completes
  // it).
  auto pack = pack_.Current();
  auto on = sys_days(*policy::ParseDate(made->day));
  auto variance = static_cast<double>(Pieces(made->lines));
  made->duty_id = CompleteDuty(
      who, post,
      pack ? StocktakeDuties(*pack, post.name, slot) : std::vector<const policy::Duty*>{},
      StartOf(on, zone), StartOf(on + days(1), zone),
      [&](const policy::ChecklistItem&) { return variance; }, variance == 0,
      "shelf-stocktake/" + std::to_string(made->id));
  if (made->duty_id) {
    (void)writer_.Run<bool>([&](store::Tx& tx) -> Result<bool> {
      ZHIDU_TRY_VOID(db::SetDuty(tx.unit().sql(), "shelf_stocktakes", made->id, made->duty_id));
      return true;
    });
  }
  return made;
}

Id Shelf::CompleteDuty(const org::Principal& who, const store::Post& post,
                       const std::vector<const policy::Duty*>& duties, TimePoint from, TimePoint to,
                       const std::function<double(const policy::ChecklistItem&)>& number,
                       bool balanced, const std::string& ref) {
  auto pack = pack_.Current();
  if (!pack) return 0;
  for (const auto* duty : duties) {
    store::DutyFilter f;
    f.site_id = post.site_id;
    f.post_id = post.id;
    f.duty = duty->id;
    f.due_from = from;
    f.due_before = to;
    auto rows = duties_.List(who, f, {0, 10});
    if (!rows) continue;
    const policy::Checklist* form = nullptr;
    for (const auto& c : pack->checklists())
      if (c.id == duty->checklist) form = &c;
    if (!form) continue;
    // The form answered from the record: checks done, numbers from `number`, a pass_flag_fail item
    // passed only without a variance, a text item the record's reference.
    runtime::Answers answers;
    for (const auto& item : form->items) {
      switch (item.kind) {
        case policy::ItemKind::kCheck:
          answers[item.id] = true;
          break;
        case policy::ItemKind::kNumber:
          answers[item.id] = number(item);
          break;
        case policy::ItemKind::kPassFlagFail:
          answers[item.id] = std::string(balanced ? "pass" : "flag");
          break;
        case policy::ItemKind::kText:
          answers[item.id] = ref;
          break;
        default:
          break;
      }
    }
    for (const auto& inst : *rows) {
      if (inst.state != store::DutyState::kDue && inst.state != store::DutyState::kInProgress &&
          inst.state != store::DutyState::kScheduled)
        continue;
      if (duties_.Complete(who, inst.id, answers)) return inst.id;
    }
  }
  return 0;
}

Result<std::vector<Stocktake>> Shelf::Stocktakes(const org::Principal& who, Id post_id,
                                                 store::PageRequest page) {
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(auto post, LoadShelf(*unit, post_id, who));
  ZHIDU_TRY(auto rows, db::StocktakesOf(unit->sql(), post.id, page));
  for (auto& s : rows) {
    ZHIDU_TRY(s.lines, db::LinesOf(unit->sql(), kStocktakeLines, s.id));
  }
  return rows;
}

Result<void> Shelf::Fill(store::UnitOfWork& unit, Reconciliation& r) const {
  ZHIDU_TRY(r.lines, db::LinesOf(unit.sql(), kReconciliationLines, r.id));
  bool variance = r.takings_variance_fen != 0;
  for (const auto& l : r.lines) variance = variance || l.variance != 0;
  if (!variance) {
    r.state = "balanced";
  } else if (r.request_id == 0) {
    r.state = "unapproved";
  } else {
    // The approval is the kernel request's (runtime::Requests), read from the store.
    ZHIDU_TRY(auto req, unit.GetApprovalRequest(r.request_id));
    r.state = std::string(store::RequestStateName(req.state));
  }
  return Ok();
}

Result<Reconciliation> Shelf::Reconcile(const org::Principal& who, Id post_id,
                                        const std::string& week, std::int64_t cash_fen,
                                        const std::vector<Counted>& counts,
                                        const std::string& note) {
  if (cash_fen < 0 || cash_fen > kMaxPriceFen * 100)
    return Fail(Errc::kInvalidArgument, Reason{"shelf.bad_amount"},
                "cash_fen must be a whole number of fen (分) >= 0", "cash_fen");
  ZHIDU_TRY_VOID(CheckText(note, "note", false, 1000));
  auto pack = pack_.Current();
  auto clauses = Clauses();
  // Checked and computed in a read first: a variance files the pack's request (its own writer
  // job, runtime::Requests), then the record is written with the request's id; a record that then
  // fails (a second reconciliation of the week meanwhile) withdraws the request.
  Reconciliation r;
  store::Post post;
  TimeZone zone = TimeZone::Default();
  sys_days monday;
  {
    ZHIDU_TRY(auto unit, store_.BeginRead());
    ZHIDU_TRY(post, LoadShelf(*unit, post_id, who));
    ZHIDU_TRY_VOID(May(who, kSellPermission, post.site_id));
    ZHIDU_TRY(auto site, unit->GetSite(post.site_id));
    zone = ZoneOf(site);
    auto now = clock_.Now();
    ZHIDU_TRY(auto d, DayOf(week, zone, now, "week"));
    monday = d - (weekday(d) - Monday);
    if (StartOf(monday, zone) > now)
      return Fail(Errc::kInvalidArgument, Reason{"shelf.day_in_future"},
                  "the week of " + DayText(year_month_day(monday)) + " has not begun", "week");
    r.site_id = post.site_id;
    r.post_id = post.id;
    r.week = DayText(year_month_day(monday));
    ZHIDU_TRY(auto existing, db::ReconciliationsOf(unit->sql(), post.id, {0, 1000}));
    for (const auto& e : existing)
      if (e.week == r.week)
        return Fail(Errc::kConflict, Reason{"shelf.reconciliation_done"},
                    "the reconciliation of the week of " + r.week + " is recorded already", "week");
    ZHIDU_TRY(r.sales_fen, db::SalesFen(unit->sql(), post.id, StartOf(monday, zone),
                                        StartOf(monday + days(7), zone)));
    ZHIDU_TRY(r.lines, Lines(unit->sql(), post.id, counts));
  }
  r.cash_fen = cash_fen;
  r.takings_variance_fen = r.sales_fen - cash_fen;
  bool variance = r.takings_variance_fen != 0;
  for (const auto& l : r.lines) {
    r.stock_variance_fen += l.variance_fen;
    variance = variance || l.variance != 0;
  }
  const policy::Request* type = nullptr;
  if (pack)
    for (const auto& t : pack->requests())
      if (policy::RuleNamed(t.record, kReconciliationRecord)) type = &t;
  if (variance && type) {
    runtime::NewRequest req;
    req.site_id = r.site_id;
    req.type = type->id;
    req.reason = "货架周盘点（" + r.week + " 起一周）：销售额 " + Yuan(r.sales_fen) + "，实收 " +
                 Yuan(cash_fen) + "，帐款差异 " + Yuan(r.takings_variance_fen) + "；库存差异 " +
                 Yuan(r.stock_variance_fen);
    ZHIDU_TRY(auto filed, requests_.Create(who, req));
    r.request_id = filed.request.id;
  }
  auto written = writer_.Run<Reconciliation>([&](store::Tx& tx) -> Result<Reconciliation> {
    auto& sql = tx.unit().sql();
    r.recorded_by = who.account_id;
    r.person_id = who.person_id;
    r.at = tx.now();
    r.note = note;
    // The book may have moved since the read: the lines are taken again in the transaction.
    ZHIDU_TRY(auto lines, Lines(sql, r.post_id, counts));
    r.lines = lines;
    r.stock_variance_fen = 0;
    for (const auto& l : r.lines) r.stock_variance_fen += l.variance_fen;
    ZHIDU_TRY(r.id, db::InsertReconciliation(sql, r));
    ZHIDU_TRY_VOID(db::InsertLines(sql, kReconciliationLines, r.id, r.lines));
    // Invariant 3: the book follows the shelf from here on.
    for (const auto& l : r.lines) {
      if (l.variance == 0) continue;
      Move m;
      m.goods_id = l.goods_id;
      m.site_id = r.site_id;
      m.post_id = r.post_id;
      m.kind = MoveKind::kAdjust;
      m.quantity = -l.variance;
      m.reconciliation_id = r.id;
      m.note = "周盘点差异";
      m.by = who.account_id;
      m.at = r.at;
      ZHIDU_TRY(m.id, db::InsertMove(sql, m));
    }
    CanonicalObject o;
    o.Add("id", r.id)
        .Add("site_id", r.site_id)
        .Add("post_id", r.post_id)
        .Add("week", r.week)
        .Add("sales_fen", r.sales_fen)
        .Add("cash_fen", r.cash_fen)
        .Add("takings_variance_fen", r.takings_variance_fen)
        .Add("stock_variance_fen", r.stock_variance_fen)
        .Add("request_id", r.request_id)
        .AddRaw("lines", LinesJson(r.lines))
        .AddRaw("clauses", JsonStringArray(clauses))
        .Add("title", "货架周盘点：帐款差异 " + Yuan(r.takings_variance_fen) + "，库存差异 " +
                          Yuan(r.stock_variance_fen));
    ZHIDU_TRY(auto seq, tx.Journal("shelf.reconciliation.recorded", who.account_id,
                                   "shelf-reconciliation/" + std::to_string(r.id), o.Str()));
    (void)seq;
    return r;
  });
  if (!written) {
    if (r.request_id) (void)requests_.Withdraw(who, r.request_id, "盘点记录未写入");
    return written;
  }
  // The planner's weekly duty (R07 §二3 每周…盘点): numbers in 元 are the week's sales, the others
  // the stock counted; 帐款相符 passes only without a variance.
  if (pack) {
    std::int64_t stock = 0;
    bool balanced = written->takings_variance_fen == 0;
    for (const auto& l : written->lines) {
      stock += l.counted;
      balanced = balanced && l.variance == 0;
    }
    auto duty_id = CompleteDuty(
        who, post, WeeklyDuties(*pack, post.name), StartOf(monday, zone),
        StartOf(monday + days(7), zone),
        [&](const policy::ChecklistItem& item) {
          return item.unit == "元" ? static_cast<double>(written->sales_fen) / 100.0
                                   : static_cast<double>(stock);
        },
        balanced, "shelf-reconciliation/" + std::to_string(written->id));
    if (duty_id) {
      (void)writer_.Run<bool>([&](store::Tx& tx) -> Result<bool> {
        ZHIDU_TRY_VOID(db::SetDuty(tx.unit().sql(), "shelf_reconciliations", written->id, duty_id));
        return true;
      });
    }
  }
  return GetReconciliation(who, written->id);
}

Result<Reconciliation> Shelf::GetReconciliation(const org::Principal& who, Id id) {
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(auto r, db::GetReconciliation(unit->sql(), id));
  ZHIDU_TRY(auto post, LoadShelf(*unit, r.post_id, who));
  (void)post;
  ZHIDU_TRY_VOID(Fill(*unit, r));
  return r;
}

Result<std::vector<Reconciliation>> Shelf::Reconciliations(const org::Principal& who, Id post_id,
                                                           store::PageRequest page) {
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(auto post, LoadShelf(*unit, post_id, who));
  ZHIDU_TRY(auto rows, db::ReconciliationsOf(unit->sql(), post.id, page));
  for (auto& r : rows) {
    ZHIDU_TRY_VOID(Fill(*unit, r));
  }
  return rows;
}

Result<Loss> Shelf::RecordLoss(const org::Principal& who, Id post_id, Id person_id,
                               std::int64_t compensation_fen, Id reconciliation_id,
                               const std::string& note) {
  if (person_id <= 0)
    return Fail(Errc::kInvalidArgument, kRequired, "person_id is required", "person_id");
  if (compensation_fen <= 0 || compensation_fen > kMaxPriceFen * 100)
    return Fail(Errc::kInvalidArgument, Reason{"shelf.bad_amount"},
                "compensation_fen must be a positive whole number of fen (分)", "compensation_fen");
  ZHIDU_TRY_VOID(CheckText(note, "note", true, 1000));
  auto pack = pack_.Current();
  auto clauses = Clauses();
  return writer_.Run<Loss>([&](store::Tx& tx) -> Result<Loss> {
    auto& unit = tx.unit();
    ZHIDU_TRY(auto post, LoadShelf(unit, post_id, who));
    ZHIDU_TRY_VOID(May(who, kManagePermission, post.site_id));
    auto person = unit.GetPerson(person_id);
    if ((!person && person.error().code == Errc::kNotFound) ||
        (person && person->site_id != post.site_id))
      return Fail(Errc::kInvalidArgument, Reason{"shelf.unknown_person"},
                  "person " + std::to_string(person_id) + " is no person of the shelf's site",
                  "person_id");
    if (!person) return Fail(person.error());
    if (reconciliation_id) {
      ZHIDU_TRY(auto r, db::GetReconciliation(unit.sql(), reconciliation_id));
      if (r.post_id != post.id)
        return Fail(Errc::kInvalidArgument, Reason{"shelf.unknown_reconciliation"},
                    "reconciliation " + std::to_string(reconciliation_id) + " is not of this shelf",
                    "reconciliation_id");
    }
    Loss l;
    l.site_id = post.site_id;
    l.post_id = post.id;
    l.person_id = person_id;
    l.reconciliation_id = reconciliation_id;
    l.compensation_fen = compensation_fen;
    l.note = note;
    l.recorded_by = who.account_id;
    l.at = tx.now();
    // The pack's loss penalty (R07-LOSS: 20 元/次 and compensation at cost) through the ledger,
    // citing its own clauses and the shelf's (R07 §二3).
    const policy::Penalty* penalty = nullptr;
    if (pack)
      for (const auto& p : pack->penalties())
        if (policy::RuleNamed(p.code, kLossPenalty)) penalty = &p;
    if (penalty) {
      runtime::NewViolation v;
      v.site_id = post.site_id;
      v.person_id = person_id;
      v.post_id = post.id;
      v.code = penalty->code;
      v.clauses = penalty->clauses;
      for (const auto& c : clauses)
        if (std::find(v.clauses.begin(), v.clauses.end(), c) == v.clauses.end())
          v.clauses.push_back(c);
      v.subject = "shelf/" + std::to_string(post.id);
      v.occurred_at = tx.now();
      v.note = "货架商品损失，赔偿 " + Yuan(compensation_fen) + "：" + note;
      ZHIDU_TRY(auto raised, runtime::Ledger::Raise(tx, *pack, v, who.account_id, "inspector"));
      l.violation_id = raised.id;
    }
    ZHIDU_TRY(l.id, db::InsertLoss(unit.sql(), l));
    CanonicalObject o;
    o.Add("id", l.id)
        .Add("site_id", l.site_id)
        .Add("post_id", l.post_id)
        .Add("person_id", l.person_id)
        .Add("compensation_fen", l.compensation_fen)
        .Add("violation_id", l.violation_id)
        .Add("reconciliation_id", l.reconciliation_id)
        .AddRaw("clauses", JsonStringArray(clauses))
        .Add("title", "货架商品损失：赔偿 " + Yuan(compensation_fen));
    ZHIDU_TRY(auto seq, tx.Journal("shelf.loss.recorded", who.account_id,
                                   "shelf-loss/" + std::to_string(l.id), o.Str()));
    (void)seq;
    return l;
  });
}

Result<std::vector<Loss>> Shelf::Losses(const org::Principal& who, Id post_id,
                                        store::PageRequest page) {
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(auto post, LoadShelf(*unit, post_id, who));
  return db::LossesOf(unit->sql(), post.id, page);
}

}  // namespace zhidu::shelf
