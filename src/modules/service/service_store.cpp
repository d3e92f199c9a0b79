// The module's tables and statements, written once: the same SQL runs on SQLite and PostgreSQL
// through store::Sql (store/sql.hpp).
#include "modules/service/service.hpp"

#include <algorithm>
#include <optional>

#include "modules/service/customer_index.hpp"
#include "store/sql_where.hpp"
#include "store/text_search.hpp"

namespace zhidu::service {

std::vector<store::Migration> Migrations() {
  return {{1, R"sql(
CREATE TABLE service_customers(
  id {{id}},
  site_id BIGINT NOT NULL REFERENCES sites(id),
  kind TEXT NOT NULL CHECK (kind IN ('company','person')),
  name TEXT NOT NULL,
  id_number TEXT NOT NULL DEFAULT '',
  grade TEXT NOT NULL DEFAULT '',
  notes TEXT NOT NULL DEFAULT '',
  created_by BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL);
CREATE TABLE service_customer_phones(
  site_id BIGINT NOT NULL REFERENCES sites(id),
  phone TEXT NOT NULL,
  customer_id BIGINT NOT NULL REFERENCES service_customers(id),
  seq_no BIGINT NOT NULL,
  PRIMARY KEY(site_id, phone));
CREATE INDEX service_customer_phones_customer ON service_customer_phones(customer_id, seq_no);
CREATE TABLE service_contacts(
  id {{id}},
  site_id BIGINT NOT NULL REFERENCES sites(id),
  customer_id BIGINT REFERENCES service_customers(id),
  name TEXT NOT NULL,
  company TEXT NOT NULL DEFAULT '',
  phone TEXT NOT NULL DEFAULT '',
  need TEXT NOT NULL,
  channel TEXT NOT NULL CHECK (channel IN ('call','visit')),
  contacted_at BIGINT NOT NULL,
  agent BIGINT NOT NULL);
CREATE INDEX service_contacts_site ON service_contacts(site_id, id);
CREATE TABLE service_tickets(
  id {{id}},
  site_id BIGINT NOT NULL REFERENCES sites(id),
  queue_post_id BIGINT NOT NULL REFERENCES posts(id),
  customer_id BIGINT REFERENCES service_customers(id),
  contact_id BIGINT REFERENCES service_contacts(id),
  subject TEXT NOT NULL,
  category TEXT NOT NULL DEFAULT '',
  priority TEXT NOT NULL CHECK (priority IN ('low','normal','high','urgent')),
  complaint BIGINT NOT NULL DEFAULT 0,
  state TEXT NOT NULL CHECK (state IN ('new','open','pending','resolved','closed')),
  assignee BIGINT REFERENCES people(id),
  created_by BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  first_reply_at BIGINT,
  resolved_at BIGINT,
  closed_at BIGINT);
CREATE INDEX service_tickets_queue ON service_tickets(site_id, queue_post_id, state, id);
CREATE TABLE service_ticket_entries(
  id {{id}},
  ticket_id BIGINT NOT NULL REFERENCES service_tickets(id),
  kind TEXT NOT NULL CHECK (kind IN ('customer','reply','note','state','assign')),
  body TEXT NOT NULL DEFAULT '',
  from_state TEXT NOT NULL DEFAULT '',
  to_state TEXT NOT NULL DEFAULT '',
  person_id BIGINT,
  author BIGINT NOT NULL,
  written_at BIGINT NOT NULL);
CREATE INDEX service_ticket_entries_ticket ON service_ticket_entries(ticket_id, id)
)sql"},
          // Surveys (issue 18 §7) and return-visit satisfaction records: one row per resolution
          // (or per agent's record); only a hash of a link's token.
          {2, R"sql(
CREATE TABLE service_surveys(
  id {{id}},
  site_id BIGINT NOT NULL REFERENCES sites(id),
  ticket_id BIGINT NOT NULL REFERENCES service_tickets(id),
  queue_post_id BIGINT NOT NULL REFERENCES posts(id),
  agent BIGINT REFERENCES people(id),
  channel TEXT NOT NULL CHECK (channel IN ('link','return_visit')),
  state TEXT NOT NULL
    CHECK (state IN ('not_scheduled','scheduled','due','sent','answered','cancelled')),
  note TEXT NOT NULL DEFAULT '',
  due_at BIGINT,
  timer_id BIGINT,
  token_hash TEXT UNIQUE,
  scale TEXT NOT NULL DEFAULT '',
  issued_at BIGINT,
  expires_at BIGINT,
  answered_at BIGINT,
  score BIGINT NOT NULL DEFAULT 0,
  scale_size BIGINT NOT NULL DEFAULT 0,
  satisfied BIGINT NOT NULL DEFAULT 0,
  reason TEXT NOT NULL DEFAULT '',
  recorded_by BIGINT,
  created_at BIGINT NOT NULL);
CREATE INDEX service_surveys_ticket ON service_surveys(ticket_id, id);
CREATE INDEX service_surveys_answered ON service_surveys(site_id, state, answered_at)
)sql"},
          // Routing (issue 18 §4): an agent's load and their last assignment, by index.
          {3, R"sql(
CREATE INDEX service_tickets_assignee ON service_tickets(assignee, state);
CREATE INDEX service_ticket_entries_person ON service_ticket_entries(person_id, kind, id)
)sql"},
          // Quality reviews (issue 20, kpi.cpp): a supervisor's score of a ticket's agent, one per
          // ticket and agent; scores and the scale as text in their shortest exact form.
          {4, R"sql(
CREATE TABLE service_quality_reviews(
  id {{id}},
  site_id BIGINT NOT NULL REFERENCES sites(id),
  ticket_id BIGINT NOT NULL REFERENCES service_tickets(id),
  agent BIGINT NOT NULL REFERENCES people(id),
  score TEXT NOT NULL,
  scale_min TEXT NOT NULL,
  scale_max TEXT NOT NULL,
  comment TEXT NOT NULL DEFAULT '',
  reviewer BIGINT NOT NULL,
  reviewed_at BIGINT NOT NULL,
  UNIQUE(ticket_id, agent));
CREATE INDEX service_quality_reviews_agent ON service_quality_reviews(site_id, agent, reviewed_at);
CREATE INDEX service_tickets_resolved ON service_tickets(site_id, resolved_at)
)sql"},
          // Orders (issue 18 §6, orders.cpp): the order, its items, its returns and exchanges.
          // The review is the kernel's request; the ship date and the agreed delivery are the
          // kernel's deadlines (ref order/ID).
          {5, R"sql(
CREATE TABLE service_orders(
  id {{id}},
  site_id BIGINT NOT NULL REFERENCES sites(id),
  order_no TEXT NOT NULL,
  customer_id BIGINT NOT NULL REFERENCES service_customers(id),
  agent BIGINT REFERENCES people(id),
  kind TEXT NOT NULL CHECK (kind IN ('retail','bulk')),
  pieces BIGINT NOT NULL CHECK (pieces > 0),
  special_requirements TEXT NOT NULL DEFAULT '',
  remarks TEXT NOT NULL DEFAULT '',
  urgent BIGINT NOT NULL DEFAULT 0,
  promised_date TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL CHECK (state IN ('reviewing','notice','shipped')),
  review_request_id BIGINT UNIQUE REFERENCES approval_requests(id),
  notice_record TEXT NOT NULL DEFAULT '',
  notice_at BIGINT,
  shipped_at BIGINT,
  stock_out_at BIGINT,
  agreed_at BIGINT,
  stock_out_note TEXT NOT NULL DEFAULT '',
  created_by BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE(site_id, order_no));
CREATE INDEX service_orders_site ON service_orders(site_id, state, id);
CREATE INDEX service_orders_agent ON service_orders(site_id, agent, created_at);
CREATE INDEX service_orders_shipped ON service_orders(site_id, agent, shipped_at);
CREATE TABLE service_order_items(
  order_id BIGINT NOT NULL REFERENCES service_orders(id),
  seq_no BIGINT NOT NULL,
  name TEXT NOT NULL,
  sku TEXT NOT NULL DEFAULT '',
  quantity BIGINT NOT NULL CHECK (quantity > 0),
  PRIMARY KEY(order_id, seq_no));
CREATE TABLE service_order_returns(
  id {{id}},
  order_id BIGINT NOT NULL REFERENCES service_orders(id),
  kind TEXT NOT NULL CHECK (kind IN ('return','exchange')),
  reason TEXT NOT NULL,
  created_by BIGINT NOT NULL,
  created_at BIGINT NOT NULL);
CREATE INDEX service_order_returns_order ON service_order_returns(order_id, id)
)sql"},
          // R17's registers (issue 18 §8, desk.hpp): information feedback in the pack's
          // categories and the callback register. Routing and timing are the kernel's procedures
          // and deadlines (ref feedback/ID, callback/ID).
          {6, R"sql(
CREATE TABLE service_feedback(
  id {{id}},
  site_id BIGINT NOT NULL REFERENCES sites(id),
  category TEXT NOT NULL,
  detail TEXT NOT NULL,
  customer_id BIGINT REFERENCES service_customers(id),
  agent BIGINT REFERENCES people(id),
  created_by BIGINT NOT NULL,
  created_at BIGINT NOT NULL);
CREATE INDEX service_feedback_site ON service_feedback(site_id, category, id);
CREATE TABLE service_callbacks(
  id {{id}},
  site_id BIGINT NOT NULL REFERENCES sites(id),
  customer_id BIGINT NOT NULL REFERENCES service_customers(id),
  phone TEXT NOT NULL,
  reason TEXT NOT NULL,
  promised_at BIGINT NOT NULL,
  agent BIGINT REFERENCES people(id),
  created_by BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  done_at BIGINT,
  done_by BIGINT,
  outcome TEXT NOT NULL DEFAULT '');
CREATE INDEX service_callbacks_site ON service_callbacks(site_id, id)
)sql"},
          // Ticket search (issue 18 §12; store/text_search.hpp): the subject's bigrams and tokens,
          // an FTS5 table on SQLite (rowid = ticket id), a GIN-indexed TEXT[] on PostgreSQL.
          // Tickets opened before this are indexed when the module starts (IndexTickets).
          {7, R"sql(
{{sqlite}}CREATE VIRTUAL TABLE service_tickets_fts USING fts5(bi, uni, content='', tokenize='unicode61 remove_diacritics 0'){{/sqlite}}
{{postgres}}ALTER TABLE service_tickets ADD COLUMN terms TEXT[] NOT NULL DEFAULT '{}';
CREATE INDEX service_tickets_terms ON service_tickets USING GIN(terms){{/postgres}}
)sql"},
          // 常用回复 (issue 18 §2, canned.cpp): queue_post_id 0 is site-wide.
          {8, R"sql(
CREATE TABLE service_canned_replies(
  id {{id}},
  site_id BIGINT NOT NULL REFERENCES sites(id),
  queue_post_id BIGINT NOT NULL DEFAULT 0,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  updated_by BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE(site_id, queue_post_id, title))
)sql"},
          // PostgreSQL: the tickets not yet given their search terms, which IndexTickets looks for
          // at every start — without it each start read the whole table (1M tickets in W8).
          // SQLite finds them from the FTS table's last rowid and needs nothing.
          {9, R"sql(
{{postgres}}CREATE INDEX service_tickets_unindexed ON service_tickets(id) WHERE terms = '{}'{{/postgres}}
)sql"},
          // Merge (合并工单, merge.cpp): the ticket a duplicate was merged into; on the target's
          // thread, the ticket an entry came from and the entry it copies (0/NULL: its own).
          {10, R"sql(
ALTER TABLE service_tickets ADD COLUMN merged_into BIGINT REFERENCES service_tickets(id);
ALTER TABLE service_ticket_entries ADD COLUMN merged_from BIGINT REFERENCES service_tickets(id);
ALTER TABLE service_ticket_entries ADD COLUMN copied_from BIGINT
  REFERENCES service_ticket_entries(id);
CREATE INDEX service_tickets_merged ON service_tickets(merged_into)
)sql"},
          // 附件 (attachments.cpp): an entry's images, SHA-256 of the photo store, one a line.
          {11, R"sql(
ALTER TABLE service_ticket_entries ADD COLUMN attachments TEXT NOT NULL DEFAULT ''
)sql"},
          // 在线提交 (issue 18 §2, web_forms.cpp): the public forms (only a hash of a link's token)
          // and the web channel's contacts, each with the ticket it opened. service_contacts keeps
          // call|visit: SQLite cannot widen its CHECK in a migration's transaction while tickets
          // reference it with foreign keys on.
          {12, R"sql(
CREATE TABLE service_web_forms(
  id {{id}},
  site_id BIGINT NOT NULL REFERENCES sites(id),
  queue_post_id BIGINT NOT NULL REFERENCES posts(id),
  title TEXT NOT NULL,
  category TEXT NOT NULL DEFAULT '',
  token_hash TEXT NOT NULL UNIQUE,
  created_by BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  revoked_by BIGINT,
  revoked_at BIGINT);
CREATE INDEX service_web_forms_site ON service_web_forms(site_id, id);
CREATE TABLE service_web_submissions(
  id {{id}},
  form_id BIGINT NOT NULL REFERENCES service_web_forms(id),
  ticket_id BIGINT NOT NULL UNIQUE REFERENCES service_tickets(id),
  customer_id BIGINT REFERENCES service_customers(id),
  name TEXT NOT NULL,
  company TEXT NOT NULL DEFAULT '',
  phone TEXT NOT NULL,
  submitted_at BIGINT NOT NULL);
CREATE INDEX service_web_submissions_form ON service_web_submissions(form_id, submitted_at)
)sql"},
          // Ticket search over the thread (issue 18 §12): each customer message, reply and note
          // indexed as it is written, keyed by the entry (SQLite: rowid = entry id; PostgreSQL: the
          // entry's own terms), so an entry moved to another ticket (a merge) moves its index with
          // it. Entries written before this are indexed at start (IndexTickets) — on PostgreSQL
          // through the partial index of the ones still without terms.
          {13, R"sql(
{{sqlite}}CREATE VIRTUAL TABLE service_entries_fts USING fts5(bi, uni, content='', tokenize='unicode61 remove_diacritics 0'){{/sqlite}}
{{postgres}}ALTER TABLE service_ticket_entries ADD COLUMN terms TEXT[] NOT NULL DEFAULT '{}';
CREATE INDEX service_ticket_entries_terms ON service_ticket_entries USING GIN(terms);
CREATE INDEX service_ticket_entries_unindexed ON service_ticket_entries(id)
  WHERE terms = '{}' AND kind IN ('customer','reply','note'){{/postgres}}
)sql"},
          // Customer search (issue 18 §12; session 22: W8 found ListCustomers scanning 100,000
          // names and phones a query): a customer's name terms (store/text_search.hpp) and every
          // four-digit window of the digits in its name and phones (CustomerTerms). SQLite: an
          // FTS5 table that keeps its text (rowid = customer id), so a changed customer's row is
          // replaced; PostgreSQL: a GIN-indexed TEXT[]. Customers written before this are indexed
          // at start (IndexTickets).
          {14, R"sql(
{{sqlite}}CREATE VIRTUAL TABLE service_customers_fts USING fts5(bi, uni, tokenize='unicode61 remove_diacritics 0'){{/sqlite}}
{{postgres}}ALTER TABLE service_customers ADD COLUMN terms TEXT[] NOT NULL DEFAULT '{}';
CREATE INDEX service_customers_terms ON service_customers USING GIN(terms);
CREATE INDEX service_customers_unindexed ON service_customers(id) WHERE terms = '{}'{{/postgres}}
)sql"}};
}

namespace db {
namespace {

constexpr const char* kCustomerColumns =
    "SELECT id, site_id, kind, name, id_number, grade, notes, created_by, created_at, updated_at "
    "FROM service_customers ";

Customer MapCustomer(const store::SqlRow& r) {
  Customer v;
  v.id = r.Int(0);
  v.site_id = r.Int(1);
  v.kind = ParseKind(r.Text(2)).value_or(CustomerKind::kPerson);  // the CHECK admits no other
  v.name = r.Text(3);
  v.id_number = r.Text(4);
  v.grade = r.Text(5);
  v.notes = r.Text(6);
  v.created_by = r.Int(7);
  v.created_at = r.Time(8);
  v.updated_at = r.Time(9);
  return v;
}

Result<void> LoadPhones(store::Sql& sql, Customer& v) {
  ZHIDU_TRY(v.phones,
            sql.Many<std::string>(
                "list customer phones",
                "SELECT phone FROM service_customer_phones WHERE customer_id=? ORDER BY seq_no",
                {v.id}, [](const store::SqlRow& r) { return r.Text(0); }));
  return Ok();
}

constexpr const char* kContactColumns =
    "SELECT id, site_id, customer_id, name, company, phone, need, channel, contacted_at, agent "
    "FROM service_contacts ";

Contact MapContact(const store::SqlRow& r) {
  Contact v;
  v.id = r.Int(0);
  v.site_id = r.Int(1);
  v.customer_id = r.Int(2);
  v.name = r.Text(3);
  v.company = r.Text(4);
  v.phone = r.Text(5);
  v.need = r.Text(6);
  v.channel = ParseChannel(r.Text(7)).value_or(Channel::kCall);
  v.at = r.Time(8);
  v.agent = r.Int(9);
  return v;
}

constexpr const char* kTicketColumns =
    "SELECT t.id, t.site_id, t.queue_post_id, p.name, t.customer_id, t.contact_id, t.subject, "
    "t.category, t.priority, t.complaint, t.state, t.assignee, t.created_by, t.created_at, "
    "t.updated_at, t.first_reply_at, t.resolved_at, t.closed_at, t.merged_into "
    "FROM service_tickets t JOIN posts p ON p.id = t.queue_post_id ";

Ticket MapTicket(const store::SqlRow& r) {
  Ticket v;
  v.id = r.Int(0);
  v.site_id = r.Int(1);
  v.queue_post_id = r.Int(2);
  v.queue = r.Text(3);
  v.customer_id = r.Int(4);
  v.contact_id = r.Int(5);
  v.subject = r.Text(6);
  v.category = r.Text(7);
  v.priority = ParsePriority(r.Text(8)).value_or(Priority::kNormal);
  v.complaint = r.Flag(9);
  v.state = ParseState(r.Text(10)).value_or(TicketState::kNew);
  v.assignee = r.Int(11);
  v.created_by = r.Int(12);
  v.created_at = r.Time(13);
  v.updated_at = r.Time(14);
  v.first_reply_at = r.Time(15);
  v.resolved_at = r.Time(16);
  v.closed_at = r.Time(17);
  v.merged_into = r.Int(18);
  return v;
}

std::string Name(TicketState s) { return std::string(StateName(s)); }

}  // namespace

Result<store::Id> InsertCustomer(store::Sql& sql, const Customer& v) {
  return sql.Insert(
      "insert customer",
      "INSERT INTO service_customers(site_id, kind, name, id_number, grade, notes, "
      "created_by, created_at, updated_at) VALUES(?,?,?,?,?,?,?,?,?) RETURNING id",
      {v.site_id, std::string(KindName(v.kind)), v.name, v.id_number, v.grade, v.notes,
       v.created_by, store::SqlTime(v.created_at), store::SqlTime(v.updated_at)});
}

Result<void> AddPhone(store::Sql& sql, store::Id site_id, store::Id customer_id,
                      const std::string& phone, int rank) {
  auto r = sql.Exec("add customer phone",
                    "INSERT INTO service_customer_phones(site_id, phone, customer_id, seq_no) "
                    "VALUES(?,?,?,?)",
                    {site_id, phone, customer_id, std::int64_t{rank}});
  if (!r) return Fail(r.error());
  return Ok();
}

Result<store::Id> CustomerByPhone(store::Sql& sql, store::Id site_id, const std::string& phone) {
  store::Id id = 0;
  ZHIDU_TRY_VOID(
      sql.Query("find customer by phone",
                "SELECT customer_id FROM service_customer_phones WHERE site_id=? AND phone=?",
                {site_id, phone}, [&](const store::SqlRow& r) { id = r.Int(0); }));
  return id;
}

Result<Customer> GetCustomer(store::Sql& sql, store::Id id) {
  ZHIDU_TRY(Customer v,
            sql.One<Customer>("get customer", std::string(kCustomerColumns) + "WHERE id=?", {id},
                              MapCustomer, "customer " + std::to_string(id) + " does not exist"));
  ZHIDU_TRY_VOID(LoadPhones(sql, v));
  return v;
}

Result<void> UpdateCustomer(store::Sql& sql, const Customer& v) {
  ZHIDU_TRY(auto changed,
            sql.Exec("update customer",
                     "UPDATE service_customers SET kind=?, name=?, id_number=?, grade=?, notes=?, "
                     "updated_at=? WHERE id=?",
                     {std::string(KindName(v.kind)), v.name, v.id_number, v.grade, v.notes,
                      store::SqlTime(v.updated_at), v.id}));
  if (changed != 1)
    return Fail(Errc::kNotFound, "customer " + std::to_string(v.id) + " does not exist");
  ZHIDU_TRY(auto removed,
            sql.Exec("replace customer phones",
                     "DELETE FROM service_customer_phones WHERE customer_id=?", {v.id}));
  (void)removed;
  for (size_t i = 0; i < v.phones.size(); ++i)
    ZHIDU_TRY_VOID(AddPhone(sql, v.site_id, v.id, v.phones[i], static_cast<int>(i)));
  return Ok();
}

namespace {

constexpr size_t kDigitGram = 4;  // the phone digits a search needs at least to use the index

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Every kDigitGram-digit window of each run of digits in `text`, as the token "n1234".
void AddDigitGrams(std::string_view text, std::vector<std::string>& out) {
  for (size_t i = 0; i < text.size();) {
    if (!IsDigit(text[i])) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < text.size() && IsDigit(text[end])) ++end;
    for (size_t k = i; k + kDigitGram <= end; ++k) {
      std::string gram = "n" + std::string(text.substr(k, kDigitGram));
      if (std::ranges::find(out, gram) == out.end()) out.push_back(std::move(gram));
    }
    i = end;
  }
}

// A customer's index terms: its name's (bigrams, characters, words) and the digit windows of its
// name and phones — so that for every query CustomerQuery accepts, a customer whose name or phone
// holds the query as a substring holds every term of the query (the index never misses what the
// LIKE below finds; the LIKE then drops what the index over-matches).
store::TextTerms CustomerTerms(const std::string& name, const std::vector<std::string>& phones) {
  store::TextTerms terms = store::TermsOf(name);
  std::vector<std::string> grams;
  AddDigitGrams(name, grams);
  for (const auto& phone : phones) AddDigitGrams(phone, grams);
  for (auto& g : grams)
    if (std::ranges::find(terms.tokens, g) == terms.tokens.end())
      terms.tokens.push_back(std::move(g));
  return terms;
}

// The index query for a customer search, or none when the index cannot answer it (then the LIKE
// scans, as before the index): only digits, at least kDigitGram of them (their windows); no ASCII
// letter or digit at all (the name's Chinese terms, as the ticket search parses them). A query
// with Latin letters or fewer digits is left to the scan: the index keeps a Latin word whole, and
// LIKE matches inside it.
std::optional<store::TextQuery> CustomerQuery(const std::string& q) {
  if (!q.empty() && std::ranges::all_of(q, IsDigit)) {
    if (q.size() < kDigitGram) return std::nullopt;
    store::TextQuery out;
    AddDigitGrams(q, out.tokens);
    return out;
  }
  auto ascii_alnum = [](char c) {
    return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  };
  if (std::ranges::any_of(q, ascii_alnum)) return std::nullopt;
  auto parsed = store::ParseTextQuery(q);
  if (!parsed) return std::nullopt;  // nothing the index holds (punctuation only)
  return *parsed;
}

}  // namespace

Result<void> IndexCustomer(store::Sql& sql, store::Id id, const std::string& name,
                           const std::vector<std::string>& phones) {
  auto terms = CustomerTerms(name, phones);
  if (sql.dialect() == store::Dialect::kPostgres) {
    ZHIDU_TRY(auto changed, sql.Exec("index customer",
                                     "UPDATE service_customers SET terms = ?::text[] WHERE id = ?",
                                     {store::SqlTextArray(store::ArrayTermsOf(terms)), id}));
    (void)changed;
    return Ok();
  }
  ZHIDU_TRY(auto removed, sql.Exec("unindex customer",
                                   "DELETE FROM service_customers_fts WHERE rowid = ?", {id}));
  (void)removed;
  auto row = store::Fts5ColumnsOf(terms);
  ZHIDU_TRY(auto added, sql.Exec("index customer",
                                 "INSERT INTO service_customers_fts(rowid, bi, uni) VALUES(?,?,?)",
                                 {id, row.bi, row.uni}));
  (void)added;
  return Ok();
}

Result<std::vector<store::Id>> UnindexedCustomers(store::Sql& sql, store::Id after, int limit) {
  std::string q =
      sql.dialect() == store::Dialect::kPostgres
          ? "SELECT id FROM service_customers WHERE terms = '{}' AND id > ? ORDER BY id LIMIT ?"
          : "SELECT id FROM service_customers WHERE id > max(?, (SELECT coalesce(max(rowid), 0) "
            "FROM service_customers_fts)) ORDER BY id LIMIT ?";
  std::vector<store::Id> out;
  ZHIDU_TRY_VOID(sql.Query("unindexed customers", q, {after, std::int64_t{limit}},
                           [&](const store::SqlRow& r) { out.push_back(r.Int(0)); }));
  return out;
}

Result<std::vector<Customer>> ListCustomers(store::Sql& sql, store::Id site_id,
                                            const std::string& query, store::PageRequest page) {
  std::string where = "WHERE id > ? AND site_id = ?";
  store::SqlParams params{page.after_id, site_id};
  if (!query.empty()) {
    auto index = CustomerQuery(query);
    if (index && sql.dialect() == store::Dialect::kSqlite) {
      // The index's matches after the cursor drive (read by rowid, in id order, up to the page's
      // end); `+site_id` keeps SQLite from scanning the site's customers by an index instead.
      where =
          "WHERE id IN (SELECT rowid FROM service_customers_fts WHERE service_customers_fts "
          "MATCH ? AND rowid > ?) AND +site_id = ?";
      params = {store::Fts5Match(*index), page.after_id, site_id};
    } else if (index) {
      where += " AND id IN (SELECT c.id FROM service_customers c WHERE c.terms @> ?::text[])";
      params.push_back(store::SqlTextArray(store::ArrayTermsOf(*index)));
    }
    // Exactly what a customer search has always matched; with the index, a recheck of its
    // candidates, each one's phones read by its own index (not every phone of the site).
    if (index) {
      where +=
          " AND (name LIKE ? OR EXISTS (SELECT 1 FROM service_customer_phones p "
          "WHERE p.customer_id = service_customers.id AND p.phone LIKE ?))";
      params.push_back("%" + query + "%");
    } else {
      where +=
          " AND (name LIKE ? OR id IN (SELECT customer_id FROM service_customer_phones "
          "WHERE site_id = ? AND phone LIKE ?))";
      params.push_back("%" + query + "%");
      params.push_back(site_id);
    }
    params.push_back("%" + query + "%");
  }
  params.push_back(std::int64_t{page.limit});
  ZHIDU_TRY(auto rows,
            sql.Many<Customer>("list customers", kCustomerColumns + where + " ORDER BY id LIMIT ?",
                               params, MapCustomer));
  for (auto& v : rows) ZHIDU_TRY_VOID(LoadPhones(sql, v));
  return rows;
}

Result<store::Id> InsertContact(store::Sql& sql, const Contact& v) {
  return sql.Insert("insert contact",
                    "INSERT INTO service_contacts(site_id, customer_id, name, company, phone, "
                    "need, channel, contacted_at, agent) VALUES(?,?,?,?,?,?,?,?,?) RETURNING id",
                    {v.site_id, store::SqlRef(v.customer_id), v.name, v.company, v.phone, v.need,
                     std::string(ChannelName(v.channel)), store::SqlTime(v.at), v.agent});
}

Result<Contact> GetContact(store::Sql& sql, store::Id id) {
  return sql.One<Contact>("get contact", std::string(kContactColumns) + "WHERE id=?", {id},
                          MapContact, "contact " + std::to_string(id) + " does not exist");
}

Result<std::vector<Contact>> ListContacts(store::Sql& sql, store::Id site_id, store::Id customer_id,
                                          store::PageRequest page) {
  std::string where = "WHERE id > ? AND site_id = ?";
  store::SqlParams params{page.after_id, site_id};
  if (customer_id) {
    where += " AND customer_id = ?";
    params.push_back(customer_id);
  }
  params.push_back(std::int64_t{page.limit});
  return sql.Many<Contact>("list contacts", kContactColumns + where + " ORDER BY id LIMIT ?",
                           params, MapContact);
}

Result<store::Id> InsertTicket(store::Sql& sql, const Ticket& v) {
  ZHIDU_TRY(store::Id id, InsertTicketRow(sql, v));
  ZHIDU_TRY_VOID(IndexTicket(sql, id, v.subject));
  return id;
}

Result<store::Id> InsertTicketRow(store::Sql& sql, const Ticket& v) {
  return sql.Insert(
      "insert ticket",
      "INSERT INTO service_tickets(site_id, queue_post_id, customer_id, contact_id, subject, "
      "category, priority, complaint, state, assignee, created_by, created_at, updated_at) "
      "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
      {v.site_id, v.queue_post_id, store::SqlRef(v.customer_id), store::SqlRef(v.contact_id),
       v.subject, v.category, std::string(PriorityName(v.priority)),
       std::int64_t{v.complaint ? 1 : 0}, Name(v.state), store::SqlRef(v.assignee), v.created_by,
       store::SqlTime(v.created_at), store::SqlTime(v.updated_at)});
}

namespace {

// The search index rows of one text: `fts` (SQLite, rowid = id) or `table`.terms (PostgreSQL).
Result<void> IndexText(store::Sql& sql, const char* what, const char* fts, const char* table,
                       store::Id id, std::string_view text) {
  auto terms = store::TermsOf(text);
  if (sql.dialect() == store::Dialect::kPostgres) {
    ZHIDU_TRY(auto changed,
              sql.Exec(what, std::string("UPDATE ") + table + " SET terms = ?::text[] WHERE id = ?",
                       {store::SqlTextArray(store::ArrayTermsOf(terms)), id}));
    (void)changed;
    return Ok();
  }
  auto row = store::Fts5ColumnsOf(terms);
  ZHIDU_TRY(auto added,
            sql.Exec(what, std::string("INSERT INTO ") + fts + "(rowid, bi, uni) VALUES(?,?,?)",
                     {id, row.bi, row.uni}));
  (void)added;
  return Ok();
}

// Up to `limit` rows after `after` that the index lacks: SQLite, those after the index's last
// rowid (every row is indexed as it is written); PostgreSQL, those with an empty array (a text
// with no searchable character stays empty and is read again, harmlessly).
Result<std::vector<std::pair<store::Id, std::string>>> Unindexed(store::Sql& sql, const char* what,
                                                                 const char* fts, const char* table,
                                                                 const char* text, const char* also,
                                                                 store::Id after, int limit) {
  std::string q = sql.dialect() == store::Dialect::kPostgres
                      ? std::string("SELECT id, ") + text + " FROM " + table +
                            " WHERE terms = '{}'" + also + " AND id > ? ORDER BY id LIMIT ?"
                      : std::string("SELECT id, ") + text + " FROM " + table +
                            " WHERE id > max(?, (SELECT coalesce(max(rowid), 0) FROM " + fts +
                            "))" + also + " ORDER BY id LIMIT ?";
  std::vector<std::pair<store::Id, std::string>> out;
  ZHIDU_TRY_VOID(sql.Query(what, q, {after, std::int64_t{limit}},
                           [&](const store::SqlRow& r) { out.emplace_back(r.Int(0), r.Text(1)); }));
  return out;
}

// The entry kinds whose body the ticket search reads (state and assignment entries hold the
// system's or a transition's wording, not the conversation).
constexpr const char* kSearchedKinds = " AND kind IN ('customer','reply','note')";

bool Searched(EntryKind k) {
  return k == EntryKind::kCustomer || k == EntryKind::kReply || k == EntryKind::kNote;
}

}  // namespace

Result<void> IndexTicket(store::Sql& sql, store::Id id, std::string_view subject) {
  return IndexText(sql, "index ticket", "service_tickets_fts", "service_tickets", id, subject);
}

Result<void> IndexEntry(store::Sql& sql, store::Id id, std::string_view body) {
  return IndexText(sql, "index ticket entry", "service_entries_fts", "service_ticket_entries", id,
                   body);
}

Result<std::vector<std::pair<store::Id, std::string>>> UnindexedTickets(store::Sql& sql,
                                                                        store::Id after,
                                                                        int limit) {
  return Unindexed(sql, "unindexed tickets", "service_tickets_fts", "service_tickets", "subject",
                   "", after, limit);
}

Result<std::vector<std::pair<store::Id, std::string>>> UnindexedEntries(store::Sql& sql,
                                                                        store::Id after,
                                                                        int limit) {
  return Unindexed(sql, "unindexed ticket entries", "service_entries_fts", "service_ticket_entries",
                   "body", kSearchedKinds, after, limit);
}

Result<std::int64_t> MoveThreadEntries(store::Sql& sql, store::Id from, store::Id to) {
  return sql.Exec("move ticket entries",
                  "UPDATE service_ticket_entries SET ticket_id = ? WHERE ticket_id = ?",
                  {to, from});
}

Result<Ticket> GetTicket(store::Sql& sql, store::Id id) {
  return sql.One<Ticket>("get ticket", std::string(kTicketColumns) + "WHERE t.id=?", {id},
                         MapTicket, "ticket " + std::to_string(id) + " does not exist");
}

Result<void> UpdateTicket(store::Sql& sql, const Ticket& v, TicketState from) {
  ZHIDU_TRY(auto changed,
            sql.Exec("update ticket",
                     "UPDATE service_tickets SET state=?, assignee=?, updated_at=?, "
                     "first_reply_at=?, resolved_at=?, closed_at=?, priority=?, merged_into=? "
                     "WHERE id=? AND state=?",
                     {Name(v.state), store::SqlRef(v.assignee), store::SqlTime(v.updated_at),
                      store::SqlTime(v.first_reply_at), store::SqlTime(v.resolved_at),
                      store::SqlTime(v.closed_at), std::string(PriorityName(v.priority)),
                      store::SqlRef(v.merged_into), v.id, Name(from)}));
  if (changed == 1) return Ok();
  ZHIDU_TRY(Ticket now, GetTicket(sql, v.id));
  return Fail(Errc::kFailedPrecondition,
              "ticket " + std::to_string(v.id) + " is already " + Name(now.state));
}

namespace {
// The list's filters other than the site and the query, on the tickets named `alias` ("t.").
void AddTicketFilters(const TicketFilter& f, const std::string& alias, std::string& where,
                      store::SqlParams& params) {
  if (f.queue_post_id) {
    where += " AND " + alias + "queue_post_id = ?";
    params.push_back(f.queue_post_id);
  }
  if (f.state) {
    where += " AND " + alias + "state = ?";
    params.push_back(Name(*f.state));
  }
  if (f.assignee) {
    where += " AND " + alias + "assignee = ?";
    params.push_back(f.assignee);
  }
  if (f.customer_id) {
    where += " AND " + alias + "customer_id = ?";
    params.push_back(f.customer_id);
  }
}
}  // namespace

Result<std::vector<Ticket>> ListTickets(store::Sql& sql, const TicketFilter& f,
                                        store::PageRequest page) {
  std::string where = "WHERE t.id > ? AND t.site_id = ?";
  store::SqlParams params{page.after_id, f.site_id};
  const auto limit = std::int64_t{page.limit};
  if (!f.query.empty() && sql.dialect() == store::Dialect::kSqlite) {
    // The tickets whose subject, or one of whose entries, holds every term, after the cursor and
    // with the filters: the page is the first `limit` of the union of (a) the first `limit`
    // subject matches — the FTS index read in rowid order, each ticket joined by rowid and
    // filtered, stopping once `limit` pass (a common 2-character word no longer reads all its
    // matches: session 22, W8) — and (b) the first `limit` tickets of the matching entries (an
    // entry's through the entry's row, so a moved entry counts for its new ticket; that index is
    // ordered by entry, so its matches are sorted). The first `limit` of a union lie within the
    // first `limit` of each side.
    std::string match = store::Fts5Match(f.query);
    std::string subjects =
        "SELECT f.rowid AS id FROM service_tickets_fts f JOIN service_tickets s ON s.id = f.rowid "
        "WHERE service_tickets_fts MATCH ? AND f.rowid > ? AND s.site_id = ?";
    std::string entries =
        "SELECT DISTINCT e.ticket_id AS id FROM service_entries_fts ef JOIN service_ticket_entries "
        "e ON e.id = ef.rowid JOIN service_tickets s ON s.id = e.ticket_id WHERE "
        "service_entries_fts MATCH ? AND e.ticket_id > ? AND s.site_id = ?";
    params = {match, page.after_id, f.site_id};
    AddTicketFilters(f, "s.", subjects, params);
    params.push_back(limit);
    params.insert(params.end(), {match, page.after_id, f.site_id});
    AddTicketFilters(f, "s.", entries, params);
    params.push_back(limit);
    params.push_back(limit);
    return sql.Many<Ticket>("search tickets",
                            kTicketColumns + std::string("WHERE t.id IN (SELECT id FROM (") +
                                subjects + " ORDER BY f.rowid LIMIT ?) UNION ALL SELECT id FROM (" +
                                entries + " ORDER BY e.ticket_id LIMIT ?)) ORDER BY t.id LIMIT ?",
                            params, MapTicket);
  }
  if (!f.query.empty()) {
    // Every index term present (GIN), then each term rechecked as a substring of the same text.
    where +=
        " AND t.id IN (SELECT s.id FROM service_tickets s WHERE s.terms @> ?::text[] AND NOT "
        "EXISTS (SELECT 1 FROM unnest(?::text[]) q(w) WHERE strpos(lower(s.subject), q.w) = 0) "
        "UNION ALL SELECT e.ticket_id FROM service_ticket_entries e WHERE e.terms @> ?::text[] "
        "AND NOT EXISTS (SELECT 1 FROM unnest(?::text[]) q(w) "
        "WHERE strpos(lower(e.body), q.w) = 0))";
    auto terms = store::SqlTextArray(store::ArrayTermsOf(f.query));
    auto phrases = store::SqlTextArray(f.query.terms);
    for (int i = 0; i < 2; ++i) {
      params.push_back(terms);
      params.push_back(phrases);
    }
  }
  AddTicketFilters(f, "t.", where, params);
  params.push_back(limit);
  return sql.Many<Ticket>(f.query.empty() ? "list tickets" : "search tickets",
                          kTicketColumns + where + " ORDER BY t.id LIMIT ?", params, MapTicket);
}

Result<store::Id> InsertEntry(store::Tx& tx, const Entry& v) {
  auto& sql = tx.unit().sql();
  store::SqlParams params{v.ticket_id,
                          std::string(EntryKindName(v.kind)),
                          v.body,
                          v.from_state,
                          v.to_state,
                          store::SqlRef(v.person_id),
                          v.author,
                          store::SqlTime(v.at),
                          store::SqlRef(v.merged_from),
                          store::SqlRef(v.copied_from),
                          Join(v.attachments, "\n")};
  constexpr const char* kInsert =
      "INSERT INTO service_ticket_entries(ticket_id, kind, body, from_state, to_state, person_id, "
      "author, written_at, merged_from, copied_from, attachments";
  if (!Searched(v.kind))
    return sql.Insert("insert ticket entry",
                      std::string(kInsert) + ") VALUES(?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
                      params);
  if (sql.dialect() == store::Dialect::kPostgres) {  // the row with its terms, in one statement
    params.push_back(store::SqlTextArray(store::ArrayTermsOf(store::TermsOf(v.body))));
    return sql.Insert(
        "insert ticket entry",
        std::string(kInsert) + ", terms) VALUES(?,?,?,?,?,?,?,?,?,?,?,?::text[]) RETURNING id",
        params);
  }
  ZHIDU_TRY(
      store::Id id,
      sql.Insert("insert ticket entry",
                 std::string(kInsert) + ") VALUES(?,?,?,?,?,?,?,?,?,?,?) RETURNING id", params));
  ZHIDU_TRY_VOID(tx.Defer(
      [id, body = v.body](store::UnitOfWork& unit) { return IndexEntry(unit.sql(), id, body); }));
  return id;
}

Result<std::vector<Entry>> Thread(store::Sql& sql, store::Id ticket_id) {
  return sql.Many<Entry>(
      "list ticket thread",
      "SELECT id, ticket_id, kind, body, from_state, to_state, person_id, author, written_at, "
      "merged_from, copied_from, attachments FROM service_ticket_entries WHERE ticket_id=? "
      "ORDER BY id",
      {ticket_id}, [](const store::SqlRow& r) {
        Entry v;
        v.id = r.Int(0);
        v.ticket_id = r.Int(1);
        v.kind = ParseEntryKind(r.Text(2)).value_or(EntryKind::kNote);
        v.body = r.Text(3);
        v.from_state = r.Text(4);
        v.to_state = r.Text(5);
        v.person_id = r.Int(6);
        v.author = r.Int(7);
        v.at = r.Time(8);
        v.merged_from = r.Int(9);
        v.copied_from = r.Int(10);
        std::string hashes = r.Text(11);  // one a line (InsertEntry)
        for (size_t at = 0; at < hashes.size();) {
          size_t end = std::min(hashes.find('\n', at), hashes.size());
          if (end > at) v.attachments.push_back(hashes.substr(at, end - at));
          at = end + 1;
        }
        return v;
      });
}

Result<std::optional<store::Id>> RouteTo(store::Sql& sql, store::Id site_id, store::Id post_id) {
  std::vector<store::Id> on_post;
  ZHIDU_TRY_VOID(
      sql.Query("route ticket",
                "SELECT a.person_id, "
                "(SELECT COUNT(*) FROM service_tickets t WHERE t.assignee = a.person_id "
                "AND t.state IN ('new','open','pending')) AS held, "
                "(SELECT COALESCE(MAX(e.id), 0) FROM service_ticket_entries e "
                "WHERE e.person_id = a.person_id AND e.kind = 'assign') AS last_assigned "
                "FROM attendance a WHERE a.site_id = ? AND a.post_id = ? AND a.ended_at = 0 "
                "ORDER BY held, last_assigned, a.person_id",
                {site_id, post_id}, [&](const store::SqlRow& r) { on_post.push_back(r.Int(0)); }));
  for (store::Id person : on_post) {  // in that order; a person without an agent account is skipped
    ZHIDU_TRY(bool agent, IsAgentAt(sql, person, site_id));
    if (agent) return std::optional<store::Id>(person);
  }
  return std::optional<store::Id>();
}

Result<bool> IsAgentAt(store::Sql& sql, store::Id person_id, store::Id site_id) {
  bool found = false;
  ZHIDU_TRY_VOID(sql.Query(
      "check agent",
      "SELECT 1 FROM people p JOIN accounts a ON a.person_id = p.id "
      "JOIN role_grants g ON g.account_id = a.id "
      "WHERE p.id = ? AND p.site_id = ? AND NOT a.disabled AND (g.scope_kind = 'global' OR "
      "(g.scope_kind = 'site' AND g.scope_id = p.site_id) OR "
      "(g.scope_kind = 'department' AND g.scope_id = p.department_id)) LIMIT 1",
      {person_id, site_id}, [&](const store::SqlRow&) { found = true; }));
  return found;
}

namespace {

constexpr const char* kSurveyColumns =
    "SELECT id, site_id, ticket_id, queue_post_id, agent, channel, state, note, due_at, timer_id, "
    "token_hash, scale, issued_at, expires_at, answered_at, score, scale_size, satisfied, reason, "
    "recorded_by, created_at FROM service_surveys ";

Survey MapSurvey(const store::SqlRow& r) {
  Survey v;
  v.id = r.Int(0);
  v.site_id = r.Int(1);
  v.ticket_id = r.Int(2);
  v.queue_post_id = r.Int(3);
  v.agent = r.Int(4);
  v.channel = ParseSurveyChannel(r.Text(5)).value_or(SurveyChannel::kLink);
  v.state = ParseSurveyState(r.Text(6)).value_or(SurveyState::kNotScheduled);
  v.note = r.Text(7);
  v.due_at = r.Time(8);
  v.timer_id = r.Int(9);
  v.token_hash = r.Text(10);
  v.scale = r.Text(11);
  v.issued_at = r.Time(12);
  v.expires_at = r.Time(13);
  v.answered_at = r.Time(14);
  v.score = static_cast<int>(r.Int(15));
  v.scale_size = static_cast<int>(r.Int(16));
  v.satisfied = r.Flag(17);
  v.reason = r.Text(18);
  v.recorded_by = r.Int(19);
  v.created_at = r.Time(20);
  return v;
}

store::SqlValue Hash(const std::string& h) {
  return h.empty() ? store::SqlValue(nullptr) : store::SqlValue(h);
}

}  // namespace

Result<store::Id> InsertSurvey(store::Sql& sql, const Survey& v) {
  return sql.Insert(
      "insert survey",
      "INSERT INTO service_surveys(site_id, ticket_id, queue_post_id, agent, channel, state, note, "
      "due_at, timer_id, token_hash, scale, issued_at, expires_at, answered_at, score, scale_size, "
      "satisfied, reason, recorded_by, created_at) "
      "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
      {v.site_id,
       v.ticket_id,
       v.queue_post_id,
       store::SqlRef(v.agent),
       std::string(SurveyChannelName(v.channel)),
       std::string(SurveyStateName(v.state)),
       v.note,
       store::SqlTime(v.due_at),
       store::SqlRef(v.timer_id),
       Hash(v.token_hash),
       v.scale,
       store::SqlTime(v.issued_at),
       store::SqlTime(v.expires_at),
       store::SqlTime(v.answered_at),
       std::int64_t{v.score},
       std::int64_t{v.scale_size},
       std::int64_t{v.satisfied ? 1 : 0},
       v.reason,
       store::SqlRef(v.recorded_by),
       store::SqlTime(v.created_at)});
}

Result<Survey> GetSurvey(store::Sql& sql, store::Id id) {
  return sql.One<Survey>("get survey", std::string(kSurveyColumns) + "WHERE id=?", {id}, MapSurvey,
                         "survey " + std::to_string(id) + " does not exist");
}

Result<Survey> SurveyByTokenHash(store::Sql& sql, const std::string& hash) {
  return sql.One<Survey>("find survey by link", std::string(kSurveyColumns) + "WHERE token_hash=?",
                         {hash}, MapSurvey, "no such survey link");
}

Result<void> UpdateSurvey(store::Sql& sql, const Survey& v, SurveyState from) {
  ZHIDU_TRY(
      auto changed,
      sql.Exec("update survey",
               "UPDATE service_surveys SET state=?, note=?, due_at=?, timer_id=?, "
               "token_hash=?, scale=?, issued_at=?, expires_at=?, answered_at=?, score=?, "
               "scale_size=?, satisfied=?, reason=? WHERE id=? AND state=?",
               {std::string(SurveyStateName(v.state)), v.note, store::SqlTime(v.due_at),
                store::SqlRef(v.timer_id), Hash(v.token_hash), v.scale, store::SqlTime(v.issued_at),
                store::SqlTime(v.expires_at), store::SqlTime(v.answered_at), std::int64_t{v.score},
                std::int64_t{v.scale_size}, std::int64_t{v.satisfied ? 1 : 0}, v.reason, v.id,
                std::string(SurveyStateName(from))}));
  if (changed == 1) return Ok();
  return Fail(Errc::kFailedPrecondition, "survey " + std::to_string(v.id) + " is no longer " +
                                             std::string(SurveyStateName(from)));
}

Result<std::vector<Survey>> SurveysOf(store::Sql& sql, store::Id ticket_id) {
  return sql.Many<Survey>("list ticket surveys",
                          std::string(kSurveyColumns) + "WHERE ticket_id=? ORDER BY id",
                          {ticket_id}, MapSurvey);
}

Result<std::vector<SatisfactionRow>> Satisfaction(store::Sql& sql, store::Id site_id, bool by_queue,
                                                  TimePoint from, TimePoint to) {
  std::string key = by_queue ? "s.queue_post_id" : "s.agent";
  std::string names = by_queue ? "LEFT JOIN posts n ON n.id = s.queue_post_id "
                               : "LEFT JOIN people n ON n.id = s.agent ";
  std::string where = "WHERE s.site_id = ? AND s.state = 'answered' AND s.channel = 'link' AND " +
                      key + " IS NOT NULL";
  store::SqlParams params{site_id};
  if (from != TimePoint{}) {
    where += " AND s.answered_at >= ?";
    params.push_back(store::SqlTime(from));
  }
  if (to != TimePoint{}) {
    where += " AND s.answered_at < ?";
    params.push_back(store::SqlTime(to));
  }
  // Low and satisfied as LowScore / SatisfiedScore say: 2*score against scale_size + 1.
  return sql.Many<SatisfactionRow>(
      "satisfaction per " + std::string(by_queue ? "queue" : "agent"),
      "SELECT " + key +
          ", MAX(n.name), COUNT(*), SUM(s.satisfied), "
          "SUM(CASE WHEN 2 * s.score < s.scale_size + 1 THEN 1 ELSE 0 END), SUM(s.score) "
          "FROM service_surveys s " +
          names + where + " GROUP BY " + key + " ORDER BY " + key,
      params, [](const store::SqlRow& r) {
        SatisfactionRow v;
        v.id = r.Int(0);
        v.name = r.Text(1);
        v.answered = static_cast<int>(r.Int(2));
        v.satisfied = static_cast<int>(r.Int(3));
        v.low = static_cast<int>(r.Int(4));
        v.average_score = v.answered ? static_cast<double>(r.Int(5)) / v.answered : 0;
        return v;
      });
}

}  // namespace db
}  // namespace zhidu::service
