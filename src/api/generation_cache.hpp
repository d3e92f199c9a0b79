// GenerationCache: values computed from the stored state, kept under a string key and reused while
// nothing has been written. The read cache (api/read_cache.hpp) keeps board answers in one, the API
// the principals of its bearer tokens in another (api/api.cpp).
//
// Invariants:
//  1. An entry is reused only if the writer's commit count (`generation()`) is the one read before
//     the value was computed, and it is younger than `ttl`. The writer bumps the count after a
//     commit is durable and before any job of it is answered (store/writer.cpp), so a client that
//     got its write's 2xx never reads the state from before it through the cache.
//  2. The generation is read before the value's reads start: a commit racing with them makes the
//     entry stale at once (Put drops it), never an old value fresh.
//  3. At most `max_entries` (the least recently stored go first).
//  4. `ttl` bounds what the count cannot see: another process writing the same database, and
//     values that depend on the clock alone.
// Thread-safe; Find returns a copy.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

namespace zhidu::api {

template <class Value>
class GenerationCache {
 public:
  struct Options {
    size_t max_entries = 1024;
    std::chrono::milliseconds ttl{1000};
  };
  struct Stats {
    std::uint64_t hits = 0, misses = 0, stores = 0;
  };

  // `generation()` must be cheap and thread-safe (the writer's commit count).
  GenerationCache(std::function<std::uint64_t()> generation, Options options)
      : generation_(std::move(generation)), options_(options) {}

  // The current generation: read it before computing a value, pass it to Put.
  std::uint64_t Generation() const { return generation_(); }

  // A copy of the value under `key`, if still valid (invariant 1). `count_miss` false: a miss is
  // not counted in stats() (a lookup that another, counted one follows).
  std::optional<Value> Find(const std::string& key, std::uint64_t generation,
                            bool count_miss = true) {
    std::lock_guard lock(mu_);
    auto it = index_.find(key);
    if (it == index_.end()) {
      stats_.misses += count_miss;
      return std::nullopt;
    }
    const Entry& e = *it->second;
    if (e.generation != generation || std::chrono::steady_clock::now() - e.stored >= options_.ttl) {
      entries_.erase(it->second);
      index_.erase(it);
      stats_.misses += count_miss;
      return std::nullopt;
    }
    ++stats_.hits;
    return e.value;
  }

  // Keeps `value`, computed from the state at `generation`, unless a commit has landed since.
  void Put(std::string key, std::uint64_t generation, Value value) {
    if (generation_() != generation) return;  // stale before it is stored (invariant 2)
    std::lock_guard lock(mu_);
    if (auto it = index_.find(key); it != index_.end()) {
      entries_.erase(it->second);
      index_.erase(it);
    }
    entries_.push_front(Entry{key, generation, std::chrono::steady_clock::now(), std::move(value)});
    index_.emplace(std::move(key), entries_.begin());
    ++stats_.stores;
    while (entries_.size() > options_.max_entries) {
      index_.erase(entries_.back().key);
      entries_.pop_back();
    }
  }

  Stats stats() const {
    std::lock_guard lock(mu_);
    return stats_;
  }

 private:
  struct Entry {
    std::string key;
    std::uint64_t generation = 0;
    std::chrono::steady_clock::time_point stored;
    Value value;
  };

  std::function<std::uint64_t()> generation_;
  const Options options_;
  mutable std::mutex mu_;
  std::list<Entry> entries_;  // newest first
  std::unordered_map<std::string, typename std::list<Entry>::iterator> index_;
  Stats stats_;
};

}  // namespace zhidu::api
