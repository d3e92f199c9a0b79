#include "modules/service/service.hpp"

#include <algorithm>
#include <set>

#include "base/canonical_json.hpp"
#include "base/crypto.hpp"
#include "base/text_limits.hpp"
#include "kernel/policy/rule_names.hpp"
#include "kernel/runtime/site_parameters.hpp"
#include "modules/service/customer_index.hpp"

namespace zhidu::service {

namespace {

constexpr std::string_view kKindNames[] = {"company", "person"};
constexpr std::string_view kChannelNames[] = {"call", "visit"};
constexpr std::string_view kPriorityNames[] = {"low", "normal", "high", "urgent"};
constexpr std::string_view kStateNames[] = {"new", "open", "pending", "resolved", "closed"};
constexpr std::string_view kEntryNames[] = {"customer", "reply", "note", "state", "assign"};
constexpr std::string_view kSurveyStateNames[] = {"not_scheduled", "scheduled", "due",
                                                  "sent",          "answered",  "cancelled"};
constexpr std::string_view kSurveyChannelNames[] = {"link", "return_visit"};

// Invariant 3: every move a ticket may make.
constexpr std::pair<TicketState, TicketState> kTransitions[] = {
    {TicketState::kNew, TicketState::kOpen},         {TicketState::kNew, TicketState::kPending},
    {TicketState::kNew, TicketState::kResolved},     {TicketState::kOpen, TicketState::kPending},
    {TicketState::kOpen, TicketState::kResolved},    {TicketState::kPending, TicketState::kOpen},
    {TicketState::kPending, TicketState::kResolved}, {TicketState::kResolved, TicketState::kClosed},
    {TicketState::kResolved, TicketState::kOpen},    {TicketState::kClosed, TicketState::kOpen},
};

std::string CustomerRef(store::Id id) { return "customer/" + std::to_string(id); }
std::string ContactRef(store::Id id) { return "contact/" + std::to_string(id); }
std::string TicketRef(store::Id id) { return "ticket/" + std::to_string(id); }

Result<void> Text(const std::string& value, const char* field, bool required,
                  size_t max = kMaxText) {
  return CheckText(value, field, required, max);
}

constexpr std::string_view kCustomerDataAccess = "customer-data-access";  // r19-…

std::string Ids(const std::vector<store::Id>& ids) {
  std::string out = "[";
  for (size_t i = 0; i < ids.size(); ++i) out += (i ? "," : "") + std::to_string(ids[i]);
  return out + "]";
}

CanonicalObject TicketPayload(const Ticket& t) {
  CanonicalObject o;
  o.Add("id", t.id)
      .Add("site_id", t.site_id)
      .Add("queue", t.queue)
      .Add("subject", t.subject)
      .Add("category", t.category)
      .Add("priority", PriorityName(t.priority))
      .Add("complaint", t.complaint)
      .Add("state", StateName(t.state));
  if (t.customer_id) o.Add("customer_id", t.customer_id);
  if (t.assignee) o.Add("person_id", t.assignee);
  return o;
}

}  // namespace

std::string_view KindName(CustomerKind v) { return kKindNames[static_cast<int>(v)]; }
std::string_view ChannelName(Channel v) { return kChannelNames[static_cast<int>(v)]; }
std::string_view PriorityName(Priority v) { return kPriorityNames[static_cast<int>(v)]; }
std::string_view StateName(TicketState v) { return kStateNames[static_cast<int>(v)]; }
std::string_view EntryKindName(EntryKind v) { return kEntryNames[static_cast<int>(v)]; }
Result<CustomerKind> ParseKind(std::string_view name, const char* field) {
  return ParseEnum<CustomerKind>(kKindNames, name, field);
}
Result<Channel> ParseChannel(std::string_view name, const char* field) {
  return ParseEnum<Channel>(kChannelNames, name, field);
}
Result<Priority> ParsePriority(std::string_view name, const char* field) {
  auto p = ParseEnum<Priority>(kPriorityNames, name, field);
  if (!p)
    return Fail(Errc::kInvalidArgument, Reason{"service.unknown_priority"}, p.error().message,
                field);
  return p;
}
Result<TicketState> ParseState(std::string_view name, const char* field) {
  return ParseEnum<TicketState>(kStateNames, name, field);
}
Result<EntryKind> ParseEntryKind(std::string_view name) {
  return ParseEnum<EntryKind>(kEntryNames, name, "kind");
}
std::string_view SurveyStateName(SurveyState v) { return kSurveyStateNames[static_cast<int>(v)]; }
std::string_view SurveyChannelName(SurveyChannel v) {
  return kSurveyChannelNames[static_cast<int>(v)];
}
Result<SurveyState> ParseSurveyState(std::string_view name) {
  return ParseEnum<SurveyState>(kSurveyStateNames, name, "state");
}
Result<SurveyChannel> ParseSurveyChannel(std::string_view name) {
  return ParseEnum<SurveyChannel>(kSurveyChannelNames, name, "channel");
}

Result<std::vector<std::string>> SurveyScale(const std::optional<std::string>& param) {
  auto labels = policy::ParamListItems(param.value_or(std::string(kDefaultSurveyScale)));
  if (labels.size() < kMinScale || labels.size() > kMaxScale)
    return Fail(Errc::kFailedPrecondition, "the site's " + std::string(kSurveyScaleParam) +
                                               " must list " + std::to_string(kMinScale) + " to " +
                                               std::to_string(kMaxScale) + " labels, lowest first");
  return labels;
}

Result<Ticket> TicketFor(store::Sql& sql, const org::Principal& who, store::Id id) {
  auto t = db::GetTicket(sql, id);
  if (!t && t.error().code != Errc::kNotFound) return t;
  if (!t || !org::HoldsRoleAt(who, {t->site_id, 0}))
    return Fail(Errc::kNotFound, Reason{"service.unknown_ticket"},
                "ticket " + std::to_string(id) + " does not exist");
  return t;
}

std::string_view SlaClockName(SlaClock v) {
  constexpr std::string_view kNames[] = {"first_response", "next_response", "resolution", "other"};
  return kNames[static_cast<int>(v)];
}

SlaClock ClockOf(const policy::ServiceLevel& sl) {
  auto stops = [&](std::string_view e) {
    return std::ranges::find(sl.stop_events, e) != sl.stop_events.end();
  };
  if (sl.start_event == kTicketCustomerMessage) return SlaClock::kNextResponse;
  if (stops(kTicketFirstReply)) return SlaClock::kFirstResponse;
  if (stops(kTicketResolved)) return SlaClock::kResolution;
  return SlaClock::kOther;
}

bool MayMove(TicketState from, TicketState to) {
  return std::ranges::any_of(kTransitions,
                             [&](const auto& t) { return t.first == from && t.second == to; });
}

std::vector<TicketState> NextStates(TicketState from) {
  std::vector<TicketState> out;
  for (const auto& [f, t] : kTransitions)
    if (f == from) out.push_back(t);
  return out;
}

std::string Mask(std::string_view value) {
  if (value.size() >= 8)
    return std::string(value.substr(0, 3)) + std::string(value.size() - 7, '*') +
           std::string(value.substr(value.size() - 4));
  if (value.size() >= 5)
    return std::string(value.size() - 2, '*') + std::string(value.substr(value.size() - 2));
  return std::string(value.size(), '*');
}

Result<std::string> NormalisePhone(std::string_view phone, const char* field) {
  std::string out;
  for (size_t i = 0; i < phone.size(); ++i) {
    char c = phone[i];
    if (c == ' ' || c == '-') continue;
    if ((c >= '0' && c <= '9') || (c == '+' && out.empty())) {
      out += c;
      continue;
    }
    return Fail(Errc::kInvalidArgument,
                std::string(field) + " must be digits (an optional leading +, spaces and dashes)",
                field);
  }
  size_t digits = out.size() - (out.starts_with('+') ? 1 : 0);
  if (digits < 5 || digits > 20)
    return Fail(Errc::kInvalidArgument, std::string(field) + " must have 5 to 20 digits", field);
  return out;
}

// ---- permissions

Result<void> Service::MayWorkAt(const org::Principal& who, store::Id site_id,
                                const char* what) const {
  if (site_id == 0)
    return Fail(Errc::kInvalidArgument, kRequired, "site_id is required", "site_id");
  if (org::HoldsRoleAt(who, {site_id, 0})) return Ok();
  return Fail(Errc::kPermissionDenied,
              std::string(what) + " needs a role at site " + std::to_string(site_id));
}

bool Service::HasCustomerDataRight(const org::Principal& who, store::Id site_id) const {
  if (roles_.Allows(who, kCustomerDataPermission, {site_id, 0})) return true;
  auto pack = pack_.Current();
  if (!pack) return false;
  for (const auto& r : pack->requests()) {
    if (!policy::RuleNamed(r.id, kCustomerDataAccess)) continue;
    for (const auto& step : r.approvals)
      for (const auto& role : step.roles)
        for (const auto& g : who.roles)
          if (g.role == role && org::GrantCovers(g, {site_id, 0})) return true;
  }
  return false;
}

std::vector<std::string> Service::RecordClauses(std::string_view suffix) const {
  auto pack = pack_.Current();
  return pack ? policy::ClausesOfRule(pack->records(), suffix) : std::vector<std::string>{};
}

std::vector<std::string> Service::PrivacyClauses() const {
  auto pack = pack_.Current();
  return pack ? policy::ClausesOfRule(pack->requests(), kCustomerDataAccess)
              : std::vector<std::string>{};
}

bool Service::Supervises(const org::Principal& who, store::Id site_id,
                         const std::string& post_name) const {
  if (roles_.Allows(who, kSupervisePermission, {site_id, 0})) return true;
  auto pack = pack_.Current();
  if (!pack) return false;
  // The roles the queue's roles report to, at any depth.
  std::set<std::string> above;
  std::vector<std::string> todo;
  for (const auto& p : pack->posts())
    if (p.id == post_name) todo = p.roles;
  while (!todo.empty()) {
    std::string role = todo.back();
    todo.pop_back();
    for (const auto& r : pack->roles())
      if (r.id == role && !r.reports_to.empty() && above.insert(r.reports_to).second)
        todo.push_back(r.reports_to);
  }
  for (const auto& g : who.roles)
    if (above.contains(g.role) && org::GrantCovers(g, {site_id, 0})) return true;
  return false;
}

Result<std::string> Service::QueueName(store::UnitOfWork& unit, store::Id site_id,
                                       store::Id post_id) const {
  auto pack = pack_.Current();
  auto post = unit.GetPost(post_id);
  if (!post && post.error().code != Errc::kNotFound) return Fail(post.error());
  bool queue =
      post && post->site_id == site_id && pack &&
      std::ranges::any_of(pack->posts(), [&](const auto& p) { return p.id == post->name; });
  if (!queue)
    return Fail(Errc::kInvalidArgument,
                "queue_post_id must be a post of the site named as a post of the policy pack",
                "queue_post_id");
  return post->name;
}

Result<void> Service::JournalFullView(const org::Principal& who, store::Id site_id,
                                      const char* kind, const std::string& subject,
                                      const std::vector<store::Id>& ids) {
  auto clauses = PrivacyClauses();
  if (!HasCustomerDataRight(who, site_id))
    return Fail(Errc::kPermissionDenied,
                "the full phone and ID numbers need the customer-data right (用户个人信息" +
                    (clauses.empty() ? std::string() : "，" + Join(clauses, "、")) +
                    "); the masked view needs no right");
  ZHIDU_TRY(auto seq, writer_.Run<std::int64_t>([&](store::Tx& tx) {
    return tx.Journal(kind, who.account_id, subject,
                      CanonicalObject()
                          .Add("site_id", site_id)
                          .Add("viewer", who.username)
                          .AddRaw("ids", Ids(ids))
                          .AddRaw("clauses", JsonStringArray(clauses))
                          .Str());
  }));
  (void)seq;
  return Ok();
}

// ---- customers

namespace {

Result<std::vector<std::string>> Phones(const std::vector<std::string>& in) {
  if (in.empty()) return Fail(Errc::kInvalidArgument, "phones needs at least one phone", "phones");
  if (in.size() > kMaxPhones)
    return Fail(Errc::kInvalidArgument,
                "phones holds at most " + std::to_string(kMaxPhones) + " phones", "phones");
  std::vector<std::string> out;
  for (const auto& p : in) {
    ZHIDU_TRY(auto n, NormalisePhone(p, "phones"));
    if (std::ranges::find(out, n) == out.end()) out.push_back(n);
  }
  return out;
}

Result<void> ValidCustomer(const NewCustomer& in) {
  ZHIDU_TRY_VOID(Text(in.name, "name", true));
  ZHIDU_TRY_VOID(Text(in.grade, "grade", false, 50));
  ZHIDU_TRY_VOID(Text(in.notes, "notes", false, kMaxBody));
  if (in.id_number.size() > 32 || !std::ranges::all_of(in.id_number, [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
      }))
    return Fail(Errc::kInvalidArgument, "id_number must be at most 32 letters and digits",
                "id_number");
  return Ok();
}

// Invariant 1: each phone is free at the site, or held by `self`.
Result<void> PhonesFree(store::Sql& sql, store::Id site_id, const std::vector<std::string>& phones,
                        store::Id self, store::Id* existing) {
  for (const auto& p : phones) {
    ZHIDU_TRY(store::Id holder, db::CustomerByPhone(sql, site_id, p));
    if (holder != 0 && holder != self) {
      if (existing) *existing = holder;
      return Fail(Errc::kConflict,
                  "phone " + Mask(p) + " belongs to customer " + std::to_string(holder) +
                      " already: open that customer instead of creating another",
                  "phones");
    }
  }
  return Ok();
}

// Invariant 2: what leaves the module without the full view.
Customer MaskCustomer(Customer v) {
  for (auto& p : v.phones) p = Mask(p);
  v.id_number = Mask(v.id_number);
  return v;
}

// The archive's editable fields from `in`.
void Fill(Customer& v, const NewCustomer& in, std::vector<std::string> phones, TimePoint now) {
  v.kind = in.kind;
  v.name = in.name;
  v.phones = std::move(phones);
  v.id_number = in.id_number;
  v.grade = in.grade;
  v.notes = in.notes;
  v.updated_at = now;
}

// The journal holds the archive's facts masked: it is read by more people than the archive.
std::string CustomerPayload(const Customer& v, const std::vector<std::string>& clauses) {
  return CanonicalObject()
      .Add("id", v.id)
      .Add("site_id", v.site_id)
      .Add("kind", KindName(v.kind))
      .Add("name", v.name)
      .Add("phone", Mask(v.phones.front()))
      .Add("grade", v.grade)
      .AddRaw("clauses", JsonStringArray(clauses))
      .Str();
}

// Customer `v`'s search index row, at the end of the transaction (Tx::Defer).
Result<void> IndexLater(store::Tx& tx, const Customer& v) {
  return tx.Defer([id = v.id, name = v.name, phones = v.phones](store::UnitOfWork& u) {
    return db::IndexCustomer(u.sql(), id, name, phones);
  });
}

}  // namespace

Result<Customer> Service::CreateCustomer(const org::Principal& who, const NewCustomer& in,
                                         store::Id* existing) {
  ZHIDU_TRY_VOID(MayWorkAt(who, in.site_id, "recording a customer"));
  ZHIDU_TRY_VOID(ValidCustomer(in));
  ZHIDU_TRY(auto phones, Phones(in.phones));
  auto clauses = RecordClauses(kCustomerArchive);
  return writer_.Run<Customer>([&](store::Tx& tx) -> Result<Customer> {
    auto& sql = tx.unit().sql();
    ZHIDU_TRY(auto site, tx.unit().GetSite(in.site_id));
    (void)site;
    ZHIDU_TRY_VOID(PhonesFree(sql, in.site_id, phones, 0, existing));
    Customer v;
    v.site_id = in.site_id;
    Fill(v, in, phones, tx.now());
    v.created_by = who.account_id;
    v.created_at = v.updated_at;
    ZHIDU_TRY(v.id, db::InsertCustomer(sql, v));
    for (size_t i = 0; i < phones.size(); ++i)
      ZHIDU_TRY_VOID(db::AddPhone(sql, v.site_id, v.id, phones[i], static_cast<int>(i)));
    ZHIDU_TRY_VOID(IndexLater(tx, v));
    ZHIDU_TRY(auto seq, tx.Journal("service.customer.created", who.account_id, CustomerRef(v.id),
                                   CustomerPayload(v, clauses)));
    (void)seq;
    return v;
  });
}

Result<Customer> Service::UpdateCustomer(const org::Principal& who, store::Id id,
                                         const NewCustomer& in, store::Id* existing) {
  ZHIDU_TRY_VOID(ValidCustomer(in));
  ZHIDU_TRY(auto phones, Phones(in.phones));
  auto clauses = RecordClauses(kCustomerArchive);
  return writer_.Run<Customer>([&](store::Tx& tx) -> Result<Customer> {
    auto& sql = tx.unit().sql();
    ZHIDU_TRY(Customer v, db::GetCustomer(sql, id));
    if (!org::HoldsRoleAt(who, {v.site_id, 0}))
      return Fail(Errc::kNotFound, "customer " + std::to_string(id) + " does not exist");
    ZHIDU_TRY_VOID(PhonesFree(sql, v.site_id, phones, v.id, existing));
    Fill(v, in, phones, tx.now());
    ZHIDU_TRY_VOID(db::UpdateCustomer(sql, v));
    ZHIDU_TRY_VOID(IndexLater(tx, v));
    ZHIDU_TRY(auto seq, tx.Journal("service.customer.updated", who.account_id, CustomerRef(v.id),
                                   CustomerPayload(v, clauses)));
    (void)seq;
    return v;
  });
}

Result<Customer> Service::GetCustomer(const org::Principal& who, store::Id id, bool full) {
  Customer v;
  {
    ZHIDU_TRY(auto unit, store_.BeginRead());
    ZHIDU_TRY(v, db::GetCustomer(unit->sql(), id));
  }
  if (!org::HoldsRoleAt(who, {v.site_id, 0}))
    return Fail(Errc::kNotFound, "customer " + std::to_string(id) + " does not exist");
  if (!full) return MaskCustomer(std::move(v));
  ZHIDU_TRY_VOID(
      JournalFullView(who, v.site_id, "service.customer.viewed", CustomerRef(v.id), {v.id}));
  return v;
}

Result<std::vector<Customer>> Service::ListCustomers(const org::Principal& who, store::Id site_id,
                                                     const std::string& query,
                                                     store::PageRequest page) {
  ZHIDU_TRY_VOID(MayWorkAt(who, site_id, "reading the customer archive"));
  ZHIDU_TRY_VOID(Text(query, "q", false, 100));
  ZHIDU_TRY(auto unit, store_.BeginRead());
  // A search by phone matches the stored digits: spaces and dashes typed by the agent are dropped.
  std::string q = query;
  if (auto phone = NormalisePhone(query, "q"); phone) q = *phone;
  ZHIDU_TRY(auto rows, db::ListCustomers(unit->sql(), site_id, q, page));
  for (auto& v : rows) v = MaskCustomer(std::move(v));
  return rows;
}

// ---- contacts

Result<Contact> Service::RecordContact(const org::Principal& who, Contact in) {
  ZHIDU_TRY_VOID(MayWorkAt(who, in.site_id, "recording a call or visit"));
  ZHIDU_TRY_VOID(Text(in.name, "name", true));
  ZHIDU_TRY_VOID(Text(in.company, "company", false));
  ZHIDU_TRY_VOID(Text(in.need, "need", true, kMaxBody));
  if (!in.phone.empty()) {
    ZHIDU_TRY(in.phone, NormalisePhone(in.phone, "phone"));
  }
  auto clauses = RecordClauses(kVisitorRecord);
  return writer_.Run<Contact>([&](store::Tx& tx) -> Result<Contact> {
    auto& sql = tx.unit().sql();
    ZHIDU_TRY(auto site, tx.unit().GetSite(in.site_id));
    (void)site;
    Contact v = in;
    if (v.at == TimePoint{}) v.at = tx.now();
    if (v.at > tx.now()) return Fail(Errc::kInvalidArgument, "at is in the future", "at");
    if (v.customer_id) {
      auto c = db::GetCustomer(sql, v.customer_id);
      if (!c && c.error().code != Errc::kNotFound) return Fail(c.error());
      if (!c || c->site_id != v.site_id)
        return Fail(Errc::kInvalidArgument,
                    "customer " + std::to_string(v.customer_id) + " is not a customer of the site",
                    "customer_id");
    } else if (!v.phone.empty()) {
      // A caller whose phone is in the archive is that customer.
      ZHIDU_TRY(v.customer_id, db::CustomerByPhone(sql, v.site_id, v.phone));
    }
    v.agent = who.account_id;
    ZHIDU_TRY(v.id, db::InsertContact(sql, v));
    CanonicalObject payload;
    payload.Add("id", v.id)
        .Add("site_id", v.site_id)
        .Add("channel", ChannelName(v.channel))
        .Add("name", v.name)
        .Add("company", v.company)
        .Add("phone", Mask(v.phone))
        .Add("need", v.need)
        .AddRaw("clauses", JsonStringArray(clauses));
    if (v.customer_id) payload.Add("customer_id", v.customer_id);
    ZHIDU_TRY(auto seq, tx.Journal("service.contact.recorded", who.account_id, ContactRef(v.id),
                                   payload.Str()));
    (void)seq;
    return v;
  });
}

Result<std::vector<Contact>> Service::ListContacts(const org::Principal& who, store::Id site_id,
                                                   store::Id customer_id, bool full,
                                                   store::PageRequest page) {
  ZHIDU_TRY_VOID(MayWorkAt(who, site_id, "reading the caller and visitor register"));
  std::vector<Contact> rows;
  {
    ZHIDU_TRY(auto unit, store_.BeginRead());
    ZHIDU_TRY(rows, db::ListContacts(unit->sql(), site_id, customer_id, page));
  }
  if (full) {
    std::vector<store::Id> ids;
    for (const auto& c : rows) ids.push_back(c.id);
    ZHIDU_TRY_VOID(JournalFullView(who, site_id, "service.contact.viewed",
                                   "site/" + std::to_string(site_id), ids));
  } else {
    for (auto& c : rows) c.phone = Mask(c.phone);
  }
  return rows;
}

// ---- tickets

Result<TicketView> Service::View(store::UnitOfWork& unit, const Ticket& t) {
  TicketView v;
  v.ticket = t;
  ZHIDU_TRY(v.thread, db::Thread(unit.sql(), t.id));
  store::DeadlineFilter f;
  f.site_id = t.site_id;
  f.ref = TicketRef(t.id);
  ZHIDU_TRY(v.deadlines, unit.ListDeadlines(f, {0, 100}));
  auto pack = pack_.Current();
  for (const auto& d : v.deadlines) {
    std::pair<SlaClock, std::string> clock{SlaClock::kOther, d.service_level};
    if (pack)
      for (const auto& sl : pack->service_levels())
        if (sl.id == d.service_level) clock = {ClockOf(sl), sl.title};
    v.clocks.push_back(std::move(clock));
  }
  ZHIDU_TRY(v.surveys, db::SurveysOf(unit.sql(), t.id));
  store::ProcedureFilter pf;
  pf.site_id = t.site_id;
  pf.ref = TicketRef(t.id);
  ZHIDU_TRY(v.procedures, unit.ListProcedureInstances(pf, {0, 100}));
  ZHIDU_TRY(v.reviews, db::ReviewsOf(unit.sql(), t.id));
  ZHIDU_TRY(v.web, db::WebSubmissionOf(unit.sql(), t.id));
  return v;
}

namespace {
// What CreateTicket checks before the write, for one ticket: the attachments as ValidAttachments
// keeps them (each once).
Result<NewTicket> Checked(const NewTicket& in) {
  if (in.queue_post_id == 0)
    return Fail(Errc::kInvalidArgument, kRequired, "queue_post_id is required", "queue_post_id");
  ZHIDU_TRY_VOID(Text(in.subject, "subject", true));
  ZHIDU_TRY_VOID(Text(in.category, "category", false, 100));
  ZHIDU_TRY_VOID(Text(in.body, "body", false, kMaxBody));
  NewTicket valid = in;
  ZHIDU_TRY(valid.attachments, ValidAttachments(in.attachments));
  return valid;
}
}  // namespace

Error OfTicketBatchItem(Error e, size_t i) {
  const std::string item = "tickets[" + std::to_string(i) + "]";
  e.field = e.field.empty() ? item : item + "." + e.field;
  e.message = item + ": " + e.message;
  return e;
}

Result<TicketView> Service::CreateTicket(const org::Principal& who, const NewTicket& in) {
  ZHIDU_TRY_VOID(MayWorkAt(who, in.site_id, "opening a ticket"));
  ZHIDU_TRY(NewTicket valid, Checked(in));
  auto id = writer_.Run<store::Id>(
      [&](store::Tx& tx) -> Result<store::Id> { return OpenTicket(tx, who.account_id, valid); });
  if (!id) return Fail(id.error());
  return GetTicket(who, *id);
}

Result<std::vector<store::Id>> Service::CreateTickets(const org::Principal& who,
                                                      const std::vector<NewTicket>& in) {
  if (in.empty()) return Fail(Errc::kInvalidArgument, kRequired, "tickets is empty", "tickets");
  if (in.size() > kMaxTicketBatch)
    return Fail(Errc::kInvalidArgument, kInvalid,
                "at most " + std::to_string(kMaxTicketBatch) + " tickets per batch", "tickets");
  std::vector<NewTicket> valid;
  valid.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    auto ok = MayWorkAt(who, in[i].site_id, "opening a ticket");
    if (!ok) return Fail(OfTicketBatchItem(ok.error(), i));
    auto t = Checked(in[i]);
    if (!t) return Fail(OfTicketBatchItem(t.error(), i));
    valid.push_back(std::move(*t));
  }
  return writer_.Run<std::vector<store::Id>>([&](store::Tx& tx) -> Result<std::vector<store::Id>> {
    std::vector<store::Id> ids;
    ids.reserve(valid.size());
    for (size_t i = 0; i < valid.size(); ++i) {
      auto id = OpenTicket(tx, who.account_id, valid[i]);
      if (!id) return Fail(OfTicketBatchItem(id.error(), i));
      ids.push_back(*id);
    }
    return ids;
  });
}

Result<store::Id> Service::OpenTicket(store::Tx& tx, store::Id actor, const NewTicket& in) {
  auto& unit = tx.unit();
  auto& sql = unit.sql();
  ZHIDU_TRY(auto site, unit.GetSite(in.site_id));
  (void)site;
  ZHIDU_TRY_VOID(AttachmentsStored(unit, in.attachments));
  Ticket t;
  ZHIDU_TRY(t.queue, QueueName(unit, in.site_id, in.queue_post_id));
  t.site_id = in.site_id;
  t.queue_post_id = in.queue_post_id;
  if (in.customer_id) {
    auto c = db::GetCustomer(sql, in.customer_id);
    if (!c && c.error().code != Errc::kNotFound) return Fail(c.error());
    if (!c || c->site_id != in.site_id)
      return Fail(Errc::kInvalidArgument,
                  "customer " + std::to_string(in.customer_id) + " is not a customer of the site",
                  "customer_id");
  }
  if (in.contact_id) {
    auto c = db::GetContact(sql, in.contact_id);
    if (!c && c.error().code != Errc::kNotFound) return Fail(c.error());
    if (!c || c->site_id != in.site_id)
      return Fail(Errc::kInvalidArgument,
                  "contact " + std::to_string(in.contact_id) + " is not a contact of the site",
                  "contact_id");
  }
  t.customer_id = in.customer_id;
  t.contact_id = in.contact_id;
  t.subject = in.subject;
  t.category = in.category;
  t.priority = in.priority;
  t.complaint = in.complaint;
  t.state = TicketState::kNew;
  t.created_by = actor;
  t.created_at = t.updated_at = tx.now();
  // Routing (issue 18 §4): to an agent on the queue's post now, unless the site routes by hand.
  ZHIDU_TRY(auto routing, runtime::SiteParameters::Lookup(unit, t.site_id, kRoutingParam));
  std::optional<store::Id> routed;
  if (!routing || *routing == "on_post") {
    ZHIDU_TRY(routed, db::RouteTo(sql, t.site_id, t.queue_post_id));
  }
  ZHIDU_TRY(t.id, db::InsertTicketRow(sql, t));
  ZHIDU_TRY_VOID(tx.Defer([id = t.id, subject = t.subject](store::UnitOfWork& u) {
    return db::IndexTicket(u.sql(), id, subject);
  }));
  if (!in.body.empty() || !in.attachments.empty()) {
    Entry e{0, t.id, EntryKind::kCustomer, in.body, "", "", 0, actor, tx.now()};
    e.attachments = in.attachments;
    ZHIDU_TRY(e.id, db::InsertEntry(tx, e));
  }
  CanonicalObject created = TicketPayload(t);
  if (!in.attachments.empty()) created.AddRaw("attachments", JsonStringArray(in.attachments));
  if (in.web_form_id) created.Add("web_form_id", in.web_form_id);  // by the customer
  ZHIDU_TRY(auto seq, tx.Journal("service.ticket.created", actor, TicketRef(t.id), created.Str()));
  (void)seq;
  if (routed) {  // assigned by the system, as Assign would: the ticket opens
    t.assignee = *routed;
    t.state = TicketState::kOpen;
    ZHIDU_TRY_VOID(db::UpdateTicket(sql, t, TicketState::kNew));
    Entry e{0, t.id, EntryKind::kAssign, "", "new", "open", *routed, 0, tx.now()};
    ZHIDU_TRY(e.id, db::InsertEntry(tx, e));
    CanonicalObject payload = TicketPayload(t);
    payload.Add("routed", true);
    ZHIDU_TRY(auto routed_seq,
              tx.Journal("service.ticket.assigned", 0, TicketRef(t.id), payload.Str()));
    (void)routed_seq;
  }
  // The pack's rules start here, in this transaction: the service levels on ticket_opened (their
  // targets matched on the priority and the customer's grade) and, for a complaint, the one
  // procedure on complaint_received.
  ZHIDU_TRY_VOID(EmitTicketEvent(tx, t, kTicketOpened, actor));
  if (t.complaint) ZHIDU_TRY_VOID(EmitTicketEvent(tx, t, kComplaintReceived, actor));
  return t.id;
}

Result<TicketView> Service::GetTicket(const org::Principal& who, store::Id id) {
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(Ticket t, TicketFor(unit->sql(), who, id));
  ZHIDU_TRY(TicketView v, View(*unit, t));
  v.viewer_may_review = t.assignee != 0 && t.assignee != who.person_id &&
                        Supervises(who, t.site_id, t.queue) &&
                        std::none_of(v.reviews.begin(), v.reviews.end(),
                                     [&](const QualityReview& r) { return r.agent == t.assignee; });
  return v;
}

Result<int> Service::IndexTickets() {
  using Rows = std::vector<std::pair<store::Id, std::string>>;
  // One pass over the rows `unindexed` finds, 1,000 a transaction: subjects, then entries.
  auto index_all = [&](auto unindexed, auto index) -> Result<int> {
    int indexed = 0;
    store::Id after = 0;
    for (;;) {
      ZHIDU_TRY(auto batch, writer_.Run<int>([&](store::Tx& tx) -> Result<int> {
        auto& sql = tx.unit().sql();
        ZHIDU_TRY(Rows rows, unindexed(sql, after, 1000));
        for (const auto& [id, text] : rows) {
          ZHIDU_TRY_VOID(index(sql, id, text));
          after = id;
        }
        return static_cast<int>(rows.size());
      }));
      indexed += batch;
      if (batch < 1000) return indexed;
    }
  };
  ZHIDU_TRY(int subjects, index_all(db::UnindexedTickets, db::IndexTicket));
  ZHIDU_TRY(int entries, index_all(db::UnindexedEntries, db::IndexEntry));
  // Customers (migration 14): the same pass, each read with its phones, then indexed.
  auto unindexed_customers = [](store::Sql& sql, store::Id after, int limit) -> Result<Rows> {
    ZHIDU_TRY(auto ids, db::UnindexedCustomers(sql, after, limit));
    Rows rows;
    for (store::Id id : ids) rows.emplace_back(id, std::string());
    return rows;
  };
  auto index_customer = [](store::Sql& sql, store::Id id, const std::string&) -> Result<void> {
    ZHIDU_TRY(Customer c, db::GetCustomer(sql, id));
    return db::IndexCustomer(sql, id, c.name, c.phones);
  };
  ZHIDU_TRY(int customers, index_all(unindexed_customers, index_customer));
  return subjects + entries + customers;
}

Result<std::vector<Ticket>> Service::ListTickets(const org::Principal& who, const TicketFilter& f,
                                                 store::PageRequest page) {
  ZHIDU_TRY_VOID(MayWorkAt(who, f.site_id, "reading the ticket queues"));
  ZHIDU_TRY(auto unit, store_.BeginRead());
  return db::ListTickets(unit->sql(), f, page);
}

Result<TicketView> Service::Change(const org::Principal& who, store::Id id,
                                   const std::function<Result<void>(store::Tx&, Ticket&)>& change) {
  auto done = writer_.Run<bool>([&](store::Tx& tx) -> Result<bool> {
    ZHIDU_TRY(Ticket t, TicketFor(tx.unit().sql(), who, id));
    if (t.merged_into)  // merge.cpp: the work goes on on the target
      return Fail(Errc::kConflict, Reason{"service.ticket_merged"},
                  "ticket " + std::to_string(id) + " was merged into ticket " +
                      std::to_string(t.merged_into) + ": work on that one");
    TicketState from = t.state;
    ZHIDU_TRY_VOID(change(tx, t));
    t.updated_at = tx.now();
    ZHIDU_TRY_VOID(db::UpdateTicket(tx.unit().sql(), t, from));
    return true;
  });
  if (!done) return Fail(done.error());
  return GetTicket(who, id);
}

Result<void> Service::EmitTicketEvent(store::Tx& tx, const Ticket& t, std::string_view event,
                                      store::Id actor) {
  std::string grade;
  if (t.customer_id) {
    ZHIDU_TRY(Customer c, db::GetCustomer(tx.unit().sql(), t.customer_id));
    grade = c.grade;
  }
  policy::Context data{{std::string(kPriorityData), std::string(PriorityName(t.priority))},
                       {std::string(kGradeData), grade}};
  return bus_.Emit(tx, runtime::SiteEvent{t.site_id, std::string(event), t.subject, TicketRef(t.id),
                                          std::move(data), actor});
}

Result<TicketView> Service::AddEntry(const org::Principal& who, store::Id id, EntryKind kind,
                                     const std::string& body,
                                     const std::vector<std::string>& attachments) {
  if (kind != EntryKind::kReply && kind != EntryKind::kNote)
    return Fail(Errc::kInvalidArgument, "kind must be reply or note", "kind");
  ZHIDU_TRY_VOID(Text(body, "body", true, kMaxBody));
  ZHIDU_TRY(auto images, ValidAttachments(attachments));
  return Change(who, id, [&](store::Tx& tx, Ticket& t) -> Result<void> {
    if (t.state == TicketState::kClosed)
      return Fail(Errc::kFailedPrecondition,
                  "ticket " + std::to_string(id) + " is closed: reopen it to write to it");
    ZHIDU_TRY_VOID(AttachmentsStored(tx.unit(), images));
    Entry e{0, t.id, kind, body, "", "", 0, who.account_id, tx.now()};
    e.attachments = images;
    ZHIDU_TRY(e.id, db::InsertEntry(tx, e));
    bool first_reply = kind == EntryKind::kReply && t.first_reply_at == TimePoint{};
    if (first_reply) t.first_reply_at = tx.now();
    // An internal note's text stays out of the journal; the reply is what the customer was told.
    CanonicalObject payload = TicketPayload(t);
    payload.Add("entry_id", e.id);
    if (kind == EntryKind::kReply) payload.Add("body", body);
    // The images' hashes with a reply; only their number with a note (as its text).
    if (kind == EntryKind::kReply && !images.empty())
      payload.AddRaw("attachments", JsonStringArray(images));
    if (kind == EntryKind::kNote && !images.empty())
      payload.Add("attachments", static_cast<std::int64_t>(images.size()));
    ZHIDU_TRY(auto seq, tx.Journal(kind == EntryKind::kReply ? "service.ticket.replied"
                                                             : "service.ticket.noted",
                                   who.account_id, TicketRef(t.id), payload.Str()));
    (void)seq;
    if (first_reply) ZHIDU_TRY_VOID(EmitTicketEvent(tx, t, kTicketFirstReply, who.account_id));
    if (kind == EntryKind::kReply)
      ZHIDU_TRY_VOID(EmitTicketEvent(tx, t, kTicketReplied, who.account_id));
    return Ok();
  });
}

Result<TicketView> Service::AddCustomerMessage(const org::Principal& who, store::Id id,
                                               const std::string& body,
                                               const std::vector<std::string>& attachments) {
  ZHIDU_TRY_VOID(Text(body, "body", true, kMaxBody));
  ZHIDU_TRY(auto images, ValidAttachments(attachments));
  std::optional<TimePoint> wake;
  auto done = Change(who, id, [&](store::Tx& tx, Ticket& t) -> Result<void> {
    auto& sql = tx.unit().sql();
    ZHIDU_TRY_VOID(AttachmentsStored(tx.unit(), images));
    // Awaiting an answer already: the last public word (or resolution) is the customer's.
    ZHIDU_TRY(auto thread, db::Thread(sql, t.id));
    bool awaiting = false;
    for (auto e = thread.rbegin(); e != thread.rend(); ++e) {
      if (e->merged_from) continue;  // a merged ticket's conversation (merge.cpp) answers nothing
      if (e->kind == EntryKind::kReply ||
          (e->kind == EntryKind::kState && e->to_state == StateName(TicketState::kResolved)))
        break;
      if (e->kind == EntryKind::kCustomer) {
        awaiting = true;
        break;
      }
    }
    // The customer answering ends the wait on them; writing after resolution reopens the ticket.
    if (t.state == TicketState::kPending)
      ZHIDU_TRY_VOID(MoveIn(tx, who, t, TicketState::kOpen, "客户回复", "customer", &wake));
    else if (t.state == TicketState::kResolved || t.state == TicketState::kClosed)
      ZHIDU_TRY_VOID(
          MoveIn(tx, who, t, TicketState::kOpen, "客户再次来信：重新打开", "customer", &wake));
    Entry e{0, t.id, EntryKind::kCustomer, body, "", "", 0, who.account_id, tx.now()};
    e.attachments = images;
    ZHIDU_TRY(e.id, db::InsertEntry(tx, e));
    CanonicalObject payload = TicketPayload(t);
    payload.Add("entry_id", e.id).Add("body", body).Add("awaiting_reply", awaiting);
    if (!images.empty()) payload.AddRaw("attachments", JsonStringArray(images));
    ZHIDU_TRY(auto seq, tx.Journal("service.ticket.customer_message", who.account_id,
                                   TicketRef(t.id), payload.Str()));
    (void)seq;
    // Before the first reply the first-response time runs; after it, the next response does.
    if (!awaiting && t.first_reply_at != TimePoint{})
      ZHIDU_TRY_VOID(EmitTicketEvent(tx, t, kTicketCustomerMessage, who.account_id));
    return Ok();
  });
  if (done && wake && scheduler_) scheduler_->Wake(*wake);
  return done;
}

Result<TicketView> Service::Reopen(const org::Principal& who, store::Id id, bool by_customer,
                                   const std::string& reason) {
  ZHIDU_TRY_VOID(Text(reason, "reason", true, kMaxBody));
  std::optional<TimePoint> wake;
  auto done = Change(who, id, [&](store::Tx& tx, Ticket& t) -> Result<void> {
    if (t.state != TicketState::kResolved && t.state != TicketState::kClosed)
      return Fail(Errc::kFailedPrecondition, Reason{"service.not_reopenable"},
                  "ticket " + std::to_string(id) + " is " + std::string(StateName(t.state)) +
                      ": only a resolved or closed ticket is reopened");
    return MoveIn(tx, who, t, TicketState::kOpen, reason, by_customer ? "customer" : "agent",
                  &wake);
  });
  if (done && wake && scheduler_) scheduler_->Wake(*wake);
  return done;
}

Result<TicketView> Service::Move(const org::Principal& who, store::Id id, TicketState to,
                                 const std::string& note) {
  ZHIDU_TRY_VOID(Text(note, "note", false, kMaxBody));
  std::optional<TimePoint> wake;  // a survey timer to wake the scheduler for
  auto moved = Change(who, id, [&](store::Tx& tx, Ticket& t) -> Result<void> {
    return MoveIn(tx, who, t, to, note, "agent", &wake);
  });
  if (moved && wake && scheduler_) scheduler_->Wake(*wake);
  return moved;
}

Result<void> Service::MoveIn(store::Tx& tx, const org::Principal& who, Ticket& t, TicketState to,
                             const std::string& note, std::string_view by,
                             std::optional<TimePoint>* wake) {
  TicketState from = t.state;
  if (!MayMove(from, to)) {
    std::string allowed;
    for (auto s : NextStates(from))
      allowed += (allowed.empty() ? "" : ", ") + std::string(StateName(s));
    return Fail(Errc::kFailedPrecondition,
                "ticket " + std::to_string(t.id) + " is " + std::string(StateName(from)) +
                    " and cannot become " + std::string(StateName(to)) +
                    (allowed.empty() ? "" : " (it may become: " + allowed + ")"));
  }
  t.state = to;
  std::string_view event;
  bool reopened = false;
  if (to == TicketState::kResolved) {
    t.resolved_at = tx.now();
    event = kTicketResolved;
  } else if (to == TicketState::kClosed) {
    t.closed_at = tx.now();
  } else if (to == TicketState::kOpen &&
             (from == TicketState::kResolved || from == TicketState::kClosed)) {
    t.resolved_at = t.closed_at = TimePoint{};
    event = kTicketReopened;
    reopened = true;
  }
  Entry e{0,
          t.id,
          EntryKind::kState,
          note,
          std::string(StateName(from)),
          std::string(StateName(to)),
          0,
          who.account_id,
          tx.now()};
  ZHIDU_TRY(e.id, db::InsertEntry(tx, e));
  CanonicalObject payload = TicketPayload(t);
  payload.Add("from", StateName(from)).Add("note", note).Add("pauses_sla", PausesSla(to));
  if (reopened) payload.Add("reopened_by", by);
  ZHIDU_TRY(auto seq,
            tx.Journal("service.ticket.moved", who.account_id, TicketRef(t.id), payload.Str()));
  (void)seq;
  // Waiting on the customer pauses the pack's deadlines that name these events (its service
  // levels' pause/resume): leaving pending resumes them before resolution stops any. Reopening
  // re-arms the resolution time (the pack's `restart: ticket_reopened`).
  std::vector<std::string_view> events;
  if (PausesSla(from) && !PausesSla(to)) events.push_back(kTicketUnpending);
  if (!event.empty()) events.push_back(event);
  if (PausesSla(to) && !PausesSla(from)) events.push_back(kTicketPending);
  for (auto name : events) ZHIDU_TRY_VOID(EmitTicketEvent(tx, t, name, who.account_id));
  // Issue 18 §7: a survey after resolution; reopening withdraws the one not yet answered.
  if (to == TicketState::kResolved) ZHIDU_TRY_VOID(ScheduleSurvey(tx, t, wake));
  if (reopened) ZHIDU_TRY_VOID(CancelSurvey(tx, t, who.account_id));
  return Ok();
}

Result<TicketView> Service::SetPriority(const org::Principal& who, store::Id id, Priority to,
                                        const std::string& note) {
  ZHIDU_TRY_VOID(Text(note, "note", false, kMaxBody));
  std::optional<TimePoint> wake;
  auto done = Change(who, id, [&](store::Tx& tx, Ticket& t) -> Result<void> {
    if (t.state == TicketState::kClosed)
      return Fail(Errc::kFailedPrecondition,
                  "ticket " + std::to_string(id) + " is closed: reopen it to change its priority");
    if (t.priority == to)
      return Fail(Errc::kFailedPrecondition, Reason{"service.priority_unchanged"},
                  "ticket " + std::to_string(id) + " is already of priority " +
                      std::string(PriorityName(to)),
                  "priority");
    Priority from = t.priority;
    t.priority = to;
    CanonicalObject payload = TicketPayload(t);
    payload.Add("from_priority", PriorityName(from)).Add("note", note);
    ZHIDU_TRY(auto seq, tx.Journal("service.ticket.reprioritized", who.account_id, TicketRef(t.id),
                                   payload.Str()));
    (void)seq;
    // A re-timed deadline may fall due now: the scheduler is woken after the commit.
    wake = tx.now();
    return EmitTicketEvent(tx, t, kTicketPriorityChanged, who.account_id);
  });
  if (done && wake && scheduler_) scheduler_->Wake(*wake);
  return done;
}

Result<TicketView> Service::Assign(const org::Principal& who, store::Id id, store::Id person_id,
                                   const std::string& note) {
  if (person_id == 0)
    return Fail(Errc::kInvalidArgument, kRequired, "person_id is required", "person_id");
  ZHIDU_TRY_VOID(Text(note, "note", false, kMaxBody));
  return Change(who, id, [&](store::Tx& tx, Ticket& t) -> Result<void> {
    auto& sql = tx.unit().sql();
    if (t.state == TicketState::kClosed)
      return Fail(Errc::kFailedPrecondition,
                  "ticket " + std::to_string(id) + " is closed: reopen it before assigning it");
    if (t.assignee == person_id)
      return Fail(Errc::kFailedPrecondition, "ticket " + std::to_string(id) +
                                                 " is already assigned to person " +
                                                 std::to_string(person_id));
    if (t.assignee != 0 && !Supervises(who, t.site_id, t.queue))
      return Fail(Errc::kPermissionDenied, "ticket " + std::to_string(id) + " is held by person " +
                                               std::to_string(t.assignee) +
                                               ": only a supervisor of the queue " + t.queue +
                                               " reassigns it");
    ZHIDU_TRY(bool agent, db::IsAgentAt(sql, person_id, t.site_id));
    if (!agent)
      return Fail(Errc::kInvalidArgument,
                  "person " + std::to_string(person_id) +
                      " is not a person of the site holding a role there",
                  "person_id");
    store::Id before = t.assignee;
    t.assignee = person_id;
    Entry e{0, t.id, EntryKind::kAssign, note, "", "", person_id, who.account_id, tx.now()};
    if (t.state == TicketState::kNew) {
      // Taking a new ticket opens it.
      t.state = TicketState::kOpen;
      e.from_state = "new";
      e.to_state = "open";
    }
    ZHIDU_TRY(e.id, db::InsertEntry(tx, e));
    CanonicalObject payload = TicketPayload(t);
    payload.Add("note", note);
    if (before) payload.Add("from_person_id", before);
    ZHIDU_TRY(auto seq, tx.Journal("service.ticket.assigned", who.account_id, TicketRef(t.id),
                                   payload.Str()));
    (void)seq;
    return Ok();
  });
}

// ---- surveys and satisfaction

std::optional<std::string> LinkTokenHash(const std::string& token) {
  bool hex = token.size() == kSurveyTokenHex && std::ranges::all_of(token, [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
             });
  if (!hex) return std::nullopt;
  return ToHex(Sha256Of(token));
}

namespace {

std::string Iso(TimePoint t) { return FormatIso8601Utc(t); }

// The hash a link's token is stored as; an impossible token is unknown without a query.
Result<std::string> TokenHash(const std::string& token) {
  auto hash = LinkTokenHash(token);
  if (!hash) return Fail(Errc::kNotFound, Reason{"survey.unknown_link"}, "no such survey link");
  return *hash;
}

Result<Survey> ByHash(store::Sql& sql, const std::string& hash) {
  auto v = db::SurveyByTokenHash(sql, hash);
  if (!v && v.error().code == Errc::kNotFound)
    return Fail(Errc::kNotFound, Reason{"survey.unknown_link"},
                "no such survey link (a newer link may have replaced it)");
  return v;
}

// Refuses a link whose survey takes no answer at `now`: answered (one answer per link),
// withdrawn, or past its end.
Result<void> Live(const Survey& v, TimePoint now) {
  if (v.state == SurveyState::kAnswered)
    return Fail(
        Errc::kConflict, Reason{"survey.answered"},
        "this survey was answered already (" + Iso(v.answered_at) + "): a link takes one answer");
  if (v.state == SurveyState::kCancelled)
    return Fail(Errc::kFailedPrecondition, Reason{"survey.cancelled"},
                "this survey was withdrawn: the ticket was reopened");
  if (v.state != SurveyState::kSent)
    return Fail(Errc::kNotFound, Reason{"survey.unknown_link"}, "no such survey link");
  if (v.expires_at != TimePoint{} && now >= v.expires_at)
    return Fail(Errc::kFailedPrecondition, Reason{"survey.expired"},
                "this survey link expired at " + Iso(v.expires_at));
  return Ok();
}

// A new survey of `t`, credited to its assignee and queue as they are now.
Survey SurveyOf(const Ticket& t, SurveyChannel channel, TimePoint now) {
  Survey v;
  v.site_id = t.site_id;
  v.ticket_id = t.id;
  v.queue_post_id = t.queue_post_id;
  v.agent = t.assignee;
  v.channel = channel;
  v.created_at = now;
  return v;
}

// A fixed duration of a site parameter (validated when set: no months, no working days).
std::optional<Micros> FixedOf(const std::optional<std::string>& value) {
  if (!value) return std::nullopt;
  auto d = policy::ParseDuration(*value);
  if (!d || d->months || d->working_days || d->fixed.count() <= 0) return std::nullopt;
  return std::chrono::duration_cast<Micros>(d->fixed);
}

}  // namespace

std::vector<policy::ParamDecl> Service::Parameters(const policy::Pack& pack) {
  auto clauses = policy::ClausesOfRule(pack.duties(), kSatisfactionSurvey);
  const std::string rule = "service: satisfaction survey of a resolved ticket";
  return {{std::string(kSurveyAfterParam), policy::ParamKind::kDuration,
           rule + " — delay after resolution (unset: no survey)", clauses},
          {std::string(kSurveyValidParam), policy::ParamKind::kDuration,
           rule + " — how long a link stays valid (unset: until answered or withdrawn)", clauses},
          {std::string(kSurveyScaleParam), policy::ParamKind::kList,
           rule + " — the scale's labels, lowest first (unset: ours, " +
               std::string(kDefaultSurveyScale) + ", scores 1-5)",
           clauses},
          {std::string(kRoutingParam),
           policy::ParamKind::kList,
           "service: routing of a new ticket — on_post (unset: the same, our choice) sends it to "
           "the agent on the queue's post now holding the fewest unresolved tickets, longest "
           "since their last assignment on a tie; manual leaves it for an agent to take",
           {}}};
}

void Service::RegisterHandlers(scheduler::Scheduler& scheduler) {
  scheduler.Register(std::string(kSurveyTimer),
                     [this](store::Tx& tx, const store::Timer& t) -> Result<void> {
                       // subject: survey/<id>
                       store::Id id = std::stoll(t.subject.substr(t.subject.find('/') + 1));
                       auto& sql = tx.unit().sql();
                       ZHIDU_TRY(Survey v, db::GetSurvey(sql, id));
                       if (v.state != SurveyState::kScheduled || v.timer_id != t.id) return Ok();
                       v.state = SurveyState::kDue;
                       ZHIDU_TRY_VOID(db::UpdateSurvey(sql, v, SurveyState::kScheduled));
                       return JournalSurvey(tx, "service.survey.due", 0, v,
                                            CanonicalObject().Add("due_at", Iso(v.due_at)));
                     });
}

Result<void> Service::JournalSurvey(store::Tx& tx, std::string_view kind, store::Id actor,
                                    const Survey& v, CanonicalObject extra) {
  auto pack = pack_.Current();
  auto clauses = pack ? policy::ClausesOfRule(pack->duties(), kSatisfactionSurvey)
                      : std::vector<std::string>{};
  extra.Add("survey_id", v.id)
      .Add("site_id", v.site_id)
      .Add("ticket_id", v.ticket_id)
      .Add("queue_post_id", v.queue_post_id)
      .Add("channel", SurveyChannelName(v.channel))
      .Add("state", SurveyStateName(v.state))
      .AddRaw("clauses", JsonStringArray(clauses));
  if (v.agent) extra.Add("person_id", v.agent);  // the agent credited (and told)
  ZHIDU_TRY(auto seq, tx.Journal(std::string(kind), actor, TicketRef(v.ticket_id), extra.Str()));
  (void)seq;
  if (v.state != SurveyState::kAnswered) return Ok();
  // The pack hears the customer's satisfaction: cn-default's 客户反馈表 closes on it when
  // satisfied and goes back to the departments when not (R06 §四(一)7).
  ZHIDU_TRY(Ticket t, db::GetTicket(tx.unit().sql(), v.ticket_id));
  policy::Context data{{std::string(kSatisfiedInput), v.satisfied},
                       {"score", static_cast<double>(v.score)},
                       {"channel", std::string(SurveyChannelName(v.channel))}};
  return bus_.Emit(tx, runtime::SiteEvent{t.site_id, std::string(kSatisfactionRecorded), t.subject,
                                          TicketRef(t.id), std::move(data), actor});
}

Result<void> Service::ScheduleSurvey(store::Tx& tx, const Ticket& t,
                                     std::optional<TimePoint>* wake) {
  auto& unit = tx.unit();
  Survey v = SurveyOf(t, SurveyChannel::kLink, tx.now());
  ZHIDU_TRY(auto after, runtime::SiteParameters::Lookup(unit, t.site_id, kSurveyAfterParam));
  auto delay = FixedOf(after);
  if (!after) {
    v.note = "本单位参数 " + std::string(kSurveyAfterParam) +
             " 未设置：不发送满意度调查（制度未给出调查时间，不自行假定）";
  } else if (!delay) {
    v.note = "本单位参数 " + std::string(kSurveyAfterParam) + " 的值 \"" + *after +
             "\" 不是时长：不发送满意度调查";
  } else {
    v.state = SurveyState::kScheduled;
    v.due_at = tx.now() + *delay;
  }
  ZHIDU_TRY(v.id, db::InsertSurvey(unit.sql(), v));
  if (v.state == SurveyState::kNotScheduled)
    return JournalSurvey(tx, "service.survey.not_scheduled", 0, v,
                         CanonicalObject().Add("param", kSurveyAfterParam).Add("reason", v.note));
  store::Timer timer;
  timer.site_id = v.site_id;
  timer.kind = std::string(kSurveyTimer);
  timer.subject = "survey/" + std::to_string(v.id);
  timer.payload = "{}";
  timer.due_at = v.due_at;
  ZHIDU_TRY(v.timer_id, scheduler::Scheduler::Schedule(tx, timer));
  ZHIDU_TRY_VOID(db::UpdateSurvey(unit.sql(), v, v.state));
  *wake = v.due_at;
  return JournalSurvey(tx, "service.survey.scheduled", 0, v,
                       CanonicalObject()
                           .Add("param", kSurveyAfterParam)
                           .Add("after", *after)
                           .Add("due_at", Iso(v.due_at)));
}

Result<void> Service::CancelSurvey(store::Tx& tx, const Ticket& t, store::Id actor) {
  auto& sql = tx.unit().sql();
  ZHIDU_TRY(auto surveys, db::SurveysOf(sql, t.id));
  for (auto v : surveys) {
    if (v.channel != SurveyChannel::kLink || v.state == SurveyState::kAnswered ||
        v.state == SurveyState::kCancelled)
      continue;
    SurveyState from = v.state;
    if (from == SurveyState::kScheduled && v.timer_id) {
      auto cancelled = tx.unit().CancelTimer(v.timer_id, tx.now());
      if (!cancelled && cancelled.error().code != Errc::kFailedPrecondition)
        return Fail(cancelled.error());
    }
    v.state = SurveyState::kCancelled;
    v.note = "工单已重新打开：满意度调查撤销";
    ZHIDU_TRY_VOID(db::UpdateSurvey(sql, v, from));
    ZHIDU_TRY_VOID(JournalSurvey(tx, "service.survey.cancelled", actor, v,
                                 CanonicalObject().Add("was", SurveyStateName(from))));
  }
  return Ok();
}

Result<std::string> Service::IssueSurveyLink(const org::Principal& who, store::Id ticket_id,
                                             TimePoint* expires_at) {
  return writer_.Run<std::string>([&](store::Tx& tx) -> Result<std::string> {
    auto& sql = tx.unit().sql();
    ZHIDU_TRY(Ticket t, TicketFor(sql, who, ticket_id));
    ZHIDU_TRY(auto surveys, db::SurveysOf(sql, t.id));
    std::optional<Survey> current;
    for (const auto& v : surveys)
      if (v.channel == SurveyChannel::kLink) current = v;
    std::string name = "ticket " + std::to_string(t.id);
    if (!current)
      return Fail(Errc::kFailedPrecondition, Reason{"survey.none"},
                  name + " has no survey: one is made when the ticket is resolved");
    Survey v = *current;
    switch (v.state) {
      case SurveyState::kNotScheduled:
        return Fail(Errc::kFailedPrecondition, Reason{"survey.not_scheduled"}, v.note);
      case SurveyState::kScheduled:
        return Fail(Errc::kFailedPrecondition, Reason{"survey.not_due"},
                    "the survey of " + name + " is due at " + Iso(v.due_at));
      case SurveyState::kAnswered:
        return Fail(Errc::kConflict, Reason{"survey.answered"},
                    "the survey of " + name + " was answered already");
      case SurveyState::kCancelled:
        return Fail(Errc::kFailedPrecondition, Reason{"survey.cancelled"},
                    "the survey of " + name + " was withdrawn (the ticket was reopened)");
      case SurveyState::kDue:
      case SurveyState::kSent:
        break;
    }
    auto& unit = tx.unit();
    ZHIDU_TRY(auto valid, runtime::SiteParameters::Lookup(unit, t.site_id, kSurveyValidParam));
    ZHIDU_TRY(auto scale_param,
              runtime::SiteParameters::Lookup(unit, t.site_id, kSurveyScaleParam));
    ZHIDU_TRY(auto scale, SurveyScale(scale_param));
    std::string token = RandomHex(kSurveyTokenHex / 2);
    SurveyState from = v.state;
    v.state = SurveyState::kSent;
    v.token_hash = ToHex(Sha256Of(token));
    v.issued_at = tx.now();
    v.scale = Join(scale, ",");
    v.scale_size = static_cast<int>(scale.size());
    v.expires_at = TimePoint{};
    if (auto d = FixedOf(valid)) v.expires_at = tx.now() + *d;
    ZHIDU_TRY_VOID(db::UpdateSurvey(sql, v, from));
    CanonicalObject extra;
    extra.Add("issued_by", who.username)
        .Add("replaces_link", from == SurveyState::kSent)
        .Add("scale_size", v.scale_size);
    if (v.expires_at != TimePoint{}) extra.Add("expires_at", Iso(v.expires_at));
    ZHIDU_TRY_VOID(JournalSurvey(tx, "service.survey.link_issued", who.account_id, v, extra));
    *expires_at = v.expires_at;
    return token;
  });
}

Result<SurveyPage> Service::SurveyByToken(const std::string& token) {
  ZHIDU_TRY(auto hash, TokenHash(token));
  ZHIDU_TRY(auto unit, store_.BeginRead());
  auto& sql = unit->sql();
  ZHIDU_TRY(Survey v, ByHash(sql, hash));
  ZHIDU_TRY_VOID(Live(v, clock_.Now()));
  ZHIDU_TRY(Ticket t, db::GetTicket(sql, v.ticket_id));
  ZHIDU_TRY(auto site, unit->GetSite(v.site_id));
  return SurveyPage{v, t.subject, site.name, policy::ParamListItems(v.scale)};
}

Result<Survey> Service::AnswerSurvey(const std::string& token, int score,
                                     const std::string& reason) {
  ZHIDU_TRY(auto hash, TokenHash(token));
  ZHIDU_TRY_VOID(Text(reason, "reason", false, kMaxBody));
  return writer_.Run<Survey>([&](store::Tx& tx) -> Result<Survey> {
    auto& sql = tx.unit().sql();
    ZHIDU_TRY(Survey v, ByHash(sql, hash));
    ZHIDU_TRY_VOID(Live(v, tx.now()));
    if (score < 1 || score > v.scale_size)
      return Fail(Errc::kInvalidArgument, kInvalid,
                  "score must be 1 to " + std::to_string(v.scale_size), "score");
    bool low = LowScore(score, v.scale_size);
    bool blank = std::ranges::all_of(
        reason, [](char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; });
    if (low && blank)
      return Fail(Errc::kInvalidArgument, Reason{"survey.reason_required"},
                  "a low score asks for the reasons: tell us what went wrong", "reason");
    v.state = SurveyState::kAnswered;
    v.answered_at = tx.now();
    v.score = score;
    v.satisfied = SatisfiedScore(score, v.scale_size);
    v.reason = reason;
    ZHIDU_TRY_VOID(db::UpdateSurvey(sql, v, SurveyState::kSent));
    auto labels = policy::ParamListItems(v.scale);
    ZHIDU_TRY_VOID(JournalSurvey(tx, "service.survey.answered", 0, v,
                                 CanonicalObject()
                                     .Add("score", score)
                                     .Add("scale_size", v.scale_size)
                                     .Add("label", labels[static_cast<size_t>(score - 1)])
                                     .Add("satisfied", v.satisfied)
                                     .Add("low", low)
                                     .Add("reason", reason)));
    return v;
  });
}

Result<TicketView> Service::RecordSatisfaction(const org::Principal& who, store::Id ticket_id,
                                               bool satisfied, const std::string& note) {
  ZHIDU_TRY_VOID(Text(note, "note", true, kMaxBody));
  auto done = writer_.Run<bool>([&](store::Tx& tx) -> Result<bool> {
    auto& sql = tx.unit().sql();
    ZHIDU_TRY(Ticket t, TicketFor(sql, who, ticket_id));
    Survey v = SurveyOf(t, SurveyChannel::kReturnVisit, tx.now());
    v.state = SurveyState::kAnswered;
    v.answered_at = tx.now();
    v.satisfied = satisfied;
    v.reason = note;
    v.recorded_by = who.account_id;
    ZHIDU_TRY(v.id, db::InsertSurvey(sql, v));
    ZHIDU_TRY_VOID(JournalSurvey(tx, "service.satisfaction.recorded", who.account_id, v,
                                 CanonicalObject()
                                     .Add("satisfied", satisfied)
                                     .Add("note", note)
                                     .Add("recorded_by", who.username)));
    return true;
  });
  if (!done) return Fail(done.error());
  return GetTicket(who, ticket_id);
}

Result<std::vector<SatisfactionRow>> Service::Satisfaction(const org::Principal& who,
                                                           store::Id site_id, bool by_queue,
                                                           TimePoint from, TimePoint to) {
  ZHIDU_TRY_VOID(MayWorkAt(who, site_id, "reading satisfaction"));
  ZHIDU_TRY(auto unit, store_.BeginRead());
  return db::Satisfaction(unit->sql(), site_id, by_queue, from, to);
}

}  // namespace zhidu::service
