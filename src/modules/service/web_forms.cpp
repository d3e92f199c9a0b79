// 在线提交 (public web forms, issue 18 §2; service.hpp WebForm): a supervisor of a queue publishes
// a form by a secret link; a customer with no sign-in opens a ticket in that queue through it. The
// ticket is opened by OpenTicket, the console's own path (routing, the pack's events and SLA
// deadlines), in the transaction that records the submission. Every change is journaled in its
// transaction: service.web_form.created / .revoked by the supervisor, .submitted by the customer
// (account 0, as a survey's answer).
#include <algorithm>

#include "base/canonical_json.hpp"
#include "base/crypto.hpp"
#include "base/text_limits.hpp"
#include "modules/service/service.hpp"

namespace zhidu::service {

namespace {

std::string FormRef(store::Id id) { return "web_form/" + std::to_string(id); }

constexpr const char* kFormColumns =
    "SELECT f.id, f.site_id, f.queue_post_id, COALESCE(p.name, ''), f.title, f.category, "
    "f.created_by, f.created_at, f.revoked_by, f.revoked_at, "
    "(SELECT COUNT(*) FROM service_web_submissions w WHERE w.form_id = f.id) "
    "FROM service_web_forms f LEFT JOIN posts p ON p.id = f.queue_post_id ";

WebForm MapForm(const store::SqlRow& r) {
  WebForm v;
  v.id = r.Int(0);
  v.site_id = r.Int(1);
  v.queue_post_id = r.Int(2);
  v.queue = r.Text(3);
  v.title = r.Text(4);
  v.category = r.Text(5);
  v.created_by = r.Int(6);
  v.created_at = r.Time(7);
  v.revoked_by = r.Int(8);
  v.revoked_at = r.Time(9);
  v.submissions = static_cast<int>(r.Int(10));
  return v;
}

Result<std::optional<WebForm>> FindForm(store::Sql& sql, const char* where,
                                        const store::SqlValue& key) {
  std::optional<WebForm> found;
  ZHIDU_TRY_VOID(sql.Query("get web form", std::string(kFormColumns) + where, {key},
                           [&](const store::SqlRow& r) { found = MapForm(r); }));
  return found;
}

Error UnknownForm() {
  return Error{Errc::kNotFound, "no such form (the link may be mistyped)", "",
               "service.unknown_web_form"};
}

// The live form behind a link: unknown, or revoked by its supervisor.
Result<WebForm> LiveForm(store::Sql& sql, const std::string& token) {
  auto hash = LinkTokenHash(token);
  if (!hash) return Fail(UnknownForm());
  ZHIDU_TRY(auto form, FindForm(sql, "WHERE f.token_hash = ?", *hash));
  if (!form) return Fail(UnknownForm());
  if (form->revoked_at != TimePoint{})
    return Fail(Errc::kNotFound, Reason{"service.web_form_revoked"},
                "this form was withdrawn: please contact customer service another way");
  return *form;
}

CanonicalObject FormPayload(const WebForm& v) {
  CanonicalObject o;
  o.Add("id", v.id)
      .Add("site_id", v.site_id)
      .Add("queue_post_id", v.queue_post_id)
      .Add("queue", v.queue)
      .Add("title", v.title)
      .Add("category", v.category);
  return o;
}

}  // namespace

namespace db {
Result<std::optional<WebSubmission>> WebSubmissionOf(store::Sql& sql, store::Id ticket_id) {
  std::optional<WebSubmission> found;
  ZHIDU_TRY_VOID(
      sql.Query("get web submission",
                "SELECT id, form_id, ticket_id, customer_id, name, company, phone, submitted_at "
                "FROM service_web_submissions WHERE ticket_id = ?",
                {ticket_id}, [&](const store::SqlRow& r) {
                  WebSubmission v;
                  v.id = r.Int(0);
                  v.form_id = r.Int(1);
                  v.ticket_id = r.Int(2);
                  v.customer_id = r.Int(3);
                  v.name = r.Text(4);
                  v.company = r.Text(5);
                  v.phone = r.Text(6);
                  v.at = r.Time(7);
                  found = v;
                }));
  return found;
}
}  // namespace db

Result<WebForm> Service::CreateWebForm(const org::Principal& who, WebForm in, std::string* token) {
  ZHIDU_TRY_VOID(MayWorkAt(who, in.site_id, "publishing a web form"));
  if (in.queue_post_id == 0)
    return Fail(Errc::kInvalidArgument, kRequired, "queue_post_id is required", "queue_post_id");
  ZHIDU_TRY_VOID(CheckText(in.title, "title", true, kMaxText));
  ZHIDU_TRY_VOID(CheckText(in.category, "category", false, 100));
  auto id = writer_.Run<store::Id>([&](store::Tx& tx) -> Result<store::Id> {
    auto& unit = tx.unit();
    ZHIDU_TRY(in.queue, QueueName(unit, in.site_id, in.queue_post_id));
    if (!Supervises(who, in.site_id, in.queue))
      return Fail(Errc::kPermissionDenied, Reason{"service.web_form_denied"},
                  "only a supervisor of the queue " + in.queue + " publishes its web forms");
    *token = RandomHex(kSurveyTokenHex / 2);
    in.created_by = who.account_id;
    in.created_at = tx.now();
    ZHIDU_TRY(in.id, unit.sql().Insert(
                         "insert web form",
                         "INSERT INTO service_web_forms(site_id, queue_post_id, title, category, "
                         "token_hash, created_by, created_at) VALUES(?,?,?,?,?,?,?) RETURNING id",
                         {in.site_id, in.queue_post_id, in.title, in.category,
                          *LinkTokenHash(*token), in.created_by, store::SqlTime(in.created_at)}));
    // The token is never journaled: the journal is read by more people than the link is for.
    ZHIDU_TRY(auto seq, tx.Journal("service.web_form.created", who.account_id, FormRef(in.id),
                                   FormPayload(in).Str()));
    (void)seq;
    return in.id;
  });
  if (!id) return Fail(id.error());
  return in;
}

Result<std::vector<WebForm>> Service::ListWebForms(const org::Principal& who, store::Id site_id) {
  ZHIDU_TRY_VOID(MayWorkAt(who, site_id, "reading the web forms"));
  ZHIDU_TRY(auto unit, store_.BeginRead());
  return unit->sql().Many<WebForm>(
      "list web forms",
      std::string(kFormColumns) + "WHERE f.site_id = ? ORDER BY f.id DESC LIMIT 500", {site_id},
      MapForm);
}

Result<WebForm> Service::RevokeWebForm(const org::Principal& who, store::Id id) {
  return writer_.Run<WebForm>([&](store::Tx& tx) -> Result<WebForm> {
    auto& sql = tx.unit().sql();
    ZHIDU_TRY(auto form, FindForm(sql, "WHERE f.id = ?", id));
    if (!form || !org::HoldsRoleAt(who, {form->site_id, 0}))
      return Fail(Errc::kNotFound, Reason{"service.unknown_web_form"},
                  "web form " + std::to_string(id) + " does not exist");
    if (!Supervises(who, form->site_id, form->queue))
      return Fail(Errc::kPermissionDenied, Reason{"service.web_form_denied"},
                  "only a supervisor of the queue " + form->queue + " withdraws its web forms");
    if (form->revoked_at != TimePoint{})
      return Fail(Errc::kConflict, Reason{"service.web_form_revoked"},
                  "web form " + std::to_string(id) + " was withdrawn already");
    form->revoked_by = who.account_id;
    form->revoked_at = tx.now();
    ZHIDU_TRY(auto changed, sql.Exec("revoke web form",
                                     "UPDATE service_web_forms SET revoked_by=?, revoked_at=? "
                                     "WHERE id=? AND revoked_at IS NULL",
                                     {form->revoked_by, store::SqlTime(form->revoked_at), id}));
    if (changed != 1)
      return Fail(Errc::kConflict, Reason{"service.web_form_revoked"}, "withdrawn already");
    ZHIDU_TRY(auto seq, tx.Journal("service.web_form.revoked", who.account_id, FormRef(id),
                                   FormPayload(*form).Str()));
    (void)seq;
    return *form;
  });
}

Result<WebFormPage> Service::WebFormByToken(const std::string& token) {
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(WebForm form, LiveForm(unit->sql(), token));
  ZHIDU_TRY(auto site, unit->GetSite(form.site_id));
  WebFormPage page{site.name, form.title, {}};
  if (!form.category.empty()) page.categories.push_back(form.category);
  return page;
}

Result<WebSubmission> Service::SubmitWebForm(const std::string& token, WebSubmission in) {
  if (!LinkTokenHash(token)) return Fail(UnknownForm());
  // Bad input is refused before anything is read or written, naming the field.
  ZHIDU_TRY_VOID(CheckText(in.name, "name", true, kMaxText));
  if (in.phone.empty())
    return Fail(Errc::kInvalidArgument, kRequired, "phone is required", "phone");
  ZHIDU_TRY(in.phone, NormalisePhone(in.phone, "phone"));
  ZHIDU_TRY_VOID(CheckText(in.company, "company", false, kMaxText));
  ZHIDU_TRY_VOID(CheckText(in.subject, "subject", true, kMaxText));
  ZHIDU_TRY_VOID(CheckText(in.body, "body", true, kMaxBody));
  ZHIDU_TRY_VOID(CheckText(in.category, "category", false, 100));
  auto clauses = RecordClauses(kVisitorRecord);
  return writer_.Run<WebSubmission>([&](store::Tx& tx) -> Result<WebSubmission> {
    auto& sql = tx.unit().sql();
    ZHIDU_TRY(WebForm form, LiveForm(sql, token));
    if (!form.category.empty()) {
      if (!in.category.empty() && in.category != form.category)
        return Fail(Errc::kInvalidArgument, kInvalid,
                    "category must be " + form.category + " on this form", "category");
      in.category = form.category;
    }
    // Abuse: at most web_form_per_hour_ submissions per form in the trailing hour (0: no limit).
    if (web_form_per_hour_ > 0) {
      TimePoint since = tx.now() - std::chrono::hours(1);
      ZHIDU_TRY(auto recent, sql.One<std::int64_t>(
                                 "count web submissions",
                                 "SELECT COUNT(*) FROM service_web_submissions "
                                 "WHERE form_id = ? AND submitted_at > ?",
                                 {form.id, store::SqlTime(since)},
                                 [](const store::SqlRow& r) { return r.Int(0); }, "no count"));
      if (recent >= web_form_per_hour_)
        return Fail(Errc::kResourceExhausted, Reason{"service.web_form_rate"},
                    "this form takes " + std::to_string(web_form_per_hour_) +
                        " submissions an hour: please try again later");
    }
    in.form_id = form.id;
    in.at = tx.now();
    // A caller whose phone is in the archive is that customer (the register's de-duplication).
    ZHIDU_TRY(in.customer_id, db::CustomerByPhone(sql, form.site_id, in.phone));
    NewTicket t;
    t.site_id = form.site_id;
    t.queue_post_id = form.queue_post_id;
    t.customer_id = in.customer_id;
    t.subject = in.subject;
    t.category = in.category;
    t.body = in.body;
    t.web_form_id = form.id;
    ZHIDU_TRY(in.ticket_id, OpenTicket(tx, 0, t));
    ZHIDU_TRY(in.id, sql.Insert("insert web submission",
                                "INSERT INTO service_web_submissions(form_id, ticket_id, "
                                "customer_id, name, company, phone, submitted_at) "
                                "VALUES(?,?,?,?,?,?,?) RETURNING id",
                                {in.form_id, in.ticket_id, store::SqlRef(in.customer_id), in.name,
                                 in.company, in.phone, store::SqlTime(in.at)}));
    CanonicalObject payload;
    payload.Add("id", in.id)
        .Add("form_id", form.id)
        .Add("site_id", form.site_id)
        .Add("ticket_id", in.ticket_id)
        .Add("channel", "web")
        .Add("name", in.name)
        .Add("company", in.company)
        .Add("phone", Mask(in.phone))
        .AddRaw("clauses", JsonStringArray(clauses));
    if (in.customer_id) payload.Add("customer_id", in.customer_id);
    ZHIDU_TRY(auto seq,
              tx.Journal("service.web_form.submitted", 0, FormRef(form.id), payload.Str()));
    (void)seq;
    return in;
  });
}

}  // namespace zhidu::service
