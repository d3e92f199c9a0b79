// Customer service (客户服务): the customer archive (客户档案, R10 §部门职能, R14 §1.2.9), the
// caller/visitor register (来访/来电登记, R06 §四(一)1) and tickets (工单) on the pack's queues and
// service levels (R19 §二4), R14 §1.2.5, R06 §四(三)5).
//
// The pack's part (nothing here names a cn-default role, post or category):
//  - a queue is a post of the site whose name is a post of the pack (cn-default: 订单组/投诉组/
//    客服组); its supervisors are the holders of the roles its roles report to (reports_to, any
//    depth) — they reassign a ticket someone else holds;
//  - the customer-data right (R19 §二5)/6)) is held by the approvers of the pack's request whose
//    id ends in `customer-data-access` (cn-default: r19-customer-data-access → 客服主管), or by a
//    role with the catalogue permission `service.customer_data` (admin);
//  - tickets raise site events on the event bus in their own transaction: `ticket_opened`,
//    `complaint_received` (a complaint), `ticket_first_reply`, `ticket_resolved`,
//    `ticket_reopened`, `ticket_pending` / `ticket_unpending` (into / out of pending); the
//    pack's procedures and service levels start, stop, pause and resume on them.
//
// Invariants:
//  1. A phone belongs to one customer of a site (a unique key): a second customer with it is
//     refused with the first one's id, and nothing is written.
//  2. Phones and ID numbers leave this module masked (138****5678) unless the caller holds the
//     customer-data right and asks for the full view; every full view is journaled
//     (service.customer.viewed / service.contact.viewed) in its own transaction before the data
//     is returned: no journal, no data.
//  3. A ticket moves only along kTransitions (new → open → pending → resolved → closed, reopen);
//     its thread (notes, replies, state changes, assignments) is append-only.
//  4. Every change is journaled in the transaction that makes it, with the events it raises:
//     all of it commits, or none.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/canonical_json.hpp"
#include "base/clock.hpp"
#include "base/result.hpp"
#include "base/time.hpp"
#include "kernel/org/principal.hpp"
#include "kernel/policy/active_pack.hpp"
#include "kernel/policy/parameters.hpp"
#include "kernel/runtime/bus.hpp"
#include "kernel/runtime/events.hpp"
#include "kernel/runtime/requests.hpp"
#include "kernel/scheduler/scheduler.hpp"
#include "modules/service/orders.hpp"
#include "store/sql.hpp"
#include "store/store.hpp"
#include "store/text_search.hpp"
#include "store/writer.hpp"

namespace zhidu::api {
class IndicatorSources;
}

namespace zhidu::service {

// The site events tickets raise (the pack's service levels and procedures name them).
inline constexpr std::string_view kTicketOpened = "ticket_opened";
inline constexpr std::string_view kComplaintReceived = "complaint_received";
inline constexpr std::string_view kTicketFirstReply = "ticket_first_reply";
inline constexpr std::string_view kTicketResolved = "ticket_resolved";
inline constexpr std::string_view kTicketReopened = "ticket_reopened";
// A ticket starts / stops waiting on the customer (moved into / out of a state that PausesSla):
// the pack's service levels pause and resume on them (`pause:` / `resume:`).
inline constexpr std::string_view kTicketPending = "ticket_pending";
inline constexpr std::string_view kTicketUnpending = "ticket_unpending";
// Next response (issue 18 §3): every public reply raises kTicketReplied; a customer's message
// after the last reply (once the first reply is given) raises kTicketCustomerMessage — the pack's
// next-response service level starts on the one and stops on the other.
inline constexpr std::string_view kTicketReplied = "ticket_replied";
inline constexpr std::string_view kTicketCustomerMessage = "ticket_customer_message";
// A ticket's priority changed (SetPriority): the pack's service levels re-match their targets on
// it (`retarget:`), the time already run counting against the new one.
inline constexpr std::string_view kTicketPriorityChanged = "ticket_priority_changed";
// A duplicate ticket merged into another (Merge, merge.cpp): raised on the merged one, whose SLA
// deadlines the pack's service levels stop on it (`stop:`) — the target's clocks carry the work.
inline constexpr std::string_view kTicketMerged = "ticket_merged";
// The data every ticket event carries, which the pack's SLA targets match on (`targets: when:`):
// the ticket's priority (PriorityName) and its customer's grade ("" without either).
inline constexpr std::string_view kPriorityData = "ticket.priority";
inline constexpr std::string_view kGradeData = "customer.grade";
// The customer's satisfaction recorded on a ticket (a survey answered, or an agent's record after a
// return visit), with data {customer.satisfied, score}: the pack's 客户反馈表 closes on it only
// when satisfied (R06 §四(一)7 跟进处理结果直至客户满意). Raised only by this module.
inline constexpr std::string_view kSatisfactionRecorded = "satisfaction_recorded";
inline constexpr std::string_view kSatisfiedInput = "customer.satisfied";
// Surveys (issue 18 §7). The timer that makes a survey due, and the site parameters (declared by
// this module, none with a default): the delay after resolution, how long a link stays valid, the
// scale's labels lowest first.
inline constexpr std::string_view kSurveyTimer = "service.survey";
inline constexpr std::string_view kSurveyAfterParam = "service_survey_after";
inline constexpr std::string_view kSurveyValidParam = "service_survey_valid_for";
inline constexpr std::string_view kSurveyScaleParam = "service_survey_scale";
// How a new ticket finds its agent: unset or "on_post" routes it to an agent on the queue's post
// now (RouteTo); "manual" leaves it for someone to take.
inline constexpr std::string_view kRoutingParam = "service_routing";
// The pack's duty whose clauses surveys cite (cn-default's r06-satisfaction-survey, R06 §四(一)10).
inline constexpr std::string_view kSatisfactionSurvey = "satisfaction-survey";
// Our scale, not the regulations' (R06 says 定期做客户满意度调查 and gives none): five labels,
// scores 1 to 5. A site replaces it with service_survey_scale (2 to 10 labels).
inline constexpr std::string_view kDefaultSurveyScale = "非常不满意,不满意,一般,满意,非常满意";
inline constexpr size_t kMinScale = 2, kMaxScale = 10;
inline constexpr size_t kSurveyTokenHex = 48;  // 24 random bytes, as the calendar links
// The SHA-256 (hex) a secret link's token (a survey's, a web form's) is stored as; nullopt for a
// token no link can have (not kSurveyTokenHex lower-case hex digits), unknown without a query.
std::optional<std::string> LinkTokenHash(const std::string& token);
// The catalogue permission that also grants the customer-data right (admin's "*").
// The pack records the module writes (policy::RuleNamed): the customer archive (cn-default's
// r10-customer-archive) and the calls and visits received (r06-visitor-record).
inline constexpr std::string_view kCustomerArchive = "customer-archive";
inline constexpr std::string_view kVisitorRecord = "visitor-record";
// An order's remarks (备注), carried on its shipping notice so the warehouse ships what was asked
// (cn-default: r14-order-remark, R14 §1.2.11 做好备注工作…避免发错货).
inline constexpr std::string_view kOrderRemarkRecord = "order-remark";
inline constexpr std::string_view kCustomerDataPermission = "service.customer_data";
// The catalogue permission that also makes a supervisor of every queue (admin's "*").
inline constexpr std::string_view kSupervisePermission = "service.supervise";

// Quality reviews (质检评分, R11 §3.1 服务态度 as cn-default's r11-performance scores it): the
// scale "MIN,MAX" is a site parameter with no default (the regulations give none).
inline constexpr std::string_view kReviewScaleParam = "service_quality_review_scale";
// The assessment indicator sources this module contributes (api/indicator_sources.hpp; kpi.cpp):
// per agent and month, answered survey links (satisfied rate in percent), tickets resolved, the
// mean quality review and the daily statistics' 接待量 (tickets received).
inline constexpr std::string_view kSourceSurveys = "surveys";
inline constexpr std::string_view kSourceTickets = "tickets";
inline constexpr std::string_view kSourceQualityReview = "quality_review";
inline constexpr std::string_view kSourceDailyStats = "daily_stats";
// The pack's record whose clauses the daily statistics cite (cn-default's r14-daily-stats).
inline constexpr std::string_view kDailyStatsRecord = "daily-stats";

// Field limits (bytes of UTF-8).
inline constexpr size_t kMaxText = 500;   // names, needs, subjects, notes of records
inline constexpr size_t kMaxBody = 4000;  // a thread entry
inline constexpr size_t kMaxPhones = 5;
// Images attached to one thread entry: a field limit of ours (the regulations give none).
inline constexpr size_t kMaxAttachments = 10;

enum class CustomerKind { kCompany, kPerson };
enum class Channel { kCall, kVisit };
enum class Priority { kLow, kNormal, kHigh, kUrgent };
enum class TicketState { kNew, kOpen, kPending, kResolved, kClosed };
// The thread: the customer's message as recorded (customer), a public reply, an internal note, a
// state change, an assignment.
enum class EntryKind { kCustomer, kReply, kNote, kState, kAssign };
// A survey's life: resolved → scheduled (the site's delay) → due (its timer fired) → sent (a link
// issued; issuing again replaces the link) → answered; not_scheduled when the site has not set the
// delay (the note says so); cancelled when the ticket reopens before an answer. A satisfaction an
// agent records after a return visit is a survey of channel return_visit, answered at once.
enum class SurveyState { kNotScheduled, kScheduled, kDue, kSent, kAnswered, kCancelled };
enum class SurveyChannel { kLink, kReturnVisit };

// The enumerator of `names` (in enumerator order) called `name`; kInvalidArgument (reason invalid)
// naming `field` and listing the names otherwise.
template <class E, size_t N>
Result<E> ParseEnum(const std::string_view (&names)[N], std::string_view name, const char* field) {
  for (size_t i = 0; i < N; ++i)
    if (names[i] == name) return static_cast<E>(i);
  std::string all;
  for (size_t i = 0; i < N; ++i) all += (i ? ", " : "") + std::string(names[i]);
  return Fail(Errc::kInvalidArgument, kInvalid,
              std::string(field) + " must be one of " + all + ", not \"" + std::string(name) + "\"",
              field);
}
// "YYYY-MM-DD" (from 1970) as a civil day; kInvalidArgument (reason invalid) naming `field`.
Result<std::chrono::year_month_day> ParseDay(const std::string& day, const char* field);

std::string_view KindName(CustomerKind v);
std::string_view ChannelName(Channel v);
std::string_view PriorityName(Priority v);
std::string_view StateName(TicketState v);
std::string_view EntryKindName(EntryKind v);
std::string_view SurveyStateName(SurveyState v);
std::string_view SurveyChannelName(SurveyChannel v);
// kInvalidArgument naming `field` for an unknown name.
Result<CustomerKind> ParseKind(std::string_view name, const char* field = "kind");
Result<Channel> ParseChannel(std::string_view name, const char* field = "channel");
Result<Priority> ParsePriority(std::string_view name, const char* field = "priority");
Result<TicketState> ParseState(std::string_view name, const char* field = "state");
Result<EntryKind> ParseEntryKind(std::string_view name);
Result<SurveyState> ParseSurveyState(std::string_view name);
Result<SurveyChannel> ParseSurveyChannel(std::string_view name);

// The labels of a survey scale from the site's service_survey_scale (nullopt: ours, 1 to 5);
// kFailedPrecondition naming the parameter unless it lists kMinScale to kMaxScale labels.
Result<std::vector<std::string>> SurveyScale(const std::optional<std::string>& param);
// On a scale of n (scores 1..n): below the middle is low (reasons asked), above it satisfied; the
// middle of an odd scale is neither. 1–5: 1-2 low, 3 neither, 4-5 satisfied.
inline bool LowScore(int score, int n) { return 2 * score < n + 1; }
inline bool SatisfiedScore(int score, int n) { return 2 * score > n + 1; }

// True when a ticket may move from `from` to `to` (invariant 3).
bool MayMove(TicketState from, TicketState to);
// The states a ticket in `from` may move to, in order.
std::vector<TicketState> NextStates(TicketState from);
// Pending waits on the customer: entering it raises kTicketPending, leaving it kTicketUnpending,
// on which the pack's service levels pause and resume their deadlines (README, "The pack's part").
inline bool PausesSla(TicketState s) { return s == TicketState::kPending; }

// "13812345678" -> "138****5678": the first three and the last four kept; shorter values keep
// their last two (or nothing under five characters).
std::string Mask(std::string_view value);
// Digits with an optional leading +, spaces and dashes dropped; kInvalidArgument naming `field`
// unless 5 to 20 digits remain.
Result<std::string> NormalisePhone(std::string_view phone, const char* field);

struct Customer {
  store::Id id = 0;
  store::Id site_id = 0;
  CustomerKind kind = CustomerKind::kPerson;
  std::string name;
  std::vector<std::string> phones;  // normalised, the first is the main one
  std::string id_number;            // 身份证号/统一社会信用代码, optional
  std::string grade;  // R14 §1.2.9 客户分等级: free text (the pack declares no grading rules)
  std::string notes;
  store::Id created_by = 0;
  TimePoint created_at;
  TimePoint updated_at;
};

struct Contact {  // 来访/来电登记 (R06 §四(一)1)
  store::Id id = 0;
  store::Id site_id = 0;
  store::Id customer_id = 0;  // 0: not (yet) a known customer
  std::string name, company, phone, need;
  Channel channel = Channel::kCall;
  TimePoint at;
  store::Id agent = 0;  // the account that took it
};

struct Ticket {
  store::Id id = 0;
  store::Id site_id = 0;
  store::Id queue_post_id = 0;
  std::string queue;  // the post's name (a pack post)
  store::Id customer_id = 0;
  store::Id contact_id = 0;
  std::string subject;
  std::string category;  // free text: the pack declares no ticket categories
  Priority priority = Priority::kNormal;
  bool complaint = false;
  TicketState state = TicketState::kNew;
  store::Id assignee = 0;  // a person of the site holding a role there; 0: unassigned
  store::Id created_by = 0;
  TimePoint created_at, updated_at, first_reply_at, resolved_at, closed_at;
  store::Id merged_into = 0;  // merged (and closed) into that ticket; 0: not merged
};

struct Entry {  // one line of a ticket's thread (append-only)
  store::Id id = 0;
  store::Id ticket_id = 0;
  EntryKind kind = EntryKind::kNote;
  std::string body;
  std::string from_state, to_state;  // kState
  store::Id person_id = 0;           // kAssign: the new assignee
  store::Id author = 0;              // account
  TimePoint at;
  // On a merge's target: the ticket merged into this one. With copied_from, a copy of that
  // ticket's entry copied_from (its author and time kept); without, the merge's own entry.
  store::Id merged_from = 0;
  store::Id copied_from = 0;
  // 附件: SHA-256 of images in the kernel's photo store (kernel/photos), uploaded first.
  std::vector<std::string> attachments;
};

struct Survey {
  store::Id id = 0;
  store::Id site_id = 0;
  store::Id ticket_id = 0;
  store::Id queue_post_id = 0;  // credited queue
  store::Id agent = 0;          // credited person: the ticket's assignee when it was resolved
  SurveyChannel channel = SurveyChannel::kLink;
  SurveyState state = SurveyState::kNotScheduled;
  std::string note;  // why not scheduled / cancelled
  TimePoint due_at, issued_at, expires_at, answered_at, created_at;
  store::Id timer_id = 0;
  std::string token_hash;  // hex SHA-256 of the link's token; never leaves the module
  std::string scale;       // the labels the link shows, comma-separated
  int score = 0;           // 1..scale size (0: not answered, or an agent's record without one)
  int scale_size = 0;
  bool satisfied = false;
  std::string reason;         // the customer's reasons (asked on a low score), or the agent's note
  store::Id recorded_by = 0;  // the account recording a return visit; 0: the customer
};

// What the public survey page shows for a live link.
struct SurveyPage {
  Survey survey;
  std::string subject;  // the ticket's subject
  std::string site;     // the site's name
  std::vector<std::string> scale;
};

// Satisfaction credited to one agent or one queue (answered link surveys).
struct SatisfactionRow {
  store::Id id = 0;  // person or post
  std::string name;
  int answered = 0;
  int satisfied = 0;
  int low = 0;
  double average_score = 0;  // of the scores on their own scales
};

// A supervisor's quality review of the agent a ticket is assigned to (one per ticket and agent).
struct QualityReview {
  store::Id id = 0;
  store::Id site_id = 0;
  store::Id ticket_id = 0;
  store::Id agent = 0;  // the person reviewed: the ticket's assignee when reviewed
  double score = 0;
  double scale_min = 0, scale_max = 0;  // the site's scale when reviewed
  std::string comment;
  store::Id reviewer = 0;  // account
  TimePoint reviewed_at;
};

// R14's daily statistics of one agent and day, computed from the tickets (never typed in).
struct DailyStatsRow {
  store::Id person_id = 0;
  std::string name;
  std::vector<store::Id> received;  // tickets assigned to the agent that day (接待量)
  std::vector<store::Id> resolved;  // tickets resolved that day while the agent held them
  std::vector<store::Id> orders;    // orders the agent took that day (成交订单数)
  std::vector<store::Id> reopened;  // tickets the agent holds reopened that day (once per reopen)
};
struct DailyStats {
  store::Id site_id = 0;
  std::string day;     // "YYYY-MM-DD" in the site's zone
  TimePoint from, to;  // the day's bounds
  std::vector<std::string> clauses;
  std::vector<DailyStatsRow> rows;  // by person id
};
// The daily statistics' rows for [from, to) in `unit` (kpi.cpp), by person id; the reports
// (reports.cpp) call it once per day of their range, in their one read.
Result<std::vector<DailyStatsRow>> DailyStatsRows(store::UnitOfWork& unit, store::Id site_id,
                                                  TimePoint from, TimePoint to);

struct NewCustomer {
  store::Id site_id = 0;
  CustomerKind kind = CustomerKind::kPerson;
  std::string name;
  std::vector<std::string> phones;
  std::string id_number, grade, notes;
};

// 在线提交 (issue 18 §2, web_forms.cpp): a public form by a secret link (the survey link's pattern:
// 24 random bytes, only the SHA-256 kept, the link shown once) through which a customer opens a
// ticket in the form's queue with no sign-in. Created and revoked by a supervisor of the queue (the
// canned replies' rule). Module migration 12.
struct WebForm {
  store::Id id = 0;
  store::Id site_id = 0;
  store::Id queue_post_id = 0;
  std::string queue;     // the post's name
  std::string title;     // shown to the customer, kMaxText bytes
  std::string category;  // the tickets' category ("": the customer's own, free text)
  store::Id created_by = 0;
  TimePoint created_at, revoked_at;
  store::Id revoked_by = 0;
  int submissions = 0;  // tickets opened through it
};
// A customer's submission: the web channel's contact (name, company, phone as given, the customer
// of the archive holding the phone) and the ticket it opened.
struct WebSubmission {
  store::Id id = 0;
  store::Id form_id = 0;
  store::Id ticket_id = 0;
  store::Id customer_id = 0;  // 0: the phone is not in the archive
  std::string name, company, phone, subject, body, category;
  TimePoint at;
};
// What the public page shows of a live form.
struct WebFormPage {
  std::string site, title;
  std::vector<std::string> categories;  // the form's category, if it has one
};
// Submissions per form and trailing hour, unless the server says otherwise (zhidu serve
// --web-form-per-hour): our figure against abuse, not a regulation's.
inline constexpr int kWebFormPerHour = 30;

// The most tickets one POST /service/tickets:batch opens (a limit of ours: a batch is one
// transaction, so it bounds how long the writer holds it).
inline constexpr size_t kMaxTicketBatch = 100;

struct NewTicket {
  store::Id site_id = 0;
  store::Id queue_post_id = 0;
  store::Id customer_id = 0;
  store::Id contact_id = 0;
  std::string subject, category, body;   // body: the first public message, optional
  std::vector<std::string> attachments;  // on that message (Entry::attachments)
  Priority priority = Priority::kNormal;
  bool complaint = false;
  store::Id web_form_id = 0;  // opened by the customer through a public web form (journaled)
};

struct TicketFilter {
  store::Id site_id = 0;
  store::Id queue_post_id = 0;
  std::optional<TicketState> state;
  store::Id assignee = 0;
  store::Id customer_id = 0;
  store::TextQuery query;  // empty: any; else the subject or one thread entry matches
                           // (store/text_search.hpp, README "Ticket search")
};

// What a caller sees of a ticket: the row, its thread and its deadlines.
// Which of a ticket's SLA clocks a service level is, from the events it runs on (never its id):
// started on kTicketCustomerMessage: next_response; stopped on kTicketFirstReply: first_response;
// stopped on kTicketResolved: resolution; else other.
enum class SlaClock { kFirstResponse, kNextResponse, kResolution, kOther };
std::string_view SlaClockName(SlaClock v);
SlaClock ClockOf(const policy::ServiceLevel& sl);

struct TicketView {
  Ticket ticket;
  std::vector<Entry> thread;
  std::vector<store::Deadline> deadlines;  // the pack's service levels started on it (ref)
  // Parallel to deadlines: the clock each is and its level's title in the pack.
  std::vector<std::pair<SlaClock, std::string>> clocks;
  std::vector<Survey> surveys;                       // oldest first; the last is the current one
  std::vector<store::ProcedureInstance> procedures;  // the pack's procedures on it (ref)
  std::vector<QualityReview> reviews;                // quality reviews, oldest first
  std::optional<WebSubmission> web;                  // opened by a public web form
  // The caller supervises the queue and someone else holds it, not yet reviewed for them.
  bool viewer_may_review = false;
};

// Attachments (attachments.cpp): `in` without repeats, at most kMaxAttachments SHA-256 in hex,
// else 400 naming the field attachments; in a transaction, every one stored in the photo store,
// else 400 photo.not_uploaded (upload first: POST /api/v1/photos).
Result<std::vector<std::string>> ValidAttachments(const std::vector<std::string>& in);
// `e` about ticket `i` of a batch: field "tickets[3].subject", message "tickets[3]: …".
Error OfTicketBatchItem(Error e, size_t i);
Result<void> AttachmentsStored(store::UnitOfWork& unit, const std::vector<std::string>& hashes);

// The ticket `id` as `who` may see it (a role at its site): else 404 service.unknown_ticket, the
// same answer for a ticket of another site as for none.
Result<Ticket> TicketFor(store::Sql& sql, const org::Principal& who, store::Id id);

// The module's tables (service_store.cpp), written once for both backends.
std::vector<store::Migration> Migrations();
// 常用回复 (issue 18 §2): a template an agent fills a reply with, for the whole site
// (queue_post_id 0) or one queue. Written by a supervisor of its queue (of any queue of the site
// for a site-wide one), read by anyone working at the site. Module migration 8.
struct CannedReply {
  store::Id id = 0;
  store::Id site_id = 0;
  store::Id queue_post_id = 0;  // 0: every queue of the site
  std::string queue;            // the post's name ("" site-wide)
  std::string title;            // unique per site and queue, kMaxCannedTitle bytes
  std::string body;             // kMaxBody bytes
  store::Id updated_by = 0;
  TimePoint updated_at;
};
inline constexpr size_t kMaxCannedTitle = 100;

namespace db {
// The submission that opened ticket `ticket_id` through a web form (web_forms.cpp), if any.
Result<std::optional<WebSubmission>> WebSubmissionOf(store::Sql& sql, store::Id ticket_id);
Result<store::Id> InsertCustomer(store::Sql& sql, const Customer& v);
// kConflict naming the phone when another customer of the site has it.
Result<void> AddPhone(store::Sql& sql, store::Id site_id, store::Id customer_id,
                      const std::string& phone, int rank);
// The customer of the site holding `phone`, or 0.
Result<store::Id> CustomerByPhone(store::Sql& sql, store::Id site_id, const std::string& phone);
Result<Customer> GetCustomer(store::Sql& sql, store::Id id);
Result<void> UpdateCustomer(store::Sql& sql, const Customer& v);
// By site; `query` (may be empty) matches a name substring or a phone's digits.
Result<std::vector<Customer>> ListCustomers(store::Sql& sql, store::Id site_id,
                                            const std::string& query, store::PageRequest page);
Result<store::Id> InsertContact(store::Sql& sql, const Contact& v);
Result<Contact> GetContact(store::Sql& sql, store::Id id);
Result<std::vector<Contact>> ListContacts(store::Sql& sql, store::Id site_id, store::Id customer_id,
                                          store::PageRequest page);
// Inserts the row and indexes its subject for search (bench/gen_store.cpp: outside the writer).
Result<store::Id> InsertTicket(store::Sql& sql, const Ticket& v);
Result<store::Id> InsertTicketRow(store::Sql& sql, const Ticket& v);  // the row only
Result<void> IndexTicket(store::Sql& sql, store::Id id, std::string_view subject);
// Up to `limit` tickets after `after` whose subject the search index lacks (opened before
// migration 7).
Result<std::vector<std::pair<store::Id, std::string>>> UnindexedTickets(store::Sql& sql,
                                                                        store::Id after, int limit);
Result<Ticket> GetTicket(store::Sql& sql, store::Id id);
// Writes the mutable fields (merged_into too) when the ticket is still in `from` (compare-and-set);
// kFailedPrecondition otherwise.
Result<void> UpdateTicket(store::Sql& sql, const Ticket& v, TicketState from);
Result<std::vector<Ticket>> ListTickets(store::Sql& sql, const TicketFilter& f,
                                        store::PageRequest page);
// Inserts the entry and, for a customer message, reply or note, indexes its body for the ticket
// search (the index row is keyed by the entry, so it follows the entry to whichever ticket it
// belongs to). SQLite: the index row is written at the end of the transaction (store::Tx::Defer).
Result<store::Id> InsertEntry(store::Tx& tx, const Entry& v);
// Up to `limit` searchable entries (customer, reply, note) after `after` that the search index
// lacks (written before migration 13): (entry id, body).
Result<std::vector<std::pair<store::Id, std::string>>> UnindexedEntries(store::Sql& sql,
                                                                        store::Id after, int limit);
Result<void> IndexEntry(store::Sql& sql, store::Id id, std::string_view body);
// Moves every thread entry of ticket `from` to ticket `to` (a merge): the search then finds `to`
// by their text and `from` no longer does. One UPDATE: the index is keyed by entry, not ticket.
// Returns the number of entries moved.
Result<std::int64_t> MoveThreadEntries(store::Sql& sql, store::Id from, store::Id to);
Result<std::vector<Entry>> Thread(store::Sql& sql, store::Id ticket_id);
// True when `person_id` is a person of `site_id` with an account holding a role there.
Result<bool> IsAgentAt(store::Sql& sql, store::Id person_id, store::Id site_id);
// The agent a new ticket of the queue `post_id` goes to: of the people on that post now (an open
// stint of attendance) who are agents of the site, the one holding the fewest tickets not yet
// resolved, then the one assigned a ticket longest ago (never first), then the lowest id.
// nullopt when nobody is on the post.
Result<std::optional<store::Id>> RouteTo(store::Sql& sql, store::Id site_id, store::Id post_id);
Result<store::Id> InsertSurvey(store::Sql& sql, const Survey& v);
Result<Survey> GetSurvey(store::Sql& sql, store::Id id);
// kNotFound when no survey has that token hash.
Result<Survey> SurveyByTokenHash(store::Sql& sql, const std::string& hash);
// Writes the mutable fields when the survey is still in `from` (compare-and-set);
// kFailedPrecondition otherwise.
Result<void> UpdateSurvey(store::Sql& sql, const Survey& v, SurveyState from);
Result<std::vector<Survey>> SurveysOf(store::Sql& sql, store::Id ticket_id);
// Answered link surveys of the site credited per agent (by_queue false) or per queue, answered in
// [from, to) (epoch: unbounded).
Result<std::vector<SatisfactionRow>> Satisfaction(store::Sql& sql, store::Id site_id, bool by_queue,
                                                  TimePoint from, TimePoint to);
// Quality reviews (kpi.cpp). kConflict when the ticket's agent has one already.
Result<store::Id> InsertReview(store::Sql& sql, const QualityReview& v);
Result<std::vector<QualityReview>> ReviewsOf(store::Sql& sql, store::Id ticket_id);
// The reviews of `agent` at the site written in [from, to), oldest first.
Result<std::vector<QualityReview>> ReviewsOfAgent(store::Sql& sql, store::Id site_id,
                                                  store::Id agent, TimePoint from, TimePoint to);
// (person, ticket) pairs, by person then ticket, for one agent (person 0: every agent):
// tickets assigned to them in [from, to) (an assignment in the thread, routed or taken) /
// tickets whose resolution (resolved_at, still resolved or closed) falls in [from, to) while
// assigned to them.
Result<std::vector<std::pair<store::Id, store::Id>>> Received(store::Sql& sql, store::Id site_id,
                                                              store::Id person_id, TimePoint from,
                                                              TimePoint to);
Result<std::vector<std::pair<store::Id, store::Id>>> Resolved(store::Sql& sql, store::Id site_id,
                                                              store::Id person_id, TimePoint from,
                                                              TimePoint to);
// (assignee, ticket) per reopening (resolved or closed → open) in [from, to) of a ticket held now.
Result<std::vector<std::pair<store::Id, store::Id>>> Reopened(store::Sql& sql, store::Id site_id,
                                                              store::Id person_id, TimePoint from,
                                                              TimePoint to);
// Answered link surveys credited to `agent`, answered in [from, to): (survey id, satisfied).
Result<std::vector<std::pair<store::Id, bool>>> AnsweredOf(store::Sql& sql, store::Id site_id,
                                                           store::Id agent, TimePoint from,
                                                           TimePoint to);
// Orders (orders.cpp). kConflict when the site has the number already.
Result<store::Id> InsertOrder(store::Sql& sql, const Order& v);
Result<Order> GetOrder(store::Sql& sql, store::Id id);
// The order whose review is the request `request_id`; kNotFound without one.
Result<Order> OrderOfReview(store::Sql& sql, store::Id request_id);
// Writes the mutable fields when the order is still in `from` (compare-and-set);
// kFailedPrecondition otherwise.
Result<void> UpdateOrder(store::Sql& sql, const Order& v, OrderState from);
// By site, newest first (after_id pages backwards), without their items.
Result<std::vector<Order>> ListOrders(store::Sql& sql, const OrderFilter& f,
                                      store::PageRequest page);
Result<store::Id> InsertReturn(store::Sql& sql, const OrderReturn& v);
Result<std::vector<OrderReturn>> ReturnsOf(store::Sql& sql, store::Id order_id);
// (agent, order) pairs of the site (agent 0: every agent) for orders taken in [from, to).
Result<std::vector<std::pair<store::Id, store::Id>>> OrdersTaken(store::Sql& sql, store::Id site_id,
                                                                 store::Id agent, TimePoint from,
                                                                 TimePoint to);
// Orders of `agent` at the site shipped in [from, to), by id.
Result<std::vector<store::Id>> OrdersShipped(store::Sql& sql, store::Id site_id, store::Id agent,
                                             TimePoint from, TimePoint to);
}  // namespace db

// The assessment indicator sources this module contributes (kpi.cpp): their names (for
// api::Module::AssessmentSources) and their registration (in the module's Start). Each counts or
// averages this module's records of one agent and period; `pack` gives the clauses they cite.
std::vector<std::string> IndicatorSourceNames();
Result<void> AddIndicatorSources(api::IndicatorSources& sources, const policy::ActivePack& pack);
// The pack's service levels with a `cutoff` started by kOrderReceived (cn-default:
// r06-ship-cutoff).
std::vector<std::string> CutoffLevels(const policy::Pack& pack);
// The on-time rate in percent of `agent`'s orders shipped in [from, to) (the shipments source,
// orders.cpp): on time is the pack's cut-off deadline (a `cutoff` service level started by
// kOrderReceived) met. `*counted` gets the orders with such a deadline, `*on_time` how many were
// met; nullopt when none.
Result<std::optional<double>> OnTimeRate(store::UnitOfWork& unit, const policy::Pack& pack,
                                         store::Id site_id, store::Id agent, TimePoint from,
                                         TimePoint to, std::vector<store::Id>* counted,
                                         int* on_time);

class Service {
 public:
  // `clock` must be the writer's (a link's expiry is read against it); `scheduler` (null in tests
  // that run the scheduler by hand) is woken for the survey timers.
  Service(store::Store& store, store::Writer& writer, const policy::ActivePack& pack,
          const org::RoleCatalogue& roles, const runtime::EventBus& bus, const Clock& clock,
          scheduler::Scheduler* scheduler = nullptr)
      : store_(store),
        writer_(writer),
        pack_(pack),
        roles_(roles),
        bus_(bus),
        clock_(clock),
        scheduler_(scheduler) {}

  // Registers the survey timer's handler (before the scheduler starts).
  void RegisterHandlers(scheduler::Scheduler& scheduler);
  // The site parameters surveys read (api::Module::Parameters), citing the pack's survey duty.
  static std::vector<policy::ParamDecl> Parameters(const policy::Pack& pack);

  // ---- customers (R10, R14 §1.2.9, R19 §二5))
  // `*existing` gets the id of the customer already holding a phone (kConflict).
  Result<Customer> CreateCustomer(const org::Principal& who, const NewCustomer& in,
                                  store::Id* existing);
  Result<Customer> UpdateCustomer(const org::Principal& who, store::Id id, const NewCustomer& in,
                                  store::Id* existing);
  // `full`: unmasked, needs the customer-data right, journaled (invariant 2).
  Result<Customer> GetCustomer(const org::Principal& who, store::Id id, bool full);
  Result<std::vector<Customer>> ListCustomers(const org::Principal& who, store::Id site_id,
                                              const std::string& query, store::PageRequest page);
  // True when `who` holds the customer-data right at `site_id`.
  bool HasCustomerDataRight(const org::Principal& who, store::Id site_id) const;
  // The clauses the customer archive and its privacy cite.
  std::vector<std::string> PrivacyClauses() const;

  // ---- contacts (R06 §四(一)1)
  Result<Contact> RecordContact(const org::Principal& who, Contact in);
  // `full`: unmasked phones, as for customers (invariant 2).
  Result<std::vector<Contact>> ListContacts(const org::Principal& who, store::Id site_id,
                                            store::Id customer_id, bool full,
                                            store::PageRequest page);

  // ---- tickets
  Result<TicketView> CreateTicket(const org::Principal& who, const NewTicket& in);
  // Up to kMaxTicketBatch tickets in one transaction (an integration's import: a call centre's or
  // a mail gateway's backlog), each checked and opened exactly as CreateTicket opens one; all or
  // none: the first refused fails the lot, its field and message prefixed "tickets[i]". The ids,
  // in order.
  Result<std::vector<store::Id>> CreateTickets(const org::Principal& who,
                                               const std::vector<NewTicket>& in);
  // The ticket written in `tx` by `actor` (0: the customer through a web form): routed, journaled
  // and the pack's events raised — every ticket, whoever opens it, goes through here.
  Result<store::Id> OpenTicket(store::Tx& tx, store::Id actor, const NewTicket& in);
  Result<TicketView> GetTicket(const org::Principal& who, store::Id id);
  // Indexes for search the subjects, thread entries and customers written before their index
  // existed (module migrations 7, 13 and 14), in batches of 1,000 writes; the number of rows
  // indexed. Run once at start (it finds nothing to do in one indexed read when all are indexed);
  // later ones are indexed in the transaction that writes them (at its end: store::Tx::Defer).
  Result<int> IndexTickets();
  Result<std::vector<Ticket>> ListTickets(const org::Principal& who, const TicketFilter& f,
                                          store::PageRequest page);
  // A public reply (kReply) or an internal note (kNote).
  Result<TicketView> AddEntry(const org::Principal& who, store::Id id, EntryKind kind,
                              const std::string& body,
                              const std::vector<std::string>& attachments = {});
  Result<TicketView> Move(const org::Principal& who, store::Id id, TicketState to,
                          const std::string& note);
  // The customer's message, as the agent records it (call, IM): it moves a pending ticket back to
  // open and reopens a resolved or closed one (by the customer); after the last reply it starts
  // the next-response time (kTicketCustomerMessage).
  Result<TicketView> AddCustomerMessage(const org::Principal& who, store::Id id,
                                        const std::string& body,
                                        const std::vector<std::string>& attachments = {});
  // A resolved or closed ticket reopened (`by_customer`: at the customer's request, as the agent
  // records it) with the reason: 409 service.not_reopenable from any other state.
  Result<TicketView> Reopen(const org::Principal& who, store::Id id, bool by_customer,
                            const std::string& reason);
  // The ticket's priority changed by anyone who may work on it (not a closed ticket): journaled
  // with the old and new priority, and kTicketPriorityChanged raised so the pack's SLA deadlines
  // re-match their targets. 409 service.priority_unchanged when it is already `to`.
  Result<TicketView> SetPriority(const org::Principal& who, store::Id id, Priority to,
                                 const std::string& note);
  // Merges the duplicate `id` into `into` (合并工单, merge.cpp; README "Merge"): `id` is closed
  // with merged_into, its conversation (customer messages, replies, notes) copied to `into` under
  // an entry naming it, and kTicketMerged raised on it (its SLA deadlines stop). Refused, nothing
  // written: 400 service.merge_into_self, 404 service.unknown_ticket (field into), 409
  // service.merge_other_site / service.merge_closed / service.merge_source_closed /
  // service.merge_procedure_running.
  Result<TicketView> Merge(const org::Principal& who, store::Id id, store::Id into,
                           const std::string& note);
  // ---- canned replies (canned.cpp). 403 service.canned_denied unless `who` supervises the
  // queue (any queue of the site for a site-wide one); 409 service.canned_title_taken; 404
  // service.unknown_canned_reply.
  Result<CannedReply> SaveCannedReply(const org::Principal& who, CannedReply in);
  Result<void> DeleteCannedReply(const org::Principal& who, store::Id id);
  // The site's, and with `queue_post_id` that queue's too, by title.
  Result<std::vector<CannedReply>> ListCannedReplies(const org::Principal& who, store::Id site_id,
                                                     store::Id queue_post_id);
  // ---- public web forms (web_forms.cpp). 403 service.web_form_denied unless `who` supervises
  // the queue; the token is returned once (`*token`). Revoked forms answer 404
  // service.web_form_revoked; unknown tokens 404 service.unknown_web_form.
  Result<WebForm> CreateWebForm(const org::Principal& who, WebForm in, std::string* token);
  Result<std::vector<WebForm>> ListWebForms(const org::Principal& who, store::Id site_id);
  Result<WebForm> RevokeWebForm(const org::Principal& who, store::Id id);
  Result<WebFormPage> WebFormByToken(const std::string& token);
  // The customer's ticket, opened as a console ticket is (OpenTicket) in the form's queue, with
  // the submission in the same transaction; 429 service.web_form_rate past the hourly limit.
  Result<WebSubmission> SubmitWebForm(const std::string& token, WebSubmission in);
  void SetWebFormLimit(int per_hour) { web_form_per_hour_ = per_hour; }
  // Taking an unassigned ticket: anyone at the site; taking it from someone: a supervisor.
  Result<TicketView> Assign(const org::Principal& who, store::Id id, store::Id person_id,
                            const std::string& note);
  // ---- surveys (issue 18 §7, R06 §四(一)10) and satisfaction (R06 §四(一)7)
  // A link for the ticket's due (or already sent) survey: the token is returned once and only its
  // hash kept; issuing again replaces the previous link. `*expires_at` gets its end (epoch: none).
  Result<std::string> IssueSurveyLink(const org::Principal& who, store::Id ticket_id,
                                      TimePoint* expires_at);
  // The public side, by the link's token (no sign-in): an unknown token is kNotFound, an
  // answered, cancelled or expired survey kFailedPrecondition/kConflict with its reason.
  Result<SurveyPage> SurveyByToken(const std::string& token);
  // Accepts one answer: `score` on the link's scale, `reason` required on a low score.
  Result<Survey> AnswerSurvey(const std::string& token, int score, const std::string& reason);
  // An agent records the customer's satisfaction after a return visit (channel return_visit).
  Result<TicketView> RecordSatisfaction(const org::Principal& who, store::Id ticket_id,
                                        bool satisfied, const std::string& note);
  // Answered link surveys of the site per agent or per queue, answered in [from, to).
  Result<std::vector<SatisfactionRow>> Satisfaction(const org::Principal& who, store::Id site_id,
                                                    bool by_queue, TimePoint from, TimePoint to);

  // ---- quality reviews and daily statistics (kpi.cpp; issue 20, R11 §3.1, R14 §1.1.1)
  // A supervisor of the ticket's queue scores its agent on the site's kReviewScaleParam:
  // 403 service.not_supervisor / service.review_own, 409 service.review_scale_unset /
  // service.review_no_agent / service.review_exists, 400 service.review_score_out_of_scale.
  Result<QualityReview> ReviewTicket(const org::Principal& who, store::Id ticket_id, double score,
                                     const std::string& comment);
  // R14's statistics of one local day ("YYYY-MM-DD") per agent, from the tickets.
  Result<DailyStats> DailyStatsOf(const org::Principal& who, store::Id site_id,
                                  const std::string& day);
  // The site parameter quality reviews read, citing the pack's assessments that use them.
  static std::vector<policy::ParamDecl> ReviewParameters(const policy::Pack& pack);

  // ---- orders (orders.cpp; issue 18 §6, R06 §四(二)4/5/6, §四(一)5/9)
  // The kernel's requests, through which an order needing the pack's review files it (set in the
  // module's Start; null: such orders are refused 409 order.no_review).
  void SetRequests(runtime::Requests* requests) { requests_ = requests; }
  // Subscribes to the kernel's request events: the review filed with its order inserts the order in
  // the request's transaction; the review approved produces the shipping notice.
  void SubscribeOrderEvents(runtime::EventBus& bus);
  // 400 bad input naming the field, 404 order.unknown_customer, 409 order.promised_date_not_working
  // / order.calendar_year_unknown / order.no_review / order.review_inputs.
  Result<OrderView> CreateOrder(const org::Principal& who, const NewOrder& in);
  Result<OrderView> GetOrder(const org::Principal& who, store::Id id);
  Result<std::vector<Order>> ListOrders(const org::Principal& who, const OrderFilter& f,
                                        store::PageRequest page);
  // notice → shipped, now (409 order.not_confirmed / order.shipped).
  Result<OrderView> ShipOrder(const org::Principal& who, store::Id id, const std::string& note);
  // A stock-out with the delivery time agreed with the customer (a deadline of the pack's).
  Result<OrderView> StockOut(const org::Principal& who, store::Id id, TimePoint agreed_at,
                             const std::string& note);
  // A return or an exchange of a shipped order (409 order.not_shipped).
  Result<OrderView> AddReturn(const org::Principal& who, store::Id id, ReturnKind kind,
                              const std::string& reason);
  // True when `who` supervises the queue `post_name` at `site_id` (see the header comment).
  bool Supervises(const org::Principal& who, store::Id site_id, const std::string& post_name) const;

 private:
  // The clauses of the pack's record whose id ends in `-suffix` (empty without one).
  std::vector<std::string> RecordClauses(std::string_view suffix) const;
  Result<void> MayWorkAt(const org::Principal& who, store::Id site_id, const char* what) const;
  // The name of the queue `post_id`: a post of the site named as a pack post; 400 naming
  // queue_post_id otherwise.
  Result<std::string> QueueName(store::UnitOfWork& unit, store::Id site_id,
                                store::Id post_id) const;
  // Whether `who` keeps the canned replies of `queue` ("": the site's, any queue's supervisor).
  bool KeepsCanned(const org::Principal& who, store::Id site_id, const std::string& queue) const;
  Result<TicketView> Change(const org::Principal& who, store::Id id,
                            const std::function<Result<void>(store::Tx&, Ticket&)>& change);
  // `t` moved to `to` in `tx` (invariant 3): the thread entry, the journal, the events (SLA
  // pause/resume, resolution, reopening) and the survey made or withdrawn; `*wake` gets a survey
  // timer's due time. `by` says who asked for a reopening ("agent" or "customer").
  Result<void> MoveIn(store::Tx& tx, const org::Principal& who, Ticket& t, TicketState to,
                      const std::string& note, std::string_view by, std::optional<TimePoint>* wake);
  // Raises `event` for `t` on the bus with the data the pack's SLA targets match on.
  Result<void> EmitTicketEvent(store::Tx& tx, const Ticket& t, std::string_view event,
                               store::Id actor);
  Result<TicketView> View(store::UnitOfWork& unit, const Ticket& t);
  // The full view's journal entry (invariant 2); kPermissionDenied without the right.
  Result<void> JournalFullView(const org::Principal& who, store::Id site_id, const char* kind,
                               const std::string& subject, const std::vector<store::Id>& ids);

  store::Store& store_;
  store::Writer& writer_;
  const policy::ActivePack& pack_;
  const org::RoleCatalogue& roles_;
  // In a move's transaction: a survey for the resolved ticket (scheduled, or not_scheduled with
  // the reason) / the open survey cancelled on reopening. `*wake` gets a timer's due time.
  Result<void> ScheduleSurvey(store::Tx& tx, const Ticket& t, std::optional<TimePoint>* wake);
  Result<void> CancelSurvey(store::Tx& tx, const Ticket& t, store::Id actor);
  // Journals `kind` for `v` and, when answered, raises satisfaction_recorded for its ticket.
  Result<void> JournalSurvey(store::Tx& tx, std::string_view kind, store::Id actor, const Survey& v,
                             CanonicalObject extra);

  // Orders: the view, the write of a new order (in its own or the review's transaction), the
  // notice produced in `tx`.
  Result<OrderView> OrderViewOf(store::UnitOfWork& unit, const Order& o);
  Result<store::Id> WriteOrder(store::Tx& tx, const org::Principal& who, Order o);
  // Runs `change` on the order `id` as `who` may see it (kNotFound otherwise) in one write job.
  Result<OrderView> ChangeOrder(const org::Principal& who, store::Id id,
                                const std::function<Result<void>(store::Tx&, Order&)>& change);
  Result<void> ProduceNotice(store::Tx& tx, Order& o, store::Id actor);
  Result<void> EmitOrderEvent(store::Tx& tx, const Order& o, std::string_view event,
                              store::Id actor, policy::Context data = {});

  const runtime::EventBus& bus_;
  const Clock& clock_;
  scheduler::Scheduler* scheduler_;
  runtime::Requests* requests_ = nullptr;
  int web_form_per_hour_ = kWebFormPerHour;
  // Orders being filed with their review, by number: the review's RequestFiled inserts them.
  struct PendingOrder {
    Order order;
    org::Principal who;
    store::Id id = 0;  // set by the handler
  };
  std::mutex pending_mu_;
  std::map<std::string, std::shared_ptr<PendingOrder>> pending_;
};

}  // namespace zhidu::service
