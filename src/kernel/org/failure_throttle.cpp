#include "kernel/org/failure_throttle.hpp"

#include <algorithm>
#include <cassert>
#include <vector>

namespace zhidu::org {

namespace {

std::chrono::seconds Doubling(int failures, int free_failures) {
  if (failures < free_failures) return std::chrono::seconds(0);
  const int doublings = std::min(failures - free_failures, 6);  // 2^6 = 64 > 60
  return std::chrono::seconds(std::min(1 << doublings, 60));
}

}  // namespace

std::chrono::seconds AccountDelay(int failures) { return Doubling(failures, 3); }
std::chrono::seconds AddressDelay(int failures) { return Doubling(failures, 20); }

FailureThrottle::Admission FailureThrottle::Attempt(std::initializer_list<Key> keys,
                                                    TimePoint now) {
  std::lock_guard lock(mu_);
  Admission out;
  for (const auto& key : keys) {
    auto it = entries_.find(key.name);
    if (it == entries_.end()) continue;
    if (now - it->second.last_at > options_.window) {
      entries_.erase(it);  // invariant 2: forgotten after the window
      continue;
    }
    const auto ready_at = it->second.last_at + key.schedule(it->second.count);
    if (ready_at > now) {
      auto wait = std::chrono::ceil<std::chrono::seconds>(ready_at - now);
      out.retry_after = std::max({out.retry_after, wait, std::chrono::seconds(1)});
    }
  }
  if (out.retry_after.count() > 0) return out;  // invariant 3
  for (const auto& key : keys) {
    if (!entries_.contains(key.name)) MakeRoom(now);
    auto& entry = entries_[key.name];
    entry.count += 1;
    entry.last_at = now;
  }
  assert(entries_.size() <= options_.max_keys + keys.size());
  out.admitted = true;
  return out;
}

void FailureThrottle::MakeRoom(TimePoint now) {
  if (entries_.size() < options_.max_keys) return;
  std::erase_if(entries_,
                [&](const auto& kv) { return now - kv.second.last_at > options_.window; });
  if (entries_.size() < options_.max_keys) return;
  // Still full of live keys: drop the least recently failed quarter.
  std::vector<TimePoint> times;
  times.reserve(entries_.size());
  for (const auto& [_, e] : entries_) times.push_back(e.last_at);
  auto cut = times.begin() + static_cast<std::ptrdiff_t>(times.size() / 4);
  std::nth_element(times.begin(), cut, times.end());
  const TimePoint oldest_kept = *cut;
  std::erase_if(entries_, [&](const auto& kv) { return kv.second.last_at < oldest_kept; });
  // All at one instant (a test clock): drop any quarter.
  while (entries_.size() > options_.max_keys * 3 / 4) entries_.erase(entries_.begin());
}

void FailureThrottle::Release(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  if (--it->second.count <= 0) entries_.erase(it);
}

void FailureThrottle::Clear(const std::string& key) {
  std::lock_guard lock(mu_);
  entries_.erase(key);
}

bool FailureThrottle::FirstReport(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.reported) return false;
  it->second.reported = true;
  return true;
}

std::size_t FailureThrottle::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

}  // namespace zhidu::org
