#include "kernel/notify/event_feed.hpp"

namespace zhidu::notify {

Subscription::~Subscription() { feed_.Unsubscribe(this); }

void Subscription::SetWaker(std::function<void()> wake) {
  std::lock_guard lock(mu_);
  wake_ = std::move(wake);
}

Delivery Subscription::Take() {
  std::lock_guard lock(mu_);
  Delivery out;
  out.records.assign(queue_.begin(), queue_.end());
  queue_.clear();
  out.lagged = lagged_;
  lagged_ = false;
  return out;
}

std::int64_t Subscription::feed_head() const { return feed_.head(); }

std::function<void()> Subscription::Push(const std::vector<RecordPtr>& records) {
  std::lock_guard lock(mu_);
  for (const auto& r : records) {
    if (queue_.size() >= capacity_) {
      // Dropping the oldest would leave a hole in the middle; clearing leaves one at the front,
      // which the owner fills from the store.
      queue_.clear();
      lagged_ = true;
    }
    queue_.push_back(r);
  }
  return wake_;
}

EventFeed::EventFeed(store::Store& store, FeedOptions options) : store_(store), options_(options) {}

EventFeed::~EventFeed() { Stop(); }

Result<void> EventFeed::Start() {
  ZHIDU_TRY(auto unit, store_.BeginRead());
  ZHIDU_TRY(auto head, unit->ReadJournalHead());
  {
    std::lock_guard lock(mu_);
    head_ = head.seq;
    notified_head_ = head.seq;
    stopping_ = false;
  }
  thread_ = std::thread([this] { Loop(); });
  return Ok();
}

void EventFeed::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

void EventFeed::Notify(std::int64_t head_seq) {
  std::lock_guard lock(mu_);
  if (head_seq > notified_head_) notified_head_ = head_seq;
  cv_.notify_all();
}

std::int64_t EventFeed::head() const {
  std::lock_guard lock(mu_);
  return head_;
}

std::unique_ptr<Subscription> EventFeed::Subscribe() { return Subscribe(options_.queue_capacity); }

std::unique_ptr<Subscription> EventFeed::Subscribe(size_t capacity) {
  std::unique_ptr<Subscription> sub(new Subscription(*this, capacity == 0 ? 1 : capacity));
  std::lock_guard lock(mu_);
  subs_.insert(sub.get());
  return sub;
}

void EventFeed::Unsubscribe(Subscription* sub) {
  std::lock_guard deliver(deliver_mu_);  // a delivery in progress may still call its waker
  std::lock_guard lock(mu_);
  subs_.erase(sub);
}

void EventFeed::Loop() {
  std::unique_lock lock(mu_);
  bool healthy = true;
  while (!stopping_) {
    // After a store error, wait a whole interval even if notified: no busy loop while it is down.
    cv_.wait_for(lock, options_.poll_interval,
                 [&] { return stopping_ || (healthy && notified_head_ > head_); });
    if (stopping_) break;
    lock.unlock();
    healthy = Drain();
    lock.lock();
  }
}

bool EventFeed::Drain() {
  for (;;) {
    std::int64_t after = head();
    auto unit = store_.BeginRead();
    if (!unit) return false;
    auto page = (*unit)->ReadJournal(after, options_.page_size);
    if (!page) return false;
    if (page->empty()) return true;
    std::vector<RecordPtr> records;
    records.reserve(page->size());
    for (auto& r : *page)
      records.push_back(std::make_shared<const store::JournalRecord>(std::move(r)));
    std::lock_guard deliver(deliver_mu_);
    std::vector<std::function<void()>> wakers;
    {
      std::lock_guard lock(mu_);
      head_ = records.back()->seq;
      if (notified_head_ < head_) notified_head_ = head_;
      for (auto* sub : subs_) wakers.push_back(sub->Push(records));
    }
    for (auto& wake : wakers)
      if (wake) wake();
    if (static_cast<int>(records.size()) < options_.page_size) return true;
  }
}

JournalCursor::JournalCursor(store::Store& store, std::unique_ptr<Subscription> sub,
                             std::int64_t last, int replay_page)
    : store_(store), sub_(std::move(sub)), last_(last), replay_page_(replay_page) {}

Result<std::vector<RecordPtr>> JournalCursor::Next(bool& more) {
  more = false;
  auto delivery = sub_->Take();
  pending_.insert(pending_.end(), delivery.records.begin(), delivery.records.end());
  if (delivery.lagged) from_store_ = true;
  if (!pending_.empty() && pending_.front()->seq > last_ + 1) from_store_ = true;
  if (pending_.empty() && sub_->feed_head() > last_) from_store_ = true;
  std::vector<RecordPtr> out;
  if (from_store_) {
    ZHIDU_TRY(auto unit, store_.BeginRead());
    ZHIDU_TRY(auto page, unit->ReadJournal(last_, replay_page_));
    for (auto& record : page) {
      if (record.seq != last_ + 1) break;  // cannot happen (seqs have no gaps); be safe
      last_ = record.seq;
      out.push_back(std::make_shared<const store::JournalRecord>(std::move(record)));
    }
    from_store_ = static_cast<int>(page.size()) == replay_page_;
    more = from_store_;
  }
  size_t used = 0;
  for (; used < pending_.size(); ++used) {
    const auto& record = pending_[used];
    if (record->seq <= last_) continue;  // already read from the store
    if (record->seq != last_ + 1) {      // a hole: fill it from the store first
      from_store_ = true;
      more = true;
      break;
    }
    last_ = record->seq;
    out.push_back(record);
  }
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(used));
  return out;
}

}  // namespace zhidu::notify
