// The callback register (回拨登记, R17 §行为规范·二7/二8; desk.hpp): the promised time as a
// deadline of the kernel's engine, the callback recorded done once, and the statements on both
// backends.
#include "base/canonical_json.hpp"
#include "base/text_limits.hpp"
#include "kernel/policy/rule_names.hpp"
#include "kernel/runtime/events.hpp"
#include "modules/service/desk.hpp"
#include "modules/service/service.hpp"

namespace zhidu::service {

namespace {

std::string CallbackRef(store::Id id) { return "callback/" + std::to_string(id); }

constexpr const char* kCallbackColumns =
    "SELECT b.id, b.site_id, b.customer_id, c.name, b.phone, b.reason, b.promised_at, b.agent, "
    "b.created_by, b.created_at, b.done_at, b.done_by, b.outcome "
    "FROM service_callbacks b JOIN service_customers c ON c.id = b.customer_id ";

Callback MapCallback(const store::SqlRow& r) {
  Callback v;
  v.id = r.Int(0);
  v.site_id = r.Int(1);
  v.customer_id = r.Int(2);
  v.customer = r.Text(3);
  v.phone = r.Text(4);
  v.reason = r.Text(5);
  v.promised_at = r.Time(6);
  v.agent = r.Int(7);
  v.created_by = r.Int(8);
  v.created_at = r.Time(9);
  v.done_at = r.Time(10);
  v.done_by = r.Int(11);
  v.outcome = r.Text(12);
  return v;
}

CanonicalObject CallbackPayload(const Callback& v, const std::vector<std::string>& clauses) {
  CanonicalObject p;
  p.Add("id", v.id)
      .Add("site_id", v.site_id)
      .Add("customer_id", v.customer_id)
      .Add("phone", Mask(v.phone))
      .Add("reason", v.reason)
      .Add("promised_at", FormatIso8601Utc(v.promised_at))
      .AddRaw("clauses", JsonStringArray(clauses));
  if (v.agent) p.Add("person_id", v.agent);
  return p;
}

}  // namespace

namespace db {

Result<store::Id> InsertCallback(store::Sql& sql, const Callback& v) {
  return sql.Insert("insert callback",
                    "INSERT INTO service_callbacks(site_id, customer_id, phone, reason, "
                    "promised_at, agent, created_by, created_at) VALUES(?,?,?,?,?,?,?,?) "
                    "RETURNING id",
                    {v.site_id, v.customer_id, v.phone, v.reason, store::SqlTime(v.promised_at),
                     store::SqlRef(v.agent), v.created_by, store::SqlTime(v.created_at)});
}

Result<Callback> GetCallback(store::Sql& sql, store::Id id) {
  std::optional<Callback> found;
  ZHIDU_TRY_VOID(sql.Query("get callback", std::string(kCallbackColumns) + "WHERE b.id = ?", {id},
                           [&](const store::SqlRow& r) { found = MapCallback(r); }));
  if (!found) return Fail(Errc::kNotFound, "callback " + std::to_string(id) + " does not exist");
  return *found;
}

Result<std::vector<Callback>> ListCallbacks(store::Sql& sql, store::Id site_id, bool open_only,
                                            store::PageRequest page, store::Id customer_id) {
  std::string where = "WHERE b.site_id = ?";
  store::SqlParams params{site_id};
  if (customer_id) {
    where += " AND b.customer_id = ?";
    params.push_back(customer_id);
  }
  if (page.after_id) {
    where += " AND b.id < ?";
    params.push_back(page.after_id);
  }
  if (open_only) where += " AND b.done_at IS NULL";
  params.push_back(std::int64_t{page.limit});
  return sql.Many<Callback>("list callbacks",
                            kCallbackColumns + where + " ORDER BY b.id DESC LIMIT ?", params,
                            MapCallback);
}

Result<bool> MarkCallbackDone(store::Sql& sql, const Callback& v) {
  ZHIDU_TRY(auto changed, sql.Exec("mark callback done",
                                   "UPDATE service_callbacks SET done_at=?, done_by=?, outcome=? "
                                   "WHERE id=? AND done_at IS NULL",
                                   {store::SqlTime(v.done_at), v.done_by, v.outcome, v.id}));
  return changed == 1;
}

}  // namespace db

namespace {
std::vector<std::string> CallbackClauses(const policy::ActivePack& pack) {
  auto p = pack.Current();
  return p ? policy::ClausesOfRule(p->records(), kCallbackRecord) : std::vector<std::string>{};
}
}  // namespace

Result<CallbackView> Desk::RecordCallback(const org::Principal& who, Callback in) {
  if (in.site_id == 0)
    return Fail(Errc::kInvalidArgument, kRequired, "site_id is required", "site_id");
  if (!org::HoldsRoleAt(who, {in.site_id, 0}))
    return Fail(Errc::kPermissionDenied,
                "recording a callback needs a role at site " + std::to_string(in.site_id));
  if (in.customer_id == 0)
    return Fail(Errc::kInvalidArgument, kRequired, "customer_id is required", "customer_id");
  ZHIDU_TRY_VOID(CheckText(in.phone, "phone", true, kMaxText));
  ZHIDU_TRY(in.phone, NormalisePhone(in.phone, "phone"));
  ZHIDU_TRY_VOID(CheckText(in.reason, "reason", true, kMaxBody));
  in.agent = who.person_id;
  in.created_by = who.account_id;
  auto clauses = CallbackClauses(pack_);
  auto id = writer_.Run<store::Id>([&](store::Tx& tx) -> Result<store::Id> {
    auto& sql = tx.unit().sql();
    auto c = db::GetCustomer(sql, in.customer_id);
    if (!c && c.error().code != Errc::kNotFound) return Fail(c.error());
    if (!c || c->site_id != in.site_id)
      return Fail(Errc::kNotFound, Reason{"callback.unknown_customer"},
                  "customer " + std::to_string(in.customer_id) + " is not a customer of the site",
                  "customer_id");
    if (in.promised_at <= tx.now())
      return Fail(Errc::kInvalidArgument, Reason{"callback.promised_in_past"},
                  "the promised callback time must be later than now", "promised_at");
    in.created_at = tx.now();
    ZHIDU_TRY(in.id, db::InsertCallback(sql, in));
    ZHIDU_TRY(auto seq, tx.Journal("service.callback.recorded", who.account_id, CallbackRef(in.id),
                                   CallbackPayload(in, clauses).Str()));
    (void)seq;
    // The promised time is the deadline of the pack's service level on callback_promised.
    policy::Context data;
    data[std::string(kPromisedField)] = FormatIso8601Utc(in.promised_at);
    if (in.agent) data["person_id"] = static_cast<double>(in.agent);
    runtime::SiteEvent e{in.site_id,         std::string(kCallbackPromised),
                         "回拨：" + c->name, CallbackRef(in.id),
                         std::move(data),    who.account_id};
    ZHIDU_TRY_VOID(bus_.Emit(tx, e));
    return in.id;
  });
  if (!id) return Fail(id.error());
  return GetCallback(who, *id);
}

Result<CallbackView> Desk::GetCallback(const org::Principal& who, store::Id id) {
  ZHIDU_TRY(auto unit, store_.BeginRead());
  auto b = db::GetCallback(unit->sql(), id);
  if (!b || !org::HoldsRoleAt(who, {b->site_id, 0})) {
    if (!b && b.error().code != Errc::kNotFound) return Fail(b.error());
    return Fail(Errc::kNotFound, "callback " + std::to_string(id) + " does not exist");
  }
  CallbackView v;
  v.callback = *b;
  ZHIDU_TRY_VOID(OnRef(*unit, b->site_id, CallbackRef(id), &v.deadlines, nullptr));
  return v;
}

Result<std::vector<Callback>> Desk::ListCallbacks(const org::Principal& who, store::Id site_id,
                                                  bool open_only, store::PageRequest page) {
  if (site_id == 0)
    return Fail(Errc::kInvalidArgument, kRequired, "site_id is required", "site_id");
  if (!org::HoldsRoleAt(who, {site_id, 0}))
    return Fail(Errc::kPermissionDenied,
                "reading callbacks needs a role at site " + std::to_string(site_id));
  ZHIDU_TRY(auto unit, store_.BeginRead());
  return db::ListCallbacks(unit->sql(), site_id, open_only, page);
}

Result<CallbackView> Desk::CallbackDone(const org::Principal& who, store::Id id,
                                        const std::string& outcome) {
  ZHIDU_TRY_VOID(CheckText(outcome, "outcome", false, kMaxBody));
  auto clauses = CallbackClauses(pack_);
  auto done = writer_.Run<bool>([&](store::Tx& tx) -> Result<bool> {
    auto& sql = tx.unit().sql();
    auto b = db::GetCallback(sql, id);
    if (!b && b.error().code != Errc::kNotFound) return Fail(b.error());
    if (!b || !org::HoldsRoleAt(who, {b->site_id, 0}))
      return Fail(Errc::kNotFound, "callback " + std::to_string(id) + " does not exist");
    if (b->done_at != TimePoint{})
      return Fail(Errc::kConflict, Reason{"callback.already_done"},
                  "the callback is recorded as done already");
    b->done_at = tx.now();
    b->done_by = who.account_id;
    b->outcome = outcome;
    ZHIDU_TRY(bool marked, db::MarkCallbackDone(sql, *b));
    if (!marked)
      return Fail(Errc::kConflict, Reason{"callback.already_done"},
                  "the callback is recorded as done already");
    ZHIDU_TRY(auto seq, tx.Journal("service.callback.done", who.account_id, CallbackRef(id),
                                   CallbackPayload(*b, clauses)
                                       .Add("done_at", FormatIso8601Utc(b->done_at))
                                       .Add("outcome", outcome)
                                       .Str()));
    (void)seq;
    policy::Context data;
    if (b->agent) data["person_id"] = static_cast<double>(b->agent);
    runtime::SiteEvent e{b->site_id,
                         std::string(kCallbackDone),
                         "回拨：" + b->customer,
                         CallbackRef(id),
                         std::move(data),
                         who.account_id};
    ZHIDU_TRY_VOID(bus_.Emit(tx, e));
    return true;
  });
  if (!done) return Fail(done.error());
  return GetCallback(who, id);
}

}  // namespace zhidu::service
