// Information feedback (信息反馈, R17 §二; desk.hpp): the pack's categories, the record, its
// routing through the pack's procedure, and its statements on both backends.
#include <algorithm>

#include "base/canonical_json.hpp"
#include "base/text_limits.hpp"
#include "kernel/policy/rule_names.hpp"
#include "kernel/runtime/events.hpp"
#include "modules/service/desk.hpp"
#include "modules/service/service.hpp"

namespace zhidu::service {

namespace {

std::string FeedbackRef(store::Id id) { return "feedback/" + std::to_string(id); }

const policy::Record* FeedbackRecord(const policy::Pack& pack) {
  for (const auto& r : pack.records())
    if (policy::RuleNamed(r.id, kInfoFeedbackRecord)) return &r;
  return nullptr;
}

constexpr const char* kFeedbackColumns =
    "SELECT id, site_id, category, detail, customer_id, agent, created_by, created_at "
    "FROM service_feedback ";

Feedback MapFeedback(const store::SqlRow& r) {
  return Feedback{r.Int(0), r.Int(1), r.Text(2), r.Text(3),
                  r.Int(4), r.Int(5), r.Int(6),  r.Time(7)};
}

}  // namespace

namespace db {

Result<store::Id> InsertFeedback(store::Sql& sql, const Feedback& v) {
  return sql.Insert("insert feedback",
                    "INSERT INTO service_feedback(site_id, category, detail, customer_id, agent, "
                    "created_by, created_at) VALUES(?,?,?,?,?,?,?) RETURNING id",
                    {v.site_id, v.category, v.detail, store::SqlRef(v.customer_id),
                     store::SqlRef(v.agent), v.created_by, store::SqlTime(v.created_at)});
}

Result<Feedback> GetFeedback(store::Sql& sql, store::Id id) {
  std::optional<Feedback> found;
  ZHIDU_TRY_VOID(sql.Query("get feedback", std::string(kFeedbackColumns) + "WHERE id = ?", {id},
                           [&](const store::SqlRow& r) { found = MapFeedback(r); }));
  if (!found) return Fail(Errc::kNotFound, "feedback " + std::to_string(id) + " does not exist");
  return *found;
}

Result<std::vector<Feedback>> ListFeedback(store::Sql& sql, store::Id site_id,
                                           const std::string& category, store::PageRequest page,
                                           store::Id customer_id) {
  std::string where = "WHERE site_id = ?";
  store::SqlParams params{site_id};
  if (customer_id) {
    where += " AND customer_id = ?";
    params.push_back(customer_id);
  }
  if (page.after_id) {
    where += " AND id < ?";
    params.push_back(page.after_id);
  }
  if (!category.empty()) {
    where += " AND category = ?";
    params.push_back(category);
  }
  params.push_back(std::int64_t{page.limit});
  return sql.Many<Feedback>("list feedback", kFeedbackColumns + where + " ORDER BY id DESC LIMIT ?",
                            params, MapFeedback);
}

}  // namespace db

Result<void> OnRef(store::UnitOfWork& unit, store::Id site_id, const std::string& ref,
                   std::vector<store::Deadline>* deadlines,
                   std::vector<store::ProcedureInstance>* procedures) {
  if (deadlines) {
    store::DeadlineFilter f;
    f.site_id = site_id;
    f.ref = ref;
    ZHIDU_TRY(*deadlines, unit.ListDeadlines(f, {0, 100}));
  }
  if (procedures) {
    store::ProcedureFilter f;
    f.site_id = site_id;
    f.ref = ref;
    ZHIDU_TRY(*procedures, unit.ListProcedureInstances(f, {0, 100}));
  }
  return Ok();
}

std::vector<FeedbackCategory> Desk::Categories() const {
  std::vector<FeedbackCategory> out;
  auto pack = pack_.Current();
  if (!pack) return out;
  const policy::Record* record = FeedbackRecord(*pack);
  if (!record) return out;
  for (const auto& f : record->fields)
    if (f.kind == policy::ItemKind::kCheck)
      out.push_back({f.id, f.label, f.clauses.empty() ? record->clauses : f.clauses});
  return out;
}

Result<FeedbackView> Desk::FeedbackViewOf(store::UnitOfWork& unit, const Feedback& f) {
  FeedbackView v;
  v.feedback = f;
  for (const auto& c : Categories())
    if (c.id == f.category) {
      v.category_label = c.label;
      v.clauses = c.clauses;
    }
  ZHIDU_TRY_VOID(OnRef(unit, f.site_id, FeedbackRef(f.id), &v.deadlines, &v.procedures));
  // Where it went: the roles of the assignments of each instance's current state (the pack's).
  if (auto pack = pack_.Current())
    for (const auto& in : v.procedures)
      if (const policy::Procedure* p = pack->FindProcedure(in.procedure))
        for (const auto& s : p->states)
          if (s.id == in.state)
            for (const auto& a : s.assignments)
              if (std::ranges::find(v.routed_to, a.role) == v.routed_to.end())
                v.routed_to.push_back(a.role);
  return v;
}

Result<FeedbackView> Desk::RecordFeedback(const org::Principal& who, Feedback in) {
  if (in.site_id == 0)
    return Fail(Errc::kInvalidArgument, kRequired, "site_id is required", "site_id");
  if (!org::HoldsRoleAt(who, {in.site_id, 0}))
    return Fail(Errc::kPermissionDenied,
                "recording feedback needs a role at site " + std::to_string(in.site_id));
  ZHIDU_TRY_VOID(CheckText(in.category, "category", true, kMaxText));
  ZHIDU_TRY_VOID(CheckText(in.detail, "detail", true, kMaxBody));
  auto categories = Categories();
  if (categories.empty())
    return Fail(Errc::kConflict, Reason{"feedback.no_categories"},
                "the pack declares no information-feedback record with categories");
  auto cat = std::ranges::find(categories, in.category, &FeedbackCategory::id);
  if (cat == categories.end())
    return Fail(Errc::kInvalidArgument, Reason{"feedback.unknown_category"},
                "\"" + in.category + "\" is not a feedback category of the pack", "category");
  in.agent = who.person_id;
  in.created_by = who.account_id;
  auto id = writer_.Run<store::Id>([&](store::Tx& tx) -> Result<store::Id> {
    auto& sql = tx.unit().sql();
    std::string customer;
    if (in.customer_id) {
      auto c = db::GetCustomer(sql, in.customer_id);
      if (!c && c.error().code != Errc::kNotFound) return Fail(c.error());
      if (!c || c->site_id != in.site_id)
        return Fail(Errc::kNotFound, Reason{"feedback.unknown_customer"},
                    "customer " + std::to_string(in.customer_id) + " is not a customer of the site",
                    "customer_id");
      customer = c->name;
    }
    in.created_at = tx.now();
    ZHIDU_TRY(in.id, db::InsertFeedback(sql, in));
    CanonicalObject p;
    p.Add("id", in.id)
        .Add("site_id", in.site_id)
        .Add("category", in.category)
        .Add("label", cat->label)
        .Add("detail", in.detail)
        .AddRaw("clauses", JsonStringArray(cat->clauses));
    if (in.customer_id) p.Add("customer_id", in.customer_id);
    if (in.agent) p.Add("person_id", in.agent);
    ZHIDU_TRY(auto seq,
              tx.Journal("service.feedback.recorded", who.account_id, FeedbackRef(in.id), p.Str()));
    (void)seq;
    // The pack routes it (its procedure on info_feedback) and times it (its service level).
    policy::Context data;
    data[std::string(kCategoryInput)] = in.category;
    if (in.agent) data["person_id"] = static_cast<double>(in.agent);
    runtime::SiteEvent e{
        in.site_id,
        std::string(kInfoFeedback),
        "信息反馈：" + cat->label + (customer.empty() ? "" : "（" + customer + "）"),
        FeedbackRef(in.id),
        std::move(data),
        who.account_id};
    ZHIDU_TRY_VOID(bus_.Emit(tx, e));
    return in.id;
  });
  if (!id) return Fail(id.error());
  return GetFeedback(who, *id);
}

Result<FeedbackView> Desk::GetFeedback(const org::Principal& who, store::Id id) {
  ZHIDU_TRY(auto unit, store_.BeginRead());
  auto f = db::GetFeedback(unit->sql(), id);
  if (!f || !org::HoldsRoleAt(who, {f->site_id, 0})) {
    if (!f && f.error().code != Errc::kNotFound) return Fail(f.error());
    return Fail(Errc::kNotFound, "feedback " + std::to_string(id) + " does not exist");
  }
  return FeedbackViewOf(*unit, *f);
}

Result<std::vector<Feedback>> Desk::ListFeedback(const org::Principal& who, store::Id site_id,
                                                 const std::string& category,
                                                 store::PageRequest page) {
  if (site_id == 0)
    return Fail(Errc::kInvalidArgument, kRequired, "site_id is required", "site_id");
  if (!org::HoldsRoleAt(who, {site_id, 0}))
    return Fail(Errc::kPermissionDenied,
                "reading feedback needs a role at site " + std::to_string(site_id));
  ZHIDU_TRY(auto unit, store_.BeginRead());
  return db::ListFeedback(unit->sql(), site_id, category, page);
}

}  // namespace zhidu::service
