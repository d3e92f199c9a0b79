#include "api/read_cache.hpp"

namespace zhidu::api {

ReadCache::ReadCache(std::function<std::uint64_t()> generation, Options options)
    : max_body_(options.max_body),
      entries_(std::move(generation), {options.max_entries, options.ttl}) {}

std::string ReadCache::Key(std::int64_t account, const std::string& target) {
  return std::to_string(account) + ' ' + target;
}

std::optional<HttpResponse> ReadCache::Find(std::int64_t account, const std::string& target,
                                            std::uint64_t generation) {
  return entries_.Find(Key(account, target), generation);
}

void ReadCache::Put(std::int64_t account, const std::string& target, std::uint64_t generation,
                    const HttpResponse& response) {
  if (response.status != 200 || response.body.size() > max_body_) return;
  entries_.Put(Key(account, target), generation, response);
}

}  // namespace zhidu::api
