#include "api/read_cache.hpp"

namespace zhidu::api {

ReadCache::ReadCache(std::function<std::uint64_t()> generation, Options options)
    : generation_(std::move(generation)), options_(options) {}

std::string ReadCache::Key(std::int64_t account, const std::string& target) {
  return std::to_string(account) + ' ' + target;
}

std::optional<HttpResponse> ReadCache::Find(std::int64_t account, const std::string& target,
                                            std::uint64_t generation) {
  const std::string key = Key(account, target);
  std::lock_guard lock(mu_);
  auto it = index_.find(key);
  if (it == index_.end()) {
    ++stats_.misses;
    return std::nullopt;
  }
  const Entry& e = *it->second;
  if (e.generation != generation || std::chrono::steady_clock::now() - e.stored >= options_.ttl) {
    entries_.erase(it->second);
    index_.erase(it);
    ++stats_.misses;
    return std::nullopt;
  }
  ++stats_.hits;
  return e.response;
}

void ReadCache::Put(std::int64_t account, const std::string& target, std::uint64_t generation,
                    const HttpResponse& response) {
  if (response.status != 200 || response.body.size() > options_.max_body) return;
  // Stale before it is stored (invariant 2): a commit landed while the handler ran.
  if (generation_() != generation) return;
  std::string key = Key(account, target);
  std::lock_guard lock(mu_);
  if (auto it = index_.find(key); it != index_.end()) {
    entries_.erase(it->second);
    index_.erase(it);
  }
  entries_.push_front(Entry{key, generation, std::chrono::steady_clock::now(), response});
  index_.emplace(std::move(key), entries_.begin());
  ++stats_.stores;
  while (entries_.size() > options_.max_entries) {
    index_.erase(entries_.back().key);
    entries_.pop_back();
  }
}

ReadCache::Stats ReadCache::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

}  // namespace zhidu::api
