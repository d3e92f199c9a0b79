// The webhook dispatcher's retry policy, driven with explicit times and a scripted transport.
#include "kernel/notify/webhooks.hpp"

#include <gtest/gtest.h>

#include "tests/store_backends.hpp"

namespace zhidu::notify {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Fails the first `failures` attempts of each record, then accepts; logs every attempt.
class ScriptedTransport final : public WebhookTransport {
 public:
  int failures = 0;
  std::vector<std::pair<store::Id, std::int64_t>> attempts;  // (channel, seq)
  std::map<std::int64_t, int> tries;
  bool Wants(const store::WebhookChannel& c, const store::JournalRecord&) override {
    return c.site_id != 99;
  }
  DeliveryOutcome Deliver(const store::WebhookChannel& c, const store::JournalRecord& r) override {
    attempts.emplace_back(c.id, r.seq);
    return ++tries[r.seq] > failures ? DeliveryOutcome{true, "200"} : DeliveryOutcome{false, "500"};
  }
};

RecordPtr Rec(std::int64_t seq, std::string kind) {
  auto r = std::make_shared<store::JournalRecord>();
  r->seq = seq;
  r->kind = std::move(kind);
  return r;
}

store::WebhookChannel Channel(store::Id id, std::string kinds, store::Id site = 0) {
  store::WebhookChannel c;
  c.id = id;
  c.name = "c" + std::to_string(id);
  c.format = "wecom";
  c.kinds = std::move(kinds);
  c.site_id = site;
  return c;
}

class DispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = testing_support::OpenFreshStore("sqlite");
    ASSERT_TRUE(opened);
    store_ = std::move(*opened);
    ASSERT_TRUE(store_->Migrate());
    feed_ = std::make_unique<EventFeed>(*store_);
  }
  DispatcherOptions Options(int max_attempts, size_t max_queue = 100) {
    DispatcherOptions o;
    o.retry = {milliseconds(1000), milliseconds(5000), max_attempts};
    o.max_queue = max_queue;
    return o;
  }
  TimePoint T(double s) {
    return t0_ + std::chrono::duration_cast<Micros>(std::chrono::duration<double>(s));
  }

  TimePoint t0_{Micros(1'790'000'000'000'000)};
  ManualClock clock_{t0_};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<EventFeed> feed_;
  ScriptedTransport transport_;
};

TEST(BackoffTest, DoublesFromTheInitialWaitUpToTheCap) {
  RetryPolicy p{milliseconds(1000), milliseconds(10000), 10};
  EXPECT_EQ(BackoffAfter(p, 1), seconds(1));
  EXPECT_EQ(BackoffAfter(p, 2), seconds(2));
  EXPECT_EQ(BackoffAfter(p, 3), seconds(4));
  EXPECT_EQ(BackoffAfter(p, 4), seconds(8));
  EXPECT_EQ(BackoffAfter(p, 5), seconds(10));
  EXPECT_EQ(BackoffAfter(p, 60), seconds(10));
}

TEST(KindsTest, PrefixesSelectKinds) {
  EXPECT_TRUE(KindSelected("", "anything"));
  EXPECT_TRUE(KindSelected("duty.\nviolation.", "violation.opened"));
  EXPECT_FALSE(KindSelected("duty.\nviolation.", "org.site.created"));
  EXPECT_EQ(KindPrefixes("a.\n\nb."), (std::vector<std::string>{"a.", "b."}));
}

TEST_F(DispatcherTest, RetriesWithBackoffUntilAccepted) {
  transport_.failures = 2;
  WebhookDispatcher d(*store_, *feed_, transport_, clock_, Options(5));
  d.SetChannels({Channel(1, "duty.")});
  d.Offer({Rec(10, "duty.late"), Rec(11, "org.site.created")});  // the second is not selected
  EXPECT_EQ(d.RunDue(T(0)), T(1));                               // failed: retry after 1 s
  EXPECT_EQ(d.RunDue(T(0.9)), T(1));                             // not due yet: no attempt
  EXPECT_EQ(transport_.attempts.size(), 1u);
  EXPECT_EQ(d.RunDue(T(1)), T(3));  // failed again: retry after 2 s more
  EXPECT_EQ(d.RunDue(T(2.5)), T(3));
  EXPECT_EQ(d.RunDue(T(3)), TimePoint::max());  // accepted; nothing waits
  ASSERT_EQ(transport_.attempts.size(), 3u);
  auto stats = d.Stats()[1];
  EXPECT_EQ(stats.attempts, 3u);
  EXPECT_EQ(stats.delivered, 1u);
  EXPECT_EQ(stats.failed, 0u);
  EXPECT_EQ(stats.queued, 0u);
  EXPECT_EQ(stats.last_status, "200");
  EXPECT_EQ(stats.last_attempt_at, T(3));
}

TEST_F(DispatcherTest, GivesUpAfterMaxAttemptsAndKeepsOrderPerChannel) {
  transport_.failures = 100;
  WebhookDispatcher d(*store_, *feed_, transport_, clock_, Options(3));
  d.SetChannels({Channel(1, ""), Channel(2, "", 99)});  // channel 2's transport refuses all
  d.Offer({Rec(1, "a"), Rec(2, "b")});
  TimePoint now = T(0);
  for (int i = 0; i < 20 && now != TimePoint::max(); ++i) now = d.RunDue(now);
  // Record 1: attempts at 0, 1, 3 s; then record 2: 3, 4, 6 s. Never interleaved.
  std::vector<std::pair<store::Id, std::int64_t>> want = {{1, 1}, {1, 1}, {1, 1},
                                                          {1, 2}, {1, 2}, {1, 2}};
  EXPECT_EQ(transport_.attempts, want);
  auto stats = d.Stats();
  EXPECT_EQ(stats[1].failed, 2u);
  EXPECT_EQ(stats[1].delivered, 0u);
  EXPECT_EQ(stats[1].last_status, "500");
  EXPECT_EQ(stats[2].attempts, 0u);
}

TEST_F(DispatcherTest, AFullQueueDropsTheOldest) {
  WebhookDispatcher d(*store_, *feed_, transport_, clock_, Options(3, 2));
  d.SetChannels({Channel(1, "")});
  d.Offer({Rec(1, "a"), Rec(2, "a"), Rec(3, "a")});
  auto stats = d.Stats()[1];
  EXPECT_EQ(stats.dropped, 1u);
  EXPECT_EQ(stats.queued, 2u);
  d.RunDue(T(0));
  d.RunDue(T(0));
  ASSERT_EQ(transport_.attempts.size(), 2u);
  EXPECT_EQ(transport_.attempts[0].second, 2);
  EXPECT_EQ(transport_.attempts[1].second, 3);
}

TEST_F(DispatcherTest, RemovedChannelsLoseTheirQueue) {
  transport_.failures = 100;
  WebhookDispatcher d(*store_, *feed_, transport_, clock_, Options(5));
  d.SetChannels({Channel(1, "")});
  d.Offer({Rec(1, "a")});
  d.RunDue(T(0));
  d.SetChannels({});
  EXPECT_EQ(d.RunDue(T(100)), TimePoint::max());
  EXPECT_EQ(transport_.attempts.size(), 1u);
  EXPECT_TRUE(d.Stats().empty());
}

}  // namespace
}  // namespace zhidu::notify
