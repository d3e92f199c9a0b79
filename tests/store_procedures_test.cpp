// Procedure instances, their transitions and tasks, and deadlines in the storage conformance
// suite: the same tests on every backend.
#include <gtest/gtest.h>

#include "base/clock.hpp"
#include "store/store.hpp"
#include "tests/store_backends.hpp"

namespace zhidu::store {
namespace {

using std::chrono::minutes;

class ProcedureConformance : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto opened = testing_support::OpenFreshStore(GetParam());
    if (!opened) GTEST_SKIP() << opened.error().message;
    store_ = std::move(*opened);
    ASSERT_TRUE(store_->Migrate());
    auto u = *store_->BeginWrite();
    site_ = *u->InsertSite({0, "一号站", "Asia/Shanghai", t0_});
    ASSERT_TRUE(u->Commit());
  }

  ProcedureInstance Instance(std::string ref) {
    ProcedureInstance in;
    in.site_id = site_;
    in.procedure = "r20-fire-alarm";
    in.state = "alarm";
    in.subject = "3F 烟感";
    in.ref = std::move(ref);
    in.data = R"({"zone":"3F"})";
    in.started_by = 4;
    in.started_at = in.updated_at = t0_;
    return in;
  }

  std::unique_ptr<Store> store_;
  const TimePoint t0_{Micros(1'790'000'000'000'000)};
  Id site_ = 0;
};

TEST_P(ProcedureConformance, InstancesMoveOnlyFromTheirCurrentState) {
  auto u = *store_->BeginWrite();
  auto id = u->InsertProcedureInstance(Instance("fa-1"));
  ASSERT_TRUE(id) << id.error().message;
  ASSERT_TRUE(u->InsertProcedureInstance(Instance("fa-2")));
  auto in = *u->GetProcedureInstance(*id);
  EXPECT_EQ(in.state, "alarm");
  EXPECT_EQ(in.data, R"({"zone":"3F"})");
  EXPECT_EQ(in.notes, "[]");
  EXPECT_EQ(in.closed_at, TimePoint{});

  in.state = "fire";
  in.updated_at = t0_ + minutes(2);
  ASSERT_TRUE(u->UpdateProcedureInstance(in, "alarm"));
  // A second move from "alarm" finds it elsewhere: nothing written.
  in.state = "false-alarm";
  EXPECT_EQ(u->UpdateProcedureInstance(in, "alarm").error().code, Errc::kFailedPrecondition);
  in.state = "closed";
  in.closed_at = t0_ + minutes(9);
  in.notes = R"([{"kind":"understaffed"}])";
  ASSERT_TRUE(u->UpdateProcedureInstance(in, "fire"));
  auto back = *u->GetProcedureInstance(*id);
  EXPECT_EQ(back.state, "closed");
  EXPECT_EQ(back.closed_at, t0_ + minutes(9));
  EXPECT_EQ(back.notes, R"([{"kind":"understaffed"}])");
  EXPECT_EQ(u->GetProcedureInstance(999999).error().code, Errc::kNotFound);

  ProcedureFilter f;
  f.site_id = site_;
  f.open = true;
  auto open = *u->ListProcedureInstances(f, {0, 10});
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].ref, "fa-2");
  f.open = false;
  EXPECT_EQ(u->ListProcedureInstances(f, {0, 10})->size(), 1u);
  f.open.reset();
  f.ref = "fa-1";
  EXPECT_EQ(u->ListProcedureInstances(f, {0, 10})->at(0).id, *id);
  f.ref.clear();
  f.state = "alarm";
  EXPECT_EQ(u->ListProcedureInstances(f, {0, 10})->size(), 1u);
  ASSERT_TRUE(u->Commit());
}

TEST_P(ProcedureConformance, TransitionsAndTasksKeepHistoryAndDistinctPeople) {
  auto u = *store_->BeginWrite();
  Id in = *u->InsertProcedureInstance(Instance("fa-1"));
  ASSERT_TRUE(
      u->InsertProcedureTransition({0, in, "", "alarm", "fire_alarm", 4, 0, "", "{}", t0_}));
  ASSERT_TRUE(
      u->InsertProcedureTransition({0, in, "alarm", "fire", "fire_confirmed", 5, 31, "起火",
                                    R"({"alarm.confirmed_on_site":true})", t0_ + minutes(2)}));
  auto history = *u->ListProcedureTransitions(in);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[1].from_state, "alarm");
  EXPECT_EQ(history[1].person_id, 31);
  EXPECT_EQ(history[1].at, t0_ + minutes(2));
  EXPECT_EQ(history[1].inputs, R"({"alarm.confirmed_on_site":true})");

  ProcedureTask a{0, in, "alarm", "assignment", "出现场确认", "消防控制室值班员", 0};
  ProcedureTask b{0, in, "alarm", "assignment", "留守执机", "消防控制室值班员", 0};
  a.id = *u->InsertProcedureTask(a);
  b.id = *u->InsertProcedureTask(b);
  EXPECT_EQ(u->InsertProcedureTask(a).error().code, Errc::kConflict);  // same slot twice
  a.person_id = 31;
  a.assigned_by = 4;
  a.assigned_at = t0_ + minutes(1);
  ASSERT_TRUE(u->UpdateProcedureTask(a));
  b.person_id = 31;  // the same person for the other task of the state: two tasks, two people
  EXPECT_EQ(u->UpdateProcedureTask(b).error().code, Errc::kConflict);
  b.person_id = 32;
  ASSERT_TRUE(u->UpdateProcedureTask(b));
  ProcedureTask act{0, in, "fire", "action", "call:119", "", 0};
  act.id = *u->InsertProcedureTask(act);
  act.done_by = 5;
  act.done_at = t0_ + minutes(3);
  act.note = "已拨打";
  ASSERT_TRUE(u->UpdateProcedureTask(act));
  ProcedureTask missing = act;
  missing.id = 999999;
  EXPECT_EQ(u->UpdateProcedureTask(missing).error().code, Errc::kNotFound);
  auto tasks = *u->ListProcedureTasks(in);
  ASSERT_EQ(tasks.size(), 3u);
  EXPECT_EQ(tasks[0].person_id, 31);
  EXPECT_EQ(tasks[0].assigned_at, t0_ + minutes(1));
  EXPECT_EQ(tasks[1].person_id, 32);
  EXPECT_EQ(tasks[2].kind, "action");
  EXPECT_EQ(tasks[2].done_at, t0_ + minutes(3));
  EXPECT_EQ(tasks[2].note, "已拨打");
  ASSERT_TRUE(u->Commit());
}

TEST_P(ProcedureConformance, DeadlinesStopOnceFromTheirState) {
  auto u = *store_->BeginWrite();
  Deadline d;
  d.site_id = site_;
  d.service_level = "r04-rectify";
  d.ref = "insp-1";
  d.person_id = 31;
  d.state = "open";
  d.data = R"({"deadline":"2h"})";
  d.note = "限期 2h";
  d.started_at = t0_;
  d.due_at = t0_ + minutes(120);
  d.id = *u->InsertDeadline(d);
  Deadline other = d;
  other.ref = "insp-2";
  other.state = "not_started";
  other.due_at = TimePoint{};
  other.id = *u->InsertDeadline(other);

  auto got = *u->GetDeadline(d.id);
  EXPECT_EQ(got.due_at, t0_ + minutes(120));
  EXPECT_EQ(got.person_id, 31);
  got.state = "breached";
  got.breached_at = got.due_at;
  ASSERT_TRUE(u->UpdateDeadline(got, "open"));
  got.state = "met";
  EXPECT_EQ(u->UpdateDeadline(got, "open").error().code, Errc::kFailedPrecondition);
  got.state = "met_late";
  got.stopped_at = t0_ + minutes(150);
  got.stopped_by = 4;
  ASSERT_TRUE(u->UpdateDeadline(got, "breached"));
  auto back = *u->GetDeadline(d.id);
  EXPECT_EQ(back.state, "met_late");
  EXPECT_EQ(back.breached_at, t0_ + minutes(120));
  EXPECT_EQ(back.stopped_at, t0_ + minutes(150));
  EXPECT_EQ(u->GetDeadline(999999).error().code, Errc::kNotFound);

  DeadlineFilter f;
  f.site_id = site_;
  f.state = "not_started";
  auto rows = *u->ListDeadlines(f, {0, 10});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].id, other.id);
  f.state.clear();
  f.ref = "insp-1";
  EXPECT_EQ(u->ListDeadlines(f, {0, 10})->at(0).id, d.id);
  f.ref.clear();
  EXPECT_EQ(u->ListDeadlines(f, {d.id, 10})->size(), 1u);  // keyset page after the first
  ASSERT_TRUE(u->Commit());
}

INSTANTIATE_TEST_SUITE_P(Backends, ProcedureConformance,
                         ::testing::ValuesIn(testing_support::Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace zhidu::store
