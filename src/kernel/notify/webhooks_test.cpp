// The webhook dispatcher's retry policy, driven with explicit times and a scripted transport.
#include "kernel/notify/webhooks.hpp"

#include <gtest/gtest.h>

#include "store/writer.hpp"
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

class DispatcherTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto opened = testing_support::OpenFreshStore(GetParam());
    if (!opened) GTEST_SKIP() << opened.error().message;
    store_ = std::move(*opened);
    ASSERT_TRUE(store_->Migrate());
    writer_ = std::make_unique<store::Writer>(*store_, clock_);
    feed_ = std::make_unique<EventFeed>(*store_);
  }
  void TearDown() override {
    if (writer_) writer_->Stop();
  }
  DispatcherOptions Options(std::string node, int max_attempts) {
    DispatcherOptions o;
    o.node_id = std::move(node);
    o.retry = {milliseconds(1000), milliseconds(5000), max_attempts};
    o.lease = seconds(30);
    return o;
  }
  TimePoint T(double s) {
    return t0_ + std::chrono::duration_cast<Micros>(std::chrono::duration<double>(s));
  }
  // A channel created as an administrator would (its cursor starts at its creation record).
  store::Id Channel(std::string name, std::vector<std::string> kinds) {
    NewWebhookChannel in;
    in.name = std::move(name);
    in.format = "wecom";
    in.url = "http://127.0.0.1:9/robot";
    in.kinds = std::move(kinds);
    auto c = CreateWebhookChannel(*writer_, 0, in);
    EXPECT_TRUE(c) << c.error().message;
    return c ? c->id : 0;
  }
  std::int64_t Journal(std::string kind) {
    auto seq = writer_->Run<std::int64_t>(
        [&](store::Tx& tx) { return tx.Journal(kind, 0, "test/1", "{}"); });
    EXPECT_TRUE(seq) << seq.error().message;
    return seq.value_or(0);
  }
  // Rounds of `d` at `now` until nothing is due at once.
  void Drain(WebhookDispatcher& d, TimePoint now) {
    for (int i = 0; i < 50; ++i) {
      auto next = d.RunOnce(now);
      ASSERT_TRUE(next) << next.error().message;
      if (*next > now) return;
    }
    FAIL() << "the dispatcher never settled";
  }

  TimePoint t0_{Micros(1'790'000'000'000'000)};
  ManualClock clock_{t0_};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<store::Writer> writer_;
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

TEST_P(DispatcherTest, RetriesWithBackoffUntilAcceptedAndCountsInTheStore) {
  transport_.failures = 2;
  store::Id id = Channel("duty", {"duty."});
  WebhookDispatcher d(*store_, *writer_, *feed_, transport_, clock_, Options("a", 5));
  std::int64_t late = Journal("duty.late");
  Journal("org.site.created");          // not selected
  EXPECT_EQ(*d.RunOnce(T(0)), T(1));    // failed: retry after 1 s
  EXPECT_EQ(*d.RunOnce(T(0.9)), T(1));  // not due yet: no attempt
  EXPECT_EQ(transport_.attempts.size(), 1u);
  EXPECT_EQ(*d.RunOnce(T(1)), T(3));  // failed again: retry after 2 s more
  EXPECT_EQ(*d.RunOnce(T(2.5)), T(3));
  EXPECT_EQ(*d.RunOnce(T(3)), T(3));  // accepted: look again at once
  Drain(d, T(3));                     // passes over org.site.created
  ASSERT_EQ(transport_.attempts.size(), 3u);
  EXPECT_EQ(transport_.attempts.back(), (std::pair<store::Id, std::int64_t>{id, late}));
  clock_.Set(T(3));
  auto stats = (*d.Stats())[id];
  EXPECT_EQ(stats.attempts, 3u);
  EXPECT_EQ(stats.delivered, 1u);
  EXPECT_EQ(stats.failed, 0u);
  EXPECT_EQ(stats.queued, 0u);
  EXPECT_EQ(stats.last_status, "200");
  EXPECT_EQ(stats.last_attempt_at, T(3));
  EXPECT_EQ(stats.node, "a");
  EXPECT_EQ(d.node_stats().delivered, 1u);
}

TEST_P(DispatcherTest, GivesUpAfterMaxAttemptsAndKeepsOrderPerChannel) {
  transport_.failures = 100;
  store::Id id = Channel("all", {});
  WebhookDispatcher d(*store_, *writer_, *feed_, transport_, clock_, Options("a", 3));
  std::int64_t first = Journal("a"), second = Journal("b");
  TimePoint now = T(0);
  for (int i = 0; i < 30 && now != TimePoint::max(); ++i) now = *d.RunOnce(now);
  // Record 1: attempts at 0, 1, 3 s; then record 2: 3, 4, 6 s. Never interleaved.
  std::vector<std::pair<store::Id, std::int64_t>> want = {{id, first},  {id, first},  {id, first},
                                                          {id, second}, {id, second}, {id, second}};
  EXPECT_EQ(transport_.attempts, want);
  auto stats = (*d.Stats())[id];
  EXPECT_EQ(stats.failed, 2u);
  EXPECT_EQ(stats.delivered, 0u);
  EXPECT_EQ(stats.last_status, "500");
}

TEST_P(DispatcherTest, TwoNodesSendEachRecordOnceAndTheSurvivorTakesOverAfterTheLease) {
  store::Id id = Channel("all", {"x."});
  WebhookDispatcher a(*store_, *writer_, *feed_, transport_, clock_, Options("a", 3));
  WebhookDispatcher b(*store_, *writer_, *feed_, transport_, clock_, Options("b", 3));
  std::vector<std::int64_t> seqs;
  for (int i = 0; i < 3; ++i) seqs.push_back(Journal("x.event"));
  Drain(a, T(0));
  Drain(b, T(0));  // a holds the lease: b sends nothing
  ASSERT_EQ(transport_.attempts.size(), 3u);
  // a "dies" holding the lease; new records wait for it to run out, then b sends them once.
  for (int i = 0; i < 2; ++i) seqs.push_back(Journal("x.event"));
  Drain(b, T(29));
  EXPECT_EQ(transport_.attempts.size(), 3u);
  Drain(b, T(31));
  Drain(a, T(31));  // a comes back: b holds the lease now
  ASSERT_EQ(transport_.attempts.size(), 5u);
  for (size_t i = 0; i < seqs.size(); ++i)
    EXPECT_EQ(transport_.attempts[i], (std::pair<store::Id, std::int64_t>{id, seqs[i]}));
  // a gives up its leases (it holds none now): b keeps its claim.
  ASSERT_TRUE(a.Release());
  clock_.Set(T(31));
  EXPECT_EQ((*a.Stats())[id].node, "b");
  // b stops: its lease is given up and a continues at once.
  ASSERT_TRUE(b.Release());
  Journal("x.event");
  Drain(a, T(32));
  EXPECT_EQ(transport_.attempts.size(), 6u);
  EXPECT_EQ((*a.Stats())[id].delivered, 6u);
}

TEST_P(DispatcherTest, DeletedChannelsAreNotSentTo) {
  store::Id id = Channel("gone", {});
  WebhookDispatcher d(*store_, *writer_, *feed_, transport_, clock_, Options("a", 3));
  ASSERT_TRUE(DeleteWebhookChannel(*writer_, 0, id));
  Journal("x.event");
  Drain(d, T(0));
  EXPECT_TRUE(transport_.attempts.empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, DispatcherTest, ::testing::ValuesIn(testing_support::Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace zhidu::notify
