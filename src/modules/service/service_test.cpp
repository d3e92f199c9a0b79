// Customer service on both backends: its migration, de-duplication by phone, masking and the
// journaled full view, the caller register, tickets through their states with an append-only
// thread, assignment and supervisor reassignment, and the pack's rules started by the ticket's
// events — one procedure per complaint, SLA deadlines from site parameters, stopped by the first
// reply and by resolution, breached through the deadline engine.
#include <gtest/gtest.h>

#include <algorithm>

#include "api/indicator_sources.hpp"
#include "base/clock.hpp"
#include "kernel/runtime/procedures.hpp"
#include "kernel/runtime/site_parameters.hpp"
#include "kernel/scheduler/scheduler.hpp"
#include "modules/service/service.hpp"
#include "store/journal.hpp"
#include "tests/store_backends.hpp"

namespace zhidu::service {
namespace {

TEST(ServiceRules, MasksKeepingTheEnds) {
  EXPECT_EQ(Mask("13812345678"), "138****5678");
  EXPECT_EQ(Mask("110101199003071234"), "110***********1234");
  EXPECT_EQ(Mask("12345"), "***45");
  EXPECT_EQ(Mask("1234"), "****");
  EXPECT_EQ(Mask(""), "");
  EXPECT_EQ(NormalisePhone("138-1234 5678", "phone").value_or(""), "13812345678");
  EXPECT_EQ(NormalisePhone("+86 138", "phone").value_or(""), "+86138");
  EXPECT_FALSE(NormalisePhone("138x", "phone"));
  EXPECT_FALSE(NormalisePhone("1234", "phone"));
  EXPECT_FALSE(NormalisePhone("1+34567", "phone"));
}

TEST(ServiceRules, TicketStatesMoveOnlyAlongTheTable) {
  EXPECT_TRUE(MayMove(TicketState::kNew, TicketState::kOpen));
  EXPECT_TRUE(MayMove(TicketState::kOpen, TicketState::kPending));
  EXPECT_TRUE(MayMove(TicketState::kPending, TicketState::kOpen));
  EXPECT_TRUE(MayMove(TicketState::kResolved, TicketState::kOpen));  // reopen
  EXPECT_TRUE(MayMove(TicketState::kClosed, TicketState::kOpen));    // reopen
  EXPECT_FALSE(MayMove(TicketState::kNew, TicketState::kClosed));
  EXPECT_FALSE(MayMove(TicketState::kPending, TicketState::kClosed));
  EXPECT_FALSE(MayMove(TicketState::kOpen, TicketState::kNew));
  EXPECT_EQ(NextStates(TicketState::kResolved),
            (std::vector<TicketState>{TicketState::kClosed, TicketState::kOpen}));
  EXPECT_TRUE(PausesSla(TicketState::kPending));
  EXPECT_FALSE(PausesSla(TicketState::kOpen));
}

class ServiceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto opened = testing_support::OpenFreshStore(GetParam());
    if (!opened) GTEST_SKIP() << opened.error().message;
    store_ = std::move(*opened);
    ASSERT_TRUE(store_->Migrate());
    auto migrated = store_->MigrateModule("service", Migrations());
    ASSERT_TRUE(migrated) << migrated.error().message;
    auto pack =
        policy::ActivePack::Open(std::filesystem::path(ZHIDU_SOURCE_DIR) / "policies/cn-default");
    ASSERT_TRUE(pack) << pack.error().message;
    pack_ = std::move(*pack);
    roles_.Define("admin", {"*"});
    writer_ = std::make_unique<store::Writer>(*store_, clock_);
    scheduler_ = std::make_unique<scheduler::Scheduler>(*store_, *writer_, clock_);
    procedures_ = std::make_unique<runtime::Procedures>(*store_, *writer_, *scheduler_, *pack_,
                                                        roles_, actions_);
    procedures_->RegisterHandlers();
    procedures_->SubscribeTo(bus_);
    procedures_->SetModuleEvents({{std::string(kSatisfactionRecorded), "service"},
                                  {std::string(kTicketResolved), "service"}});
    service_ = std::make_unique<Service>(*store_, *writer_, *pack_, roles_, bus_, clock_,
                                         scheduler_.get());
    service_->RegisterHandlers(*scheduler_);
    auto ok = writer_->Run<bool>([&](store::Tx& tx) -> Result<bool> {
      auto& u = tx.unit();
      ZHIDU_TRY(site_, u.InsertSite({0, "客服中心", "Asia/Shanghai", tx.now()}));
      ZHIDU_TRY(other_site_, u.InsertSite({0, "另一园区", "Asia/Shanghai", tx.now()}));
      ZHIDU_TRY(queue_, u.InsertPost({0, site_, 0, "投诉组"}));
      ZHIDU_TRY(not_a_queue_, u.InsertPost({0, site_, 0, "随便什么岗"}));
      ZHIDU_TRY(other_queue_, u.InsertPost({0, other_site_, 0, "投诉组"}));
      auto person = [&](const char* name, const char* role, store::Id site,
                        org::Principal* who) -> Result<store::Id> {
        store::Person p;
        p.site_id = site;
        p.name = name;
        p.created_at = tx.now();
        ZHIDU_TRY(auto pid, u.InsertPerson(p));
        ZHIDU_TRY(auto aid, u.InsertAccount({0, name, "x", pid, false, tx.now()}));
        store::RoleGrant g{0, aid, role, "site", site};
        ZHIDU_TRY(g.id, u.InsertRoleGrant(g));
        *who = {aid, name, pid, {g}, "", false};
        return pid;
      };
      ZHIDU_TRY(auto a1, person("agent1", "客服专员", site_, &agent_));
      ZHIDU_TRY(auto a2, person("agent2", "客服专员", site_, &agent2_));
      ZHIDU_TRY(auto l, person("lead", "客服主管", site_, &lead_));
      ZHIDU_TRY(auto s, person("stranger", "客服专员", other_site_, &stranger_));
      (void)a1, (void)a2, (void)l, (void)s;
      return true;
    });
    ASSERT_TRUE(ok) << ok.error().message;
    admin_ = {1, "admin", 0, {{0, 1, "admin", "global", 0}}, "", false};
  }
  void TearDown() override {
    if (writer_) writer_->Stop();
  }
  void SetParameter(const std::string& name, const std::string& value) {
    runtime::SiteParameters params(*store_, *writer_, *pack_, roles_);
    params.SetModuleParameters(Service::Parameters);
    auto set = params.Set(admin_, site_, name, value);
    ASSERT_TRUE(set) << set.error().message;
  }
  std::vector<store::JournalRecord> Journal(std::string_view prefix) {
    std::vector<store::JournalRecord> out;
    auto unit = store_->BeginRead();
    EXPECT_TRUE(unit);
    auto rows = (*unit)->ReadJournal(0, 10000);
    EXPECT_TRUE(rows);
    for (const auto& r : *rows)
      if (r.kind.starts_with(prefix)) out.push_back(r);
    return out;
  }
  std::vector<store::ProcedureInstance> ProceduresOf(store::Id ticket) {
    auto unit = store_->BeginRead();
    EXPECT_TRUE(unit);
    store::ProcedureFilter f;
    f.ref = "ticket/" + std::to_string(ticket);
    auto rows = (*unit)->ListProcedureInstances(f, {0, 100});
    EXPECT_TRUE(rows);
    return *rows;
  }
  // A ticket of agent_ moved to resolved.
  store::Id Resolved(bool complaint = false) {
    auto v = Open(complaint);
    EXPECT_TRUE(v) << v.error().message;
    EXPECT_TRUE(service_->Assign(agent_, v->ticket.id, agent_.person_id, ""));
    auto r = service_->Move(agent_, v->ticket.id, TicketState::kResolved, "已处理");
    EXPECT_TRUE(r) << r.error().message;
    return v->ticket.id;
  }
  Survey Current(store::Id ticket) {
    auto v = service_->GetTicket(agent_, ticket);
    EXPECT_TRUE(v && !v->surveys.empty());
    return v->surveys.back();
  }
  std::string Link(store::Id ticket) {
    TimePoint expires;
    auto token = service_->IssueSurveyLink(agent_, ticket, &expires);
    EXPECT_TRUE(token) << token.error().message;
    return token.value_or("");
  }
  void Fire(store::Id instance, const std::string& event) {
    auto r = procedures_->Fire(agent_, instance, event, "", {}, nullptr);
    ASSERT_TRUE(r) << event << ": " << r.error().message;
  }
  const store::Deadline* Level(const TicketView& v, std::string_view id) {
    for (const auto& d : v.deadlines)
      if (d.service_level == id) return &d;
    return nullptr;
  }
  Result<TicketView> Open(bool complaint = false, const std::string& subject = "订单未到") {
    NewTicket in;
    in.site_id = site_;
    in.queue_post_id = queue_;
    in.subject = subject;
    in.complaint = complaint;
    in.body = "客户来电说明情况";
    return service_->CreateTicket(agent_, in);
  }

  std::unique_ptr<store::Store> store_;
  std::unique_ptr<policy::ActivePack> pack_;
  // Monday 2026-09-21 10:00 in Shanghai: working hours (the ticket deadlines count them, R04
  // §二12).
  ManualClock clock_{TimePoint(Micros(1'789'956'000'000'000))};
  org::RoleCatalogue roles_;
  runtime::Actions actions_;
  runtime::EventBus bus_;
  std::unique_ptr<store::Writer> writer_;
  std::unique_ptr<scheduler::Scheduler> scheduler_;
  std::unique_ptr<runtime::Procedures> procedures_;
  std::unique_ptr<Service> service_;
  store::Id site_ = 0, other_site_ = 0, queue_ = 0, not_a_queue_ = 0, other_queue_ = 0;
  org::Principal agent_, agent2_, lead_, stranger_, admin_;
};

TEST_P(ServiceTest, ItsMigrationRunsOnceAndIsRecorded) {
  auto again = store_->MigrateModule("service", Migrations());
  EXPECT_TRUE(again) << again.error().message;
  auto bad = Migrations();
  const int next = bad.back().version + 1;  // numbers may skip (a number kept for a branch)
  bad.push_back({next, "CREATE TABLE service_tickets(id {{id}})"});  // exists: fails whole
  EXPECT_FALSE(store_->MigrateModule("service", bad));
}

TEST_P(ServiceTest, APhoneBelongsToOneCustomerAndIsMaskedWithoutTheRight) {
  store::Id existing = 0;
  auto c = service_->CreateCustomer(
      agent_,
      {site_, CustomerKind::kPerson, "李先生", {"138 1234 5678"}, "110101199003071234", "VIP", ""},
      &existing);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->phones, std::vector<std::string>{"13812345678"});
  auto dup = service_->CreateCustomer(
      agent2_, {site_, CustomerKind::kCompany, "某公司", {"021-5555", "138-1234-5678"}, "", "", ""},
      &existing);
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, Errc::kConflict);
  EXPECT_EQ(dup.error().field, "phones");
  EXPECT_EQ(existing, c->id);
  // Nothing of the refused customer was written: 021-5555 is still free.
  auto rows = service_->ListCustomers(agent_, site_, "", {0, 50});
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().phones, std::vector<std::string>{"138****5678"});
  EXPECT_EQ(rows->front().id_number, "110***********1234");
  auto by_phone = service_->ListCustomers(agent_, site_, "138-1234", {0, 50});
  ASSERT_TRUE(by_phone);
  EXPECT_EQ(by_phone->size(), 1u);
  // The same phone at another site is another site's customer.
  store::Id none = 0;
  EXPECT_TRUE(service_->CreateCustomer(
      stranger_, {other_site_, CustomerKind::kPerson, "王女士", {"13812345678"}, "", "", ""},
      &none));
  EXPECT_EQ(none, 0);

  auto masked = service_->GetCustomer(agent_, c->id, false);
  ASSERT_TRUE(masked);
  EXPECT_EQ(masked->phones.front(), "138****5678");
  EXPECT_TRUE(Journal("service.customer.viewed").empty());
  auto refused = service_->GetCustomer(agent_, c->id, true);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::kPermissionDenied);
  EXPECT_NE(refused.error().message.find("R19 §二5)"), std::string::npos);
  EXPECT_TRUE(Journal("service.customer.viewed").empty());
  // 客服主管 approves r19-customer-data-access: the pack gives the right.
  auto full = service_->GetCustomer(lead_, c->id, true);
  ASSERT_TRUE(full) << full.error().message;
  EXPECT_EQ(full->phones.front(), "13812345678");
  EXPECT_EQ(full->id_number, "110101199003071234");
  auto viewed = Journal("service.customer.viewed");
  ASSERT_EQ(viewed.size(), 1u);
  EXPECT_EQ(viewed[0].actor, lead_.account_id);
  EXPECT_EQ(viewed[0].subject, "customer/" + std::to_string(c->id));
  EXPECT_NE(viewed[0].payload.find("R19 §二5)"), std::string::npos);
  // The journal never holds the full number.
  for (const auto& r : Journal("service."))
    EXPECT_EQ(r.payload.find("13812345678"), std::string::npos) << r.kind;
  // Another site's people see nothing.
  auto hidden = service_->GetCustomer(stranger_, c->id, false);
  ASSERT_FALSE(hidden);
  EXPECT_EQ(hidden.error().code, Errc::kNotFound);
}

TEST_P(ServiceTest, UpdatingKeepsPhonesUniqueAndWritesNothingOnConflict) {
  store::Id existing = 0;
  auto a = service_->CreateCustomer(
      agent_, {site_, CustomerKind::kPerson, "甲", {"13800000001"}, "", "", ""}, &existing);
  auto b = service_->CreateCustomer(
      agent_, {site_, CustomerKind::kPerson, "乙", {"13800000002"}, "", "", ""}, &existing);
  ASSERT_TRUE(a && b);
  auto clash = service_->UpdateCustomer(
      agent_, b->id, {0, CustomerKind::kPerson, "乙改", {"13800000001"}, "", "A", ""}, &existing);
  ASSERT_FALSE(clash);
  EXPECT_EQ(clash.error().code, Errc::kConflict);
  EXPECT_EQ(existing, a->id);
  auto still = service_->GetCustomer(lead_, b->id, true);
  ASSERT_TRUE(still);
  EXPECT_EQ(still->name, "乙");
  EXPECT_EQ(still->phones, std::vector<std::string>{"13800000002"});
  auto moved = service_->UpdateCustomer(
      agent_, b->id, {0, CustomerKind::kPerson, "乙", {"13800000003", "13800000002"}, "", "A", ""},
      &existing);
  ASSERT_TRUE(moved) << moved.error().message;
  auto now = service_->GetCustomer(lead_, b->id, true);
  ASSERT_TRUE(now);
  EXPECT_EQ(now->phones, (std::vector<std::string>{"13800000003", "13800000002"}));
  EXPECT_EQ(now->grade, "A");
}

TEST_P(ServiceTest, ACallIsRecordedAndLinkedToTheCustomerByPhone) {
  store::Id existing = 0;
  auto c = service_->CreateCustomer(
      agent_, {site_, CustomerKind::kPerson, "李先生", {"13812345678"}, "", "", ""}, &existing);
  ASSERT_TRUE(c);
  Contact call;
  call.site_id = site_;
  call.channel = Channel::kCall;
  call.name = "李先生";
  call.company = "某装饰公司";
  call.phone = "138 1234 5678";
  call.need = "咨询外墙涂料";
  auto v = service_->RecordContact(agent_, call);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(v->customer_id, c->id);
  EXPECT_EQ(v->agent, agent_.account_id);
  EXPECT_EQ(v->at, clock_.Now());
  auto recorded = Journal("service.contact.recorded");
  ASSERT_EQ(recorded.size(), 1u);
  EXPECT_NE(recorded[0].payload.find("R06 §四(一)1"), std::string::npos);

  call.customer_id = 999999;  // unknown: refused, nothing written
  auto unknown = service_->RecordContact(agent_, call);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().field, "customer_id");
  call.customer_id = 0;
  call.at = clock_.Now() + Micros(1);
  auto future = service_->RecordContact(agent_, call);
  ASSERT_FALSE(future);
  EXPECT_EQ(future.error().field, "at");
  auto rows = service_->ListContacts(agent_, site_, 0, false, {0, 50});
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().phone, "138****5678");
  EXPECT_FALSE(service_->ListContacts(agent_, site_, 0, true, {0, 50}));
  auto full = service_->ListContacts(lead_, site_, c->id, true, {0, 50});
  ASSERT_TRUE(full);
  EXPECT_EQ(full->front().phone, "13812345678");
  EXPECT_EQ(Journal("service.contact.viewed").size(), 1u);
}

TEST_P(ServiceTest, OneComplaintStartsOneProcedureAndTheSlaDeadlines) {
  SetParameter("service_first_response_within", "1h");
  SetParameter("service_resolution_within", "2d");
  auto plain = Open(false, "咨询");
  ASSERT_TRUE(plain) << plain.error().message;
  EXPECT_TRUE(ProceduresOf(plain->ticket.id).empty());
  auto v = Open(true, "商品破损投诉");
  ASSERT_TRUE(v) << v.error().message;
  auto procs = ProceduresOf(v->ticket.id);
  ASSERT_EQ(procs.size(), 1u);  // r10-complaint used to start too
  EXPECT_EQ(procs[0].procedure, "r06-complaint");
  EXPECT_EQ(procs[0].site_id, site_);
  ASSERT_EQ(v->deadlines.size(), 2u);
  const auto* first = Level(*v, "r14-first-response");
  const auto* resolution = Level(*v, "r06-ticket-resolution");
  ASSERT_TRUE(first && resolution);
  EXPECT_EQ(first->state, "open");
  EXPECT_EQ(first->due_at, clock_.Now() + std::chrono::hours(1));
  EXPECT_EQ(resolution->due_at, clock_.Now() + std::chrono::hours(48));
  ASSERT_EQ(v->thread.size(), 1u);
  EXPECT_EQ(v->thread[0].kind, EntryKind::kCustomer);

  // An internal note does not answer the customer; the first public reply does.
  auto noted = service_->AddEntry(agent_, v->ticket.id, EntryKind::kNote, "内部：先查物流");
  ASSERT_TRUE(noted);
  EXPECT_EQ(Level(*noted, "r14-first-response")->state, "open");
  clock_.Advance(std::chrono::minutes(10));
  auto replied = service_->AddEntry(agent_, v->ticket.id, EntryKind::kReply, "您好，已为您核实");
  ASSERT_TRUE(replied) << replied.error().message;
  EXPECT_EQ(Level(*replied, "r14-first-response")->state, "met");
  EXPECT_EQ(Level(*replied, "r06-ticket-resolution")->state, "open");
  EXPECT_EQ(replied->ticket.first_reply_at, clock_.Now());
  auto again = service_->AddEntry(agent_, v->ticket.id, EntryKind::kReply, "补充说明");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->ticket.first_reply_at, replied->ticket.first_reply_at);
  auto resolved = service_->Move(agent_, v->ticket.id, TicketState::kResolved, "已补发");
  ASSERT_TRUE(resolved) << resolved.error().message;
  EXPECT_EQ(Level(*resolved, "r06-ticket-resolution")->state, "met");
  // The plain ticket's deadlines are its own: still open.
  auto other = service_->GetTicket(agent_, plain->ticket.id);
  ASSERT_TRUE(other);
  EXPECT_EQ(Level(*other, "r14-first-response")->state, "open");
}

// Issue 18 §3: pending (waiting on the customer) pauses the deadlines through the pack's
// `pause: ticket_pending` / `resume: ticket_unpending`; no breach while paused; resumed due later
// by the working time paused (the first response) or the calendar time (whole working days).
TEST_P(ServiceTest, PendingPausesTheDeadlinesAndLeavingItResumesThem) {
  SetParameter("service_first_response_within", "1h");
  SetParameter("service_resolution_within", "2d");
  auto v = Open();
  ASSERT_TRUE(v) << v.error().message;
  const TimePoint opened = clock_.Now();  // Monday 10:00
  EXPECT_TRUE(Level(*v, "r14-first-response")->working_hours);
  EXPECT_FALSE(Level(*v, "r06-ticket-resolution")->working_hours);
  clock_.Advance(std::chrono::minutes(30));
  auto pending = service_->Move(agent_, v->ticket.id, TicketState::kPending, "等客户补充信息");
  ASSERT_TRUE(pending) << pending.error().message;
  for (const auto& d : pending->deadlines) {
    EXPECT_EQ(d.state, "paused") << d.service_level;
    EXPECT_EQ(d.paused_at, clock_.Now());
  }
  EXPECT_EQ(Journal("deadline.paused").size(), 2u);
  clock_.Advance(std::chrono::hours(3));  // 13:30, long past 11:00
  ASSERT_TRUE(scheduler_->RunOnce());
  EXPECT_TRUE(Journal("deadline.breached").empty());
  auto open = service_->Move(agent_, v->ticket.id, TicketState::kOpen, "客户已回复");
  ASSERT_TRUE(open) << open.error().message;
  // 30 working minutes were left: 13:30 + 30 min. Two working days shift by the 3 h paused.
  EXPECT_EQ(Level(*open, "r14-first-response")->due_at, clock_.Now() + std::chrono::minutes(30));
  EXPECT_EQ(Level(*open, "r14-first-response")->state, "open");
  EXPECT_EQ(Level(*open, "r06-ticket-resolution")->due_at,
            opened + std::chrono::hours(48) + std::chrono::hours(3));
  auto resumed = Journal("deadline.resumed");
  ASSERT_EQ(resumed.size(), 2u);
  EXPECT_NE(resumed[0].payload.find("\"paused_seconds\":10800"), std::string::npos)
      << resumed[0].payload;
  clock_.Advance(std::chrono::minutes(29));
  ASSERT_TRUE(scheduler_->RunOnce());
  EXPECT_TRUE(Journal("deadline.breached").empty());
  clock_.Advance(std::chrono::minutes(2));
  ASSERT_TRUE(scheduler_->RunOnce());
  EXPECT_EQ(Journal("deadline.breached").size(), 1u);
}

// Issue 18 §3/§7: the next response runs from a customer's message after a reply to the next reply;
// reopening re-arms the resolution (the pack's restart) and only a resolved ticket reopens.
TEST_P(ServiceTest, NextResponseAndReopeningRunOnThePacksLevels) {
  SetParameter("service_next_response_within", "1h");
  SetParameter("service_resolution_within", "2h");
  auto v = Open();
  ASSERT_TRUE(v) << v.error().message;
  auto count = [&](const TicketView& t, std::string_view level) {
    return std::ranges::count_if(t.deadlines,
                                 [&](const auto& d) { return d.service_level == level; });
  };
  // Before the first reply the customer's message starts no next response.
  auto early = service_->AddCustomerMessage(agent_, v->ticket.id, "还在吗");
  ASSERT_TRUE(early) << early.error().message;
  EXPECT_EQ(count(*early, "r06-next-response"), 0);
  ASSERT_TRUE(service_->AddEntry(agent_, v->ticket.id, EntryKind::kReply, "您好"));
  auto asked = service_->AddCustomerMessage(agent_, v->ticket.id, "发票呢");
  ASSERT_TRUE(asked) << asked.error().message;
  ASSERT_EQ(count(*asked, "r06-next-response"), 1);
  EXPECT_EQ(Level(*asked, "r06-next-response")->state, "open");
  EXPECT_EQ(Level(*asked, "r06-next-response")->due_at, clock_.Now() + std::chrono::hours(1));
  ASSERT_EQ(asked->clocks.size(), asked->deadlines.size());
  auto again = service_->AddCustomerMessage(agent_, v->ticket.id, "快点");
  ASSERT_TRUE(again);
  EXPECT_EQ(count(*again, "r06-next-response"), 1);
  auto answered = service_->AddEntry(agent_, v->ticket.id, EntryKind::kReply, "已开");
  ASSERT_TRUE(answered);
  EXPECT_EQ(Level(*answered, "r06-next-response")->state, "met");

  auto refused = service_->Reopen(agent_, v->ticket.id, false, "x");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().reason, "service.not_reopenable");
  ASSERT_TRUE(service_->Move(agent_, v->ticket.id, TicketState::kResolved, "已处理"));
  clock_.Advance(std::chrono::minutes(10));
  auto reopened = service_->Reopen(agent_, v->ticket.id, true, "客户说没解决");
  ASSERT_TRUE(reopened) << reopened.error().message;
  EXPECT_EQ(reopened->ticket.state, TicketState::kOpen);
  ASSERT_EQ(count(*reopened, "r06-ticket-resolution"), 2);
  auto rearmed = std::ranges::find_if(reopened->deadlines, [](const auto& d) {
    return d.service_level == "r06-ticket-resolution" && d.state == "open";
  });
  ASSERT_NE(rearmed, reopened->deadlines.end());
  // 10:10 + 2 working hours: 1 h 20 min before the lunch break, 40 min after 13:30 — 14:10.
  EXPECT_EQ(rearmed->due_at, clock_.Now() + std::chrono::hours(4));
  EXPECT_EQ(count(*reopened, "r14-first-response"), 1);
  auto unknown = service_->GetTicket(agent_, 999999);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().reason, "service.unknown_ticket");
  EXPECT_EQ(service_->GetTicket(stranger_, v->ticket.id).error().reason, "service.unknown_ticket");
}

TEST_P(ServiceTest, WithoutTheSitesFiguresNoDeadlineIsTimed) {
  auto v = Open();
  ASSERT_TRUE(v) << v.error().message;
  ASSERT_EQ(v->deadlines.size(), 2u);
  for (const auto& d : v->deadlines) {
    EXPECT_EQ(d.state, "not_started") << d.service_level;
    EXPECT_EQ(d.due_at, TimePoint{});
    EXPECT_NE(d.note.find("未设定"), std::string::npos) << d.note;
  }
}

TEST_P(ServiceTest, AMissedFirstResponseBreachesThroughTheEngine) {
  SetParameter("service_first_response_within", "30m");
  auto v = Open();
  ASSERT_TRUE(v);
  clock_.Advance(std::chrono::minutes(29));
  ASSERT_TRUE(scheduler_->RunOnce());
  EXPECT_TRUE(Journal("deadline.breached").empty());
  clock_.Advance(std::chrono::minutes(2));
  ASSERT_TRUE(scheduler_->RunOnce());
  auto breached = Journal("deadline.breached");
  ASSERT_EQ(breached.size(), 1u);
  EXPECT_NE(breached[0].payload.find("r14-first-response"), std::string::npos);
  EXPECT_NE(breached[0].payload.find("\"escalated_to\":[\"客服主管\"]"), std::string::npos)
      << breached[0].payload;
  auto late = service_->AddEntry(agent_, v->ticket.id, EntryKind::kReply, "抱歉久等");
  ASSERT_TRUE(late);
  EXPECT_EQ(Level(*late, "r14-first-response")->state, "met_late");
}

TEST(ServiceRules, SurveyScalesAreOursUntilTheSiteSetsOne) {
  auto ours = SurveyScale(std::nullopt);
  ASSERT_TRUE(ours);
  EXPECT_EQ(ours->size(), 5u);
  EXPECT_EQ(ours->front(), "非常不满意");
  EXPECT_TRUE(LowScore(2, 5) && !LowScore(3, 5) && !SatisfiedScore(3, 5) && SatisfiedScore(4, 5));
  EXPECT_TRUE(LowScore(1, 2) && SatisfiedScore(2, 2));
  EXPECT_EQ(SurveyScale("差,好,很好")->size(), 3u);
  EXPECT_FALSE(SurveyScale("只有一个"));
}

TEST_P(ServiceTest, WithoutTheSitesDelayNoSurveyIsScheduledAndTheTicketSaysWhy) {
  store::Id id = Resolved();
  Survey s = Current(id);
  EXPECT_EQ(s.state, SurveyState::kNotScheduled);
  EXPECT_NE(s.note.find("service_survey_after"), std::string::npos) << s.note;
  TimePoint expires;
  auto refused = service_->IssueSurveyLink(agent_, id, &expires);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().reason, "survey.not_scheduled");
  EXPECT_EQ(Journal("service.survey.not_scheduled").size(), 1u);
}

TEST_P(ServiceTest, ASurveyFallsDueAfterResolutionAndItsLinkTakesOneAnswer) {
  SetParameter("service_survey_after", "2h");
  store::Id id = Resolved();
  Survey s = Current(id);
  ASSERT_EQ(s.state, SurveyState::kScheduled);
  EXPECT_EQ(s.due_at, clock_.Now() + std::chrono::hours(2));
  EXPECT_EQ(s.agent, agent_.person_id);
  TimePoint expires;
  auto early = service_->IssueSurveyLink(agent_, id, &expires);
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().reason, "survey.not_due");

  clock_.Advance(std::chrono::hours(2));
  ASSERT_TRUE(scheduler_->RunOnce());
  EXPECT_EQ(Current(id).state, SurveyState::kDue);
  ASSERT_EQ(Journal("service.survey.due").size(), 1u);
  std::string token = Link(id);
  ASSERT_EQ(token.size(), kSurveyTokenHex);
  EXPECT_EQ(expires, TimePoint{});  // no validity set: until answered or withdrawn
  for (const auto& r : Journal("service.")) EXPECT_EQ(r.payload.find(token), std::string::npos);

  auto page = service_->SurveyByToken(token);
  ASSERT_TRUE(page) << page.error().message;
  EXPECT_EQ(page->scale.size(), 5u);
  EXPECT_EQ(page->subject, "订单未到");
  auto low = service_->AnswerSurvey(token, 2, " ");
  ASSERT_FALSE(low);
  EXPECT_EQ(low.error().field, "reason");
  EXPECT_EQ(service_->AnswerSurvey(token, 6, "x").error().field, "score");
  EXPECT_EQ(service_->AnswerSurvey(token, 0, "x").error().field, "score");
  auto answered = service_->AnswerSurvey(token, 2, "等了太久");
  ASSERT_TRUE(answered) << answered.error().message;
  EXPECT_FALSE(answered->satisfied);
  auto again = service_->AnswerSurvey(token, 5, "");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::kConflict);
  EXPECT_EQ(again.error().reason, "survey.answered");
  EXPECT_EQ(service_->SurveyByToken(token).error().reason, "survey.answered");
  auto unknown = service_->SurveyByToken(std::string(kSurveyTokenHex, 'a'));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, Errc::kNotFound);
  EXPECT_EQ(service_->SurveyByToken("../etc").error().code, Errc::kNotFound);
  auto journaled = Journal("service.survey.answered");
  ASSERT_EQ(journaled.size(), 1u);
  EXPECT_NE(journaled[0].payload.find("等了太久"), std::string::npos);
  EXPECT_NE(journaled[0].payload.find("R06 §四(一)10"), std::string::npos) << journaled[0].payload;

  // Credited to the agent and the queue.
  auto by_agent = service_->Satisfaction(agent_, site_, false, {}, {});
  ASSERT_TRUE(by_agent) << by_agent.error().message;
  ASSERT_EQ(by_agent->size(), 1u);
  EXPECT_EQ((*by_agent)[0].id, agent_.person_id);
  EXPECT_EQ((*by_agent)[0].answered, 1);
  EXPECT_EQ((*by_agent)[0].low, 1);
  EXPECT_EQ((*by_agent)[0].satisfied, 0);
  auto by_queue = service_->Satisfaction(agent_, site_, true, {}, {});
  ASSERT_TRUE(by_queue);
  ASSERT_EQ(by_queue->size(), 1u);
  EXPECT_EQ((*by_queue)[0].id, queue_);
  EXPECT_EQ((*by_queue)[0].name, "投诉组");
  EXPECT_FALSE(service_->Satisfaction(stranger_, site_, false, {}, {}));
}

TEST_P(ServiceTest, ReopeningWithdrawsTheSurveyAndAnExpiredOrReplacedLinkIsRefused) {
  SetParameter("service_survey_after", "1h");
  SetParameter("service_survey_valid_for", "30m");
  store::Id id = Resolved();
  clock_.Advance(std::chrono::hours(1));
  ASSERT_TRUE(scheduler_->RunOnce());
  std::string first = Link(id);
  clock_.Advance(std::chrono::minutes(31));
  auto expired = service_->SurveyByToken(first);
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().reason, "survey.expired");
  EXPECT_EQ(service_->AnswerSurvey(first, 5, "").error().reason, "survey.expired");
  std::string second = Link(id);  // a new link replaces the old one
  EXPECT_EQ(service_->SurveyByToken(first).error().reason, "survey.unknown_link");
  ASSERT_TRUE(service_->SurveyByToken(second));
  ASSERT_TRUE(service_->Move(agent_, id, TicketState::kOpen, "客户再次来电"));
  EXPECT_EQ(Current(id).state, SurveyState::kCancelled);
  EXPECT_EQ(service_->AnswerSurvey(second, 5, "").error().reason, "survey.cancelled");

  // A survey still waiting for its timer is withdrawn with it: the timer never fires.
  ASSERT_TRUE(service_->Move(agent_, id, TicketState::kResolved, ""));
  ASSERT_EQ(Current(id).state, SurveyState::kScheduled);
  ASSERT_TRUE(service_->Move(agent_, id, TicketState::kOpen, "还没好"));
  clock_.Advance(std::chrono::hours(2));
  ASSERT_TRUE(scheduler_->RunOnce());
  EXPECT_EQ(Current(id).state, SurveyState::kCancelled);
  EXPECT_EQ(Journal("service.survey.due").size(), 1u);  // the first survey's only
  EXPECT_EQ(Journal("service.survey.cancelled").size(), 2u);
}

TEST_P(ServiceTest, TheFeedbackFormClosesOnlyWhenTheCustomerIsRecordedSatisfied) {
  SetParameter("service_survey_after", "1h");
  SetParameter("service_return_visit_after", "3d");
  auto v = Open(true, "商品破损投诉");
  ASSERT_TRUE(v);
  store::Id id = v->ticket.id;
  auto procs = ProceduresOf(id);
  ASSERT_EQ(procs.size(), 1u);
  store::Id form = procs[0].id;
  Fire(form, "forwarded");
  Fire(form, "department_result");
  // Nobody says "satisfied" by hand: neither as the form's event nor as a site event.
  auto by_hand = procedures_->Fire(agent_, form, "satisfaction_recorded", "",
                                   {{"customer.satisfied", true}}, nullptr);
  ASSERT_FALSE(by_hand);
  EXPECT_EQ(by_hand.error().reason, "procedure.event_by_module");
  runtime::SiteEvent e{site_,
                       "satisfaction_recorded",
                       "x",
                       "ticket/" + std::to_string(id),
                       {{"customer.satisfied", true}}};
  auto raised = procedures_->RaiseAs(agent_, e);
  ASSERT_FALSE(raised);
  EXPECT_EQ(raised.error().reason, "event.raised_by_module");
  EXPECT_EQ(ProceduresOf(id)[0].state, "following");

  // Not satisfied after a return visit: back to the departments.
  auto unhappy = service_->RecordSatisfaction(agent_, id, false, "回访：客户仍不满意");
  ASSERT_TRUE(unhappy) << unhappy.error().message;
  EXPECT_EQ(ProceduresOf(id)[0].state, "routed");
  EXPECT_EQ(unhappy->surveys.back().channel, SurveyChannel::kReturnVisit);
  Fire(form, "department_result");

  // The survey answered satisfied closes the form, and the return visit is scheduled.
  ASSERT_TRUE(service_->Assign(agent_, id, agent_.person_id, ""));
  ASSERT_TRUE(service_->Move(agent_, id, TicketState::kResolved, "已换货"));
  clock_.Advance(std::chrono::hours(1));
  ASSERT_TRUE(scheduler_->RunOnce());
  std::string token = Link(id);
  ASSERT_TRUE(service_->AnswerSurvey(token, 4, ""));
  auto closed = ProceduresOf(id)[0];
  EXPECT_EQ(closed.state, "closed");
  EXPECT_EQ(closed.closed_at, TimePoint{});  // the return visit is still to come
  clock_.Advance(std::chrono::hours(72));
  ASSERT_TRUE(scheduler_->RunOnce());
  EXPECT_EQ(ProceduresOf(id)[0].state, "return-visit");
  Fire(form, "return_visit_done");
  EXPECT_NE(ProceduresOf(id)[0].closed_at, TimePoint{});
}

TEST_P(ServiceTest, WithoutTheReturnVisitDelayTheClosedFormSaysTheVisitIsNotScheduled) {
  auto v = Open(true, "投诉");
  ASSERT_TRUE(v);
  store::Id form = ProceduresOf(v->ticket.id)[0].id;
  Fire(form, "forwarded");
  Fire(form, "department_result");
  ASSERT_TRUE(service_->RecordSatisfaction(agent_, v->ticket.id, true, "回访：客户满意"));
  auto in = ProceduresOf(v->ticket.id)[0];
  EXPECT_EQ(in.state, "closed");
  EXPECT_NE(in.notes.find("service_return_visit_after"), std::string::npos) << in.notes;
  EXPECT_EQ(Journal("procedure.timer_not_armed").size(), 1u);
}

TEST_P(ServiceTest, StatesFollowTheTableAndTheThreadOnlyGrows) {
  auto v = Open();
  ASSERT_TRUE(v);
  store::Id id = v->ticket.id;
  auto bad = service_->Move(agent_, id, TicketState::kClosed, "");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::kFailedPrecondition);
  ASSERT_TRUE(service_->Move(agent_, id, TicketState::kOpen, ""));
  ASSERT_TRUE(service_->Move(agent_, id, TicketState::kPending, "等客户回复"));
  ASSERT_TRUE(service_->Move(agent_, id, TicketState::kOpen, "客户已回复"));
  ASSERT_TRUE(service_->Move(agent_, id, TicketState::kResolved, ""));
  auto closed = service_->Move(agent_, id, TicketState::kClosed, "");
  ASSERT_TRUE(closed);
  EXPECT_NE(closed->ticket.closed_at, TimePoint{});
  auto write = service_->AddEntry(agent_, id, EntryKind::kReply, "还在吗");
  ASSERT_FALSE(write);
  EXPECT_EQ(write.error().code, Errc::kFailedPrecondition);
  auto reopened = service_->Move(agent_, id, TicketState::kOpen, "客户再次来电");
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->ticket.closed_at, TimePoint{});
  EXPECT_EQ(reopened->ticket.resolved_at, TimePoint{});
  std::vector<std::string> moves;
  for (const auto& e : reopened->thread)
    if (e.kind == EntryKind::kState) moves.push_back(e.from_state + ">" + e.to_state);
  EXPECT_EQ(moves, (std::vector<std::string>{"new>open", "open>pending", "pending>open",
                                             "open>resolved", "resolved>closed", "closed>open"}));
  EXPECT_EQ(Journal("service.ticket.moved").size(), 6u);
  // opened, pending, unpending, resolved, reopened
  EXPECT_EQ(Journal("site.event").size(), 5u);
}

TEST_P(ServiceTest, AnAgentTakesATicketAndOnlyASupervisorTakesItAway) {
  auto v = Open();
  ASSERT_TRUE(v);
  store::Id id = v->ticket.id;
  auto taken = service_->Assign(agent_, id, agent_.person_id, "");
  ASSERT_TRUE(taken) << taken.error().message;
  EXPECT_EQ(taken->ticket.assignee, agent_.person_id);
  EXPECT_EQ(taken->ticket.state, TicketState::kOpen);
  auto grab = service_->Assign(agent2_, id, agent2_.person_id, "");
  ASSERT_FALSE(grab);
  EXPECT_EQ(grab.error().code, Errc::kPermissionDenied);
  // 投诉组's role 客服专员 reports to 客服主管 in the pack: the lead supervises the queue.
  auto moved = service_->Assign(lead_, id, agent2_.person_id, "调整负载");
  ASSERT_TRUE(moved) << moved.error().message;
  EXPECT_EQ(moved->ticket.assignee, agent2_.person_id);
  auto outsider = service_->Assign(lead_, id, stranger_.person_id, "");
  ASSERT_FALSE(outsider);
  EXPECT_EQ(outsider.error().field, "person_id");
  auto unknown = service_->Assign(lead_, id, 999999, "");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().field, "person_id");
  EXPECT_EQ(Journal("service.ticket.assigned").size(), 2u);
  auto hidden = service_->GetTicket(stranger_, id);
  ASSERT_FALSE(hidden);
  EXPECT_EQ(hidden.error().code, Errc::kNotFound);
}

TEST_P(ServiceTest, BadTicketsAreRefusedAndWriteNothing) {
  NewTicket in;
  in.site_id = site_;
  in.queue_post_id = queue_;
  in.subject = std::string(kMaxText + 1, 'x');
  auto r = service_->CreateTicket(agent_, in);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "subject");
  in.subject = "问题";
  in.queue_post_id = not_a_queue_;  // a post of the site, but not one of the pack
  r = service_->CreateTicket(agent_, in);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "queue_post_id");
  in.queue_post_id = other_queue_;  // the pack's post, but at another site
  r = service_->CreateTicket(agent_, in);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "queue_post_id");
  in.queue_post_id = queue_;
  in.customer_id = 424242;
  r = service_->CreateTicket(agent_, in);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "customer_id");
  in.customer_id = 0;
  in.body = std::string(kMaxBody + 1, 'y');
  r = service_->CreateTicket(agent_, in);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "body");
  in.body.clear();
  r = service_->CreateTicket(stranger_, in);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kPermissionDenied);
  TicketFilter f;
  f.site_id = site_;
  auto rows = service_->ListTickets(agent_, f, {0, 50});
  ASSERT_TRUE(rows);
  EXPECT_TRUE(rows->empty());
  EXPECT_TRUE(Journal("service.").empty());
  EXPECT_TRUE(Journal("site.event").empty());
  EXPECT_TRUE(Journal("deadline.").empty());
}

TEST_P(ServiceTest, QueuesListTheirTicketsAndTheJournalVerifies) {
  ASSERT_TRUE(Open(false, "一"));
  ASSERT_TRUE(Open(true, "二"));
  TicketFilter f;
  f.site_id = site_;
  f.queue_post_id = queue_;
  auto rows = service_->ListTickets(agent_, f, {0, 50});
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ(rows->at(0).queue, "投诉组");
  EXPECT_TRUE(rows->at(1).complaint);
  f.state = TicketState::kOpen;
  rows = service_->ListTickets(agent_, f, {0, 50});
  ASSERT_TRUE(rows);
  EXPECT_TRUE(rows->empty());
  writer_->Stop();
  auto unit = store_->BeginRead();
  ASSERT_TRUE(unit);
  auto report = store::VerifyJournal(**unit);
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok) << report->problem;
}

// The indicator sources the module contributes to assessments (kpi.cpp): counted and averaged from
// its records of one agent and period, read in the caller's unit of work; nothing computed from no
// record (never a silent zero).
TEST_P(ServiceTest, QualityReviewsAndTicketsBecomeAnAgentsIndicators) {
  api::IndicatorSources sources;
  ASSERT_TRUE(AddIndicatorSources(sources, *pack_));
  std::vector<std::string> names;
  for (const auto& s : sources.all()) names.push_back(s.name);
  EXPECT_EQ(names, IndicatorSourceNames());
  auto twice = AddIndicatorSources(sources, *pack_);
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, Errc::kConflict);

  store::Id first = Resolved(), second = Resolved();
  auto held = Open();  // received, not resolved
  ASSERT_TRUE(held);
  ASSERT_TRUE(service_->Assign(agent_, held->ticket.id, agent_.person_id, ""));
  auto review = [&](const org::Principal& who, store::Id ticket, double score) {
    return service_->ReviewTicket(who, ticket, score, "语气友好");
  };
  auto unset = review(lead_, first, 4);
  ASSERT_FALSE(unset);
  EXPECT_EQ(unset.error().reason, "service.review_scale_unset");
  {
    runtime::SiteParameters params(*store_, *writer_, *pack_, roles_);
    params.SetModuleParameters([](const policy::Pack& p) {
      auto all = Service::Parameters(p);
      for (auto& d : Service::ReviewParameters(p)) all.push_back(std::move(d));
      return all;
    });
    ASSERT_TRUE(params.Set(admin_, site_, std::string(kReviewScaleParam), "1,5"));
  }
  auto peer = review(agent2_, first, 4);
  ASSERT_FALSE(peer);
  EXPECT_EQ(peer.error().reason, "service.not_supervisor");
  auto off = review(lead_, first, 5.5);
  ASSERT_FALSE(off);
  EXPECT_EQ(off.error().field, "score");
  ASSERT_TRUE(review(lead_, first, 4));
  ASSERT_TRUE(review(lead_, second, 4.5));
  auto again = review(lead_, first, 1);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().reason, "service.review_exists");
  EXPECT_EQ(Journal("service.quality_review.recorded").size(), 2u);

  api::IndicatorQuery q{site_, agent_.person_id, clock_.Now() - std::chrono::hours(24),
                        clock_.Now() + std::chrono::hours(24), "2026-09"};
  auto read = [&](std::string_view name) {
    auto unit = store_->BeginRead();
    EXPECT_TRUE(unit);
    auto got = sources.Find(name)->compute(**unit, q);
    EXPECT_TRUE(got) << got.error().message;
    return got.value_or(api::IndicatorReading{});
  };
  auto attitude = read(kSourceQualityReview);
  EXPECT_EQ(attitude.value, 4.25);
  EXPECT_EQ(attitude.records.size(), 2u);
  EXPECT_EQ(attitude.record_kind, "quality_review");
  auto tickets = read(kSourceTickets);
  EXPECT_EQ(tickets.value, 2.0);
  EXPECT_EQ(tickets.records, (std::vector<store::Id>{first, second}));
  auto received = read(kSourceDailyStats);
  EXPECT_EQ(received.value, 3.0);
  EXPECT_EQ(received.records, (std::vector<store::Id>{first, second, held->ticket.id}));
  auto surveys = read(kSourceSurveys);  // none answered: not computed
  EXPECT_FALSE(surveys.value);
  EXPECT_FALSE(surveys.note.empty());
  q.person_id = agent2_.person_id;
  EXPECT_FALSE(read(kSourceQualityReview).value);
  EXPECT_EQ(read(kSourceTickets).value, 0.0);
  // Outside the period nothing counts.
  q = {site_, agent_.person_id, clock_.Now() + std::chrono::hours(24),
       clock_.Now() + std::chrono::hours(48), "2026-09"};
  EXPECT_EQ(read(kSourceTickets).value, 0.0);
  EXPECT_FALSE(read(kSourceQualityReview).value);
}

// Orders (orders.cpp, issue 18 §6) on both backends: a retail order of 3 pieces gets its notice in
// the order's transaction and the pack's cut-off deadline (order_received); shipping stops it (met)
// and the shipments source counts it on time; the storage refuses what the rules refuse
// (a quantity of 0 by its CHECK); a bulk order cannot be taken without the kernel's requests, and
// nothing is written then.
TEST_P(ServiceTest, ARetailOrderGetsItsNoticeShipsOnTimeAndCounts) {
  auto c = service_->CreateCustomer(
      agent_, {site_, CustomerKind::kCompany, "华东贸易", {"02155550101"}, "", "", ""}, nullptr);
  ASSERT_TRUE(c) << c.error().message;
  NewOrder in{site_, c->id, OrderKind::kRetail, {{"传感器", "TS-100", 3}}, "", "", false, ""};
  auto o = service_->CreateOrder(agent_, in);
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->order.state, OrderState::kNotice);
  EXPECT_EQ(o->order.pieces, 3);
  EXPECT_EQ(o->order.notice_record, "r06-shipping-notice");
  EXPECT_NE(o->order.notice_at, TimePoint{});
  ASSERT_EQ(o->deadlines.size(), 1u);
  EXPECT_EQ(o->deadlines[0].state, "open");
  EXPECT_EQ(o->ship_by, o->deadlines[0].due_at);
  EXPECT_EQ(Journal("service.order.notice").size(), 1u);

  auto shipped = service_->ShipOrder(agent_, o->order.id, "");
  ASSERT_TRUE(shipped) << shipped.error().message;
  EXPECT_EQ(shipped->deadlines[0].state, "met");
  EXPECT_EQ(shipped->shipped_on_time, std::optional<bool>(true));
  auto again = service_->ShipOrder(agent_, o->order.id, "");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().reason, "order.shipped");

  auto unit = store_->BeginRead();
  ASSERT_TRUE(unit);
  std::vector<store::Id> counted;
  int on_time = 0;
  TimePoint from = clock_.Now() - std::chrono::hours(1), to = clock_.Now() + std::chrono::hours(1);
  auto rate =
      OnTimeRate(**unit, *pack_->Current(), site_, agent_.person_id, from, to, &counted, &on_time);
  ASSERT_TRUE(rate) << rate.error().message;
  EXPECT_EQ(*rate, std::optional<double>(100.0));
  EXPECT_EQ(counted, std::vector<store::Id>{o->order.id});
  auto taken = db::OrdersTaken((*unit)->sql(), site_, 0, from, to);
  ASSERT_TRUE(taken);
  EXPECT_EQ(*taken,
            (std::vector<std::pair<store::Id, store::Id>>{{agent_.person_id, o->order.id}}));
  unit->reset();

  // The storage's own CHECK: no line of 0 pieces, whatever the caller.
  auto zero = writer_->Run<store::Id>([&](store::Tx& tx) -> Result<store::Id> {
    Order bad = o->order;
    bad.no = "SO-TEST-0";
    bad.items = {{"传感器", "", 0}};
    return db::InsertOrder(tx.unit().sql(), bad);
  });
  EXPECT_FALSE(zero);

  // A bulk order needs the pack's review: without the kernel's requests it is refused, unwritten.
  in.kind = OrderKind::kBulk;
  auto bulk = service_->CreateOrder(agent_, in);
  ASSERT_FALSE(bulk);
  auto unit2 = store_->BeginRead();
  ASSERT_TRUE(unit2);
  auto all = db::ListOrders((*unit2)->sql(), {site_, 0, std::nullopt, std::nullopt}, {0, 50});
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 1u);
  EXPECT_EQ(Journal("service.order.created").size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Backends, ServiceTest, ::testing::ValuesIn(testing_support::Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace zhidu::service
