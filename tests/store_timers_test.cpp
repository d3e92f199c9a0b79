// Durable timers (定时器) in the storage conformance suite: the same tests on every backend.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "base/clock.hpp"
#include "store/store.hpp"
#include "tests/store_backends.hpp"

namespace zhidu::store {
namespace {

using std::chrono::seconds;

class TimerConformance : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto opened = testing_support::OpenFreshStore(GetParam());
    if (!opened) GTEST_SKIP() << opened.error().message;
    store_ = std::move(*opened);
    ASSERT_TRUE(store_->Migrate());
  }

  Timer Make(std::string kind, TimePoint due, std::string subject = "account/1") {
    Timer t;
    t.kind = std::move(kind);
    t.subject = std::move(subject);
    t.payload = R"({"message":"换班提醒"})";
    t.due_at = due;
    t.created_at = t0_;
    return t;
  }

  // Runs `f` in a write unit and commits.
  template <typename F>
  auto InWrite(F f) {
    auto unit = store_->BeginWrite();
    EXPECT_TRUE(unit) << unit.error().message;
    auto result = f(**unit);
    EXPECT_TRUE((*unit)->Commit());
    return result;
  }

  std::unique_ptr<Store> store_;
  const TimePoint t0_{Micros(1'790'000'000'000'000)};
};

TEST_P(TimerConformance, InsertGetListCount) {
  auto ids = InWrite([&](UnitOfWork& u) {
    std::vector<Id> out;
    out.push_back(*u.InsertTimer(Make("reminder", t0_ + seconds(10))));
    out.push_back(*u.InsertTimer(Make("duty.due", t0_ + seconds(5), "duty/3")));
    return out;
  });
  auto r = *store_->BeginRead();
  auto t = r->GetTimer(ids[0]);
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->kind, "reminder");
  EXPECT_EQ(t->payload, R"({"message":"换班提醒"})");
  EXPECT_EQ(t->due_at, t0_ + seconds(10));
  EXPECT_EQ(t->state, TimerState::kPending);
  EXPECT_EQ(t->attempts, 0);
  EXPECT_EQ(t->site_id, 0);
  EXPECT_EQ(r->GetTimer(999).error().code, Errc::kNotFound);
  EXPECT_EQ(*r->CountTimers(std::nullopt), 2);
  EXPECT_EQ(*r->CountTimers(TimerState::kPending), 2);
  EXPECT_EQ(*r->CountTimers(TimerState::kFired), 0);
  EXPECT_EQ(**r->NextDueAt(), t0_ + seconds(5));
  auto duty = r->ListTimers({.subject = "duty/3"}, {});
  ASSERT_TRUE(duty);
  ASSERT_EQ(duty->size(), 1u);
  EXPECT_EQ((*duty)[0].id, ids[1]);
  auto page = r->ListTimers({}, {.after_id = ids[0], .limit = 10});
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ(r->ListTimers({.kind = "reminder", .state = TimerState::kPending}, {})->size(), 1u);
}

TEST_P(TimerConformance, InsertTimersInBulkKeepsOrder) {
  std::vector<Timer> many;
  for (int i = 0; i < 2500; ++i)
    many.push_back(Make("bulk", t0_ + seconds(i), "bulk/" + std::to_string(i)));
  auto ids = InWrite([&](UnitOfWork& u) { return u.InsertTimers(many); });
  ASSERT_TRUE(ids) << ids.error().message;
  ASSERT_EQ(ids->size(), 2500u);
  auto r = *store_->BeginRead();
  EXPECT_EQ(r->GetTimer((*ids)[1234])->subject, "bulk/1234");
  EXPECT_EQ(*r->CountTimers(TimerState::kPending), 2500);
}

TEST_P(TimerConformance, ClaimTakesDueTimersEarliestFirstUpToTheLimit) {
  InWrite([&](UnitOfWork& u) {
    for (int i = 0; i < 5; ++i) (void)u.InsertTimer(Make("k", t0_ + seconds(5 - i)));
    (void)u.InsertTimer(Make("k", t0_ + seconds(100)));  // not due
    return 0;
  });
  auto claimed = InWrite(
      [&](UnitOfWork& u) { return u.ClaimDueTimers(t0_ + seconds(10), "node-a", seconds(30), 3); });
  ASSERT_TRUE(claimed) << claimed.error().message;
  ASSERT_EQ(claimed->size(), 3u);
  EXPECT_EQ((*claimed)[0].due_at, t0_ + seconds(1));
  EXPECT_EQ((*claimed)[2].due_at, t0_ + seconds(3));
  for (const auto& t : *claimed) {
    EXPECT_EQ(t.state, TimerState::kClaimed);
    EXPECT_EQ(t.claimed_by, "node-a");
    EXPECT_EQ(t.lease_until, t0_ + seconds(40));
    EXPECT_EQ(t.attempts, 1);
  }
  auto rest = InWrite([&](UnitOfWork& u) {
    return u.ClaimDueTimers(t0_ + seconds(10), "node-b", seconds(30), 10);
  });
  ASSERT_EQ(rest->size(), 2u);  // the other two due ones; the claimed three are leased
  auto none = InWrite([&](UnitOfWork& u) {
    return u.ClaimDueTimers(t0_ + seconds(10), "node-c", seconds(30), 10);
  });
  EXPECT_TRUE(none->empty());
  auto r = *store_->BeginRead();
  EXPECT_EQ(*r->CountTimers(TimerState::kClaimed), 5);
  // The next thing to look at is the earliest lease end, before the pending one at +100 s.
  EXPECT_EQ(**r->NextDueAt(), t0_ + seconds(40));
}

TEST_P(TimerConformance, ExpiredLeaseIsReclaimedAndTheOldOwnerCannotFire) {
  Id id = InWrite([&](UnitOfWork& u) { return *u.InsertTimer(Make("k", t0_)); });
  auto first =
      InWrite([&](UnitOfWork& u) { return u.ClaimDueTimers(t0_, "dead", seconds(30), 10); });
  ASSERT_EQ(first->size(), 1u);
  // Within the lease nobody else gets it.
  auto during = InWrite(
      [&](UnitOfWork& u) { return u.ClaimDueTimers(t0_ + seconds(29), "live", seconds(30), 10); });
  EXPECT_TRUE(during->empty());
  // After it, another node does.
  auto after = InWrite(
      [&](UnitOfWork& u) { return u.ClaimDueTimers(t0_ + seconds(30), "live", seconds(30), 10); });
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ((*after)[0].id, id);
  EXPECT_EQ((*after)[0].claimed_by, "live");
  EXPECT_EQ((*after)[0].attempts, 2);
  // The node that lost its lease may not fire it.
  auto stale = InWrite(
      [&](UnitOfWork& u) { return u.MarkTimerFired(id, "dead", t0_ + seconds(31), false); });
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, Errc::kConflict);
  auto fired =
      InWrite([&](UnitOfWork& u) { return u.MarkTimerFired(id, "live", t0_ + seconds(31), true); });
  ASSERT_TRUE(fired) << fired.error().message;
  auto r = *store_->BeginRead();
  auto t = *r->GetTimer(id);
  EXPECT_EQ(t.state, TimerState::kFired);
  EXPECT_EQ(t.fired_at, t0_ + seconds(31));
  EXPECT_TRUE(t.late);
}

TEST_P(TimerConformance, FiredTimerIsNeverReturnedAgain) {
  Id id = InWrite([&](UnitOfWork& u) { return *u.InsertTimer(Make("k", t0_)); });
  InWrite([&](UnitOfWork& u) {
    auto c = u.ClaimDueTimers(t0_, "a", seconds(1), 10);
    EXPECT_EQ(c->size(), 1u);
    return u.MarkTimerFired(id, "a", t0_, false);
  });
  for (int hours : {0, 1, 1000}) {
    auto again = InWrite([&](UnitOfWork& u) {
      return u.ClaimDueTimers(t0_ + std::chrono::hours(hours), "b", seconds(1), 10);
    });
    EXPECT_TRUE(again->empty()) << "after " << hours << " h";
  }
  auto twice = InWrite([&](UnitOfWork& u) { return u.MarkTimerFired(id, "a", t0_, false); });
  EXPECT_EQ(twice.error().code, Errc::kConflict);
  auto r = *store_->BeginRead();
  EXPECT_FALSE(r->NextDueAt()->has_value());
  EXPECT_EQ(*r->CountTimers(TimerState::kFired), 1);
}

TEST_P(TimerConformance, CancelPendingOrClaimedOnly) {
  auto ids = InWrite([&](UnitOfWork& u) {
    return std::vector<Id>{*u.InsertTimer(Make("k", t0_)), *u.InsertTimer(Make("k", t0_))};
  });
  ASSERT_TRUE(InWrite([&](UnitOfWork& u) { return u.CancelTimer(ids[0], t0_); }));
  auto again = InWrite([&](UnitOfWork& u) { return u.CancelTimer(ids[0], t0_); });
  EXPECT_EQ(again.error().code, Errc::kFailedPrecondition);
  EXPECT_EQ(InWrite([&](UnitOfWork& u) { return u.CancelTimer(12345, t0_); }).error().code,
            Errc::kNotFound);
  // A cancelled timer is not claimed; a claimed one can be cancelled and then cannot fire.
  auto claimed =
      InWrite([&](UnitOfWork& u) { return u.ClaimDueTimers(t0_, "a", seconds(30), 10); });
  ASSERT_EQ(claimed->size(), 1u);
  EXPECT_EQ((*claimed)[0].id, ids[1]);
  ASSERT_TRUE(InWrite([&](UnitOfWork& u) { return u.CancelTimer(ids[1], t0_); }));
  EXPECT_EQ(InWrite([&](UnitOfWork& u) { return u.MarkTimerFired(ids[1], "a", t0_, false); })
                .error()
                .code,
            Errc::kConflict);
  auto r = *store_->BeginRead();
  EXPECT_EQ(*r->CountTimers(TimerState::kCancelled), 2);
}

TEST_P(TimerConformance, FailedIsFinal) {
  Id id = InWrite([&](UnitOfWork& u) { return *u.InsertTimer(Make("k", t0_)); });
  InWrite([&](UnitOfWork& u) { return u.ClaimDueTimers(t0_, "a", seconds(1), 10); });
  ASSERT_TRUE(InWrite([&](UnitOfWork& u) { return u.MarkTimerFailed(id, "a", t0_); }));
  auto later = InWrite([&](UnitOfWork& u) {
    return u.ClaimDueTimers(t0_ + std::chrono::hours(1), "b", seconds(1), 10);
  });
  EXPECT_TRUE(later->empty());
  EXPECT_EQ((*store_->BeginRead())->GetTimer(id)->state, TimerState::kFailed);
}

TEST_P(TimerConformance, ClaimInARolledBackUnitLeavesTheTimerPending) {
  InWrite([&](UnitOfWork& u) { return *u.InsertTimer(Make("k", t0_)); });
  {
    auto u = *store_->BeginWrite();
    ASSERT_EQ(u->ClaimDueTimers(t0_, "a", seconds(30), 10)->size(), 1u);
  }  // no commit
  auto again = InWrite([&](UnitOfWork& u) { return u.ClaimDueTimers(t0_, "b", seconds(30), 10); });
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ((*again)[0].attempts, 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, TimerConformance,
                         ::testing::ValuesIn(testing_support::Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace zhidu::store
