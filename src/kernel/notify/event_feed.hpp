// EventFeed: tails the journal and hands every new record to its subscribers (live notifications).
//
// An event is a journal record and its id is the record's seq (1, 2, 3 … without gaps), so a
// client that knows the last id it saw can always catch up from the store (ReadJournal). The feed
// only makes the live part cheap; it never decides what a subscriber may see (api/ filters).
//
// Invariants:
//  1. One background thread reads the journal, in pages, through read units; it never writes.
//  2. It wakes when the writer reports a commit (Notify) or after `poll_interval` (records
//     appended by another process sharing PostgreSQL), whichever comes first.
//  3. Records reach each subscriber in seq order. Delivery never blocks: each subscription has a
//     bounded queue; on overflow the queue is cleared and the subscription is marked lagged, and
//     its owner must catch up from the store (ReadJournal after the last seq it handled).
//  4. The feed starts at the journal head of Start(): history is the store's business.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "base/result.hpp"
#include "store/store.hpp"

namespace zhidu::notify {

using RecordPtr = std::shared_ptr<const store::JournalRecord>;

struct FeedOptions {
  std::chrono::milliseconds poll_interval{500};  // also picks up other processes' records
  int page_size = 256;                           // records per ReadJournal
  size_t queue_capacity = 1024;                  // per subscription; beyond it: lagged
};

class EventFeed;

// What a subscriber got since its last Take().
struct Delivery {
  std::vector<RecordPtr> records;  // ascending seq
  bool lagged = false;             // records were dropped: catch up from the store
};

// One subscriber's queue. Thread-safe. Destroying it unsubscribes; after the destructor returns
// the feed never calls its waker again.
class Subscription {
 public:
  ~Subscription();
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;

  // Called (from the feed thread, without the feed's lock) after records were queued or the
  // subscription lagged. Must not block. Set it before records can arrive that you care about.
  void SetWaker(std::function<void()> wake);
  // Takes everything queued.
  Delivery Take();
  // The highest seq the feed has read from the journal (delivered to every subscription).
  std::int64_t feed_head() const;

 private:
  friend class EventFeed;
  Subscription(EventFeed& feed, size_t capacity) : feed_(feed), capacity_(capacity) {}
  // Queues `records`; returns the waker to call (empty if none).
  std::function<void()> Push(const std::vector<RecordPtr>& records);

  EventFeed& feed_;
  const size_t capacity_;
  mutable std::mutex mu_;
  std::deque<RecordPtr> queue_;  // guarded by mu_
  bool lagged_ = false;          // guarded by mu_
  std::function<void()> wake_;   // guarded by mu_
};

class EventFeed {
 public:
  // `store` must outlive the feed.
  EventFeed(store::Store& store, FeedOptions options = {});
  ~EventFeed();
  EventFeed(const EventFeed&) = delete;
  EventFeed& operator=(const EventFeed&) = delete;

  // Reads the journal head and starts the feed thread after it.
  Result<void> Start();
  // Joins the feed thread. Subscriptions stay valid (they just receive nothing more).
  void Stop();
  // The writer's commit listener: records up to `head_seq` are durable. Never blocks.
  void Notify(std::int64_t head_seq);
  // The highest seq read so far.
  std::int64_t head() const;

  std::unique_ptr<Subscription> Subscribe();
  std::unique_ptr<Subscription> Subscribe(size_t capacity);

 private:
  friend class Subscription;
  void Unsubscribe(Subscription* sub);
  void Loop();
  // Reads and delivers everything after head_. False when the store failed (retried later).
  bool Drain();

  store::Store& store_;
  const FeedOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::int64_t head_ = 0;           // guarded by mu_; last seq delivered
  std::int64_t notified_head_ = 0;  // guarded by mu_
  bool stopping_ = false;           // guarded by mu_
  std::set<Subscription*> subs_;    // guarded by mu_
  std::mutex deliver_mu_;           // held while delivering, so unsubscribing waits for it
  std::thread thread_;
};

// Follows the journal after a seq without gaps or repeats: records come from the subscription
// while they continue the last one, and from the store when they do not (a resume from an old id,
// a lagged queue, a hole). Not thread-safe: one owner calls Next().
class JournalCursor {
 public:
  // `store` must outlive the cursor. `last`: every record up to it counts as handled.
  JournalCursor(store::Store& store, std::unique_ptr<Subscription> sub, std::int64_t last,
                int replay_page = 256);
  void SetWaker(std::function<void()> wake) { sub_->SetWaker(std::move(wake)); }
  // The records after last(), ascending and contiguous (possibly none). `more` is set when
  // records are known to be waiting: call again without waiting for a wake.
  Result<std::vector<RecordPtr>> Next(bool& more);
  std::int64_t last() const { return last_; }

 private:
  store::Store& store_;
  std::unique_ptr<Subscription> sub_;
  std::int64_t last_;
  const int replay_page_;
  std::vector<RecordPtr> pending_;  // from the feed, not yet handed out
  bool from_store_ = false;         // the next Next() reads the store first
};

}  // namespace zhidu::notify
