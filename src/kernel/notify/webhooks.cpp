#include "kernel/notify/webhooks.hpp"

#include <algorithm>

#include "base/canonical_json.hpp"

namespace zhidu::notify {

Micros BackoffAfter(const RetryPolicy& policy, int attempt) {
  Micros wait = policy.initial_backoff;
  for (int i = 1; i < attempt && wait < Micros(policy.max_backoff); ++i) wait *= 2;
  return std::min(wait, Micros(policy.max_backoff));
}

std::vector<std::string> KindPrefixes(const std::string& kinds) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= kinds.size()) {
    size_t end = kinds.find('\n', start);
    if (end == std::string::npos) end = kinds.size();
    if (end > start) out.push_back(kinds.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool KindSelected(const std::string& kinds, std::string_view kind) {
  auto prefixes = KindPrefixes(kinds);
  if (prefixes.empty()) return true;
  return std::any_of(prefixes.begin(), prefixes.end(),
                     [&](const std::string& p) { return kind.starts_with(p); });
}

// ---- the cursor rows (store/sql.hpp: written once for both backends)

struct WebhookDispatcher::Cursor {
  store::Id channel_id = 0;
  std::int64_t after_seq = 0;
  std::string lease_node;
  TimePoint lease_until;
  std::int64_t attempts = 0;  // failed attempts at the next selected record
  TimePoint next_at;
  std::int64_t delivered = 0, failed = 0, attempts_total = 0, dropped = 0;
  std::string last_status;
  TimePoint last_attempt_at;
};

namespace {

constexpr const char* kCursorColumns =
    "channel_id, after_seq, lease_node, lease_until, attempts, next_at, delivered, failed, "
    "attempts_total, dropped, last_status, last_attempt_at";

std::int64_t Us(TimePoint t) { return t.time_since_epoch().count(); }

// Cursor is WebhookDispatcher's private row type.
template <class Cursor>
Cursor MapCursor(const store::SqlRow& r) {
  Cursor c;
  c.channel_id = r.Int(0);
  c.after_seq = r.Int(1);
  c.lease_node = r.Text(2);
  c.lease_until = r.Time(3);
  c.attempts = r.Int(4);
  c.next_at = r.Time(5);
  c.delivered = r.Int(6);
  c.failed = r.Int(7);
  c.attempts_total = r.Int(8);
  c.dropped = r.Int(9);
  c.last_status = r.Text(10);
  c.last_attempt_at = r.Time(11);
  return c;
}

}  // namespace

WebhookDispatcher::WebhookDispatcher(store::Store& store, store::Writer& writer, EventFeed& feed,
                                     WebhookTransport& transport, const Clock& clock,
                                     DispatcherOptions options)
    : store_(store),
      writer_(writer),
      feed_(feed),
      transport_(transport),
      clock_(clock),
      options_(std::move(options)) {}

WebhookDispatcher::~WebhookDispatcher() { Stop(); }

Result<void> WebhookDispatcher::Start() {
  if (options_.node_id.empty())
    return Fail(Errc::kInvalidArgument, "webhook delivery needs a node id");
  // The feed only wakes the thread; what to send is read from the store (invariant 4).
  wake_ = feed_.Subscribe(16);
  wake_->SetWaker([this] {
    std::lock_guard lock(mu_);
    woken_ = true;
    cv_.notify_all();
  });
  {
    std::lock_guard lock(mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { Loop(); });
  return Ok();
}

void WebhookDispatcher::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  if (!thread_.joinable()) return;
  thread_.join();
  wake_.reset();
  (void)Release();  // a writer that already stopped: the leases simply run out
}

void WebhookDispatcher::Reload() {
  std::lock_guard lock(mu_);
  woken_ = true;
  cv_.notify_all();
}

Result<void> WebhookDispatcher::Release() {
  auto released = writer_.Run<std::int64_t>([&](store::Tx& tx) {
    return tx.unit().sql().Exec("release webhook leases",
                                "UPDATE webhook_cursors SET lease_until=0 WHERE lease_node=?",
                                {options_.node_id});
  });
  if (!released) return Fail(released.error());
  return Ok();
}

Result<std::vector<WebhookDispatcher::Cursor>> WebhookDispatcher::Claim(TimePoint now,
                                                                        std::int64_t head) {
  return writer_.Run<std::vector<Cursor>>([&](store::Tx& tx) -> Result<std::vector<Cursor>> {
    auto& sql = tx.unit().sql();
    // Free or expired leases and this node's own, of enabled channels with something after their
    // cursor and no retry waiting. PostgreSQL: rows another node is claiming are skipped.
    std::string claim =
        std::string(
            "UPDATE webhook_cursors SET lease_node=?, lease_until=? WHERE channel_id IN ("
            "SELECT channel_id FROM webhook_cursors WHERE (lease_node=? OR "
            "lease_until<=?) AND after_seq<? AND next_at<=? AND channel_id IN "
            "(SELECT id FROM webhook_channels WHERE NOT disabled)") +
        (sql.dialect() == store::Dialect::kPostgres ? " FOR UPDATE SKIP LOCKED" : "") +
        ") RETURNING " + kCursorColumns;
    return sql.Many<Cursor>("claim webhook channels", claim,
                            {options_.node_id, Us(now + Micros(options_.lease)), options_.node_id,
                             Us(now), head, Us(now)},
                            MapCursor<Cursor>);
  });
}

Result<void> WebhookDispatcher::Move(const Cursor& before, const Cursor& after) {
  auto moved = writer_.Run<std::int64_t>([&](store::Tx& tx) -> Result<std::int64_t> {
    ZHIDU_TRY(
        auto n,
        tx.unit().sql().Exec(
            "move webhook cursor",
            "UPDATE webhook_cursors SET after_seq=?, attempts=?, next_at=?, lease_until=?, "
            "delivered=?, failed=?, attempts_total=?, dropped=?, last_status=?, "
            "last_attempt_at=? WHERE channel_id=? AND lease_node=? AND after_seq=?",
            {after.after_seq, after.attempts, Us(after.next_at), Us(after.lease_until),
             after.delivered, after.failed, after.attempts_total, after.dropped, after.last_status,
             Us(after.last_attempt_at), before.channel_id, options_.node_id, before.after_seq}));
    if (n == 0)
      return Fail(Errc::kConflict, "webhook channel " + std::to_string(before.channel_id) +
                                       ": this node's lease was taken over");
    return n;
  });
  if (!moved) return Fail(moved.error());
  return Ok();
}

Result<TimePoint> WebhookDispatcher::Step(const store::WebhookChannel& channel, Cursor cursor,
                                          TimePoint now, std::int64_t head) {
  const Cursor before = cursor;
  cursor.lease_until = now + Micros(options_.lease);
  if (head - cursor.after_seq > options_.max_backlog) {  // invariant 4
    cursor.dropped += head - options_.max_backlog - cursor.after_seq;
    cursor.after_seq = head - options_.max_backlog;
    cursor.attempts = 0;
    ZHIDU_TRY_VOID(Move(before, cursor));
    return now;
  }
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(auto records, unit->ReadJournal(cursor.after_seq, options_.page));
  unit.reset();
  const store::JournalRecord* next = nullptr;
  for (const auto& record : records)
    if (KindSelected(channel.kinds, record.kind) && transport_.Wants(channel, record)) {
      next = &record;
      break;
    }
  if (!next) {  // nothing selected in this page: pass over it
    if (records.empty()) return TimePoint::max();
    cursor.after_seq = records.back().seq;
    cursor.attempts = 0;
    ZHIDU_TRY_VOID(Move(before, cursor));
    return now;
  }
  DeliveryOutcome outcome = transport_.Deliver(channel, *next);
  ++attempts_;
  cursor.attempts_total++;
  cursor.attempts++;
  cursor.last_status = outcome.status;
  cursor.last_attempt_at = now;
  const bool done = outcome.ok || cursor.attempts >= options_.retry.max_attempts;
  if (done) {
    (outcome.ok ? cursor.delivered : cursor.failed)++;
    cursor.after_seq = next->seq;
    cursor.attempts = 0;
    cursor.next_at = now;
  } else {
    cursor.next_at = now + BackoffAfter(options_.retry, static_cast<int>(cursor.attempts));
  }
  ZHIDU_TRY_VOID(Move(before, cursor));
  if (done) ++(outcome.ok ? delivered_ : failed_);
  return cursor.next_at;  // now when the record is done (more may wait), else the retry
}

Result<TimePoint> WebhookDispatcher::RunOnce(TimePoint now) {
  std::lock_guard round(round_mu_);
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(auto channels, unit->ListWebhookChannels(false));
  if (channels.empty()) return TimePoint::max();
  ZHIDU_TRY(auto head_row, unit->ReadJournalHead());
  const std::int64_t head = head_row.seq;
  ZHIDU_TRY(auto rows, unit->sql().Many<Cursor>(
                           "read webhook cursors",
                           std::string("SELECT ") + kCursorColumns + " FROM webhook_cursors", {},
                           MapCursor<Cursor>));
  unit.reset();
  std::map<store::Id, Cursor> cursors;
  for (auto& c : rows) cursors[c.channel_id] = std::move(c);

  // Claim when a channel with work is free, expired, or ours with less than half a lease left.
  const Micros renew_before = Micros(options_.lease) / 2;
  bool claim = false;
  for (const auto& channel : channels) {
    auto it = cursors.find(channel.id);
    if (it == cursors.end()) continue;
    const Cursor& c = it->second;
    if (c.after_seq >= head || c.next_at > now) continue;
    const bool mine = c.lease_node == options_.node_id;
    if ((mine && c.lease_until - now < renew_before) || (!mine && c.lease_until <= now))
      claim = true;
  }
  if (claim) {
    ZHIDU_TRY(auto claimed, Claim(now, head));
    for (auto& c : claimed) cursors[c.channel_id] = std::move(c);
  }

  TimePoint next = TimePoint::max();
  for (const auto& channel : channels) {
    auto it = cursors.find(channel.id);
    if (it == cursors.end()) continue;
    const Cursor& c = it->second;
    if (c.lease_node != options_.node_id || c.lease_until <= now || c.after_seq >= head) continue;
    if (c.next_at > now) {
      next = std::min(next, c.next_at);
      continue;
    }
    // A lost lease fails the round: the next one reads who holds the channel.
    ZHIDU_TRY(TimePoint due, Step(channel, c, now, head));
    next = std::min(next, due);
  }
  return next;
}

Result<std::map<store::Id, ChannelStats>> WebhookDispatcher::Stats() {
  const TimePoint now = clock_.Now();
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(auto channels, unit->ListWebhookChannels(true));
  ZHIDU_TRY(auto head, unit->ReadJournalHead());
  ZHIDU_TRY(auto rows, unit->sql().Many<Cursor>(
                           "read webhook cursors",
                           std::string("SELECT ") + kCursorColumns + " FROM webhook_cursors", {},
                           MapCursor<Cursor>));
  std::map<store::Id, ChannelStats> out;
  for (const auto& c : rows) {
    ChannelStats s;
    s.delivered = static_cast<std::uint64_t>(c.delivered);
    s.failed = static_cast<std::uint64_t>(c.failed);
    s.attempts = static_cast<std::uint64_t>(c.attempts_total);
    s.dropped = static_cast<std::uint64_t>(c.dropped);
    s.last_status = c.last_status;
    s.last_attempt_at = c.last_attempt_at;
    if (c.lease_until > now) s.node = c.lease_node;
    out[c.channel_id] = std::move(s);
  }
  // What waits: the selected records after each enabled channel's cursor, up to 1000 read.
  for (const auto& c : rows) {
    auto channel =
        std::find_if(channels.begin(), channels.end(),
                     [&](const store::WebhookChannel& w) { return w.id == c.channel_id; });
    if (channel == channels.end() || channel->disabled || c.after_seq >= head.seq) continue;
    ZHIDU_TRY(auto records, unit->ReadJournal(c.after_seq, 1000));
    for (const auto& r : records)
      if (KindSelected(channel->kinds, r.kind) && transport_.Wants(*channel, r))
        out[c.channel_id].queued++;
  }
  return out;
}

NodeDeliveryStats WebhookDispatcher::node_stats() const {
  return NodeDeliveryStats{delivered_.load(), failed_.load(), attempts_.load()};
}

void WebhookDispatcher::Loop() {
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      woken_ = false;
    }
    (void)wake_->Take();  // only a wake-up: records are read from the store
    TimePoint now = clock_.Now();
    auto next = RunOnce(now);  // a store error or a lost lease: the next round starts over
    if (!next && options_.on_error) options_.on_error(next.error());
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(options_.idle_wait);
    if (next && *next <= now) continue;
    if (next && *next != TimePoint::max())
      wait = std::min(wait, std::chrono::ceil<std::chrono::milliseconds>(*next - now));
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, wait, [&] { return stopping_ || woken_; });
  }
}

// ---- channel administration

namespace {

constexpr size_t kMaxName = 100;
constexpr size_t kMaxKinds = 32;

std::string HostOf(const std::string& url) {
  auto scheme = url.find("://");
  size_t start = scheme == std::string::npos ? 0 : scheme + 3;
  size_t end = url.find_first_of("/?#", start);
  return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

std::string KindsArray(const std::vector<std::string>& kinds) {
  std::string out = "[";
  for (size_t i = 0; i < kinds.size(); ++i) out += (i ? "," : "") + JsonQuote(kinds[i]);
  return out + "]";
}

Result<void> Validate(const NewWebhookChannel& in) {
  if (in.name.empty() || in.name.size() > kMaxName)
    return Fail(Errc::kInvalidArgument, "name must be 1 to 100 bytes", "name");
  if (in.format != "wecom" && in.format != "dingtalk" && in.format != "feishu")
    return Fail(Errc::kInvalidArgument, "format must be wecom, dingtalk or feishu", "format");
  const bool http = in.url.starts_with("http://"), https = in.url.starts_with("https://");
  if ((!http && !https) || HostOf(in.url).empty() || in.url.size() > 2000 ||
      in.url.find_first_of(" \r\n\t") != std::string::npos)
    return Fail(Errc::kInvalidArgument, "url must be an http:// or https:// URL with a host",
                "url");
  if (in.kinds.size() > kMaxKinds)
    return Fail(Errc::kInvalidArgument, "at most 32 kind prefixes", "kinds");
  for (const auto& k : in.kinds)
    if (k.empty() || k.size() > 100 || k.find('\n') != std::string::npos)
      return Fail(Errc::kInvalidArgument,
                  "each kind prefix must be 1 to 100 bytes without line breaks, e.g. \"duty.\"",
                  "kinds");
  return Ok();
}

}  // namespace

Result<store::WebhookChannel> CreateWebhookChannel(store::Writer& writer, store::Id actor,
                                                   const NewWebhookChannel& in) {
  ZHIDU_TRY_VOID(Validate(in));
  return writer.Run<store::WebhookChannel>([&](store::Tx& tx) -> Result<store::WebhookChannel> {
    if (in.site_id != 0) {
      auto site = tx.unit().GetSite(in.site_id);
      if (!site) return Fail(Errc::kInvalidArgument, site.error().message, "site_id");
    }
    store::WebhookChannel c;
    c.name = in.name;
    c.format = in.format;
    c.url = in.url;
    for (size_t i = 0; i < in.kinds.size(); ++i) c.kinds += (i ? "\n" : "") + in.kinds[i];
    c.site_id = in.site_id;
    c.created_by = actor;
    c.created_at = tx.now();
    auto id = tx.unit().InsertWebhookChannel(c);
    if (!id && id.error().code == Errc::kConflict)
      return Fail(Errc::kConflict, "a channel named \"" + in.name + "\" exists", "name");
    if (!id) return Fail(id.error());
    c.id = *id;
    ZHIDU_TRY(auto created,
              tx.Journal("notify.channel.created", actor, "webhook_channel/" + std::to_string(c.id),
                         CanonicalObject()
                             .Add("name", c.name)
                             .Add("format", c.format)
                             .Add("host", HostOf(c.url))
                             .AddRaw("kinds", KindsArray(in.kinds))
                             .Add("site_id", c.site_id)
                             .Str()));
    // Records after the channel's creation are its to send (invariant 4).
    ZHIDU_TRY(auto cursor,
              tx.unit().sql().Exec("start webhook cursor",
                                   "INSERT INTO webhook_cursors(channel_id, after_seq) VALUES(?,?)",
                                   {c.id, created}));
    (void)cursor;
    return c;
  });
}

Result<void> DeleteWebhookChannel(store::Writer& writer, store::Id actor, store::Id id) {
  auto done = writer.Run<int>([&](store::Tx& tx) -> Result<int> {
    ZHIDU_TRY(auto channel, tx.unit().GetWebhookChannel(id));
    ZHIDU_TRY_VOID(tx.unit().DisableWebhookChannel(id));
    ZHIDU_TRY_VOID(tx.Journal(
        "notify.channel.deleted", actor, "webhook_channel/" + std::to_string(id),
        CanonicalObject().Add("name", channel.name).Add("site_id", channel.site_id).Str()));
    return 0;
  });
  if (!done) return Fail(done.error());
  return Ok();
}

}  // namespace zhidu::notify
