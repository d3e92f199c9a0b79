// Webhooks: journal records delivered to group robots (企业微信 WeCom, 钉钉 DingTalk, 飞书 Feishu).
//
// Delivery is claimed in the database, so several `zhidu serve` nodes on one PostgreSQL send each
// record to each channel once (issue 22 §5). Each channel has a cursor row (webhook_cursors):
//
//   after_seq  every record up to it is done for the channel (delivered, given up, or not selected)
//   lease      lease_node may send for the channel until lease_until (claimed with FOR UPDATE SKIP
//              LOCKED on PostgreSQL; SQLite has one process and the writer's transaction)
//   attempts, next_at   failed attempts at the next selected record, and when to try it again
//   counts     delivered, failed, attempts_total, dropped, last_status, last_attempt_at
//
// Invariants:
//  1. Delivery never blocks a request: HTTP runs on the dispatcher's thread, outside any
//     transaction; claims and cursor moves are short writer jobs that journal nothing (a record
//     per attempt would feed back into the feed).
//  2. A node sends for a channel only while it holds the channel's lease, and moves the cursor
//     only under it (the update names the node and the cursor it read; no row: the lease was
//     lost, kConflict). So each record reaches each channel from one node. A node that dies holding
//     a lease holds the channel up for at most one lease; the next holder resends the record
//     whose outcome was not recorded (at least once across a crash, exactly once otherwise).
//  3. Per channel, records go out in seq order. A failed attempt is recorded in the row and
//     retried after BackoffAfter(attempt) (1 s, 2 s, 4 s … capped) by whichever node then holds
//     the lease; after max_attempts the record is counted failed and the cursor passes it.
//  4. Nothing is lost to a restart: a new channel's cursor starts at its creation record, and
//     records written while every node was down are sent when one starts — except that a
//     channel more than max_backlog records behind the head skips the oldest (counted dropped).
//  5. A lease is renewed with each cursor move and by a claim when less than half of it is left;
//     Stop() gives this node's leases up, so another node continues at once.
// What a message looks like and how HTTP is spoken is the transport's business (api/).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
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

// Formats and sends; implemented in api/. Deliver is called on the dispatcher's thread only;
// Wants also on request threads (Stats), so it must be thread-safe.
class WebhookTransport {
 public:
  virtual ~WebhookTransport() = default;
  // Whether `channel` wants `record` beyond its kind prefixes (e.g. its site).
  virtual bool Wants(const store::WebhookChannel& channel, const store::JournalRecord& record) = 0;
  // One HTTP attempt; must return within its own timeout.
  virtual DeliveryOutcome Deliver(const store::WebhookChannel& channel,
                                  const store::JournalRecord& record) = 0;
};

// A channel's delivery, durable and the same on every node.
struct ChannelStats {
  std::uint64_t delivered = 0;  // records the receiver accepted
  std::uint64_t failed = 0;     // records given up after max_attempts
  std::uint64_t attempts = 0;   // HTTP attempts
  std::uint64_t dropped = 0;  // journal records skipped unread: the channel fell max_backlog behind
  size_t queued = 0;          // selected records after the cursor now (counted up to 1000)
  std::string last_status;    // of the last attempt; empty before the first
  TimePoint last_attempt_at;
  std::string node;  // the node holding the lease now; empty: none
};

// What this process did since it started (metrics).
struct NodeDeliveryStats {
  std::uint64_t delivered = 0;
  std::uint64_t failed = 0;
  std::uint64_t attempts = 0;
};

struct DispatcherOptions {
  RetryPolicy retry;
  std::string node_id;                         // the lease holder's name; required
  std::chrono::milliseconds lease{30000};      // how long a claim is exclusive
  std::chrono::milliseconds idle_wait{500};    // longest sleep between looks at the store
  std::int64_t max_backlog = 1000;             // journal records a channel may lag (invariant 4)
  int page = 64;                               // journal records read per look
  std::function<void(const Error&)> on_error;  // a round that failed (store, lost lease)
};

// The split kind prefixes of a channel ("duty.\nviolation." -> {"duty.", "violation."}).
std::vector<std::string> KindPrefixes(const std::string& kinds);
// Whether a channel's kind prefixes select `kind` (no prefixes: every kind).
bool KindSelected(const std::string& kinds, std::string_view kind);

// Thread-safe. `store`, `writer`, `feed`, `transport` and `clock` must outlive the dispatcher;
// Stop() before the writer stops.
class WebhookDispatcher {
 public:
  WebhookDispatcher(store::Store& store, store::Writer& writer, EventFeed& feed,
                    WebhookTransport& transport, const Clock& clock, DispatcherOptions options);
  ~WebhookDispatcher();
  WebhookDispatcher(const WebhookDispatcher&) = delete;
  WebhookDispatcher& operator=(const WebhookDispatcher&) = delete;

  // Subscribes to the feed (a wake-up on every commit) and starts the delivery thread.
  Result<void> Start();
  // Joins the thread, then gives up this node's leases (invariant 5).
  void Stop();
  // Looks at the channels again now (after one was created or deleted).
  void Reload();

  // One round at `now`, the thread's body, public for tests (which drive it with a ManualClock):
  // claims the leases of channels with records to send, then makes one attempt (or skips
  // unselected records) per channel it holds whose next attempt is due. Returns the earliest
  // time a channel it holds is due again: `now` when more is waiting, TimePoint::max() when
  // nothing is.
  Result<TimePoint> RunOnce(TimePoint now);
  // Gives up this node's leases (as Stop() does).
  Result<void> Release();

  // Per channel (deleted ones too), from the store: the same on every node.
  Result<std::map<store::Id, ChannelStats>> Stats();
  NodeDeliveryStats node_stats() const;
  const std::string& node_id() const { return options_.node_id; }

 private:
  struct Cursor;
  // Claims (or renews) the leases of channels with records after their cursor below `head`.
  Result<std::vector<Cursor>> Claim(TimePoint now, std::int64_t head);
  // One attempt (or a pass over unselected records) of a held channel; returns when the channel
  // is due again: `now` after its cursor moved, the retry time after a failure.
  Result<TimePoint> Step(const store::WebhookChannel& channel, Cursor cursor, TimePoint now,
                         std::int64_t head);
  Result<void> Move(const Cursor& before, const Cursor& after);
  void Loop();

  store::Store& store_;
  store::Writer& writer_;
  EventFeed& feed_;
  WebhookTransport& transport_;
  const Clock& clock_;
  const DispatcherOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool woken_ = false;     // guarded by mu_
  bool stopping_ = false;  // guarded by mu_
  std::unique_ptr<Subscription> wake_;
  std::thread thread_;
  std::mutex round_mu_;  // one round at a time (the thread, or a test)
  std::atomic<std::uint64_t> delivered_{0}, failed_{0}, attempts_{0};
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
// the robot's secret key: only its host); the channel's cursor starts at that record.
Result<store::WebhookChannel> CreateWebhookChannel(store::Writer& writer, store::Id actor,
                                                   const NewWebhookChannel& in);
// Disables and journals "notify.channel.deleted".
Result<void> DeleteWebhookChannel(store::Writer& writer, store::Id actor, store::Id id);

}  // namespace zhidu::notify
