// ReadCache: the answers of the read routes a duty board polls (GET /duties, /alarms, /posts,
// /rosters …), kept per account and URL and reused while nothing has been written.
//
// Invariants:
//  1. An entry is reused only if the writer's commit count (`generation()`) is the one read before
//     the handler ran, and it is younger than `ttl`. The writer bumps the count after a commit is
//     durable and before any job of it is answered (store/writer.cpp), so a client that got its
//     write's 2xx never reads the state from before it through the cache (read-your-writes).
//  2. The generation is read before the handler's reads start: a commit racing with a handler
//     makes its entry stale at once, never an old answer fresh.
//  3. Entries are per account (permissions differ; a grant or a sign-out is a write, so it
//     invalidates), only for 200 answers, at most `max_body` bytes each and `max_entries` in all
//     (the oldest go first).
//  4. `ttl` bounds what the count cannot see: another process writing the same PostgreSQL
//     database (DESIGN's several-writers setup), and answers that depend on the clock alone.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "api/http.hpp"

namespace zhidu::api {

class ReadCache {
 public:
  struct Options {
    size_t max_entries = 1024;
    size_t max_body = 4u << 20;
    std::chrono::milliseconds ttl{1000};
  };
  struct Stats {
    std::uint64_t hits = 0, misses = 0, stores = 0;
  };

  // `generation()` must be cheap and thread-safe (the writer's commit count).
  ReadCache(std::function<std::uint64_t()> generation, Options options);

  // The current generation: read it before running the handler, pass it to Put.
  std::uint64_t Generation() const { return generation_(); }
  // A copy of the cached answer to `account` for `target`, if still valid (invariant 1).
  std::optional<HttpResponse> Find(std::int64_t account, const std::string& target,
                                   std::uint64_t generation);
  // Keeps `response` (a 200) computed at `generation`.
  void Put(std::int64_t account, const std::string& target, std::uint64_t generation,
           const HttpResponse& response);
  Stats stats() const;

 private:
  struct Entry {
    std::string key;
    std::uint64_t generation = 0;
    std::chrono::steady_clock::time_point stored;
    HttpResponse response;
  };
  static std::string Key(std::int64_t account, const std::string& target);

  std::function<std::uint64_t()> generation_;
  const Options options_;
  mutable std::mutex mu_;
  std::list<Entry> entries_;  // newest first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
  Stats stats_;
};

}  // namespace zhidu::api
