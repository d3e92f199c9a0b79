// The EventFeed on SQLite: records reach subscribers in order, promptly after a commit; a full
// queue marks the subscription lagged instead of blocking the feed.
#include "kernel/notify/event_feed.hpp"

#include <gtest/gtest.h>

#include <atomic>

#include "store/writer.hpp"
#include "tests/store_backends.hpp"

namespace zhidu::notify {
namespace {

class EventFeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = testing_support::OpenFreshStore("sqlite");
    ASSERT_TRUE(opened) << opened.error().message;
    store_ = std::move(*opened);
    ASSERT_TRUE(store_->Migrate());
    writer_ = std::make_unique<store::Writer>(*store_, clock_);
  }
  void TearDown() override {
    if (writer_) writer_->Stop();
  }

  void Append(const std::string& kind) {
    auto r = writer_->Run<int>([&](store::Tx& tx) -> Result<int> {
      ZHIDU_TRY_VOID(tx.Journal(kind, 0, "test/1", "{}"));
      return 0;
    });
    ASSERT_TRUE(r) << r.error().message;
  }

  // Takes deliveries until `n` records arrived or 5 s passed.
  static Delivery Collect(Subscription& sub, size_t n) {
    Delivery all;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (all.records.size() < n && std::chrono::steady_clock::now() < deadline) {
      auto d = sub.Take();
      all.lagged |= d.lagged;
      all.records.insert(all.records.end(), d.records.begin(), d.records.end());
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return all;
  }

  ManualClock clock_{TimePoint(Micros(1'790'000'000'000'000))};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<store::Writer> writer_;
};

TEST_F(EventFeedTest, DeliversNewRecordsInOrderAfterTheStartHead) {
  Append("before.start");
  EventFeed feed(*store_, {std::chrono::seconds(30), 2, 1024});  // long poll: Notify must wake it
  ASSERT_TRUE(feed.Start());
  writer_->SetCommitListener([&](std::int64_t head) { feed.Notify(head); });
  auto sub = feed.Subscribe();
  std::atomic<int> wakes{0};
  sub->SetWaker([&] { wakes++; });
  for (int i = 0; i < 5; ++i) Append("test.event");
  auto got = Collect(*sub, 5);
  ASSERT_EQ(got.records.size(), 5u);
  EXPECT_FALSE(got.lagged);
  for (size_t i = 0; i < got.records.size(); ++i) {
    EXPECT_EQ(got.records[i]->seq, static_cast<std::int64_t>(i + 2));  // seq 1 predates Start
    EXPECT_EQ(got.records[i]->kind, "test.event");
  }
  EXPECT_GT(wakes.load(), 0);
  EXPECT_EQ(feed.head(), 6);
  writer_->SetCommitListener({});
  feed.Stop();
}

TEST_F(EventFeedTest, PollsWithoutNotify) {
  EventFeed feed(*store_, {std::chrono::milliseconds(20), 256, 1024});
  ASSERT_TRUE(feed.Start());
  auto sub = feed.Subscribe();
  Append("a");  // no commit listener: as if another process wrote it
  auto got = Collect(*sub, 1);
  ASSERT_EQ(got.records.size(), 1u);
  EXPECT_EQ(got.records[0]->kind, "a");
}

TEST_F(EventFeedTest, OverflowMarksLaggedAndKeepsTheNewest) {
  EventFeed feed(*store_, {std::chrono::milliseconds(10), 256, 1024});
  ASSERT_TRUE(feed.Start());
  auto slow = feed.Subscribe(3);
  auto fast = feed.Subscribe();
  for (int i = 0; i < 10; ++i) Append("e");
  auto all = Collect(*fast, 10);
  ASSERT_EQ(all.records.size(), 10u);
  auto d = slow->Take();
  EXPECT_TRUE(d.lagged);
  ASSERT_FALSE(d.records.empty());
  EXPECT_LE(d.records.size(), 3u);
  EXPECT_EQ(d.records.back()->seq, 10);
  // The hole is at the front, and contiguous after it: the owner replays up to front()-1.
  for (size_t i = 1; i < d.records.size(); ++i)
    EXPECT_EQ(d.records[i]->seq, d.records[i - 1]->seq + 1);
  EXPECT_FALSE(slow->Take().lagged);  // reported once
}

TEST_F(EventFeedTest, UnsubscribedQueuesReceiveNothing) {
  EventFeed feed(*store_, {std::chrono::milliseconds(10), 256, 1024});
  ASSERT_TRUE(feed.Start());
  std::atomic<int> wakes{0};
  {
    auto sub = feed.Subscribe();
    sub->SetWaker([&] { wakes++; });
  }
  Append("x");
  auto probe = feed.Subscribe();
  Append("y");
  ASSERT_FALSE(Collect(*probe, 1).records.empty());  // the feed has delivered since
  EXPECT_EQ(wakes.load(), 0);
}

TEST_F(EventFeedTest, CursorReplaysFillsHolesAndNeverRepeats) {
  for (int i = 0; i < 5; ++i) Append("old");  // seqs 1..5
  EventFeed feed(*store_, {std::chrono::milliseconds(10), 256, 1024});
  ASSERT_TRUE(feed.Start());
  // Resume after seq 1, store pages of 3, a queue of 2 that will lag.
  JournalCursor cursor(*store_, feed.Subscribe(2), 1, 3);
  for (int i = 0; i < 6; ++i) Append("new");  // seqs 6..11
  std::vector<std::int64_t> seen;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (seen.size() < 10 && std::chrono::steady_clock::now() < deadline) {
    bool more = false;
    auto next = cursor.Next(more);
    ASSERT_TRUE(next) << next.error().message;
    for (const auto& r : *next) seen.push_back(r->seq);
    if (!more) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::vector<std::int64_t> want;
  for (std::int64_t s = 2; s <= 11; ++s) want.push_back(s);
  EXPECT_EQ(seen, want);
  EXPECT_EQ(cursor.last(), 11);
  Append("live");
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (cursor.last() < 12 && std::chrono::steady_clock::now() < deadline) {
    bool more = false;
    auto next = cursor.Next(more);
    ASSERT_TRUE(next);
    for (const auto& r : *next) EXPECT_EQ(r->seq, 12);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(cursor.last(), 12);
}

}  // namespace
}  // namespace zhidu::notify
