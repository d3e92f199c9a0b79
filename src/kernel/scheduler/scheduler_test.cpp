// The scheduler on every backend, driven by a ManualClock.
#include "kernel/scheduler/scheduler.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>

#include "base/canonical_json.hpp"
#include "store/writer.hpp"
#include "tests/store_backends.hpp"

namespace zhidu::scheduler {
namespace {

using std::chrono::seconds;
using store::Timer;
using store::TimerState;

class SchedulerTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto opened = testing_support::OpenFreshStore(GetParam());
    if (!opened) GTEST_SKIP() << opened.error().message;
    store_ = std::move(*opened);
    ASSERT_TRUE(store_->Migrate());
    writer_ = std::make_unique<store::Writer>(*store_, clock_);
  }
  void TearDown() override {
    if (writer_) writer_->Stop();
  }

  SchedulerOptions Options(std::string node) {
    SchedulerOptions o;
    o.node_id = std::move(node);
    o.lease = seconds(30);
    o.late_tolerance = seconds(2);
    o.poll_interval = std::chrono::milliseconds(20);
    o.batch = 64;
    o.max_attempts = 3;
    return o;
  }

  // Schedules a timer of `kind` due `in` from now; returns its id.
  store::Id Add(std::string kind, Micros in, std::string subject = "test/1") {
    auto id = writer_->Run<store::Id>([&](store::Tx& tx) {
      Timer t;
      t.kind = std::move(kind);
      t.subject = std::move(subject);
      t.payload = "{}";
      t.due_at = clock_.Now() + in;
      return Scheduler::Schedule(tx, t);
    });
    EXPECT_TRUE(id) << id.error().message;
    return id.value_or(0);
  }

  Timer Get(store::Id id) { return *(*store_->BeginRead())->GetTimer(id); }

  // Journal records of `kind`.
  std::vector<store::JournalRecord> Journal(const std::string& kind) {
    std::vector<store::JournalRecord> out;
    auto unit = *store_->BeginRead();
    EXPECT_TRUE(unit->ScanJournal([&](const store::JournalRecord& r) {
      if (r.kind == kind) out.push_back(r);
      return true;
    }));
    return out;
  }

  // A handler that journals "test.effect" and counts its calls.
  Handler Effect(std::atomic<int>& calls) {
    return [&calls](store::Tx& tx, const Timer& t) -> Result<void> {
      ++calls;
      ZHIDU_TRY(auto seq, tx.Journal("test.effect", 0, "timer/" + std::to_string(t.id),
                                     CanonicalObject().Add("late", t.late).Str()));
      (void)seq;
      return Ok();
    };
  }

  ManualClock clock_{TimePoint(Micros(1'790'000'000'000'000))};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<store::Writer> writer_;
};

TEST_P(SchedulerTest, FiresOnceWhenDueWithItsEffectAndJournalRecord) {
  Scheduler s(*store_, *writer_, clock_, Options("a"));
  std::atomic<int> calls = 0;
  s.Register("k", Effect(calls));
  store::Id id = Add("k", seconds(60));
  EXPECT_EQ(*s.RunOnce(), 0);  // not due yet
  clock_.Advance(seconds(59));
  EXPECT_EQ(*s.RunOnce(), 0);
  clock_.Advance(seconds(1));
  EXPECT_EQ(*s.RunOnce(), 1);
  EXPECT_EQ(*s.RunOnce(), 0);  // never again
  clock_.Advance(std::chrono::hours(24));
  EXPECT_EQ(*s.RunOnce(), 0);
  EXPECT_EQ(calls, 1);
  Timer t = Get(id);
  EXPECT_EQ(t.state, TimerState::kFired);
  EXPECT_FALSE(t.late);
  EXPECT_EQ(t.claimed_by, "a");
  auto fired = Journal("scheduler.timer.fired");
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0].subject, "timer/" + std::to_string(id));
  EXPECT_NE(fired[0].payload.find("\"late\":false"), std::string::npos);
  EXPECT_EQ(Journal("test.effect").size(), 1u);
  EXPECT_EQ(s.stats().fired, 1u);
}

TEST_P(SchedulerTest, OverdueTimersFireAtOnceMarkedLate) {
  std::atomic<int> calls = 0;
  store::Id on_time = Add("k", seconds(10));
  store::Id overdue = Add("k", -std::chrono::hours(3));  // came due while no node ran
  clock_.Advance(seconds(11));                           // 1 s after on_time: within tolerance
  Scheduler s(*store_, *writer_, clock_, Options("restarted"));
  s.Register("k", Effect(calls));
  EXPECT_EQ(*s.RunOnce(), 2);
  EXPECT_FALSE(Get(on_time).late);
  EXPECT_TRUE(Get(overdue).late);
  EXPECT_EQ(s.stats().late, 1u);
}

TEST_P(SchedulerTest, FailingHandlerLeavesNoEffectAndIsRetriedThenDeadLettered) {
  Scheduler s(*store_, *writer_, clock_, Options("a"));
  int attempts = 0;
  s.Register("bad", [&](store::Tx& tx, const Timer&) -> Result<void> {
    ++attempts;
    ZHIDU_TRY(auto seq, tx.Journal("test.half_done", 0, "x", "{}"));  // undone with the firing
    (void)seq;
    return Fail(Errc::kUnavailable, "the SMS gateway is down");
  });
  std::atomic<int> calls = 0;
  s.Register("good", Effect(calls));
  store::Id bad = Add("bad", seconds(0));
  store::Id good = Add("good", seconds(0));
  EXPECT_EQ(*s.RunOnce(), 1);  // the good one fires although the bad one fails beside it
  EXPECT_EQ(Get(good).state, TimerState::kFired);
  EXPECT_EQ(Get(bad).state, TimerState::kClaimed);
  EXPECT_TRUE(Journal("test.half_done").empty());
  EXPECT_EQ(*s.RunOnce(), 0);  // leased: not retried before the lease ends
  EXPECT_EQ(attempts, 1);
  clock_.Advance(seconds(30));
  EXPECT_EQ(*s.RunOnce(), 0);
  EXPECT_EQ(attempts, 2);
  clock_.Advance(seconds(30));
  EXPECT_EQ(*s.RunOnce(), 0);  // third attempt = max_attempts: dead letter
  EXPECT_EQ(attempts, 3);
  EXPECT_EQ(Get(bad).state, TimerState::kFailed);
  EXPECT_EQ(Journal("scheduler.timer.failed").size(), 1u);
  clock_.Advance(std::chrono::hours(1));
  EXPECT_EQ(*s.RunOnce(), 0);
  EXPECT_EQ(attempts, 3);
  EXPECT_TRUE(Journal("test.half_done").empty());
}

TEST_P(SchedulerTest, ClaimOfACrashedNodeIsTakenOverAfterItsLease) {
  std::atomic<int> calls = 0;
  store::Id id = Add("k", seconds(0));
  // A node claims and dies before firing (kill -9 between the two transactions).
  auto claimed = writer_->Run<std::vector<Timer>>([&](store::Tx& tx) {
    return tx.unit().ClaimDueTimers(clock_.Now(), "crashed", seconds(30), 10);
  });
  ASSERT_EQ(claimed->size(), 1u);
  Scheduler s(*store_, *writer_, clock_, Options("successor"));
  s.Register("k", Effect(calls));
  EXPECT_EQ(*s.RunOnce(), 0);
  clock_.Advance(seconds(30));
  EXPECT_EQ(*s.RunOnce(), 1);
  EXPECT_EQ(Get(id).claimed_by, "successor");
  EXPECT_EQ(Get(id).attempts, 2);
  EXPECT_EQ(calls, 1);
}

TEST_P(SchedulerTest, CancelledTimerNeverFires) {
  Scheduler s(*store_, *writer_, clock_, Options("a"));
  std::atomic<int> calls = 0;
  s.Register("k", Effect(calls));
  store::Id id = Add("k", seconds(5));
  ASSERT_TRUE(writer_->Run<int>([&](store::Tx& tx) -> Result<int> {
    ZHIDU_TRY_VOID(tx.unit().CancelTimer(id, tx.now()));
    return 0;
  }));
  clock_.Advance(seconds(10));
  EXPECT_EQ(*s.RunOnce(), 0);
  EXPECT_EQ(calls, 0);
}

TEST_P(SchedulerTest, TwoSchedulersShareTimersWithoutDoubleFiring) {
  constexpr int kTimers = 600;
  std::vector<Timer> many;
  for (int i = 0; i < kTimers; ++i) {
    Timer t;
    t.kind = "k";
    t.subject = "n/" + std::to_string(i);
    t.payload = "{}";
    t.due_at = clock_.Now() + Micros(i * 1000);
    t.created_at = clock_.Now();
    many.push_back(t);
  }
  ASSERT_TRUE(writer_->Run<std::vector<store::Id>>(
      [&](store::Tx& tx) { return tx.unit().InsertTimers(many); }));
  clock_.Advance(seconds(1));
  std::mutex mu;
  std::map<store::Id, int> fired;
  auto count = [&](store::Tx&, const Timer& t) -> Result<void> {
    std::lock_guard lock(mu);
    ++fired[t.id];
    return Ok();
  };
  Scheduler a(*store_, *writer_, clock_, Options("a"));
  Scheduler b(*store_, *writer_, clock_, Options("b"));
  a.Register("k", count);
  b.Register("k", count);
  std::atomic<int> total = 0;
  std::thread ta([&] { total += a.RunOnce().value_or(-100000); });
  std::thread tb([&] { total += b.RunOnce().value_or(-100000); });
  ta.join();
  tb.join();
  EXPECT_EQ(total, kTimers);
  EXPECT_EQ(static_cast<int>(fired.size()), kTimers);
  for (const auto& [id, n] : fired) EXPECT_EQ(n, 1) << "timer " << id;
  EXPECT_EQ(Journal("scheduler.timer.fired").size(), static_cast<size_t>(kTimers));
  EXPECT_EQ(*(*store_->BeginRead())->CountTimers(TimerState::kFired), kTimers);
}

TEST_P(SchedulerTest, BackgroundLoopWakesForANewTimerAndStops) {
  Scheduler s(*store_, *writer_, clock_, Options("loop"));
  std::atomic<int> calls = 0;
  s.Register("k", Effect(calls));
  s.Start();
  store::Id id = Add("k", seconds(0));
  s.Wake(clock_.Now());
  for (int i = 0; i < 500 && calls == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(calls, 1);
  // A timer due later fires once the (manual) clock reaches it: picked up by polling.
  store::Id later = Add("k", seconds(60));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(Get(later).state, TimerState::kPending);
  clock_.Advance(seconds(60));
  for (int i = 0; i < 500 && calls < 2; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(calls, 2);
  s.Stop();
  s.Stop();
  EXPECT_EQ(Get(id).state, TimerState::kFired);
}

TEST_P(SchedulerTest, UnknownKindIsNotFiredAndEventuallyFails) {
  Scheduler s(*store_, *writer_, clock_, Options("a"));
  store::Id id = Add("nobody.handles.this", seconds(0));
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(*s.RunOnce(), 0);
    clock_.Advance(seconds(30));
  }
  EXPECT_EQ(Get(id).state, TimerState::kFailed);
}

INSTANTIATE_TEST_SUITE_P(Backends, SchedulerTest, ::testing::ValuesIn(testing_support::Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace zhidu::scheduler
