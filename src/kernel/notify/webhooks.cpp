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

WebhookDispatcher::WebhookDispatcher(store::Store& store, EventFeed& feed,
                                     WebhookTransport& transport, const Clock& clock,
                                     DispatcherOptions options)
    : store_(store), feed_(feed), transport_(transport), clock_(clock), options_(options) {}

WebhookDispatcher::~WebhookDispatcher() { Stop(); }

Result<void> WebhookDispatcher::Start() {
  ZHIDU_TRY_VOID(Reload());
  auto sub = feed_.Subscribe();  // before reading the head: nothing committed in between is lost
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(auto head, unit->ReadJournalHead());
  auto cursor = std::make_unique<JournalCursor>(store_, std::move(sub), head.seq);
  cursor->SetWaker([this] {
    std::lock_guard lock(mu_);
    woken_ = true;
    cv_.notify_all();
  });
  {
    std::lock_guard lock(mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this, c = cursor.release()] { Loop(std::unique_ptr<JournalCursor>(c)); });
  return Ok();
}

void WebhookDispatcher::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

Result<void> WebhookDispatcher::Reload() {
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(auto channels, unit->ListWebhookChannels(false));
  SetChannels(std::move(channels));
  return Ok();
}

void WebhookDispatcher::SetChannels(std::vector<store::WebhookChannel> channels) {
  std::lock_guard lock(mu_);
  std::map<store::Id, Lane> next;
  for (auto& channel : channels) {
    auto it = lanes_.find(channel.id);
    Lane lane = it != lanes_.end() ? std::move(it->second) : Lane{};
    lane.channel = std::move(channel);
    next.emplace(lane.channel.id, std::move(lane));
  }
  lanes_ = std::move(next);
  woken_ = true;
  cv_.notify_all();
}

void WebhookDispatcher::Offer(const std::vector<RecordPtr>& records) {
  if (records.empty()) return;
  std::vector<store::WebhookChannel> channels;
  {
    std::lock_guard lock(mu_);
    for (const auto& [_, lane] : lanes_) channels.push_back(lane.channel);
  }
  // Wants() may read the store (a site's time zone): decide outside the lock.
  std::map<store::Id, std::vector<RecordPtr>> wanted;
  for (const auto& record : records)
    for (const auto& channel : channels)
      if (KindSelected(channel.kinds, record->kind) && transport_.Wants(channel, *record))
        wanted[channel.id].push_back(record);
  std::lock_guard lock(mu_);
  for (auto& [id, list] : wanted) {
    auto it = lanes_.find(id);
    if (it == lanes_.end()) continue;  // removed meanwhile
    Lane& lane = it->second;
    for (auto& record : list) {
      if (lane.queue.size() >= options_.max_queue) {
        lane.queue.pop_front();
        lane.attempts = 0;
        lane.stats.dropped++;
      }
      if (lane.queue.empty()) lane.next_at = TimePoint::min();
      lane.queue.push_back(std::move(record));
    }
    lane.stats.queued = lane.queue.size();
  }
}

TimePoint WebhookDispatcher::RunDue(TimePoint now) {
  // One attempt per due lane per call; the HTTP call runs without the lock.
  std::vector<store::Id> due;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, lane] : lanes_)
      if (!lane.queue.empty() && lane.next_at <= now) due.push_back(id);
  }
  for (store::Id id : due) {
    store::WebhookChannel channel;
    RecordPtr record;
    {
      std::lock_guard lock(mu_);
      auto it = lanes_.find(id);
      if (it == lanes_.end() || it->second.queue.empty()) continue;
      channel = it->second.channel;
      record = it->second.queue.front();
    }
    DeliveryOutcome outcome = transport_.Deliver(channel, *record);
    std::lock_guard lock(mu_);
    auto it = lanes_.find(id);
    if (it == lanes_.end() || it->second.queue.empty() || it->second.queue.front() != record)
      continue;  // removed or dropped meanwhile
    Lane& lane = it->second;
    lane.stats.attempts++;
    lane.stats.last_status = outcome.status;
    lane.stats.last_attempt_at = now;
    lane.attempts++;
    if (outcome.ok || lane.attempts >= options_.retry.max_attempts) {
      (outcome.ok ? lane.stats.delivered : lane.stats.failed)++;
      lane.queue.pop_front();
      lane.attempts = 0;
      lane.next_at = now;
    } else {
      lane.next_at = now + BackoffAfter(options_.retry, lane.attempts);
    }
    lane.stats.queued = lane.queue.size();
  }
  std::lock_guard lock(mu_);
  TimePoint next = TimePoint::max();
  for (const auto& [_, lane] : lanes_)
    if (!lane.queue.empty()) next = std::min(next, lane.next_at);
  return next;
}

std::map<store::Id, ChannelStats> WebhookDispatcher::Stats() const {
  std::lock_guard lock(mu_);
  std::map<store::Id, ChannelStats> out;
  for (const auto& [id, lane] : lanes_) out[id] = lane.stats;
  return out;
}

void WebhookDispatcher::Loop(std::unique_ptr<JournalCursor> cursor) {
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      woken_ = false;
    }
    bool more = false;
    auto records = cursor->Next(more);
    if (records) Offer(*records);  // on a store error the cursor retries on the next round
    TimePoint now = clock_.Now();
    TimePoint next = RunDue(now);
    if (more) continue;
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(options_.idle_wait);
    if (next != TimePoint::max() && next > now)
      wait = std::min(wait, std::chrono::ceil<std::chrono::milliseconds>(next - now));
    else if (next != TimePoint::max())
      wait = std::chrono::milliseconds(0);
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
    ZHIDU_TRY_VOID(tx.Journal("notify.channel.created", actor,
                              "webhook_channel/" + std::to_string(c.id),
                              CanonicalObject()
                                  .Add("name", c.name)
                                  .Add("format", c.format)
                                  .Add("host", HostOf(c.url))
                                  .AddRaw("kinds", KindsArray(in.kinds))
                                  .Add("site_id", c.site_id)
                                  .Str()));
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
