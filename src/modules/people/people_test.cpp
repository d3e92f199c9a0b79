// Discipline cases on both backends, on the shipped pack's R03 ladder: opening at the step the
// ledger names, the correction deadline on the kernel's scheduler, refusal and miss moving the
// case on, 辞退 only under an approved request naming the case, compensation in fen, violations
// against nobody assigned later, and every refusal writing nothing.
#include <gtest/gtest.h>

#include "base/clock.hpp"
#include "kernel/runtime/ledger.hpp"
#include "kernel/runtime/site_parameters.hpp"
#include "modules/people/discipline.hpp"
#include "store/journal.hpp"
#include "tests/store_backends.hpp"

namespace zhidu::people {
namespace {

using std::chrono::days;
using std::chrono::hours;

class DisciplineTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto opened = testing_support::OpenFreshStore(GetParam());
    if (!opened) GTEST_SKIP() << opened.error().message;
    store_ = std::move(*opened);
    ASSERT_TRUE(store_->Migrate());
    auto migrated = store_->MigrateModule("people", Migrations());
    ASSERT_TRUE(migrated) << migrated.error().message;
    auto pack =
        policy::ActivePack::Open(std::filesystem::path(ZHIDU_SOURCE_DIR) / "policies/cn-default");
    ASSERT_TRUE(pack) << pack.error().message;
    pack_ = std::move(*pack);
    for (const auto& r : (*pack_->Current()).roles())
      roles_.Define(r.id, {r.permissions.begin(), r.permissions.end()});
    writer_ = std::make_unique<store::Writer>(*store_, clock_);
    scheduler_ = std::make_unique<scheduler::Scheduler>(*store_, *writer_, clock_);
    ledger_ = std::make_unique<runtime::Ledger>(*store_, *writer_, *pack_, roles_);
    params_ = std::make_unique<runtime::SiteParameters>(*store_, *writer_, *pack_, roles_);
    d_ = std::make_unique<Discipline>(*store_, *writer_, *scheduler_, *pack_, roles_);
    d_->RegisterHandlers();
    auto ids =
        writer_->Run<std::vector<store::Id>>([&](store::Tx& tx) -> Result<std::vector<store::Id>> {
          auto& u = tx.unit();
          ZHIDU_TRY(auto site, u.InsertSite({0, "客服中心", "Asia/Shanghai", tx.now()}));
          ZHIDU_TRY(auto dept, u.InsertDepartment({0, site, "客服部"}));
          std::vector<store::Id> out{site, dept};
          for (const char* name : {"吴客服", "郑主管", "孙经理", "王客服"}) {
            store::Person p;
            p.site_id = site;
            p.department_id = dept;
            p.name = name;
            p.created_at = tx.now();
            ZHIDU_TRY(auto id, u.InsertPerson(p));
            out.push_back(id);
          }
          return out;
        });
    ASSERT_TRUE(ids) << ids.error().message;
    site_ = (*ids)[0];
    dept_ = (*ids)[1];
    agent_ = (*ids)[2];
    other_ = (*ids)[5];
    admin_ = {1, "admin", 0, {{0, 1, "admin", "global", 0}}, "", false};
    // R03's 管理人员 takes the first steps; the 客服经理 is above it (reports_to) and takes the
    // rest.
    staff_ = {2, "staff", (*ids)[3], {{0, 2, "管理人员", "site", site_}}, "", false};
    manager_ = {3, "manager", (*ids)[4], {{0, 3, "客服经理", "site", site_}}, "", false};
    supervisor_ = {4, "lead", (*ids)[3], {{0, 4, "客服主管", "site", site_}}, "", false};
    agent_p_ = {5, "agent", agent_, {{0, 5, "客服专员", "site", site_}}, "", false};
  }
  void TearDown() override {
    if (writer_) writer_->Stop();
  }

  store::Violation Violation(const char* code, store::Id person, int days_ago = 1) {
    runtime::NewViolation v;
    v.site_id = site_;
    v.person_id = person;
    v.code = code;
    v.occurred_at = clock_.Now() - days(days_ago);
    auto r = ledger_->Record(admin_, v);
    EXPECT_TRUE(r) << r.error().message;
    return *r;
  }
  void SetPeriod(const std::string& value) {
    auto r = params_->Set(admin_, site_, "r03_correction_within", value);
    ASSERT_TRUE(r) << r.error().message;
  }
  std::vector<std::string> Kinds(std::string_view prefix = "discipline.") {
    std::vector<std::string> out;
    auto unit = store_->BeginRead();
    EXPECT_TRUE(unit);
    auto rows = (*unit)->ReadJournal(0, 5000);
    EXPECT_TRUE(rows);
    for (const auto& r : *rows)
      if (r.kind.starts_with(prefix)) out.push_back(r.kind);
    return out;
  }
  std::vector<store::Timer> Timers(std::optional<store::TimerState> state) {
    auto unit = store_->BeginRead();
    EXPECT_TRUE(unit);
    store::TimerFilter f;
    f.kind = std::string(kCorrectionTimer);
    f.state = state;
    auto rows = (*unit)->ListTimers(f, {0, 100});
    EXPECT_TRUE(rows);
    return *rows;
  }
  store::Id ApprovedRequest(store::Id case_id, bool approve = true,
                            const std::string& type = "r03-dismissal") {
    auto id = writer_->Run<store::Id>([&](store::Tx& tx) -> Result<store::Id> {
      store::ApprovalRequest r;
      r.site_id = site_;
      r.type = type;
      r.applicant = manager_.account_id;
      r.applicant_person = manager_.person_id;
      r.inputs = "{\"case.id\":" + std::to_string(case_id) + "}";
      r.reason = "严重违纪";
      r.created_at = r.updated_at = tx.now();
      ZHIDU_TRY(auto rid, tx.unit().InsertApprovalRequest(r));
      if (approve)
        ZHIDU_TRY_VOID(
            tx.unit().DecideApprovalRequest(rid, store::RequestState::kApproved, tx.now()));
      return rid;
    });
    EXPECT_TRUE(id) << id.error().message;
    return *id;
  }

  std::unique_ptr<store::Store> store_;
  std::unique_ptr<policy::ActivePack> pack_;
  org::RoleCatalogue roles_;
  ManualClock clock_{TimePoint(Micros(1'790'000'000'000'000))};
  std::unique_ptr<store::Writer> writer_;
  std::unique_ptr<scheduler::Scheduler> scheduler_;
  std::unique_ptr<runtime::Ledger> ledger_;
  std::unique_ptr<runtime::SiteParameters> params_;
  std::unique_ptr<Discipline> d_;
  store::Id site_ = 0, dept_ = 0, agent_ = 0, other_ = 0;
  org::Principal admin_, staff_, manager_, supervisor_, agent_p_;
};

TEST_P(DisciplineTest, OpensAtTheLedgersStepWithADeadlineOnTheScheduler) {
  SetPeriod("3d");
  auto v = Violation("R03-CONDUCT", agent_);
  EXPECT_EQ(ConsequenceStep(v.consequence), "educate");
  auto c = d_->Open(staff_, {site_, agent_, {v.id}, "", "着装不整", {}});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->ladder, "r03-progressive");
  EXPECT_EQ(c->step, "educate");
  EXPECT_EQ(c->state, CaseState::kCorrecting);
  EXPECT_EQ(c->correction_due, clock_.Now() + days(3));
  EXPECT_EQ(c->violations, std::vector<store::Id>{v.id});
  ASSERT_EQ(c->events.size(), 1u);
  EXPECT_EQ(c->events[0].kind, EventKind::kOpened);
  EXPECT_EQ(c->events[0].clauses, std::vector<std::string>{"R03 §二"});
  EXPECT_GT(c->events[0].journal_seq, 0);
  auto timers = Timers(store::TimerState::kPending);
  ASSERT_EQ(timers.size(), 1u);
  EXPECT_EQ(timers[0].id, c->correction_timer);
  EXPECT_EQ(timers[0].due_at, c->correction_due);
  EXPECT_EQ(Kinds(), std::vector<std::string>{"discipline.case.opened"});

  // The second R03-CONDUCT of the person: the ledger names report-manager, where a case opens.
  auto again = Violation("R03-CONDUCT", agent_, 0);
  EXPECT_EQ(ConsequenceStep(again.consequence), "report-manager");
  auto second = d_->Open(staff_, {site_, agent_, {again.id}, "", "", {}});
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->step, "report-manager");
  EXPECT_EQ(second->state, CaseState::kOpen);
  EXPECT_EQ(second->correction_due, TimePoint{});
}

TEST_P(DisciplineTest, WithoutAPeriodTheTakerGivesTheDeadlineNeverAGuess) {
  auto v = Violation("R03-CONDUCT", agent_);
  auto none = d_->Open(staff_, {site_, agent_, {v.id}, "", "", {}});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().reason, "discipline.deadline_required");
  EXPECT_EQ(none.error().field, "correct_by");
  EXPECT_TRUE(Kinds().empty());
  EXPECT_TRUE(Timers(std::nullopt).empty());
  auto past = d_->Open(staff_, {site_, agent_, {v.id}, "", "", clock_.Now() - hours(1)});
  ASSERT_FALSE(past);
  EXPECT_EQ(past.error().field, "correct_by");
  auto given = d_->Open(staff_, {site_, agent_, {v.id}, "", "", clock_.Now() + days(2)});
  ASSERT_TRUE(given) << given.error().message;
  EXPECT_EQ(given->correction_due, clock_.Now() + days(2));
  // Once the site sets the period, a deadline of one's own is refused.
  SetPeriod("1w");
  auto w = Violation("R03-CONDUCT", other_);
  auto fixed = d_->Open(staff_, {site_, other_, {w.id}, "", "", clock_.Now() + days(2)});
  ASSERT_FALSE(fixed);
  EXPECT_EQ(fixed.error().reason, "discipline.deadline_fixed");
}

TEST_P(DisciplineTest, RefusedThenMissedThenDismissedUnderAnApprovedRequest) {
  SetPeriod("3d");
  auto v = Violation("R03-CONDUCT", agent_);
  auto c = d_->Open(staff_, {site_, agent_, {v.id}, "", "", {}});
  ASSERT_TRUE(c) << c.error().message;
  // 拒不整改 at the education: the case goes to the report to the manager, by itself.
  auto refused = d_->Correction(staff_, c->id, false, "拒绝整改");
  ASSERT_TRUE(refused) << refused.error().message;
  EXPECT_EQ(refused->step, "report-manager");
  EXPECT_EQ(refused->state, CaseState::kOpen);
  EXPECT_TRUE(Timers(store::TimerState::kPending).empty());
  ASSERT_EQ(refused->events.size(), 3u);
  EXPECT_EQ(refused->events[1].kind, EventKind::kRefused);
  EXPECT_EQ(refused->events[2].kind, EventKind::kStep);
  EXPECT_EQ(refused->events[2].step, "report-manager");

  // The 客服主管 is not R03's 管理人员 nor above it: it cannot take the manager's step.
  auto lead = d_->Take(supervisor_, c->id, {"public-criticism", "", {}, 0, {}});
  ASSERT_FALSE(lead);
  EXPECT_EQ(lead.error().code, Errc::kPermissionDenied);
  auto criticised = d_->Take(manager_, c->id, {"public-criticism", "区内通报", {}, 0, {}});
  ASSERT_TRUE(criticised) << criticised.error().message;
  EXPECT_EQ(criticised->state, CaseState::kCorrecting);
  EXPECT_EQ(criticised->correction_due, clock_.Now() + days(3));

  // The deadline passes: the scheduler's firing is the miss, and the case moves on.
  clock_.Advance(days(3) + hours(1));
  auto fired = scheduler_->RunOnce();
  ASSERT_TRUE(fired) << fired.error().message;
  EXPECT_EQ(*fired, 1);
  auto missed = d_->Get(manager_, c->id);
  ASSERT_TRUE(missed);
  EXPECT_EQ(missed->step, "company-discipline");
  EXPECT_EQ(missed->state, CaseState::kOpen);
  const auto& miss = missed->events[missed->events.size() - 2];
  EXPECT_EQ(miss.kind, EventKind::kMissed);
  EXPECT_EQ(miss.actor, 0);
  EXPECT_EQ(missed->events.back().kind, EventKind::kStep);
  EXPECT_EQ(missed->events.back().actor, 0);

  // 辞退: only under an approved r03-dismissal request whose case.id is this case.
  auto bare = d_->Take(manager_, c->id, {"dismissal", "", {}, 0, {}});
  ASSERT_FALSE(bare);
  EXPECT_EQ(bare.error().reason, "discipline.approval_required");
  auto pending =
      d_->Take(manager_, c->id, {"dismissal", "", {}, ApprovedRequest(c->id, false), {}});
  ASSERT_FALSE(pending);
  EXPECT_EQ(pending.error().reason, "discipline.not_approved");
  auto elsewhere =
      d_->Take(manager_, c->id, {"dismissal", "", {}, ApprovedRequest(c->id + 99), {}});
  ASSERT_FALSE(elsewhere);
  EXPECT_EQ(elsewhere.error().reason, "discipline.wrong_request");
  auto kind = d_->Take(manager_, c->id,
                       {"dismissal", "", {}, ApprovedRequest(c->id, true, "r08-leave-post"), {}});
  ASSERT_FALSE(kind);
  EXPECT_EQ(kind.error().reason, "discipline.wrong_request");
  store::Id approved = ApprovedRequest(c->id);
  auto dismissed = d_->Take(manager_, c->id, {"dismissal", "经总经理批准", {}, approved, {}});
  ASSERT_TRUE(dismissed) << dismissed.error().message;
  EXPECT_EQ(dismissed->state, CaseState::kClosed);
  EXPECT_EQ(dismissed->outcome, "ended");
  EXPECT_EQ(dismissed->events.back().request_id, approved);

  // A closed case never changes again; closing it twice is refused.
  auto twice = d_->Close(manager_, c->id, "");
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().reason, "discipline.case_closed");
  EXPECT_EQ(Kinds(), (std::vector<std::string>{"discipline.case.opened", "discipline.case.refused",
                                               "discipline.case.step", "discipline.case.step",
                                               "discipline.case.missed", "discipline.case.step",
                                               "discipline.case.step"}));
  writer_->Stop();
  auto unit = store_->BeginRead();
  ASSERT_TRUE(unit);
  auto report = store::VerifyJournal(**unit);
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok) << report->problem;
}

TEST_P(DisciplineTest, AStepOutOfOrderWritesNothing) {
  SetPeriod("3d");
  auto v = Violation("R03-CONDUCT", agent_);
  auto c = d_->Open(staff_, {site_, agent_, {v.id}, "", "", {}});
  ASSERT_TRUE(c);
  for (const char* step : {"public-criticism", "company-discipline", "dismissal", "educate"}) {
    auto r = d_->Take(manager_, c->id, {step, "", {}, 0, {}});
    ASSERT_FALSE(r) << step;
    EXPECT_EQ(r.error().reason, "discipline.step_out_of_order") << step;
  }
  auto unknown = d_->Take(manager_, c->id, {"no-such-step", "", {}, 0, {}});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().reason, "discipline.unknown_step");
  auto close = d_->Close(manager_, c->id, "");
  ASSERT_FALSE(close);
  EXPECT_EQ(close.error().reason, "discipline.correction_outstanding");
  auto still = d_->Get(manager_, c->id);
  ASSERT_TRUE(still);
  EXPECT_EQ(still->version, c->version);
  EXPECT_EQ(still->events.size(), 1u);
  EXPECT_EQ(Kinds().size(), 1u);
  // Corrected: the timer is cancelled and the case may be closed, once.
  auto corrected = d_->Correction(staff_, c->id, true, "已改正");
  ASSERT_TRUE(corrected) << corrected.error().message;
  EXPECT_EQ(corrected->state, CaseState::kOpen);
  EXPECT_EQ(Timers(store::TimerState::kCancelled).size(), 1u);
  auto again = d_->Correction(staff_, c->id, true, "");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().reason, "discipline.no_correction");
  auto closed = d_->Close(staff_, c->id, "已整改完毕");
  ASSERT_TRUE(closed) << closed.error().message;
  EXPECT_EQ(closed->outcome, "resolved");
  // The cancelled timer never fires.
  clock_.Advance(days(4));
  auto fired = scheduler_->RunOnce();
  ASSERT_TRUE(fired);
  EXPECT_EQ(*fired, 0);
}

TEST_P(DisciplineTest, CompensationIsWholeFenOncePerViolationWhereThePackSaysAtCost) {
  SetPeriod("3d");
  auto damage = Violation("R18-MALICIOUS-DAMAGE", agent_);
  auto conduct = Violation("R03-CONDUCT", agent_);
  auto c = d_->Open(staff_, {site_, agent_, {damage.id, conduct.id}, "", "", {}});
  ASSERT_TRUE(c) << c.error().message;
  auto zero = d_->Compensate(admin_, c->id, damage.id, 0, "");
  ASSERT_FALSE(zero);
  EXPECT_EQ(zero.error().reason, "discipline.amount_not_positive");
  auto none = d_->Compensate(admin_, c->id, conduct.id, 500, "");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().reason, "discipline.no_compensation");
  auto stray = Violation("R18-MALICIOUS-DAMAGE", agent_, 0);
  auto outside = d_->Compensate(admin_, c->id, stray.id, 500, "");
  ASSERT_FALSE(outside);
  EXPECT_EQ(outside.error().reason, "discipline.violation_not_in_case");
  auto agent = d_->Compensate(agent_p_, c->id, damage.id, 500, "");
  ASSERT_FALSE(agent);  // the agent sees their own case but records no compensation
  EXPECT_EQ(agent.error().code, Errc::kPermissionDenied);
  auto paid = d_->Compensate(staff_, c->id, damage.id, 12'345, "椅子维修费");
  ASSERT_TRUE(paid) << paid.error().message;
  ASSERT_EQ(paid->compensations.size(), 1u);
  EXPECT_EQ(paid->compensations[0].amount_fen, 12'345);
  auto twice = d_->Compensate(staff_, c->id, damage.id, 100, "");
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().reason, "discipline.compensation_recorded");
  EXPECT_EQ(Kinds(),
            (std::vector<std::string>{"discipline.case.opened", "discipline.case.compensation"}));
}

TEST_P(DisciplineTest, AViolationAgainstNobodyIsAssignedThenJoinsACase) {
  SetPeriod("3d");
  Violation("R03-CONDUCT", agent_, 3);  // the agent's first: the next is the second occurrence
  auto nobody = Violation("R03-CONDUCT", 0, 1);
  EXPECT_EQ(nobody.person_id, 0);
  EXPECT_EQ(nobody.occurrence, 1);
  auto early = d_->Open(staff_, {site_, agent_, {nobody.id}, "", "", {}});
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().reason, "discipline.violation_unassigned");
  auto denied = ledger_->Assign(agent_p_, nobody.id, agent_, "");
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().code, Errc::kPermissionDenied);
  auto stranger = ledger_->Assign(admin_, nobody.id, 999'999, "");
  ASSERT_FALSE(stranger);
  EXPECT_EQ(stranger.error().field, "person_id");
  auto assigned = ledger_->Assign(staff_, nobody.id, agent_, "监控回放确认");
  ASSERT_TRUE(assigned) << assigned.error().message;
  EXPECT_EQ(assigned->person_id, agent_);
  EXPECT_EQ(assigned->department_id, dept_);
  EXPECT_EQ(assigned->occurrence, 2);  // counted from the person's history when known
  EXPECT_EQ(ConsequenceStep(assigned->consequence), "report-manager");
  auto again = ledger_->Assign(staff_, nobody.id, other_, "");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().reason, "violation.already_assigned");
  EXPECT_EQ(Kinds("violation.assigned"), std::vector<std::string>{"violation.assigned"});
  auto c = d_->Open(staff_, {site_, agent_, {nobody.id}, "", "", {}});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->step, "report-manager");
  // In one case only; another person's violation never joins.
  auto dup = d_->Open(staff_, {site_, agent_, {nobody.id}, "", "", {}});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().reason, "discipline.violation_in_case");
  auto theirs = Violation("R03-CONDUCT", other_);
  auto mixed = d_->Take(manager_, c->id, {"public-criticism", "", {}, 0, {theirs.id}});
  ASSERT_FALSE(mixed);
  EXPECT_EQ(mixed.error().reason, "discipline.violation_other_person");
  auto unknown = d_->Open(staff_, {site_, agent_, {987'654}, "", "", {}});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().reason, "discipline.unknown_violation");
  auto person = d_->Open(staff_, {site_, 987'654, {theirs.id}, "", "", {}});
  ASSERT_FALSE(person);
  EXPECT_EQ(person.error().reason, "discipline.unknown_person");
}

TEST_P(DisciplineTest, WhoMayTakeWhichStep) {
  SetPeriod("3d");
  auto v = Violation("R03-CONDUCT", agent_);
  // An agent (客服专员) cannot open; the 客服主管 is neither 管理人员 nor above it.
  auto agent = d_->Open(agent_p_, {site_, agent_, {v.id}, "", "", {}});
  ASSERT_FALSE(agent);
  EXPECT_EQ(agent.error().code, Errc::kPermissionDenied);
  auto lead = d_->Open(supervisor_, {site_, agent_, {v.id}, "", "", {}});
  ASSERT_FALSE(lead);
  EXPECT_EQ(lead.error().code, Errc::kPermissionDenied);
  // The 客服经理 is above 管理人员 (reports_to).
  auto manager = d_->Open(manager_, {site_, agent_, {v.id}, "", "", {}});
  ASSERT_TRUE(manager) << manager.error().message;
  // The agent reads their own case, and lists only their own.
  EXPECT_TRUE(d_->Get(agent_p_, manager->id));
  auto listed = d_->List(agent_p_, {site_, 0, std::nullopt}, {0, 50});
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->size(), 1u);
  org::Principal someone{6, "someone", other_, {{0, 6, "客服专员", "site", site_}}, "", false};
  auto hidden = d_->Get(someone, manager->id);
  ASSERT_FALSE(hidden);
  EXPECT_EQ(hidden.error().code, Errc::kNotFound);
  auto none = d_->List(someone, {site_, 0, std::nullopt}, {0, 50});
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, DisciplineTest,
                         ::testing::ValuesIn(testing_support::Backends()));

TEST(DisciplinePack, TheShippedLadderIsR03s) {
  auto pack =
      policy::ActivePack::Open(std::filesystem::path(ZHIDU_SOURCE_DIR) / "policies/cn-default");
  ASSERT_TRUE(pack) << pack.error().message;
  const auto* ladder = FindLadder(*(*pack)->Current(), "r03-progressive");
  ASSERT_TRUE(ladder);
  std::vector<std::string> ids;
  for (const auto& s : ladder->steps) ids.push_back(s.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"educate", "report-manager", "public-criticism",
                                           "company-discipline", "dismissal"}));
  EXPECT_EQ(ladder->steps[0].correct_within_param, "r03_correction_within");
  EXPECT_FALSE(ladder->steps[0].correct_within.has_value());  // R03 gives no period
  EXPECT_EQ(ladder->steps[0].on_refusal, "report-manager");
  EXPECT_EQ(ladder->steps[2].on_refusal, "company-discipline");
  EXPECT_EQ(ladder->steps[4].approval, "r03-dismissal");
  EXPECT_TRUE(ladder->steps[4].closes);
  EXPECT_EQ(ConsequenceStep(R"({"code":"X","discipline":"educate","occurrence":1})"), "educate");
  EXPECT_EQ(ConsequenceStep(R"({"code":"X"})"), "");
  EXPECT_TRUE(ConsequenceCompensates(R"({"compensation_at_cost":true})"));
  EXPECT_FALSE(ConsequenceCompensates(R"({"compensation_at_cost":false})"));
}

}  // namespace
}  // namespace zhidu::people
