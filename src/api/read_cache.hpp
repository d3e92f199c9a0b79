// ReadCache: the answers of the read routes a duty board polls (GET /duties, /alarms, /posts,
// /rosters …), kept per account and URL and reused while nothing has been written.
//
// Invariants (those of api/generation_cache.hpp, which keeps the entries, plus):
//  1. Entries are per account (permissions differ; a grant or a sign-out is a write, so it
//     invalidates), only for 200 answers, at most `max_body` bytes each.
//  2. A client that got its write's 2xx never reads the state from before it through the cache
//     (read-your-writes): the writer bumps its commit count before answering.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "api/generation_cache.hpp"
#include "api/http.hpp"

namespace zhidu::api {

class ReadCache {
 public:
  struct Options {
    size_t max_entries = 1024;
    size_t max_body = 4u << 20;
    std::chrono::milliseconds ttl{1000};
  };
  using Stats = GenerationCache<HttpResponse>::Stats;

  // `generation()` must be cheap and thread-safe (the writer's commit count).
  ReadCache(std::function<std::uint64_t()> generation, Options options);

  // The current generation: read it before running the handler, pass it to Put.
  std::uint64_t Generation() const { return entries_.Generation(); }
  // A copy of the cached answer to `account` for `target`, if still valid.
  std::optional<HttpResponse> Find(std::int64_t account, const std::string& target,
                                   std::uint64_t generation);
  // Keeps `response` (a 200) computed at `generation`.
  void Put(std::int64_t account, const std::string& target, std::uint64_t generation,
           const HttpResponse& response);
  Stats stats() const { return entries_.stats(); }

 private:
  static std::string Key(std::int64_t account, const std::string& target);

  const size_t max_body_;
  GenerationCache<HttpResponse> entries_;
};

}  // namespace zhidu::api
