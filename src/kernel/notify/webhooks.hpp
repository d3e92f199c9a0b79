// Webhooks: journal records delivered to group robots (企业微信 WeCom, 钉钉 DingTalk, 飞书 Feishu).
//
// Invariants:
//  1. Delivery never blocks a request or the writer: records come through the EventFeed (via a
//     JournalCursor, so a lagging queue loses nothing) and HTTP runs on the dispatcher's thread.
//  2. Per channel, records go out in seq order. A failed attempt is retried after
//     BackoffAfter(attempt) (1 s, 2 s, 4 s … capped) and holds back that channel's later records
//     only; after max_attempts the record is dropped and counted as failed.
//  3. At most max_queue records wait per channel; beyond that the oldest is dropped (counted).
//  4. Outcomes are counted in memory and never journaled (a record per attempt would feed back
//     into the feed); only creating and deleting a channel is journaled.
//  5. The dispatcher starts at the journal head: records older than Start() are not sent.
// What a message looks like and how HTTP is spoken is the transport's business (api/).
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "kernel/notify/event_feed.hpp"
#include "store/store.hpp"
#include "store/writer.hpp"

namespace zhidu::notify {

struct RetryPolicy {
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{60000};
  int max_attempts = 6;  // attempts per record, the first included
};

// The wait after the `attempt`th failed attempt (1-based): initial * 2^(attempt-1), capped.
Micros BackoffAfter(const RetryPolicy& policy, int attempt);

struct DeliveryOutcome {
  bool ok = false;
  std::string status;  // "200", "500", "errcode 93000", "connection refused" …
};

// Formats and sends; implemented in api/. Both are called on the dispatcher's thread only.
class WebhookTransport {
 public:
  virtual ~WebhookTransport() = default;
  // Whether `channel` wants `record` beyond its kind prefixes (e.g. its site).
  virtual bool Wants(const store::WebhookChannel& channel, const store::JournalRecord& record) = 0;
  // One HTTP attempt; must return within its own timeout.
  virtual DeliveryOutcome Deliver(const store::WebhookChannel& channel,
                                  const store::JournalRecord& record) = 0;
};

struct ChannelStats {
  std::uint64_t delivered = 0;  // records the receiver accepted
  std::uint64_t failed = 0;     // records given up after max_attempts
  std::uint64_t attempts = 0;   // HTTP attempts
  std::uint64_t dropped = 0;    // records dropped because the queue was full
  size_t queued = 0;            // records waiting now
  std::string last_status;      // of the last attempt; empty before the first
  TimePoint last_attempt_at;
};

struct DispatcherOptions {
  RetryPolicy retry;
  size_t max_queue = 1000;                   // per channel
  std::chrono::milliseconds idle_wait{500};  // longest sleep between checks
};

// The split kind prefixes of a channel ("duty.\nviolation." -> {"duty.", "violation."}).
std::vector<std::string> KindPrefixes(const std::string& kinds);
// Whether a channel's kind prefixes select `kind` (no prefixes: every kind).
bool KindSelected(const std::string& kinds, std::string_view kind);

// Thread-safe. `store`, `feed`, `transport` and `clock` must outlive the dispatcher.
class WebhookDispatcher {
 public:
  WebhookDispatcher(store::Store& store, EventFeed& feed, WebhookTransport& transport,
                    const Clock& clock, DispatcherOptions options = {});
  ~WebhookDispatcher();
  WebhookDispatcher(const WebhookDispatcher&) = delete;
  WebhookDispatcher& operator=(const WebhookDispatcher&) = delete;

  // Reads the channels, subscribes at the journal head and starts the delivery thread.
  Result<void> Start();
  // Joins the thread; records still queued are not sent.
  void Stop();
  // Re-reads the enabled channels (after one was created or deleted).
  Result<void> Reload();

  // Building blocks of the thread, public for tests (which drive them with a ManualClock):
  // replaces the channel set (queues of removed channels are dropped);
  void SetChannels(std::vector<store::WebhookChannel> channels);
  // queues every record for each channel that selects it;
  void Offer(const std::vector<RecordPtr>& records);
  // attempts each channel's first record if it is due at `now`; returns the earliest time
  // something is due next (TimePoint::max() when nothing waits).
  TimePoint RunDue(TimePoint now);

  // Per channel id; channels without activity have zero counts.
  std::map<store::Id, ChannelStats> Stats() const;

 private:
  struct Lane {
    store::WebhookChannel channel;
    std::deque<RecordPtr> queue;
    int attempts = 0;  // of queue.front()
    TimePoint next_at;
    ChannelStats stats;
  };
  void Loop(std::unique_ptr<JournalCursor> cursor);

  store::Store& store_;
  EventFeed& feed_;
  WebhookTransport& transport_;
  const Clock& clock_;
  const DispatcherOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<store::Id, Lane> lanes_;  // guarded by mu_
  bool woken_ = false;               // guarded by mu_
  bool stopping_ = false;            // guarded by mu_
  std::thread thread_;
};

// ---- channel administration (validation and journaling; permission checks are the caller's).
struct NewWebhookChannel {
  std::string name;
  std::string format;  // "wecom", "dingtalk", "feishu"
  std::string url;     // http:// (https:// is accepted but needs a build with TLS; see docs)
  std::vector<std::string> kinds;  // prefixes of journal kinds; empty: every kind
  store::Id site_id = 0;
};
// Validates, inserts and journals "notify.channel.created" (payload without the URL, which holds
// the robot's secret key: only its host).
Result<store::WebhookChannel> CreateWebhookChannel(store::Writer& writer, store::Id actor,
                                                   const NewWebhookChannel& in);
// Disables and journals "notify.channel.deleted".
Result<void> DeleteWebhookChannel(store::Writer& writer, store::Id actor, store::Id id);

}  // namespace zhidu::notify
