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
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

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
  // A kept answer. Immutable once stored, shared by every hit (no copy of the body).
  struct Answer {
    std::string content_type;
    std::shared_ptr<const std::string> body;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string route_label;  // the route's pattern, for the request metrics
  };
  using Stats = GenerationCache<std::shared_ptr<const Answer>>::Stats;

  // `generation()` must be cheap and thread-safe (the writer's commit count).
  ReadCache(std::function<std::uint64_t()> generation, Options options);

  // The current generation: read it before running the handler, pass it to Put.
  std::uint64_t Generation() const { return entries_.Generation(); }
  // The cached answer to `account` for `target`, if still valid.
  std::shared_ptr<const Answer> Find(std::int64_t account, const std::string& target,
                                     std::uint64_t generation, bool count_miss = true);
  // Keeps `response` (a 200) computed at `generation`: its body moves into the kept answer and
  // `response` refers to it (shared_body).
  void Put(std::int64_t account, const std::string& target, std::uint64_t generation,
           HttpResponse& response, const std::string& route_label);
  Stats stats() const { return entries_.stats(); }

  // A 200 response sharing the kept answer's body.
  static HttpResponse ResponseOf(const Answer& answer);

 private:
  static std::string Key(std::int64_t account, const std::string& target);

  const size_t max_body_;
  GenerationCache<std::shared_ptr<const Answer>> entries_;
};

}  // namespace zhidu::api
